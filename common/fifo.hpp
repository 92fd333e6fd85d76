#pragma once
// A first-in first-out queue in one ring buffer that only grows. Unlike std::deque, whose
// nodes hold a single element once an element is larger than 512 bytes (libstdc++), it
// allocates only when it outgrows its ring (doubling, amortised): none per push or pop in a
// steady state. Not thread-safe; for one owner (e.g. the control lcore's held DHCPACKs).
#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace edgelease {

template <class T>
class Fifo {
  public:
    explicit Fifo(size_t capacity = 16) : buf_(capacity < 1 ? 1 : capacity) {}

    bool empty() const noexcept { return size_ == 0; }
    size_t size() const noexcept { return size_; }
    size_t capacity() const noexcept { return buf_.size(); }

    T& front() noexcept {
        assert(size_ != 0);
        return buf_[head_];
    }
    const T& front() const noexcept {
        assert(size_ != 0);
        return buf_[head_];
    }

    /// Appends a copy of `v`; grows (doubles) the ring when it is full. `v` may be an
    /// element of this ring (it is copied before the ring moves).
    void push_back(const T& v) {
        if (size_ == buf_.size()) {
            T copy = v;
            grow();
            buf_[wrap(head_ + size_)] = std::move(copy);
        } else {
            buf_[wrap(head_ + size_)] = v;
        }
        ++size_;
    }

    /// Appends an element and returns it for the caller to fill: it holds whatever the ring
    /// slot last held (no copy of a temporary for large elements).
    T& append() {
        if (size_ == buf_.size()) grow();
        ++size_;
        return buf_[wrap(head_ + size_ - 1)];
    }

    void pop_front() noexcept {
        assert(size_ != 0);
        head_ = wrap(head_ + 1);
        --size_;
    }

  private:
    size_t wrap(size_t i) const noexcept { return i >= buf_.size() ? i - buf_.size() : i; }

    void grow() {
        std::vector<T> next(buf_.size() * 2);
        for (size_t i = 0; i < size_; ++i) next[i] = std::move(buf_[wrap(head_ + i)]);
        buf_.swap(next);
        head_ = 0;
    }

    std::vector<T> buf_;
    size_t head_ = 0;
    size_t size_ = 0;
};

}  // namespace edgelease
