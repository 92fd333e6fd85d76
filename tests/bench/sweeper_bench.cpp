// Lease expiry storm through the sweeper, end to end, with the DNS fast path answering beside
// it: the DESIGN targets "1M leases expiring in the same second swept in <= 1 s" and "DNS p99
// latency unchanged during mass lease expiry". A plain program that prints figures and never
// fails on speed.
//
// Threads, as on the appliance:
//   control  flushes schedule entries to the sweeper, takes due entries back (4096 per poll)
//            and applies them as DhcpService::take_due() does: LeaseEngine::expire_swept()
//            per engine (generation check + expiry), then each expired lease to LeaseDns;
//   sweeper  Sweeper::tick() in a loop with the appliance's idle back-off;
//   dns      answer_query() against a ZoneView in a loop, timing every answer with the TSC.
// The clock is a shared "Unix second" that the main thread moves from T-1 to T (the due
// second), so "time to sweep" starts exactly when the second begins. On the appliance the
// sweeper reads CLOCK_REALTIME_COARSE, which adds up to one kernel tick (1-4 ms) of detection.
//
// Scaling: the test address space (198.18.0.0/15) holds 131,072 IPv4 addresses and scopes may
// not overlap, so 1M leases are 8 lease engines x 125,000 Bound leases, each engine with one
// /15 scope. Generations are assigned at restore so that generation mod 8 names the engine;
// the control thread routes each due entry by it. The per-entry work (hash lookup, generation
// check, expiry, copying the changed lease out) is the engine's own; one engine holding all 1M
// would do the same work on 8x larger tables (somewhat more cache misses). Not included: the
// LMDB write of each expired lease (the store's writer thread; see the store benchmarks).
//
// With --dns-deletions, every lease also has its A record (provenance dhcp, made by
// LeaseDns::on_lease at set-up) in a scope with delete_on_expiry = true, and the DNS thread
// answers from the view those records make: the control thread then hands each expired
// lease to LeaseDns (which deletes its A from the zone store, audited) and writes each batch's
// changed names into the live view (ZoneView::set_owner, as ControlPlane does), so the
// storm's time includes 1M DNS deletions. Each engine has its own zone store and LeaseDns
// (their leases share addresses, which one store would treat as one address re-leased); the
// view holds all 1M names. Unlinked view memory is kept until the end (the appliance frees
// it after an RCU grace period).
//
// Usage: edgelease_bench_sweeper_pipeline [--layout=both|pinned|shared] [--records=N]
//                                         [--dns-deletions]
//   pinned: dns alone on CPU 1, control + sweeper sharing CPU 0 (a worker core kept free);
//   shared: no affinity, the kernel places 3 busy threads on the 2 CPUs.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/dns_types.hpp"
#include "common/idle.hpp"
#include "config/config.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "control/sweeper/sweeper.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace {

using edgelease::control::dhcp::Lease;
using edgelease::control::dhcp::LeaseEngine;
using edgelease::control::dhcp::LeaseEvent;
using edgelease::control::dhcp::LeaseState;
using edgelease::control::sweeper::ExpiryEntry;
using edgelease::control::sweeper::Sweeper;
using edgelease::control::sweeper::SweeperLink;
using Clock = std::chrono::steady_clock;

constexpr size_t kEngines = 8;
constexpr uint32_t kPerEngine = 125'000;
constexpr size_t kLeases = kEngines * kPerEngine;  // 1,000,000
constexpr size_t kBatch = 4096;                    // control: due entries per poll
constexpr int64_t kDue = 1'700'000'000;            // the second every lease expires in
constexpr uint32_t kIdleSleepUs = 100;             // ServiceContext::idle_sleep_us default

constexpr const char* kConfig = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/15"]

[[dns.zones]]
name = "bench."

[[dhcp.scopes]]
name = "storm"
subnet = "198.18.0.0/15"
pools = ["198.18.0.10-198.19.255.250"]
lease_time = "1h"
domain = "bench."

[dhcp.scopes.dns]
delete_on_expiry = true
)";

