// IPv6 validation, extension headers, Neighbor Discovery and ICMPv6 echo.
#include <gtest/gtest.h>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

const net::MacAddr kSllMac = mac("02:00:00:00:00:aa");  // differs from the frame's source
const net::Ipv6Addr kUnspecified{};
const net::Ipv6Addr kAllNodes = ip6("ff02::1");

class Ipv6 : public ::testing::Test {
  protected:
    PortContext port = test_port();
};

/// A Hop-by-Hop or Destination Options header; options must fill it to a multiple of 8.
Bytes opts_header(uint8_t next, const Bytes& options) {
    EXPECT_EQ((options.size() + 2) % 8, 0u);
    Bytes b = {next, static_cast<uint8_t>((options.size() + 2) / 8 - 1)};
    put(b, options);
    return b;
}
const Bytes kPadN4 = {1, 4, 0, 0, 0, 0};

/// Checks a Neighbor Advertisement for `target` at l3 addressed to dst_ip / eth_dst.
void expect_na(const Rx& rx, size_t l3, const net::Ipv6Addr& target, const net::Ipv6Addr& dst_ip,
               const net::MacAddr& eth_dst, uint8_t flags) {
    ASSERT_EQ(rx.verdict, Verdict::Reply) << drop_reason_name(rx.why);
    Bytes out = rx.out();
    ASSERT_EQ(out.size(), l3 + 40 + 32);
    EXPECT_EQ(get_mac(out, 0), eth_dst);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    EXPECT_EQ(get16(out, l3 - 2), 0x86dd);
    EXPECT_EQ(out[l3] >> 4, 6);
    EXPECT_EQ(get16(out, l3 + 4), 32);  // payload length
    EXPECT_EQ(out[l3 + 6], 58);         // next header: ICMPv6, no extension headers
    EXPECT_EQ(out[l3 + 7], 255);        // hop limit (RFC 4861 §7.2.4)
    EXPECT_EQ(get_ip6(out, l3 + 8), target);
    EXPECT_EQ(get_ip6(out, l3 + 24), dst_ip);
    Bytes na = slice(out, l3 + 40, 32);
    EXPECT_EQ(na[0], 136);
    EXPECT_EQ(na[1], 0);
    EXPECT_EQ(na[4], flags);
    EXPECT_FALSE(na[4] & 0x80) << "R must be 0";
    EXPECT_EQ(na[5], 0);
    EXPECT_EQ(na[6], 0);
    EXPECT_EQ(na[7], 0);
    EXPECT_EQ(get_ip6(na, 8), target);
    EXPECT_EQ(na[24], 2);  // target link-layer address option
    EXPECT_EQ(na[25], 1);
    EXPECT_EQ(get_mac(na, 26), kOurMac);
    EXPECT_TRUE(ref_valid(cat(pseudo6(target, dst_ip, 32, 58), na))) << "ICMPv6 checksum";
    EXPECT_EQ(rx.stats.nd_adverts.get(), 1u);
    EXPECT_EQ(rx.view.l4_off, l3 + 40);
}

constexpr uint8_t kSO = 0x60;  // Solicited | Override
constexpr uint8_t kO = 0x20;   // Override only (answer to DAD)

TEST_F(Ipv6, NsWithSourceLinkLayerOption) {
    Bytes req = ns_frame(kOur6, kSllMac);
    ASSERT_EQ(req.size(), 14u + 40 + 32);
    auto rx = receive(port, req);
    expect_na(*rx, 14, kOur6, kPeer6, kSllMac, kSO);
    EXPECT_TRUE(rx->view.is_v6);
}

TEST_F(Ipv6, NsWithoutOptionGrowsByEight) {
    Bytes req = ns_frame(kOur6, std::nullopt);
    ASSERT_EQ(req.size(), 14u + 40 + 24);
    auto rx = receive(port, req, 8);
    expect_na(*rx, 14, kOur6, kPeer6, kPeerMac, kSO);
    EXPECT_EQ(rx->view.len, req.size() + 8);
    // Without the tailroom there is no room for the option.
    auto tight = receive(port, req);
    EXPECT_DROP(tight, DropReason::NoRoom);
    EXPECT_EQ(tight->stats.nd_adverts.get(), 0u);
}

