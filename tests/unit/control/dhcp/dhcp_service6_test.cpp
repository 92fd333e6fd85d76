// The DHCPv6 half of the DHCP service over a real LMDB lease store: requests through a
// worker channel's v6 queue, Replies that bind held until their lease is durable, leases
// back after a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "control/dhcp/dhcp_service.hpp"
#include "tests/unit/temp_dir.hpp"

namespace edgelease::control::dhcp {
namespace {

net::Ipv6Addr ip6(const char* s) {
    return *net::parse_ipv6(s);
}

config::Config v6_config() {
    config::Config c;
    config::InterfaceConfig ifc;
    ifc.port = "net_tap0";
    net::IfAddress a;
    a.is_v6 = true;
    a.v6 = ip6("2001:db8::1");
    a.prefix_len = 64;
    ifc.addresses.push_back(a);
    c.interfaces.push_back(ifc);
    config::Scope6Config s;
    s.name = "lan6";
    s.prefix.is_v6 = true;
    s.prefix.v6 = ip6("2001:db8::");
    s.prefix.prefix_len = 64;
    s.pools.push_back({ip6("2001:db8::1000"), ip6("2001:db8::1fff"), {}});
    c.dhcp6.scopes.push_back(s);
    return c;
}

const std::vector<uint8_t> kServerDuid{0, 1, 0, 1, 1, 2, 3, 4, 2, 0, 0, 0, 0, 1};

Dhcp6Request request(Msg6Type type, uint8_t who) {
    Dhcp6Request r{};
    r.msg_type = type;
    r.xid = 0xabcdef;
    r.path.src_mac = net::MacAddr{{2, 0, 0, 0, 1, who}};
    r.path.src_ip = ip6("fe80::5");
    r.path.dst_ip = ip6("ff02::1:2");
    const uint8_t duid[] = {0, 3, 0, 1, 2, 0, 0, 0, 1, who};
    r.client_id_len = sizeof duid;
    std::memcpy(r.client_id, duid, sizeof duid);
    r.ia_count = 1;
    r.ias[0].type = Ia6::kNa;
    r.ias[0].iaid = 1;
    return r;
}

class Service6 : public testing::Test {
  protected:
    void start() {
        store_ = std::make_unique<store::LeaseStore>(dir_.str(), true);
        store_->start();
        service_ =
            std::make_unique<DhcpService>(cfg_, std::vector<DhcpChannel*>{channel_.get()}, *store_);
        service_->enable_v6(cfg_, store_->server_duid(net::MacAddr{{2, 0, 0, 0, 0, 1}}, now_));
        service_->restore(now_);
    }
    /// Hands `r` to the service and polls until its answer comes back (at most 5 s).
    bool exchange(const Dhcp6Request& r, Dhcp6Reply& out) {
        if (!channel_->requests6.push(r)) return false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            service_->poll(now_);
            if (channel_->replies6.pop(out)) return true;
        }
        return false;
    }
    Dhcp6Request with_sid(Dhcp6Request r) {
        const auto& sid = service_->engine6()->server_duid();
        r.server_id_len = static_cast<uint8_t>(sid.size());
        std::memcpy(r.server_id, sid.data(), sid.size());
        return r;
    }

