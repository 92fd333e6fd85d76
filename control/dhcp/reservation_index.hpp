#pragma once
// Reservation lookup by one kind of identifier (client id or DUID, hardware address, relay
// ids): sorted (hash, reservation) pairs; the caller confirms a hash hit against the
// configuration, so collisions cost a comparison and nothing else. Built once per engine,
// read per request without allocating. Internal to control/dhcp.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <utility>
#include <vector>

namespace edgelease::control::dhcp::detail {

class ReservationIndex {
  public:
    void add(uint64_t h, int32_t res) { entries_.emplace_back(h, res); }
    /// Sorts what add() collected; call once before find().
    void finish() { std::sort(entries_.begin(), entries_.end()); }
    bool empty() const noexcept { return entries_.empty(); }
    /// The lowest-numbered reservation under hash `h` that `match(reservation)` confirms, -1
    /// when none does.
    template <class Match>
    int32_t find(uint64_t h, Match&& match) const noexcept {
        auto it = std::lower_bound(entries_.begin(), entries_.end(),
                                   std::pair<uint64_t, int32_t>{h, INT32_MIN});
        for (; it != entries_.end() && it->first == h; ++it)
            if (match(it->second)) return it->second;
        return -1;
    }

  private:
    std::vector<std::pair<uint64_t, int32_t>> entries_;
};

}  // namespace edgelease::control::dhcp::detail
