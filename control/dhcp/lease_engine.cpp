// The RFC 2131 server state machine: scope selection, reservations, and what each message
// does to the leases. Address bookkeeping is in allocator.cpp, replies in reply.cpp.
#include "control/dhcp/lease_engine.hpp"

#include <algorithm>
#include <cstring>

#include "control/dhcp/engine_impl.hpp"
#include "control/dhcp/hash.hpp"

namespace edgelease::control::dhcp {

using detail::kNil;
using detail::ScopeState;
using detail::Slot;
using detail::Who;

namespace {

constexpr uint64_t kSeedClientId = 61;
constexpr uint64_t kSeedHw = 1;
constexpr uint64_t kSeedRelay = 82;

uint64_t relay_hash(const uint8_t* circuit, size_t clen, const uint8_t* remote, size_t rlen) {
    return detail::hash_bytes(remote, rlen, detail::hash_bytes(circuit, clen, kSeedRelay));
}

bool same(const std::vector<uint8_t>& v, const uint8_t* p, size_t n) {
    return v.size() == n && (n == 0 || std::memcmp(v.data(), p, n) == 0);
}

/// A host name label for DNS from what the client sent: lower-cased letters, digits and
/// inner hyphens, 1..63 characters (RFC 1123 §2.1). False when it is not one.
bool to_label(const char* p, size_t n, char (&out)[64], size_t& len) {
    if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-') return false;
    for (size_t i = 0; i < n; ++i) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        out[i] = c;
    }
    len = n;
    return true;
}

}  // namespace

// ---- construction ---------------------------------------------------------------------------

