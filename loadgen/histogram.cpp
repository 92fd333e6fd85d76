#include "loadgen/histogram.hpp"

#include <cmath>

namespace edgelease::loadgen {

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    if (other.max_ > max_) max_ = other.max_;
    if (other.min_ < min_) min_ = other.min_;
}

void LatencyHistogram::reset() noexcept {
    counts_.fill(0);
    count_ = sum_ = max_ = 0;
    min_ = UINT64_MAX;
}

uint64_t LatencyHistogram::percentile(double q) const noexcept {
    if (count_ == 0) return 0;
    if (q <= 0) return min_;
    if (q >= 100) return max_;
    // Nearest-rank: the smallest value with at least q % of the values at or below it.
    auto rank = static_cast<uint64_t>(std::ceil(q / 100.0 * static_cast<double>(count_)));
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < kBuckets; ++b) {
        seen += counts_[b];
        if (seen >= rank) {
            const uint64_t v = bucket_highest(b);
            return v > max_ ? max_ : (v < min_ ? min_ : v);
        }
    }
    return max_;
}

}  // namespace edgelease::loadgen
