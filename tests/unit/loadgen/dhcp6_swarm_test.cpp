// The DHCPv6 client state machine against the appliance itself (packet path, parser, lease
// engine, frame builder): 4-message and Rapid Commit acquisitions of addresses and prefixes,
// renewals, releases, restarts, relays, exhausted pools, timeouts and retransmissions.
#include <gtest/gtest.h>

#include <deque>
#include <set>

#include "loadgen/dhcp6_swarm.hpp"
#include "loadgen/frame.hpp"
#include "tests/unit/loadgen/appliance_side6.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;
using State = Dhcp6Swarm::State;
using dataplane::dhcp::Ia6;

Swarm6Config config(uint32_t clients, bool na = true, bool pd = true) {
    Swarm6Config c;
    c.clients = clients;
    c.mac_base = mac("02:4c:47:00:00:00");
    c.port_mac = kGenMac;
    c.server_mac = kServerMac;
    c.server_ip = kServerIp6;
    c.relay_base = kRelayBase6;
    c.ia_na = na;
    c.ia_pd = pd;
    c.timeout_ticks = 1000;
    c.retries = 2;
    c.ns_per_tick = 1.0;
    return c;
}

/// Runs frames between the swarm and the appliance until neither has anything to say.
struct Link6 {
    Dhcp6Swarm& swarm;
    Dhcp6Server& server;
    uint64_t now = 0;
    std::deque<Bytes> to_server;

    void start(unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            Bytes f(1600);
            const uint16_t len = swarm.start_next(now, f.data(), static_cast<uint16_t>(f.size()));
            ASSERT_NE(len, 0);
            f.resize(len);
            to_server.push_back(f);
        }
    }
    void settle() {
        while (!to_server.empty()) {
            Bytes f = to_server.front();
            to_server.pop_front();
            now += 10;
            auto reply = server.answer(f.data(), static_cast<uint16_t>(f.size()));
            if (!reply) continue;
            now += 10;
            Bytes out(1600);
            const uint16_t len =
                swarm.on_frame(now, reply->data(), static_cast<uint16_t>(reply->size()), out.data(),
                               static_cast<uint16_t>(out.size()));
            if (len != 0) {
                out.resize(len);
                to_server.push_back(out);
            }
        }
    }
};

