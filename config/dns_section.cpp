// [dns] and [[dns.zones]]: zone names, optional zone files and inline records.
#include <map>

#include <algorithm>
#include <charconv>

#include "common/net.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"
#include "control/tsig/tsig.hpp"

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

/// "198.18.0.0/24", "2001:db8::/48", a bare address (one host), or "key:NAME".
std::optional<AclEntry> parse_acl(const std::string& text, const std::vector<TsigKeyConfig>& keys,
                                  std::string& why) {
    AclEntry e;
    if (text.rfind("key:", 0) == 0) {
        auto name = parse_domain_name(text.substr(4), why);
        if (!name) return std::nullopt;
        const bool known = std::any_of(keys.begin(), keys.end(),
                                       [&](const TsigKeyConfig& k) { return k.name == *name; });
        if (!known) {
            why = "names the key " + squote(*name) + ", which no [[dns.keys]] entry defines";
            return std::nullopt;
        }
        e.is_key = true;
        e.key = *name;
        return e;
    }
    std::optional<net::IfAddress> p;
    if (text.find('/') != std::string::npos) {
        p = net::parse_if_address(text);
    } else if (auto v4 = net::parse_ipv4(text)) {
        p = net::IfAddress{false, *v4, {}, 32};
    } else if (auto v6 = net::parse_ipv6(text)) {
        p = net::IfAddress{true, {}, *v6, 128};
    }
    if (!p) {
        why = squote(text) + " is neither an address, a prefix (addr/len) nor \"key:NAME\"";
        return std::nullopt;
    }
    e.prefix = *p;
    return e;
}

/// "198.18.0.2", "198.18.0.2:5300", "2001:db8::2" or "[2001:db8::2]:5300".
std::optional<NotifyTarget> parse_notify(const std::string& text, std::string& why) {
    NotifyTarget t;
    std::string host = text, port;
    if (!text.empty() && text[0] == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos || (close + 1 < text.size() && text[close + 1] != ':')) {
            why = squote(text) + ": an IPv6 address with a port is written [addr]:port";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) port = text.substr(close + 2);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        host = text.substr(0, text.find(':'));
        port = text.substr(text.find(':') + 1);
    }
    if (auto v4 = net::parse_ipv4(host)) {
        t.v4 = *v4;
    } else if (auto v6 = net::parse_ipv6(host)) {
        t.is_v6 = true;
        t.v6 = *v6;
    } else {
        why = squote(text) + " is not an IPv4 or IPv6 address (with an optional :port)";
        return std::nullopt;
    }
    if (!port.empty()) {
        unsigned v = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc{} || end != port.data() + port.size() || v == 0 || v > 65535) {
            why = squote(text) + ": the port must be 1 to 65535";
            return std::nullopt;
        }
        t.port = static_cast<uint16_t>(v);
    }
    return t;
}

void load_keys(Reader& r, const toml::table& dns, std::vector<TsigKeyConfig>& out) {
    auto keys = r.tables(dns, "keys", "dns");
    for (size_t i = 0; i < keys.size(); ++i) {
        if (!keys[i]) continue;
        const toml::table& t = *keys[i];
        const std::string path = index("dns.keys", i);
        r.check_keys(t, path, {"name", "algorithm", "secret"});
        TsigKeyConfig k;
        k.where = r.loc(t);
        bool ok = true;
        if (auto s = r.string(t, "name", path, Need::Required)) {
            std::string why;
            auto name = parse_domain_name(*s, why);
            if (!name) {
                r.error(*t.get("name"), path + ".name", why);
                ok = false;
            } else if (std::any_of(out.begin(), out.end(),
                                   [&](const TsigKeyConfig& o) { return o.name == *name; })) {
                r.error(*t.get("name"), path + ".name",
                        "key " + squote(*name) + " is defined twice");
                ok = false;
            } else {
                k.name = *name;
            }
        } else {
            ok = false;
        }
        if (auto s = r.string(t, "algorithm", path, Need::Required)) {
            if (auto a = control::tsig::algorithm_from_text(*s)) {
                k.algorithm = std::string(control::tsig::algorithm_text(*a));
            } else {
                r.error(*t.get("algorithm"), path + ".algorithm",
                        squote(*s) +
                            " is not a TSIG algorithm (hmac-sha1, hmac-sha224, hmac-sha256, "
                            "hmac-sha384, hmac-sha512)");
                ok = false;
            }
        } else {
            ok = false;
        }
        if (auto s = r.string(t, "secret", path, Need::Required)) {
            if (auto b = control::tsig::decode_base64(*s); b && !b->empty()) {
                k.secret = std::move(*b);
            } else {
                r.error(*t.get("secret"), path + ".secret",
                        "not base64 (the secret as tsig-keygen or keymgr prints it)");
                ok = false;
            }
        } else {
            ok = false;
        }
        if (ok) out.push_back(std::move(k));
    }
}

