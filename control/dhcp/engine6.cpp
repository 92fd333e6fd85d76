#include "control/dhcp/engine6_impl.hpp"

namespace edgelease::control::dhcp {

// ---- construction ---------------------------------------------------------------------------

Engine6::Impl::Impl(const config::Config& c, std::vector<uint8_t> duid)
    : cfg(c), server_duid(std::move(duid)) {
    scopes.resize(cfg.dhcp6.scopes.size());
    for (size_t i = 0; i < scopes.size(); ++i) {
        const config::Scope6Config& s = cfg.dhcp6.scopes[i];
        Scope6& sc = scopes[i];
        sc.cfg = &s;
        sc.plen = s.prefix.prefix_len;
        sc.net = to_u128(s.prefix.v6) & mask_of(sc.plen);
        for (const auto& p : s.pools) {
            AddrPool ap;
            ap.first = to_u128(p.first);
            ap.last = to_u128(p.last);
            if (ap.first > ap.last) throw std::invalid_argument("scope " + s.name + ": bad pool");
            ap.cursor = ap.first;
            const U128 n = ap.last - ap.first + 1;
            ap.size = n == 0 || n > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(n);
            sc.pools.push_back(std::move(ap));
        }
        for (const auto& p : s.pd_pools) {
            PdPool pp;
            pp.plen = p.prefix.prefix_len;
            pp.dlen = p.delegated_length;
            if (pp.dlen < pp.plen || pp.dlen > 128)
                throw std::invalid_argument("scope " + s.name + ": bad pd pool");
            pp.base = to_u128(p.prefix.v6) & mask_of(pp.plen);
            const unsigned bits = pp.dlen - pp.plen;
            pp.count = bits >= 127 ? ~U128{0} : U128{1} << bits;
            sc.pd_pools.push_back(std::move(pp));
        }
        sc.preferred = clamp_lifetime(s.preferred_lifetime);
        sc.valid = std::max(sc.preferred, clamp_lifetime(s.valid_lifetime));
        sc.t1 = s.t1 ? clamp_lifetime(*s.t1) : sc.preferred / 2;
        sc.t2 =
            s.t2 ? clamp_lifetime(*s.t2) : static_cast<uint32_t>(uint64_t{sc.preferred} * 4 / 5);
        sc.probation = clamp_lifetime(s.decline_probation);
        for (size_t r = 0; r < s.reservations.size(); ++r) {
            const auto& rc = s.reservations[r];
            const auto ri = static_cast<int32_t>(r);
            if (!rc.duid.empty())
                sc.res_by_duid.add(detail::hash_bytes(rc.duid.data(), rc.duid.size(), kSeedDuid),
                                   ri);
            if (rc.hw_address)
                sc.res_by_hw.add(detail::hash_bytes(rc.hw_address->bytes.data(), 6, kSeedHw), ri);
            if (!rc.remote_id.empty() || !rc.interface_id.empty())
                sc.res_by_relay.add(relay_hash(rc.interface_id.data(), rc.interface_id.size(),
                                               rc.remote_id.data(), rc.remote_id.size()),
                                    ri);
            if (rc.ip) reserved.insert(Lease6Key{IaKind::Na, 128, *rc.ip});
            for (const auto& p : rc.prefixes)
                reserved.insert(Lease6Key{IaKind::Pd, p.prefix_len, p.v6});
        }
        sc.res_by_duid.finish();
        sc.res_by_hw.finish();
        sc.res_by_relay.finish();
    }
    iface_scope.assign(cfg.interfaces.size(), -1);
    for (size_t i = 0; i < cfg.interfaces.size(); ++i)
        for (const auto& a : cfg.interfaces[i].addresses) {
            if (!a.is_v6 || is_link_local(a.v6)) continue;
            for (size_t s = 0; s < scopes.size() && iface_scope[i] < 0; ++s)
                if (scopes[s].on_link(a.v6)) iface_scope[i] = static_cast<int32_t>(s);
        }
}

Engine6::Engine6(const config::Config& cfg, std::vector<uint8_t> server_duid)
    : impl_(std::make_unique<Impl>(cfg, std::move(server_duid))) {}
Engine6::~Engine6() = default;

const std::vector<uint8_t>& Engine6::server_duid() const noexcept {
    return impl_->server_duid;
}
size_t Engine6::expiry_heap_size() const noexcept {
    return impl_->heap.size();
}
void Engine6::reserve(size_t n) {
    auto& m = *impl_;
    m.leases.reserve(m.leases.size() + n);
    m.links.reserve(m.links.size() + n);
    m.by_key.reserve(m.by_key.size() + n);
    m.by_binding.reserve(m.by_binding.size() + n);
}

uint64_t Engine6::last_generation() const noexcept {
    return impl_->next_generation - 1;
}

size_t Engine6::lease_count() const noexcept {
    return impl_->leases.size();
}
const Lease6* Engine6::lease_at(size_t i) const noexcept {
    return i < impl_->leases.size() ? &impl_->leases[i] : nullptr;
}
const Lease6* Engine6::find(const Lease6Key& key) const {
    const uint32_t i = impl_->find(key);
    return i == UINT32_MAX ? nullptr : &impl_->leases[i];
}

std::vector<Engine6::ScopeUse> Engine6::scope_use() const {
    std::vector<ScopeUse> out;
    for (const auto& sc : impl_->scopes) {
        ScopeUse u;
        u.name = sc.cfg->name;
        for (const auto& p : sc.pools)
            u.addresses = p.size > UINT64_MAX - u.addresses ? UINT64_MAX : u.addresses + p.size;
        for (const auto& p : sc.pd_pools) {
            const uint64_t n = p.count > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(p.count);
            u.prefixes = n > UINT64_MAX - u.prefixes ? UINT64_MAX : u.prefixes + n;
        }
        u.addresses_bound = sc.addresses_bound;
        u.prefixes_bound = sc.prefixes_bound;
        u.declined = sc.declined;
        out.push_back(std::move(u));
    }
    return out;
}

// ---- lookups --------------------------------------------------------------------------------

int32_t Engine6::Impl::select_scope(const Dhcp6Request& req) const noexcept {
    if (req.relay_count == 0)
        return req.path.iface_index < iface_scope.size() ? iface_scope[req.path.iface_index] : -1;
    // The relay next to the client names the link; a relay that leaves link-address
    // unspecified (it identifies the link by interface-id) defers to the one outside it.
    for (size_t i = req.relay_count; i-- > 0;) {
        const net::Ipv6Addr& link = req.relays[i].link_addr;
        if (is_unspecified(link)) continue;
        for (size_t s = 0; s < scopes.size(); ++s)
            if (scopes[s].on_link(link)) return static_cast<int32_t>(s);
        return -1;
    }
    return -1;
}

Who Engine6::Impl::identify(const Dhcp6Request& req, uint32_t scope) const {
    Who w;
    w.scope = scope;
    w.duid = req.client_id;
    w.duid_len = req.client_id_len;
    if (req.relay_count == 0) {
        w.has_hw = true;
        w.hw = req.path.src_mac;  // a direct client sends from its own interface
    } else if (req.has_client_ll && req.client_ll_type == 1) {
        w.has_hw = true;
        w.hw = req.client_ll;
    }
    if (!w.has_hw) w.has_hw = mac_from_duid(req.client_id, req.client_id_len, w.hw);
    const Scope6& sc = scopes[scope];
    const auto& res = sc.cfg->reservations;
    int32_t r = -1;
    if (req.client_id_len != 0 && !sc.res_by_duid.empty())
        r = sc.res_by_duid.find(detail::hash_bytes(req.client_id, req.client_id_len, kSeedDuid),
                                [&](int32_t i) {
                                    return same_bytes(res[static_cast<size_t>(i)].duid,
                                                      req.client_id, req.client_id_len);
                                });
    if (r < 0 && w.has_hw && !sc.res_by_hw.empty())
        r = sc.res_by_hw.find(detail::hash_bytes(w.hw.bytes.data(), 6, kSeedHw), [&](int32_t i) {
            return res[static_cast<size_t>(i)].hw_address == w.hw;
        });
    if (r < 0 && !sc.res_by_relay.empty() && req.relay_count != 0) {
        // Option 37 after its enterprise number; the interface-id of the relay next to the
        // client. Most specific first: both, then a reservation naming only one of them.
        const uint8_t* rid = nullptr;
        size_t rn = 0;
        if (req.remote_id_len > 4 &&
            size_t{req.remote_id_off} + req.remote_id_len <= req.relay_bytes_len) {
            rid = req.relay_bytes + req.remote_id_off + 4;
            rn = req.remote_id_len - 4u;
        }
        const RelayHop& inner = req.relays[req.relay_count - 1];
        const uint8_t* iid = nullptr;
        size_t in = 0;
        if (inner.has_interface_id && inner.interface_id_len != 0 &&
            size_t{inner.interface_id_off} + inner.interface_id_len <= req.relay_bytes_len) {
            iid = req.relay_bytes + inner.interface_id_off;
            in = inner.interface_id_len;
        }
        auto pair = [&](const uint8_t* i, size_t il, const uint8_t* rr, size_t rl) {
            return sc.res_by_relay.find(relay_hash(i, il, rr, rl), [&](int32_t x) {
                const auto& rc = res[static_cast<size_t>(x)];
                return same_bytes(rc.interface_id, i, il) && same_bytes(rc.remote_id, rr, rl);
            });
        };
        if (in != 0 && rn != 0) r = pair(iid, in, rid, rn);
        if (r < 0 && in != 0) r = pair(iid, in, nullptr, 0);
        if (r < 0 && rn != 0) r = pair(nullptr, 0, rid, rn);
    }
    w.reservation = r;
    return w;
}

bool Engine6::Impl::in_pools(const Scope6& sc, const Lease6Key& k) const noexcept {
    const U128 v = to_u128(k.addr);
    if (k.kind == IaKind::Na) {
        for (const auto& p : sc.pools)
            if (v >= p.first && v <= p.last) return true;
        return false;
    }
    for (const auto& p : sc.pd_pools)
        if (k.prefix_len == p.dlen && (v & mask_of(p.plen)) == p.base &&
            (v & ~mask_of(p.dlen)) == 0)
            return true;
    return false;
}

// ---- messages -------------------------------------------------------------------------------

void Engine6::handle(const Dhcp6Request& req, int64_t now, Result6& out) {
    auto& m = *impl_;
    out.outcome = Outcome::Answered;
    out.has_reply = false;
    out.changed.clear();
    out.events.clear();
    out.slots.clear();
    if (m.restore_pending) m.finish_restore();

    const bool has_sid = req.server_id_len != 0;
    const bool sid_ours =
        has_sid && req.server_id_len == m.server_duid.size() &&
        std::memcmp(req.server_id, m.server_duid.data(), m.server_duid.size()) == 0;
    // RFC 9915 §16: which messages need, forbid, or check the Server Identifier.
    switch (req.msg_type) {
        case Msg6Type::Solicit:
        case Msg6Type::Rebind:
        case Msg6Type::Confirm:
            if (has_sid || req.client_id_len == 0) {
                out.outcome = Outcome::Invalid;
                return;
            }
            break;
        case Msg6Type::Request:
        case Msg6Type::Renew:
        case Msg6Type::Release:
        case Msg6Type::Decline:
            if (req.client_id_len == 0 || !has_sid) {
                out.outcome = Outcome::Invalid;
                return;
            }
            if (!sid_ours) {
                out.outcome = Outcome::NotForUs;
                return;
            }
            break;
        case Msg6Type::InformationRequest:
            if (has_sid && !sid_ours) {
                out.outcome = Outcome::NotForUs;
                return;
            }
            break;
        default:
            out.outcome = Outcome::Invalid;
            return;
    }
    const int32_t si = m.select_scope(req);
    if (si < 0) {
        out.outcome = Outcome::NoScope;
        return;
    }
    Scope6& sc = m.scopes[static_cast<size_t>(si)];
    const Who who = m.identify(req, static_cast<uint32_t>(si));
    switch (req.msg_type) {
        case Msg6Type::Solicit:
            m.assign(req, sc, who, req.rapid_commit && sc.cfg->rapid_commit, now, out);
            break;
        case Msg6Type::Request:
            m.assign(req, sc, who, true, now, out);
            break;
        case Msg6Type::Renew:
        case Msg6Type::Rebind:
            m.extend(req, sc, who, req.msg_type == Msg6Type::Rebind, now, out);
            break;
        case Msg6Type::Release:
        case Msg6Type::Decline:
            m.release_or_decline(req, sc, who, req.msg_type == Msg6Type::Decline, now, out);
            break;
        case Msg6Type::Confirm:
            m.confirm(req, sc, out);
            break;
        default:
            m.information(req, sc, out);
            break;
    }
}

void Engine6::Impl::assign(const Dhcp6Request& req, Scope6& sc, const Who& who, bool commit,
                           int64_t now, Result6& out) {
    const bool solicit = req.msg_type == Msg6Type::Solicit;
    ReplyWriter6& w = writer;
    w.begin(req, solicit && !commit ? Msg6Type::Advertise : Msg6Type::Reply, server_duid);
    if (solicit && commit) w.rapid_commit();
    std::vector<Lease6Key>& keys = keys_scratch;
    bool short_of_any = false;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const bool pd = ia.type == Ia6::kPd;
        // A Request naming addresses not on this link gets them back as NotOnLink (§18.3.2).
        bool off_link = false;
        if (!pd && req.msg_type == Msg6Type::Request)
            for (uint8_t h = 0; h < ia.hint_count; ++h)
                if (!is_unspecified(ia.hints[h].addr) && !sc.on_link(ia.hints[h].addr))
                    off_link = true;
        if (off_link) {
            w.begin_ia(ia, 0, 0);
            w.status(wire6::kNotOnLink, "not on this link");
            w.end_ia();
            continue;
        }
        if (!choose(sc, who, ia, commit, keys)) {
            short_of_any = true;
            w.begin_ia(ia, 0, 0);
            w.status(pd ? wire6::kNoPrefixAvail : wire6::kNoAddrsAvail,
                     pd ? "no prefix available" : "no address available");
            w.end_ia();
            continue;
        }
        w.begin_ia(ia, sc.t1, sc.t2);
        for (const auto& k : keys) {
            if (commit) bind(sc, who, req, ia, k, now, out, held_scratch);
            w.lease(k, sc.preferred, sc.valid);
        }
        w.end_ia();
    }
    if (short_of_any) out.outcome = Outcome::PoolExhausted;
    w.options(req, *sc.cfg);
    if (req.has_fqdn) {
        std::string_view host;
        for (const auto& l : out.changed)
            if (l.key.kind == IaKind::Na && !l.hostname.empty()) host = l.hostname;
        if (host.empty() && who.reservation >= 0)
            host = sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname;
        w.fqdn(req, host, sc.cfg->domain, sc.cfg->dns.update);
    }
    w.finish(req, out);
}

