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
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "control/ddns/policy.hpp"
#include "control/dhcp/lease.hpp"
#include "control/dhcp/lease6.hpp"
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
/// "client:<base64 DHCID RDATA>" of a DHCPv6 client: identifier type 2, the DUID (RFC 4701).
std::string client_owner6(const std::vector<uint8_t>& duid);
/// "reservation:<scope>/<address>" of a DHCPv6 reservation.
std::string reservation_owner6(const std::string& scope, const net::Ipv6Addr& a);
/// The 32 nibbles of `a`, reversed, under ip6.arpa. (RFC 3596 §2.5; wire form)
dns::WireName reverse_name6(const net::Ipv6Addr& a);

/// Who is behind a binding, to tell one dual-stack device from two: its MAC (v4 chaddr; v6
/// frame source, option 79 or DUID-LL/LLT), its DUID (v6, or a v4 client identifier in the
/// RFC 4361 form), and the host name of the reservation it holds.
struct Device {
    std::optional<net::MacAddr> mac;
    std::vector<uint8_t> duid;
    std::string reservation;  // reservation host name, empty for a dynamic binding
};
/// One device: the same reservation name, MAC or DUID.
bool same_device(const Device& a, const Device& b);

struct LeaseDnsStats {
    std::array<edgelease::Counter, zone::kAuditReasonNames.size()> changes;  // applied, by reason
    edgelease::Counter skipped;       // conflicts (also in changes[ConflictSkip])
    edgelease::Counter no_zone;       // a name or reverse name outside every hosted zone
    edgelease::Counter kept;          // release/expiry left a record (policy)
    edgelease::Counter opted_out;     // client set option 81 N: no updates (RFC 4702 §2.1)
    edgelease::Counter other_device;  // of skipped: the name's A/AAAA is another device's
    edgelease::Counter prefixes;      // delegated prefixes seen: they publish no records
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
    /// The same for a DHCPv6 lease: AAAA and ip6.arpa PTR for an address (IA_NA) under the v6
    /// scope's [dhcp6.scopes.dns]; a delegated prefix publishes nothing. A v6 event never
    /// touches the A of the same name, and a v4 event never the AAAA.
    void on_lease6(const dhcp::Lease6& lease, dhcp::LeaseEvent ev, int64_t now);
    void on_lease6_dropped(const dhcp::Lease6& lease, int64_t now);

    /// Start-up and reload: A and PTR for every reservation with a hostname in a scope with
    /// update = true and reservation_records = "permanent"; reservation records of
    /// reservations that no longer exist (or no longer publish) are removed.
    void publish_reservations(int64_t now);

    /// Start-up and reloads: re-applies grant for every bound lease (idempotent: what is there
    /// with the lease's generation and TTL stays untouched; re-creates what a crash lost before
    /// it reached storage).
    void reconcile(const std::vector<dhcp::Lease>& leases, int64_t now) {
        reconcile(leases, {}, now);
    }
    /// Both families: every binding's device is learnt first, so that a dual-stack name is
    /// recognised whichever family comes first.
    void reconcile(const std::vector<dhcp::Lease>& leases, const std::vector<dhcp::Lease6>& leases6,
                   int64_t now);
    /// The leases as the engines hold them, by address (any state; nullptr: none). A
    /// dual-stack check asks them for the device of a binding this run has not granted yet:
    /// a start-up learns no device up front (a million of them would cost a second), so the
    /// other family's record is judged by the lease at its address, when that lease is still
    /// its owner's.
    struct LeaseLookup {
        std::function<const dhcp::Lease*(uint32_t ip)> v4;
        std::function<const dhcp::Lease6*(const net::Ipv6Addr& addr)> v6;
    };
    void set_lease_lookup(LeaseLookup lookup) { lookup_ = std::move(lookup); }

    /// Start-up, with every lease the lease store gave back (any state): removes `dhcp`
    /// records whose binding has no lease at all, which a crash leaves behind when the record
    /// store committed a grant that the lease store never did (the ACK was never sent).
    /// Audited "reconcile". Returns the records removed. O(records).
    size_t remove_unleased(const std::vector<dhcp::Lease>& leases, int64_t now) {
        return remove_unleased(leases, {}, now);
    }
    size_t remove_unleased(const std::vector<dhcp::Lease>& leases,
                           const std::vector<dhcp::Lease6>& leases6, int64_t now);

    /// Start-up after a crash, bounded by the last settled moment's generations: removes the
    /// `dhcp` records written after it (generation above `generation4`, or `generation6` for
    /// a DHCPv6 one) whose address's lease (LeaseLookup) is no longer their owner's. Records
    /// up to those generations were committed with their leases. Returns the records removed.
    size_t remove_unleased_since(uint64_t generation4, uint64_t generation6, int64_t now);

    /// stale_after: removes kept dhcp records not refreshed for the scope's stale_after whose
    /// address is not bound to their owner now. `bound_owner(ip)` gives the owner of a bound
    /// lease at ip ("" = none). Returns records removed. One pass over the store; call it at
    /// most every few seconds (next_stale_pass()).
    size_t sweep_stale(int64_t now, const std::function<std::string(uint32_t)>& bound_owner,
                       const std::function<std::string(const net::Ipv6Addr&)>& bound_owner6 = {});
    /// Seconds between stale passes (0 = no scope has stale_after).
    int64_t stale_interval() const noexcept { return stale_interval_; }

