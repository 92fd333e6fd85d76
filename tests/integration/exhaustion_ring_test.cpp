// Exhaustion through the real lcores: an empty packet mempool (the PMD's RX allocations and
// the worker's DHCP reply allocations fail and are counted; once mbufs come back everything
// is served again) and a full worker -> control queue (requests dropped and counted while the
// control lcore is stalled; served again once it runs). Two ports: a net_ring port the test
// drives frame by frame, and a net_pcap port replaying a file of DNS queries written at start
// (its RX allocates an mbuf per frame from the appliance's pool, as a NIC's RX refill does).
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include <atomic>
#include <filesystem>

#include "control/command.hpp"
#include "dataplane/ports.hpp"
#include "tests/integration/ring_harness.hpp"

using namespace edgelease;
using namespace edgelease::ring_test;

namespace {

constexpr uint32_t kServer = 0xC6120001;  // 198.18.0.1
const net::MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
constexpr uint64_t kPcapFrames = 2000;  // DNS queries in the file net_pcap0 replays
const net::MacAddr kPcapMac{{0x02, 0x70, 0x63, 0x61, 0x70, 0x00}};  // net_pcap's first port

std::string g_state_dir, g_rx_pcap, g_tx_pcap;
rte_mempool* g_test_pool = nullptr;  // the test's own mbufs: injecting never needs the app's

/// A DHCP client message of `type` (option 53) from chaddr 02:11:22:33:<hi>:<lo>, xid
/// 0xd15c0000 + lo + 256 * (hi ^ 0x44) (so 0xd15c0000 + n for discover(n), got_offer_for(n)).
Bytes client_message(uint8_t type, uint8_t hi, uint8_t lo) {
    Bytes b;
    b.push_back(1);
    b.push_back(1);
    b.push_back(6);
    b.push_back(0);
    put32(b, 0xd15c0000u + lo + 256u * (hi ^ 0x44u));
    put16(b, 0);
    put16(b, 0);
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);
    const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, hi, lo};
    put_bytes(b, mac, 6);
    b.resize(b.size() + 10 + 64 + 128, 0);
    put32(b, 0x63825363);
    b.push_back(53);
    b.push_back(1);
    b.push_back(type);
    b.push_back(255);
    return udp4(kBroadcast, 0, 0xFFFFFFFF, 68, 67, b);
}

/// DHCPDISCOVER from chaddr 02:11:22:33:44:<n>.
Bytes discover(uint8_t n) {
    return client_message(1, 0x44, n);
}

/// A classic pcap file of kPcapFrames DNS queries (for names in no zone: each gets REFUSED).
bool write_query_pcap(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return false;
    const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};  // v2.4, Ethernet
    std::fwrite(hdr, sizeof hdr, 1, f);
    for (uint32_t i = 0; i < kPcapFrames; ++i) {
        Bytes q;
        put16(q, static_cast<uint16_t>(i));
        put16(q, 0x0100);
        put16(q, 1);
        put16(q, 0);
        put16(q, 0);
        put16(q, 0);
        for (const char* l : {"q", "example", "test"}) {
            q.push_back(static_cast<uint8_t>(std::strlen(l)));
            put_bytes(q, reinterpret_cast<const uint8_t*>(l), std::strlen(l));
        }
        q.push_back(0);
        put16(q, 1);
        put16(q, 1);
        const Bytes frame = udp4(kPcapMac, 0xC6120002, kServer, 40000, 53, q);
        const uint32_t rec[4] = {1767225600 + i / 1000, (i % 1000) * 1000,
                                 static_cast<uint32_t>(frame.size()),
                                 static_cast<uint32_t>(frame.size())};
        std::fwrite(rec, sizeof rec, 1, f);
        std::fwrite(frame.data(), frame.size(), 1, f);
    }
    return std::fclose(f) == 0;
}

