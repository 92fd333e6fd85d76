// Frames the generators build, judged by the appliance's own packet path.
#include <gtest/gtest.h>

#include "dataplane/wire/checksum.hpp"
#include "loadgen/frame.hpp"
#include "tests/unit/loadgen/appliance_side6.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;

TEST(Frame, UdpFrameIsAcceptedByTheApplianceWithValidChecksums) {
    uint8_t buf[256] = {};
    const char payload[] = "0123456789abcdefg";  // odd length: checksum padding
    std::memcpy(buf + kPayloadOff, payload, 17);
    const UdpEndpoints e{kGenMac, kServerMac, kGenIp, kServerIp, 40000, 53};
    const uint16_t len = finish_udp_frame(buf, sizeof buf, e, 17);
    ASSERT_EQ(len, kUdpHeadersLen + 17);

    EXPECT_TRUE(dw::csum_valid(buf + kIpOff, 20));
    const uint32_t pseudo = dw::pseudo_header_v4(kGenIp, kServerIp, 17, 8 + 17);
    EXPECT_TRUE(dw::csum_valid(buf + kUdpOff, 8 + 17, pseudo));

    const auto port = server_port();
    Received rx = server_receive(port, buf, len);
    ASSERT_EQ(rx.verdict, dataplane::Verdict::Udp) << dataplane::drop_reason_name(rx.why);
    EXPECT_EQ(dataplane::udp_dst_port(rx.view), 53);
    EXPECT_EQ(rx.view.payload_len, 17);

    RxUdp u;
    ASSERT_TRUE(parse_udp_frame(buf, len, u));
    EXPECT_EQ(u.src_ip, kGenIp);
    EXPECT_EQ(u.dst_ip, kServerIp);
    EXPECT_EQ(u.src_port, 40000);
    EXPECT_EQ(u.dst_port, 53);
    EXPECT_EQ(u.payload_len, 17);
    EXPECT_EQ(std::memcmp(u.payload, payload, 17), 0);
    EXPECT_EQ(std::memcmp(u.dst_mac, kServerMac.bytes.data(), 6), 0);
}

TEST(Frame, RefusesFramesThatDoNotFit) {
    uint8_t buf[64];
    const UdpEndpoints e{kGenMac, kServerMac, kGenIp, kServerIp, 1, 2};
    EXPECT_EQ(finish_udp_frame(buf, sizeof buf, e, 64 - kUdpHeadersLen + 1), 0);
    EXPECT_EQ(finish_udp_frame(buf, sizeof buf, e, 64 - kUdpHeadersLen), 64);
}

TEST(Frame, ParseRefusesWhatIsNotPlainIpv4Udp) {
    uint8_t buf[128] = {};
    const UdpEndpoints e{kGenMac, kServerMac, kGenIp, kServerIp, 1, 2};
    const uint16_t len = finish_udp_frame(buf, sizeof buf, e, 10);
    RxUdp u;
    ASSERT_TRUE(parse_udp_frame(buf, len, u));
    for (uint16_t cut = 0; cut < len - 10; ++cut) EXPECT_FALSE(parse_udp_frame(buf, cut, u)) << cut;

    uint8_t f[128];
    std::memcpy(f, buf, len);
    f[12] = 0x86;  // IPv6 EtherType
    f[13] = 0xdd;
    EXPECT_FALSE(parse_udp_frame(f, len, u));
    std::memcpy(f, buf, len);
    f[kIpOff + 9] = 6;  // TCP
    EXPECT_FALSE(parse_udp_frame(f, len, u));
    std::memcpy(f, buf, len);
    f[kIpOff + 6] = 0x20;  // more fragments
    EXPECT_FALSE(parse_udp_frame(f, len, u));
    std::memcpy(f, buf, len);
    f[kUdpOff + 4] = 0x10;  // UDP length past the IP payload
    EXPECT_FALSE(parse_udp_frame(f, len, u));
}

TEST(Frame, ArpRequestIsAnsweredAndTheReplyGivesTheServerMac) {
    uint8_t buf[kArpFrameLen + 64] = {};
    ASSERT_EQ(build_arp_request(buf, kArpFrameLen, kGenMac, kGenIp, kServerIp), kArpFrameLen);
    EXPECT_EQ(build_arp_request(buf, kArpFrameLen - 1, kGenMac, kGenIp, kServerIp), 0);

    const auto port = server_port();
    Received rx = server_receive(port, buf, kArpFrameLen);
    ASSERT_EQ(rx.verdict, dataplane::Verdict::Reply) << dataplane::drop_reason_name(rx.why);
    net::MacAddr learnt;
    ASSERT_TRUE(parse_arp_from(rx.view.data, rx.view.len, kServerIp, learnt));
    EXPECT_EQ(learnt, kServerMac);
    EXPECT_FALSE(
        parse_arp_from(rx.view.data, rx.view.len, kGenIp, learnt));  // not from that address
    EXPECT_FALSE(parse_arp_from(rx.view.data, 20, kServerIp, learnt));
}

