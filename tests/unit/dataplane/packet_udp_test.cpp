// UDP classification and turn_around_udp.
#include <gtest/gtest.h>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

class Udp : public ::testing::Test {
  protected:
    PortContext port = test_port();
};

TEST_F(Udp, Ipv4ToUsIsHandedOver) {
    Bytes data = pattern(20);
    auto rx = receive(port, udp4_frame(53, data));
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    const PacketView& v = rx->view;
    EXPECT_FALSE(v.is_v6);
    EXPECT_EQ(v.iface, &port.interfaces[0]);
    EXPECT_EQ(v.vlan_count, 0);
    EXPECT_EQ(v.l3_off, 14);
    EXPECT_EQ(v.l4_off, 34);
    EXPECT_EQ(v.payload_off, 42);
    EXPECT_EQ(v.payload_len, 20);
    EXPECT_EQ(v.len, 62);
    EXPECT_EQ(udp_dst_port(v), 53);
    EXPECT_EQ(Bytes(v.data + v.payload_off, v.data + v.payload_off + v.payload_len), data);
}

TEST_F(Udp, Ipv4WithOptionsPaddingAndQinQ) {
    Bytes data = pattern(3);
    uint32_t our = ip4("198.18.2.1");
    Bytes f = cat(ether(kOurMac, kPeerMac, 0x0800, {{0x88a8, 200}, {0x8100, 300}}),
                  ipv4({.src = kPeer4, .dst = our, .proto = 17, .options = {1, 1, 1, 0}},
                       udp4(kPeer4, our, 1234, 5353, data)));
    size_t len = f.size();
    f.resize(64, 0x77);
    auto rx = receive(port, f);
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    EXPECT_EQ(rx->view.l3_off, 22);
    EXPECT_EQ(rx->view.l4_off, 22 + 24);
    EXPECT_EQ(rx->view.payload_off, 22 + 24 + 8);
    EXPECT_EQ(rx->view.payload_len, 3);
    EXPECT_EQ(rx->view.len, len);
    EXPECT_EQ(udp_dst_port(rx->view), 5353);
    EXPECT_EQ(rx->view.iface, &port.interfaces[2]);
}

TEST_F(Udp, Ipv4ZeroChecksumAccepted) {
    Bytes f = cat(ether(kOurMac, kPeerMac, 0x0800),
                  ipv4({.src = kPeer4, .dst = kOur4, .proto = 17}, udp(9, 53, pattern(5), {})));
    EXPECT_EQ(receive(port, f)->verdict, Verdict::Udp);
}

TEST_F(Udp, BadChecksum) {
    Bytes f = udp4_frame();
    f[42] ^= 0x40;
    EXPECT_DROP(receive(port, f), DropReason::UdpBadChecksum);
    Bytes f6 = udp6_frame();
    f6.back() ^= 0x01;
    EXPECT_DROP(receive(port, f6), DropReason::UdpBadChecksum);
    // IPv6 requires a checksum (RFC 8200 §8.1).
    Bytes zero6 = cat(ether(kOurMac, kPeerMac, 0x86dd),
                      ipv6({.src = kPeer6, .dst = kOur6, .next = 17}, udp(9, 53, pattern(5), {})));
    EXPECT_DROP(receive(port, zero6), DropReason::UdpBadChecksum);
}

TEST_F(Udp, MalformedLengths) {
    auto frame_with_udp = [](const Bytes& u) {
        return cat(ether(kOurMac, kPeerMac, 0x0800),
                   ipv4({.src = kPeer4, .dst = kOur4, .proto = 17}, u));
    };
    Bytes u = udp(9, 53, pattern(10), {});
    Bytes too_long = u;
    too_long[5] = 19;  // 18 bytes present
    EXPECT_DROP(receive(port, frame_with_udp(too_long)), DropReason::UdpMalformed);
    Bytes too_short = u;
    too_short[5] = 7;
    EXPECT_DROP(receive(port, frame_with_udp(too_short)), DropReason::UdpMalformed);
    EXPECT_DROP(receive(port, frame_with_udp(slice(u, 0, 7))), DropReason::UdpMalformed);
    // Shorter than the IP payload is fine: trailing bytes are not part of the datagram.
    Bytes shorter = u;
    shorter[5] = 12;
    auto rx = receive(port, frame_with_udp(shorter));
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    EXPECT_EQ(rx->view.payload_len, 4);
}

