// The real worker loop on lcores, fed through a net_ring port: frames go into the port's RX
// ring, answers are read back from its TX ring and checked field by field.
#include "control/zone/zone_file.hpp"
#include "tests/integration/ring_harness.hpp"

using namespace edgelease;
using namespace edgelease::ring_test;

namespace {

Bytes arp_request(uint32_t sender_ip, uint32_t target_ip, std::vector<uint16_t> vlans = {}) {
    Bytes b = eth(net::MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, 0x0806, vlans);
    put16(b, 1);
    put16(b, 0x0800);
    b.push_back(6);
    b.push_back(4);
    put16(b, 1);
    put_bytes(b, kPeerMac.bytes.data(), 6);
    put32(b, sender_ip);
    for (int i = 0; i < 6; ++i) b.push_back(0);
    put32(b, target_ip);
    return b;
}

Bytes icmp_echo(const net::MacAddr& dst, uint32_t src, uint32_t dst_ip, uint16_t id, uint16_t seq) {
    Bytes b = eth(dst, 0x0800);
    size_t ip = b.size();
    const size_t payload = 24;
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<uint16_t>(20 + 8 + payload));
    put16(b, 0x1234);
    put16(b, 0);
    b.push_back(64);
    b.push_back(1);
    put16(b, 0);
    put32(b, src);
    put32(b, dst_ip);
    uint16_t c = csum(&b[ip], 20);
    b[ip + 10] = c >> 8;
    b[ip + 11] = c & 0xff;
    size_t icmp = b.size();
    b.push_back(8);
    b.push_back(0);
    put16(b, 0);
    put16(b, id);
    put16(b, seq);
    for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i));
    c = csum(&b[icmp], b.size() - icmp);
    b[icmp + 2] = c >> 8;
    b[icmp + 3] = c & 0xff;
    return b;
}

Bytes neighbor_solicitation(const net::Ipv6Addr& src, const net::Ipv6Addr& target) {
    // Destination: the solicited-node group of the target, ff02::1:ffXX:XXXX.
    net::Ipv6Addr dst{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, target.bytes[13],
                       target.bytes[14], target.bytes[15]}};
    Bytes b =
        eth(net::MacAddr{{0x33, 0x33, 0xff, target.bytes[13], target.bytes[14], target.bytes[15]}},
            0x86dd);
    size_t ip = b.size();
    put32(b, 0x60000000);
    put16(b, 32);
    b.push_back(58);
    b.push_back(255);
    put_bytes(b, src.bytes.data(), 16);
    put_bytes(b, dst.bytes.data(), 16);
    size_t icmp = b.size();
    b.push_back(135);
    b.push_back(0);
    put16(b, 0);
    put32(b, 0);
    put_bytes(b, target.bytes.data(), 16);
    b.push_back(1);
    b.push_back(1);
    put_bytes(b, kPeerMac.bytes.data(), 6);
    // ICMPv6 checksum over the pseudo-header.
    uint32_t sum = 0;
    for (size_t i = 0; i < 32; i += 2)
        sum += static_cast<uint32_t>(b[ip + 8 + i] << 8 | b[ip + 9 + i]);
    sum += 32 + 58;
    uint16_t c = csum(&b[icmp], 32, sum);
    b[icmp + 2] = c >> 8;
    b[icmp + 3] = c & 0xff;
    return b;
}

/// IPv4/UDP DNS query for `name` (dotted, no trailing dot) type A, with a UDP checksum.
Bytes dns_query(const net::MacAddr& dst, uint32_t src, uint32_t dst_ip, uint16_t id,
                const std::string& name, std::vector<uint16_t> vlans = {}) {
    Bytes dnsmsg;
    put16(dnsmsg, id);
    put16(dnsmsg, 0);
    put16(dnsmsg, 1);
    put16(dnsmsg, 0);
    put16(dnsmsg, 0);
    put16(dnsmsg, 0);
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        dnsmsg.push_back(static_cast<uint8_t>(dot - start));
        for (size_t i = start; i < dot; ++i) dnsmsg.push_back(static_cast<uint8_t>(name[i]));
        start = dot + 1;
    }
    dnsmsg.push_back(0);
    put16(dnsmsg, 1);
    put16(dnsmsg, 1);
    return udp4(dst, src, dst_ip, 40000, 53, dnsmsg, std::move(vlans));
}

