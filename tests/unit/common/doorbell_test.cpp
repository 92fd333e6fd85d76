// Doorbell and IdleBackoff: a ring wakes a sleeper long before its timeout, a ring with no
// sleeper costs no wake-up, and a ring that lands between the announcement and the wait is
// not lost (the futex word moved).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/doorbell.hpp"
#include "common/idle.hpp"

namespace {

using edgelease::Doorbell;
using edgelease::IdleBackoff;
constexpr uint32_t kLong = 20 * 1000 * 1000;  // 20 s: a test that waits this long has failed

/// Waits (bounded) until the sleeper has announced itself.
bool wait_sleeping(const Doorbell& b) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!b.sleeping()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::yield();
    }
    return true;
}

TEST(Doorbell, RingWithoutASleeperWakesNobody) {
    Doorbell b;
    EXPECT_FALSE(b.sleeping());
    EXPECT_FALSE(b.ring());
}

TEST(Doorbell, RingWakesTheSleeperBeforeItsTimeout) {
    Doorbell b;
    std::atomic<int> woke{-1};
    std::thread t([&] { woke.store(b.wait(b.prepare(), kLong) ? 1 : 0); });
    ASSERT_TRUE(wait_sleeping(b));
    // The announcement comes just before the futex wait: a ring in between must not be lost.
    EXPECT_TRUE(b.ring());
    t.join();
    EXPECT_EQ(woke.load(), 1);
    EXPECT_FALSE(b.sleeping());
}

TEST(Doorbell, RingBetweenPrepareAndWaitIsNotLost) {
    Doorbell b;
    const uint32_t seen = b.prepare();
    EXPECT_TRUE(b.ring());
    // The word moved: the wait returns at once, reporting a ring, not a 20 s timeout.
    EXPECT_TRUE(b.wait(seen, kLong));
}

TEST(Doorbell, CancelledSleepIsNotRung) {
    Doorbell b;
    b.prepare();
    b.cancel();
    EXPECT_FALSE(b.ring());
}

TEST(Doorbell, TimeoutWithoutRing) {
    Doorbell b;
    EXPECT_FALSE(b.wait(b.prepare(), 1000));
}

TEST(IdleBackoff, PendingWorkFoundAfterTheAnnouncementSkipsTheSleep) {
    Doorbell b;
    IdleBackoff backoff(kLong, &b);
    // Spins first; then each idle call would sleep, but the re-check finds work every time.
    int checks = 0;
    for (int i = 0; i < 200; ++i)
        EXPECT_FALSE(backoff.on_idle([&]() noexcept {
            ++checks;
            return true;
        }));
    EXPECT_GT(checks, 0);
    EXPECT_FALSE(b.sleeping());
}

TEST(IdleBackoff, SleepsOnTheBellAndARingEndsTheSleep) {
    Doorbell b;
    IdleBackoff backoff(kLong, &b);
    std::atomic<int> slept{0};
    std::atomic<bool> done{false};
    std::thread t([&] {
        // 500 idle polls: 64 spins and 16 yields, then sleeps doubling towards 20 s. Unrung they
        // would take hours; each ring ends one and starts the next short again.
        for (int i = 0; i < 500; ++i)
            if (backoff.on_idle()) slept.fetch_add(1);
        done.store(true);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done.load() && std::chrono::steady_clock::now() < deadline) {
        b.ring();
        std::this_thread::yield();
    }
    if (!done.load()) {
        // Failed: let the thread go (it still sleeps on the bell).
        while (!done.load()) {
            b.ring();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    t.join();
    EXPECT_TRUE(std::chrono::steady_clock::now() < deadline) << "the rings did not end the sleeps";
    EXPECT_GE(slept.load(),
              4);  // at least once per 80 idle polls (a ring restarts spin and yields)
}

}  // namespace
