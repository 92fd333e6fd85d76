#pragma once
// The RFC 2131 lease engine. Lives on the control lcore: the only writer of leases. Pure C++
// (no DPDK), driven by DhcpRequests with an explicit clock, so it is tested as a table.
#include <array>
#include <cstdint>
#include <string_view>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/lease.hpp"
#include "dataplane/dhcp/messages.hpp"

namespace edgelease::dhcp {

/// What happened to a lease, for counters, the audit trail and (later) DNS updates.
enum class LeaseEvent : uint8_t {
    None,      // nothing changed (e.g. INFORM, ignored message)
    Offered,
    Granted,   // a new binding was ACKed
    Renewed,   // an existing binding was extended
    Released,
    Declined,
    Expired,
    Retired,   // a binding replaced by another for the same reservation / address
    OfferLapsed,  // an offer not taken up (hold time over, or the client chose another server):
                  // the lease is back in its state before the offer, or Free. No DNS effect.
};

/// Why a request got no useful answer, for counters and rate-limited logs.
enum class Outcome : uint8_t {
    Answered,
    NoScope,        // no scope for the receiving interface / relay address
    PoolExhausted,  // no free address: no offer (counted, logged once per interval)
    NotForUs,       // REQUEST naming another server, or silent INIT-REBOOT (RFC 2131 §4.3.2)
    Nak,            // answered with DHCPNAK
    Invalid,        // message type that a server does not take, missing required fields
};

/// Lower-case names indexed by Outcome value, for counters and metrics labels.
inline constexpr std::array<std::string_view, 6> kOutcomeNames{
    "answered", "no_scope", "pool_exhausted", "not_for_us", "nak", "invalid"};
static_assert(static_cast<size_t>(Outcome::Invalid) + 1 == kOutcomeNames.size());

struct Result {
    Outcome outcome = Outcome::Answered;
    bool has_reply = false;
    DhcpReply reply;              // valid when has_reply
    /// Leases that changed and must be persisted; an ACK may leave only after they are
    /// durable. Usually one; two when a binding was retired in favour of another.
    /// In the order they happened: a Retired binding comes before the lease that took its
    /// place, so writing them in order keyed by ip leaves the right record. Retired entries
    /// carry the old binding (client, hostname, reservation) with state Free.
    std::vector<Lease> changed;
    LeaseEvent event = LeaseEvent::None;
    /// events[i] is what happened to changed[i] (same length). Capacity reused like changed.
    std::vector<LeaseEvent> events;
};

class LeaseEngine {
public:
    /// Scopes, pools, reservations and reply options from configuration.
    explicit LeaseEngine(const config::Config& cfg);
    ~LeaseEngine();
    LeaseEngine(const LeaseEngine&) = delete;
    LeaseEngine& operator=(const LeaseEngine&) = delete;

    /// Handles one request at time `now` (Unix seconds). `out` is overwritten.
    void handle(const DhcpRequest& req, int64_t now, Result& out);

    /// Start-up: re-creates a lease read from storage. Leases whose scope or address no
    /// longer fits the configuration are dropped (returns false).
    bool restore(const Lease& lease);

    /// Expires up to `max` bound or offered leases whose time has come; appends them to
    /// `expired` (already in their new state, generation bumped). Bounded work per call.
    size_t expire_due(int64_t now, size_t max, std::vector<Lease>& expired);
    /// Same, also appending to `events` what happened to each: Expired (Bound -> Expired,
    /// Declined -> Free at the end of probation) or OfferLapsed.
    size_t expire_due(int64_t now, size_t max, std::vector<Lease>& expired,
                      std::vector<LeaseEvent>& events);

    /// Operator actions (management API): act like the client's RELEASE / like a lapse.
    bool release(uint32_t ip, int64_t now, Lease& changed);
    bool expire(uint32_t ip, int64_t now, Lease& changed);

    const Lease* find(uint32_t ip) const;
    std::vector<Lease> leases() const;  // snapshot, for the API

    struct ScopeUse {
        std::string name;
        uint32_t pool_size = 0;
        uint32_t bound = 0;
        uint32_t offered = 0;
        uint32_t declined = 0;
    };
    std::vector<ScopeUse> scope_use() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace edgelease::dhcp
