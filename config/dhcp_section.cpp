// [dhcp] and [[dhcp.scopes]]: subnets, pools, options, the per-scope DNS-update policy and
// reservations, with the cross-checks between them.
#include <map>
#include <utility>

#include "common/net.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"

namespace edgelease::config::detail {
namespace {

// 0xFFFFFFFF means "infinite" in option 51 (RFC 2131 §3.3); leases here always end.
constexpr int64_t kMaxLeaseTime = 0xFFFFFFFE;
// Shorter leases mean renewals every few seconds: almost certainly a unit mistake.
constexpr int64_t kMinLeaseTime = 10;

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

/// Where something was first defined, for "already used by ..." messages.
struct First {
    std::string path;
    uint32_t line;
    std::string said() const { return path + " (line " + std::to_string(line) + ")"; }
};

/// The subnet of a scope once it has parsed; address checks are skipped without it.
struct Subnet {
    net::Ipv4Addr network;
    uint8_t len = 0;
    uint32_t broadcast() const { return network.value | ~net::v4_mask(len); }
    bool contains(net::Ipv4Addr a) const { return net::in_prefix(a, network, len); }
    std::string text() const { return net::to_string(network) + "/" + std::to_string(len); }
};

void load_policy(Reader& r, const toml::table& t, const std::string& path, ScopeDnsPolicy& out) {
    r.check_keys(t, path,
                 {"update", "delete_on_release", "delete_on_expiry", "ptr_delete_on_release",
                  "ptr_delete_on_expiry", "reservation_records", "stale_after", "on_conflict"});
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

/// Identifiers already reserved in one scope, to refuse a second reservation for them.
struct ReservedIds {
    std::map<uint32_t, First> ips;
    std::map<net::MacAddr, First> macs;
    std::map<std::vector<uint8_t>, First> client_ids;
    std::map<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>, First> relay_ids;
    std::map<std::string, First> hostnames;
};

template <class Key>
void claim(Reader& r, std::map<Key, First>& seen, Key key, const toml::node& node,
           const std::string& path, const std::string& what, const First& here) {
    auto [it, inserted] = seen.emplace(std::move(key), here);
    if (!inserted) r.error(node, path, what + " is already reserved by " + it->second.said());
}

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
    if (auto s = r.string(t, "hw_address", path)) {
        rc.hw_address = net::parse_mac(*s);
        if (!rc.hw_address)
            r.error(node("hw_address"), path + ".hw_address",
                    squote(*s) + " is not a MAC address; write e.g. 02:00:00:00:00:50");
        else
            claim(r, ids.macs, *rc.hw_address, node("hw_address"), path + ".hw_address",
                  "hw_address " + net::to_string(*rc.hw_address), here);
    }
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
    bool relay_ok = true;
    for (auto [key, field] :
         {std::pair{"circuit_id", &rc.circuit_id}, std::pair{"remote_id", &rc.remote_id}}) {
        auto s = r.string(t, key, path);
        if (!s) {
            relay_ok = relay_ok && !t.contains(key);
            continue;
        }
        std::string why;
        if (auto bytes = parse_relay_id(*s, why)) {
            *field = std::move(*bytes);
        } else {
            r.error(node(key), path + "." + key, why);
            relay_ok = false;
        }
    }
    // Option 82 matching is on the pair: the same circuit under two remote ids is two links.
    if (relay_ok && (!rc.circuit_id.empty() || !rc.remote_id.empty())) {
        const char* key = rc.circuit_id.empty() ? "remote_id" : "circuit_id";
        claim(r, ids.relay_ids, std::pair{rc.circuit_id, rc.remote_id}, node(key), path + "." + key,
              "this circuit_id/remote_id", here);
    }

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

/// Loads one scope; returns its subnet when that parsed, for the cross-scope checks.
std::optional<Subnet> load_scope(Reader& r, const toml::table& t, const std::string& path,
                                 ScopeConfig& sc) {
    r.check_keys(t, path,
                 {"name", "subnet", "pools", "lease_time", "routers", "dns_servers", "domain",
                  "dns", "reservations"});
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
    if (auto d = r.duration(t, "lease_time", path, kMinLeaseTime, kMaxLeaseTime))
        sc.lease_time = *d;
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
        load_policy(r, *dns, path + ".dns", sc.dns);

    ReservedIds ids;
    auto reservations = r.tables(t, "reservations", path);
    for (size_t i = 0; i < reservations.size(); ++i)
        if (reservations[i])
            load_reservation(r, *reservations[i], index(path + ".reservations", i), subnet, ids,
                             sc.reservations);
    return subnet;
}

}  // namespace

void load_dhcp(Reader& r, const toml::table& dhcp, DhcpConfig& out) {
    r.check_keys(dhcp, "dhcp", {"scopes"});
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
