// parse_request6 (dataplane/dhcp/frame6.cpp): every client message type field by field, the
// IA limits, option 39 (RFC 4704), the Relay-Forward chain from 1 to 8 levels with its relay
// options (RFC 4649, RFC 4580, RFC 6939, RFC 8357, interface-id) and every Parse6Error.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/dataplane/dhcp/dhcp6_builder.hpp"

namespace edgelease::dataplane::dhcp::test6 {
namespace {

using E = Parse6Error;

TEST(Dhcp6Parse, SolicitFieldByField) {
    const Parsed r = parse(solicit());
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0xabcdefu);
    EXPECT_EQ(r->relay_count, 0);
    EXPECT_FALSE(r->relay_source_port);
    EXPECT_EQ(r->relay_bytes_len, 0);
    EXPECT_EQ(r->remote_id_len, 0);
    EXPECT_EQ(r->subscriber_id_len, 0);
    EXPECT_FALSE(r->has_client_ll);
    EXPECT_EQ(client_duid(*r.req), kClientDuid);
    EXPECT_EQ(r->server_id_len, 0);
    EXPECT_TRUE(r->has_elapsed);
    EXPECT_EQ(r->elapsed, 250);
    EXPECT_EQ(oro_codes(*r.req), cat({be16(23), be16(24), be16(39), be16(82)}));
    EXPECT_TRUE(r->rapid_commit);
    EXPECT_TRUE(r->reconfigure_accept);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, 0x01);
    EXPECT_EQ(fqdn_name(*r.req), wire_name("host.lan."));
    EXPECT_FALSE(r->ias_truncated);
    ASSERT_EQ(r->ia_count, 2);
    const Ia6& na = r->ias[0];
    EXPECT_EQ(na.type, Ia6::kNa);
    EXPECT_EQ(na.iaid, 0x01020304u);
    EXPECT_EQ(na.t1, 3600u);
    EXPECT_EQ(na.t2, 5400u);
    ASSERT_EQ(na.hint_count, 1);
    EXPECT_EQ(na.hints[0].addr, ip6("2001:db8::100"));
    EXPECT_EQ(na.hints[0].prefix_len, 128);
    EXPECT_EQ(na.hints[0].preferred, 7200u);
    EXPECT_EQ(na.hints[0].valid, 10800u);
    const Ia6& pd = r->ias[1];
    EXPECT_EQ(pd.type, Ia6::kPd);
    EXPECT_EQ(pd.iaid, 0x0a0b0c0du);
    EXPECT_EQ(pd.t1, 0u);
    EXPECT_EQ(pd.t2, 0u);
    ASSERT_EQ(pd.hint_count, 1);
    EXPECT_EQ(pd.hints[0].addr, ip6("2001:db8:ff00::"));
    EXPECT_EQ(pd.hints[0].prefix_len, 56);
    EXPECT_EQ(pd.hints[0].preferred, 7200u);
    EXPECT_EQ(pd.hints[0].valid, 10800u);
}

TEST(Dhcp6Parse, RequestWithPartialFqdn) {
    const Parsed r = parse(request());
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Request);
    EXPECT_EQ(r->xid, 0x000102u);
    EXPECT_EQ(client_duid(*r.req), kClientDuid);
    EXPECT_EQ(server_duid(*r.req), kServerDuid);
    EXPECT_TRUE(r->has_elapsed);
    EXPECT_EQ(r->elapsed, 0);
    EXPECT_FALSE(r->rapid_commit);
    EXPECT_FALSE(r->reconfigure_accept);
    EXPECT_EQ(r->oro_len, 0);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, 0);
    EXPECT_EQ(fqdn_name(*r.req), wire_name("host"));  // no root label: partial (§4.2)
    ASSERT_EQ(r->ia_count, 1);
    EXPECT_EQ(r->ias[0].iaid, 1u);
}

