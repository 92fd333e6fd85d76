#pragma once
// DNS over TCP (RFC 7766) on the kernel's sockets. The kernel is the TCP stack: it lives
// behind the exception path (dataplane/exception.hpp), and the listening sockets are made in
// that interface's network namespace. One thread serves every connection with epoll; it
// answers with the workers' own code (dataplane::dns::answer_query) from the same zone view,
// which it reads under RCU like a worker: online while it handles a batch of events,
// offline while it waits, so it never holds up the control lcore's publishing.
//
// What a connection may do is bounded: connections in total and per client address, an idle
// timeout counted from the last complete message either way (a length prefix that never
// completes, a client that stops reading its answers: both end there), one largest message
// buffered in and a few answers out. Every close has a counted reason.
//
// Dynamic updates (update.hpp) arrive here over TCP and, through UDP sockets beside the
// listeners, over UDP; a thread of their own applies them and hands the answers back.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/net.hpp"
#include "control/dnstcp/notify.hpp"
#include "control/dnstcp/stats.hpp"
#include "control/dnstcp/transfer.hpp"
#include "control/dnstcp/update.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "dataplane/kernel_netns.hpp"

struct rte_rcu_qsbr;

namespace edgelease::control::dnstcp {

struct TcpSettings {
    std::vector<net::IfAddress> addresses;  // listen on port `port` of each
    uint16_t port = 53;                     // 0: one the kernel picks (tests)
    std::chrono::milliseconds idle_timeout{10000};
    uint32_t max_connections = 1024;
    uint32_t max_per_client = 32;
    uint16_t udp_payload_size = 1232;  // advertised in the OPT of our answers
    TransferEnv transfers;             // AXFR and IXFR (no record store: NOTAUTH)
    UpdateEnv updates;                 // UPDATE (no zone store: NOTAUTH)
    /// Also read UDP on `port` of each address: the UPDATE datagrams the workers hand to the
    /// kernel (and anything else addressed there, answered like TCP).
    bool udp = true;
};

class DnsTcpServer {
  public:
    /// Opens the listening sockets in `ns` (bound to each address; IPv6 link-local ones are
    /// left out). Throws std::runtime_error naming the address and the cause. `rcu_id` is
    /// this server's reader id in `qsbr`, registered by the caller.
    DnsTcpServer(TcpSettings settings, const dataplane::kernel::Netns& ns,
                 const dataplane::dns::ZoneViewSlot& zones, rte_rcu_qsbr* qsbr, unsigned rcu_id);
    ~DnsTcpServer();
    DnsTcpServer(const DnsTcpServer&) = delete;
    DnsTcpServer& operator=(const DnsTcpServer&) = delete;

    /// Starts the serving and update threads; stop() ends them, closing every connection
    /// (after it, nothing calls the control plane). Idempotent.
    void start();
    void stop();

    const TcpStats& stats() const { return stats_; }
    /// Any thread: the zone at `apex` has a new serial, durable in the record store; its
    /// [[dns.zones]] notify targets get a NOTIFY.
    void zone_changed(const dns::WireName& apex) { notifier_->zone_changed(apex); }
    /// "198.18.0.1:53" or "[2001:db8::1]:53" for each listening socket, with the port bound.
    const std::vector<std::string>& endpoints() const { return endpoints_; }
    /// The same for the UDP sockets (empty without TcpSettings::udp).
    const std::vector<std::string>& udp_endpoints() const { return udp_endpoints_; }

  private:
    struct Loop;
    void run() noexcept;

    TcpSettings settings_;
    const dataplane::dns::ZoneViewSlot& zones_;
    rte_rcu_qsbr* qsbr_;
    unsigned rcu_id_;
    std::vector<int> listeners_;
    std::vector<std::string> endpoints_;
    std::vector<int> udp_;
    std::vector<std::string> udp_endpoints_;
    int epoll_fd_ = -1;
    int stop_fd_ = -1;  // an eventfd: stop() writes it
    std::thread thread_;
    TcpStats stats_;
    std::unique_ptr<Notifier> notifier_;
    std::unique_ptr<Updater> updater_;
};

}  // namespace edgelease::control::dnstcp
