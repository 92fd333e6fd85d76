// answer_dns_frame: a query frame in, its answer frame out. Each answer's UDP checksum must
// verify against a reference sum (RFC 1071 §4.1, word by word) and equal the one that sum
// gives, for answers of odd and even length over both families.
#include <gtest/gtest.h>

#include <string>

#include "dataplane/dns/dns_frame.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "dataplane/wire/checksum.hpp"
#include "tests/unit/dataplane/dns/answer_harness.hpp"
#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::dns {
namespace {

namespace ft = dataplane::test;
namespace wt = dataplane::wire::dns::test;
using Bytes = std::vector<uint8_t>;

struct Query {
    std::string name;
    uint16_t type;
    bool edns;
};

Bytes dns_query(const Query& q) {
    Bytes b = wt::cat({wt::header(0x4242, 0x0100, 1, 0, 0, q.edns ? 1 : 0),
                       wt::question(wt::name(q.name), q.type)});
    if (q.edns) b = wt::cat({b, wt::opt(4096)});
    return b;
}

/// The pseudo-header of an answer's datagram of `len` octets (ours to the peer).
Bytes pseudo(bool v6, size_t len) {
    return v6 ? ft::pseudo6(ft::kOur6, ft::kPeer6, static_cast<uint32_t>(len), 17)
              : ft::pseudo4(ft::kOur4, ft::kPeer4, 17, static_cast<uint16_t>(len));
}

/// The UDP datagram of an answer frame.
Bytes datagram(const Bytes& out, bool v6) {
    const size_t l4 = 14 + (v6 ? 40 : 20);
    return ft::slice(out, l4, out.size() - l4);
}

/// The datagram checked against the reference sum.
bool verifies(const Bytes& out, bool v6) {
    const Bytes u = datagram(out, v6);
    return ft::ref_valid(ft::cat(pseudo(v6, u.size()), u));
}

TEST(DnsFrame, AnswersCarryTheChecksumAReferenceSumGives) {
    const ZoneView* zv = answer_test::zone_set("main");
    ASSERT_NE(zv, nullptr);
    const PortContext port = ft::test_port();
    // Hits, a miss (NXDOMAIN with the SOA), NODATA, a CNAME, a refusal, names of odd and
    // even length, with and without EDNS, a FORMERR (a second question).
    const Query queries[] = {
        {"www.lan", wt::type::A, true},        {"WWW.lan", wt::type::A, false},
        {"nothere.lan", wt::type::A, true},    {"lan", wt::type::MX, true},
        {"ab.lan", wt::type::AAAA, false},     {"other.test", wt::type::A, true},
        {"nowhere.invalid", wt::type::A, true}};
    for (const Query& q : queries) {
        for (bool v6 : {false, true}) {
            const Bytes payload = dns_query(q);
            const Bytes f = v6 ? ft::udp6_frame(53, payload) : ft::udp4_frame(53, payload);
            auto rx = ft::receive(port, f, 1500);
            ASSERT_EQ(rx->verdict, Verdict::Udp) << q.name;
            DnsStats stats;
            DropReason why = DropReason::Count;
            ASSERT_EQ(answer_dns_frame(port, zv, DnsSettings{}, stats, rx->view, nullptr, why,
                                       nullptr, 0),
                      Verdict::Reply)
                << q.name;
            const Bytes out = rx->out();
            EXPECT_TRUE(verifies(out, v6)) << q.name << (v6 ? " v6" : " v4");
            // The reference checksum of the same answer.
            Bytes u = datagram(out, v6);
            const uint16_t sent = ft::get16(u, 6);
            u[6] = 0;
            u[7] = 0;
            uint16_t c = ft::ref_checksum(ft::cat(pseudo(v6, u.size()), u));
            if (c == 0) c = 0xffff;
            EXPECT_EQ(sent, c) << q.name << (v6 ? " v6" : " v4");
        }
    }
}

TEST(DnsFrame, AFormErrAnswerCarriesAValidChecksum) {
    const ZoneView* zv = answer_test::zone_set("main");
    const PortContext port = ft::test_port();
    // Two questions: FORMERR, the header rewritten and nothing after the first question.
    const Bytes payload =
        wt::cat({wt::header(7, 0x0100, 2, 0, 0, 0), wt::question(wt::name("a.lan"), wt::type::A),
                 wt::question(wt::name("b.lan"), wt::type::A)});
    for (bool v6 : {false, true}) {
        auto rx =
            ft::receive(port, v6 ? ft::udp6_frame(53, payload) : ft::udp4_frame(53, payload), 1500);
        ASSERT_EQ(rx->verdict, Verdict::Udp);
        DnsStats stats;
        DropReason why = DropReason::Count;
        ASSERT_EQ(
            answer_dns_frame(port, zv, DnsSettings{}, stats, rx->view, nullptr, why, nullptr, 0),
            Verdict::Reply);
        EXPECT_TRUE(verifies(rx->out(), v6));
    }
}

}  // namespace
}  // namespace edgelease::dataplane::dns