TEST_F(Udp, BroadcastsAcceptedForUdpOnly) {
    // A DHCPDISCOVER: from 0.0.0.0 to 255.255.255.255.
    Bytes discover = cat(ether(kBroadcastMac, kPeerMac, 0x0800),
                         ipv4({.src = 0, .dst = 0xffffffff, .proto = 17},
                              udp4(0, 0xffffffff, 68, 67, pattern(240))));
    auto rx = receive(port, discover);
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    EXPECT_EQ(udp_dst_port(rx->view), 67);
    uint32_t bcast = ip4("198.18.0.255");
    Bytes directed = cat(
        ether(kBroadcastMac, kPeerMac, 0x0800),
        ipv4({.src = kPeer4, .dst = bcast, .proto = 17}, udp4(kPeer4, bcast, 68, 67, pattern(8))));
    EXPECT_EQ(receive(port, directed)->verdict, Verdict::Udp);
    // Another subnet's broadcast.
    uint32_t other = ip4("198.18.1.255");
    Bytes foreign = cat(
        ether(kBroadcastMac, kPeerMac, 0x0800),
        ipv4({.src = kPeer4, .dst = other, .proto = 17}, udp4(kPeer4, other, 68, 67, pattern(8))));
    EXPECT_DROP(receive(port, foreign), DropReason::Ipv4NotForUs);
    // An interface without IPv4 addresses has nobody to receive broadcasts.
    Bytes bare = cat(
        ether(kBroadcastMac, kPeerMac, 0x0800, {{0x8100, 400}}),
        ipv4({.src = 0, .dst = 0xffffffff, .proto = 17}, udp4(0, 0xffffffff, 68, 67, pattern(8))));
    EXPECT_DROP(receive(port, bare), DropReason::Ipv4NotForUs);
    // A /31 has no broadcast address (RFC 3021): we are 198.18.3.0/31 and .1 is the peer.
    uint32_t peer = ip4("198.18.3.1");
    Bytes slash31 = cat(
        ether(kBroadcastMac, kPeerMac, 0x0800, {{0x88a8, 200}, {0x8100, 300}}),
        ipv4({.src = kPeer4, .dst = peer, .proto = 17}, udp4(kPeer4, peer, 68, 67, pattern(8))));
    EXPECT_DROP(receive(port, slash31), DropReason::Ipv4NotForUs);
}

TEST_F(Udp, Ipv6ToUs) {
    Bytes data = pattern(33);
    auto rx = receive(port, udp6_frame(547, data));
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    EXPECT_TRUE(rx->view.is_v6);
    EXPECT_EQ(rx->view.l3_off, 14);
    EXPECT_EQ(rx->view.l4_off, 54);
    EXPECT_EQ(rx->view.payload_off, 62);
    EXPECT_EQ(rx->view.payload_len, 33);
    EXPECT_EQ(udp_dst_port(rx->view), 547);
    // Behind a Hop-by-Hop header.
    Bytes hbh = {17, 0, 1, 4, 0, 0, 0, 0};
    Bytes f = cat(
        ether(kOurMac, kPeerMac, 0x86dd),
        ipv6({.src = kPeer6, .dst = kOur6, .next = 0}, cat(hbh, udp6(kPeer6, kOur6, 1, 53, data))));
    auto rx2 = receive(port, f);
    ASSERT_EQ(rx2->verdict, Verdict::Udp) << drop_reason_name(rx2->why);
    EXPECT_EQ(rx2->view.l4_off, 62);
    EXPECT_EQ(rx2->view.payload_off, 70);
    // To our solicited-node group: not ours.
    net::Ipv6Addr group = solicited_node(kOur6);
    Bytes g =
        cat(ether(mac("33:33:ff:00:00:01"), kPeerMac, 0x86dd),
            ipv6({.src = kPeer6, .dst = group, .next = 17}, udp6(kPeer6, group, 1, 53, data)));
    EXPECT_DROP(receive(port, g), DropReason::Ipv6NotForUs);
}

