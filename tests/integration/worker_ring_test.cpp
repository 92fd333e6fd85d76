// The real worker loop on lcores, fed through a net_ring port: frames go into the port's RX
// ring, answers are read back from its TX ring and checked field by field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "app/appliance.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/eal_args.hpp"

using namespace edgelease;
using Bytes = std::vector<uint8_t>;

namespace {

rte_ring* g_rx = nullptr;  // what the appliance receives
rte_ring* g_tx = nullptr;  // what it sends

const net::MacAddr kPeerMac{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};

void put16(Bytes& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put32(Bytes& b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
void put_bytes(Bytes& b, const uint8_t* p, size_t n) { b.insert(b.end(), p, p + n); }
uint16_t get16(const Bytes& b, size_t o) { return static_cast<uint16_t>(b[o] << 8 | b[o + 1]); }

uint16_t csum(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

Bytes eth(const net::MacAddr& dst, uint16_t type, std::vector<uint16_t> vlans = {}) {
    Bytes b;
    put_bytes(b, dst.bytes.data(), 6);
    put_bytes(b, kPeerMac.bytes.data(), 6);
    for (size_t i = 0; i < vlans.size(); ++i) {
        put16(b, vlans.size() == 2 && i == 0 ? 0x88a8 : 0x8100);
        put16(b, vlans[i]);
    }
    put16(b, type);
    return b;
}

Bytes arp_request(uint32_t sender_ip, uint32_t target_ip, std::vector<uint16_t> vlans = {}) {
    Bytes b = eth(net::MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, 0x0806, vlans);
    put16(b, 1); put16(b, 0x0800); b.push_back(6); b.push_back(4); put16(b, 1);
    put_bytes(b, kPeerMac.bytes.data(), 6); put32(b, sender_ip);
    for (int i = 0; i < 6; ++i) b.push_back(0);
    put32(b, target_ip);
    return b;
}

Bytes icmp_echo(const net::MacAddr& dst, uint32_t src, uint32_t dst_ip, uint16_t id, uint16_t seq) {
    Bytes b = eth(dst, 0x0800);
    size_t ip = b.size();
    const size_t payload = 24;
    b.push_back(0x45); b.push_back(0); put16(b, static_cast<uint16_t>(20 + 8 + payload));
    put16(b, 0x1234); put16(b, 0); b.push_back(64); b.push_back(1); put16(b, 0);
    put32(b, src); put32(b, dst_ip);
    uint16_t c = csum(&b[ip], 20); b[ip + 10] = c >> 8; b[ip + 11] = c & 0xff;
    size_t icmp = b.size();
    b.push_back(8); b.push_back(0); put16(b, 0); put16(b, id); put16(b, seq);
    for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i));
    c = csum(&b[icmp], b.size() - icmp); b[icmp + 2] = c >> 8; b[icmp + 3] = c & 0xff;
    return b;
}

Bytes neighbor_solicitation(const net::Ipv6Addr& src, const net::Ipv6Addr& target) {
    // Destination: the solicited-node group of the target, ff02::1:ffXX:XXXX.
    net::Ipv6Addr dst{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, target.bytes[13],
                       target.bytes[14], target.bytes[15]}};
    Bytes b = eth(net::MacAddr{{0x33, 0x33, 0xff, target.bytes[13], target.bytes[14], target.bytes[15]}}, 0x86dd);
    size_t ip = b.size();
    put32(b, 0x60000000); put16(b, 32); b.push_back(58); b.push_back(255);
    put_bytes(b, src.bytes.data(), 16); put_bytes(b, dst.bytes.data(), 16);
    size_t icmp = b.size();
    b.push_back(135); b.push_back(0); put16(b, 0); put32(b, 0);
    put_bytes(b, target.bytes.data(), 16);
    b.push_back(1); b.push_back(1); put_bytes(b, kPeerMac.bytes.data(), 6);
    // ICMPv6 checksum over the pseudo-header.
    uint32_t sum = 0;
    for (size_t i = 0; i < 32; i += 2) sum += static_cast<uint32_t>(b[ip + 8 + i] << 8 | b[ip + 9 + i]);
    sum += 32 + 58;
    uint16_t c = csum(&b[icmp], 32, sum); b[icmp + 2] = c >> 8; b[icmp + 3] = c & 0xff;
    return b;
}

void fix_ipv4_checksum(Bytes& b, size_t ip = 14) {
    b[ip + 10] = b[ip + 11] = 0;
    uint16_t c = csum(&b[ip], 20);
    b[ip + 10] = c >> 8;
    b[ip + 11] = c & 0xff;
}

void inject(rte_mempool* pool, const Bytes& frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    ASSERT_NE(m, nullptr);
    char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
    ASSERT_NE(p, nullptr);
    std::memcpy(p, frame.data(), frame.size());
    ASSERT_EQ(rte_ring_enqueue(g_rx, m), 0);
}

/// Waits (bounded) for the appliance to transmit one frame.
std::optional<Bytes> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        void* obj = nullptr;
        if (rte_ring_dequeue(g_tx, &obj) == 0) {
            auto* m = static_cast<rte_mbuf*>(obj);
            Bytes out(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_mtod(m, uint8_t*) + m->data_len);
            rte_pktmbuf_free(m);
            return out;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return std::nullopt;
}

config::Config ring_config() {
    config::Config cfg;
    cfg.dpdk.workers = 1;
    cfg.dpdk.idle_sleep_us = 50;
    config::InterfaceConfig untagged;
    untagged.port = "net_ring_ring0";  // rte_eth_from_rings prefixes the name
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
        app_ = new app::Appliance(ring_config(), nullptr);
        app_->start();
    }
    static void TearDownTestSuite() {
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
    EXPECT_EQ(csum(r->data() + 34, r->size() - 34), 0);        // ICMP checksum verifies
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
    EXPECT_EQ((*r)[14 + 7], 255);                                            // hop limit
    EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), r->begin() + 22));  // src
    EXPECT_TRUE(std::equal(src.bytes.begin(), src.bytes.end(), r->begin() + 38));        // dst
    EXPECT_EQ((*r)[54], 136);                                                // NA
    EXPECT_EQ((*r)[58] & 0xe0, 0x60);                                        // S and O, not R
    EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), r->begin() + 62));
    EXPECT_EQ((*r)[78], 2);  // target link-layer address option
    EXPECT_TRUE(std::equal(mac().bytes.begin(), mac().bytes.end(), r->begin() + 80));
}

