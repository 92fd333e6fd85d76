#pragma once
// Parsers for the textual values found in the configuration (durations, prefixes, pools,
// domain names, identifiers). Internal to config/: each one either returns the value or
// leaves a one-line explanation in `why`, which the loader turns into a ConfigError.
// Nothing here throws except std::bad_alloc.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/net.hpp"
#include "config/config.hpp"

namespace edgelease::config::detail {

/// Longest duration accepted anywhere (fits DHCP's 32-bit lease time field).
inline constexpr int64_t kMaxDurationSeconds = 0xFFFFFFFF;

/// "90", "90s", "30m", "1h30m", "2w": units w, d, h, m, s, largest first, each at most once.
std::optional<std::chrono::seconds> parse_duration(std::string_view text, std::string& why);

/// "addr/len", IPv4 or IPv6, with a reason for each way it can be wrong.
std::optional<net::IfAddress> parse_address_prefix(std::string_view text, std::string& why);

/// An IPv4 network "a.b.c.d/len" with no host bits set.
std::optional<net::Prefix> parse_ipv4_subnet(std::string_view text, std::string& why);

/// A plain IPv4 address.
std::optional<net::Ipv4Addr> parse_ipv4_addr(std::string_view text, std::string& why);

/// "first-last", both IPv4, first <= last.
std::optional<PoolRange> parse_pool_range(std::string_view text, std::string& why);

/// An IPv6 prefix "addr/len" with no host bits set (length 0..128; callers narrow it).
std::optional<net::Prefix> parse_ipv6_prefix(std::string_view text, std::string& why);

/// A plain IPv6 address.
std::optional<net::Ipv6Addr> parse_ipv6_addr(std::string_view text, std::string& why);

/// "first-last", both IPv6, first <= last (`where` left empty).
std::optional<Pool6Range> parse_pool6_range(std::string_view text, std::string& why);

/// A domain name (zone or DHCP domain): letters, digits, '-', '_' per label, labels 1..63
/// octets, 255 octets in wire form (RFC 1035 §2.3.4). Returns it lower-cased with a
/// trailing dot. The root "." is refused: nothing here serves or names leases in it.
std::optional<std::string> parse_domain_name(std::string_view text, std::string& why);

/// A single host-name label (RFC 952 / RFC 1123 §2.1): letters, digits, hyphens, not
/// starting or ending with a hyphen, 1..63 characters.
bool check_hostname_label(std::string_view text, std::string& why);

/// A record owner name inside `zone` (normalised zone name): "@", a relative name, or an
/// absolute name at or below the zone. A leading "*" label is allowed (RFC 4592).
bool check_record_name(std::string_view name, std::string_view zone, std::string& why);

/// Upper-cases an RR type and checks it is a mnemonic ("A", "NSEC3PARAM") or "TYPEnnn"
/// with nnn in 0..65535 (RFC 3597 §5).
std::optional<std::string> parse_rr_type(std::string_view text, std::string& why);

/// Hex bytes: "01:02:0a" (two digits per byte) or "01020a".
std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view text, std::string& why);

/// DHCP client identifier (option 61) as hex; 2..255 bytes (RFC 2132 §9.14).
std::optional<std::vector<uint8_t>> parse_client_id(std::string_view text, std::string& why);

/// Relay agent sub-option value (RFC 3046 §3): the string's bytes, or "0x..." hex; 1..255.
std::optional<std::vector<uint8_t>> parse_relay_id(std::string_view text, std::string& why);

/// DHCPv6 DUID (option 1), hex like a client identifier: the 2-byte type code and 1 to 128
/// more bytes, 3..130 in all (RFC 9915 §11.1).
std::optional<std::vector<uint8_t>> parse_duid(std::string_view text, std::string& why);

/// DHCPv6 relay identifier (interface-id, option 18; remote-id, option 37 after its
/// enterprise number): written like parse_relay_id, the string's bytes or "0x..." hex;
/// 1..255 bytes, the DHCPv4 sub-option limit (the options themselves could be longer).
std::optional<std::vector<uint8_t>> parse_relay6_id(std::string_view text, std::string& why);

struct ListenAddr {
    std::string host;  // without brackets
    uint16_t port = 0;
    bool loopback = false;
};
/// "host:port" or "[v6]:port"; host is an IPv4/IPv6 literal or "localhost".
std::optional<ListenAddr> parse_listen(std::string_view text, std::string& why);

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions),
/// case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a plausible typo.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

/// `text` in double quotes, with control characters escaped, for error messages.
std::string squote(std::string_view text);

}  // namespace edgelease::config::detail
