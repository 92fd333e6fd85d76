// DnsWriter: response header, name compression of owners and RFC 1035 RDATA names, verbatim
// RDATA for other types, limits and rollback, the OPT record. Every response is also walked
// with decode_response (every name through decode_name) to check that it is well formed.
#include <gtest/gtest.h>

#include <string>

#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/dns_writer.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::wire::dns::test {
namespace {

using Section = DnsWriter::Section;

/// A received query in a buffer of `cap` octets (exactly: heap), parsed.
struct Received {
    Received(const Bytes& query, size_t capacity = 4096)
        : cap(capacity), buf(new uint8_t[capacity]) {
        std::memset(buf.get(), 0xee, cap);
        std::memcpy(buf.get(), query.data(), query.size());
        status = parse_query(buf.get(), static_cast<uint16_t>(query.size()), q);
    }
    uint8_t* msg() { return buf.get(); }
    Bytes bytes(size_t from, size_t to) const { return Bytes(buf.get() + from, buf.get() + to); }
    std::optional<DecodedResponse> decode(const DnsWriter& w) {
        return decode_response(buf.get(), w.size());
    }
    size_t cap;
    std::unique_ptr<uint8_t[]> buf;
    Query q;
    QueryStatus status;
};

bool add(DnsWriter& w, Section s, const Bytes& owner, uint16_t t, const Bytes& rdata,
         uint32_t ttl = 300) {
    return w.add_rr(s, owner.data(), static_cast<uint8_t>(owner.size()), t, 1, ttl, rdata.data(),
                    static_cast<uint16_t>(rdata.size()));
}

Bytes ipv4(uint8_t last) {
    return Bytes{198, 18, 0, last};
}

Bytes fixed(uint16_t t, uint32_t ttl, uint16_t rdlen) {
    return rr_fixed(t, rdlen, ttl);
}

Bytes soa_rdata(const Bytes& mname, const Bytes& rname) {
    Bytes b = cat({mname, rname});
    for (uint32_t v : {2024010101u, 3600u, 600u, 86400u, 300u}) put32(b, v);
    return b;
}

// Offsets in a query for "www.Example.com": 12 www, 16 example, 24 com, 28 root.
constexpr uint8_t kExampleOff = 16;

TEST(DnsWriter, HeaderBecomesAResponse) {
    // Query flags: RD, CD, AD, Z and AA/TC/RA set by a sloppy client.
    Bytes query = cat(
        {header(0xabcd, 0x0100 | 0x0010 | 0x0020 | 0x0040 | 0x0400 | 0x0200 | 0x0080, 1, 0, 0, 1),
         question(name("a.lan"), type::A), opt(1232)});
    Received r(query);
    ASSERT_EQ(r.status, QueryStatus::Ok);
    DnsWriter w(r.msg(), 512, r.q.question_end);
    EXPECT_EQ(w.size(), r.q.question_end);
    EXPECT_EQ(hex(r.bytes(0, 12)), "ab cd 81 10 00 01 00 00 00 00 00 00");
    w.finish(rcode::kNxDomain, true, true);
    EXPECT_EQ(hex(r.bytes(2, 4)), "87 13");
    w.finish(rcode::kNoError, false, false);
    w.set_aa(true);
    EXPECT_EQ(hex(r.bytes(2, 4)), "85 10");
    w.set_rcode(rcode::header_bits(rcode::kBadVers));
    EXPECT_EQ(hex(r.bytes(2, 4)), "85 10");
    w.set_rcode(rcode::kRefused);
    w.set_flag(flag::kAa, false);
    EXPECT_EQ(hex(r.bytes(2, 4)), "81 15");
    // The question stays as the client sent it.
    EXPECT_EQ(hex(r.bytes(12, r.q.question_end)), hex(question(name("a.lan"), type::A)));
}

TEST(DnsWriter, OwnerEqualToQnameIsAPointerToIt) {
    Received r(query("www.Example.com", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const uint16_t start = w.size();
    // The zone's owner is lower-case; the client's case is echoed through the pointer.
    ASSERT_TRUE(add(w, Section::Answer, name("www.example.com"), type::A, ipv4(50)));
    EXPECT_EQ(hex(r.bytes(start, w.size())), "c0 0c 00 01 00 01 00 00 01 2c 00 04 c6 12 00 32");
    ASSERT_TRUE(add(w, Section::Answer, name("WWW.EXAMPLE.COM"), type::A, ipv4(51)));
    EXPECT_EQ(hex(r.bytes(start + 16, start + 18)), "c0 0c");
    EXPECT_EQ(w.size(), start + 32);
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 02 00 00 00 00");
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->section[0][1].owner, name("www.Example.com"));
}

TEST(DnsWriter, ParsedQueryGivesTheSameAnswerAsScanningIt) {
    // answer_query builds its writer from the parsed Query (labels taken from the parser);
    // every compression choice must be the one the scanning constructor makes.
    for (const char* qn : {"www.Example.com", "com", "a.b.c.d.e.f.g.h.example.com"}) {
        Received a(query(qn, type::A)), b(query(qn, type::A));
        ASSERT_EQ(a.status, QueryStatus::Ok);
        DnsWriter wa(a.msg(), 512, a.q.question_end);
        DnsWriter wb(b.msg(), 512, b.q);
        for (DnsWriter* w : {&wa, &wb}) {
            ASSERT_TRUE(add(*w, Section::Answer, name(qn), type::CNAME, name("x.example.com")));
            ASSERT_TRUE(add(*w, Section::Answer, name("x.example.com"), type::A, ipv4(7)));
            ASSERT_TRUE(
                add(*w, Section::Authority, name("example.com"), type::NS, name("ns.example.com")));
        }
        ASSERT_EQ(wa.size(), wb.size()) << qn;
        EXPECT_EQ(hex(a.bytes(0, wa.size())), hex(b.bytes(0, wb.size()))) << qn;
        EXPECT_LT(wb.size(), b.q.question_end + 3 * 12 + 40) << qn << ": names were compressed";
    }
    // No question: nothing to compress against, counts as in the scanning constructor.
    Bytes header(12, 0);
    Received r(header);
    DnsWriter w(r.msg(), 512, r.q);
    EXPECT_EQ(w.size(), 12);
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 00 00 00 00 00 00 00");
}

TEST(DnsWriter, CnameTargetCompressedAgainstQnameSuffix) {
    Received r(query("www.Example.com", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const uint16_t start = w.size();
    ASSERT_TRUE(
        add(w, Section::Answer, name("www.example.com"), type::CNAME, name("web.example.com")));
    EXPECT_EQ(hex(r.bytes(start, w.size())),
              hex(cat({Bytes{0xc0, 12}, fixed(type::CNAME, 300, 6),
                       Bytes{3, 'w', 'e', 'b', 0xc0, kExampleOff}})));
    // The CNAME target is now a target itself: the A record's owner points at it.
    const uint16_t web_at = static_cast<uint16_t>(start + 12);
    const uint16_t a_at = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("web.example.com"), type::A, ipv4(7)));
    EXPECT_EQ(
        hex(r.bytes(a_at, w.size())),
        hex(cat({Bytes{0xc0, static_cast<uint8_t>(web_at)}, fixed(type::A, 300, 4), ipv4(7)})));
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->section[0][0].rdata, name("web.Example.com"));  // suffix from the question
    EXPECT_EQ(d->section[0][1].owner, name("web.Example.com"));
}

TEST(DnsWriter, SoaNamesCompressed) {
    Received r(query("www.Example.com", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const uint16_t start = w.size();
    ASSERT_TRUE(add(w, Section::Authority, name("example.com"), type::SOA,
                    soa_rdata(name("ns1.example.com"), name("hostmaster.example.com")), 3600));
    Bytes timers = soa_rdata({}, {});
    EXPECT_EQ(
        hex(r.bytes(start, w.size())),
        hex(cat({Bytes{0xc0, kExampleOff}, fixed(type::SOA, 3600, 6 + 13 + 20),
                 Bytes{3, 'n', 's', '1', 0xc0, kExampleOff},
                 Bytes{10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, kExampleOff},
                 timers})));
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 00 00 01 00 00");
    // Glue for the MNAME points at the name inside the SOA RDATA.
    const uint16_t at = w.size();
    ASSERT_TRUE(add(w, Section::Additional, name("ns1.example.com"), type::A, ipv4(1)));
    EXPECT_EQ(hex(r.bytes(at, at + 2)), hex(Bytes{0xc0, static_cast<uint8_t>(start + 12)}));
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_TRUE(ci_equal(d->section[1][0].rdata,
                         soa_rdata(name("ns1.example.com"), name("hostmaster.example.com"))));
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 00 00 01 00 01");
}

TEST(DnsWriter, MxNsPtrNamesCompressed) {
    Received r(query("example.com", type::MX));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    uint16_t at = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("example.com"), type::MX,
                    cat({Bytes{0, 10}, name("mail.example.com")})));
    EXPECT_EQ(hex(r.bytes(at, w.size())),
              hex(cat({Bytes{0xc0, 12}, fixed(type::MX, 300, 9),
                       Bytes{0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 12}})));
    at = w.size();
    ASSERT_TRUE(add(w, Section::Authority, name("example.com"), type::NS, name("ns.example.com")));
    EXPECT_EQ(hex(r.bytes(at + 10, w.size())), hex(Bytes{0, 5, 2, 'n', 's', 0xc0, 12}));
    at = w.size();
    ASSERT_TRUE(add(w, Section::Additional, name("1.0.18.198.in-addr.arpa"), type::PTR,
                    name("mail.example.com")));
    // Owner uncompressed (nothing shares a suffix), PTR target fully a pointer to the MX's.
    EXPECT_EQ(hex(r.bytes(w.size() - 4, w.size())),
              hex(Bytes{0, 2, 0xc0, static_cast<uint8_t>(r.q.question_end + 14)}));
    ASSERT_TRUE(r.decode(w));
}

TEST(DnsWriter, SrvTargetIsNotCompressed) {
    Received r(query("_sip._udp.example.com", type::SRV));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const Bytes rdata = cat({Bytes{0, 1, 0, 2, 0x13, 0xc4}, name("sip.example.com")});
    const uint16_t at = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("_sip._udp.example.com"), type::SRV, rdata));
    EXPECT_EQ(hex(r.bytes(at, w.size())),
              hex(cat({Bytes{0xc0, 12}, fixed(type::SRV, 300, static_cast<uint16_t>(rdata.size())),
                       rdata})));
    // Nor is it a compression target (RFC 3597 §4: unknown RDATA is opaque).
    const uint16_t a_at = w.size();
    ASSERT_TRUE(add(w, Section::Additional, name("sip.example.com"), type::A, ipv4(9)));
    EXPECT_EQ(hex(r.bytes(a_at, a_at + 6)), hex(Bytes{3, 's', 'i', 'p', 0xc0, 22}));
    ASSERT_TRUE(r.decode(w));
}

