#include "app/appliance.hpp"

#include <malloc.h>
#include <signal.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <optional>
#include <stdexcept>
#include <thread>

#include "app/api_server.hpp"
#include "app/stats_view.hpp"
#include "common/log.hpp"
#include "common/sd_notify.hpp"
#include "dataplane/eal.hpp"
#include "dataplane/eal_args.hpp"
#include "dataplane/telemetry.hpp"

namespace edgelease::app {

namespace {

/// The control and sweeper lcores' longest idle sleep (unless [dpdk].idle_sleep_us is 0 or
/// longer): see make_service.
constexpr uint32_t kServiceIdleSleepUs = 1000;
/// The same with [dpdk].idle = "interrupt": 50 wake-ups a second each, not 1000.
constexpr uint32_t kServiceIdleSleepUsBlocking = 20000;

log::Level to_log_level(config::LogLevel l) {
    switch (l) {
        case config::LogLevel::Error:
            return log::Level::Error;
        case config::LogLevel::Warning:
            return log::Level::Warning;
        case config::LogLevel::Info:
            return log::Level::Info;
        case config::LogLevel::Debug:
            return log::Level::Debug;
    }
    return log::Level::Info;
}

}  // namespace

Appliance::Appliance(const config::Config& cfg, std::vector<dataplane::dns::ZoneInput> zones,
                     std::vector<unsigned> startup_cpus)
    : cfg_(cfg), live_(std::make_shared<const config::Config>(cfg)) {
    const unsigned nworkers = cfg_.dpdk.workers;
    std::vector<unsigned> lcores;
    unsigned id;
    RTE_LCORE_FOREACH_WORKER(id) {
        lcores.push_back(id);
    }
    if (lcores.size() < nworkers + 2)
        throw std::runtime_error(
            "EAL has " + std::to_string(lcores.size() + 1) + " lcore(s); edgelease needs " +
            std::to_string(dataplane::lcores_needed(nworkers)) + " (main, " +
            std::to_string(nworkers) +
            " worker(s), control, sweeper): widen -l/--lcores or lower [dpdk].workers");
    worker_lcores_.assign(lcores.begin(), lcores.begin() + nworkers);
    control_lcore_ = lcores[nworkers];
    sweeper_lcore_ = lcores[nworkers + 1];

    ports_ = std::make_unique<dataplane::Ports>(cfg_, nworkers);
    if (cfg_.exception.enabled)
        exception_ = std::make_unique<dataplane::ExceptionPorts>(cfg_, *ports_, nworkers);

    // Readers of RCU-published data: every worker, the sweeper (id = nworkers) and the DNS
    // over TCP server (nworkers + 1).
    const unsigned rcu_threads = nworkers + 2;
    qsbr_ = static_cast<rte_rcu_qsbr*>(
        rte_zmalloc("edgelease_qsbr", rte_rcu_qsbr_get_memsize(rcu_threads), RTE_CACHE_LINE_SIZE));
    if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, rcu_threads) != 0)
        throw std::runtime_error("cannot allocate the RCU quiescent-state variable");
    plane_ = std::make_unique<control::ControlPlane>(zones_, qsbr_);
    plane_->set_config_hash(cfg_.source_hash);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    const bool fsync = cfg_.appliance.durability == config::Durability::Fsync;
    uint32_t serial = 0;                               // the highest SOA serial in use
    std::optional<control::store::CleanStop> clean;    // what the last clean stop left
    std::optional<control::store::CleanStop> settled;  // the last settled moment's mark
    if (!cfg_.dns.zones.empty()) {
        records_ = std::make_unique<control::store::RecordStore>(
            cfg_.appliance.state_dir + "/dns", fsync, cfg_.appliance.audit_entries);
        records_->set_done_bell(&plane_->bell());
        clean = records_->take_clean_stop();
        settled = records_->settled_mark();
        zone_store_ = std::make_unique<control::zone::ZoneStore>();
    }

    bool stores_agree = false;
    if (!cfg_.dhcp.scopes.empty() || !cfg_.dhcp6.scopes.empty()) {
        store_ = std::make_unique<control::store::LeaseStore>(
            cfg_.appliance.state_dir, cfg_.appliance.durability == config::Durability::Fsync,
            size_t{cfg_.appliance.lease_store_max_mib} << 20);
        // Both stores as the last clean stop left them, under the same configuration: the
        // records are what these leases made, and need no re-check.
        stores_agree = clean && clean->lease_txn == store_->last_txn() &&
                       clean->config_hash == cfg_.source_hash;
        // Otherwise, under the same configuration, the last settled moment bounds the
        // re-check: what changed after it.
        if (stores_agree || !settled || settled->config_hash != cfg_.source_hash) settled.reset();
        store_->set_done_bell(&plane_->bell());
        store_->start();
        std::vector<dataplane::dhcp::DhcpChannel*> raw;
        for (unsigned w = 0; w < nworkers; ++w) {
            channels_.push_back(std::make_unique<dataplane::dhcp::DhcpChannel>());
            channels_.back()->control_bell = &plane_->bell();
            raw.push_back(channels_.back().get());
        }
        dhcp_ = std::make_unique<control::dhcp::DhcpService>(cfg_, raw, *store_);
        // The server DUID is made (and kept) even without v6 scopes: a reload may add some.
        if (!ports_->ports().empty())
            dhcp_->enable_v6(cfg_, store_->server_duid(ports_->ports().front().ctx.mac, now));
        if (zone_store_) {
            control::store::RecordStore* rs = records_.get();
            lease_dns_ = std::make_unique<control::ddns::LeaseDns>(
                cfg_, *zone_store_, [rs](control::zone::AuditEvent e) { rs->audit(std::move(e)); });
            dhcp_->attach_dns(lease_dns_.get());
        }
        sweeper_link_ = std::make_unique<control::sweeper::SweeperLink>();
        dhcp_->attach_sweeper(sweeper_link_.get());
    }

    const bool early_view = !dhcp_ || stores_agree || settled.has_value();
    // The stored leases go into their engines on a thread of their own while this one
    // restores the zone store: the two share nothing until restore_leases. The thread may use
    // every CPU the process had before EAL pinned this one (the lcores do not run yet).
    {
        std::exception_ptr lease_error;
        std::thread loader;
        if (dhcp_) {
            loader = std::thread([&] {
                try {
                    dataplane::set_thread_cpus(startup_cpus);
                    control::load_leases(*dhcp_);
                } catch (...) {
                    lease_error = std::current_exception();
                }
            });
        }
        try {
            if (zone_store_) {
                serial = control::restore_zones(*zone_store_, *records_, zones, now);
                records_->start();
                // Unless every lease is re-checked, the first view is built from the whole
                // store while the leases still load: what restore_leases changes after it
                // (reservations published again, leases expired while down, the leases
                // changed since the last settled moment) stays dirty, and the control
                // lcore's first poll applies it to the view. A full re-check may change any
                // number of names: the view waits for it.
                if (early_view) control::publish_first_view(*plane_, *zone_store_);
            }
        } catch (...) {
            if (loader.joinable()) loader.join();
            throw;
        }
        if (loader.joinable()) loader.join();
        if (lease_error) std::rethrow_exception(lease_error);
    }
    if (dhcp_) {
        control::restore_leases(*dhcp_, lease_dns_.get(), now, stores_agree,
                                settled ? &*settled : nullptr);
        plane_->attach_dhcp(dhcp_.get());
    }
    if (zone_store_) {
        if (!early_view) control::publish_first_view(*plane_, *zone_store_);
        plane_->attach_zones(zone_store_.get(), records_.get());
    }
    start_dns_tcp(nworkers + 1);
    reloader_ = std::make_unique<control::Reloader>(
        cfg_,
        control::Reloader::Targets{plane_.get(), dhcp_.get(), lease_dns_.get(), zone_store_.get(),
                                   records_.get()},
        serial, [this](std::function<void()> fn, std::chrono::milliseconds timeout) {
            return run_on_control(std::move(fn), timeout);
        });

    for (unsigned w = 0; w < nworkers; ++w) {
        auto ctx = std::make_unique<dataplane::WorkerContext>();
        ctx->index = w;
        ctx->qsbr = qsbr_;
        ctx->stop = &stop_;
        ctx->idle_sleep_us = cfg_.dpdk.idle_sleep_us;
        ctx->coalesce_us = cfg_.dpdk.coalesce_us;
        ctx->zones = &zones_;
        ctx->dhcp = channels_.empty() ? nullptr : channels_[w].get();
        ctx->pool = ports_->pool();
        ctx->dns.udp_payload_size = cfg_.dns.udp_payload_size;
        if (cfg_.dns.rrl.rate != 0) {
            const auto& q = cfg_.dns.rrl;
            ctx->rrl = std::make_unique<dataplane::dns::RrlTable>(dataplane::dns::RrlSettings{
                q.rate, q.slip, q.ipv4_prefix, q.ipv6_prefix, q.exempt});
        }
        if (cfg_.dns.cookies) ctx->dns.cookie_secret = &cookie_secret_;
        ctx->tsc_hz = rte_get_tsc_hz();
        ctx->tsc_per_ms = std::max<uint64_t>(ctx->tsc_hz / 1000, 1);
        if (ctx->dhcp != nullptr)
            ctx->admission = std::make_unique<dataplane::dhcp::DhcpAdmission>();
        ctx->unix_base = static_cast<uint64_t>(std::time(nullptr)) - rte_rdtsc() / ctx->tsc_hz;
        for (const auto& p : ports_->ports()) {
            if (w >= p.queues) continue;
            dataplane::WorkerQueue q{p.port_id, static_cast<uint16_t>(w), &p.ctx};
            const auto* link = exception_ ? exception_->for_port(p.port_id) : nullptr;
            if (link != nullptr && w < link->queues) {
                q.tap_id = link->tap_id;
                ctx->has_tap = true;
            }
            ctx->queues.push_back(q);
        }
        // UPDATE over UDP reaches the DNS server on kernel sockets when every queue of this
        // worker has a way to the kernel; otherwise the worker answers it NOTIMP.
        ctx->dns.updates_to_kernel = dns_tcp_ != nullptr && !ctx->queues.empty() &&
                                     std::all_of(ctx->queues.begin(), ctx->queues.end(),
                                                 [](const dataplane::WorkerQueue& q) {
                                                     return q.tap_id != dataplane::kNoTap;
                                                 });
        ctx->kernel_poll_cycles = rte_get_tsc_hz() / 5000;  // 200 us
        make_waiter(*ctx);
        rte_rcu_qsbr_thread_register(qsbr_, w);
        registry_.lcores.push_back(
            {"worker", w, worker_lcores_[w], &ctx->stats, &ctx->dns_stats, &ctx->dhcp_stats});
        workers_.push_back(std::move(ctx));
    }
    auto make_service = [&](unsigned lcore, bool rcu_reader) {
        auto c = std::make_unique<control::ServiceContext>();
        c->lcore_id = lcore;
        c->stop = &stop_;
        // Everything that hands the control lcore work rings its bell, and the sweeper's work
        // is due by the second: both may sleep longer than a worker, which no one can wake
        // for a packet. Each wake-up costs CPU (a timer: about 12 us on a virtual machine).
        // With workers that block, the machine is meant to idle: longer still.
        c->idle_sleep_us =
            cfg_.dpdk.idle_mode() == config::IdleMode::Interrupt ? kServiceIdleSleepUsBlocking
            : cfg_.dpdk.idle_sleep_us == 0                       ? 0
                                           : std::max(cfg_.dpdk.idle_sleep_us, kServiceIdleSleepUs);
        if (rcu_reader) {
            c->qsbr = qsbr_;
            c->rcu_id = nworkers;
            rte_rcu_qsbr_thread_register(qsbr_, nworkers);
        }
        return c;
    };
    control_ = make_service(control_lcore_, false);
    control_->plane = plane_.get();
    control_->bell = &plane_->bell();
    sweeper_ = make_service(sweeper_lcore_, true);
    sweeper_->link = sweeper_link_.get();
    registry_.lcores.push_back({"control", 0, control_lcore_, &control_->stats, nullptr, nullptr});
    registry_.lcores.push_back({"sweeper", 0, sweeper_lcore_, &sweeper_->stats, nullptr, nullptr});
}