TEST_F(WorkerRing, CountsWhatItDrops) {
    auto before = app_->stats().sum();
    inject(pool(), arp_request(kPeerIp, 0xC6120002));        // not our address
    Bytes frag = icmp_echo(mac(), kPeerIp, kOurIp, 1, 1);
    frag[14 + 6] = 0x20;                                        // MF set
    fix_ipv4_checksum(frag);
    inject(pool(), frag);
    Bytes tcp = icmp_echo(mac(), kPeerIp, kOurIp, 1, 1);
    tcp[14 + 9] = 6;
    fix_ipv4_checksum(tcp);
    inject(pool(), tcp);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    dataplane::StatsTotals now;
    do {
        now = app_->stats().sum();
        if (now.rx_packets >= before.rx_packets + 3) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    auto idx = [](dataplane::DropReason r) { return static_cast<size_t>(r); };
    EXPECT_EQ(now.rx_packets, before.rx_packets + 3);
    EXPECT_EQ(now.drops[idx(dataplane::DropReason::ArpIgnored)],
              before.drops[idx(dataplane::DropReason::ArpIgnored)] + 1);
    EXPECT_EQ(now.drops[idx(dataplane::DropReason::Ipv4Fragment)],
              before.drops[idx(dataplane::DropReason::Ipv4Fragment)] + 1);
    EXPECT_EQ(now.drops[idx(dataplane::DropReason::ProtoUnhandled)],
              before.drops[idx(dataplane::DropReason::ProtoUnhandled)] + 1);
    EXPECT_EQ(now.drops_total(), before.drops_total() + 3);
    EXPECT_EQ(now.tx_packets, before.tx_packets);
    EXPECT_FALSE(receive(std::chrono::milliseconds(50)));
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    edgelease::app::block_signals();
    std::string prefix = "--file-prefix=edgelease-ring-" + std::to_string(getpid());
    auto args = dataplane::build_eal_args({"--no-huge", "--no-pci", "--no-shconf", prefix, "--log-level=lib.eal:error"}, {}, 1,
                                          dataplane::allowed_cpus());
    dataplane::Eal eal(args);
    g_rx = rte_ring_create("rx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    g_tx = rte_ring_create("tx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (g_rx == nullptr || g_tx == nullptr || rte_eth_from_rings("ring0", &g_rx, 1, &g_tx, 1, 0) < 0) {
        std::fprintf(stderr, "cannot create the ring port\n");
        return 1;
    }
    return RUN_ALL_TESTS();
}
