#include "dataplane/ports.hpp"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "common/log.hpp"
#include "dataplane/port_context.hpp"
#include "dataplane/rx_wait.hpp"

namespace edgelease::dataplane {

std::string available_ports() {
    std::string out;
    uint16_t id;
    RTE_ETH_FOREACH_DEV(id) {
        char name[RTE_ETH_NAME_MAX_LEN];
        if (rte_eth_dev_get_name_by_port(id, name) == 0)
            out += (out.empty() ? "" : ", ") + std::string(name);
    }
    return out.empty() ? "none" : out;
}

[[noreturn]] void fail_port(const std::string& port, const std::string& what, int rc) {
    throw std::runtime_error("port '" + port + "': " + what + ": " +
                             rte_strerror(rc < 0 ? -rc : rc));
}

Ports::Ports(const config::Config& cfg, unsigned workers) {
    // One pool serves every port: replies are written into the received mbuf, so the pool
    // only has to cover descriptors in flight plus per-lcore caches.
    pool_ = rte_pktmbuf_pool_create("edgelease_pkt", cfg.dpdk.mbufs, 256, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
    if (pool_ == nullptr)
        throw std::runtime_error(std::string("cannot create packet mempool of ") +
                                 std::to_string(cfg.dpdk.mbufs) +
                                 " mbufs: " + rte_strerror(rte_errno) +
                                 " (lower [dpdk].mbufs or give EAL more memory with -m)");
    try {
        for (const auto& ifc : cfg.interfaces) {
            bool seen = std::any_of(ports_.begin(), ports_.end(),
                                    [&](const PortState& p) { return p.name == ifc.port; });
            if (!seen) start_port(cfg, ifc.port, workers);
        }
    } catch (...) {
        close_all();
        throw;
    }
}

Ports::~Ports() {
    close_all();
}

void Ports::start_port(const config::Config& cfg, const std::string& name, unsigned workers) {
    uint16_t id = 0;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0)
        throw std::runtime_error("port '" + name +
                                 "' not found: no DPDK device has that name (add it with --vdev "
                                 "or its PCI address in [dpdk].eal_args); devices present: " +
                                 available_ports());
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(id, &info); rc != 0)
        fail_port(name, "cannot read device info", rc);

    uint16_t queues = static_cast<uint16_t>(
        std::min<unsigned>({workers, info.max_rx_queues, info.max_tx_queues}));
    if (queues == 0) throw std::runtime_error("port '" + name + "' offers no RX/TX queues");
    if (queues < workers)
        LOG_WARN("port '%s' supports %u queue pairs; workers %u..%u will not poll it", name.c_str(),
                 queues, queues, workers - 1);

