// parse_request (dataplane/wire/dhcp.cpp): each client message type field by field, option
// overload (RFC 2132 §9.3), split options (RFC 3396), option 81 (RFC 4702), option 82
// (RFC 3046, RFC 3527) and every ParseError.
#include <gtest/gtest.h>

#include "tests/unit/dataplane/dhcp/dhcp_builder.hpp"

namespace edgelease::dataplane::wire::dhcp::test {
namespace {

using edgelease::dataplane::dhcp::kMaxClientId;
using edgelease::dataplane::dhcp::kMaxHostname;
using edgelease::dataplane::dhcp::kMaxPrl;

TEST(DhcpParse, Discover) {
    const Parsed r = parse(discover());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Discover);
    EXPECT_EQ(r->xid, 0xdeadbeefu);
    EXPECT_EQ(r->flags, 0x8000);
    EXPECT_TRUE(r->broadcast_flag());
    EXPECT_EQ(r->secs, 3);
    EXPECT_EQ(r->hops, 0);
    EXPECT_EQ(r->ciaddr, 0u);
    EXPECT_EQ(r->giaddr, 0u);
    EXPECT_EQ(r->chaddr, mac("02:00:00:00:00:42"));
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.120"));
    EXPECT_EQ(r->server_id, 0u);
    EXPECT_EQ(r->lease_time, 7200u);
    EXPECT_EQ(r->max_msg_size, 1500);
    EXPECT_EQ(client_id(*r.req), kClientId);
    EXPECT_EQ(hostname(*r.req), "laptop");
    EXPECT_EQ(prl(*r.req), kPrl);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnS | opt::kFqdnE);
    EXPECT_EQ(fqdn(*r.req), wire_name("laptop.lan."));
    EXPECT_EQ(r->relay_info_len, 0);
    EXPECT_EQ(r->circuit_id_len, 0);
    EXPECT_EQ(r->remote_id_len, 0);
    EXPECT_EQ(r->link_selection, 0u);
}

TEST(DhcpParse, RequestSelectingWithAsciiFqdn) {
    const Parsed r = parse(request_selecting());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Request);
    EXPECT_EQ(r->xid, 0xdeadbeefu);
    EXPECT_EQ(r->flags, 0);
    EXPECT_FALSE(r->broadcast_flag());
    EXPECT_EQ(r->ciaddr, 0u);
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.120"));
    EXPECT_EQ(r->server_id, ip4("198.18.0.1"));
    EXPECT_EQ(r->lease_time, 0u);
    EXPECT_EQ(r->max_msg_size, 0);
    EXPECT_EQ(client_id(*r.req), kClientId);
    EXPECT_EQ(hostname(*r.req), "laptop");
    EXPECT_EQ(prl(*r.req), kPrl);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnS);  // E clear: ASCII; RCODEs 255 ignored
    EXPECT_EQ(fqdn(*r.req), str("laptop.lan"));
}

TEST(DhcpParse, RequestRenewing) {
    const Parsed r = parse(request_renewing());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Request);
    EXPECT_EQ(r->xid, 0x01020304u);
    EXPECT_EQ(r->ciaddr, ip4("198.18.0.120"));
    EXPECT_EQ(r->requested_ip, 0u);
    EXPECT_EQ(r->server_id, 0u);
    EXPECT_EQ(r->hostname_len, 0);
    EXPECT_FALSE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_len, 0);
}

TEST(DhcpParse, Release) {
    const Parsed r = parse(release());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Release);
    EXPECT_EQ(r->xid, 0x0badcafeu);
    EXPECT_EQ(r->ciaddr, ip4("198.18.0.120"));
    EXPECT_EQ(r->server_id, ip4("198.18.0.1"));
    EXPECT_EQ(r->requested_ip, 0u);
    EXPECT_EQ(client_id(*r.req), kClientId);
    EXPECT_EQ(r->chaddr, mac("02:00:00:00:00:42"));
    EXPECT_EQ(r->prl_len, 0);
}