TEST_F(Ipv6, UnicastNsForNeighborUnreachabilityDetection) {
    Bytes req = cat(ether(kOurMac, kPeerMac, 0x86dd),
                    ipv6({.src = kPeer6, .dst = kOur6, .hop = 255},
                         icmp6(kPeer6, kOur6, 135, 0, ns_body(kOur6, std::nullopt))));
    auto rx = receive(port, req, 64);
    expect_na(*rx, 14, kOur6, kPeer6, kPeerMac, kSO);
}

TEST_F(Ipv6, DuplicateAddressDetection) {
    Bytes req = ns_frame(kOur6, std::nullopt, kUnspecified);
    auto rx = receive(port, req, 8);
    expect_na(*rx, 14, kOur6, kAllNodes, mac("33:33:00:00:00:01"), kO);
}

TEST_F(Ipv6, DadWithSourceLinkLayerOptionOrToUnicastIsInvalid) {
    EXPECT_DROP(receive(port, ns_frame(kOur6, kSllMac, kUnspecified)), DropReason::NdInvalid);
    Bytes to_unicast = cat(ether(kOurMac, kPeerMac, 0x86dd),
                           ipv6({.src = kUnspecified, .dst = kOur6, .hop = 255},
                                icmp6(kUnspecified, kOur6, 135, 0, ns_body(kOur6, std::nullopt))));
    EXPECT_DROP(receive(port, to_unicast, 8), DropReason::NdInvalid);
}

TEST_F(Ipv6, NsHopLimit254IsInvalid) {
    auto rx = receive(port, ns_frame(kOur6, kSllMac, kPeer6, 254));
    EXPECT_DROP(rx, DropReason::NdInvalid);
    EXPECT_EQ(rx->stats.nd_adverts.get(), 0u);
}

/// An NS to our solicited-node group with the given ICMPv6 code and body.
Bytes ns_raw(uint8_t code, const Bytes& body) {
    net::Ipv6Addr dst = solicited_node(kOur6);
    return cat(ether(mac("33:33:ff:00:00:01"), kPeerMac, 0x86dd),
               ipv6({.src = kPeer6, .dst = dst, .hop = 255}, icmp6(kPeer6, dst, 135, code, body)));
}

TEST_F(Ipv6, NsValidation) {
    EXPECT_DROP(receive(port, ns_raw(1, ns_body(kOur6, kSllMac))), DropReason::NdInvalid);
    // Multicast target.
    EXPECT_DROP(receive(port, ns_raw(0, ns_body(solicited_node(kOur6), kSllMac))),
                DropReason::NdInvalid);
    // ICMP length 20 < 24.
    EXPECT_DROP(receive(port, ns_raw(0, slice(ns_body(kOur6, std::nullopt), 0, 16))),
                DropReason::NdInvalid);
    // An option of length 0.
    EXPECT_DROP(receive(port, ns_raw(0, ns_body(kOur6, std::nullopt, {1, 0, 1, 2, 3, 4, 5, 6}))),
                DropReason::NdInvalid);
    // An option claiming 16 bytes with 8 present.
    EXPECT_DROP(receive(port, ns_raw(0, ns_body(kOur6, kSllMac, {14, 2, 1, 2, 3, 4, 5, 6}))),
                DropReason::NdInvalid);
    // A lone byte after the last option.
    EXPECT_DROP(receive(port, ns_raw(0, ns_body(kOur6, kSllMac, {14}))), DropReason::NdInvalid);
    // A bad checksum is reported as such.
    Bytes bad = ns_frame(kOur6, kSllMac);
    bad[bad.size() - 1] ^= 1;
    EXPECT_DROP(receive(port, bad), DropReason::IcmpBadChecksum);
}

TEST_F(Ipv6, NsWithNonceOptionAnswered) {
    // RFC 7527 nonce (type 14) after the source link-layer option; unknown options are
    // ignored (RFC 4861 §4.6).
    auto rx = receive(port, ns_raw(0, ns_body(kOur6, kSllMac, {14, 1, 1, 2, 3, 4, 5, 6})));
    expect_na(*rx, 14, kOur6, kPeer6, kSllMac, kSO);
}

