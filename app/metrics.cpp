#include "app/metrics.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "app/appliance.hpp"
#include "app/metrics_writer.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "dataplane/dhcp/messages.hpp"

#ifndef EDGELEASE_VERSION
#define EDGELEASE_VERSION "0.1.0"
#endif

namespace edgelease::app {

namespace {

using dataplane::LcoreEntry;

// Label values for enums that have no name table of their own, indexed by the enum value.
using dhcp::kMsgTypeNames;
using dhcp::kOutcomeNames;
static_assert(kMsgTypeNames.size() == std::tuple_size_v<decltype(dhcp::DhcpWorkerStats::by_type)>);
static_assert(kMsgTypeNames.size() ==
              std::tuple_size_v<decltype(control::DhcpServiceStats::replies)>);

static_assert(kOutcomeNames.size() ==
              std::tuple_size_v<decltype(control::DhcpServiceStats::outcomes)>);

using ParseError = edgelease::dhcp::ParseError;
constexpr std::array<std::string_view, 10> kParseErrorNames{
    "none",           "truncated",  "not_request",     "bad_hardware",     "no_cookie",
    "option_overrun", "bad_option", "no_message_type", "bad_message_type", "client_id_too_long"};
static_assert(static_cast<size_t>(ParseError::ClientIdTooLong) + 1 == kParseErrorNames.size());
static_assert(kParseErrorNames.size() ==
              std::tuple_size_v<decltype(dhcp::DhcpWorkerStats::parse_errors)>);

/// An lcore and its label value: "worker_0", "control_0", "sweeper_0".
struct Lcore {
    const LcoreEntry* entry;
    std::string label;
};

std::vector<Lcore> lcores_of(const dataplane::StatsRegistry& reg) {
    std::vector<Lcore> out;
    out.reserve(reg.lcores.size());
    for (const LcoreEntry& e : reg.lcores)
        out.push_back({&e, e.role + "_" + std::to_string(e.index)});
    return out;
}

// Only worker lcores handle packets; the control and sweeper lcores' packet fields stay zero.
bool is_worker(const Lcore& l) {
    return l.entry->role == "worker";
}

/// A counter family with one series per worker lcore: {lcore="worker_N"}.
template <class Get>
void worker_counter(MetricsWriter& w, const std::vector<Lcore>& lcores, std::string_view name,
                    std::string_view help, Get get) {
    w.family(name, MetricType::Counter, help);
    for (const Lcore& l : lcores)
        if (is_worker(l)) w.sample({{"lcore", l.label}}, get(*l.entry));
}

/// A counter family with one series per worker lcore and slot i of `names` (for which
/// keep(i)): {lcore="worker_N", <label>="names[i]"}.
template <class Names, class Keep, class Get>
void worker_counter_by(MetricsWriter& w, const std::vector<Lcore>& lcores, std::string_view name,
                       std::string_view help, std::string_view label, const Names& names, Keep keep,
                       Get get) {
    w.family(name, MetricType::Counter, help);
    for (const Lcore& l : lcores) {
        if (!is_worker(l)) continue;
        for (size_t i = 0; i < names.size(); ++i)
            if (keep(i)) w.sample({{"lcore", l.label}, {label, names[i]}}, get(*l.entry, i));
    }
}

constexpr auto kAll = [](size_t) { return true; };
constexpr auto kNotNone = [](size_t i) { return i != 0; };  // slot 0 of ParseError: None

// Requests are counted by their type, which the parser accepts only for a client's messages
// (RFC 2131 §3.1); replies are the server's. The other slots stay zero: not series.
constexpr bool is_client_type(size_t i) {
    switch (static_cast<dhcp::MsgType>(i)) {
        case dhcp::MsgType::Discover:
        case dhcp::MsgType::Request:
        case dhcp::MsgType::Decline:
        case dhcp::MsgType::Release:
        case dhcp::MsgType::Inform:
            return true;
        default:
            return false;
    }
}
constexpr bool is_server_type(size_t i) {
    switch (static_cast<dhcp::MsgType>(i)) {
        case dhcp::MsgType::Offer:
        case dhcp::MsgType::Ack:
        case dhcp::MsgType::Nak:
            return true;
        default:
            return false;
    }
}

void render_info(MetricsWriter& w, const MetricsSources& src, const std::vector<Lcore>& lcores) {
    w.family("edgelease_build_info", MetricType::Gauge, "edgelease build; always 1.");
    w.sample({{"version", EDGELEASE_VERSION}}, 1u);

    w.family("edgelease_port_info", MetricType::Gauge,
             "A DPDK port in use and its RX/TX queue pairs; always 1.");
    for (const dataplane::PortState& p : src.ports) {
        const std::string id = std::to_string(p.port_id), queues = std::to_string(p.queues);
        w.sample({{"port", p.name}, {"port_id", id}, {"queues", queues}}, 1u);
    }

    w.family("edgelease_lcore_info", MetricType::Gauge,
             "An lcore of the appliance, its role and EAL lcore id; always 1.");
    for (const Lcore& l : lcores) {
        const std::string id = std::to_string(l.entry->lcore_id);
        w.sample({{"lcore", l.label}, {"role", l.entry->role}, {"lcore_id", id}}, 1u);
    }
}

void render_lcores(MetricsWriter& w, const std::vector<Lcore>& lcores) {
    w.family("edgelease_lcore_loops_total", MetricType::Counter,
             "Poll-loop iterations of an lcore.");
    for (const Lcore& l : lcores)
        w.sample({{"lcore", l.label}, {"role", l.entry->role}}, l.entry->stats->loops.get());
    w.family("edgelease_lcore_idle_sleeps_total", MetricType::Counter,
             "Idle back-off sleeps taken by an lcore.");
    for (const Lcore& l : lcores)
        w.sample({{"lcore", l.label}, {"role", l.entry->role}}, l.entry->stats->idle_sleeps.get());
}

void render_packets(MetricsWriter& w, const std::vector<Lcore>& lcores) {
    // Per worker lcore: each worker polls one queue of every port, and per-port counts are not
    // kept separately yet.
    worker_counter(w, lcores, "edgelease_rx_packets_total",
                   "Frames received by a worker lcore, all ports together (per-port counts are "
                   "not tracked separately yet).",
                   [](const LcoreEntry& e) { return e.stats->rx_packets.get(); });
    worker_counter(w, lcores, "edgelease_tx_packets_total",
                   "Frames sent by a worker lcore, all ports together (per-port counts are not "
                   "tracked separately yet).",
                   [](const LcoreEntry& e) { return e.stats->tx_packets.get(); });
    worker_counter(w, lcores, "edgelease_rx_bytes_total",
                   "Bytes received by a worker lcore, all ports together (per-port counts are "
                   "not tracked separately yet).",
                   [](const LcoreEntry& e) { return e.stats->rx_bytes.get(); });
    worker_counter(w, lcores, "edgelease_tx_bytes_total",
                   "Bytes sent by a worker lcore, all ports together (per-port counts are not "
                   "tracked separately yet).",
                   [](const LcoreEntry& e) { return e.stats->tx_bytes.get(); });
    worker_counter_by(w, lcores, "edgelease_drops_total",
                      "Frames dropped by a worker lcore, by reason.", "reason",
                      dataplane::kDropReasonNames, kAll,
                      [](const LcoreEntry& e, size_t i) { return e.stats->drops[i].get(); });

    static constexpr std::array<std::string_view, 4> kKinds{"arp", "icmp_echo", "nd", "icmp6_echo"};
    worker_counter_by(w, lcores, "edgelease_inline_answers_total",
                      "Answers built inline by a worker lcore: ARP replies, ICMP echo replies, "
                      "neighbor advertisements, ICMPv6 echo replies.",
                      "kind", kKinds, kAll, [](const LcoreEntry& e, size_t i) {
                          const dataplane::LcoreStats& s = *e.stats;
                          const edgelease::Counter* c[] = {&s.arp_replies, &s.icmp_echo_replies,
                                                           &s.nd_adverts, &s.icmp6_echo_replies};
                          return c[i]->get();
                      });
}

/// What the ports' PMDs counted before any worker saw a frame, and the packet pool: where
/// mempool exhaustion shows (an empty pool makes the PMD fail RX allocations: rx_nombuf).
void render_ports(MetricsWriter& w, const MetricsSources& src) {
    auto per_port = [&](std::string_view name, std::string_view help,
                        uint64_t dataplane::PortCounters::*f) {
        w.family(name, MetricType::Counter, help);
        for (size_t i = 0; i < src.ports.size() && i < src.port_counters.size(); ++i)
            w.sample({{"port", src.ports[i].name}}, src.port_counters[i].*f);
    };
    per_port("edgelease_port_rx_nombuf_total",
             "RX mbuf allocation failures of a port (the packet pool was empty), from its PMD.",
             &dataplane::PortCounters::rx_nombuf);
    per_port("edgelease_port_rx_missed_total",
             "Frames a port dropped because its RX ring was full (workers behind), from its PMD.",
             &dataplane::PortCounters::imissed);
    per_port("edgelease_port_rx_errors_total", "Erroneous frames a port dropped, from its PMD.",
             &dataplane::PortCounters::ierrors);
    per_port("edgelease_port_tx_errors_total", "Failed transmissions of a port, from its PMD.",
             &dataplane::PortCounters::oerrors);
    if (src.pool.size == 0) return;  // no pool known (renderer tests, before start-up)
    w.family("edgelease_packet_pool_mbufs", MetricType::Gauge,
             "Mbufs of the packet pool: its size, and how many are free now.");
    w.sample({{"state", "size"}}, src.pool.size);
    w.sample({{"state", "available"}}, src.pool.available);
}

/// Reads `field` of a worker's DNS or DHCP stats; zero if the worker has none (a registry
/// bug, but not worth a crash of the API thread).
template <class Stats>
auto field_of(const Stats* LcoreEntry::*stats, edgelease::Counter Stats::*field) {
    return [=](const LcoreEntry& e) -> uint64_t {
        const Stats* s = e.*stats;
        return s != nullptr ? (s->*field).get() : 0;
    };
}

void render_dns(MetricsWriter& w, const std::vector<Lcore>& lcores) {
    auto get = [](auto field) { return field_of(&LcoreEntry::dns, field); };
    worker_counter(w, lcores, "edgelease_dns_queries_total",
                   "DNS messages received on port 53 by a worker lcore.",
                   get(&dns::DnsStats::queries));
    worker_counter_by(w, lcores, "edgelease_dns_responses_total",
                      "DNS answers sent by a worker lcore, by response code.", "rcode",
                      dns::kRcodeSlotNames, kAll, [](const LcoreEntry& e, size_t i) {
                          return e.dns != nullptr ? e.dns->rcode[i].get() : 0;
                      });
    worker_counter_by(w, lcores, "edgelease_dns_queries_by_type_total",
                      "DNS queries received by a worker lcore, by query type (\"other\" for "
                      "types not counted on their own).",
                      "qtype", dns::kQtypeSlotNames, kAll, [](const LcoreEntry& e, size_t i) {
                          return e.dns != nullptr ? e.dns->qtype[i].get() : 0;
                      });
    worker_counter(w, lcores, "edgelease_dns_truncated_total",
                   "DNS answers sent with TC set (too large for UDP).",
                   get(&dns::DnsStats::truncated));
    worker_counter(w, lcores, "edgelease_dns_referrals_total", "DNS referrals sent.",
                   get(&dns::DnsStats::referrals));
    worker_counter(w, lcores, "edgelease_dns_dropped_total",
                   "DNS messages not answered: shorter than a header, or a response.",
                   get(&dns::DnsStats::dropped));
}

void render_dhcp_workers(MetricsWriter& w, const std::vector<Lcore>& lcores) {
    auto get = [](auto field) { return field_of(&LcoreEntry::dhcp, field); };
    worker_counter_by(w, lcores, "edgelease_dhcp_requests_received_total",
                      "DHCP requests a worker lcore handed to the control lcore, by message type.",
                      "type", kMsgTypeNames, is_client_type, [](const LcoreEntry& e, size_t i) {
                          return e.dhcp != nullptr ? e.dhcp->by_type[i].get() : 0;
                      });
    worker_counter(w, lcores, "edgelease_dhcp_malformed_total",
                   "Datagrams to port 67 that failed to parse as a DHCP request (reasons in "
                   "edgelease_dhcp_parse_errors_total).",
                   get(&dhcp::DhcpWorkerStats::malformed));
    worker_counter_by(w, lcores, "edgelease_dhcp_parse_errors_total",
                      "Datagrams to port 67 not accepted as DHCP requests, by parse error.",
                      "error", kParseErrorNames, kNotNone, [](const LcoreEntry& e, size_t i) {
                          return e.dhcp != nullptr ? e.dhcp->parse_errors[i].get() : 0;
                      });
    worker_counter(w, lcores, "edgelease_dhcp_queue_full_total",
                   "DHCP requests dropped because the queue to the control lcore was full.",
                   get(&dhcp::DhcpWorkerStats::queue_full));
    worker_counter(w, lcores, "edgelease_dhcp_replies_sent_total",
                   "DHCP replies a worker lcore sent.", get(&dhcp::DhcpWorkerStats::replies_sent));
    worker_counter(w, lcores, "edgelease_dhcp_reply_alloc_failed_total",
                   "DHCP replies dropped by a worker lcore for want of an mbuf.",
                   get(&dhcp::DhcpWorkerStats::reply_alloc_failed));
}

void render_dhcp_service(MetricsWriter& w, const control::DhcpServiceStats& s) {
    w.family("edgelease_dhcp_requests_processed_total", MetricType::Counter,
             "DHCP requests the control lcore ran through the lease engine, by message type.");
    for (size_t i = 0; i < kMsgTypeNames.size(); ++i)
        if (is_client_type(i)) w.sample({{"type", kMsgTypeNames[i]}}, s.requests[i].get());
    w.family("edgelease_dhcp_replies_total", MetricType::Counter,
             "DHCP replies the control lcore queued to the workers, by message type.");
    for (size_t i = 0; i < kMsgTypeNames.size(); ++i)
        if (is_server_type(i)) w.sample({{"type", kMsgTypeNames[i]}}, s.replies[i].get());
    w.family("edgelease_dhcp_outcomes_total", MetricType::Counter,
             "DHCP requests by what the lease engine made of them.");
    for (size_t i = 0; i < kOutcomeNames.size(); ++i)
        w.sample({{"outcome", kOutcomeNames[i]}}, s.outcomes[i].get());

    auto single = [&](std::string_view name, std::string_view help, const edgelease::Counter& c) {
        w.family(name, MetricType::Counter, help);
        w.sample({}, c.get());
    };
    single("edgelease_dhcp_acks_held_total", "DHCPACKs held until their lease change was durable.",
           s.held);
    single("edgelease_dhcp_acks_dropped_storage_error_total",
           "DHCPACKs withheld (not sent) because their lease change could not be committed.",
           s.storage_failed);
    single("edgelease_dhcp_reply_queue_full_total",
           "DHCP replies dropped because a worker's reply queue was full.", s.reply_queue_full);
    single(
        "edgelease_dhcp_relay_limited_total",
        "DHCPDISCOVERs dropped because their relay (giaddr) was over [dhcp].relay_discover_rate.",
        s.relay_limited);
    single("edgelease_dhcp_leases_expired_total", "Leases expired by the lease engine.", s.expired);
    single("edgelease_dhcp_store_backpressure_total",
           "Control-lcore polls cut short because the lease store's queue was full.",
           s.store_backpressure);
    single("edgelease_dhcp_alloc_failures_total",
           "DHCP requests dropped, or expiry steps deferred, because the control lcore ran out "
           "of memory.",
           s.alloc_failed);
}

void render_scopes(MetricsWriter& w,
                   std::span<const std::unique_ptr<control::DhcpService::ScopeGauge>> scopes) {
    auto load = [](const std::atomic<uint32_t>& a) { return a.load(std::memory_order_relaxed); };
    w.family("edgelease_dhcp_pool_size", MetricType::Gauge,
             "Addresses in a DHCP scope's pools (refreshed once a second).");
    for (const auto& g : scopes) w.sample({{"scope", g->name}}, load(g->pool_size));
    w.family("edgelease_dhcp_leases", MetricType::Gauge,
             "Leases of a DHCP scope by state (refreshed once a second).");
    for (const auto& g : scopes) {
        w.sample({{"scope", g->name}, {"state", "bound"}}, load(g->bound));
        w.sample({{"scope", g->name}, {"state", "offered"}}, load(g->offered));
        w.sample({{"scope", g->name}, {"state", "declined"}}, load(g->declined));
    }
    w.family("edgelease_dhcp_pool_utilisation", MetricType::Gauge,
             "Bound leases / pool size of a DHCP scope (0 when the pool is empty).");
    for (const auto& g : scopes) {
        const uint32_t size = load(g->pool_size);
        const double ratio = size == 0 ? 0.0 : static_cast<double>(load(g->bound)) / size;
        w.sample({{"scope", g->name}}, ratio);
    }
}

void render_queues(MetricsWriter& w, const MetricsSources& src) {
    auto load = [](const std::atomic<uint32_t>& a) { return a.load(std::memory_order_relaxed); };
    w.family("edgelease_dhcp_queue_depth", MetricType::Gauge,
             "Entries waiting in a worker's DHCP queue to (requests) or from (replies) the control "
             "lcore, as the control lcore last saw them; capacity " +
                 std::to_string(dhcp::kQueueDepth) + ".");
    for (size_t i = 0; i < src.queues.size(); ++i) {
        const std::string wk = std::to_string(i);
        w.sample({{"worker", wk}, {"queue", "requests"}}, load(src.queues[i]->requests));
        w.sample({{"worker", wk}, {"queue", "replies"}}, load(src.queues[i]->replies));
    }
    w.family("edgelease_dhcp_queue_depth_peak", MetricType::Gauge,
             "Deepest a worker's DHCP queue has been seen since start.");
    for (size_t i = 0; i < src.queues.size(); ++i) {
        const std::string wk = std::to_string(i);
        w.sample({{"worker", wk}, {"queue", "requests"}}, load(src.queues[i]->requests_peak));
        w.sample({{"worker", wk}, {"queue", "replies"}}, load(src.queues[i]->replies_peak));
    }
    w.family("edgelease_lease_store_queue_depth", MetricType::Gauge,
             "Lease changes waiting for the LMDB writer; capacity " +
                 std::to_string(store::LeaseStore::kQueueDepth) + ".");
    w.sample({}, src.store_queue_depth);
    w.family("edgelease_lease_store_queue_depth_peak", MetricType::Gauge,
             "Deepest the lease store's queue has been seen since start.");
    w.sample({}, src.store_queue_peak);
}

void render_store(MetricsWriter& w, const store::StoreStats& s) {
    auto single = [&](std::string_view name, std::string_view help,
                      const std::atomic<uint64_t>& c) {
        w.family(name, MetricType::Counter, help);
        w.sample({}, c.load(std::memory_order_relaxed));
    };
    single("edgelease_lease_store_commits_total", "LMDB transactions committed by the lease store.",
           s.commits);
    single("edgelease_lease_store_records_total", "Lease records written (or deleted) in them.",
           s.records);
    single("edgelease_lease_store_failures_total",
           "Lease store batches that could not be committed (storage error).", s.failures);
    single("edgelease_lease_store_map_resizes_total", "Times the LMDB map was grown.",
           s.map_resizes);
    single("edgelease_lease_store_map_full_total",
           "Lease store batches refused because the LMDB map is at [appliance].lease_store_max_mib "
           "(their DHCPACKs are withheld).",
           s.map_full);
    single("edgelease_lease_store_writer_wakeups_total",
           "Times the control lcore woke the idle lease writer for new changes.", s.wakeups);
    single("edgelease_lease_store_meta_syncs_total",
           "Flushes of a last commit's meta page when the queue ran dry (under load the next "
           "commit's flush carries it).",
           s.meta_syncs);

    std::array<uint64_t, store::kCommitBuckets.size() + 1> buckets{};
    for (size_t i = 0; i < buckets.size(); ++i)
        buckets[i] = s.commit_buckets[i].load(std::memory_order_relaxed);
    w.family("edgelease_lease_store_commit_duration_seconds", MetricType::Histogram,
             "Time to write and commit (fsync included) one batch of lease changes.");
    w.histogram({}, store::kCommitBuckets, buckets,
                static_cast<double>(s.commit_ns_total.load(std::memory_order_relaxed)) / 1e9);
    w.family("edgelease_lease_store_commit_duration_max_seconds", MetricType::Gauge,
             "Longest commit since start.");
    w.sample({}, static_cast<double>(s.commit_ns_max.load(std::memory_order_relaxed)) / 1e9);
}

void render_zone_changes(MetricsWriter& w, const MetricsSources& src) {
    auto single = [&](std::string_view name, MetricType type, std::string_view help, double v) {
        w.family(name, type, help);
        w.sample({}, v);
    };
    if (const auto* d = src.lease_dns) {
        w.family("edgelease_dns_changes_total", MetricType::Counter,
                 "DNS record changes made by DHCP, reservations and the API, by reason "
                 "(conflict-skip: skipped).");
        for (size_t i = 0; i < zone::kAuditReasonNames.size(); ++i)
            w.sample({{"reason", zone::kAuditReasonNames[i]}}, d->changes[i].get());
        single("edgelease_dns_lease_names_outside_zones_total", MetricType::Counter,
               "Lease names or reverse names that no hosted zone holds (nothing written).",
               static_cast<double>(d->no_zone.get()));
        single("edgelease_dns_records_kept_total", MetricType::Counter,
               "Lease records that a release or expiry left in place (policy).",
               static_cast<double>(d->kept.get()));
        single("edgelease_dns_update_opt_out_total", MetricType::Counter,
               "Grants without DNS records because the client set option 81's N flag.",
               static_cast<double>(d->opted_out.get()));
    }
    if (const auto* z = src.zone_updates) {
        single("edgelease_zone_owners_applied_total", MetricType::Counter,
               "Owner names rewritten in place in the published DNS view.",
               static_cast<double>(z->owners_applied.load(std::memory_order_relaxed)));
        single("edgelease_zone_rebuilds_total", MetricType::Counter,
               "Full rebuilds of the DNS view (a change that could not be made in place).",
               static_cast<double>(z->rebuilds.load(std::memory_order_relaxed)));
        single("edgelease_zone_update_batches_total", MetricType::Counter,
               "Control-lcore polls that applied zone changes.",
               static_cast<double>(z->batches.load(std::memory_order_relaxed)));
        single("edgelease_zone_update_failures_total", MetricType::Counter,
               "Zone change batches that failed (no memory); the view kept its previous data.",
               static_cast<double>(z->failures.load(std::memory_order_relaxed)));
        single("edgelease_zone_update_last_batch_seconds", MetricType::Gauge,
               "Time the last batch of zone changes took to reach the published view.",
               static_cast<double>(z->last_batch_ns.load(std::memory_order_relaxed)) / 1e9);
        single("edgelease_zone_update_max_batch_seconds", MetricType::Gauge,
               "Longest batch of zone changes so far.",
               static_cast<double>(z->max_batch_ns.load(std::memory_order_relaxed)) / 1e9);
    }
    if (const auto* l = src.sweeper) {
        const auto& c = l->control_stats();
        const auto& sw = l->sweeper_stats();
        single("edgelease_sweeper_scheduled_total", MetricType::Counter,
               "Lease expiries the control lcore sent to the sweeper lcore.",
               static_cast<double>(c.scheduled.get()));
        single("edgelease_sweeper_schedule_waits_total", MetricType::Counter,
               "Expiries that waited in the control lcore's buffer: the queue to the sweeper was "
               "full.",
               static_cast<double>(c.schedule_full.get()));
        single("edgelease_sweeper_schedule_dropped_total", MetricType::Counter,
               "Expiries dropped (buffer over its cap); the engine's backstop still lapses them.",
               static_cast<double>(c.schedule_dropped.get()));
        single("edgelease_sweeper_schedule_pending", MetricType::Gauge,
               "Expiries waiting for room in the queue to the sweeper.",
               static_cast<double>(c.pending.get()));
        single("edgelease_sweeper_wheel_entries", MetricType::Gauge,
               "Expiries held by the sweeper's timing wheel.",
               static_cast<double>(sw.wheel_size.get()));
        single("edgelease_sweeper_due_backlog", MetricType::Gauge,
               "Due expiries the sweeper has not handed back yet.",
               static_cast<double>(sw.backlog.get()));
        single("edgelease_sweeper_due_sent_total", MetricType::Counter,
               "Due expiries the sweeper handed back to the control lcore.",
               static_cast<double>(sw.due_sent.get()));
        single("edgelease_sweeper_due_queue_full_total", MetricType::Counter,
               "Sweeper ticks that found the queue to the control lcore full.",
               static_cast<double>(sw.due_full.get()));
    }
    if (const auto* r = src.records) {
        single("edgelease_record_store_commits_total", MetricType::Counter,
               "LMDB transactions committed by the record store.",
               static_cast<double>(r->commits.load()));
        single("edgelease_record_store_writes_total", MetricType::Counter,
               "Record and audit writes (and deletions) committed.",
               static_cast<double>(r->writes.load()));
        single("edgelease_record_store_failures_total", MetricType::Counter,
               "Record store commits that failed.", static_cast<double>(r->failures.load()));
        single("edgelease_record_store_queue_full_total", MetricType::Counter,
               "Record changes that waited because the writer queue was full.",
               static_cast<double>(r->queue_full.load()));
        single("edgelease_audit_trimmed_total", MetricType::Counter,
               "Oldest audit events dropped to keep [appliance].audit_entries.",
               static_cast<double>(r->audit_trimmed.load()));
    }
}

}  // namespace

std::string render_metrics(const MetricsSources& src) {
    MetricsWriter w;
    const std::vector<Lcore> lcores =
        src.stats != nullptr ? lcores_of(*src.stats) : std::vector<Lcore>{};
    render_info(w, src, lcores);
    render_lcores(w, lcores);
    render_packets(w, lcores);
    render_ports(w, src);
    render_dns(w, lcores);
    render_dhcp_workers(w, lcores);
    if (src.dhcp != nullptr) {
        render_dhcp_service(w, *src.dhcp);
        render_scopes(w, src.scopes);
        render_queues(w, src);
    }
    if (src.store != nullptr) render_store(w, *src.store);
    render_zone_changes(w, src);
    if (src.reloads != nullptr) {
        const ReloadStats& r = *src.reloads;
        w.family("edgelease_reloads_total", MetricType::Counter,
                 "Configuration reloads (SIGHUP, POST /api/v1/reload) by result: applied, refused "
                 "(invalid file, nothing changed), failed (not applied in time).");
        w.sample({{"result", "applied"}}, r.applied.load(std::memory_order_relaxed));
        w.sample({{"result", "refused"}}, r.refused.load(std::memory_order_relaxed));
        w.sample({{"result", "failed"}}, r.failed.load(std::memory_order_relaxed));
        w.family("edgelease_reload_last_applied_timestamp_seconds", MetricType::Gauge,
                 "Unix time of the last applied reload (0: none since start).");
        w.sample({}, static_cast<uint64_t>(r.last_applied.load(std::memory_order_relaxed)));
        w.family("edgelease_reload_leases_dropped_total", MetricType::Counter,
                 "Leases ended by a reload because no new scope or pool covered them.");
        w.sample({}, r.leases_dropped.load(std::memory_order_relaxed));
    }
    return w.take();
}

std::string render_metrics(const Appliance& app) {
    MetricsSources src;
    src.stats = &app.stats();
    src.ports = app.ports().ports();
    for (const dataplane::PortState& p : src.ports) {
        dataplane::PortCounters c;
        dataplane::read_port_counters(p.port_id, c);
        src.port_counters.push_back(c);
    }
    src.pool = dataplane::read_pool_counters(app.ports().pool());
    std::shared_ptr<const control::DhcpService::ScopeGauges> scopes;  // kept alive while rendering
    if (const control::DhcpService* d = app.dhcp()) {
        src.dhcp = &d->stats();
        scopes = d->scope_gauges();
        src.scopes = *scopes;
        src.queues = d->queue_gauges();
        src.store_queue_depth = d->store_queue_depth();
        src.store_queue_peak = d->store_queue_peak();
    }
    if (const store::LeaseStore* s = app.lease_store()) src.store = &s->stats();
    if (const ddns::LeaseDns* d = app.lease_dns()) src.lease_dns = &d->stats();
    if (app.control_plane().zone_store() != nullptr)
        src.zone_updates = &app.control_plane().zone_update_stats();
    if (const store::RecordStore* r = app.record_store()) src.records = &r->stats();
    src.sweeper = app.sweeper_link();
    src.reloads = &app.reload_stats();
    return render_metrics(src);
}

}  // namespace edgelease::app
