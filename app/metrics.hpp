#pragma once
// The appliance's counters as a Prometheus text exposition (format 0.0.4), for GET /metrics.
// Served with Content-Type "text/plain; version=0.0.4; charset=utf-8".
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/reload_stats.hpp"
#include "control/control_plane.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/dhcp_service.hpp"
#include "control/store/lease_store.hpp"
#include "control/store/record_store.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "dataplane/ports.hpp"
#include "dataplane/stats_registry.hpp"

namespace edgelease::app {

class Appliance;

/// What the renderer reads. Everything is borrowed and must outlive the call; every counter
/// and gauge in it is an atomic, so any thread may render while the lcores run.
struct MetricsSources {
    const dataplane::StatsRegistry* stats = nullptr;  // required
    std::span<const dataplane::PortState> ports;
    /// port_counters[i] belongs to ports[i] (read from the PMDs by render_metrics(app));
    /// shorter or empty: those ports' series are left out.
    std::vector<dataplane::PortCounters> port_counters;
    dataplane::PoolCounters pool;                     // the packet mempool (zero when not known)
    const control::DhcpServiceStats* dhcp = nullptr;  // nullptr: no DHCP scope configured
    std::span<const std::unique_ptr<control::DhcpService::ScopeGauge>> scopes;
    std::span<const std::unique_ptr<control::DhcpService::QueueGauge>> queues;  // by worker
    uint32_t store_queue_depth = 0, store_queue_peak = 0;  // lease store writer queue
    const store::StoreStats* store = nullptr;              // nullptr: no lease store
    const ddns::LeaseDnsStats* lease_dns = nullptr;        // nullptr: no lease DNS
    const control::ControlPlane::ZoneUpdateStats* zone_updates = nullptr;  // nullptr: no zones
    const store::RecordStoreStats* records = nullptr;  // nullptr: no record store
    const sweeper::SweeperLink* sweeper = nullptr;     // nullptr: no DHCP
    const ReloadStats* reloads = nullptr;              // nullptr: not shown
};

/// The whole document. Reads only counters and gauges (never the lease engine, which belongs
/// to the control lcore), so it is safe from the management API thread while the appliance
/// runs, and after stop(). Allocates the returned string (about 30 KiB with one worker).
/// Throws only std::bad_alloc (std::logic_error would mean a bug in this renderer).
std::string render_metrics(const MetricsSources& src);

/// render_metrics over `app`'s stats registry, ports, DHCP service and lease store.
std::string render_metrics(const Appliance& app);

}  // namespace edgelease::app
