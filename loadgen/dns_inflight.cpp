#include "loadgen/dns_inflight.hpp"

#include <stdexcept>

namespace edgelease::loadgen {

InflightTable::InflightTable(uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxSlots)
        throw std::invalid_argument("in-flight table: 1 to 65536 slots");
    slots_.resize(capacity);
    free_.resize(capacity);
    // Handed out lowest ID first.
    for (uint32_t i = 0; i < capacity; ++i) free_[i] = static_cast<uint16_t>(capacity - 1 - i);
    nfree_ = capacity;
}

uint32_t InflightTable::expire(uint64_t cutoff, unsigned budget) noexcept {
    uint32_t freed = 0;
    const auto n = static_cast<uint32_t>(slots_.size());
    for (; budget != 0; --budget) {
        const uint32_t i = hand_;
        hand_ = hand_ + 1 == n ? 0 : hand_ + 1;
        if (slots_[i].live && slots_[i].sent_at <= cutoff) {
            release(static_cast<uint16_t>(i));
            ++freed;
        }
    }
    return freed;
}

uint32_t InflightTable::expire_all() noexcept {
    uint32_t freed = 0;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].live) {
            release(static_cast<uint16_t>(i));
            ++freed;
        }
    }
    return freed;
}

}  // namespace edgelease::loadgen
