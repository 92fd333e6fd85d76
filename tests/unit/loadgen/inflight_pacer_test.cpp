// The DNS in-flight table (ID and generation matching, timeouts), open-loop pacing and the
// admission of new starts (window, burst, count, duration).
#include <gtest/gtest.h>

#include <set>

#include "loadgen/admission.hpp"
#include "loadgen/dns_inflight.hpp"
#include "loadgen/pacer.hpp"

namespace edgelease::loadgen {
namespace {

TEST(Inflight, AcquireCompleteAndStaleAnswers) {
    InflightTable t(4);
    EXPECT_EQ(t.capacity(), 4u);
    uint16_t id[4], gen[4];
    std::set<uint16_t> ids;
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(t.acquire(100 + i, 7 + i, id[i], gen[i]));
        ids.insert(id[i]);
    }
    EXPECT_EQ(ids.size(), 4u);
    EXPECT_EQ(t.in_use(), 4u);
    uint16_t x, g;
    EXPECT_FALSE(t.acquire(200, 0, x, g));  // full

    uint64_t sent = 0;
    uint32_t tmpl = 0;
    EXPECT_FALSE(
        t.complete(id[2], static_cast<uint16_t>(gen[2] + 1), sent, tmpl));  // wrong generation
    ASSERT_TRUE(t.complete(id[2], gen[2], sent, tmpl));
    EXPECT_EQ(sent, 102u);
    EXPECT_EQ(tmpl, 9u);
    EXPECT_FALSE(t.complete(id[2], gen[2], sent, tmpl));  // duplicate
    EXPECT_FALSE(t.complete(9, 0, sent, tmpl));           // no such slot
    EXPECT_EQ(t.in_use(), 3u);

    // The slot comes back with a new generation: the late answer still does not match.
    ASSERT_TRUE(t.acquire(300, 1, x, g));
    EXPECT_EQ(x, id[2]);
    EXPECT_NE(g, gen[2]);
    EXPECT_FALSE(t.complete(id[2], gen[2], sent, tmpl));
    EXPECT_TRUE(t.complete(x, g, sent, tmpl));

    t.cancel(id[0]);
    t.cancel(id[0]);  // twice is harmless
    EXPECT_EQ(t.in_use(), 2u);
    EXPECT_EQ(t.expire_all(), 2u);
    EXPECT_EQ(t.in_use(), 0u);
}

TEST(Inflight, TheHandExpiresOnlyOldQueriesWithinItsBudget) {
    InflightTable t(8);
    uint16_t id, gen;
    for (uint64_t s = 0; s < 8; ++s) ASSERT_TRUE(t.acquire(s * 10, 0, id, gen));
    EXPECT_EQ(t.expire(35, 4), 4u);    // slots 0..3 sent at 0..30
    EXPECT_EQ(t.expire(35, 4), 0u);    // slots 4..7 are younger
    EXPECT_EQ(t.expire(1000, 4), 0u);  // the hand is back at 0..3: already free
    EXPECT_EQ(t.expire(1000, 2), 2u);  // 4 and 5
    EXPECT_EQ(t.in_use(), 2u);
    EXPECT_EQ(t.expire(1000, 100), 2u);
}

TEST(Inflight, GenerationsWrapWithinTheirRange) {
    InflightTable t(1);
    uint16_t id, gen;
    uint64_t sent;
    uint32_t tmpl;
    for (int i = 0; i < InflightTable::kGenerations + 5; ++i) {
        ASSERT_TRUE(t.acquire(0, 0, id, gen));
        ASSERT_LT(gen, InflightTable::kGenerations);
        ASSERT_TRUE(t.complete(id, gen, sent, tmpl));
    }
    EXPECT_THROW(InflightTable(0), std::invalid_argument);
    EXPECT_THROW(InflightTable(65537), std::invalid_argument);
    EXPECT_NO_THROW(InflightTable(65536));
}

TEST(Pacer, HandsOutStartsAtTheRate) {
    // 1000 starts per second on a 1 MHz clock: one per 1000 ticks.
    Pacer p(1000, 1000000, 5000, 100);
    EXPECT_EQ(p.due(5000), 0u);
    EXPECT_EQ(p.due(5999), 0u);
    EXPECT_EQ(p.due(6000), 1u);
    EXPECT_EQ(p.due(9500), 4u);
    p.take(3);
    EXPECT_EQ(p.due(9500), 1u);  // one still due
    p.take(1);
    EXPECT_EQ(p.due(10000), 1u);
    EXPECT_EQ(p.taken(), 4u);
}

TEST(Pacer, AStallIsGivenUpBeyondTheBacklog) {
    Pacer p(1000, 1000000, 0, 10);
    EXPECT_EQ(p.due(1000000), 10u);  // a second late: 1000 due, 10 allowed at once
    EXPECT_EQ(p.skipped(), 990u);
    p.take(10);
    EXPECT_EQ(p.due(1000000), 0u);
    EXPECT_EQ(p.due(1001000), 1u);
}

TEST(Admission, ClosedLoopFillsTheWindowUpToTheBurstAndTheCount) {
    LoopCounters c;
    Admission a(0, 100, 0, 32, 1000000, 0);
    EXPECT_EQ(a.allow(1, 1000, c), 32u);  // the burst
    EXPECT_EQ(a.allow(1, 5, c), 5u);      // the room
    a.started(90);
    EXPECT_EQ(a.allow(2, 1000, c), 10u);  // the count
    EXPECT_FALSE(a.over(2));
    a.started(10);
    EXPECT_TRUE(a.over(2));
    a.no_client(3, c);  // a closed loop just tries again
    EXPECT_EQ(c.window_full.get() + c.no_idle_client.get(), 0u);
}

TEST(Admission, OpenLoopGivesUpWhatHasNoRoomAndEndsOnTime) {
    LoopCounters c;
    Admission a(1000, 0, 2.0, 32, 1000000, 0);  // 1000/s for 2 s on a 1 MHz clock
    EXPECT_EQ(a.allow(10000, 1000, c), 10u);    // 10 ms: 10 due
    a.started(4);                               // 6 still due
    EXPECT_EQ(a.allow(10000, 2, c), 2u);        // room for 2: 4 given up
    EXPECT_EQ(c.window_full.get(), 4u);
    a.started(2);
    EXPECT_EQ(a.allow(10000, 100, c), 0u);
    EXPECT_EQ(a.allow(12000, 100, c), 2u);
    a.no_client(2, c);  // no idle client: given up too
    EXPECT_EQ(c.no_idle_client.get(), 2u);
    EXPECT_EQ(a.allow(12000, 100, c), 0u);
    EXPECT_FALSE(a.over(1999999));
    EXPECT_TRUE(a.over(2000000));
    EXPECT_EQ(a.total_started(), 6u);
}

}  // namespace
}  // namespace edgelease::loadgen