/// --dns-deletions: each engine's zone store and LeaseDns, and the live view of all of them.
struct LeaseZones {
    std::vector<std::unique_ptr<edgelease::control::zone::ZoneStore>> stores;
    std::vector<std::unique_ptr<edgelease::control::ddns::LeaseDns>> dns;
    std::unique_ptr<edgelease::dataplane::dns::ZoneView> view;
    edgelease::dataplane::dns::ZoneGarbage garbage;  // kept to the end: readers may look
    std::vector<std::string> dirty;
    std::vector<uint32_t> dirty_ids;
    uint64_t audited = 0, names_written = 0, rebuild_refused = 0;
    // The longest poll's parts: the expiries with LeaseDns, and the view's writes.
    Clock::duration max_lease_dns{}, max_view{};
};

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

void pin(std::thread& t, int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(t.native_handle(), sizeof set, &set) != 0)
        std::fprintf(stderr, "warning: could not pin a thread to CPU %d\n", cpu);
}

// ---- DNS side: a zone of `n` A records and a pool of hit queries (as dns_answer_bench) ------

using edgelease::dataplane::dns::ZoneInput;
using edgelease::dns::Record;
using edgelease::dns::WireName;
namespace rrtype = edgelease::dns::rrtype;
namespace rrclass = edgelease::dns::rrclass;

