// qname_hash_hint: the worker's prefetch of a burst's lookups, whose hash answer_query then
// takes for its first lookup. A hint that differed from the hash find() computes would turn
// hits into NXDOMAIN, so these tests pin: same hash as find() for the names the parser
// accepts (case folded), the same answers with the hint as without, and no hint for frames
// the real parser must judge.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "tests/unit/dataplane/dns/answer_harness.hpp"

namespace edgelease::dataplane::dns {
namespace {

using Bytes = std::vector<uint8_t>;

namespace wt = dataplane::wire::dns::test;  // wt::name: the wire form, letter case kept

/// Ethernet + IPv4 (20 bytes, or `ihl` words) or IPv6 + UDP to `dport` + a DNS query for `qname`.
Bytes frame(const std::string& qname, bool v6 = false, uint16_t dport = 53, uint8_t ihl = 5) {
    Bytes f(12, 0x02);
    if (v6) {
        f.push_back(0x86);
        f.push_back(0xdd);
        Bytes ip(40, 0);
        ip[0] = 0x60;
        ip[6] = 17;
        f.insert(f.end(), ip.begin(), ip.end());
    } else {
        f.push_back(0x08);
        f.push_back(0x00);
        Bytes ip(size_t{ihl} * 4, 0);
        ip[0] = static_cast<uint8_t>(0x40 | ihl);
        ip[9] = 17;
        f.insert(f.end(), ip.begin(), ip.end());
    }
    const Bytes udp = {
        0xc0, 0x00, static_cast<uint8_t>(dport >> 8), static_cast<uint8_t>(dport), 0, 0, 0, 0};
    f.insert(f.end(), udp.begin(), udp.end());
    const Bytes hdr = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    f.insert(f.end(), hdr.begin(), hdr.end());
    const Bytes n = wt::name(qname);
    f.insert(f.end(), n.begin(), n.end());
    const Bytes q = {0, 1, 0, 1};
    f.insert(f.end(), q.begin(), q.end());
    return f;
}

uint64_t find_hash(const std::string& lower_dotted) {
    const Bytes n = wt::name(lower_dotted);
    return name_hash(n.data(), n.size());
}

TEST(QnameHashHint, MatchesTheLookupHashWithCaseFolded) {
    for (bool v6 : {false, true}) {
        const Bytes f = frame("Host-42.LOAD.test", v6);
        uint64_t h = 0;
        ASSERT_TRUE(qname_hash_hint(f.data(), static_cast<uint16_t>(f.size()), h)) << v6;
        EXPECT_EQ(h, find_hash("host-42.load.test")) << v6;
    }
    // IPv4 options move the UDP header.
    const Bytes f = frame("a.b", false, 53, 7);
    uint64_t h = 0;
    ASSERT_TRUE(qname_hash_hint(f.data(), static_cast<uint16_t>(f.size()), h));
    EXPECT_EQ(h, find_hash("a.b"));
}

TEST(QnameHashHint, AnswersWithTheHintAreTheAnswersWithout) {
    const ZoneView* zv = answer_test::zone_set("main");
    ASSERT_NE(zv, nullptr);
    for (const char* qn : {"WWW.lan", "www.lan", "nothere.lan", "lan", "other.test",
                           "a.b.other.test", "nowhere.invalid"}) {
        for (bool v6 : {false, true}) {
            const Bytes f = frame(qn, v6);
            uint64_t h = 0;
            ASSERT_TRUE(qname_hash_hint(f.data(), static_cast<uint16_t>(f.size()), h)) << qn;
            const size_t payload = 14 + (v6 ? 40 : 20) + 8;
            Bytes with(f.begin() + static_cast<long>(payload), f.end()), without = with;
            with.resize(1232, 0xee);
            without.resize(1232, 0xee);
            const auto qlen = static_cast<uint16_t>(f.size() - payload);
            DnsStats s1, s2;
            const uint16_t n1 = answer_query(zv, DnsSettings{}, with.data(), qlen, 1232, s1, &h);
            const uint16_t n2 = answer_query(zv, DnsSettings{}, without.data(), qlen, 1232, s2);
            ASSERT_NE(n2, 0) << qn;
            ASSERT_EQ(n1, n2) << qn;
            EXPECT_EQ(Bytes(with.begin(), with.begin() + n1),
                      Bytes(without.begin(), without.begin() + n2))
                << qn;
            if (std::string(qn) == "www.lan") {
                EXPECT_EQ(without[3] & 0x0f, 0) << "www.lan exists in the zone";
            }
        }
    }
}

TEST(QnameHashHint, TheHashGivenDecidesTheFirstLookup) {
    // A wrong hash loses a name that exists, which is why the worker passes only the hint of
    // the same frame. Debug builds refuse one outright (assert); release builds use it.
    const ZoneView* zv = answer_test::zone_set("main");
    ASSERT_NE(zv, nullptr);
    const Bytes f = frame("www.lan");
    Bytes msg(f.begin() + 42, f.end());
    msg.resize(1232, 0xee);
    const uint64_t wrong = find_hash("nothere.lan");
    const auto qlen = static_cast<uint16_t>(f.size() - 42);
#ifdef NDEBUG
    DnsStats st;
    ASSERT_NE(answer_query(zv, DnsSettings{}, msg.data(), qlen, 1232, st, &wrong), 0);
    EXPECT_EQ(msg[3] & 0x0f, 3) << "NXDOMAIN: the lookup used the hash it was given";
#else
    EXPECT_DEATH(
        {
            DnsStats st;
            answer_query(zv, DnsSettings{}, msg.data(), qlen, 1232, st, &wrong);
        },
        "qname_hash_");
#endif
}

TEST(QnameHashHint, RootName) {
    Bytes f = frame("x");
    // Replace the one-label name by the root: drop the label's two octets.
    const size_t qname = 14 + 20 + 8 + 12;
    f.erase(f.begin() + static_cast<long>(qname), f.begin() + static_cast<long>(qname + 2));
    uint64_t h = 0;
    ASSERT_TRUE(qname_hash_hint(f.data(), static_cast<uint16_t>(f.size()), h));
    const uint8_t root = 0;
    EXPECT_EQ(h, name_hash(&root, 1));
}

TEST(QnameHashHint, NoHintForOtherFrames) {
    uint64_t h = 0;
    Bytes other = frame("a.b", false, 67);
    EXPECT_FALSE(qname_hash_hint(other.data(), static_cast<uint16_t>(other.size()), h))
        << "not port 53";
    Bytes tcp = frame("a.b");
    tcp[14 + 9] = 6;
    EXPECT_FALSE(qname_hash_hint(tcp.data(), static_cast<uint16_t>(tcp.size()), h)) << "not UDP";
    Bytes vlan = frame("a.b");
    vlan[12] = 0x81;
    EXPECT_FALSE(qname_hash_hint(vlan.data(), static_cast<uint16_t>(vlan.size()), h)) << "tagged";
    Bytes compressed = frame("a.b");
    compressed[14 + 20 + 8 + 12] = 0xc0;  // a pointer where the first label should be
    EXPECT_FALSE(qname_hash_hint(compressed.data(), static_cast<uint16_t>(compressed.size()), h));
    // Every truncation: never a read past the end, never a hint for an unterminated name.
    const Bytes full = frame("abc.def.example");
    const size_t name_end = 14 + 20 + 8 + 12 + wt::name("abc.def.example").size();
    for (size_t len = 0; len < name_end; ++len) {
        Bytes cut(full.begin(), full.begin() + static_cast<long>(len));
        EXPECT_FALSE(qname_hash_hint(cut.data(), static_cast<uint16_t>(cut.size()), h)) << len;
    }
}

}  // namespace
}  // namespace edgelease::dataplane::dns
