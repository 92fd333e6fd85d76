// Bad input never crashes nor reads past the buffer: every truncation of each sample request
// and a bounded number of seeded random mutations go through parse_request, each in a heap
// block of exactly the message's size, so ASan (the sanitizer build) reports any access
// beyond it. Whatever parses is checked for consistency, answered with encode_reply into an
// exact-size buffer and framed with build_reply_frame.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dataplane/dhcp/dhcp_builder.hpp"

namespace edgelease::dataplane::wire::dhcp::test {
namespace {

using edgelease::dataplane::dhcp::kMaxClientId;
using edgelease::dataplane::dhcp::kMaxFqdn;
using edgelease::dataplane::dhcp::kMaxHostname;
using edgelease::dataplane::dhcp::kMaxPayload;
using edgelease::dataplane::dhcp::kMaxPrl;
using edgelease::dataplane::dhcp::kMaxRelayInfo;

std::unique_ptr<OptionSet> reply_options_set() {
    auto s = std::make_unique<OptionSet>();
    s->set_addr(1, 0xffffff00);
    s->set_addrs(3, {ip4("198.18.0.1")});
    s->set_addrs(6, {ip4("198.18.0.1"), ip4("198.18.0.2")}, true);
    s->set_u32(51, 3600);
    s->set_u32(58, 1800);
    s->set_u32(59, 3150);
    for (uint8_t code = 200; code < 204; ++code) s->set(code, Bytes(120, code).data(), 120, true);
    return s;
}

/// Parses msg in an exact block; on success checks the result and answers it.
ParseError exercise(const Bytes& msg, const OptionSet& opts) {
    Exact e(msg);
    auto req = std::make_unique<DhcpRequest>();
    const ParseError err = parse_request(e.p.get(), e.len(), *req);
    if (err != ParseError::None) return err;

    const DhcpRequest& r = *req;
    EXPECT_TRUE(r.msg_type == MsgType::Discover || r.msg_type == MsgType::Request ||
                r.msg_type == MsgType::Decline || r.msg_type == MsgType::Release ||
                r.msg_type == MsgType::Inform);
    EXPECT_LE(r.client_id_len, kMaxClientId);
    EXPECT_NE(r.client_id_len, 1);
    EXPECT_LE(r.hostname_len, kMaxHostname);
    EXPECT_LE(r.prl_len, kMaxPrl);
    EXPECT_LE(r.fqdn_len, kMaxFqdn);
    EXPECT_LE(r.relay_info_len, kMaxRelayInfo);
    EXPECT_LE(r.circuit_id_off + r.circuit_id_len, r.relay_info_len);
    EXPECT_LE(r.remote_id_off + r.remote_id_len, r.relay_info_len);
    EXPECT_TRUE(r.max_msg_size == 0 || r.max_msg_size >= 576);
    if (r.has_fqdn && (r.fqdn_flags & opt::kFqdnE) != 0) {
        size_t pos = 0;
        while (pos < r.fqdn_len && r.fqdn[pos] != 0) {
            EXPECT_LE(r.fqdn[pos], 63);
            pos += 1u + r.fqdn[pos];
        }
        EXPECT_TRUE(pos == r.fqdn_len || pos + 1 == r.fqdn_len);
    }

    ReplyHeader h;
    h.type = r.msg_type == MsgType::Discover ? MsgType::Offer : MsgType::Ack;
    h.yiaddr = ip4("198.18.0.99");
    h.server_id = ip4("198.18.0.1");
    for (uint16_t cap : {uint16_t{300}, uint16_t{548}, uint16_t{kMaxPayload}}) {
        std::unique_ptr<uint8_t[]> out(new uint8_t[cap]);
        const uint16_t n = encode_reply(r, h, opts, out.get(), cap);
        if (n == 0) continue;
        EXPECT_GE(n, kMinReply);
        EXPECT_LE(n, cap);
        EXPECT_LE(n, std::max<size_t>(576, r.max_msg_size) - 28);
        std::vector<uint8_t> seen(256, 0);
        for (const Opt& o : reply_options(out.get(), n))
            EXPECT_EQ(seen[o.code]++, 0) << int(o.code);
        if (r.relay_info_len != 0) {
            EXPECT_EQ(seen[82], 1);
        }

        auto reply = std::make_unique<DhcpReply>();
        reply->len = n;
        std::memcpy(reply->payload, out.get(), n);
        reply->path.vlan_count = static_cast<uint8_t>(r.xid % 3);
        const uint16_t fcap = static_cast<uint16_t>(14 + 4 * reply->path.vlan_count + 28 + n);
        std::unique_ptr<uint8_t[]> frame(new uint8_t[fcap]);
        EXPECT_EQ(build_reply_frame(mac("02:00:00:00:00:01"), *reply, frame.get(), fcap), fcap);
    }
    return err;
}

TEST(DhcpRobustness, SamplesParse) {
    const auto opts = reply_options_set();
    for (const Bytes& m : samples()) EXPECT_EQ(exercise(m, *opts), ParseError::None);
}

TEST(DhcpRobustness, EveryTruncation) {
    const auto opts = reply_options_set();
    for (const Bytes& m : samples()) {
        for (size_t n = 0; n < m.size(); ++n) {
            const ParseError e = exercise(Bytes(m.begin(), m.begin() + n), *opts);
            if (n < kOptionsOff) {
                EXPECT_EQ(e, ParseError::Truncated) << n;
            }
        }
    }
}

TEST(DhcpRobustness, RandomMutations) {
    const auto opts = reply_options_set();
    std::mt19937 rng(20240917);
    constexpr int kPerSample = 3000;
    int outcome[16] = {};
    const uint8_t interesting[] = {0,  1,  2,  3,  4,  5,  6,   12,  50,  52,
                                   53, 55, 57, 61, 81, 82, 127, 128, 254, 255};
    for (const Bytes& base : samples()) {
        for (int i = 0; i < kPerSample; ++i) {
            Bytes m = base;
            const int edits = 1 + static_cast<int>(rng() % 6);
            for (int k = 0; k < edits && !m.empty(); ++k) {
                // Mostly the options field; sometimes file/sname or the fixed header.
                const unsigned where = rng() % 10;
                size_t pos;
                if (where < 7 && m.size() > kOptionsOff)
                    pos = kOptionsOff + rng() % (m.size() - kOptionsOff);
                else if (where < 9)
                    pos = 44 + rng() % 192;
                else
                    pos = rng() % m.size();
                pos %= m.size();
                switch (rng() % 6) {
                    case 0:
                        m[pos] = static_cast<uint8_t>(rng());
                        break;
                    case 1:
                        m[pos] = interesting[rng() % sizeof interesting];
                        break;
                    case 2:
                        m[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
                        break;
                    case 3:
                        m.resize(pos);
                        break;
                    case 4:
                        m.insert(m.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng()));
                        break;
                    case 5:
                        m.erase(m.begin() + static_cast<long>(pos));
                        break;
                }
            }
            if (rng() % 8 == 0) m.resize(m.size() + rng() % 64, static_cast<uint8_t>(rng()));
            if (m.size() > 2000) m.resize(2000);
            ++outcome[static_cast<int>(exercise(m, *opts))];
            if (::testing::Test::HasFailure()) {
                ADD_FAILURE() << "sample mutation " << i;
                return;
            }
        }
    }
    // Both paths were exercised in depth.
    EXPECT_GT(outcome[static_cast<int>(ParseError::None)], 1000);
    EXPECT_GT(outcome[static_cast<int>(ParseError::OptionOverrun)], 100);
    EXPECT_GT(outcome[static_cast<int>(ParseError::BadOption)], 100);
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dhcp::test
