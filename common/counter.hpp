#pragma once
// The counter type of every lcore and thread: one writer, any number of readers.
#include <atomic>
#include <cstdint>

namespace edgelease {

/// A counter with one writer: a relaxed load+store compiles to a plain add, and readers on
/// other threads still see a whole value (no torn reads, no data race).
class Counter {
  public:
    void add(uint64_t n = 1) noexcept {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> v_{0};
};

}  // namespace edgelease
