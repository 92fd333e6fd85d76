// DHCPv6 lease state: indexes, the pools' allocator, restore and expiry (engine6.hpp).
#include "control/dhcp/engine6_impl.hpp"

namespace edgelease::control::dhcp {

using HeapEntry = detail::ExpiryHeap::Entry;

// ---- state changes --------------------------------------------------------------------------

uint32_t Engine6::Impl::add_lease(const Lease6& l) {
    const auto i = static_cast<uint32_t>(leases.size());
    leases.push_back(l);
    links.emplace_back();
    by_key.insert(key_hash(l.key), i);
    return i;
}

void Engine6::Impl::index_binding(uint32_t i) {
    BindingLink& me = links[i];
    if (me.linked) return;
    const Binding b(leases[i]);
    me.hash = b.hash;
    me.linked = true;
    me.next = kNil;
    const uint32_t head = binding_head(b);
    if (head == kNil) {
        me.prev = i;
        by_binding.insert(b.hash, i);
        return;
    }
    const uint32_t tail = links[head].prev;  // appended: held() lists in binding order
    links[tail].next = i;
    me.prev = tail;
    links[head].prev = i;
}

void Engine6::Impl::unindex_binding(uint32_t i) {
    BindingLink& me = links[i];
    if (!me.linked) return;
    me.linked = false;
    const bool first = links[me.prev].next != i;  // the first's prev is the last
    if (first) {
        if (me.next == kNil) {
            by_binding.erase(me.hash, i);
        } else {
            links[me.next].prev = me.prev;
            by_binding.replace(me.hash, i, me.next);
        }
        return;
    }
    links[me.prev].next = me.next;
    if (me.next != kNil) {
        links[me.next].prev = me.prev;
    } else {
        // i was the last: the first's prev moves back.
        const uint32_t head = binding_head(Binding(leases[i]));
        if (head != kNil) links[head].prev = me.prev;
    }
}

void Engine6::Impl::to_fifo(uint32_t i) {
    const Lease6& l = leases[i];
    if (l.scope >= scopes.size() || is_reserved(l.key)) return;
    Scope6& sc = scopes[l.scope];
    const U128 v = to_u128(l.key.addr);
    if (l.key.kind == IaKind::Na) {
        for (auto& p : sc.pools)
            if (v >= p.first && v <= p.last) {
                p.fifo.emplace_back(l.key, l.generation);
                return;
            }
    } else {
        for (auto& p : sc.pd_pools)
            if (l.key.prefix_len == p.dlen && (v & mask_of(p.plen)) == p.base) {
                p.fifo.emplace_back(l.key, l.generation);
                return;
            }
    }
}

void Engine6::Impl::schedule(uint32_t i) {
    const Lease6& l = leases[i];
    if (l.state != LeaseState::Bound && l.state != LeaseState::Declined) return;
    heap.push({l.expires, i}, [this](const HeapEntry& e) { return heap_stale(e); });
}

size_t Engine6::Impl::timed() const noexcept {
    size_t n = 0;
    for (const auto& sc : scopes) n += size_t{sc.addresses_bound} + sc.prefixes_bound + sc.declined;
    return n;
}

void Engine6::Impl::count(const Lease6& l, int delta) noexcept {
    if (l.scope >= scopes.size()) return;
    Scope6& sc = scopes[l.scope];
    auto add = [delta](uint32_t& c) { c = static_cast<uint32_t>(static_cast<int64_t>(c) + delta); };
    if (l.state == LeaseState::Bound)
        add(l.key.kind == IaKind::Na ? sc.addresses_bound : sc.prefixes_bound);
    if (l.state == LeaseState::Declined) add(sc.declined);
}

void Engine6::Impl::set_state(uint32_t i, LeaseState st) noexcept {
    Lease6& l = leases[i];
    count(l, -1);
    l.state = st;
    count(l, +1);
}

bool Engine6::restore(const Lease6& lease) {
    auto& m = *impl_;
    if (lease.scope >= m.scopes.size() || lease.state == LeaseState::Free ||
        lease.state == LeaseState::Offered)
        return false;
    const Scope6& sc = m.scopes[lease.scope];
    const bool reserved = m.is_reserved(lease.key);
    if (!reserved && !m.in_pools(sc, lease.key)) return false;
    if (reserved) {
        // The reservation must still name this client (by any identifier it can be checked by
        // without a request): its index is kept only while it points at the same key.
        bool ok = false;
        for (const auto& rc : sc.cfg->reservations) {
            if (lease.key.kind == IaKind::Na && rc.ip && *rc.ip == lease.key.addr) ok = true;
            for (const auto& p : rc.prefixes)
                if (lease.key.kind == IaKind::Pd && p.v6 == lease.key.addr &&
                    p.prefix_len == lease.key.prefix_len)
                    ok = true;
        }
        if (!ok) return false;
    }
    if (m.find(lease.key) != UINT32_MAX) return false;  // a duplicate record: first one wins
    const uint32_t i = m.add_lease(lease);
    m.count(m.leases[i], +1);
    if (has_binding(lease.state)) m.index_binding(i);
    m.schedule(i);
    m.next_generation = std::max(m.next_generation, lease.generation + 1);
    m.restore_pending = true;
    return true;
}

void Engine6::Impl::finish_restore() {
    restore_pending = false;
    // Freed leases wait in their pool's FIFO oldest first: the order their time ran out.
    std::vector<uint32_t> freed;
    for (uint32_t i = 0; i < leases.size(); ++i) {
        const auto st = leases[i].state;
        if (st == LeaseState::Released || st == LeaseState::Expired || st == LeaseState::Free)
            freed.push_back(i);
    }
    std::sort(freed.begin(), freed.end(),
              [&](uint32_t a, uint32_t b) { return leases[a].expires < leases[b].expires; });
    for (auto& sc : scopes) {
        for (auto& p : sc.pools) p.fifo.clear();
        for (auto& p : sc.pd_pools) p.fifo.clear();
    }
    for (uint32_t i : freed) to_fifo(i);
}

// ---- allocation -----------------------------------------------------------------------------

bool Engine6::Impl::available(const Lease6Key& k) const noexcept {
    if (is_reserved(k)) return false;
    const uint32_t i = find(k);
    return i == UINT32_MAX || leases[i].state == LeaseState::Free;
}

bool Engine6::Impl::oldest_freed(std::deque<std::pair<Lease6Key, uint64_t>>& fifo, bool take,
                                 Lease6Key& out) {
    while (!fifo.empty()) {
        auto [k, gen] = fifo.front();
        const uint32_t i = find(k);
        const bool ok =
            i != UINT32_MAX && leases[i].generation == gen &&
            (leases[i].state == LeaseState::Released || leases[i].state == LeaseState::Expired ||
             leases[i].state == LeaseState::Free);
        if (!ok) {
            fifo.pop_front();  // moved on since it was queued
            continue;
        }
        if (take) fifo.pop_front();
        out = k;
        return true;
    }
    return false;
}

bool Engine6::Impl::next_free(Scope6& sc, IaKind kind, bool take, Lease6Key& out) {
    // Never-used first (ascending), then the longest-freed.
    if (kind == IaKind::Na) {
        for (auto& p : sc.pools) {
            while (!p.done) {
                Lease6Key k{IaKind::Na, 128, from_u128(p.cursor)};
                const bool ok = !is_reserved(k) && find(k) == kNil;
                if (ok && !take) {
                    out = k;
                    return true;
                }
                if (p.cursor == p.last)
                    p.done = true;
                else
                    ++p.cursor;
                if (ok) {
                    out = k;
                    return true;
                }
            }
        }
        for (auto& p : sc.pools)
            if (oldest_freed(p.fifo, take, out)) return true;
        return false;
    }
    for (auto& p : sc.pd_pools) {
        while (p.cursor < p.count) {
            Lease6Key k{IaKind::Pd, p.dlen, from_u128(p.base | (p.cursor << (128 - p.dlen)))};
            const bool ok = !is_reserved(k) && find(k) == kNil;
            if (ok && !take) {
                out = k;
                return true;
            }
            ++p.cursor;
            if (ok) {
                out = k;
                return true;
            }
        }
    }
    for (auto& p : sc.pd_pools)
        if (oldest_freed(p.fifo, take, out)) return true;
    return false;
}

void Engine6::Impl::held(const Binding& b, std::vector<uint32_t>& out) const {
    out.clear();
    for (uint32_t i = binding_head(b); i != kNil; i = links[i].next)
        if (leases[i].state == LeaseState::Bound || leases[i].state == LeaseState::Expired ||
            leases[i].state == LeaseState::Released)
            out.push_back(i);
}

void Engine6::Impl::reserved_keys(const Scope6& sc, const Who& who, IaKind kind,
                                  std::vector<Lease6Key>& out) const {
    out.clear();
    if (who.reservation < 0) return;
    const auto& rc = sc.cfg->reservations[static_cast<size_t>(who.reservation)];
    if (kind == IaKind::Na && rc.ip) out.push_back(Lease6Key{IaKind::Na, 128, *rc.ip});
    if (kind == IaKind::Pd)
        for (const auto& p : rc.prefixes) out.push_back(Lease6Key{IaKind::Pd, p.prefix_len, p.v6});
}

bool Engine6::Impl::choose(Scope6& sc, const Who& who, const Ia6& ia, bool take,
                           std::vector<Lease6Key>& out) {
    out.clear();
    const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
    // 1. The reservation: its address, or all its prefixes.
    reserved_keys(sc, who, kind, out);
    if (!out.empty()) return true;
    // 2. What the IA already holds (affinity).
    std::vector<uint32_t>& mine = held_scratch;
    held(Binding(who.scope, kind, ia.iaid, who.duid, who.duid_len), mine);
    for (uint32_t i : mine)
        if (!is_reserved(leases[i].key)) out.push_back(leases[i].key);
    if (!out.empty()) return true;
    // 3. The client's hint, when it is ours to give and free.
    for (uint8_t h = 0; h < ia.hint_count; ++h) {
        Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                    ia.hints[h].addr};
        if (is_unspecified(k.addr)) continue;
        if (in_pools(sc, k) && available(k)) {
            out.push_back(k);
            return true;
        }
    }
    // 4. The allocator.
    Lease6Key k;
    if (next_free(sc, kind, take, k)) {
        out.push_back(k);
        return true;
    }
    return false;
}

