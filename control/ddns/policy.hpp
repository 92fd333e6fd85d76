#pragma once
// The retention policy as one pure function (DESIGN "Provenance and retention"): what a lease
// event may do to one record, given the record's provenance and the scope's [dhcp.scopes.dns]
// settings. Tested as a table (tests/unit/ddns/policy_table_test.cpp).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "control/zone/provenance.hpp"

namespace edgelease::control::ddns {

enum class LeaseDnsEvent : uint8_t { Grant, Renew, Release, Expiry, Stale };
inline constexpr std::array<std::string_view, 5> kLeaseDnsEventNames{"grant", "renew", "release",
                                                                     "expiry", "stale"};

/// A/AAAA at the lease name, or the PTR for the lease address: their deletion flags differ.
enum class RecordKind : uint8_t { Forward, Ptr };

enum class Decision : uint8_t {
    Write,   // create or refresh the lease's record (replacing a dhcp one of another binding)
    Delete,  // remove it
    Keep,    // leave it (policy keeps it, or it is not this binding's to touch)
    Skip,    // a conflict: someone else's record is in the way; counted, logged, audited
};
inline constexpr std::array<std::string_view, 4> kDecisionNames{"write", "delete", "keep", "skip"};

struct RecordState {
    std::optional<zone::Origin> origin;  // the record already there; nullopt = none
    bool same_owner = false;             // it belongs to the binding the event is about
};

/// Grant/Renew: whether the binding may write over what is there. Release/Expiry/Stale:
/// whether the binding's own record goes. Never Write/Delete for config, manual or (unless
/// on_conflict = "overwrite") update records.
Decision decide(LeaseDnsEvent ev, RecordKind kind, const RecordState& rec,
                const config::ScopeDnsPolicy& policy) noexcept;

}  // namespace edgelease::control::ddns