TEST_F(Ipv6, NsForSomeoneElse) {
    // Same solicited-node group as 2001:db8::1, but not our address.
    EXPECT_DROP(receive(port, ns_frame(ip6("2001:db9::1"), kSllMac)), DropReason::Ipv6NotForUs);
    // Not even our group.
    EXPECT_DROP(receive(port, ns_frame(ip6("2001:db8::2"), kSllMac)), DropReason::Ipv6NotForUs);
}

TEST_F(Ipv6, NsForLinkLocalAddress) {
    net::Ipv6Addr ll = net::link_local_from_mac(kOurMac);
    net::Ipv6Addr peer_ll = ip6("fe80::99");
    auto rx = receive(port, ns_frame(ll, kSllMac, peer_ll));
    expect_na(*rx, 14, ll, peer_ll, kSllMac, kSO);
}

TEST_F(Ipv6, NsOnQinQKeepsTags) {
    net::Ipv6Addr target = ip6("2001:db8:2::1");
    net::Ipv6Addr dst = solicited_node(target);
    Bytes req =
        cat(ether(mac("33:33:ff:00:00:01"), kPeerMac, 0x86dd, {{0x88a8, 200}, {0x8100, 300}}),
            ipv6({.src = kPeer6, .dst = dst, .hop = 255},
                 icmp6(kPeer6, dst, 135, 0, ns_body(target, std::nullopt))));
    auto rx = receive(port, req, 8);
    expect_na(*rx, 22, target, kPeer6, kPeerMac, kSO);
    EXPECT_EQ(slice(rx->out(), 12, 8), slice(req, 12, 8));
}

TEST_F(Ipv6, NsAfterHopByHopHeader) {
    net::Ipv6Addr dst = solicited_node(kOur6);
    Bytes req = cat(
        ether(mac("33:33:ff:00:00:01"), kPeerMac, 0x86dd),
        ipv6({.src = kPeer6, .dst = dst, .next = 0, .hop = 255},
             cat(opts_header(58, kPadN4), icmp6(kPeer6, dst, 135, 0, ns_body(kOur6, kSllMac)))));
    auto rx = receive(port, req);
    // The advertisement carries no extension header: it is shorter than the solicitation.
    expect_na(*rx, 14, kOur6, kPeer6, kSllMac, kSO);
}

// ---- ICMPv6 echo --------------------------------------------------------------------------

void expect_echo6_reply(const Rx& rx, size_t l3, size_t ext, const net::Ipv6Addr& from,
                        const Bytes& data) {
    ASSERT_EQ(rx.verdict, Verdict::Reply) << drop_reason_name(rx.why);
    Bytes out = rx.out();
    ASSERT_EQ(out.size(), l3 + 40 + ext + 8 + data.size());
    EXPECT_EQ(get_mac(out, 0), kPeerMac);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    EXPECT_EQ(get16(out, l3 + 4), ext + 8 + data.size());
    EXPECT_EQ(out[l3 + 7], 64);
    EXPECT_EQ(get_ip6(out, l3 + 8), from);
    EXPECT_EQ(get_ip6(out, l3 + 24), kPeer6);
    Bytes m = slice(out, l3 + 40 + ext, 8 + data.size());
    EXPECT_EQ(m[0], 129);
    EXPECT_EQ(m[1], 0);
    EXPECT_EQ(get16(m, 4), 0x77);
    EXPECT_EQ(get16(m, 6), 3);
    EXPECT_EQ(slice(m, 8, data.size()), data);
    EXPECT_TRUE(ref_valid(cat(pseudo6(from, kPeer6, static_cast<uint32_t>(m.size()), 58), m)))
        << "ICMPv6 checksum";
    EXPECT_EQ(rx.stats.icmp6_echo_replies.get(), 1u);
}

Bytes ping6(const net::Ipv6Addr& src, const net::Ipv6Addr& dst, const Bytes& data = pattern(24)) {
    return cat(ether(kOurMac, kPeerMac, 0x86dd),
               ipv6({.src = src, .dst = dst}, icmp6(src, dst, 128, 0, echo6_body(0x77, 3, data))));
}

