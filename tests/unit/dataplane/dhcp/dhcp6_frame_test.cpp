// build_reply_frame6 (dataplane/dhcp/frame6.cpp): Ethernet, VLAN tags, IPv6 and UDP headers
// written around a DHCPv6 reply payload; the UDP checksum verified with a reference RFC 1071
// sum over the IPv6 pseudo-header (RFC 8200 §8.1) written the obvious way, independent of
// wire/checksum.cpp.
#include <gtest/gtest.h>

#include "dataplane/wire/cursor.hpp"
#include "tests/unit/dataplane/dhcp/dhcp6_builder.hpp"

namespace edgelease::dataplane::dhcp::test6 {
namespace {

using wire::load_be16;
using wire::load_be32;
using wire::store_be16;

const net::MacAddr kPortMac = mac("02:00:00:00:00:01");

/// One's-complement sum of big-endian 16-bit words, odd byte padded (RFC 1071 §4.1).
uint32_t ref_sum(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
    if (n % 2) sum += uint32_t{p[n - 1]} << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/// The UDP sum over the IPv6 pseudo-header (source, destination, 32-bit length, 3 zero bytes,
/// next header 17), the header and the payload: 0xffff when the checksum is right.
uint16_t ref_udp_sum(const uint8_t* ip6) {
    const uint16_t udp_len = load_be16(ip6 + 40 + 4);
    uint8_t pseudo[40] = {};
    std::memcpy(pseudo, ip6 + 8, 32);
    pseudo[34] = static_cast<uint8_t>(udp_len >> 8);
    pseudo[35] = static_cast<uint8_t>(udp_len);
    pseudo[39] = 17;
    return static_cast<uint16_t>(ref_sum(ip6 + 40, udp_len, ref_sum(pseudo, 40)));
}

std::unique_ptr<Dhcp6Reply> reply(uint16_t len) {
    auto r = std::make_unique<Dhcp6Reply>();
    r->dst_mac = mac("02:00:00:00:00:42");
    r->src_ip = ip6("fe80::1");
    r->dst_ip = ip6("fe80::42");
    r->dst_port = 546;
    r->len = len;
    for (uint16_t i = 0; i < len; ++i) r->payload[i] = static_cast<uint8_t>(i * 7 + 1);
    return r;
}

/// build_reply_frame6 into an exact heap block of `cap` bytes.
Bytes build(const Dhcp6Reply& r, uint16_t cap) {
    std::unique_ptr<uint8_t[]> buf(new uint8_t[cap]);
    const uint16_t n = build_reply_frame6(kPortMac, r, buf.get(), cap);
    return Bytes(buf.get(), buf.get() + n);
}

void check_ip_udp(const uint8_t* ip, const Dhcp6Reply& r) {
    EXPECT_EQ(load_be32(ip), 0x60000000u) << "version 6, traffic class and flow label 0";
    EXPECT_EQ(load_be16(ip + 4), 8 + r.len) << "payload length";
    EXPECT_EQ(ip[6], 17) << "next header: UDP, no extension headers";
    EXPECT_EQ(ip[7], 64) << "hop limit";
    EXPECT_EQ(Bytes(ip + 8, ip + 24), Bytes(r.src_ip.bytes.begin(), r.src_ip.bytes.end()));
    EXPECT_EQ(Bytes(ip + 24, ip + 40), Bytes(r.dst_ip.bytes.begin(), r.dst_ip.bytes.end()));
    const uint8_t* u = ip + 40;
    EXPECT_EQ(load_be16(u), 547);
    EXPECT_EQ(load_be16(u + 2), r.dst_port);
    EXPECT_EQ(load_be16(u + 4), 8 + r.len);
    EXPECT_NE(load_be16(u + 6), 0) << "IPv6 forbids a zero UDP checksum";
    EXPECT_EQ(ref_udp_sum(ip), 0xffffu) << "UDP checksum";
    EXPECT_EQ(Bytes(u + 8, u + 8 + r.len), Bytes(r.payload, r.payload + r.len));
}

TEST(Dhcp6Frame, Untagged) {
    const auto r = reply(200);
    const Bytes f = build(*r, 1514);
    ASSERT_EQ(f.size(), 14u + 40 + 8 + 200);
    EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0x02, 0, 0, 0, 0, 0x42}));
    EXPECT_EQ(Bytes(f.begin() + 6, f.begin() + 12), (Bytes{0x02, 0, 0, 0, 0, 0x01}));
    EXPECT_EQ(load_be16(f.data() + 12), 0x86dd);
    check_ip_udp(f.data() + 14, *r);
}

