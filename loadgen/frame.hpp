#pragma once
// Frames the generators send and receive: untagged Ethernet II, IPv4 without options, UDP
// (RFC 894, RFC 791, RFC 768), and the ARP request/reply used to learn the server's MAC
// (RFC 826). Plain byte buffers, no DPDK: unit-tested on their own and against the
// appliance's packet path. Nothing allocates or throws.
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

}  // namespace edgelease::loadgen
