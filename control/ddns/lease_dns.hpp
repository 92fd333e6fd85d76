#pragma once
// Lease-driven DNS: turns lease events into record changes in the zone store, under the
// owner rule and each scope's retention policy, and reports every change (and every skipped
// one) as an audit event. Control lcore only.
//
// Per binding (its *owner*: the reservation, else the client identity hashed DHCID-style):
//   grant/renew  A <name>.<domain> = address and PTR <rev(address)> = <name>.<domain>;
//                the binding's older records (another name or address) go (rename);
//                dhcp records of other bindings for that address or name give way (supersede);
//                config, manual, update and other reservations' records are never touched (skip).
//   release      the binding's A/PTR for that address, per delete_on_release /
//   ptr_delete_on_release expiry       per delete_on_expiry / ptr_delete_on_expiry replaced
//   (binding replaced for the same reservation or address) nothing stale_after  kept dhcp records
//   not renewed for that long, whose address is not bound to
//                their owner any more, are removed by sweep_stale().
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/ddns/policy.hpp"
#include "control/dhcp/lease.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "control/zone/audit.hpp"
#include "control/zone/zone_store.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::control::ddns {

/// "client:<base64 DHCID RDATA>" (RFC 4701 §3.3: identifier type 0 = htype+chaddr, 1 = client
/// identifier; digest type 1 = SHA-256). The digest covers the identifier only, not the FQDN,
/// so that a binding keeps one identity across renames.
std::string client_owner(const dhcp::ClientKey& key, const net::MacAddr& hw);
/// "reservation:<scope>/<address>": stable across reloads while the reservation exists.
std::string reservation_owner(const std::string& scope, uint32_t ip);
/// d.c.b.a.in-addr.arpa. (wire form)
dns::WireName reverse_name(uint32_t ip);

struct LeaseDnsStats {
    std::array<edgelease::Counter, zone::kAuditReasonNames.size()> changes;  // applied, by reason
    edgelease::Counter skipped;    // conflicts (also in changes[ConflictSkip])
    edgelease::Counter no_zone;    // a name or reverse name outside every hosted zone
    edgelease::Counter kept;       // release/expiry left a record (policy)
    edgelease::Counter opted_out;  // client set option 81 N: no updates (RFC 4702 §2.1)
};

class LeaseDns {
  public:
    using AuditSink = std::function<void(zone::AuditEvent)>;

    LeaseDns(const config::Config& cfg, zone::ZoneStore& zones, AuditSink audit);

    /// Reload: a bound lease the new configuration no longer covers ends. Its records go as
    /// on a release under its (old) scope's policy, audited "lease-dropped". Call before
    /// set_config() so that the lease's scope index still means what it did.
    void on_lease_dropped(const dhcp::Lease& lease, int64_t now);

    /// Reload: new scopes/policies/reservations. Reservation records are re-published
    /// (publish_reservations) by the caller afterwards.
    void set_config(const config::Config& cfg);

    /// One lease change from the engine (the lease as it is after the event).
    void on_lease(const dhcp::Lease& lease, dhcp::LeaseEvent ev, int64_t now);

    /// Start-up and reload: A and PTR for every reservation with a hostname in a scope with
    /// update = true and reservation_records = "permanent"; reservation records of
    /// reservations that no longer exist (or no longer publish) are removed.
    void publish_reservations(int64_t now);

    /// Start-up: re-applies grant for every bound lease (idempotent: refreshes what is there,
    /// re-creates what a crash lost before it reached storage).
    void reconcile(const std::vector<dhcp::Lease>& leases, int64_t now);

    /// Start-up, with every lease the lease store gave back (any state): removes `dhcp`
    /// records whose binding has no lease at all, which a crash leaves behind when the record
    /// store committed a grant that the lease store never did (the ACK was never sent).
    /// Audited "reconcile". Returns the records removed. O(records).
    size_t remove_unleased(const std::vector<dhcp::Lease>& leases, int64_t now);

    /// stale_after: removes kept dhcp records not refreshed for the scope's stale_after whose
    /// address is not bound to their owner now. `bound_owner(ip)` gives the owner of a bound
    /// lease at ip ("" = none). Returns records removed. One pass over the store; call it at
    /// most every few seconds (next_stale_pass()).
    size_t sweep_stale(int64_t now, const std::function<std::string(uint32_t)>& bound_owner);
    /// Seconds between stale passes (0 = no scope has stale_after).
    int64_t stale_interval() const noexcept { return stale_interval_; }

    /// The owner string of a lease's binding.
    std::string owner_of(const dhcp::Lease& lease) const;

    const LeaseDnsStats& stats() const { return stats_; }

  private:
    struct Names {
        std::optional<dns::WireName> forward;  // <host>.<domain>
        dns::WireName reverse;
    };
    const config::ScopeConfig* scope(uint32_t index) const;
    std::optional<dns::WireName> lease_name(const config::ScopeConfig& sc,
                                            const std::string& host) const;
    void grant(const config::ScopeConfig& sc, uint32_t ip, const std::optional<dns::WireName>& name,
               const std::string& owner, zone::Origin origin, uint64_t generation,
               zone::AuditReason reason, int64_t now);
    /// Writes the single record `want` at its owner for `owner`; existing records of the same
    /// type at that name are judged by the policy. Returns false when skipped.
    bool write_one(const config::ScopeConfig& sc, RecordKind kind, const dns::Record& want,
                   const std::string& owner, zone::Origin origin, uint64_t generation,
                   zone::AuditReason reason, int64_t now);
    void remove(const config::ScopeConfig& sc, LeaseDnsEvent ev, uint32_t ip,
                const std::string& owner, zone::AuditReason reason, int64_t now);
    void erase_logged(const zone::ZoneStore::Key& k, const zone::ZoneStore::Entry& e,
                      zone::AuditReason reason, const std::string& actor, const std::string& detail,
                      int64_t now);
    void audit(zone::AuditEvent e);

    config::Config cfg_;
    zone::ZoneStore& zones_;
    AuditSink sink_;
    LeaseDnsStats stats_;
    int64_t stale_interval_ = 0;
    // Log rate limit: at most kLogsPerSecond audit lines per second, then a summary.
    static constexpr unsigned kLogsPerSecond = 50;
    int64_t log_second_ = 0;
    unsigned logged_this_second_ = 0;
    uint64_t suppressed_ = 0;
};

}  // namespace edgelease::control::ddns
