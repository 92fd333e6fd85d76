#pragma once
// The DNS audit trail: one event per record change made by DHCP, an operator or a dynamic
// update, and per change the policy skipped or refused. Kept in LMDB (bounded, oldest dropped
// first) and logged.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"
#include "control/zone/provenance.hpp"

namespace edgelease::control::zone {

enum class AuditReason : uint8_t {
    Grant = 0,               // DHCPACK of a new binding wrote the record
    Renew = 1,               // a renewal wrote it (new name or address, or re-created)
    Release = 2,             // DHCPRELEASE deleted it (delete_on_release / ptr_delete_on_release)
    Expiry = 3,              // the lease expired and the policy deleted it
    Stale = 4,               // stale_after: a kept record whose binding did not renew
    ConflictSkip = 5,        // the policy refused to touch someone else's record
    Supersede = 6,           // the address went to another binding: the old owner's record gave way
    Rename = 7,              // the binding's name changed: its old records went
    Reservation = 8,         // published from a reservation (start-up, reload)
    ReservationRemoved = 9,  // the reservation is gone from the configuration
    ApiAdd = 10,             // an operator added a record
    ApiDelete = 11,          // an operator deleted a record
    Orphaned = 12,           // its zone is no longer hosted
    LeaseDropped = 13,   // a reload left its lease outside every scope/pool: treated as a release
    Reconcile = 14,      // start-up: a dhcp record with no lease behind it (crash between stores)
    UpdateAdd = 15,      // a dynamic update (RFC 2136) added the record or changed its TTL
    UpdateDelete = 16,   // a dynamic update deleted it
    UpdateRefused = 17,  // a dynamic update would have changed this record of another origin
};
inline constexpr std::array<std::string_view, 18> kAuditReasonNames{
    "grant",         "renew",         "release",       "expiry",        "stale",
    "conflict-skip", "supersede",     "rename",        "reservation",   "reservation-removed",
    "api-add",       "api-delete",    "orphaned",      "lease-dropped", "reconcile",
    "update-add",    "update-delete", "update-refused"};
static_assert(static_cast<size_t>(AuditReason::UpdateRefused) + 1 == kAuditReasonNames.size());
inline std::string_view to_string(AuditReason r) {
    return kAuditReasonNames[static_cast<size_t>(r)];
}
inline std::optional<AuditReason> audit_reason_from_text(std::string_view s) {
    for (size_t i = 0; i < kAuditReasonNames.size(); ++i)
        if (kAuditReasonNames[i] == s) return static_cast<AuditReason>(i);
    return std::nullopt;
}

struct AuditEvent {
    uint64_t seq = 0;  // assigned by the store, increasing
    int64_t time = 0;  // Unix seconds
    std::string name;  // owner name, presentation form
    uint16_t type = 0;
    std::string old_data;          // presentation RDATA before ("" = none)
    std::string new_data;          // after ("" = deleted / nothing written)
    Origin origin = Origin::Dhcp;  // of the record concerned (for a skip: the record in the way)
    std::string owner;             // binding or operator that acted
    AuditReason reason = AuditReason::Grant;
    bool applied = true;  // false: skipped
    std::string detail;   // why, in words

    // Deferred texts. The control lcore audits every record a grant writes and every one an
    // expiry deletes (a million in an expiry storm); formatting the name and the RDATA there
    // cost about a fifth of each deletion. An event may carry them in wire form instead
    // (`deferred`), and whoever reads it first turns them into `name`, `old_data` and
    // `new_data` with complete(): the record store's writer thread, or a log line.
    bool deferred = false;
    dns::WireName name_wire;
    std::vector<uint8_t> old_rdata;  // empty with has_old false: none
    std::vector<uint8_t> new_rdata;
    bool has_old = false, has_new = false;
    /// Fills the texts from the wire forms when deferred (then not deferred any more); both
    /// RDATA are read as `type`.
    void complete();
};

}  // namespace edgelease::control::zone