TEST(Dhcp6Parse, EveryOtherClientType) {
    struct Row {
        Bytes msg;
        Msg6Type type;
        uint32_t xid;
        bool server_id;
        uint8_t ias;
    };
    const Row rows[] = {
        {confirm(), Msg6Type::Confirm, 0x111111, false, 1},
        {renew(), Msg6Type::Renew, 0x222222, true, 2},
        {rebind(), Msg6Type::Rebind, 0x333333, false, 1},
        {release(), Msg6Type::Release, 0x444444, true, 1},
        {decline(), Msg6Type::Decline, 0x555555, true, 1},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(std::string(kMsg6TypeNames[static_cast<size_t>(row.type)]));
        const Parsed r = parse(row.msg);
        ASSERT_EQ(r.err, E::None);
        EXPECT_EQ(r->msg_type, row.type);
        EXPECT_EQ(r->xid, row.xid);
        EXPECT_EQ(client_duid(*r.req), kClientDuid);
        EXPECT_EQ(server_duid(*r.req), row.server_id ? kServerDuid : Bytes{});
        EXPECT_EQ(r->ia_count, row.ias);
        EXPECT_FALSE(r->has_elapsed);
        EXPECT_FALSE(r->has_fqdn);
    }
    const Parsed renewed = parse(renew());
    EXPECT_EQ(renewed->ias[1].type, Ia6::kPd);
    EXPECT_EQ(renewed->ias[1].t1, 1800u);
    EXPECT_EQ(renewed->ias[1].hints[0].prefix_len, 56);
}

TEST(Dhcp6Parse, InformationRequestNeedsNoIdentifiers) {
    const Parsed r = parse(information_request());
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->msg_type, Msg6Type::InformationRequest);
    EXPECT_EQ(r->client_id_len, 0);
    EXPECT_EQ(r->server_id_len, 0);
    EXPECT_EQ(r->ia_count, 0);
    EXPECT_EQ(oro_codes(*r.req), cat({be16(23), be16(24)}));
    // §16.12: a Server Identifier may be there (the control lcore checks that it is ours).
    const Parsed with = parse(client_msg(11, 7, server_id(kServerDuid)));
    ASSERT_EQ(with.err, E::None);
    EXPECT_EQ(server_duid(*with.req), kServerDuid);
}

TEST(Dhcp6Parse, TransactionIdIs24Bits) {
    const Parsed r = parse(client_msg(1, 0xffffff, client_id(kClientDuid)));
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->xid, 0xffffffu);
    EXPECT_EQ(parse(client_msg(1, 0, client_id(kClientDuid)))->xid, 0u);
}

/// The IA_NA option holding `subs`, its length field claiming `len` bytes.
Bytes ia_na_claiming(uint16_t len, const Bytes& body) {
    return option_len(3, len, body);
}

TEST(Dhcp6Parse, IaLimits) {
    // Nine IAs: the first kMaxIas are kept in message order, the ninth only checked.
    Bytes opts = client_id(kClientDuid);
    for (uint32_t i = 0; i < 9; ++i)
        opts = cat({opts, i % 2 == 0 ? ia_na(i, 0, 0) : ia_pd(i, 0, 0)});
    const Parsed r = parse(client_msg(1, 1, opts));
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->ia_count, kMaxIas);
    EXPECT_TRUE(r->ias_truncated);
    for (uint32_t i = 0; i < kMaxIas; ++i) {
        EXPECT_EQ(r->ias[i].iaid, i);
        EXPECT_EQ(r->ias[i].type, i % 2 == 0 ? Ia6::kNa : Ia6::kPd);
        EXPECT_EQ(r->ias[i].hint_count, 0);
    }
    // An IA past the kept ones must still be well formed.
    const Bytes short_addr = option(5, Bytes(23, 0));
    EXPECT_EQ(parse(client_msg(1, 1, cat({opts, ia_na(9, 0, 0, short_addr)}))).err, E::BadOption);
    // Eight exactly: nothing truncated.
    Bytes eight = client_id(kClientDuid);
    for (uint32_t i = 0; i < kMaxIas; ++i) eight = cat({eight, ia_na(i, 0, 0)});
    const Parsed e = parse(client_msg(1, 1, eight));
    ASSERT_EQ(e.err, E::None);
    EXPECT_EQ(e->ia_count, kMaxIas);
    EXPECT_FALSE(e->ias_truncated);
}

