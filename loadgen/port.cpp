#include "loadgen/port.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "dataplane/ports.hpp"
#include "loadgen/frame.hpp"

namespace edgelease::loadgen {

LoadgenPort::LoadgenPort(const PortOptions& o) {
    if (o.name.empty()) {
        uint16_t id;
        bool found = false;
        RTE_ETH_FOREACH_DEV(id) {
            if (!found) {
                port_id_ = id;
                found = true;
            }
        }
        if (!found)
            throw std::runtime_error(
                "no DPDK port: add one with --vdev (e.g. net_memif0,role=client,...) "
                "or a PCI address in the EAL arguments");
        char name[RTE_ETH_NAME_MAX_LEN];
        name_ = rte_eth_dev_get_name_by_port(port_id_, name) == 0
                    ? name
                    : "port" + std::to_string(port_id_);
    } else {
        name_ = o.name;
        if (rte_eth_dev_get_port_by_name(o.name.c_str(), &port_id_) != 0)
            throw std::runtime_error("port '" + o.name + "' not found; devices present: " +
                                     dataplane::available_ports());
    }

    pool_ = rte_pktmbuf_pool_create("loadgen_pkt", o.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                    static_cast<int>(rte_socket_id()));
    if (pool_ == nullptr)
        throw std::runtime_error("cannot create a pool of " + std::to_string(o.mbufs) +
                                 " mbufs: " + rte_strerror(rte_errno) +
                                 " (lower --mbufs or give EAL more memory with -m)");
    try {
        rte_eth_dev_info info{};
        if (int rc = rte_eth_dev_info_get(port_id_, &info); rc != 0)
            dataplane::fail_port(name_, "cannot read device info", rc);
        rte_eth_conf conf{};
        if (int rc = rte_eth_dev_configure(port_id_, 1, 1, &conf); rc != 0)
            dataplane::fail_port(name_, "cannot configure one queue pair", rc);
        uint16_t rxd = o.rx_descriptors, txd = o.tx_descriptors;
        if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id_, &rxd, &txd); rc != 0)
            dataplane::fail_port(name_, "cannot adjust descriptor counts", rc);
        int socket = rte_eth_dev_socket_id(port_id_);
        if (socket < 0) socket = static_cast<int>(rte_socket_id());
        if (int rc = rte_eth_rx_queue_setup(port_id_, 0, rxd, static_cast<unsigned>(socket),
                                            nullptr, pool_);
            rc != 0)
            dataplane::fail_port(name_, "cannot set up the RX queue", rc);
        if (int rc =
                rte_eth_tx_queue_setup(port_id_, 0, txd, static_cast<unsigned>(socket), nullptr);
            rc != 0)
            dataplane::fail_port(name_, "cannot set up the TX queue", rc);
        if (int rc = rte_eth_dev_start(port_id_); rc != 0)
            dataplane::fail_port(name_, "cannot start", rc);
        started_ = true;
        // Replies to emulated clients carry their MACs, not ours.
        if (int rc = rte_eth_promiscuous_enable(port_id_); rc != 0 && rc != -ENOTSUP)
            dataplane::fail_port(name_, "cannot enable promiscuous mode", rc);
        rte_ether_addr mac{};
        rte_eth_macaddr_get(port_id_, &mac);
        std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), mac_.bytes.begin());

        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(o.link_timeout_s);
        for (;;) {
            rte_eth_link link{};
            if (rte_eth_link_get_nowait(port_id_, &link) == 0 &&
                link.link_status == RTE_ETH_LINK_UP)
                break;
            if (std::chrono::steady_clock::now() >= deadline)
                throw std::runtime_error(
                    "port '" + name_ + "': link still down after " +
                    std::to_string(o.link_timeout_s) +
                    " s (for net_memif: is the server side running, same socket?)");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    } catch (...) {
        if (started_) rte_eth_dev_stop(port_id_);
        rte_eth_dev_close(port_id_);
        rte_mempool_free(pool_);
        throw;
    }
}

LoadgenPort::~LoadgenPort() {
    if (started_) rte_eth_dev_stop(port_id_);
    rte_eth_dev_close(port_id_);
    rte_mempool_free(pool_);
}

template <class Ask, class Answer>
net::MacAddr LoadgenPort::ask_until(Ask&& ask, Answer&& answer, double timeout_s,
                                    const std::string& what) {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(timeout_s);
    auto next_ask = start;
    rte_mbuf* rx[32];
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        if (now >= next_ask) {
            rte_mbuf* m = rte_pktmbuf_alloc(pool_);
            if (m == nullptr) throw std::runtime_error("mbuf pool empty while resolving");
            const uint16_t len =
                ask(rte_pktmbuf_mtod(m, uint8_t*), static_cast<uint16_t>(rte_pktmbuf_tailroom(m)));
            m->data_len = m->pkt_len = len;
            if (rte_eth_tx_burst(port_id_, 0, &m, 1) != 1) rte_pktmbuf_free(m);
            next_ask = now + std::chrono::milliseconds(200);
        }
        const uint16_t n = rte_eth_rx_burst(port_id_, 0, rx, 32);
        for (uint16_t i = 0; i < n; ++i) {
            net::MacAddr found;
            const bool ok = answer(rte_pktmbuf_mtod(rx[i], const uint8_t*), rx[i]->data_len, found);
            rte_pktmbuf_free(rx[i]);
            if (ok) {
                for (uint16_t j = i + 1; j < n; ++j) rte_pktmbuf_free(rx[j]);
                return found;
            }
        }
        if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    throw std::runtime_error(what + " within " + std::to_string(timeout_s) +
                             " s (give --server-mac, or check --server" +
                             (what.starts_with("no ARP") ? "/--source)" : ")"));
}

net::MacAddr LoadgenPort::resolve(net::Ipv4Addr source, net::Ipv4Addr target, double timeout_s) {
    return ask_until(
        [&](uint8_t* buf, uint16_t cap) {
            return build_arp_request(buf, cap, mac_, source.value, target.value);
        },
        [&](const uint8_t* f, uint16_t len, net::MacAddr& out) {
            return parse_arp_from(f, len, target.value, out);
        },
        timeout_s, "no ARP reply from " + net::to_string(target));
}

net::MacAddr LoadgenPort::resolve6(const net::Ipv6Addr& target, double timeout_s) {
    const net::Ipv6Addr source = net::link_local_from_mac(mac_);
    return ask_until(
        [&](uint8_t* buf, uint16_t cap) {
            return build_neighbor_solicitation(buf, cap, mac_, source, target);
        },
        [&](const uint8_t* f, uint16_t len, net::MacAddr& out) {
            return parse_neighbor_advert(f, len, target, out);
        },
        timeout_s, "no Neighbor Advertisement from " + net::to_string(target));
}

}  // namespace edgelease::loadgen
