// DHCPv6 client messages as the generator encodes them (direct and in a Relay-Forward),
// decoded by the appliance's parser (parse_request6); Advertises and Replies encoded by the
// appliance's lease engine (Engine6), decoded by the generator (parse_reply6).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "loadgen/dhcp6_msg.hpp"
#include "tests/unit/loadgen/appliance_side6.hpp"

namespace edgelease::loadgen {
namespace {

using namespace test;
using dataplane::dhcp::Dhcp6Request;
using dataplane::dhcp::Ia6;
using dataplane::dhcp::Parse6Error;
using dataplane::dhcp::parse_request6;

const uint8_t kDuid[] = {0, 3, 0, 1, 0x02, 0x4c, 0x47, 0, 0, 7};

std::unique_ptr<Dhcp6Request> parsed(const uint8_t* p, uint16_t n) {
    auto r = std::make_unique<Dhcp6Request>();
    const Parse6Error e = parse_request6(p, n, *r);
    EXPECT_EQ(e, Parse6Error::None) << dataplane::dhcp::kParse6ErrorNames[static_cast<size_t>(e)];
    return r;
}

Request6Spec solicit() {
    Request6Spec s;
    s.type = Msg6Type::Solicit;
    s.xid = 0xabcdef;
    s.client_id = kDuid;
    s.client_id_len = sizeof kDuid;
    s.ia_na = s.ia_pd = true;
    s.na_iaid = 7;
    s.pd_iaid = 7;
    return s;
}

TEST(Dhcp6Msg, SolicitCarriesEveryOptionAsked) {
    Request6Spec s = solicit();
    s.xid = 0x12abcdef;  // only the low 24 bits go out
    s.rapid_commit = true;
    s.elapsed = 150;
    s.fqdn = "lg-7";
    s.fqdn_len = 4;
    uint8_t out[512];
    const uint16_t n = encode_request6(s, out, sizeof out);
    ASSERT_NE(n, 0);
    auto r = parsed(out, n);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0xabcdefu);
    EXPECT_EQ(r->relay_count, 0);
    ASSERT_EQ(r->client_id_len, sizeof kDuid);
    EXPECT_EQ(std::memcmp(r->client_id, kDuid, sizeof kDuid), 0);
    EXPECT_EQ(r->server_id_len, 0);
    EXPECT_TRUE(r->rapid_commit);
    EXPECT_TRUE(r->has_elapsed);
    EXPECT_EQ(r->elapsed, 150);
    ASSERT_EQ(r->ia_count, 2);
    EXPECT_EQ(r->ias[0].type, Ia6::kNa);
    EXPECT_EQ(r->ias[0].iaid, 7u);
    EXPECT_EQ(r->ias[0].hint_count, 0);
    EXPECT_EQ(r->ias[1].type, Ia6::kPd);
    EXPECT_EQ(r->ias[1].hint_count, 0);
    ASSERT_EQ(r->oro_len, 2);
    EXPECT_EQ(r->oro[0], 23);
    EXPECT_EQ(r->oro[1], 24);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, 0x01);  // S: the server updates the AAAA
    ASSERT_EQ(r->fqdn_len, 5);       // a partial name: one label, no root
    EXPECT_EQ(r->fqdn[0], 4);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r->fqdn + 1), 4), "lg-7");
}

TEST(Dhcp6Msg, RequestRenewAndReleaseNameTheServerAndWhatTheClientHolds) {
    const uint8_t server[] = {0, 1, 0, 1, 0x30, 0, 0, 1, 2, 0, 0, 0, 0, 1};
    for (Msg6Type t : {Msg6Type::Request, Msg6Type::Renew, Msg6Type::Release}) {
        Request6Spec s = solicit();
        s.type = t;
        s.server_id = server;
        s.server_id_len = sizeof server;
        s.na_has_addr = true;
        s.na_addr = ip6("2001:db8::1:5");
        s.pd_len = 56;
        s.pd_prefix = ip6("2001:db8:8000:500::");
        uint8_t out[512];
        const uint16_t n = encode_request6(s, out, sizeof out);
        ASSERT_NE(n, 0);
        auto r = parsed(out, n);
        EXPECT_EQ(r->msg_type, t);
        ASSERT_EQ(r->server_id_len, sizeof server);
        EXPECT_EQ(std::memcmp(r->server_id, server, sizeof server), 0);
        ASSERT_EQ(r->ia_count, 2);
        ASSERT_EQ(r->ias[0].hint_count, 1);
        EXPECT_EQ(r->ias[0].hints[0].addr, ip6("2001:db8::1:5"));
        EXPECT_EQ(r->ias[0].hints[0].prefix_len, 128);
        ASSERT_EQ(r->ias[1].hint_count, 1);
        EXPECT_EQ(r->ias[1].hints[0].addr, ip6("2001:db8:8000:500::"));
        EXPECT_EQ(r->ias[1].hints[0].prefix_len, 56);
        EXPECT_EQ(r->oro_len, t == Msg6Type::Release ? 0 : 2) << "no ORO in a Release";
    }
}

