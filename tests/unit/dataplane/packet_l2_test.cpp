// Ethernet, VLAN tags, interface lookup and ARP.
#include <gtest/gtest.h>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

class L2 : public ::testing::Test {
  protected:
    PortContext port = test_port();
};

Bytes arp_request(uint32_t target, const std::vector<Tag>& tags = {},
                  const net::MacAddr& dst = kBroadcastMac) {
    Bytes f = cat(ether(dst, kPeerMac, 0x0806, tags),
                  arp(1, kPeerMac, kPeer4, mac("00:00:00:00:00:00"), target));
    f.resize(std::max<size_t>(f.size(), 60), 0);  // minimum frame, as it comes off the wire
    return f;
}

/// Checks an ARP reply from us to kPeerMac/kPeer4 for `target`, starting at l3.
void expect_arp_reply(const Rx& rx, size_t l3, uint32_t target, size_t request_len) {
    ASSERT_EQ(rx.verdict, Verdict::Reply) << drop_reason_name(rx.why);
    Bytes out = rx.out();
    EXPECT_EQ(out.size(), request_len);  // padding and all: nothing moves
    EXPECT_EQ(get_mac(out, 0), kPeerMac);
    EXPECT_EQ(get_mac(out, 6), kOurMac);
    EXPECT_EQ(get16(out, l3 - 2), 0x0806);
    EXPECT_EQ(get16(out, l3 + 0), 1);       // htype
    EXPECT_EQ(get16(out, l3 + 2), 0x0800);  // ptype
    EXPECT_EQ(out[l3 + 4], 6);
    EXPECT_EQ(out[l3 + 5], 4);
    EXPECT_EQ(get16(out, l3 + 6), 2);  // reply
    EXPECT_EQ(get_mac(out, l3 + 8), kOurMac);
    EXPECT_EQ(get32(out, l3 + 14), target);
    EXPECT_EQ(get_mac(out, l3 + 18), kPeerMac);
    EXPECT_EQ(get32(out, l3 + 24), kPeer4);
    EXPECT_EQ(rx.stats.arp_replies.get(), 1u);
}

TEST_F(L2, ArpRequestUntagged) {
    Bytes req = arp_request(kOur4);
    auto rx = receive(port, req);
    expect_arp_reply(*rx, 14, kOur4, 60);
    EXPECT_EQ(rx->view.vlan_count, 0);
    EXPECT_EQ(rx->view.l3_off, 14);
    EXPECT_EQ(rx->view.iface, &port.interfaces[0]);
    // The padding is left as it was.
    EXPECT_EQ(slice(rx->out(), 42, 18), slice(req, 42, 18));
}

TEST_F(L2, ArpRequestUnicastToOurMac) {
    auto rx = receive(port, arp_request(kOur4, {}, kOurMac));
    expect_arp_reply(*rx, 14, kOur4, 60);
}

TEST_F(L2, ArpRequestOn8021QKeepsTag) {
    Bytes req = arp_request(ip4("198.18.1.1"), {{0x8100, 100}});
    auto rx = receive(port, req);
    expect_arp_reply(*rx, 18, ip4("198.18.1.1"), 60);
    EXPECT_EQ(rx->view.vlan_count, 1);
    EXPECT_EQ(rx->view.iface, &port.interfaces[1]);
    EXPECT_EQ(slice(rx->out(), 12, 4), slice(req, 12, 4));  // TPID and TCI (with PCP) intact
}

TEST_F(L2, ArpRequestOnQinQKeepsBothTags) {
    for (uint16_t outer : {uint16_t{0x88a8}, uint16_t{0x9100}, uint16_t{0x8100}}) {
        SCOPED_TRACE(outer);
        Bytes req = arp_request(ip4("198.18.2.1"), {{outer, 200}, {0x8100, 300}});
        auto rx = receive(port, req);
        expect_arp_reply(*rx, 22, ip4("198.18.2.1"), req.size());
        EXPECT_EQ(rx->view.vlan_count, 2);
        EXPECT_EQ(rx->view.l3_off, 22);
        EXPECT_EQ(rx->view.iface, &port.interfaces[2]);
        EXPECT_EQ(slice(rx->out(), 12, 8), slice(req, 12, 8));
    }
}