void Engine6::Impl::extend(const Dhcp6Request& req, Scope6& sc, const Who& who, bool rebind,
                           int64_t now, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    std::vector<uint32_t>& mine = held_scratch;
    std::vector<Lease6Key>& want = want_scratch;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
        held(Binding(who.scope, kind, ia.iaid, who.duid, who.duid_len), mine);
        // What the reservation gives now replaces what the IA held (a reservation added or
        // changed since): the new one is bound, the old one is returned with lifetime 0.
        reserved_keys(sc, who, kind, want);
        if (want.empty())
            for (uint32_t i : mine)
                if (leases[i].state != LeaseState::Released) want.push_back(leases[i].key);
        if (want.empty() && rebind) {
            // §18.3.5: no binding, but the addresses are ours to give on this link: bind them
            // (a server that lost its state keeps its clients).
            for (uint8_t h = 0; h < ia.hint_count; ++h) {
                Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                            ia.hints[h].addr};
                if (in_pools(sc, k) && available(k)) want.push_back(k);
            }
        }
        if (want.empty()) {
            w.begin_ia(ia, 0, 0);
            // Hints not on this link are returned with lifetime 0 (§18.3.4, §18.3.5).
            for (uint8_t h = 0; h < ia.hint_count; ++h)
                if (kind == IaKind::Na && !sc.on_link(ia.hints[h].addr))
                    w.lease(Lease6Key{kind, 128, ia.hints[h].addr}, 0, 0);
            w.status(wire6::kNoBinding, "no binding for this IA");
            w.end_ia();
            continue;
        }
        w.begin_ia(ia, sc.t1, sc.t2);
        for (const auto& k : want) {
            bind(sc, who, req, ia, k, now, out, held_scratch);
            w.lease(k, sc.preferred, sc.valid);
        }
        // What the client listed and no longer has: lifetime 0, so it stops using it.
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                        ia.hints[h].addr};
            if (is_unspecified(k.addr) || std::find(want.begin(), want.end(), k) != want.end())
                continue;
            w.lease(k, 0, 0);
        }
        // Leases the IA held but no longer gets (its reservation moved) end now.
        for (uint32_t i : mine) {
            if (std::find(want.begin(), want.end(), leases[i].key) != want.end()) continue;
            unindex_binding(i);
            set_state(i, LeaseState::Free);
            bump(leases[i]);
            to_fifo(i);
            record(out, i, LeaseEvent::Replaced);  // with the binding it had
            w.lease(leases[i].key, 0, 0);
        }
        w.end_ia();
    }
    w.options(req, *sc.cfg);
    if (req.has_fqdn) {
        std::string_view host;
        for (const auto& l : out.changed)
            if (l.key.kind == IaKind::Na && !l.hostname.empty()) host = l.hostname;
        w.fqdn(req, host, sc.cfg->domain, sc.cfg->dns.update);
    }
    w.finish(req, out);
}