TEST(Dhcp6Parse, HintLimitsAndForeignSubOptions) {
    const Bytes status = option(13, cat({be16(0), str("ok")}));
    const Bytes na =
        ia_na(7, 10, 20,
              cat({status, iaaddr("2001:db8::1", 1, 2), iaprefix(3, 4, 64, "2001:db8::"),
                   iaaddr("2001:db8::2", 5, 6, status), iaaddr("2001:db8::3", 7, 8)}));
    const Bytes pd = ia_pd(8, 0, 0,
                           cat({iaaddr("2001:db8::9", 1, 1), iaprefix(1, 2, 48, "2001:db8:1::"),
                                iaprefix(3, 4, 128, "2001:db8:2::1"), iaprefix(5, 6, 0, "::")}));
    const Parsed r = parse(client_msg(1, 1, cat({client_id(kClientDuid), na, pd})));
    ASSERT_EQ(r.err, E::None);
    ASSERT_EQ(r->ia_count, 2);
    // IAPREFIX in an IA_NA and the status code are skipped; the third address is not kept.
    const Ia6& a = r->ias[0];
    ASSERT_EQ(a.hint_count, kMaxIaHints);
    EXPECT_EQ(a.hints[0].addr, ip6("2001:db8::1"));
    EXPECT_EQ(a.hints[0].preferred, 1u);
    EXPECT_EQ(a.hints[0].valid, 2u);
    EXPECT_EQ(a.hints[1].addr, ip6("2001:db8::2"));  // its own sub-options not read
    EXPECT_EQ(a.hints[1].prefix_len, 128);
    EXPECT_EQ(a.hints[1].valid, 6u);
    // IAADDR in an IA_PD is skipped.
    const Ia6& p = r->ias[1];
    ASSERT_EQ(p.hint_count, kMaxIaHints);
    EXPECT_EQ(p.hints[0].addr, ip6("2001:db8:1::"));
    EXPECT_EQ(p.hints[0].prefix_len, 48);
    EXPECT_EQ(p.hints[1].addr, ip6("2001:db8:2::1"));
    EXPECT_EQ(p.hints[1].prefix_len, 128);
}

TEST(Dhcp6Parse, SkippedOptions) {
    // IA_TA (obsoleted), Preference, Vendor Class, relay options in a client message, option 9
    // in a client message and an unknown code: all skipped.
    const Bytes opts =
        cat({option(4, be32(1)), option(7, {255}), option(16, be32(9)), interface_id(str("x")),
             remote_id(1, {}), relay_msg(solicit()), option(0xfff0, Bytes(40, 0xee)), option(0, {}),
             client_id(kClientDuid)});
    const Parsed r = parse(client_msg(1, 5, opts));
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->ia_count, 0);
    EXPECT_EQ(r->relay_bytes_len, 0);
    EXPECT_EQ(r->remote_id_len, 0);
    EXPECT_EQ(client_duid(*r.req), kClientDuid);
}

TEST(Dhcp6Parse, OroKeepsItsFirstCodes) {
    Bytes v;
    for (uint16_t c = 1; c <= 40; ++c) v = cat({v, be16(c)});
    const Parsed r = parse(client_msg(11, 1, option(6, v)));
    ASSERT_EQ(r.err, E::None);
    ASSERT_EQ(r->oro_len, kMaxOro);
    for (size_t i = 0; i < kMaxOro; ++i) EXPECT_EQ(r->oro[i], i + 1);
    const Parsed empty = parse(client_msg(11, 1, option(6, {})));
    ASSERT_EQ(empty.err, E::None);
    EXPECT_EQ(empty->oro_len, 0);
}