TEST_F(L2, ArpProbeIsAnswered) {
    // RFC 5227 probe: sender IP 0. Answering it defends the address.
    Bytes req = cat(ether(kBroadcastMac, kPeerMac, 0x0806),
                    arp(1, kPeerMac, 0, mac("00:00:00:00:00:00"), kOur4));
    auto rx = receive(port, req);
    ASSERT_EQ(rx->verdict, Verdict::Reply);
    EXPECT_EQ(get32(rx->out(), 14 + 24), 0u);
    EXPECT_EQ(get_mac(rx->out(), 0), kPeerMac);
}

TEST_F(L2, ArpForForeignAddressIgnored) {
    auto rx = receive(port, arp_request(ip4("198.18.0.77")));
    EXPECT_DROP(rx, DropReason::ArpIgnored);
    EXPECT_EQ(rx->stats.arp_replies.get(), 0u);
    // Our address, but on another interface (VLAN 100's) asked untagged.
    EXPECT_DROP(receive(port, arp_request(ip4("198.18.1.1"))), DropReason::ArpIgnored);
}

TEST_F(L2, ArpReplyAndGratuitousIgnored) {
    Bytes reply = cat(ether(kOurMac, kPeerMac, 0x0806), arp(2, kPeerMac, kPeer4, kOurMac, kOur4));
    // A reply to one of our addresses answers the kernel's own request: the exception path's.
    EXPECT_KERNEL(receive(port, reply), DropReason::ArpIgnored);
    Bytes for_other =
        cat(ether(kOurMac, kPeerMac, 0x0806), arp(2, kPeerMac, kPeer4, kOurMac, ip4("198.18.0.9")));
    EXPECT_DROP(receive(port, for_other), DropReason::ArpIgnored);
    Bytes gratuitous = cat(ether(kBroadcastMac, kPeerMac, 0x0806),
                           arp(1, kPeerMac, kOur4, mac("00:00:00:00:00:00"), kOur4));
    EXPECT_DROP(receive(port, gratuitous), DropReason::ArpIgnored);
    Bytes rarp =
        cat(ether(kBroadcastMac, kPeerMac, 0x0806), arp(3, kPeerMac, kPeer4, kOurMac, kOur4));
    EXPECT_DROP(receive(port, rarp), DropReason::ArpIgnored);
}

TEST_F(L2, ArpMalformed) {
    Bytes full = cat(ether(kBroadcastMac, kPeerMac, 0x0806),
                     arp(1, kPeerMac, kPeer4, mac("00:00:00:00:00:00"), kOur4));
    for (size_t n = 14; n < full.size(); ++n) {
        auto rx = receive(port, slice(full, 0, n));
        EXPECT_DROP(rx, DropReason::ArpMalformed);
    }
    Bytes v6 = full;
    v6[14 + 2] = 0x86;  // ptype 0x86dd
    v6[14 + 3] = 0xdd;
    EXPECT_DROP(receive(port, v6), DropReason::ArpMalformed);
    Bytes hlen = full;
    hlen[14 + 4] = 8;
    EXPECT_DROP(receive(port, hlen), DropReason::ArpMalformed);
    Bytes htype = full;
    htype[14 + 1] = 6;  // IEEE 802
    EXPECT_DROP(receive(port, htype), DropReason::ArpMalformed);
    Bytes group_sender = full;
    group_sender[14 + 8] = 0x01;
    EXPECT_DROP(receive(port, group_sender), DropReason::ArpMalformed);
}

