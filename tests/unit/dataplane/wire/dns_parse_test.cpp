// parse_query: good queries with and without EDNS, every FORMERR class, dropped responses,
// NOTIMP opcodes. Messages are built by hand (dns_builder.hpp); each test names the bytes
// or fields it expects.
#include <gtest/gtest.h>

#include "dataplane/wire/dns.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::wire::dns::test {
namespace {

const char* status_name(QueryStatus s) {
    switch (s) {
        case QueryStatus::Ok:
            return "Ok";
        case QueryStatus::Drop:
            return "Drop";
        case QueryStatus::FormErr:
            return "FormErr";
        case QueryStatus::NotImp:
            return "NotImp";
    }
    return "?";
}

}  // namespace

// Readable names in assertion failures.
inline void PrintTo(QueryStatus s, std::ostream* os) {
    *os << status_name(s);
}
inline void PrintTo(QueryDefect d, std::ostream* os) {
    *os << "QueryDefect(" << int(d) << ")";
}

namespace {

TEST(ParseQuery, PlainQueryLowerCasesNameButNotMessage) {
    const Bytes msg = query("www.ExAmple.COM", type::AAAA, 0xbeef);
    Exact e(msg);
    Query q;
    ASSERT_EQ(parse_query(e.p.get(), e.len(), q), QueryStatus::Ok);
    EXPECT_EQ(q.defect, QueryDefect::None);
    EXPECT_EQ(q.id, 0xbeef);
    EXPECT_EQ(q.opcode, 0);
    EXPECT_TRUE(q.rd);
    EXPECT_FALSE(q.cd);
    EXPECT_TRUE(q.question_ok);
    EXPECT_EQ(q.qtype, type::AAAA);
    EXPECT_EQ(q.qclass, 1);
    const Bytes lower = name("www.example.com");
    ASSERT_EQ(q.qname_len, lower.size());
    EXPECT_EQ(hex(q.qname_lower, q.qname_len), hex(lower));
    EXPECT_EQ(q.label_count, 3);
    EXPECT_EQ(q.label_off[0], 0);
    EXPECT_EQ(q.label_off[1], 4);
    EXPECT_EQ(q.label_off[2], 12);
    EXPECT_EQ(q.label_off[3], 16);                // the root
    EXPECT_EQ(q.qname_lower[q.label_off[1]], 7);  // "example"
    EXPECT_EQ(q.question_end, 12 + 17 + 4);
    EXPECT_FALSE(q.has_opt);
    // The client's bytes are untouched: the answer echoes them.
    EXPECT_EQ(hex(e.p.get(), e.size), hex(msg));
}

TEST(ParseQuery, CdFlagAndRootName) {
    Bytes msg = cat({header(7, 0x0010, 1, 0, 0, 0), question(name("."), type::NS)});
    Query q;
    ASSERT_EQ(parse(msg, q), QueryStatus::Ok);
    EXPECT_TRUE(q.cd);
    EXPECT_FALSE(q.rd);
    EXPECT_EQ(q.qname_len, 1);
    EXPECT_EQ(q.label_count, 0);
    EXPECT_EQ(q.label_off[0], 0);
    EXPECT_EQ(q.qname_lower[0], 0);
    EXPECT_EQ(q.question_end, 17);
}

TEST(ParseQuery, LongestLabelAndName) {
    std::string label63(63, 'X');
    Query q;
    ASSERT_EQ(parse(query(label63 + ".lan", type::A), q), QueryStatus::Ok);
    EXPECT_EQ(q.qname_lower[1], 'x');
    EXPECT_EQ(q.qname_lower[63], 'x');

    Bytes n255 = long_name(255);
    ASSERT_EQ(n255.size(), 255u);
    ASSERT_EQ(parse(cat({header(1, 0, 1, 0, 0, 0), question(n255, type::A)}), q), QueryStatus::Ok);
    EXPECT_EQ(q.qname_len, 255);
    EXPECT_EQ(q.question_end, 12 + 255 + 4);
    EXPECT_EQ(q.label_off[q.label_count], 254);

    // The most labels a name can have: 127 one-letter labels.
    Bytes many;
    for (int i = 0; i < 127; ++i) {
        many.push_back(1);
        many.push_back('A');
    }
    many.push_back(0);
    ASSERT_EQ(parse(cat({header(1, 0, 1, 0, 0, 0), question(many, type::A)}), q), QueryStatus::Ok);
    EXPECT_EQ(q.label_count, 127);
    EXPECT_EQ(q.label_off[126], 252);
    EXPECT_EQ(q.label_off[127], 254);
    EXPECT_EQ(q.qname_lower[253], 'a');
}

TEST(ParseQuery, WithOptAndDoBit) {
    Query q;
    ASSERT_EQ(parse(query("lan", type::SOA, 9, opt(1232, 0, 0, true)), q), QueryStatus::Ok);
    EXPECT_TRUE(q.has_opt);
    EXPECT_TRUE(q.opt_do);
    EXPECT_EQ(q.opt_udp_size, 1232);
    EXPECT_EQ(q.opt_version, 0);
    EXPECT_EQ(q.opt_ext_rcode, 0);

    ASSERT_EQ(parse(query("lan", type::SOA, 9, opt(4096, 0, 0, false)), q), QueryStatus::Ok);
    EXPECT_TRUE(q.has_opt);
    EXPECT_FALSE(q.opt_do);
    EXPECT_EQ(q.opt_udp_size, 4096);
}

TEST(ParseQuery, OptWithOptionsIsWalked) {
    // A client cookie (RFC 7873, code 10) and padding (RFC 7830, code 12, empty is legal).
    Bytes options = cat({edns_option(10, Bytes(8, 0xaa)), edns_option(12, {})});
    Query q;
    ASSERT_EQ(parse(query("a.lan", type::A, 1, opt(1400, 0, 0, false, options)), q),
              QueryStatus::Ok);
    EXPECT_TRUE(q.has_opt);
    EXPECT_EQ(q.opt_udp_size, 1400);
}

TEST(ParseQuery, EdnsVersionOneIsParsedForBadvers) {
    Query q;
    ASSERT_EQ(parse(query("a.lan", type::A, 1, opt(1232, 0, 1, false)), q), QueryStatus::Ok);
    EXPECT_TRUE(q.has_opt);
    EXPECT_EQ(q.opt_version, 1);
}

TEST(ParseQuery, UdpPayloadLimit) {
    Query q;
    ASSERT_EQ(parse(query("a.lan", type::A), q), QueryStatus::Ok);
    EXPECT_EQ(udp_payload_limit(q, 1232), 512);
    ASSERT_EQ(parse(query("a.lan", type::A, 1, opt(4096)), q), QueryStatus::Ok);
    EXPECT_EQ(udp_payload_limit(q, 1232), 1232);
    ASSERT_EQ(parse(query("a.lan", type::A, 1, opt(1000)), q), QueryStatus::Ok);
    EXPECT_EQ(udp_payload_limit(q, 1232), 1000);
    ASSERT_EQ(parse(query("a.lan", type::A, 1, opt(100)), q), QueryStatus::Ok);
    EXPECT_EQ(udp_payload_limit(q, 1232), 512);  // RFC 6891 §6.2.5
}

TEST(ParseQuery, ShortHeaderIsDropped) {
    Bytes msg = query("a.lan", type::A);
    Query q;
    for (size_t n = 0; n < 12; ++n) {
        Bytes cut(msg.begin(), msg.begin() + n);
        EXPECT_EQ(parse(cut, q), QueryStatus::Drop) << n;
        EXPECT_EQ(q.defect, QueryDefect::ShortHeader);
    }
    EXPECT_EQ(parse_query(nullptr, 0, q), QueryStatus::Drop);
}

TEST(ParseQuery, ResponseIsDropped) {
    Query q;
    EXPECT_EQ(parse(cat({header(5, 0x8180, 1, 0, 0, 0), question(name("a.lan"), type::A)}), q),
              QueryStatus::Drop);
    EXPECT_EQ(q.defect, QueryDefect::Response);
    EXPECT_EQ(q.id, 5);
    // Even a malformed one, or one with another opcode.
    EXPECT_EQ(parse(cat({header(5, 0xa000, 0, 3, 0, 0)}), q), QueryStatus::Drop);
}

TEST(ParseQuery, OtherOpcodesAreNotImp) {
    Query q;
    // NOTIFY (opcode 4) with a good question: echoed.
    Bytes notify = cat({header(3, 4 << 11 | 0x0400, 1, 0, 0, 0), question(name("Lan"), type::SOA)});
    ASSERT_EQ(parse(notify, q), QueryStatus::NotImp);
    EXPECT_EQ(q.defect, QueryDefect::Opcode);
    EXPECT_EQ(q.opcode, 4);
    EXPECT_TRUE(q.question_ok);
    EXPECT_EQ(q.question_end, 12 + 5 + 4);
    EXPECT_EQ(q.qtype, type::SOA);
    EXPECT_EQ(q.qname_lower[1], 'l');
    // UPDATE (5) with zone section count 0: NotImp, nothing to echo.
    ASSERT_EQ(parse(header(4, 5 << 11, 0, 0, 0, 0), q), QueryStatus::NotImp);
    EXPECT_FALSE(q.question_ok);
    EXPECT_EQ(q.question_end, kHeaderSize);
    // STATUS (2) with a broken question: still NotImp, nothing to echo.
    ASSERT_EQ(parse(cat({header(4, 2 << 11, 1, 0, 0, 0), Bytes{3, 'a'}}), q), QueryStatus::NotImp);
    EXPECT_FALSE(q.question_ok);
    EXPECT_EQ(q.question_end, kHeaderSize);
    // Opcode 15 with QDCOUNT 2: NotImp without looking at the questions.
    ASSERT_EQ(parse(cat({header(4, 15 << 11, 2, 0, 0, 0)}), q), QueryStatus::NotImp);
    EXPECT_EQ(q.opcode, 15);
}

struct FormErrCase {
    const char* what;
    Bytes msg;
    QueryDefect defect;
    bool question_ok;
};

std::vector<FormErrCase> formerr_cases() {
    const Bytes q = question(name("www.lan"), type::A);
    std::vector<FormErrCase> v;
    v.push_back({"qdcount 0", header(1, 0x100, 0, 0, 0, 0), QueryDefect::QdCount, false});
    v.push_back({"qdcount 0 with opt", cat({header(1, 0x100, 0, 0, 0, 1), opt(1232)}),
                 QueryDefect::QdCount, false});
    v.push_back(
        {"qdcount 2", cat({header(1, 0x100, 2, 0, 0, 0), q, q}), QueryDefect::QdCount, false});
    Bytes l64 = {64};
    l64.insert(l64.end(), 64, 'a');
    l64.push_back(0);
    v.push_back({"label 64", cat({header(1, 0, 1, 0, 0, 0), question(l64, type::A)}),
                 QueryDefect::BadLabelType, false});
    v.push_back({"name 256", cat({header(1, 0, 1, 0, 0, 0), question(long_name(256), type::A)}),
                 QueryDefect::NameTooLong, false});
    v.push_back({"pointer in question",
                 cat({header(1, 0, 1, 0, 0, 0), Bytes{3, 'w', 'w', 'w', 0xc0, 12, 0, 1, 0, 1}}),
                 QueryDefect::Compression, false});
    v.push_back({"extended label 0x40", cat({header(1, 0, 1, 0, 0, 0), Bytes{0x41, 0, 0, 1, 0, 1}}),
                 QueryDefect::BadLabelType, false});
    v.push_back({"extended label 0x80",
                 cat({header(1, 0, 1, 0, 0, 0), Bytes{1, 'a', 0x80, 0, 0, 1, 0, 1}}),
                 QueryDefect::BadLabelType, false});
    v.push_back({"question: no name", header(1, 0, 1, 0, 0, 0), QueryDefect::NameTruncated, false});
    v.push_back({"question: label cut", cat({header(1, 0, 1, 0, 0, 0), Bytes{3, 'w', 'w'}}),
                 QueryDefect::NameTruncated, false});
    v.push_back({"question: no root", cat({header(1, 0, 1, 0, 0, 0), Bytes{3, 'w', 'w', 'w'}}),
                 QueryDefect::NameTruncated, false});
    v.push_back({"question: qclass cut",
                 cat({header(1, 0, 1, 0, 0, 0), name("www.lan"), Bytes{0, 1, 0}}),
                 QueryDefect::QuestionTruncated, false});
    v.push_back(
        {"ancount 1",
         cat({header(1, 0, 1, 1, 0, 0), q, rr(name("www.lan"), type::A, 1, 0, {1, 2, 3, 4})}),
         QueryDefect::AnNsCount, true});
    v.push_back(
        {"nscount 1",
         cat({header(1, 0, 1, 0, 1, 0), q, rr(name("lan"), type::NS, 1, 0, name("ns.lan"))}),
         QueryDefect::AnNsCount, true});
    v.push_back({"arcount 1, nothing there", cat({header(1, 0, 1, 0, 0, 1), q}),
                 QueryDefect::OptTruncated, true});
    Bytes o = opt(1232);
    for (size_t cut = 1; cut < o.size(); ++cut) {
        v.push_back({"opt fixed part cut",
                     cat({header(1, 0, 1, 0, 0, 1), q, Bytes(o.begin(), o.begin() + cut)}),
                     QueryDefect::OptTruncated, true});
    }
    Bytes o_rdata = opt(1232, 0, 0, false, edns_option(10, Bytes(8, 1)));
    o_rdata.resize(o_rdata.size() - 3);
    v.push_back({"opt rdata cut", cat({header(1, 0, 1, 0, 0, 1), q, o_rdata}),
                 QueryDefect::OptTruncated, true});
    // RDLENGTH 6 but the option claims 8 octets of data: overruns the RDATA, not the message.
    Bytes overrun =
        cat({name("."), Bytes{0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 6, 0, 10, 0, 8, 1, 1}, Bytes(6, 0)});
    v.push_back({"opt option overruns rdata", cat({header(1, 0, 1, 0, 0, 1), q, overrun}),
                 QueryDefect::OptMalformed, true});
    Bytes half_option = cat({name("."), Bytes{0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 3, 0, 10, 0}});
    v.push_back({"opt option header cut", cat({header(1, 0, 1, 0, 0, 1), q, half_option}),
                 QueryDefect::OptMalformed, true});
    v.push_back({"two opts", cat({header(1, 0, 1, 0, 0, 2), q, opt(1232), opt(1232)}),
                 QueryDefect::DuplicateOpt, true});
    v.push_back({"opt with non-root owner",
                 cat({header(1, 0, 1, 0, 0, 1), q, rr(name("lan"), type::OPT, 1232, 0, {})}),
                 QueryDefect::OptOwner, true});
    v.push_back(
        {"opt owner a pointer to the root",
         cat({header(1, 0, 1, 0, 0, 1), q, Bytes{0xc0, 20, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0}}),
         QueryDefect::OptOwner, true});
    v.push_back(
        {"tsig",
         cat({header(1, 0, 1, 0, 0, 1), q, rr(name("key.lan"), type::TSIG, 255, 0, Bytes(30, 0))}),
         QueryDefect::NotOpt, true});
    v.push_back({"opt then tsig",
                 cat({header(1, 0, 1, 0, 0, 2), q, opt(1232),
                      rr(name("key.lan"), type::TSIG, 255, 0, Bytes(30, 0))}),
                 QueryDefect::NotOpt, true});
    v.push_back({"arcount 65535", cat({header(1, 0, 1, 0, 0, 0xffff), q, opt(1232)}),
                 QueryDefect::OptTruncated, true});
    v.push_back({"trailing garbage", cat({header(1, 0, 1, 0, 0, 0), q, Bytes{0}}),
                 QueryDefect::TrailingBytes, true});
    v.push_back({"trailing after opt", cat({header(1, 0, 1, 0, 0, 1), q, opt(1232), Bytes{1, 2}}),
                 QueryDefect::TrailingBytes, true});
    return v;
}

TEST(ParseQuery, EveryFormErrClass) {
    for (const FormErrCase& c : formerr_cases()) {
        SCOPED_TRACE(c.what);
        Query q;
        ASSERT_EQ(parse(c.msg, q), QueryStatus::FormErr);
        EXPECT_EQ(q.defect, c.defect);
        EXPECT_EQ(q.id, 1);  // always known, for the FORMERR answer
        EXPECT_EQ(q.question_ok, c.question_ok);
        if (c.question_ok) {
            EXPECT_EQ(q.question_end, 12 + 9 + 4);
            EXPECT_EQ(q.qtype, type::A);
            EXPECT_EQ(hex(q.qname_lower, q.qname_len), hex(name("www.lan")));
        } else {
            EXPECT_EQ(q.question_end, kHeaderSize);
        }
    }
}

TEST(ParseQuery, FormErrAfterAValidOptKeepsIt) {
    // The responder may then include an OPT in its FORMERR (RFC 6891 §7).
    Query q;
    ASSERT_EQ(parse(cat({header(1, 0, 1, 0, 0, 1), question(name("a"), 1), opt(1232, 0, 0, true),
                         Bytes{0}}),
                    q),
              QueryStatus::FormErr);
    EXPECT_EQ(q.defect, QueryDefect::TrailingBytes);
    EXPECT_TRUE(q.has_opt);
    EXPECT_TRUE(q.opt_do);
}

TEST(ParseQuery, EveryTruncationOfAGoodQueryIsRejected) {
    const Bytes msg = query("host.Example.lan", type::A, 0x4242,
                            opt(1232, 0, 0, true, edns_option(10, Bytes(8, 7))));
    Query q;
    ASSERT_EQ(parse(msg, q), QueryStatus::Ok);
    for (size_t n = 0; n < msg.size(); ++n) {
        Bytes cut(msg.begin(), msg.begin() + n);
        QueryStatus st = parse(cut, q);
        EXPECT_EQ(st, n < 12 ? QueryStatus::Drop : QueryStatus::FormErr) << n;
    }
}

TEST(NameHelpers, AsciiLowerAndCompare) {
    EXPECT_EQ(ascii_lower('A'), 'a');
    EXPECT_EQ(ascii_lower('Z'), 'z');
    EXPECT_EQ(ascii_lower('@'), '@');    // 'A' - 1
    EXPECT_EQ(ascii_lower('['), '[');    // 'Z' + 1
    EXPECT_EQ(ascii_lower(0xc1), 0xc1);  // not ASCII: untouched (RFC 4343 §3)
    EXPECT_EQ(ascii_lower(63), 63);
    const Bytes a = name("WwW.Example.COM"), b = name("www.example.com"),
                c = name("www.example.con");
    EXPECT_TRUE(name_equal_ci(a.data(), b.data(), a.size()));
    EXPECT_FALSE(name_equal_ci(a.data(), c.data(), a.size()));
    const uint8_t x[] = {0xc1}, y[] = {0xe1};  // Latin-1 Á/á are distinct in DNS
    EXPECT_FALSE(name_equal_ci(x, y, 1));
    uint8_t out[kMaxName];
    lower_copy(out, a.data(), a.size());
    EXPECT_EQ(hex(out, a.size()), hex(b));
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dns::test