std::unique_ptr<dataplane::dns::ZoneView> zone_with(const std::string& www_address) {
    std::string why;
    auto origin = *dns::name_from_text("lan.", dns::WireName{0}, why);
    auto parsed = control::zone::parse_zone_text(
        "@ 300 SOA ns.lan. hostmaster.lan. 1 3600 600 86400 60\n"
        "@ 300 NS ns\nns 300 A 198.18.0.1\nwww 300 A " +
            www_address + "\n",
        "inline", origin, 300);
    EXPECT_TRUE(parsed.errors.empty());
    return std::make_unique<dataplane::dns::ZoneView>(
        std::vector<dataplane::dns::ZoneInput>{{origin, parsed.records}});
}

/// The A address in a one-answer response (last 4 bytes), or 0.
uint32_t answered_address(const Bytes& r) {
    if (r.size() < 42 + 16) return 0;
    const size_t dnsoff = 42;
    if (get16(r, dnsoff + 6) != 1) return 0;  // ANCOUNT
    return static_cast<uint32_t>(get16(r, r.size() - 4)) << 16 | get16(r, r.size() - 2);
}

config::Config ring_config() {
    config::Config cfg;
    cfg.dpdk.workers = 1;
    cfg.dpdk.idle_sleep_us = 50;
    // These tests count the workers' own verdicts, TCP and fragments among them as drops;
    // the exception path that hands those to a kernel has its own test (e2e.exception).
    cfg.exception.enabled = false;
    config::InterfaceConfig untagged;
    untagged.port = kRingPort;
    untagged.addresses = {*net::parse_if_address("198.18.0.1/24"),
                          *net::parse_if_address("2001:db8::1/64")};
    config::InterfaceConfig tagged = untagged;
    tagged.vlan = 100;
    tagged.inner_vlan = 200;
    tagged.addresses = {*net::parse_if_address("198.19.100.1/24")};
    cfg.interfaces = {untagged, tagged};
    return cfg;
}

class WorkerRing : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        app_ = new app::Appliance(ring_config(), {});
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
app::Appliance* WorkerRing::app_ = nullptr;

constexpr uint32_t kOurIp = 0xC6120001;   // 198.18.0.1
constexpr uint32_t kPeerIp = 0xC6120063;  // 198.18.0.99

TEST_F(WorkerRing, AnswersArpRequestFieldByField) {
    inject(pool(), arp_request(kPeerIp, kOurIp));
    auto r = receive();
    ASSERT_TRUE(r);
    ASSERT_GE(r->size(), 42u);
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), r->begin()));
    EXPECT_TRUE(std::equal(mac().bytes.begin(), mac().bytes.end(), r->begin() + 6));
    EXPECT_EQ(get16(*r, 12), 0x0806);
    EXPECT_EQ(get16(*r, 20), 2);  // op = reply
    EXPECT_TRUE(std::equal(mac().bytes.begin(), mac().bytes.end(), r->begin() + 22));
    EXPECT_EQ(get16(*r, 28) << 16 | get16(*r, 30), kOurIp);  // spa
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), r->begin() + 32));
    EXPECT_EQ(get16(*r, 38) << 16 | get16(*r, 40), kPeerIp);  // tpa
}

TEST_F(WorkerRing, AnswersQinQArpWithTheSameTags) {
    inject(pool(), arp_request(0xC6136463, 0xC6136401, {100, 200}));
    auto r = receive();
    ASSERT_TRUE(r);
    EXPECT_EQ(get16(*r, 12), 0x88a8);
    EXPECT_EQ(get16(*r, 14) & 0x0fff, 100);
    EXPECT_EQ(get16(*r, 16), 0x8100);
    EXPECT_EQ(get16(*r, 18) & 0x0fff, 200);
    EXPECT_EQ(get16(*r, 20), 0x0806);
    EXPECT_EQ(get16(*r, 28), 2);
}

