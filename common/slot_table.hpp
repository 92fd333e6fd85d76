#pragma once
// An open-addressing index from a key to a lease slot number. The keys themselves live in the
// slots (a lease's ip or its scope + client key); the table keeps a 32-bit hash beside each
// slot number so that most probes never touch a lease. Linear probing, at most three quarters
// full (eight entries to a cache line: a probe run of a few entries stays in one or two
// lines; half full, a table of 10M entries took 268 MB instead of 134), backward-shift
// deletion (no tombstones). The lease engines' indexes and the zone store's
// interned names and owners use it.
//
// Insert allocates only when the table grows (doubling, amortised); find and erase never
// allocate. Not thread-safe: the control lcore is its only user.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/huge_alloc.hpp"

namespace edgelease::detail {

inline constexpr uint32_t kNil = UINT32_MAX;

class SlotTable {
  public:
    SlotTable() { rehash(16); }

    /// Room for `n` entries without growing.
    void reserve(size_t n) {
        size_t want = 16;
        while (3 * want < 4 * n) want *= 2;
        if (want > entries_.size()) rehash(want);
    }

    /// The slot whose key matches (`eq(slot)`), or kNil.
    template <class Eq>
    uint32_t find(uint32_t h, Eq&& eq) const noexcept {
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Entry& e = entries_[i];
            if (e.slot == kNil) return kNil;
            if (e.hash == h && eq(e.slot)) return e.slot;
        }
    }

    /// Adds `slot` under hash `h`; the caller has checked that its key is not present.
    void insert(uint32_t h, uint32_t slot) {
        if (4 * (size_ + 1) > 3 * entries_.size()) rehash(entries_.size() * 2);
        place(h, slot);
        ++size_;
    }

    /// Removes the entry for `slot` (stored under hash `h`). False if it is not there.
    bool erase(uint32_t h, uint32_t slot) noexcept {
        size_t i = h & mask_;
        for (;; i = (i + 1) & mask_) {
            if (entries_[i].slot == kNil) return false;
            if (entries_[i].slot == slot) break;
        }
        // Backward shift: pull later entries of the same probe run into the hole.
        for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            const Entry& e = entries_[j];
            if (e.slot == kNil) break;
            size_t home = e.hash & mask_;
            // e may move to i unless its home lies cyclically in (i, j].
            bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (stays) continue;
            entries_[i] = e;
            i = j;
        }
        entries_[i] = Entry{};
        --size_;
        return true;
    }

    /// Points the entry for `old_slot` (stored under hash `h`) at `new_slot`, whose key hashes
    /// the same. False if `old_slot` is not there.
    bool replace(uint32_t h, uint32_t old_slot, uint32_t new_slot) noexcept {
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            if (entries_[i].slot == kNil) return false;
            if (entries_[i].slot == old_slot) {
                entries_[i].slot = new_slot;
                return true;
            }
        }
    }

    size_t size() const noexcept { return size_; }

    /// Starts loading the probe run of hash `h` into the cache (a batch of inserts or finds
    /// overlaps its misses this way).
    void prefetch(uint32_t h) const noexcept { __builtin_prefetch(&entries_[h & mask_]); }

  private:
    struct Entry {
        uint32_t hash = 0;
        uint32_t slot = kNil;
    };

    void place(uint32_t h, uint32_t slot) noexcept {
        size_t i = h & mask_;
        while (entries_[i].slot != kNil) i = (i + 1) & mask_;
        entries_[i] = Entry{h, slot};
    }

    void rehash(size_t n) {
        std::vector<Entry, HugePageAllocator<Entry>> old;
        old.swap(entries_);
        entries_.assign(n, Entry{});
        mask_ = n - 1;
        for (const Entry& e : old)
            if (e.slot != kNil) place(e.hash, e.slot);
    }

    std::vector<Entry, HugePageAllocator<Entry>> entries_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace edgelease::detail
