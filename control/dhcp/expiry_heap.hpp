#pragma once
// The expiry heap of both lease engines (LeaseEngine and Engine6). Internal to control/dhcp.
//
// A lazy min-heap of (expiry, lease) entries. An engine pushes an entry whenever a lease
// enters a timed state or moves its expiry, and never removes one when the lease moves on:
// such an entry is *stale*. The heap cannot tell that by itself, so the calls that may meet
// stale entries take the engine's `stale(const Entry&)` predicate (inlined: a lambda, no
// indirection). Stale entries are skipped when they surface and dropped by an incremental
// compaction pass.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgelease::control::dhcp::detail {

class ExpiryHeap {
  public:
    struct Entry {
        int64_t at;
        uint32_t index;  // the engine's slot (v4) or lease (v6) index
    };

    size_t size() const noexcept { return entries_.size(); }
    void reserve(size_t n) { entries_.reserve(n); }

    /// Adds an entry. Pushes pay for the stale entries they leave behind: with a few
    /// compaction steps per push, a pass over n entries ends before the heap can grow by
    /// n / kStepsPerPush.
    template <class Stale>
    void push(const Entry& e, const Stale& stale) {
        entries_.push_back(e);
        std::push_heap(entries_.begin(), entries_.end(), Later{});
        constexpr size_t kStepsPerPush = 4;
        if (compact_pos_ != kNotCompacting) compact_step(kStepsPerPush, stale);
    }

    /// Pops the entries due at or before `now` and calls `expire(entry)` on each live one, at
    /// most `max` of them; returns how many. Stale entries cost a pop each and count against a
    /// budget of max * 4 + 64 pops. Then a compaction pass starts when stale entries outnumber
    /// live ones (`live()`, the leases in a timed state, is asked only when no pass is under
    /// way), and the pass under way advances by the same budget.
    template <class Stale, class Live, class Expire>
    size_t expire_due(int64_t now, size_t max, const Stale& stale, const Live& live,
                      Expire&& expire) {
        size_t n = 0;
        size_t budget = max * 4 + 64;
        while (n < max && budget-- > 0 && !entries_.empty() && entries_.front().at <= now) {
            const Entry e = entries_.front();
            std::pop_heap(entries_.begin(), entries_.end(), Later{});
            entries_.pop_back();
            if (stale(e)) continue;
            expire(e);
            ++n;
        }
        if (compact_pos_ == kNotCompacting && entries_.size() > 2 * live() + 4096) compact_pos_ = 0;
        compact_step(max * 4 + 64, stale);
        return n;
    }

  private:
    // The <algorithm> heap order that puts the smallest `at` on top.
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const noexcept { return a.at > b.at; }
    };

    /// Removes entries_[i], keeping the heap property: O(log n).
    void remove_at(size_t i) noexcept {
        // The <algorithm> heap layout (parent of i is (i - 1) / 2, [alg.heap.operations]).
        // The last entry fills the hole and moves up or down from there.
        const Entry moved = entries_.back();
        entries_.pop_back();
        if (i == entries_.size()) return;
        const size_t n = entries_.size();
        if (i > 0 && moved.at < entries_[(i - 1) / 2].at) {
            while (i > 0 && moved.at < entries_[(i - 1) / 2].at) {
                entries_[i] = entries_[(i - 1) / 2];
                i = (i - 1) / 2;
            }
        } else {
            for (size_t c = 2 * i + 1; c < n; c = 2 * i + 1) {
                if (c + 1 < n && entries_[c + 1].at < entries_[c].at) ++c;
                if (!(entries_[c].at < moved.at)) break;
                entries_[i] = entries_[c];
                i = c;
            }
        }
        entries_[i] = moved;
    }

    /// Checks up to `budget` entries of the compaction pass under way, dropping stale ones.
    template <class Stale>
    void compact_step(size_t budget, const Stale& stale) noexcept {
        // Bounded steps rather than one O(n) sweep: after a mass expiry through the sweeper
        // every entry of that second is stale at once, and rebuilding a heap of a million
        // entries in one call would stall the control lcore for tens of ms.
        while (budget > 0 && compact_pos_ < entries_.size()) {
            --budget;
            if (!stale(entries_[compact_pos_])) {
                ++compact_pos_;
                continue;
            }
            // Stale entries at the end go first (no sift needed), so that the entry filling
            // the hole is live: one that moves up past compact_pos_ then escapes this pass
            // harmlessly.
            while (budget > 0 && entries_.size() - 1 > compact_pos_ && stale(entries_.back())) {
                entries_.pop_back();
                --budget;
            }
            remove_at(compact_pos_);  // compact_pos_ stays: the entry now there is unchecked
        }
        if (compact_pos_ >= entries_.size()) compact_pos_ = kNotCompacting;
    }

    // Min-heap (<algorithm> layout, Later) of expiry times.
    std::vector<Entry> entries_;
    // Incremental compaction: the next entry the pass checks, kNotCompacting when no pass is
    // under way.
    static constexpr size_t kNotCompacting = SIZE_MAX;
    size_t compact_pos_ = kNotCompacting;
};

}  // namespace edgelease::control::dhcp::detail