// ---- turn_around_udp -----------------------------------------------------------------------

/// Writes a new payload of n bytes at the view's payload offset.
Bytes write_payload(Rx& rx, size_t n) {
    Bytes p = pattern(n, 0x42);
    std::memcpy(rx.view.data + rx.view.payload_off, p.data(), n);
    return p;
}

void expect_udp4_answer(const Rx& rx, size_t l3, uint32_t src, uint32_t dst,
                        const net::MacAddr& eth_dst, uint16_t sport, uint16_t dport,
                        const Bytes& payload) {
    Bytes out = rx.out();
    ASSERT_EQ(out.size(), l3 + 20 + 8 + payload.size());
    EXPECT_EQ(get_mac(out, 0), eth_dst);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    Bytes ip = slice(out, l3, 20);
    EXPECT_EQ(ip[0], 0x45);
    // The request's TOS, ID and DF come back (the frame builder sends 0x10, 0x1234 and DF).
    EXPECT_EQ(ip[1], 0x10);
    EXPECT_EQ(get16(ip, 4), 0x1234);
    EXPECT_EQ(get16(ip, 6), 0x4000);
    EXPECT_EQ(get16(ip, 2), 28 + payload.size());
    EXPECT_EQ(ip[8], 64);
    EXPECT_EQ(ip[9], 17);
    EXPECT_EQ(get32(ip, 12), src);
    EXPECT_EQ(get32(ip, 16), dst);
    EXPECT_TRUE(ref_valid(ip)) << "IP header checksum";
    Bytes u = slice(out, l3 + 20, 8 + payload.size());
    EXPECT_EQ(get16(u, 0), sport);
    EXPECT_EQ(get16(u, 2), dport);
    EXPECT_EQ(get16(u, 4), 8 + payload.size());
    EXPECT_NE(get16(u, 6), 0);
    EXPECT_TRUE(ref_valid(cat(pseudo4(src, dst, 17, static_cast<uint16_t>(u.size())), u)))
        << "UDP checksum";
    EXPECT_EQ(slice(u, 8, payload.size()), payload);
    EXPECT_EQ(rx.view.l4_off, l3 + 20);
    EXPECT_EQ(rx.view.payload_off, l3 + 28);
    EXPECT_EQ(rx.view.payload_len, payload.size());
}

TEST_F(Udp, TurnAroundIpv4WithLargerPayload) {
    auto rx = receive(port, udp4_frame(53, pattern(20)), 200);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    Bytes answer = write_payload(*rx, 120);
    DropReason why = DropReason::Count;
    ASSERT_TRUE(turn_around_udp(port, rx->view, 120, why));
    expect_udp4_answer(*rx, 14, kOur4, kPeer4, kPeerMac, 53, 40000, answer);
    EXPECT_EQ(rx->view.len, 14 + 20 + 8 + 120);
}

TEST_F(Udp, TurnAroundIpv4StripsOptionsAndKeepsTags) {
    Bytes f = cat(ether(kOurMac, kPeerMac, 0x0800, {{0x8100, 100}}),
                  ipv4({.src = ip4("198.18.1.7"),
                        .dst = ip4("198.18.1.1"),
                        .proto = 17,
                        .options = {0x94, 4, 0, 0, 1, 1, 1, 0}},
                       udp4(ip4("198.18.1.7"), ip4("198.18.1.1"), 5000, 53, pattern(9))));
    auto rx = receive(port, f, 64);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    EXPECT_EQ(rx->view.l4_off, 18 + 28);
    Bytes answer = write_payload(*rx, 31);
    DropReason why = DropReason::Count;
    ASSERT_TRUE(turn_around_udp(port, rx->view, 31, why));
    expect_udp4_answer(*rx, 18, ip4("198.18.1.1"), ip4("198.18.1.7"), kPeerMac, 53, 5000, answer);
    EXPECT_EQ(slice(rx->out(), 12, 4), slice(f, 12, 4));
}