void Appliance::start_dns_tcp(unsigned rcu_id) {
    if (!cfg_.dns.tcp) return;
    control::dnstcp::TcpSettings t;
    if (exception_)
        for (const auto& l : exception_->links())
            for (const auto& a : l.addresses) {
                // One socket per address, even when two ports hold the same one.
                const bool seen = std::any_of(t.addresses.begin(), t.addresses.end(), [&](auto& b) {
                    return a.is_v6 == b.is_v6 && (a.is_v6 ? a.v6 == b.v6 : a.v4 == b.v4);
                });
                if (!seen) t.addresses.push_back(a);
            }
    if (t.addresses.empty()) {
        LOG_WARN(
            "DNS over TCP is off: it needs the exception path to the kernel ([exception] "
            "enabled = true) and an untagged interface address; truncated answers cannot "
            "be retried over TCP");
        return;
    }
    t.idle_timeout = cfg_.dns.tcp_idle_timeout;
    t.max_connections = cfg_.dns.tcp_max_connections;
    t.max_per_client = cfg_.dns.tcp_max_per_client;
    t.udp_payload_size = cfg_.dns.udp_payload_size;
    t.transfers.config = [this] { return config(); };
    t.transfers.records = records_.get();
    if (zone_store_) {
        t.updates.config = [this] { return config(); };
        t.updates.on_control = [this](std::function<void()> fn, std::chrono::milliseconds to) {
            return run_on_control(std::move(fn), to);
        };
        t.updates.zones = zone_store_.get();
        control::ControlPlane* plane = plane_.get();
        t.updates.publish = [plane] { plane->apply_zone_changes(); };
        t.updates.records = records_.get();
    }
    dns_tcp_ = std::make_unique<control::dnstcp::DnsTcpServer>(std::move(t), exception_->netns(),
                                                               zones_, qsbr_, rcu_id);
    rte_rcu_qsbr_thread_register(qsbr_, rcu_id);
    if (records_) {
        control::dnstcp::DnsTcpServer* tcp = dns_tcp_.get();
        records_->set_serial_listener(
            [tcp](const dns::WireName& apex) { tcp->zone_changed(apex); });
    }
    std::string where;
    for (const auto& e : dns_tcp_->endpoints()) where += (where.empty() ? "" : ", ") + e;
    LOG_INFO("DNS over TCP on %s (idle timeout %llds, at most %u connections, %u per client)",
             where.c_str(), static_cast<long long>(cfg_.dns.tcp_idle_timeout.count()),
             cfg_.dns.tcp_max_connections, cfg_.dns.tcp_max_per_client);
}

