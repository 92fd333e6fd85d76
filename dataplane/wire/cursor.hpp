#pragma once
// The one way wire bytes are read: a bounds-checked cursor with a sticky error, plus
// big-endian load/store helpers for fields at offsets that the caller has already checked.
// Loads and stores go through memcpy, so unaligned fields are fine and nothing is ever cast
// to a packed struct.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace edgelease::dataplane::wire {

/// Big-endian 16-bit value at p. The caller guarantees that p[0..2) is readable.
inline uint16_t load_be16(const uint8_t* p) noexcept {
    uint16_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    return v;
}

/// Big-endian 32-bit value at p. The caller guarantees that p[0..4) is readable.
inline uint32_t load_be32(const uint8_t* p) noexcept {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    return v;
}

/// Writes v big-endian at p. The caller guarantees that p[0..2) is writable.
inline void store_be16(uint8_t* p, uint16_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    std::memcpy(p, &v, sizeof v);
}

/// Writes v big-endian at p. The caller guarantees that p[0..4) is writable.
inline void store_be32(uint8_t* p, uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    std::memcpy(p, &v, sizeof v);
}

/// Reads a byte span front to back. Every read is bounds-checked; the first read past the
/// end sets a sticky error, after which every read returns 0 (or nullptr), remaining() is 0
/// and ok() is false. So a parser may read a whole header and test ok() once.
/// The cursor does not own the bytes: they must outlive it.
class Cursor {
  public:
    constexpr Cursor() noexcept = default;
    constexpr Cursor(const uint8_t* data, size_t len) noexcept
        : begin_(data), pos_(data), end_(data + len) {}
    constexpr explicit Cursor(std::span<const uint8_t> bytes) noexcept
        : Cursor(bytes.data(), bytes.size()) {}

    uint8_t u8() noexcept {
        if (!need(1)) return 0;
        return *pos_++;
    }
    uint16_t u16() noexcept {
        if (!need(2)) return 0;
        uint16_t v = load_be16(pos_);
        pos_ += 2;
        return v;
    }
    uint32_t u32() noexcept {
        if (!need(4)) return 0;
        uint32_t v = load_be32(pos_);
        pos_ += 4;
        return v;
    }
    /// Pointer to the next n bytes (valid while the underlying buffer is), then skips them;
    /// nullptr and the sticky error when fewer than n remain.
    const uint8_t* bytes(size_t n) noexcept {
        if (!need(n)) return nullptr;
        const uint8_t* p = pos_;
        pos_ += n;
        return p;
    }
    void skip(size_t n) noexcept {
        if (need(n)) pos_ += n;
    }
    /// A cursor over the next n bytes, which this cursor skips. On a short read both are
    /// failed. Used for length-delimited sub-structures (options, extension headers).
    Cursor take(size_t n) noexcept {
        const uint8_t* p = bytes(n);
        if (p == nullptr) {
            Cursor failed;
            failed.ok_ = false;
            return failed;
        }
        return Cursor(p, n);
    }

    /// The byte at the read position without consuming it; 0 (no error) at the end.
    uint8_t peek_u8() const noexcept { return pos_ < end_ ? *pos_ : 0; }
    size_t remaining() const noexcept { return static_cast<size_t>(end_ - pos_); }
    /// Bytes consumed since construction (the offset of the read position); after an error,
    /// the length of the span.
    size_t offset() const noexcept { return static_cast<size_t>(pos_ - begin_); }
    const uint8_t* position() const noexcept { return pos_; }
    bool ok() const noexcept { return ok_; }
    /// Marks the cursor failed, e.g. when a parser finds a semantically bad field.
    void fail() noexcept {
        ok_ = false;
        pos_ = end_;
    }

  private:
    bool need(size_t n) noexcept {
        if (!ok_ || n > remaining()) {
            fail();
            return false;
        }
        return true;
    }

    const uint8_t* begin_ = nullptr;
    const uint8_t* pos_ = nullptr;
    const uint8_t* end_ = nullptr;
    bool ok_ = true;
};

}  // namespace edgelease::dataplane::wire
