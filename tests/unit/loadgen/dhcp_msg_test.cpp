// DHCP requests as the generator encodes them, decoded by the appliance's parser; replies
// encoded by the appliance, decoded by the generator.
#include <gtest/gtest.h>

#include "loadgen/dhcp_msg.hpp"
#include "loadgen/frame.hpp"
#include "tests/unit/loadgen/appliance_side.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;
using edgelease::dataplane::dhcp::DhcpRequest;

TEST(DhcpMsg, DiscoverCarriesEveryOptionAsked) {
    const uint8_t cid[] = {1, 2, 0x4c, 0x47, 0, 0, 7};
    const char host[] = "lg-7";
    uint8_t relay[64];
    const uint8_t rl =
        encode_relay_info(reinterpret_cast<const uint8_t*>("circ"), 4,
                          reinterpret_cast<const uint8_t*>("rem"), 3, relay, sizeof relay);
    ASSERT_EQ(rl, 2 + 4 + 2 + 3);
    RequestSpec s;
    s.type = MsgType::Discover;
    s.xid = 0xdeadbeef;
    s.hops = 1;
    s.broadcast = true;
    s.giaddr = ip4("198.19.0.1");
    s.chaddr = mac("02:4c:47:00:00:07");
    s.client_id = cid;
    s.client_id_len = sizeof cid;
    s.hostname = host;
    s.hostname_len = 4;
    s.relay_info = relay;
    s.relay_info_len = rl;
    uint8_t out[600];
    const uint16_t n = encode_request(s, out, sizeof out);
    ASSERT_EQ(n, kMinRequestLen);  // short options: padded to the BOOTP minimum

    DhcpRequest r;
    ASSERT_EQ(edgelease::dataplane::dhcp::parse_request(out, n, r),
              edgelease::dataplane::dhcp::ParseError::None);
    EXPECT_EQ(r.msg_type, MsgType::Discover);
    EXPECT_EQ(r.xid, 0xdeadbeefu);
    EXPECT_EQ(r.hops, 1);
    EXPECT_TRUE(r.broadcast_flag());
    EXPECT_EQ(r.giaddr, ip4("198.19.0.1"));
    EXPECT_EQ(r.ciaddr, 0u);
    EXPECT_EQ(r.chaddr, s.chaddr);
    EXPECT_EQ(r.requested_ip, 0u);
    EXPECT_EQ(r.server_id, 0u);
    ASSERT_EQ(r.client_id_len, sizeof cid);
    EXPECT_EQ(std::memcmp(r.client_id, cid, sizeof cid), 0);
    ASSERT_EQ(r.hostname_len, 4);
    EXPECT_EQ(std::string(r.hostname, 4), "lg-7");
    EXPECT_EQ(r.prl_len, 7);
    ASSERT_EQ(r.circuit_id_len, 4);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.relay_info + r.circuit_id_off), 4),
              "circ");
    ASSERT_EQ(r.remote_id_len, 3);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.relay_info + r.remote_id_off), 3), "rem");
}

TEST(DhcpMsg, SelectingRenewingAndRelease) {
    uint8_t out[600];
    DhcpRequest r;
    RequestSpec s;
    s.chaddr = mac("02:4c:47:00:00:01");
    s.type = MsgType::Request;
    s.requested_ip = ip4("198.18.1.5");
    s.server_id = kServerIp;
    ASSERT_EQ(edgelease::dataplane::dhcp::parse_request(out, encode_request(s, out, sizeof out), r),
              edgelease::dataplane::dhcp::ParseError::None);
    EXPECT_EQ(r.msg_type, MsgType::Request);
    EXPECT_EQ(r.requested_ip, ip4("198.18.1.5"));
    EXPECT_EQ(r.server_id, kServerIp);
    EXPECT_EQ(r.ciaddr, 0u);

    RequestSpec renew;
    renew.chaddr = s.chaddr;
    renew.type = MsgType::Request;
    renew.ciaddr = ip4("198.18.1.5");
    ASSERT_EQ(
        edgelease::dataplane::dhcp::parse_request(out, encode_request(renew, out, sizeof out), r),
        edgelease::dataplane::dhcp::ParseError::None);
    EXPECT_EQ(r.ciaddr, ip4("198.18.1.5"));
    EXPECT_EQ(r.requested_ip, 0u);
    EXPECT_EQ(r.server_id, 0u);

    RequestSpec rel = renew;
    rel.type = MsgType::Release;
    rel.server_id = kServerIp;
    ASSERT_EQ(
        edgelease::dataplane::dhcp::parse_request(out, encode_request(rel, out, sizeof out), r),
        edgelease::dataplane::dhcp::ParseError::None);
    EXPECT_EQ(r.msg_type, MsgType::Release);
    EXPECT_EQ(r.server_id, kServerIp);
    EXPECT_EQ(r.prl_len, 0);  // RFC 2131 table 5: a RELEASE asks for nothing
}

TEST(DhcpMsg, EncodeRefusesWhatCannotBeSent) {
    uint8_t out[600];
    RequestSpec s;
    EXPECT_EQ(encode_request(s, out, kMinRequestLen - 1), 0);
    const uint8_t one = 1;
    s.client_id = &one;
    s.client_id_len = 1;  // RFC 2132 §9.14: at least 2 bytes
    EXPECT_EQ(encode_request(s, out, sizeof out), 0);
    uint8_t relay[8];
    const uint8_t big[10] = {};
    EXPECT_EQ(encode_relay_info(big, 10, big, 1, relay, sizeof relay), 0);
}

TEST(DhcpMsg, ParsesTheAppliancesReplies) {
    FakeDhcpServer server(ip4("198.18.1.10"));
    RequestSpec s;
    s.type = MsgType::Discover;
    s.xid = 77;
    s.chaddr = mac("02:4c:47:00:00:09");
    uint8_t frame[700] = {};
    const uint16_t n = encode_request(s, frame + 42, sizeof frame - 42);
    const UdpEndpoints e{s.chaddr, mac("ff:ff:ff:ff:ff:ff"), 0, 0xffffffff, 68, 67};
    const uint16_t len = finish_udp_frame(frame, sizeof frame, e, n);
    auto reply = server.answer(frame, len);
    ASSERT_TRUE(reply);
    RxUdp u;
    ASSERT_TRUE(parse_udp_frame(reply->data(), static_cast<uint16_t>(reply->size()), u));
    EXPECT_EQ(u.dst_port, 68);
    ReplyInfo info;
    ASSERT_TRUE(parse_reply(u.payload, u.payload_len, info));
    EXPECT_EQ(info.type, MsgType::Offer);
    EXPECT_EQ(info.xid, 77u);
    EXPECT_EQ(info.yiaddr, ip4("198.18.1.10"));
    EXPECT_EQ(info.server_id, kServerIp);
    EXPECT_EQ(info.lease_time, 3600u);
    EXPECT_EQ(info.chaddr, s.chaddr);

    // A request is not a reply; a truncated reply or one without option 53 is refused.
    EXPECT_FALSE(parse_reply(frame + 42, n, info));
    EXPECT_FALSE(parse_reply(u.payload, 239, info));
    Bytes p(u.payload, u.payload + u.payload_len);
    p[240] = 0xff;  // END first: no message type left
    EXPECT_FALSE(parse_reply(p.data(), static_cast<uint16_t>(p.size()), info));
    Bytes cut(u.payload, u.payload + 243);  // inside the first option
    cut[241] = 200;                         // a length past the end
    EXPECT_FALSE(parse_reply(cut.data(), static_cast<uint16_t>(cut.size()), info));
}

}  // namespace
}  // namespace edgelease::loadgen
