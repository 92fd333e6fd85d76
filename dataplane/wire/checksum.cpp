#include "dataplane/wire/checksum.hpp"

#include <bit>
#include <cstring>

namespace edgelease::dataplane::wire {

namespace {

inline uint64_t load64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// The native word holding p[0..len) (len < 8) followed by zeros, as memcpy into a zeroed
/// uint64_t would give it.
inline uint64_t load_tail(const uint8_t* p, size_t len) noexcept {
    uint64_t w = 0;
    size_t off = 0;
    // Byte i of the padded word sits at bit 8*i (little-endian) or 56-8*i (big-endian).
    auto place = [&](uint64_t v, size_t n) {
        if constexpr (std::endian::native == std::endian::little)
            w |= v << (8 * off);
        else
            w |= v << (8 * (8 - off - n));
        off += n;
    };
    if (len & 4) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        place(v, 4);
    }
    if (len & 2) {
        uint16_t v;
        std::memcpy(&v, p + off, 2);
        place(v, 2);
    }
    if (len & 1) place(p[off], 1);
    return w;
}

}  // namespace

uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t initial) noexcept {
    // Two independent 128-bit accumulators: each 64-bit word is added whole and the carries
    // pile up in the upper half, folded once at the end (the compiler emits add/adc pairs).
    unsigned __int128 a = 0, b = 0;
    const uint8_t* p = data;
    while (len >= 32) {
        a += load64(p);
        b += load64(p + 8);
        a += load64(p + 16);
        b += load64(p + 24);
        p += 32;
        len -= 32;
    }
    while (len >= 8) {
        a += load64(p);
        p += 8;
        len -= 8;
    }
    // The tail (0..7 bytes) is summed as the word it would be if padded with zeros: that is
    // the RFC 1071 padding of an odd byte, and keeps every word at the same alignment within
    // the sum. Assembled from 4-, 2- and 1-byte loads: copying it into a zeroed buffer and
    // loading that as one word stalls on store forwarding (a fifth of this function's time
    // under the DNS load test).
    if (len != 0) b += load_tail(p, len);
    a += b;
    // 128 -> 64 bits: the high half counts carries out of bit 63, each worth 1 at bit 0.
    const uint64_t lo = static_cast<uint64_t>(a), hi = static_cast<uint64_t>(a >> 64);
    uint64_t acc = lo + hi;
    acc += acc < lo ? 1u : 0u;
    // 64 -> 32 -> 16 bits, each by adding the value to itself rotated by half its width: the
    // upper half then holds the sum of both halves with its carry added back in (a short
    // chain of dependent instructions; csum_fold's masks and shifts took twice as long).
    const uint64_t t = acc + ((acc >> 32) | (acc << 32));
    const auto s32 = static_cast<uint32_t>(t >> 32);
    const uint32_t u = s32 + ((s32 >> 16) | (s32 << 16));
    const auto native = static_cast<uint16_t>(u >> 16);
    // The sum of native words is the byte-swapped sum of big-endian words (RFC 1071 §2(B)).
    uint16_t be = native;
    if constexpr (std::endian::native == std::endian::little) be = __builtin_bswap16(native);
    const uint32_t r = uint32_t{be} + csum_fold(initial);  // at most 0x1fffe: one fold
    return (r & 0xffffu) + (r >> 16);
}

uint32_t pseudo_header_v6(const uint8_t* src16, const uint8_t* dst16, uint8_t next_header,
                          uint32_t l4_len) noexcept {
    uint32_t s = csum_partial(src16, 16);
    s = csum_partial(dst16, 16, s);
    return csum_fold(uint64_t{s} + (l4_len >> 16) + (l4_len & 0xffffu) + next_header);
}

}  // namespace edgelease::dataplane::wire