Appliance::~Appliance() {
    stop();
    if (records_) records_->set_serial_listener(nullptr);  // it calls into the TCP server
    // The lease writer first: it drains and commits what is queued, ringing the control
    // plane's doorbell after each batch, so the plane must outlive it. (The DHCP service
    // only holds a reference to the store; it does not use it once the lcores are stopped.)
    // A clean stop: when every lease change of this run and every record change reached its
    // store, the record store keeps the lease store's last transaction and the
    // configuration's hash, and the next start skips re-checking each lease's records.
    if (store_ && records_ && lease_dns_ && dhcp_) {
        const bool leases_ok = dhcp_->stored_everything() && store_->stop();
        const bool records_ok = records_->stop();
        if (leases_ok && records_ok)
            records_->write_clean_stop({store_->last_txn(), config()->source_hash,
                                        dhcp_->last_generation4(), dhcp_->last_generation6()});
        else
            LOG_WARN(
                "lease or record store did not take every change of this run: the next "
                "start re-checks every lease's DNS records");
    }
    store_.reset();
    plane_.reset();  // frees zone views: no reader is left
    dhcp_.reset();
    sweeper_link_.reset();
    lease_dns_.reset();
    records_.reset();
    zone_store_.reset();
    // The taps first, then the ports (their TX rings may hold the kernel's frames), then
    // the taps' pool.
    if (exception_) exception_->close();
    ports_.reset();
    exception_.reset();
    rte_free(qsbr_);
}

