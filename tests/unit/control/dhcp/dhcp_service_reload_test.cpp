// Reload of DHCP configuration: DhcpService::replace_engine moves the leases of the running
// engine into one built from a new configuration, over a real LMDB lease store. Requests go
// through the worker channel and replies come back from it, as on the control lcore.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>

#include "control/dhcp/dhcp_service.hpp"
#include "engine_fixture.hpp"
#include "tests/unit/temp_dir.hpp"

namespace edgelease::control::dhcp::test {
namespace {

using edgelease::test::TempDir;

/// kConfig with its text edited: `from` replaced by `to` (must occur).
std::string edited(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

class ServiceReload : public testing::Test {
  protected:
    ServiceReload() : cfg_(load(kConfig)) {
        store_ = std::make_unique<control::store::LeaseStore>(dir_.str(), false);
        store_->start();
        service_ = std::make_unique<control::dhcp::DhcpService>(
            cfg_, std::vector<DhcpChannel*>{&channel_}, *store_);
    }

    /// Hands `r` to the service and polls until its reply comes back (ACKs wait for the
    /// commit). False when none came within 5 s.
    bool exchange(const DhcpRequest& r, Decoded& out) {
        if (!channel_.requests.push(r)) return false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        DhcpReply reply;
        while (std::chrono::steady_clock::now() < deadline) {
            service_->poll(now_);
            if (channel_.replies.pop(reply)) {
                out = decode(reply);
                return true;
            }
        }
        return false;
    }
    std::string dora(Req q) {
        DhcpRequest d = q;
        d.msg_type = MsgType::Discover;
        Decoded o;
        if (!exchange(d, o) || o.type() != MsgType::Offer) return "";
        DhcpRequest r = q;
        r.msg_type = MsgType::Request;
        r.server_id = o.u32(54);
        r.requested_ip = o.yiaddr;
        Decoded a;
        if (!exchange(r, a) || a.type() != MsgType::Ack) return "";
        return ip_str(a.yiaddr);
    }
    control::dhcp::DhcpService::EngineSwap reload(const std::string& toml) {
        next_cfg_ = load(toml.c_str());
        return service_->replace_engine(std::make_unique<LeaseEngine>(next_cfg_), now_);
    }
    /// Stops the writer (draining it) and reads what is on disk.
    std::vector<Lease> stored() {
        service_.reset();
        store_.reset();
        control::store::LeaseStore reopened(dir_.str(), false);
        size_t skipped = 0;
        auto all = reopened.load(skipped);
        EXPECT_EQ(skipped, 0u);
        return all;
    }

    TempDir dir_;
    config::Config cfg_, next_cfg_;
    DhcpChannel channel_;
    std::unique_ptr<control::store::LeaseStore> store_;
    std::unique_ptr<control::dhcp::DhcpService> service_;
    int64_t now_ = 1'800'000'000;
};

TEST_F(ServiceReload, LeasesFollowTheirScopeByNameWhenScopesAreReordered) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    // "tiny" moves first, "lan" becomes index 1; the lan pool shrinks but keeps both leases.
    std::string toml = kConfig;
    const size_t tiny = toml.find("[[dhcp.scopes]]\nname = \"tiny\"");
    ASSERT_NE(tiny, std::string::npos);
    const std::string tiny_block = toml.substr(tiny);
    toml.erase(tiny);
    const size_t first = toml.find("[[dhcp.scopes]]");
    toml.insert(first, tiny_block);
    toml = edited(toml, R"(pools = ["198.18.0.105-198.18.0.109", "198.18.0.100-198.18.0.104"])",
                  R"(pools = ["198.18.0.100-198.18.0.102"])");

    auto swap = reload(toml);
    EXPECT_EQ(swap.kept, 2u);
    EXPECT_EQ(swap.dropped, 0u);
    ASSERT_EQ(service_->scope_names().size(), 4u);
    EXPECT_EQ(service_->scope_names()[0], "tiny");
    EXPECT_EQ(service_->scope_names()[1], "lan");
    const Lease* l = service_->engine().find(ip("198.18.0.100"));
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->scope, 1u);
    EXPECT_EQ(l->state, LeaseState::Bound);
    auto gauges = service_->scope_gauges();
    ASSERT_EQ(gauges->size(), 4u);
    EXPECT_EQ((*gauges)[1]->name, "lan");
    EXPECT_EQ((*gauges)[1]->pool_size.load(), 3u);
    EXPECT_EQ((*gauges)[1]->bound.load(), 2u);

