#pragma once
// Where every lcore's counters can be found. Readers (the management API, telemetry, the
// periodic log line) go through the counter catalog (app/catalog.hpp), which walks this.
// Pure: no DPDK.
#include <string>
#include <vector>

#include "dataplane/dhcp/channel.hpp"
#include "dataplane/dns/answer.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::dataplane {

struct LcoreEntry {
    std::string role;       // "worker", "control", "sweeper"
    unsigned index = 0;     // worker number (0 for the single control/sweeper)
    unsigned lcore_id = 0;  // EAL lcore id
    const LcoreStats* stats = nullptr;
    const dns::DnsStats* dns = nullptr;           // workers only
    const dhcp::DhcpWorkerStats* dhcp = nullptr;  // workers only
};

struct StatsRegistry {
    std::vector<LcoreEntry> lcores;
};

}  // namespace edgelease::dataplane
