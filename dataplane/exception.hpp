#pragma once
// The exception path: frames for the appliance's own addresses that the workers do not
// answer inline (TCP and other protocols, ICMP errors, fragments, ARP replies to the
// kernel's requests, UDP to ports nothing here serves) go to the Linux kernel through one
// net_tap port per DPDK port, and the kernel's frames go out through the DPDK port. The
// kernel is the TCP stack; ARP and ND stay on the workers (the kernel learns its neighbours
// from the replies to its own requests, which it gets).
//
// The tap interface ("elx<N>", the port's MAC, its untagged addresses) lives in the network
// namespace [exception].namespace names: "private" (one of the appliance's own, the
// default: nothing else on the machine sees those addresses, so a client in the appliance's
// own namespace still reaches the appliance and not its kernel), "host", or a named one.
// Each worker has a queue pair on every tap: it hands frames over on its TX queue and sends
// what the kernel wrote to its RX queue out through the DPDK port.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dataplane/kernel_netns.hpp"
#include "dataplane/ports.hpp"

struct rte_mempool;

namespace edgelease::dataplane {

class ExceptionPorts {
  public:
    /// One tap for each port that has an untagged interface with addresses. Throws
    /// std::runtime_error naming the port and the cause; undoes what it did first.
    ExceptionPorts(const config::Config& cfg, const Ports& ports, unsigned workers);
    ~ExceptionPorts();
    ExceptionPorts(const ExceptionPorts&) = delete;
    ExceptionPorts& operator=(const ExceptionPorts&) = delete;

    struct Link {
        uint16_t port_id = 0;  // the DPDK port it serves
        uint16_t tap_id = 0;   // the tap's DPDK port
        uint16_t queues = 0;   // queue pairs on the tap (worker i uses i when i < queues)
        std::string ifname;    // the kernel's interface, in netns()
        std::vector<net::IfAddress> addresses;  // the port's untagged ones, now the kernel's too
    };
    const std::vector<Link>& links() const { return links_; }
    /// The tap serving DPDK port `port_id`, or nullptr.
    const Link* for_port(uint16_t port_id) const;
    /// Where the kernel side lives (the TCP server's sockets are made there).
    const kernel::Netns& netns() const { return netns_; }
    /// Stops and closes the taps. The pool lives on until destruction: frames the kernel
    /// sent may still sit in a port's TX ring, so destroy this after the ports.
    void close() noexcept;

  private:
    void add(const config::Config& cfg, const PortState& port, rte_mempool* pool, unsigned workers,
             size_t n);
    kernel::Netns netns_;
    // The taps' RX rings fill from a pool of their own: the kernel's traffic can neither
    // take mbufs the workers need for DNS and DHCP nor be starved by a flood of them.
    rte_mempool* pool_ = nullptr;
    std::vector<Link> links_;
};

/// Kernel frames that must not leave through the port: its router solicitations and MLD
/// reports (the appliance is no IPv6 host on the link, the workers answer ND), IGMP. True
/// when `frame[0..len)` is one of those.
bool keep_from_wire(const uint8_t* frame, uint32_t len) noexcept;

}  // namespace edgelease::dataplane
