#pragma once
// Idle back-off for polling loops: after a run of empty polls, sleep a little, doubling up to
// a ceiling. Lets poll-mode lcores share CPUs on small machines. Only sleeps when idle, so
// the loaded hot path never makes a syscall.
#include <time.h>

#include <cstdint>

namespace edgelease {

class IdleBackoff {
public:
    /// max_sleep_us = 0 disables sleeping (pure busy polling).
    explicit IdleBackoff(uint32_t max_sleep_us) noexcept : max_us_(max_sleep_us) {}

    void on_work() noexcept {
        empty_ = 0;
        sleep_us_ = 1;
    }
    /// Returns true when it slept.
    bool on_idle() noexcept {
        if (max_us_ == 0 || ++empty_ < kSpinPolls) return false;
        timespec ts{0, static_cast<long>(sleep_us_) * 1000};
        nanosleep(&ts, nullptr);
        sleep_us_ = sleep_us_ * 2 > max_us_ ? max_us_ : sleep_us_ * 2;
        return true;
    }

private:
    static constexpr uint32_t kSpinPolls = 64;
    uint32_t max_us_;
    uint32_t sleep_us_ = 1;
    uint32_t empty_ = 0;
};

}  // namespace edgelease
