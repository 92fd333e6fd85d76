// [dhcp6] and [[dhcp6.scopes]]: DHCPv6 (RFC 9915) links, address pools, prefix-delegation
// pools and reservations, with the checks between them, within a scope and across scopes.
// The DNS-update policy is the DHCPv4 one, read by the same code (load_dns_policy).
#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/net.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"

namespace edgelease::config::detail {
namespace {

/// A parsed IPv6 prefix, for containment checks.
struct Net6 {
    net::Ipv6Addr network;
    uint8_t len = 0;
    bool contains(const net::Ipv6Addr& a) const { return net::in_prefix(a, network, len); }
    /// The network with every host bit set: the prefix's last address.
    net::Ipv6Addr last() const {
        net::Ipv6Addr a = network;
        for (unsigned bit = len; bit < 128; ++bit)
            a.bytes[bit / 8] |= static_cast<uint8_t>(0x80u >> (bit % 8));
        return a;
    }
    std::string text() const { return net::to_string(network) + "/" + std::to_string(len); }
};

Net6 net6(const net::Prefix& p) {
    return Net6{p.v6, p.prefix_len};
}

/// Why a prefix cannot be leased or delegated: it reaches into multicast (RFC 4291 §2.7) or
/// link-local (§2.5.6) space, which DHCPv6 never hands out. Empty when it is fine.
std::string not_unicast(const Net6& p) {
    static const struct {
        Net6 space;
        const char* name;
    } kSpecial[] = {{{*net::parse_ipv6("ff00::"), 8}, "multicast (ff00::/8, RFC 4291 §2.7)"},
                    {{*net::parse_ipv6("fe80::"), 10}, "link-local (fe80::/10, RFC 4291 §2.5.6)"}};
    for (const auto& s : kSpecial) {
        const uint8_t len = std::min(p.len, s.space.len);
        if (net::in_prefix(p.network, s.space.network, len))
            return p.text() + " reaches into " + s.name + " space, which is never leased";
    }
    return {};
}

/// The Subnet-Router anycast address (RFC 4291 §2.6.1) is the prefix with a zero host part;
/// it belongs to the link's routers, so it is neither leased nor reserved. On /127 links
/// (RFC 6164) and single addresses there is none.
bool is_subnet_router_anycast(const Net6& link, const net::Ipv6Addr& a) {
    return link.len < 127 && a == link.network;
}

/// What a claimed piece of the IPv6 space is used for.
enum class Use : uint8_t { Link, Pool, PdPool, ReservedIp, ReservedPrefix, Count };

/// One claimed range [first, last], as written in the file.
struct Claim {
    net::Ipv6Addr first, last;
    Use use = Use::Link;
    size_t scope = 0;
    uint8_t len = 128;             // prefix length (ranges: unused)
    uint8_t delegated_length = 0;  // PdPool only
    std::string text;              // "2001:db8::/64", "2001:db8::10-2001:db8::1f"
    std::string path;              // key path of the value
    uint32_t line = 0;
    First owner{};              // ReservedIp, ReservedPrefix: the reservation
    std::string what() const {  // how the value is named in messages
        return use == Use::ReservedIp       ? "ip " + text
               : use == Use::ReservedPrefix ? "prefix " + text
                                            : text;
    }
    bool inside(const Claim& o) const { return o.first <= first && last <= o.last; }
};

/// Whether two claims may share addresses, and if not, why. Within one scope the link prefix
/// holds the scope's pools and reserved addresses (that they lie inside it is checked on its
/// own) and may hold its PD pools and reserved prefixes, for links whose prefix is not
/// advertised on-link; a reserved address may lie in an address pool, which then keeps it
/// for the reservation (as in DHCPv4); a reserved prefix may be one of the prefixes one of
/// its scope's PD pools delegates. Everything else is exclusive: scopes are selected by
/// prefix, and a delegated prefix is routed to one requesting router.
std::optional<std::string> conflict(const Claim& n, const Claim& o) {
    auto pair = [&](Use a, Use b) {
        return (n.use == a && o.use == b) || (n.use == b && o.use == a);
    };
    const std::string at = o.path + " " + o.text + " (line " + std::to_string(o.line) + ")";
    if (n.scope == o.scope) {
        if (pair(Use::Link, Use::Pool) || pair(Use::Link, Use::PdPool) ||
            pair(Use::Link, Use::ReservedIp) || pair(Use::Link, Use::ReservedPrefix) ||
            pair(Use::Pool, Use::ReservedIp))
            return std::nullopt;
        if (pair(Use::PdPool, Use::ReservedPrefix)) {
            const Claim& pool = n.use == Use::PdPool ? n : o;
            const Claim& res = n.use == Use::PdPool ? o : n;
            if (res.inside(pool) && res.len == pool.delegated_length) return std::nullopt;
            if (res.inside(pool))
                return n.what() + " is inside " + at + ", which delegates /" +
                       std::to_string(pool.delegated_length) +
                       " prefixes; a reserved prefix inside a pd_pool must be one of them";
        }
    }
    if (n.use == o.use && n.first == o.first && n.last == o.last &&
        (n.use == Use::ReservedIp || n.use == Use::ReservedPrefix))
        return n.what() + " is already reserved by " + o.owner.said();
    return n.what() + " overlaps " + at;
}

/// Every claim of every scope so far, by use. Only claims that conflicted with nothing are
/// kept, so the claims of one use never overlap each other and a lookup is a map search,
/// however many reservations there are.
class Space {
  public:
    /// Records `c` unless it takes addresses an earlier claim may not share; then reports it
    /// at `node` and returns false.
    bool take(Reader& r, const toml::node& node, Claim c) {
        for (auto& claims : by_use_) {
            auto it = claims.upper_bound(c.first);
            if (it != claims.begin() && std::prev(it)->second.last >= c.first) --it;
            for (; it != claims.end() && it->first <= c.last; ++it) {
                if (auto why = conflict(c, it->second)) {
                    r.error(node, c.path, std::move(*why));
                    return false;
                }
            }
        }
        const size_t use = static_cast<size_t>(c.use);
        by_use_[use].emplace(c.first, std::move(c));
        return true;
    }

