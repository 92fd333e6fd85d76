#pragma once
// The sweeper lcore's work: schedule entries from the control lcore go into an ExpiryWheel;
// entries that fall due go back to the control lcore in bounded batches. Pure C++ (no DPDK)
// and driven by an explicit clock, so it is unit-tested with a fake one; poll() is the same
// with the wall clock, for the lcore loop.
//
// Bounded work per tick: at most `max_scheduled_per_tick` entries taken in and at most
// `max_due_per_tick` entries sent out. Due entries that did not fit into to_control (the
// control lcore is behind) are kept in a carry-over buffer and sent first on the next tick,
// before the wheel is advanced again: never lost, and the carry-over never exceeds one
// tick's batch. The wheel keeps the rest of a backlog (see ExpiryWheel::advance()).
//
// The sweeper never looks at lease state: it hands back (ip, generation) pairs and the control
// lcore drops those whose lease has moved on (LeaseEngine::expire_if_current).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "control/sweeper/expiry_wheel.hpp"
#include "control/sweeper/sweeper_link.hpp"

namespace edgelease::control::sweeper {

struct SweeperLimits {
    size_t max_scheduled_per_tick = 4096;  ///< schedule entries taken into the wheel per tick
    size_t max_due_per_tick = 4096;        ///< due entries sent (incl. carry-over) per tick
    uint32_t wheel_slots = 1u << 16;       ///< one-second slots (about 18 h per wheel round)
};

class Sweeper {
  public:
    /// Start-up: the wheel starts at second `now`; per-tick buffers are allocated here (a
    /// zero limit is taken as 1). `link` must outlive the sweeper. Throws std::bad_alloc,
    /// std::invalid_argument (wheel_slots 0).
    Sweeper(SweeperLink& link, int64_t now, const SweeperLimits& limits = {});
    Sweeper(const Sweeper&) = delete;
    Sweeper& operator=(const Sweeper&) = delete;

    /// One bounded step at time `now` (Unix seconds, expected non-decreasing; an earlier
    /// time only delays expiry): sends carry-over, takes new schedule entries into the wheel,
    /// advances the wheel to `now` and sends what fell due. Returns the entries moved (taken
    /// in + sent out); 0 means idle, so the caller may back off. Sweeper lcore only. Never
    /// throws: an entry the wheel cannot take (no memory) is counted in insert_failed and
    /// left to the engine's heap backstop.
    unsigned tick(int64_t now) noexcept;

    /// tick() at the wall clock's current second (CLOCK_REALTIME_COARSE: a vDSO read, no
    /// system call). What the sweeper lcore loop calls.
    unsigned poll() noexcept { return tick(wall_clock_now()); }

    /// Unix seconds from CLOCK_REALTIME_COARSE. The control lcore must use the same clock
    /// for expire_if_current's `now`, read after taking a batch (see LeaseEngine).
    static int64_t wall_clock_now() noexcept;

    /// Entries held by the wheel (due or not), and due entries waiting to be sent again.
    size_t wheel_size() const noexcept { return wheel_.size(); }
    size_t carry_over() const noexcept { return due_.size() - due_pos_; }
    const SweeperLimits& limits() const noexcept { return limits_; }

  private:
    SweeperLink& link_;
    SweeperLimits limits_;
    ExpiryWheel wheel_;
    std::vector<ExpiryEntry> in_;   // one tick's schedule entries (sized at construction)
    std::vector<ExpiryEntry> due_;  // one tick's due entries; [due_pos_, end) is carry-over
    size_t due_pos_ = 0;
};

}  // namespace edgelease::control::sweeper
