#pragma once
// Idle back-off for polling loops: after a run of empty polls, sleep a little, doubling up to
// a ceiling. Lets poll-mode lcores share CPUs on small machines. Only sleeps when idle, so
// the loaded hot path never makes a syscall. With a Doorbell the sleep is a futex wait that
// whoever hands the lcore work can cut short (common/doorbell.hpp).
#include <sched.h>
#include <time.h>

#include <cstdint>

#include "common/doorbell.hpp"

namespace edgelease {

class IdleBackoff {
  public:
    /// max_sleep_us = 0 disables sleeping (pure busy polling).
    /// `bell`: sleep on it (rung = woken early) rather than in nanosleep; nullptr = plain sleep.
    explicit IdleBackoff(uint32_t max_sleep_us, Doorbell* bell = nullptr) noexcept
        : max_us_(max_sleep_us), bell_(bell) {}

    void on_work() noexcept {
        empty_ = 0;
        sleep_us_ = 1;
    }
    /// Returns true when it slept.
    bool on_idle() noexcept {
        return on_idle([]() noexcept { return false; });
    }
    /// With a bell: `pending()` re-checks for work after announcing the sleep, so that a ring
    /// racing the announcement is never lost (see Doorbell). True when it slept.
    template <typename Pending>
    bool on_idle(Pending&& pending) noexcept {
        if (max_us_ == 0 || ++empty_ < kSpinPolls) return false;
        if (empty_ < kSpinPolls + kYieldPolls) {
            // Hand the CPU to whoever else is runnable on it (a shared CPU's control lcore or
            // lease writer) without a timer: a timed sleep costs far more CPU to enter and
            // leave (about 12 us on a virtual machine) than a yield (about 1 us).
            sched_yield();
            return false;
        }
        if (bell_ != nullptr) {
            const uint32_t seen = bell_->prepare();
            if (pending()) {
                bell_->cancel();
                empty_ = 0;
                return false;
            }
            if (bell_->wait(seen, sleep_us_)) {
                sleep_us_ = 1;  // rung: work is coming, the next idle stretch starts short
                empty_ = 0;
                return true;
            }
        } else {
            timespec ts{0, static_cast<long>(sleep_us_) * 1000};
            nanosleep(&ts, nullptr);
        }
        sleep_us_ = sleep_us_ * 2 > max_us_ ? max_us_ : sleep_us_ * 2;
        return true;
    }

    /// For a loop that blocks in a wait of its own (a worker in epoll on its queues): counts
    /// an empty poll; true once the caller should block. Stays true until on_work(): a wait
    /// that ended with nothing to do blocks again at once. It spins 16 polls first, and
    /// never yields: in a 25 % CPU share a sched_yield cost more than the wake-up it saved
    /// (10 % of the worker's CPU at 48k answers/s), and so did longer spins (1024 polls:
    /// 12 % fewer answers than 16; docs/benchmarks.md).
    bool ready_to_block() noexcept {
        if (empty_ < kSpinBeforeBlock) {
            ++empty_;
            return false;
        }
        return true;
    }

  private:
    static constexpr uint32_t kSpinPolls = 64;
    static constexpr uint32_t kSpinBeforeBlock = 16;
    static constexpr uint32_t kYieldPolls = 16;
    uint32_t max_us_;
    Doorbell* bell_;
    uint32_t sleep_us_ = 1;
    uint32_t empty_ = 0;
};

}  // namespace edgelease
