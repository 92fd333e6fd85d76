// Address bookkeeping of the lease engine: slots and their indexes, the never-used cursor and
// the FIFO of freed addresses per scope, the expiry heap, and start-up restore.
#include <algorithm>
#include <cstring>

#include "control/dhcp/engine_impl.hpp"
#include "control/dhcp/hash.hpp"

namespace edgelease::control::dhcp {

using HeapEntry = detail::ExpiryHeap::Entry;
using detail::kNil;
using detail::ScopeState;
using detail::Slot;

namespace {

void count(ScopeState& sc, LeaseState st, int delta) noexcept {
    switch (st) {
        case LeaseState::Bound:
            sc.bound += delta;
            break;
        case LeaseState::Offered:
            sc.offered += delta;
            break;
        case LeaseState::Declined:
            sc.declined += delta;
            break;
        default:
            break;
    }
}

bool matches(const config::ReservationConfig& r, const Lease& l) {
    if (!r.client_id.empty() && l.client.kind == ClientKey::ClientId &&
        r.client_id.size() == l.client.len &&
        std::memcmp(r.client_id.data(), l.client.bytes, l.client.len) == 0)
        return true;
    if (r.hw_address && *r.hw_address == l.hw) return true;
    if (!r.circuit_id.empty() || !r.remote_id.empty())
        return (r.circuit_id.empty() || r.circuit_id == l.circuit_id) &&
               (r.remote_id.empty() || r.remote_id == l.remote_id);
    return false;
}

}  // namespace

// ---- slots and indexes ----------------------------------------------------------------------

uint32_t LeaseEngine::Impl::new_slot(uint32_t ip) {
    const uint32_t s = slot_count;
    if ((s >> kChunkBits) >= chunks.size())
        chunks.push_back(std::make_unique<Slot[]>(size_t{1} << kChunkBits));
    ++slot_count;
    Slot& sl = slot(s);
    sl.lease.ip = ip;
    sl.lease.state = LeaseState::Free;
    by_ip.insert(detail::hash_ip(ip), s);
    return s;
}

uint32_t LeaseEngine::Impl::find_ip(uint32_t ip) const noexcept {
    return by_ip.find(detail::hash_ip(ip), [&](uint32_t s) { return slot(s).lease.ip == ip; });
}

uint32_t LeaseEngine::Impl::client_hash(uint32_t scope, const ClientKey& key) noexcept {
    return static_cast<uint32_t>(
        detail::hash_bytes(key.bytes, key.len, (uint64_t{scope} << 8) | key.kind));
}

uint32_t LeaseEngine::Impl::find_client(uint32_t scope, const ClientKey& key) const noexcept {
    return by_client.find(client_hash(scope, key), [&](uint32_t s) {
        const Lease& l = slot(s).lease;
        return l.scope == scope && l.client == key;
    });
}

void LeaseEngine::Impl::index_client(uint32_t s) {
    const Lease& l = slot(s).lease;
    by_client.insert(client_hash(l.scope, l.client), s);
}

void LeaseEngine::Impl::unindex_client(uint32_t s) {
    const Lease& l = slot(s).lease;
    by_client.erase(client_hash(l.scope, l.client), s);
}

void LeaseEngine::Impl::fifo_push_back(uint32_t s) {
    Slot& sl = slot(s);
    if (sl.reserved) return;  // a reserved address waits for its reservation only
    if (sl.in_fifo) fifo_remove(s);
    ScopeState& sc = scopes[sl.lease.scope];
    sl.fifo_prev = sc.fifo_tail;
    sl.fifo_next = kNil;
    if (sc.fifo_tail != kNil)
        slot(sc.fifo_tail).fifo_next = s;
    else
        sc.fifo_head = s;
    sc.fifo_tail = s;
    sl.in_fifo = true;
}

void LeaseEngine::Impl::fifo_remove(uint32_t s) {
    Slot& sl = slot(s);
    if (!sl.in_fifo) return;
    ScopeState& sc = scopes[sl.lease.scope];
    if (sl.fifo_prev != kNil)
        slot(sl.fifo_prev).fifo_next = sl.fifo_next;
    else
        sc.fifo_head = sl.fifo_next;
    if (sl.fifo_next != kNil)
        slot(sl.fifo_next).fifo_prev = sl.fifo_prev;
    else
        sc.fifo_tail = sl.fifo_prev;
    sl.fifo_prev = sl.fifo_next = kNil;
    sl.in_fifo = false;
}

void LeaseEngine::Impl::set_state(uint32_t s, LeaseState st) {
    Lease& l = slot(s).lease;
    ScopeState& sc = scopes[l.scope];
    count(sc, l.state, -1);
    count(sc, st, +1);
    timed -= detail::is_timed(l.state) ? 1 : 0;
    timed += detail::is_timed(st) ? 1 : 0;
    l.state = st;
}

void LeaseEngine::Impl::schedule(uint32_t s) {
    heap.push(HeapEntry{slot(s).lease.expires, s},
              [this](const HeapEntry& e) { return heap_stale(e); });
}

void LeaseEngine::Impl::set_timed(uint32_t s, LeaseState st, int64_t expires) {
    Lease& l = slot(s).lease;
    // A timed lease always has a heap entry at its expiry (one is pushed whenever the expiry
    // changes, and popping it ends the timed state), so an unchanged expiry needs no new one:
    // retransmitted DISCOVERs and REQUESTs do not grow the heap.
    const bool scheduled = detail::is_timed(l.state) && l.expires == expires;
    set_state(s, st);
    l.expires = expires;
    if (!scheduled) schedule(s);
}

bool LeaseEngine::Impl::heap_stale(const HeapEntry& e) const noexcept {
    const Lease& l = slot(e.index).lease;
    return !detail::is_timed(l.state) || l.expires != e.at;
}

// ---- allocation -----------------------------------------------------------------------------

uint32_t LeaseEngine::Impl::next_free(ScopeState& sc) {
    // Never-used addresses first, ascending. The cursor only moves forward, so skipping the
    // addresses that were taken out of order (option 50, restore) is amortised O(1).
    while (sc.cursor_pool < sc.pools.size()) {
        const config::PoolRange& p = sc.pools[sc.cursor_pool];
        if (sc.cursor_ip < p.first.value) sc.cursor_ip = p.first.value;
        if (sc.cursor_ip > p.last.value) {
            ++sc.cursor_pool;
            continue;
        }
        const uint32_t ip = static_cast<uint32_t>(sc.cursor_ip++);
        if (sc.reserved_ips.count(ip) != 0 || find_ip(ip) != kNil) continue;
        return ip;
    }
    // Then the address whose last binding is longest gone.
    return sc.fifo_head != kNil ? slot(sc.fifo_head).lease.ip : 0;
}

bool LeaseEngine::Impl::available(const ScopeState& sc, uint32_t ip) const noexcept {
    if (!sc.in_pools(ip) || sc.reserved_ips.count(ip) != 0) return false;
    uint32_t s = find_ip(ip);
    return s == kNil || slot(s).lease.state == LeaseState::Free;
}

uint32_t LeaseEngine::Impl::claim(ScopeState& sc, uint32_t ip, const ClientKey& key, Result& out) {
    uint32_t s = find_ip(ip);
    if (s == kNil) {
        s = new_slot(ip);
        Slot& sl = slot(s);
        sl.lease.scope = sc.index;
        auto r = sc.reserved_ips.find(ip);
        sl.reserved = r != sc.reserved_ips.end();
        sl.lease.reservation = sl.reserved ? r->second : -1;
        return s;
    }
    Slot& sl = slot(s);
    fifo_remove(s);
    if (detail::has_binding(sl.lease.state) && !(sl.lease.client == key))
        replace_binding(s, out, false);
    return s;
}

void LeaseEngine::Impl::replace_binding(uint32_t s, Result& out, bool requeue) {
    Slot& sl = slot(s);
    if (detail::has_binding(sl.lease.state)) unindex_client(s);
    fifo_remove(s);
    sl.has_prior = false;
    set_state(s, LeaseState::Free);
    bump(sl.lease);
    record(out, sl.lease, LeaseEvent::Replaced);
    if (requeue) fifo_push_back(s);
}

LeaseEvent LeaseEngine::Impl::expire_slot(uint32_t s) {
    Slot& sl = slot(s);
    Lease& l = sl.lease;
    LeaseEvent ev = LeaseEvent::None;
    switch (l.state) {
        case LeaseState::Bound:
            set_state(s, LeaseState::Expired);  // stays the client's until reused (affinity)
            ev = LeaseEvent::Expired;
            break;
        case LeaseState::Offered:
            if (sl.has_prior) {  // back to the client's earlier, unexpired-for-affinity binding
                set_state(s, sl.prior_state);
                l.start = sl.prior_start;
                l.expires = sl.prior_expires;
                sl.has_prior = false;
            } else {
                unindex_client(s);
                set_state(s, LeaseState::Free);
            }
            ev = LeaseEvent::OfferExpired;
            break;
        case LeaseState::Declined:
            set_state(s, LeaseState::Free);  // probation over: back in the pool
            ev = LeaseEvent::Expired;
            break;
        default:
            return LeaseEvent::None;
    }
    fifo_push_back(s);
    bump(l);
    return ev;
}

// ---- restore --------------------------------------------------------------------------------

void LeaseEngine::Impl::finish_restore() {
    // Restored free addresses arrive in storage order; the FIFO wants "longest gone first".
    std::vector<uint32_t> order;
    for (ScopeState& sc : scopes) {
        order.clear();
        for (uint32_t s = sc.fifo_head; s != kNil; s = slot(s).fifo_next) order.push_back(s);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            const Lease& la = slot(a).lease;
            const Lease& lb = slot(b).lease;
            return la.expires != lb.expires ? la.expires < lb.expires : la.ip < lb.ip;
        });
        for (uint32_t s : order) fifo_remove(s);
        for (uint32_t s : order) fifo_push_back(s);
    }
    restore_pending = false;
}

