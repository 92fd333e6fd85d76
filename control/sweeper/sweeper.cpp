#include "control/sweeper/sweeper.hpp"

#include <time.h>

#include <algorithm>
#include <new>

namespace edgelease::control::sweeper {

namespace {
SweeperLimits sane(SweeperLimits l) {
    l.max_scheduled_per_tick = std::max<size_t>(l.max_scheduled_per_tick, 1);
    l.max_due_per_tick = std::max<size_t>(l.max_due_per_tick, 1);
    return l;
}
}  // namespace

Sweeper::Sweeper(SweeperLink& link, int64_t now, const SweeperLimits& limits)
    : link_(link), limits_(sane(limits)), wheel_(now, limits_.wheel_slots) {
    in_.resize(limits_.max_scheduled_per_tick);
    due_.reserve(limits_.max_due_per_tick);  // advance() appends at most this many
}

int64_t Sweeper::wall_clock_now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<int64_t>(ts.tv_sec);
}

unsigned Sweeper::tick(int64_t now) noexcept {
    SweeperSideStats& st = link_.sweeper_stats();
    size_t budget = limits_.max_due_per_tick;
    size_t moved = 0;

    // 1. What an earlier tick could not deliver goes first (it is older than anything new).
    if (carry_over() != 0) {
        const size_t n = link_.send_due(due_.data() + due_pos_, std::min(budget, carry_over()));
        due_pos_ += n;
        budget -= n;
        moved += n;
    }

    // 2. New schedule entries. An entry already due lands in the wheel's current slot and
    // comes out in step 3 of this very tick.
    const size_t got = link_.take_scheduled(in_.data(), in_.size());
    for (size_t i = 0; i < got; ++i) {
        try {
            wheel_.insert(in_[i]);
        } catch (const std::bad_alloc&) {
            st.insert_failed.add();
        }
    }
    moved += got;

    // 3. Advance only once the carry-over is gone, so it stays within one tick's batch.
    bool full = carry_over() != 0;
    if (!full && budget != 0) {
        due_.clear();  // capacity reserved for max_due_per_tick: advance() does not allocate
        due_pos_ = 0;
        wheel_.advance(now, budget, due_);
        const size_t n = link_.send_due(due_.data(), due_.size());
        due_pos_ = n;
        moved += n;
        full = carry_over() != 0;
    }
    if (full) st.due_full.add();

    st.wheel_size.set(wheel_.size());
    st.backlog.set(carry_over() + wheel_.backlog());
    return static_cast<unsigned>(moved);
}

}  // namespace edgelease::control::sweeper
