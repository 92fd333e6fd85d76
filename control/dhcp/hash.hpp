#pragma once
// Hashing for the lease engine's indexes. Internal to control/dhcp. Not cryptographic: the
// tables probe linearly and stay at most three quarters full, so a client choosing identifiers that
// collide slows its own lookups a little and nothing else.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace edgelease::control::dhcp::detail {

/// splitmix64 finaliser: every input bit reaches every output bit.
constexpr uint64_t mix64(uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

inline uint64_t hash_bytes(const uint8_t* p, size_t len, uint64_t seed) noexcept {
    uint64_t h = mix64(seed ^ (len * 0x9e3779b97f4a7c15ULL));
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = mix64(h ^ w);
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    if (len != 0) std::memcpy(&tail, p, len);  // p may be null when len is 0
    return mix64(h ^ tail ^ (uint64_t{len} << 56));
}

inline uint32_t hash_ip(uint32_t ip) noexcept {
    return static_cast<uint32_t>(mix64(ip));
}

}  // namespace edgelease::control::dhcp::detail