TEST(DnsWriter, MalformedCompressibleRdataIsCopiedVerbatim) {
    Received r(query("a.lan", type::CNAME));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const Bytes bad = {3, 'l', 'a'};  // label runs past RDLENGTH
    const uint16_t at = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::CNAME, bad));
    EXPECT_EQ(hex(r.bytes(at + 10, w.size())), hex(cat({Bytes{0, 3}, bad})));
    const Bytes soa_short = cat({name("ns.lan"), name("h.lan"), Bytes(19, 0)});
    ASSERT_TRUE(add(w, Section::Authority, name("lan"), type::SOA, soa_short));
    EXPECT_EQ(hex(r.bytes(w.size() - soa_short.size(), w.size())), hex(soa_short));
    const Bytes mx_short = {0};
    ASSERT_TRUE(add(w, Section::Authority, name("lan"), type::MX, mx_short));
    EXPECT_EQ(hex(r.bytes(w.size() - 3, w.size())), "00 01 00");
}

TEST(DnsWriter, TwentyRecordsDecodeBack) {
    Received r(query("Host.Zone.test", type::ANY), 4096);
    DnsWriter w(r.msg(), 4096, r.q.question_end);
    struct Rec {
        Section s;
        Bytes owner;
        uint16_t t;
        Bytes rdata;
    };
    std::vector<Rec> recs;
    for (int i = 0; i < 20; ++i) {
        std::string n = "h" + std::to_string(i % 7) + ".zone.test";
        Bytes owner = i % 3 == 0 ? name("host.zone.test") : name(i % 2 ? n : "X." + n);
        switch (i % 8) {
            case 0:
                recs.push_back({Section::Answer, owner, type::A, ipv4(static_cast<uint8_t>(i))});
                break;
            case 1:
                recs.push_back({Section::Answer, owner, type::CNAME,
                                name("t" + std::to_string(i) + ".Zone.test")});
                break;
            case 2:
                recs.push_back({Section::Answer, owner, type::MX,
                                cat({Bytes{0, static_cast<uint8_t>(i)}, name(n)})});
                break;
            case 3:
                recs.push_back({Section::Answer, owner, type::NS, name("ns.other.example")});
                break;
            case 4:
                recs.push_back({Section::Answer, owner, type::SOA,
                                soa_rdata(name("ns.other.example"), name("h.zone.test"))});
                break;
            case 5:
                recs.push_back(
                    {Section::Answer, owner, type::SRV, cat({Bytes{0, 1, 0, 1, 0, 53}, name(n)})});
                break;
            case 6:
                recs.push_back(
                    {Section::Answer, owner, type::TXT, Bytes{5, 'h', 'e', 'l', 'l', 'o'}});
                break;
            case 7:
                recs.push_back({Section::Answer, owner, type::PTR, name("Zone.test")});
                break;
        }
    }
    for (const Rec& rec : recs) ASSERT_TRUE(add(w, rec.s, rec.owner, rec.t, rec.rdata));
    ASSERT_TRUE(add(w, Section::Authority, name("zone.test"), type::NS, name("ns.zone.test")));
    ASSERT_TRUE(add(w, Section::Additional, name("ns.zone.test"), type::AAAA, Bytes(16, 1)));
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 14 00 01 00 01");
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->section[0].size(), 20u);
    size_t uncompressed = r.q.question_end;
    for (size_t i = 0; i < recs.size(); ++i) {
        SCOPED_TRACE(i);
        const DecodedRr& got = d->section[0][i];
        EXPECT_TRUE(ci_equal(got.owner, recs[i].owner)) << hex(got.owner);
        EXPECT_EQ(got.type, recs[i].t);
        EXPECT_EQ(got.klass, 1);
        EXPECT_EQ(got.ttl, 300u);
        EXPECT_TRUE(ci_equal(got.rdata, recs[i].rdata)) << hex(got.rdata);
        uncompressed += recs[i].owner.size() + 10 + recs[i].rdata.size();
    }
    // Suffixes matched against the question carry the client's case ("Zone").
    EXPECT_EQ(d->section[1][0].rdata, name("ns.Zone.test"));
    EXPECT_EQ(d->section[2][0].owner, name("ns.Zone.test"));
    EXPECT_LT(w.size(), uncompressed / 2 + 200);  // compression is doing its job
}

