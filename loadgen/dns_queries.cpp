#include "loadgen/dns_queries.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"

namespace edgelease::loadgen {

namespace dw = edgelease::dataplane::wire;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// splitmix64: a seeded, portable sequence (std:: distributions differ between libraries).
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
};

/// Index drawn from weights (sum must be non-zero).
size_t draw(Rng& rng, const std::vector<uint32_t>& weights, uint64_t total) {
    uint64_t x = rng.below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return weights.size() - 1;
}

}  // namespace

std::vector<QuerySpec> parse_dnsperf(std::string_view text, std::vector<ParseIssue>& issues) {
    std::vector<QuerySpec> out;
    const dns::WireName root{0};
    uint32_t line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = trim(line);
        if (line.empty() || line.front() == ';' || line.front() == '#') continue;
        const size_t sp = line.find_first_of(" \t");
        const std::string_view name_text = line.substr(0, sp);
        const std::string_view rest =
            sp == std::string_view::npos ? std::string_view{} : trim(line.substr(sp));
        std::string why;
        auto name = dns::name_from_text(name_text, root, why);
        if (!name) {
            issues.push_back({line_no, "bad name '" + std::string(name_text) + "': " + why});
            continue;
        }
        QuerySpec q;
        q.name = std::move(*name);
        if (!rest.empty()) {
            if (rest.find_first_of(" \t") != std::string_view::npos) {
                issues.push_back({line_no, "expected 'name TYPE', got more fields"});
                continue;
            }
            auto type = dns::type_from_text(rest);
            if (!type) {
                issues.push_back({line_no, "unknown type '" + std::string(rest) + "'"});
                continue;
            }
            q.type = *type;
        }
        out.push_back(std::move(q));
    }
    return out;
}

std::vector<TypeWeight> parse_type_weights(std::string_view text) {
    std::vector<TypeWeight> out;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) throw std::invalid_argument("empty item in type list");
        const size_t eq = item.find('=');
        const std::string_view tname = trim(item.substr(0, eq));
        auto type = dns::type_from_text(tname);
        if (!type) throw std::invalid_argument("unknown type '" + std::string(tname) + "'");
        TypeWeight w{*type, 1};
        if (eq != std::string_view::npos) {
            const std::string num(trim(item.substr(eq + 1)));
            size_t used = 0;
            unsigned long v = 0;
            try {
                v = std::stoul(num, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != num.size() || v > 1000000)
                throw std::invalid_argument("bad weight '" + num + "' for " + std::string(tname));
            w.weight = static_cast<uint32_t>(v);
        }
        out.push_back(w);
    }
    if (out.empty()) throw std::invalid_argument("no types given");
    return out;
}