TEST_F(WorkerRing, AnswersIcmpEcho) {
    Bytes req = icmp_echo(mac(), kPeerIp, kOurIp, 0x4242, 7);
    inject(pool(), req);
    auto r = receive();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), req.size());
    EXPECT_EQ(get16(*r, 26) << 16 | get16(*r, 28), kOurIp);   // source
    EXPECT_EQ(get16(*r, 30) << 16 | get16(*r, 32), kPeerIp);  // destination
    EXPECT_EQ(csum(r->data() + 14, 20), 0);                   // header checksum verifies
    EXPECT_EQ((*r)[34], 0);                                   // echo reply
    EXPECT_EQ(get16(*r, 38), 0x4242);
    EXPECT_EQ(get16(*r, 40), 7);
    EXPECT_EQ(csum(r->data() + 34, r->size() - 34), 0);  // ICMP checksum verifies
    EXPECT_TRUE(std::equal(req.begin() + 42, req.end(), r->begin() + 42));  // payload
}

TEST_F(WorkerRing, AnswersNeighborSolicitation) {
    auto target = *net::parse_ipv6("2001:db8::1");
    auto src = *net::parse_ipv6("2001:db8::99");
    inject(pool(), neighbor_solicitation(src, target));
    auto r = receive();
    ASSERT_TRUE(r);
    ASSERT_GE(r->size(), 14u + 40 + 32);
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), r->begin()));
    EXPECT_EQ(get16(*r, 12), 0x86dd);
    EXPECT_EQ((*r)[14 + 7], 255);  // hop limit
    EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), r->begin() + 22));  // src
    EXPECT_TRUE(std::equal(src.bytes.begin(), src.bytes.end(), r->begin() + 38));        // dst
    EXPECT_EQ((*r)[54], 136);                                                            // NA
    EXPECT_EQ((*r)[58] & 0xe0, 0x60);  // S and O, not R
    EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), r->begin() + 62));
    EXPECT_EQ((*r)[78], 2);  // target link-layer address option
    EXPECT_TRUE(std::equal(mac().bytes.begin(), mac().bytes.end(), r->begin() + 80));
}

