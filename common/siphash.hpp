#pragma once
// SipHash (Aumasson and Bernstein, 2012): a keyed hash of short inputs whose outputs an
// attacker who does not know the key cannot steer. SipHash-c-d does c compression rounds
// per 8-octet word and d finalisation rounds; 2-4 is the paper's, 1-3 the faster variant
// hash tables use (Rust's and Python's default). Header-only, no allocation, no system call.
#include <sys/random.h>
#include <time.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace edgelease {

struct SipKey {
    uint64_t k0 = 0;
    uint64_t k1 = 0;
};

namespace detail {
constexpr uint64_t rotl(uint64_t x, int b) noexcept {
    return (x << b) | (x >> (64 - b));
}
struct SipState {
    uint64_t v0, v1, v2, v3;
    void round() noexcept {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }
};
}  // namespace detail

/// SipHash-C-D of p[0..len) under `key` (words read little-endian, as the reference code).
template <int C, int D>
inline uint64_t siphash(const SipKey& key, const uint8_t* p, size_t len) noexcept {
    detail::SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
                       key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
    const uint64_t b = static_cast<uint64_t>(len) << 56;
    auto word = [](const uint8_t* q, size_t n) {
        uint64_t w = 0;
        for (size_t i = 0; i < n; ++i) w |= static_cast<uint64_t>(q[i]) << (8 * i);
        return w;
    };
    while (len >= 8) {
        uint64_t m;
        std::memcpy(&m, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        m = __builtin_bswap64(m);
#endif
        s.v3 ^= m;
        for (int i = 0; i < C; ++i) s.round();
        s.v0 ^= m;
        p += 8;
        len -= 8;
    }
    const uint64_t m = b | word(p, len);
    s.v3 ^= m;
    for (int i = 0; i < C; ++i) s.round();
    s.v0 ^= m;
    s.v2 ^= 0xff;
    for (int i = 0; i < D; ++i) s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/// A key from the kernel's random source (getrandom). Should that fail (never on Linux since
/// 3.17 for 16 octets), the monotonic clock and an address, which are at least not constant.
inline SipKey random_sip_key() noexcept {
    uint8_t buf[16] = {};
    size_t got = 0;
    while (got < sizeof buf) {
        const ssize_t n = getrandom(buf + got, sizeof buf - got, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    SipKey k;
    std::memcpy(&k.k0, buf, 8);
    std::memcpy(&k.k1, buf + 8, 8);
    if (got < sizeof buf) {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        k.k0 ^=
            static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
        k.k1 ^= reinterpret_cast<uintptr_t>(&k);
    }
    return k;
}

}  // namespace edgelease
