#pragma once
// Layer-3/4 wire constants: IPv4, IPv6 and its extension headers, ICMP, ICMPv6 with
// Neighbor Discovery, UDP. Offsets are from the start of the header they belong to; read
// them with Cursor or load_be16/load_be32.
#include <cstddef>
#include <cstdint>

namespace edgelease::dataplane::wire {

/// IP protocol / IPv6 next-header numbers (IANA).
namespace proto {
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kIcmp = 1;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kNoNext = 59;
inline constexpr uint8_t kDestOptions = 60;
}  // namespace proto

/// RFC 791 §3.1.
namespace ipv4 {
inline constexpr size_t kVerIhlOff = 0;
inline constexpr size_t kTosOff = 1;
inline constexpr size_t kTotalLenOff = 2;
inline constexpr size_t kIdOff = 4;
inline constexpr size_t kFlagsFragOff = 6;
inline constexpr size_t kTtlOff = 8;
inline constexpr size_t kProtoOff = 9;
inline constexpr size_t kChecksumOff = 10;
inline constexpr size_t kSrcOff = 12;
inline constexpr size_t kDstOff = 16;
inline constexpr size_t kMinHeaderLen = 20;
inline constexpr uint8_t kMinIhl = 5;

inline constexpr uint16_t kFlagMoreFragments = 0x2000;
inline constexpr uint16_t kFragOffsetMask = 0x1fff;
inline constexpr uint32_t kLimitedBroadcast = 0xffffffffu;
/// TTL of everything the appliance originates (the Linux default).
inline constexpr uint8_t kDefaultTtl = 64;

constexpr bool is_multicast(uint32_t host_order) noexcept {
    return (host_order >> 28) == 0xe;  // 224.0.0.0/4
}
}  // namespace ipv4

/// RFC 8200 §3 and §4.
namespace ipv6 {
inline constexpr size_t kVerTcFlowOff = 0;
inline constexpr size_t kPayloadLenOff = 4;
inline constexpr size_t kNextHeaderOff = 6;
inline constexpr size_t kHopLimitOff = 7;
inline constexpr size_t kSrcOff = 8;
inline constexpr size_t kDstOff = 24;
inline constexpr size_t kHeaderLen = 40;
inline constexpr size_t kAddrLen = 16;
inline constexpr uint8_t kDefaultHopLimit = 64;

/// Hop-by-Hop and Destination Options: next header, length in 8-octet units not counting
/// the first 8, then TLV options (§4.2). Pad1 is a lone type byte; PadN is a TLV.
inline constexpr size_t kExtMinLen = 8;
inline constexpr uint8_t kOptPad1 = 0;
inline constexpr uint8_t kOptPadN = 1;
/// The two high bits of an option type say what to do when it is not recognised (§4.2);
/// 00 = skip it, anything else = discard the packet.
inline constexpr uint8_t kOptActionShift = 6;

/// Solicited-node multicast group ff02::1:ffXX:XXXX (RFC 4291 §2.7.1): this prefix plus
/// the low 24 bits of the unicast address.
// clang-format off
inline constexpr uint8_t kSolicitedNodePrefix[13] = {
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};  // ff02::1:ff00:0/104
// clang-format on
inline constexpr size_t kSolicitedNodePrefixLen = 13;
inline constexpr uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

constexpr bool is_multicast(const uint8_t* addr16) noexcept {
    return addr16[0] == 0xff;
}
}  // namespace ipv6

/// RFC 792.
namespace icmp {
inline constexpr size_t kTypeOff = 0;
inline constexpr size_t kCodeOff = 1;
inline constexpr size_t kChecksumOff = 2;
inline constexpr size_t kHeaderLen = 8;  // type, code, checksum, identifier, sequence
inline constexpr uint8_t kEchoReply = 0;
inline constexpr uint8_t kEchoRequest = 8;
}  // namespace icmp

/// RFC 4443 and the Neighbor Discovery messages of RFC 4861.
namespace icmp6 {
inline constexpr size_t kTypeOff = 0;
inline constexpr size_t kCodeOff = 1;
inline constexpr size_t kChecksumOff = 2;
inline constexpr size_t kMinLen = 4;
inline constexpr size_t kEchoHeaderLen = 8;
inline constexpr uint8_t kEchoRequest = 128;
inline constexpr uint8_t kEchoReply = 129;
inline constexpr uint8_t kNeighborSolicitation = 135;
inline constexpr uint8_t kNeighborAdvertisement = 136;
}  // namespace icmp6

/// RFC 4861 §4.3, §4.4, §4.6.
namespace nd {
/// NS and NA: type, code, checksum, 4 bytes (reserved / flags), target address.
inline constexpr size_t kFlagsOff = 4;
inline constexpr size_t kTargetOff = 8;
inline constexpr size_t kMessageLen = 24;
inline constexpr size_t kOptionsOff = 24;
/// ND messages must arrive with hop limit 255: proof that no router forwarded them.
inline constexpr uint8_t kHopLimit = 255;

inline constexpr uint8_t kFlagRouter = 0x80;
inline constexpr uint8_t kFlagSolicited = 0x40;
inline constexpr uint8_t kFlagOverride = 0x20;

/// Options are type, length in units of 8 octets (0 is invalid), data.
inline constexpr size_t kOptUnit = 8;
inline constexpr uint8_t kOptSourceLinkAddr = 1;
inline constexpr uint8_t kOptTargetLinkAddr = 2;
/// A link-layer address option for Ethernet: type, length 1, the 6-byte MAC.
inline constexpr size_t kLinkAddrOptLen = 8;
/// The Neighbor Advertisement the appliance sends: message plus target link-layer option.
inline constexpr size_t kAdvertLen = kMessageLen + kLinkAddrOptLen;
}  // namespace nd

/// RFC 768.
namespace udp {
inline constexpr size_t kSrcPortOff = 0;
inline constexpr size_t kDstPortOff = 2;
inline constexpr size_t kLengthOff = 4;
inline constexpr size_t kChecksumOff = 6;
inline constexpr size_t kHeaderLen = 8;
}  // namespace udp

}  // namespace edgelease::dataplane::wire
