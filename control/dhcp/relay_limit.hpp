#pragma once
// A limit on DHCPDISCOVERs (DHCPv6 Solicits) per relay agent, so that one relay (a broken CPE
// flood behind it, a looping client swarm, a flood of made-up DUIDs) cannot take a scope's pool
// or the control lcore for itself. Control lcore only. Pure: no DPDK.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/net.hpp"

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

/// At most `per_second` DISCOVERs per relay address (giaddr; for DHCPv6 the source address of
/// the outermost Relay-Forward) in each wall-clock second (a fixed window: up to twice that
/// across a second boundary). Memory is fixed at start-up (kSlots entries); relays beyond what
/// the table tracks in one second are not limited (fail open: the limit protects from one loud
/// relay, not from many spoofed ones).
template <class Key>
class BasicRelayLimiter {
  public:
    static constexpr size_t kSlots = 4096;  // a power of two
    static constexpr size_t kProbe = 8;

    /// per_second = 0: no limit (allow() is always true and the table is not allocated).
    explicit BasicRelayLimiter(uint32_t per_second) : rate_(per_second) {
        if (rate_ != 0) slots_.resize(kSlots);
    }

    /// True when a DISCOVER relayed by `giaddr` (non-zero) at `now` (seconds) may go on.
    bool allow(const Key& giaddr, int64_t now) noexcept {
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
        Key giaddr{};
        int64_t second = 0;
        uint32_t count = 0;
        bool used = false;
    };
    static size_t hash(uint32_t a) noexcept {
        return static_cast<size_t>((a * 0x9E3779B1u) >> 20);  // Fibonacci hashing, 12 bits
    }
    static size_t hash(const net::Ipv6Addr& a) noexcept {
        uint64_t hi = 0, lo = 0;
        std::memcpy(&hi, a.bytes.data(), 8);
        std::memcpy(&lo, a.bytes.data() + 8, 8);
        return static_cast<size_t>(((hi ^ (lo * 0x9E3779B97F4A7C15ull)) * 0x9E3779B97F4A7C15ull) >>
                                   52);  // 12 bits
    }
    uint32_t rate_;
    std::vector<Slot> slots_;
};

using RelayLimiter = BasicRelayLimiter<uint32_t>;
using RelayLimiter6 = BasicRelayLimiter<net::Ipv6Addr>;

}  // namespace edgelease::control::dhcp