config::Config exhaustion_config() {
    config::Config cfg;
    cfg.appliance.state_dir = g_state_dir;
    cfg.appliance.durability = config::Durability::Os;
    cfg.dpdk.workers = 1;
    cfg.dpdk.idle_sleep_us = 20000;  // idle polls 20 ms apart: the pcap lasts a while unserved
    cfg.dpdk.mbufs = 1023;
    // A pool this small is the point. The exception path keeps its default (on): its taps
    // fill their RX rings from a pool of their own, so they take nothing from this one.
    config::InterfaceConfig ring;
    ring.port = kRingPort;
    ring.addresses = {*net::parse_if_address("198.18.0.1/24")};
    config::InterfaceConfig pcap = ring;
    pcap.port = "net_pcap0";
    config::InterfaceConfig vlan = pcap, qinq = pcap;
    vlan.vlan = 100;
    qinq.vlan = 200;
    qinq.inner_vlan = 300;
    cfg.interfaces = {ring, pcap, vlan, qinq};
    config::ScopeConfig sc;
    sc.name = "lan";
    sc.subnet = *net::parse_if_address("198.18.0.0/24");
    sc.pools = {{net::Ipv4Addr{0xC6120064}, net::Ipv4Addr{0xC61200C7}}};
    sc.lease_time = std::chrono::seconds(3600);
    sc.routers = {net::Ipv4Addr{kServer}};
    cfg.dhcp.scopes = {sc};
    return cfg;
}

dataplane::PortCounters port_counters(const char* name) {
    uint16_t id = 0;
    dataplane::PortCounters c;
    if (rte_eth_dev_get_port_by_name(name, &id) == 0) dataplane::read_port_counters(id, c);
    return c;
}

/// Polls `pred` every millisecond for up to `timeout`.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pred();
}

/// Waits (bounded) for the OFFER to client `n` on the ring's TX side; replies to anyone else
/// (a backlog still draining) are skipped.
bool got_offer_for(uint8_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        auto f = receive(std::chrono::milliseconds(100));
        if (!f || f->size() < 42 + 240) continue;
        const Bytes& r = *f;
        const uint32_t xid = static_cast<uint32_t>(get16(r, 46)) << 16 | get16(r, 48);
        if (r[42] == 2 && xid == 0xd15c0000u + n) return true;
    }
    return false;
}

class Exhaustion : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { app_ = new app::Appliance(exhaustion_config(), {}); }
    static void TearDownTestSuite() {
        if (app_ == nullptr) return;  // set-up failed and said why
        app_->stop();
        delete app_;
        app_ = nullptr;
    }
    static app::Appliance* app_;
};
app::Appliance* Exhaustion::app_ = nullptr;

// First: the pool is drained before the lcores start, so that no lcore cache holds mbufs.
TEST_F(Exhaustion, EmptyMempoolIsCountedAndServingResumesWhenMbufsReturn) {
    rte_mempool* pool = app_->ports().pool();
    std::vector<rte_mbuf*> held;
    for (rte_mbuf* m; (m = rte_pktmbuf_alloc(pool)) != nullptr;) held.push_back(m);
    ASSERT_GT(held.size(), 0u);
    ASSERT_EQ(dataplane::read_pool_counters(pool).available, 0u);
    app_->start();

    // RX: net_pcap cannot get an mbuf for the next frame of its file; it counts rx_nombuf
    // and that frame is lost, as on a NIC whose ring cannot be refilled.
    ASSERT_TRUE(wait_until([] { return port_counters("net_pcap0").rx_nombuf >= 2; }));
    // DHCP: the request comes in on the test's own mbuf; the reply finds no mbuf.
    inject(g_test_pool, discover(1));
    ASSERT_TRUE(
        wait_until([] { return counter(*app_, "edgelease_dhcp_reply_alloc_failed_total") == 1; }));
    EXPECT_FALSE(receive(std::chrono::milliseconds(100)));
    EXPECT_GE(counter(*app_, "edgelease_dhcp_replies_total", {{"type", "offer"}}),
              1u);                                       // the control lcore did answer
    EXPECT_EQ(port_counters("net_pcap0").ipackets, 0u);  // nothing got through meanwhile

    for (rte_mbuf* m : held) rte_pktmbuf_free(m);
    held.clear();

    // Served again: the next DISCOVER gets its OFFER, and the rest of the file is received
    // and answered (DNS answers are written into the received mbuf).
    inject(g_test_pool, discover(2));
    EXPECT_TRUE(got_offer_for(2));
    ASSERT_TRUE(wait_until([] {
        auto c = port_counters("net_pcap0");
        return c.ipackets + c.rx_nombuf == kPcapFrames;
    }));
    const auto c = port_counters("net_pcap0");
    std::printf("net_pcap0: %llu frames lost for want of mbufs, %llu received\n",
                static_cast<unsigned long long>(c.rx_nombuf),
                static_cast<unsigned long long>(c.ipackets));
    EXPECT_GT(c.ipackets, 0u);
    EXPECT_TRUE(wait_until([&] { return port_counters("net_pcap0").opackets == c.ipackets; }))
        << port_counters("net_pcap0").opackets << " answers for " << c.ipackets << " queries";
    // The worker's own count: the file's frames it got plus the two DISCOVERs, all handled.
    EXPECT_EQ(counter(*app_, "edgelease_rx_packets_total"), c.ipackets + 2);
    EXPECT_EQ(counter(*app_, "edgelease_dns_responses_total"), c.ipackets);
    EXPECT_EQ(counter(*app_, "edgelease_dhcp_reply_alloc_failed_total"), 1u);
    EXPECT_GT(dataplane::read_pool_counters(pool).available, 0u);
}

