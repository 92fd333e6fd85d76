#pragma once
// Where a DNS record came from and who may change it (DESIGN "Provenance and retention").
// Every record the zone store holds carries one Provenance; it is persisted with the record.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/dns_types.hpp"

namespace edgelease::control::zone {

enum class Origin : uint8_t {
    Config = 0,       // [[dns.zones]] records and zone files (and the generated SOA/NS)
    Manual = 1,       // added by an operator through the API / edgelease-ctl
    Reservation = 2,  // published from a DHCP reservation's hostname
    Dhcp = 3,         // written on a DHCPACK for a lease name
    Update = 4,       // RFC 2136 dynamic update
};
inline constexpr std::array<std::string_view, 5> kOriginNames{"config", "manual", "reservation",
                                                              "dhcp", "update"};
static_assert(static_cast<size_t>(Origin::Update) + 1 == kOriginNames.size());

inline std::string_view to_string(Origin o) {
    return kOriginNames[static_cast<size_t>(o)];
}
inline std::optional<Origin> origin_from_text(std::string_view s) {
    for (size_t i = 0; i < kOriginNames.size(); ++i)
        if (kOriginNames[i] == s) return static_cast<Origin>(i);
    return std::nullopt;
}

struct Provenance {
    Origin origin = Origin::Config;
    /// For dhcp/reservation records: the binding that owns it ("reservation:<scope>/<ip>" or
    /// "client:<DHCID-style hash>"); for manual ones the API caller's note; else empty.
    std::string owner;
    int64_t created = 0;      // Unix seconds
    int64_t updated = 0;      // Unix seconds of the last write (grant, renewal, edit)
    uint64_t generation = 0;  // lease generation that last wrote it (dhcp/reservation), else 0
};

/// One record with its provenance: the unit the zone store keeps, persists and lists.
struct StoredRecord {
    dns::Record rr;
    Provenance prov;
};

}  // namespace edgelease::control::zone