TEST(Dhcp6Parse, FqdnForms) {
    const auto with = [](const Bytes& name) {
        return parse(client_msg(1, 1, cat({client_id(kClientDuid), fqdn(0x04, name)})));
    };
    {
        const Parsed r = with({});  // empty: the client asks the server for a name (§4.2)
        ASSERT_EQ(r.err, E::None);
        EXPECT_TRUE(r->has_fqdn);
        EXPECT_EQ(r->fqdn_flags, 0x04);
        EXPECT_EQ(r->fqdn_len, 0);
    }
    EXPECT_EQ(fqdn_name(*with(wire_name("a.b.c.")).req), wire_name("a.b.c."));
    EXPECT_EQ(fqdn_name(*with(wire_name("a.b")).req), wire_name("a.b"));
    EXPECT_EQ(fqdn_name(*with({0}).req), Bytes{0});  // the root alone
    const Bytes label63 = cat({Bytes{63}, Bytes(63, 'x')});
    EXPECT_EQ(with(label63).err, E::None);
    // 255 bytes of name is the most kept; 256 is BadOption.
    Bytes name255;
    while (name255.size() + 64 <= 255) name255 = cat({name255, label63});
    name255 = cat({name255, Bytes{static_cast<uint8_t>(254 - name255.size())},
                   Bytes(254 - name255.size(), 'y')});
    ASSERT_EQ(name255.size(), 255u);
    EXPECT_EQ(fqdn_name(*with(name255).req), name255);
}

// ---- relay chains ---------------------------------------------------------------------------

/// A Solicit under `levels` Relay-Forwards. Level k counted from the client (0 = closest)
/// has hop-count k, link-address 2001:db8:k::1, peer-address fe80::k (the client's for
/// k = 0) and interface-id "if<k>".
Bytes nested(unsigned levels, const Bytes& inner = solicit()) {
    Bytes msg = inner;
    for (unsigned k = 0; k < levels; ++k) {
        const std::string n = std::to_string(k);
        msg = relay_forward(static_cast<uint8_t>(k), "2001:db8:" + n + "::1", "fe80::" + n,
                            cat({interface_id(str("if" + n)), relay_msg(msg)}));
    }
    return msg;
}

TEST(Dhcp6Parse, RelayChainsOfOneToEightLevels) {
    for (unsigned levels = 1; levels <= kMaxRelays; ++levels) {
        SCOPED_TRACE(levels);
        const Parsed r = parse(nested(levels));
        ASSERT_EQ(r.err, E::None);
        EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
        EXPECT_EQ(r->xid, 0xabcdefu);
        EXPECT_EQ(client_duid(*r.req), kClientDuid);
        EXPECT_EQ(r->ia_count, 2);
        ASSERT_EQ(r->relay_count, levels);
        for (unsigned i = 0; i < levels; ++i) {  // relays[0] is the outermost
            const unsigned k = levels - 1 - i;
            const std::string n = std::to_string(k);
            const RelayHop& h = r->relays[i];
            EXPECT_EQ(h.hop_count, k);
            EXPECT_EQ(h.link_addr, ip6("2001:db8:" + n + "::1"));
            EXPECT_EQ(h.peer_addr, ip6("fe80::" + n));
            ASSERT_TRUE(h.has_interface_id);
            EXPECT_EQ(interface_id_of(*r.req, i), str("if" + n));
        }
    }
}

TEST(Dhcp6Parse, NineLevelsAreTooMany) {
    EXPECT_EQ(parse(nested(kMaxRelays + 1)).err, E::TooManyRelays);
    EXPECT_EQ(parse(nested(kMaxRelays + 5)).err, E::TooManyRelays);
}

TEST(Dhcp6Parse, HopCountLimit) {
    // §19.1.1: a relay forwards a Relay-Forward only while its hop-count is below 8, so 8 is
    // the largest a server can see.
    const Bytes ok = relay_forward(8, "::", "fe80::1", relay_msg(solicit()));
    const Parsed r = parse(ok);
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->relays[0].hop_count, 8);
    EXPECT_EQ(parse(relay_forward(9, "::", "fe80::1", relay_msg(solicit()))).err, E::TooManyRelays);
    EXPECT_EQ(parse(relay_forward(255, "::", "fe80::1", relay_msg(solicit()))).err,
              E::TooManyRelays);
}

