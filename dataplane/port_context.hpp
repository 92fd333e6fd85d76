#pragma once
#include <string_view>

#include "config/config.hpp"
#include "dataplane/packet.hpp"

namespace edgelease::dataplane {

/// Builds the PortContext for one DPDK port from every [[interfaces]] entry that names it.
/// Each L3 interface also gets the port's EUI-64 link-local address (fe80::/64) so that
/// neighbours can resolve and ping it like any IPv6 host.
PortContext make_port_context(const config::Config& cfg, std::string_view port_name,
                              uint16_t port_id, const net::MacAddr& mac);

}  // namespace edgelease::dataplane
