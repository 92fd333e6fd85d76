#pragma once
// Turns [[dns.zones]] (inline records and zone files) into validated zone data ready for a
// ZoneView. Runs on the main thread at start-up and on reload, never on an lcore.
#include <cstdint>
#include <vector>

#include "common/dns_types.hpp"
#include "config/config.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace edgelease::control::zone {

struct LoadedZones {
    std::vector<dataplane::dns::ZoneInput> zones;  // one per [[dns.zones]], in config order
    std::vector<config::ConfigError> errors;       // file:line[:col]: key: why
};

/// Reads every zone. Records are checked for consistency (RFC 1034 §3.6.2: a CNAME owner
/// holds nothing else; RFC 1035: exactly one SOA, at the apex). A zone without SOA gets
/// `<zone> SOA <server> hostmaster.<zone> <serial> 3600 600 1209600 300`, one without apex
/// NS gets `<zone> NS <server>`, where <server> is [dns].server_name or "ns.<zone>"; when that
/// name lies in the zone and has no address, it gets the first interface's addresses.
LoadedZones load_zones(const config::Config& cfg, uint32_t serial);

}  // namespace edgelease::control::zone
