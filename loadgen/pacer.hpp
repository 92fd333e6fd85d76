#pragma once
// Open-loop pacing: starts are due at a fixed rate from the start time, whatever the
// answers do. Time is in ticks (TSC); pure and noexcept, so it is unit-tested with a fake
// clock.
#include <cstdint>

namespace edgelease::loadgen {

class Pacer {
  public:
    /// `rate` starts per second on a clock of `hz` ticks per second, from `start`. A
    /// generator that falls behind catches up by at most `max_backlog` starts at once; the
    /// rest are given up (counted by skipped()), so a stall never turns into a burst
    /// larger than that.
    Pacer(double rate, uint64_t hz, uint64_t start, uint32_t max_backlog) noexcept
        : per_tick_(rate / static_cast<double>(hz)), start_(start), max_backlog_(max_backlog) {}

    /// Starts due at `now` and not taken yet.
    uint32_t due(uint64_t now) noexcept {
        if (now <= start_) return 0;
        const auto expected = static_cast<uint64_t>(static_cast<double>(now - start_) * per_tick_);
        if (expected <= taken_) return 0;
        uint64_t d = expected - taken_;
        if (d > max_backlog_) {
            skipped_ += d - max_backlog_;
            taken_ += d - max_backlog_;
            d = max_backlog_;
        }
        return static_cast<uint32_t>(d);
    }
    /// n of the due starts were made (n <= due()).
    void take(uint32_t n) noexcept { taken_ += n; }
    uint64_t taken() const noexcept { return taken_; }
    uint64_t skipped() const noexcept { return skipped_; }

  private:
    double per_tick_;
    uint64_t start_;
    uint32_t max_backlog_;
    uint64_t taken_ = 0;
    uint64_t skipped_ = 0;
};

}  // namespace edgelease::loadgen
