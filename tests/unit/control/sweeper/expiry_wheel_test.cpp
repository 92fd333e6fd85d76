#include "control/sweeper/expiry_wheel.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace edgelease::control::sweeper {
namespace {

constexpr int64_t kT0 = 1'700'000'000;  // a plausible Unix time

ExpiryEntry entry(uint32_t ip, int64_t expires, uint64_t generation = 1) {
    return ExpiryEntry{ip, static_cast<uint32_t>(generation), expires, generation};
}

// Drains with a large budget; returns what came out.
std::vector<ExpiryEntry> drain(ExpiryWheel& w, int64_t now) {
    std::vector<ExpiryEntry> due;
    w.advance(now, SIZE_MAX, due);
    return due;
}

TEST(ExpiryWheel, RejectsZeroSlots) {
    EXPECT_THROW(ExpiryWheel(kT0, 0), std::invalid_argument);
}

TEST(ExpiryWheel, DueOrderAcrossSeconds) {
    ExpiryWheel w(kT0, 64);
    std::vector<int64_t> offsets;
    for (int s = 1; s <= 10; ++s)
        for (int k = 0; k < 5; ++k) offsets.push_back(s);
    std::mt19937 rng(42);
    std::shuffle(offsets.begin(), offsets.end(), rng);
    uint32_t ip = 1;
    for (int64_t off : offsets) w.insert(entry(ip++, kT0 + off));
    EXPECT_EQ(w.size(), 50u);

    EXPECT_TRUE(drain(w, kT0).empty());
    auto first = drain(w, kT0 + 4);
    ASSERT_EQ(first.size(), 20u);
    for (const auto& e : first) EXPECT_LE(e.expires, kT0 + 4);
    EXPECT_TRUE(std::is_sorted(first.begin(), first.end(),
                               [](const auto& a, const auto& b) { return a.expires < b.expires; }));

    auto rest = drain(w, kT0 + 100);
    ASSERT_EQ(rest.size(), 30u);
    EXPECT_TRUE(std::is_sorted(rest.begin(), rest.end(),
                               [](const auto& a, const auto& b) { return a.expires < b.expires; }));
    EXPECT_EQ(rest.front().expires, kT0 + 5);
    EXPECT_EQ(w.size(), 0u);
}

TEST(ExpiryWheel, FarFutureNotReturnedEarlyAcrossRounds) {
    constexpr uint32_t kSlots = 16;
    ExpiryWheel w(kT0, kSlots);
    // Same slot as kT0 + 3, but 1, 2 and 5 rounds later.
    w.insert(entry(1, kT0 + 3));
    w.insert(entry(2, kT0 + 3 + kSlots));
    w.insert(entry(3, kT0 + 3 + 2 * kSlots));
    w.insert(entry(4, kT0 + 3 + 5 * kSlots));
    // And one landing in the cursor's own slot, a round ahead.
    w.insert(entry(5, kT0 + kSlots));

    std::vector<ExpiryEntry> out;
    for (int64_t t = kT0; t <= kT0 + 6 * kSlots; ++t) {
        std::vector<ExpiryEntry> due;
        w.advance(t, SIZE_MAX, due);
        for (const auto& e : due) {
            EXPECT_EQ(e.expires, t) << "ip " << e.lease_ip << " came out at " << t - kT0;
            out.push_back(e);
        }
    }
    ASSERT_EQ(out.size(), 5u);
    std::vector<uint32_t> ips;
    for (const auto& e : out) ips.push_back(e.lease_ip);
    EXPECT_EQ(ips, (std::vector<uint32_t>{1, 5, 2, 3, 4}));
}

TEST(ExpiryWheel, FarFutureSurvivesBigJump) {
    constexpr uint32_t kSlots = 8;
    ExpiryWheel w(kT0, kSlots);
    w.insert(entry(1, kT0 + 2));
    w.insert(entry(2, kT0 + 2 + 10 * kSlots));
    auto due = drain(w, kT0 + 5 * kSlots);  // jump several rounds in one call
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].lease_ip, 1u);
    EXPECT_TRUE(drain(w, kT0 + 10 * kSlots + 1).empty());
    due = drain(w, kT0 + 10 * kSlots + 2);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].lease_ip, 2u);
}

