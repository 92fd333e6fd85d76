// The client state machine against a server built from the appliance's DHCP codec: whole
// DORAs, renewals, releases, NAKs, relays with option 82, timeouts and retransmissions.
#include <gtest/gtest.h>

#include <deque>

#include "loadgen/dhcp_swarm.hpp"
#include "loadgen/frame.hpp"
#include "tests/unit/loadgen/appliance_side.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;
using State = DhcpSwarm::State;

SwarmConfig config(uint32_t clients) {
    SwarmConfig c;
    c.clients = clients;
    c.mac_base = mac("02:4c:47:00:00:00");
    c.port_mac = kGenMac;
    c.server_mac = kServerMac;
    c.server_ip = kServerIp;
    c.timeout_ticks = 1000;
    c.retries = 2;
    c.ns_per_tick = 1.0;
    return c;
}

/// Runs frames between the swarm and the server until neither has anything to say.
struct Link {
    DhcpSwarm& swarm;
    FakeDhcpServer& server;
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

TEST(DhcpSwarm, FullDoraBindsEveryClientWithDistinctMacs) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    auto cfg = config(50);
    cfg.client_id = true;
    cfg.hostname = true;
    DhcpSwarm swarm(cfg);
    EXPECT_EQ(swarm.idle(), 50u);
    Link link{swarm, server};
    link.start(50);
    EXPECT_EQ(swarm.in_flight(), 50u);
    EXPECT_EQ(swarm.idle(), 0u);
    link.settle();

    const auto& c = swarm.counters();
    EXPECT_EQ(c.discovers.get(), 50u);
    EXPECT_EQ(c.offers.get(), 50u);
    EXPECT_EQ(c.requests.get(), 50u);
    EXPECT_EQ(c.acks.get(), 50u);
    EXPECT_EQ(c.exchanges.get(), 100u);
    EXPECT_EQ(c.unexpected.get(), 0u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.bound(), 50u);
    EXPECT_EQ(swarm.idle(), 50u);
    EXPECT_EQ(server.leases.size(), 50u);  // 50 distinct MACs
    for (uint32_t i = 0; i < 50; ++i) {
        EXPECT_EQ(swarm.state(i), State::Bound);
        EXPECT_EQ(swarm.address(i), ip4("198.18.1.1") + i);
    }
    EXPECT_EQ(swarm.exchange_latency().count(), 100u);
    EXPECT_EQ(swarm.dora_latency().count(), 50u);
    EXPECT_GE(swarm.dora_latency().min(), 40u);  // at least four hops of 10 ticks, 1 ns each

    // The server saw every DISCOVER (options 61 and 12), then every REQUEST.
    ASSERT_EQ(server.seen.size(), 100u);
    const auto& d = server.seen.front();
    EXPECT_EQ(d.msg_type, MsgType::Discover);
    EXPECT_EQ(d.client_id_len, 7);
    EXPECT_EQ(d.client_id[0], 1);
    EXPECT_EQ(std::string(d.hostname, d.hostname_len), "lg-0");
    EXPECT_EQ(d.path.dst_ip, 0xffffffffu);
    const auto& r = server.seen[50];
    EXPECT_EQ(r.chaddr, d.chaddr);
    EXPECT_EQ(r.msg_type, MsgType::Request);
    EXPECT_EQ(r.xid, d.xid);  // RFC 2131 §4.4.1: the REQUEST keeps the OFFER's xid
    EXPECT_EQ(r.requested_ip, ip4("198.18.1.1"));
    EXPECT_EQ(r.server_id, kServerIp);
}

TEST(DhcpSwarm, RenewalsAreUnicastWithCiaddr) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    auto cfg = config(4);
    cfg.mix = {1, 0, 0};
    DhcpSwarm swarm(cfg);
    Link link{swarm, server};
    link.start(4);
    link.settle();
    server.seen.clear();
    link.start(4);  // every bound client renews
    EXPECT_EQ(swarm.in_flight(), 4u);
    EXPECT_EQ(swarm.state(0), State::Renewing);
    link.settle();
    EXPECT_EQ(swarm.counters().renews.get(), 4u);
    EXPECT_EQ(swarm.counters().renew_acks.get(), 4u);
    EXPECT_EQ(swarm.bound(), 4u);
    ASSERT_EQ(server.seen.size(), 4u);
    for (const auto& r : server.seen) {
        EXPECT_EQ(r.msg_type, MsgType::Request);
        EXPECT_NE(r.ciaddr, 0u);
        EXPECT_EQ(r.path.src_ip, r.ciaddr);
        EXPECT_EQ(r.path.dst_ip, kServerIp);
        EXPECT_EQ(r.requested_ip, 0u);
    }
}