bool LeaseEngine::restore(const Lease& lease) {
    Impl& m = *impl_;
    if (lease.state == LeaseState::Free ||
        static_cast<uint8_t>(lease.state) > static_cast<uint8_t>(LeaseState::Free))
        return false;
    // The stored scope index is a hint: scopes may have been reordered, added or removed
    // since the lease was written. Subnets never overlap, so the address names its scope.
    uint32_t scope = lease.scope;
    if (scope >= m.scopes.size() || !m.scopes[scope].contains(lease.ip)) {
        const int32_t found = m.scope_containing(lease.ip);
        if (found < 0) return false;
        scope = static_cast<uint32_t>(found);
    }
    ScopeState& sc = m.scopes[scope];
    int32_t reservation = -1;
    if (auto r = sc.reserved_ips.find(lease.ip); r != sc.reserved_ips.end()) {
        // A reserved address may only come back to a client the reservation still names.
        if (detail::has_binding(lease.state) && !matches(sc.cfg->reservations[r->second], lease))
            return false;
        reservation = r->second;
    } else if (!sc.in_pools(lease.ip)) {
        return false;
    }
    // A duplicate: the first one stays. A free slot at the address (restore_over, or a
    // binding the client-dedup below ended) is taken again.
    uint32_t s = m.find_ip(lease.ip);
    if (s != kNil && m.slot(s).lease.state != LeaseState::Free) return false;
    if (detail::has_binding(lease.state)) {
        if (uint32_t other = m.find_client(scope, lease.client); other != kNil) {
            // One binding per client and scope: the newer one wins.
            if (m.slot(other).lease.generation >= lease.generation) return false;
            m.unindex_client(other);
            m.set_state(other, LeaseState::Free);
            m.fifo_push_back(other);
        }
    }
    if (s == kNil) {
        s = m.new_slot(lease.ip);
    } else {
        m.fifo_remove(s);
        m.slot(s).has_prior = false;
    }
    Slot& sl = m.slot(s);
    const LeaseState st = lease.state;
    sl.lease = lease;
    sl.lease.scope = scope;
    sl.lease.reservation = reservation;
    sl.lease.state = LeaseState::Free;
    sl.reserved = reservation >= 0;
    m.set_state(s, st);
    if (detail::has_binding(st)) m.index_client(s);
    if (detail::is_timed(st))
        m.schedule(s);
    else
        m.fifo_push_back(s);
    m.next_generation = std::max(m.next_generation, lease.generation + 1);
    m.restore_pending = true;
    return true;
}