    edgelease::test::TempDir dir_;
    config::Config cfg_ = v6_config();
    std::unique_ptr<DhcpChannel> channel_ = std::make_unique<DhcpChannel>();
    std::unique_ptr<store::LeaseStore> store_;
    std::unique_ptr<DhcpService> service_;
    int64_t now_ = 1'800'000'000;
    Dhcp6Reply reply_;
};

TEST_F(Service6, AdvertiseAtOnceReplyOnlyOnceDurableLeasesSurviveRestart) {
    start();
    ASSERT_TRUE(service_->serves_v6());
    ASSERT_TRUE(exchange(request(Msg6Type::Solicit, 1), reply_));
    EXPECT_EQ(reply_.payload[0], 2) << "Advertise";
    EXPECT_EQ(service_->stats().held.get(), 0u);
    EXPECT_EQ(service_->stats().replies6[2].get(), 1u);
    ASSERT_TRUE(exchange(with_sid(request(Msg6Type::Request, 1)), reply_));
    EXPECT_EQ(reply_.payload[0], 7) << "Reply";
    EXPECT_EQ(service_->stats().held.get(), 1u) << "a Reply that binds waits for its commit";
    EXPECT_GE(store_->done_seq(), 1u) << "and leaves only once the lease is durable";
    EXPECT_EQ(service_->stats().requests6[3].get(), 1u);
    EXPECT_EQ(service_->stats().outcomes6[0].get(), 2u);
    // A Request for another server is counted and not answered.
    auto other = request(Msg6Type::Request, 2);
    other.server_id_len = 4;
    ASSERT_TRUE(channel_->requests6.push(other));
    service_->poll(now_);
    EXPECT_FALSE(channel_->replies6.pop(reply_));
    EXPECT_EQ(service_->stats().outcomes6[static_cast<size_t>(Outcome::NotForUs)].get(), 1u);

    const auto duid = service_->engine6()->server_duid();
    service_.reset();
    store_.reset();
    start();
    EXPECT_EQ(service_->engine6()->server_duid(), duid) << "the server DUID is kept";
    const Lease6* l = service_->engine6()->find(Lease6Key{IaKind::Na, 128, ip6("2001:db8::1000")});
    ASSERT_NE(l, nullptr) << "the lease came back from LMDB";
    EXPECT_EQ(l->state, LeaseState::Bound);
    // Valid lifetime over: expired by the service's once-a-second pass, and written.
    now_ += 3601;
    service_->poll(now_);
    EXPECT_EQ(service_->stats().expired6.get(), 1u);
    EXPECT_EQ(service_->engine6()->find(l->key)->state, LeaseState::Expired);
}

TEST_F(Service6, WithoutV6ScopesRequestsAreCountedNotAnswered) {
    cfg_.dhcp6.scopes.clear();
    start();
    EXPECT_FALSE(service_->serves_v6());
    ASSERT_TRUE(channel_->requests6.push(request(Msg6Type::Solicit, 1)));
    service_->poll(now_);
    EXPECT_FALSE(channel_->replies6.pop(reply_));
    EXPECT_EQ(service_->stats().outcomes6[static_cast<size_t>(Outcome::NoScope)].get(), 1u);
}

}  // namespace
}  // namespace edgelease::control::dhcp

namespace edgelease::control::dhcp {
namespace {

TEST_F(Service6, ReloadKeepsLeasesThatFitAndEndsTheOthers) {
    start();
    ASSERT_TRUE(exchange(with_sid(request(Msg6Type::Request, 1)), reply_));
    ASSERT_TRUE(exchange(with_sid(request(Msg6Type::Request, 2)), reply_));
    ASSERT_NE(service_->engine6()->find(Lease6Key{IaKind::Na, 128, ip6("2001:db8::1001")}),
              nullptr);
    // The pool shrinks to one address: the lease at ::1001 ends and its record is deleted.
    auto next = cfg_;
    next.dhcp6.scopes[0].pools[0].last = ip6("2001:db8::1000");
    auto swap =
        service_->replace_engine6(std::make_unique<Engine6>(next, service_->server_duid()), now_);
    EXPECT_EQ(swap.kept, 1u);
    EXPECT_EQ(swap.dropped, 1u);
    EXPECT_EQ(service_->engine6()->find(Lease6Key{IaKind::Na, 128, ip6("2001:db8::1001")}),
              nullptr);
    ASSERT_NE(service_->engine6()->find(Lease6Key{IaKind::Na, 128, ip6("2001:db8::1000")}),
              nullptr);
    service_->poll(now_);  // wakes the writer for the delete
    service_.reset();
    store_.reset();
    size_t skipped = 0;
    EXPECT_EQ(store::read_leases6(dir_.str(), skipped).size(), 1u) << "the ended lease is deleted";
    // No v6 scope any more: every v6 lease ends.
    start();
    auto none = service_->replace_engine6(nullptr, now_);
    EXPECT_EQ(none.dropped, 1u);
    EXPECT_FALSE(service_->serves_v6());
}

}  // namespace
}  // namespace edgelease::control::dhcp