TEST(DnsWriter, OverflowReturnsFalseAndLeavesAValidMessage) {
    Received r(query("big.lan", type::TXT), 512);
    DnsWriter w(r.msg(), 512, r.q.question_end);
    Bytes txt(100, 'x');
    txt[0] = 99;
    int added = 0;
    while (add(w, Section::Answer, name("big.lan"), type::TXT, txt)) ++added;
    // 12 + 13 question + n * (2 + 10 + 100) <= 512  ->  4 records.
    EXPECT_EQ(added, 4);
    const uint16_t size = w.size();
    EXPECT_EQ(size, 25 + 4 * 112);
    EXPECT_EQ(w.count(Section::Answer), 4);
    // A record with a new owner whose name would fit but not its RDATA leaves nothing.
    EXPECT_FALSE(add(w, Section::Answer, name("other.name.lan"), type::TXT, txt));
    EXPECT_EQ(w.size(), size);
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 04 00 00 00 00");
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->section[0].size(), 4u);
    // Exactly the room left: fits, to the last octet.
    const uint16_t room = w.available();
    ASSERT_EQ(room, 512 - size);
    Bytes exact(room - 12, 0);
    EXPECT_FALSE(add(w, Section::Answer, name("big.lan"), type::TXT, Bytes(room - 11, 0)));
    EXPECT_TRUE(add(w, Section::Answer, name("big.lan"), type::TXT, exact));
    EXPECT_EQ(w.size(), 512);
    EXPECT_EQ(w.available(), 0);
    ASSERT_TRUE(r.decode(w));
}

