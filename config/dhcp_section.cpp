// [dhcp] and [[dhcp.scopes]]: subnets, pools, options, the per-scope DNS-update policy and
// reservations, with the cross-checks between them.
#include <map>
#include <utility>

#include "common/net.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"

namespace edgelease::config::detail {
namespace {

constexpr Choice<ReservationRecords> kReservationRecords[] = {
    {"permanent", ReservationRecords::Permanent},
    {"follow-lease", ReservationRecords::FollowLease}};
constexpr Choice<OnConflict> kOnConflict[] = {{"skip", OnConflict::Skip},
                                              {"overwrite", OnConflict::Overwrite}};

struct PolicyFlag {
    std::string_view key;
    bool ScopeDnsPolicy::*field;
};
constexpr PolicyFlag kPolicyFlags[] = {
    {"update", &ScopeDnsPolicy::update},
    {"delete_on_release", &ScopeDnsPolicy::delete_on_release},
    {"delete_on_expiry", &ScopeDnsPolicy::delete_on_expiry},
    {"ptr_delete_on_release", &ScopeDnsPolicy::ptr_delete_on_release},
    {"ptr_delete_on_expiry", &ScopeDnsPolicy::ptr_delete_on_expiry},
};

/// The subnet of a scope once it has parsed; address checks are skipped without it.
struct Subnet {
    net::Ipv4Addr network;
    uint8_t len = 0;
    uint32_t broadcast() const { return network.value | ~net::v4_mask(len); }
    bool contains(net::Ipv4Addr a) const { return net::in_prefix(a, network, len); }
    std::string text() const { return net::to_string(network) + "/" + std::to_string(len); }
};

/// Identifiers already reserved in one scope, to refuse a second reservation for them.
struct ReservedIds {
    std::map<uint32_t, First> ips;
    std::map<net::MacAddr, First> macs;
    std::map<std::vector<uint8_t>, First> client_ids;
    std::map<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>, First> relay_ids;
    std::map<std::string, First> hostnames;
};

void load_reservation(Reader& r, const toml::table& t, const std::string& path,
                      const std::optional<Subnet>& subnet, ReservedIds& ids,
                      std::vector<ReservationConfig>& out) {
    r.check_keys(t, path, {"hw_address", "client_id", "circuit_id", "remote_id", "ip", "hostname"});
    ReservationConfig rc;
    rc.where = r.loc(t);
    const First here{path, rc.where.line};
    auto node = [&](std::string_view key) -> const toml::node& { return *t.get(key); };

    if (!t.contains("hw_address") && !t.contains("client_id") && !t.contains("circuit_id") &&
        !t.contains("remote_id"))
        r.error(t, path,
                "a reservation needs at least one of hw_address, client_id, circuit_id or "
                "remote_id");
    load_hw_address(r, t, path, here, ids.macs, rc.hw_address);
    if (auto s = r.string(t, "client_id", path)) {
        std::string why;
        if (auto bytes = parse_client_id(*s, why)) {
            rc.client_id = std::move(*bytes);
            claim(r, ids.client_ids, rc.client_id, node("client_id"), path + ".client_id",
                  "client_id " + squote(*s), here);
        } else {
            r.error(node("client_id"), path + ".client_id", why);
        }
    }
    load_relay_pair(r, t, path, here, "circuit_id", parse_relay_id, ids.relay_ids, rc.circuit_id,
                    rc.remote_id);

    if (auto s = r.string(t, "ip", path, Need::Required)) {
        std::string why;
        if (auto ip = parse_ipv4_addr(*s, why)) {
            rc.ip = *ip;
            const std::string ip_path = path + ".ip";
            if (subnet && !subnet->contains(*ip)) {
                r.error(node("ip"), ip_path,
                        net::to_string(*ip) + " is outside the scope's subnet " + subnet->text());
            } else if (subnet && subnet->len <= 30 &&
                       (ip->value == subnet->network.value || ip->value == subnet->broadcast())) {
                r.error(node("ip"), ip_path,
                        net::to_string(*ip) + " is the " +
                            (ip->value == subnet->network.value ? "network" : "broadcast") +
                            " address of " + subnet->text());
            } else {
                claim(r, ids.ips, ip->value, node("ip"), ip_path, "ip " + net::to_string(*ip),
                      here);
            }
        } else {
            r.error(node("ip"), path + ".ip", why);
        }
    }
    if (auto s = r.string(t, "hostname", path)) {
        std::string why;
        if (check_hostname_label(*s, why)) {
            for (char c : *s) rc.hostname += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
            // Two reservations with one name would fight over the same A record.
            claim(r, ids.hostnames, rc.hostname, node("hostname"), path + ".hostname",
                  "hostname " + squote(rc.hostname), here);
        } else {
            r.error(node("hostname"), path + ".hostname", why);
        }
    }
    out.push_back(std::move(rc));
}

void load_pools(Reader& r, const toml::table& t, const std::string& path,
                const std::optional<Subnet>& subnet, std::vector<PoolRange>& out) {
    std::vector<std::string> paths;  // parallel to out
    r.each_string(
        t, "pools", path, [&](const std::string& s, const toml::node& node, const std::string& ep) {
            std::string why;
            auto pool = parse_pool_range(s, why);
            if (!pool) {
                r.error(node, ep, why);
                return;
            }
            if (subnet) {
                if (!subnet->contains(pool->first) || !subnet->contains(pool->last)) {
                    r.error(node, ep,
                            squote(s) + " is outside the scope's subnet " + subnet->text());
                    return;
                }
                if (subnet->len <= 30 && pool->first.value == subnet->network.value) {
                    r.error(node, ep,
                            squote(s) + " includes the network address " +
                                net::to_string(subnet->network));
                    return;
                }
                if (subnet->len <= 30 && pool->last.value == subnet->broadcast()) {
                    r.error(node, ep,
                            squote(s) + " includes the broadcast address " +
                                net::to_string(net::Ipv4Addr{subnet->broadcast()}));
                    return;
                }
            }
            for (size_t j = 0; j < out.size(); ++j) {
                if (pool->first <= out[j].last && out[j].first <= pool->last) {
                    r.error(node, ep,
                            squote(s) + " overlaps " + paths[j] + " (" +
                                net::to_string(out[j].first) + "-" + net::to_string(out[j].last) +
                                ")");
                    return;
                }
            }
            out.push_back(*pool);
            paths.push_back(ep);
        });
}

// Optional so that an unknown spelling leaves "no type" (and skips the value check).
constexpr Choice<std::optional<DhcpOptionType>> kOptionTypes[] = {
    {"ipv4", DhcpOptionType::Ipv4}, {"ipv4-list", DhcpOptionType::Ipv4List},
    {"u8", DhcpOptionType::U8},     {"u16", DhcpOptionType::U16},
    {"u32", DhcpOptionType::U32},   {"string", DhcpOptionType::String},
    {"hex", DhcpOptionType::Hex},   {"bool", DhcpOptionType::Bool}};

// One option's value must fit its one-octet length field: RFC 3396 splitting is not used for
// configured values.
constexpr size_t kMaxOptionLen = 255;

/// Options the server sets or answers itself, so the `options` list may not carry them.
struct ManagedOption {
    uint8_t code;
    const char* why;
};
constexpr ManagedOption kManagedOptions[] = {
    {50, "the requested address comes from the client"},
    {51, "lease time is set by lease_time"},
    {52, "option overload is decided by the encoder"},
    {53, "the message type is set by the server"},
    {54, "the server identifier is the receiving interface's address"},
    {55, "the parameter request list comes from the client"},
    {56, "messages are set by the server"},
    {57, "the maximum message size comes from the client"},
    {58, "renewal time is set by t1"},
    {59, "rebinding time is set by t2"},
    {60, "the vendor class comes from the client"},
    {61, "the client identifier comes from the client"},
    {81, "the client FQDN is answered by the server (RFC 4702)"},
    {82, "relay agent information is echoed from the request (RFC 3046)"},
};

/// Why the server refuses to take `code` from the `options` list, or nullptr if it may.
const char* managed_option(int64_t code) {
    for (const ManagedOption& m : kManagedOptions)
        if (m.code == code) return m.why;
    return nullptr;
}

void append_be(std::vector<uint8_t>& out, uint32_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

/// One [[dhcp.scopes.options]] entry: code, type and a value of that type, in wire form.
void load_option(Reader& r, const toml::table& t, const std::string& path,
                 std::map<int64_t, First>& seen, std::vector<DhcpOptionConfig>& out) {
    r.check_keys(t, path, {"code", "type", "value", "always"});
    DhcpOptionConfig oc;
    oc.where = r.loc(t);
    bool ok = true;
    if (auto code = r.integer(t, "code", path, 1, 254, Need::Required)) {
        const toml::node& node = *t.get("code");
        if (const char* why = managed_option(*code)) {
            r.error(node, path + ".code",
                    "option " + std::to_string(*code) + " is managed by the server: " + why);
            ok = false;
        } else if (auto [it, inserted] = seen.emplace(*code, First{path, oc.where.line});
                   !inserted) {
            r.error(node, path + ".code",
                    "option " + std::to_string(*code) + " is already set by " + it->second.said());
            ok = false;
        }
        oc.code = static_cast<uint8_t>(*code);
    } else {
        ok = false;
    }
    std::optional<DhcpOptionType> type;
    if (r.get(t, "type", path, Need::Required)) r.choice_into(t, "type", path, kOptionTypes, type);
    r.boolean_into(t, "always", path, oc.always);
    const toml::node* value = r.get(t, "value", path, Need::Required);
    if (!type || !value) return;  // nothing to check the value against (already reported)
    oc.type = *type;
    const std::string vpath = path + ".value";
    auto string_value = [&]() -> const std::string* { return r.as_string(*value, vpath); };
    switch (*type) {
        case DhcpOptionType::Ipv4: {
            const std::string* s = string_value();
            if (!s) return;
            std::string why;
            auto a = parse_ipv4_addr(*s, why);
            if (!a) {
                r.error(*value, vpath, why);
                return;
            }
            append_be(oc.data, a->value, 4);
            break;
        }
        case DhcpOptionType::Ipv4List: {
            const toml::array* arr = value->as_array();
            if (!arr) {
                r.error(*value, vpath,
                        std::string("expected an array of IPv4 addresses for type \"ipv4-list\", "
                                    "got ") +
                            std::string(type_name(*value)));
                return;
            }
            if (arr->empty()) {
                r.error(*value, vpath, "an \"ipv4-list\" needs at least one address");
                return;
            }
            for (size_t i = 0; i < arr->size(); ++i) {
                const std::string ep = index(vpath, i);
                const std::string* s = r.as_string(*arr->get(i), ep);
                if (!s) return;
                std::string why;
                auto a = parse_ipv4_addr(*s, why);
                if (!a) {
                    r.error(*arr->get(i), ep, why);
                    return;
                }
                append_be(oc.data, a->value, 4);
            }
            if (oc.data.size() > kMaxOptionLen) {
                r.error(*value, vpath,
                        std::to_string(arr->size()) + " addresses make " +
                            std::to_string(oc.data.size()) +
                            " bytes; an option holds at most 255 (63 addresses)");
                return;
            }
            break;
        }
        case DhcpOptionType::U8:
        case DhcpOptionType::U16:
        case DhcpOptionType::U32: {
            const int width = *type == DhcpOptionType::U8    ? 1
                              : *type == DhcpOptionType::U16 ? 2
                                                             : 4;
            const int64_t hi = width == 4 ? int64_t{0xFFFFFFFF} : (int64_t{1} << (8 * width)) - 1;
            auto v = r.integer(t, "value", path, 0, hi);
            if (!v) return;
            append_be(oc.data, static_cast<uint32_t>(*v), width);
            break;
        }
        case DhcpOptionType::String: {
            const std::string* s = string_value();
            if (!s) return;
            if (s->empty() || s->size() > kMaxOptionLen) {
                r.error(*value, vpath,
                        "a \"string\" value is 1 to 255 bytes, got " + std::to_string(s->size()));
                return;
            }
            oc.data.assign(s->begin(), s->end());
            break;
        }
        case DhcpOptionType::Hex: {
            const std::string* s = string_value();
            if (!s) return;
            std::string why;
            auto bytes = parse_hex_bytes(*s, why);
            if (!bytes) {
                r.error(*value, vpath, why);
                return;
            }
            if (bytes->size() > kMaxOptionLen) {
                r.error(*value, vpath,
                        "a \"hex\" value is 1 to 255 bytes, got " + std::to_string(bytes->size()));
                return;
            }
            oc.data = std::move(*bytes);
            break;
        }
        case DhcpOptionType::Bool: {
            auto b = r.boolean(t, "value", path);
            if (!b) return;
            oc.data.push_back(*b ? 1 : 0);
            break;
        }
    }
    if (ok) out.push_back(std::move(oc));
}

/// One static_routes entry: { destination = "198.19.0.0/16", router = "198.18.0.1" }.
void load_route(Reader& r, const toml::table& t, const std::string& path,
                std::vector<StaticRouteConfig>& out) {
    r.check_keys(t, path, {"destination", "router"});
    StaticRouteConfig rc;
    rc.where = r.loc(t);
    bool ok = true;
    if (auto s = r.string(t, "destination", path, Need::Required)) {
        std::string why;
        if (auto p = parse_ipv4_subnet(*s, why)) {
            rc.destination = p->v4;
            rc.prefix_len = p->prefix_len;
        } else {
            r.error(*t.get("destination"), path + ".destination", why);
            ok = false;
        }
    } else {
        ok = false;
    }
    if (auto s = r.string(t, "router", path, Need::Required)) {
        std::string why;
        if (auto a = parse_ipv4_addr(*s, why))
            rc.router = *a;
        else {
            r.error(*t.get("router"), path + ".router", why);
            ok = false;
        }
    } else {
        ok = false;
    }
    if (ok) out.push_back(rc);
}

/// t1 < t2 < lease_time (RFC 2131 §4.4.5), with the defaults filled in for the one not given.
void check_timers(Reader& r, const toml::table& t, const std::string& path, const ScopeConfig& sc) {
    const int64_t lease = sc.lease_time.count();
    const int64_t t1 = sc.t1 ? sc.t1->count() : lease / 2;
    const int64_t t2 = sc.t2 ? sc.t2->count() : lease * 7 / 8;
    auto secs = [](int64_t v) { return std::to_string(v) + "s"; };
    if (sc.t2 && t2 >= lease) {
        r.error(*t.get("t2"), path + ".t2",
                "t2 (" + secs(t2) + ") must be shorter than lease_time (" + secs(lease) + ")");
    } else if (sc.t1 && t1 >= lease) {
        r.error(*t.get("t1"), path + ".t1",
                "t1 (" + secs(t1) + ") must be shorter than lease_time (" + secs(lease) + ")");
    } else if ((sc.t1 || sc.t2) && t1 >= t2) {
        const char* key = sc.t1 ? "t1" : "t2";
        r.error(*t.get(key), path + "." + key,
                "t1 (" + secs(t1) + (sc.t1 ? "" : ", the default 50% of lease_time") +
                    ") must be shorter than t2 (" + secs(t2) +
                    (sc.t2 ? "" : ", the default 87.5% of lease_time") + ")");
    }
}

/// Loads one scope; returns its subnet when that parsed, for the cross-scope checks.
std::optional<Subnet> load_scope(Reader& r, const toml::table& t, const std::string& path,
                                 ScopeConfig& sc) {
    r.check_keys(t, path,
                 {"name", "subnet", "pools", "lease_time", "routers", "dns_servers", "domain",
                  "dns", "reservations", "t1", "t2", "offer_hold", "decline_probation",
                  "ntp_servers", "domain_search", "static_routes", "options"});
    sc.where = r.loc(t);
    if (auto name = r.string(t, "name", path, Need::Required)) {
        if (name->empty()) r.error(*t.get("name"), path + ".name", "must not be empty");
        sc.name = *name;
    }
    std::optional<Subnet> subnet;
    if (auto s = r.string(t, "subnet", path, Need::Required)) {
        std::string why;
        if (auto p = parse_ipv4_subnet(*s, why); !p) {
            r.error(*t.get("subnet"), path + ".subnet", why);
        } else if (p->prefix_len > 30) {
            r.error(*t.get("subnet"), path + ".subnet",
                    squote(*s) + " leaves no addresses to lease; use a /30 or shorter prefix");
        } else {
            sc.subnet = *p;
            subnet = Subnet{p->v4, p->prefix_len};
        }
    }
    load_pools(r, t, path, subnet, sc.pools);
    bool lease_ok = true;  // t1/t2 are not checked against a lease_time that did not parse
    if (auto d = r.duration(t, "lease_time", path, kMinLeaseTime, kMaxLeaseTime))
        sc.lease_time = *d;
    else
        lease_ok = !t.contains("lease_time");
    r.each_string(t, "routers", path,
                  [&](const std::string& s, const toml::node& node, const std::string& ep) {
                      std::string why;
                      auto a = parse_ipv4_addr(s, why);
                      if (!a)
                          r.error(node, ep, why);
                      else if (subnet && !subnet->contains(
                                             *a))  // RFC 2132 §3.5: routers on the client's subnet
                          r.error(node, ep,
                                  net::to_string(*a) + " is outside the scope's subnet " +
                                      subnet->text() + "; clients could not reach it");
                      else
                          sc.routers.push_back(*a);
                  });
    r.each_string(t, "dns_servers", path,
                  [&](const std::string& s, const toml::node& node, const std::string& ep) {
                      std::string why;
                      if (auto a = parse_ipv4_addr(s, why))
                          sc.dns_servers.push_back(*a);
                      else
                          r.error(node, ep, why);
                  });
    if (auto s = r.string(t, "domain", path)) {
        std::string why;
        if (auto d = parse_domain_name(*s, why))
            sc.domain = *d;
        else
            r.error(*t.get("domain"), path + ".domain", why);
    }
    if (const toml::table* dns = r.table(t, "dns", path))
        load_dns_policy(r, *dns, path + ".dns", sc.dns);

    sc.t1 = r.duration(t, "t1", path, 1, kMaxLeaseTime);
    sc.t2 = r.duration(t, "t2", path, 1, kMaxLeaseTime);
    if (lease_ok && (!t.contains("t1") || sc.t1) && (!t.contains("t2") || sc.t2))
        check_timers(r, t, path, sc);
    if (auto d = r.duration(t, "offer_hold", path, 1, kMaxOfferHold)) sc.offer_hold = *d;
    if (auto d = r.duration(t, "decline_probation", path, 1, kMaxDurationSeconds))
        sc.decline_probation = *d;
    r.each_string(t, "ntp_servers", path,
                  [&](const std::string& s, const toml::node& node, const std::string& ep) {
                      std::string why;
                      if (auto a = parse_ipv4_addr(s, why))
                          sc.ntp_servers.push_back(*a);
                      else
                          r.error(node, ep, why);
                  });
    size_t search_wire = 0;  // RFC 3397 without compression: each name in wire form
    r.each_string(t, "domain_search", path,
                  [&](const std::string& s, const toml::node& node, const std::string& ep) {
                      std::string why;
                      if (auto d = parse_domain_name(s, why)) {
                          search_wire += d->size() + 1;
                          sc.domain_search.push_back(std::move(*d));
                      } else {
                          r.error(node, ep, why);
                      }
                  });
    if (search_wire > kMaxOptionLen)
        r.error(*t.get("domain_search"), path + ".domain_search",
                "the names take " + std::to_string(search_wire) +
                    " bytes in wire form; option 119 is sent as one option of at most 255");
    auto routes = r.tables(t, "static_routes", path);
    for (size_t i = 0; i < routes.size(); ++i)
        if (routes[i])
            load_route(r, *routes[i], index(path + ".static_routes", i), sc.static_routes);
    size_t route_wire = 0;  // RFC 3442: width, significant octets, router
    for (const auto& rt : sc.static_routes) route_wire += 1 + (rt.prefix_len + 7) / 8 + 4;
    if (route_wire > kMaxOptionLen)
        r.error(*t.get("static_routes"), path + ".static_routes",
                std::to_string(sc.static_routes.size()) + " routes take " +
                    std::to_string(route_wire) + " bytes; option 121 holds at most 255");
    std::map<int64_t, First> option_codes;
    auto options = r.tables(t, "options", path);
    for (size_t i = 0; i < options.size(); ++i)
        if (options[i])
            load_option(r, *options[i], index(path + ".options", i), option_codes, sc.options);

    ReservedIds ids;
    auto reservations = r.tables(t, "reservations", path);
    for (size_t i = 0; i < reservations.size(); ++i)
        if (reservations[i])
            load_reservation(r, *reservations[i], index(path + ".reservations", i), subnet, ids,
                             sc.reservations);
    return subnet;
}

}  // namespace

void load_dns_policy(Reader& r, const toml::table& t, const std::string& path,
                     ScopeDnsPolicy& out) {
    r.check_keys(t, path, kScopeDnsKeys);
    for (const PolicyFlag& f : kPolicyFlags) r.boolean_into(t, f.key, path, out.*f.field);
    r.choice_into(t, "reservation_records", path, kReservationRecords, out.reservation_records);
    r.choice_into(t, "on_conflict", path, kOnConflict, out.on_conflict);
    if (const toml::node* node = t.get("stale_after")) {
        std::string why;
        auto text = node->value<std::string>();
        if (text == "off") {
            out.stale_after.reset();
        } else if (text && !parse_duration(*text, why)) {
            r.error(*node, path + ".stale_after", why + ", or \"off\"");
        } else if (auto d = r.duration(t, "stale_after", path, 0, kMaxDurationSeconds)) {
            if (d->count() == 0)
                r.error(*node, path + ".stale_after", "must be positive; write \"off\" to disable");
            else
                out.stale_after = *d;
        }
    }
}

void load_hw_address(Reader& r, const toml::table& t, const std::string& path, const First& here,
                     std::map<net::MacAddr, First>& macs, std::optional<net::MacAddr>& out) {
    auto s = r.string(t, "hw_address", path);
    if (!s) return;
    out = net::parse_mac(*s);
    if (!out)
        r.error(*t.get("hw_address"), path + ".hw_address",
                squote(*s) + " is not a MAC address; write e.g. 02:00:00:00:00:50");
    else
        claim(r, macs, *out, *t.get("hw_address"), path + ".hw_address",
              "hw_address " + net::to_string(*out), here);
}

void load_relay_pair(Reader& r, const toml::table& t, const std::string& path, const First& here,
                     const char* first_key, RelayIdParser parse, RelayIdClaims& claims,
                     std::vector<uint8_t>& first, std::vector<uint8_t>& remote_id) {
    bool ok = true;
    for (auto [key, field] : {std::pair{first_key, &first}, std::pair{"remote_id", &remote_id}}) {
        auto s = r.string(t, key, path);
        if (!s) {
            ok = ok && !t.contains(key);
            continue;
        }
        std::string why;
        if (auto bytes = parse(*s, why)) {
            *field = std::move(*bytes);
        } else {
            r.error(*t.get(key), path + "." + key, why);
            ok = false;
        }
    }
    if (ok && (!first.empty() || !remote_id.empty())) {
        const char* key = first.empty() ? "remote_id" : first_key;
        claim(r, claims, std::pair{first, remote_id}, *t.get(key), path + "." + key,
              std::string("this ") + first_key + "/remote_id", here);
    }
}

void load_dhcp(Reader& r, const toml::table& dhcp, DhcpConfig& out) {
    r.check_keys(dhcp, "dhcp", kDhcpKeys);
    r.integer_into(dhcp, "relay_discover_rate", "dhcp", 0, 1000000, out.relay_discover_rate);
    std::map<std::string, First> names;
    std::vector<std::pair<Subnet, First>> subnets;
    auto scopes = r.tables(dhcp, "scopes", "dhcp");
    for (size_t i = 0; i < scopes.size(); ++i) {
        if (!scopes[i]) continue;
        const toml::table& t = *scopes[i];
        const std::string path = index("dhcp.scopes", i);
        ScopeConfig sc;
        auto subnet = load_scope(r, t, path, sc);
        const First here{path, sc.where.line};
        if (!sc.name.empty()) {
            auto [it, inserted] = names.emplace(sc.name, here);
            if (!inserted)
                r.error(
                    *t.get("name"), path + ".name",
                    "scope name " + squote(sc.name) + " is already used by " + it->second.said());
        }
        // Scope selection goes by subnet, so two scopes must never claim one address.
        if (subnet) {
            for (const auto& [other, first] : subnets) {
                uint8_t len = std::min(subnet->len, other.len);
                if (net::in_prefix(subnet->network, other.network, len)) {
                    r.error(*t.get("subnet"), path + ".subnet",
                            subnet->text() + " overlaps " + first.path + ".subnet " + other.text() +
                                " (line " + std::to_string(first.line) + ")");
                    break;
                }
            }
            subnets.emplace_back(*subnet, here);
        }
        out.scopes.push_back(std::move(sc));
    }
}

}  // namespace edgelease::config::detail