    // The client renews its address under the new configuration.
    Decoded ack;
    ASSERT_TRUE(exchange(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast(), ack));
    EXPECT_EQ(ack.type(), MsgType::Ack);
    EXPECT_EQ(ip_str(ack.yiaddr), "198.18.0.100");
    // A new client gets the one address left in the shrunk pool, then the pool is full.
    EXPECT_EQ(dora(Req(MsgType::Discover, 3)), "198.18.0.102");
    const auto exhausted = static_cast<size_t>(Outcome::PoolExhausted);
    const uint64_t before = service_->stats().outcomes[exhausted].get();
    ASSERT_TRUE(channel_.requests.push(Req(MsgType::Discover, 4)));
    service_->poll(now_);
    EXPECT_EQ(service_->stats().outcomes[exhausted].get(), before + 1);
}

TEST_F(ServiceReload, LeasesOutsideTheNewPoolsEndAndLeaveStorage) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x50)), "198.18.0.50");  // reserved for this MAC
    // .100-.104 leave the pools, and the reservation now names another MAC.
    std::string toml =
        edited(kConfig, R"(pools = ["198.18.0.105-198.18.0.109", "198.18.0.100-198.18.0.104"])",
               R"(pools = ["198.18.0.105-198.18.0.109"])");
    toml =
        edited(toml, R"(hw_address = "02:00:00:00:00:50")", R"(hw_address = "02:00:00:00:00:77")");
    auto swap = reload(toml);
    EXPECT_EQ(swap.kept, 0u);
    EXPECT_EQ(swap.dropped, 3u);
    EXPECT_EQ(service_->engine().find(ip("198.18.0.100")), nullptr);
    EXPECT_EQ(service_->engine().find(ip("198.18.0.50")), nullptr);
    // The reservation's new owner gets its address; a returning client a pool address.
    EXPECT_EQ(dora(Req(MsgType::Discover, 0x77)), "198.18.0.50");
    const std::string back = dora(Req(MsgType::Discover, 1));
    EXPECT_TRUE(std::regex_match(back, std::regex(R"(198\.18\.0\.10[5-9])"))) << back;

    // On disk: the dropped leases are gone, the new ones are there.
    std::map<std::string, LeaseState> on_disk;
    for (const auto& l : stored()) on_disk[ip_str(l.ip)] = l.state;
    EXPECT_EQ(on_disk.count("198.18.0.100"), 0u);
    EXPECT_EQ(on_disk.count("198.18.0.101"), 0u);
    ASSERT_EQ(on_disk.count("198.18.0.50"), 1u);
    EXPECT_EQ(on_disk["198.18.0.50"], LeaseState::Bound);
    ASSERT_EQ(on_disk.count(back), 1u);
}

TEST_F(ServiceReload, GenerationsCarryOverSoSweeperEntriesStayValid) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const Lease before = *service_->engine().find(ip("198.18.0.100"));
    control::sweeper::ExpiryEntry e;
    ASSERT_TRUE(to_expiry_entry(before, e));
    auto swap = reload(kConfig);
    EXPECT_EQ(swap.kept, 1u);
    // The entry made before the reload expires the lease in the new engine when due.
    Lease out;
    LeaseEvent ev{};
    EXPECT_TRUE(service_->engine().expire_if_current(e.lease_ip, e.generation, e.expires, out, ev));
    EXPECT_EQ(ev, LeaseEvent::Expired);
    // And a later grant still gets a generation above every carried-over one.
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    EXPECT_GT(service_->engine().find(ip("198.18.0.101"))->generation, out.generation);
}