TEST(Dhcp6Swarm, FourMessageExchangeBindsAnAddressAndAPrefixPerClient) {
    Dhcp6Server server;
    auto cfg = config(50);
    cfg.fqdn = true;
    Dhcp6Swarm swarm(cfg);
    EXPECT_EQ(swarm.idle(), 50u);
    Link6 link{swarm, server};
    link.start(50);
    EXPECT_EQ(swarm.in_flight(), 50u);
    EXPECT_EQ(swarm.state(0), State::Soliciting);
    link.settle();

    const auto& c = swarm.counters();
    EXPECT_EQ(c.solicits.get(), 50u);
    EXPECT_EQ(c.advertises.get(), 50u);
    EXPECT_EQ(c.requests.get(), 50u);
    EXPECT_EQ(c.leases.get(), 50u);
    EXPECT_EQ(c.rapid_leases.get(), 0u);
    EXPECT_EQ(c.addresses.get(), 50u);
    EXPECT_EQ(c.prefixes.get(), 50u);
    EXPECT_EQ(c.exchanges.get(), 100u);
    EXPECT_EQ(c.refused.get(), 0u);
    EXPECT_EQ(c.unexpected.get(), 0u);
    EXPECT_EQ(c.ignored.get(), 0u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.bound(), 50u);
    EXPECT_EQ(swarm.idle(), 50u);
    std::set<net::Ipv6Addr> addrs, prefixes;
    for (uint32_t i = 0; i < 50; ++i) {
        EXPECT_EQ(swarm.state(i), State::Bound);
        ASSERT_TRUE(swarm.has_address(i) && swarm.has_prefix(i));
        EXPECT_TRUE(net::in_prefix(swarm.address(i), ip6("2001:db8::"), 64));
        EXPECT_EQ(swarm.prefix_len(i), 56);
        EXPECT_TRUE(net::in_prefix(swarm.prefix(i), ip6("2001:db8:8000::"), 40));
        addrs.insert(swarm.address(i));
        prefixes.insert(swarm.prefix(i));
    }
    EXPECT_EQ(addrs.size(), 50u);
    EXPECT_EQ(prefixes.size(), 50u);
    EXPECT_EQ(server.lease_changes, 100u);  // one address and one prefix bound per client
    EXPECT_EQ(swarm.exchange_latency().count(), 100u);
    EXPECT_EQ(swarm.acquisition_latency().count(), 50u);
    EXPECT_GE(swarm.acquisition_latency().min(), 40u);  // four hops of 10 ticks, 1 ns each

    // The appliance saw every Solicit, then every Request, from the clients' link-local
    // addresses to ff02::1:2.
    ASSERT_EQ(server.seen.size(), 100u);
    const auto& s = server.seen.front();
    EXPECT_EQ(s.msg_type, Msg6Type::Solicit);
    EXPECT_EQ(s.path.src_mac, swarm.mac_of(0));
    EXPECT_EQ(s.path.src_ip, swarm.link_local_of(0));
    EXPECT_EQ(s.path.src_ip, ip6("fe80::4c:47ff:fe00:0"));
    EXPECT_EQ(s.path.dst_ip, ip6("ff02::1:2"));
    EXPECT_EQ(s.path.src_port, 546);
    EXPECT_EQ(s.client_id_len, 10);  // DUID-LL
    EXPECT_EQ(s.client_id[1], 3);
    EXPECT_FALSE(s.rapid_commit);
    ASSERT_EQ(s.ia_count, 2);
    EXPECT_EQ(s.ias[0].iaid, swarm.iaid_of(0));
    EXPECT_TRUE(s.has_fqdn);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(s.fqdn + 1), s.fqdn[0]), "lg-0");
    const auto& q = server.seen[50];
    EXPECT_EQ(q.msg_type, Msg6Type::Request);
    EXPECT_EQ(q.path.src_mac, s.path.src_mac);
    EXPECT_NE(q.xid, s.xid);  // RFC 9915 §16.1: a new exchange, a new transaction id
    ASSERT_EQ(q.server_id_len, kServerDuid.size());
    EXPECT_EQ(std::memcmp(q.server_id, kServerDuid.data(), kServerDuid.size()), 0);
    ASSERT_EQ(q.ia_count, 2);
    ASSERT_EQ(q.ias[0].hint_count, 1);  // what the Advertise named
    ASSERT_EQ(q.ias[1].hint_count, 1);
    EXPECT_EQ(q.ias[1].hints[0].prefix_len, 56);
}

TEST(Dhcp6Swarm, RapidCommitBindsInTwoMessages) {
    Dhcp6Server server;
    auto cfg = config(20);
    cfg.rapid_commit = true;
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(20);
    link.settle();
    const auto& c = swarm.counters();
    EXPECT_EQ(c.leases.get(), 20u);
    EXPECT_EQ(c.rapid_leases.get(), 20u);
    EXPECT_EQ(c.advertises.get(), 0u);
    EXPECT_EQ(c.requests.get(), 0u);
    EXPECT_EQ(c.exchanges.get(), 20u);
    EXPECT_EQ(swarm.bound(), 20u);
    EXPECT_EQ(swarm.acquisition_latency().count(), 20u);
    ASSERT_EQ(server.seen.size(), 20u);
    EXPECT_TRUE(server.seen[0].rapid_commit);
}

TEST(Dhcp6Swarm, RapidCommitRefusedByTheScopeFallsBackToFourMessages) {
    Dhcp6Server server(config6(65536, false));
    auto cfg = config(5);
    cfg.rapid_commit = true;
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(5);
    link.settle();
    EXPECT_EQ(swarm.counters().advertises.get(), 5u);
    EXPECT_EQ(swarm.counters().leases.get(), 5u);
    EXPECT_EQ(swarm.counters().rapid_leases.get(), 0u);
    EXPECT_EQ(swarm.counters().exchanges.get(), 10u);
}