LeaseEngine::Impl::Impl(const config::Config& c) : cfg(c) {
    scopes.resize(cfg.dhcp.scopes.size());
    uint64_t addresses = 0;
    for (uint32_t i = 0; i < scopes.size(); ++i) {
        const config::ScopeConfig& s = cfg.dhcp.scopes[i];
        ScopeState& sc = scopes[i];
        sc.cfg = &s;
        sc.index = i;
        sc.mask = net::v4_mask(s.subnet.prefix_len);
        sc.network = s.subnet.v4.value & sc.mask;
        sc.pools = s.pools;
        std::sort(sc.pools.begin(), sc.pools.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        uint64_t size = 0;
        for (const auto& p : sc.pools) size += uint64_t{p.last.value} - p.first.value + 1;
        sc.pool_size = static_cast<uint32_t>(std::min<uint64_t>(size, UINT32_MAX));
        addresses += size + s.reservations.size();
        for (int32_t r = 0; r < static_cast<int32_t>(s.reservations.size()); ++r) {
            const config::ReservationConfig& rc = s.reservations[r];
            sc.reserved_ips.emplace(rc.ip.value, r);
            if (!rc.client_id.empty())
                sc.res_by_client_id.add(
                    detail::hash_bytes(rc.client_id.data(), rc.client_id.size(), kSeedClientId), r);
            if (rc.hw_address)
                sc.res_by_hw.add(detail::hash_bytes(rc.hw_address->bytes.data(), 6, kSeedHw), r);
            if (!rc.circuit_id.empty() || !rc.remote_id.empty())
                sc.res_by_relay.add(relay_hash(rc.circuit_id.data(), rc.circuit_id.size(),
                                               rc.remote_id.data(), rc.remote_id.size()),
                                    r);
        }
        sc.res_by_client_id.finish();
        sc.res_by_hw.finish();
        sc.res_by_relay.finish();
        const uint64_t lease = std::clamp<int64_t>(s.lease_time.count(), 1, UINT32_MAX);
        sc.lease_time = static_cast<uint32_t>(lease);
        sc.t1 = static_cast<uint32_t>(s.t1 ? s.t1->count() : lease / 2);
        sc.t2 = static_cast<uint32_t>(s.t2 ? s.t2->count() : lease * 7 / 8);
        sc.offer_hold = static_cast<uint32_t>(std::max<int64_t>(s.offer_hold.count(), 1));
        sc.probation = static_cast<uint32_t>(std::max<int64_t>(s.decline_probation.count(), 1));
        sc.dns_update = s.dns.update && !s.domain.empty();
        detail::build_static_options(s, sc.static_opts);
        scope_by_network.emplace_back(sc.network, i);
    }
    std::sort(scope_by_network.begin(), scope_by_network.end());
    iface_scope.assign(cfg.interfaces.size(), -1);
    for (size_t k = 0; k < cfg.interfaces.size(); ++k) {
        for (const net::IfAddress& a : cfg.interfaces[k].addresses) {
            if (a.is_v6) continue;
            our_addrs.push_back(a.v4.value);
            if (iface_scope[k] < 0) iface_scope[k] = scope_containing(a.v4.value);
        }
    }
    std::sort(our_addrs.begin(), our_addrs.end());
    // Sized for the configured pools up front, so that growth is rare on the control lcore.
    const size_t expect = static_cast<size_t>(std::min<uint64_t>(addresses, uint64_t{1} << 20));
    by_ip.reserve(expect);
    by_client.reserve(expect);
    heap.reserve(expect);
}

LeaseEngine::LeaseEngine(const config::Config& cfg) : impl_(std::make_unique<Impl>(cfg)) {}
LeaseEngine::~LeaseEngine() = default;

// ---- scope and identity ---------------------------------------------------------------------

int32_t LeaseEngine::Impl::scope_containing(uint32_t ip) const noexcept {
    // Subnets never overlap (config check), so the candidate is the last network <= ip.
    auto it = std::upper_bound(scope_by_network.begin(), scope_by_network.end(),
                               std::pair<uint32_t, uint32_t>{ip, UINT32_MAX});
    if (it == scope_by_network.begin()) return -1;
    --it;
    return scopes[it->second].contains(ip) ? static_cast<int32_t>(it->second) : -1;
}

int32_t LeaseEngine::Impl::select_scope(const DhcpRequest& req) const noexcept {
    if (req.giaddr != 0)  // relayed: the link the relay names (RFC 3527), else the relay's own
        return scope_containing(req.link_selection != 0 ? req.link_selection : req.giaddr);
    if (req.path.iface_index >= iface_scope.size()) return -1;
    int32_t s = iface_scope[req.path.iface_index];
    // A client behind a router renews by unicast straight to us, without giaddr: its ciaddr
    // names the scope. A broadcast one is on our link and gets the link's scope (and a NAK
    // when its address belongs elsewhere).
    if (req.ciaddr != 0 && req.path.dst_ip != 0xFFFFFFFF &&
        (s < 0 || !scopes[s].contains(req.ciaddr))) {
        if (int32_t by_ciaddr = scope_containing(req.ciaddr); by_ciaddr >= 0) return by_ciaddr;
    }
    return s;
}

uint32_t LeaseEngine::Impl::server_addr(uint32_t iface, const ScopeState& sc) const noexcept {
    if (iface >= cfg.interfaces.size()) return 0;
    uint32_t first = 0;
    for (const net::IfAddress& a : cfg.interfaces[iface].addresses) {
        if (a.is_v6) continue;
        if (sc.contains(a.v4.value)) return a.v4.value;
        if (first == 0) first = a.v4.value;
    }
    return first;
}

bool LeaseEngine::Impl::ours(uint32_t addr) const noexcept {
    return std::binary_search(our_addrs.begin(), our_addrs.end(), addr);
}

int32_t LeaseEngine::Impl::match_reservation(const ScopeState& sc, const DhcpRequest& req,
                                             const ClientKey& key) const noexcept {
    const auto& res = sc.cfg->reservations;
    if (res.empty()) return -1;
    // Order: client identifier, hardware address, relay agent circuit/remote id.
    if (key.kind == ClientKey::ClientId) {
        int32_t r = sc.res_by_client_id.find(
            detail::hash_bytes(key.bytes, key.len, kSeedClientId),
            [&](int32_t i) { return same(res[i].client_id, key.bytes, key.len); });
        if (r >= 0) return r;
    }
    int32_t r = sc.res_by_hw.find(detail::hash_bytes(req.chaddr.bytes.data(), 6, kSeedHw),
                                  [&](int32_t i) { return res[i].hw_address == req.chaddr; });
    if (r >= 0 || req.relay_info_len == 0) return r;
    const size_t avail = req.relay_info_len;
    const uint8_t* c = req.relay_info + std::min<size_t>(req.circuit_id_off, avail);
    const size_t clen =
        std::min<size_t>(req.circuit_id_len, avail - std::min<size_t>(req.circuit_id_off, avail));
    const uint8_t* rm = req.relay_info + std::min<size_t>(req.remote_id_off, avail);
    const size_t rlen =
        std::min<size_t>(req.remote_id_len, avail - std::min<size_t>(req.remote_id_off, avail));
    auto try_pair = [&](const uint8_t* cp, size_t cn, const uint8_t* rp, size_t rn) {
        return sc.res_by_relay.find(relay_hash(cp, cn, rp, rn), [&](int32_t i) {
            return same(res[i].circuit_id, cp, cn) && same(res[i].remote_id, rp, rn);
        });
    };
    // Most specific first: both sub-options, then a reservation naming only one of them.
    if (clen != 0 && rlen != 0 && (r = try_pair(c, clen, rm, rlen)) >= 0) return r;
    if (clen != 0 && (r = try_pair(c, clen, nullptr, 0)) >= 0) return r;
    if (rlen != 0 && (r = try_pair(nullptr, 0, rm, rlen)) >= 0) return r;
    return -1;
}

uint32_t LeaseEngine::Impl::entitled(const ScopeState& sc, const Who& who) const noexcept {
    if (who.reservation >= 0) {
        const uint32_t rip = sc.cfg->reservations[who.reservation].ip.value;
        const uint32_t rs = find_ip(rip);
        // A declined reserved address is out of use; the client is served from the pool meanwhile.
        if (rs == kNil || slot(rs).lease.state != LeaseState::Declined) return rip;
    }
    const uint32_t own = find_client(sc.index, who.key);
    if (own == kNil) return 0;
    const Slot& o = slot(own);
    // A reserved address held by a client the reservation no longer matches is not its own.
    if (o.reserved && o.lease.reservation != who.reservation) return 0;
    return o.lease.ip;
}

// ---- per-request output ---------------------------------------------------------------------

void LeaseEngine::Impl::begin(Result& out) noexcept {
    out.outcome = Outcome::Answered;
    out.has_reply = false;
    out.event = LeaseEvent::None;
    n_changed = 0;
}

void LeaseEngine::Impl::record(Result& out, const Lease& l, LeaseEvent ev) {
    // Assigning into existing elements keeps their strings' and vectors' capacity.
    if (n_changed < out.changed.size())
        out.changed[n_changed] = l;
    else
        out.changed.push_back(l);
    if (n_changed < out.events.size())
        out.events[n_changed] = ev;
    else
        out.events.push_back(ev);
    ++n_changed;
}

void LeaseEngine::Impl::finish(Result& out) {
    out.changed.resize(n_changed);
    out.events.resize(n_changed);
}

// ---- messages -------------------------------------------------------------------------------

void LeaseEngine::handle(const DhcpRequest& req, int64_t now, Result& out) {
    Impl& m = *impl_;
    m.begin(out);
    if (m.restore_pending) m.finish_restore();
    switch (req.msg_type) {
        case MsgType::Discover:
        case MsgType::Request:
        case MsgType::Inform: {
            const int32_t s = m.select_scope(req);
            if (s < 0 || m.server_addr(req.path.iface_index, m.scopes[s]) == 0) {
                out.outcome = Outcome::NoScope;
                break;
            }
            ScopeState& sc = m.scopes[s];
            Who who;
            who.key = ClientKey::from_request(req);
            who.scope = sc.index;
            who.reservation = m.match_reservation(sc, req, who.key);
            if (req.msg_type == MsgType::Discover)
                m.discover(req, sc, who, now, out);
            else if (req.msg_type == MsgType::Request)
                m.request(req, sc, who, now, out);
            else
                m.inform(req, sc, who, out);
            break;
        }
        case MsgType::Decline:
            m.decline(req, now, out);
            break;
        case MsgType::Release:
            m.release_msg(req, now, out);
            break;
        default:
            out.outcome = Outcome::Invalid;  // server-to-client types, or none
            break;
    }
    m.finish(out);
}

void LeaseEngine::Impl::fill_binding(Lease& l, const DhcpRequest& req, const ScopeState& sc,
                                     const Who& who) {
    l.hw = req.chaddr;
    l.no_dns = req.has_fqdn && (req.fqdn_flags & 0x08) != 0;  // RFC 4702 §2.1 N: no updates
    // Name: the reservation's, else the client's FQDN (81), else its host name (12), else
    // whatever the binding already had.
    char label[64];
    size_t n = 0;
    bool have = false;
    if (who.reservation >= 0 && !sc.cfg->reservations[who.reservation].hostname.empty() &&
        l.reservation == who.reservation) {
        l.hostname = sc.cfg->reservations[who.reservation].hostname;
    } else {
        if (req.has_fqdn && req.fqdn_len != 0) {
            const size_t len = std::min<size_t>(req.fqdn_len, kMaxFqdn);
            if (req.fqdn_flags & 0x04) {  // E: canonical wire form, first label
                const size_t first = std::min<size_t>(req.fqdn[0], len - 1);
                have = to_label(reinterpret_cast<const char*>(req.fqdn) + 1, first, label, n);
            } else {  // deprecated ASCII form
                const char* p = reinterpret_cast<const char*>(req.fqdn);
                const char* dot = static_cast<const char*>(std::memchr(p, '.', len));
                have = to_label(p, dot ? static_cast<size_t>(dot - p) : len, label, n);
            }
        }
        if (!have && req.hostname_len != 0) {
            const size_t len = std::min<size_t>(req.hostname_len, kMaxHostname);
            const char* dot = static_cast<const char*>(std::memchr(req.hostname, '.', len));
            have = to_label(req.hostname, dot ? static_cast<size_t>(dot - req.hostname) : len,
                            label, n);
        }
        if (have) l.hostname.assign(label, n);
    }
    const size_t avail = req.relay_info_len;
    auto sub = [&](uint8_t off, uint8_t len, std::vector<uint8_t>& v) {
        if (len == 0 || off >= avail) {
            v.clear();
            return;
        }
        v.assign(req.relay_info + off, req.relay_info + std::min<size_t>(avail, off + size_t{len}));
    };
    sub(req.circuit_id_off, req.circuit_id_len, l.circuit_id);
    sub(req.remote_id_off, req.remote_id_len, l.remote_id);
}

void LeaseEngine::Impl::discover(const DhcpRequest& req, ScopeState& sc, const Who& who,
                                 int64_t now, Result& out) {
    out.event = LeaseEvent::Offered;
    // Address choice: reservation, the client's own (affinity), the requested one, the pool.
    uint32_t ip = 0;
    if (who.reservation >= 0) {
        const uint32_t rip = sc.cfg->reservations[who.reservation].ip.value;
        const uint32_t rs = find_ip(rip);
        if (rs == kNil || slot(rs).lease.state != LeaseState::Declined) ip = rip;
    }
    if (uint32_t own = find_client(sc.index, who.key); own != kNil) {
        const Slot& o = slot(own);
        const bool keep =
            ip != 0 ? o.lease.ip == ip : !(o.reserved && o.lease.reservation != who.reservation);
        if (!keep)
            replace_binding(own, out,
                            true);  // e.g. a dynamic lease of a client that now has a reservation
        else if (ip == 0)
            ip = o.lease.ip;
    }
    if (ip == 0 && req.requested_ip != 0 && available(sc, req.requested_ip)) ip = req.requested_ip;
    if (ip == 0) ip = next_free(sc);
    if (ip == 0) {
        out.outcome = Outcome::PoolExhausted;
        out.event = LeaseEvent::None;
        return;
    }
    const uint32_t s = claim(sc, ip, who.key, out);
    Slot& sl = slot(s);
    Lease& l = sl.lease;
    const bool mine = detail::has_binding(l.state);  // claim() replaced anyone else's
    if (mine && l.state == LeaseState::Bound) {
        // Still bound (the client rebooted and forgot): offer it again and change nothing.
        reply(req, sc, who, MsgType::Offer, ip, true, out);
        return;
    }
    if (mine && l.state != LeaseState::Offered) {
        sl.has_prior = true;  // Released/Expired: if the offer expires, the client keeps affinity
        sl.prior_state = l.state;
        sl.prior_start = l.start;
        sl.prior_expires = l.expires;
    } else if (!mine) {
        sl.has_prior = false;
        l.client = who.key;
        l.hostname.clear();
        index_client(s);
    }
    l.reservation = sl.reserved ? sc.reserved_ips.find(ip)->second : -1;
    fill_binding(l, req, sc, who);
    set_timed(s, LeaseState::Offered, now + sc.offer_hold);
    l.start = now;
    bump(l);
    record(out, l, LeaseEvent::Offered);
    reply(req, sc, who, MsgType::Offer, ip, true, out);
}

void LeaseEngine::Impl::grant(const DhcpRequest& req, ScopeState& sc, const Who& who, uint32_t ip,
                              int64_t now, Result& out) {
    if (uint32_t own = find_client(sc.index, who.key); own != kNil && slot(own).lease.ip != ip)
        replace_binding(own, out, true);
    const uint32_t s = claim(sc, ip, who.key, out);
    Slot& sl = slot(s);
    Lease& l = sl.lease;
    const bool mine = detail::has_binding(l.state);
    const bool renewed = mine && l.state == LeaseState::Bound;
    if (!mine) {
        l.client = who.key;
        l.hostname.clear();
        index_client(s);
    }
    sl.has_prior = false;
    l.reservation = sl.reserved ? sc.reserved_ips.find(ip)->second : -1;
    fill_binding(l, req, sc, who);
    uint32_t lease, t1, t2;
    lease_times(sc, req, lease, t1, t2);
    set_timed(s, LeaseState::Bound, now + lease);
    l.start = now;
    bump(l);
    out.event = renewed ? LeaseEvent::Renewed : LeaseEvent::Granted;
    record(out, l, out.event);
    reply(req, sc, who, MsgType::Ack, ip, true, out);
}

void LeaseEngine::Impl::drop_offer(ScopeState& sc, const Who& who, Result& out) {
    const uint32_t own = find_client(sc.index, who.key);
    if (own == kNil || slot(own).lease.state != LeaseState::Offered) return;
    LeaseEvent ev = expire_slot(own);
    record(out, slot(own).lease, ev);
    out.event = ev;
}

void LeaseEngine::Impl::request(const DhcpRequest& req, ScopeState& sc, const Who& who, int64_t now,
                                Result& out) {
    // RFC 2131 §4.3.2: the client's state follows from which fields it filled in.
    if (req.ciaddr != 0) {
        // RENEWING (unicast to us) or REBINDING (broadcast): same checks, same answer.
        if (req.server_id != 0 && !ours(req.server_id)) {
            out.outcome = Outcome::NotForUs;
            return;
        }
        if (!sc.contains(req.ciaddr)) return nak(req, sc, "wrong network", out);
        if (entitled(sc, who) != req.ciaddr) return nak(req, sc, "lease not found", out);
        return grant(req, sc, who, req.ciaddr, now, out);
    }
    if (req.server_id != 0) {  // SELECTING: answering an OFFER
        if (req.requested_ip == 0) {
            out.outcome = Outcome::Invalid;  // §4.3.2: requested IP MUST be filled in
            return;
        }
        if (!ours(req.server_id)) {  // it chose another server: our offer goes back
            drop_offer(sc, who, out);
            out.outcome = Outcome::NotForUs;
            return;
        }
        if (!sc.contains(req.requested_ip)) return nak(req, sc, "wrong network", out);
        const uint32_t want = entitled(sc, who);
        // Without an offer on record (it expired), a free pool address may still be granted.
        if (want != 0 ? want != req.requested_ip : !available(sc, req.requested_ip))
            return nak(req, sc, "requested address not available", out);
        return grant(req, sc, who, req.requested_ip, now, out);
    }
    if (req.requested_ip != 0) {  // INIT-REBOOT: confirming a remembered address
        if (!sc.contains(req.requested_ip)) return nak(req, sc, "wrong network", out);
        const uint32_t want = entitled(sc, who);
        if (want == req.requested_ip) return grant(req, sc, who, want, now, out);
        if (want != 0) return nak(req, sc, "requested address not leased to this client", out);
        // No record of this client: silent (§4.3.2), unless the address is someone else's.
        const uint32_t s = find_ip(req.requested_ip);
        const bool taken = sc.reserved_ips.count(req.requested_ip) != 0 ||
                           (s != kNil && detail::is_timed(slot(s).lease.state));
        if (taken) return nak(req, sc, "requested address in use", out);
        out.outcome = Outcome::NotForUs;
        return;
    }
    out.outcome = Outcome::Invalid;
}

void LeaseEngine::Impl::decline(const DhcpRequest& req, int64_t now, Result& out) {
    // RFC 2131 §4.3.3: the client found the address in use. Take it out of service.
    if (req.server_id != 0 && !ours(req.server_id)) {
        out.outcome = Outcome::NotForUs;
        return;
    }
    const uint32_t s = req.requested_ip != 0 ? find_ip(req.requested_ip) : kNil;
    const ClientKey key = ClientKey::from_request(req);
    if (s == kNil ||
        !(slot(s).lease.state == LeaseState::Bound || slot(s).lease.state == LeaseState::Offered) ||
        !(slot(s).lease.client == key)) {
        out.outcome = Outcome::Invalid;
        return;
    }
    Slot& sl = slot(s);
    Lease& l = sl.lease;
    unindex_client(s);  // the address is nobody's now; the client starts over
    sl.has_prior = false;
    set_timed(s, LeaseState::Declined, now + scopes[l.scope].probation);
    bump(l);
    out.event = LeaseEvent::Declined;
    record(out, l, out.event);
}

void LeaseEngine::Impl::release_msg(const DhcpRequest& req, int64_t now, Result& out) {
    // RFC 2131 §4.3.4. The binding is kept (Released) so the client gets it back next time.
    if (req.server_id != 0 && !ours(req.server_id)) {
        out.outcome = Outcome::NotForUs;
        return;
    }
    const uint32_t s = req.ciaddr != 0 ? find_ip(req.ciaddr) : kNil;
    const ClientKey key = ClientKey::from_request(req);
    if (s == kNil || slot(s).lease.state != LeaseState::Bound || !(slot(s).lease.client == key)) {
        out.outcome = Outcome::Invalid;
        return;
    }
    Lease& l = slot(s).lease;
    set_state(s, LeaseState::Released);
    l.expires = now;
    fifo_push_back(s);
    bump(l);
    out.event = LeaseEvent::Released;
    record(out, l, out.event);
}

void LeaseEngine::Impl::inform(const DhcpRequest& req, ScopeState& sc, const Who& who,
                               Result& out) {
    // RFC 2131 §4.3.5: configuration only; no lease, no lease times, yiaddr 0.
    reply(req, sc, who, MsgType::Ack, 0, false, out);
}

}  // namespace edgelease::control::dhcp
