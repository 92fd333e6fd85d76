// build_reply_frame (dataplane/wire/dhcp.cpp): Ethernet, VLAN tags, IPv4 and UDP headers
// written around a reply payload; checksums verified with a reference RFC 1071 sum written
// the obvious way (16-bit words), independent of wire/checksum.cpp.
#include <gtest/gtest.h>

#include "dataplane/wire/cursor.hpp"
#include "tests/unit/dataplane/dhcp/dhcp_builder.hpp"

namespace edgelease::dataplane::wire::dhcp::test {
namespace {

const net::MacAddr kPortMac = mac("02:00:00:00:00:01");

/// One's-complement sum of big-endian 16-bit words, odd byte padded (RFC 1071 §4.1).
uint32_t ref_sum(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
    if (n % 2) sum += uint32_t{p[n - 1]} << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/// The UDP checksum over the IPv4 pseudo-header (RFC 768), the header and the payload.
uint16_t ref_udp_sum(const uint8_t* ip) {
    const uint16_t udp_len = load_be16(ip + 20 + 4);
    uint8_t pseudo[12];
    std::memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 17;
    store_be16(pseudo + 10, udp_len);
    return static_cast<uint16_t>(ref_sum(ip + 20, udp_len, ref_sum(pseudo, 12)));
}

std::unique_ptr<DhcpReply> reply(uint16_t len) {
    auto r = std::make_unique<DhcpReply>();
    r->dst_mac = mac("02:00:00:00:00:42");
    r->src_ip = ip4("198.18.0.1");
    r->dst_ip = ip4("198.18.0.120");
    r->dst_port = 68;
    r->len = len;
    for (uint16_t i = 0; i < len; ++i) r->payload[i] = static_cast<uint8_t>(i * 7 + 1);
    return r;
}

/// build_reply_frame into an exact heap block of `cap` bytes.
Bytes build(const DhcpReply& r, uint16_t cap) {
    std::unique_ptr<uint8_t[]> buf(new uint8_t[cap]);
    const uint16_t n = build_reply_frame(kPortMac, r, buf.get(), cap);
    return Bytes(buf.get(), buf.get() + n);
}

void check_ip_udp(const uint8_t* ip, const DhcpReply& r) {
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(ip[1], 0);  // TOS
    EXPECT_EQ(load_be16(ip + 2), 20 + 8 + r.len);
    EXPECT_EQ(load_be16(ip + 4), 0);  // id
    EXPECT_EQ(load_be16(ip + 6), 0);  // DF clear, no fragment
    EXPECT_EQ(ip[8], 64);
    EXPECT_EQ(ip[9], 17);
    EXPECT_EQ(load_be32(ip + 12), r.src_ip);
    EXPECT_EQ(load_be32(ip + 16), r.dst_ip);
    EXPECT_EQ(ref_sum(ip, 20), 0xffffu) << "IPv4 header checksum";
    const uint8_t* u = ip + 20;
    EXPECT_EQ(load_be16(u), 67);
    EXPECT_EQ(load_be16(u + 2), r.dst_port);
    EXPECT_EQ(load_be16(u + 4), 8 + r.len);
    EXPECT_NE(load_be16(u + 6), 0) << "UDP checksum is always computed";
    EXPECT_EQ(ref_udp_sum(ip), 0xffffu) << "UDP checksum";
    EXPECT_EQ(Bytes(u + 8, u + 8 + r.len), Bytes(r.payload, r.payload + r.len));
}

TEST(DhcpFrame, Untagged) {
    const auto r = reply(300);
    const Bytes f = build(*r, 1514);
    ASSERT_EQ(f.size(), 14u + 20 + 8 + 300);
    EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0x02, 0, 0, 0, 0, 0x42}));
    EXPECT_EQ(Bytes(f.begin() + 6, f.begin() + 12), (Bytes{0x02, 0, 0, 0, 0, 0x01}));
    EXPECT_EQ(load_be16(f.data() + 12), 0x0800);
    check_ip_udp(f.data() + 14, *r);
}