void Appliance::start() {
    if (running_) return;
    stop_.store(false);
    for (unsigned w = 0; w < workers_.size(); ++w) {
        if (int rc =
                rte_eal_remote_launch(dataplane::worker_main, workers_[w].get(), worker_lcores_[w]);
            rc != 0)
            throw std::runtime_error("cannot launch worker on lcore " +
                                     std::to_string(worker_lcores_[w]));
    }
    if (rte_eal_remote_launch(control::control_main, control_.get(), control_lcore_) != 0 ||
        rte_eal_remote_launch(control::sweeper_main, sweeper_.get(), sweeper_lcore_) != 0) {
        stop_.store(true);
        rte_eal_mp_wait_lcore();
        throw std::runtime_error("cannot launch control/sweeper lcores");
    }
    running_ = true;
    if (dns_tcp_) dns_tcp_->start();
    std::string wl;
    for (unsigned l : worker_lcores_) wl += (wl.empty() ? "" : ",") + std::to_string(l);
    LOG_INFO("lcores running: workers on %s, control on %u, sweeper on %u", wl.c_str(),
             control_lcore_, sweeper_lcore_);
}

bool Appliance::publish_zones(std::unique_ptr<dataplane::dns::ZoneView> view,
                              std::chrono::milliseconds timeout) {
    const uint64_t before = plane_->generation();
    if (!running_) {
        plane_->publish_initial(std::move(view));
        return true;
    }
    if (!plane_->submit(view)) return false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (plane_->generation() == before) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        timespec ts{0, 200000};
        nanosleep(&ts, nullptr);
    }
    return true;
}

