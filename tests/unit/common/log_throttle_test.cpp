#include "common/log_throttle.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace edgelease {
namespace {

struct Line {
    uint64_t events;
    long long secs;
};

TEST(LogThrottle, FirstEventLogsThenOneLinePerIntervalCountingEveryEvent) {
    LogThrottle t(10);
    std::vector<Line> lines;
    auto log = [&](uint64_t n, long long secs) { lines.push_back({n, secs}); };
    t.note(100, log);                                            // first: a line at once
    for (int64_t now = 101; now < 110; ++now) t.note(now, log);  // 9 within the interval
    t.note(110, log);  // due again: stands for 10 events over 10 s
    t.note(111, log);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].events, 1u);
    EXPECT_EQ(lines[0].secs, 0);
    EXPECT_EQ(lines[1].events, 10u);
    EXPECT_EQ(lines[1].secs, 10);
    t.note(200, log);  // the one at 111 is carried into the next line
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[2].events, 2u);
    EXPECT_EQ(lines[2].secs, 90);
}

}  // namespace
}  // namespace edgelease
