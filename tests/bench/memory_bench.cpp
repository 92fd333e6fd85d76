// Where the memory of N subscribers goes (issue 18: 10M leases and 10M records in 8 GiB).
// Builds, one after the other, what the appliance holds for N DHCPv6 leases with their AAAA
// records: the lease engine (leases restored as at start-up), the zone store (each lease's
// AAAA granted through LeaseDns, as the control lcore does), the view built from the zone
// store, and the sweeper's expiry wheel; prints the heap bytes and the resident anonymous
// memory each one added, per lease. A plain program: it prints figures and asserts nothing.
//
//   edgelease_bench_memory [--leases=N]     (default 1,000,000)
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/engine6.hpp"
#include "control/sweeper/expiry_wheel.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace {

using edgelease::control::dhcp::Engine6;
using edgelease::control::dhcp::IaKind;
using edgelease::control::dhcp::Lease6;
using edgelease::control::dhcp::LeaseEvent;
using edgelease::control::dhcp::LeaseState;

constexpr const char* kConfig = R"(
[[interfaces]]
port = "p0"
addresses = ["2001:db8::1/64"]

[[dns.zones]]
name = "sub.test."

[[dhcp6.scopes]]
name = "subscribers6"
prefix = "2001:db8:1::/64"
pools = ["2001:db8:1::1:0-2001:db8:1::ffff:ffff"]
preferred_lifetime = "12h"
valid_lifetime = "1d"
domain = "sub.test."
)";

constexpr int64_t kNow = 1'800'000'000;

struct Mem {
    size_t heap = 0;  // malloc'd bytes in use (arena + mmap'd chunks)
    size_t anon = 0;  // RssAnon
};

Mem mem_now() {
    Mem m;
    const struct mallinfo2 mi = mallinfo2();
    m.heap = mi.uordblks + mi.hblkhd;
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("RssAnon:", 0) == 0) m.anon = std::stoull(line.substr(8)) * 1024;
    return m;
}

void report(const char* what, const Mem& before, const Mem& after, size_t n, double secs) {
    const double heap = double(after.heap) - double(before.heap);
    const double anon = double(after.anon) - double(before.anon);
    std::printf("  %-44s heap %8.1f MiB (%6.1f B/lease)  anon %8.1f MiB (%6.1f B/lease)  %.2f s\n",
                what, heap / 1048576.0, heap / double(n), anon / 1048576.0, anon / double(n), secs);
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    size_t n = 1'000'000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--leases=", 0) == 0) {
            n = std::stoul(a.substr(9));
        } else {
            std::fprintf(stderr, "usage: %s [--leases=N]\n", argv[0]);
            return 2;
        }
    }
    auto parsed = edgelease::config::load_config_string(kConfig, "memory-bench.toml");
    if (!parsed.config) {
        for (const auto& e : parsed.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        return 1;
    }
    const auto& cfg = *parsed.config;
    std::printf(
        "memory bench: %zu DHCPv6 leases (DUID-LL, IA_NA, hostname lg-<i>) and their AAAA\n", n);
    const Mem m0 = mem_now();

    // The lease engine, restored as at start-up (the engine's own expiry heap included).
    auto t0 = std::chrono::steady_clock::now();
    auto engine =
        std::make_unique<Engine6>(cfg, std::vector<uint8_t>{0, 3, 0, 1, 2, 0, 0, 0, 0, 1});
    engine->reserve(n);
    Lease6 l;
    l.key.kind = IaKind::Na;
    l.key.prefix_len = 128;
    l.scope = 0;
    l.iaid = 1;
    l.state = LeaseState::Bound;
    l.start = kNow;
    l.preferred = 43200;
    l.valid = 86400;
    l.expires = kNow + 86400;
    l.has_hw = true;
    for (size_t i = 0; i < n; ++i) {
        const uint32_t v = static_cast<uint32_t>(i);
        auto a = *edgelease::net::parse_ipv6("2001:db8:1::1:0");
        a.bytes[12] = static_cast<uint8_t>(1 + (v >> 24));
        a.bytes[13] = static_cast<uint8_t>(v >> 16);
        a.bytes[14] = static_cast<uint8_t>(v >> 8);
        a.bytes[15] = static_cast<uint8_t>(v);
        l.key.addr = a;
        l.duid = {
            0,         3, 0, 1, 0x02, 0x10, uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8),
            uint8_t(v)};
        std::memcpy(l.hw.bytes.data(), l.duid.data() + 4, 6);
        l.hostname = "lg-" + std::to_string(i);
        l.generation = (uint64_t{1} << 62) + i;
        if (!engine->restore(l)) {
            std::fprintf(stderr, "restore refused lease %zu\n", i);
            return 1;
        }
    }
    const Mem m1 = mem_now();
    report("lease engine (Engine6)", m0, m1, n, since(t0));

    // The zone store, each lease's AAAA granted through LeaseDns.
    t0 = std::chrono::steady_clock::now();
    edgelease::control::zone::ZoneStore zones;
    const auto loaded = edgelease::control::zone::load_zones(cfg, 1);
    zones.set_config(loaded.zones, kNow);
    zones.reserve(n);
    size_t audited = 0;
    edgelease::control::ddns::LeaseDns dns(
        cfg, zones, [&](edgelease::control::zone::AuditEvent) { ++audited; });
    engine->for_each([&](const Lease6& x) { dns.on_lease6(x, LeaseEvent::Granted, kNow); });
    std::vector<std::string> dirty;
    zones.take_dirty(dirty);
    dirty = {};
    const Mem m2 = mem_now();
    report("zone store (AAAA per lease, via LeaseDns)", m1, m2, n, since(t0));

    // The view, built from the zone store's inputs (the inputs freed again).
    t0 = std::chrono::steady_clock::now();
    std::unique_ptr<edgelease::dataplane::dns::ZoneView> view;
    {
        auto in = zones.inputs();
        const Mem mi = mem_now();
        report("  (the view's inputs, freed after the build)", m2, mi, n, 0);
        view = std::make_unique<edgelease::dataplane::dns::ZoneView>(in);
    }
    malloc_trim(0);
    const Mem m3 = mem_now();
    report("zone view", m2, m3, n, since(t0));

    // The sweeper's wheel with every timed lease's entry.
    t0 = std::chrono::steady_clock::now();
    std::vector<edgelease::control::sweeper::ExpiryEntry> entries;
    engine->timed_entries(entries);
    edgelease::control::sweeper::ExpiryWheel wheel(kNow);
    for (const auto& e : entries) wheel.insert(e);
    const size_t listed = entries.size();
    entries = {};
    malloc_trim(0);
    const Mem m4 = mem_now();
    report("sweeper expiry wheel", m3, m4, n, since(t0));
    report("total", m0, m4, n, 0);
    std::printf("  (%zu leases, %zu records audited, %zu expiry entries)\n", engine->lease_count(),
                audited, listed);
    return 0;
}
