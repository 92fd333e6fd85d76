// Bad DHCPv6 input never crashes nor reads past the buffer: every truncation of each sample
// message and a bounded number of seeded random mutations go through parse_request6, each in
// a heap block of exactly the message's size, so ASan (the sanitizer build) reports any access
// beyond it. Whatever parses is checked for consistency and its payload framed with
// build_reply_frame6.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dataplane/dhcp/dhcp6_builder.hpp"

namespace edgelease::dataplane::dhcp::test6 {
namespace {

using E = Parse6Error;

/// Parses msg in an exact block; on success checks what a consumer may rely on.
E exercise(const Bytes& msg) {
    Exact e(msg);
    auto req = std::make_unique<Dhcp6Request>();
    const E err = parse_request6(e.p.get(), e.len(), *req);
    if (err != E::None) return err;

    const Dhcp6Request& r = *req;
    EXPECT_TRUE(is_client_message6(r.msg_type));
    EXPECT_LE(r.xid, 0xffffffu);
    EXPECT_LE(r.relay_count, kMaxRelays);
    EXPECT_LE(r.relay_bytes_len, kMaxRelayBytes);
    for (uint8_t i = 0; i < r.relay_count; ++i) {
        const RelayHop& h = r.relays[i];
        EXPECT_LE(h.hop_count, 8);
        if (h.has_interface_id) {
            EXPECT_LE(h.interface_id_off + h.interface_id_len, r.relay_bytes_len);
        }
    }
    EXPECT_LE(r.remote_id_off + r.remote_id_len, r.relay_bytes_len);
    EXPECT_LE(r.subscriber_id_off + r.subscriber_id_len, r.relay_bytes_len);
    EXPECT_TRUE(r.remote_id_len == 0 || r.remote_id_len >= 4);
    if (r.relay_count == 0) {
        EXPECT_EQ(r.relay_bytes_len, 0);
        EXPECT_FALSE(r.has_client_ll);
        EXPECT_FALSE(r.relay_source_port);
    }
    EXPECT_LE(r.client_id_len, kMaxDuid);
    EXPECT_LE(r.server_id_len, kMaxDuid);
    if (r.msg_type != Msg6Type::InformationRequest) {
        EXPECT_NE(r.client_id_len, 0);
    }
    EXPECT_LE(r.ia_count, kMaxIas);
    EXPECT_TRUE(!r.ias_truncated || r.ia_count == kMaxIas);
    for (uint8_t i = 0; i < r.ia_count; ++i) {
        const Ia6& ia = r.ias[i];
        EXPECT_TRUE(ia.type == Ia6::kNa || ia.type == Ia6::kPd);
        EXPECT_LE(ia.hint_count, kMaxIaHints);
        for (uint8_t k = 0; k < ia.hint_count; ++k) {
            EXPECT_LE(ia.hints[k].prefix_len, 128);
            if (ia.type == Ia6::kNa) {
                EXPECT_EQ(ia.hints[k].prefix_len, 128);
            }
        }
    }
    EXPECT_LE(r.oro_len, kMaxOro);
    EXPECT_LE(r.fqdn_len, kMaxFqdn6);
    if (r.has_fqdn) {
        size_t pos = 0;
        while (pos < r.fqdn_len && r.fqdn[pos] != 0) {
            EXPECT_LE(r.fqdn[pos], 63);
            pos += 1u + r.fqdn[pos];
        }
        EXPECT_TRUE(pos == r.fqdn_len || pos + 1 == r.fqdn_len);
    }

    // The message itself as a reply payload: framed whole, the frame exactly its size.
    auto reply = std::make_unique<Dhcp6Reply>();
    reply->len = static_cast<uint16_t>(std::min<size_t>(msg.size(), kMaxPayload6));
    if (reply->len != 0) std::memcpy(reply->payload, msg.data(), reply->len);
    reply->path.vlan_count = static_cast<uint8_t>(r.xid % 3);
    reply->src_ip = ip6("fe80::1");
    const auto cap = static_cast<uint16_t>(14 + 4 * reply->path.vlan_count + 48 + reply->len);
    std::unique_ptr<uint8_t[]> frame(new uint8_t[cap]);
    EXPECT_EQ(build_reply_frame6(mac("02:00:00:00:00:01"), *reply, frame.get(), cap), cap);
    return err;
}

TEST(Dhcp6Robustness, SamplesParse) {
    for (const Bytes& m : samples()) EXPECT_EQ(exercise(m), E::None);
}

TEST(Dhcp6Robustness, EveryTruncation) {
    for (const Bytes& m : samples()) {
        for (size_t n = 0; n < m.size(); ++n) {
            const E e = exercise(Bytes(m.begin(), m.begin() + static_cast<ptrdiff_t>(n)));
            if (n < 4) {
                EXPECT_EQ(e, E::Truncated) << n;
            }
        }
    }
}

TEST(Dhcp6Robustness, EveryTruncationOfARelayedMessageFails) {
    // Option 9 is the last option of every level of these: any strict prefix cuts it (or the
    // relay header, or ends before it), so it must fail, and only as a short message does.
    for (const Bytes& m : {relayed_solicit(), double_relayed_request()}) {
        for (size_t n = 0; n < m.size(); ++n) {
            const E e = exercise(Bytes(m.begin(), m.begin() + static_cast<ptrdiff_t>(n)));
            EXPECT_TRUE(e == E::Truncated || e == E::OptionOverrun || e == E::NoRelayMessage)
                << n << ": " << kParse6ErrorNames[static_cast<size_t>(e)];
        }
    }
}

TEST(Dhcp6Robustness, RandomMutations) {
    std::mt19937 rng(20260116);
    constexpr int kPerSample = 3000;
    int outcome[16] = {};
    const uint8_t interesting[] = {0,  1,  2,  3,  4,  5,  6,  8,  9,   12,  13,  14,
                                   18, 20, 25, 26, 37, 38, 39, 79, 127, 128, 135, 255};
    for (const Bytes& base : samples()) {
        for (int i = 0; i < kPerSample; ++i) {
            Bytes m = base;
            const int edits = 1 + static_cast<int>(rng() % 6);
            for (int k = 0; k < edits && !m.empty(); ++k) {
                const size_t pos = rng() % m.size();
                switch (rng() % 7) {
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
                    case 6:  // a length field (high byte 0) nudged by a little
                        if (pos + 1 < m.size()) m[pos + 1] = static_cast<uint8_t>(m[pos + 1] + 1);
                        break;
                }
            }
            if (rng() % 8 == 0) m.resize(m.size() + rng() % 64, static_cast<uint8_t>(rng()));
            ++outcome[static_cast<int>(exercise(m))];
            if (::testing::Test::HasFailure()) {
                ADD_FAILURE() << "sample mutation " << i;
                return;
            }
        }
    }
    // Both paths were exercised in depth.
    EXPECT_GT(outcome[static_cast<int>(E::None)], 1000);
    EXPECT_GT(outcome[static_cast<int>(E::OptionOverrun)], 1000);
    EXPECT_GT(outcome[static_cast<int>(E::BadOption)], 100);
    EXPECT_GT(outcome[static_cast<int>(E::NotClientMessage)], 100);
}

}  // namespace
}  // namespace edgelease::dataplane::dhcp::test6
