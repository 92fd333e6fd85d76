// What the table cannot say: dropped messages, counters, the buffer capacity, and the
// ZoneView's own bookkeeping.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tests/unit/dataplane/dns/answer_harness.hpp"

namespace edgelease::dataplane::dns::answer_test {
namespace {

namespace wt = dataplane::wire::dns::test;

struct Answered {
    uint16_t len = 0;
    std::vector<uint8_t> buf;
};

Answered run(const ZoneView* zv, const wt::Bytes& query, uint16_t cap, DnsStats& stats,
             size_t buf_size = 2048) {
    Answered a;
    a.buf.assign(buf_size, 0xee);
    std::memcpy(a.buf.data(), query.data(), query.size());
    a.len = answer_query(zv, DnsSettings{}, a.buf.data(), static_cast<uint16_t>(query.size()), cap,
                         stats);
    return a;
}

TEST(AnswerMisc, ResponsesAndRuntsAreDropped) {
    DnsStats stats;
    wt::Bytes resp = build_query({.name = "www.lan."});
    resp[2] |= 0x80;  // QR
    EXPECT_EQ(run(zone_set("main"), resp, 512, stats).len, 0);
    wt::Bytes runt(11, 0);
    EXPECT_EQ(run(zone_set("main"), runt, 512, stats).len, 0);
    EXPECT_EQ(stats.dropped.get(), 2u);
    EXPECT_EQ(stats.responses.get(), 0u);
}

TEST(AnswerMisc, CountersByRcodeQtypeAndReferral) {
    DnsStats stats;
    const ZoneView* zv = zone_set("main");
    run(zv, build_query({.name = "www.lan."}), 512, stats);                           // NOERROR, A
    run(zv, build_query({.name = "nosuch.lan.", .type = rrtype::AAAA}), 512, stats);  // NXDOMAIN
    run(zv, build_query({.name = "host.sub.lan."}), 512, stats);                      // referral
    run(zv, build_query({.name = "www.example.com."}), 512, stats);                   // REFUSED
    run(zv, build_query({.name = "www.lan.", .edns = 1232, .version = 1}), 512, stats);  // BADVERS
    run(zv, build_query({.name = "big.lan."}), 512, stats);                              // TC
    EXPECT_EQ(stats.queries.get(), 6u);
    EXPECT_EQ(stats.responses.get(), 6u);
    EXPECT_EQ(stats.rcode[0].get(), 3u);  // www, referral, big
    EXPECT_EQ(stats.rcode[3].get(), 1u);
    EXPECT_EQ(stats.rcode[5].get(), 1u);
    EXPECT_EQ(stats.rcode[6].get(), 1u);  // BADVERS slot
    EXPECT_EQ(stats.referrals.get(), 1u);
    EXPECT_EQ(stats.truncated.get(), 1u);
    EXPECT_EQ(stats.qtype[0].get(), 5u);  // A
    EXPECT_EQ(stats.qtype[1].get(), 1u);  // AAAA
}

// The caller's capacity (what fits the link MTU) bounds the answer below 512 too; nothing
// is written past it.
TEST(AnswerMisc, CapacityBelow512TruncatesAndNothingIsWrittenPastIt) {
    DnsStats stats;
    const wt::Bytes q = build_query({.name = "multi.lan."});
    const uint16_t cap = static_cast<uint16_t>(q.size() + 20);  // room for one A RR, not three
    Answered a = run(zone_set("main"), q, cap, stats);
    ASSERT_EQ(a.len, q.size());
    EXPECT_TRUE(a.buf[2] & 0x02) << "TC";
    EXPECT_EQ(a.buf[7], 0) << "ANCOUNT";
    for (size_t i = cap; i < a.buf.size(); ++i) ASSERT_EQ(a.buf[i], 0xee) << i;
}

TEST(AnswerMisc, LargeAnswerStaysInsideTheLimit) {
    DnsStats stats;
    const wt::Bytes q = build_query({.name = "big.lan.", .edns = 4096});
    Answered a = run(zone_set("main"), q, 1232, stats);
    EXPECT_GT(a.len, 512);
    EXPECT_LE(a.len, 1232);
    for (size_t i = a.len; i < a.buf.size(); ++i) ASSERT_EQ(a.buf[i], 0xee) << i;
}

TEST(AnswerMisc, ZoneViewCounts) {
    const ZoneView* zv = zone_set("rfc4592");
    ASSERT_NE(zv, nullptr);
    EXPECT_EQ(zv->zone_count(), 1u);
    EXPECT_EQ(zv->record_count(), 11u);
    // Owners: example, *, sub.*, host1, _ssh._tcp.host1, _ssh._tcp.host2, subdel;
    // empty non-terminals: _tcp.host1, _tcp.host2, host2.
    EXPECT_EQ(zv->node_count(), 10u);
    EXPECT_GT(zv->memory_bytes(), 0u);
    const wt::Bytes apex = wt::name("example.");
    const Node* n = zv->find(apex.data(), static_cast<uint8_t>(apex.size()));
    ASSERT_NE(n, nullptr);
    EXPECT_TRUE(n->flags & Node::kApex);
    const wt::Bytes ent = wt::name("host2.example.");
    n = zv->find(ent.data(), static_cast<uint8_t>(ent.size()));
    ASSERT_NE(n, nullptr);
    EXPECT_TRUE(n->flags & Node::kEmptyNonTerminal);
    const wt::Bytes cut = wt::name("subdel.example.");
    n = zv->find(cut.data(), static_cast<uint8_t>(cut.size()));
    ASSERT_NE(n, nullptr);
    EXPECT_TRUE(n->flags & Node::kDelegation);
    EXPECT_EQ(n->cut, n);
    // Keys are lower-case: a mixed-case key is not found (answer.cpp lower-cases first).
    const wt::Bytes upper = wt::name("EXAMPLE.");
    EXPECT_EQ(zv->find(upper.data(), static_cast<uint8_t>(upper.size())), nullptr);
}

TEST(AnswerMisc, EmptyViewRefusesEverything) {
    ZoneView empty(std::vector<ZoneInput>{});
    DnsStats stats;
    Answered a = run(&empty, build_query({.name = "www.lan."}), 512, stats);
    ASSERT_GT(a.len, 0);
    EXPECT_EQ(a.buf[3] & 0x0f, 5);
}

}  // namespace
}  // namespace edgelease::dataplane::dns::answer_test