void Engine6::Impl::fill(Lease6& l, const Scope6& sc, const Who& who, const Dhcp6Request& req) {
    l.duid.assign(who.duid, who.duid + who.duid_len);
    l.has_hw = who.has_hw;
    l.hw = who.has_hw ? who.hw : net::MacAddr{};
    l.no_dns = req.has_fqdn && (req.fqdn_flags & 0x04) != 0;  // RFC 4704 §4.1 N
    if (who.reservation >= 0 &&
        !sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname.empty()) {
        l.hostname = sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname;
    } else if (req.has_fqdn && req.fqdn_len > 1 && req.fqdn[0] != 0 &&
               size_t{req.fqdn[0]} < req.fqdn_len && is_label(req.fqdn + 1, req.fqdn[0])) {
        assign_label(l.hostname, req.fqdn + 1, req.fqdn[0]);
    }
    if (l.key.kind == IaKind::Pd) l.hostname.clear();  // delegated prefixes publish no names
    auto keep = [&](uint16_t off, uint16_t len, SmallBytes<14>& v) {
        len = std::min<uint16_t>(len, 128);
        if (len == 0 || size_t{off} + len > req.relay_bytes_len)
            v.clear();
        else
            v.assign(req.relay_bytes + off, req.relay_bytes + off + len);
    };
    keep(req.remote_id_off, req.remote_id_len, l.remote_id);
    if (req.relay_count != 0 && req.relays[req.relay_count - 1].has_interface_id) {
        const RelayHop& h = req.relays[req.relay_count - 1];
        keep(h.interface_id_off, h.interface_id_len, l.interface_id);
    } else {
        l.interface_id.clear();
    }
}