TEST_F(Exhaustion, FullQueueToControlShedsNewExchangesFirstAndServingResumes) {
    while (receive(std::chrono::milliseconds(50))) {
    }
    // A client repeating its DISCOVER at once (same transaction) is answered once.
    const uint64_t repeats0 = counter(*app_, "edgelease_dhcp_repeats_total");
    inject(g_test_pool, discover(5));
    inject(g_test_pool, discover(5));
    ASSERT_TRUE(
        wait_until([&] { return counter(*app_, "edgelease_dhcp_repeats_total") == repeats0 + 1; }));
    EXPECT_TRUE(got_offer_for(5));
    EXPECT_EQ(counter(*app_, "edgelease_drops_total", {{"reason", "dhcp_repeat"}}), repeats0 + 1);

    // Stall the control lcore with a command that waits for the test.
    std::atomic<bool> release{false}, running{false};
    auto stalled = app_->control_plane().commands().submit([&] {
        running = true;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    ASSERT_TRUE(stalled.has_value());
    ASSERT_TRUE(wait_until([&] { return running.load(); }));

    const auto received = [&] { return counter(*app_, "edgelease_dhcp_requests_received_total"); };
    const auto full = [&] { return counter(*app_, "edgelease_dhcp_queue_full_total"); };
    const auto shed = [&] { return counter(*app_, "edgelease_dhcp_shed_total"); };
    const uint64_t received0 = received(), full0 = full(), shed0 = shed();
    // 1500 REQUESTs from as many clients, more than the queue holds (kQueueDepth), with a
    // DISCOVER from a new client after every 10th: REQUESTs finish exchanges and are only
    // dropped when the queue is full; DISCOVERs start them and are shed once it is deep.
    constexpr int kFlood = 1500;
    int discovers = 0;
    for (int i = 0; i < kFlood; ++i) {
        inject(g_test_pool,
               client_message(3, static_cast<uint8_t>(i / 256), static_cast<uint8_t>(i)));
        if (i % 10 == 9) {
            inject(g_test_pool, client_message(1, static_cast<uint8_t>(0x80 + i / 256),
                                               static_cast<uint8_t>(i)));
            ++discovers;
        }
        if (i % 200 == 199) {  // the ring holds 1024: let the worker take what is there
            ASSERT_TRUE(wait_until([] { return rte_ring_count(g_rx) == 0; }));
        }
    }
    ASSERT_TRUE(wait_until([] { return rte_ring_count(g_rx) == 0; }));
    const auto total = static_cast<uint64_t>(kFlood + discovers);
    ASSERT_TRUE(wait_until(
        [&] { return received() - received0 + full() - full0 + shed() - shed0 == total; }));
    const uint64_t queued = received() - received0, dropped = full() - full0,
                   shed_n = shed() - shed0;
    const uint64_t shed_depth = dataplane::dhcp::AdmissionSettings{}.shed_depth;
    std::printf(
        "control lcore stalled: %d REQUESTs and %d DISCOVERs, %llu queued, %llu shed, "
        "%llu dropped as queue-full\n",
        kFlood, discovers, static_cast<unsigned long long>(queued),
        static_cast<unsigned long long>(shed_n), static_cast<unsigned long long>(dropped));
    // What should happen, message by message: the control lcore takes nothing meanwhile.
    // A DISCOVER that finds the queue deep, or full, is shed.
    uint64_t depth = 0, want_shed = 0, want_full = 0;
    for (int i = 0; i < kFlood; ++i) {
        depth < dataplane::dhcp::kQueueDepth ? ++depth : ++want_full;
        if (i % 10 == 9) depth < shed_depth ? ++depth : ++want_shed;
    }
    EXPECT_EQ(queued, dataplane::dhcp::kQueueDepth);
    // Only the DISCOVERs that came while the queue was shallow went in, every one after that
    // was shed, and none was dropped as queue-full: those were all REQUESTs.
    EXPECT_GT(want_shed, 0u);
    EXPECT_EQ(shed_n, want_shed);
    EXPECT_EQ(dropped, want_full);
    EXPECT_EQ(counter(*app_, "edgelease_drops_total", {{"reason", "dhcp_queue_full"}}), dropped);
    EXPECT_EQ(counter(*app_, "edgelease_drops_total", {{"reason", "dhcp_shed"}}), shed_n);

    release = true;
    // The queued ones are answered (as far as the reply path takes them), then a new client is
    // served as usual.
    while (receive(std::chrono::milliseconds(300))) {
    }
    inject(g_test_pool, discover(4));
    EXPECT_TRUE(got_offer_for(4));
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    const auto tmp = std::filesystem::temp_directory_path();
    g_state_dir = (tmp / ("edgelease-exhaustion-ring-" + std::to_string(getpid()))).string();
    g_tx_pcap = (tmp / ("edgelease-exhaustion-tx-" + std::to_string(getpid()) + ".pcap")).string();
    g_rx_pcap = (tmp / ("edgelease-exhaustion-rx-" + std::to_string(getpid()) + ".pcap")).string();
    if (!write_query_pcap(g_rx_pcap)) {
        std::fprintf(stderr, "cannot write %s\n", g_rx_pcap.c_str());
        return 1;
    }
    std::filesystem::remove_all(g_state_dir);
    app::block_signals();
    const std::string prefix = "--file-prefix=edgelease-exhaustion-" + std::to_string(getpid());
    const std::string vdev = "--vdev=net_pcap0,rx_pcap=" + g_rx_pcap + ",tx_pcap=" + g_tx_pcap;
    auto args = dataplane::build_eal_args(
        {"--no-huge", "--no-pci", "--no-shconf", prefix, vdev, "--log-level=lib.eal:error"}, {}, 1,
        dataplane::allowed_cpus());
    auto eal = std::make_unique<dataplane::Eal>(args);
    g_rx = rte_ring_create("rx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    g_tx = rte_ring_create("tx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    g_test_pool = rte_pktmbuf_pool_create("test_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                          static_cast<int>(rte_socket_id()));
    if (g_rx == nullptr || g_tx == nullptr || g_test_pool == nullptr ||
        rte_eth_from_rings("ring0", &g_rx, 1, &g_tx, 1, 0) < 0) {
        std::fprintf(stderr, "cannot create the ring port or the test pool\n");
        return 1;
    }
    int rc = RUN_ALL_TESTS();
    std::filesystem::remove_all(g_state_dir);
    std::filesystem::remove(g_tx_pcap);
    std::filesystem::remove(g_rx_pcap);
    return rc;
}