TEST(Frame, Udp6FrameToTheDhcpGroupIsAcceptedWithAValidChecksum) {
    uint8_t buf[256] = {};
    const char payload[] = "0123456789abcdefg";
    std::memcpy(buf + kPayload6Off, payload, 17);
    const net::Ipv6Addr group = ip6("ff02::1:2");
    Udp6Endpoints e;
    e.src_mac = kGenMac;
    e.dst_mac = ipv6_multicast_mac(group);
    e.src_ip = net::link_local_from_mac(kGenMac);
    e.dst_ip = group;
    e.src_port = 546;
    e.dst_port = 547;
    e.hop_limit = 1;
    const uint16_t len = finish_udp6_frame(buf, sizeof buf, e, 17);
    ASSERT_EQ(len, kUdp6HeadersLen + 17);
    EXPECT_EQ(net::to_string(e.dst_mac), "33:33:00:01:00:02");
    const uint32_t pseudo =
        dw::pseudo_header_v6(e.src_ip.bytes.data(), group.bytes.data(), 17, 8 + 17);
    EXPECT_TRUE(dw::csum_valid(buf + kUdp6Off, 8 + 17, pseudo));

    const auto port = server_port6();
    Received rx = server_receive(port, buf, len);
    ASSERT_EQ(rx.verdict, dataplane::Verdict::Udp) << dataplane::drop_reason_name(rx.why);
    EXPECT_TRUE(rx.view.is_v6);
    EXPECT_EQ(dataplane::udp_dst_port(rx.view), 547);
    EXPECT_EQ(rx.view.payload_len, 17);

    RxUdp6 u;
    ASSERT_TRUE(parse_udp6_frame(buf, len, u));
    EXPECT_EQ(std::memcmp(u.src_ip, e.src_ip.bytes.data(), 16), 0);
    EXPECT_EQ(std::memcmp(u.dst_ip, group.bytes.data(), 16), 0);
    EXPECT_EQ(u.src_port, 546);
    EXPECT_EQ(u.dst_port, 547);
    ASSERT_EQ(u.payload_len, 17);
    EXPECT_EQ(std::memcmp(u.payload, payload, 17), 0);
    for (uint16_t cut = 0; cut < kUdp6HeadersLen; ++cut)
        EXPECT_FALSE(parse_udp6_frame(buf, cut, u)) << cut;
    RxUdp v4;
    EXPECT_FALSE(parse_udp_frame(buf, len, v4));
    EXPECT_EQ(finish_udp6_frame(buf, kUdp6HeadersLen + 16, e, 17), 0);
}

TEST(Frame, NeighborSolicitationIsAnsweredAndTheAdvertGivesTheServerMac) {
    const auto port = server_port6();
    const net::Ipv6Addr src = net::link_local_from_mac(kGenMac);
    for (const net::Ipv6Addr& target : {kServerIp6, net::link_local_from_mac(kServerMac)}) {
        uint8_t buf[kNsFrameLen + 64] = {};
        ASSERT_EQ(build_neighbor_solicitation(buf, kNsFrameLen, kGenMac, src, target), kNsFrameLen);
        EXPECT_EQ(build_neighbor_solicitation(buf, kNsFrameLen - 1, kGenMac, src, target), 0);
        EXPECT_EQ(buf[0], 0x33);  // to the solicited-node group's MAC
        EXPECT_EQ(buf[2], 0xff);
        Received rx = server_receive(port, buf, kNsFrameLen);
        ASSERT_EQ(rx.verdict, dataplane::Verdict::Reply) << dataplane::drop_reason_name(rx.why);
        net::MacAddr learnt;
        ASSERT_TRUE(parse_neighbor_advert(rx.view.data, rx.view.len, target, learnt));
        EXPECT_EQ(learnt, kServerMac);
        EXPECT_EQ(std::memcmp(rx.view.data, kGenMac.bytes.data(), 6), 0);  // back to us
        EXPECT_FALSE(parse_neighbor_advert(rx.view.data, rx.view.len, src, learnt));
        EXPECT_FALSE(parse_neighbor_advert(rx.view.data, 40, target, learnt));
    }
    // Nobody answers for an address the appliance does not have.
    uint8_t buf[kNsFrameLen + 64] = {};
    build_neighbor_solicitation(buf, kNsFrameLen, kGenMac, src, ip6("2001:db8::99"));
    EXPECT_EQ(server_receive(port, buf, kNsFrameLen).verdict, dataplane::Verdict::Drop);
}

}  // namespace
}  // namespace edgelease::loadgen
