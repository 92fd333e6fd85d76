#pragma once
// The Internet checksum (RFC 1071) and the helpers around it: pseudo-header sums for UDP
// and ICMPv6 (RFC 768, RFC 8200 §8.1) and incremental update (RFC 1624).
//
// Sums are carried as "partial sums": the one's-complement sum of big-endian 16-bit words,
// folded to at most 0xffff and not complemented, so they chain by passing one as the
// `initial` of the next call. Values returned as checksums are host-order integers meant
// for store_be16.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace edgelease::dataplane::wire {

/// Folds carries into the low 16 bits (one's-complement addition of the two halves).
constexpr uint16_t csum_fold(uint64_t sum) noexcept {
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

/// The checksum field value for a partial sum taken with the field zeroed.
constexpr uint16_t csum_finish(uint32_t partial) noexcept {
    return static_cast<uint16_t>(~csum_fold(partial));
}

/// Partial sum of data[0..len) added to `initial`. An odd trailing byte is padded with zero,
/// so only the last piece of a chained sum may have an odd length. Sums machine words, not
/// 16-bit words: the one's-complement sum does not depend on byte order (RFC 1071 §2(B)).
uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t initial = 0) noexcept;

/// Partial sum of a 20-byte IPv4 header without options, inline: the header every DNS
/// answer verifies and writes, where a call to csum_partial costs more than the sum.
inline uint32_t csum_ipv4_header(const uint8_t* h) noexcept {
    uint64_t a, b;
    uint32_t c;
    std::memcpy(&a, h, 8);
    std::memcpy(&b, h + 8, 8);
    std::memcpy(&c, h + 16, 4);
    // Native-order 32-bit halves, added in 64 bits: no carry is lost.
    const uint64_t s = (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) + c;
    const uint16_t native = csum_fold(s);
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap16(native);
    return native;
}

/// RFC 1071 checksum of data[0..len): the value to store in a zeroed checksum field.
inline uint16_t internet_checksum(const uint8_t* data, size_t len) noexcept {
    return csum_finish(csum_partial(data, len));
}

/// True when data, checksum field included, sums to 0xffff (RFC 1071 §1 "verify").
inline bool csum_valid(const uint8_t* data, size_t len, uint32_t initial = 0) noexcept {
    return csum_fold(csum_partial(data, len, initial)) == 0xffff;
}

/// Partial sum of the IPv4 pseudo-header (RFC 768): addresses in host order, protocol and
/// the upper-layer length.
constexpr uint32_t pseudo_header_v4(uint32_t src, uint32_t dst, uint8_t proto,
                                    uint16_t l4_len) noexcept {
    uint64_t s =
        uint64_t{src >> 16} + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + l4_len;
    return csum_fold(s);
}

/// Partial sum of the IPv6 pseudo-header (RFC 8200 §8.1): 16-byte addresses in network
/// order, upper-layer packet length and next header.
uint32_t pseudo_header_v6(const uint8_t* src16, const uint8_t* dst16, uint8_t next_header,
                          uint32_t l4_len) noexcept;

/// New checksum after one 16-bit word of the covered data changed from old_word to
/// new_word: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'). Equal to a recomputation except when
/// the new data is all zeros: then it gives 0 where 0xffff is right. Callers whose data can
/// be all zeros recompute when they get 0 (an IPv4 header never is).
constexpr uint16_t csum_update16(uint16_t checksum, uint16_t old_word, uint16_t new_word) noexcept {
    uint32_t s =
        uint32_t{static_cast<uint16_t>(~checksum)} + static_cast<uint16_t>(~old_word) + new_word;
    return static_cast<uint16_t>(~csum_fold(s));
}

/// As csum_update16 for a 32-bit field (e.g. an IPv4 address) that changed.
constexpr uint16_t csum_update32(uint16_t checksum, uint32_t old_value,
                                 uint32_t new_value) noexcept {
    uint16_t c = csum_update16(checksum, static_cast<uint16_t>(old_value >> 16),
                               static_cast<uint16_t>(new_value >> 16));
    return csum_update16(c, static_cast<uint16_t>(old_value), static_cast<uint16_t>(new_value));
}

}  // namespace edgelease::dataplane::wire