void Engine6::Impl::release_or_decline(const Dhcp6Request& req, Scope6& sc, const Who& who,
                                       bool decline, int64_t now, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    w.status(wire6::kSuccess, decline ? "declined" : "released");
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
        const Binding mine(who.scope, kind, ia.iaid, who.duid, who.duid_len);
        bool any = false;
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                        ia.hints[h].addr};
            const uint32_t i = find(k);
            if (i == UINT32_MAX) continue;
            Lease6& l = leases[i];
            if (!(l.state == LeaseState::Bound || l.state == LeaseState::Expired) || !mine.holds(l))
                continue;
            any = true;
            if (decline) {
                // §18.3.8: the address is in use by someone else: out of service a while.
                unindex_binding(i);
                set_state(i, LeaseState::Declined);
                l.expires = now + sc.probation;
                bump(l);
                schedule(i);
                record(out, i, LeaseEvent::Declined);
            } else {
                set_state(i, LeaseState::Released);
                l.expires = now;
                bump(l);
                to_fifo(i);
                record(out, i, LeaseEvent::Released);
            }
        }
        if (!any) {
            w.begin_ia(ia, 0, 0);
            w.status(wire6::kNoBinding, "no binding for this IA");
            w.end_ia();
        }
    }
    w.finish(req, out);
}

void Engine6::Impl::confirm(const Dhcp6Request& req, const Scope6& sc, Result6& out) {
    // §18.3.3: Success when every address is on the client's link, NotOnLink otherwise; no
    // answer when the client named no address.
    size_t n = 0;
    bool all_on_link = true;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        if (ia.type != Ia6::kNa) continue;
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            ++n;
            all_on_link = all_on_link && sc.on_link(ia.hints[h].addr);
        }
    }
    if (n == 0) {
        out.outcome = Outcome::Invalid;
        return;
    }
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    if (all_on_link)
        w.status(wire6::kSuccess, "all addresses on link");
    else
        w.status(wire6::kNotOnLink, "not on this link");
    w.finish(req, out);
}

void Engine6::Impl::information(const Dhcp6Request& req, const Scope6& sc, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    w.options(req, *sc.cfg);
    w.finish(req, out);
}

}  // namespace edgelease::control::dhcp