TEST(DnsWriter, FailedRecordsGiveBackTheirCompressionTargets) {
    Received r(query("q.lan", type::A), 512);
    DnsWriter w(r.msg(), 100, r.q.question_end);
    // Each owner is written (and remembered) before its RDATA fails to fit; 70 of them
    // would fill the table for good if a failure did not roll it back.
    for (int i = 0; i < 70; ++i) {
        EXPECT_FALSE(add(w, Section::Answer, name("n" + std::to_string(i) + ".lan"), type::TXT,
                         Bytes(80, 1)));
        EXPECT_EQ(w.size(), r.q.question_end);
    }
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 00 00 00 00 00");
    ASSERT_TRUE(add(w, Section::Answer, name("new.lan"), type::A, ipv4(1)));
    const uint16_t at = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("new.lan"), type::A, ipv4(2)));
    EXPECT_EQ(hex(r.bytes(at, at + 2)), hex(Bytes{0xc0, static_cast<uint8_t>(r.q.question_end)}));
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->section[0][1].owner, name("new.lan"));
}

TEST(DnsWriter, OptRecordAndReservation) {
    Received r(query("a.lan", type::A, 1, opt(4096, 0, 0, true)), 512);
    ASSERT_EQ(r.status, QueryStatus::Ok);
    const uint16_t qend = r.q.question_end;  // 12 + 7 + 4 = 23
    ASSERT_EQ(qend, 23);
    DnsWriter w(r.msg(), 100, qend);
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 00 00 00 00 00");  // the query's ARCOUNT cleared
    w.reserve(edns::kOptRrSize);
    EXPECT_EQ(w.available(), 100 - 11 - 23);
    int added = 0;
    while (add(w, Section::Answer, name("a.lan"), type::A, ipv4(static_cast<uint8_t>(added))))
        ++added;
    EXPECT_EQ(added, 4);  // 4 * 16 = 64 <= 66
    const uint16_t at = w.size();
    ASSERT_TRUE(w.add_opt(1232, rcode::ext_bits(rcode::kBadVers), 0, true));
    EXPECT_EQ(hex(r.bytes(at, w.size())), "00 00 29 04 d0 01 00 80 00 00 00");
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 04 00 00 00 01");
    EXPECT_FALSE(w.add_opt(1232, 0, 0, false));  // one OPT only
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->section[2].size(), 1u);
    EXPECT_EQ(d->section[2][0].type, type::OPT);
    EXPECT_EQ(d->section[2][0].klass, 1232);
    EXPECT_EQ(d->section[2][0].ttl, 0x01008000u);
}

