// Response rate limiting: counts per prefix and class in one-second windows, slip, exempt
// prefixes, and the answers it classifies and truncates.
#include "dataplane/dns/rrl.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <vector>

namespace edgelease::dataplane::dns {
namespace {

using Action = RrlTable::Action;

struct Addr {
    bool v6;
    std::vector<uint8_t> b;
};
Addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {false, {a, b, c, d}};
}
Addr v6(uint8_t b6, uint8_t b7, uint8_t last) {
    std::vector<uint8_t> x{0x20, 0x01, 0x0d, 0xb8, 0, 0, b6, b7, 0, 0, 0, 0, 0, 0, 0, last};
    return {true, x};
}

RrlSettings settings(uint32_t rate, uint32_t slip) {
    RrlSettings s;
    s.rate = rate;
    s.slip = slip;
    return s;
}

Action hit(RrlTable& t, const Addr& a, RrlClass c = RrlClass::Answer, uint32_t now = 100) {
    return t.check(a.v6, a.b.data(), c, now);
}

TEST(Rrl, LimitsAPrefixPerSecondAndSlipsEverySecondLimitedAnswer) {
    RrlTable t(settings(5, 2));
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(hit(t, v4(198, 19, 100, static_cast<uint8_t>(i))), Action::Send);
    // The sixth from anywhere in the /24: limited; every 2nd limited one slips.
    EXPECT_EQ(hit(t, v4(198, 19, 100, 77)), Action::Drop);
    EXPECT_EQ(hit(t, v4(198, 19, 100, 78)), Action::Slip);
    EXPECT_EQ(hit(t, v4(198, 19, 100, 79)), Action::Drop);
    EXPECT_EQ(hit(t, v4(198, 19, 100, 80)), Action::Slip);
    // Another /24, another class: their own counts.
    EXPECT_EQ(hit(t, v4(198, 19, 101, 1)), Action::Send);
    EXPECT_EQ(hit(t, v4(198, 19, 100, 1), RrlClass::NxDomain), Action::Send);
    // The next second starts again.
    EXPECT_EQ(hit(t, v4(198, 19, 100, 1), RrlClass::Answer, 101), Action::Send);
}

TEST(Rrl, SlipZeroDropsAllAndOneSlipsAll) {
    RrlTable none(settings(1, 0)), all(settings(1, 1));
    const Addr a = v4(198, 18, 5, 1);
    hit(none, a);
    hit(all, a);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(hit(none, a), Action::Drop);
        EXPECT_EQ(hit(all, a), Action::Slip);
    }
}

TEST(Rrl, Ipv6PrefixIsA56AndExemptPrefixesAreAnswered) {
    RrlSettings s = settings(1, 2);
    s.exempt.push_back(*net::parse_if_address("198.19.2.0/24"));
    RrlTable t(s);
    EXPECT_EQ(hit(t, v6(0x12, 0x34, 1)), Action::Send);
    EXPECT_NE(hit(t, v6(0x12, 0x34, 2)), Action::Send);  // same /56 (last octet differs)
    EXPECT_NE(hit(t, v6(0x12, 0x3f, 2)), Action::Send);  // bits 56..63 differ: same /56
    EXPECT_EQ(hit(t, v6(0x13, 0x34, 2)), Action::Send);  // another /56
    EXPECT_EQ(hit(t, v4(198, 19, 2, 9)), Action::Send);
    EXPECT_EQ(hit(t, v4(198, 19, 2, 9)), Action::Exempt);
}

/// A header: flags, counts.
std::vector<uint8_t> answer(uint16_t flags, uint16_t an, uint16_t ns, size_t body) {
    const uint8_t head[] = {0x12,
                            0x34,
                            static_cast<uint8_t>(flags >> 8),
                            static_cast<uint8_t>(flags),
                            0,
                            1,
                            0,
                            static_cast<uint8_t>(an),
                            0,
                            static_cast<uint8_t>(ns),
                            0,
                            0,
                            3,
                            'w',
                            'w',
                            'w',
                            3,
                            'l',
                            'a',
                            'n',
                            0,
                            0,
                            1,
                            0,
                            1};
    std::vector<uint8_t> m(sizeof head + body, 0xab);
    std::copy(std::begin(head), std::end(head), m.begin());
    return m;
}

TEST(Rrl, ClassifiesAnswers) {
    auto cls = [](const std::vector<uint8_t>& m) {
        return rrl_class(m.data(), static_cast<uint16_t>(m.size()));
    };
    EXPECT_EQ(cls(answer(0x8400, 1, 0, 16)), RrlClass::Answer);
    EXPECT_EQ(cls(answer(0x8400, 1, 0, 1100)), RrlClass::Large);
    EXPECT_EQ(cls(answer(0x8403, 0, 1, 40)), RrlClass::NxDomain);
    EXPECT_EQ(cls(answer(0x8400, 0, 1, 40)), RrlClass::NoData);
    EXPECT_EQ(cls(answer(0x8000, 0, 1, 40)), RrlClass::Referral);
    EXPECT_EQ(cls(answer(0x8005, 0, 0, 0)), RrlClass::Error);
    EXPECT_EQ(cls(answer(0x8001, 0, 0, 0)), RrlClass::Error);
}

TEST(Rrl, TruncatesToTheQuestionWithTc) {
    auto m = answer(0x8400, 3, 1, 200);
    const uint16_t n = truncate_answer(m.data(), static_cast<uint16_t>(m.size()));
    EXPECT_EQ(n, 12u + 9 + 4);
    EXPECT_EQ(m[2] & 0x02, 0x02);  // TC
    EXPECT_EQ(m[5], 1);            // the question stays
    EXPECT_EQ(m[7] | m[9] | m[11], 0);
}

}  // namespace
}  // namespace edgelease::dataplane::dns
