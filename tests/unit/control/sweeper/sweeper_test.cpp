// The sweeper's tick and its SPSC link, driven with a fake clock: entries come back at their
// second and not before, a renewal is a second entry, a full to_control queue is carried over
// without loss, and work per tick stays within the limits.
#include "control/sweeper/sweeper.hpp"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "control/sweeper/sweeper_link.hpp"

namespace edgelease::control::sweeper {
namespace {

constexpr int64_t kT0 = 1'700'000'000;

ExpiryEntry entry(uint32_t ip, int64_t expires, uint64_t generation = 1) {
    return ExpiryEntry{ip, static_cast<uint32_t>(generation), expires, generation};
}

/// Everything the control side can take right now.
std::vector<ExpiryEntry> take_all(SweeperLink& link) {
    std::vector<ExpiryEntry> out;
    ExpiryEntry buf[64];
    while (size_t n = link.take_due(buf, 64)) out.insert(out.end(), buf, buf + n);
    return out;
}

TEST(SweeperLink, RejectsZeroCapacity) {
    EXPECT_THROW(SweeperLink(0), std::invalid_argument);
}

TEST(Sweeper, DueAtItsSecondAndNotBefore) {
    SweeperLink link(64);
    Sweeper sw(link, kT0);
    ASSERT_TRUE(link.schedule(entry(1, kT0 + 5)));
    ASSERT_TRUE(link.schedule(entry(2, kT0 + 5)));
    ASSERT_TRUE(link.schedule(entry(3, kT0 + 7)));
    EXPECT_EQ(link.control_stats().scheduled.get(), 3u);
    for (int64_t t = kT0; t < kT0 + 5; ++t) {
        sw.tick(t);
        EXPECT_TRUE(take_all(link).empty()) << "early at +" << t - kT0;
    }
    EXPECT_EQ(sw.wheel_size(), 3u);
    EXPECT_EQ(link.sweeper_stats().received.get(), 3u);
    sw.tick(kT0 + 5);
    auto due = take_all(link);
    ASSERT_EQ(due.size(), 2u);
    std::set<uint32_t> ips{due[0].lease_ip, due[1].lease_ip};
    EXPECT_EQ(ips, (std::set<uint32_t>{1, 2}));
    sw.tick(kT0 + 6);
    EXPECT_TRUE(take_all(link).empty());
    sw.tick(kT0 + 9);  // a skipped second: still delivered, late rather than never
    due = take_all(link);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].lease_ip, 3u);
    EXPECT_EQ(due[0].expires, kT0 + 7);
    EXPECT_EQ(sw.wheel_size(), 0u);
    EXPECT_EQ(link.sweeper_stats().due_sent.get(), 3u);
    EXPECT_EQ(link.control_stats().due_taken.get(), 3u);
    EXPECT_EQ(link.sweeper_stats().backlog.get(), 0u);
}

TEST(Sweeper, AlreadyDueEntryComesOutOnTheTickThatTakesIt) {
    SweeperLink link(64);
    Sweeper sw(link, kT0);
    sw.tick(kT0 + 100);
    link.schedule(entry(9, kT0 + 50));  // expired while in flight (or restored after downtime)
    EXPECT_EQ(sw.tick(kT0 + 100), 2u);  // one taken in, one sent out
    auto due = take_all(link);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].lease_ip, 9u);
}

TEST(Sweeper, FarFutureEntryWaitsForItsRound) {
    SweeperLimits lim;
    lim.wheel_slots = 16;
    SweeperLink link(64);
    Sweeper sw(link, kT0, lim);
    link.schedule(entry(1, kT0 + 3 + 16 * 3));  // shares a slot with kT0 + 3
    for (int64_t t = kT0; t < kT0 + 3 + 16 * 3; ++t) {
        sw.tick(t);
        ASSERT_TRUE(take_all(link).empty()) << "early at +" << t - kT0;
    }
    sw.tick(kT0 + 3 + 16 * 3);
    EXPECT_EQ(take_all(link).size(), 1u);
}

TEST(Sweeper, RenewalIsANewGenerationEntry) {
    // The sweeper does not dedupe: both entries come back, each at its own second, and the
    // control lcore drops the stale one by generation (LeaseEngine::expire_if_current).
    SweeperLink link(64);
    Sweeper sw(link, kT0);
    link.schedule(entry(7, kT0 + 10, 1));
    sw.tick(kT0 + 1);
    link.schedule(entry(7, kT0 + 20, 2));  // renewed at +1
    sw.tick(kT0 + 10);
    auto first = take_all(link);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].generation, 1u);
    EXPECT_EQ(first[0].generation_lo, 1u);
    sw.tick(kT0 + 19);
    EXPECT_TRUE(take_all(link).empty());
    sw.tick(kT0 + 20);
    auto second = take_all(link);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].generation, 2u);
    EXPECT_EQ(second[0].expires, kT0 + 20);
}