bool LeaseEngine::restore_over(const Lease& lease) {
    Impl& m = *impl_;
    if (const uint32_t s = m.find_ip(lease.ip); s != kNil) {
        Slot& sl = m.slot(s);
        if (detail::has_binding(sl.lease.state)) m.unindex_client(s);
        sl.has_prior = false;
        m.set_state(s, LeaseState::Free);  // its heap entry, if any, is stale from now on
        m.fifo_push_back(s);
        m.restore_pending = true;
    }
    return restore(lease);
}

// ---- expiry and operator actions ------------------------------------------------------------

size_t LeaseEngine::expire_due(int64_t now, size_t max, std::vector<Lease>& expired) {
    return impl_->expire_due(now, max, expired, nullptr);
}

size_t LeaseEngine::expire_due(int64_t now, size_t max, std::vector<Lease>& expired,
                               std::vector<LeaseEvent>& events) {
    return impl_->expire_due(now, max, expired, &events);
}

size_t LeaseEngine::Impl::expire_due(int64_t now, size_t max, std::vector<Lease>& expired,
                                     std::vector<LeaseEvent>* events) {
    if (restore_pending) finish_restore();
    return heap.expire_due(
        now, max, [this](const HeapEntry& e) { return heap_stale(e); }, [this] { return timed; },
        [&](const HeapEntry& e) {
            const LeaseEvent ev = expire_slot(e.index);
            expired.push_back(slot(e.index).lease);
            if (events) events->push_back(ev);
        });
}

// ---- expiry on the sweeper lcore ------------------------------------------------------------
//
// A lease expired here keeps its heap entry; the heap skips it when it surfaces (or compaction
// drops it), because the lease is no longer in a timed state with that expiry: expiry() always
// leaves the timed states (Offered's prior binding is Released or Expired, never Bound).
// Should the address become timed again later, set_timed() pushes a new heap entry.

