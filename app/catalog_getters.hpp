#pragma once
// Getter builders for the counter catalog's declarations (catalog.cpp): each returns the
// `read` of an entry for one common shape (a counter of each worker, a field of an optional
// source, an array by label…). Internal to app/catalog*.cpp.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>

#include "app/catalog.hpp"

namespace edgelease::app::getters {

using dataplane::LcoreEntry;
using Read = std::function<void(const MetricsSources&, SeriesSink&)>;

inline uint64_t value_of(const edgelease::Counter& c) {
    return c.get();
}
inline uint64_t value_of(const control::sweeper::Gauge& g) {
    return g.get();
}
inline uint64_t value_of(const std::atomic<uint64_t>& a) {
    return a.load(std::memory_order_relaxed);
}
inline uint32_t value_of(const std::atomic<uint32_t>& a) {
    return a.load(std::memory_order_relaxed);
}
inline double seconds_of(const std::atomic<uint64_t>& ns) {
    return static_cast<double>(ns.load(std::memory_order_relaxed)) / 1e9;
}

/// Calls fn(entry, label) for each lcore, label "worker_0", "control_0", "sweeper_0". Only
/// worker lcores handle packets (the control and sweeper lcores' packet fields stay zero), so
/// the packet, DNS and DHCP counters are series of the workers only.
template <class Fn>
void each_lcore(const MetricsSources& s, bool workers_only, Fn fn) {
    if (s.stats == nullptr) return;
    for (const LcoreEntry& e : s.stats->lcores) {
        if (workers_only && e.role != "worker") continue;
        const std::string label = e.role + "_" + std::to_string(e.index);
        fn(e, std::string_view(label));
    }
}

/// A counter of each worker: {lcore}. `stats` picks the worker's packet, DNS or DHCP stats
/// (zero when it has none: a registry bug, not worth a crash of the reader).
template <class Stats>
Read per_worker(const Stats* LcoreEntry::*stats, edgelease::Counter Stats::*field) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        each_lcore(s, true, [&](const LcoreEntry& e, std::string_view lcore) {
            const Stats* st = e.*stats;
            out.sample({lcore}, st != nullptr ? (st->*field).get() : uint64_t{0});
        });
    };
}

/// A counter array of each worker: {lcore, <label>=names[i]} for the slots i that keep(i).
template <class Stats, size_t N, class Names>
Read per_worker_by(const Stats* LcoreEntry::*stats, std::array<edgelease::Counter, N> Stats::*slots,
                   const Names& names, bool (*keep)(size_t) = nullptr) {
    static_assert(std::tuple_size_v<Names> == N);
    return [=, &names](const MetricsSources& s, SeriesSink& out) {
        each_lcore(s, true, [&](const LcoreEntry& e, std::string_view lcore) {
            const Stats* st = e.*stats;
            for (size_t i = 0; i < N; ++i)
                if (keep == nullptr || keep(i))
                    out.sample({lcore, names[i]}, st != nullptr ? (st->*slots)[i].get() : 0u);
        });
    };
}

/// A counter of each lcore, whatever its role: {lcore, role}.
inline Read per_lcore(edgelease::Counter dataplane::LcoreStats::*field) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        each_lcore(s, false, [&](const LcoreEntry& e, std::string_view lcore) {
            out.sample({lcore, e.role}, (e.stats->*field).get());
        });
    };
}

/// A counter of each port from its PMD: {port}.
inline Read per_port(uint64_t dataplane::PortCounters::*field) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        for (size_t i = 0; i < s.ports.size() && i < s.port_counters.size(); ++i)
            out.sample({s.ports[i].name}, s.port_counters[i].*field);
    };
}

/// One unlabelled value, get(*source), when the source is there.
template <class T, class Get>
Read one(const T* MetricsSources::*source, Get get) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        if (const T* p = s.*source) out.sample({}, get(*p));
    };
}

/// One unlabelled counter or gauge kept in field `member` of the source.
template <class T, class F>
Read field(const T* MetricsSources::*source, F T::*member) {
    return one(source, [=](const T& t) { return value_of(t.*member); });
}

/// A counter array of the source: {<label>=names[i]} for the slots i that keep(i).
template <class T, size_t N, class Names>
Read by(const T* MetricsSources::*source, std::array<edgelease::Counter, N> T::*slots,
        const Names& names, bool (*keep)(size_t) = nullptr) {
    static_assert(std::tuple_size_v<Names> == N);
    return [=, &names](const MetricsSources& s, SeriesSink& out) {
        if (const T* p = s.*source)
            for (size_t i = 0; i < N; ++i)
                if (keep == nullptr || keep(i)) out.sample({names[i]}, (p->*slots)[i].get());
    };
}

template <class F>
Read control_side(F control::sweeper::ControlSideStats::*member) {
    return one(&MetricsSources::sweeper, [=](const control::sweeper::SweeperLink& l) {
        return value_of(l.control_stats().*member);
    });
}
template <class F>
Read sweeper_side(F control::sweeper::SweeperSideStats::*member) {
    return one(&MetricsSources::sweeper, [=](const control::sweeper::SweeperLink& l) {
        return value_of(l.sweeper_stats().*member);
    });
}

/// A gauge of each DHCP scope: {scope}.
inline Read per_scope(std::atomic<uint32_t> control::dhcp::DhcpService::ScopeGauge::*field) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        for (const auto& g : s.scopes) out.sample({g->name}, value_of((*g).*field));
    };
}

/// Series of each DHCPv6 scope, written by `fn(gauge, out)`.
using Scope6 = control::dhcp::DhcpService::ScopeGauge6;
template <class Fn>
Read per_scope6(Fn fn) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        for (const auto& g : s.scopes6) fn(*g, out);
    };
}

/// A gauge of each worker's two DHCP queues: {worker, queue="requests"|"replies"}.
using QueueGauge = control::dhcp::DhcpService::QueueGauge;
inline Read per_queue(std::atomic<uint32_t> QueueGauge::*requests,
                      std::atomic<uint32_t> QueueGauge::*replies) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        for (size_t i = 0; i < s.queues.size(); ++i) {
            const std::string worker = std::to_string(i);
            out.sample({worker, "requests"}, value_of((*s.queues[i]).*requests));
            out.sample({worker, "replies"}, value_of((*s.queues[i]).*replies));
        }
    };
}

}  // namespace edgelease::app::getters
