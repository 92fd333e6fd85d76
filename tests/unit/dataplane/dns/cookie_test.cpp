// DNS Cookies (RFC 7873, RFC 9018 server cookies) through answer_query: a client cookie gets
// ours back, the cookie we gave is valid from the same address and not from another, a
// tampered or stale one is replaced, malformed lengths are FORMERR, and with cookies off the
// option is ignored.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "control/zone/zone_file.hpp"
#include "dataplane/dns/answer.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::dns {
namespace {

namespace wt = wire::dns::test;
using wt::Bytes;

std::unique_ptr<ZoneView> view() {
    ZoneInput z;
    std::string why;
    z.name = *edgelease::dns::name_from_text("lan.", edgelease::dns::WireName{0}, why);
    auto r = control::zone::parse_zone_text(
        "@ 600 SOA ns.lan. h.lan. 1 3600 600 1209600 60\n@ 600 NS ns.lan.\nns 600 A 198.18.0.1\n",
        "lan.zone", z.name, 3600);
    z.records = std::move(r.records);
    return std::make_unique<ZoneView>(std::vector<ZoneInput>{z});
}

/// A query for ns.lan A with an OPT holding a COOKIE option `cookie`.
Bytes query(const Bytes& cookie) {
    Bytes m = wt::header(0x4444, 0, 1, 0, 0, 1);
    Bytes q = wt::question(wt::name("ns.lan"), 1, 1);
    m.insert(m.end(), q.begin(), q.end());
    const uint16_t rdlen = static_cast<uint16_t>(4 + cookie.size());
    const uint8_t opt[] = {0,
                           0,
                           41,
                           0x04,
                           0xd0,
                           0,
                           0,
                           0,
                           0,
                           static_cast<uint8_t>(rdlen >> 8),
                           static_cast<uint8_t>(rdlen),
                           0,
                           10,
                           0,
                           static_cast<uint8_t>(cookie.size())};
    m.insert(m.end(), std::begin(opt), std::end(opt));
    m.insert(m.end(), cookie.begin(), cookie.end());
    return m;
}

struct Cookies : ::testing::Test {
    std::unique_ptr<ZoneView> zv = view();
    SipKey secret{0x1111, 0x2222};
    DnsSettings settings;
    DnsStats stats;
    uint8_t ip[4] = {198, 18, 0, 2};
    Bytes client = {1, 2, 3, 4, 5, 6, 7, 8};

    /// Answers q from `from` at `now`; the answer's COOKIE option data (empty: none), rcode.
    Bytes ask(const Bytes& q, uint32_t now, bool& valid, uint8_t& rcode,
              const uint8_t* from = nullptr) {
        std::vector<uint8_t> buf(q.begin(), q.end());
        buf.resize(1500);
        CookieCheck c;
        c.secret = &secret;
        c.client_ip = from != nullptr ? from : ip;
        c.ip_len = 4;
        c.now = now;
        const uint16_t n = answer_query(zv.get(), settings, buf.data(),
                                        static_cast<uint16_t>(q.size()), 1500, stats, nullptr, &c);
        valid = c.valid;
        rcode = n >= 4 ? buf[3] & 0x0f : 0xff;
        if (n < 28 || buf[n - 28] != 0 || buf[n - 27] != 10 || buf[n - 25] != kCookieSize)
            return {};
        return Bytes(buf.begin() + n - kCookieSize, buf.begin() + n);
    }
};

TEST_F(Cookies, AClientCookieGetsOursAndItIsValidFromTheSameAddressOnly) {
    bool valid = true;
    uint8_t rc = 0;
    const Bytes first = ask(query(client), 1'800'000'000, valid, rc);
    ASSERT_EQ(first.size(), kCookieSize);
    EXPECT_EQ(rc, 0);
    EXPECT_FALSE(valid);
    EXPECT_TRUE(std::equal(client.begin(), client.end(), first.begin()));  // echoed
    EXPECT_EQ(first[8], 1);                                                // version 1
    // Brought back a minute later: valid, and the same server cookie goes back.
    const Bytes again = ask(query(first), 1'800'000'060, valid, rc);
    EXPECT_TRUE(valid);
    EXPECT_EQ(again, first);
    EXPECT_EQ(stats.cookies_valid.get(), 1u);
    // From another address: not valid, a new one.
    const uint8_t other[4] = {198, 18, 0, 3};
    const Bytes elsewhere = ask(query(first), 1'800'000'060, valid, rc, other);
    EXPECT_FALSE(valid);
    EXPECT_NE(elsewhere, first);
    EXPECT_EQ(stats.cookies_invalid.get(), 1u);
}

TEST_F(Cookies, TamperedStaleOrFutureCookiesAreReplaced) {
    bool valid = false;
    uint8_t rc = 0;
    const Bytes ours = ask(query(client), 1'800'000'000, valid, rc);
    Bytes tampered = ours;
    tampered.back() ^= 1;
    EXPECT_NE(ask(query(tampered), 1'800'000'001, valid, rc), tampered);
    EXPECT_FALSE(valid);
    // Older than half an hour: still valid, but a fresh one goes back.
    const Bytes refreshed = ask(query(ours), 1'800'002'000, valid, rc);
    EXPECT_TRUE(valid);
    EXPECT_NE(refreshed, ours);
    // Older than an hour, or from more than 5 minutes ahead: not valid.
    ask(query(ours), 1'800'003'700, valid, rc);
    EXPECT_FALSE(valid);
    ask(query(ours), 1'799'999'000, valid, rc);
    EXPECT_FALSE(valid);
}

TEST_F(Cookies, MalformedLengthsAreFormErrAndOffIgnoresThem) {
    bool valid = false;
    uint8_t rc = 0;
    for (size_t len : {0u, 7u, 9u, 15u, 41u}) {
        ask(query(Bytes(len, 0xaa)), 1'800'000'000, valid, rc);
        EXPECT_EQ(rc, 1) << len;  // FORMERR
    }
    // Cookies off (no secret in the check): no option in the answer.
    std::vector<uint8_t> buf = query(client);
    const auto len = static_cast<uint16_t>(buf.size());
    buf.resize(1500);
    const uint16_t n = answer_query(zv.get(), settings, buf.data(), len, 1500, stats);
    ASSERT_GT(n, 28);
    EXPECT_FALSE(buf[n - 28] == 0 && buf[n - 27] == 10);
    EXPECT_EQ(buf[3] & 0x0f, 0);
    // ... and a malformed one is not FORMERR there: off, the option is ignored as before.
    buf = query(Bytes(9, 0xaa));
    const auto len9 = static_cast<uint16_t>(buf.size());
    buf.resize(1500);
    ASSERT_GT(answer_query(zv.get(), settings, buf.data(), len9, 1500, stats), 12);
    EXPECT_EQ(buf[3] & 0x0f, 0);
}

}  // namespace
}  // namespace edgelease::dataplane::dns