    /// The owner string of a lease's binding.
    std::string owner_of(const dhcp::Lease& lease) const;
    std::string owner_of6(const dhcp::Lease6& lease) const;

    const LeaseDnsStats& stats() const { return stats_; }

  private:
    /// The address a lease record is about: A or AAAA data, and its reverse name.
    struct Addr {
        uint16_t type = 0;  // dns::rrtype::A or AAAA
        std::vector<uint8_t> rdata;
        dns::WireName reverse;
        /// The address as text, for audit details (made only when one is written).
        std::string text() const;
    };
    static Addr addr4(uint32_t ip);
    static Addr addr6(const net::Ipv6Addr& a);
    const config::ScopeConfig* scope(uint32_t index) const;
    const config::Scope6Config* scope6(uint32_t index) const;
    std::optional<dns::WireName> lease_name(const std::string& domain,
                                            const std::string& host) const;
    void grant(const config::ScopeDnsPolicy& pol, uint32_t ttl, const Addr& a,
               const std::optional<dns::WireName>& name, const std::string& owner,
               zone::Origin origin, uint64_t generation, zone::AuditReason reason, int64_t now);
    /// Writes the single record `want` at its owner for `owner`; existing records of the same
    /// type at that name are judged by the policy, and the other family's address record of
    /// another device is a conflict. Returns false when skipped.
    bool write_one(const config::ScopeDnsPolicy& pol, RecordKind kind, const dns::Record& want,
                   const std::string& owner, zone::Origin origin, uint64_t generation,
                   zone::AuditReason reason, int64_t now);
    void remove(const config::ScopeDnsPolicy& pol, LeaseDnsEvent ev, const Addr& a,
                const std::string& owner, zone::AuditReason reason, int64_t now);
    void erase_logged(const zone::ZoneStore::Key& k, const zone::ZoneStore::Entry& e,
                      zone::AuditReason reason, const std::string& actor, const std::string& detail,
                      int64_t now);
    /// The audit event of erasing `e` at `k` (texts deferred: AuditEvent::complete()).
    static zone::AuditEvent erasure_event(std::string_view k, const zone::ZoneStore::Entry& e,
                                          zone::AuditReason reason, const std::string& actor,
                                          const std::string& detail, int64_t now);
    /// ZoneStore::erase_owned() for `owner`, each erased record audited (`reason`, and the
    /// text `detail()` returns, made only when a record goes) once the erasures are done.
    /// `pick(k, e)` says which records go.
    template <class Detail, class Pick>
    zone::ZoneStore::OwnedErase erase_owned_logged(const std::string& owner,
                                                   zone::AuditReason reason, Detail&& detail,
                                                   int64_t now, Pick&& pick);
    void audit(zone::AuditEvent e);
    /// The address a lease record is about: an A's or AAAA's data, or a PTR's owner name in
    /// in-addr.arpa or ip6.arpa. False for other records.
    static bool record_address(const zone::ZoneStore::Key& k, const zone::ZoneStore::Entry& e,
                               bool& v6, uint32_t& ip, net::Ipv6Addr& ip6);
    /// Devices of the given bound leases with names, into devices_ (no engines to ask).
    void learn_devices(const std::vector<dhcp::Lease>& leases,
                       const std::vector<dhcp::Lease6>& leases6);
    Device device_of(const dhcp::Lease& l) const;
    Device device_of6(const dhcp::Lease6& l) const;
    /// The device of the binding `owner` whose address record is (`type`, `rdata`): learnt
    /// from its grant in this run, or from the lease at that address when it is `owner`'s.
    std::optional<Device> device_known(const std::string& owner, uint16_t type,
                                       const std::vector<uint8_t>& rdata) const;
    /// on_lease and on_lease6 for a lease's address in scope `sc`: Granted and Renewed publish
    /// its records, Released and Expired take them back, other events leave DNS alone. The
    /// family's Addr, owner and Device of the lease come from addr(), owner() and device(),
    /// called only when needed (an owner may cost a SHA-256).
    template <class Scope, class L, class AddrFn, class OwnerFn, class DeviceFn>
    void on_address_event(const Scope& sc, uint32_t ttl, const L& l, dhcp::LeaseEvent ev,
                          int64_t now, const AddrFn& addr, const OwnerFn& owner,
                          const DeviceFn& device);

    config::Config cfg_;
    zone::ZoneStore& zones_;
    AuditSink sink_;
    LeaseDnsStats stats_;
    int64_t stale_interval_ = 0;
    // Reservation owners' devices (from the configuration), and bindings' devices learnt by
    // reconcile() when there are no engines to ask; a binding being granted is
    // current_owner_ with current_device_, and any other is asked of the engines (lookup_).
    std::unordered_map<std::string, Device> devices_;
    LeaseLookup lookup_;
    // erase_owned_logged()'s events, told after the erasures.
    std::vector<zone::AuditEvent> pending_audit_;
    const std::string* current_owner_ = nullptr;
    const Device* current_device_ = nullptr;
    // Inside reconcile(): a record the binding already has, with its generation and TTL, is
    // left as it is (a restart or reload is not a renewal: `updated` keeps its time, and
    // nothing is written again to the record store or the view).
    bool reconciling_ = false;
    // Log rate limit: at most kLogsPerSecond audit lines per second, then a summary.
    static constexpr unsigned kLogsPerSecond = 50;
    int64_t log_second_ = 0;
    unsigned logged_this_second_ = 0;
    uint64_t suppressed_ = 0;
};

}  // namespace edgelease::control::ddns
