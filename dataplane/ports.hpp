#pragma once
// Port bring-up: one packet mempool, and each configured DPDK port started with one RX/TX
// queue pair per worker (RSS across them where the PMD supports it).
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dataplane/packet.hpp"

struct rte_mempool;

namespace edgelease::dataplane {

struct PortState {
    std::string name;
    uint16_t port_id = 0;
    uint16_t queues = 0;  // RX/TX queue pairs; worker i polls queue i when i < queues
    PortContext ctx;      // addresses and MAC as seen by the packet path
    /// Per queue: the PMD's socket a worker can block on until the queue has frames
    /// (net_af_xdp, net_af_packet; rx_wait.hpp), or -1 (Rx interrupts, or nothing).
    std::vector<int> wait_fds;
};

/// The names of the ports EAL knows ("none" when there is none), for "port not found" errors.
std::string available_ports();
/// Throws std::runtime_error "port 'PORT': WHAT: <rte_strerror(rc)>" (rc negative or
/// positive), the error of every failed port set-up step.
[[noreturn]] void fail_port(const std::string& port, const std::string& what, int rc);

/// A port's own counters as its PMD keeps them (rte_eth_stats): frames the device took in or
/// sent, and what it lost before a worker ever saw it.
struct PortCounters {
    uint64_t ipackets = 0, opackets = 0;
    uint64_t imissed = 0;    // dropped by the device: RX ring full (workers behind)
    uint64_t ierrors = 0;    // bad frames the device dropped
    uint64_t oerrors = 0;    // failed transmissions
    uint64_t rx_nombuf = 0;  // RX mbuf allocation failures: the packet pool was empty
};

/// rte_eth_stats_get of `port_id`. Any thread (reads the PMD's counters). False when the
/// PMD does not report them (then `out` is left zero).
bool read_port_counters(uint16_t port_id, PortCounters& out) noexcept;

/// The packet pool's size and how many mbufs are free right now (per-lcore caches count as
/// free). Any thread.
struct PoolCounters {
    uint64_t size = 0, available = 0;
};
PoolCounters read_pool_counters(const rte_mempool* pool) noexcept;

/// "link up, 10000 Mbps, full duplex" / "link down", for logs.
std::string describe_link(uint16_t port_id);

/// Creates the mempool and starts every port named in cfg.interfaces. Throws
/// std::runtime_error naming the port and the cause on any failure, after undoing what it
/// had done. The destructor stops and closes the ports and frees the mempool.
class Ports {
  public:
    Ports(const config::Config& cfg, unsigned workers);
    ~Ports();
    Ports(const Ports&) = delete;
    Ports& operator=(const Ports&) = delete;

    const std::vector<PortState>& ports() const { return ports_; }
    rte_mempool* pool() const { return pool_; }

  private:
    void start_port(const config::Config& cfg, const std::string& name, unsigned workers);
    void close_all() noexcept;

    rte_mempool* pool_ = nullptr;
    std::vector<PortState> ports_;
};

}  // namespace edgelease::dataplane