TEST(DnsWriter, OptAfterExplicitUnreserveAndWithoutDo) {
    Received r(query("a.lan", type::A, 1, opt(1232)), 512);
    DnsWriter w(r.msg(), 512, r.q.question_end);
    w.reserve(edns::kOptRrSize);
    w.unreserve(edns::kOptRrSize);
    w.unreserve(100);  // saturates at zero
    EXPECT_EQ(w.available(), 512 - r.q.question_end);
    const uint16_t at = w.size();
    ASSERT_TRUE(w.add_opt(1232, 0, 0, false));
    EXPECT_EQ(hex(r.bytes(at, w.size())), "00 00 29 04 d0 00 00 00 00 00 00");
    // Additional records may follow the OPT; answers may not.
    EXPECT_FALSE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    EXPECT_TRUE(add(w, Section::Additional, name("a.lan"), type::A, ipv4(1)));
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 00 00 00 00 02");
}

TEST(DnsWriter, OptDoesNotFitWithoutReservation) {
    Received r(query("a.lan", type::A, 1, opt(1232)), 512);
    DnsWriter w(r.msg(), 49, r.q.question_end);  // 26 octets of room
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    EXPECT_FALSE(w.add_opt(1232, 0, 0, false));  // 16 + 11 > 26
    EXPECT_EQ(w.size(), r.q.question_end + 16);
    EXPECT_EQ(hex(r.bytes(10, 12)), "00 00");
}

