#include "control/sweeper/expiry_wheel.hpp"

#include <algorithm>
#include <stdexcept>

namespace edgelease::control::sweeper {

ExpiryWheel::ExpiryWheel(int64_t now, uint32_t slots) : cursor_(now), latest_now_(now) {
    if (slots == 0) throw std::invalid_argument("ExpiryWheel: slots must be > 0");
    slots_.resize(slots);
}

size_t ExpiryWheel::slot_of(int64_t t) const noexcept {
    const auto n = static_cast<int64_t>(slots_.size());
    int64_t r = t % n;  // negative for t < 0; normalise so any int64 maps to a slot
    if (r < 0) r += n;
    return static_cast<size_t>(r);
}

void ExpiryWheel::insert(const ExpiryEntry& e) {
    // An entry already due lands behind scan_pos_ in the cursor slot (it is appended), so the
    // next advance() sees it even if the cursor does not move.
    const int64_t at = std::max(e.expires, cursor_);
    slots_[slot_of(at)].push_back(e);
    ++size_;
}

size_t ExpiryWheel::advance(int64_t now, size_t max_items, std::vector<ExpiryEntry>& due) {
    if (now < cursor_) return 0;  // time went backwards (or not yet past the start)
    latest_now_ = std::max(latest_now_, now);
    size_t taken = 0;
    for (;;) {
        if (size_ == 0) {
            // Nothing anywhere: walking empty seconds would be wasted work after a long idle.
            cursor_ = now;
            scan_pos_ = 0;
            return taken;
        }
        std::vector<ExpiryEntry>& slot = slots_[slot_of(cursor_)];
        while (scan_pos_ < slot.size()) {
            if (taken == max_items) return taken;
            ExpiryEntry& e = slot[scan_pos_];
            if (e.expires <= cursor_) {
                due.push_back(e);
                // Swap-and-pop: the moved-in element is unscanned, so scan_pos_ stays.
                e = slot.back();
                slot.pop_back();
                --size_;
                ++taken;
            } else {
                ++scan_pos_;  // a later round of this slot
            }
        }
        if (cursor_ == now) return taken;  // keep scan_pos_: later inserts append after it
        ++cursor_;
        scan_pos_ = 0;
    }
}

size_t ExpiryWheel::backlog() const noexcept {
    if (size_ == 0) return 0;
    const std::vector<ExpiryEntry>& cur = slots_[slot_of(cursor_)];
    const auto behind = static_cast<uint64_t>(latest_now_ - cursor_);
    // Entries before scan_pos_ are due only in a later round, i.e. when `slots` seconds behind.
    size_t n = behind >= slots_.size() ? cur.size() : cur.size() - scan_pos_;
    // Seconds (cursor_, latest_now_] not yet walked; past `slots` of them every slot is counted.
    const uint64_t walk = std::min<uint64_t>(behind, slots_.size() - 1);
    for (uint64_t i = 1; i <= walk; ++i) {
        n += slots_[slot_of(cursor_ + static_cast<int64_t>(i))].size();
    }
    return std::min(n, size_);
}

size_t ExpiryWheel::memory_bytes() const noexcept {
    size_t bytes = slots_.capacity() * sizeof(std::vector<ExpiryEntry>);
    for (const auto& s : slots_) bytes += s.capacity() * sizeof(ExpiryEntry);
    return bytes;
}

}  // namespace edgelease::control::sweeper
