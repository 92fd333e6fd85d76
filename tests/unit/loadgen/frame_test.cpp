// Frames the generators build, judged by the appliance's own packet path.
#include <gtest/gtest.h>

#include "dataplane/wire/checksum.hpp"
#include "loadgen/frame.hpp"
#include "tests/unit/loadgen/appliance_side.hpp"

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

}  // namespace
}  // namespace edgelease::loadgen