uint32_t Engine6::Impl::bind(Scope6& sc, const Who& who, const Dhcp6Request& req, const Ia6& ia,
                             const Lease6Key& k, int64_t now, Result6& out,
                             const std::vector<uint32_t>& held_now) {
    const Binding mine(who.scope, k.kind, ia.iaid, who.duid, who.duid_len);
    // A renewal binds what the IA holds: its lease is among those held() just listed (and in
    // cache), so the key index (a miss in a table of a million) is not asked. Keys are unique
    // among the lease slots, so a slot with this key is the one find() would return.
    uint32_t i = kNil;
    for (const uint32_t h : held_now)
        if (h < leases.size() && leases[h].key == k) {
            i = h;
            break;
        }
    if (i == kNil) i = find(k);
    LeaseEvent ev = LeaseEvent::Granted;
    // A timed lease whose expiry stays put keeps its heap entry: retransmitted Requests and
    // renewals within the same second do not grow the heap.
    const int64_t expires = now + sc.valid;
    const bool scheduled =
        i != kNil &&
        (leases[i].state == LeaseState::Bound || leases[i].state == LeaseState::Declined) &&
        leases[i].expires == expires;
    if (i == kNil) {
        Lease6 l;
        l.key = k;
        l.scope = who.scope;
        l.state = LeaseState::Free;
        i = add_lease(l);
    } else {
        Lease6& l = leases[i];
        const bool same = has_binding(l.state) && mine.holds(l);
        if (same) {
            ev = l.state == LeaseState::Bound ? LeaseEvent::Renewed : LeaseEvent::Granted;
        } else if (has_binding(l.state) || l.state == LeaseState::Declined) {
            // Someone else's binding (a reservation now naming this client, or an address
            // reached by the allocator): it ends here, recorded before the new one.
            unindex_binding(i);
            count(l, -1);
            l.state = LeaseState::Free;
            bump(l);
            record(out, i, LeaseEvent::Replaced);  // with the binding it had
        }
        if (!same) unindex_binding(i);
    }
    Lease6& l = leases[i];
    count(l, -1);
    l.scope = who.scope;
    l.iaid = ia.iaid;
    fill(l, sc, who, req);
    l.reservation = is_reserved(k) ? who.reservation : -1;
    l.state = LeaseState::Bound;
    l.start = now;
    l.preferred = sc.preferred;
    l.valid = sc.valid;
    l.expires = expires;
    bump(l);
    count(l, +1);
    index_binding(i);
    if (!scheduled) schedule(i);
    record(out, i, ev);
    return i;
}

