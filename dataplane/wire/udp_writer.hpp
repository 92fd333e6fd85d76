#pragma once
// The one writer of IPv4, IPv6 and UDP headers, for every frame the appliance or the load
// generator sends over UDP: DNS answers turned around in place (dataplane/packet.cpp), DHCP
// and DHCPv6 replies (dataplane/dhcp/frame.cpp, frame6.cpp) and generated queries
// (loadgen/frame.cpp). The payload is already in place behind the headers; the writers fill
// the headers and the checksums. Header-only: the DNS answer path inlines it. noexcept, no
// allocation.
#include <cstdint>
#include <cstring>

#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::dataplane::wire {

/// Writes the UDP header at `u` (RFC 768) for `udp_len` bytes (header included) whose
/// payload follows it, with the checksum over `pseudo` (pseudo_header_v4/_v6) and the
/// datagram. A computed zero goes out as all ones: zero means "no checksum".
inline void write_udp_header(uint8_t* u, uint16_t src_port, uint16_t dst_port, uint16_t udp_len,
                             uint32_t pseudo) noexcept {
    store_be16(u + udp::kSrcPortOff, src_port);
    store_be16(u + udp::kDstPortOff, dst_port);
    store_be16(u + udp::kLengthOff, udp_len);
    store_be16(u + udp::kChecksumOff, 0);
    const uint16_t sum = csum_finish(csum_partial(u, udp_len, pseudo));
    store_be16(u + udp::kChecksumOff, sum == 0 ? 0xffff : sum);
}

/// What an IPv4 header carries besides addresses and lengths. A reply keeps the request's
/// (its DSCP marking, and the DF bit and ID that together make it an atomic datagram or not,
/// RFC 6864); what the appliance or the generator originates has them zero.
struct Ipv4Marks {
    uint8_t tos = 0;
    uint16_t id = 0;
    uint16_t flags = 0;  // the flags bits of the flags/fragment-offset field; offset is 0
};

/// Writes an IPv4 header without options at `ip` (RFC 791 §3.1: `marks`, no fragment offset,
/// TTL 64, protocol UDP, header checksum) and the UDP header after it, for `payload_len`
/// bytes of UDP payload already at ip + 28. Addresses in host order. Returns the IPv4 total
/// length.
inline uint16_t write_ipv4_udp(uint8_t* ip, uint32_t src, uint32_t dst, uint16_t src_port,
                               uint16_t dst_port, uint16_t payload_len,
                               Ipv4Marks marks = {}) noexcept {
    const auto udp_len = static_cast<uint16_t>(udp::kHeaderLen + payload_len);
    const auto total = static_cast<uint16_t>(ipv4::kMinHeaderLen + udp_len);
    ip[ipv4::kVerIhlOff] = 0x40 | ipv4::kMinIhl;
    ip[ipv4::kTosOff] = marks.tos;
    store_be16(ip + ipv4::kTotalLenOff, total);
    store_be16(ip + ipv4::kIdOff, marks.id);
    store_be16(ip + ipv4::kFlagsFragOff,
               static_cast<uint16_t>(marks.flags & ~ipv4::kFragOffsetMask));
    ip[ipv4::kTtlOff] = ipv4::kDefaultTtl;
    ip[ipv4::kProtoOff] = proto::kUdp;
    store_be16(ip + ipv4::kChecksumOff, 0);
    store_be32(ip + ipv4::kSrcOff, src);
    store_be32(ip + ipv4::kDstOff, dst);
    store_be16(ip + ipv4::kChecksumOff, csum_finish(csum_ipv4_header(ip)));
    write_udp_header(ip + ipv4::kMinHeaderLen, src_port, dst_port, udp_len,
                     pseudo_header_v4(src, dst, proto::kUdp, udp_len));
    return total;
}

/// Writes an IPv6 header at `ip` (RFC 8200 §3: traffic class and flow label 0, next header
/// UDP, no extension headers, `hop_limit`) and the UDP header after it, for `payload_len`
/// bytes of UDP payload already at ip + 48. Addresses are 16 bytes in network order and must
/// not overlap the header. The UDP checksum is always computed: IPv6 forbids a zero one
/// (§8.1). Returns the bytes written plus the payload (the IPv6 packet length).
inline uint16_t write_ipv6_udp(uint8_t* ip, const uint8_t* src16, const uint8_t* dst16,
                               uint16_t src_port, uint16_t dst_port, uint16_t payload_len,
                               uint8_t hop_limit = ipv6::kDefaultHopLimit) noexcept {
    const auto udp_len = static_cast<uint16_t>(udp::kHeaderLen + payload_len);
    store_be32(ip + ipv6::kVerTcFlowOff, uint32_t{6} << 28);
    store_be16(ip + ipv6::kPayloadLenOff, udp_len);
    ip[ipv6::kNextHeaderOff] = proto::kUdp;
    ip[ipv6::kHopLimitOff] = hop_limit;
    std::memcpy(ip + ipv6::kSrcOff, src16, ipv6::kAddrLen);
    std::memcpy(ip + ipv6::kDstOff, dst16, ipv6::kAddrLen);
    write_udp_header(ip + ipv6::kHeaderLen, src_port, dst_port, udp_len,
                     pseudo_header_v6(src16, dst16, proto::kUdp, udp_len));
    return static_cast<uint16_t>(ipv6::kHeaderLen + udp_len);
}

}  // namespace edgelease::dataplane::wire
