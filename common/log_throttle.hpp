#pragma once
// Rate limit for the log line of a flood of like events (a full pool, a relay over its rate,
// failing commits): every event is counted, at most one line goes out per interval, and that
// line says how many events it stands for and over how long. One writer; no locks.
#include <cstdint>

namespace edgelease {

class LogThrottle {
  public:
    explicit LogThrottle(int64_t interval_s = 60) noexcept : interval_(interval_s) {}

    /// Counts one event at `now` (seconds). When a line is due (the first event, or one
    /// `interval` after the last line), calls log(events, seconds): the events the line
    /// stands for (this one included) and the seconds they span (0 for the first line).
    template <class Log>
    void note(int64_t now, Log&& log) noexcept(noexcept(log(uint64_t{}, 0LL))) {
        ++pending_;
        if (last_ != 0 && now - last_ < interval_) return;
        log(pending_, last_ == 0 ? 0LL : static_cast<long long>(now - last_));
        pending_ = 0;
        last_ = now;
    }

  private:
    int64_t interval_;
    uint64_t pending_ = 0;  // events since the last line
    int64_t last_ = 0;      // seconds of the last line, 0 = none yet
};

}  // namespace edgelease