TEST(Dhcp6Swarm, RenewalsGoToTheGroupWithTheServerIdAndKeepTheBindings) {
    Dhcp6Server server;
    auto cfg = config(4);
    cfg.mix = {1, 0, 0};
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(4);
    link.settle();
    const net::Ipv6Addr a0 = swarm.address(0), p0 = swarm.prefix(0);
    server.seen.clear();
    link.start(4);  // every bound client renews
    EXPECT_EQ(swarm.state(0), State::Renewing);
    EXPECT_EQ(swarm.bound(), 4u);
    link.settle();
    EXPECT_EQ(swarm.counters().renews.get(), 4u);
    EXPECT_EQ(swarm.counters().renew_replies.get(), 4u);
    EXPECT_EQ(swarm.bound(), 4u);
    EXPECT_EQ(swarm.address(0), a0);
    EXPECT_EQ(swarm.prefix(0), p0);
    ASSERT_EQ(server.seen.size(), 4u);
    for (const auto& r : server.seen) {
        EXPECT_EQ(r.msg_type, Msg6Type::Renew);
        EXPECT_EQ(r.path.dst_ip, ip6("ff02::1:2"));  // no Server Unicast option: multicast
        EXPECT_EQ(r.server_id_len, kServerDuid.size());
        ASSERT_EQ(r.ia_count, 2);
        EXPECT_EQ(r.ias[0].hint_count, 1);
        EXPECT_EQ(r.ias[1].hint_count, 1);
    }
    for (auto o : server.outcomes) EXPECT_EQ(o, control::dhcp::Outcome::Answered);
}

TEST(Dhcp6Swarm, ReleaseIsAnsweredThenTheClientAcquiresAgain) {
    Dhcp6Server server;
    auto cfg = config(3);
    cfg.mix = {0, 1, 0};
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(3);
    link.settle();
    link.start(3);  // releases
    EXPECT_EQ(swarm.bound(), 0u);
    EXPECT_EQ(swarm.in_flight(), 3u);
    EXPECT_EQ(swarm.state(0), State::Releasing);
    link.settle();
    const auto& c = swarm.counters();
    EXPECT_EQ(c.releases.get(), 3u);
    EXPECT_EQ(c.release_replies.get(), 3u);
    EXPECT_EQ(c.status[0].get(), 3u);  // Success, once per Reply
    EXPECT_EQ(swarm.state(0), State::Init);
    EXPECT_FALSE(swarm.has_address(0));
    EXPECT_FALSE(swarm.has_prefix(0));
    EXPECT_EQ(swarm.idle(), 3u);
    EXPECT_EQ(server.seen.back().msg_type, Msg6Type::Release);
    link.start(3);
    link.settle();
    EXPECT_EQ(c.leases.get(), 6u);
    EXPECT_EQ(c.exchanges.get(), 6u + 3u + 6u);
    EXPECT_EQ(swarm.bound(), 3u);
}

TEST(Dhcp6Swarm, RestartSolicitsAgainAndGetsTheSameBindings) {
    Dhcp6Server server;
    auto cfg = config(2);
    cfg.mix = {0, 0, 1};
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(2);
    link.settle();
    const net::Ipv6Addr a1 = swarm.address(1);
    link.start(2);
    EXPECT_EQ(swarm.state(0), State::Soliciting);
    EXPECT_EQ(swarm.bound(), 0u);
    link.settle();
    EXPECT_EQ(swarm.counters().solicits.get(), 4u);
    EXPECT_EQ(swarm.bound(), 2u);
    EXPECT_EQ(swarm.address(1), a1);  // the server's affinity: the IA's binding
}