TEST_F(WorkerRing, CountsWhatItDrops) {
    struct Figures {
        uint64_t rx, tx, dropped, arp_ignored, fragment, proto;
    };
    auto figures = [&] {
        auto drops = [&](std::string_view reason) {
            return counter(*app_, "edgelease_drops_total", {{"reason", reason}});
        };
        return Figures{counter(*app_, "edgelease_rx_packets_total"),
                       counter(*app_, "edgelease_tx_packets_total"),
                       counter(*app_, "edgelease_drops_total"),
                       drops("arp_ignored"),
                       drops("ipv4_fragment"),
                       drops("proto_unhandled")};
    };
    const Figures before = figures();
    inject(pool(), arp_request(kPeerIp, 0xC6120002));  // not our address
    Bytes frag = icmp_echo(mac(), kPeerIp, kOurIp, 1, 1);
    frag[14 + 6] = 0x20;  // MF set
    fix_ipv4_checksum(frag);
    inject(pool(), frag);
    Bytes tcp = icmp_echo(mac(), kPeerIp, kOurIp, 1, 1);
    tcp[14 + 9] = 6;
    fix_ipv4_checksum(tcp);
    inject(pool(), tcp);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    Figures now;
    do {
        now = figures();
        if (now.rx >= before.rx + 3) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(now.rx, before.rx + 3);
    EXPECT_EQ(now.arp_ignored, before.arp_ignored + 1);
    EXPECT_EQ(now.fragment, before.fragment + 1);
    EXPECT_EQ(now.proto, before.proto + 1);
    EXPECT_EQ(now.dropped, before.dropped + 3);
    EXPECT_EQ(now.tx, before.tx);
    EXPECT_FALSE(receive(std::chrono::milliseconds(50)));
}

TEST_F(WorkerRing, AnswersDnsQueryInPlace) {
    ASSERT_TRUE(app_->publish_zones(zone_with("198.18.0.10"), std::chrono::seconds(5)));
    Bytes q = dns_query(mac(), kPeerIp, kOurIp, 0xbeef, "www.lan");
    inject(pool(), q);
    auto r = receive();
    ASSERT_TRUE(r);
    EXPECT_TRUE(std::equal(kPeerMac.bytes.begin(), kPeerMac.bytes.end(), r->begin()));
    EXPECT_EQ(get16(*r, 26) << 16 | get16(*r, 28), kOurIp);
    EXPECT_EQ(get16(*r, 30) << 16 | get16(*r, 32), kPeerIp);
    EXPECT_EQ(csum(r->data() + 14, 20), 0);
    EXPECT_EQ(get16(*r, 34), 53);              // source port
    EXPECT_EQ(get16(*r, 36), 40000);           // destination port
    EXPECT_EQ(get16(*r, 38), r->size() - 34);  // UDP length
    EXPECT_TRUE(udp4_checksums_ok(*r));
    EXPECT_EQ(get16(*r, 42), 0xbeef);
    EXPECT_EQ(get16(*r, 44) & 0x8000, 0x8000);  // QR
    EXPECT_EQ(get16(*r, 44) & 0x0400, 0x0400);  // AA
    EXPECT_EQ(get16(*r, 44) & 0x000f, 0);       // NOERROR
    EXPECT_EQ(answered_address(*r), 0xC612000Au);
}

TEST_F(WorkerRing, AnswersDnsOnAQinQInterfaceWithTheSameTags) {
    ASSERT_TRUE(app_->publish_zones(zone_with("198.18.0.10"), std::chrono::seconds(5)));
    // To the QinQ interface's address (outer 100, inner 200), from a host on its subnet.
    inject(pool(), dns_query(mac(), 0xC6136463, 0xC6136401, 0x0420, "www.lan", {100, 200}));
    auto r = receive();
    ASSERT_TRUE(r);
    EXPECT_EQ(get16(*r, 12), 0x88a8);
    EXPECT_EQ(get16(*r, 14) & 0x0fff, 100);
    EXPECT_EQ(get16(*r, 16), 0x8100);
    EXPECT_EQ(get16(*r, 18) & 0x0fff, 200);
    EXPECT_EQ(get16(*r, 20), 0x0800);
    EXPECT_EQ(get16(*r, 8 + 26) << 16 | get16(*r, 8 + 28), 0xC6136401u);  // IP source
    EXPECT_EQ(get16(*r, 8 + 42), 0x0420);                                 // DNS id
    EXPECT_EQ(static_cast<uint32_t>(get16(*r, r->size() - 4)) << 16 | get16(*r, r->size() - 2),
              0xC612000Au);
}

TEST_F(WorkerRing, PublishedZoneChangeIsServedWithoutLosingQueries) {
    ASSERT_TRUE(app_->publish_zones(zone_with("198.18.0.10"), std::chrono::seconds(5)));
    // Queries keep flowing while new views are published; every one is answered, and once
    // publish_zones returns, the next answer carries the new data.
    unsigned sent = 0, answered = 0;
    for (unsigned round = 0; round < 20; ++round) {
        std::string addr = "198.18.1." + std::to_string(round + 1);
        auto t0 = std::chrono::steady_clock::now();
        ASSERT_TRUE(app_->publish_zones(zone_with(addr), std::chrono::seconds(5)));
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
        if (round == 0) std::printf("publish to visible: %lld us\n", static_cast<long long>(us));
        for (unsigned i = 0; i < 25; ++i) {
            inject(pool(),
                   dns_query(mac(), kPeerIp, kOurIp, static_cast<uint16_t>(sent), "www.lan"));
            ++sent;
            auto r = receive();
            if (!r) continue;
            ++answered;
            EXPECT_EQ(answered_address(*r), 0xC6120100u + round + 1) << "round " << round;
        }
    }
    EXPECT_EQ(answered, sent);
    // Old views are freed once every reader has passed a quiescent point.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (app_->control_plane().retired_pending() != 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(app_->control_plane().retired_pending(), 0u);
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    std::unique_ptr<dataplane::Eal> eal;
    if (init_ring_eal(eal, "edgelease-ring") != 0) return 1;
    return RUN_ALL_TESTS();
}
