// DHCPv6 messages from a real client (ISC dhclient 4.4.3), direct and through one and two
// ISC dhcrelay 4.4.3 relays, captured with tcpdump in throw-away network namespaces; see
// tests/data/dhcp/README.txt. Each capture holds one Ethernet frame; its UDP payload goes
// through parse_request6, and the direct ones through the packet path as well.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "dataplane/wire/cursor.hpp"
#include "tests/unit/dataplane/dhcp/dhcp6_builder.hpp"
#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::dhcp::test6 {
namespace {

using wire::load_be16;

const std::string kData = std::string(EDGELEASE_SOURCE_DIR) + "/tests/data/dhcp/";

/// The first frame of a classic pcap file, read the long way (the codec under test plays
/// no part in it).
Bytes first_frame(const std::string& name) {
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
    return Bytes(file.begin() + 40, file.begin() + 40 + static_cast<ptrdiff_t>(caplen));
}

/// The UDP payload of an untagged Ethernet / IPv6 (no extension header) / UDP frame.
Bytes udp_payload(const Bytes& f, uint16_t sport) {
    EXPECT_GE(f.size(), 14u + 40 + 8);
    if (f.size() < 14 + 40 + 8) return {};
    EXPECT_EQ(load_be16(f.data() + 12), 0x86dd);
    const uint8_t* ip = f.data() + 14;
    EXPECT_EQ(ip[0] >> 4, 6);
    EXPECT_EQ(ip[6], 17);
    const uint8_t* udp = ip + 40;
    EXPECT_EQ(load_be16(udp), sport);
    EXPECT_EQ(load_be16(udp + 2), 547);
    const uint16_t udp_len = load_be16(udp + 4);
    EXPECT_LE(14u + 40 + udp_len, f.size());
    if (14u + 40 + udp_len > f.size()) return {};
    return Bytes(udp + 8, udp + udp_len);
}

const Bytes kDuid = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0xde, 0xc0, 0x01};
const uint32_t kIaid = 0x00dec001;
const net::Ipv6Addr kClientLl = ip6("fe80::ff:fede:c001");

/// What capture-dhclient6.conf makes dhclient put in every message.
void expect_dhclient(const Dhcp6Request& r) {
    EXPECT_EQ(client_duid(r), kDuid);
    EXPECT_EQ(r.server_id_len, 0);
    EXPECT_EQ(oro_codes(r), cat({be16(23), be16(24)}));
    EXPECT_TRUE(r.has_elapsed);
    EXPECT_EQ(r.elapsed, 0);
    EXPECT_FALSE(r.rapid_commit);
    EXPECT_FALSE(r.reconfigure_accept);
    ASSERT_TRUE(r.has_fqdn);
    EXPECT_EQ(r.fqdn_flags, 0x01);  // S
    EXPECT_EQ(fqdn_name(r), wire_name("edge-client6.lan."));
}

void expect_ia(const Ia6& ia, uint16_t type) {
    EXPECT_EQ(ia.type, type);
    EXPECT_EQ(ia.iaid, kIaid);
    EXPECT_EQ(ia.t1, 3600u);
    EXPECT_EQ(ia.t2, 5400u);
    EXPECT_EQ(ia.hint_count, 0);
}

/// A direct client's frame goes through handle_frame as the worker sees it: to ff02::1:2,
/// from the client's link-local address, handed over as UDP.
void expect_handed_over(const Bytes& frame) {
    const PortContext port = dataplane::test::test_port();
    auto rx = dataplane::test::receive(port, frame);
    ASSERT_EQ(rx->verdict, Verdict::Udp) << drop_reason_name(rx->why);
    EXPECT_TRUE(rx->view.is_v6);
    EXPECT_EQ(rx->view.payload_off, 14 + 40 + 8);
    EXPECT_EQ(udp_dst_port(rx->view), 547);
    const net::Ipv6Addr group = ip6("ff02::1:2");
    EXPECT_EQ(Bytes(frame.begin() + 14 + 24, frame.begin() + 14 + 40),
              Bytes(group.bytes.begin(), group.bytes.end()));
    EXPECT_EQ(Bytes(frame.begin() + 14 + 8, frame.begin() + 14 + 24),
              Bytes(kClientLl.bytes.begin(), kClientLl.bytes.end()));
}

