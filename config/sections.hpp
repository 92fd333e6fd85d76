#pragma once
// Per-section loaders, internal to config/. Each reads one TOML table into its part of
// Config, reporting problems through the Reader, and runs the checks local to the section.
#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/keys.hpp"
#include "config/reader.hpp"

namespace edgelease::config::detail {

/// Largest TTL a record may carry (RFC 2181 §8: 2^31 - 1).
inline constexpr int64_t kMaxTtl = 2147483647;

void load_dns(Reader& r, const toml::table& dns, DnsConfig& out);
void load_dhcp(Reader& r, const toml::table& dhcp, DhcpConfig& out);

}  // namespace edgelease::config::detail
