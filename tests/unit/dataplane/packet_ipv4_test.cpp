// IPv4 validation and ICMP echo.
#include <gtest/gtest.h>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

class Ipv4 : public ::testing::Test {
  protected:
    PortContext port = test_port();
};

/// Checks an echo reply at l3 (IP header of hl bytes) from `from` to kPeer4 carrying the
/// request's identifier 0x4242, sequence 7 and `data`.
void expect_echo_reply(const Rx& rx, size_t l3, size_t hl, uint32_t from, const Bytes& data) {
    ASSERT_EQ(rx.verdict, Verdict::Reply) << drop_reason_name(rx.why);
    Bytes out = rx.out();
    ASSERT_EQ(out.size(), l3 + hl + 8 + data.size());
    EXPECT_EQ(get_mac(out, 0), kPeerMac);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    EXPECT_EQ(get16(out, l3 - 2), 0x0800);
    Bytes ip = slice(out, l3, hl);
    EXPECT_EQ(ip[0], 0x40 | (hl / 4));
    EXPECT_EQ(get16(ip, 2), hl + 8 + data.size());
    EXPECT_EQ(get16(ip, 4), 0x1234);  // identification kept
    EXPECT_EQ(ip[8], 64);             // TTL
    EXPECT_EQ(ip[9], 1);
    EXPECT_EQ(get32(ip, 12), from);
    EXPECT_EQ(get32(ip, 16), kPeer4);
    EXPECT_TRUE(ref_valid(ip)) << "IP header checksum";
    Bytes icmp = slice(out, l3 + hl, 8 + data.size());
    EXPECT_EQ(icmp[0], 0);  // echo reply
    EXPECT_EQ(icmp[1], 0);
    EXPECT_EQ(get16(icmp, 4), 0x4242);
    EXPECT_EQ(get16(icmp, 6), 7);
    EXPECT_EQ(slice(icmp, 8, data.size()), data);
    EXPECT_TRUE(ref_valid(icmp)) << "ICMP checksum";
    EXPECT_EQ(rx.stats.icmp_echo_replies.get(), 1u);
}

Bytes ping(const Ip4& h, const Bytes& data = pattern(32), const std::vector<Tag>& tags = {}) {
    return cat(ether(kOurMac, kPeerMac, 0x0800, tags), ipv4(h, icmp4(8, 0, 0x4242, 7, data)));
}

TEST_F(Ipv4, EchoRequestAnswered) {
    Bytes data = pattern(56);
    auto rx = receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1}, data));
    expect_echo_reply(*rx, 14, 20, kOur4, data);
    EXPECT_EQ(rx->view.l4_off, 34);
}

TEST_F(Ipv4, EchoWithAllZeroReplyHasChecksumFfff) {
    // id 0, seq 0, no data: the reply is all zeros and its checksum must be 0xffff, which
    // incremental update alone would get wrong (RFC 1624 §3).
    Bytes req = cat(ether(kOurMac, kPeerMac, 0x0800),
                    ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, icmp4(8, 0, 0, 0, {})));
    auto rx = receive(port, req);
    ASSERT_EQ(rx->verdict, Verdict::Reply);
    EXPECT_EQ(get16(rx->out(), 34 + 2), 0xffff);
}

TEST_F(Ipv4, EchoWithOptionsKeepsThem) {
    Bytes options = {0x94, 0x04, 0x00, 0x00};  // Router Alert
    Bytes data = pattern(10);
    auto rx =
        receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1, .options = options}, data));
    expect_echo_reply(*rx, 14, 24, kOur4, data);
    EXPECT_EQ(slice(rx->out(), 34, 4), options);
}

