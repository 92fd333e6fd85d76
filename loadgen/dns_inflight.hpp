#pragma once
// Queries in flight: a fixed table of slots. A query's DNS ID is its slot number and its
// UDP source port carries the slot's generation, so a response is matched in O(1) and a
// late answer to a slot that has since been reused is told apart (up to 16384 reuses).
// Timeouts are found by a hand that looks at a few slots per call. Pure, noexcept after
// construction, no allocation.
#include <cstdint>
#include <vector>

namespace edgelease::loadgen {

class InflightTable {
  public:
    static constexpr uint16_t kGenerations = 1u << 14;
    static constexpr uint32_t kMaxSlots = 1u << 16;  // the DNS ID space

    /// capacity: 1..65536 slots. Throws std::invalid_argument otherwise.
    explicit InflightTable(uint32_t capacity);

    /// Takes a free slot for a query sent at `now` built from template `tmpl`: its ID and
    /// generation (< kGenerations) come back. False when every slot is in use.
    bool acquire(uint64_t now, uint32_t tmpl, uint16_t& id, uint16_t& gen) noexcept {
        if (nfree_ == 0) return false;
        id = free_[--nfree_];
        Slot& s = slots_[id];
        s.sent_at = now;
        s.tmpl = tmpl;
        s.live = true;
        gen = s.gen;
        return true;
    }

    /// A response with this ID and generation: when its query is pending, frees the slot,
    /// gives its send time and template, and returns true. False for an unknown, stale or
    /// duplicate answer.
    bool complete(uint16_t id, uint16_t gen, uint64_t& sent_at, uint32_t& tmpl) noexcept {
        if (id >= slots_.size()) return false;
        Slot& s = slots_[id];
        if (!s.live || s.gen != gen) return false;
        sent_at = s.sent_at;
        tmpl = s.tmpl;
        release(id);
        return true;
    }

    /// Gives back a slot whose query was never sent (the TX queue refused it).
    void cancel(uint16_t id) noexcept {
        if (id < slots_.size() && slots_[id].live) release(id);
    }

    /// Looks at up to `budget` slots from the hand and frees those sent at or before
    /// `cutoff`: they are lost. Returns how many it freed.
    uint32_t expire(uint64_t cutoff, unsigned budget) noexcept;

    /// Frees every pending slot (end of run); returns how many there were.
    uint32_t expire_all() noexcept;

    uint32_t in_use() const noexcept { return static_cast<uint32_t>(slots_.size()) - nfree_; }
    uint32_t capacity() const noexcept { return static_cast<uint32_t>(slots_.size()); }

  private:
    struct Slot {
        uint64_t sent_at = 0;
        uint32_t tmpl = 0;
        uint16_t gen = 0;
        bool live = false;
    };
    void release(uint16_t id) noexcept {
        Slot& s = slots_[id];
        s.live = false;
        s.gen = static_cast<uint16_t>((s.gen + 1) & (kGenerations - 1));
        free_[nfree_++] = id;
    }

    std::vector<Slot> slots_;
    std::vector<uint16_t> free_;  // a stack: recently used slots are warm in cache
    uint32_t nfree_ = 0;
    uint32_t hand_ = 0;
};

}  // namespace edgelease::loadgen
