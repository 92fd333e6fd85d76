// IPv6 to the DHCPv6 groups (RFC 9915 §7.1): UDP to port 547 at ff02::1:2 or ff05::1:3 is
// handed over like a datagram to one of our addresses; anything else to them is not ours.
// And the source an answer to such a request leaves from (reply_source_v6).
#include <gtest/gtest.h>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

const net::Ipv6Addr kAllRelaysAndServers = ip6("ff02::1:2");
const net::Ipv6Addr kAllServers = ip6("ff05::1:3");
const net::Ipv6Addr kClientLl = ip6("fe80::42");

/// The Ethernet group of an IPv6 multicast address (RFC 2464 §7).
net::MacAddr group_mac(const net::Ipv6Addr& g) {
    return {{0x33, 0x33, g.bytes[12], g.bytes[13], g.bytes[14], g.bytes[15]}};
}

/// A Solicit-sized datagram from the client's link-local address to `group`.
Bytes to_group(const net::Ipv6Addr& group, uint16_t dport = 547, const std::vector<Tag>& tags = {},
               const net::Ipv6Addr& src = kClientLl) {
    // Solicit (1), xid, Client Identifier (DUID-LL): what a client would send.
    const Bytes solicit = {1, 0x12, 0x34, 0x56, 0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x42};
    return cat(ether(group_mac(group), kPeerMac, 0x86dd, tags),
               ipv6({.src = src, .dst = group, .next = 17, .hop = 1},
                    udp6(src, group, 546, dport, solicit)));
}

class Dhcp6Groups : public ::testing::Test {
  protected:
    PortContext port = test_port();
};

TEST_F(Dhcp6Groups, SolicitToAllRelayAgentsAndServers) {
    auto rx = receive(port, to_group(kAllRelaysAndServers));
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    EXPECT_TRUE(rx->view.is_v6);
    EXPECT_EQ(rx->view.iface, &port.interfaces[0]);
    EXPECT_EQ(rx->view.l4_off, 54);
    EXPECT_EQ(rx->view.payload_off, 62);
    EXPECT_EQ(rx->view.payload_len, 18);
    EXPECT_EQ(udp_dst_port(rx->view), 547);
}

TEST_F(Dhcp6Groups, AllServersFromARelayAndTaggedInterfaces) {
    auto rx = receive(port, to_group(kAllServers, 547, {}, ip6("2001:db8:7::1")));
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    auto tagged = receive(port, to_group(kAllRelaysAndServers, 547, {{0x8100, 100}}));
    ASSERT_EQ(tagged->verdict, Verdict::Udp) << drop_reason_name(tagged->why);
    EXPECT_EQ(tagged->view.iface, &port.interfaces[1]);
    auto qinq = receive(port, to_group(kAllRelaysAndServers, 547, {{0x88a8, 200}, {0x8100, 300}}));
    ASSERT_EQ(qinq->verdict, Verdict::Udp) << drop_reason_name(qinq->why);
    EXPECT_EQ(qinq->view.iface, &port.interfaces[2]);
    EXPECT_EQ(qinq->view.vlan_count, 2);
}

TEST_F(Dhcp6Groups, OnlyDhcpv6MayUseTheGroups) {
    // Other UDP ports, the client port included.
    for (uint16_t dport : {53, 546, 67, 0, 5353}) {
        SCOPED_TRACE(dport);
        EXPECT_DROP(receive(port, to_group(kAllRelaysAndServers, dport)), DropReason::Ipv6NotForUs);
    }
    EXPECT_DROP(receive(port, to_group(kAllServers, 53)), DropReason::Ipv6NotForUs);
    // ICMPv6 to the group.
    const Bytes echo =
        cat(ether(group_mac(kAllRelaysAndServers), kPeerMac, 0x86dd),
            ipv6({.src = kClientLl, .dst = kAllRelaysAndServers},
                 icmp6(kClientLl, kAllRelaysAndServers, 128, 0, echo6_body(1, 1, pattern(8)))));
    EXPECT_DROP(receive(port, echo), DropReason::Ipv6NotForUs);
    // Other groups: All_DHCP_Servers at link scope (not defined), all-nodes, a solicited-node.
    for (const char* g : {"ff02::1:3", "ff02::1", "ff05::1:2", "ff02::1:ff00:1"}) {
        SCOPED_TRACE(g);
        EXPECT_DROP(receive(port, to_group(ip6(g))), DropReason::Ipv6NotForUs);
    }
}

TEST_F(Dhcp6Groups, InterfaceWithoutIpv6) {
    // VLAN 400 has no address to answer from.
    EXPECT_DROP(receive(port, to_group(kAllRelaysAndServers, 547, {{0x8100, 400}})),
                DropReason::Ipv6NotForUs);
}

TEST_F(Dhcp6Groups, UnspecifiedSourceAndBrokenUdp) {
    EXPECT_DROP(receive(port, to_group(kAllRelaysAndServers, 547, {}, net::Ipv6Addr{})),
                DropReason::Ipv6Malformed);
    Bytes bad = to_group(kAllRelaysAndServers);
    bad.back() ^= 0xff;
    EXPECT_DROP(receive(port, bad), DropReason::UdpBadChecksum);
    // Four bytes of UDP: too short for a header (the port is not even looked at).
    const Bytes stub = cat(ether(group_mac(kAllRelaysAndServers), kPeerMac, 0x86dd),
                           ipv6({.src = kClientLl, .dst = kAllRelaysAndServers, .next = 17},
                                {0x02, 0x22, 0x02, 0x23}));
    EXPECT_DROP(receive(port, stub), DropReason::UdpMalformed);
}

TEST_F(Dhcp6Groups, UnicastToUsStillWorks) {
    auto rx = receive(port, udp6_frame(547));
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    auto dns = receive(port, udp6_frame(53));
    ASSERT_EQ(dns->verdict, Verdict::Udp) << drop_reason_name(dns->why);
}

TEST_F(Dhcp6Groups, ReplySourceOfTheDestinationsScope) {
    const net::Ipv6Addr ll = net::link_local_from_mac(kOurMac);
    // Untagged (index 0): 2001:db8::1 and the link-local address.
    const net::Ipv6Addr* s = reply_source_v6(port, 0, kClientLl);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s, ll);
    s = reply_source_v6(port, 0, ip6("2001:db8:7::1"));  // a relay
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s, kOur6);
    // VLAN 100 (index 1) has no link-local address here: its global one, whatever the scope.
    s = reply_source_v6(port, 1, kClientLl);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s, ip6("2001:db8:1::1"));
    // VLAN 400 (index 3) has no IPv6 address; index 9 is no interface of this port.
    EXPECT_EQ(reply_source_v6(port, 3, kClientLl), nullptr);
    EXPECT_EQ(reply_source_v6(port, 9, kClientLl), nullptr);
}

}  // namespace
}  // namespace edgelease::dataplane::test
