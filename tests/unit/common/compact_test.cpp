// TextArena (the zone store's interned strings) and SmallBytes (a lease's DUID and relay
// options): the compact holders that let a million subscribers fit in less memory.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/small_bytes.hpp"
#include "common/text_arena.hpp"

namespace edgelease {
namespace {

TEST(TextArena, HoldsStringsUntilFreedAndReusesBlocksOfTheSameSize) {
    detail::TextArena a;
    const auto r1 = a.add("lg-1.sub.test.");
    const auto r2 = a.add(std::string(200, 'x'));
    const auto r3 = a.add("");
    EXPECT_EQ(a.view(r1, 14), "lg-1.sub.test.");
    EXPECT_EQ(a.view(r2, 200), std::string(200, 'x'));
    EXPECT_EQ(a.view(r3, 0), "");
    EXPECT_EQ(a.bytes(), 16u + 200u + 8u);
    a.free(r1, 14);
    EXPECT_EQ(a.bytes(), 208u);
    // A string of the same rounded size (9-16 bytes) takes the freed block; another size not.
    const auto r4 = a.add("lg-22.sub.test.");
    EXPECT_EQ(r4, r1);
    const auto r5 = a.add("a");
    EXPECT_NE(r5, r1);
    EXPECT_EQ(a.view(r4, 15), "lg-22.sub.test.");
    EXPECT_EQ(a.view(r2, 200), std::string(200, 'x')) << "neighbours untouched";
    EXPECT_THROW(a.add(std::string(detail::TextArena::kMaxLen + 1, 'y')), std::length_error);
}

TEST(TextArena, ManyStringsAcrossChunksStayIntactThroughChurn) {
    detail::TextArena a;
    std::mt19937 rng(7);
    std::map<uint32_t, std::string> live;  // ref -> text
    for (int round = 0; round < 200000; ++round) {
        if (!live.empty() && rng() % 3 == 0) {
            auto it = live.begin();
            std::advance(it, rng() % std::min<size_t>(live.size(), 64));
            a.free(it->first, it->second.size());
            live.erase(it);
        } else {
            std::string s(1 + rng() % 80, static_cast<char>('a' + rng() % 26));
            s[0] = static_cast<char>('A' + round % 26);
            const auto r = a.add(s);
            ASSERT_EQ(live.count(r), 0u) << "a live block handed out twice";
            live[r] = s;
        }
    }
    EXPECT_GT(a.chunk_bytes(), size_t{1} << 20) << "the test must cross a chunk boundary";
    size_t bytes = 0;
    for (const auto& [r, s] : live) {
        ASSERT_EQ(a.view(r, s.size()), s);
        bytes += (s.size() + 7) / 8 * 8;
    }
    EXPECT_EQ(a.bytes(), bytes);
}

TEST(SmallBytes, InlineAndHeapContentCopyMoveAndCompare) {
    using B = SmallBytes<22>;
    static_assert(sizeof(B) == 24);
    const std::vector<uint8_t> duid_ll = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
    std::vector<uint8_t> long_duid(130);
    for (size_t i = 0; i < long_duid.size(); ++i) long_duid[i] = static_cast<uint8_t>(i);
    B a(duid_ll);
    B b = long_duid;
    EXPECT_EQ(a, duid_ll);
    EXPECT_EQ(b, long_duid);
    EXPECT_EQ(a.size(), 10u);
    EXPECT_EQ(b.size(), 130u);
    EXPECT_FALSE(a == b);
    B c = b;  // deep copy of a heap block
    EXPECT_EQ(c, b);
    EXPECT_NE(c.data(), b.data());
    B d = std::move(c);
    EXPECT_EQ(d, long_duid);
    EXPECT_TRUE(c.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    d = a;                   // heap -> inline
    EXPECT_EQ(d, duid_ll);
    a = long_duid;  // inline -> heap
    EXPECT_EQ(a, long_duid);
    a.assign(a.data() + 1, a.data() + 5);  // from its own heap block
    EXPECT_EQ(a, (std::vector<uint8_t>{1, 2, 3, 4}));
    const std::vector<uint8_t> back = a;
    EXPECT_EQ(back, (std::vector<uint8_t>{1, 2, 3, 4}));
    a.clear();
    EXPECT_TRUE(a.empty());
    B e = {7, 8, 9};
    EXPECT_EQ(e[2], 9);
    std::vector<uint8_t> too_long(SmallBytes<22>::kMax + 1);
    EXPECT_THROW(e.assign(too_long.data(), too_long.size()), std::length_error);
    EXPECT_EQ(e, (std::vector<uint8_t>{7, 8, 9})) << "a refused assign changes nothing";
}

}  // namespace
}  // namespace edgelease
