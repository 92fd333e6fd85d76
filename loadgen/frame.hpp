#pragma once
// Frames the generators send and receive: untagged Ethernet II, IPv4 without options or IPv6
// without extension headers, UDP (RFC 894, RFC 791, RFC 2464, RFC 8200, RFC 768), and what
// learns the server's MAC: the ARP request/reply (RFC 826) and the Neighbor
// Solicitation/Advertisement (RFC 4861). Plain byte buffers, no DPDK: unit-tested on their
// own and against the appliance's packet path. Nothing allocates or throws.
#include <cstdint>

#include "common/net.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::loadgen {

namespace wire = edgelease::dataplane::wire;

/// Bytes before the UDP payload: Ethernet, IPv4 (no options), UDP.
inline constexpr uint16_t kUdpHeadersLen =
    wire::eth::kHeaderLen + wire::ipv4::kMinHeaderLen + wire::udp::kHeaderLen;
inline constexpr uint16_t kIpOff = wire::eth::kHeaderLen;
inline constexpr uint16_t kUdpOff = kIpOff + wire::ipv4::kMinHeaderLen;
inline constexpr uint16_t kPayloadOff = kUdpHeadersLen;
/// An ARP request or reply in a minimum-size Ethernet frame (without FCS).
inline constexpr uint16_t kArpFrameLen = 60;

/// Who a datagram is from and to. Addresses in host order.
struct UdpEndpoints {
    net::MacAddr src_mac;
    net::MacAddr dst_mac;
    uint32_t src_ip = 0;
    uint32_t dst_ip = 0;
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
};

/// Writes the Ethernet, IPv4 and UDP headers in front of a payload of `payload_len` bytes
/// already at buf[kPayloadOff..), with the IPv4 header checksum and the UDP checksum
/// (computed over the payload; a computed 0 is sent as 0xffff, RFC 768). TTL 64, DF clear,
/// IP ID 0. Returns the frame length, or 0 when it would not fit in `cap`.
uint16_t finish_udp_frame(uint8_t* buf, uint16_t cap, const UdpEndpoints& e,
                          uint16_t payload_len) noexcept;

/// The UDP checksum field for a datagram whose one's-complement partial sum (pseudo-header,
/// UDP header and payload with the checksum field zero) is `partial`: folded, inverted,
/// 0 sent as 0xffff.
uint16_t udp_checksum_from_partial(uint32_t partial) noexcept;

/// A received IPv4 UDP datagram: views into the frame (valid while the frame is).
struct RxUdp {
    const uint8_t* dst_mac = nullptr;
    uint32_t src_ip = 0;
    uint32_t dst_ip = 0;
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    const uint8_t* payload = nullptr;
    uint16_t payload_len = 0;
};

/// Recognises an untagged IPv4 UDP frame (IHL may carry options; fragments and a UDP length
/// past the IP payload are refused). Checksums are not verified: the generators measure the
/// server, they do not police it. False for anything else.
bool parse_udp_frame(const uint8_t* f, uint16_t len, RxUdp& out) noexcept;

/// Writes a broadcast ARP request "who has tpa, tell spa" from `sha` into buf (at least
/// kArpFrameLen bytes). Returns kArpFrameLen, or 0 when cap is too small.
uint16_t build_arp_request(uint8_t* buf, uint16_t cap, const net::MacAddr& sha, uint32_t spa,
                           uint32_t tpa) noexcept;

/// True when f is an ARP reply (or a request: both tell the sender's binding) from `spa`;
/// its sender MAC goes to `out`.
bool parse_arp_from(const uint8_t* f, uint16_t len, uint32_t spa, net::MacAddr& out) noexcept;

// ---- IPv6 -------------------------------------------------------------------------------

/// Bytes before the UDP payload over IPv6: Ethernet, IPv6 (no extension header), UDP.
inline constexpr uint16_t kUdp6HeadersLen =
    wire::eth::kHeaderLen + wire::ipv6::kHeaderLen + wire::udp::kHeaderLen;
inline constexpr uint16_t kIp6Off = wire::eth::kHeaderLen;
inline constexpr uint16_t kUdp6Off = kIp6Off + wire::ipv6::kHeaderLen;
inline constexpr uint16_t kPayload6Off = kUdp6HeadersLen;
/// A Neighbor Solicitation with a source link-layer address option: 14 + 40 + 24 + 8.
inline constexpr uint16_t kNsFrameLen = wire::eth::kHeaderLen + wire::ipv6::kHeaderLen +
                                        wire::nd::kMessageLen + wire::nd::kLinkAddrOptLen;

struct Udp6Endpoints {
    net::MacAddr src_mac;
    net::MacAddr dst_mac;
    net::Ipv6Addr src_ip;
    net::Ipv6Addr dst_ip;
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint8_t hop_limit = wire::ipv6::kDefaultHopLimit;
};

/// Writes the Ethernet, IPv6 and UDP headers in front of a payload of `payload_len` bytes
/// already at buf[kPayload6Off..), with the UDP checksum IPv6 makes mandatory (RFC 8200
/// §8.1). Returns the frame length, or 0 when it would not fit in `cap`.
uint16_t finish_udp6_frame(uint8_t* buf, uint16_t cap, const Udp6Endpoints& e,
                           uint16_t payload_len) noexcept;

/// A received IPv6 UDP datagram: views into the frame (valid while the frame is).
struct RxUdp6 {
    const uint8_t* dst_mac = nullptr;
    const uint8_t* src_ip = nullptr;  // 16 bytes
    const uint8_t* dst_ip = nullptr;  // 16 bytes
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    const uint8_t* payload = nullptr;
    uint16_t payload_len = 0;
};

/// Recognises an untagged IPv6 frame whose next header is UDP (no extension headers: the
/// appliance sends none) and whose UDP length fits the IPv6 payload. Checksums are not
/// verified. False for anything else.
bool parse_udp6_frame(const uint8_t* f, uint16_t len, RxUdp6& out) noexcept;

/// The Ethernet destination of an IPv6 multicast group: 33:33 and its low 32 bits (RFC 2464
/// §7).
net::MacAddr ipv6_multicast_mac(const net::Ipv6Addr& group) noexcept;

/// Writes a Neighbor Solicitation for `target` from (sha, src) to target's solicited-node
/// group, hop limit 255, with a source link-layer address option (RFC 4861 §4.3, §7.2.2).
/// Returns kNsFrameLen, or 0 when cap is too small.
uint16_t build_neighbor_solicitation(uint8_t* buf, uint16_t cap, const net::MacAddr& sha,
                                     const net::Ipv6Addr& src,
                                     const net::Ipv6Addr& target) noexcept;

/// True when f is a Neighbor Advertisement for `target` (RFC 4861 §4.4, hop limit 255). Its
/// target link-layer address option, or without one the frame's Ethernet source, goes to
/// `out`.
bool parse_neighbor_advert(const uint8_t* f, uint16_t len, const net::Ipv6Addr& target,
                           net::MacAddr& out) noexcept;

}  // namespace edgelease::loadgen
