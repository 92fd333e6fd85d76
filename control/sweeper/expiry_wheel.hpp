#pragma once
// Expiry index owned by the sweeper lcore: a hashed timing wheel of one-second slots.
//
// The wheel only answers "which (lease, generation) pairs are due by now". It never deletes
// or updates: a renewal inserts a new entry with the new expiry and a higher generation, and
// the control lcore (the one writer of lease state) drops events whose generation is no longer
// the lease's current one. That keeps the sweeper free of any lease lookup.
//
// Memory: 24 bytes per entry held, plus vector slack. Slot vectors never shrink (so a steady
// state of inserts and drains allocates nothing once they have grown), hence the bound is
//   memory_bytes() <= slots * sizeof(std::vector) + 24 B * sum over slots of capacity(slot)
// and capacity(slot) <= 2 * (peak number of entries that slot ever held at once) with the usual
// doubling growth. Example: 1M leases expiring in the same second keep 24-48 MB in that slot
// after they have been swept; with 1M leases spread over the wheel it is ~24-48 MB in total.
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace edgelease::control::sweeper {

/// One expiry to report. Small and trivially copyable so it can travel in SPSC messages.
struct ExpiryEntry {
    uint32_t lease_ip;       ///< lease key: the IPv4 address (host byte order)
    uint32_t generation_lo;  ///< low 32 bits of `generation`; fills what would be padding
    int64_t expires;         ///< Unix seconds at which the lease expires
    uint64_t generation;     ///< lease generation this expiry belongs to
};
static_assert(std::is_trivially_copyable_v<ExpiryEntry>);
static_assert(sizeof(ExpiryEntry) == 24);

/// Hashed timing wheel: slot = expires mod slots. Entries more than `slots` seconds ahead share
/// a slot with nearer ones and are skipped (expires > cursor second) until their round comes.
///
/// Not thread-safe: one owner (the sweeper lcore). Time is Unix seconds and expected to be
/// non-decreasing; advance() with an earlier time than already reached does nothing.
class ExpiryWheel {
  public:
    /// The wheel starts at second `now`. `slots` must be > 0 (throws std::invalid_argument;
    /// start-up only). Allocates the slot array, nothing per slot until first use.
    explicit ExpiryWheel(int64_t now, uint32_t slots = 1u << 16);

    /// Adds an entry. Entries due at or before the wheel's current second go to the current
    /// slot and come out on the next advance() (even with the same `now`). May allocate while
    /// a slot grows past its previous peak (std::bad_alloc propagates); never afterwards.
    void insert(const ExpiryEntry& e);

    /// Moves entries with expires <= now into `due` (appended), walking seconds in order from
    /// where the previous call stopped up to `now`, and stops after `max_items` entries. The
    /// next call resumes exactly there, including inside a partially processed slot. Returns
    /// the number appended. Ordering: entries of an earlier second come before entries of a
    /// later one; within one second the order is unspecified. `now` earlier than the second
    /// already reached: returns 0 and changes nothing. Work per call is O(max_items + slots
    /// scanned past entries not yet due + seconds walked); an empty wheel jumps straight to
    /// `now`. Reserve `max_items` in `due` to keep the call allocation-free.
    size_t advance(int64_t now, size_t max_items, std::vector<ExpiryEntry>& due);

    /// Entries held (due or not).
    size_t size() const noexcept { return size_; }

    /// Due entries not yet handed out, as of the latest `now` given to advance(). Approximate:
    /// an upper bound, because entries of a later wheel round that share a slot not yet walked
    /// are counted too; exact when no entry lies more than `slots` seconds ahead. Costs
    /// O(min(seconds behind, slots)); 0-cost when advance() is caught up.
    size_t backlog() const noexcept;

    /// Bytes held by the slot vectors (capacity, not size), for the memory bound above.
    size_t memory_bytes() const noexcept;

    uint32_t slots() const noexcept { return static_cast<uint32_t>(slots_.size()); }

  private:
    size_t slot_of(int64_t t) const noexcept;

    std::vector<std::vector<ExpiryEntry>> slots_;
    int64_t cursor_;       // second being processed; all earlier seconds are done
    int64_t latest_now_;   // highest `now` given to advance() (or the start time)
    size_t scan_pos_ = 0;  // entries [0, scan_pos_) of the cursor slot are known not due
    size_t size_ = 0;
};

}  // namespace edgelease::control::sweeper
