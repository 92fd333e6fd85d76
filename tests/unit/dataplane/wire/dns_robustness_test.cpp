// Bad input never crashes nor reads past the buffer: every truncation of sample queries and
// a bounded number of random mutations (fixed seed) go through parse_query, decode_name at
// every offset, and — when a question was parsed — a DnsWriter answering over the result.
// Buffers are heap blocks of exactly the message's size (or the writer's limit), so ASan (CI)
// reports any access beyond them.
#include <gtest/gtest.h>

#include <random>

#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/dns_writer.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::wire::dns::test {
namespace {

std::vector<Bytes> samples() {
    std::vector<Bytes> s;
    s.push_back(query("www.Example.com", type::A));
    s.push_back(query("a.lan", type::AAAA, 7, opt(1232, 0, 0, true)));
    s.push_back(query("x.y.z.lan", type::TXT, 8,
                      opt(4096, 0, 1, false,
                          cat({edns_option(10, Bytes(8, 0x55)), edns_option(12, Bytes(20, 0))}))));
    s.push_back(query(".", type::NS));
    s.push_back(cat({header(1, 0, 1, 0, 0, 0), question(long_name(255), type::SOA)}));
    s.push_back(cat({header(2, 4 << 11, 1, 0, 0, 0), question(name("lan"), type::SOA)}));
    // Compressed names to mutate decode_name over: a response-shaped message.
    s.push_back(cat({header(3, 0x8180, 1, 2, 0, 0), question(name("www.lan"), type::CNAME),
                     Bytes{0xc0, 12}, rr_fixed(type::CNAME, 6), Bytes{3, 'w', 'e', 'b', 0xc0, 16},
                     Bytes{0xc0, 37}, rr_fixed(type::A, 4), Bytes{198, 18, 0, 1}}));
    return s;
}

/// Exercises everything on msg[0..len) held in an exact heap block; counts outcomes.
void exercise(const Bytes& msg, int* outcomes = nullptr) {
    Exact e(msg);
    Query q;
    const QueryStatus st = parse_query(e.p.get(), e.len(), q);
    if (outcomes) ++outcomes[static_cast<int>(st)];
    if (st == QueryStatus::Ok) {
        ASSERT_TRUE(q.question_ok);
        ASSERT_GE(q.qname_len, 1);
        ASSERT_LE(q.question_end, e.len());
        ASSERT_EQ(q.label_off[q.label_count] + 1, q.qname_len);
    }
    if (st != QueryStatus::Drop && !q.question_ok) {
        ASSERT_EQ(q.question_end, kHeaderSize);
    }

    std::unique_ptr<uint8_t[]> out(new uint8_t[kMaxName]);
    for (uint16_t off = 0; off <= e.len(); ++off) {
        uint16_t next = 0;
        int n = decode_name(e.p.get(), e.len(), off, out.get(), next);
        if (n > 0) {
            ASSERT_LE(n, static_cast<int>(kMaxName));
            ASSERT_LE(next, e.len());
            ASSERT_GT(next, off);
        }
    }

    if (st == QueryStatus::Drop) return;
    // Answer in place, in a buffer of exactly the limit: the question, some records over
    // the question name and the OPT. Whatever fits must decode back.
    const uint16_t limit = 512;
    std::unique_ptr<uint8_t[]> buf(new uint8_t[limit]);
    std::memcpy(buf.get(), e.p.get(), std::min<size_t>(e.size, limit));
    DnsWriter w(buf.get(), limit, q.question_end);
    if (q.has_opt) w.reserve(edns::kOptRrSize);
    if (q.question_ok) {
        const Bytes soa = cat({name("ns.lan"), name("hostmaster.lan"), Bytes(20, 1)});
        const Bytes mx = cat({Bytes{0, 5}, name("mx.lan")});
        for (int i = 0; i < 12; ++i) {
            w.add_rr(DnsWriter::Section::Answer, q.qname_lower, q.qname_len, type::CNAME, 1, 0,
                     q.qname_lower, q.qname_len);
            w.add_rr(DnsWriter::Section::Answer, q.qname_lower + q.label_off[q.label_count / 2],
                     static_cast<uint8_t>(q.qname_len - q.label_off[q.label_count / 2]), type::MX,
                     1, 0, mx.data(), static_cast<uint16_t>(mx.size()));
        }
        w.add_rr(DnsWriter::Section::Authority, q.qname_lower, q.qname_len, type::SOA, 1, 0,
                 soa.data(), static_cast<uint16_t>(soa.size()));
    }
    if (q.has_opt) {
        w.unreserve(edns::kOptRrSize);
        ASSERT_TRUE(w.add_opt(1232, 0, 0, q.opt_do));
    }
    ASSERT_LE(w.size(), limit);
    ASSERT_TRUE(decode_response(buf.get(), w.size()));
}

TEST(DnsRobustness, EveryTruncation) {
    for (const Bytes& s : samples()) {
        for (size_t n = 0; n <= s.size(); ++n) {
            SCOPED_TRACE(n);
            exercise(Bytes(s.begin(), s.begin() + n));
            if (HasFatalFailure()) return;
        }
    }
}

TEST(DnsRobustness, RandomMutations) {
    std::mt19937 rng(0xd15ea5e);
    const std::vector<Bytes> base = samples();
    constexpr int kRounds = 20000;
    int outcomes[4] = {0, 0, 0, 0};
    for (int round = 0; round < kRounds; ++round) {
        Bytes m = base[rng() % base.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits && !m.empty(); ++k) {
            const size_t at = rng() % m.size();
            switch (rng() % 6) {
                case 0:
                    m[at] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    m[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
                    break;
                case 2:
                    m[at] = static_cast<uint8_t>(0xc0 | (rng() % 4));
                    break;  // pointers
                case 3:
                    m[at] = static_cast<uint8_t>(rng() % 70);
                    break;  // label lengths
                case 4:
                    m.resize(at);
                    break;
                case 5:
                    m.insert(m.begin() + static_cast<long>(at), static_cast<uint8_t>(rng()));
                    break;
            }
        }
        SCOPED_TRACE(round);
        exercise(m, outcomes);
        if (HasFatalFailure()) return;
    }
    // The mutations reach every outcome, so the writer and the OPT path were exercised too.
    for (int i = 0; i < 4; ++i) EXPECT_GT(outcomes[i], 100) << i;
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dns::test