TEST_F(Udp, TurnAroundFromBroadcastUsesInterfaceAddress) {
    Bytes discover = cat(ether(kBroadcastMac, kPeerMac, 0x0800),
                         ipv4({.src = 0, .dst = 0xffffffff, .proto = 17},
                              udp4(0, 0xffffffff, 68, 67, pattern(240))));
    auto rx = receive(port, discover, 100);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    Bytes answer = write_payload(*rx, 300);
    DropReason why = DropReason::Count;
    ASSERT_TRUE(
        turn_around_udp_to(port, rx->view, 300, kBroadcastMac, net::Ipv4Addr{0xffffffff}, why));
    expect_udp4_answer(*rx, 14, kOur4, 0xffffffff, kBroadcastMac, 67, 68, answer);

    // A directed broadcast on the QinQ interface answers from that subnet's address.
    uint32_t bcast = ip4("198.18.2.255");
    Bytes directed = cat(ether(kBroadcastMac, kPeerMac, 0x0800, {{0x88a8, 200}, {0x8100, 300}}),
                         ipv4({.src = ip4("198.18.2.9"), .dst = bcast, .proto = 17},
                              udp4(ip4("198.18.2.9"), bcast, 68, 67, pattern(8))));
    auto rx2 = receive(port, directed, 16);
    ASSERT_EQ(rx2->verdict, Verdict::Udp);
    Bytes a2 = write_payload(*rx2, 8);
    ASSERT_TRUE(turn_around_udp(port, rx2->view, 8, why));
    expect_udp4_answer(*rx2, 22, ip4("198.18.2.1"), ip4("198.18.2.9"), kPeerMac, 67, 68, a2);
}

TEST_F(Udp, TurnAroundComputedZeroChecksumIsSentAsOnes) {
    // Search a payload whose answer checksum computes to 0: it must go out as 0xffff.
    for (uint32_t v = 0; v < 0x10000; ++v) {
        auto rx = receive(port, udp4_frame(53, pattern(4)));
        ASSERT_EQ(rx->verdict, Verdict::Udp);
        uint8_t* p = rx->view.data + rx->view.payload_off;
        p[0] = static_cast<uint8_t>(v >> 8);
        p[1] = static_cast<uint8_t>(v);
        p[2] = p[3] = 0;
        DropReason why;
        ASSERT_TRUE(turn_around_udp(port, rx->view, 4, why));
        if (get16(rx->out(), 40) == 0xffff) {
            Bytes u = slice(rx->out(), 34, 12);
            EXPECT_TRUE(ref_valid(cat(pseudo4(kOur4, kPeer4, 17, 12), u)));
            return;
        }
        ASSERT_NE(get16(rx->out(), 40), 0);
    }
    FAIL() << "no payload gave a zero checksum";
}

void expect_udp6_answer(const Rx& rx, size_t l3, const net::Ipv6Addr& src, const net::Ipv6Addr& dst,
                        uint16_t sport, uint16_t dport, const Bytes& payload) {
    Bytes out = rx.out();
    ASSERT_EQ(out.size(), l3 + 40 + 8 + payload.size());
    EXPECT_EQ(get_mac(out, 0), kPeerMac);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    EXPECT_EQ(out[l3] >> 4, 6);
    EXPECT_EQ(get16(out, l3 + 4), 8 + payload.size());
    EXPECT_EQ(out[l3 + 6], 17);
    EXPECT_EQ(out[l3 + 7], 64);
    EXPECT_EQ(get_ip6(out, l3 + 8), src);
    EXPECT_EQ(get_ip6(out, l3 + 24), dst);
    Bytes u = slice(out, l3 + 40, 8 + payload.size());
    EXPECT_EQ(get16(u, 0), sport);
    EXPECT_EQ(get16(u, 2), dport);
    EXPECT_EQ(get16(u, 4), u.size());
    EXPECT_NE(get16(u, 6), 0);
    EXPECT_TRUE(ref_valid(cat(pseudo6(src, dst, static_cast<uint32_t>(u.size()), 17), u)))
        << "UDP checksum";
    EXPECT_EQ(slice(u, 8, payload.size()), payload);
}

