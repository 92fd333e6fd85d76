#include "control/zone/zone_builder.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_file.hpp"

namespace edgelease::control::zone {

namespace {

using dns::Record;
using dns::WireName;

bool has(const std::vector<Record>& rs, const WireName& owner, uint16_t type) {
    return std::any_of(rs.begin(), rs.end(),
                       [&](const Record& r) { return r.owner == owner && r.type == type; });
}

void put_u32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

/// Generated apex records, so that every zone can answer negatively and be delegated to.
void complete_apex(const config::Config& cfg, const WireName& apex, uint32_t ttl, uint32_t serial,
                   std::vector<Record>& rs, std::vector<config::ConfigError>& errors,
                   const config::ZoneConfig& zc) {
    std::string why;
    auto server = cfg.dns.server_name.empty() ? dns::name_from_text("ns", apex, why)
                                              : dns::name_from_text(cfg.dns.server_name, apex, why);
    if (!server) {
        errors.push_back({zc.where.file, zc.where.line, zc.where.column, "dns.server_name",
                          "cannot form a name server name for the zone: " + why});
        return;
    }
    if (!has(rs, apex, dns::rrtype::SOA)) {
        auto host = dns::name_from_text("hostmaster", apex, why);
        Record soa{apex, dns::rrtype::SOA, dns::rrclass::IN, ttl, {}};
        if (host) {
            soa.rdata.insert(soa.rdata.end(), server->begin(), server->end());
            soa.rdata.insert(soa.rdata.end(), host->begin(), host->end());
            for (uint32_t v : {serial, 3600u, 600u, 1209600u, 300u}) put_u32(soa.rdata, v);
            rs.insert(rs.begin(), std::move(soa));
        }
    }
    if (!has(rs, apex, dns::rrtype::NS)) {
        rs.push_back(Record{apex, dns::rrtype::NS, dns::rrclass::IN, ttl, *server});
        // Our own name inside the zone: give it our addresses so the delegation resolves.
        bool in_zone =
            server->size() > apex.size() &&
            std::equal(apex.begin(), apex.end(), server->end() - static_cast<long>(apex.size()));
        if (in_zone && !has(rs, *server, dns::rrtype::A) && !has(rs, *server, dns::rrtype::AAAA) &&
            !cfg.interfaces.empty()) {
            for (const auto& a : cfg.interfaces.front().addresses) {
                if (a.is_v6 && a.v6.bytes[0] == 0xfe && (a.v6.bytes[1] & 0xc0) == 0x80) continue;
                Record r{*server,
                         a.is_v6 ? dns::rrtype::AAAA : dns::rrtype::A,
                         dns::rrclass::IN,
                         ttl,
                         {}};
                if (a.is_v6) {
                    r.rdata.assign(a.v6.bytes.begin(), a.v6.bytes.end());
                } else {
                    put_u32(r.rdata, a.v4.value);
                }
                rs.push_back(std::move(r));
            }
        }
    }
}

/// RFC 1034 §3.6.2 and RFC 1035 §5.2 consistency checks.
void check_zone(const config::ZoneConfig& zc, const WireName& apex, const std::vector<Record>& rs,
                std::vector<config::ConfigError>& errors) {
    auto err = [&](const std::string& why) {
        errors.push_back(
            {zc.where.file, zc.where.line, zc.where.column, "", "zone " + zc.name + ": " + why});
    };
    struct Seen {
        uint16_t other_type = 0;  // a non-CNAME type at this owner (0: none)
        const Record* cname = nullptr;
        bool reported = false;
    };
    std::unordered_map<std::string, Seen> owners;
    owners.reserve(rs.size());
    size_t soas = 0;
    for (const auto& r : rs) {
        if (r.type == dns::rrtype::SOA) {
            ++soas;
            if (r.owner != apex)
                err("SOA record at " + dns::name_to_text(r.owner) + ", not at the apex");
        }
        Seen& s = owners[std::string(r.owner.begin(), r.owner.end())];
        if (r.type == dns::rrtype::CNAME) {
            if (r.owner == apex) err("CNAME at the zone apex");
            if (s.cname != nullptr && s.cname->rdata != r.rdata && !s.reported) {
                err(dns::name_to_text(r.owner) + " has more than one CNAME");
                s.reported = true;
            }
            s.cname = &r;
        } else if (s.other_type == 0) {
            s.other_type = r.type;
        }
        if (s.cname != nullptr && s.other_type != 0 && !s.reported) {
            err(dns::name_to_text(r.owner) + " has a CNAME and other data (" +
                dns::type_to_text(s.other_type) + ")");
            s.reported = true;
        }
    }
    if (soas > 1) err(std::to_string(soas) + " SOA records; a zone has exactly one");
}

}  // namespace

LoadedZones load_zones(const config::Config& cfg, uint32_t serial) {
    LoadedZones out;
    for (size_t zi = 0; zi < cfg.dns.zones.size(); ++zi) {
        const auto& zc = cfg.dns.zones[zi];
        const std::string zpath = "dns.zones[" + std::to_string(zi) + "]";
        std::string why;
        auto apex = dns::name_from_text(zc.name, WireName{0}, why);
        if (!apex) {
            out.errors.push_back(
                {zc.where.file, zc.where.line, zc.where.column, zpath + ".name", why});
            continue;
        }
        dataplane::dns::ZoneInput zone;
        zone.name = *apex;
        size_t first_error = out.errors.size();
        if (!zc.file.empty()) {
            ZoneFileResult f = parse_zone_file(zc.file, *apex, zc.default_ttl);
            for (auto& e : f.errors) out.errors.push_back({e.file, e.line, 0, "", e.why});
            zone.records = std::move(f.records);
        }
        for (size_t ri = 0; ri < zc.records.size(); ++ri) {
            const auto& rc = zc.records[ri];
            const std::string rpath = zpath + ".records[" + std::to_string(ri) + "]";
            auto add_error = [&](const std::string& w) {
                out.errors.push_back({rc.where.file, rc.where.line, rc.where.column, rpath, w});
            };
            auto owner = dns::name_from_text(rc.name, *apex, why);
            if (!owner) {
                add_error("name: " + why);
                continue;
            }
            auto type = dns::type_from_text(rc.type);
            if (!type) {
                add_error("type: unknown RR type '" + rc.type + "'");
                continue;
            }
            Record r{*owner, *type, dns::rrclass::IN, rc.ttl != 0 ? rc.ttl : zc.default_ttl, {}};
            if (!rdata_from_text(*type, rc.data, *apex, r.rdata, why)) {
                add_error("data: " + why);
                continue;
            }
            zone.records.push_back(std::move(r));
        }
        if (out.errors.size() != first_error) continue;
        complete_apex(cfg, *apex, zc.default_ttl, serial, zone.records, out.errors, zc);
        check_zone(zc, *apex, zone.records, out.errors);
        out.zones.push_back(std::move(zone));
    }
    return out;
}

}  // namespace edgelease::control::zone