// ---- expiry and operator actions -------------------------------------------------------------

LeaseEvent Engine6::Impl::expire_lease(uint32_t i) {
    Lease6& l = leases[i];
    if (l.state == LeaseState::Declined) {
        set_state(i, LeaseState::Free);
        bump(l);
        to_fifo(i);
        return LeaseEvent::Expired;
    }
    set_state(i, LeaseState::Expired);
    bump(l);
    to_fifo(i);
    return LeaseEvent::Expired;
}

size_t Engine6::Impl::expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                                 std::vector<LeaseEvent>& events) {
    if (restore_pending) finish_restore();
    return heap.expire_due(
        now, max, [this](const HeapEntry& e) { return heap_stale(e); }, [this] { return timed(); },
        [&](const HeapEntry& e) {
            const LeaseEvent ev = expire_lease(e.index);
            changed.push_back(leases[e.index]);
            events.push_back(ev);
        });
}

size_t Engine6::expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                           std::vector<LeaseEvent>& events) {
    return impl_->expire_due(now, max, changed, events);
}

bool Engine6::expiry_entry(const Lease6Key& key, sweeper::ExpiryEntry& out) const {
    return expiry_entry(UINT32_MAX, key, out);
}

bool Engine6::expiry_entry(uint32_t slot, const Lease6Key& key, sweeper::ExpiryEntry& out) const {
    const bool known = slot < impl_->leases.size() && impl_->leases[slot].key == key;
    const uint32_t i = known ? slot : impl_->find(key);
    if (i == UINT32_MAX) return false;
    const Lease6& l = impl_->leases[i];
    if (l.state != LeaseState::Bound && l.state != LeaseState::Declined) return false;
    out = sweeper::ExpiryEntry{i, static_cast<uint32_t>(l.generation), l.expires, l.generation};
    return true;
}

void Engine6::timed_entries(std::vector<sweeper::ExpiryEntry>& out) const {
    for (uint32_t i = 0; i < impl_->leases.size(); ++i) {
        const Lease6& l = impl_->leases[i];
        if (l.state == LeaseState::Bound || l.state == LeaseState::Declined)
            out.push_back(sweeper::ExpiryEntry{i, static_cast<uint32_t>(l.generation), l.expires,
                                               l.generation});
    }
}

LeaseEngine::SweptCounts Engine6::expire_swept(std::span<const sweeper::ExpiryEntry> due,
                                               int64_t now, std::vector<Lease6>& changed,
                                               std::vector<LeaseEvent>& events,
                                               std::vector<sweeper::ExpiryEntry>& early) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    LeaseEngine::SweptCounts c;
    // A storm's batch is thousands of random leases: overlap their cache misses.
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < due.size(); ++i) {
        if (i + kAhead < due.size() && due[i + kAhead].lease_ip < m.leases.size())
            __builtin_prefetch(&m.leases[due[i + kAhead].lease_ip]);
        const auto& e = due[i];
        const Lease6* l = e.lease_ip < m.leases.size() ? &m.leases[e.lease_ip] : nullptr;
        if (l == nullptr || l->generation != e.generation ||
            (l->state != LeaseState::Bound && l->state != LeaseState::Declined)) {
            ++c.stale;
        } else if (l->expires > now) {
            early.push_back(e);
            ++c.early;
        } else {
            events.push_back(m.expire_lease(e.lease_ip));
            changed.push_back(*l);
            ++c.expired;
        }
    }
    return c;
}

bool Engine6::release(const Lease6Key& key, int64_t now, Lease6& changed) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    const uint32_t i = m.find(key);
    if (i == UINT32_MAX || m.leases[i].state != LeaseState::Bound) return false;
    m.set_state(i, LeaseState::Released);
    m.leases[i].expires = now;
    m.bump(m.leases[i]);
    m.to_fifo(i);
    changed = m.leases[i];
    return true;
}

bool Engine6::expire(const Lease6Key& key, int64_t now, Lease6& changed) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    const uint32_t i = m.find(key);
    if (i == UINT32_MAX || m.leases[i].state != LeaseState::Bound) return false;
    m.leases[i].expires = now;
    m.expire_lease(i);
    changed = m.leases[i];
    return true;
}

}  // namespace edgelease::control::dhcp
