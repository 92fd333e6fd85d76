#include "control/reconcile.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "common/log.hpp"
#include "config/settings.hpp"
#include "control/control_plane.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/dhcp_service.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::control {

namespace {

/// Milliseconds since `t0`, for the start-up log lines.
double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

constexpr auto kReloadTimeout = std::chrono::seconds(30);
// Leases one reload command copies into the new engine: about 35 ms of the control lcore at
// the 2.2 us a lease takes (docs/benchmarks.md, "DHCP reload"), under the 50 ms it may hold
// DHCP up at a time.
constexpr size_t kMoveSlice = 16384;

zone::AuditEvent orphan_event(const zone::StoredRecord& r, int64_t now) {
    zone::AuditEvent e;
    e.time = now;
    e.name = dns::name_to_text(r.rr.owner);
    e.type = r.rr.type;
    e.old_data = zone::rdata_to_text(r.rr.type, r.rr.rdata);
    e.origin = r.prov.origin;
    e.owner = r.prov.owner;
    e.reason = zone::AuditReason::Orphaned;
    e.detail = "its zone is no longer configured";
    return e;
}

/// The configured zones over `zones`; records whose zone is gone are audited.
void set_zones(zone::ZoneStore& zones, store::RecordStore& records,
               const std::vector<dataplane::dns::ZoneInput>& configured, int64_t now) {
    std::vector<zone::StoredRecord> orphaned;
    zones.set_config(configured, now, &orphaned);
    for (const auto& r : orphaned) records.audit(orphan_event(r, now));
    if (!orphaned.empty())
        LOG_WARN("record store: %zu stored record(s) dropped: their zone is no longer configured",
                 orphaned.size());
}

/// Indexes (in `next`) of the scopes that are new or whose domain or DNS policy changed.
std::vector<uint32_t> scopes_with_new_dns(const config::Config& running,
                                          const config::Config& next) {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < next.dhcp.scopes.size(); ++i) {
        const auto& ns = next.dhcp.scopes[i];
        const config::ScopeConfig* os = nullptr;
        for (const auto& s : running.dhcp.scopes)
            if (s.name == ns.name) os = &s;
        if (os == nullptr || os->domain != ns.domain || !(os->dns == ns.dns)) out.push_back(i);
    }
    return out;
}

/// The same for DHCPv6 scopes.
std::vector<uint32_t> scopes6_with_new_dns(const config::Config& running,
                                           const config::Config& next) {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < next.dhcp6.scopes.size(); ++i) {
        const auto& ns = next.dhcp6.scopes[i];
        const config::Scope6Config* os = nullptr;
        for (const auto& s : running.dhcp6.scopes)
            if (s.name == ns.name) os = &s;
        if (os == nullptr || os->domain != ns.domain || !(os->dns == ns.dns)) out.push_back(i);
    }
    return out;
}

}  // namespace

std::optional<std::vector<dataplane::dns::ZoneInput>> load_zone_inputs(
    const config::Config& cfg, uint32_t& serial, std::vector<std::string>* errors) {
    // SOA serials of generated SOAs: seconds since the epoch, strictly increasing per load.
    uint32_t now = static_cast<uint32_t>(std::time(nullptr));
    serial = now > serial ? now : serial + 1;
    auto loaded = zone::load_zones(cfg, serial);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) {
            LOG_ERROR("%s", e.to_string().c_str());
            if (errors != nullptr) errors->push_back(e.to_string());
        }
        LOG_ERROR("%zu error(s) in zone data", loaded.errors.size());
        return std::nullopt;
    }
    return std::move(loaded.zones);
}

uint32_t restore_zones(zone::ZoneStore& zones, store::RecordStore& records,
                       const std::vector<dataplane::dns::ZoneInput>& configured, int64_t now) {
    const auto t0 = std::chrono::steady_clock::now();
    size_t skipped = 0, count = 0, n_stored = 0;
    // In batches: the zone store starts a batch's hash-table probes together.
    std::vector<zone::StoredRecord> batch(32);
    size_t fill = 0;
    records.load_each(
        [&](const zone::StoredRecord& r) {
            if (n_stored++ == 0) zones.reserve(count);
            batch[fill++] = r;
            if (fill == batch.size()) {
                zones.restore_batch(batch.data(), fill);
                fill = 0;
            }
        },
        skipped, count);
    zones.restore_batch(batch.data(), fill);
    if (skipped != 0) LOG_WARN("record store: %zu unreadable record(s) skipped", skipped);
    const double t_restore = ms_since(t0);
    // Serials never step back across a restart: secondaries compare them (RFC 1982).
    for (const auto& [apex, serial] : records.load_serials()) zones.restore_serial(apex, serial);
    zones.set_sink(&records);
    set_zones(zones, records, configured, now);
    const double t_config = ms_since(t0);
    uint32_t serial = 0;
    for (const auto& z : zones.zones()) serial = std::max(serial, z.serial);
    auto counts = zones.count_by_origin();
    LOG_INFO(
        "record store %s: %zu record(s) restored; %zu config, %zu manual, %zu reservation, %zu "
        "dhcp, %zu update (read and indexed %.0f ms, configuration merged %.0f ms)",
        records.path().c_str(), n_stored, counts[0], counts[1], counts[2], counts[3], counts[4],
        t_restore, t_config - t_restore);
    return serial;
}

