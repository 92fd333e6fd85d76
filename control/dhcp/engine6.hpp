#pragma once
// The DHCPv6 lease engine (RFC 9915): IA_NA addresses and IA_PD delegated prefixes. Lives on
// the control lcore beside the DHCPv4 LeaseEngine, the only writer of v6 leases. Pure C++ (no
// DPDK), driven by Dhcp6Requests with an explicit clock, so it is tested as a table.
//
// Model. A lease exists for every address or prefix that has ever been bound; it is found by
// its key (Lease6Key) and, while it belongs to a client (Bound, Released, Expired), by the
// client's binding (scope, DUID, IAID, IA type). Addresses and prefixes never used have no
// lease: a cursor per pool walks them in ascending order and hands them out first. Released,
// expired and free ones wait in a FIFO per pool, oldest first; a released or expired one still
// belongs to its client (it gets it back) until the allocator reaches it and gives it to
// someone else. Reserved addresses and prefixes never enter a pool's reach.
//
// An Advertise promises nothing: it names what a Request would get now (the client's
// binding, its reservation, its hint when free, else the allocator's next) without holding it,
// so Solicits cost no lease write. A Request, a Rapid Commit Solicit, a Renew or a Rebind
// binds, and its Reply must leave only once Result6::changed is durable.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/lease6.hpp"
#include "control/dhcp/lease_engine.hpp"  // LeaseEvent, Outcome
#include "dataplane/dhcp/messages6.hpp"

namespace edgelease::control::dhcp {

/// v6 lease generations start here, above any v4 one, so that a sweeper entry's generation
/// tells which family's engine it belongs to (its lease_ip is then the v6 lease's index).
inline constexpr uint64_t kGeneration6Base = uint64_t{1} << 62;
inline bool is_v6_entry(const sweeper::ExpiryEntry& e) noexcept {
    return e.generation >= kGeneration6Base;
}

/// The leases one request changed, read like a vector. clear() keeps the elements, and with
/// them their DUID and name buffers, for the next request: a warm control lcore copies leases
/// in without allocating.
class LeaseChanges6 {
  public:
    size_t size() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    const Lease6& operator[](size_t i) const noexcept { return v_[i]; }
    const Lease6* begin() const noexcept { return v_.data(); }
    const Lease6* end() const noexcept { return v_.data() + n_; }
    operator std::span<const Lease6>() const noexcept { return {v_.data(), n_}; }
    void clear() noexcept { n_ = 0; }
    void reserve(size_t n) { v_.reserve(n); }
    /// Appends a copy of `l` (copy-assigned into a kept element when there is one).
    void push_back(const Lease6& l) {
        if (n_ < v_.size())
            v_[n_] = l;
        else
            v_.push_back(l);
        ++n_;
    }

  private:
    std::vector<Lease6> v_;
    size_t n_ = 0;
};

struct Result6 {
    Outcome outcome = Outcome::Answered;
    bool has_reply = false;
    Dhcp6Reply reply;  // valid when has_reply
    /// Leases that changed, in the order they changed (a Replaced binding before the lease
    /// that took its place); persist them before the reply leaves.
    LeaseChanges6 changed;
    std::vector<LeaseEvent> events;  // events[i] is what happened to changed[i]
    std::vector<uint32_t> slots;     // slots[i]: the engine's slot of changed[i]
};

class Engine6 {
  public:
    /// Scopes, pools and reservations of cfg.dhcp6; `server_duid` is option 2's content
    /// (kept in the lease store across restarts). Throws std::invalid_argument when a scope
    /// cannot be served (the configuration checks make that unreachable).
    Engine6(const config::Config& cfg, std::vector<uint8_t> server_duid);
    ~Engine6();
    Engine6(const Engine6&) = delete;
    Engine6& operator=(const Engine6&) = delete;

    /// Handles one request at time `now` (Unix seconds). `out` is overwritten.
    void handle(const Dhcp6Request& req, int64_t now, Result6& out);

    /// Start-up and reload: re-creates a lease read from storage. False (dropped) when its
    /// scope or key no longer fits the configuration.
    bool restore(const Lease6& lease);
    /// Start-up, before restore(): room for `n` more leases, so that the tables are sized
    /// once instead of rehashed as they grow.
    void reserve(size_t n);

    /// Expires up to `max` leases whose time has come (Bound -> Expired at the end of the
    /// valid lifetime; Declined -> Free at the end of probation), appending them in their new
    /// state and what happened. Bounded: O(max log n) plus stale heap entries skipped.
    size_t expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                      std::vector<LeaseEvent>& events);

    // ---- expiry on the sweeper lcore (as LeaseEngine's; see there) ----
    /// The sweeper entry of the lease at `key` when it is Bound or Declined; false otherwise.
    bool expiry_entry(const Lease6Key& key, sweeper::ExpiryEntry& out) const;
    /// The same for a lease handle() just changed, its slot given (Result6::slots): no look-up
    /// when the slot still holds the key.
    bool expiry_entry(uint32_t slot, const Lease6Key& key, sweeper::ExpiryEntry& out) const;
    /// Every timed lease's entry (start-up, and after a reload renumbered the leases).
    void timed_entries(std::vector<sweeper::ExpiryEntry>& out) const;
    /// Applies due entries (only v6 ones: is_v6_entry) still current at `now`.
    LeaseEngine::SweptCounts expire_swept(std::span<const sweeper::ExpiryEntry> due, int64_t now,
                                          std::vector<Lease6>& changed,
                                          std::vector<LeaseEvent>& events,
                                          std::vector<sweeper::ExpiryEntry>& early);

    /// Operator actions (management API): act like the client's Release / like an expiry.
    bool release(const Lease6Key& key, int64_t now, Lease6& changed);
    bool expire(const Lease6Key& key, int64_t now, Lease6& changed);

    const Lease6* find(const Lease6Key& key) const;
    /// Calls `fn` for every lease not Free. `fn` must not change this engine. O(leases).
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (size_t i = 0, n = lease_count(); i < n; ++i)
            if (const Lease6* l = lease_at(i); l != nullptr && l->state != LeaseState::Free) fn(*l);
    }

    /// for_each over the leases [from, from + max) only (in allocation order, which only
    /// grows). Returns where the next call goes on: the lease count once all were visited.
    template <class Fn>
    size_t for_each_slice(size_t from, size_t max, Fn&& fn) const {
        const size_t n = lease_count();
        const size_t end = from < n && max < n - from ? from + max : n;
        for (size_t i = from; i < end; ++i)
            if (const Lease6* l = lease_at(i); l != nullptr && l->state != LeaseState::Free) fn(*l);
        return end;
    }

    struct ScopeUse {
        std::string name;
        uint64_t addresses = 0;  // in the address pools (saturating)
        uint64_t prefixes = 0;   // delegable prefixes in the PD pools (saturating)
        uint32_t addresses_bound = 0;
        uint32_t prefixes_bound = 0;
        uint32_t declined = 0;
    };
    std::vector<ScopeUse> scope_use() const;

    const std::vector<uint8_t>& server_duid() const noexcept;
    /// Entries in the expiry heap, live and stale (metrics, tests).
    size_t expiry_heap_size() const noexcept;

    /// Leases held (in allocation order, any state).
    size_t lease_count() const noexcept;
    /// The generation the latest lease change took (kGeneration6Base: none yet).
    uint64_t last_generation() const noexcept;

  private:
    const Lease6* lease_at(size_t i) const noexcept;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace edgelease::control::dhcp