    rte_eth_conf conf{};
    if (queues > 1) {
        uint64_t want = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP;
        uint64_t have = info.flow_type_rss_offloads & want;
        if (have != 0) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_hf = have;
        } else {
            LOG_WARN("port '%s' has no RSS; traffic arrives on queue 0 only", name.c_str());
        }
    }
    // A worker that sleeps when idle ([dpdk].idle = "interrupt") waits on its queues' Rx
    // interrupts where the PMD has them (rx_wait.hpp). A PMD that refuses them at configure
    // or start gets a second try without: the worker then backs off instead.
    const bool af_xdp = std::strcmp(info.driver_name, "net_af_xdp") == 0;
    bool rx_intr = cfg.dpdk.idle_mode() == config::IdleMode::Interrupt &&
                   wants_rx_interrupts(info.driver_name);
    std::vector<int> wait_fds(queues, -1);
    uint16_t desc_rx = 0, desc_tx = 0;
    for (;;) {
        conf.intr_conf.rxq = rx_intr ? 1 : 0;
        int rc = rte_eth_dev_configure(id, queues, queues, &conf);
        if (rc != 0 && rx_intr) {
            LOG_INFO("port '%s': no Rx interrupts (%s); idle workers back off on it", name.c_str(),
                     rte_strerror(-rc));
            rx_intr = false;
            continue;
        }
        if (rc != 0)
            fail_port(name, "cannot configure " + std::to_string(queues) + " queue pairs", rc);

        uint16_t rxd = static_cast<uint16_t>(cfg.dpdk.rx_descriptors);
        uint16_t txd = static_cast<uint16_t>(cfg.dpdk.tx_descriptors);
        if (rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd); rc != 0)
            fail_port(name, "cannot adjust descriptor counts", rc);
        int socket = rte_eth_dev_socket_id(id);
        if (socket < 0) socket = static_cast<int>(rte_socket_id());
        for (uint16_t q = 0; q < queues; ++q) {
            // net_af_xdp makes a queue's XSK socket here; the kernel cannot say which queue
            // an XSK socket serves (no getsockname), so it is told by when it appeared.
            const std::vector<int> before = af_xdp ? sockets_of(AF_XDP) : std::vector<int>{};
            if (rc = rte_eth_rx_queue_setup(id, q, rxd, static_cast<unsigned>(socket), nullptr,
                                            pool_);
                rc != 0)
                fail_port(name, "cannot set up RX queue " + std::to_string(q), rc);
            if (af_xdp) {
                std::vector<int> added;
                for (int fd : sockets_of(AF_XDP))
                    if (!std::binary_search(before.begin(), before.end(), fd)) added.push_back(fd);
                if (added.size() == 1) wait_fds[q] = added.front();
            }
            if (rc = rte_eth_tx_queue_setup(id, q, txd, static_cast<unsigned>(socket), nullptr);
                rc != 0)
                fail_port(name, "cannot set up TX queue " + std::to_string(q), rc);
        }
        rc = rte_eth_dev_start(id);
        if (rc != 0 && rx_intr) {
            LOG_INFO("port '%s': cannot start with Rx interrupts (%s); idle workers back off on it",
                     name.c_str(), rte_strerror(-rc));
            rx_intr = false;
            continue;
        }
        if (rc != 0) fail_port(name, "cannot start", rc);
        desc_rx = rxd;
        desc_tx = txd;
        break;
    }
    // net_af_packet made one PACKET_MMAP socket per queue pair at probe, in queue order.
    if (std::strcmp(info.driver_name, "net_af_packet") == 0 && info.if_index != 0) {
        std::vector<int> mine;
        for (int fd : sockets_of(AF_PACKET))
            if (packet_socket_ifindex(fd) == static_cast<int>(info.if_index)) mine.push_back(fd);
        if (mine.size() == info.max_rx_queues)
            for (uint16_t q = 0; q < queues; ++q) wait_fds[q] = mine[q];
    }
    // ND needs the solicited-node multicast groups; accept all multicast and filter in
    // software (handle_frame checks the destination).
    if (int rc = rte_eth_allmulticast_enable(id); rc != 0 && rc != -ENOTSUP)
        LOG_WARN("port '%s': cannot enable all-multicast: %s", name.c_str(), rte_strerror(-rc));

    rte_ether_addr mac{};
    rte_eth_macaddr_get(id, &mac);
    net::MacAddr m;
    std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), m.bytes.begin());

    PortState st;
    st.name = name;
    st.port_id = id;
    st.queues = queues;
    st.ctx = make_port_context(cfg, name, id, m);
    st.wait_fds = std::move(wait_fds);
    LOG_INFO("port '%s' (id %u, driver %s) started: mac %s, %u queue pair(s), %u/%u descriptors",
             name.c_str(), id, info.driver_name, net::to_string(m).c_str(), queues, desc_rx,
             desc_tx);
    ports_.push_back(std::move(st));
}

bool read_port_counters(uint16_t port_id, PortCounters& out) noexcept {
    // The API threads, the telemetry thread and the main lcore's stats line all read the
    // PMDs' counters; DPDK does not promise that two readers of one port may overlap.
    static std::mutex mu;
    out = PortCounters{};
    rte_eth_stats st{};
    std::lock_guard lock(mu);
    if (rte_eth_stats_get(port_id, &st) != 0) return false;
    out.ipackets = st.ipackets;
    out.opackets = st.opackets;
    out.imissed = st.imissed;
    out.ierrors = st.ierrors;
    out.oerrors = st.oerrors;
    out.rx_nombuf = st.rx_nombuf;
    return true;
}

PoolCounters read_pool_counters(const rte_mempool* pool) noexcept {
    if (pool == nullptr) return {};
    return {pool->size, rte_mempool_avail_count(pool)};
}

std::string describe_link(uint16_t port_id) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(port_id, &link) != 0) return "link state unknown";
    if (link.link_status == RTE_ETH_LINK_DOWN) return "link down";
    std::string speed =
        link.link_speed == RTE_ETH_SPEED_NUM_NONE || link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
            ? "unknown speed"
            : std::to_string(link.link_speed) + " Mbps";
    return "link up, " + speed +
           (link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? ", full duplex" : ", half duplex");
}

void Ports::close_all() noexcept {
    for (auto it = ports_.rbegin(); it != ports_.rend(); ++it) {
        if (int rc = rte_eth_dev_stop(it->port_id); rc != 0)
            LOG_WARN("port '%s': stop failed: %s", it->name.c_str(), rte_strerror(-rc));
        rte_eth_dev_close(it->port_id);
    }
    ports_.clear();
    if (pool_ != nullptr) {
        rte_mempool_free(pool_);
        pool_ = nullptr;
    }
}

}  // namespace edgelease::dataplane