TEST(DnsWriter, SectionsInOrderAndCounts) {
    Received r(query("a.lan", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(2)));
    ASSERT_TRUE(add(w, Section::Authority, name("lan"), type::NS, name("ns.lan")));
    const uint16_t size = w.size();
    EXPECT_FALSE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(3)));
    EXPECT_EQ(w.size(), size);
    ASSERT_TRUE(add(w, Section::Additional, name("ns.lan"), type::A, ipv4(4)));
    EXPECT_FALSE(add(w, Section::Authority, name("lan"), type::NS, name("ns2.lan")));
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 02 00 01 00 01");
    EXPECT_EQ(w.count(Section::Answer), 2);
    EXPECT_EQ(w.count(Section::Authority), 1);
    EXPECT_EQ(w.count(Section::Additional), 1);
    ASSERT_TRUE(r.decode(w));
}

TEST(DnsWriter, MarkAndRollback) {
    Received r(query("a.lan", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    const DnsWriter::Mark m = w.mark();
    const uint16_t size = w.size();
    ASSERT_TRUE(add(w, Section::Additional, name("x.b.lan"), type::A, ipv4(2)));
    ASSERT_TRUE(w.add_opt(1232, 0, 0, false));
    w.rollback(m);
    EXPECT_EQ(w.size(), size);
    EXPECT_EQ(hex(r.bytes(4, 12)), "00 01 00 01 00 00 00 00");
    // Back in the answer section, with the OPT and the names after the mark forgotten.
    std::memset(r.msg() + size, 0x3f, 100);
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(3)));
    ASSERT_TRUE(add(w, Section::Additional, name("x.b.lan"), type::A, ipv4(2)));
    ASSERT_TRUE(w.add_opt(1232, 0, 0, false));
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->section[2][0].owner, name("x.b.lan"));
}

TEST(DnsWriter, InvalidOwnerIsRefused) {
    Received r(query("a.lan", type::A));
    DnsWriter w(r.msg(), 512, r.q.question_end);
    const uint16_t size = w.size();
    const Bytes n = name("a.lan");
    EXPECT_FALSE(w.add_rr(Section::Answer, n.data(), 5, type::A, 1, 0, nullptr, 0));  // short
    EXPECT_FALSE(w.add_rr(Section::Answer, n.data(), 0, type::A, 1, 0, nullptr, 0));
    const uint8_t ptr[] = {1, 'a', 0xc0, 12};
    EXPECT_FALSE(w.add_rr(Section::Answer, ptr, 4, type::A, 1, 0, nullptr, 0));
    EXPECT_FALSE(w.add_rr(Section::Answer, nullptr, 1, type::A, 1, 0, nullptr, 0));
    EXPECT_FALSE(w.add_rr(Section::Answer, n.data(), 7, type::A, 1, 0, nullptr, 4));
    EXPECT_EQ(w.size(), size);
    // The root owner and empty RDATA are fine.
    const uint8_t root[] = {0};
    ASSERT_TRUE(w.add_rr(Section::Answer, root, 1, type::TXT, 1, 0, nullptr, 0));
    EXPECT_EQ(hex(r.bytes(size, w.size())), "00 00 10 00 01 00 00 00 00 00 00");
}

TEST(DnsWriter, NoQuestion) {
    // A FORMERR to a query without a question: QDCOUNT 0, nothing to compress against.
    Received r(cat({header(9, 0x0100, 0, 0, 0, 0)}));
    ASSERT_EQ(r.status, QueryStatus::FormErr);
    DnsWriter w(r.msg(), 512, r.q.question_end);
    EXPECT_EQ(w.size(), 12);
    EXPECT_EQ(hex(r.bytes(0, 12)), "00 09 81 00 00 00 00 00 00 00 00 00");
    ASSERT_TRUE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    EXPECT_EQ(hex(r.bytes(12, 19)), hex(name("a.lan")));
    ASSERT_TRUE(add(w, Section::Answer, name("b.lan"), type::A, ipv4(1)));
    EXPECT_EQ(hex(r.bytes(w.size() - 18, w.size() - 14)), "01 62 c0 0e");  // "b" -> "lan"
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->qdcount, 0);
}