TEST(Dhcp6Capture, DhclientSolicit) {
    const Bytes f = first_frame("dhclient6_solicit.pcap");
    const Parsed r = parse(udp_payload(f, 546));
    ASSERT_EQ(r.err, Parse6Error::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0x2a0282u);
    EXPECT_EQ(r->relay_count, 0);
    expect_dhclient(*r.req);
    ASSERT_EQ(r->ia_count, 1);
    expect_ia(r->ias[0], Ia6::kNa);
    expect_handed_over(f);
}

TEST(Dhcp6Capture, DhclientSolicitWithPrefixDelegation) {
    const Bytes f = first_frame("dhclient6_solicit_pd.pcap");
    const Parsed r = parse(udp_payload(f, 546));
    ASSERT_EQ(r.err, Parse6Error::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0x434a62u);
    expect_dhclient(*r.req);
    ASSERT_EQ(r->ia_count, 2);
    expect_ia(r->ias[0], Ia6::kNa);
    expect_ia(r->ias[1], Ia6::kPd);
    expect_handed_over(f);
}

TEST(Dhcp6Capture, DhclientInformationRequest) {
    const Bytes f = first_frame("dhclient6_inforeq.pcap");
    const Parsed r = parse(udp_payload(f, 546));
    ASSERT_EQ(r.err, Parse6Error::None);
    EXPECT_EQ(r->msg_type, Msg6Type::InformationRequest);
    EXPECT_EQ(r->xid, 0x7b23c6u);
    expect_dhclient(*r.req);
    EXPECT_EQ(r->ia_count, 0);
    expect_handed_over(f);
}

TEST(Dhcp6Capture, ThroughOneRelay) {
    const Parsed r = parse(udp_payload(first_frame("dhcrelay6_solicit.pcap"), 547));
    ASSERT_EQ(r.err, Parse6Error::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0x387816u);
    expect_dhclient(*r.req);
    ASSERT_EQ(r->ia_count, 1);
    expect_ia(r->ias[0], Ia6::kNa);
    ASSERT_EQ(r->relay_count, 1);
    const RelayHop& h = r->relays[0];
    EXPECT_EQ(h.hop_count, 0);
    EXPECT_EQ(h.link_addr, ip6("2001:db8:100::1"));
    EXPECT_EQ(h.peer_addr, kClientLl);
    ASSERT_TRUE(h.has_interface_id);
    EXPECT_EQ(interface_id_of(*r.req, 0), (Bytes{1, 0, 0, 0}));
    EXPECT_EQ(subscriber_id_of(*r.req), str("edge-sub-42"));
    EXPECT_EQ(r->remote_id_len, 0);
    EXPECT_FALSE(r->has_client_ll);
    EXPECT_FALSE(r->relay_source_port);
}

TEST(Dhcp6Capture, ThroughTwoRelays) {
    const Parsed r = parse(udp_payload(first_frame("dhcrelay6_two_relays.pcap"), 547));
    ASSERT_EQ(r.err, Parse6Error::None);
    EXPECT_EQ(r->msg_type, Msg6Type::Solicit);
    EXPECT_EQ(r->xid, 0x2dc623u);
    expect_dhclient(*r.req);
    ASSERT_EQ(r->ia_count, 2);
    expect_ia(r->ias[1], Ia6::kPd);
    ASSERT_EQ(r->relay_count, 2);
    const RelayHop& outer = r->relays[0];
    EXPECT_EQ(outer.hop_count, 1);
    EXPECT_EQ(outer.link_addr, ip6("2001:db8:7::2"));
    EXPECT_EQ(outer.peer_addr, ip6("2001:db8:7::1"));
    EXPECT_EQ(interface_id_of(*r.req, 0), (Bytes{1, 0, 0, 0}));
    const RelayHop& inner = r->relays[1];
    EXPECT_EQ(inner.hop_count, 0);
    EXPECT_EQ(inner.link_addr, ip6("2001:db8:100::1"));
    EXPECT_EQ(inner.peer_addr, kClientLl);
    EXPECT_EQ(interface_id_of(*r.req, 1), (Bytes{1, 0, 0, 0}));
    EXPECT_EQ(subscriber_id_of(*r.req), str("edge-sub-42"));
    EXPECT_EQ(r->relay_bytes_len, 4 + 4 + 11);
}

}  // namespace
}  // namespace edgelease::dataplane::dhcp::test6
