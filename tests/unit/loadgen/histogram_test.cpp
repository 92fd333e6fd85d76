// The latency histogram: exact small values, contiguous buckets, bounded percentile error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "loadgen/histogram.hpp"

namespace edgelease::loadgen {
namespace {

TEST(Histogram, EmptyReportsZeros) {
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.percentile(50), 0u);
}

TEST(Histogram, BucketsAreContiguousAndCoverEveryValue) {
    using H = LatencyHistogram;
    EXPECT_EQ(H::bucket_lowest(0), 0u);
    for (unsigned b = 0; b + 1 < H::kBuckets; ++b) {
        ASSERT_LE(H::bucket_lowest(b), H::bucket_highest(b)) << b;
        ASSERT_EQ(H::bucket_highest(b) + 1, H::bucket_lowest(b + 1)) << b;
        ASSERT_EQ(H::bucket_of(H::bucket_lowest(b)), b);
        ASSERT_EQ(H::bucket_of(H::bucket_highest(b)), b);
    }
    EXPECT_EQ(H::bucket_highest(H::kBuckets - 1), UINT64_MAX);
    EXPECT_EQ(H::bucket_of(UINT64_MAX), H::kBuckets - 1);
}

TEST(Histogram, SmallValuesAreExact) {
    LatencyHistogram h;
    for (uint64_t v = 1; v <= 60; ++v) h.record(v);
    EXPECT_EQ(h.count(), 60u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 60u);
    EXPECT_EQ(h.percentile(50), 30u);
    EXPECT_EQ(h.percentile(90), 54u);
    EXPECT_EQ(h.percentile(100), 60u);
    EXPECT_DOUBLE_EQ(h.mean(), 30.5);
}

TEST(Histogram, PercentilesWithinOneBucketOfTheTruth) {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> d(9.0, 1.5);  // around 8 us, long tail
    LatencyHistogram h;
    std::vector<uint64_t> all;
    for (int i = 0; i < 200000; ++i) {
        const auto v = static_cast<uint64_t>(d(rng));
        h.record(v);
        all.push_back(v);
    }
    std::sort(all.begin(), all.end());
    for (double q : {1.0, 50.0, 90.0, 99.0, 99.9}) {
        const auto rank = static_cast<size_t>(std::ceil(q / 100 * all.size()));
        const uint64_t truth = all[rank - 1];
        const uint64_t got = h.percentile(q);
        EXPECT_GE(got, truth) << "p" << q;
        EXPECT_LE(static_cast<double>(got), truth * (1 + 1.0 / LatencyHistogram::kSub) + 1)
            << "p" << q;
    }
    EXPECT_EQ(h.percentile(100), all.back());
    EXPECT_EQ(h.max(), all.back());
    EXPECT_EQ(h.min(), all.front());
}

TEST(Histogram, PercentileNeverExceedsTheMaximum) {
    LatencyHistogram h;
    h.record(1000001);  // in a bucket whose highest value is above it
    EXPECT_EQ(h.percentile(50), 1000001u);
    EXPECT_EQ(h.percentile(99.99), 1000001u);
}

TEST(Histogram, MergeAddsEverything) {
    LatencyHistogram a, b;
    for (uint64_t v = 0; v < 100; ++v) a.record(v * 1000);
    for (uint64_t v = 0; v < 100; ++v) b.record(5000000 + v);
    a.merge(b);
    EXPECT_EQ(a.count(), 200u);
    EXPECT_EQ(a.min(), 0u);
    EXPECT_EQ(a.max(), 5000099u);
    EXPECT_GE(a.percentile(75), 5000000u);
    a.reset();
    EXPECT_EQ(a.count(), 0u);
    EXPECT_EQ(a.percentile(50), 0u);
}

}  // namespace
}  // namespace edgelease::loadgen