TEST_F(Ipv4, EchoOnVlanAndQinQ) {
    Bytes data = pattern(8);
    auto rx = receive(port, ping({.src = ip4("198.18.1.10"), .dst = ip4("198.18.1.1"), .proto = 1},
                                 data, {{0x8100, 100}}));
    ASSERT_EQ(rx->verdict, Verdict::Reply);
    EXPECT_EQ(get32(rx->out(), 18 + 12), ip4("198.18.1.1"));
    EXPECT_EQ(get16(rx->out(), 14), 0xa000 | 100);
    // The second address of the QinQ interface, a /31.
    auto rx2 = receive(port, ping({.src = kPeer4, .dst = ip4("198.18.3.0"), .proto = 1}, data,
                                  {{0x88a8, 200}, {0x8100, 300}}));
    expect_echo_reply(*rx2, 22, 20, ip4("198.18.3.0"), data);
}

TEST_F(Ipv4, PaddingTrimmed) {
    Bytes data = pattern(4);
    Bytes req = ping({.src = kPeer4, .dst = kOur4, .proto = 1}, data);
    ASSERT_EQ(req.size(), 46u);
    req.resize(60, 0xab);  // Ethernet padding, deliberately not zero
    auto rx = receive(port, req);
    expect_echo_reply(*rx, 14, 20, kOur4, data);
    EXPECT_EQ(rx->view.len, 46);
}

TEST_F(Ipv4, BadHeaderChecksum) {
    Bytes req = ping({.src = kPeer4, .dst = kOur4, .proto = 1});
    req[14 + 10] ^= 0x01;
    EXPECT_DROP(receive(port, req), DropReason::Ipv4BadChecksum);
}

TEST_F(Ipv4, Fragments) {
    EXPECT_KERNEL(receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1, .frag = 0x2000})),
                  DropReason::Ipv4Fragment);  // MF
    EXPECT_KERNEL(receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1, .frag = 0x0001})),
                  DropReason::Ipv4Fragment);  // offset 8
    EXPECT_KERNEL(receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1, .frag = 0x5fff})),
                  DropReason::Ipv4Fragment);
    // Fragments to someone else are not ours to hand over.
    EXPECT_DROP(
        receive(port, ping({.src = kPeer4, .dst = ip4("198.18.0.3"), .proto = 1, .frag = 0x2000})),
        DropReason::Ipv4Fragment);
    // DF alone is not a fragment; neither is no flag at all.
    EXPECT_EQ(receive(port, ping({.src = kPeer4, .dst = kOur4, .proto = 1, .frag = 0}))->verdict,
              Verdict::Reply);
}

/// Rewrites byte `off` of the IP header and fixes the header checksum.
Bytes with_ip_byte(Bytes f, size_t off, uint8_t v, size_t l3 = 14, size_t hl = 20) {
    f[l3 + off] = v;
    f[l3 + 10] = f[l3 + 11] = 0;
    uint16_t c = ref_checksum(slice(f, l3, hl));
    f[l3 + 10] = static_cast<uint8_t>(c >> 8);
    f[l3 + 11] = static_cast<uint8_t>(c);
    return f;
}

TEST_F(Ipv4, MalformedHeaders) {
    Bytes req = ping({.src = kPeer4, .dst = kOur4, .proto = 1});
    EXPECT_DROP(receive(port, with_ip_byte(req, 0, 0x44)), DropReason::Ipv4Malformed);  // IHL 4
    EXPECT_DROP(receive(port, with_ip_byte(req, 0, 0x40)), DropReason::Ipv4Malformed);  // IHL 0
    EXPECT_DROP(receive(port, with_ip_byte(req, 0, 0x65)), DropReason::Ipv4Malformed);  // v6
    // IHL 15: a 60-byte header in a 32-byte datagram.
    Bytes small = ping({.src = kPeer4, .dst = kOur4, .proto = 1}, pattern(4));
    EXPECT_DROP(receive(port, with_ip_byte(small, 0, 0x4f)), DropReason::Ipv4Malformed);
    // Total length past the end of the frame.
    uint16_t total = get16(req, 16);
    Bytes overrun = with_ip_byte(req, 3, static_cast<uint8_t>(total + 1));
    EXPECT_DROP(receive(port, overrun), DropReason::Ipv4Malformed);
    // Total length shorter than the header.
    Bytes under = with_ip_byte(with_ip_byte(req, 2, 0), 3, 19);
    EXPECT_DROP(receive(port, under), DropReason::Ipv4Malformed);
    // Fewer than 20 bytes of IP.
    for (size_t n = 14; n < 34; ++n)
        EXPECT_DROP(receive(port, slice(req, 0, n)), DropReason::Ipv4Malformed);
    // Truncated anywhere inside the datagram: the total length no longer fits.
    for (size_t n = 34; n < req.size(); ++n)
        EXPECT_DROP(receive(port, slice(req, 0, n)), DropReason::Ipv4Malformed);
}

