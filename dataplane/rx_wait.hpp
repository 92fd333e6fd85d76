#pragma once
// How a worker with nothing to do sleeps in the kernel until a frame or a doorbell comes
// ([dpdk].idle = "interrupt"): one epoll set per worker over
//   - each RX queue's interrupt event fd, where the PMD has Rx interrupts (net_tap: the
//     queue's own tap fd; NIC drivers under vfio: an MSI-X eventfd), armed with
//     rte_eth_dev_rx_intr_enable() where the PMD needs it;
//   - the PMD's own socket where the queue is one (net_af_xdp: the XSK socket, readable
//     while its RX ring holds frames; net_af_packet: the PACKET_MMAP socket, readable while
//     its ring holds a frame the PMD has not taken yet), found by its interface and queue;
//   - an eventfd that the worker's Doorbell writes to (DHCP replies queued), and wake() (stop).
// A queue the worker cannot wait on (net_memif, net_ring, net_pcap have no Rx interrupts and
// no socket) makes the whole worker fall back to the back-off: sleeping on the others would
// leave that one unserved.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/doorbell.hpp"

namespace edgelease::dataplane {

class RxWaiter {
  public:
    /// One DPDK RX queue to wait on.
    struct Queue {
        uint16_t port_id = 0;
        uint16_t queue = 0;
        /// The PMD's socket for this queue (PortState::wait_fds), readable while the queue
        /// has frames; -1: wait on the queue's Rx interrupt instead.
        int socket_fd = -1;
    };
    /// The wait set for `queues`, plus an eventfd that `bell` (if any) rings instead of its
    /// futex. nullptr with `why` set ("port 'X' (driver d) queue q: no Rx interrupt ...")
    /// when one of the queues cannot be waited on; the bell is then left as it was. Call
    /// once the ports are started, before the worker runs.
    static std::unique_ptr<RxWaiter> make(const std::vector<Queue>& queues, Doorbell* bell,
                                          std::string& why);
    ~RxWaiter();
    RxWaiter(const RxWaiter&) = delete;
    RxWaiter& operator=(const RxWaiter&) = delete;

    /// Arms the Rx interrupts of the queues whose PMD needs it (rte_eth_dev_rx_intr_enable).
    /// True when there was one: the caller then polls its queues once more before wait(),
    /// since a frame that came after its last poll but before the arming raised nothing,
    /// and disarms (disarm()) once it has work again.
    bool arm() noexcept;
    void disarm() noexcept;
    /// Blocks until a queue may have frames, the bell rang, or `timeout_ms` passed. True
    /// when an event woke it. The caller has armed (arm(), and polled again), called
    /// bell->prepare() and found no work; it calls bell->done_waiting() afterwards.
    bool wait(int timeout_ms) noexcept;

    /// Ends the current or next wait at once (stop). Any thread.
    void wake() noexcept;

    /// What it waits on, for the log: "net_tap0 q0 (rx interrupt), elx0 q0 (rx interrupt)".
    const std::string& describe() const { return described_; }

  private:
    struct Source {
        uint16_t port_id = 0, queue = 0;
        int fd = -1;
        bool arm = false;     // rte_eth_dev_rx_intr_enable before each wait
        uint32_t errors = 0;  // a socket's pending errors taken (SO_ERROR)
    };
    RxWaiter() = default;

    int epoll_fd_ = -1;
    int event_fd_ = -1;  // rung by the bell and by wake()
    Doorbell* bell_ = nullptr;
    bool degraded_ = false;  // a source left the set: waits last 1 ms at most
    std::vector<Source> sources_;
    std::string described_;
};

/// Whether to ask the port's PMD for Rx queue interrupts at configure time
/// (rte_eth_conf.intr_conf.rxq): every driver but those that have none or are waited on
/// through their socket (net_af_xdp, net_af_packet). `driver` is rte_eth_dev_info's.
bool wants_rx_interrupts(const char* driver) noexcept;

/// The process's open sockets of address family `domain` (AF_XDP, AF_PACKET), ascending by
/// descriptor, from /proc/self/fd. Set-up only (a directory scan).
std::vector<int> sockets_of(int domain);

/// The interface an AF_PACKET socket is bound to (getsockname), or -1.
int packet_socket_ifindex(int fd) noexcept;

}  // namespace edgelease::dataplane
