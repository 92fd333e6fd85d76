// DNS query lists (dnsperf files, generation from a zone), query frames judged by the
// appliance's parser, response headers, and the prebuilt templates' checksums.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "control/zone/zone_file.hpp"
#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/dns.hpp"
#include "loadgen/dns_queries.hpp"
#include "loadgen/dns_templates.hpp"
#include "tests/unit/loadgen/appliance_side.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;

dns::WireName wire(std::string_view text) {
    std::string why;
    return *dns::name_from_text(text, dns::WireName{0}, why);
}

TEST(Dnsperf, ParsesNamesTypesCommentsAndBlankLines) {
    std::vector<ParseIssue> issues;
    const auto q = parse_dnsperf(
        "; dnsperf comment\n"
        "www.example.com A\n"
        "\n"
        "  mail.example.com.\tMX  \r\n"
        "# another comment\n"
        "bare.example.com\n"
        "x.example.com TYPE65534\n"
        "y.example.com aaaa",
        issues);
    EXPECT_TRUE(issues.empty());
    ASSERT_EQ(q.size(), 5u);
    EXPECT_EQ(q[0].name, wire("www.example.com."));
    EXPECT_EQ(q[0].type, dns::rrtype::A);
    EXPECT_EQ(q[1].name, wire("mail.example.com."));
    EXPECT_EQ(q[1].type, dns::rrtype::MX);
    EXPECT_EQ(q[2].type, dns::rrtype::A);  // no type: A, as dnsperf does
    EXPECT_EQ(q[3].type, 65534);
    EXPECT_EQ(q[4].type, dns::rrtype::AAAA);
    EXPECT_EQ(q[0].expect, Expect::Unknown);
}

TEST(Dnsperf, BadLinesAreReportedWithTheirNumbersAndLeftOut) {
    std::vector<ParseIssue> issues;
    const auto q = parse_dnsperf(
        "ok.test A\nbad.test NOSUCHTYPE\nbad..test A\nthree.test A extra\nok2.test\n", issues);
    ASSERT_EQ(q.size(), 2u);
    ASSERT_EQ(issues.size(), 3u);
    EXPECT_EQ(issues[0].line, 2u);
    EXPECT_NE(issues[0].why.find("NOSUCHTYPE"), std::string::npos);
    EXPECT_EQ(issues[1].line, 3u);
    EXPECT_EQ(issues[2].line, 4u);
    EXPECT_TRUE(parse_dnsperf("", issues).empty());
}

TEST(TypeWeights, ParsesAndRefuses) {
    const auto w = parse_type_weights("A=70, AAAA=20,MX");
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0].type, dns::rrtype::A);
    EXPECT_EQ(w[0].weight, 70u);
    EXPECT_EQ(w[1].type, dns::rrtype::AAAA);
    EXPECT_EQ(w[2].weight, 1u);
    EXPECT_THROW(parse_type_weights(""), std::invalid_argument);
    EXPECT_THROW(parse_type_weights("A=x"), std::invalid_argument);
    EXPECT_THROW(parse_type_weights("BOGUS=1"), std::invalid_argument);
    EXPECT_THROW(parse_type_weights("A=1,,AAAA=1"), std::invalid_argument);
}

class Generate : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto r = control::zone::parse_zone_text(
            "$ORIGIN lan.\n$TTL 300\n"
            "@ SOA ns hostmaster 1 3600 600 86400 60\n"
            "@ NS ns\n"
            "ns A 198.18.0.1\n"
            "www A 198.18.0.10\n"
            "www AAAA 2001:db8::10\n"
            "mail A 198.18.0.25\n"
            "@ MX 10 mail\n"
            "alias CNAME www\n",
            "test.zone", origin, 300);
        ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
        records = r.records;
        for (const auto& rec : records) owners[rec.owner].insert(rec.type);
    }
    dns::WireName origin = wire("lan.");
    std::vector<dns::Record> records;
    std::map<dns::WireName, std::set<uint16_t>> owners;
};

TEST_F(Generate, MixAndTypesAreHonouredAndEveryQueryIsWhatItClaims) {
    const DnsMix mix{60, 30, 10};
    const auto types = parse_type_weights("A=50,AAAA=30,MX=20");
    const auto q = generate_queries(records, origin, mix, types, 20000, 42);
    ASSERT_EQ(q.size(), 20000u);
    std::map<Expect, int> by_class;
    std::map<uint16_t, int> by_type;
    for (const auto& x : q) {
        ++by_class[x.expect];
        ++by_type[x.type];
        const auto it = owners.find(x.name);
        switch (x.expect) {
            case Expect::Hit:
                ASSERT_NE(it, owners.end());
                EXPECT_TRUE(it->second.count(x.type));
                break;
            case Expect::NoData:
                ASSERT_NE(it, owners.end());
                EXPECT_FALSE(it->second.count(x.type));
                EXPECT_FALSE(it->second.count(dns::rrtype::CNAME));
                break;
            case Expect::NxDomain:
                EXPECT_EQ(it, owners.end());
                break;
            case Expect::Unknown:
                ADD_FAILURE() << "generated queries know what they expect";
        }
    }
    // Proportions within a few percent of the weights.
    EXPECT_NEAR(by_class[Expect::Hit] / 20000.0, 0.6, 0.03);
    EXPECT_NEAR(by_class[Expect::NxDomain] / 20000.0, 0.3, 0.03);
    EXPECT_NEAR(by_class[Expect::NoData] / 20000.0, 0.1, 0.03);
    EXPECT_NEAR(by_type[dns::rrtype::A] / 20000.0, 0.5, 0.03);
    EXPECT_NEAR(by_type[dns::rrtype::MX] / 20000.0, 0.2, 0.03);
    // Same seed, same list; another seed, another list.
    const auto again = generate_queries(records, origin, mix, types, 20000, 42);
    EXPECT_EQ(again[123].name, q[123].name);
    EXPECT_EQ(again[19999].type, q[19999].type);
    const auto other = generate_queries(records, origin, mix, types, 20000, 43);
    int same = 0;
    for (size_t i = 0; i < 100; ++i)
        same += other[i].name == q[i].name && other[i].type == q[i].type;
    EXPECT_LT(same, 100);
}