bool Appliance::run_on_control(std::function<void()> fn, std::chrono::milliseconds timeout) {
    if (!running_) {
        fn();
        return true;
    }
    return control::run_on_control(plane_->commands(), std::move(fn), timeout);
}

std::shared_ptr<const config::Config> Appliance::config() const {
    std::lock_guard lock(live_mu_);
    return live_;
}

Appliance::ReloadResult Appliance::reload(const std::string& path) {
    std::lock_guard lock(reload_mu_);
    ReloadResult r = reload_locked(path);
    if (r.ok) {
        reload_stats_.applied.fetch_add(1, std::memory_order_relaxed);
        reload_stats_.last_applied.store(static_cast<int64_t>(std::time(nullptr)),
                                         std::memory_order_relaxed);
        reload_stats_.leases_dropped.fetch_add(r.leases_dropped, std::memory_order_relaxed);
    } else if (r.timed_out) {
        reload_stats_.failed.fetch_add(1, std::memory_order_relaxed);
    } else {
        reload_stats_.refused.fetch_add(1, std::memory_order_relaxed);
    }
    return r;
}

Appliance::ReloadResult Appliance::reload_locked(const std::string& path) {
    LOG_INFO("reloading configuration from %s", path.c_str());
    auto loaded = config::load_config_file(path);
    if (!loaded.errors.empty()) {
        ReloadResult out;
        for (const auto& e : loaded.errors) {
            LOG_ERROR("%s", e.to_string().c_str());
            out.errors.push_back(e.to_string());
        }
        LOG_ERROR("reload refused: %zu configuration error(s); the running configuration stays",
                  loaded.errors.size());
        return out;
    }
    ReloadResult out = reloader_->apply(*config(), std::move(*loaded.config));
    if (out.ok) {
        log::set_level(to_log_level(out.applied->appliance.log_level));
        std::lock_guard lk(live_mu_);
        live_ = out.applied;
    }
    return out;
}

