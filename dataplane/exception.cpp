#include "dataplane/exception.hpp"

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <stdexcept>

#include "common/log.hpp"

namespace edgelease::dataplane {

namespace {

constexpr uint16_t kTapDescriptors = 512;
constexpr unsigned kPoolCache = 64;

/// Ports that get a tap: those with an untagged interface that has addresses.
const L3Interface* served(const PortState& port) {
    const L3Interface* untagged = port.ctx.find(0, 0);
    if (untagged == nullptr || (untagged->v4.empty() && untagged->v6.empty())) return nullptr;
    return untagged;
}

uint16_t be16(const uint8_t* p) noexcept {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

}  // namespace

bool keep_from_wire(const uint8_t* f, uint32_t len) noexcept {
    if (len < 14) return true;
    size_t off = 12;
    uint16_t type = be16(f + off);
    if (type == 0x0800) {  // IGMP (protocol 2)
        return len >= 14 + 20 && f[14 + 9] == 2;
    }
    // ARP replies: the workers answer every request; the kernel answers only the copies it
    // is handed to learn from. Its own requests go out.
    if (type == 0x0806) return len < 14 + 8 || be16(f + 14 + 6) == 2;
    if (type != 0x86dd) return false;
    if (len < 14 + 40) return true;
    uint8_t next = f[14 + 6];
    size_t l4 = 14 + 40;
    if (next == 0) {  // MLD reports ride behind a Hop-by-Hop header
        if (len < l4 + 8) return true;
        next = f[l4];
        l4 += (size_t{f[l4 + 1]} + 1) * 8;
    }
    if (next != 58 || len < l4 + 1) return false;
    const uint8_t icmp_type = f[l4];
    // 130-132: MLDv1 query/report/done; 133: Router Solicitation; 143: MLDv2 report; 136:
    // Neighbor Advertisement (the workers answer NS; the kernel's answers to its copies stay).
    return (icmp_type >= 130 && icmp_type <= 133) || icmp_type == 136 || icmp_type == 143;
}

ExceptionPorts::ExceptionPorts(const config::Config& cfg, const Ports& ports, unsigned workers)
    : netns_(kernel::Netns::open(cfg.exception.netns)) {
    try {
        size_t taps = 0;
        for (const auto& p : ports.ports()) taps += served(p) != nullptr ? 1 : 0;
        if (taps == 0) return;
        // Every RX descriptor holds an mbuf, plus what the lcore caches and the frames in
        // flight to the port (as many again) may hold.
        const unsigned n = static_cast<unsigned>(taps * workers) * (2 * kTapDescriptors) +
                           (workers + 1) * kPoolCache;
        pool_ =
            rte_pktmbuf_pool_create("edgelease_exc", n, kPoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                    static_cast<int>(rte_socket_id()));
        if (pool_ == nullptr)
            throw std::runtime_error("cannot create the exception path's mempool of " +
                                     std::to_string(n) + " mbufs: " + rte_strerror(rte_errno) +
                                     " (give EAL more memory with -m, or set [exception] "
                                     "enabled = false)");
        for (const auto& p : ports.ports()) add(cfg, p, pool_, workers, links_.size());
    } catch (...) {
        close();
        rte_mempool_free(pool_);  // no frame of it has reached a port yet
        throw;
    }
}

ExceptionPorts::~ExceptionPorts() {
    close();
    rte_mempool_free(pool_);
}

const ExceptionPorts::Link* ExceptionPorts::for_port(uint16_t port_id) const {
    for (const auto& l : links_)
        if (l.port_id == port_id) return &l;
    return nullptr;
}

void ExceptionPorts::add(const config::Config& cfg, const PortState& port, rte_mempool* pool,
                         unsigned workers, size_t n) {
    const L3Interface* untagged = served(port);
    if (untagged == nullptr) return;
    Link link;
    link.port_id = port.port_id;
    link.ifname = "elx" + std::to_string(n);
    const std::string vdev = "net_tap_elx" + std::to_string(n);
    const std::string args = "iface=" + link.ifname + ",mac=" + net::to_string(port.ctx.mac);
    // The tap is made, and its PMD keeps its control sockets, in the namespace it serves.
    kernel::EnterNetns in(netns_);
    if (int rc = rte_dev_probe((vdev + "," + args).c_str()); rc != 0)
        fail_port(port.name, "cannot create the exception interface " + link.ifname, rc);
    if (rte_eth_dev_get_port_by_name(vdev.c_str(), &link.tap_id) != 0)
        throw std::runtime_error("port '" + port.name + "': exception interface " + vdev +
                                 " has no port");
    links_.push_back(link);  // from here close() undoes it
    Link& l = links_.back();
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(l.tap_id, &info); rc != 0)
        fail_port(vdev, "cannot read device info", rc);
    l.queues = static_cast<uint16_t>(
        std::min<unsigned>({workers, info.max_rx_queues, info.max_tx_queues}));
    // With Rx interrupts an idle worker sleeps on the tap's queue too (rx_wait.hpp): what
    // the kernel sends wakes it.
    rte_eth_conf conf{};
    conf.intr_conf.rxq = cfg.dpdk.idle_mode() == config::IdleMode::Interrupt ? 1 : 0;
    int configured = rte_eth_dev_configure(l.tap_id, l.queues, l.queues, &conf);
    if (configured != 0 && conf.intr_conf.rxq != 0) {
        conf.intr_conf.rxq = 0;
        configured = rte_eth_dev_configure(l.tap_id, l.queues, l.queues, &conf);
    }
    if (configured != 0) fail_port(vdev, "cannot configure", configured);
    const auto socket = static_cast<unsigned>(rte_socket_id());
    for (uint16_t q = 0; q < l.queues; ++q) {
        if (int rc = rte_eth_rx_queue_setup(l.tap_id, q, kTapDescriptors, socket, nullptr, pool);
            rc != 0)
            fail_port(vdev, "cannot set up RX queue " + std::to_string(q), rc);
        if (int rc = rte_eth_tx_queue_setup(l.tap_id, q, kTapDescriptors, socket, nullptr); rc != 0)
            fail_port(vdev, "cannot set up TX queue " + std::to_string(q), rc);
    }
    // The workers answer ND and own the link's addresses: the kernel must neither probe them
    // (DAD) nor go looking for routers; it only uses them. Set before the interface is up.
    const std::string conf6 = "net/ipv6/conf/" + l.ifname + "/";
    kernel::write_sysctl(conf6 + "accept_dad", "0");
    kernel::write_sysctl(conf6 + "accept_ra", "0");
    kernel::write_sysctl(conf6 + "router_solicitations", "0");
    if (int rc = rte_eth_dev_start(l.tap_id); rc != 0) fail_port(vdev, "cannot start", rc);
    kernel::link_up(l.ifname);
    if (!netns_.is_host()) kernel::link_up("lo");
    for (const auto& a : untagged->v4) kernel::add_address(l.ifname, a);
    for (const auto& a : untagged->v6) kernel::add_address(l.ifname, a);
    l.addresses = untagged->v4;
    l.addresses.insert(l.addresses.end(), untagged->v6.begin(), untagged->v6.end());
    LOG_INFO(
        "port '%s': exception path to the kernel through %s (port %u, %u queue pair(s), %s "
        "network namespace), %zu address(es)",
        port.name.c_str(), l.ifname.c_str(), l.tap_id, l.queues,
        netns_.is_host() ? "the host's" : cfg.exception.netns.c_str(),
        untagged->v4.size() + untagged->v6.size());
}

void ExceptionPorts::close() noexcept {
    for (auto it = links_.rbegin(); it != links_.rend(); ++it) {
        try {
            kernel::EnterNetns in(netns_);
            (void)rte_eth_dev_stop(it->tap_id);
            rte_eth_dev_close(it->tap_id);
        } catch (const std::exception& e) {
            LOG_WARN("exception interface %s: %s", it->ifname.c_str(), e.what());
        }
    }
    links_.clear();
}

}  // namespace edgelease::dataplane