TEST_F(Generate, TypesTheZoneLacksAreNeverDrawnAsHits) {
    const auto q =
        generate_queries(records, origin, {1, 0, 0}, parse_type_weights("A=1,TXT=100"), 500, 1);
    for (const auto& x : q) EXPECT_EQ(x.type, dns::rrtype::A);
    EXPECT_THROW(generate_queries(records, origin, {1, 0, 0}, parse_type_weights("TXT"), 5, 1),
                 std::invalid_argument);
    // Only misses need no record of the type.
    const auto nx = generate_queries(records, origin, {0, 1, 0}, parse_type_weights("TXT"), 5, 1);
    EXPECT_EQ(nx.size(), 5u);
    EXPECT_EQ(nx[0].expect, Expect::NxDomain);
}

TEST(DnsQuery, EncodedQueriesParseInTheAppliance) {
    QuerySpec q{wire("www.lan."), dns::rrtype::AAAA, Expect::Hit};
    uint8_t out[512];
    const uint16_t n = encode_query(q, 0x1234, true, 1232, out, sizeof out);
    ASSERT_EQ(n, 12 + 9 + 4 + 11);
    dw::dns::Query parsed;
    ASSERT_EQ(dw::dns::parse_query(out, n, parsed), dw::dns::QueryStatus::Ok);
    EXPECT_EQ(parsed.id, 0x1234);
    EXPECT_TRUE(parsed.rd);
    EXPECT_EQ(parsed.qtype, dns::rrtype::AAAA);
    EXPECT_EQ(parsed.qclass, dns::rrclass::IN);
    EXPECT_TRUE(parsed.has_opt);
    EXPECT_EQ(parsed.opt_udp_size, 1232);

    const uint16_t plain = encode_query(q, 1, false, 0, out, sizeof out);
    ASSERT_EQ(plain, 12 + 9 + 4);
    ASSERT_EQ(dw::dns::parse_query(out, plain, parsed), dw::dns::QueryStatus::Ok);
    EXPECT_FALSE(parsed.has_opt);
    EXPECT_FALSE(parsed.rd);
    EXPECT_EQ(encode_query(q, 1, false, 0, out, 24), 0);  // does not fit
}

TEST(DnsQuery, ResponseHeader) {
    const uint8_t resp[12] = {0xab, 0xcd, 0x84, 0x03, 0, 1, 0, 2, 0, 0, 0, 0};
    ResponseInfo r;
    ASSERT_TRUE(parse_response(resp, sizeof resp, r));
    EXPECT_EQ(r.id, 0xabcd);
    EXPECT_EQ(r.rcode, 3);
    EXPECT_TRUE(r.aa);
    EXPECT_FALSE(r.tc);
    EXPECT_EQ(r.ancount, 2);
    EXPECT_FALSE(parse_response(resp, 11, r));
    const uint8_t query[12] = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(parse_response(query, sizeof query, r));  // QR clear
}

TEST(DnsTemplates, StampedFramesHaveValidChecksumsAndReachTheAppliance) {
    const std::vector<QuerySpec> qs{
        {wire("www.lan."), dns::rrtype::A, Expect::Hit},
        {wire("a-much-longer-name.sub.lan."), dns::rrtype::MX, Expect::NxDomain}};
    const UdpEndpoints ep{kGenMac, kServerMac, kGenIp, kServerIp, 0, 53};
    const QueryTemplates t(qs, ep, false, 1232);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t.expect(1), Expect::NxDomain);
    EXPECT_EQ(t.qtype(1), dns::rrtype::MX);
    const auto port = server_port();
    uint8_t buf[600];
    for (uint32_t k = 0; k < 2; ++k) {
        for (uint32_t id : {0u, 1u, 0x7fffu, 0xffffu, 12345u}) {
            for (uint32_t sport : {16384u, 16385u, 32767u, 65535u}) {
                const uint16_t len = t.stamp(k, static_cast<uint16_t>(id),
                                             static_cast<uint16_t>(sport), buf, sizeof buf);
                ASSERT_EQ(len, t.frame_len(k));
                const uint16_t udp_len = static_cast<uint16_t>(len - kUdpOff);
                const uint32_t pseudo = dw::pseudo_header_v4(kGenIp, kServerIp, 17, udp_len);
                ASSERT_TRUE(dw::csum_valid(buf + kUdpOff, udp_len, pseudo))
                    << k << " " << id << " " << sport;
                Received rx = server_receive(port, buf, len);
                ASSERT_EQ(rx.verdict, dataplane::Verdict::Udp)
                    << dataplane::drop_reason_name(rx.why);
                dw::dns::Query parsed;
                ASSERT_EQ(dw::dns::parse_query(rx.view.data + rx.view.payload_off,
                                               rx.view.payload_len, parsed),
                          dw::dns::QueryStatus::Ok);
                EXPECT_EQ(parsed.id, id);
                EXPECT_EQ(dw::load_be16(rx.view.data + rx.view.l4_off), sport);
            }
        }
    }
    EXPECT_EQ(t.stamp(0, 1, 16384, buf, 10), 0);
    EXPECT_THROW(QueryTemplates({}, ep, false, 0), std::invalid_argument);
}

}  // namespace
}  // namespace edgelease::loadgen
