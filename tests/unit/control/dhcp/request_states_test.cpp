// DHCPREQUEST in each client state of RFC 2131 §4.3.2, as a table: the set-up that puts the
// server in a known state, the request, and what the server must do.
#include <functional>

#include "tests/unit/control/dhcp/engine_fixture.hpp"

namespace edgelease::control::dhcp::test {
namespace {

struct StateCase {
    const char* name;
    std::function<void(EngineTest&)> setup;  // runs before the request, at the same clock
    std::function<Req()> request;
    Outcome outcome;
    MsgType reply;       // None = no reply
    const char* yiaddr;  // checked for ACKs
    LeaseEvent event;
    const char* dst_ip;  // reply destination, "" = not checked
};

/// A fixture instance for one table row.
struct Harness : EngineTest {
    void TestBody() override {}
};

void offer_100(EngineTest& t) {
    ASSERT_EQ(t.offer(Req(MsgType::Discover, 1)), "198.18.0.100");
}
void bind_100(EngineTest& t) {
    ASSERT_EQ(t.dora(Req(MsgType::Discover, 1)), "198.18.0.100");
}

Req selecting(uint8_t who, const char* server, const char* addr) {
    return std::move(Req(MsgType::Request, who).server(server).requested(addr));
}

const StateCase kCases[] = {
    // SELECTING: server id + requested address, ciaddr 0.
    {"selecting_ok", offer_100, [] { return selecting(1, "198.18.0.1", "198.18.0.100"); },
     Outcome::Answered, MsgType::Ack, "198.18.0.100", LeaseEvent::Granted, "198.18.0.100"},
    {"selecting_other_server", offer_100,
     [] { return selecting(1, "198.18.0.99", "198.18.0.100"); }, Outcome::NotForUs, MsgType::None,
     nullptr, LeaseEvent::OfferExpired, ""},
    {"selecting_wrong_address", offer_100,
     [] { return selecting(1, "198.18.0.1", "198.18.0.105"); }, Outcome::Nak, MsgType::Nak, nullptr,
     LeaseEvent::None, "255.255.255.255"},
    {"selecting_wrong_network", offer_100, [] { return selecting(1, "198.18.0.1", "198.18.1.10"); },
     Outcome::Nak, MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"selecting_without_requested_address", offer_100,
     [] { return std::move(Req(MsgType::Request, 1).server("198.18.0.1")); }, Outcome::Invalid,
     MsgType::None, nullptr, LeaseEvent::None, ""},
    {"selecting_after_offer_expired_free_address", [](EngineTest&) {},
     [] { return selecting(1, "198.18.0.1", "198.18.0.104"); }, Outcome::Answered, MsgType::Ack,
     "198.18.0.104", LeaseEvent::Granted, "198.18.0.104"},
    {"selecting_someone_elses_address", bind_100,
     [] { return selecting(2, "198.18.0.1", "198.18.0.100"); }, Outcome::Nak, MsgType::Nak, nullptr,
     LeaseEvent::None, "255.255.255.255"},
    // INIT-REBOOT: requested address, no server id, ciaddr 0.
    {"init_reboot_ok", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).requested("198.18.0.100")); },
     Outcome::Answered, MsgType::Ack, "198.18.0.100", LeaseEvent::Renewed, "198.18.0.100"},
    {"init_reboot_wrong_network", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).requested("198.18.2.10")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"init_reboot_other_address_of_known_client", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).requested("198.18.0.103")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"init_reboot_unknown_client_silent", bind_100,
     [] { return std::move(Req(MsgType::Request, 9).requested("198.18.0.103")); },
     Outcome::NotForUs, MsgType::None, nullptr, LeaseEvent::None, ""},
    {"init_reboot_someone_elses_address", bind_100,
     [] { return std::move(Req(MsgType::Request, 9).requested("198.18.0.100")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"init_reboot_reserved_for_someone_else", [](EngineTest&) {},
     [] { return std::move(Req(MsgType::Request, 9).requested("198.18.0.50")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"init_reboot_reserved_client_without_lease", [](EngineTest&) {},
     [] { return std::move(Req(MsgType::Request, 0x50).requested("198.18.0.50")); },
     Outcome::Answered, MsgType::Ack, "198.18.0.50", LeaseEvent::Granted, "198.18.0.50"},
    // RENEWING: ciaddr, unicast to us. The ACK goes to ciaddr.
    {"renewing_ok", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast()); },
     Outcome::Answered, MsgType::Ack, "198.18.0.100", LeaseEvent::Renewed, "198.18.0.100"},
    {"renewing_unknown_client", bind_100,
     [] { return std::move(Req(MsgType::Request, 7).ciaddr("198.18.0.103").unicast()); },
     Outcome::Nak, MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"renewing_someone_elses_address", bind_100,
     [] { return std::move(Req(MsgType::Request, 7).ciaddr("198.18.0.100").unicast()); },
     Outcome::Nak, MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"renewing_naming_another_server", bind_100,
     [] {
         return std::move(
             Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast().server("198.18.0.99"));
     },
     Outcome::NotForUs, MsgType::None, nullptr, LeaseEvent::None, ""},
    // REBINDING: ciaddr, broadcast.
    {"rebinding_ok", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).ciaddr("198.18.0.100")); }, Outcome::Answered,
     MsgType::Ack, "198.18.0.100", LeaseEvent::Renewed, "198.18.0.100"},
    {"rebinding_unknown_client", bind_100,
     [] { return std::move(Req(MsgType::Request, 7).ciaddr("198.18.0.104")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    {"rebinding_wrong_network", bind_100,
     [] { return std::move(Req(MsgType::Request, 1).ciaddr("198.18.1.10")); }, Outcome::Nak,
     MsgType::Nak, nullptr, LeaseEvent::None, "255.255.255.255"},
    // A REQUEST with none of the fields that tell its state.
    {"request_without_state", bind_100, [] { return Req(MsgType::Request, 1); }, Outcome::Invalid,
     MsgType::None, nullptr, LeaseEvent::None, ""},
};

void PrintTo(const StateCase& c, std::ostream* os) {
    *os << c.name;
}

class RequestStateTable : public testing::TestWithParam<StateCase> {};

TEST_P(RequestStateTable, Rfc2131Section432) {
    const StateCase& c = GetParam();
    Harness t;
    c.setup(t);
    const Result& r = t.run(c.request());
    EXPECT_EQ(r.outcome, c.outcome);
    EXPECT_EQ(r.event, c.event);
    if (c.reply == MsgType::None) {
        EXPECT_FALSE(r.has_reply);
        return;
    }
    ASSERT_TRUE(r.has_reply);
    Decoded d = decode(r.reply);
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.type(), c.reply);
    EXPECT_EQ(d.u32(54), ip("198.18.0.1"));
    if (c.reply == MsgType::Ack) {
        EXPECT_EQ(ip_str(d.yiaddr), c.yiaddr);
        const Lease* l = t.engine_.find(d.yiaddr);
        ASSERT_NE(l, nullptr);
        EXPECT_EQ(l->state, LeaseState::Bound);
        ASSERT_FALSE(r.changed.empty());
        EXPECT_EQ(r.changed.back().ip, d.yiaddr);
        EXPECT_EQ(r.changed.back().state, LeaseState::Bound);
    } else {
        // RFC 2131 Table 3: a NAK carries no address and none of the configuration options.
        EXPECT_EQ(d.yiaddr, 0u);
        EXPECT_EQ(d.ciaddr, 0u);
        EXPECT_FALSE(d.has(51));
        EXPECT_FALSE(d.has(1));
        EXPECT_FALSE(d.has(3));
        EXPECT_TRUE(r.changed.empty());
    }
    if (*c.dst_ip) {
        EXPECT_EQ(ip_str(r.reply.dst_ip), c.dst_ip);
        EXPECT_EQ(r.reply.dst_port, kClientPort);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, RequestStateTable, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<StateCase>& info) {
                             return std::string(info.param.name);
                         });

TEST_F(EngineTest, SelectingAnotherServerFreesOurOffer) {
    ASSERT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Request, 1).server("198.18.0.99").requested("198.18.0.100"));
    EXPECT_EQ(res_.outcome, Outcome::NotForUs);
    EXPECT_FALSE(res_.has_reply);
    ASSERT_EQ(res_.changed.size(), 1u);
    EXPECT_EQ(res_.events[0], LeaseEvent::OfferExpired);
    EXPECT_EQ(res_.changed[0].state, LeaseState::Free);  // the store deletes the record
    EXPECT_EQ(lease("198.18.0.100"), nullptr);
    // Never-used addresses go first; the dropped offer waits at the back of the FIFO.
    EXPECT_EQ(offer(Req(MsgType::Discover, 2)), "198.18.0.101");
}