TEST(Dhcp6Msg, RelayForwardIsUnwrappedByTheAppliance) {
    const char iid[] = "lg-circuit-7";
    RelaySpec rs;
    rs.link_addr = ip6("2001:db8:1::3");
    rs.peer_addr = ip6("fe80::4c:47ff:fe00:7");
    rs.interface_id = reinterpret_cast<const uint8_t*>(iid);
    rs.interface_id_len = 12;
    const uint16_t head = relay_forward_overhead(rs);
    EXPECT_EQ(head, 34 + 4 + 12 + 4);
    uint8_t out[512];
    const uint16_t inner = encode_request6(solicit(), out + head, sizeof out - head);
    ASSERT_NE(inner, 0);
    const uint16_t n = wrap_relay_forward(rs, out, sizeof out, inner);
    ASSERT_EQ(n, head + inner);
    auto r = parsed(out, n);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    ASSERT_EQ(r->relay_count, 1);
    EXPECT_EQ(r->relays[0].hop_count, 0);
    EXPECT_EQ(r->relays[0].link_addr, rs.link_addr);
    EXPECT_EQ(r->relays[0].peer_addr, rs.peer_addr);
    ASSERT_TRUE(r->relays[0].has_interface_id);
    EXPECT_EQ(
        std::string(reinterpret_cast<const char*>(r->relay_bytes + r->relays[0].interface_id_off),
                    r->relays[0].interface_id_len),
        iid);
    EXPECT_EQ(r->ia_count, 2);
    EXPECT_EQ(wrap_relay_forward(rs, out, static_cast<uint16_t>(n - 1), inner), 0);
}

TEST(Dhcp6Msg, RefusesWhatDoesNotFitOrCannotBeSent) {
    uint8_t out[512];
    Request6Spec s = solicit();
    const uint16_t n = encode_request6(s, out, sizeof out);
    ASSERT_NE(n, 0);
    for (uint16_t cap = 0; cap < n; ++cap) EXPECT_EQ(encode_request6(s, out, cap), 0) << cap;
    EXPECT_EQ(encode_request6(s, out, n), n);
    s.client_id_len = 0;  // every client message but Information-request needs one (§16)
    EXPECT_EQ(encode_request6(s, out, sizeof out), 0);
    s = solicit();
    s.fqdn = "x";
    s.fqdn_len = 64;  // a label is at most 63 bytes
    EXPECT_EQ(encode_request6(s, out, sizeof out), 0);
}