void Appliance::make_waiter(dataplane::WorkerContext& w) {
    switch (cfg_.dpdk.idle_mode()) {
        case config::IdleMode::Interrupt:
            break;
        case config::IdleMode::Backoff:
            LOG_INFO("worker %u: backs off when idle ([dpdk].idle = \"backoff\", up to %u us)",
                     w.index, cfg_.dpdk.idle_sleep_us);
            return;
        case config::IdleMode::Poll:
            LOG_INFO("worker %u: polls without sleeping ([dpdk].idle = \"poll\")", w.index);
            return;
    }
    std::vector<dataplane::RxWaiter::Queue> qs;
    for (const auto& q : w.queues) {
        int fd = -1;
        for (const auto& p : ports_->ports())
            if (p.port_id == q.port_id && q.queue < p.wait_fds.size()) fd = p.wait_fds[q.queue];
        qs.push_back({q.port_id, q.queue, fd});
        if (q.tap_id != dataplane::kNoTap) qs.push_back({q.tap_id, q.queue, -1});
    }
    std::string why;
    w.waiter =
        dataplane::RxWaiter::make(qs, w.dhcp != nullptr ? &w.dhcp->worker_bell : nullptr, why);
    const bool asked = cfg_.dpdk.idle.has_value();
    const std::string nap = w.coalesce_us != 0 ? "naps " + std::to_string(w.coalesce_us) +
                                                     " us ([dpdk].coalesce_us), then "
                                               : std::string();
    if (w.waiter)
        LOG_INFO("worker %u: idle, it %ssleeps until woken by %s", w.index, nap.c_str(),
                 w.waiter->describe().c_str());
    else if (asked)
        LOG_WARN("worker %u: [dpdk].idle = \"interrupt\", but %s: it backs off instead", w.index,
                 why.c_str());
    else
        LOG_INFO("worker %u: backs off when idle (%s)", w.index, why.c_str());
}

void Appliance::stop() {
    if (!running_) return;
    if (dns_tcp_) dns_tcp_->stop();
    stop_.store(true);
    for (auto& w : workers_)
        if (w->waiter) w->waiter->wake();
    rte_eal_mp_wait_lcore();
    running_ = false;
    LOG_INFO("lcores stopped");
}

namespace {

/// Logs a port's link whenever its up/down state changes.
class LinkWatch {
  public:
    explicit LinkWatch(const dataplane::Ports& ports)
        : ports_(ports), up_(ports.ports().size(), -1) {}
    void poll() {
        const auto& ps = ports_.ports();
        for (size_t i = 0; i < ps.size(); ++i) {
            rte_eth_link link{};
            if (rte_eth_link_get_nowait(ps[i].port_id, &link) != 0) continue;
            if (up_[i] == link.link_status) continue;
            up_[i] = link.link_status;
            LOG_INFO("port '%s': %s", ps[i].name.c_str(),
                     dataplane::describe_link(ps[i].port_id).c_str());
        }
    }

  private:
    const dataplane::Ports& ports_;
    std::vector<int> up_;
};

// Tells systemd (when it started us with Type=notify) what the appliance is doing; a failure
// is logged once per call and otherwise ignored: the appliance serves either way.
void notify_systemd(const char* state) {
    std::string why;
    if (!sd_notify(state, &why) && !why.empty())
        LOG_WARN("could not notify systemd (%s): %s", state, why.c_str());
}

}  // namespace