TEST(Dhcp6Frame, QinQTagsAsRecordedToARelay) {
    auto r = reply(333);  // odd length: the checksum pads the last byte
    r->dst_mac = mac("02:00:00:00:07:fe");
    r->src_ip = ip6("2001:db8::1");
    r->dst_ip = ip6("2001:db8:7::1");
    r->dst_port = 547;
    r->path.vlan_count = 2;
    r->path.vlan_tpid[0] = 0x88a8;
    r->path.vlan_tci[0] = 0xa064;  // PCP 5, VID 100
    r->path.vlan_tpid[1] = 0x8100;
    r->path.vlan_tci[1] = 0x1123;  // DEI set, VID 0x123
    const Bytes f = build(*r, 14 + 8 + 40 + 8 + 333);
    ASSERT_EQ(f.size(), 14u + 8 + 40 + 8 + 333);
    EXPECT_EQ(load_be16(f.data() + 12), 0x88a8);
    EXPECT_EQ(load_be16(f.data() + 14), 0xa064);
    EXPECT_EQ(load_be16(f.data() + 16), 0x8100);
    EXPECT_EQ(load_be16(f.data() + 18), 0x1123);
    EXPECT_EQ(load_be16(f.data() + 20), 0x86dd);
    check_ip_udp(f.data() + 22, *r);
}

TEST(Dhcp6Frame, SingleTagWithUnrecordedTpidAndRelaySourcePort) {
    auto r = reply(100);
    r->dst_port = 1547;  // RFC 8357: back to the relay's source port
    r->path.vlan_count = 1;
    r->path.vlan_tci[0] = 0x0064;
    const Bytes f = build(*r, 2000);
    ASSERT_EQ(f.size(), 14u + 4 + 40 + 8 + 100);
    EXPECT_EQ(load_be16(f.data() + 12), 0x8100);
    EXPECT_EQ(load_be16(f.data() + 14), 0x0064);
    EXPECT_EQ(load_be16(f.data() + 16), 0x86dd);
    check_ip_udp(f.data() + 18, *r);
}

TEST(Dhcp6Frame, ZeroChecksumIsSentAsFfff) {
    // Choose the last payload word so that the sum is 0xffff: the computed checksum is then
    // 0, which must go out as 0xffff (a zero UDP checksum is invalid over IPv6).
    auto r = reply(300);
    r->payload[298] = r->payload[299] = 0;
    Bytes f = build(*r, 1514);
    ASSERT_FALSE(f.empty());
    uint8_t* ip = f.data() + 14;
    store_be16(ip + 46, 0);
    const uint32_t partial = ref_udp_sum(ip);  // checksum field and last word zero
    const auto fill = static_cast<uint16_t>(~partial);
    r->payload[298] = static_cast<uint8_t>(fill >> 8);
    r->payload[299] = static_cast<uint8_t>(fill);
    f = build(*r, 1514);
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(load_be16(f.data() + 14 + 46), 0xffff);
    EXPECT_EQ(ref_udp_sum(f.data() + 14), 0xffffu);
}

TEST(Dhcp6Frame, RefusesWhatDoesNotFit) {
    auto r = reply(300);
    EXPECT_TRUE(build(*r, 14 + 40 + 8 + 299).empty());
    EXPECT_EQ(build(*r, 14 + 40 + 8 + 300).size(), 362u);
    r->path.vlan_count = 2;
    EXPECT_TRUE(build(*r, 362 + 7).empty());
    EXPECT_EQ(build(*r, 362 + 8).size(), 370u);
    r->path.vlan_count = 3;
    EXPECT_TRUE(build(*r, 2000).empty());
    r->path.vlan_count = 0;
    r->len = kMaxPayload6 + 1;
    EXPECT_TRUE(build(*r, 4000).empty());
    r->len = kMaxPayload6;
    // The largest payload fills an IPv6 minimum MTU packet exactly.
    const Bytes f = build(*r, 4000);
    ASSERT_EQ(f.size(), 14u + 1280);
    check_ip_udp(f.data() + 14, *r);
}

TEST(Dhcp6Frame, UnspecifiedSourceIsTheWorkersToFill) {
    auto r = reply(120);
    r->src_ip = net::Ipv6Addr{};  // the control lcore left the choice to the worker
    const net::Ipv6Addr ours = ip6("fe80::1:2:3:4");
    std::unique_ptr<uint8_t[]> buf(new uint8_t[1514]);
    ASSERT_EQ(build_reply_frame6(kPortMac, *r, buf.get(), 1514, &ours), 14 + 48 + 120);
    auto filled = reply(120);
    filled->src_ip = ours;
    check_ip_udp(buf.get() + 14, *filled);
    // Never from ::.
    EXPECT_TRUE(build(*r, 1514).empty());
    const net::Ipv6Addr none{};
    EXPECT_EQ(build_reply_frame6(kPortMac, *r, buf.get(), 1514, &none), 0);
    // A source of its own wins over the fallback.
    r->src_ip = ip6("2001:db8::1");
    ASSERT_EQ(build_reply_frame6(kPortMac, *r, buf.get(), 1514, &ours), 14 + 48 + 120);
    check_ip_udp(buf.get() + 14, *r);
}

TEST(Dhcp6Frame, EmptyPayload) {
    const auto r = reply(0);
    const Bytes f = build(*r, 62);
    ASSERT_EQ(f.size(), 62u);
    check_ip_udp(f.data() + 14, *r);
}

}  // namespace
}  // namespace edgelease::dataplane::dhcp::test6
