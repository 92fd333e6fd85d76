#pragma once
// Per-section loaders, internal to config/. Each reads one TOML table into its part of
// Config, reporting problems through the Reader, and runs the checks local to the section.
// Also what the DHCPv4 and DHCPv6 scope loaders share, so that both families read and check
// it the same way.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/keys.hpp"
#include "config/reader.hpp"

namespace edgelease::config::detail {

/// Largest TTL a record may carry (RFC 2181 §8: 2^31 - 1).
inline constexpr int64_t kMaxTtl = 2147483647;

/// Longest lease or lifetime: 0xFFFFFFFF means "infinite" in DHCPv4 option 51 (RFC 2131
/// §3.3) and in DHCPv6 lifetimes (RFC 9915 §7.7); leases here always end.
inline constexpr int64_t kMaxLeaseTime = 0xFFFFFFFE;
/// Shorter leases mean renewals every few seconds: almost certainly a unit mistake.
inline constexpr int64_t kMinLeaseTime = 10;
/// An offer (DHCPv4 OFFER, DHCPv6 Advertise) only has to outlive the client's retransmissions
/// of its request (RFC 2131 §4.1: about a minute in all); holding it for hours would let a
/// DISCOVER or Solicit flood drain a pool.
inline constexpr int64_t kMaxOfferHold = 3600;

/// Where something was first defined, for "already used by ..." messages.
struct First {
    std::string path;
    uint32_t line;
    std::string said() const { return path + " (line " + std::to_string(line) + ")"; }
};

/// Records `key` as reserved by `here`; reports it at `node` when an earlier one has it.
template <class Key>
void claim(Reader& r, std::map<Key, First>& seen, Key key, const toml::node& node,
           const std::string& path, const std::string& what, const First& here) {
    auto [it, inserted] = seen.emplace(std::move(key), here);
    if (!inserted) r.error(node, path, what + " is already reserved by " + it->second.said());
}

void load_dns(Reader& r, const toml::table& dns, DnsConfig& out);
void load_dhcp(Reader& r, const toml::table& dhcp, DhcpConfig& out);
void load_dhcp6(Reader& r, const toml::table& dhcp6, Dhcp6Config& out);

/// Reservation identifiers both families read the same way, each claimed once per scope.
using RelayIdClaims = std::map<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>, First>;
using RelayIdParser = std::optional<std::vector<uint8_t>> (*)(std::string_view, std::string&);
/// `hw_address`: a MAC, claimed in `macs`.
void load_hw_address(Reader& r, const toml::table& t, const std::string& path, const First& here,
                     std::map<net::MacAddr, First>& macs, std::optional<net::MacAddr>& out);
/// The relay's two identifiers (DHCPv4 circuit_id + remote_id, DHCPv6 interface_id +
/// remote_id), each read with `parse`; the pair names the client (one relay interface name
/// recurs on every relay), so it is the pair that is claimed.
void load_relay_pair(Reader& r, const toml::table& t, const std::string& path, const First& here,
                     const char* first_key, RelayIdParser parse, RelayIdClaims& claims,
                     std::vector<uint8_t>& first, std::vector<uint8_t>& remote_id);

/// A scope's `dns` table ([dhcp.scopes.dns], [dhcp6.scopes.dns]): one policy, one reader.
void load_dns_policy(Reader& r, const toml::table& t, const std::string& path, ScopeDnsPolicy& out);

}  // namespace edgelease::config::detail
