#include "control/sweeper/sweeper_link.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

namespace edgelease::control::sweeper {

namespace {
size_t checked(size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("SweeperLink: capacity must be > 0");
    return capacity;
}
}  // namespace

SweeperLink::SweeperLink(size_t capacity, size_t max_pending)
    : capacity_(checked(capacity)),
      max_pending_(max_pending),
      to_sweeper_(capacity),
      to_control_(capacity) {
    pending_.reserve(kKeepPending);
}

// ---- control lcore --------------------------------------------------------------------------

bool SweeperLink::schedule(const ExpiryEntry& e) noexcept {
    if (pending() == 0 && to_sweeper_.push(e)) {
        control_stats_.scheduled.add();
        return true;
    }
    // Behind older pending entries (FIFO) or the ring is full: wait for flush().
    if (pending() >= max_pending_) {
        control_stats_.schedule_dropped.add();
        return false;
    }
    try {
        pending_.push_back(e);
    } catch (const std::bad_alloc&) {
        control_stats_.schedule_dropped.add();
        return false;
    }
    control_stats_.schedule_full.add();
    control_stats_.pending.set(pending());
    return true;
}

void SweeperLink::schedule_all(std::vector<ExpiryEntry>&& entries) {
    const size_t room = max_pending_ - std::min(max_pending_, pending());
    if (entries.size() > room) {
        control_stats_.schedule_dropped.add(entries.size() - room);
        entries.resize(room);
    }
    if (pending() == 0) {
        pending_ = std::move(entries);  // no copy of a million entries at start-up
        pending_pos_ = 0;
    } else {
        pending_.insert(pending_.end(), entries.begin(), entries.end());
    }
    control_stats_.pending.set(pending());
}

size_t SweeperLink::flush(size_t max) noexcept {
    const size_t n =
        pending() == 0 ? 0
                       : to_sweeper_.push(pending_.data() + pending_pos_, std::min(max, pending()));
    pending_pos_ += n;
    control_stats_.scheduled.add(n);
    compact_pending();
    control_stats_.pending.set(pending());
    return n;
}

void SweeperLink::compact_pending() noexcept {
    if (pending_pos_ == pending_.size()) {
        pending_pos_ = 0;
        if (pending_.capacity() > 64 * kKeepPending) {
            // A start-up seed or a long stall grew it: give the memory back.
            std::vector<ExpiryEntry>().swap(pending_);
            try {
                pending_.reserve(kKeepPending);
            } catch (const std::bad_alloc&) {
                // schedule() grows it again when needed (and counts a drop if it cannot).
            }
        } else {
            pending_.clear();
        }
        return;
    }
    // Entries keep arriving while older ones drain: move the tail down once the consumed
    // prefix is at least half the buffer, so each entry is moved O(1) times on average.
    if (pending_pos_ >= kKeepPending && 2 * pending_pos_ >= pending_.size()) {
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(pending_pos_));
        pending_pos_ = 0;
    }
}

size_t SweeperLink::take_due(ExpiryEntry* out, size_t max) noexcept {
    const size_t n = to_control_.pop(out, max);
    control_stats_.due_taken.add(n);
    return n;
}

// ---- sweeper lcore --------------------------------------------------------------------------

size_t SweeperLink::take_scheduled(ExpiryEntry* out, size_t max) noexcept {
    const size_t n = to_sweeper_.pop(out, max);
    sweeper_stats_.received.add(n);
    return n;
}

size_t SweeperLink::send_due(const ExpiryEntry* in, size_t n) noexcept {
    const size_t pushed = to_control_.push(in, n);
    sweeper_stats_.due_sent.add(pushed);
    return pushed;
}

}  // namespace edgelease::control::sweeper
