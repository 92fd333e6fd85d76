// What goes into a reply and where it goes: options (RFC 2132, 3397, 3442, 4702, custom),
// lease times, destinations (RFC 2131 §4.1), scope selection, INFORM.
#include "tests/unit/control/dhcp/engine_fixture.hpp"

namespace edgelease::control::dhcp::test {
namespace {

const net::MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

TEST_F(EngineTest, OfferCarriesTheScopeOptions) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1).prl({1, 3, 6, 15, 28, 42, 119, 121, 150})),
              "198.18.0.100");
    Decoded d = reply();
    EXPECT_EQ(d.op, 2);
    EXPECT_EQ(d.xid, 0x5eed0001u);
    EXPECT_EQ(d.chaddr, mac(1));
    EXPECT_EQ(d.ciaddr, 0u);
    EXPECT_EQ(d.order.front(), 53);
    EXPECT_EQ(ip_str(d.u32(54)), "198.18.0.1");  // the receiving interface's address
    EXPECT_EQ(ip_str(d.u32(1)), "255.255.255.0");
    EXPECT_EQ(d.addrs(3), std::vector<uint32_t>{ip("198.18.0.1")});
    EXPECT_EQ(d.addrs(6), (std::vector<uint32_t>{ip("198.18.0.1"), ip("198.18.0.2")}));
    EXPECT_EQ(d.str(15), "lan");
    EXPECT_EQ(ip_str(d.u32(28)), "198.18.0.255");
    EXPECT_EQ(d.addrs(42), std::vector<uint32_t>{ip("198.18.0.3")});
    EXPECT_EQ(d.u32(51), 3600u);
    EXPECT_EQ(d.u32(58), 1800u);  // 50%
    EXPECT_EQ(d.u32(59), 3150u);  // 87.5%
    // RFC 3397, uncompressed.
    const std::string search(
        "\x03lan\x00\x07"
        "example\x04test\x00",
        19);
    EXPECT_EQ(d.str(119), search);
    // RFC 3442: 16 198.19 via 198.18.0.1, then the default route 0 via 198.18.0.1.
    EXPECT_EQ(d.opts[121], (std::vector<uint8_t>{16, 198, 19, 198, 18, 0, 1, 0, 198, 18, 0, 1}));
    EXPECT_EQ(ip_str(d.u32(150)), "198.18.0.5");
    EXPECT_EQ(d.str(252), "http://wpad.lan/wpad.dat");  // always = true
    EXPECT_FALSE(d.has(12));                            // nobody named this client
    EXPECT_FALSE(d.has(81));
}

TEST_F(EngineTest, UnrequestedOptionsStayOut) {
    offer(Req(MsgType::Discover, 1));
    Decoded d = reply();
    for (uint8_t always : {1, 3, 6, 15, 28, 51, 53, 54, 58, 59, 252})
        EXPECT_TRUE(d.has(always)) << int(always);
    for (uint8_t asked : {42, 119, 121, 150}) EXPECT_FALSE(d.has(asked)) << int(asked);
}

TEST_F(EngineTest, ClientOptionFiftyOneShortensNeverLengthens) {
    offer(Req(MsgType::Discover, 1).lease(600));
    Decoded d = reply();
    EXPECT_EQ(d.u32(51), 600u);
    EXPECT_EQ(d.u32(58), 300u);
    EXPECT_EQ(d.u32(59), 525u);
    run(Req(MsgType::Request, 1).server("198.18.0.1").requested("198.18.0.100").lease(600));
    EXPECT_EQ(lease("198.18.0.100")->expires, now_ + 600);
    offer(Req(MsgType::Discover, 2).lease(7200));
    EXPECT_EQ(reply().u32(51), 3600u);
}

TEST_F(EngineTest, ConfiguredT1AndT2) {
    offer(Req(MsgType::Discover, 1).relay("198.18.1.1"));
    Decoded d = reply();
    EXPECT_EQ(d.u32(51), 3600u);
    EXPECT_EQ(d.u32(58), 1200u);
    EXPECT_EQ(d.u32(59), 2400u);
    // Shortened leases keep the proportions.
    offer(Req(MsgType::Discover, 2).relay("198.18.1.1").lease(1800));
    d = reply();
    EXPECT_EQ(d.u32(51), 1800u);
    EXPECT_EQ(d.u32(58), 600u);
    EXPECT_EQ(d.u32(59), 1200u);
}

TEST_F(EngineTest, HostNameFromTheClientIsEchoedWhenAskedAndRecorded) {
    dora(Req(MsgType::Discover, 1).hostname("Laptop-7.corp").prl({12}));
    EXPECT_EQ(reply().str(12), "Laptop-7.corp");
    EXPECT_EQ(lease("198.18.0.100")->hostname, "laptop-7");
    // Not a DNS label: not used as the lease's name.
    dora(Req(MsgType::Discover, 2).hostname("bad_name"));
    EXPECT_EQ(lease("198.18.0.101")->hostname, "");
    EXPECT_FALSE(reply().has(12));  // not requested
}

