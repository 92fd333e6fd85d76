#pragma once
// Rate limit for the log line of a flood of like events (a full pool, a relay over its rate,
// failing commits): every event is counted, at most one line goes out per interval, and that
// line says how many events it stands for and over how long. One writer; no locks.
#include <cstdint>

namespace edgelease {

class LogThrottle {
  public:
    explicit LogThrottle(int64_t interval_s = 60) noexcept : interval_(interval_s) {}

    /// Counts one event at `now` (seconds); true when a line is due (the first event, or one
    /// `interval` after the last line).
    bool note(int64_t now) noexcept {
        ++pending_;
        return last_ == 0 || now - last_ >= interval_;
    }
    /// Events the due line stands for (this one included).
    uint64_t pending() const noexcept { return pending_; }
    /// Seconds the due line covers (0 for the first).
    long long window(int64_t now) const noexcept {
        return last_ == 0 ? 0 : static_cast<long long>(now - last_);
    }
    /// After the line went out.
    void logged(int64_t now) noexcept {
        pending_ = 0;
        last_ = now;
    }

  private:
    int64_t interval_;
    uint64_t pending_ = 0;  // events since the last line
    int64_t last_ = 0;      // seconds of the last line, 0 = none yet
};

}  // namespace edgelease
