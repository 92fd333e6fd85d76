#pragma once
// The one JSON form of a DHCP lease (docs/api.md, `lease`): every place that prints a lease as
// JSON (the API's lease answers, `edgelease --show-leases --json`) builds it here.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "control/dhcp/lease.hpp"

namespace edgelease::app {

/// `scopes`: scope names by index as the lease's engine numbers them (DhcpService::scope_names,
/// read on the control lcore together with the lease: a reload may renumber scopes). A lease
/// whose index has no name there (the lease database read offline) shows the index as text.
/// Strings are kept as they are (UTF-8); see dump_json.
nlohmann::json lease_json(const control::dhcp::Lease& l, const std::vector<std::string>& scopes);

/// `j` as text, indented by 2, UTF-8 kept as it is; bytes that are not UTF-8 (a host name
/// from a client) become U+FFFD instead of an exception.
std::string dump_json(const nlohmann::json& j);

}  // namespace edgelease::app