TEST(DhcpParse, Decline) {
    const Parsed r = parse(decline());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Decline);
    EXPECT_EQ(r->xid, 0x0000d1ceu);
    EXPECT_EQ(r->ciaddr, 0u);
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.121"));
    EXPECT_EQ(r->server_id, ip4("198.18.0.1"));
    EXPECT_EQ(client_id(*r.req), kClientId);
}

TEST(DhcpParse, Inform) {
    const Parsed r = parse(inform());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Inform);
    EXPECT_EQ(r->xid, 0x1f0f0f0fu);
    EXPECT_EQ(r->ciaddr, ip4("198.18.0.9"));
    EXPECT_EQ(prl(*r.req), (Bytes{1, 3, 6, 15, 51, 58}));
    EXPECT_EQ(r->max_msg_size, 576);
    EXPECT_EQ(r->client_id_len, 0);
}

TEST(DhcpParse, RelayAgentInformation) {
    const Parsed r = parse(relayed_discover());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->hops, 1);
    EXPECT_EQ(r->giaddr, ip4("198.18.7.1"));
    EXPECT_EQ(r->chaddr, mac("02:00:00:00:07:01"));
    EXPECT_EQ(relay_info(*r.req), relay_payload());
    EXPECT_EQ(r->circuit_id_off, 2);
    EXPECT_EQ(circuit_id(*r.req), kCircuit);
    EXPECT_EQ(r->remote_id_off, 2 + kCircuit.size() + 2);
    EXPECT_EQ(remote_id(*r.req), kRemote);
    EXPECT_EQ(r->link_selection, ip4("198.18.7.0"));
}