void block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run(const config::Config& cfg, const std::vector<std::string>& eal_cli) {
    log::set_level(to_log_level(cfg.appliance.log_level));
    try {
        uint32_t serial = 0;
        std::vector<dataplane::dns::ZoneInput> zones;
        if (!cfg.dns.zones.empty()) {
            auto loaded = control::load_zone_inputs(cfg, serial);
            if (!loaded) return 1;
            zones = std::move(*loaded);
        }
        // The CPUs the process may use, before EAL pins this thread to the main lcore's.
        const std::vector<unsigned> startup_cpus = dataplane::allowed_cpus();
        const auto eal_args =
            dataplane::build_eal_args(cfg.dpdk.eal_args, eal_cli, cfg.dpdk.workers, startup_cpus);
        for (const auto& p :
             dataplane::remove_stale_memif_sockets(dataplane::memif_server_socket_files(eal_args)))
            LOG_INFO("removed the memif socket %s left by an earlier run (nobody listens on it)",
                     p.c_str());
        dataplane::Eal eal(eal_args);
        {
            Appliance app(cfg, std::move(zones), startup_cpus);
            // Detached before `app` (and its counters) is destroyed, on every exit path.
            struct TelemetryGuard {
                explicit TelemetryGuard(const Appliance& a) {
                    dataplane::attach_telemetry(telemetry_commands(a));
                }
                ~TelemetryGuard() { dataplane::detach_telemetry(); }
            } telemetry(app);
            ApiServer api(app, cfg.api);  // binds now: a bad address fails before serving
            app.start();
            api.start();
            LOG_INFO("edgelease running (config %s)", cfg.source_file.c_str());
            // systemd (Type=notify): ports are up, the stores loaded, the lcores serving.
            notify_systemd("READY=1\nSTATUS=serving");
            {
                // Start-up freed what it built on the way (the decoded records, the first
                // view's inputs: about 120 bytes a record) in small blocks that malloc keeps
                // for reuse; give their pages back once the lcores serve.
                const auto t0 = std::chrono::steady_clock::now();
                malloc_trim(0);
                LOG_INFO(
                    "start-up memory returned to the system in %.0f ms",
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                        .count());
            }

            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGINT);
            sigaddset(&set, SIGTERM);
            sigaddset(&set, SIGHUP);
            LinkWatch links(app.ports());
            auto next_stats = std::chrono::steady_clock::now() + cfg.appliance.stats_interval;
            for (;;) {
                links.poll();
                timespec tick{1, 0};
                int sig = sigtimedwait(&set, nullptr, &tick);
                if (sig == SIGINT || sig == SIGTERM) {
                    LOG_INFO("%s received: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
                    notify_systemd("STOPPING=1\nSTATUS=shutting down");
                    break;
                }
                if (sig == SIGHUP) {
                    LOG_INFO("SIGHUP received");
                    // MONOTONIC_USEC: what systemd 253+ wants with RELOADING=1.
                    timespec mono{};
                    clock_gettime(CLOCK_MONOTONIC, &mono);
                    const std::string reloading =
                        "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" +
                        std::to_string(static_cast<uint64_t>(mono.tv_sec) * 1000000u +
                                       static_cast<uint64_t>(mono.tv_nsec) / 1000u);
                    notify_systemd(reloading.c_str());
                    const auto r = app.reload(cfg.source_file);
                    // A refused reload keeps the running configuration: still ready.
                    notify_systemd(r.ok ? "READY=1\nSTATUS=serving; reload applied"
                                        : "READY=1\nSTATUS=serving; last reload refused or "
                                          "not applied (see the log)");
                }
                auto now = std::chrono::steady_clock::now();
                const auto interval =
                    app.config()->appliance.stats_interval;  // a reload may change it
                if (interval.count() > 0 && now >= next_stats) {
                    LOG_INFO("stats: %s", summary_line(sources_of(app)).c_str());
                    next_stats = now + interval;
                }
            }
            app.stop();
            LOG_INFO("final stats: %s", summary_line(sources_of(app)).c_str());
        }
        LOG_INFO("ports closed, EAL cleaned up; bye");
        return 0;
    } catch (const std::exception& e) {
        LOG_ERROR("%s", e.what());
        return 1;
    }
}

}  // namespace edgelease::app