namespace edgelease::control::dhcp {
namespace {

Dhcp6Request relayed(Dhcp6Request r, const char* relay) {
    r.path.src_ip = ip6(relay);
    r.relay_count = 1;
    r.relays[0].link_addr = ip6("2001:db8::1");
    r.relays[0].peer_addr = ip6("fe80::5");
    return r;
}

// A flood of made-up DUIDs behind one relay is held to [dhcp6].relay_solicit_rate in each
// second; another relay, a Request and the next second are not held back.
TEST_F(Service6, SolicitsOverTheRelayRateAreDroppedAndCounted) {
    cfg_.dhcp6.relay_solicit_rate = 5;
    start();
    unsigned answered = 0;
    for (uint8_t i = 0; i < 20; ++i) {
        ASSERT_TRUE(
            channel_->requests6.push(relayed(request(Msg6Type::Solicit, i), "2001:db8:1::1")));
        service_->poll(now_);
        answered += channel_->replies6.pop(reply_) ? 1 : 0;
    }
    EXPECT_EQ(answered, 5u);
    EXPECT_EQ(service_->stats().relay_limited6.get(), 15u);
    ASSERT_TRUE(exchange(relayed(request(Msg6Type::Solicit, 30), "2001:db8:2::1"), reply_))
        << "another relay has its own allowance";
    ASSERT_TRUE(
        exchange(with_sid(relayed(request(Msg6Type::Request, 31), "2001:db8:1::1")), reply_))
        << "a Request finishes an exchange: never held back";
    EXPECT_EQ(reply_.payload[0], 13) << "Relay-Reply";
    ++now_;
    ASSERT_TRUE(exchange(relayed(request(Msg6Type::Solicit, 32), "2001:db8:1::1"), reply_))
        << "the next second brings a new allowance";
    EXPECT_EQ(service_->stats().relay_limited6.get(), 15u);
}

TEST_F(Service6, DirectSolicitsAreNotRelayLimited) {
    cfg_.dhcp6.relay_solicit_rate = 5;
    start();
    for (uint8_t i = 0; i < 20; ++i)
        ASSERT_TRUE(exchange(request(Msg6Type::Solicit, i), reply_)) << "client " << int{i};
    EXPECT_EQ(service_->stats().relay_limited6.get(), 0u);
}

TEST(RelayLimiter6, ByFullAddressAndZeroMeansNoLimit) {
    RelayLimiter6 off(0);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.allow(ip6("2001:db8::1"), 1));
    RelayLimiter6 two(2);
    EXPECT_TRUE(two.allow(ip6("2001:db8::1"), 1));
    EXPECT_TRUE(two.allow(ip6("2001:db8::1"), 1));
    EXPECT_FALSE(two.allow(ip6("2001:db8::1"), 1));
    EXPECT_TRUE(two.allow(ip6("2001:db8:0:0:1::1"), 1)) << "differs in the low half only";
    EXPECT_TRUE(two.allow(ip6("2001:db9::1"), 1)) << "differs in the high half only";
}

TEST_F(Service6, ScopeGaugesCountAddressesPrefixesAndBindings) {
    config::PdPoolConfig pd;
    pd.prefix.is_v6 = true;
    pd.prefix.v6 = ip6("2001:db8:8000::");
    pd.prefix.prefix_len = 48;
    pd.delegated_length = 56;
    cfg_.dhcp6.scopes[0].pd_pools.push_back(pd);
    start();
    auto gauges = service_->scope_gauges6();
    ASSERT_TRUE(gauges);
    ASSERT_EQ(gauges->size(), 1u);
    const auto& g = *(*gauges)[0];
    EXPECT_EQ(g.name, "lan6");
    EXPECT_EQ(g.addresses.load(), 4096u);
    EXPECT_EQ(g.prefixes.load(), 256u);
    EXPECT_EQ(g.addresses_bound.load(), 0u);
    auto both = with_sid(request(Msg6Type::Request, 1));
    both.ia_count = 2;
    both.ias[1].type = Ia6::kPd;
    both.ias[1].iaid = 2;
    ASSERT_TRUE(exchange(both, reply_));
    ++now_;
    service_->poll(now_);  // the once-a-second refresh
    EXPECT_EQ(g.addresses_bound.load(), 1u);
    EXPECT_EQ(g.prefixes_bound.load(), 1u);
    // A reload gives a new list, by the new scopes' names.
    auto next = cfg_;
    next.dhcp6.scopes[0].name = "wan6";
    service_->replace_engine6(std::make_unique<Engine6>(next, service_->server_duid()), now_);
    auto after = service_->scope_gauges6();
    ASSERT_EQ(after->size(), 1u);
    EXPECT_EQ((*after)[0]->name, "wan6");
    EXPECT_EQ(g.name, "lan6") << "the old snapshot stays valid for a reader that holds it";
}

}  // namespace
}  // namespace edgelease::control::dhcp