TEST(ExpiryWheel, BoundedAdvanceResumesWithoutLossOrDuplicates) {
    constexpr uint32_t kSlots = 32;
    ExpiryWheel w(kT0, kSlots);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int64_t> off(0, 3 * kSlots);  // several rounds
    std::vector<ExpiryEntry> all;
    for (uint32_t ip = 1; ip <= 5000; ++ip) {
        all.push_back(entry(ip, kT0 + off(rng)));
        w.insert(all.back());
    }
    const int64_t now = kT0 + 2 * kSlots;
    const size_t expect_due =
        std::count_if(all.begin(), all.end(), [&](const auto& e) { return e.expires <= now; });

    std::set<uint32_t> seen;
    int64_t last_expiry = INT64_MIN;
    size_t calls = 0;
    for (;;) {
        std::vector<ExpiryEntry> batch;
        const size_t n = w.advance(now, 37, batch);  // odd budget: stops mid-slot often
        ASSERT_EQ(n, batch.size());
        ASSERT_LE(n, 37u);
        ++calls;
        for (const auto& e : batch) {
            EXPECT_LE(e.expires, now);
            EXPECT_GE(e.expires, last_expiry) << "seconds out of order";
            last_expiry = e.expires;
            EXPECT_TRUE(seen.insert(e.lease_ip).second) << "duplicate " << e.lease_ip;
        }
        if (n < 37) break;
    }
    EXPECT_EQ(seen.size(), expect_due);
    EXPECT_GT(calls, expect_due / 37);
    EXPECT_EQ(w.size(), all.size() - expect_due);
    EXPECT_EQ(w.backlog(), 0u);

    // The rest comes out later, exactly once.
    auto rest = drain(w, kT0 + 3 * kSlots);
    for (const auto& e : rest) EXPECT_TRUE(seen.insert(e.lease_ip).second);
    EXPECT_EQ(seen.size(), all.size());
}

TEST(ExpiryWheel, PartiallyProcessedSlotWithInsertsInBetween) {
    constexpr uint32_t kSlots = 4;
    ExpiryWheel w(kT0, kSlots);
    // Slot of kT0+1 mixes due entries with next-round ones.
    for (uint32_t ip = 1; ip <= 10; ++ip) w.insert(entry(ip, kT0 + 1 + (ip % 2 ? 0 : kSlots)));
    std::vector<ExpiryEntry> due;
    EXPECT_EQ(w.advance(kT0 + 1, 2, due), 2u);
    // 3 still due; the estimate may also count next-round entries of the slot not yet scanned.
    EXPECT_GE(w.backlog(), 3u);
    EXPECT_LE(w.backlog(), 8u);
    // Inserted mid-slot: one due now (appended to the cursor slot), one a round later.
    w.insert(entry(100, kT0 + 1));
    w.insert(entry(101, kT0 + 1 + kSlots));
    EXPECT_EQ(w.advance(kT0 + 1, 2, due), 2u);
    EXPECT_EQ(w.advance(kT0 + 1, 100, due), 2u);
    std::set<uint32_t> ips;
    for (const auto& e : due) ips.insert(e.lease_ip);
    EXPECT_EQ(ips, (std::set<uint32_t>{1, 3, 5, 7, 9, 100}));
    EXPECT_EQ(due.size(), 6u);
    EXPECT_EQ(w.backlog(), 0u);
    EXPECT_EQ(w.size(), 6u);

    due.clear();
    w.advance(kT0 + 1 + kSlots, 100, due);
    EXPECT_EQ(due.size(), 6u);
    EXPECT_EQ(w.size(), 0u);
}

TEST(ExpiryWheel, InsertIntoThePast) {
    ExpiryWheel w(kT0, 64);
    EXPECT_TRUE(drain(w, kT0 + 10).empty());
    w.insert(entry(1, kT0 - 1000));  // long gone
    w.insert(entry(2, kT0 + 3));     // already passed the cursor
    w.insert(entry(3, kT0 + 10));    // exactly now
    w.insert(entry(4, kT0 + 11));    // future
    EXPECT_EQ(w.backlog(), 3u);
    auto due = drain(w, kT0 + 10);  // same `now`: the past entries still come out
    std::set<uint32_t> ips;
    for (const auto& e : due) ips.insert(e.lease_ip);
    EXPECT_EQ(ips, (std::set<uint32_t>{1, 2, 3}));
    EXPECT_EQ(w.size(), 1u);
    EXPECT_EQ(drain(w, kT0 + 11).size(), 1u);
}

TEST(ExpiryWheel, NegativeAndFarTimesMapToASlot) {
    ExpiryWheel w(-5, 7);
    w.insert(entry(1, -3));
    w.insert(entry(2, INT64_MIN));
    auto due = drain(w, -3);
    EXPECT_EQ(due.size(), 2u);
}