TEST(DhcpSwarm, ReleaseThenANewDora) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    auto cfg = config(3);
    cfg.mix = {0, 1, 0};
    DhcpSwarm swarm(cfg);
    Link link{swarm, server};
    link.start(3);
    link.settle();
    for (uint32_t i = 0; i < 3; ++i) {
        EXPECT_NE(swarm.acked_address(i), 0u) << i;
        EXPECT_EQ(swarm.acked_address(i), swarm.address(i)) << i;
    }
    link.start(3);  // releases: no answer, the clients are idle at once
    link.settle();
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(swarm.acked_address(i), 0u) << "released: " << i;
    EXPECT_EQ(swarm.counters().releases.get(), 3u);
    EXPECT_EQ(server.released.size(), 3u);
    EXPECT_EQ(swarm.bound(), 0u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.idle(), 3u);
    EXPECT_EQ(swarm.state(0), State::Init);
    link.start(3);  // and start over
    link.settle();
    EXPECT_EQ(swarm.counters().acks.get(), 6u);
    EXPECT_EQ(swarm.bound(), 3u);
}

TEST(DhcpSwarm, RestartForgetsTheLease) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    auto cfg = config(2);
    cfg.mix = {0, 0, 1};
    DhcpSwarm swarm(cfg);
    Link link{swarm, server};
    link.start(2);
    link.settle();
    link.start(2);
    EXPECT_EQ(swarm.state(0), State::Selecting);
    EXPECT_EQ(swarm.bound(), 0u);
    link.settle();
    EXPECT_EQ(swarm.counters().discovers.get(), 4u);
    EXPECT_EQ(swarm.bound(), 2u);
}

TEST(DhcpSwarm, NakSendsTheClientBackToInit) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    server.nak_requests = true;
    DhcpSwarm swarm(config(2));
    Link link{swarm, server};
    link.start(2);
    link.settle();
    EXPECT_EQ(swarm.counters().naks.get(), 2u);
    EXPECT_EQ(swarm.counters().acks.get(), 0u);
    EXPECT_EQ(swarm.counters().exchanges.get(), 4u);
    EXPECT_EQ(swarm.state(1), State::Init);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.idle(), 2u);
}

TEST(DhcpSwarm, RelayedClientsGoThroughTheRelayWithOption82) {
    FakeDhcpServer server(ip4("198.19.1.1"));
    auto cfg = config(4);
    cfg.relays = 2;
    cfg.relay_base = ip4("198.19.0.1");
    cfg.option82 = true;
    cfg.mix = {1, 0, 0};
    DhcpSwarm swarm(cfg);
    Link link{swarm, server};
    link.start(4);
    link.settle();
    EXPECT_EQ(swarm.counters().acks.get(), 4u);
    ASSERT_EQ(server.seen.size(), 8u);
    for (size_t k = 0; k < 8; ++k) {
        const auto& r = server.seen[k];
        const uint32_t client = static_cast<uint32_t>(k % 4);  // four DISCOVERs, then four REQUESTs
        EXPECT_EQ(r.msg_type, k < 4 ? MsgType::Discover : MsgType::Request);
        EXPECT_EQ(r.giaddr, ip4("198.19.0.1") + client % 2);
        EXPECT_EQ(r.hops, 1);
        EXPECT_EQ(r.path.src_ip, r.giaddr);
        EXPECT_EQ(r.path.dst_ip, kServerIp);
        EXPECT_EQ(r.path.src_mac, kGenMac);
        EXPECT_EQ(r.chaddr, swarm.mac_of(client));
        ASSERT_NE(r.circuit_id_len, 0);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.relay_info + r.circuit_id_off),
                              r.circuit_id_len),
                  "lg-circuit-" + std::to_string(client));
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.relay_info + r.remote_id_off),
                              r.remote_id_len),
                  "lg-relay-" + std::to_string(client % 2));
    }
    // A relayed client renews by unicast through its router: no giaddr, our MAC.
    server.seen.clear();
    link.start(1);
    link.settle();
    ASSERT_EQ(server.seen.size(), 1u);
    EXPECT_EQ(server.seen[0].giaddr, 0u);
    EXPECT_EQ(server.seen[0].path.src_mac, kGenMac);
    EXPECT_EQ(server.seen[0].relay_info_len, 0);
    EXPECT_EQ(swarm.counters().renew_acks.get(), 1u);
}

