#pragma once
// Shared by the net_ring integration tests: one process, one EAL, one ring port whose RX ring
// the test fills and whose TX ring it reads. Frame builders and bounded waits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/appliance.hpp"
#include "app/catalog.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/eal_args.hpp"

namespace edgelease::ring_test {

using Bytes = std::vector<uint8_t>;

inline rte_ring* g_rx = nullptr;  // what the appliance receives
inline rte_ring* g_tx = nullptr;  // what it sends

/// The appliance's counter `name` (its Prometheus name) summed over its series, or over those
/// whose labels include `match`: read through the counter catalog, as every reader does.
inline uint64_t counter(const app::Appliance& a, std::string_view name,
                        std::initializer_list<app::Label> match = {}) {
    return app::total(app::find_entry(name), app::sources_of(a), match);
}

inline const net::MacAddr kPeerMac{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};

inline void put16(Bytes& b, uint16_t v) {
    b.push_back(v >> 8);
    b.push_back(v & 0xff);
}
inline void put32(Bytes& b, uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
inline void put_bytes(Bytes& b, const uint8_t* p, size_t n) {
    b.insert(b.end(), p, p + n);
}
inline uint16_t get16(const Bytes& b, size_t o) {
    return static_cast<uint16_t>(b[o] << 8 | b[o + 1]);
}

inline uint16_t csum(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

inline Bytes eth(const net::MacAddr& dst, uint16_t type, std::vector<uint16_t> vlans = {}) {
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

inline void fix_ipv4_checksum(Bytes& b, size_t ip = 14) {
    b[ip + 10] = b[ip + 11] = 0;
    uint16_t c = csum(&b[ip], 20);
    b[ip + 10] = c >> 8;
    b[ip + 11] = c & 0xff;
}

inline void inject(rte_mempool* pool, const Bytes& frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    ASSERT_NE(m, nullptr);
    char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
    ASSERT_NE(p, nullptr);
    std::memcpy(p, frame.data(), frame.size());
    ASSERT_EQ(rte_ring_enqueue(g_rx, m), 0);
}

/// Waits (bounded) for the appliance to transmit one frame.
inline std::optional<Bytes> receive(
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
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

/// IPv4/UDP frame with correct IP and UDP checksums.
inline Bytes udp4(const net::MacAddr& dst_mac, uint32_t src, uint32_t dst, uint16_t sport,
                  uint16_t dport, const Bytes& payload, std::vector<uint16_t> vlans = {}) {
    Bytes b = eth(dst_mac, 0x0800, std::move(vlans));
    size_t ip = b.size();
    uint16_t udp_len = static_cast<uint16_t>(8 + payload.size());
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<uint16_t>(20 + udp_len));
    put16(b, 0x4321);
    put16(b, 0);
    b.push_back(64);
    b.push_back(17);
    put16(b, 0);
    put32(b, src);
    put32(b, dst);
    fix_ipv4_checksum(b, ip);
    size_t udp = b.size();
    put16(b, sport);
    put16(b, dport);
    put16(b, udp_len);
    put16(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
    uint32_t sum = 0;
    for (size_t i = 0; i < 8; i += 2)
        sum += static_cast<uint32_t>(b[ip + 12 + i] << 8 | b[ip + 13 + i]);
    sum += 17 + udp_len;
    uint16_t c = csum(&b[udp], udp_len, sum);
    if (c == 0) c = 0xffff;
    b[udp + 6] = c >> 8;
    b[udp + 7] = c & 0xff;
    return b;
}

/// True when the IPv4 header and UDP checksums of frame `r` (untagged) verify.
inline bool udp4_checksums_ok(const Bytes& r) {
    if (r.size() < 42 || csum(r.data() + 14, 20) != 0) return false;
    uint32_t sum = 0;
    for (size_t i = 0; i < 8; i += 2) sum += static_cast<uint32_t>(r[26 + i] << 8 | r[27 + i]);
    sum += 17 + static_cast<uint32_t>(r.size() - 34);
    return csum(r.data() + 34, r.size() - 34, sum) == 0;
}

/// EAL with the test's arguments and the ring port "net_ring_ring0". Call from main().
inline int init_ring_eal(std::unique_ptr<dataplane::Eal>& eal, const char* name) {
    app::block_signals();
    std::string prefix = std::string("--file-prefix=") + name + "-" + std::to_string(getpid());
    auto args = dataplane::build_eal_args(
        {"--no-huge", "--no-pci", "--no-shconf", prefix, "--log-level=lib.eal:error"}, {}, 1,
        dataplane::allowed_cpus());
    eal = std::make_unique<dataplane::Eal>(args);
    g_rx = rte_ring_create("rx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    g_tx = rte_ring_create("tx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (g_rx == nullptr || g_tx == nullptr ||
        rte_eth_from_rings("ring0", &g_rx, 1, &g_tx, 1, 0) < 0) {
        std::fprintf(stderr, "cannot create the ring port\n");
        return 1;
    }
    return 0;
}

inline constexpr const char* kRingPort = "net_ring_ring0";  // rte_eth_from_rings prefixes it

}  // namespace edgelease::ring_test