WireName wire(const std::string& dotted) {
    WireName out;
    size_t start = 0;
    while (start < dotted.size()) {
        size_t dot = dotted.find('.', start);
        if (dot == std::string::npos) dot = dotted.size();
        out.push_back(static_cast<uint8_t>(dot - start));
        out.insert(out.end(), dotted.begin() + static_cast<long>(start),
                   dotted.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    out.push_back(0);
    return out;
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

std::unique_ptr<edgelease::dataplane::dns::ZoneView> make_view(size_t n) {
    ZoneInput z;
    z.name = wire("bench.");
    Record soa{z.name, rrtype::SOA, rrclass::IN, 3600, {}};
    for (const char* nm : {"ns.bench.", "hostmaster.bench."}) {
        WireName w = wire(nm);
        soa.rdata.insert(soa.rdata.end(), w.begin(), w.end());
    }
    for (uint32_t v : {1u, 3600u, 600u, 1209600u, 300u}) put32(soa.rdata, v);
    z.records.push_back(std::move(soa));
    z.records.push_back(Record{z.name, rrtype::NS, rrclass::IN, 3600, wire("ns.bench.")});
    z.records.push_back(Record{wire("ns.bench."), rrtype::A, rrclass::IN, 3600, {198, 18, 0, 1}});
    z.records.reserve(n + 3);
    for (size_t i = 0; i < n; ++i) {
        Record r{wire("h" + std::to_string(i) + ".bench."), rrtype::A, rrclass::IN, 300, {}};
        put32(r.rdata, 0xC6120000u + static_cast<uint32_t>(i % 0x20000));  // 198.18.0.0/15
        z.records.push_back(std::move(r));
    }
    std::vector<ZoneInput> in;
    in.push_back(std::move(z));
    return std::make_unique<edgelease::dataplane::dns::ZoneView>(in);
}

std::vector<std::vector<uint8_t>> query_pool(size_t n) {
    constexpr size_t kPool = 65536;  // distinct names: a working set larger than L2
    std::mt19937_64 rng(42);
    std::vector<std::vector<uint8_t>> pool;
    for (size_t i = 0; i < kPool; ++i) {
        std::vector<uint8_t> q = {uint8_t(i >> 8), uint8_t(i), 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        WireName w = wire("h" + std::to_string(rng() % n) + ".bench.");
        q.insert(q.end(), w.begin(), w.end());
        q.insert(q.end(), {0, rrtype::A, 0, rrclass::IN});
        pool.push_back(std::move(q));
    }
    return pool;
}

/// Per-answer latencies (TSC ticks) for one phase, preallocated: the loop never allocates.
struct Phase {
    std::vector<uint32_t> ticks;
    size_t n = 0;
    uint64_t queries = 0;
    Clock::time_point begin, end;
};
enum : int { kBefore, kDuring, kAfter, kPhases, kNone = -1 };
constexpr const char* kPhaseNames[kPhases] = {"before", "during", "after"};

struct DnsLoop {
    const edgelease::dataplane::dns::ZoneView* view = nullptr;
    const std::vector<std::vector<uint8_t>>* pool = nullptr;
    std::atomic<int> phase{kNone};
    std::atomic<bool> stop{false};
    Phase phases[kPhases];

    void run() {
        const edgelease::dataplane::dns::DnsSettings settings;
        edgelease::dataplane::dns::DnsStats stats;
        alignas(64) uint8_t buf[1500];
        size_t i = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            const int ph = phase.load(std::memory_order_relaxed);
            const auto& q = (*pool)[i++ & (pool->size() - 1)];
            _mm_lfence();
            const uint64_t t0 = __rdtsc();
            std::memcpy(buf, q.data(), q.size());
            const uint16_t len = edgelease::dataplane::dns::answer_query(
                view, settings, buf, static_cast<uint16_t>(q.size()), sizeof buf, stats);
            unsigned aux;
            const uint64_t t1 = __rdtscp(&aux);
            asm volatile("" : : "r"(len) : "memory");
            if (ph == kNone) continue;
            Phase& p = phases[ph];
            ++p.queries;
            if (p.n < p.ticks.size()) p.ticks[p.n++] = static_cast<uint32_t>(t1 - t0);
        }
    }
};

double tsc_per_ns() {
    const auto c0 = Clock::now();
    const uint64_t t0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const uint64_t t1 = __rdtsc();
    return double(t1 - t0) /
           double(std::chrono::duration<double, std::nano>(Clock::now() - c0).count());
}

// ---- the control and sweeper threads -------------------------------------------------------

struct Shared {
    std::atomic<int64_t> now{kDue - 1};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> processed{0};  // due entries the control thread has dealt with
    std::atomic<int64_t> done_ns{0};     // steady-clock ns when processed reached kLeases
    // Written by one thread each, read after join. Polls and ticks are timed in the storm only
    // (the clock at kDue); their time includes any preemption by the thread sharing the CPU.
    uint64_t expired = 0, stale = 0, storm_polls = 0, storm_ticks = 0;
    Clock::duration max_poll{}, max_tick{};
};

void control_loop(Shared& sh, SweeperLink& link, std::vector<std::unique_ptr<LeaseEngine>>& engines,
                  LeaseZones* zones) {
    edgelease::IdleBackoff backoff(kIdleSleepUs);
    std::vector<ExpiryEntry> buf(kBatch);  // heap, as everything per-lcore here
    std::vector<std::vector<ExpiryEntry>> parts(kEngines);
    for (auto& p : parts) p.reserve(kBatch);
    std::vector<Lease> changed;
    std::vector<LeaseEvent> events;
    std::vector<ExpiryEntry> early;
    changed.reserve(kBatch);
    events.reserve(kBatch);
    uint64_t processed = 0;
    while (!sh.stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        unsigned work = static_cast<unsigned>(link.flush(kBatch));
        const size_t n = link.take_due(buf.data(), buf.size());
        if (n != 0) {
            const int64_t now = sh.now.load(std::memory_order_relaxed);  // read after taking
            const auto t_expire = Clock::now();
            // As DhcpService::take_due(): each engine expires its part of the batch
            // (expire_swept), then LeaseDns hears of each expired lease in order (tell_dns).
            for (auto& p : parts) p.clear();
            for (size_t i = 0; i < n; ++i)
                parts[(buf[i].generation - 1) % kEngines].push_back(buf[i]);
            for (size_t k = 0; k < kEngines; ++k) {
                if (parts[k].empty()) continue;
                changed.clear();
                events.clear();
                early.clear();
                const auto c = engines[k]->expire_swept(parts[k], now, changed, events, early);
                sh.expired += c.expired;
                sh.stale += c.stale + c.early;
                if (zones != nullptr)
                    for (size_t i = 0; i < changed.size(); ++i)
                        zones->dns[k]->on_lease(changed[i], events[i], now);
            }
            if (zones != nullptr) {
                const auto t_view = Clock::now();
                zones->max_lease_dns = std::max(zones->max_lease_dns, t_view - t_expire);
                for (auto& zs : zones->stores) {
                    zs->take_dirty(zones->dirty, zones->dirty_ids);
                    // As ControlPlane::apply_zone_changes() writes them.
                    zones->view->write_prefetched(
                        zones->dirty.size(),
                        [&](size_t i) { return std::string_view(zones->dirty[i]); },
                        [&](size_t i) {
                            const auto& key = zones->dirty[i];
                            const auto res = zones->view->set_owner(
                                edgelease::control::zone::ZoneStore::wire(key),
                                zs->records_at(zones->dirty_ids[i], key), zones->garbage);
                            if (res == edgelease::dataplane::dns::UpdateResult::NeedsRebuild)
                                ++zones->rebuild_refused;
                            else
                                ++zones->names_written;
                        });
                }
                zones->max_view = std::max(zones->max_view, Clock::now() - t_view);
            }
            processed += n;
            sh.processed.store(processed, std::memory_order_release);
            if (processed == kLeases)
                sh.done_ns.store(Clock::now().time_since_epoch().count(),
                                 std::memory_order_release);
            work += static_cast<unsigned>(n);
        }
        if (work != 0) {
            if (sh.now.load(std::memory_order_relaxed) == kDue) {
                ++sh.storm_polls;
                sh.max_poll = std::max(sh.max_poll, Clock::now() - t0);
            }
            backoff.on_work();
        } else {
            backoff.on_idle();
        }
    }
}

void sweeper_loop(Shared& sh, Sweeper& sweeper) {
    edgelease::IdleBackoff backoff(kIdleSleepUs);
    while (!sh.stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        const int64_t now = sh.now.load(std::memory_order_relaxed);
        if (sweeper.tick(now) != 0) {
            if (now == kDue) {
                ++sh.storm_ticks;
                sh.max_tick = std::max(sh.max_tick, Clock::now() - t0);
            }
            backoff.on_work();
        } else {
            backoff.on_idle();
        }
    }
}

// ---- one run --------------------------------------------------------------------------------

void print_latency(const DnsLoop& dns, double tpn) {
    std::printf("  DNS answers  %-7s %10s %9s %9s %9s %9s %9s\n", "phase", "queries", "Mqps",
                "p50 ns", "p99 ns", "p99.9 ns", "max ns");
    for (int ph = 0; ph < kPhases; ++ph) {
        const Phase& p = dns.phases[ph];
        std::vector<uint32_t> v(p.ticks.begin(), p.ticks.begin() + static_cast<long>(p.n));
        auto pct = [&](double q) {
            if (v.empty()) return 0.0;
            const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * double(v.size())));
            std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
            return double(v[k]) / tpn;
        };
        const double secs = seconds(p.end - p.begin);
        const double p50 = pct(0.50), p99 = pct(0.99), p999 = pct(0.999), mx = pct(1.0);
        std::printf("               %-7s %10llu %9.2f %9.0f %9.0f %9.0f %9.0f%s\n", kPhaseNames[ph],
                    static_cast<unsigned long long>(p.queries),
                    secs > 0 ? double(p.queries) / secs / 1e6 : 0.0, p50, p99, p999, mx,
                    p.n < p.queries ? "  (samples capped)" : "");
    }
}

/// --dns-deletions: each engine's bound leases granted into its own zone store (their A
/// records, provenance dhcp), and one view of all of them.
std::unique_ptr<LeaseZones> lease_zones(const edgelease::config::Config& cfg,
                                        std::vector<std::unique_ptr<LeaseEngine>>& engines) {
    auto z = std::make_unique<LeaseZones>();
    const auto loaded = edgelease::control::zone::load_zones(cfg, 1);
    for (size_t k = 0; k < kEngines; ++k) {
        z->stores.push_back(std::make_unique<edgelease::control::zone::ZoneStore>());
        z->stores.back()->reserve(kPerEngine);
        z->stores.back()->set_config(loaded.zones, kDue - 3600);
        LeaseZones* zp = z.get();
        z->dns.push_back(std::make_unique<edgelease::control::ddns::LeaseDns>(
            cfg, *z->stores.back(), [zp](edgelease::control::zone::AuditEvent) { ++zp->audited; }));
        engines[k]->for_each(
            [&](const Lease& l) { z->dns[k]->on_lease(l, LeaseEvent::Granted, kDue - 3600); });
    }
    std::vector<ZoneInput> in(1);
    for (size_t k = 0; k < kEngines; ++k) {
        auto part = z->stores[k]->inputs();
        in[0].name = part[0].name;
        for (auto& r : part[0].records)
            if (k == 0 || r.owner != in[0].name) in[0].records.push_back(std::move(r));
    }
    z->view = std::make_unique<edgelease::dataplane::dns::ZoneView>(in);
    z->audited = 0;
    for (auto& zs : z->stores) zs->take_dirty(z->dirty);
    return z;
}

/// --dns-deletions: queries for the leases' names ("h<k>-<i>.bench.").
std::vector<std::vector<uint8_t>> lease_query_pool() {
    std::mt19937_64 rng(42);
    std::vector<std::vector<uint8_t>> pool;
    for (size_t i = 0; i < 65536; ++i) {
        std::vector<uint8_t> q = {uint8_t(i >> 8), uint8_t(i), 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        WireName w = wire("h" + std::to_string(rng() % kEngines) + "-" +
                          std::to_string(rng() % kPerEngine) + ".bench.");
        q.insert(q.end(), w.begin(), w.end());
        q.insert(q.end(), {0, rrtype::A, 0, rrclass::IN});
        pool.push_back(std::move(q));
    }
    return pool;
}

void run(const char* layout, int dns_cpu, int service_cpu, const edgelease::config::Config& cfg,
         const edgelease::dataplane::dns::ZoneView& plain_view,
         const std::vector<std::vector<uint8_t>>& plain_pool, double tpn, bool dns_deletions) {
    std::printf("\n== layout %s: dns on %s, control + sweeper on %s ==\n", layout,
                dns_cpu < 0 ? "any CPU" : ("CPU " + std::to_string(dns_cpu)).c_str(),
                service_cpu < 0 ? "any CPU" : ("CPU " + std::to_string(service_cpu)).c_str());

    // Set-up: 8 engines x 125k Bound leases expiring at kDue, as restored at start-up.
    const auto r0 = Clock::now();
    std::vector<std::unique_ptr<LeaseEngine>> engines;
    for (size_t k = 0; k < kEngines; ++k) {
        engines.push_back(std::make_unique<LeaseEngine>(cfg));
        Lease l;
        l.scope = 0;
        l.state = LeaseState::Bound;
        l.start = kDue - 3600;
        l.expires = kDue;
        l.client.kind = edgelease::control::dhcp::ClientKey::HwAddress;
        l.client.len = 6;
        for (uint32_t i = 0; i < kPerEngine; ++i) {
            l.ip = 0xC6120000u + 10 + i;
            const uint8_t m[6] = {0x02,      0, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8),
                                  uint8_t(i)};
            std::memcpy(l.client.bytes, m, 6);
            std::memcpy(l.hw.bytes.data(), m, 6);
            l.generation = uint64_t{i} * kEngines + k + 1;  // mod 8 names the engine
            l.hostname = "h" + std::to_string(k) + "-" + std::to_string(i);
            if (!engines[k]->restore(l)) {
                std::fprintf(stderr, "restore refused lease %u of engine %zu\n", i, k);
                return;
            }
        }
    }
    std::vector<ExpiryEntry> seed;
    for (auto& e : engines) e->timed_entries(seed);
    std::printf(
        "  set-up: %zu leases restored into %zu engines and listed for the sweeper in "
        "%.2f s\n",
        seed.size(), kEngines, seconds(Clock::now() - r0));

    std::unique_ptr<LeaseZones> zones;
    std::vector<std::vector<uint8_t>> lease_pool;
    if (dns_deletions) {
        const auto d0 = Clock::now();
        zones = lease_zones(cfg, engines);
        lease_pool = lease_query_pool();
        std::printf("  set-up: every lease's A record granted (%zu records) and viewed in %.2f s\n",
                    zones->view->record_count(), seconds(Clock::now() - d0));
    }
    const auto& view = zones ? *zones->view : plain_view;
    const auto& pool = zones ? lease_pool : plain_pool;

    auto link = std::make_unique<SweeperLink>();  // 65,536-entry rings each way
    auto sweeper = std::make_unique<Sweeper>(*link, kDue - 1);
    link->schedule_all(std::move(seed));
    Shared sh;
    auto dns = std::make_unique<DnsLoop>();
    dns->view = &view;
    dns->pool = &pool;
    for (auto& p : dns->phases) p.ticks.resize(size_t{16} << 20);

    std::thread t_sweeper([&] { sweeper_loop(sh, *sweeper); });
    std::thread t_control([&] { control_loop(sh, *link, engines, zones.get()); });
    std::thread t_dns([&] { dns->run(); });
    pin(t_sweeper, service_cpu);
    pin(t_control, service_cpu);
    pin(t_dns, dns_cpu);
    if (service_cpu >= 0) {  // the main thread's polling must not land on the DNS CPU
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(service_cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }

    // Seeding: 1M entries through the 65,536-entry ring, 4096 per control poll.
    const auto s0 = Clock::now();
    while (link->control_stats().pending.get() != 0 ||
           link->sweeper_stats().wheel_size.get() != kLeases)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::printf("  seeding the sweeper with %zu entries: %.3f s (wheel %zu entries)\n", kLeases,
                seconds(Clock::now() - s0), size_t(link->sweeper_stats().wheel_size.get()));

    auto phase = [&](int ph, Clock::duration d) {
        dns->phases[ph].begin = Clock::now();
        dns->phase.store(ph, std::memory_order_relaxed);
        std::this_thread::sleep_for(d);
        dns->phase.store(kNone, std::memory_order_relaxed);
        dns->phases[ph].end = Clock::now();
    };
    phase(kBefore, std::chrono::seconds(1));  // everything in the wheel, nothing due yet

    // The storm: the second kDue begins.
    dns->phases[kDuring].begin = Clock::now();
    dns->phase.store(kDuring, std::memory_order_relaxed);
    const auto start = Clock::now();
    sh.now.store(kDue, std::memory_order_relaxed);
    while (sh.processed.load(std::memory_order_acquire) < kLeases &&
           Clock::now() - start < std::chrono::seconds(30))
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    dns->phase.store(kNone, std::memory_order_relaxed);
    dns->phases[kDuring].end = Clock::now();
    const int64_t done_ns = sh.done_ns.load(std::memory_order_acquire);
    const double sweep_s =
        done_ns == 0 ? -1.0 : seconds(Clock::time_point(Clock::duration(done_ns)) - start);

    phase(kAfter, std::chrono::seconds(1));
    sh.stop = true;
    dns->stop = true;
    t_sweeper.join();
    t_control.join();
    t_dns.join();
    if (service_cpu >= 0) {
        cpu_set_t all;
        CPU_ZERO(&all);
        for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
        pthread_setaffinity_np(pthread_self(), sizeof all, &all);
    }

    if (sweep_s < 0) {
        std::printf("  STORM DID NOT FINISH within 30 s: %llu of %zu processed\n",
                    static_cast<unsigned long long>(sh.processed.load()), kLeases);
    } else {
        std::printf(
            "  expiry storm: %zu leases due at second T; all processed by the control "
            "side %.3f s after T began (%.2f M expiries/s)\n",
            kLeases, sweep_s, double(kLeases) / sweep_s / 1e6);
    }
    std::printf(
        "  control: %llu expired, %llu skipped as stale; %llu polls in the storm (<= %zu "
        "entries each), longest %.0f us\n",
        static_cast<unsigned long long>(sh.expired), static_cast<unsigned long long>(sh.stale),
        static_cast<unsigned long long>(sh.storm_polls), kBatch,
        std::chrono::duration<double, std::micro>(sh.max_poll).count());
    const auto& ss = link->sweeper_stats();
    std::printf(
        "  sweeper: %llu sent; %llu ticks in the storm (<= 4096 entries each), longest "
        "%.0f us; %llu ticks found to_control full (carry-over kept)\n",
        static_cast<unsigned long long>(ss.due_sent.get()),
        static_cast<unsigned long long>(sh.storm_ticks),
        std::chrono::duration<double, std::micro>(sh.max_tick).count(),
        static_cast<unsigned long long>(ss.due_full.get()));
    if (zones) {
        size_t left = 0;
        for (const auto& zs : zones->stores) left += zs->record_count();
        std::printf(
            "  DNS: %llu deletions audited, %llu names written into the live view (%llu refused "
            "as needing a rebuild); %zu records left in the zone stores, %zu in the view; "
            "longest poll parts: expiries with LeaseDns %.1f ms, the view's writes %.1f ms\n",
            static_cast<unsigned long long>(zones->audited),
            static_cast<unsigned long long>(zones->names_written),
            static_cast<unsigned long long>(zones->rebuild_refused), left,
            zones->view->record_count(),
            std::chrono::duration<double, std::milli>(zones->max_lease_dns).count(),
            std::chrono::duration<double, std::milli>(zones->max_view).count());
    }
    print_latency(*dns, tpn);

    // The heap backstop afterwards, as the control lcore would call it once a second: every
    // heap entry is stale now; each call drops a bounded number (popped, or compacted).
    Clock::duration worst{};
    size_t found = 0, calls = 0;
    std::vector<Lease> expired;
    for (auto& e : engines) {
        while (e->expiry_heap_size() != 0 && calls < 100'000) {
            const auto b0 = Clock::now();
            found += e->expire_due(kDue + 2, kBatch, expired);
            worst = std::max(worst, Clock::now() - b0);
            ++calls;
        }
    }
    std::printf(
        "  heap backstop after the storm: %zu stale heap entries dropped by %zu "
        "expire_due(T+2, %zu) calls, slowest %.2f ms; expired again: %zu\n",
        kLeases, calls, kBatch, std::chrono::duration<double, std::milli>(worst).count(), found);
}

}  // namespace

int main(int argc, char** argv) {
    std::string layout = "both";
    size_t records = 1'000'000;
    bool dns_deletions = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--layout=", 0) == 0) {
            layout = a.substr(9);
        } else if (a.rfind("--records=", 0) == 0) {
            records = std::stoul(a.substr(10));
        } else if (a == "--dns-deletions") {
            dns_deletions = true;
        } else {
            std::fprintf(stderr,
                         "usage: %s [--layout=both|pinned|shared] [--records=N] "
                         "[--dns-deletions]\n",
                         argv[0]);
            return 2;
        }
    }
    auto parsed = edgelease::config::load_config_string(kConfig, "sweeper-bench.toml");
    if (!parsed.config) {
        for (const auto& e : parsed.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        return 1;
    }
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    std::printf(
        "sweeper pipeline bench: %zu leases expiring in one second (8 engines x %u, "
        "198.18.0.0/15 each), DNS zone of %zu A records; %ld CPUs online\n",
        kLeases, kPerEngine, records, cpus);
    const auto z0 = Clock::now();
    auto view = make_view(records);
    const auto pool = query_pool(records);
    std::printf(
        "zone view built in %.2f s; %zu distinct queries; 3 busy threads on %ld CPUs: "
        "expect contention\n",
        seconds(Clock::now() - z0), pool.size(), cpus);
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {  // other load skews every figure here
        char line[128] = {};
        if (std::fgets(line, sizeof line, f)) std::printf("load average at start: %s", line);
        std::fclose(f);
    }
    const double tpn = tsc_per_ns();
    if (layout == "both" || layout == "pinned") {
        if (cpus >= 2)
            run("pinned", 1, 0, *parsed.config, *view, pool, tpn, dns_deletions);
        else
            std::printf("\n(pinned layout skipped: fewer than 2 CPUs)\n");
    }
    if (layout == "both" || layout == "shared")
        run("shared", -1, -1, *parsed.config, *view, pool, tpn, dns_deletions);
    return 0;
}