std::vector<QuerySpec> generate_queries(const std::vector<dns::Record>& records,
                                        const dns::WireName& origin, const DnsMix& mix,
                                        const std::vector<TypeWeight>& types, size_t count,
                                        uint64_t seed) {
    // Owners and the types each has; owners per type.
    std::map<dns::WireName, std::vector<uint16_t>> owners;
    for (const auto& r : records) {
        auto& v = owners[r.owner];
        if (std::find(v.begin(), v.end(), r.type) == v.end()) v.push_back(r.type);
    }
    std::vector<const dns::WireName*> all;
    for (const auto& [name, _] : owners) all.push_back(&name);
    std::map<uint16_t, std::vector<const dns::WireName*>> with_type;
    for (const auto& [name, ts] : owners)
        for (uint16_t t : ts) with_type[t].push_back(&name);

    std::vector<uint32_t> type_w, hit_w;
    uint64_t type_total = 0, hit_total = 0;
    for (const auto& tw : types) {
        type_w.push_back(tw.weight);
        type_total += tw.weight;
        const uint32_t hw = with_type.count(tw.type) != 0 ? tw.weight : 0;
        hit_w.push_back(hw);
        hit_total += hw;
    }
    const std::vector<uint32_t> class_w{mix.hit, mix.nxdomain, mix.nodata};
    const uint64_t class_total = uint64_t{mix.hit} + mix.nxdomain + mix.nodata;
    if (class_total == 0 || type_total == 0) throw std::invalid_argument("every weight is zero");
    if (hit_total == 0 && (mix.hit != 0 || mix.nodata != 0))
        throw std::invalid_argument("the zone has no records of the query types asked for");

    Rng rng{seed};
    std::vector<QuerySpec> out;
    out.reserve(count);
    uint64_t nx_serial = 0;
    for (size_t n = 0; n < count; ++n) {
        size_t cls = draw(rng, class_w, class_total);
        QuerySpec q;
        if (cls == 2) {  // nodata: an owner lacking the drawn type
            q.type = types[draw(rng, type_w, type_total)].type;
            bool found = false;
            for (int tries = 0; tries < 16 && !all.empty(); ++tries) {
                const dns::WireName* name = all[rng.below(all.size())];
                const auto& ts = owners[*name];
                // A CNAME owner answers every type with its target: not NODATA.
                if (std::find(ts.begin(), ts.end(), q.type) != ts.end() ||
                    std::find(ts.begin(), ts.end(), dns::rrtype::CNAME) != ts.end())
                    continue;
                q.name = *name;
                found = true;
                break;
            }
            if (found) {
                q.expect = Expect::NoData;
                out.push_back(std::move(q));
                continue;
            }
            cls = 0;  // this zone cannot give NODATA for that type: ask a hit instead
        }
        if (cls == 1) {
            q.type = types[draw(rng, type_w, type_total)].type;
            const std::string label = "lg-nx-" + std::to_string(nx_serial++);
            q.name.push_back(static_cast<uint8_t>(label.size()));
            q.name.insert(q.name.end(), label.begin(), label.end());
            q.name.insert(q.name.end(), origin.begin(), origin.end());
            if (q.name.size() > dns::kMaxNameWire) throw std::invalid_argument("origin too long");
            q.expect = Expect::NxDomain;
        } else if (hit_total == 0) {
            throw std::invalid_argument("no hit can be drawn from this zone");
        } else {
            q.type = types[draw(rng, hit_w, hit_total)].type;
            const auto& names = with_type[q.type];
            q.name = *names[rng.below(names.size())];
            q.expect = Expect::Hit;
        }
        out.push_back(std::move(q));
    }
    return out;
}

uint16_t encode_query(const QuerySpec& q, uint16_t id, bool rd, uint16_t edns_size, uint8_t* out,
                      uint16_t cap) noexcept {
    const size_t need =
        dw::dns::kHeaderSize + q.name.size() + 4 + (edns_size != 0 ? dw::dns::edns::kOptRrSize : 0);
    if (need > cap || q.name.empty() || q.name.size() > dns::kMaxNameWire) return 0;
    std::memset(out, 0, dw::dns::kHeaderSize);
    dw::store_be16(out + dw::dns::hdr::kIdOff, id);
    dw::store_be16(out + dw::dns::hdr::kFlagsOff, rd ? dw::dns::flag::kRd : 0);
    dw::store_be16(out + dw::dns::hdr::kQdCountOff, 1);
    dw::store_be16(out + dw::dns::hdr::kArCountOff, edns_size != 0 ? 1 : 0);
    uint8_t* p = out + dw::dns::kHeaderSize;
    std::memcpy(p, q.name.data(), q.name.size());
    p += q.name.size();
    dw::store_be16(p, q.type);
    dw::store_be16(p + 2, dns::rrclass::IN);
    p += 4;
    if (edns_size != 0) {
        // RFC 6891 §6.1.2: root owner, TYPE 41, CLASS = payload size, TTL 0, no options.
        p[0] = 0;
        dw::store_be16(p + 1, dns::rrtype::OPT);
        dw::store_be16(p + 3, edns_size);
        dw::store_be32(p + 5, 0);
        dw::store_be16(p + 9, 0);
        p += dw::dns::edns::kOptRrSize;
    }
    return static_cast<uint16_t>(p - out);
}

bool parse_response(const uint8_t* p, uint16_t len, ResponseInfo& out) noexcept {
    if (len < dw::dns::kHeaderSize) return false;
    const uint16_t flags = dw::load_be16(p + dw::dns::hdr::kFlagsOff);
    if ((flags & dw::dns::flag::kQr) == 0) return false;
    out.id = dw::load_be16(p + dw::dns::hdr::kIdOff);
    out.rcode = flags & dw::dns::flag::kRcodeMask;
    out.aa = (flags & dw::dns::flag::kAa) != 0;
    out.tc = (flags & dw::dns::flag::kTc) != 0;
    out.ancount = dw::load_be16(p + dw::dns::hdr::kAnCountOff);
    return true;
}

}  // namespace edgelease::loadgen
