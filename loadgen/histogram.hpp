#pragma once
// Latency accounting for the generators: a fixed-size log-linear histogram (HDR style) of
// nanosecond values. Recording is a few integer operations and one increment, so it runs on
// the generator's hot loop; nothing allocates after construction.
#include <array>
#include <cstdint>

namespace edgelease::loadgen {

/// Values below 2^kSubBits land in exact buckets; above, each power of two is split into
/// 2^kSubBits buckets, so a reported percentile is at most 1/32 (3.1 %) above the true value
/// and never above the largest value recorded.
class LatencyHistogram {
  public:
    static constexpr unsigned kSubBits = 5;
    static constexpr unsigned kSub = 1u << kSubBits;
    /// Buckets 0..63 (groups 0 and 1) hold 0..63 exactly; group g >= 2 splits
    /// [2^(g+4), 2^(g+5)) into kSub buckets.
    static constexpr unsigned kGroups = 64 - kSubBits + 1;
    static constexpr unsigned kBuckets = kGroups * kSub;

    void record(uint64_t ns) noexcept {
        ++counts_[bucket_of(ns)];
        ++count_;
        sum_ += ns;
        if (ns > max_) max_ = ns;
        if (ns < min_) min_ = ns;
    }
    /// Adds every value of `other`.
    void merge(const LatencyHistogram& other) noexcept;
    void reset() noexcept;

    uint64_t count() const noexcept { return count_; }
    /// 0 when empty.
    uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
    uint64_t max() const noexcept { return max_; }
    /// Arithmetic mean (exact sum / count); 0 when empty.
    double mean() const noexcept { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
    /// The value at percentile q (0 < q <= 100): the highest value of the bucket holding the
    /// ceil(q/100 * count)-th smallest value, clamped to [min, max]. 0 when empty. q <= 0
    /// gives min(), q >= 100 gives max().
    uint64_t percentile(double q) const noexcept;

    /// Bucket index of a value, and the range [lowest, highest] a bucket covers (exposed for
    /// tests).
    static unsigned bucket_of(uint64_t v) noexcept {
        if (v < 2 * kSub) return static_cast<unsigned>(v);
        const unsigned e = 63u - static_cast<unsigned>(__builtin_clzll(v));  // >= kSubBits + 1
        const unsigned shift = e - kSubBits;
        return ((shift + 1) << kSubBits) + static_cast<unsigned>((v >> shift) & (kSub - 1));
    }
    static uint64_t bucket_lowest(unsigned b) noexcept {
        if (b < 2 * kSub) return b;
        const unsigned shift = (b >> kSubBits) - 1;
        return (uint64_t{kSub} + (b & (kSub - 1))) << shift;
    }
    static uint64_t bucket_highest(unsigned b) noexcept {
        if (b < 2 * kSub) return b;
        const unsigned shift = (b >> kSubBits) - 1;
        return bucket_lowest(b) + ((uint64_t{1} << shift) - 1);
    }

  private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t sum_ = 0;
    uint64_t max_ = 0;
    uint64_t min_ = UINT64_MAX;
};

}  // namespace edgelease::loadgen