TEST(DhcpSwarm, RetransmitsThenTimesOut) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    server.drop_everything = true;
    DhcpSwarm swarm(config(3));
    Link link{swarm, server};
    link.start(3);
    link.settle();
    uint8_t buf[1600];
    unsigned budget = 100;
    EXPECT_EQ(swarm.poll_timeouts(999, budget, buf, sizeof buf), 0);  // nothing due yet
    EXPECT_EQ(budget, 0u);

    unsigned frames = 0;
    for (uint64_t t = 1000; t <= 5000; t += 1000) {
        budget = 100;
        for (;;) {
            const uint16_t len = swarm.poll_timeouts(t, budget, buf, sizeof buf);
            if (len == 0) break;
            ++frames;
            server.answer(buf, len);  // still a valid DISCOVER, same xid
        }
    }
    EXPECT_EQ(frames, 6u);  // two retransmissions per client
    EXPECT_EQ(swarm.counters().retransmissions.get(), 6u);
    EXPECT_EQ(swarm.counters().timeouts.get(), 3u);
    EXPECT_EQ(swarm.in_flight(), 0u);
    EXPECT_EQ(swarm.idle(), 3u);
    ASSERT_EQ(server.seen.size(), 9u);
    // A retransmission repeats its request: same xid.
    for (size_t k = 3; k < 9; ++k) {
        const uint32_t x = server.seen[k].xid;
        EXPECT_TRUE(x == server.seen[0].xid || x == server.seen[1].xid || x == server.seen[2].xid)
            << k;
    }
}

TEST(DhcpSwarm, LateAndForeignRepliesAreCountedNotFollowed) {
    FakeDhcpServer server(ip4("198.18.1.1"));
    DhcpSwarm swarm(config(1));
    uint8_t buf[1600];
    const uint16_t len = swarm.start_next(0, buf, sizeof buf);
    auto offer = server.answer(buf, len);
    ASSERT_TRUE(offer);
    uint8_t out[1600];
    ASSERT_NE(
        swarm.on_frame(5, offer->data(), static_cast<uint16_t>(offer->size()), out, sizeof out), 0);
    // The same OFFER again (a retransmitted DISCOVER's): nothing pending matches it.
    EXPECT_EQ(
        swarm.on_frame(6, offer->data(), static_cast<uint16_t>(offer->size()), out, sizeof out), 0);
    EXPECT_EQ(swarm.counters().unexpected.get(), 1u);
    // A reply for a MAC outside the swarm, and a frame that is no DHCP at all.
    FakeDhcpServer other(ip4("198.18.2.1"));
    SwarmConfig sc = config(1);
    sc.mac_base = mac("02:00:00:00:99:00");
    DhcpSwarm elsewhere(sc);
    const uint16_t l2 = elsewhere.start_next(0, buf, sizeof buf);
    auto foreign = other.answer(buf, l2);
    ASSERT_TRUE(foreign);
    EXPECT_EQ(
        swarm.on_frame(7, foreign->data(), static_cast<uint16_t>(foreign->size()), out, sizeof out),
        0);
    EXPECT_EQ(swarm.on_frame(7, buf, 10, out, sizeof out), 0);
    EXPECT_EQ(swarm.counters().ignored.get(), 2u);
    EXPECT_EQ(swarm.in_flight(), 1u);
}

TEST(DhcpSwarm, RejectsConfigurationsThatCannotRun) {
    auto c = config(0);
    EXPECT_THROW(DhcpSwarm{c}, std::invalid_argument);
    c = config(1);
    c.mix = {0, 0, 0};
    EXPECT_THROW(DhcpSwarm{c}, std::invalid_argument);
    c = config(10);
    c.mac_base = mac("ff:ff:ff:ff:ff:fa");
    EXPECT_THROW(DhcpSwarm{c}, std::invalid_argument);
}

}  // namespace
}  // namespace edgelease::loadgen