TEST_F(Ipv6, EchoRequestAnswered) {
    Bytes data = pattern(100);
    auto rx = receive(port, ping6_frame(data));
    expect_echo6_reply(*rx, 14, 0, kOur6, data);
    net::Ipv6Addr ll = net::link_local_from_mac(kOurMac);
    Bytes to_ll =
        cat(ether(kOurMac, kPeerMac, 0x86dd),
            ipv6({.src = kPeer6, .dst = ll}, icmp6(kPeer6, ll, 128, 0, echo6_body(0x77, 3, data))));
    expect_echo6_reply(*receive(port, to_ll), 14, 0, ll, data);
}

TEST_F(Ipv6, EchoPaddingTrimmed) {
    Bytes data = pattern(2);
    Bytes req = ping6_frame(data);
    size_t len = req.size();
    req.resize(len + 10, 0x5a);
    auto rx = receive(port, req);
    expect_echo6_reply(*rx, 14, 0, kOur6, data);
    EXPECT_EQ(rx->view.len, len);
}

TEST_F(Ipv6, EchoAfterSkippableOptions) {
    // Hop-by-Hop with an unknown "skip" option (type 0x1e: action bits 00), then
    // Destination Options with Pad1s.
    Bytes data = pattern(16);
    Bytes msg = icmp6(kPeer6, kOur6, 128, 0, echo6_body(0x77, 3, data));
    Bytes req = cat(
        ether(kOurMac, kPeerMac, 0x86dd),
        ipv6({.src = kPeer6, .dst = kOur6, .next = 0},
             cat(cat(opts_header(60, {0x1e, 2, 9, 9, 0, 0}), opts_header(58, {0, 0, 0, 0, 0, 0})),
                 msg)));
    auto rx = receive(port, req);
    expect_echo6_reply(*rx, 14, 16, kOur6, data);
    EXPECT_EQ(rx->view.l4_off, 14 + 40 + 16);
}

TEST_F(Ipv6, EchoNotForUs) {
    EXPECT_DROP(receive(port, ping6(kPeer6, solicited_node(kOur6))), DropReason::Ipv6NotForUs);
    EXPECT_DROP(receive(port, ping6(kPeer6, ip6("2001:db8::2"))), DropReason::Ipv6NotForUs);
    EXPECT_DROP(receive(port, ping6(kPeer6, kAllNodes)), DropReason::Ipv6NotForUs);
    EXPECT_DROP(receive(port, ping6(kPeer6, ip6("2001:db8:1::1"))), DropReason::Ipv6NotForUs);
}

TEST_F(Ipv6, BadSources) {
    EXPECT_DROP(receive(port, ping6(kUnspecified, kOur6)), DropReason::Ipv6Malformed);
    EXPECT_DROP(receive(port, ping6(ip6("ff02::5"), kOur6)), DropReason::Ipv6Malformed);
}

TEST_F(Ipv6, IcmpProblems) {
    Bytes bad = ping6_frame();
    bad[14 + 40 + 9] ^= 0x10;
    EXPECT_DROP(receive(port, bad), DropReason::IcmpBadChecksum);
    Bytes rs =
        cat(ether(kOurMac, kPeerMac, 0x86dd), ipv6({.src = kPeer6, .dst = kOur6, .hop = 255},
                                                   icmp6(kPeer6, kOur6, 133, 0, {0, 0, 0, 0})));
    EXPECT_KERNEL(receive(port, rs), DropReason::IcmpUnhandled);
    Bytes short_echo = cat(ether(kOurMac, kPeerMac, 0x86dd),
                           ipv6({.src = kPeer6, .dst = kOur6}, icmp6(kPeer6, kOur6, 128, 0, {})));
    EXPECT_DROP(receive(port, short_echo), DropReason::IcmpMalformed);
    Bytes three =
        cat(ether(kOurMac, kPeerMac, 0x86dd), ipv6({.src = kPeer6, .dst = kOur6}, {128, 0, 0}));
    EXPECT_DROP(receive(port, three), DropReason::IcmpMalformed);
    Bytes code = cat(
        ether(kOurMac, kPeerMac, 0x86dd),
        ipv6({.src = kPeer6, .dst = kOur6}, icmp6(kPeer6, kOur6, 128, 1, echo6_body(1, 1, {}))));
    EXPECT_DROP(receive(port, code), DropReason::IcmpUnhandled);
}

