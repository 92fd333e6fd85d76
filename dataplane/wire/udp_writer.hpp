#pragma once
// The one writer of IPv4 and UDP headers, for every frame the appliance or the load generator
// sends over UDP: DNS answers turned around in place (dataplane/packet.cpp), DHCP replies
// (dataplane/dhcp/frame.cpp) and generated queries (loadgen/frame.cpp). The payload is
// already in place behind the headers; the writers fill the headers and both checksums.
// Header-only: the DNS answer path inlines it. noexcept, no allocation.
#include <cstdint>

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
    store_be16(ip + ipv4::kChecksumOff, internet_checksum(ip, ipv4::kMinHeaderLen));
    write_udp_header(ip + ipv4::kMinHeaderLen, src_port, dst_port, udp_len,
                     pseudo_header_v4(src, dst, proto::kUdp, udp_len));
    return total;
}

}  // namespace edgelease::dataplane::wire