void publish_first_view(ControlPlane& plane, zone::ZoneStore& zones) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> discard;
    zones.take_dirty(discard);  // the first view is built from the whole store
    const double t_dirty = ms_since(t0);
    auto inputs = zones.inputs();
    const double t_inputs = ms_since(t0);
    auto view = std::make_unique<dataplane::dns::ZoneView>(inputs);
    LOG_INFO(
        "zones loaded: %zu zone(s), %zu record(s), %zu name(s), %.1f MiB (dirty %.0f ms, inputs "
        "%.0f ms, view %.0f ms)",
        view->zone_count(), view->record_count(), view->node_count(),
        view->memory_bytes() / 1048576.0, t_dirty, t_inputs - t_dirty, ms_since(t0) - t_inputs);
    plane.publish_initial(std::move(view));
}

void load_leases(dhcp::DhcpService& dhcp) {
    const auto t0 = std::chrono::steady_clock::now();
    dhcp.load_stored();
    LOG_INFO("leases loaded beside the zones in %.0f ms", ms_since(t0));
}

void restore_leases(dhcp::DhcpService& dhcp, ddns::LeaseDns* dns, int64_t now, bool stores_agree,
                    const store::CleanStop* since) {
    const auto t0 = std::chrono::steady_clock::now();
    dhcp.restore(now);
    if (dns == nullptr) return;
    const double t_restore = ms_since(t0);
    dns->publish_reservations(now);
    if (stores_agree) {
        // No device is learnt up front: a dual-stack check asks the engines (LeaseLookup).
        LOG_INFO(
            "lease DNS: the stores as a clean stop or a settled moment left them, records not "
            "re-checked "
            "(engine %.0f ms, reservations published %.0f ms)",
            t_restore, ms_since(t0) - t_restore);
        return;
    }
    if (since != nullptr) {
        // Every lease change up to the mark's generations had its records committed: only
        // the leases changed after it are granted again, and only records written after it
        // can lack a lease (a crash between the record's commit and the lease's).
        std::vector<dhcp::Lease> changed;
        std::vector<dhcp::Lease6> changed6;
        size_t total = 0;
        dhcp.engine().for_each([&](const dhcp::Lease& l) {
            ++total;
            if (l.generation > since->generation4) changed.push_back(l);
        });
        if (const dhcp::Engine6* e6 = dhcp.engine6())
            e6->for_each([&](const dhcp::Lease6& l) {
                ++total;
                if (l.generation > since->generation6) changed6.push_back(l);
            });
        const double t_list = ms_since(t0);
        dns->reconcile(changed, changed6, now);
        const double t_reconcile = ms_since(t0);
        const size_t removed =
            dns->remove_unleased_since(since->generation4, since->generation6, now);
        LOG_INFO(
            "lease DNS: %zu of %zu lease(s), those changed since the last settled moment, "
            "checked against the record store (engine %.0f ms, listed %.0f ms, reconciled %.0f "
            "ms, unleased removed %.0f ms)",
            changed.size() + changed6.size(), total, t_restore, t_list - t_restore,
            t_reconcile - t_list, ms_since(t0) - t_reconcile);
        if (removed != 0)
            LOG_WARN(
                "lease DNS: %zu record(s) without a stored lease removed (a crash came between the "
                "record and the lease commit; no ACK had gone out)",
                removed);
        return;
    }
    const auto all = dhcp.engine().leases();
    std::vector<dhcp::Lease6> all6;
    if (const dhcp::Engine6* e6 = dhcp.engine6())
        e6->for_each([&](const dhcp::Lease6& l) { all6.push_back(l); });
    const double t_list = ms_since(t0);
    // Re-applies grant for every bound lease: re-creates records a crash lost between the
    // lease commit and the record commit ...
    dns->reconcile(all, all6, now);
    const double t_reconcile = ms_since(t0);
    // ... and removes records of grants the lease store never got.
    const size_t removed = dns->remove_unleased(all, all6, now);
    LOG_INFO(
        "lease DNS: %zu lease(s) checked against the record store (engine %.0f ms, listed "
        "%.0f ms, reconciled %.0f ms, unleased removed %.0f ms)",
        all.size() + all6.size(), t_restore, t_list - t_restore, t_reconcile - t_list,
        ms_since(t0) - t_reconcile);
    if (removed != 0)
        LOG_WARN(
            "lease DNS: %zu record(s) without a stored lease removed (a crash came between the "
            "record and the lease commit; no ACK had gone out)",
            removed);
}