TEST_F(Udp, TurnAroundIpv6WithLargerPayload) {
    auto rx = receive(port, udp6_frame(53, pattern(20)), 500);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    Bytes answer = write_payload(*rx, 501);
    DropReason why = DropReason::Count;
    ASSERT_TRUE(turn_around_udp(port, rx->view, 501, why));
    expect_udp6_answer(*rx, 14, kOur6, kPeer6, 53, 40000, answer);
    EXPECT_EQ(rx->view.len, 14 + 40 + 8 + 501);
}

TEST_F(Udp, TurnAroundIpv6DropsExtensionHeaders) {
    Bytes f =
        cat(ether(kOurMac, kPeerMac, 0x86dd),
            ipv6({.src = kPeer6, .dst = kOur6, .next = 60},
                 cat(Bytes{17, 0, 1, 4, 0, 0, 0, 0}, udp6(kPeer6, kOur6, 7, 53, pattern(12)))));
    auto rx = receive(port, f);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    Bytes answer = write_payload(*rx, 12);
    DropReason why = DropReason::Count;
    ASSERT_TRUE(turn_around_udp(port, rx->view, 12, why));
    expect_udp6_answer(*rx, 14, kOur6, kPeer6, 53, 7, answer);
    EXPECT_EQ(rx->view.l4_off, 54);
    EXPECT_EQ(rx->view.payload_off, 62);
    EXPECT_EQ(udp_dst_port(rx->view), 7);
}

TEST_F(Udp, TurnAroundNoRoom) {
    auto rx = receive(port, udp4_frame(53, pattern(20)), 10);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    Bytes before = rx->out();
    DropReason why = DropReason::Count;
    EXPECT_FALSE(turn_around_udp(port, rx->view, 31, why));
    EXPECT_EQ(why, DropReason::NoRoom);
    EXPECT_EQ(rx->out(), before);                           // untouched
    EXPECT_TRUE(turn_around_udp(port, rx->view, 30, why));  // exactly fills the buffer
    EXPECT_EQ(rx->view.len, rx->view.cap);

    auto rx6 = receive(port, udp6_frame(53, pattern(20)));
    ASSERT_EQ(rx6->verdict, Verdict::Udp);
    EXPECT_FALSE(turn_around_udp(port, rx6->view, 21, why));
    EXPECT_EQ(why, DropReason::NoRoom);
    EXPECT_FALSE(turn_around_udp_to(port, rx6->view, 4, kBroadcastMac, net::Ipv4Addr{}, why));
    EXPECT_EQ(why, DropReason::ProtoUnhandled);
}

TEST_F(Udp, TurnAroundRejectsViewsNotClassifiedAsUdp) {
    DropReason why = DropReason::Count;
    PacketView empty;
    EXPECT_FALSE(turn_around_udp(port, empty, 0, why));
    EXPECT_EQ(why, DropReason::UdpMalformed);
    auto ping = receive(port, ping4_frame());
    ASSERT_EQ(ping->verdict, Verdict::Reply);
    EXPECT_FALSE(turn_around_udp(port, ping->view, 0, why));
    EXPECT_EQ(why, DropReason::UdpMalformed);
    // A broadcast whose interface lost its addresses has no source to answer from.
    Bytes discover = cat(
        ether(kBroadcastMac, kPeerMac, 0x0800),
        ipv4({.src = 0, .dst = 0xffffffff, .proto = 17}, udp4(0, 0xffffffff, 68, 67, pattern(8))));
    auto rx = receive(port, discover);
    ASSERT_EQ(rx->verdict, Verdict::Udp);
    rx->view.iface = &port.interfaces[3];
    EXPECT_FALSE(turn_around_udp(port, rx->view, 8, why));
    EXPECT_EQ(why, DropReason::Ipv4NotForUs);
}

}  // namespace
}  // namespace edgelease::dataplane::test