TEST(DnsWriter, FullCompressionTableStillWritesNames) {
    Received r(query("q.test", type::A), 16384);
    DnsWriter w(r.msg(), 16384, r.q.question_end);
    std::vector<Bytes> owners;
    for (int i = 0; i < 70; ++i)
        owners.push_back(name("h" + std::to_string(i) + ".z" + std::to_string(i) + ".test"));
    for (const Bytes& o : owners) ASSERT_TRUE(add(w, Section::Answer, o, type::A, ipv4(1)));
    // The early names are remembered and compress; the late ones are written in full.
    const uint16_t again_first = w.size();
    ASSERT_TRUE(add(w, Section::Answer, owners[0], type::A, ipv4(2)));
    EXPECT_EQ(w.size() - again_first, 16);
    const uint16_t again_last = w.size();
    ASSERT_TRUE(add(w, Section::Answer, owners[69], type::A, ipv4(3)));
    EXPECT_EQ(w.size() - again_last, 4 + 4 + 2 + 10 + 4);  // h69 z69 then a pointer to "test"
    auto d = r.decode(w);
    ASSERT_TRUE(d);
    for (size_t i = 0; i < owners.size(); ++i) EXPECT_EQ(d->section[0][i].owner, owners[i]) << i;
    EXPECT_EQ(d->section[0][71].owner, owners[69]);
}

TEST(DnsWriter, OffsetsBeyondPointerRangeAreNotTargets) {
    Received r(query("www.Example.com", type::A), 20000);
    DnsWriter w(r.msg(), 20000, r.q.question_end);
    Bytes pad(16500, 'p');
    ASSERT_TRUE(add(w, Section::Answer, name("pad.example.com"), type::TXT, pad));
    ASSERT_GT(w.size(), 0x3fff);
    const uint16_t first = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("far.example.com"), type::A, ipv4(1)));
    EXPECT_EQ(hex(r.bytes(first, first + 6)), hex(Bytes{3, 'f', 'a', 'r', 0xc0, kExampleOff}));
    const uint16_t second = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("far.example.com"), type::A, ipv4(2)));
    // Same again: "far" sits beyond 0x3fff, so only "example.com" can be pointed at.
    EXPECT_EQ(hex(r.bytes(second, second + 6)), hex(Bytes{3, 'f', 'a', 'r', 0xc0, kExampleOff}));
    // The padding record's owner (below 0x3fff) is a target.
    const uint16_t third = w.size();
    ASSERT_TRUE(add(w, Section::Answer, name("pad.example.com"), type::A, ipv4(3)));
    EXPECT_EQ(hex(r.bytes(third, third + 2)),
              hex(Bytes{0xc0, static_cast<uint8_t>(r.q.question_end)}));
    ASSERT_TRUE(r.decode(w));
}

TEST(DnsWriter, LimitBelowQuestionIsClamped) {
    Received r(query("a.lan", type::A));
    DnsWriter w(r.msg(), 5, r.q.question_end);
    EXPECT_EQ(w.size(), r.q.question_end);
    EXPECT_EQ(w.available(), 0);
    EXPECT_FALSE(add(w, Section::Answer, name("a.lan"), type::A, ipv4(1)));
    EXPECT_FALSE(w.add_opt(512, 0, 0, false));
    ASSERT_TRUE(r.decode(w));
}

/// RDLENGTH RDATA pairs, as a zone view node stores an RRset.
Bytes rdata_seq(std::initializer_list<Bytes> rds) {
    Bytes b;
    for (const Bytes& rd : rds) {
        put16(b, static_cast<uint16_t>(rd.size()));
        b.insert(b.end(), rd.begin(), rd.end());
    }
    return b;
}

