// DHCP through the real lcores on a net_ring port: a client's DISCOVER, REQUEST (SELECTING),
// renewal and RELEASE go in as frames; the OFFER and ACKs that come out are compared with the
// exact BOOTP messages RFC 2131/2132 call for, byte for byte, and the lease store is checked.
// DHCPv6 to ff02::1:2 is handed over (or counted as malformed) by the worker.
#include <filesystem>

#include "control/store/lease_store.hpp"
#include "tests/integration/ring_harness.hpp"

using namespace edgelease;
using namespace edgelease::ring_test;

namespace {

constexpr uint32_t kServer = 0xC6120001;  // 198.18.0.1
constexpr uint32_t kFirst = 0xC6120064;   // 198.18.0.100, first pool address
constexpr uint32_t kXid = 0x5eed1234;
const net::MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

std::string g_state_dir;

/// A client message: BOOTREQUEST with chaddr = kPeerMac and the given options (TLVs).
Bytes bootp_request(uint8_t type, uint32_t ciaddr, const Bytes& extra_options) {
    Bytes b;
    b.push_back(1);
    b.push_back(1);
    b.push_back(6);
    b.push_back(0);  // op, htype, hlen, hops
    put32(b, kXid);
    put16(b, 0);
    put16(b, 0);  // secs, flags
    put32(b, ciaddr);
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);  // ciaddr yiaddr siaddr giaddr
    put_bytes(b, kPeerMac.bytes.data(), 6);
    b.resize(b.size() + 10 + 64 + 128, 0);  // chaddr padding, sname, file
    put32(b, 0x63825363);
    b.push_back(53);
    b.push_back(1);
    b.push_back(type);
    b.insert(b.end(), extra_options.begin(), extra_options.end());
    b.push_back(55);
    b.push_back(4);
    b.push_back(1);
    b.push_back(3);
    b.push_back(6);
    b.push_back(15);
    b.push_back(255);
    return b;
}

Bytes opt_addr(uint8_t code, uint32_t a) {
    Bytes b{code, 4};
    put32(b, a);
    return b;
}

/// The reply RFC 2131 §4.3.1 and RFC 2132 call for: option order 53, 54, 51, 58, 59, then
/// the client's option 55 order (1, 3, 6, 15), then the always-sent 28; padded to 300 bytes.
Bytes expected_reply(uint8_t type, uint32_t ciaddr, uint32_t yiaddr) {
    Bytes b;
    b.push_back(2);
    b.push_back(1);
    b.push_back(6);
    b.push_back(0);
    put32(b, kXid);
    put16(b, 0);
    put16(b, 0);
    put32(b, ciaddr);
    put32(b, yiaddr);
    put32(b, 0);
    put32(b, 0);
    put_bytes(b, kPeerMac.bytes.data(), 6);
    b.resize(b.size() + 10 + 64 + 128, 0);
    put32(b, 0x63825363);
    b.push_back(53);
    b.push_back(1);
    b.push_back(type);
    Bytes o = opt_addr(54, kServer);
    b.insert(b.end(), o.begin(), o.end());
    for (auto [code, v] : {std::pair<uint8_t, uint32_t>{51, 3600}, {58, 1800}, {59, 3150}}) {
        b.push_back(code);
        b.push_back(4);
        put32(b, v);
    }
    o = opt_addr(1, 0xFFFFFF00);
    b.insert(b.end(), o.begin(), o.end());
    o = opt_addr(3, kServer);
    b.insert(b.end(), o.begin(), o.end());
    o = opt_addr(6, kServer);
    b.insert(b.end(), o.begin(), o.end());
    b.push_back(15);
    b.push_back(3);
    b.push_back('l');
    b.push_back('a');
    b.push_back('n');
    o = opt_addr(28, 0xC61200FF);
    b.insert(b.end(), o.begin(), o.end());
    b.push_back(255);
    if (b.size() < 300) b.resize(300, 0);
    return b;
}

config::Config dhcp_config() {
    config::Config cfg;
    cfg.appliance.state_dir = g_state_dir;
    cfg.dpdk.workers = 1;
    cfg.dpdk.idle_sleep_us = 50;
    config::InterfaceConfig ifc;
    ifc.port = kRingPort;
    ifc.addresses = {*net::parse_if_address("198.18.0.1/24")};
    cfg.interfaces = {ifc};
    config::ScopeConfig sc;
    sc.name = "lan";
    sc.subnet = *net::parse_if_address("198.18.0.0/24");
    sc.pools = {{net::Ipv4Addr{kFirst}, net::Ipv4Addr{0xC61200C7}}};
    sc.lease_time = std::chrono::seconds(3600);
    sc.routers = {net::Ipv4Addr{kServer}};
    sc.dns_servers = {net::Ipv4Addr{kServer}};
    sc.domain = "lan.";
    cfg.dhcp.scopes = {sc};
    return cfg;
}

