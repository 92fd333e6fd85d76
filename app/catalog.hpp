#pragma once
// The counter catalog: every counter, gauge and histogram of the appliance declared once
// (catalog.cpp), with its canonical name (the Prometheus family name), help text, type, label
// names, the section it is shown under and the getter that reads its series from wherever the
// subsystem keeps them. Every reader renders from here and nowhere else:
//   Prometheus /metrics                     render_metrics (metrics.hpp)
//   GET /api/v1/stats, DPDK telemetry,
//   the periodic log line                   render_stats, telemetry_commands, summary_line
//                                           (stats_view.hpp)
// Nothing here runs on a worker: the workers keep bumping their per-lcore Counter structs, and
// only these readers (management API threads, the telemetry thread, the main lcore) walk them.
#include <array>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/metrics_writer.hpp"
#include "app/reload_stats.hpp"
#include "control/control_plane.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/dhcp_service.hpp"
#include "control/dnstcp/stats.hpp"
#include "control/store/lease_store.hpp"
#include "control/store/record_store.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "dataplane/ports.hpp"
#include "dataplane/stats_registry.hpp"

namespace edgelease::app {

class Appliance;

/// Where the catalog's getters read. Everything is borrowed and must outlive the rendering;
/// every counter and gauge in it is an atomic, so any thread may render while the lcores run.
/// A null pointer means "that subsystem is not configured": its entries are left out.
struct MetricsSources {
    const dataplane::StatsRegistry* stats = nullptr;  // the lcores; nullptr: none
    std::span<const dataplane::PortState> ports;
    /// port_counters[i] belongs to ports[i] (read from the PMDs by sources_of(app));
    /// shorter or empty: those ports' series are left out.
    std::vector<dataplane::PortCounters> port_counters;
    dataplane::PoolCounters pool;  // the packet mempool (zero when not known)
    const control::dhcp::DhcpServiceStats* dhcp = nullptr;  // nullptr: no DHCP scope configured
    std::span<const std::unique_ptr<control::dhcp::DhcpService::ScopeGauge>> scopes;
    /// Keeps `scopes` alive when it is a snapshot of the DHCP service's (a reload replaces it).
    std::shared_ptr<const control::dhcp::DhcpService::ScopeGauges> scopes_owner;
    /// The DHCPv6 scopes, likewise (empty: no DHCPv6 scope).
    std::span<const std::unique_ptr<control::dhcp::DhcpService::ScopeGauge6>> scopes6;
    std::shared_ptr<const control::dhcp::DhcpService::ScopeGauges6> scopes6_owner;
    std::span<const std::unique_ptr<control::dhcp::DhcpService::QueueGauge>> queues;  // by worker
    uint32_t store_queue_depth = 0, store_queue_peak = 0;     // lease store writer queue
    const control::store::StoreStats* store = nullptr;        // nullptr: no lease store
    const control::ddns::LeaseDnsStats* lease_dns = nullptr;  // nullptr: no lease DNS
    const control::ControlPlane::ZoneUpdateStats* zone_updates = nullptr;  // nullptr: no zones
    const control::store::RecordStoreStats* records = nullptr;  // nullptr: no record store
    const control::sweeper::SweeperLink* sweeper = nullptr;     // nullptr: no DHCP
    const ReloadStats* reloads = nullptr;                       // nullptr: not shown
    const control::dnstcp::TcpStats* dns_tcp = nullptr;         // nullptr: no DNS over TCP
};

/// The sources of a running (or stopped) appliance: its lcores, ports (their PMD counters read
/// now), packet pool, DHCP service, stores, lease DNS, zone updates, sweeper and reloads. Any
/// thread. The result borrows from `app`.
MetricsSources sources_of(const Appliance& app);

/// What an entry's series are read from. An entry whose source is absent is left out of every
/// output (no DHCP scope configured: no DHCP service counters; no zones: no record store…).
enum class Source : uint8_t {
    Always,       // the lcores, the ports, the build
    Pool,         // the packet pool (known once the ports are up)
    Dhcp,         // the control lcore's DHCP service
    LeaseStore,   // the lease store's LMDB writer
    LeaseDns,     // DNS records written for leases
    ZoneUpdates,  // changes applied to the published DNS view
    Sweeper,      // the sweeper lcore and its queues
    RecordStore,  // the record store's LMDB writer
    Reloads,      // configuration reloads
    DnsTcp,       // the DNS over TCP server
};
bool present(const MetricsSources& src, Source source);

/// Where an entry is shown in GET /api/v1/stats (a top-level object) and in DPDK telemetry (the
/// command /edgelease/<name>). `prefix` is stripped from the canonical name to make the key.
struct SectionInfo {
    std::string_view name;
    std::string_view prefix;
    std::string_view help;  // the telemetry command's help
};
enum class Section : uint8_t {
    Appliance,
    Lcores,
    Packets,
    Ports,
    Dns,
    Dhcp,
    LeaseStore,
    Zones,
    Sweeper,
    RecordStore,
    Count
};
inline constexpr std::array<SectionInfo, static_cast<size_t>(Section::Count)> kSections{{
    {"appliance", "", "Build and configuration reloads"},
    {"lcores", "lcore_", "Per lcore: role, EAL id, loops, idle sleeps, its unlabelled counters"},
    {"packets", "", "Frames and bytes in and out, inline answers, drops by reason, mbufs"},
    {"ports", "port_", "The ports in use and their PMDs' own counters"},
    {"dns", "dns_", "DNS queries, answers by rcode and qtype, changes made for leases"},
    {"dhcp", "dhcp_", "DHCP requests and replies by type, outcomes, scopes, queues"},
    {"lease_store", "lease_store_", "The lease store: queue, commits, commit latency"},
    {"zones", "zone_", "Changes applied to the published DNS view"},
    {"sweeper", "sweeper_", "Lease expiry scheduling between the control and sweeper lcores"},
    {"record_store", "record_store_", "The record store's commits and the audit log"},
}};
constexpr const SectionInfo& section_info(Section s) {
    return kSections[static_cast<size_t>(s)];
}

/// Receives an entry's series: label values in the order of the entry's label names (views
/// that need only live for the call).
class SeriesSink {
  public:
    using ValueList = std::initializer_list<std::string_view>;
    void sample(ValueList labels, std::unsigned_integral auto value) {
        on_u64({labels.begin(), labels.size()}, static_cast<uint64_t>(value));
    }
    void sample(ValueList labels, double value) {
        on_double({labels.begin(), labels.size()}, value);
    }
    void sample(ValueList labels, std::signed_integral auto value) = delete;  // cast: no surprises
    /// `cumulative` as MetricsWriter::histogram: one count per bound, then all (+Inf).
    void histogram(ValueList labels, std::span<const double> bounds,
                   std::span<const uint64_t> cumulative, double sum) {
        on_histogram({labels.begin(), labels.size()}, bounds, cumulative, sum);
    }

