#pragma once
// The RFC 2131 lease engine. Lives on the control lcore: the only writer of leases. Pure C++
// (no DPDK), driven by DhcpRequests with an explicit clock, so it is tested as a table.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/lease.hpp"
#include "control/sweeper/expiry_wheel.hpp"  // sweeper::ExpiryEntry (a plain struct)
#include "dataplane/dhcp/messages.hpp"

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

/// What happened to a lease, for counters, the audit trail and (later) DNS updates.
enum class LeaseEvent : uint8_t {
    None,  // nothing changed (e.g. INFORM, ignored message)
    Offered,
    Granted,  // a new binding was ACKed
    Renewed,  // an existing binding was extended
    Released,
    Declined,
    Expired,
    Replaced,      // a binding replaced by another for the same reservation / address
    OfferExpired,  // an offer not taken up (hold time over, or the client chose another server):
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
    DhcpReply reply;  // valid when has_reply
    /// Leases that changed and must be persisted; an ACK may leave only after they are
    /// durable. Usually one; two when a binding was replaced in favour of another.
    /// In the order they happened: a Replaced binding comes before the lease that took its
    /// place, so writing them in order keyed by ip leaves the right record. Replaced entries
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
    /// A reload moving leases in slices (DhcpService::begin_engine_move): restore(), except
    /// that a lease already here at that address gives way first. A Free `lease`, or one that
    /// no longer fits, leaves the address free. Returns restore()'s answer.
    bool restore_over(const Lease& lease);

    /// Expires up to `max` bound or offered leases whose time has come; appends them to
    /// `expired` (already in their new state, generation bumped). Bounded work per call:
    /// O((max * 4 + 64) * log heap) — stale heap entries are skipped within that budget and
    /// dropped by an incremental compaction pass (also advanced a little by every push).
    size_t expire_due(int64_t now, size_t max, std::vector<Lease>& expired);
    /// Same, also appending to `events` what happened to each: Expired (Bound -> Expired,
    /// Declined -> Free at the end of probation) or OfferExpired.
    size_t expire_due(int64_t now, size_t max, std::vector<Lease>& expired,
                      std::vector<LeaseEvent>& events);

    // ---- expiry on the sweeper lcore ----
    // The control lcore sends sweeper::ExpiryEntry{ip, expires, generation} for every lease
    // that enters a timed state (to_expiry_entry() on each Result::changed lease; at start-up
    // timed_entries()); the sweeper hands them back when due and the control lcore applies
    // them here. The heap behind expire_due() stays as a backstop and must keep being called
    // (it also drops its entries for leases expired here), preferably a few seconds behind
    // `now` so that the sweeper goes first: expire_due(now - grace, ...).

    /// The time-driven transition of expire_due() (Bound -> Expired; Offered -> its prior
    /// Released/Expired binding or Free, OfferExpired; Declined -> Free at the end of
    /// probation, Expired) for the lease at `ip`, only if it is in a timed state, its
    /// generation is `generation` and it expires at or before `now`. Then `out` is the lease
    /// in its new state (generation bumped) and `ev` what happened; returns true. Otherwise
    /// (no such lease, renewed, released, replaced, already expired by the heap, not yet due)
    /// returns false and changes nothing. Read `now` from the sweeper's wall clock after
    /// taking the entries (the sweeper only sends what is due by that clock).
    bool expire_if_current(uint32_t ip, uint64_t generation, int64_t now, Lease& out,
                           LeaseEvent& ev);

    struct SweptCounts {
        size_t expired = 0;  ///< transitions applied (appended to changed/events)
        size_t stale = 0;    ///< the lease moved on since the entry was made: dropped
        size_t early = 0;    ///< still current but not yet due at `now`: appended to `early`
    };
    /// expire_if_current() for a batch of due entries from the sweeper. Leases that changed are
    /// appended to `changed` with their events in `events` (persist them like expire_due()'s);
    /// entries still current but not due at `now` (a clock behind the sweeper's) are appended
    /// to `early` so the caller can schedule them again. Work is O(due.size()).
    SweptCounts expire_swept(std::span<const sweeper::ExpiryEntry> due, int64_t now,
                             std::vector<Lease>& changed, std::vector<LeaseEvent>& events,
                             std::vector<sweeper::ExpiryEntry>& early);

    /// Start-up (after restore()) and resynchronisation: appends one entry per lease in a
    /// timed state (Offered, Bound, Declined) to `out`, to seed the sweeper. O(leases).
    void timed_entries(std::vector<sweeper::ExpiryEntry>& out) const;

    /// Operator actions (management API): act like the client's RELEASE / like an expiry.
    bool release(uint32_t ip, int64_t now, Lease& changed);
    bool expire(uint32_t ip, int64_t now, Lease& changed);

    /// Entries in the expiry heap, live and stale (metrics, tests). Stale entries are
    /// dropped by expire_due() in bounded steps, so this may trail a mass expiry for a while.
    size_t expiry_heap_size() const noexcept;

    const Lease* find(uint32_t ip) const;
    std::vector<Lease> leases() const;  // snapshot, for the API
    /// Calls `fn` for every lease not Free, in slot order, without copying them. `fn` must
    /// not change this engine. O(slots).
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (uint32_t s = 0, n = slot_count(); s < n; ++s)
            if (const Lease& l = slot_lease(s); l.state != LeaseState::Free) fn(l);
    }

    /// for_each over the slots [from, from + max) only. Returns where the next call goes on:
    /// the slot count once every slot was visited. A slot keeps its address for the engine's
    /// life, so slices taken between requests see every lease that lived throughout exactly
    /// once (the API pages a large table this way, a bounded slice per control command).
    template <class Fn>
    uint32_t for_each_slice(uint32_t from, uint32_t max, Fn&& fn) const {
        const uint32_t n = slot_count();
        const uint32_t end = from < n && max < n - from ? from + max : n;
        for (uint32_t s = from; s < end; ++s)
            if (const Lease& l = slot_lease(s); l.state != LeaseState::Free) fn(l);
        return end;
    }

    struct ScopeUse {
        std::string name;
        uint32_t pool_size = 0;
        uint32_t bound = 0;
        uint32_t offered = 0;
        uint32_t declined = 0;
    };
    std::vector<ScopeUse> scope_use() const;

    /// Slots in use: every address ever handed out (an upper bound of the leases).
    uint32_t slot_count() const noexcept;
    /// The generation the latest lease change took (0: none yet).
    uint64_t last_generation() const noexcept;

  private:
    const Lease& slot_lease(uint32_t s) const noexcept;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The sweeper entry for `l` when it is in a timed state (Offered, Bound, Declined): fills
/// `out` and returns true; false for any other state (nothing to schedule). Use on each
/// lease of Result::changed and of the admin actions' output.
bool to_expiry_entry(const Lease& l, sweeper::ExpiryEntry& out) noexcept;

}  // namespace edgelease::control::dhcp