TEST(Dhcp6Parse, RelayOptionsOfOneRelay) {
    const Parsed r = parse(relayed_solicit());
    ASSERT_EQ(r.err, E::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    ASSERT_EQ(r->relay_count, 1);
    const RelayHop& h = r->relays[0];
    EXPECT_EQ(h.hop_count, 0);
    EXPECT_EQ(h.link_addr, ip6("2001:db8:7::1"));
    EXPECT_EQ(h.peer_addr, ip6("fe80::42"));
    ASSERT_TRUE(h.has_interface_id);
    EXPECT_EQ(interface_id_of(*r.req, 0), kInterfaceId);
    EXPECT_EQ(remote_id_of(*r.req), cat({be32(3561), kRemote}));
    EXPECT_EQ(subscriber_id_of(*r.req), kSubscriber);
    EXPECT_TRUE(r->has_client_ll);
    EXPECT_EQ(r->client_ll_type, 1);
    EXPECT_EQ(r->client_ll, mac("02:00:00:00:00:42"));
    EXPECT_TRUE(r->relay_source_port);
    EXPECT_EQ(r->relay_bytes_len, kInterfaceId.size() + 4 + kRemote.size() + kSubscriber.size());
    // The client message inside is the Solicit, whole.
    EXPECT_EQ(r->elapsed, 250);
    EXPECT_TRUE(r->rapid_commit);
}

TEST(Dhcp6Parse, InnermostRelayOptionsWin) {
    // Levels from the client: 0 has 37, 79 (Ethernet) and no 38; 1 has 37, 38, 79 (another
    // hardware type) and 135; 2 (outermost) has 38 and 79.
    const Bytes l0 = relay_forward(0, "2001:db8:1::1", "fe80::1",
                                   cat({remote_id(1, str("inner")),
                                        client_ll_mac("02:00:00:00:00:11"), relay_msg(request())}));
    const Bytes l1 = relay_forward(
        1, "::", "2001:db8:1::1",
        cat({relay_msg(l0), remote_id(2, str("middle")), subscriber_id(str("mid-sub")),
             client_ll(6, Bytes{1, 2, 3, 4, 5, 6, 7, 8}), relay_port(5000)}));
    const Bytes l2 = relay_forward(
        2, "::", "2001:db8:2::1",
        cat({subscriber_id(str("outer-sub")), relay_msg(l1), client_ll_mac("02:00:00:00:00:33")}));
    const Parsed r = parse(l2);
    ASSERT_EQ(r.err, E::None);
    ASSERT_EQ(r->relay_count, 3);
    EXPECT_EQ(r->msg_type, Msg6Type::Request);
    EXPECT_EQ(remote_id_of(*r.req), cat({be32(1), str("inner")}));
    EXPECT_EQ(subscriber_id_of(*r.req), str("mid-sub"));
    EXPECT_TRUE(r->has_client_ll);
    EXPECT_EQ(r->client_ll_type, 1);
    EXPECT_EQ(r->client_ll, mac("02:00:00:00:00:11"));
    // 135 only in a middle level: the Relay-Reply goes to port 547 of the outermost relay.
    EXPECT_FALSE(r->relay_source_port);
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(r->relays[i].has_interface_id);
    EXPECT_EQ(r->relay_bytes_len, 4 + 5 + 7);
}

TEST(Dhcp6Parse, OtherHardwareTypeKeepsNoMac) {
    const Parsed r = parse(relay_forward(
        0, "::", "fe80::1", cat({client_ll(32, Bytes(20, 0xab)), relay_msg(solicit())})));
    ASSERT_EQ(r.err, E::None);
    EXPECT_TRUE(r->has_client_ll);
    EXPECT_EQ(r->client_ll_type, 32);
    EXPECT_EQ(r->client_ll, net::MacAddr{});
}

TEST(Dhcp6Parse, RelaySourcePortOutermostOnly) {
    const Bytes inner = relay_forward(0, "::", "fe80::1", relay_msg(solicit()));
    EXPECT_TRUE(parse(relay_forward(1, "::", "2001:db8::1", cat({relay_port(0), relay_msg(inner)})))
                    ->relay_source_port);
    EXPECT_FALSE(parse(relay_forward(1, "::", "2001:db8::1", relay_msg(inner)))->relay_source_port);
}

TEST(Dhcp6Parse, EmptyInterfaceIdIsKept) {
    const Parsed r =
        parse(relay_forward(0, "::", "fe80::1", cat({interface_id({}), relay_msg(solicit())})));
    ASSERT_EQ(r.err, E::None);
    EXPECT_TRUE(r->relays[0].has_interface_id);
    EXPECT_EQ(r->relays[0].interface_id_len, 0);
}

// ---- every Parse6Error ------------------------------------------------------------------------

struct ErrorRow {
    const char* what;
    Bytes msg;
    E want;
};

Bytes sol(const Bytes& extra) {
    return client_msg(1, 1, cat({client_id(kClientDuid), extra}));
}
Bytes relayed(const Bytes& relay_opts) {
    return relay_forward(0, "::", "fe80::1", relay_opts);
}

std::vector<ErrorRow> error_rows() {
    const Bytes label64 = cat({Bytes{64}, Bytes(64, 'x')});
    Bytes name256;
    while (name256.size() < 256 - 64) name256 = cat({name256, Bytes{63}, Bytes(63, 'z')});
    name256 = cat({name256, Bytes{static_cast<uint8_t>(255 - name256.size())},
                   Bytes(255 - name256.size(), 'w')});
    return {
        {"empty datagram", {}, E::Truncated},
        {"1 byte", {1}, E::Truncated},
        {"3 bytes", {1, 0, 0}, E::Truncated},
        {"relay header cut", cat({Bytes{12, 0}, Bytes(31, 0)}), E::Truncated},
        {"relay message of 3 bytes", relayed(relay_msg({1, 0, 0})), E::Truncated},
        {"empty relay message", relayed(relay_msg({})), E::Truncated},
        {"advertise", client_msg(2, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"reply", client_msg(7, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"reconfigure", client_msg(10, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"relay-reply", cat({Bytes{13, 0}, Bytes(32, 0)}), E::NotClientMessage},
        {"type 0", client_msg(0, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"type 14", client_msg(14, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"type 255", client_msg(255, 1, client_id(kClientDuid)), E::NotClientMessage},
        {"advertise inside a relay", relayed(relay_msg(client_msg(2, 1, {}))), E::NotClientMessage},
        {"relay-reply inside a relay", relayed(relay_msg(cat({Bytes{13, 0}, Bytes(32, 0)}))),
         E::NotClientMessage},
        {"option past the end", sol(option_len(8, 3, be16(1))), E::OptionOverrun},
        {"1 byte after the options", sol({0}), E::OptionOverrun},
        {"3 bytes after the options", sol({0, 8, 0}), E::OptionOverrun},
        {"IA sub-option past the IA",
         sol(ia_na_claiming(16, cat({Bytes(12, 0), be16(5), be16(24)}))), E::OptionOverrun},
        {"IA with 2 trailing bytes", sol(ia_na_claiming(14, cat({Bytes(12, 0), Bytes{0, 5}}))),
         E::OptionOverrun},
        {"relay option past the end", relayed(option_len(18, 9, str("abc"))), E::OptionOverrun},
        {"relay message past the end", relayed(option_len(9, 1000, solicit())), E::OptionOverrun},
        {"client id twice", sol(client_id(kClientDuid)), E::BadOption},
        {"empty client id", client_msg(1, 1, client_id({})), E::BadOption},
        {"empty server id", client_msg(3, 1, cat({client_id(kClientDuid), server_id({})})),
         E::BadOption},
        {"server id twice",
         client_msg(3, 1,
                    cat({client_id(kClientDuid), server_id(kServerDuid), server_id(kServerDuid)})),
         E::BadOption},
        {"elapsed of 3 bytes", sol(option(8, {0, 0, 1})), E::BadOption},
        {"elapsed of 1 byte", sol(option(8, {0})), E::BadOption},
        {"elapsed twice", sol(cat({elapsed(1), elapsed(2)})), E::BadOption},
        {"rapid commit of 1 byte", sol(option(14, {0})), E::BadOption},
        {"rapid commit twice", sol(cat({rapid_commit(), rapid_commit()})), E::BadOption},
        {"reconfigure accept of 1 byte", sol(option(20, {1})), E::BadOption},
        {"reconfigure accept twice", sol(cat({reconfigure_accept(), reconfigure_accept()})),
         E::BadOption},
        {"odd ORO", sol(option(6, {0, 23, 0})), E::BadOption},
        {"ORO twice", sol(cat({oro({23}), oro({24})})), E::BadOption},
        {"IA_NA of 11 bytes", sol(option(3, Bytes(11, 0))), E::BadOption},
        {"IA_PD of 0 bytes", sol(option(25, {})), E::BadOption},
        {"IAADDR of 23 bytes", sol(ia_na(1, 0, 0, option(5, Bytes(23, 0)))), E::BadOption},
        {"IAPREFIX of 24 bytes", sol(ia_pd(1, 0, 0, option(26, Bytes(24, 0)))), E::BadOption},
        {"prefix length 129", sol(ia_pd(1, 0, 0, iaprefix(1, 2, 129, "2001:db8::"))), E::BadOption},
        {"FQDN without flags", sol(option(39, {})), E::BadOption},
        {"FQDN twice", sol(cat({fqdn(0, {}), fqdn(0, {})})), E::BadOption},
        {"FQDN label of 64", sol(fqdn(0, label64)), E::BadOption},
        {"FQDN compression pointer", sol(fqdn(0, {0xc0, 0x0c})), E::BadOption},
        {"FQDN label past the name", sol(fqdn(0, {5, 'a', 'b'})), E::BadOption},
        {"FQDN bytes after the root", sol(fqdn(0, {1, 'a', 0, 1, 'b'})), E::BadOption},
        {"FQDN name of 256 bytes", sol(fqdn(0, name256)), E::BadOption},
        {"relay message twice", relayed(cat({relay_msg(solicit()), relay_msg(solicit())})),
         E::BadOption},
        {"interface-id twice",
         relayed(cat({interface_id(str("a")), interface_id(str("b")), relay_msg(solicit())})),
         E::BadOption},
        {"remote-id of 3 bytes", relayed(cat({option(37, {0, 0, 1}), relay_msg(solicit())})),
         E::BadOption},
        {"remote-id twice",
         relayed(cat({remote_id(1, str("a")), remote_id(1, str("b")), relay_msg(solicit())})),
         E::BadOption},
        {"empty subscriber-id", relayed(cat({subscriber_id({}), relay_msg(solicit())})),
         E::BadOption},
        {"subscriber-id twice",
         relayed(cat({subscriber_id(str("a")), subscriber_id(str("a")), relay_msg(solicit())})),
         E::BadOption},
        {"link-layer option of 2 bytes", relayed(cat({option(79, be16(1)), relay_msg(solicit())})),
         E::BadOption},
        {"Ethernet address of 5 bytes",
         relayed(cat({client_ll(1, Bytes(5, 1)), relay_msg(solicit())})), E::BadOption},
        {"Ethernet address of 8 bytes",
         relayed(cat({client_ll(1, Bytes(8, 1)), relay_msg(solicit())})), E::BadOption},
        {"link-layer option twice",
         relayed(cat({client_ll_mac("02:00:00:00:00:01"), client_ll_mac("02:00:00:00:00:01"),
                      relay_msg(solicit())})),
         E::BadOption},
        {"relay source port of 1 byte", relayed(cat({option(135, {1}), relay_msg(solicit())})),
         E::BadOption},
        {"relay source port of 4 bytes",
         relayed(cat({option(135, be32(547)), relay_msg(solicit())})), E::BadOption},
        {"relay source port twice",
         relayed(cat({relay_port(1), relay_port(1), relay_msg(solicit())})), E::BadOption},
        {"bad option inside the relayed message", relayed(relay_msg(sol(option(14, {0})))),
         E::BadOption},
        {"nine levels", nested(9), E::TooManyRelays},
        {"hop-count 9", relay_forward(9, "::", "::", relay_msg(solicit())), E::TooManyRelays},
        {"no relay message", relayed(interface_id(str("eth0"))), E::NoRelayMessage},
        {"no options at all", relayed({}), E::NoRelayMessage},
        {"no relay message at level 2", relayed(relay_msg(relayed(remote_id(1, str("x"))))),
         E::NoRelayMessage},
        {"client id of 131 bytes", client_msg(1, 1, client_id(Bytes(131, 7))), E::DuidTooLong},
        {"server id of 200 bytes",
         client_msg(3, 1, cat({client_id(kClientDuid), server_id(Bytes(200, 7))})), E::DuidTooLong},
        {"interface-id of 513 bytes",
         relayed(cat({interface_id(Bytes(513, 1)), relay_msg(solicit())})), E::RelayOptionsTooLong},
        {"interface-ids over 512 bytes in all",
         relayed(
             cat({interface_id(Bytes(300, 1)),
                  relay_msg(relayed(cat({interface_id(Bytes(213, 2)), relay_msg(solicit())})))})),
         E::RelayOptionsTooLong},
        {"remote-id past the interface-ids",
         relayed(
             cat({interface_id(Bytes(500, 1)), remote_id(1, Bytes(9, 2)), relay_msg(solicit())})),
         E::RelayOptionsTooLong},
        {"subscriber-id past the rest",
         relayed(
             cat({interface_id(Bytes(500, 1)), subscriber_id(Bytes(13, 2)), relay_msg(solicit())})),
         E::RelayOptionsTooLong},
        {"solicit without client id", client_msg(1, 1, elapsed(0)), E::NoClientId},
        {"relayed request without client id",
         relayed(relay_msg(client_msg(3, 1, server_id(kServerDuid)))), E::NoClientId},
        {"confirm without client id", client_msg(4, 1, {}), E::NoClientId},
        {"renew without client id", client_msg(5, 1, server_id(kServerDuid)), E::NoClientId},
        {"rebind without client id", client_msg(6, 1, {}), E::NoClientId},
        {"release without client id", client_msg(8, 1, server_id(kServerDuid)), E::NoClientId},
        {"decline without client id", client_msg(9, 1, server_id(kServerDuid)), E::NoClientId},
        {"request without server id", client_msg(3, 1, client_id(kClientDuid)), E::NoServerId},
        {"renew without server id", client_msg(5, 1, client_id(kClientDuid)), E::NoServerId},
        {"decline without server id", client_msg(9, 1, client_id(kClientDuid)), E::NoServerId},
        {"release without server id", client_msg(8, 1, client_id(kClientDuid)), E::NoServerId},
        {"solicit with server id", sol(server_id(kServerDuid)), E::UnexpectedServerId},
        {"confirm with server id",
         client_msg(4, 1, cat({client_id(kClientDuid), server_id(kServerDuid)})),
         E::UnexpectedServerId},
        {"rebind with server id",
         client_msg(6, 1, cat({client_id(kClientDuid), server_id(kServerDuid)})),
         E::UnexpectedServerId},
    };
}

TEST(Dhcp6Parse, EveryError) {
    std::vector<bool> seen(kParse6ErrorNames.size(), false);
    for (const ErrorRow& row : error_rows()) {
        EXPECT_EQ(parse(row.msg).err, row.want) << row.what;
        seen[static_cast<size_t>(row.want)] = true;
    }
    for (size_t i = 1; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << kParse6ErrorNames[i];
}

TEST(Dhcp6Parse, LimitsThatStillParse) {
    // A DUID of kMaxDuid bytes, a single byte one, interface-ids and ids filling relay_bytes.
    EXPECT_EQ(parse(client_msg(1, 1, client_id(Bytes(kMaxDuid, 7)))).err, E::None);
    EXPECT_EQ(parse(client_msg(1, 1, client_id({7})))->client_id_len, 1);
    const Parsed full = parse(relayed(cat({interface_id(Bytes(500, 1)), remote_id(1, Bytes(4, 2)),
                                           subscriber_id(Bytes(4, 3)), relay_msg(solicit())})));
    ASSERT_EQ(full.err, E::None);
    EXPECT_EQ(full->relay_bytes_len, kMaxRelayBytes);
    EXPECT_EQ(full->remote_id_off, 500);
    EXPECT_EQ(full->subscriber_id_off, 508);
    EXPECT_EQ(subscriber_id_of(*full.req), Bytes(4, 3));
    // A remote-id of just its enterprise number.
    EXPECT_EQ(parse(relayed(cat({remote_id(9, {}), relay_msg(solicit())})))->remote_id_len, 4);
}

}  // namespace
}  // namespace edgelease::dataplane::dhcp::test6
