#pragma once
// The worker lcore: poll its RX queues, run each burst through the packet path, transmit
// the answers. One WorkerContext per worker, owned by the appliance, cache-aligned.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/dhcp/admission.hpp"
#include "dataplane/dhcp/channel.hpp"
#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/rrl.hpp"
#include "dataplane/packet.hpp"
#include "dataplane/rx_wait.hpp"
#include "dataplane/stats.hpp"

struct rte_rcu_qsbr;
struct rte_mbuf;
struct rte_mempool;

namespace edgelease::dataplane {

inline constexpr uint16_t kNoTap = UINT16_MAX;

struct WorkerQueue {
    uint16_t port_id = 0;
    uint16_t queue = 0;
    const PortContext* port = nullptr;
    /// The port's exception path (ExceptionPorts): the tap's port, on which this worker uses
    /// queue pair `queue`; kNoTap when there is none (its frames are then counted drops).
    uint16_t tap_id = kNoTap;
};

struct alignas(64) WorkerContext {
    unsigned index = 0;               // worker number, also its RCU thread id
    std::vector<WorkerQueue> queues;  // fixed before launch
    rte_rcu_qsbr* qsbr = nullptr;     // readers report quiescence here every loop
    const std::atomic<bool>* stop = nullptr;
    uint32_t idle_sleep_us = 100;
    /// Set ([dpdk].idle = "interrupt", every queue waitable): idle, the worker blocks on its
    /// queues and doorbell; otherwise it backs off up to idle_sleep_us (0: busy polls).
    std::unique_ptr<RxWaiter> waiter;
    /// With a waiter: the timed nap before it blocks ([dpdk].coalesce_us; 0: none).
    uint32_t coalesce_us = 0;
    const dns::ZoneViewSlot* zones = nullptr;  // read once per loop, RCU-protected
    dns::DnsSettings dns;
    dhcp::DhcpChannel* dhcp = nullptr;  // nullptr: no DHCP scopes configured
    rte_mempool* pool = nullptr;        // for reply frames built from DhcpReply
    LcoreStats stats;
    dns::DnsStats dns_stats;
    dhcp::DhcpWorkerStats dhcp_stats;
    // The exception taps are read at most every kernel_poll_cycles (a tap read is a system
    // call: polled every loop it would tax DNS), at once again while they have frames.
    uint64_t kernel_poll_cycles = 0;
    uint64_t next_kernel_poll = 0;
    bool has_tap = false;
    // Response rate limiting ([dns.rrl]; nullptr: off): this worker's own table.
    std::unique_ptr<dns::RrlTable> rrl;
    uint32_t now_s = 0;      // the loop's Unix second (RRL, cookies): unix_base + TSC / tsc_hz
    uint64_t unix_base = 0;  // Unix seconds at TSC 0
    uint64_t tsc_hz = 1;
    uint64_t tsc_per_ms = 1;  // tsc_hz / 1000, at least 1
    // Storm handling for DHCP (dataplane/dhcp/admission.hpp); set with dhcp.
    std::unique_ptr<dhcp::DhcpAdmission> admission;
};

/// Sends what the kernel wrote to q's exception tap out through q's port, up to one burst.
/// Returns how many frames it took from the tap.
unsigned forward_from_kernel(WorkerContext& w, const WorkerQueue& q) noexcept;

/// Sends up to one burst of DHCPv4 and one of DHCPv6 replies queued by the control lcore.
/// Returns how many.
unsigned send_dhcp_replies(WorkerContext& w) noexcept;

/// lcore entry point (rte_eal_remote_launch); arg is a WorkerContext*. Returns 0.
int worker_main(void* arg);

/// Handles one received burst in place: answers go out through tx_burst on (port, queue),
/// everything else is freed. Exposed for the integration tests. Never blocks.
void process_burst(WorkerContext& w, const WorkerQueue& q, const dns::ZoneView* zones,
                   rte_mbuf** pkts, uint16_t n) noexcept;

}  // namespace edgelease::dataplane