TEST_F(EngineTest, RenewalExtendsTheLeaseAndBumpsGeneration) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const Lease first = *lease("198.18.0.100");
    EXPECT_EQ(first.expires, now_ + 3600);
    now_ += 1800;
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast());
    EXPECT_EQ(res_.event, LeaseEvent::Renewed);
    const Lease* l = lease("198.18.0.100");
    EXPECT_EQ(l->start, now_);
    EXPECT_EQ(l->expires, now_ + 3600);
    EXPECT_GT(l->generation, first.generation);
    Decoded d = reply();
    EXPECT_EQ(ip_str(d.ciaddr), "198.18.0.100");  // Table 3: ciaddr copied into the ACK
}

TEST_F(EngineTest, RenewalAfterExpiryWhileAddressStillFree) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    now_ += 4000;
    ASSERT_EQ(expire(now_).size(), 1u);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Expired);
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100"));
    EXPECT_EQ(res_.outcome, Outcome::Answered);
    EXPECT_EQ(res_.event, LeaseEvent::Granted);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
}

TEST_F(EngineTest, RoutedRenewalPicksTheScopeByCiaddr) {
    // A relayed client renews by unicast straight to us (no giaddr), arriving on the transit
    // interface: its ciaddr names the scope, and the ACK goes to it through the router.
    ASSERT_EQ(dora(Req(MsgType::Discover, 3).relay("198.18.1.1")), "198.18.1.10");
    Req renew(MsgType::Request, 3);
    renew.ciaddr("198.18.1.10").unicast("198.18.9.1").iface(1);
    renew.raw().path.src_mac = kRouterMac;
    run(renew);
    ASSERT_EQ(res_.outcome, Outcome::Answered);
    EXPECT_EQ(res_.event, LeaseEvent::Renewed);
    EXPECT_EQ(ip_str(res_.reply.dst_ip), "198.18.1.10");
    EXPECT_EQ(res_.reply.dst_mac, kRouterMac);
    EXPECT_EQ(ip_str(res_.reply.src_ip), "198.18.9.1");
    EXPECT_EQ(ip_str(reply().u32(54)), "198.18.9.1");
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
