// Reload of DHCP configuration at scale: how long the control lcore stops serving DHCP at a
// time while the leases move into an engine built from the new TOML, in slices as the
// Reloader moves them (DhcpService::begin_engine_move). A plain program that prints figures
// and never fails on speed.
//
// One /15 scope (the whole 198.18.0.0/15 test range, 131,072 addresses) with N Bound leases;
// the reload keeps the scope and either keeps every lease or shrinks the pool so that 10% of
// them end (their deletions go through the real LMDB lease store's queue and writer).
// Usage: edgelease_bench_reload [--leases=N] (default 120000, at most 131000)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "control/dhcp/dhcp_service.hpp"

using namespace edgelease;
using Clock = std::chrono::steady_clock;

namespace {

config::Config make_config(const std::string& pool) {
    const std::string toml = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/15"]
[[dhcp.scopes]]
name = "big"
subnet = "198.18.0.0/15"
pools = [")" + pool + R"("]
lease_time = "1h"
domain = "big."
)";
    auto r = config::load_config_string(toml, "reload-bench.toml");
    if (!r.config) {
        for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        std::exit(2);
    }
    return *r.config;
}

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
    size_t n = 120000;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--leases=", 9) == 0) n = std::stoul(argv[i] + 9);
    if (n > 131000) n = 131000;
    const uint32_t base = (198u << 24) | (18u << 16);
    const std::string dir = std::filesystem::temp_directory_path() /
                            ("edgelease-reload-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    {
        const config::Config cfg = make_config("198.18.0.10-198.19.255.250");
        control::store::LeaseStore store(dir, false);
        store.start();
        dataplane::dhcp::DhcpChannel ch;
        control::dhcp::DhcpService svc(cfg, {&ch}, store);
        const int64_t now = 1'800'000'000;
        for (size_t i = 0; i < n; ++i) {
            control::dhcp::Lease l;
            l.ip = base + 10 + static_cast<uint32_t>(i);
            l.scope = 0;
            l.client.kind = control::dhcp::ClientKey::HwAddress;
            l.client.len = 6;
            for (int b = 0; b < 4; ++b)
                l.client.bytes[2 + b] = static_cast<uint8_t>(i >> (8 * (3 - b)));
            l.client.bytes[0] = 0x02;
            std::memcpy(l.hw.bytes.data(), l.client.bytes, 6);
            l.hostname = "host" + std::to_string(i);
            l.state = control::dhcp::LeaseState::Bound;
            l.start = now;
            l.expires = now + 3600;
            l.generation = i + 1;
            svc.engine().restore(l);
        }
        std::printf("reload of DHCP config with %zu bound leases (one /15 scope)\n", n);
        for (int round = 0; round < 2; ++round) {
            // Round 0: same pools (everything kept). Round 1: the pool loses its top 10%.
            const uint32_t last_kept =
                base + 10 + static_cast<uint32_t>(round == 0 ? n + 100 : n * 9 / 10) - 1;
            const std::string pool = "198.18.0.10-" + net::to_string(net::Ipv4Addr{last_kept});
            auto t0 = Clock::now();
            const config::Config next = make_config(pool);
            auto engine = std::make_unique<control::dhcp::LeaseEngine>(next);
            const double build_ms = ms_since(t0);
            // As the Reloader does it: slices of kSlice leases, each one control command, then
            // the swap; the leases that end go a poll at a time afterwards.
            constexpr size_t kSlice = 16384;
            auto t1 = Clock::now();
            double longest = 0, total = 0;
            size_t slices = 0;
            svc.begin_engine_move(std::move(engine));
            for (bool done = false; !done; ++slices) {
                auto ts = Clock::now();
                done = svc.move_engine_slice(kSlice);
                const double ms = ms_since(ts);
                longest = std::max(longest, ms);
                total += ms;
            }
            auto tf = Clock::now();
            std::unique_ptr<control::dhcp::LeaseEngine> retired;
            auto swap = svc.finish_engine_move(&retired);
            const double finish_ms = ms_since(tf);
            retired.reset();  // the Reloader frees it on its own thread
            double longest_poll = 0;
            size_t polls = 0;
            for (auto tp = Clock::now(); svc.has_work(); tp = Clock::now(), ++polls) {
                svc.poll(now);
                longest_poll = std::max(longest_poll, ms_since(tp));
            }
            const double wall_ms = ms_since(t1);
            std::printf(
                "  %-20s engine built off-lcore %6.1f ms; %zu slices of %zu, longest %5.1f ms, "
                "%6.1f ms in all (%.2f us per lease); swap %5.1f ms; %zu polls ending leases, "
                "longest %5.1f ms; %zu kept, %zu ended; %.0f ms from first slice to last poll\n",
                round == 0 ? "same pools:" : "pool shrunk by 10%:", build_ms, slices, kSlice,
                longest, total, total * 1000.0 / static_cast<double>(n), finish_ms, polls,
                longest_poll, swap.kept, swap.dropped, wall_ms);
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}
