#pragma once
// Where every lcore's counters can be found, and their sum. Readers: telemetry, the periodic
// log line, the management API. Pure: no DPDK.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
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

using NamedCounters = std::vector<std::pair<std::string, uint64_t>>;

struct DnsTotals {
    uint64_t queries = 0, responses = 0, dropped = 0, truncated = 0, referrals = 0;
    std::array<uint64_t, dns::kRcodeSlotNames.size()> rcode{};
    std::array<uint64_t, dns::kQtypeSlotNames.size()> qtype{};
};

struct StatsTotals {
    uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
    uint64_t arp_replies = 0, icmp_echo_replies = 0, nd_adverts = 0, icmp6_echo_replies = 0;
    std::array<uint64_t, static_cast<size_t>(DropReason::Count)> drops{};
    DnsTotals dns;
    uint64_t drops_total() const;
};

struct StatsRegistry {
    std::vector<LcoreEntry> lcores;
    /// Counters kept outside the lcores' packet stats (the control plane's DHCP service, the
    /// lease store), appended as name/value pairs. Set before telemetry is attached.
    std::function<void(NamedCounters&)> control_counters;
    StatsTotals sum() const;
    /// Worker-side DHCP counters summed, then control_counters.
    NamedCounters dhcp() const;
};

/// "rx=… tx=… arp=… … dns=q/r dropped=n (reason=n …)" with only non-zero drop reasons.
std::string format_totals(const StatsTotals& t);

}  // namespace edgelease::dataplane
