#pragma once
#include "dataplane/stats_registry.hpp"

namespace edgelease::dataplane {

/// Registers the edgelease commands with DPDK telemetry (readable with dpdk-telemetry.py):
///   /edgelease/stats   packet counters and drops by reason, summed over lcores
///   /edgelease/dns     DNS queries, answers by rcode, queries by type
///   /edgelease/dhcp    DHCP requests/replies by type, engine outcomes, lease store commits
///   /edgelease/lcores  per-lcore role, loops, idle sleeps, rx/tx
/// The registry must outlive the attachment: call detach_telemetry() before destroying it.
/// DPDK 22.11 callbacks take no user data, so the registry is held in a file-local slot
/// guarded by a mutex (the telemetry thread is not on the packet path).
void attach_telemetry(const StatsRegistry* registry);
void detach_telemetry();

}  // namespace edgelease::dataplane
