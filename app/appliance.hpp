#pragma once
// The composition root: ports, lcore contexts and their launch/stop. Needs an initialised
// EAL (see dataplane::Eal). Used by the edgelease binary and by the integration tests.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/reload_stats.hpp"
#include "common/siphash.hpp"
#include "config/config.hpp"
#include "control/control_plane.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/dhcp_service.hpp"
#include "control/dnstcp/server.hpp"
#include "control/reconcile.hpp"
#include "control/service_lcore.hpp"
#include "control/store/lease_store.hpp"
#include "control/store/record_store.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "control/zone/zone_store.hpp"
#include "dataplane/exception.hpp"
#include "dataplane/ports.hpp"
#include "dataplane/stats_registry.hpp"
#include "dataplane/worker.hpp"

struct rte_rcu_qsbr;

namespace edgelease::app {

class Appliance {
  public:
    /// Brings up mempool and ports, assigns lcores, opens the lease and record stores under
    /// [appliance].state_dir, merges the configured zones (`zones`, from control::zone::load_zones)
    /// with the stored records, publishes reservation records and the initial zone view.
    /// Without configured zones no record store is opened. Throws std::runtime_error with an
    /// operator-readable cause (missing port, too few lcores, no memory, storage).
    /// `startup_cpus`: where start-up's helper thread may run (the process's CPUs before EAL
    /// pinned the main thread; empty: wherever the main thread may).
    Appliance(const config::Config& cfg, std::vector<dataplane::dns::ZoneInput> zones,
              std::vector<unsigned> startup_cpus = {});
    ~Appliance();
    Appliance(const Appliance&) = delete;
    Appliance& operator=(const Appliance&) = delete;

    /// Launches workers, control and sweeper on their lcores.
    void start();
    /// Signals every lcore to stop and waits for them. Idempotent.
    void stop();

    /// Hands new zone data to the control lcore and waits (bounded) until it is published.
    /// False if it was not published within `timeout`.
    bool publish_zones(std::unique_ptr<dataplane::dns::ZoneView> view,
                       std::chrono::milliseconds timeout);

    /// Re-reads `path` (SIGHUP and POST /api/v1/reload) and has the control plane apply it
    /// (control::Reloader::apply: what changes, what is kept, what needs a restart), then
    /// applies the log level and makes it the configuration in force. An invalid file:
    /// ok = false with every error in `errors`, and nothing changes.
    using ReloadResult = control::ReloadResult;
    ReloadResult reload(const std::string& path);

    /// The configuration in force (the start-up one until a reload succeeds). Any thread; the
    /// snapshot stays valid after a later reload.
    std::shared_ptr<const config::Config> config() const;
    control::ControlPlane& control_plane() { return *plane_; }
    control::dhcp::DhcpService* dhcp() { return dhcp_.get(); }
    const dataplane::StatsRegistry& stats() const { return registry_; }
    const control::ControlPlane& control_plane() const { return *plane_; }
    /// nullptr when no DHCP scope is configured.
    const control::dhcp::DhcpService* dhcp() const { return dhcp_.get(); }
    const control::store::LeaseStore* lease_store() const { return store_.get(); }
    /// nullptr when no zone is configured.
    control::store::RecordStore* record_store() { return records_.get(); }
    const control::store::RecordStore* record_store() const { return records_.get(); }
    control::ddns::LeaseDns* lease_dns() { return lease_dns_.get(); }
    /// nullptr when no DHCP scope is configured.
    const control::sweeper::SweeperLink* sweeper_link() const { return sweeper_link_.get(); }
    const control::ddns::LeaseDns* lease_dns() const { return lease_dns_.get(); }
    const dataplane::Ports& ports() const { return *ports_; }
    const dataplane::ExceptionPorts* exception() const { return exception_.get(); }
    /// nullptr: [dns] tcp = false, or no exception path for the kernel's sockets.
    const control::dnstcp::DnsTcpServer* dns_tcp() const { return dns_tcp_.get(); }
    const ReloadStats& reload_stats() const { return reload_stats_; }

  private:
    SipKey cookie_secret_ = random_sip_key();  // DNS Cookies: one secret for every worker
    const config::Config cfg_;  // as started: ports, lcores, stores are built from it
    std::shared_ptr<const config::Config> live_;  // in force; replaced by reload under live_mu_
    mutable std::mutex live_mu_;
    std::atomic<bool> stop_{false};
    bool running_ = false;
    std::unique_ptr<dataplane::Ports> ports_;
    std::unique_ptr<dataplane::ExceptionPorts> exception_;  // nullptr: [exception] enabled = false
    std::unique_ptr<control::dnstcp::DnsTcpServer> dns_tcp_;
    rte_rcu_qsbr* qsbr_ = nullptr;
    dataplane::dns::ZoneViewSlot zones_;
    std::unique_ptr<control::ControlPlane> plane_;
    std::unique_ptr<control::store::LeaseStore> store_;
    std::unique_ptr<control::store::RecordStore> records_;
    std::unique_ptr<control::zone::ZoneStore> zone_store_;  // control lcore once running
    std::unique_ptr<control::ddns::LeaseDns> lease_dns_;
    std::unique_ptr<control::sweeper::SweeperLink> sweeper_link_;
    std::vector<std::unique_ptr<dataplane::dhcp::DhcpChannel>> channels_;
    std::unique_ptr<control::dhcp::DhcpService> dhcp_;
    std::vector<std::unique_ptr<dataplane::WorkerContext>> workers_;
    std::unique_ptr<control::ServiceContext> control_;
    std::unique_ptr<control::ServiceContext> sweeper_;
    std::vector<unsigned> worker_lcores_;
    unsigned control_lcore_ = 0, sweeper_lcore_ = 0;
    dataplane::StatsRegistry registry_;
    std::unique_ptr<control::Reloader> reloader_;
    bool run_on_control(std::function<void()> fn, std::chrono::milliseconds timeout);
    std::mutex reload_mu_;  // SIGHUP and the API may reload at the same time
    ReloadStats reload_stats_;
    ReloadResult reload_locked(const std::string& path);
    /// Opens the DNS over TCP server when [dns] tcp and the exception path allow it.
    void start_dns_tcp(unsigned rcu_id);
    /// [dpdk].idle = "interrupt": the worker's wait set (RxWaiter), or why it backs off instead.
    void make_waiter(dataplane::WorkerContext& w);
};

/// Runs the appliance until SIGINT/SIGTERM: zones, EAL (argument vector from config, replaced
/// by `eal_cli` when non-empty), ports, lcores, periodic stats, SIGHUP zone reload, clean
/// shutdown. Returns the process exit status. Expects SIGINT, SIGTERM and SIGHUP to be blocked in
/// every thread (see block_signals) so that they are taken here with sigtimedwait.
int run(const config::Config& cfg, const std::vector<std::string>& eal_cli);

/// Blocks SIGINT/SIGTERM/SIGHUP in the calling thread; threads created afterwards (EAL's
/// included) inherit the mask. Call first thing in main().
void block_signals();

}  // namespace edgelease::app
