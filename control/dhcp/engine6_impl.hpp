#pragma once
// Engine6 internals shared by its .cpp files (engine6.cpp: construction, lookups and the RFC
// 9915 message handling; allocator6.cpp: lease state, pools, restore and expiry). Internal to
// control/dhcp; the model is described in engine6.hpp.
#include "control/dhcp/engine6.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <queue>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "control/dhcp/reply6.hpp"

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

/// A host name label from what the client sent: lower-cased letters, digits and inner
/// hyphens, 1..63 characters (RFC 1123 §2.1). Empty when it is not one.
inline std::string to_label(const uint8_t* p, size_t n) {
    if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-') return {};
    std::string out(n, '\0');
    for (size_t i = 0; i < n; ++i) {
        char c = static_cast<char>(p[i]);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return {};
        out[i] = c;
    }
    return out;
}

inline std::string bytes_key(const uint8_t* p, size_t n) {
    return std::string(reinterpret_cast<const char*>(p), n);
}

/// The reservation key of an (interface-id, remote-id) pair: the first one's length keeps
/// the two apart.
inline std::string relay_key(const uint8_t* iid, size_t iid_len, const uint8_t* rid,
                             size_t rid_len) {
    std::string k;
    k.push_back(static_cast<char>(iid_len >> 8));
    k.push_back(static_cast<char>(iid_len));
    if (iid_len != 0) k.append(reinterpret_cast<const char*>(iid), iid_len);
    if (rid_len != 0) k.append(reinterpret_cast<const char*>(rid), rid_len);
    return k;
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
    std::unordered_map<std::string, int32_t> res_by_duid, res_by_hw;
    // (interface-id, remote-id) pairs, either may be empty, as v4's (circuit-id, remote-id).
    std::unordered_map<std::string, int32_t> res_by_relay;
    uint32_t preferred = 0, valid = 0, t1 = 0, t2 = 0, probation = 0;
    uint32_t addresses_bound = 0, prefixes_bound = 0, declined = 0;

    bool on_link(const net::Ipv6Addr& a) const noexcept {
        return (to_u128(a) & mask_of(plen)) == net;
    }
};

struct HeapEntry {
    int64_t at;
    uint32_t index;
    uint64_t generation;
    bool operator>(const HeapEntry& o) const noexcept { return at > o.at; }
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

struct Engine6::Impl {
    config::Config cfg;
    std::vector<uint8_t> server_duid;
    std::vector<Scope6> scopes;
    std::vector<int32_t> iface_scope;  // by interface index: the scope on that link, -1
    std::vector<Lease6> leases;        // never shrinks: a lease is Free, not erased
    std::unordered_map<Lease6Key, uint32_t, Lease6KeyHash> by_key;
    std::unordered_map<std::string, std::vector<uint32_t>> by_binding;
    std::unordered_set<Lease6Key, Lease6KeyHash> reserved;
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap;
    uint64_t next_generation = kGeneration6Base + 1;
    bool restore_pending = false;
    ReplyWriter6 writer;

    explicit Impl(const config::Config& c, std::vector<uint8_t> duid);

    // ---- lookups ----
    int32_t select_scope(const Dhcp6Request& req) const noexcept;
    Who identify(const Dhcp6Request& req, uint32_t scope) const;
    static std::string binding_key(uint32_t scope, IaKind kind, uint32_t iaid, const uint8_t* duid,
                                   size_t len);
    std::string binding_of(const Lease6& l) const {
        return binding_key(l.scope, l.key.kind, l.iaid, l.duid.data(), l.duid.size());
    }
    uint32_t find(const Lease6Key& k) const noexcept {
        auto it = by_key.find(k);
        return it == by_key.end() ? UINT32_MAX : it->second;
    }
    bool in_pools(const Scope6& sc, const Lease6Key& k) const noexcept;

    // ---- state changes ----
    void bump(Lease6& l) noexcept { l.generation = next_generation++; }
    void index_binding(uint32_t i);
    void unindex_binding(uint32_t i);
    void to_fifo(uint32_t i);
    void schedule(uint32_t i);
    void record(Result6& out, const Lease6& l, LeaseEvent ev) {
        out.changed.push_back(l);
        out.events.push_back(ev);
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
    void held(const std::string& bkey, std::vector<uint32_t>& out) const;
    /// The reservation's address (kind Na) or prefixes (kind Pd), none without a reservation.
    void reserved_keys(const Scope6& sc, const Who& who, IaKind kind,
                       std::vector<Lease6Key>& out) const;
    /// What the client would get for a new IA now: its binding, reservation, hint or the
    /// allocator's next. `take` advances the allocator (a Request), else it only looks.
    bool choose(Scope6& sc, const Who& who, const Ia6& ia, bool take, std::vector<Lease6Key>& out);
    /// Binds `k` to the client's IA (Granted, or Renewed when it already was its binding).
    uint32_t bind(Scope6& sc, const Who& who, const Dhcp6Request& req, const Ia6& ia,
                  const Lease6Key& k, int64_t now, Result6& out);
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