void load_acl(Reader& r, const toml::table& t, std::string_view key, const std::string& path,
              const std::vector<TsigKeyConfig>& keys, std::vector<AclEntry>& out) {
    r.each_string(t, key, path,
                  [&](const std::string& s, const toml::node& node, const std::string& where) {
                      std::string why;
                      if (auto e = parse_acl(s, keys, why))
                          out.push_back(std::move(*e));
                      else
                          r.error(node, where, why);
                  });
}

}  // namespace

void load_dns(Reader& r, const toml::table& dns, DnsConfig& out) {
    r.check_keys(dns, "dns", kDnsKeys);
    // 512 is the pre-EDNS limit (RFC 1035 §2.3.4); above 4096 fragmentation is near certain.
    r.integer_into(dns, "udp_payload_size", "dns", 512, 4096, out.udp_payload_size);
    r.boolean_into(dns, "tcp", "dns", out.tcp);
    r.boolean_into(dns, "cookies", "dns", out.cookies);
    if (auto d = r.duration(dns, "tcp_idle_timeout", "dns", 1, 3600)) out.tcp_idle_timeout = *d;
    r.integer_into(dns, "tcp_max_connections", "dns", 1, 65536, out.tcp_max_connections);
    r.integer_into(dns, "tcp_max_per_client", "dns", 1, 65536, out.tcp_max_per_client);
    if (const auto* t = r.table(dns, "rrl", "dns")) {
        r.check_keys(*t, "dns.rrl", kRrlKeys);
        RrlConfig& q = out.rrl;
        r.integer_into(*t, "rate", "dns.rrl", 0, 1000000, q.rate);
        r.integer_into(*t, "slip", "dns.rrl", 0, 10, q.slip);
        r.integer_into(*t, "ipv4_prefix", "dns.rrl", 8, 32, q.ipv4_prefix);
        r.integer_into(*t, "ipv6_prefix", "dns.rrl", 16, 56, q.ipv6_prefix);
        if (const auto* arr = r.array(*t, "exempt", "dns.rrl")) {
            for (size_t i = 0; i < arr->size(); ++i) {
                const std::string where = "dns.rrl.exempt[" + std::to_string(i) + "]";
                const std::string* text = r.as_string(*arr->get(i), where);
                if (text == nullptr) continue;
                std::optional<net::IfAddress> p;
                if (text->find('/') != std::string::npos) {
                    p = net::parse_if_address(*text);
                } else if (auto v4 = net::parse_ipv4(*text)) {
                    p = net::IfAddress{false, *v4, {}, 32};
                } else if (auto v6 = net::parse_ipv6(*text)) {
                    p = net::IfAddress{true, {}, *v6, 128};
                }
                if (p)
                    q.exempt.push_back(*p);
                else
                    r.error(*arr->get(i), where,
                            squote(*text) + " is neither an address nor a prefix (addr/len)");
            }
        }
    }
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
    load_keys(r, dns, out.keys);
    auto zones = r.tables(dns, "zones", "dns");
    for (size_t i = 0; i < zones.size(); ++i) {
        if (!zones[i]) continue;
        const toml::table& t = *zones[i];
        const std::string path = index("dns.zones", i);
        r.check_keys(
            t, path,
            {"name", "file", "default_ttl", "records", "allow_transfer", "allow_update", "notify"});
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
        load_acl(r, t, "allow_transfer", path, out.keys, z.allow_transfer);
        load_acl(r, t, "allow_update", path, out.keys, z.allow_update);
        r.each_string(t, "notify", path,
                      [&](const std::string& s, const toml::node& node, const std::string& where) {
                          std::string why;
                          if (auto n = parse_notify(s, why))
                              z.notify.push_back(*n);
                          else
                              r.error(node, where, why);
                      });
        out.zones.push_back(std::move(z));
    }
}

}  // namespace edgelease::config::detail