TEST_F(Ipv6, FragmentHeader) {
    Bytes frag = {58, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};  // offset 0, M=1
    Bytes req = cat(ether(kOurMac, kPeerMac, 0x86dd),
                    ipv6({.src = kPeer6, .dst = kOur6, .next = 44},
                         cat(frag, icmp6(kPeer6, kOur6, 128, 0, echo6_body(1, 1, pattern(8))))));
    EXPECT_KERNEL(receive(port, req), DropReason::Ipv6Fragment);
    // Also behind a Destination Options header.
    Bytes deep = cat(ether(kOurMac, kPeerMac, 0x86dd),
                     ipv6({.src = kPeer6, .dst = kOur6, .next = 60},
                          cat(opts_header(44, kPadN4), cat(frag, pattern(16)))));
    EXPECT_KERNEL(receive(port, deep), DropReason::Ipv6Fragment);
}

TEST_F(Ipv6, UnhandledNextHeaders) {
    Bytes routing = {58, 0, 0, 0, 0, 0, 0, 0};  // type 0, segments left 0
    for (uint8_t next : {uint8_t{43}, uint8_t{6}, uint8_t{59}, uint8_t{132}}) {
        Bytes req =
            cat(ether(kOurMac, kPeerMac, 0x86dd),
                ipv6({.src = kPeer6, .dst = kOur6, .next = next}, cat(routing, pattern(20))));
        SCOPED_TRACE(int{next});
        EXPECT_KERNEL(receive(port, req), DropReason::ProtoUnhandled);
        Bytes other = cat(ether(kOurMac, kPeerMac, 0x86dd),
                          ipv6({.src = kPeer6, .dst = ip6("2001:db8::99"), .next = next},
                               cat(routing, pattern(20))));
        EXPECT_DROP(receive(port, other), DropReason::ProtoUnhandled);
    }
    // An option whose action bits say "discard if unknown" (RFC 8200 §4.2).
    Bytes discard = cat(ether(kOurMac, kPeerMac, 0x86dd),
                        ipv6({.src = kPeer6, .dst = kOur6, .next = 60},
                             cat(opts_header(58, {0x80, 4, 0, 0, 0, 0}),
                                 icmp6(kPeer6, kOur6, 128, 0, echo6_body(1, 1, {})))));
    EXPECT_DROP(receive(port, discard), DropReason::ProtoUnhandled);
}

TEST_F(Ipv6, MalformedHeaders) {
    Bytes req = ping6_frame();
    for (size_t n = 14; n < 14 + 40; ++n)
        EXPECT_DROP(receive(port, slice(req, 0, n)), DropReason::Ipv6Malformed);
    for (size_t n = 14 + 40; n < req.size(); ++n)
        EXPECT_DROP(receive(port, slice(req, 0, n)), DropReason::Ipv6Malformed);  // payload length
    Bytes v4 = req;
    v4[14] = 0x40;
    EXPECT_DROP(receive(port, v4), DropReason::Ipv6Malformed);
    // Hop-by-Hop anywhere but first.
    Bytes late_hbh = cat(ether(kOurMac, kPeerMac, 0x86dd),
                         ipv6({.src = kPeer6, .dst = kOur6, .next = 60},
                              cat(cat(opts_header(0, kPadN4), opts_header(58, kPadN4)),
                                  icmp6(kPeer6, kOur6, 128, 0, echo6_body(1, 1, {})))));
    EXPECT_DROP(receive(port, late_hbh), DropReason::Ipv6Malformed);
    // An options header longer than the payload.
    Bytes long_ext = cat(ether(kOurMac, kPeerMac, 0x86dd),
                         ipv6({.src = kPeer6, .dst = kOur6, .next = 0}, {58, 1, 1, 4, 0, 0, 0, 0}));
    EXPECT_DROP(receive(port, long_ext), DropReason::Ipv6Malformed);
    // An option running past its header.
    Bytes long_opt = cat(ether(kOurMac, kPeerMac, 0x86dd),
                         ipv6({.src = kPeer6, .dst = kOur6, .next = 0},
                              cat(opts_header(58, {1, 5, 0, 0, 0, 0}), pattern(8))));
    EXPECT_DROP(receive(port, long_opt), DropReason::Ipv6Malformed);
}

}  // namespace
}  // namespace edgelease::dataplane::test