/// The engine's answer to a message the generator encoded (parsed by the appliance).
struct EngineAnswer {
    control::dhcp::Outcome outcome;
    Bytes payload;
};
EngineAnswer engine_answer(control::dhcp::Engine6& e, const uint8_t* msg, uint16_t n,
                           bool relayed = false) {
    auto req = parsed(msg, n);
    req->path.iface_index = 0;
    req->path.src_mac = mac("02:4c:47:00:00:07");
    req->path.src_ip = relayed ? ip6("2001:db8:1::1") : ip6("fe80::4c:47ff:fe00:7");
    req->path.dst_ip = relayed ? kServerIp6 : ip6("ff02::1:2");
    auto res = std::make_unique<control::dhcp::Result6>();
    e.handle(*req, 1'700'000'000, *res);
    EngineAnswer a{res->outcome, {}};
    if (res->has_reply) a.payload.assign(res->reply.payload, res->reply.payload + res->reply.len);
    return a;
}

TEST(Dhcp6Msg, ReadsTheAppliancesAdvertiseAndReply) {
    control::dhcp::Engine6 engine(config6(), kServerDuid);
    uint8_t out[512];
    uint16_t n = encode_request6(solicit(), out, sizeof out);
    auto adv = engine_answer(engine, out, n);
    ASSERT_FALSE(adv.payload.empty());
    Reply6Info r;
    ASSERT_TRUE(parse_reply6(adv.payload.data(), static_cast<uint16_t>(adv.payload.size()), r));
    EXPECT_EQ(r.type, Msg6Type::Advertise);
    EXPECT_EQ(r.xid, 0xabcdefu);
    EXPECT_EQ(r.relay_levels, 0);
    ASSERT_EQ(r.client_id_len, sizeof kDuid);
    EXPECT_EQ(std::memcmp(r.client_id, kDuid, sizeof kDuid), 0);
    ASSERT_EQ(r.server_id_len, kServerDuid.size());
    EXPECT_EQ(std::memcmp(r.server_id, kServerDuid.data(), kServerDuid.size()), 0);
    EXPECT_FALSE(r.rapid_commit);
    ASSERT_TRUE(r.na.present && r.na.bound);
    EXPECT_EQ(r.na.iaid, 7u);
    EXPECT_EQ(r.na.addr, ip6("2001:db8::1:0"));  // the pool's first address
    EXPECT_EQ(r.na.prefix_len, 128);
    EXPECT_EQ(r.na.valid, 3600u);
    EXPECT_EQ(r.na.preferred, 1800u);
    EXPECT_EQ(r.na.t1, 900u);
    ASSERT_TRUE(r.pd.present && r.pd.bound);
    EXPECT_EQ(r.pd.prefix_len, 56);
    EXPECT_TRUE(net::in_prefix(r.pd.addr, ip6("2001:db8:8000::"), 40));
    for (unsigned s = 0; s < kStatusSlots; ++s) EXPECT_EQ(r.statuses[s], 0) << s;

    // The Request for what was advertised: a Reply that binds both.
    Request6Spec q = solicit();
    q.type = Msg6Type::Request;
    q.server_id = r.server_id;
    q.server_id_len = static_cast<uint8_t>(r.server_id_len);
    q.na_has_addr = true;
    q.na_addr = r.na.addr;
    q.pd_len = r.pd.prefix_len;
    q.pd_prefix = r.pd.addr;
    n = encode_request6(q, out, sizeof out);
    auto reply = engine_answer(engine, out, n);
    Reply6Info p;
    ASSERT_TRUE(parse_reply6(reply.payload.data(), static_cast<uint16_t>(reply.payload.size()), p));
    EXPECT_EQ(p.type, Msg6Type::Reply);
    EXPECT_TRUE(p.na.bound);
    EXPECT_EQ(p.na.addr, ip6("2001:db8::1:0"));
    EXPECT_TRUE(p.pd.bound);
    EXPECT_EQ(p.pd.addr, r.pd.addr);

    // Release: a Reply with Success at the message level.
    q.type = Msg6Type::Release;
    n = encode_request6(q, out, sizeof out);
    auto rel = engine_answer(engine, out, n);
    ASSERT_TRUE(parse_reply6(rel.payload.data(), static_cast<uint16_t>(rel.payload.size()), p));
    EXPECT_EQ(p.type, Msg6Type::Reply);
    EXPECT_TRUE(p.has_status);
    EXPECT_EQ(p.status, 0);
    EXPECT_EQ(p.statuses[status_slot(0)], 1);
    // Renewing what is released: NoBinding in both IAs.
    q.type = Msg6Type::Renew;
    n = encode_request6(q, out, sizeof out);
    auto renew = engine_answer(engine, out, n);
    ASSERT_TRUE(parse_reply6(renew.payload.data(), static_cast<uint16_t>(renew.payload.size()), p));
    EXPECT_FALSE(p.na.bound);
    EXPECT_FALSE(p.pd.bound);
    EXPECT_TRUE(p.na.has_status);
    EXPECT_EQ(p.na.status, dataplane::wire::dhcp6::status::kNoBinding);
    EXPECT_EQ(p.statuses[status_slot(dataplane::wire::dhcp6::status::kNoBinding)], 2);
}

TEST(Dhcp6Msg, RapidCommitReplyAndRelayReplyAreRecognised) {
    control::dhcp::Engine6 engine(config6(), kServerDuid);
    const char iid[] = "lg-circuit-7";
    RelaySpec rs;
    rs.link_addr = ip6("2001:db8:1::1");
    rs.peer_addr = ip6("fe80::4c:47ff:fe00:7");
    rs.interface_id = reinterpret_cast<const uint8_t*>(iid);
    rs.interface_id_len = 12;
    const uint16_t head = relay_forward_overhead(rs);
    Request6Spec s = solicit();
    s.rapid_commit = true;
    uint8_t out[512];
    const uint16_t inner = encode_request6(s, out + head, sizeof out - head);
    const uint16_t n = wrap_relay_forward(rs, out, sizeof out, inner);
    auto a = engine_answer(engine, out, n, true);
    ASSERT_FALSE(a.payload.empty());
    Reply6Info r;
    ASSERT_TRUE(parse_reply6(a.payload.data(), static_cast<uint16_t>(a.payload.size()), r));
    EXPECT_EQ(r.type, Msg6Type::Reply);
    EXPECT_TRUE(r.rapid_commit);
    EXPECT_EQ(r.relay_levels, 1);
    EXPECT_EQ(r.link_addr, rs.link_addr);
    EXPECT_EQ(r.peer_addr, rs.peer_addr);
    ASSERT_EQ(r.interface_id_len, 12);
    EXPECT_EQ(std::memcmp(r.interface_id, iid, 12), 0);
    ASSERT_TRUE(r.na.bound);
    EXPECT_TRUE(net::in_prefix(r.na.addr, ip6("2001:db8:1::"), 64));  // the relay's link
    ASSERT_TRUE(r.pd.bound);
    EXPECT_TRUE(net::in_prefix(r.pd.addr, ip6("2001:db8:9000::"), 40));
}

TEST(Dhcp6Msg, ExhaustedPoolsGiveStatusCodesInTheIas) {
    control::dhcp::Engine6 engine(config6(1, true, 56), kServerDuid);  // one address, one /56
    uint8_t out[512];
    uint8_t duid[sizeof kDuid];
    for (uint8_t k = 0; k < 2; ++k) {
        std::memcpy(duid, kDuid, sizeof duid);
        duid[9] = k;
        Request6Spec s = solicit();
        s.client_id = duid;
        s.rapid_commit = true;
        const uint16_t n = encode_request6(s, out, sizeof out);
        auto a = engine_answer(engine, out, n);
        Reply6Info r;
        ASSERT_TRUE(parse_reply6(a.payload.data(), static_cast<uint16_t>(a.payload.size()), r));
        EXPECT_EQ(r.na.bound, k == 0);
        EXPECT_EQ(r.pd.bound, k == 0);
        if (k == 1) {
            EXPECT_EQ(r.na.status, dataplane::wire::dhcp6::status::kNoAddrsAvail);
            EXPECT_EQ(r.pd.status, dataplane::wire::dhcp6::status::kNoPrefixAvail);
            EXPECT_EQ(r.statuses[2], 1);
            EXPECT_EQ(r.statuses[6], 1);
            EXPECT_EQ(a.outcome, control::dhcp::Outcome::PoolExhausted);
        }
    }
    EXPECT_STREQ(status_slot_name(2), "NoAddrsAvail");
    EXPECT_STREQ(status_slot_name(6), "NoPrefixAvail");
    EXPECT_STREQ(status_slot_name(status_slot(9)), "other");
}

TEST(Dhcp6Msg, ParseRefusesClientMessagesAndBrokenOnes) {
    uint8_t out[512];
    const uint16_t n = encode_request6(solicit(), out, sizeof out);
    Reply6Info r;
    EXPECT_FALSE(parse_reply6(out, n, r)) << "a Solicit is no server message";

    control::dhcp::Engine6 engine(config6(), kServerDuid);
    auto a = engine_answer(engine, out, n);
    ASSERT_TRUE(parse_reply6(a.payload.data(), static_cast<uint16_t>(a.payload.size()), r));
    // Every cut either fails or still names both DUIDs (it ended on an option boundary);
    // none reads past the end (ASan).
    for (size_t cut = 0; cut < a.payload.size(); ++cut) {
        Bytes b(a.payload.begin(), a.payload.begin() + static_cast<long>(cut));
        if (parse_reply6(b.data(), static_cast<uint16_t>(b.size()), r)) {
            EXPECT_NE(r.client_id, nullptr);
            EXPECT_NE(r.server_id, nullptr);
        }
    }
    Bytes bad = a.payload;
    bad[6] = 0xff;  // the Client Identifier's length runs past the end
    EXPECT_FALSE(parse_reply6(bad.data(), static_cast<uint16_t>(bad.size()), r));
    // A Relay-Reply without a Relay Message option.
    uint8_t rr[34] = {13};
    EXPECT_FALSE(parse_reply6(rr, sizeof rr, r));
}

}  // namespace
}  // namespace edgelease::loadgen
