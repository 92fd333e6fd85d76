// Requests from real clients (ISC dhclient 4.4.3, dhcpcd 9.4.1, busybox udhcpc 1.35.0),
// captured with tcpdump in a throw-away network namespace; see tests/data/dhcp/README.txt.
// Each capture holds one Ethernet frame; the UDP payload goes through parse_request.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "dataplane/wire/cursor.hpp"
#include "tests/unit/dataplane/dhcp/dhcp_builder.hpp"

namespace edgelease::dataplane::wire::dhcp::test {
namespace {

const std::string kData = std::string(EDGELEASE_SOURCE_DIR) + "/tests/data/dhcp/";

/// The UDP payload of the first frame of a classic pcap file (Ethernet, IPv4, UDP), read
/// the long way so that the codec under test plays no part in it.
Bytes first_udp_payload(const std::string& name) {
    std::ifstream in(kData + name, std::ios::binary);
    const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_GE(file.size(), 24u + 16) << name;
    if (file.size() < 24 + 16) return {};
    // Global header: little-endian magic a1b2c3d4 (as tcpdump writes on x86), linktype 1.
    EXPECT_EQ(file[0], 0xd4);
    EXPECT_EQ(file[1], 0xc3);
    EXPECT_EQ(file[20], 1) << "linktype Ethernet";
    const size_t caplen = file[32] | (file[33] << 8) | (file[34] << 16) | (file[35] << 24);
    EXPECT_LE(40 + caplen, file.size());
    if (40 + caplen > file.size()) return {};
    const uint8_t* f = file.data() + 40;
    EXPECT_EQ(load_be16(f + 12), 0x0800);
    const uint8_t* ip = f + 14;
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(ip[9], 17);
    const uint8_t* udp = ip + 20;
    EXPECT_EQ(load_be16(udp), 68);
    EXPECT_EQ(load_be16(udp + 2), 67);
    const uint16_t udp_len = load_be16(udp + 4);
    EXPECT_LE(14u + 20 + udp_len, caplen);
    return Bytes(udp + 8, udp + udp_len);
}

const net::MacAddr kClientMac = mac("02:00:00:de:c0:01");

TEST(DhcpCapture, DhclientDiscover) {
    const Parsed r = parse(first_udp_payload("dhclient_discover.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Discover);
    EXPECT_EQ(r->xid, 0x3ac93e23u);
    EXPECT_EQ(r->flags, 0);
    EXPECT_EQ(r->ciaddr, 0u);
    EXPECT_EQ(r->giaddr, 0u);
    EXPECT_EQ(r->chaddr, kClientMac);
    EXPECT_EQ(r->requested_ip, 0u);
    EXPECT_EQ(r->max_msg_size, 1400);
    EXPECT_EQ(hostname(*r.req), "edge-client");
    EXPECT_EQ(client_id(*r.req), str("edgelease-dhclient-id"));
    EXPECT_EQ(prl(*r.req), (Bytes{1, 28, 2, 3, 15, 6, 12, 42, 26}));
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnS | opt::kFqdnE);
    EXPECT_EQ(fqdn(*r.req), wire_name("edge-client.lan."));
    EXPECT_EQ(r->relay_info_len, 0);
}

TEST(DhcpCapture, DhclientInitRebootRequest) {
    const Parsed r = parse(first_udp_payload("dhclient_request.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Request);
    EXPECT_EQ(r->xid, 0xace11756u);
    EXPECT_EQ(r->ciaddr, 0u);
    EXPECT_EQ(r->chaddr, kClientMac);
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.77"));
    EXPECT_EQ(r->server_id, 0u);  // INIT-REBOOT: no server identifier (RFC 2131 §4.3.2)
    EXPECT_EQ(hostname(*r.req), "edge-client");
    EXPECT_EQ(client_id(*r.req), str("edgelease-dhclient-id"));
    EXPECT_EQ(r->prl_len, 9);
    EXPECT_EQ(fqdn(*r.req), wire_name("edge-client.lan."));
}

TEST(DhcpCapture, DhclientRelease) {
    const Parsed r = parse(first_udp_payload("dhclient_release.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Release);
    EXPECT_EQ(r->xid, 0x41e6b21au);
    EXPECT_EQ(r->ciaddr, ip4("198.18.0.77"));
    EXPECT_EQ(r->chaddr, kClientMac);
    EXPECT_EQ(r->server_id, ip4("198.18.0.1"));
    EXPECT_EQ(r->requested_ip, 0u);
    EXPECT_EQ(client_id(*r.req), str("edgelease-dhclient-id"));
}

TEST(DhcpCapture, DhcpcdInform) {
    const Parsed r = parse(first_udp_payload("dhcpcd_inform.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Inform);
    EXPECT_EQ(r->xid, 0xab27f480u);
    EXPECT_EQ(r->ciaddr, ip4("198.18.0.77"));
    EXPECT_EQ(r->chaddr, kClientMac);
    EXPECT_EQ(prl(*r.req), (Bytes{1, 3, 28, 33, 51}));
    EXPECT_EQ(r->max_msg_size, 1472);
    EXPECT_EQ(r->client_id_len, 0);
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnS | opt::kFqdnE);
    EXPECT_EQ(fqdn(*r.req), wire_name("edge-inform"));  // partial name: no root label
}

TEST(DhcpCapture, UdhcpcDiscover) {
    const Parsed r = parse(first_udp_payload("udhcpc_discover.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    EXPECT_EQ(r->msg_type, MsgType::Discover);
    EXPECT_EQ(r->xid, 0xf4b5fc2bu);
    EXPECT_EQ(r->chaddr, kClientMac);
    EXPECT_EQ(r->requested_ip, ip4("198.18.0.88"));
    EXPECT_EQ(r->max_msg_size, 576);
    EXPECT_EQ(prl(*r.req), (Bytes{1, 3, 6, 12, 15, 28, 42, 121}));
    EXPECT_EQ(hostname(*r.req), "edge-udhcpc");
    EXPECT_EQ(client_id(*r.req), (Bytes{0x01, 0x02, 0x00, 0x00, 0xde, 0xc0, 0x01}));
    ASSERT_TRUE(r->has_fqdn);
    EXPECT_EQ(r->fqdn_flags, opt::kFqdnS);  // E clear: ASCII
    EXPECT_EQ(fqdn(*r.req), str("edge-udhcpc.lan"));
}

TEST(DhcpCapture, OfferToUdhcpcFits576) {
    // udhcpc says 576: the answer must stay within 548 bytes of BOOTP.
    const Parsed r = parse(first_udp_payload("udhcpc_discover.pcap"));
    ASSERT_EQ(r.err, ParseError::None);
    auto opts = std::make_unique<OptionSet>();
    opts->set_addr(1, 0xffffff00);
    opts->set_addrs(3, {ip4("198.18.0.1")});
    opts->set_addrs(6, {ip4("198.18.0.1")});
    opts->set(15, str("lan").data(), 3);
    opts->set_u32(51, 3600);
    opts->set(43, Bytes(250, 1).data(), 250, true);
    opts->set(125, Bytes(250, 2).data(), 250, true);
    ReplyHeader h;
    h.yiaddr = ip4("198.18.0.88");
    h.server_id = ip4("198.18.0.1");
    uint8_t out[edgelease::dataplane::dhcp::kMaxPayload] = {};
    const uint16_t n = encode_reply(*r.req, h, *opts, out, sizeof out);
    ASSERT_GT(n, 0);
    EXPECT_LE(n, 548);
    const auto c = codes(reply_options(out, n));
    EXPECT_EQ(std::vector<uint8_t>(c.begin(), c.begin() + 7),
              (std::vector<uint8_t>{53, 54, 51, 1, 3, 6, 15}));
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dhcp::test