bool LeaseEngine::expire_if_current(uint32_t ip, uint64_t generation, int64_t now, Lease& out,
                                    LeaseEvent& ev) {
    Impl& m = *impl_;
    const uint32_t s = m.slot_to_change(ip);
    if (s == kNil) return false;
    const Lease& l = m.slot(s).lease;
    if (!detail::is_timed(l.state) || l.generation != generation || l.expires > now) return false;
    ev = m.expire_slot(s);
    out = l;
    return true;
}

LeaseEngine::SweptCounts LeaseEngine::expire_swept(std::span<const sweeper::ExpiryEntry> due,
                                                   int64_t now, std::vector<Lease>& changed,
                                                   std::vector<LeaseEvent>& events,
                                                   std::vector<sweeper::ExpiryEntry>& early) {
    Impl& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    SweptCounts c;
    // A storm's batch is thousands of random leases: overlap their cache misses.
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < due.size(); ++i) {
        if (i + kAhead < due.size()) m.by_ip.prefetch(detail::hash_ip(due[i + kAhead].lease_ip));
        const sweeper::ExpiryEntry& e = due[i];
        const uint32_t s = m.find_ip(e.lease_ip);
        const Lease* l = s == kNil ? nullptr : &m.slot(s).lease;
        if (l == nullptr || !detail::is_timed(l->state) || l->generation != e.generation) {
            ++c.stale;
        } else if (l->expires > now) {
            early.push_back(e);
            ++c.early;
        } else {
            events.push_back(m.expire_slot(s));
            changed.push_back(*l);
            ++c.expired;
        }
    }
    return c;
}

void LeaseEngine::timed_entries(std::vector<sweeper::ExpiryEntry>& out) const {
    const Impl& m = *impl_;
    out.reserve(out.size() + m.timed);
    sweeper::ExpiryEntry e;
    for (uint32_t s = 0; s < m.slot_count; ++s)
        if (to_expiry_entry(m.slot(s).lease, e)) out.push_back(e);
}

bool to_expiry_entry(const Lease& l, sweeper::ExpiryEntry& out) noexcept {
    if (!detail::is_timed(l.state)) return false;
    out = sweeper::ExpiryEntry{l.ip, static_cast<uint32_t>(l.generation), l.expires, l.generation};
    return true;
}

bool LeaseEngine::release(uint32_t ip, int64_t now, Lease& changed) {
    Impl& m = *impl_;
    const uint32_t s = m.slot_to_change(ip);
    if (s == kNil) return false;
    Lease& l = m.slot(s).lease;
    if (l.state == LeaseState::Bound) {
        m.set_state(s, LeaseState::Released);
        l.expires = now;
        m.fifo_push_back(s);
        m.bump(l);
    } else if (l.state == LeaseState::Offered) {
        m.expire_slot(s);
    } else {
        return false;
    }
    changed = l;
    return true;
}

bool LeaseEngine::expire(uint32_t ip, int64_t now, Lease& changed) {
    Impl& m = *impl_;
    const uint32_t s = m.slot_to_change(ip);
    if (s == kNil) return false;
    Lease& l = m.slot(s).lease;
    if (!detail::is_timed(l.state)) return false;
    if (l.state == LeaseState::Bound) l.expires = std::min(l.expires, now);
    m.expire_slot(s);
    changed = l;
    return true;
}

size_t LeaseEngine::expiry_heap_size() const noexcept {
    return impl_->heap.size();
}

const Lease* LeaseEngine::find(uint32_t ip) const {
    const Impl& m = *impl_;
    uint32_t s = m.find_ip(ip);
    if (s == kNil || m.slot(s).lease.state == LeaseState::Free) return nullptr;
    return &m.slot(s).lease;
}

uint64_t LeaseEngine::last_generation() const noexcept {
    return impl_->next_generation - 1;
}

uint32_t LeaseEngine::slot_count() const noexcept {
    return impl_->slot_count;
}
const Lease& LeaseEngine::slot_lease(uint32_t s) const noexcept {
    return impl_->slot(s).lease;
}

std::vector<Lease> LeaseEngine::leases() const {
    const Impl& m = *impl_;
    std::vector<Lease> out;
    for (uint32_t s = 0; s < m.slot_count; ++s)
        if (m.slot(s).lease.state != LeaseState::Free) out.push_back(m.slot(s).lease);
    return out;
}

std::vector<LeaseEngine::ScopeUse> LeaseEngine::scope_use() const {
    std::vector<ScopeUse> out;
    for (const ScopeState& sc : impl_->scopes)
        out.push_back(ScopeUse{sc.cfg->name, sc.pool_size, sc.bound, sc.offered, sc.declined});
    return out;
}

}  // namespace edgelease::control::dhcp
