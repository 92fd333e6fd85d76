#pragma once
// A byte string held inline up to N bytes (no heap block) and on the heap beyond: the short
// identifiers a lease keeps (a DHCPv6 DUID is 10-18 bytes in practice, relay options mostly
// absent). A std::vector costs 24 bytes plus a heap block of at least 32 for the same DUID.
// Reads like a std::vector<uint8_t> (data, size, iteration, comparison, conversion), so the
// fields that use it stay drop-in for code that took vectors.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace edgelease {

template <size_t N>
class SmallBytes {
    static_assert(N >= sizeof(uint8_t*), "the heap pointer lives in the inline buffer");

  public:
    static constexpr size_t kMax = UINT16_MAX;

    SmallBytes() noexcept = default;
    SmallBytes(const uint8_t* p, size_t n) { assign(p, n); }
    SmallBytes(std::initializer_list<uint8_t> il) { assign(il.begin(), il.size()); }
    SmallBytes(const std::vector<uint8_t>& v) { assign(v.data(), v.size()); }  // NOLINT
    SmallBytes(const SmallBytes& o) { assign(o.data(), o.size()); }
    SmallBytes(SmallBytes&& o) noexcept : len_(o.len_) {
        std::memcpy(buf_, o.buf_, N);
        o.len_ = 0;
    }
    SmallBytes& operator=(const SmallBytes& o) {
        if (this != &o) assign(o.data(), o.size());
        return *this;
    }
    SmallBytes& operator=(SmallBytes&& o) noexcept {
        if (this != &o) {
            release();
            std::memcpy(buf_, o.buf_, N);
            len_ = o.len_;
            o.len_ = 0;
        }
        return *this;
    }
    SmallBytes& operator=(const std::vector<uint8_t>& v) {
        assign(v.data(), v.size());
        return *this;
    }
    SmallBytes& operator=(std::initializer_list<uint8_t> il) {
        assign(il.begin(), il.size());
        return *this;
    }
    ~SmallBytes() { release(); }

    /// Replaces the content. Throws std::length_error above kMax bytes, std::bad_alloc.
    void assign(const uint8_t* p, size_t n) {
        if (n > kMax) throw std::length_error("SmallBytes: too long");
        if (n > N) {
            auto* h = new uint8_t[n];
            std::memcpy(h, p, n);
            release();
            std::memcpy(buf_, &h, sizeof h);
        } else {
            // `p` may point into this object's own heap block: copy before freeing it.
            uint8_t tmp[N];
            if (n != 0) std::memcpy(tmp, p, n);
            release();
            if (n != 0) std::memcpy(buf_, tmp, n);
        }
        len_ = static_cast<uint16_t>(n);
    }
    void assign(const uint8_t* first, const uint8_t* last) {
        assign(first, static_cast<size_t>(last - first));
    }
    void clear() noexcept {
        release();
        len_ = 0;
    }

    const uint8_t* data() const noexcept { return len_ > N ? heap() : buf_; }
    size_t size() const noexcept { return len_; }
    bool empty() const noexcept { return len_ == 0; }
    const uint8_t* begin() const noexcept { return data(); }
    const uint8_t* end() const noexcept { return data() + len_; }
    uint8_t operator[](size_t i) const noexcept { return data()[i]; }

    std::vector<uint8_t> to_vector() const { return {begin(), end()}; }
    operator std::vector<uint8_t>() const { return to_vector(); }  // NOLINT

    friend bool operator==(const SmallBytes& a, const SmallBytes& b) noexcept {
        return a.len_ == b.len_ && (a.len_ == 0 || std::memcmp(a.data(), b.data(), a.len_) == 0);
    }
    friend bool operator==(const SmallBytes& a, const std::vector<uint8_t>& b) noexcept {
        return a.size() == b.size() &&
               (b.empty() || std::memcmp(a.data(), b.data(), b.size()) == 0);
    }

  private:
    uint8_t* heap() const noexcept {
        uint8_t* p;
        std::memcpy(&p, buf_, sizeof p);
        return p;
    }
    void release() noexcept {
        if (len_ > N) delete[] heap();
        len_ = 0;
    }

    uint8_t buf_[N] = {};
    uint16_t len_ = 0;
};

}  // namespace edgelease