TEST(DnsWriter, AnRRsetAtTheQuestionIsWrittenAsAddRrWouldWriteIt) {
    // A mixed-case question, an EDNS query: the set at the question's name, then an
    // authority record that compresses against the question, then the OPT.
    const Bytes query = cat(
        {header(7, 0x0100, 1, 0, 0, 1), question(name("Www.Example.com"), type::AAAA), opt(1232)});
    const Bytes a1 = Bytes(16, 0x20), a2 = Bytes(16, 0x21);
    Received general(query), fast(query);
    ASSERT_EQ(general.status, QueryStatus::Ok);
    DnsWriter g(general.msg(), 1232, general.q);
    DnsWriter f(fast.msg(), 1232, fast.q);
    ASSERT_TRUE(add(g, Section::Answer, name("www.example.com"), type::AAAA, a1, 60));
    ASSERT_TRUE(add(g, Section::Answer, name("www.example.com"), type::AAAA, a2, 60));
    ASSERT_TRUE(f.can_point_to_question(type::AAAA));
    const Bytes set = rdata_seq({a1, a2});
    ASSERT_TRUE(f.add_set_at_question(Section::Answer, type::AAAA, 1, 60, set.data(), 2));
    for (DnsWriter* w : {&g, &f}) {
        ASSERT_TRUE(add(*w, Section::Authority, name("example.com"), type::SOA,
                        soa_rdata(name("ns.example.com"), name("hostmaster.example.com"))));
        ASSERT_TRUE(w->add_opt(1232, 0, 0, false));
    }
    ASSERT_EQ(f.size(), g.size());
    EXPECT_EQ(hex(fast.bytes(0, f.size())), hex(general.bytes(0, g.size())));
    EXPECT_EQ(f.count(Section::Answer), 2u);
    ASSERT_TRUE(fast.decode(f).has_value());
}

TEST(DnsWriter, AnRRsetAtTheQuestionIsAllOrNothing) {
    const Bytes query = cat({header(7, 0x0100, 1, 0, 0, 0), question(name("a.lan"), type::A)});
    Received r(query);
    ASSERT_EQ(r.status, QueryStatus::Ok);
    // Room for one A record (16 octets) after the question, not two.
    DnsWriter w(r.msg(), static_cast<uint16_t>(r.q.question_end + 16 + 15), r.q);
    const Bytes set = rdata_seq({ipv4(1), ipv4(2)});
    const Bytes before = r.bytes(0, w.size());
    EXPECT_FALSE(w.add_set_at_question(Section::Answer, type::A, 1, 300, set.data(), 2));
    EXPECT_EQ(w.size(), r.q.question_end);
    EXPECT_EQ(w.count(Section::Answer), 0u);
    EXPECT_EQ(hex(r.bytes(0, w.size())), hex(before));
    const Bytes one = rdata_seq({ipv4(1)});
    EXPECT_TRUE(w.add_set_at_question(Section::Answer, type::A, 1, 300, one.data(), 1));
    EXPECT_EQ(w.size(), r.q.question_end + 16);
    // Out of order: an answer after an authority record is refused.
    Received o(query);
    DnsWriter ow(o.msg(), 512, o.q);
    ASSERT_TRUE(add(ow, Section::Authority, name("lan"), type::A, ipv4(3)));
    const uint16_t size = ow.size();
    EXPECT_FALSE(ow.add_set_at_question(Section::Answer, type::A, 1, 300, one.data(), 1));
    EXPECT_EQ(ow.size(), size);
}

TEST(DnsWriter, OnlyNamelessRdataAndAQuestionNameMayBePointedTo) {
    const Bytes query = cat({header(7, 0x0100, 1, 0, 0, 0), question(name("a.lan"), type::A)});
    Received r(query);
    ASSERT_EQ(r.status, QueryStatus::Ok);
    DnsWriter w(r.msg(), 512, r.q);
    EXPECT_TRUE(w.can_point_to_question(type::A));
    EXPECT_TRUE(w.can_point_to_question(type::TXT));
    for (uint16_t t : {type::CNAME, type::NS, type::PTR, type::MX, type::SOA})
        EXPECT_FALSE(w.can_point_to_question(t)) << t;
    const Bytes set = rdata_seq({name("b.lan")});
    EXPECT_FALSE(w.add_set_at_question(Section::Answer, type::CNAME, 1, 300, set.data(), 1));
    // Header only, no question: nothing to point to.
    const Bytes bare = header(8, 0x0100, 0, 0, 0, 0);
    Received h(bare);
    DnsWriter hw(h.msg(), 512, uint16_t{12});
    EXPECT_FALSE(hw.can_point_to_question(type::A));
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dns::test
