// Fifo: order through wrap-around and growth, and no allocation once it is large enough.
#include <gtest/gtest.h>

#include <string>

#include "common/fifo.hpp"

namespace {

using edgelease::Fifo;

TEST(Fifo, KeepsOrderAcrossWrapAndGrowth) {
    Fifo<int> q(4);
    int next_in = 0, next_out = 0;
    // Push and pop at uneven rates so that the head wraps before and after each growth.
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 3 + round % 5; ++i) q.push_back(next_in++);
        for (int i = 0; i < 2 && !q.empty(); ++i) {
            ASSERT_EQ(q.front(), next_out++);
            q.pop_front();
        }
        ASSERT_EQ(q.size(), static_cast<size_t>(next_in - next_out));
    }
    while (!q.empty()) {
        ASSERT_EQ(q.front(), next_out++);
        q.pop_front();
    }
    EXPECT_EQ(next_out, next_in);
    EXPECT_GE(q.capacity(), 128u);
}

TEST(Fifo, AppendFillsInPlaceAndCapacityStaysInASteadyState) {
    Fifo<std::string> q(8);
    for (int i = 0; i < 1000; ++i) {
        q.append() = "v" + std::to_string(i);
        if (q.size() > 5) {
            EXPECT_EQ(q.front(), "v" + std::to_string(i - 5));
            q.pop_front();
        }
    }
    EXPECT_EQ(q.capacity(), 8u);  // never more than 6 held: never grew
    EXPECT_EQ(q.size(), 5u);
    EXPECT_EQ(q.front(), "v995");
}

TEST(Fifo, PushingItsOwnFrontWhileFullCopiesBeforeGrowing) {
    Fifo<std::string> q(2);
    q.push_back(std::string(64, 'a'));  // longer than the small-string buffer: heap-held
    q.push_back(std::string(64, 'b'));
    q.push_back(q.front());  // full: the ring grows while `v` points into it
    ASSERT_EQ(q.size(), 3u);
    q.pop_front();
    EXPECT_EQ(q.front(), std::string(64, 'b'));
    q.pop_front();
    EXPECT_EQ(q.front(), std::string(64, 'a'));
}

}  // namespace
