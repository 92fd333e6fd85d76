#pragma once
// What a run reports: counters of the DNS generator, the progress line printed every
// second, and the final summary as text for people or JSON for scripts, for DNS, DHCPv4 and
// DHCPv6. Pure (no DPDK); runs off the hot path.
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dataplane/stats.hpp"
#include "loadgen/dhcp6_swarm.hpp"
#include "loadgen/dhcp_swarm.hpp"
#include "loadgen/histogram.hpp"

namespace edgelease::loadgen {

/// Counters of the DNS generator (one writer: the generator lcore).
struct alignas(64) DnsCounters {
    Counter sent;
    Counter answered;    // responses matched to a pending query
    Counter lost;        // queries without an answer within the timeout (or by the end)
    Counter late;        // responses to no pending query (after a timeout, duplicates)
    Counter ignored;     // received frames that are not DNS responses to us
    Counter truncated;   // TC set
    Counter mismatched;  // rcode/answer count not what the generated query expected
    std::array<Counter, 16> rcode;
};

/// Counters of the generator loop shared by both modes.
struct alignas(64) LoopCounters {
    Counter tx_frames;
    Counter tx_dropped;  // frames the TX queue refused (never on the wire)
    Counter rx_frames;
    Counter alloc_failed;    // mbuf pool empty
    Counter window_full;     // open loop: starts skipped, --outstanding were in flight
    Counter no_idle_client;  // open loop (DHCP): a start was due but every client was busy
    Counter loops;           // generator loop iterations
    Counter idle_loops;      // ... that neither received nor sent anything
};

struct LatencySummary {
    uint64_t count = 0;
    double min_us = 0, mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};
LatencySummary summarize(const LatencyHistogram& h);

/// Everything the final summary says; filled by the runner after the generator stopped.
struct RunReport {
    std::string mode;  // "dhcp", "dhcp6" or "dns"
    std::string port;
    double send_s = 0;     // from the first send to the end of sending
    double elapsed_s = 0;  // from the first send to the last answer (at least send_s): rates
    double drain_s = 0;    // after sending, until every answer was in or the drain timed out
    bool closed_loop = true;
    double target_rate = 0;
    uint32_t outstanding = 0;
    bool interrupted = false;  // stopped by a signal
    uint64_t tx_frames = 0, tx_dropped = 0, rx_frames = 0, alloc_failed = 0;
    uint64_t loops = 0, idle_loops = 0;  // how often the generator waited for the server

    // DNS.
    uint64_t sent = 0, answered = 0, lost = 0, late = 0, ignored = 0, truncated = 0, mismatched = 0,
             window_full = 0;
    std::array<uint64_t, 16> rcode{};
    size_t distinct_queries = 0;

    // DHCP, both families. For DHCPv6: dora_started counts Solicits that began an
    // acquisition, leases the acquisitions completed (Replies that bound an IA), offers the
    // Advertises, renew_acks the Replies to Renews that kept a binding, dora_latency the
    // acquisitions (Solicit to binding Reply).
    uint8_t family = 4;
    uint32_t clients = 0, bound_at_end = 0, unfinished = 0, relays = 0;
    uint64_t dora_started = 0, leases = 0, exchanges = 0, offers = 0, renews = 0, renew_acks = 0,
             releases = 0, naks = 0, timeouts = 0, retransmissions = 0, unexpected = 0,
             no_idle_client = 0;
    LatencySummary dora_latency;

    // DHCPv6 only.
    std::string ia;  // "na", "pd" or "na,pd"
    bool rapid_commit = false;
    uint64_t rapid_leases = 0, addresses = 0, prefixes = 0, release_replies = 0, refused = 0;
    std::array<uint64_t, kStatusSlots> status_codes{};

    LatencySummary latency;  // per query (DNS) or per exchange (DHCP)
};

/// The DHCP part of a report from a swarm's counters and histograms (after the run).
void fill_report(const DhcpSwarm& swarm, RunReport& r) noexcept;
void fill_report(const Dhcp6Swarm& swarm, RunReport& r) noexcept;

/// The summary for people: a few aligned lines.
std::string to_text(const RunReport& r);
/// The summary for scripts (keys documented in the README).
nlohmann::ordered_json to_json(const RunReport& r);

/// "1.23M", "45.6k", "789" for rates and counts in progress lines.
std::string si(double v);

/// DNS RCODE mnemonic for 0..15 ("NOERROR", "NXDOMAIN", "RCODE12").
std::string rcode_name(unsigned rcode);

}  // namespace edgelease::loadgen
