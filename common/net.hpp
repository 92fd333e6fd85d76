#pragma once
// Plain value types for addresses, shared by config, data plane and control plane.
// No DPDK here: these are parsed from text at start-up and compared on the hot path.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgelease::net {

/// IPv4 address in host byte order (so that ranges and prefixes are plain integer maths).
struct Ipv4Addr {
    uint32_t value = 0;
    friend constexpr bool operator==(Ipv4Addr, Ipv4Addr) = default;
    friend constexpr auto operator<=>(Ipv4Addr, Ipv4Addr) = default;
};

/// IPv6 address in network byte order.
struct Ipv6Addr {
    std::array<uint8_t, 16> bytes{};
    friend constexpr bool operator==(const Ipv6Addr&, const Ipv6Addr&) = default;
    friend constexpr auto operator<=>(const Ipv6Addr&, const Ipv6Addr&) = default;
};

struct MacAddr {
    std::array<uint8_t, 6> bytes{};
    friend constexpr bool operator==(const MacAddr&, const MacAddr&) = default;
    friend constexpr auto operator<=>(const MacAddr&, const MacAddr&) = default;
};

/// An interface address with its prefix length: "198.18.0.1/24" or "2001:db8::1/64".
struct IfAddress {
    bool is_v6 = false;
    Ipv4Addr v4;
    Ipv6Addr v6;
    uint8_t prefix_len = 0;
};

/// A network prefix; the address has no host bits set when produced by parse_prefix
/// with strict = true.
using Prefix = IfAddress;

std::optional<Ipv4Addr> parse_ipv4(std::string_view text);
std::optional<Ipv6Addr> parse_ipv6(std::string_view text);
std::optional<MacAddr> parse_mac(std::string_view text);
/// "addr/len"; the length is required. Returns nullopt on any syntax or range error.
std::optional<IfAddress> parse_if_address(std::string_view text);

std::string to_string(Ipv4Addr a);
std::string to_string(const Ipv6Addr& a);
std::string to_string(const MacAddr& a);
std::string to_string(const IfAddress& a);

/// The same text in a buffer of its own, for code that must not allocate (log lines of the
/// control lcore's noexcept paths).
struct AddrText {
    char text[18];  // "255.255.255.255" or "02:00:00:00:00:02", NUL-terminated
    const char* c_str() const noexcept { return text; }
};
AddrText to_text(Ipv4Addr a) noexcept;
AddrText to_text(const MacAddr& a) noexcept;

/// Netmask for a prefix length 0..32, host order.
constexpr uint32_t v4_mask(uint8_t len) {
    return len == 0 ? 0 : ~uint32_t{0} << (32 - len);
}

constexpr bool in_prefix(Ipv4Addr a, Ipv4Addr net, uint8_t len) {
    return (a.value & v4_mask(len)) == (net.value & v4_mask(len));
}
bool in_prefix(const Ipv6Addr& a, const Ipv6Addr& net, uint8_t len);

/// Link-local fe80::/64 address derived from a MAC by modified EUI-64 (RFC 4291 App. A).
Ipv6Addr link_local_from_mac(const MacAddr& mac);

}  // namespace edgelease::net