/// Everything the command on the control lcore uses, owned by the command: a late run after
/// the reload gave up waiting is still safe.
struct Reloader::Job {
    std::unique_ptr<dhcp::LeaseEngine> engine;  // built off the control lcore
    std::shared_ptr<const config::Config> cfg;
    std::vector<dataplane::dns::ZoneInput> inputs;
    std::unique_ptr<dataplane::dns::ZoneView>
        view;                                // when there is no zone store: the whole new view
    std::vector<uint32_t> dns_changed;       // scopes whose DNS settings changed (new indexes)
    std::unique_ptr<dhcp::Engine6> engine6;  // nullptr: no v6 scope in the new configuration
    std::vector<uint32_t> dns_changed6;
    dhcp::DhcpService::EngineSwap swap;
    dhcp::DhcpService::EngineSwap swap6;
    std::unique_ptr<dhcp::LeaseEngine> retired;  // the old engine, freed by the reloader
    size_t reconciled = 0;
};

Reloader::Reloader(const config::Config& started, Targets targets, uint32_t serial,
                   RunOnControl run)
    : started_(started), t_(targets), serial_(serial), run_(std::move(run)) {}

ReloadResult Reloader::apply(const config::Config& running, config::Config next) {
    ReloadResult out;
    auto refuse = [&](const std::string& why) {
        LOG_ERROR("reload refused: %s; the running configuration stays", why.c_str());
        return out;
    };
    out.warnings = config::keep_restart_only(started_, next);
    if (t_.dhcp == nullptr && !next.dhcp.scopes.empty()) {
        // The DHCP service, its lease store and the workers' channels exist only when the
        // appliance started with scopes.
        out.warnings.push_back(
            "[[dhcp.scopes]] added to an appliance started without DHCP: needs a restart; not "
            "applied");
        next.dhcp.scopes.clear();
    }
    if (t_.dhcp == nullptr && !next.dhcp6.scopes.empty()) {
        out.warnings.push_back(
            "[[dhcp6.scopes]] added to an appliance started without DHCP: needs a restart; not "
            "applied");
        next.dhcp6.scopes.clear();
    }
    for (const auto& w : out.warnings) LOG_WARN("reload: %s", w.c_str());

    uint32_t next_serial = serial_;
    auto inputs = load_zone_inputs(next, next_serial, &out.errors);
    if (!inputs) return refuse("zone errors");
    out.zones = inputs->size();
    for (const auto& z : *inputs) out.records += z.records.size();

    // What can be built off the control lcore is built here: the new lease engine (it sizes
    // tables for the pools) and, without a zone store, the new view. Only the moves run there.
    auto job = std::make_shared<Job>();
    if (t_.dhcp != nullptr) {
        try {
            job->engine = std::make_unique<dhcp::LeaseEngine>(next);
        } catch (const std::exception& e) {
            out.errors.push_back(std::string("DHCP scopes: ") + e.what());
            return refuse(out.errors.back());
        }
        job->dns_changed = scopes_with_new_dns(running, next);
        out.scopes = next.dhcp.scopes.size();
        if (!next.dhcp6.scopes.empty()) {
            try {
                job->engine6 = std::make_unique<dhcp::Engine6>(next, t_.dhcp->server_duid());
            } catch (const std::exception& e) {
                out.errors.push_back(std::string("DHCPv6 scopes: ") + e.what());
                return refuse(out.errors.back());
            }
        }
        job->dns_changed6 = scopes6_with_new_dns(running, next);
        out.scopes6 = next.dhcp6.scopes.size();
    }
    if (t_.zones == nullptr) {
        if (!inputs->empty())
            LOG_WARN(
                "reload: zones added to an appliance started without zones are served, but "
                "records added at run time are not kept across restarts until it is restarted");
        job->view = std::make_unique<dataplane::dns::ZoneView>(*inputs);
    }
    job->inputs = std::move(*inputs);
    job->cfg = std::make_shared<const config::Config>(std::move(next));

    // The leases move into the new engine a slice at a time, DHCP served from the running
    // engine between slices; the last command copies again what changed meanwhile and swaps.
    if (t_.dhcp != nullptr && job->engine) {
        auto* dhcp = t_.dhcp;
        bool ok =
            run_([dhcp, job] { dhcp->begin_engine_move(std::move(job->engine)); }, kReloadTimeout);
        for (auto done = std::make_shared<bool>(false); ok && !*done;)
            ok = run_(
                [dhcp, done] {
                    *done = !dhcp->engine_moving() || dhcp->move_engine_slice(kMoveSlice);
                },
                kReloadTimeout);
        if (!ok) {
            run_([dhcp] { dhcp->abort_engine_move(); }, kReloadTimeout);
            out.timed_out = true;
            out.errors.push_back(
                "the control lcore did not take the leases' move within 30 s; nothing changed");
            LOG_ERROR("reload failed: the control lcore did not move the leases within 30 s");
            return out;
        }
    }
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (!run_([this, job, now] { apply_on_control(*job, now); }, kReloadTimeout)) {
        out.timed_out = true;
        out.errors.push_back(
            "the control lcore did not apply the reload within 30 s (it may still apply it)");
        LOG_ERROR("reload failed: the control lcore did not apply it within 30 s");
        return out;
    }
    job->retired.reset();  // here, not on the control lcore
    out.leases_kept = job->swap.kept + job->swap6.kept;
    out.leases_dropped = job->swap.dropped + job->swap6.dropped;
    if (t_.dhcp != nullptr)
        LOG_INFO(
            "reload: DHCP %zu scope(s); %zu lease(s) kept, %zu ended (outside the new "
            "scopes/pools); DNS re-applied for %zu lease(s)%s",
            out.scopes, out.leases_kept, out.leases_dropped, job->reconciled,
            out.scopes6 != 0 ? "; both families counted" : "");
    if (t_.dhcp != nullptr && out.scopes6 != 0)
        LOG_INFO("reload: DHCPv6 %zu scope(s); %zu lease(s) kept, %zu ended", out.scopes6,
                 job->swap6.kept, job->swap6.dropped);
    serial_ = next_serial;
    out.applied = job->cfg;
    out.ok = true;
    // From now on a clean mark describes the stores under this configuration (one taken
    // before carries the old hash: a start under the new file then checks everything).
    if (t_.plane != nullptr) t_.plane->set_config_hash(job->cfg->source_hash);
    LOG_INFO("reload: applied (%zu zone(s), %zu record(s)%s)", out.zones, out.records,
             out.warnings.empty() ? "" : "; some changes need a restart, see the warnings above");
    return out;
}