TEST_F(L2, UnknownVlan) {
    EXPECT_DROP(receive(port, arp_request(kOur4, {{0x8100, 999}})), DropReason::VlanUnknown);
    // VLAN 100 is configured, 100 inside 5 is not.
    EXPECT_DROP(receive(port, arp_request(kOur4, {{0x88a8, 100}, {0x8100, 5}})),
                DropReason::VlanUnknown);
    // The QinQ pair's outer tag alone is not an interface either.
    EXPECT_DROP(receive(port, arp_request(kOur4, {{0x88a8, 200}})), DropReason::VlanUnknown);
    PortContext tagged_only = port;
    tagged_only.interfaces.erase(tagged_only.interfaces.begin());
    EXPECT_DROP(receive(tagged_only, arp_request(kOur4)), DropReason::VlanUnknown);
}

TEST_F(L2, PriorityTagIsVlanZero) {
    // 802.1p priority tag: VID 0 is the untagged interface.
    auto rx = receive(port, arp_request(kOur4, {{0x8100, 0}}));
    expect_arp_reply(*rx, 18, kOur4, 60);
    EXPECT_EQ(rx->view.iface, &port.interfaces[0]);
}

TEST_F(L2, ThirdVlanTag) {
    auto rx = receive(port, arp_request(kOur4, {{0x88a8, 200}, {0x8100, 300}, {0x8100, 1}}));
    EXPECT_DROP(rx, DropReason::VlanTooDeep);
}

TEST_F(L2, ForeignUnicastMac) {
    EXPECT_DROP(receive(port, arp_request(kOur4, {}, mac("02:00:00:00:00:02"))),
                DropReason::NotForUs);
    // Group bit set (multicast) is accepted at layer 2.
    auto rx = receive(port, arp_request(kOur4, {}, mac("01:00:5e:00:00:01")));
    EXPECT_EQ(rx->verdict, Verdict::Reply);
}

TEST_F(L2, RuntsAndUnknownEtherType) {
    Bytes f = arp_request(kOur4);
    for (size_t n = 0; n < 14; ++n) EXPECT_DROP(receive(port, slice(f, 0, n)), DropReason::Runt);
    // A tag cut short.
    Bytes tagged = arp_request(kOur4, {{0x8100, 100}});
    for (size_t n = 14; n < 18; ++n)
        EXPECT_DROP(receive(port, slice(tagged, 0, n)), DropReason::Runt);
    Bytes lldp = cat(ether(mac("01:80:c2:00:00:0e"), kPeerMac, 0x88cc), pattern(46));
    EXPECT_DROP(receive(port, lldp), DropReason::EtherTypeUnknown);
}

TEST(PortContext, FindAndOwns) {
    PortContext port = test_port();
    EXPECT_EQ(port.find(0, 0), &port.interfaces[0]);
    EXPECT_EQ(port.find(100, 0), &port.interfaces[1]);
    EXPECT_EQ(port.find(200, 300), &port.interfaces[2]);
    EXPECT_EQ(port.find(300, 200), nullptr);
    EXPECT_EQ(port.find(1, 0), nullptr);
    const auto& ifc = port.interfaces[0];
    EXPECT_TRUE(port.owns_v4(ifc, kOur4));
    EXPECT_FALSE(port.owns_v4(ifc, ip4("198.18.0.255")));
    EXPECT_FALSE(port.owns_v4(ifc, ip4("198.18.1.1")));
    EXPECT_TRUE(port.owns_v6(ifc, kOur6.bytes.data()));
    EXPECT_TRUE(port.owns_v6(ifc, net::link_local_from_mac(kOurMac).bytes.data()));
    EXPECT_FALSE(port.owns_v6(ifc, ip6("2001:db8::2").bytes.data()));
    EXPECT_FALSE(port.owns_v6(port.interfaces[3], kOur6.bytes.data()));
}

}  // namespace
}  // namespace edgelease::dataplane::test