TEST_F(EngineTest, ClientFqdnAnsweredPerRfc4702WhenWeUpdate) {
    // E = 1 (wire form), S = 0: the client would update its A record itself.
    const std::string name("\x04host\x03lan\x00", 10);
    dora(Req(MsgType::Discover, 1).fqdn(0x04, name));
    Decoded d = reply();
    ASSERT_TRUE(d.has(81));
    const auto& v = d.opts[81];
    ASSERT_EQ(v.size(), 3 + name.size());
    EXPECT_EQ(v[0], 0x01 | 0x02 | 0x04);  // S (we update), O (overriding the client), E
    EXPECT_EQ(v[1], 255);
    EXPECT_EQ(v[2], 255);
    EXPECT_EQ(std::string(v.begin() + 3, v.end()), name);
    EXPECT_EQ(lease("198.18.0.100")->hostname, "host");
    // S = 1 asked: no override.
    offer(Req(MsgType::Discover, 2).fqdn(0x05, name));
    EXPECT_EQ(reply().opts[81][0], 0x01 | 0x04);
}

TEST_F(EngineTest, ClientAskingForNoUpdatesIsHonoured) {
    // N = 1, S = 0 (RFC 4702 §2.1): the server should not update; it answers N, no override,
    // and the binding is marked so that lease-driven DNS leaves it out.
    const std::string name("\x05quiet\x03lan\x00", 11);
    dora(Req(MsgType::Discover, 1).fqdn(0x08 | 0x04, name));
    EXPECT_EQ(reply().opts[81][0], 0x08 | 0x04);
    ASSERT_NE(lease("198.18.0.100"), nullptr);
    EXPECT_TRUE(lease("198.18.0.100")->no_dns);
    EXPECT_EQ(lease("198.18.0.100")->hostname, "quiet");
    // The same client without N later: updates resume.
    dora(Req(MsgType::Discover, 1).fqdn(0x04, name));
    EXPECT_FALSE(lease("198.18.0.100")->no_dns);
}

TEST_F(EngineTest, ClientFqdnAnsweredWithNWhenWeDoNotUpdate) {
    // The tiny scope has update = false: N = 1, S = 0, O set because the client asked for S.
    offer(Req(MsgType::Discover, 1).relay("198.18.3.1").fqdn(0x01, "pc.tiny"));
    Decoded d = reply();
    const auto& v = d.opts[81];
    ASSERT_GE(v.size(), 3u);
    EXPECT_EQ(v[0], 0x08 | 0x02);
    EXPECT_EQ(std::string(v.begin() + 3, v.end()), "pc.tiny");  // ASCII form echoed as is
    EXPECT_EQ(lease("198.18.3.10")->hostname, "pc");
}

TEST_F(EngineTest, ReservationHostNameIsSentUnasked) {
    offer(Req(MsgType::Discover, 0x50).hostname("whatever"));
    EXPECT_EQ(reply().str(12), "my-server");
    EXPECT_EQ(lease("198.18.0.50")->hostname, "my-server");
}

// ---- destinations ---------------------------------------------------------------------------

TEST_F(EngineTest, ReplyToRelayGoesToGiaddrPort67AndTheRelaysMac) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1).relay("198.18.1.1")), "198.18.1.10");
    const DhcpReply& r = res_.reply;
    EXPECT_EQ(ip_str(r.dst_ip), "198.18.1.1");
    EXPECT_EQ(r.dst_port, kServerPort);
    EXPECT_EQ(r.dst_mac, kRelayMac);
    EXPECT_EQ(ip_str(r.src_ip), "198.18.9.1");
    EXPECT_EQ(r.path.iface_index, 1u);
    Decoded d = reply();
    EXPECT_EQ(ip_str(d.giaddr), "198.18.1.1");
    EXPECT_EQ(ip_str(d.u32(54)), "198.18.9.1");
}

TEST_F(EngineTest, NakThroughARelayGoesToTheRelay) {
    run(Req(MsgType::Request, 1).relay("198.18.1.1").requested("198.18.0.100"));
    EXPECT_EQ(res_.outcome, Outcome::Nak);
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.1.1");
    EXPECT_EQ(res_.reply.dst_port, kServerPort);
    EXPECT_EQ(reply().type(), MsgType::Nak);
}

TEST_F(EngineTest, BroadcastFlagMeansBroadcast) {
    offer(Req(MsgType::Discover, 1).broadcast_flag());
    EXPECT_EQ(res_.reply.dst_ip, 0xFFFFFFFFu);
    EXPECT_EQ(res_.reply.dst_mac, kBroadcast);
    EXPECT_EQ(res_.reply.dst_port, kClientPort);
    EXPECT_EQ(reply().flags, 0x8000);
}