void Reloader::apply_on_control(Job& job, int64_t now) {
    if (t_.dhcp != nullptr) {
        if (t_.dhcp->engine_moving())
            job.swap = t_.dhcp->finish_engine_move(&job.retired);
        else if (job.engine)
            job.swap = t_.dhcp->replace_engine(std::move(job.engine), now);
        job.swap6 = t_.dhcp->replace_engine6(std::move(job.engine6), now);
    }
    if (t_.lease_dns != nullptr) t_.lease_dns->set_config(*job.cfg);
    if (t_.zones != nullptr) set_zones(*t_.zones, *t_.records, job.inputs, now);
    if (t_.lease_dns != nullptr) {
        t_.lease_dns->publish_reservations(now);
        if (!job.dns_changed.empty()) {
            // Scopes whose domain or DNS policy changed: bound leases re-apply their grant (a
            // new domain renames; update turned on writes).
            const auto& dc = job.dns_changed;
            std::vector<dhcp::Lease> bound;
            for (const auto& l : t_.dhcp->engine().leases())
                if (l.state == dhcp::LeaseState::Bound &&
                    std::find(dc.begin(), dc.end(), l.scope) != dc.end())
                    bound.push_back(l);
            t_.lease_dns->reconcile(bound, now);
            job.reconciled = bound.size();
        }
        if (!job.dns_changed6.empty() && t_.dhcp->engine6() != nullptr) {
            const auto& dc = job.dns_changed6;
            std::vector<dhcp::Lease6> bound6;
            t_.dhcp->engine6()->for_each([&](const dhcp::Lease6& l) {
                if (l.state == dhcp::LeaseState::Bound &&
                    std::find(dc.begin(), dc.end(), l.scope) != dc.end())
                    bound6.push_back(l);
            });
            t_.lease_dns->reconcile({}, bound6, now);
            job.reconciled += bound6.size();
        }
    }
    if (t_.zones != nullptr) t_.plane->apply_zone_changes();
    if (job.view) t_.plane->replace_view(std::move(job.view));
}

}  // namespace edgelease::control