TEST(Dhcp6Swarm, RelayedClientsGetTheRelaysLinkAndRenewThroughIt) {
    Dhcp6Server server;
    auto cfg = config(4);
    cfg.relays = 2;
    cfg.mix = {1, 0, 0};
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(4);
    link.settle();
    EXPECT_EQ(swarm.counters().leases.get(), 4u);
    EXPECT_EQ(swarm.counters().unexpected.get(), 0u);
    ASSERT_EQ(server.seen.size(), 8u);
    for (size_t k = 0; k < 8; ++k) {
        const auto& r = server.seen[k];
        const auto client = static_cast<uint32_t>(k % 4);  // four Solicits, then four Requests
        EXPECT_EQ(r.msg_type, k < 4 ? Msg6Type::Solicit : Msg6Type::Request);
        ASSERT_EQ(r.relay_count, 1);
        net::Ipv6Addr relay = kRelayBase6;
        relay.bytes[15] = static_cast<uint8_t>(relay.bytes[15] + client % 2);
        EXPECT_EQ(r.relays[0].link_addr, relay);
        EXPECT_EQ(r.relays[0].peer_addr, swarm.link_local_of(client));
        EXPECT_EQ(r.path.src_ip, relay);
        EXPECT_EQ(r.path.dst_ip, kServerIp6);
        EXPECT_EQ(r.path.src_mac, kGenMac);
        EXPECT_EQ(r.path.src_port, 547);
        ASSERT_TRUE(r.relays[0].has_interface_id);
        EXPECT_EQ(
            std::string(reinterpret_cast<const char*>(r.relay_bytes + r.relays[0].interface_id_off),
                        r.relays[0].interface_id_len),
            "lg-circuit-" + std::to_string(client));
    }
    for (uint32_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(net::in_prefix(swarm.address(i), ip6("2001:db8:1::"), 64)) << i;
        EXPECT_TRUE(net::in_prefix(swarm.prefix(i), ip6("2001:db8:9000::"), 40)) << i;
    }
    server.seen.clear();
    link.start(1);
    link.settle();
    ASSERT_EQ(server.seen.size(), 1u);
    EXPECT_EQ(server.seen[0].msg_type, Msg6Type::Renew);
    EXPECT_EQ(server.seen[0].relay_count, 1);
    EXPECT_EQ(swarm.counters().renew_replies.get(), 1u);
}

TEST(Dhcp6Swarm, ExhaustedPoolIsRefusedWithNoAddrsAvail) {
    Dhcp6Server server(config6(2));
    Dhcp6Swarm swarm(config(4, true, false));
    Link6 link{swarm, server};
    link.start(4);
    link.settle();
    const auto& c = swarm.counters();
    EXPECT_EQ(c.leases.get(), 2u);
    EXPECT_EQ(c.refused.get(), 2u);
    EXPECT_EQ(c.status[status_slot(dataplane::wire::dhcp6::status::kNoAddrsAvail)].get(), 2u);
    EXPECT_EQ(c.prefixes.get(), 0u);
    EXPECT_EQ(swarm.bound(), 2u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.idle(), 4u);
    for (const auto& r : server.seen) EXPECT_EQ(r.ia_count, 1) << "IA_NA only";
}

TEST(Dhcp6Swarm, DuidLltIsSentAndRecognised) {
    Dhcp6Server server;
    auto cfg = config(3, false, true);
    cfg.duid = DuidKind::Llt;
    Dhcp6Swarm swarm(cfg);
    Link6 link{swarm, server};
    link.start(3);
    link.settle();
    EXPECT_EQ(swarm.counters().leases.get(), 3u);
    EXPECT_EQ(swarm.counters().prefixes.get(), 3u);
    EXPECT_EQ(swarm.counters().addresses.get(), 0u);
    const auto& s = server.seen.front();
    ASSERT_EQ(s.client_id_len, 14);
    EXPECT_EQ(s.client_id[1], 1);  // DUID-LLT
    EXPECT_EQ(std::memcmp(s.client_id + 8, swarm.mac_of(0).bytes.data(), 6), 0);
    ASSERT_EQ(s.ia_count, 1);
    EXPECT_EQ(s.ias[0].type, Ia6::kPd);
}

