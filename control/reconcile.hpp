#pragma once
// What a configuration does to the control plane's state, at start-up and on reload: stored
// records against the configured zones, stored leases into the (new) scopes and pools,
// reservations and lease-made records, DNS policy changes. The policy lives here; the
// appliance (app/) builds the pieces, loads the configuration and calls these.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace edgelease::control::zone {
class ZoneStore;
}
namespace edgelease::control::store {
class RecordStore;
struct CleanStop;
}  // namespace edgelease::control::store
namespace edgelease::control::ddns {
class LeaseDns;
}

namespace edgelease::control {

class ControlPlane;
namespace dhcp {
class DhcpService;
}

/// The zone data of `cfg`, with generated SOA and NS records whose SOA serial is the time in
/// seconds, always above `serial` (updated to it). nullopt when the data has errors: each is
/// logged and, with `errors`, appended there.
std::optional<std::vector<dataplane::dns::ZoneInput>> load_zone_inputs(
    const config::Config& cfg, uint32_t& serial, std::vector<std::string>* errors = nullptr);

/// Start-up, before the lcores run: the record store's records go into `zones`, then the
/// configured zones over them; stored records whose zone is no longer configured are dropped
/// and audited (`orphaned`). `zones` writes to `records` from then on. Returns the highest SOA
/// serial in use (later reloads generate serials above it).
uint32_t restore_zones(zone::ZoneStore& zones, store::RecordStore& records,
                       const std::vector<dataplane::dns::ZoneInput>& configured, int64_t now);

/// Start-up, before the lcores run, after restore_zones: the first view readers see, built
/// from the whole store.
void publish_first_view(ControlPlane& plane, zone::ZoneStore& zones);

/// Start-up, before the lcores run, with `dns` and the sweeper attached to `dhcp`: the stored
/// leases (those that expired while down expire now); with lease DNS (`dns` may be nullptr),
/// the reservations' records, the records of every bound lease (re-created when a crash came
/// between the lease and the record commit) and none for a grant the lease store never got.
/// `stores_agree`: the last run stopped cleanly under this configuration and neither store
/// changed since (the record store's CleanStop matched), so the records are what the leases
/// made: that re-check of every lease is skipped.
/// `since` (when the stores do not agree): the last settled moment's mark under the same
/// configuration; only leases and records of generations after it are re-checked.
void restore_leases(dhcp::DhcpService& dhcp, ddns::LeaseDns* dns, int64_t now,
                    bool stores_agree = false, const store::CleanStop* since = nullptr);

/// Start-up, the part of restore_leases that touches neither the zone store nor the lease
/// store's writer: the stored leases into the engines. The appliance runs it on a thread of
/// its own while the zone store is restored; restore_leases then skips what it did.
void load_leases(dhcp::DhcpService& dhcp);

/// What a reload did (POST /api/v1/reload answers it).
struct ReloadResult {
    bool ok = false;
    bool timed_out = false;  // valid, but the control lcore did not apply it in time
    std::vector<std::string> errors;
    std::vector<std::string> warnings;  // restart-only changes, kept at their running value
    size_t zones = 0, records = 0;
    size_t scopes = 0, leases_kept = 0, leases_dropped = 0;  // both families' leases
    size_t scopes6 = 0;
    std::shared_ptr<const config::Config> applied;  // when ok: the configuration now in force
};

/// Applies a reloaded configuration to the control plane's state, in one command on the
/// control lcore, so that DHCP and DNS change together between two polls.
class Reloader {
  public:
    /// The state a reload changes. nullptr members: the appliance was started without them.
    struct Targets {
        ControlPlane* plane = nullptr;
        dhcp::DhcpService* dhcp = nullptr;  // no DHCP scopes at start-up
        ddns::LeaseDns* lease_dns = nullptr;
        zone::ZoneStore* zones = nullptr;  // no zones at start-up
        store::RecordStore* records = nullptr;
    };
    /// Runs work on the control lcore (inline while the lcores do not run) and waits at most
    /// `timeout`: false when it did not complete in time (it may still run) or threw.
    using RunOnControl = std::function<bool(std::function<void()>, std::chrono::milliseconds)>;

    /// `started`: the configuration ports, lcores and stores were built from; restart-only
    /// settings keep its values. It and the targets must outlive the Reloader. `serial`: the
    /// highest SOA serial in use.
    Reloader(const config::Config& started, Targets targets, uint32_t serial, RunOnControl run);

    /// Applies `next` (loaded and valid) over `running` (the configuration in force): zones
    /// and their records, DHCP scopes, pools, reservations, reply options and DNS policy.
    /// Leases move into the new scopes (by scope name, else by the subnet holding their
    /// address); those the new pools no longer cover end (dhcp::DhcpService::replace_engine). In
    /// scopes whose domain or DNS policy changed, bound leases re-apply their grant.
    /// Restart-only settings (config/settings.hpp, and DHCP on an appliance started without
    /// scopes) keep their running values, each named in `warnings`. Bad zone data or scopes:
    /// ok = false with the messages in `errors`, and nothing changes. One caller at a time.
    ReloadResult apply(const config::Config& running, config::Config next);

  private:
    struct Job;
    void apply_on_control(Job& job, int64_t now);

    const config::Config& started_;
    Targets t_;
    uint32_t serial_;  // last generated SOA serial
    RunOnControl run_;
};

}  // namespace edgelease::control