TEST(ExpiryWheel, RenewalBothEntriesComeOutConsumerFilters) {
    ExpiryWheel w(kT0, 64);
    const uint32_t ip = 0xC6120032;  // 198.18.0.50
    w.insert(entry(ip, kT0 + 60, 1));
    w.insert(entry(ip, kT0 + 120, 2));  // renewal: new expiry, higher generation
    uint64_t current_generation = 2;    // what the control lcore holds

    auto due = drain(w, kT0 + 60);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].generation, 1u);
    EXPECT_NE(due[0].generation, current_generation);  // stale: the consumer drops it

    EXPECT_TRUE(drain(w, kT0 + 119).empty());
    due = drain(w, kT0 + 120);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].lease_ip, ip);
    EXPECT_EQ(due[0].generation, current_generation);  // this one expires the lease
    EXPECT_EQ(due[0].generation_lo, 2u);
}

TEST(ExpiryWheel, MillionInTheSameSecondInBoundedBatches) {
    constexpr size_t kN = 1'000'000;
    constexpr size_t kBudget = 65'536;
    ExpiryWheel w(kT0);
    for (uint32_t i = 0; i < kN; ++i) w.insert(entry(0x0A000000u + i, kT0 + 30, i));
    EXPECT_EQ(w.size(), kN);
    EXPECT_GE(w.memory_bytes(), kN * sizeof(ExpiryEntry));

    std::vector<ExpiryEntry> due;
    due.reserve(kBudget);
    std::vector<uint8_t> seen(kN, 0);
    size_t total = 0, calls = 0;
    EXPECT_EQ(w.advance(kT0 + 29, kBudget, due), 0u);
    for (;;) {
        due.clear();
        const size_t n = w.advance(kT0 + 30, kBudget, due);
        if (n == 0) break;
        ++calls;
        ASSERT_LE(n, kBudget);
        total += n;
        for (const auto& e : due) {
            ASSERT_EQ(e.expires, kT0 + 30);
            ASSERT_EQ(seen[e.generation]++, 0) << "duplicate";
        }
        EXPECT_EQ(w.backlog(), kN - total);
    }
    EXPECT_EQ(total, kN);
    EXPECT_EQ(calls, (kN + kBudget - 1) / kBudget);
    EXPECT_EQ(w.size(), 0u);
    EXPECT_EQ(w.backlog(), 0u);
}

TEST(ExpiryWheel, SteadyStateDoesNotGrow) {
    ExpiryWheel w(kT0, 128);
    std::vector<ExpiryEntry> due;
    due.reserve(1024);
    auto cycle = [&](int64_t base) {
        for (uint32_t i = 0; i < 1000; ++i) w.insert(entry(i, base + 1 + i % 50));
        for (int64_t t = base; t <= base + 60; ++t) {
            due.clear();
            w.advance(t, 1024, due);
        }
    };
    cycle(kT0);
    const size_t bytes = w.memory_bytes();
    const auto* due_data = due.data();
    for (int r = 1; r <= 20; ++r) cycle(kT0 + 128 * r);  // same slots every cycle
    EXPECT_EQ(w.memory_bytes(), bytes);
    EXPECT_EQ(due.data(), due_data);
    EXPECT_EQ(w.size(), 0u);
}

TEST(ExpiryWheel, TimeGoingBackwardsDoesNothing) {
    ExpiryWheel w(kT0, 64);
    w.insert(entry(1, kT0 + 5));
    w.insert(entry(2, kT0 + 8));
    EXPECT_EQ(drain(w, kT0 + 5).size(), 1u);
    std::vector<ExpiryEntry> due;
    EXPECT_EQ(w.advance(kT0 + 2, SIZE_MAX, due), 0u);
    EXPECT_EQ(w.advance(kT0 - 100, SIZE_MAX, due), 0u);
    EXPECT_TRUE(due.empty());
    EXPECT_EQ(w.size(), 1u);
    EXPECT_EQ(drain(w, kT0 + 7).size(), 0u);  // forward again: the wheel did not move back
    EXPECT_EQ(drain(w, kT0 + 8).size(), 1u);
}

TEST(ExpiryWheel, ZeroBudgetAndEmptyWheelJump) {
    ExpiryWheel w(kT0, 16);
    std::vector<ExpiryEntry> due;
    w.insert(entry(1, kT0 + 1));
    EXPECT_EQ(w.advance(kT0 + 1, 0, due), 0u);
    EXPECT_EQ(w.backlog(), 1u);
    EXPECT_EQ(w.advance(kT0 + 1, 1, due), 1u);
    // Empty wheel: a long idle (a year) is one step, and new entries still work afterwards.
    EXPECT_EQ(w.advance(kT0 + 365 * 86400, 10, due), 0u);
    w.insert(entry(2, kT0 + 365 * 86400 + 1));
    EXPECT_EQ(w.advance(kT0 + 365 * 86400 + 1, 10, due), 1u);
    EXPECT_EQ(due.back().lease_ip, 2u);
}

}  // namespace
}  // namespace edgelease::control::sweeper