TEST(Sweeper, FullControlQueueIsCarriedOverWithoutLoss) {
    constexpr uint32_t kN = 100;
    SweeperLink link(8);  // to_control takes 8 at a time
    SweeperLimits lim;
    lim.max_due_per_tick = 64;
    Sweeper sw(link, kT0, lim);
    for (uint32_t i = 0; i < kN; ++i) link.schedule(entry(i, kT0 + 1));
    while (link.pending() != 0) {  // to_sweeper holds 8 too: feed the wheel in rounds
        sw.tick(kT0);
        link.flush(8);
    }
    sw.tick(kT0);
    ASSERT_EQ(sw.wheel_size(), kN);

    std::multiset<uint32_t> got;
    ExpiryEntry buf[5];
    for (int round = 0; round < 1000 && got.size() < kN; ++round) {
        sw.tick(kT0 + 1);
        EXPECT_LE(sw.carry_over(), lim.max_due_per_tick);
        // The control side takes less than the sweeper sends: the sweeper has to carry over.
        const size_t n = link.take_due(buf, 5);
        for (size_t i = 0; i < n; ++i) got.insert(buf[i].lease_ip);
    }
    ASSERT_EQ(got.size(), kN);
    for (uint32_t i = 0; i < kN; ++i) EXPECT_EQ(got.count(i), 1u) << i;  // no loss, no repeat
    EXPECT_GT(link.sweeper_stats().due_full.get(), 0u);
    EXPECT_EQ(link.sweeper_stats().due_sent.get(), kN);
    EXPECT_EQ(sw.carry_over(), 0u);
    EXPECT_EQ(sw.wheel_size(), 0u);
    EXPECT_EQ(link.sweeper_stats().backlog.get(), 0u);
    EXPECT_EQ(sw.tick(kT0 + 2), 0u);
}