TEST(DhcpFrame, QinQTagsAsRecorded) {
    auto r = reply(333);  // odd length: the checksum pads the last byte
    r->dst_mac = mac("ff:ff:ff:ff:ff:ff");
    r->dst_ip = 0xffffffff;
    r->dst_port = 67;  // to a relay
    r->path.vlan_count = 2;
    r->path.vlan_tpid[0] = 0x88a8;
    r->path.vlan_tci[0] = 0xa064;  // PCP 5, VID 100
    r->path.vlan_tpid[1] = 0x8100;
    r->path.vlan_tci[1] = 0x1123;  // DEI set, VID 0x123
    const Bytes f = build(*r, 14 + 8 + 20 + 8 + 333);
    ASSERT_EQ(f.size(), 14u + 8 + 20 + 8 + 333);
    EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), Bytes(6, 0xff));
    EXPECT_EQ(load_be16(f.data() + 12), 0x88a8);
    EXPECT_EQ(load_be16(f.data() + 14), 0xa064);
    EXPECT_EQ(load_be16(f.data() + 16), 0x8100);
    EXPECT_EQ(load_be16(f.data() + 18), 0x1123);
    EXPECT_EQ(load_be16(f.data() + 20), 0x0800);
    check_ip_udp(f.data() + 22, *r);
}

TEST(DhcpFrame, SingleTagWithUnrecordedTpid) {
    auto r = reply(300);
    r->path.vlan_count = 1;
    r->path.vlan_tci[0] = 0x0064;
    const Bytes f = build(*r, 2000);
    ASSERT_EQ(f.size(), 14u + 4 + 20 + 8 + 300);
    EXPECT_EQ(load_be16(f.data() + 12), 0x8100);
    EXPECT_EQ(load_be16(f.data() + 14), 0x0064);
    EXPECT_EQ(load_be16(f.data() + 16), 0x0800);
    check_ip_udp(f.data() + 18, *r);
}

TEST(DhcpFrame, ZeroChecksumIsSentAsFfff) {
    // Choose the last payload word so that the sum is 0xffff: the computed checksum is then
    // 0, which UDP reserves for "none" (RFC 768), so 0xffff must go out instead.
    auto r = reply(300);
    r->payload[298] = r->payload[299] = 0;
    Bytes f = build(*r, 1514);
    ASSERT_FALSE(f.empty());
    uint8_t* ip = f.data() + 14;
    store_be16(ip + 26, 0);
    const uint32_t partial = ref_udp_sum(ip);  // checksum field and last word zero
    const auto fill = static_cast<uint16_t>(~partial);
    r->payload[298] = static_cast<uint8_t>(fill >> 8);
    r->payload[299] = static_cast<uint8_t>(fill);
    f = build(*r, 1514);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(load_be16(f.data() + 14 + 26), 0xffff);
    EXPECT_EQ(ref_udp_sum(f.data() + 14), 0xffffu);
}

TEST(DhcpFrame, RefusesWhatDoesNotFit) {
    auto r = reply(300);
    EXPECT_TRUE(build(*r, 14 + 20 + 8 + 299).empty());
    EXPECT_EQ(build(*r, 14 + 20 + 8 + 300).size(), 342u);
    r->path.vlan_count = 2;
    EXPECT_TRUE(build(*r, 342 + 7).empty());
    r->path.vlan_count = 3;
    EXPECT_TRUE(build(*r, 2000).empty());
    r->path.vlan_count = 0;
    r->len = edgelease::dataplane::dhcp::kMaxPayload + 1;
    EXPECT_TRUE(build(*r, 4000).empty());
    r->len = edgelease::dataplane::dhcp::kMaxPayload;
    EXPECT_EQ(build(*r, 4000).size(), 42u + edgelease::dataplane::dhcp::kMaxPayload);
}

TEST(DhcpFrame, EncodedReplyRoundTrip) {
    // encode_reply, then build_reply_frame: the frame carries the reply unchanged.
    Parsed p = parse(relayed_discover());
    ASSERT_EQ(p.err, ParseError::None);
    auto opts = std::make_unique<OptionSet>();
    opts->set_addr(1, ip4("255.255.255.0"));
    opts->set_u32(51, 600);
    ReplyHeader h;
    h.yiaddr = ip4("198.18.7.50");
    h.server_id = ip4("198.18.0.1");
    auto r = std::make_unique<DhcpReply>();
    r->len = encode_reply(*p.req, h, *opts, r->payload, sizeof r->payload);
    ASSERT_GE(r->len, kMinReply);
    r->dst_mac = mac("02:00:00:00:07:fe");
    r->src_ip = ip4("198.18.0.1");
    r->dst_ip = p->giaddr;
    r->dst_port = 67;
    const Bytes f = build(*r, 1514);
    ASSERT_EQ(f.size(), 42u + r->len);
    check_ip_udp(f.data() + 14, *r);
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dhcp::test