// A reload in slices (the Reloader's way): DHCP is served from the running engine between
// slices, and what changed there after its copy is copied again before the swap.
TEST_F(ServiceReload, InSlicesWhatChangesBetweenSlicesIsCopiedAgain) {
    for (uint8_t c = 1; c <= 4; ++c)
        ASSERT_EQ(dora(Req(MsgType::Discover, c)), "198.18.0.10" + std::to_string(c - 1));
    // The new pools no longer hold .103.
    next_cfg_ = load(
        edited(
            kConfig, R"(pools = ["198.18.0.105-198.18.0.109", "198.18.0.100-198.18.0.104"])",
            R"(pools = ["198.18.0.105-198.18.0.109", "198.18.0.100-198.18.0.102", "198.18.0.104-198.18.0.104"])")
            .c_str());
    service_->begin_engine_move(std::make_unique<LeaseEngine>(next_cfg_));
    ASSERT_TRUE(service_->engine_moving());
    EXPECT_FALSE(service_->move_engine_slice(2));  // .100 and .101 copied

    // Meanwhile: client 1 releases .100, client 2 renews .101, client 4 renews .103 (which
    // will not fit), client 5 is granted .104; all from the running engine.
    ASSERT_TRUE(channel_.requests.push(Req(MsgType::Release, 1).ciaddr("198.18.0.100")));
    service_->poll(now_);
    now_ += 60;
    Decoded ack;
    ASSERT_TRUE(exchange(Req(MsgType::Request, 2).ciaddr("198.18.0.101").unicast(), ack));
    ASSERT_EQ(ack.type(), MsgType::Ack);
    ASSERT_TRUE(exchange(Req(MsgType::Request, 4).ciaddr("198.18.0.103").unicast(), ack));
    ASSERT_EQ(ack.type(), MsgType::Ack);
    ASSERT_EQ(dora(Req(MsgType::Discover, 5)), "198.18.0.104");
    const Lease renewed = *service_->engine().find(ip("198.18.0.101"));
    const Lease granted = *service_->engine().find(ip("198.18.0.104"));

    int slices = 0;
    while (!service_->move_engine_slice(2)) ASSERT_LT(++slices, 10);
    EXPECT_GE(slices, 1);
    auto swap = service_->finish_engine_move();
    EXPECT_FALSE(service_->engine_moving());
    EXPECT_EQ(swap.kept, 4u);     // .100 (released), .101, .102, .104
    EXPECT_EQ(swap.dropped, 1u);  // .103, once, as it was after its renewal
    const auto& e = service_->engine();
    ASSERT_NE(e.find(ip("198.18.0.100")), nullptr);
    EXPECT_EQ(e.find(ip("198.18.0.100"))->state, LeaseState::Released);
    ASSERT_NE(e.find(ip("198.18.0.101")), nullptr);
    EXPECT_EQ(e.find(ip("198.18.0.101"))->generation, renewed.generation);
    EXPECT_EQ(e.find(ip("198.18.0.101"))->expires, renewed.expires);
    ASSERT_NE(e.find(ip("198.18.0.104")), nullptr);
    EXPECT_EQ(e.find(ip("198.18.0.104"))->generation, granted.generation);
    EXPECT_EQ(e.find(ip("198.18.0.104"))->state, LeaseState::Bound);
    EXPECT_EQ(e.find(ip("198.18.0.103")), nullptr);
    // The new engine serves on: client 1 gets its address back, client 3 renews.
    EXPECT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_TRUE(exchange(Req(MsgType::Request, 3).ciaddr("198.18.0.102").unicast(), ack));
    EXPECT_EQ(ack.type(), MsgType::Ack);

    std::map<std::string, LeaseState> on_disk;
    for (const auto& l : stored()) on_disk[ip_str(l.ip)] = l.state;
    EXPECT_EQ(on_disk.count("198.18.0.103"), 0u);
    EXPECT_EQ(on_disk["198.18.0.104"], LeaseState::Bound);
    EXPECT_EQ(on_disk["198.18.0.100"], LeaseState::Bound);
}

TEST_F(ServiceReload, QueueDepthsAreSampledEveryPoll) {
    DhcpRequest d = Req(MsgType::Discover, 9);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(channel_.requests.push(d));
    ASSERT_EQ(service_->queue_gauges().size(), 1u);
    service_->poll(now_);
    // Seen at the start of the poll: five waiting; afterwards all were taken.
    EXPECT_EQ(service_->queue_gauges()[0]->requests_peak.load(), 5u);
    service_->poll(now_);
    EXPECT_EQ(service_->queue_gauges()[0]->requests.load(), 0u);
    EXPECT_GE(service_->queue_gauges()[0]->replies.load(), 1u);  // offers not yet taken by a worker
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
