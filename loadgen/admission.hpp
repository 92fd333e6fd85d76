#pragma once
// When a generator starts transactions and when it stops: open loop by a Pacer, closed loop
// by the room left under --outstanding, never past --count or --duration. Shared by both
// generator loops; pure (time in ticks), noexcept, unit-tested.
#include <algorithm>
#include <cstdint>

#include "loadgen/pacer.hpp"
#include "loadgen/report.hpp"

namespace edgelease::loadgen {

class Admission {
  public:
    /// rate 0 = closed loop. count 0 / duration 0 = no such bound. `burst` caps the starts
    /// of one loop iteration; an open loop that fell behind catches up by at most
    /// max(burst, rate / 1000) at once.
    Admission(double rate, uint64_t count, double duration_s, uint16_t burst, uint64_t hz,
              uint64_t start) noexcept
        : open_(rate > 0),
          count_(count),
          burst_(burst),
          end_(duration_s > 0 ? start + static_cast<uint64_t>(duration_s * static_cast<double>(hz))
                              : UINT64_MAX),
          pacer_(rate, hz, start, std::max<uint32_t>(burst, static_cast<uint32_t>(rate / 1000))) {}

    /// True once no more may start: the count is reached or the duration is over.
    bool over(uint64_t now) const noexcept {
        return now >= end_ || (count_ != 0 && started_ >= count_);
    }

    /// How many to start now, with `room` more allowed in flight. Open loop: starts that are
    /// due but have no room are given up and counted as window_full (never queued).
    uint32_t allow(uint64_t now, uint32_t room, LoopCounters& c) noexcept {
        uint64_t want = burst_;
        if (open_) {
            want = std::min<uint64_t>(pacer_.due(now), burst_);
            if (want > room) {
                c.window_full.add(want - room);
                pacer_.take(static_cast<uint32_t>(want - room));
                want = room;
            }
        } else {
            want = std::min<uint64_t>(want, room);
        }
        if (count_ != 0) want = std::min<uint64_t>(want, count_ - started_);
        return static_cast<uint32_t>(want);
    }

    /// n of the allowed starts were made.
    void started(uint32_t n) noexcept {
        started_ += n;
        if (open_) pacer_.take(n);
    }
    /// n allowed starts could not be made (no idle client): an open loop gives them up,
    /// counted as no_idle_client; a closed loop simply tries again.
    void no_client(uint32_t n, LoopCounters& c) noexcept {
        if (!open_ || n == 0) return;
        c.no_idle_client.add(n);
        pacer_.take(n);
    }

    uint64_t total_started() const noexcept { return started_; }

  private:
    bool open_;
    uint64_t count_;
    uint16_t burst_;
    uint64_t end_;
    Pacer pacer_;
    uint64_t started_ = 0;
};

}  // namespace edgelease::loadgen
