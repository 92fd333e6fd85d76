// Micro-benchmarks of the DNS fast path without DPDK: answer_query() on a prepared query
// buffer (the query is copied in each iteration, as a worker answers in the received
// mbuf), for zones of 1k, 100k and 1M A records, and ZoneView construction. Figures are
// printed, never asserted (DESIGN.md: performance targets are benchmarks, not tests).
//
// Run: scripts/bench.sh, or build target edgelease_bench_dns and run it.
// Short runs (a minute or less on 2 cores):
//   edgelease_bench_dns --benchmark_filter='/1000000'            # everything at 1M records
//   edgelease_bench_dns --benchmark_filter='BM_Answer/.*/1000$'  # answers at 1k only
//   edgelease_bench_dns --benchmark_filter='BM_ZoneViewBuild'   # construction only
//   edgelease_bench_dns --benchmark_filter='BM_SetOwner'        # in-place updates, 1M records
//   edgelease_bench_dns --benchmark_filter='BM_Frame'           # the worker's whole step
//   edgelease_bench_dns --benchmark_filter='BM_NameHash'        # the keyed name hash alone
// BM_Frame: what a worker does per DNS packet short of the PMD (handle_frame's checks and
// checksum verification, the prefetch hint, the answer, the turned-around frame with its
// checksums); /1 passes the hint's hash to the answer as the worker does, /0 does not.
// Per-answer counters: items_per_second = queries/s; zone_bytes = ZoneView::memory_bytes();
// build_s = how long that ZoneView took to build; nodes = owner names + empty non-terminals.
// BM_SetOwner: ns per ZoneView::set_owner() call (ns_per_op; the Time column is the same)
// on its own 1M-record view (freeing garbage every 1024 calls is not timed); max_us = the
// slowest single call, over_1ms = how many took longer than 1 ms (on a busy or virtual
// machine, preemption shows up here), max_cpu_us = the most CPU time one call used (what the
// call itself costs, preemption left out); rehashes = tables published during the run (each
// spread over thousands of calls).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/dns_types.hpp"
#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/dns_frame.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "dataplane/packet.hpp"
#include "loadgen/frame.hpp"

namespace {

using edgelease::dataplane::dns::DnsSettings;
using edgelease::dataplane::dns::DnsStats;
using edgelease::dataplane::dns::ZoneInput;
using edgelease::dataplane::dns::ZoneView;
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

std::string host(size_t i) {
    return "h" + std::to_string(i) + ".bench.";
}

/// bench. with SOA, NS, `n` A records h0..h<n-1>, a wildcard and a CNAME.
std::vector<ZoneInput> make_zone(size_t n) {
    ZoneInput z;
    z.name = wire("bench.");
    z.records.reserve(n + 8);
    Record soa{z.name, rrtype::SOA, rrclass::IN, 3600, {}};
    for (const char* nm : {"ns.bench.", "hostmaster.bench."}) {
        WireName w = wire(nm);
        soa.rdata.insert(soa.rdata.end(), w.begin(), w.end());
    }
    for (uint32_t v : {1u, 3600u, 600u, 1209600u, 300u}) put32(soa.rdata, v);
    z.records.push_back(std::move(soa));
    z.records.push_back(Record{z.name, rrtype::NS, rrclass::IN, 3600, wire("ns.bench.")});
    z.records.push_back(Record{wire("ns.bench."), rrtype::A, rrclass::IN, 3600, {198, 18, 0, 1}});
    z.records.push_back(
        Record{wire("*.wild.bench."), rrtype::A, rrclass::IN, 300, {198, 18, 0, 2}});
    z.records.push_back(
        Record{wire("alias.bench."), rrtype::CNAME, rrclass::IN, 300, wire("h0.bench.")});
    for (size_t i = 0; i < n; ++i) {
        const uint32_t addr = 0xC6120000u + static_cast<uint32_t>(i % 0x20000);  // 198.18.0.0/15
        Record r{wire(host(i)), rrtype::A, rrclass::IN, 300, {}};
        put32(r.rdata, addr);
        z.records.push_back(std::move(r));
    }
    std::vector<ZoneInput> out;
    out.push_back(std::move(z));
    return out;
}

struct Built {
    std::unique_ptr<ZoneView> view;
    double build_s = 0;
};

/// One view per record count, built on first use and kept for the answer benchmarks.
const Built& zone_for(size_t n) {
    static std::map<size_t, Built> cache;
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    std::vector<ZoneInput> input = make_zone(n);
    const auto t0 = std::chrono::steady_clock::now();
    Built b;
    b.view = std::make_unique<ZoneView>(input);
    b.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return cache.emplace(n, std::move(b)).first->second;
}

/// A plain query (RD set, no OPT) for `dotted`, type A.
std::vector<uint8_t> query(const std::string& dotted, uint16_t id) {
    std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8),
                              static_cast<uint8_t>(id),
                              0x01,
                              0x00,
                              0,
                              1,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0};
    WireName n = wire(dotted);
    q.insert(q.end(), n.begin(), n.end());
    q.insert(q.end(), {0, rrtype::A, 0, rrclass::IN});
    return q;
}

