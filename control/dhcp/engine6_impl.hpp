#pragma once
// Engine6 internals shared by its .cpp files (engine6.cpp: construction, lookups and the RFC
// 9915 message handling; allocator6.cpp: lease state, pools, restore and expiry). Internal to
// control/dhcp; the model is described in engine6.hpp.
#include "common/huge_alloc.hpp"
#include "control/dhcp/engine6.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "control/dhcp/expiry_heap.hpp"
#include "control/dhcp/hash.hpp"
#include "control/dhcp/reply6.hpp"
#include "control/dhcp/reservation_index.hpp"
#include "control/dhcp/slot_table.hpp"

namespace edgelease::control::dhcp {

namespace detail6 {

using U128 = unsigned __int128;

inline U128 to_u128(const net::Ipv6Addr& a) noexcept {
    U128 v = 0;
    for (uint8_t b : a.bytes) v = (v << 8) | b;
    return v;
}

inline net::Ipv6Addr from_u128(U128 v) noexcept {
    net::Ipv6Addr a;
    for (int i = 15; i >= 0; --i) {
        a.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(v & 0xff);
        v >>= 8;
    }
    return a;
}

inline U128 mask_of(uint8_t len) noexcept {
    return len == 0 ? 0 : ~U128{0} << (128 - len);
}

inline bool has_binding(LeaseState s) noexcept {
    return s == LeaseState::Bound || s == LeaseState::Released || s == LeaseState::Expired;
}

inline bool is_unspecified(const net::Ipv6Addr& a) noexcept {
    for (uint8_t b : a.bytes)
        if (b != 0) return false;
    return true;
}

inline bool is_link_local(const net::Ipv6Addr& a) noexcept {
    return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

/// Whether the client sent a host name label: letters, digits and inner hyphens, 1..63
/// characters (RFC 1123 §2.1).
inline bool is_label(const uint8_t* p, size_t n) noexcept {
    if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-') return false;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    return true;
}

/// `out` = the label lower-cased, in place (no allocation once `out` has the room).
inline void assign_label(std::string& out, const uint8_t* p, size_t n) {
    out.assign(reinterpret_cast<const char*>(p), n);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

inline bool same_bytes(const std::vector<uint8_t>& v, const uint8_t* p, size_t n) noexcept {
    return v.size() == n && (n == 0 || std::memcmp(v.data(), p, n) == 0);
}

// Reservation index seeds: one per kind of identifier.
inline constexpr uint64_t kSeedDuid = 1;
inline constexpr uint64_t kSeedHw = 2;
inline constexpr uint64_t kSeedRelay = 37;

/// The reservation hash of an (interface-id, remote-id) pair, either may be empty: each
/// part's length is mixed in, so the two stay apart.
inline uint64_t relay_hash(const uint8_t* iid, size_t iid_len, const uint8_t* rid,
                           size_t rid_len) noexcept {
    return detail::hash_bytes(rid, rid_len, detail::hash_bytes(iid, iid_len, kSeedRelay));
}

inline constexpr uint32_t kInfinite = 0xffffffff;

inline uint32_t clamp_lifetime(std::chrono::seconds s) noexcept {
    const auto v = s.count();
    return v <= 0 ? 0 : v >= kInfinite ? kInfinite - 1 : static_cast<uint32_t>(v);
}

}  // namespace detail6

// ---- state ----------------------------------------------------------------------------------

namespace detail6 {

struct AddrPool {
    U128 first = 0, last = 0;
    U128 cursor = 0;  // next never-used candidate
    bool done = false;
    std::deque<std::pair<Lease6Key, uint64_t>> fifo;  // freed (key, generation), oldest first
    uint64_t size = 0;                                // saturating
};

struct PdPool {
    U128 base = 0;
    uint8_t plen = 0, dlen = 0;
    U128 count = 0;   // delegable prefixes
    U128 cursor = 0;  // next never-used index
    std::deque<std::pair<Lease6Key, uint64_t>> fifo;
};

struct Scope6 {
    const config::Scope6Config* cfg = nullptr;
    U128 net = 0;
    uint8_t plen = 0;
    std::vector<AddrPool> pools;
    std::vector<PdPool> pd_pools;
    detail::ReservationIndex res_by_duid, res_by_hw;
    // (interface-id, remote-id) pairs, either may be empty, as v4's (circuit-id, remote-id).
    detail::ReservationIndex res_by_relay;
    uint32_t preferred = 0, valid = 0, t1 = 0, t2 = 0, probation = 0;
    uint32_t addresses_bound = 0, prefixes_bound = 0, declined = 0;

    bool on_link(const net::Ipv6Addr& a) const noexcept {
        return (to_u128(a) & mask_of(plen)) == net;
    }
};

/// A client's IA: what its leases are found by (scope, IA type, IAID, DUID), with its hash.
struct Binding {
    uint32_t scope = 0;
    IaKind kind = IaKind::Na;
    uint32_t iaid = 0;
    const uint8_t* duid = nullptr;
    size_t duid_len = 0;
    uint32_t hash = 0;

    Binding(uint32_t s, IaKind k, uint32_t i, const uint8_t* d, size_t n) noexcept
        : scope(s), kind(k), iaid(i), duid(d), duid_len(n) {
        const uint64_t seed = (uint64_t{s} << 40) ^ (uint64_t{static_cast<uint8_t>(k)} << 32) ^ i;
        hash = static_cast<uint32_t>(detail::hash_bytes(d, n, seed));
    }
    explicit Binding(const Lease6& l) noexcept
        : Binding(l.scope, l.key.kind, l.iaid, l.duid.data(), l.duid.size()) {}
    bool holds(const Lease6& l) const noexcept {
        return l.scope == scope && l.key.kind == kind && l.iaid == iaid &&
               same_bytes(l.duid, duid, duid_len);
    }
};

/// A lease's place in its binding's list (insertion order): `prev` of the first is the last,
/// `next` of the last is kNil. The binding index points at the first.
struct BindingLink {
    uint32_t prev = detail::kNil;
    uint32_t next = detail::kNil;
    uint32_t hash = 0;  // the binding's, kept for unlinking
    bool linked = false;
};

/// Who a request is about, worked out once per request.
struct Who {
    const uint8_t* duid = nullptr;
    size_t duid_len = 0;
    bool has_hw = false;
    net::MacAddr hw;
    int32_t reservation = -1;
    uint32_t scope = 0;
};

}  // namespace detail6

using namespace detail6;
using detail::kNil;

struct Engine6::Impl {
    config::Config cfg;
    std::vector<uint8_t> server_duid;
    std::vector<Scope6> scopes;
    std::vector<int32_t> iface_scope;  // by interface index: the scope on that link, -1
    // Never shrinks: a lease is Free, not erased.
    std::vector<Lease6, HugePageAllocator<Lease6>> leases;
    // By lease index: its binding list.
    std::vector<BindingLink, HugePageAllocator<BindingLink>> links;
    detail::SlotTable by_key;      // Lease6Key hash -> lease
    detail::SlotTable by_binding;  // Binding hash -> the binding's first lease
    std::unordered_set<Lease6Key, Lease6KeyHash> reserved;
    // Per-request scratch, reused so that a warm engine does not allocate.
    std::vector<Lease6Key> keys_scratch, want_scratch;
    std::vector<uint32_t> held_scratch;
    // Expiry times. A timed lease (Bound, Declined) always has an entry at its `expires`; one
    // whose lease left the timed states or moved its expiry is stale (heap_stale).
    detail::ExpiryHeap heap;
    uint64_t next_generation = kGeneration6Base + 1;
    bool restore_pending = false;
    ReplyWriter6 writer;

    explicit Impl(const config::Config& c, std::vector<uint8_t> duid);

    // ---- lookups ----
    int32_t select_scope(const Dhcp6Request& req) const noexcept;
    Who identify(const Dhcp6Request& req, uint32_t scope) const;
    static uint32_t key_hash(const Lease6Key& k) noexcept {
        return static_cast<uint32_t>(Lease6KeyHash{}(k));
    }
    uint32_t find(const Lease6Key& k) const noexcept {
        return by_key.find(key_hash(k), [&](uint32_t i) { return leases[i].key == k; });
    }
    bool is_reserved(const Lease6Key& k) const noexcept {
        return !reserved.empty() && reserved.count(k) != 0;
    }
    /// The first lease of the binding's list, kNil when it has none.
    uint32_t binding_head(const Binding& b) const noexcept {
        return by_binding.find(b.hash, [&](uint32_t i) { return b.holds(leases[i]); });
    }
    /// A new lease (Free) at `k` in `scope`.
    uint32_t add_lease(const Lease6& l);
    bool in_pools(const Scope6& sc, const Lease6Key& k) const noexcept;

    // ---- state changes ----
    void bump(Lease6& l) noexcept { l.generation = next_generation++; }
    void index_binding(uint32_t i);
    void unindex_binding(uint32_t i);
    void to_fifo(uint32_t i);
    void schedule(uint32_t i);
    bool heap_stale(const detail::ExpiryHeap::Entry& e) const noexcept {
        const Lease6& l = leases[e.index];
        return !(l.state == LeaseState::Bound || l.state == LeaseState::Declined) ||
               l.expires != e.at;
    }
    size_t timed() const noexcept;  // leases Bound or Declined
    /// Lists the lease in slot `i` as changed (a copy, as it is now) with its event.
    void record(Result6& out, uint32_t i, LeaseEvent ev) {
        out.changed.push_back(leases[i]);
        out.events.push_back(ev);
        out.slots.push_back(i);
    }
    void count(const Lease6& l, int delta) noexcept;
    void set_state(uint32_t i, LeaseState st) noexcept;
    void finish_restore();

    // ---- allocation ----
    bool available(const Lease6Key& k) const noexcept;
    /// The front of a pool's FIFO that is still free (stale entries dropped on the way).
    bool oldest_freed(std::deque<std::pair<Lease6Key, uint64_t>>& fifo, bool take, Lease6Key& out);
    bool next_free(Scope6& sc, IaKind kind, bool take, Lease6Key& out);
    /// The leases of the client's IA that it may renew (Bound or Expired).
    void held(const Binding& b, std::vector<uint32_t>& out) const;
    /// The reservation's address (kind Na) or prefixes (kind Pd), none without a reservation.
    void reserved_keys(const Scope6& sc, const Who& who, IaKind kind,
                       std::vector<Lease6Key>& out) const;
    /// What the client would get for a new IA now: its binding, reservation, hint or the
    /// allocator's next. `take` advances the allocator (a Request), else it only looks.
    bool choose(Scope6& sc, const Who& who, const Ia6& ia, bool take, std::vector<Lease6Key>& out);
    /// Binds `k` to the client's IA (Granted, or Renewed when it already was its binding).
    /// `held_now`: lease slots held() listed for the IA (a hint; any slot list will do).
    uint32_t bind(Scope6& sc, const Who& who, const Dhcp6Request& req, const Ia6& ia,
                  const Lease6Key& k, int64_t now, Result6& out,
                  const std::vector<uint32_t>& held_now);
    void fill(Lease6& l, const Scope6& sc, const Who& who, const Dhcp6Request& req);

    // ---- messages ----
    void assign(const Dhcp6Request& req, Scope6& sc, const Who& who, bool commit, int64_t now,
                Result6& out);
    void extend(const Dhcp6Request& req, Scope6& sc, const Who& who, bool rebind, int64_t now,
                Result6& out);
    void release_or_decline(const Dhcp6Request& req, Scope6& sc, const Who& who, bool decline,
                            int64_t now, Result6& out);
    void confirm(const Dhcp6Request& req, const Scope6& sc, Result6& out);
    void information(const Dhcp6Request& req, const Scope6& sc, Result6& out);
    size_t expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                      std::vector<LeaseEvent>& events);
    LeaseEvent expire_lease(uint32_t i);
};

}  // namespace edgelease::control::dhcp
