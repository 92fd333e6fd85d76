#pragma once
// The one JSON form of a DHCP lease (docs/api.md, `lease` and `lease6`): every place that prints
// a lease as JSON (the API's lease answers, `edgelease --show-leases --json`) builds it here.
// Also the inverse for a lease's name: the text an API path names a lease by (parse_lease_name)
// is the `address` field, or the `prefix` field of a delegated prefix, written here.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/dhcp/lease.hpp"
#include "control/dhcp/lease6.hpp"

namespace edgelease::app {

/// `scopes`: scope names by index as the lease's engine numbers them (DhcpService::scope_names,
/// read on the control lcore together with the lease: a reload may renumber scopes). A lease
/// whose index has no name there (the lease database read offline) shows the index as text.
/// Strings are kept as they are (UTF-8); see dump_json. "family" is 4.
nlohmann::json lease_json(const control::dhcp::Lease& l, const std::vector<std::string>& scopes);

/// A DHCPv6 lease in the same field style ("family": 6), `scopes` as above but from
/// DhcpService::scope6_names. "address" is always a plain address: the leased one (IA_NA) or
/// the first of a delegated prefix (IA_PD), which adds "prefix_length" and "prefix"
/// ("2001:db8:8000::/56"). "hw_address", "remote_id" and "interface_id" appear only when known.
nlohmann::json lease6_json(const control::dhcp::Lease6& l, const std::vector<std::string>& scopes);

/// A lease as a path or a command line names it: "198.18.0.100" (DHCPv4), "2001:db8::50"
/// (DHCPv6 IA_NA) or "2001:db8:8000::/56" (DHCPv6 IA_PD: a prefix without host bits).
struct LeaseName {
    uint8_t family = 4;
    uint32_t ip = 0;               // family 4, host order
    control::dhcp::Lease6Key key;  // family 6
};

/// nullopt with `why` set when `text` is none of the three forms. Text without ':' or '/' is
/// read as IPv4 only, and refused as "not an IPv4 address" (the API's answer before DHCPv6).
std::optional<LeaseName> parse_lease_name(std::string_view text, std::string& why);

/// The `family` query of GET /api/v1/leases: "" (both), "4" or "6"; nullopt for anything else.
std::optional<uint8_t> parse_family(std::string_view text);

/// `j` as text, indented by 2, UTF-8 kept as it is; bytes that are not UTF-8 (a host name
/// from a client) become U+FFFD instead of an exception.
std::string dump_json(const nlohmann::json& j);

}  // namespace edgelease::app