  private:
    std::map<net::Ipv6Addr, Claim> by_use_[static_cast<size_t>(Use::Count)];
};

/// What the loaders of one scope need besides the TOML.
struct ScopeCtx {
    Reader& r;
    Space& space;
    size_t index;              // the scope's place in [[dhcp6.scopes]]
    std::string path;          // "dhcp6.scopes[i]"
    std::optional<Net6> link;  // the scope's prefix, once it parsed
    // False when the prefix overlaps another scope's: the rest of the scope is then checked
    // on its own but not claimed, so one mistake is not reported once per pool.
    bool claims = true;
    bool take(const toml::node& node, Claim c) {
        return !claims || space.take(r, node, std::move(c));
    }
};

Claim prefix_claim(const ScopeCtx& s, Use use, const Net6& p, std::string path, uint32_t line) {
    Claim c;
    c.first = p.network;
    c.last = p.last();
    c.use = use;
    c.scope = s.index;
    c.len = p.len;
    c.text = p.text();
    c.path = std::move(path);
    c.line = line;
    return c;
}

void load_pools(ScopeCtx& s, const toml::table& t, std::vector<Pool6Range>& out) {
    s.r.each_string(
        t, "pools", s.path,
        [&](const std::string& text, const toml::node& node, const std::string& ep) {
            std::string why;
            auto pool = parse_pool6_range(text, why);
            if (!pool) {
                s.r.error(node, ep, why);
                return;
            }
            if (s.link && (!s.link->contains(pool->first) || !s.link->contains(pool->last))) {
                s.r.error(node, ep,
                          squote(text) + " is outside the scope's prefix " + s.link->text());
                return;
            }
            if (s.link && is_subnet_router_anycast(*s.link, pool->first)) {
                s.r.error(node, ep,
                          squote(text) + " includes the Subnet-Router anycast address " +
                              net::to_string(s.link->network) +
                              " (RFC 4291 §2.6.1); start the pool above it");
                return;
            }
            pool->where = s.r.loc(node);
            Claim c;
            c.first = pool->first;
            c.last = pool->last;
            c.use = Use::Pool;
            c.scope = s.index;
            c.text = net::to_string(pool->first) + "-" + net::to_string(pool->last);
            c.path = ep;
            c.line = pool->where.line;
            if (s.take(node, std::move(c))) out.push_back(*pool);
        });
}

/// One pd_pools entry: { prefix = "2001:db8:8000::/40", delegated_length = 56 }.
void load_pd_pool(ScopeCtx& s, const toml::table& t, const std::string& path,
                  std::vector<PdPoolConfig>& out) {
    Reader& r = s.r;
    r.check_keys(t, path, kPdPoolKeys);
    PdPoolConfig pc;
    pc.where = r.loc(t);
    std::optional<Net6> prefix;
    if (auto text = r.string(t, "prefix", path, Need::Required)) {
        std::string why;
        if (auto p = parse_ipv6_prefix(*text, why); !p) {
            r.error(*t.get("prefix"), path + ".prefix", why);
        } else if (std::string bad = not_unicast(net6(*p)); !bad.empty()) {
            r.error(*t.get("prefix"), path + ".prefix", bad);
        } else {
            pc.prefix = *p;
            prefix = net6(*p);
        }
    }
    bool length_ok = true;
    if (auto len = r.integer(t, "delegated_length", path, 1, 128))
        pc.delegated_length = static_cast<uint8_t>(*len);
    else
        length_ok = !t.contains("delegated_length");
    if (!prefix || !length_ok) return;
    // RFC 9915 §6.3: the pool is cut into prefixes of delegated_length, so none can be
    // shorter than the pool itself.
    if (pc.delegated_length < prefix->len) {
        const bool given = t.contains("delegated_length");
        r.error(given ? *t.get("delegated_length") : static_cast<const toml::node&>(t),
                path + ".delegated_length",
                "delegated_length " + std::to_string(pc.delegated_length) +
                    (given ? "" : " (the default)") + " is shorter than the pool's prefix " +
                    prefix->text() + "; it must be between " + std::to_string(prefix->len) +
                    " and 128");
        return;
    }
    const toml::node& node = *t.get("prefix");
    Claim c = prefix_claim(s, Use::PdPool, *prefix, path + ".prefix", node.source().begin.line);
    c.delegated_length = pc.delegated_length;
    if (s.take(node, std::move(c))) out.push_back(pc);
}

/// Identifiers already reserved in one scope, to refuse a second reservation for them.
struct ReservedIds6 {
    std::map<std::vector<uint8_t>, First> duids;
    std::map<net::MacAddr, First> macs;
    std::map<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>, First> relay_ids;
    std::map<std::string, First> hostnames;
};

/// The reservation's identifiers: duid, hw_address, and interface_id with remote_id.
void load_identifiers(Reader& r, const toml::table& t, const std::string& path, const First& here,
                      ReservedIds6& ids, Reservation6Config& rc) {
    auto node = [&](std::string_view key) -> const toml::node& { return *t.get(key); };
    if (!t.contains("duid") && !t.contains("hw_address") && !t.contains("remote_id") &&
        !t.contains("interface_id"))
        r.error(t, path,
                "a reservation needs at least one of duid, hw_address, remote_id or "
                "interface_id");
    if (auto s = r.string(t, "duid", path)) {
        std::string why;
        if (auto bytes = parse_duid(*s, why)) {
            rc.duid = std::move(*bytes);
            claim(r, ids.duids, rc.duid, node("duid"), path + ".duid", "duid " + squote(*s), here);
        } else {
            r.error(node("duid"), path + ".duid", why);
        }
    }
    load_hw_address(r, t, path, here, ids.macs, rc.hw_address);
    load_relay_pair(r, t, path, here, "interface_id", parse_relay6_id, ids.relay_ids,
                    rc.interface_id, rc.remote_id);
}

void load_reservation(ScopeCtx& s, const toml::table& t, const std::string& path, ReservedIds6& ids,
                      std::vector<Reservation6Config>& out) {
    Reader& r = s.r;
    r.check_keys(t, path, kReservation6Keys);
    Reservation6Config rc;
    rc.where = r.loc(t);
    const First here{path, rc.where.line};
    load_identifiers(r, t, path, here, ids, rc);

    const toml::node* prefixes = t.get("prefixes");
    const bool has_prefixes = prefixes && (!prefixes->is_array() || !prefixes->as_array()->empty());
    if (!t.contains("ip") && !has_prefixes)
        r.error(t, path, "a reservation needs an ip, prefixes or both");

    if (auto text = r.string(t, "ip", path)) {
        const toml::node& node = *t.get("ip");
        const std::string ip_path = path + ".ip";
        std::string why;
        auto ip = parse_ipv6_addr(*text, why);
        if (!ip) {
            r.error(node, ip_path, why);
        } else if (s.link && !s.link->contains(*ip)) {
            r.error(node, ip_path,
                    net::to_string(*ip) + " is outside the scope's prefix " + s.link->text());
        } else if (s.link && is_subnet_router_anycast(*s.link, *ip)) {
            r.error(node, ip_path,
                    net::to_string(*ip) + " is the Subnet-Router anycast address of " +
                        s.link->text() + " (RFC 4291 §2.6.1)");
        } else {
            Claim c =
                prefix_claim(s, Use::ReservedIp, Net6{*ip, 128}, ip_path, node.source().begin.line);
            c.text = net::to_string(*ip);
            c.owner = here;
            if (s.take(node, std::move(c))) rc.ip = *ip;
        }
    }
    r.each_string(t, "prefixes", path,
                  [&](const std::string& text, const toml::node& node, const std::string& ep) {
                      std::string why;
                      auto p = parse_ipv6_prefix(text, why);
                      if (!p) {
                          r.error(node, ep, why);
                          return;
                      }
                      if (std::string bad = not_unicast(net6(*p)); !bad.empty()) {
                          r.error(node, ep, bad);
                          return;
                      }
                      Claim c = prefix_claim(s, Use::ReservedPrefix, net6(*p), ep,
                                             node.source().begin.line);
                      c.owner = here;
                      if (s.take(node, std::move(c))) rc.prefixes.push_back(*p);
                  });
    if (auto text = r.string(t, "hostname", path)) {
        std::string why;
        if (check_hostname_label(*text, why)) {
            for (char c : *text) rc.hostname += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
            // Two reservations with one name would fight over the same AAAA record.
            claim(r, ids.hostnames, rc.hostname, *t.get("hostname"), path + ".hostname",
                  "hostname " + squote(rc.hostname), here);
        } else {
            r.error(*t.get("hostname"), path + ".hostname", why);
        }
    }
    out.push_back(std::move(rc));
}

/// preferred_lifetime <= valid_lifetime (RFC 9915 §21.6: a client discards an address whose
/// preferred lifetime is longer) and t1 <= t2 <= preferred_lifetime (§21.4: T1 above T2 makes
/// the client discard the IA; renewing after the address is deprecated is too late), with the
/// defaults filled in for what is not set.
void check_lifetimes(Reader& r, const toml::table& t, const std::string& path,
                     const Scope6Config& sc, bool timers_ok) {
    auto secs = [](int64_t v) { return std::to_string(v) + "s"; };
    const int64_t preferred = sc.preferred_lifetime.count();
    const int64_t valid = sc.valid_lifetime.count();
    const bool has_preferred = t.contains("preferred_lifetime");
    if (preferred > valid) {
        const char* key = has_preferred ? "preferred_lifetime" : "valid_lifetime";
        r.error(*t.get(key), path + "." + key,
                "preferred_lifetime (" + secs(preferred) + (has_preferred ? "" : ", the default") +
                    ") must not be longer than valid_lifetime (" + secs(valid) +
                    (t.contains("valid_lifetime") ? "" : ", the default") + ")");
        return;
    }
    if (!timers_ok || (!sc.t1 && !sc.t2)) return;
    const int64_t t1 = sc.t1 ? sc.t1->count() : preferred / 2;
    const int64_t t2 = sc.t2 ? sc.t2->count() : preferred * 4 / 5;
    const std::string pref = "preferred_lifetime (" + secs(preferred) + ")";
    if (sc.t2 && t2 > preferred) {
        r.error(*t.get("t2"), path + ".t2",
                "t2 (" + secs(t2) + ") must not be longer than " + pref);
    } else if (sc.t1 && t1 > preferred) {
        r.error(*t.get("t1"), path + ".t1",
                "t1 (" + secs(t1) + ") must not be longer than " + pref);
    } else if (t1 > t2) {
        const char* key = sc.t1 ? "t1" : "t2";
        r.error(*t.get(key), path + "." + key,
                "t1 (" + secs(t1) + (sc.t1 ? "" : ", the default 50% of preferred_lifetime") +
                    ") must not be longer than t2 (" + secs(t2) +
                    (sc.t2 ? "" : ", the default 80% of preferred_lifetime") + ")");
    }
}

/// Loads one scope; its prefix, pools and reservations are claimed in `space` as they come.
void load_scope(Reader& r, Space& space, const toml::table& t, size_t at, Scope6Config& sc) {
    ScopeCtx s{r, space, at, index("dhcp6.scopes", at), std::nullopt};
    const std::string& path = s.path;
    r.check_keys(t, path, kScope6Keys);
    sc.where = r.loc(t);
    if (auto name = r.string(t, "name", path, Need::Required)) {
        if (name->empty()) r.error(*t.get("name"), path + ".name", "must not be empty");
        sc.name = *name;
    }
    if (auto text = r.string(t, "prefix", path, Need::Required)) {
        const toml::node& node = *t.get("prefix");
        std::string why;
        auto p = parse_ipv6_prefix(*text, why);
        if (!p) {
            r.error(node, path + ".prefix", why);
        } else if (p->prefix_len == 0) {
            r.error(node, path + ".prefix",
                    squote(*text) +
                        " covers every address; a link's prefix is 1 to 128 bits long, "
                        "typically /64");
        } else if (std::string bad = not_unicast(net6(*p)); !bad.empty()) {
            r.error(node, path + ".prefix", bad);
        } else {
            sc.prefix = *p;
            s.link = net6(*p);
            s.claims = s.take(node, prefix_claim(s, Use::Link, *s.link, path + ".prefix",
                                                 node.source().begin.line));
        }
    }
    load_pools(s, t, sc.pools);
    auto pd_pools = r.tables(t, "pd_pools", path);
    for (size_t i = 0; i < pd_pools.size(); ++i)
        if (pd_pools[i]) load_pd_pool(s, *pd_pools[i], index(path + ".pd_pools", i), sc.pd_pools);

    bool lifetimes_ok = true;  // t1/t2 are not checked against lifetimes that did not parse
    for (auto [key, field] : {std::pair{"preferred_lifetime", &sc.preferred_lifetime},
                              std::pair{"valid_lifetime", &sc.valid_lifetime}}) {
        if (auto d = r.duration(t, key, path, kMinLeaseTime, kMaxLeaseTime))
            *field = *d;
        else
            lifetimes_ok = lifetimes_ok && !t.contains(key);
    }
    sc.t1 = r.duration(t, "t1", path, 1, kMaxLeaseTime);
    sc.t2 = r.duration(t, "t2", path, 1, kMaxLeaseTime);
    const bool timers_ok = (!t.contains("t1") || sc.t1) && (!t.contains("t2") || sc.t2);
    if (lifetimes_ok) check_lifetimes(r, t, path, sc, timers_ok);

    r.each_string(t, "dns_servers", path,
                  [&](const std::string& text, const toml::node& node, const std::string& ep) {
                      std::string why;
                      if (auto a = parse_ipv6_addr(text, why))
                          sc.dns_servers.push_back(*a);
                      else
                          r.error(node, ep, why);
                  });
    if (auto text = r.string(t, "domain", path)) {
        std::string why;
        if (auto d = parse_domain_name(*text, why))
            sc.domain = *d;
        else
            r.error(*t.get("domain"), path + ".domain", why);
    }
    // Option 24 (RFC 3646 §4) has a 16-bit length: no 255-byte limit as in DHCPv4's 119.
    r.each_string(t, "domain_search", path,
                  [&](const std::string& text, const toml::node& node, const std::string& ep) {
                      std::string why;
                      if (auto d = parse_domain_name(text, why))
                          sc.domain_search.push_back(std::move(*d));
                      else
                          r.error(node, ep, why);
                  });
    r.boolean_into(t, "rapid_commit", path, sc.rapid_commit);
    if (auto d = r.duration(t, "offer_hold", path, 1, kMaxOfferHold)) sc.offer_hold = *d;
    if (auto d = r.duration(t, "decline_probation", path, 1, kMaxDurationSeconds))
        sc.decline_probation = *d;
    if (const toml::table* dns = r.table(t, "dns", path))
        load_dns_policy(r, *dns, path + ".dns", sc.dns);

    ReservedIds6 ids;
    auto reservations = r.tables(t, "reservations", path);
    for (size_t i = 0; i < reservations.size(); ++i)
        if (reservations[i])
            load_reservation(s, *reservations[i], index(path + ".reservations", i), ids,
                             sc.reservations);
}

}  // namespace

void load_dhcp6(Reader& r, const toml::table& dhcp6, Dhcp6Config& out) {
    r.check_keys(dhcp6, "dhcp6", kDhcp6Keys);
    r.integer_into(dhcp6, "relay_solicit_rate", "dhcp6", 0, 1000000, out.relay_solicit_rate);
    Space space;
    std::map<std::string, First> names;  // DHCPv6 names only: the families are apart
    auto scopes = r.tables(dhcp6, "scopes", "dhcp6");
    for (size_t i = 0; i < scopes.size(); ++i) {
        if (!scopes[i]) continue;
        const toml::table& t = *scopes[i];
        Scope6Config sc;
        load_scope(r, space, t, i, sc);
        if (!sc.name.empty()) {
            const std::string path = index("dhcp6.scopes", i);
            auto [it, inserted] = names.emplace(sc.name, First{path, sc.where.line});
            if (!inserted)
                r.error(
                    *t.get("name"), path + ".name",
                    "scope name " + squote(sc.name) + " is already used by " + it->second.said());
        }
        out.scopes.push_back(std::move(sc));
    }
}

}  // namespace edgelease::config::detail