/// The BOOTP payload of a reply frame (untagged IPv4/UDP 67 -> dst_port).
Bytes payload_of(const Bytes& frame) {
    return Bytes(frame.begin() + 42, frame.end());
}

uint32_t ip_at(const Bytes& b, size_t o) {
    return static_cast<uint32_t>(get16(b, o)) << 16 | get16(b, o + 2);
}

class DhcpRing : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        app_ = new app::Appliance(dhcp_config(), {});
        app_->start();
    }
    static void TearDownTestSuite() {
        if (app_ == nullptr) return;  // set-up failed and said why
        app_->stop();
        delete app_;
        app_ = nullptr;
    }
    rte_mempool* pool() { return app_->ports().pool(); }
    const net::MacAddr& mac() { return app_->ports().ports()[0].ctx.mac; }
    static app::Appliance* app_;
};
app::Appliance* DhcpRing::app_ = nullptr;

/// Reads the stored lease of `ip` (the writer commits in the background: bounded wait).
std::optional<control::dhcp::Lease> stored(uint32_t ip, control::dhcp::LeaseState want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        size_t skipped = 0;
        for (const auto& l : control::store::read_leases(g_state_dir, skipped))
            if (l.ip == ip && l.state == want) return l;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

TEST_F(DhcpRing, DoraRenewReleaseByteForByte) {
    // DISCOVER from 0.0.0.0:68 to the broadcast address.
    inject(pool(), udp4(kBroadcast, 0, 0xFFFFFFFF, 68, 67, bootp_request(1, 0, {})));
    auto offer = receive();
    ASSERT_TRUE(offer);
    // No broadcast flag, no ciaddr: unicast to yiaddr at chaddr (RFC 2131 §4.1).
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), offer->begin()));
    EXPECT_TRUE(std::equal(mac().bytes.begin(), mac().bytes.end(), offer->begin() + 6));
    EXPECT_EQ(ip_at(*offer, 26), kServer);
    EXPECT_EQ(ip_at(*offer, 30), kFirst);
    EXPECT_EQ(get16(*offer, 34), 67);
    EXPECT_EQ(get16(*offer, 36), 68);
    EXPECT_TRUE(udp4_checksums_ok(*offer));
    EXPECT_EQ(payload_of(*offer), expected_reply(2, 0, kFirst));

    // REQUEST in SELECTING: server identifier and requested address.
    Bytes sel = opt_addr(54, kServer);
    Bytes req = opt_addr(50, kFirst);
    sel.insert(sel.end(), req.begin(), req.end());
    inject(pool(), udp4(kBroadcast, 0, 0xFFFFFFFF, 68, 67, bootp_request(3, 0, sel)));
    auto ack = receive();
    ASSERT_TRUE(ack);
    EXPECT_EQ(ip_at(*ack, 30), kFirst);
    EXPECT_EQ(payload_of(*ack), expected_reply(5, 0, kFirst));
    // The ACK left only after its lease was committed: it is in the store now.
    auto bound = stored(kFirst, control::dhcp::LeaseState::Bound);
    ASSERT_TRUE(bound);
    EXPECT_EQ(bound->hw, kPeerMac);
    EXPECT_EQ(bound->expires - bound->start, 3600);

    // RENEWING: unicast from the leased address with ciaddr set; the ACK goes to ciaddr.
    inject(pool(), udp4(mac(), kFirst, kServer, 68, 67, bootp_request(3, kFirst, {})));
    auto renew = receive();
    ASSERT_TRUE(renew);
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), renew->begin()));
    EXPECT_EQ(ip_at(*renew, 30), kFirst);
    EXPECT_EQ(payload_of(*renew), expected_reply(5, kFirst, kFirst));

    // RELEASE: no answer; the lease is kept as released (affinity) in the store.
    inject(pool(),
           udp4(mac(), kFirst, kServer, 68, 67, bootp_request(7, kFirst, opt_addr(54, kServer))));
    EXPECT_FALSE(receive(std::chrono::milliseconds(200)));
    EXPECT_TRUE(stored(kFirst, control::dhcp::LeaseState::Released));
}

TEST_F(DhcpRing, MalformedRequestsAreCountedNotQueued) {
    const uint64_t malformed0 = counter(*app_, "edgelease_dhcp_malformed_total");
    const uint64_t received0 = counter(*app_, "edgelease_dhcp_requests_received_total");
    Bytes bad = bootp_request(1, 0, {});
    bad[2] = 16;  // hlen 16: not Ethernet
    inject(pool(), udp4(kBroadcast, 0, 0xFFFFFFFF, 68, 67, bad));
    Bytes truncated = bootp_request(1, 0, {});
    truncated.resize(200);
    inject(pool(), udp4(kBroadcast, 0, 0xFFFFFFFF, 68, 67, truncated));
    EXPECT_FALSE(receive(std::chrono::milliseconds(200)));
    EXPECT_EQ(counter(*app_, "edgelease_dhcp_malformed_total"), malformed0 + 2);
    EXPECT_EQ(counter(*app_, "edgelease_dhcp_requests_received_total"), received0);
}