TEST(Sweeper, BoundedWorkPerTick) {
    SweeperLink link(4096);
    SweeperLimits lim;
    lim.max_scheduled_per_tick = 10;
    lim.max_due_per_tick = 16;
    Sweeper sw(link, kT0, lim);
    for (uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(link.schedule(entry(i, kT0)));
    size_t delivered = 0, ticks = 0;
    ExpiryEntry buf[4096];
    for (; delivered < 1000 && ticks < 10000; ++ticks) {
        const size_t received_before = link.sweeper_stats().received.get();
        const unsigned work = sw.tick(kT0);
        EXPECT_LE(link.sweeper_stats().received.get() - received_before, 10u);
        const size_t n = link.take_due(buf, 4096);
        EXPECT_LE(n, 16u);
        EXPECT_LE(work, 10u + 16u);
        EXPECT_GT(work, 0u);
        delivered += n;
    }
    EXPECT_EQ(delivered, 1000u);
    EXPECT_GE(ticks, 100u);       // 1000 entries at 10 per tick
    EXPECT_EQ(sw.tick(kT0), 0u);  // idle
    EXPECT_EQ(sw.tick(kT0 + 1), 0u);
}

TEST(Sweeper, BacklogGaugeCountsWhatIsDueButNotSent) {
    SweeperLink link(4096);
    SweeperLimits lim;
    lim.max_due_per_tick = 100;
    Sweeper sw(link, kT0, lim);
    for (uint32_t i = 0; i < 1000; ++i) link.schedule(entry(i, kT0 + 1));
    sw.tick(kT0);
    EXPECT_EQ(link.sweeper_stats().backlog.get(), 0u);
    EXPECT_EQ(link.sweeper_stats().wheel_size.get(), 1000u);
    sw.tick(kT0 + 1);
    EXPECT_EQ(link.sweeper_stats().backlog.get(), 900u);
    sw.tick(kT0 + 1);
    EXPECT_EQ(link.sweeper_stats().backlog.get(), 800u);
}

TEST(SweeperLink, PendingBufferWhenToSweeperIsFull) {
    SweeperLink link(4);
    for (uint32_t i = 0; i < 10; ++i) EXPECT_TRUE(link.schedule(entry(i, kT0 + 1)));
    EXPECT_EQ(link.control_stats().scheduled.get(), 4u);
    EXPECT_EQ(link.control_stats().schedule_full.get(), 6u);
    EXPECT_EQ(link.pending(), 6u);
    EXPECT_EQ(link.control_stats().pending.get(), 6u);
    EXPECT_EQ(link.flush(100), 0u);  // still full
    Sweeper sw(link, kT0);
    sw.tick(kT0);                    // takes 4
    EXPECT_EQ(link.flush(3), 3u);    // bounded by max
    EXPECT_EQ(link.flush(100), 1u);  // bounded by room
    sw.tick(kT0);
    EXPECT_EQ(link.flush(100), 2u);
    EXPECT_EQ(link.pending(), 0u);
    sw.tick(kT0);
    EXPECT_EQ(sw.wheel_size(), 10u);
    sw.tick(kT0 + 1);
    auto due = take_all(link);
    ASSERT_EQ(due.size(), 4u);  // to_control holds 4; the rest is carried over
    while (sw.carry_over() != 0) {
        sw.tick(kT0 + 1);
        auto more = take_all(link);
        due.insert(due.end(), more.begin(), more.end());
    }
    std::set<uint32_t> ips;
    for (const auto& e : due) ips.insert(e.lease_ip);
    EXPECT_EQ(ips.size(), 10u);
}

TEST(SweeperLink, PendingCapDropsAndCounts) {
    SweeperLink link(2, 3);
    for (uint32_t i = 0; i < 5; ++i) EXPECT_TRUE(link.schedule(entry(i, kT0)));
    EXPECT_FALSE(link.schedule(entry(5, kT0)));
    EXPECT_EQ(link.control_stats().schedule_dropped.get(), 1u);
    std::vector<ExpiryEntry> seed{entry(6, kT0), entry(7, kT0)};
    link.schedule_all(std::move(seed));
    EXPECT_EQ(link.control_stats().schedule_dropped.get(), 3u);
    EXPECT_EQ(link.pending(), 3u);
}

TEST(SweeperLink, SeedIsAdoptedAndFlushedInBatches) {
    SweeperLink link(1000);
    Sweeper sw(link, kT0);
    std::vector<ExpiryEntry> seed;
    for (uint32_t i = 0; i < 300'000; ++i) seed.push_back(entry(i, kT0 + 1 + i % 3));
    link.schedule_all(std::move(seed));
    EXPECT_EQ(link.pending(), 300'000u);
    // A new schedule() waits behind the seed (FIFO), it does not overtake it.
    link.schedule(entry(999'999, kT0 + 1));
    EXPECT_EQ(link.control_stats().scheduled.get(), 0u);
    size_t rounds = 0;
    while (link.pending() != 0 && rounds < 10'000) {
        EXPECT_LE(link.flush(512), 512u);
        sw.tick(kT0);
        ++rounds;
    }
    EXPECT_GE(rounds, 300'001u / 512);
    EXPECT_EQ(link.pending(), 0u);
    EXPECT_EQ(sw.wheel_size(), 300'001u);
    EXPECT_EQ(link.control_stats().scheduled.get(), 300'001u);
}

TEST(SweeperLink, PendingCompactsWhileEntriesKeepArriving) {
    SweeperLink link(64);
    Sweeper sw(link, kT0);
    for (uint32_t i = 0; i < 64; ++i) link.schedule(entry(i, kT0 + 1));
    // More arrives per round than the ring moves: pending never drains while it is being
    // consumed from the front, so it compacts in place; nothing is lost or repeated.
    uint32_t next = 64;
    for (int round = 0; round < 2000; ++round) {
        for (int k = 0; k < 80; ++k) link.schedule(entry(next++, kT0 + 1));
        sw.tick(kT0);
        link.flush(64);
    }
    EXPECT_EQ(link.pending(), 16u * 2000u);
    while (link.pending() != 0) {
        sw.tick(kT0);
        link.flush(64);
    }
    sw.tick(kT0);
    EXPECT_EQ(sw.wheel_size(), next);
    EXPECT_EQ(link.control_stats().scheduled.get(), next);
}

TEST(Sweeper, TwoThreadsLoseNothing) {
    // The appliance's shape: one control thread scheduling and taking, one sweeper thread.
    constexpr uint32_t kN = 50'000;
    SweeperLink link(1024);
    std::atomic<bool> stop{false};
    Sweeper sw(link, kT0);
    std::thread sweeper([&] {
        while (!stop.load(std::memory_order_relaxed))
            if (sw.tick(kT0 + 10) == 0) std::this_thread::yield();
    });
    std::vector<uint8_t> seen(kN, 0);
    uint32_t sent = 0;
    size_t got = 0;
    ExpiryEntry buf[256];
    while (got < kN) {
        for (int k = 0; k < 64 && sent < kN; ++k, ++sent)
            link.schedule(entry(sent, kT0 + static_cast<int64_t>(sent % 11)));
        link.flush(1024);
        const size_t n = link.take_due(buf, 256);
        for (size_t i = 0; i < n; ++i) ++seen[buf[i].lease_ip];
        got += n;
        if (n == 0) std::this_thread::yield();
    }
    stop = true;
    sweeper.join();
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(kN));
    EXPECT_EQ(link.sweeper_stats().due_sent.get(), kN);
}

TEST(Sweeper, WallClockIsUnixSeconds) {
    const int64_t t = Sweeper::wall_clock_now();
    EXPECT_LE(std::abs(t - static_cast<int64_t>(::time(nullptr))), 1);
}

}  // namespace
}  // namespace edgelease::control::sweeper
