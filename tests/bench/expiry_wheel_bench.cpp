// Expiry wheel micro-benchmarks: the wheel's share of the DESIGN target "1M leases expiring in
// the same second swept in <= 1 s" (the sweeper also has to queue the events and the control
// lcore has to apply them).
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "control/sweeper/expiry_wheel.hpp"

namespace {

using edgelease::control::sweeper::ExpiryEntry;
using edgelease::control::sweeper::ExpiryWheel;

constexpr int64_t kT0 = 1'700'000'000;
constexpr size_t kMillion = 1'000'000;
constexpr size_t kBudget = 65'536;  // max_items per advance() call

ExpiryEntry entry(uint32_t i, int64_t expires) {
    return ExpiryEntry{0x0A000000u + i, i, expires, i};
}

// Insert 1M entries expiring in the same second (one slot grows to 1M).
void BM_Insert1MSameSecond(benchmark::State& state) {
    for (auto _ : state) {
        ExpiryWheel w(kT0);
        for (uint32_t i = 0; i < kMillion; ++i) w.insert(entry(i, kT0 + 60));
        benchmark::DoNotOptimize(w.size());
    }
    state.counters["items/s"] =
        benchmark::Counter(double(kMillion) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Insert1MSameSecond)->Unit(benchmark::kMillisecond)->UseRealTime();

// Insert 1M entries spread over a day of expiries (lease times), one wheel reused so the slot
// vectors are already grown: the steady-state cost of a renewal.
void BM_InsertSpreadSteadyState(benchmark::State& state) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<int64_t> off(1, 86400);
    std::vector<int64_t> expiries(kMillion);
    for (auto& e : expiries) e = off(rng);
    ExpiryWheel w(kT0);
    std::vector<ExpiryEntry> due;
    due.reserve(kMillion);
    int64_t base = kT0;
    for (auto _ : state) {
        for (uint32_t i = 0; i < kMillion; ++i) w.insert(entry(i, base + expiries[i]));
        state.PauseTiming();
        base += 2 * 86400;  // drain everything, outside the timing
        due.clear();
        w.advance(base, kMillion, due);
        state.ResumeTiming();
    }
    state.counters["items/s"] =
        benchmark::Counter(double(kMillion) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InsertSpreadSteadyState)->Unit(benchmark::kMillisecond)->UseRealTime();

// 1M entries due in the same second, drained with advance(now, 65536) until empty. Only the
// drain is timed. Arg 0: fresh wheel each iteration; 1: reused wheel (grown slot vector).
void BM_Drain1MSameSecond(benchmark::State& state) {
    const bool reuse = state.range(0) != 0;
    std::vector<ExpiryEntry> due;
    due.reserve(kBudget);
    std::optional<ExpiryWheel> wheel;
    int64_t base = kT0;
    size_t calls = 0;
    for (auto _ : state) {
        state.PauseTiming();
        base += 65'536;  // same slot every time, so a reused wheel reuses its grown vector
        if (!reuse || !wheel) wheel.emplace(base);  // destroying the old one is not timed
        due.clear();
        wheel->advance(base, kBudget, due);  // empty wheel: jumps to `base`
        for (uint32_t i = 0; i < kMillion; ++i) wheel->insert(entry(i, base));
        state.ResumeTiming();
        size_t total = 0;
        for (;;) {
            due.clear();
            const size_t n = wheel->advance(base, kBudget, due);
            if (n == 0) break;
            total += n;
            ++calls;
            benchmark::DoNotOptimize(due.data());
        }
        if (total != kMillion) state.SkipWithError("drain lost entries");
    }
    state.counters["items/s"] =
        benchmark::Counter(double(kMillion) * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["advance_calls"] = double(calls) / double(state.iterations());
}
BENCHMARK(BM_Drain1MSameSecond)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
