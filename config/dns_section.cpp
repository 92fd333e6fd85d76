// [dns] and [[dns.zones]]: zone names, optional zone files and inline records.
#include <map>

#include "common/net.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"

namespace edgelease::config::detail {
namespace {

// Record data stays presentation text for the DNS module to parse; A and AAAA are checked
// here because they are the common case and a typo there deserves a line number.
void check_record_data(Reader& r, const toml::node& node, const std::string& path,
                       const std::string& type, const std::string& data) {
    if (data.empty()) {
        r.error(node, path, "must not be empty");
        return;
    }
    if (type == "A" && !net::parse_ipv4(data))
        r.error(node, path, squote(data) + " is not an IPv4 address (type A)");
    if (type == "AAAA" && !net::parse_ipv6(data))
        r.error(node, path, squote(data) + " is not an IPv6 address (type AAAA)");
}

void load_record(Reader& r, const toml::table& t, const std::string& path,
                 const std::optional<std::string>& zone, std::vector<RecordConfig>& out) {
    r.check_keys(t, path, {"name", "type", "data", "ttl"});
    RecordConfig rc;
    rc.where = r.loc(t);
    if (auto name = r.string(t, "name", path, Need::Required)) {
        std::string why;
        if (zone && !check_record_name(*name, *zone, why))
            r.error(*t.get("name"), path + ".name", why);
        rc.name = *name;
    }
    std::optional<std::string> type;
    if (auto s = r.string(t, "type", path, Need::Required)) {
        std::string why;
        type = parse_rr_type(*s, why);
        if (type)
            rc.type = *type;
        else
            r.error(*t.get("type"), path + ".type", why);
    }
    if (auto data = r.string(t, "data", path, Need::Required)) {
        check_record_data(r, *t.get("data"), path + ".data", type.value_or(""), *data);
        rc.data = *data;
    }
    r.integer_into(t, "ttl", path, 0, kMaxTtl, rc.ttl);
    out.push_back(std::move(rc));
}

}  // namespace

void load_dns(Reader& r, const toml::table& dns, DnsConfig& out) {
    r.check_keys(dns, "dns", kDnsKeys);
    // 512 is the pre-EDNS limit (RFC 1035 §2.3.4); above 4096 fragmentation is near certain.
    r.integer_into(dns, "udp_payload_size", "dns", 512, 4096, out.udp_payload_size);
    r.boolean_into(dns, "tcp", "dns", out.tcp);
    if (auto d = r.duration(dns, "tcp_idle_timeout", "dns", 1, 3600)) out.tcp_idle_timeout = *d;
    r.integer_into(dns, "tcp_max_connections", "dns", 1, 65536, out.tcp_max_connections);
    r.integer_into(dns, "tcp_max_per_client", "dns", 1, 65536, out.tcp_max_per_client);
    if (auto s = r.string(dns, "server_name", "dns", Need::Optional)) {
        std::string why;
        if (auto n = parse_domain_name(*s, why))
            out.server_name = *n;
        else
            r.error(*dns.get("server_name"), "dns.server_name", why);
    }

    struct Seen {
        std::string path;
        uint32_t line;
    };
    std::map<std::string, Seen> seen;
    auto zones = r.tables(dns, "zones", "dns");
    for (size_t i = 0; i < zones.size(); ++i) {
        if (!zones[i]) continue;
        const toml::table& t = *zones[i];
        const std::string path = index("dns.zones", i);
        r.check_keys(t, path, {"name", "file", "default_ttl", "records"});
        ZoneConfig z;
        z.where = r.loc(t);
        std::optional<std::string> name;
        if (auto s = r.string(t, "name", path, Need::Required)) {
            std::string why;
            name = parse_domain_name(*s, why);
            if (!name) {
                r.error(*t.get("name"), path + ".name", why);
            } else if (auto it = seen.find(*name); it != seen.end()) {
                r.error(*t.get("name"), path + ".name",
                        "zone " + squote(*name) + " is already defined by " + it->second.path +
                            " (line " + std::to_string(it->second.line) + ")");
            } else {
                seen.emplace(*name, Seen{path, z.where.line});
            }
            if (name) z.name = *name;
        }
        if (auto file = r.string(t, "file", path)) {
            if (file->empty())
                r.error(*t.get("file"), path + ".file", "empty file name; leave the key out");
            else
                z.file = r.resolve_path(*file);  // opened by the zone loader, not here
        }
        r.integer_into(t, "default_ttl", path, 0, kMaxTtl, z.default_ttl);
        auto records = r.tables(t, "records", path);
        for (size_t j = 0; j < records.size(); ++j)
            if (records[j])
                load_record(r, *records[j], index(path + ".records", j), name, z.records);
        out.zones.push_back(std::move(z));
    }
}

}  // namespace edgelease::config::detail