TEST_F(EngineTest, WithoutBroadcastFlagUnicastToYiaddrAndChaddr) {
    Req q(MsgType::Discover, 1);
    q.raw().path.src_mac = kRouterMac;  // L2 source differs from chaddr: chaddr wins here
    offer(q);
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.0.100");
    EXPECT_EQ(res_.reply.dst_mac, mac(1));
    EXPECT_EQ(ip_str(res_.reply.src_ip), "198.18.0.1");
    EXPECT_EQ(res_.reply.dst_port, kClientPort);
}

TEST_F(EngineTest, CiaddrMeansUnicastToItViaTheSourceMac) {
    dora(Req(MsgType::Discover, 1));
    Req q(MsgType::Request, 1);
    q.ciaddr("198.18.0.100").unicast().broadcast_flag();
    run(q);
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.0.100");
    EXPECT_EQ(res_.reply.dst_mac, mac(1));
}

TEST_F(EngineTest, NakIsBroadcastEvenToAClientWithCiaddr) {
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast());
    EXPECT_EQ(res_.outcome, Outcome::Nak);
    EXPECT_EQ(res_.reply.dst_ip, 0xFFFFFFFFu);
    EXPECT_EQ(res_.reply.dst_mac, kBroadcast);
    EXPECT_FALSE(reply().str(56).empty());  // a message says why
}

// ---- scope selection ------------------------------------------------------------------------

TEST_F(EngineTest, DirectClientGetsTheReceivingInterfacesScope) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_EQ(res_.changed[0].scope, 0u);
    // On the transit interface there is no scope for a direct client; nor on one without IPv4.
    run(Req(MsgType::Discover, 2).iface(1));
    EXPECT_EQ(res_.outcome, Outcome::NoScope);
    EXPECT_FALSE(res_.has_reply);
    run(Req(MsgType::Discover, 2).iface(2));
    EXPECT_EQ(res_.outcome, Outcome::NoScope);
    run(Req(MsgType::Discover, 2).iface(17));
    EXPECT_EQ(res_.outcome, Outcome::NoScope);
}

TEST_F(EngineTest, RelayedClientGetsTheGiaddrScope) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1).relay("198.18.1.1")), "198.18.1.10");
    EXPECT_EQ(res_.changed[0].scope, 1u);
    run(Req(MsgType::Discover, 2).relay("198.18.7.1"));
    EXPECT_EQ(res_.outcome, Outcome::NoScope);
}

TEST_F(EngineTest, LinkSelectionOverridesGiaddr) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1).relay("198.18.1.1", {}, {}, "198.18.2.0")),
              "198.18.2.10");
    EXPECT_EQ(res_.changed[0].scope, 2u);
    EXPECT_EQ(res_.changed[0].expires, now_ + 10);       // that scope's offer_hold
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.1.1");  // still answered through the relay
    // Option 82 is echoed (by the encoder) so the relay can strip it.
    EXPECT_TRUE(reply().has(82));
}

// ---- INFORM ---------------------------------------------------------------------------------

TEST_F(EngineTest, InformGetsOptionsWithoutALease) {
    run(Req(MsgType::Inform, 1).ciaddr("198.18.0.77").unicast().prl({1, 3, 6, 42}));
    EXPECT_EQ(res_.outcome, Outcome::Answered);
    EXPECT_EQ(res_.event, LeaseEvent::None);
    EXPECT_TRUE(res_.changed.empty());
    Decoded d = reply();
    EXPECT_EQ(d.type(), MsgType::Ack);
    EXPECT_EQ(d.yiaddr, 0u);
    EXPECT_EQ(ip_str(d.ciaddr), "198.18.0.77");
    EXPECT_FALSE(d.has(51));
    EXPECT_FALSE(d.has(58));
    EXPECT_FALSE(d.has(59));
    EXPECT_TRUE(d.has(1));
    EXPECT_TRUE(d.has(3));
    EXPECT_TRUE(d.has(42));
    EXPECT_EQ(ip_str(d.u32(54)), "198.18.0.1");
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.0.77");
    EXPECT_EQ(res_.reply.dst_mac, mac(1));
    EXPECT_EQ(engine_.find(ip("198.18.0.77")), nullptr);
}

TEST_F(EngineTest, ServerToClientTypesAreInvalid) {
    run(Req(MsgType::Offer, 1));
    EXPECT_EQ(res_.outcome, Outcome::Invalid);
    run(Req(MsgType::None, 1));
    EXPECT_EQ(res_.outcome, Outcome::Invalid);
    EXPECT_FALSE(res_.has_reply);
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