TEST(Dhcp6Swarm, RetransmitsTheSameTransactionThenTimesOut) {
    Dhcp6Server server;
    server.drop_everything = true;
    Dhcp6Swarm swarm(config(3));
    Link6 link{swarm, server};
    link.start(3);
    link.settle();
    uint8_t buf[1600];
    unsigned budget = 100;
    EXPECT_EQ(swarm.poll_timeouts(999, budget, buf, sizeof buf), 0);  // nothing due yet
    unsigned frames = 0;
    for (uint64_t t = 1000; t <= 5000; t += 1000) {
        budget = 100;
        for (;;) {
            const uint16_t len = swarm.poll_timeouts(t, budget, buf, sizeof buf);
            if (len == 0) break;
            ++frames;
            server.answer(buf, len);
        }
    }
    EXPECT_EQ(frames, 6u);
    EXPECT_EQ(swarm.counters().retransmissions.get(), 6u);
    EXPECT_EQ(swarm.counters().timeouts.get(), 3u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.idle(), 3u);
    ASSERT_EQ(server.seen.size(), 9u);
    for (size_t k = 3; k < 9; ++k) {
        const auto& r = server.seen[k];
        EXPECT_TRUE(r.xid == server.seen[0].xid || r.xid == server.seen[1].xid ||
                    r.xid == server.seen[2].xid)
            << k;
        // §21.9: hundredths of a second since the first transmission (1000 ticks = 1 µs).
        EXPECT_TRUE(r.has_elapsed);
    }
}

TEST(Dhcp6Swarm, LateAndForeignMessagesAreCountedNotFollowed) {
    Dhcp6Server server;
    Dhcp6Swarm swarm(config(1));
    uint8_t buf[1600];
    const uint16_t len = swarm.start_next(0, buf, sizeof buf);
    auto adv = server.answer(buf, len);
    ASSERT_TRUE(adv);
    uint8_t out[1600];
    ASSERT_NE(swarm.on_frame(5, adv->data(), static_cast<uint16_t>(adv->size()), out, sizeof out),
              0);
    // The same Advertise again (to a retransmitted Solicit): nothing pending matches it.
    EXPECT_EQ(swarm.on_frame(6, adv->data(), static_cast<uint16_t>(adv->size()), out, sizeof out),
              0);
    EXPECT_EQ(swarm.counters().unexpected.get(), 1u);
    // A message for a client outside the swarm, and a frame that is no DHCPv6 at all.
    Dhcp6Server other;
    auto sc = config(1);
    sc.mac_base = mac("02:00:00:00:99:00");
    Dhcp6Swarm elsewhere(sc);
    const uint16_t l2 = elsewhere.start_next(0, buf, sizeof buf);
    auto foreign = other.answer(buf, l2);
    ASSERT_TRUE(foreign);
    EXPECT_EQ(
        swarm.on_frame(7, foreign->data(), static_cast<uint16_t>(foreign->size()), out, sizeof out),
        0);
    EXPECT_EQ(swarm.on_frame(7, buf, 10, out, sizeof out), 0);
    EXPECT_EQ(swarm.counters().ignored.get(), 2u);
    EXPECT_EQ(swarm.in_flight(), 1u);
    // A direct client's answer wrapped as if relayed (or the reverse) is not its answer.
    auto rc = config(1);
    rc.relays = 1;
    Dhcp6Swarm relayed(rc);
    relayed.start_next(0, buf, sizeof buf);
    EXPECT_EQ(relayed.on_frame(8, adv->data(), static_cast<uint16_t>(adv->size()), out, sizeof out),
              0);
    EXPECT_EQ(relayed.counters().ignored.get(), 1u);  // to port 546: not a relay's
}

TEST(Dhcp6Swarm, RejectsConfigurationsThatCannotRun) {
    auto c = config(0);
    EXPECT_THROW(Dhcp6Swarm{c}, std::invalid_argument);
    c = config(1, false, false);
    EXPECT_THROW(Dhcp6Swarm{c}, std::invalid_argument);
    c = config(1);
    c.mix = {0, 0, 0};
    EXPECT_THROW(Dhcp6Swarm{c}, std::invalid_argument);
    c = config(1);
    c.relays = 1;
    c.relay_base = {};
    EXPECT_THROW(Dhcp6Swarm{c}, std::invalid_argument);
    c = config(10);
    c.mac_base = mac("ff:ff:ff:ff:ff:fa");
    EXPECT_THROW(Dhcp6Swarm{c}, std::invalid_argument);
}

}  // namespace
}  // namespace edgelease::loadgen