TEST_F(Ipv4, InvalidSources) {
    EXPECT_DROP(receive(port, ping({.src = ip4("224.0.0.1"), .dst = kOur4, .proto = 1})),
                DropReason::Ipv4Malformed);
    EXPECT_DROP(receive(port, ping({.src = 0xffffffff, .dst = kOur4, .proto = 1})),
                DropReason::Ipv4Malformed);
    EXPECT_DROP(receive(port, ping({.src = 0, .dst = kOur4, .proto = 1})),
                DropReason::Ipv4Malformed);
}

TEST_F(Ipv4, PingToForeignOrBroadcastAddress) {
    EXPECT_DROP(receive(port, ping({.src = kPeer4, .dst = ip4("198.18.0.2"), .proto = 1})),
                DropReason::Ipv4NotForUs);
    EXPECT_DROP(receive(port, ping({.src = kPeer4, .dst = ip4("198.18.0.255"), .proto = 1})),
                DropReason::Ipv4NotForUs);
    EXPECT_DROP(receive(port, ping({.src = kPeer4, .dst = 0xffffffff, .proto = 1})),
                DropReason::Ipv4NotForUs);
    // VLAN 100's address asked on the untagged interface.
    EXPECT_DROP(receive(port, ping({.src = kPeer4, .dst = ip4("198.18.1.1"), .proto = 1})),
                DropReason::Ipv4NotForUs);
}

TEST_F(Ipv4, IcmpProblems) {
    Bytes req = ping({.src = kPeer4, .dst = kOur4, .proto = 1});
    Bytes bad = req;
    bad[34 + 8] ^= 0xff;  // first data byte
    auto rx = receive(port, bad);
    EXPECT_DROP(rx, DropReason::IcmpBadChecksum);
    EXPECT_EQ(rx->stats.icmp_echo_replies.get(), 0u);
    // Only 4 bytes of ICMP inside a consistent IP header.
    Bytes trunc = cat(ether(kOurMac, kPeerMac, 0x0800),
                      ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, {8, 0, 0xf7, 0xff}));
    EXPECT_DROP(receive(port, trunc), DropReason::IcmpMalformed);
    Bytes timestamp =
        cat(ether(kOurMac, kPeerMac, 0x0800),
            ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, icmp4(13, 0, 1, 1, pattern(12))));
    EXPECT_KERNEL(receive(port, timestamp), DropReason::IcmpUnhandled);
    Bytes reply = cat(ether(kOurMac, kPeerMac, 0x0800),
                      ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, icmp4(0, 0, 1, 1, {})));
    EXPECT_KERNEL(receive(port, reply), DropReason::IcmpUnhandled);
    Bytes code1 = cat(ether(kOurMac, kPeerMac, 0x0800),
                      ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, icmp4(8, 1, 1, 1, {})));
    EXPECT_KERNEL(receive(port, code1), DropReason::IcmpUnhandled);
}

TEST_F(Ipv4, TcpUnhandled) {
    Bytes syn = cat(ether(kOurMac, kPeerMac, 0x0800),
                    ipv4({.src = kPeer4, .dst = kOur4, .proto = 6}, pattern(20)));
    EXPECT_KERNEL(receive(port, syn), DropReason::ProtoUnhandled);
    // ... and to someone else, not ours to judge the protocol of.
    Bytes other = cat(ether(kOurMac, kPeerMac, 0x0800),
                      ipv4({.src = kPeer4, .dst = ip4("198.18.0.3"), .proto = 6}, pattern(20)));
    EXPECT_DROP(receive(port, other), DropReason::Ipv4NotForUs);
}

}  // namespace
}  // namespace edgelease::dataplane::test