/// A DHCPv6 message from a client's link-local address to ff02::1:2 (RFC 9915 §7.1), UDP
/// 546 -> dport, with the mandatory checksum.
Bytes udp6_to_all_servers(uint16_t dport, const Bytes& payload) {
    const uint8_t src[16] = {0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                             0,    0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};
    const uint8_t dst[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
    Bytes b = eth(net::MacAddr{{0x33, 0x33, 0, 1, 0, 2}}, 0x86dd);
    const auto udp_len = static_cast<uint16_t>(8 + payload.size());
    put32(b, 0x60000000);
    put16(b, udp_len);
    b.push_back(17);
    b.push_back(1);
    put_bytes(b, src, 16);
    put_bytes(b, dst, 16);
    const size_t udp = b.size();
    put16(b, 546);
    put16(b, dport);
    put16(b, udp_len);
    put16(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
    uint32_t sum = udp_len + 17;  // pseudo-header: length, next header, then the addresses
    for (size_t i = 0; i < 16; i += 2)
        sum += static_cast<uint32_t>(src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1]);
    uint16_t c = csum(&b[udp], udp_len, sum);
    if (c == 0) c = 0xffff;
    b[udp + 6] = static_cast<uint8_t>(c >> 8);
    b[udp + 7] = static_cast<uint8_t>(c);
    return b;
}

/// A DHCPv6 client message: type, xid 0x0d6c11, a DUID-LL client identifier.
Bytes dhcp6_message(uint8_t type) {
    Bytes b{type, 0x0d, 0x6c, 0x11};
    put16(b, 1);  // Client Identifier: DUID-LL of kPeerMac
    put16(b, 10);
    put16(b, 3);
    put16(b, 1);
    put_bytes(b, kPeerMac.bytes.data(), 6);
    put16(b, 8);  // Elapsed Time: 0
    put16(b, 2);
    put16(b, 0);
    return b;
}

TEST_F(DhcpRing, Dhcp6MessagesToTheGroupAreHandedOverOrCounted) {
    // What the worker does with them; answering is the control lcore's part.
    const auto received = [&] {
        return counter(*app_, "edgelease_dhcp6_requests_received_total", {{"type", "solicit"}});
    };
    const uint64_t received0 = received();
    const uint64_t malformed0 = counter(*app_, "edgelease_dhcp6_malformed_total");
    const uint64_t not_client0 =
        counter(*app_, "edgelease_dhcp6_parse_errors_total", {{"error", "not_client_message"}});
    const uint64_t not_ours0 =
        counter(*app_, "edgelease_drops_total", {{"reason", "ipv6_not_for_us"}});
    const uint64_t dropped0 =
        counter(*app_, "edgelease_drops_total", {{"reason", "dhcp6_malformed"}});
    inject(pool(), udp6_to_all_servers(547, dhcp6_message(1)));  // Solicit
    inject(pool(), udp6_to_all_servers(547, dhcp6_message(2)));  // Advertise: a server's
    inject(pool(), udp6_to_all_servers(53, dhcp6_message(1)));   // not the server port
    // The frames are handled in order: once the last one is counted, so are the others.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (counter(*app_, "edgelease_drops_total", {{"reason", "ipv6_not_for_us"}}) == not_ours0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(received(), received0 + 1);
    EXPECT_EQ(counter(*app_, "edgelease_dhcp6_malformed_total"), malformed0 + 1);
    EXPECT_EQ(
        counter(*app_, "edgelease_dhcp6_parse_errors_total", {{"error", "not_client_message"}}),
        not_client0 + 1);
    EXPECT_EQ(counter(*app_, "edgelease_drops_total", {{"reason", "dhcp6_malformed"}}),
              dropped0 + 1);
    EXPECT_EQ(counter(*app_, "edgelease_drops_total", {{"reason", "ipv6_not_for_us"}}),
              not_ours0 + 1);
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    g_state_dir = (std::filesystem::temp_directory_path() /
                   ("edgelease-dhcp-ring-" + std::to_string(getpid())))
                      .string();
    std::filesystem::remove_all(g_state_dir);
    std::unique_ptr<dataplane::Eal> eal;
    if (init_ring_eal(eal, "edgelease-dhcp-ring") != 0) return 1;
    int rc = RUN_ALL_TESTS();
    std::filesystem::remove_all(g_state_dir);
    return rc;
}
