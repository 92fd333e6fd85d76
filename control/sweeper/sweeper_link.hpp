#pragma once
// The two queues between the control lcore (the one writer of lease state) and the sweeper
// lcore (the expiry wheel), plus their counters.
//
//   control --to_sweeper-->  sweeper   "lease ip expires at t, generation g" (schedule)
//   control <--to_control--  sweeper   "this (ip, g) is due now" (in batches)
//
// Each queue is a boost::lockfree::spsc_queue with one producer and one consumer thread, its
// ring allocated on the heap at construction (run-time capacity). The control side also keeps
// a capped `pending` buffer for schedule entries that found to_sweeper full (a burst of
// renewals, or a million restored leases seeded at start-up): flush() moves them in bounded
// batches. Entries past the cap are dropped and counted; that loses no expiry, because the
// lease engine's own expiry heap stays as a backstop (LeaseEngine::expire_due).
//
// Threads: methods say which lcore may call them. Counters are written by one lcore each and
// readable from any thread (relaxed atomics).
#include <boost/lockfree/spsc_queue.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "control/sweeper/expiry_wheel.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::control::sweeper {

/// A value with one writer, readable from any thread (a gauge, unlike a Counter).
class Gauge {
  public:
    void set(uint64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
    uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> v_{0};
};

/// Written by the control lcore only.
struct alignas(64) ControlSideStats {
    edgelease::Counter scheduled;         ///< schedule entries pushed into to_sweeper
    edgelease::Counter schedule_full;     ///< entries that had to wait in pending (queue full)
    edgelease::Counter schedule_dropped;  ///< entries dropped: pending over its cap (heap backstop)
    edgelease::Counter due_taken;         ///< due entries taken out of to_control
    Gauge pending;                        ///< entries waiting in the control side's buffer
};

/// Written by the sweeper lcore only.
struct alignas(64) SweeperSideStats {
    edgelease::Counter received;       ///< schedule entries taken out of to_sweeper
    edgelease::Counter insert_failed;  ///< the wheel could not grow (bad_alloc): heap backstop
    edgelease::Counter due_sent;       ///< due entries pushed into to_control
    edgelease::Counter due_full;       ///< ticks that found to_control full (carry-over kept)
    Gauge backlog;     ///< due entries not yet delivered (carry-over + the wheel's backlog())
    Gauge wheel_size;  ///< entries held by the wheel (due or not)
};

class SweeperLink {
  public:
    static constexpr size_t kDefaultCapacity = 65536;
    /// Above the 10M-lease scale target, so seeding a full appliance never drops (24 B each).
    static constexpr size_t kDefaultMaxPending = size_t{1} << 24;

    /// Allocates both rings (`capacity` entries each, > 0) and reserves a little pending
    /// space. Start-up only: throws std::bad_alloc / std::invalid_argument (capacity 0).
    /// Allocate the link itself on the heap too (it is shared by two lcores and outlives both
    /// loops); it is neither copyable nor movable.
    explicit SweeperLink(size_t capacity = kDefaultCapacity,
                         size_t max_pending = kDefaultMaxPending);
    SweeperLink(const SweeperLink&) = delete;
    SweeperLink& operator=(const SweeperLink&) = delete;

    // ---- control lcore ----------------------------------------------------------------------

    /// Schedules one expiry. Goes straight into to_sweeper when nothing is pending and there
    /// is room; otherwise it waits in the pending buffer (FIFO) for flush(). Returns false
    /// only when it was dropped (pending full, or no memory): counted in schedule_dropped.
    /// May allocate while the pending buffer grows; never throws.
    bool schedule(const ExpiryEntry& e) noexcept;

    /// Start-up (seeding after restore): queues all of `entries` behind anything pending,
    /// adopting the vector's storage when nothing is pending. Entries past the cap are
    /// dropped (counted). Pushes nothing itself: call flush() from the control loop. Throws
    /// std::bad_alloc when appending behind pending entries cannot grow the buffer.
    void schedule_all(std::vector<ExpiryEntry>&& entries);

    /// Moves up to `max` pending entries into to_sweeper (bounded work per poll). Returns the
    /// number moved. Releases the pending buffer's memory once a large backlog has drained.
    size_t flush(size_t max) noexcept;

    /// Takes up to `max` due entries from the sweeper into `out`. Returns how many.
    size_t take_due(ExpiryEntry* out, size_t max) noexcept;

    /// Entries in the pending buffer (control lcore only; other threads read
    /// control_stats().pending).
    size_t pending() const noexcept { return pending_.size() - pending_pos_; }

    // ---- sweeper lcore ----------------------------------------------------------------------

    /// Takes up to `max` schedule entries into `out`. Returns how many.
    size_t take_scheduled(ExpiryEntry* out, size_t max) noexcept;

    /// Pushes up to `n` due entries; returns how many fit (the rest stays with the caller).
    size_t send_due(const ExpiryEntry* in, size_t n) noexcept;

    // ---- any thread -------------------------------------------------------------------------

    const ControlSideStats& control_stats() const noexcept { return control_stats_; }
    const SweeperSideStats& sweeper_stats() const noexcept { return sweeper_stats_; }
    /// For the Sweeper, which owns these counters' writes.
    SweeperSideStats& sweeper_stats() noexcept { return sweeper_stats_; }
    size_t capacity() const noexcept { return capacity_; }

  private:
    using Queue = boost::lockfree::spsc_queue<ExpiryEntry>;  // run-time capacity: heap ring
    static constexpr size_t kKeepPending = 4096;             // pending capacity kept after a drain

    void compact_pending() noexcept;

    const size_t capacity_;
    const size_t max_pending_;
    alignas(64) Queue to_sweeper_;
    alignas(64) Queue to_control_;
    // Control lcore only.
    alignas(64) std::vector<ExpiryEntry> pending_;
    size_t pending_pos_ = 0;  // entries before it were pushed already
    ControlSideStats control_stats_;
    SweeperSideStats sweeper_stats_;
};

static_assert(std::is_trivially_copyable_v<ExpiryEntry>, "SPSC messages are copied bytewise");

}  // namespace edgelease::control::sweeper