TEST(DhcpParse, RelayInfoWithoutLinkSelection) {
    Fixed f;
    f.giaddr = ip4("198.18.7.1");
    const Bytes ri = cat({tlv(2, kRemote), tlv(9, Bytes(5, 0xee))});
    const Parsed r = parse(message(f, cat({msg_type(MsgType::Request), tlv(82, ri), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(relay_info(*r.req), ri);
    EXPECT_EQ(r->circuit_id_len, 0);
    EXPECT_EQ(remote_id(*r.req), kRemote);
    EXPECT_EQ(r->link_selection, 0u);
}

TEST(DhcpParse, MaxMessageSizeBelow576IsIgnored) {
    Fixed f;
    Parsed r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(57, be16(575)), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->max_msg_size, 0);
    r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(57, be16(576)), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->max_msg_size, 576);
}

TEST(DhcpParse, PadsEndAndTrailingBytes) {
    Fixed f;
    // PADs anywhere, END, then bytes that are not options (ignored), and no END at all.
    Parsed r = parse(message(
        f, cat({Bytes{0, 0}, msg_type(MsgType::Discover), Bytes{0}, end(), Bytes{53, 9, 1}})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Discover);
    r = parse(message(f, cat({msg_type(MsgType::Inform)})));
    ASSERT_EQ(r.err, ParseError::None) << "the options field may end with the datagram";
    EXPECT_EQ(r->msg_type, MsgType::Inform);
}

TEST(DhcpParse, LeavesPathAlone) {
    const Bytes m = discover();
    Exact e(m);
    auto req = std::make_unique<DhcpRequest>();
    req->path.port_id = 3;
    req->path.src_ip = 0x01020304;
    req->path.vlan_count = 2;
    ASSERT_EQ(parse_request(e.p.get(), e.len(), *req), ParseError::None);
    EXPECT_EQ(req->path.port_id, 3);
    EXPECT_EQ(req->path.src_ip, 0x01020304u);
    EXPECT_EQ(req->path.vlan_count, 2);
}

TEST(DhcpParse, ResetsFieldsOfAPreviousRequest) {
    auto req = std::make_unique<DhcpRequest>();
    {
        Exact e(relayed_discover());
        ASSERT_EQ(parse_request(e.p.get(), e.len(), *req), ParseError::None);
        Exact d(discover());
        ASSERT_EQ(parse_request(d.p.get(), d.len(), *req), ParseError::None);
    }
    Exact e(request_renewing());
    ASSERT_EQ(parse_request(e.p.get(), e.len(), *req), ParseError::None);
    EXPECT_EQ(req->relay_info_len, 0);
    EXPECT_EQ(req->link_selection, 0u);
    EXPECT_EQ(req->circuit_id_len, 0);
    EXPECT_EQ(req->requested_ip, 0u);
    EXPECT_EQ(req->lease_time, 0u);
    EXPECT_EQ(req->max_msg_size, 0);
    EXPECT_EQ(req->hostname_len, 0);
    EXPECT_FALSE(req->has_fqdn);
    EXPECT_EQ(req->fqdn_flags, 0);
}

// ---- option overload (RFC 2132 §9.3) ------------------------------------------------------

TEST(DhcpParse, OverloadIntoFileAndSname) {
    const Parsed r = parse(overloaded());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Discover);
    EXPECT_EQ(prl(*r.req), (Bytes{1, 3}));
    EXPECT_EQ(hostname(*r.req), "over");
    // 61 in the options field, continued in `file` (RFC 3396: options, file, sname).
    EXPECT_EQ(client_id(*r.req), kClientId);
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.130"));
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnE);
    EXPECT_EQ(fqdn(*r.req), wire_name("over.lan."));
}

TEST(DhcpParse, OverloadFileOnlyAndSnameOnly) {
    Fixed f;
    f.file = cat({tlv(12, str("in-file")), end()});
    f.sname = cat({tlv(12, str("in-sname")), end()});
    Parsed r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(52, {1}), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(hostname(*r.req), "in-file");
    r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(52, {2}), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(hostname(*r.req), "in-sname");
    // Without 52, file and sname are names, not options.
    r = parse(message(f, cat({msg_type(MsgType::Discover), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->hostname_len, 0);
}

TEST(DhcpParse, MessageTypeMayLiveInFile) {
    Fixed f;
    f.file = cat({msg_type(MsgType::Request), tlv(54, addr("198.18.0.1")), end()});
    const Parsed r = parse(message(f, cat({tlv(52, {1}), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Request);
    EXPECT_EQ(r->server_id, ip4("198.18.0.1"));
}

TEST(DhcpParse, OverloadInsideFileIsIgnored) {
    // 52 belongs in the options field only; a 52 in `file` does not open `sname`.
    Fixed f;
    f.file = cat({tlv(52, {2}), end()});
    f.sname = Bytes{0x99, 0x99};  // would be an overrun if walked
    const Parsed r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(52, {1}), end()})));
    EXPECT_EQ(r.err, ParseError::None);
}

// ---- RFC 3396 split options ------------------------------------------------------------

TEST(DhcpParse, SplitOptionsAreConcatenated) {
    const Parsed r = parse(split_options());
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(client_id(*r.req), kClientId);
    EXPECT_EQ(prl(*r.req), (Bytes{1, 3, 6}));
    EXPECT_EQ(relay_info(*r.req), relay_payload());
    EXPECT_EQ(circuit_id(*r.req), kCircuit);
    EXPECT_EQ(remote_id(*r.req), kRemote);
    EXPECT_EQ(r->link_selection, ip4("198.18.7.0"));
}

TEST(DhcpParse, SplitFqdnAndHostname) {
    Fixed f;
    const Bytes name = wire_name("a-rather-long-host.example.lan.");
    const Bytes whole = cat({Bytes{0x05, 0, 0}, name});
    const Bytes p1(whole.begin(), whole.begin() + 2), p2(whole.begin() + 2, whole.begin() + 9),
        p3(whole.begin() + 9, whole.end());
    const Parsed r =
        parse(message(f, cat({msg_type(MsgType::Discover), tlv(81, p1), tlv(12, str("host")),
                              tlv(81, p2), tlv(12, str("-name")), tlv(81, p3), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->fqdn_flags, 0x05);
    EXPECT_EQ(fqdn(*r.req), name);
    EXPECT_EQ(hostname(*r.req), "host-name");
}

TEST(DhcpParse, LongPrlAndHostnameAreCut) {
    Fixed f;
    Bytes codes;
    for (int i = 1; i <= 200; ++i) codes.push_back(static_cast<uint8_t>(i));
    const std::string host(200, 'h');
    const Parsed r = parse(
        message(f, cat({msg_type(MsgType::Discover), tlv(55, codes), tlv(12, str(host)), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->prl_len, kMaxPrl);
    EXPECT_EQ(prl(*r.req), Bytes(codes.begin(), codes.begin() + kMaxPrl));
    EXPECT_EQ(r->hostname_len, kMaxHostname);
    EXPECT_EQ(hostname(*r.req), host.substr(0, kMaxHostname));
}

TEST(DhcpParse, ClientIdAtTheLimit) {
    Fixed f;
    const Bytes id(kMaxClientId, 0x5a);
    const Bytes a(id.begin(), id.begin() + 100), b(id.begin() + 100, id.end());
    const Parsed r =
        parse(message(f, cat({msg_type(MsgType::Discover), tlv(61, a), tlv(61, b), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(client_id(*r.req), id);
}

TEST(DhcpParse, FqdnPartialAndEmptyNames) {
    Fixed f;
    // RFC 4702 §2.3: a partial name has no root label; an empty name is allowed too.
    Parsed r = parse(message(f, cat({msg_type(MsgType::Discover),
                                     tlv(81, cat({Bytes{0x04, 0, 0}, wire_name("pc")})), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(fqdn(*r.req), (Bytes{2, 'p', 'c'}));
    r = parse(message(f, cat({msg_type(MsgType::Discover), tlv(81, {0x0c, 0, 0}), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnE | opt::kFqdnN);
    EXPECT_EQ(r->fqdn_len, 0);
}

// ---- errors ------------------------------------------------------------------------------

ParseError parse_options(const Bytes& options, Fixed f = {}) {
    return parse(message(f, options)).err;
}

TEST(DhcpParseError, Truncated) {
    const Bytes m = discover();
    EXPECT_EQ(parse(Bytes{}).err, ParseError::Truncated);
    EXPECT_EQ(parse(Bytes(m.begin(), m.begin() + 100)).err, ParseError::Truncated);
    EXPECT_EQ(parse(Bytes(m.begin(), m.begin() + 239)).err, ParseError::Truncated);
    // Header and cookie alone: no message type.
    EXPECT_EQ(parse(Bytes(m.begin(), m.begin() + 240)).err, ParseError::NoMessageType);
}

TEST(DhcpParseError, NotRequest) {
    Fixed f;
    f.op = 2;
    EXPECT_EQ(parse_options(cat({msg_type(MsgType::Discover), end()}), f), ParseError::NotRequest);
    f.op = 0;
    EXPECT_EQ(parse_options(cat({msg_type(MsgType::Discover), end()}), f), ParseError::NotRequest);
}

TEST(DhcpParseError, BadHardware) {
    const Bytes opts = cat({msg_type(MsgType::Discover), end()});
    Fixed f;
    f.hlen = 16;  // would fill the whole chaddr
    EXPECT_EQ(parse_options(opts, f), ParseError::BadHardware);
    f.hlen = 255;  // absurd
    EXPECT_EQ(parse_options(opts, f), ParseError::BadHardware);
    f.hlen = 0;
    EXPECT_EQ(parse_options(opts, f), ParseError::BadHardware);
    f = {};
    f.htype = 6;  // IEEE 802 networks
    EXPECT_EQ(parse_options(opts, f), ParseError::BadHardware);
}

TEST(DhcpParseError, NoCookie) {
    Fixed f;
    f.cookie = 0;  // plain BOOTP
    EXPECT_EQ(parse_options(cat({msg_type(MsgType::Discover), end()}), f), ParseError::NoCookie);
    f.cookie = 0x63825362;
    EXPECT_EQ(parse_options(cat({msg_type(MsgType::Discover), end()}), f), ParseError::NoCookie);
}

TEST(DhcpParseError, OptionOverrun) {
    const Bytes type = msg_type(MsgType::Discover);
    // The length byte says more than remains.
    EXPECT_EQ(parse_options(cat({type, tlv_len(12, 10, str("short"))})), ParseError::OptionOverrun);
    // A code with no length byte at the very end.
    EXPECT_EQ(parse_options(cat({type, Bytes{12}})), ParseError::OptionOverrun);
    EXPECT_EQ(parse_options(cat({type, Bytes{61, 255}})), ParseError::OptionOverrun);

    // Overloaded areas must hold an END (RFC 2131 §4.1).
    Fixed f;
    f.file = tlv(12, str("no-end"));  // then PADs to the end of `file`
    EXPECT_EQ(parse_options(cat({type, tlv(52, {1}), end()}), f), ParseError::OptionOverrun);
    f = {};
    f.sname = Bytes(64, 0);
    EXPECT_EQ(parse_options(cat({type, tlv(52, {2}), end()}), f), ParseError::OptionOverrun);
    // An option running from `file` past its 128 bytes (into what follows) is an overrun.
    f = {};
    f.file = cat({Bytes(120, 0), tlv_len(12, 20, str("spills"))});
    EXPECT_EQ(parse_options(cat({type, tlv(52, {1}), end()}), f), ParseError::OptionOverrun);
    // Only `file` is overloaded, so an unterminated `sname` does not matter.
    f = {};
    f.file = end();
    f.sname = Bytes(64, 0);
    EXPECT_EQ(parse_options(cat({type, tlv(52, {1}), end()}), f), ParseError::None);
}

TEST(DhcpParseError, BadOptionFixedLengths) {
    const Bytes type = msg_type(MsgType::Request);
    EXPECT_EQ(parse_options(cat({type, tlv(50, {198, 18, 0}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(50, Bytes(5, 1)), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(54, {198, 18, 0}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(51, be16(60)), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(57, {2}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(57, be32(1500)), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({tlv(53, {3, 3}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({tlv(53, {}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(52, {0}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(52, {4}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(52, {1, 1}), end()})), ParseError::BadOption);
    // A fixed-size option twice: RFC 3396 would join them into a wrong length.
    EXPECT_EQ(parse_options(cat({type, type, end()})), ParseError::BadOption);
    EXPECT_EQ(
        parse_options(cat({type, tlv(50, addr("198.18.0.1")), tlv(50, addr("198.18.0.2")), end()})),
        ParseError::BadOption);
}

TEST(DhcpParseError, BadOptionVariableLengths) {
    const Bytes type = msg_type(MsgType::Discover);
    // 61: at least 2 bytes (RFC 2132 §9.14).
    EXPECT_EQ(parse_options(cat({type, tlv(61, {1}), end()})), ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(61, {}), end()})), ParseError::BadOption);
    // 81: flags and two RCODEs at least.
    EXPECT_EQ(parse_options(cat({type, tlv(81, {0x01, 0}), end()})), ParseError::BadOption);
    // 81 with E: a label over 63 bytes, a compression pointer, a label past the end, bytes
    // after the root label.
    EXPECT_EQ(
        parse_options(cat({type, tlv(81, cat({Bytes{0x04, 0, 0, 64}, Bytes(64, 'a')})), end()})),
        ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(81, Bytes{0x04, 0, 0, 0xc0, 0x0c}), end()})),
              ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(81, Bytes{0x04, 0, 0, 5, 'a', 'b'}), end()})),
              ParseError::BadOption);
    EXPECT_EQ(parse_options(cat({type, tlv(81, Bytes{0x04, 0, 0, 1, 'a', 0, 1, 'b'}), end()})),
              ParseError::BadOption);
    // Without E the same bytes are an (odd) ASCII name and pass.
    EXPECT_EQ(parse_options(cat({type, tlv(81, Bytes{0x01, 0, 0, 0xc0, 0x0c}), end()})),
              ParseError::None);
    // 81 whose name exceeds 255 bytes once joined.
    EXPECT_EQ(parse_options(cat({type, tlv(81, cat({Bytes{0x00, 0, 0}, Bytes(252, 'a')})),
                                 tlv(81, Bytes(4, 'b')), end()})),
              ParseError::BadOption);
}

TEST(DhcpParseError, BadOptionRelayInfo) {
    const Bytes type = msg_type(MsgType::Discover);
    Fixed f;
    f.giaddr = ip4("198.18.7.1");
    // A sub-option whose length runs past option 82.
    EXPECT_EQ(
        parse_options(cat({type, tlv(82, cat({tlv(1, str("ab")), Bytes{2, 9, 1}})), end()}), f),
        ParseError::BadOption);
    // A lone sub-option code.
    EXPECT_EQ(parse_options(cat({type, tlv(82, cat({tlv(1, str("ab")), Bytes{2}})), end()}), f),
              ParseError::BadOption);
    // Link selection must be an IPv4 address (RFC 3527 §3).
    EXPECT_EQ(parse_options(cat({type, tlv(82, tlv(5, {198, 18, 7})), end()}), f),
              ParseError::BadOption);
    // Joined over 255 bytes: cannot be echoed verbatim.
    EXPECT_EQ(
        parse_options(
            cat({type, tlv(82, tlv(1, Bytes(200, 1))), tlv(82, tlv(2, Bytes(60, 2))), end()}), f),
        ParseError::BadOption);
    // A split in the middle of a sub-option is fine once joined.
    const Bytes ri = cat({tlv(1, Bytes(200, 1)), tlv(2, Bytes(50, 2))});
    const Bytes a(ri.begin(), ri.begin() + 150), b(ri.begin() + 150, ri.end());
    const Parsed r = parse(message(f, cat({type, tlv(82, a), tlv(82, b), end()})));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->relay_info_len, 254);
    EXPECT_EQ(circuit_id(*r.req), Bytes(200, 1));
    EXPECT_EQ(remote_id(*r.req), Bytes(50, 2));
}

TEST(DhcpParseError, NoMessageType) {
    EXPECT_EQ(parse_options(cat({tlv(61, kClientId), end()})), ParseError::NoMessageType);
    EXPECT_EQ(parse_options(end()), ParseError::NoMessageType);
    // A 53 in `file` without the overload option is not an option.
    Fixed f;
    f.file = cat({msg_type(MsgType::Discover), end()});
    EXPECT_EQ(parse_options(end(), f), ParseError::NoMessageType);
}

TEST(DhcpParseError, BadMessageType) {
    for (uint8_t t : {0, 2, 5, 6, 9, 13, 255}) {
        EXPECT_EQ(parse_options(cat({tlv(53, {t}), end()})), ParseError::BadMessageType)
            << "type " << int(t);
    }
    for (uint8_t t : {1, 3, 4, 7, 8}) {
        EXPECT_EQ(parse_options(cat({tlv(53, {t}), end()})), ParseError::None) << "type " << int(t);
    }
}

TEST(DhcpParseError, ClientIdTooLong) {
    EXPECT_EQ(parse_options(
                  cat({msg_type(MsgType::Discover), tlv(61, Bytes(kMaxClientId + 1, 7)), end()})),
              ParseError::ClientIdTooLong);
    EXPECT_EQ(parse_options(cat({msg_type(MsgType::Discover), tlv(61, Bytes(100, 7)),
                                 tlv(61, Bytes(kMaxClientId - 99, 7)), end()})),
              ParseError::ClientIdTooLong);
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dhcp::test
