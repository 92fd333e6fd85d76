// Reading an UPDATE message (RFC 2136 §2): header, zone, prerequisite, update and additional
// sections. Names are decompressed and owner names lower-cased; the RDATA of the RFC 1035
// types that may carry compressed names (NS, CNAME, SOA, PTR, MX) is rewritten with its names
// whole, so a record compares and stores the same however the client packed it.
#include <array>
#include <cstring>

#include "control/dnsupdate/update.hpp"
#include "control/zone/rdata_text.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"

namespace edgelease::control::dnsupdate {

namespace {

namespace wdns = dataplane::wire::dns;
using dataplane::wire::load_be16;

constexpr size_t kHeader = wdns::kHeaderSize;

uint32_t load_be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

/// The name at msg[off] (compressed or not) appended to `out`; `next` after it. False when
/// it cannot be read.
bool read_name(const uint8_t* msg, uint16_t len, uint16_t off, std::vector<uint8_t>& out,
               uint16_t& next) {
    uint8_t buf[wdns::kMaxName];
    const int n = wdns::decode_name(msg, len, off, buf, next);
    if (n < 0) return false;
    out.insert(out.end(), buf, buf + n);
    return true;
}

/// RDATA msg[at..at+rdlen) of `type` with its names whole. RFC 3597 §4: only the RFC 1035
/// types may hold compressed names; everything else is taken as it is.
bool read_rdata(const uint8_t* msg, uint16_t at, uint16_t rdlen, uint16_t type,
                std::vector<uint8_t>& out, std::string& why) {
    const uint16_t end = static_cast<uint16_t>(at + rdlen);
    out.clear();
    if (rdlen == 0 || !dns::rdata_names_compressible(type)) {
        out.assign(msg + at, msg + end);
        return true;
    }
    // Every name must end inside the RDATA (a pointer may point anywhere before it).
    auto name = [&](uint16_t off, uint16_t& next) {
        if (!read_name(msg, end, off, out, next)) {
            why = "a name in the RDATA of a " + dns::type_to_text(type) + " record is malformed";
            return false;
        }
        return true;
    };
    uint16_t next = at;
    switch (type) {
        case dns::rrtype::NS:
        case dns::rrtype::CNAME:
        case dns::rrtype::PTR:
            if (!name(at, next)) return false;
            break;
        case dns::rrtype::MX:
            if (rdlen < 3) {
                why = "an MX record's RDATA is too short";
                return false;
            }
            out.assign(msg + at, msg + at + 2);
            if (!name(static_cast<uint16_t>(at + 2), next)) return false;
            break;
        case dns::rrtype::SOA: {
            if (!name(at, next) || !name(next, next)) return false;
            if (end - next != 20) {
                why = "an SOA record's RDATA does not end with its five 32-bit fields";
                return false;
            }
            out.insert(out.end(), msg + next, msg + end);
            next = end;
            break;
        }
        default:
            break;
    }
    if (next != end) {
        why = "a " + dns::type_to_text(type) + " record's RDATA has octets after its name";
        return false;
    }
    return true;
}

/// One record at msg[at]: into `rr` (unless null), `at` moved past it.
bool read_rr(const uint8_t* msg, uint16_t len, uint16_t& at, UpdateRR* rr, std::string& why) {
    UpdateRR tmp;
    UpdateRR& r = rr != nullptr ? *rr : tmp;
    uint16_t next = 0;
    r.name.clear();
    if (!read_name(msg, len, at, r.name, next)) {
        why = "a record's owner name is malformed or runs past the message";
        return false;
    }
    wdns::lower_copy(r.name.data(), r.name.data(), r.name.size());
    if (next + 10 > len) {
        why = "a record is cut short";
        return false;
    }
    r.type = load_be16(msg + next);
    r.klass = load_be16(msg + next + 2);
    r.ttl = load_be32(msg + next + 4);
    const uint16_t rdlen = load_be16(msg + next + 8);
    const auto rd = static_cast<uint16_t>(next + 10);
    if (rd + rdlen > len) {
        why = "a record's RDATA runs past the message";
        return false;
    }
    if (rr != nullptr && !read_rdata(msg, rd, rdlen, r.type, r.rdata, why)) return false;
    at = static_cast<uint16_t>(rd + rdlen);
    return true;
}

}  // namespace

std::string rcode_text(uint8_t rc) {
    static constexpr std::array<const char*, 11> kNames{
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
    return rc < kNames.size() ? kNames[rc] : "RCODE" + std::to_string(rc);
}

size_t echo_length(std::span<const uint8_t> msg) noexcept {
    if (msg.size() < kHeader) return 0;
    if (load_be16(msg.data() + wdns::hdr::kQdCountOff) != 1) return kHeader;
    const auto len = static_cast<uint16_t>(std::min<size_t>(msg.size(), 65535));
    uint8_t buf[wdns::kMaxName];
    uint16_t next = 0;
    if (wdns::decode_name(msg.data(), len, kHeader, buf, next) < 0 || next + 4 > len)
        return kHeader;
    return next + 4u;
}

bool parse_update(std::span<const uint8_t> msg, size_t end, bool signed_additional,
                  UpdateMessage& out, std::string& why) {
    if (end > msg.size() || end > 65535 || end < kHeader) {
        why = "shorter than a DNS header";
        return false;
    }
    const uint8_t* m = msg.data();
    const auto len = static_cast<uint16_t>(end);
    out = UpdateMessage{};
    out.id = load_be16(m);
    const uint16_t zocount = load_be16(m + wdns::hdr::kQdCountOff);
    const uint16_t prcount = load_be16(m + wdns::hdr::kAnCountOff);
    const uint16_t upcount = load_be16(m + wdns::hdr::kNsCountOff);
    uint16_t adcount = load_be16(m + wdns::hdr::kArCountOff);
    if (signed_additional) {
        if (adcount == 0) {
            why = "a TSIG record not counted in ADCOUNT";
            return false;
        }
        --adcount;
    }
    // RFC 2136 §3.1.1: exactly one zone.
    if (zocount != 1) {
        why = "ZOCOUNT is " + std::to_string(zocount) + ", not 1";
        return false;
    }
    uint16_t at = kHeader;
    uint16_t next = 0;
    if (!read_name(m, len, at, out.zone, next) || next + 4 > len) {
        why = "the zone section is malformed";
        return false;
    }
    wdns::lower_copy(out.zone.data(), out.zone.data(), out.zone.size());
    const uint16_t ztype = load_be16(m + next);
    out.zone_class = load_be16(m + next + 2);
    if (ztype != dns::rrtype::SOA) {
        why = "the zone section's type is " + dns::type_to_text(ztype) + ", not SOA";
        return false;
    }
    at = static_cast<uint16_t>(next + 4);
    out.prereqs.reserve(prcount);
    for (uint16_t i = 0; i < prcount; ++i) {
        out.prereqs.emplace_back();
        if (!read_rr(m, len, at, &out.prereqs.back(), why)) return false;
    }
    out.updates.reserve(upcount);
    for (uint16_t i = 0; i < upcount; ++i) {
        out.updates.emplace_back();
        if (!read_rr(m, len, at, &out.updates.back(), why)) return false;
    }
    for (uint16_t i = 0; i < adcount; ++i)
        if (!read_rr(m, len, at, nullptr, why)) return false;
    if (at != len) {
        why = "octets after the last record";
        return false;
    }
    return true;
}

bool rdata_equal(uint16_t type, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    if (a.size() != b.size()) return false;
    // Octets compared exactly before and after the names: MX preference, SRV priority,
    // weight and port; SOA's five timers.
    size_t head = 0, tail = 0;
    switch (type) {
        case dns::rrtype::NS:
        case dns::rrtype::CNAME:
        case dns::rrtype::PTR:
            break;
        case dns::rrtype::MX:
            head = 2;
            break;
        case dns::rrtype::SRV:
            head = 6;
            break;
        case dns::rrtype::SOA:
            tail = 20;
            break;
        default:
            return a == b;
    }
    if (a.size() < head + tail) return a == b;
    const size_t n = a.size();
    return std::memcmp(a.data(), b.data(), head) == 0 &&
           std::memcmp(a.data() + n - tail, b.data() + n - tail, tail) == 0 &&
           wdns::name_equal_ci(a.data() + head, b.data() + head, n - head - tail);
}

}  // namespace edgelease::control::dnsupdate
