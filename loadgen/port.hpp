#pragma once
// The generator's DPDK port: one RX/TX queue pair on any ethdev (net_memif, net_tap,
// net_af_packet, a PCI NIC), its mbuf pool, and ARP or Neighbor Discovery to learn the
// server's MAC. Start-up
// code: may throw std::runtime_error with the cause; never used on the hot path except
// through port_id()/pool().
#include <cstdint>
#include <string>

#include "common/net.hpp"

struct rte_mempool;

namespace edgelease::loadgen {

struct PortOptions {
    std::string name;  // empty: the first port
    uint32_t mbufs = 8191;
    uint16_t rx_descriptors = 1024;
    uint16_t tx_descriptors = 1024;
    uint32_t link_timeout_s = 10;
};

class LoadgenPort {
  public:
    /// Creates the pool, configures one queue pair, enables promiscuous mode (replies go to
    /// the emulated clients' MACs), starts the port and waits up to link_timeout_s for the
    /// link (a memif client is up once its server accepted it).
    explicit LoadgenPort(const PortOptions& o);
    ~LoadgenPort();
    LoadgenPort(const LoadgenPort&) = delete;
    LoadgenPort& operator=(const LoadgenPort&) = delete;

    uint16_t port_id() const noexcept { return port_id_; }
    rte_mempool* pool() const noexcept { return pool_; }
    const net::MacAddr& mac() const noexcept { return mac_; }
    const std::string& name() const noexcept { return name_; }

    /// Asks for `target`'s MAC with ARP requests from (mac(), source) every 200 ms until a
    /// reply comes or timeout_s passes. Everything else received meanwhile is dropped.
    /// Throws std::runtime_error on timeout.
    net::MacAddr resolve(net::Ipv4Addr source, net::Ipv4Addr target, double timeout_s);
    /// The same for IPv6: Neighbor Solicitations from the port's link-local address (modified
    /// EUI-64 of mac()) to target's solicited-node group, until an Advertisement for it comes.
    net::MacAddr resolve6(const net::Ipv6Addr& target, double timeout_s);

  private:
    /// Sends `ask(buf, cap)` every 200 ms and offers each received frame to
    /// `answer(frame, len, mac)` until it returns true or timeout_s passes (then throws
    /// `what`).
    template <class Ask, class Answer>
    net::MacAddr ask_until(Ask&& ask, Answer&& answer, double timeout_s, const std::string& what);

    std::string name_;
    uint16_t port_id_ = 0;
    rte_mempool* pool_ = nullptr;
    net::MacAddr mac_;
    bool started_ = false;
};

}  // namespace edgelease::loadgen