enum Kind : int64_t { kHit, kMiss, kWildcard, kCname };

/// A pool of distinct queries so that a large zone is not answered from one hot cache line.
std::vector<std::vector<uint8_t>> query_pool(Kind kind, size_t n) {
    constexpr size_t kPool = 4096;
    std::mt19937_64 rng(42);
    std::vector<std::vector<uint8_t>> pool;
    pool.reserve(kPool);
    for (size_t i = 0; i < kPool; ++i) {
        const uint16_t id = static_cast<uint16_t>(i);
        switch (kind) {
            case kHit:
                pool.push_back(query(host(rng() % n), id));
                break;
            case kMiss:
                pool.push_back(query("m" + std::to_string(rng() % n) + ".bench.", id));
                break;
            case kWildcard:
                pool.push_back(query("w" + std::to_string(rng() % n) + ".wild.bench.", id));
                break;
            case kCname:
                pool.push_back(query("alias.bench.", id));
                break;
        }
    }
    return pool;
}

void BM_Answer(benchmark::State& state, Kind kind) {
    const size_t n = static_cast<size_t>(state.range(0));
    const Built& z = zone_for(n);
    const auto pool = query_pool(kind, n);
    const DnsSettings settings;
    DnsStats stats;
    alignas(64) uint8_t buf[1500];
    size_t i = 0;
    uint64_t bytes = 0;
    for (auto _ : state) {
        const auto& q = pool[i++ & (pool.size() - 1)];
        std::memcpy(buf, q.data(), q.size());
        const uint16_t len = edgelease::dataplane::dns::answer_query(
            z.view.get(), settings, buf, static_cast<uint16_t>(q.size()), sizeof buf, stats);
        benchmark::DoNotOptimize(len);
        benchmark::ClobberMemory();
        bytes += len;
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["zone_bytes"] =
        benchmark::Counter(static_cast<double>(z.view->memory_bytes()),
                           benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
    state.counters["build_s"] = z.build_s;
    state.counters["nodes"] = static_cast<double>(z.view->node_count());
    state.counters["resp_bytes"] =
        state.iterations() ? static_cast<double>(bytes) / state.iterations() : 0;
    // A sanity figure, not an assertion: the kinds should answer as their names say.
    state.counters["nxdomain_share"] =
        state.iterations()
            ? static_cast<double>(stats.rcode[3].get()) / static_cast<double>(stats.queries.get())
            : 0;
}

/// Ethernet + IPv4 + UDP around a DNS message, 198.18.0.2 -> 198.18.0.1:53, with valid
/// checksums: the generator's own frame builder.
std::vector<uint8_t> frame_for(const std::vector<uint8_t>& dns, uint16_t sport) {
    namespace lg = edgelease::loadgen;
    lg::UdpEndpoints e;
    e.src_mac = edgelease::net::MacAddr{{0x02, 0, 0, 0, 0, 0x02}};
    e.dst_mac = edgelease::net::MacAddr{{0x02, 0, 0, 0, 0, 0x01}};
    e.src_ip = 0xC6120002u;
    e.dst_ip = 0xC6120001u;
    e.src_port = sport;
    e.dst_port = 53;
    std::vector<uint8_t> f(lg::kPayloadOff + dns.size());
    std::memcpy(f.data() + lg::kPayloadOff, dns.data(), dns.size());
    f.resize(lg::finish_udp_frame(f.data(), static_cast<uint16_t>(f.size()), e,
                                  static_cast<uint16_t>(dns.size())));
    return f;
}

void BM_Frame(benchmark::State& state, Kind kind) {
    using namespace edgelease::dataplane;
    const size_t n = static_cast<size_t>(state.range(0));
    const bool use_hint = state.range(1) != 0;
    const Built& z = zone_for(n);
    std::vector<std::vector<uint8_t>> frames;
    for (const auto& q : query_pool(kind, n))
        frames.push_back(frame_for(q, static_cast<uint16_t>(40000 + frames.size())));
    PortContext port;
    port.mac = edgelease::net::MacAddr{{0x02, 0, 0, 0, 0, 0x01}};
    L3Interface ifc;
    ifc.v4 = {*edgelease::net::parse_if_address("198.18.0.1/24")};
    port.interfaces = {ifc};
    const DnsSettings settings;
    DnsStats stats;
    LcoreStats lstats;
    alignas(64) uint8_t buf[2048];
    size_t i = 0, answered = 0;
    for (auto _ : state) {
        const auto& f = frames[i++ & (frames.size() - 1)];
        std::memcpy(buf, f.data(), f.size());
        uint64_t h = 0;
        const bool hinted =
            edgelease::dataplane::dns::qname_hash_hint(buf, static_cast<uint16_t>(f.size()), h);
        PacketView v;
        v.data = buf;
        v.len = static_cast<uint16_t>(f.size());
        v.cap = sizeof buf;
        DropReason why = DropReason::Runt;
        Verdict verdict = handle_frame(port, v, why, lstats);
        if (verdict == Verdict::Udp)
            verdict = answer_dns_frame(port, z.view.get(), settings, stats, v,
                                       use_hint && hinted ? &h : nullptr, why);
        answered += verdict == Verdict::Reply ? 1 : 0;
        benchmark::DoNotOptimize(v.len);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    // Sanity figures, not assertions: every frame should be answered.
    state.counters["answered_share"] =
        state.iterations() ? static_cast<double>(answered) / static_cast<double>(state.iterations())
                           : 0;
    state.counters["nxdomain_share"] =
        state.iterations()
            ? static_cast<double>(stats.rcode[3].get()) / static_cast<double>(stats.queries.get())
            : 0;
}

void BM_ZoneViewBuild(benchmark::State& state) {
    const size_t n = static_cast<size_t>(state.range(0));
    const std::vector<ZoneInput> input = make_zone(n);
    size_t bytes = 0;
    for (auto _ : state) {
        ZoneView v(input);
        bytes = v.memory_bytes();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));  // records/s
    state.counters["zone_bytes"] = benchmark::Counter(
        static_cast<double>(bytes), benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
    state.counters["bytes_per_record"] = static_cast<double>(bytes) / static_cast<double>(n);
}

/// CPU time of this thread (page faults included, time preempted not).
double thread_cpu_s() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

enum UpdateKind : int64_t { kReplace, kChurn };

/// Lease-driven changes on a 1M-record view: replace a host's address, or churn (add new
/// names and remove older ones, 4096 apart, which leaves tombstones behind). Each iteration
/// times one set_owner() call (manual time); building its arguments is not timed.
void BM_SetOwner(benchmark::State& state, UpdateKind kind) {
    const size_t n = static_cast<size_t>(state.range(0));
    const std::vector<ZoneInput> input = make_zone(n);
    ZoneView view(input);  // its own: the answer benchmarks' views stay as built
    auto a_record = [](const WireName& owner, uint32_t v) {
        Record r{owner, rrtype::A, rrclass::IN, 300, {}};
        put32(r.rdata, 0xC6130000u + (v & 0xffff));
        return std::vector<Record>{r};
    };
    auto churn_name = [](size_t i) { return wire("u" + std::to_string(i) + ".bench."); };
    edgelease::dataplane::dns::ZoneGarbage garbage;
    constexpr size_t kGap = 4096;
    if (kind == kChurn)
        for (size_t i = 0; i < kGap; ++i)
            view.set_owner(churn_name(i), a_record(churn_name(i), 1), garbage);
    const size_t rehashes0 = view.rehash_count();
    std::mt19937_64 rng(7);
    size_t i = 0, refused = 0, slow = 0;
    double total_s = 0, max_s = 0, max_cpu_s = 0;
    for (auto _ : state) {
        WireName name;
        std::vector<Record> recs;
        if (kind == kReplace) {
            name = wire(host(rng() % n));
            recs = a_record(name, static_cast<uint32_t>(i));
        } else if (i % 2 == 0) {
            name = churn_name(kGap + i / 2);
            recs = a_record(name, static_cast<uint32_t>(i));
        } else {
            name = churn_name(i / 2);  // gone: no records
        }
        const double c0 = thread_cpu_s();
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = view.set_owner(name, recs, garbage);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        max_cpu_s = std::max(max_cpu_s, thread_cpu_s() - c0);
        state.SetIterationTime(s);
        total_s += s;
        max_s = std::max(max_s, s);
        slow += s > 1e-3;
        refused += r != edgelease::dataplane::dns::UpdateResult::Done;
        if ((++i & 1023) == 0) garbage.release();  // no readers here: no grace period
    }
    garbage.release();
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["ns_per_op"] =
        state.iterations() ? total_s * 1e9 / static_cast<double>(state.iterations()) : 0;
    state.counters["max_us"] = max_s * 1e6;
    state.counters["over_1ms"] = static_cast<double>(slow);
    state.counters["max_cpu_us"] = max_cpu_s * 1e6;
    state.counters["rehashes"] = static_cast<double>(view.rehash_count() - rehashes0);
    state.counters["refused"] = static_cast<double>(refused);
}

// Zone sizes; the 1M zone is built once (about a second or two) and shared by the kinds.
void sizes(benchmark::internal::Benchmark* b) {
    for (int64_t n : {1000, 100000, 1000000}) b->Arg(n);
}

/// The unkeyed hash the zone view used before 2026-12-03 (multiply and xor-shift, 8 octets
/// at a time), kept here only as the baseline of BM_NameHash.
uint64_t unkeyed_hash(const uint8_t* p, size_t len) noexcept {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

/// ns per hash of a lower-cased wire name of `range(0)` octets: /0 the unkeyed baseline,
/// /1 name_hash (SipHash-1-3 under the start-up key). Names of 16 to 64 octets cover host
/// names in a zone ("pc-0042.cust.example.net." is 26).
void BM_NameHash(benchmark::State& state) {
    const size_t len = static_cast<size_t>(state.range(0));
    std::vector<uint8_t> names(len * 64);
    for (size_t i = 0; i < names.size(); ++i) names[i] = static_cast<uint8_t>('a' + i * 7 % 26);
    size_t i = 0;
    uint64_t sink = 0;
    for (auto _ : state) {
        const uint8_t* n = names.data() + (i++ & 63) * len;
        sink += state.range(1) == 0 ? unkeyed_hash(n, len)
                                    : edgelease::dataplane::dns::name_hash(n, len);
    }
    benchmark::DoNotOptimize(sink);
}

BENCHMARK(BM_NameHash)->ArgsProduct({{16, 26, 64}, {0, 1}});
BENCHMARK_CAPTURE(BM_Answer, hit, kHit)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Answer, nxdomain, kMiss)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Answer, wildcard, kWildcard)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Answer, cname, kCname)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Frame, hit, kHit)->ArgsProduct({{1000, 1000000}, {0, 1}});
BENCHMARK_CAPTURE(BM_Frame, nxdomain, kMiss)->ArgsProduct({{1000, 1000000}, {0, 1}});
BENCHMARK(BM_ZoneViewBuild)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZoneViewBuild)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_CAPTURE(BM_SetOwner, replace, kReplace)->Arg(1000000)->UseManualTime();
BENCHMARK_CAPTURE(BM_SetOwner, churn, kChurn)->Arg(1000000)->UseManualTime()->Iterations(400000);

}  // namespace

BENCHMARK_MAIN();
