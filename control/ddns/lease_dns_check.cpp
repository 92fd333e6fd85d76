// LeaseDns against what storage gave back: the start-up and reload re-checks (reconcile,
// the records without a lease, all of them or those written since the last settled moment)
// and the stale_after sweep. The lease events themselves are in lease_dns.cpp.
#include <unordered_set>

#include <algorithm>

#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/engine6.hpp"

namespace edgelease::control::ddns {

using zone::AuditReason;
using zone::Origin;
using Key = zone::ZoneStore::Key;

void LeaseDns::learn_devices(const std::vector<dhcp::Lease>& leases,
                             const std::vector<dhcp::Lease6>& leases6) {
    for (const auto& l : leases)
        if (l.state == dhcp::LeaseState::Bound && !l.hostname.empty())
            devices_[owner_of(l)] = device_of(l);
    for (const auto& l : leases6)
        if (l.state == dhcp::LeaseState::Bound && !l.hostname.empty())
            devices_[owner_of6(l)] = device_of6(l);
}

void LeaseDns::reconcile(const std::vector<dhcp::Lease>& leases,
                         const std::vector<dhcp::Lease6>& leases6, int64_t now) {
    // Devices first: whichever family's grant comes first must know the other's owner. With
    // engines to ask (LeaseLookup) there is nothing to learn.
    if (!lookup_.v4 && !lookup_.v6) learn_devices(leases, leases6);
    struct Flag {
        bool& f;
        explicit Flag(bool& x) : f(x) { f = true; }
        ~Flag() { f = false; }
    } flag(reconciling_);
    for (const auto& l : leases)
        if (l.state == dhcp::LeaseState::Bound) on_lease(l, dhcp::LeaseEvent::Renewed, now);
    for (const auto& l : leases6)
        if (l.state == dhcp::LeaseState::Bound) on_lease6(l, dhcp::LeaseEvent::Renewed, now);
}

size_t LeaseDns::remove_unleased(const std::vector<dhcp::Lease>& leases,
                                 const std::vector<dhcp::Lease6>& leases6, int64_t now) {
    std::unordered_set<std::string> owners;
    owners.reserve(leases.size() + leases6.size());
    for (const auto& l : leases)
        if (l.state != dhcp::LeaseState::Free) owners.insert(owner_of(l));
    for (const auto& l : leases6)
        if (l.state != dhcp::LeaseState::Free && l.key.kind == dhcp::IaKind::Na)
            owners.insert(owner_of6(l));
    std::vector<std::pair<Key, zone::ZoneStore::Entry>> doomed;
    zones_.for_each([&](const Key& k, const zone::ZoneStore::Entry& e) {
        if (e.prov.origin == Origin::Dhcp && owners.count(e.prov.owner) == 0)
            doomed.emplace_back(k, e);
    });
    for (const auto& [k, e] : doomed)
        erase_logged(k, e, AuditReason::Reconcile, e.prov.owner,
                     "no lease behind it: its grant never reached the lease store", now);
    return doomed.size();
}

namespace {

bool ends_with(const std::string& w, const dns::WireName& tail) {
    return w.size() >= tail.size() &&
           std::equal(tail.begin(), tail.end(),
                      reinterpret_cast<const uint8_t*>(w.data()) + w.size() - tail.size());
}

}  // namespace

bool LeaseDns::record_address(const Key& k, const zone::ZoneStore::Entry& e, bool& v6, uint32_t& ip,
                              net::Ipv6Addr& ip6) {
    static const dns::WireName kInAddr = {7,   'i', 'n', '-', 'a', 'd', 'd',
                                          'r', 4,   'a', 'r', 'p', 'a', 0};
    static const dns::WireName kIp6 = {3, 'i', 'p', '6', 4, 'a', 'r', 'p', 'a', 0};
    v6 = false;
    ip = 0;
    ip6 = {};
    if (e.type == dns::rrtype::A && e.rdata.size() == 4) {
        ip = uint32_t{e.rdata[0]} << 24 | uint32_t{e.rdata[1]} << 16 | uint32_t{e.rdata[2]} << 8 |
             e.rdata[3];
        return true;
    }
    if (e.type == dns::rrtype::AAAA && e.rdata.size() == 16) {
        v6 = true;
        std::copy(e.rdata.begin(), e.rdata.end(), ip6.bytes.begin());
        return true;
    }
    if (e.type != dns::rrtype::PTR) return false;
    const auto& w = k;
    if (ends_with(w, kInAddr)) {
        // d.c.b.a.in-addr.arpa.
        size_t at = 0;
        for (int i = 0; i < 4 && at < w.size(); ++i) {
            uint32_t v = 0;
            const auto len = static_cast<uint8_t>(w[at]);
            for (size_t j = 1; j <= len && at + j < w.size(); ++j)
                v = v * 10 + static_cast<uint32_t>(w[at + j] - '0');
            ip |= (v & 0xff) << (8 * i);
            at += len + 1u;
        }
        return true;
    }
    if (ends_with(w, kIp6) && w.size() == 64 + kIp6.size()) {
        // 32 one-nibble labels, least significant first.
        v6 = true;
        for (size_t i = 0; i < 32; ++i) {
            const char ch = w[2 * i + 1];
            const uint8_t v = static_cast<uint8_t>(ch >= 'a'   ? ch - 'a' + 10
                                                   : ch >= 'A' ? ch - 'A' + 10
                                                               : ch - '0');
            const size_t byte = 15 - i / 2;
            ip6.bytes[byte] |= static_cast<uint8_t>(i % 2 == 0 ? v & 15 : (v & 15) << 4);
        }
        return true;
    }
    return false;
}

size_t LeaseDns::remove_unleased_since(uint64_t generation4, uint64_t generation6, int64_t now) {
    std::vector<std::pair<Key, zone::ZoneStore::Entry>> doomed;
    zones_.for_each([&](const Key& k, const zone::ZoneStore::Entry& e) {
        if (e.prov.origin != Origin::Dhcp) return;
        const bool v6_gen = e.prov.generation >= dhcp::kGeneration6Base;
        if (e.prov.generation <= (v6_gen ? generation6 : generation4)) return;
        bool v6 = false;
        uint32_t ip = 0;
        net::Ipv6Addr ip6;
        if (!record_address(k, e, v6, ip, ip6)) return;
        // Held when the lease at its address is still its owner's (any state but free).
        if (v6) {
            if (!lookup_.v6) return;
            const dhcp::Lease6* l = lookup_.v6(ip6);
            if (l != nullptr && l->state != dhcp::LeaseState::Free && owner_of6(*l) == e.prov.owner)
                return;
        } else {
            if (!lookup_.v4) return;
            const dhcp::Lease* l = lookup_.v4(ip);
            if (l != nullptr && l->state != dhcp::LeaseState::Free && owner_of(*l) == e.prov.owner)
                return;
        }
        doomed.emplace_back(k, e);
    });
    for (const auto& [k, e] : doomed)
        erase_logged(k, e, AuditReason::Reconcile, e.prov.owner,
                     "no lease behind it: its grant never reached the lease store", now);
    return doomed.size();
}

size_t LeaseDns::sweep_stale(int64_t now, const std::function<std::string(uint32_t)>& bound_owner,
                             const std::function<std::string(const net::Ipv6Addr&)>& bound_owner6) {
    if (stale_interval_ == 0) return 0;
    struct Candidate {
        Key k;
        zone::ZoneStore::Entry e;
        const config::ScopeDnsPolicy* pol;
        bool v6;
        uint32_t ip;
        net::Ipv6Addr ip6;
    };
    std::vector<Candidate> out;
    auto scope_for = [&](uint32_t ip) -> const config::ScopeConfig* {
        for (const auto& sc : cfg_.dhcp.scopes)
            if (!sc.subnet.is_v6 && (ip & net::v4_mask(sc.subnet.prefix_len)) ==
                                        (sc.subnet.v4.value & net::v4_mask(sc.subnet.prefix_len)))
                return &sc;
        return nullptr;
    };
    auto scope6_for = [&](const net::Ipv6Addr& a) -> const config::Scope6Config* {
        for (const auto& sc : cfg_.dhcp6.scopes)
            if (net::in_prefix(a, sc.prefix.v6, sc.prefix.prefix_len)) return &sc;
        return nullptr;
    };
    zones_.for_each([&](const Key& k, const zone::ZoneStore::Entry& e) {
        if (e.prov.origin != Origin::Dhcp && e.prov.origin != Origin::Reservation) return;
        Candidate c{k, e, nullptr, false, 0, {}};
        if (!record_address(k, e, c.v6, c.ip, c.ip6)) return;
        if (c.v6) {
            const auto* sc = scope6_for(c.ip6);
            if (sc == nullptr || !sc->dns.stale_after) return;
            if (now - e.prov.updated < sc->dns.stale_after->count()) return;
            c.pol = &sc->dns;
        } else {
            const auto* sc = scope_for(c.ip);
            if (sc == nullptr || !sc->dns.stale_after) return;
            if (now - e.prov.updated < sc->dns.stale_after->count()) return;
            c.pol = &sc->dns;
        }
        out.push_back(std::move(c));
    });
    size_t removed = 0;
    for (const auto& c : out) {
        const std::string bound =
            c.v6 ? (bound_owner6 ? bound_owner6(c.ip6) : std::string()) : bound_owner(c.ip);
        if (bound == c.e.prov.owner) continue;  // still bound: renews in time
        if (decide(LeaseDnsEvent::Stale,
                   c.e.type == dns::rrtype::PTR ? RecordKind::Ptr : RecordKind::Forward,
                   RecordState{c.e.prov.origin, true}, *c.pol) != Decision::Delete)
            continue;
        erase_logged(c.k, c.e, AuditReason::Stale, c.e.prov.owner,
                     "not renewed for " + std::to_string(now - c.e.prov.updated) + " s", now);
        ++removed;
    }
    return removed;
}

}  // namespace edgelease::control::ddns