  protected:
    ~SeriesSink() = default;
    virtual void on_u64(std::span<const std::string_view> labels, uint64_t value) = 0;
    virtual void on_double(std::span<const std::string_view> labels, double value) = 0;
    virtual void on_histogram(std::span<const std::string_view> labels,
                              std::span<const double> bounds, std::span<const uint64_t> cumulative,
                              double sum) = 0;
};

/// One counter, gauge or histogram. A gauge named `*_info` is an info metric: always 1, what
/// it says is in its labels.
struct Entry {
    std::string_view name;  // canonical: the Prometheus family name, edgelease_…
    MetricType type = MetricType::Counter;
    std::string help;
    std::vector<std::string_view> labels;  // label names, in Prometheus order
    Section section = Section::Appliance;
    Source source = Source::Always;
    /// Its name in the periodic log line, which shows its total (and, when labelled beyond
    /// lcore, its non-zero parts); empty: not in the line.
    std::string_view summary;
    /// Writes every series (label values, value) of the entry. Any thread; never throws but
    /// std::bad_alloc.
    std::function<void(const MetricsSources&, SeriesSink&)> read;
};

/// Every entry, in the order /metrics lists them. Built on first use; immutable after.
const std::vector<Entry>& catalog();

/// The entry of canonical name `name`; throws std::out_of_range when there is none.
const Entry& find_entry(std::string_view name);

/// The sum of `entry`'s integer series whose labels include every pair of `match` (a
/// histogram counts its observations). Zero when its source is absent.
uint64_t total(const Entry& entry, const MetricsSources& src,
               std::initializer_list<Label> match = {});

}  // namespace edgelease::app
