#pragma once
// The keys the configuration reader accepts at the top level and in each section (the
// "unknown key ... did you mean" check). settings.hpp declares each of them live or
// restart-only; a unit test keeps the two lists equal, so a key the reader learns cannot be
// left out of the reload decision. Keys of tables inside a scope (the shared DNS policy,
// DHCPv6's) follow; they are applied with their scope, so settings.hpp declares the scope,
// not each of them.
#include <array>
#include <span>
#include <string_view>

namespace edgelease::config {

inline constexpr std::array<std::string_view, 8> kRootKeys{
    "appliance", "dpdk", "interfaces", "api", "dns", "dhcp", "dhcp6", "exception"};
inline constexpr std::array<std::string_view, 6> kApplianceKeys{
    "state_dir",      "durability",    "log_level",
    "stats_interval", "audit_entries", "lease_store_max_mib"};
inline constexpr std::array<std::string_view, 8> kDpdkKeys{
    "eal_args",    "workers", "idle_sleep_us",  "idle",
    "coalesce_us", "mbufs",   "rx_descriptors", "tx_descriptors"};
inline constexpr std::array<std::string_view, 2> kApiKeys{"listen", "token_file"};
inline constexpr std::array<std::string_view, 10> kDnsKeys{"zones",
                                                           "udp_payload_size",
                                                           "server_name",
                                                           "tcp",
                                                           "tcp_idle_timeout",
                                                           "tcp_max_connections",
                                                           "tcp_max_per_client",
                                                           "keys",
                                                           "rrl",
                                                           "cookies"};
/// [dns.rrl] (declared as one restart-only setting, [dns].rrl).
inline constexpr std::array<std::string_view, 5> kRrlKeys{"rate", "slip", "ipv4_prefix",
                                                          "ipv6_prefix", "exempt"};
inline constexpr std::array<std::string_view, 2> kDhcpKeys{"scopes", "relay_discover_rate"};
inline constexpr std::array<std::string_view, 2> kDhcp6Keys{"scopes", "relay_solicit_rate"};
inline constexpr std::array<std::string_view, 2> kExceptionKeys{"enabled", "namespace"};

/// A table of the document and the keys it accepts ("" = the top level).
struct SectionKeys {
    std::string_view section;
    std::span<const std::string_view> keys;
};

inline constexpr std::array<SectionKeys, 8> kSectionKeys{{{"", kRootKeys},
                                                          {"appliance", kApplianceKeys},
                                                          {"dpdk", kDpdkKeys},
                                                          {"api", kApiKeys},
                                                          {"dns", kDnsKeys},
                                                          {"dhcp", kDhcpKeys},
                                                          {"dhcp6", kDhcp6Keys},
                                                          {"exception", kExceptionKeys}}};

/// [dhcp.scopes.dns] and [dhcp6.scopes.dns]: one policy for both families.
inline constexpr std::array<std::string_view, 8> kScopeDnsKeys{"update",
                                                               "delete_on_release",
                                                               "delete_on_expiry",
                                                               "ptr_delete_on_release",
                                                               "ptr_delete_on_expiry",
                                                               "reservation_records",
                                                               "stale_after",
                                                               "on_conflict"};

/// [[dhcp6.scopes]] (RFC 9915).
inline constexpr std::array<std::string_view, 16> kScope6Keys{
    "name",           "prefix",       "pools",      "pd_pools",          "preferred_lifetime",
    "valid_lifetime", "t1",           "t2",         "dns_servers",       "domain",
    "domain_search",  "rapid_commit", "offer_hold", "decline_probation", "dns",
    "reservations"};
/// [[dhcp6.scopes.pd_pools]] entries.
inline constexpr std::array<std::string_view, 2> kPdPoolKeys{"prefix", "delegated_length"};
/// [[dhcp6.scopes.reservations]].
inline constexpr std::array<std::string_view, 7> kReservation6Keys{
    "duid", "hw_address", "remote_id", "interface_id", "ip", "prefixes", "hostname"};

}  // namespace edgelease::config
