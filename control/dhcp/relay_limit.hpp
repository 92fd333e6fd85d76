#pragma once
// A limit on DHCPDISCOVERs per relay agent, so that one relay (a broken CPE flood behind it, a
// looping DHCP client swarm) cannot take a scope's pool or the control lcore for itself.
// Control lcore only. Pure: no DPDK.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

/// At most `per_second` DISCOVERs per relay address (giaddr) in each wall-clock second (a
/// fixed window: up to twice that across a second boundary). Memory is fixed at start-up
/// (kSlots entries); relays beyond what the table tracks in one second are not limited
/// (fail open: the limit protects from one loud relay, not from many spoofed ones).
class RelayLimiter {
  public:
    static constexpr size_t kSlots = 4096;  // a power of two
    static constexpr size_t kProbe = 8;

    /// per_second = 0: no limit (allow() is always true and the table is not allocated).
    explicit RelayLimiter(uint32_t per_second) : rate_(per_second) {
        if (rate_ != 0) slots_.resize(kSlots);
    }

    /// True when a DISCOVER relayed by `giaddr` (non-zero) at `now` (seconds) may go on.
    bool allow(uint32_t giaddr, int64_t now) noexcept {
        if (rate_ == 0) return true;
        const size_t h = hash(giaddr);
        Slot* free_slot = nullptr;
        for (size_t i = 0; i < kProbe; ++i) {
            Slot& s = slots_[(h + i) & (kSlots - 1)];
            if (s.giaddr == giaddr && s.used) {
                if (s.second != now) {
                    s.second = now;
                    s.count = 0;
                }
                if (s.count >= rate_) return false;
                ++s.count;
                return true;
            }
            if (free_slot == nullptr && (!s.used || s.second < now)) free_slot = &s;
        }
        if (free_slot != nullptr) *free_slot = Slot{giaddr, now, 1, true};
        return true;  // tracked now, or untracked (table busy this second): not limited
    }

  private:
    struct Slot {
        uint32_t giaddr = 0;
        int64_t second = 0;
        uint32_t count = 0;
        bool used = false;
    };
    static size_t hash(uint32_t a) noexcept {
        return static_cast<size_t>((a * 0x9E3779B1u) >> 20);  // Fibonacci hashing, 12 bits
    }
    uint32_t rate_;
    std::vector<Slot> slots_;
};

}  // namespace edgelease::control::dhcp
