#pragma once
// Layer-2 wire constants: Ethernet II, VLAN tags and ARP. Offsets are from the start of
// the header they belong to; read them with Cursor or load_be16/load_be32. Plus the one
// writer of an Ethernet header with VLAN tags for frames built from scratch.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/wire/cursor.hpp"

namespace edgelease::dataplane::wire {

namespace eth {
inline constexpr size_t kAddrLen = 6;
inline constexpr size_t kDstOff = 0;
inline constexpr size_t kSrcOff = 6;
inline constexpr size_t kTypeOff = 12;
inline constexpr size_t kHeaderLen = 14;

inline constexpr uint16_t kTypeIpv4 = 0x0800;
inline constexpr uint16_t kTypeArp = 0x0806;
inline constexpr uint16_t kTypeIpv6 = 0x86dd;

/// Bit 0 of the first address byte: group (multicast or broadcast) address (IEEE 802).
inline constexpr uint8_t kGroupBit = 0x01;

/// Destination MAC of IPv6 multicast: 33:33 followed by the group's low 32 bits
/// (RFC 2464 §7).
inline constexpr uint8_t kIpv6MulticastPrefix[2] = {0x33, 0x33};
}  // namespace eth

namespace vlan {
/// Tag protocol identifiers: 802.1Q, 802.1ad (S-tag) and the pre-standard QinQ 0x9100.
inline constexpr uint16_t kTpid8021Q = 0x8100;
inline constexpr uint16_t kTpid8021AD = 0x88a8;
inline constexpr uint16_t kTpidQinQ = 0x9100;
/// A tag is TPID (2) + TCI (2); the encapsulated EtherType follows it.
inline constexpr size_t kTagLen = 4;
inline constexpr uint16_t kVidMask = 0x0fff;
/// Outer and inner tag: the most any interface can be configured for.
inline constexpr unsigned kMaxTags = 2;

constexpr bool is_tpid(uint16_t ether_type) noexcept {
    return ether_type == kTpid8021Q || ether_type == kTpid8021AD || ether_type == kTpidQinQ;
}
}  // namespace vlan

/// Writes an Ethernet II header at p: dst, src (6 bytes each), `tags` VLAN tags outer first
/// (tpid[i], tci[i]; a TPID of 0, i.e. not recorded, is written as 802.1Q) and `ether_type`.
/// Returns its length, 14 + 4 * tags. The caller checked tags <= vlan::kMaxTags and the room.
inline size_t write_ether_header(uint8_t* p, const uint8_t* dst, const uint8_t* src,
                                 const uint16_t* tpid, const uint16_t* tci, unsigned tags,
                                 uint16_t ether_type) noexcept {
    std::memcpy(p + eth::kDstOff, dst, eth::kAddrLen);
    std::memcpy(p + eth::kSrcOff, src, eth::kAddrLen);
    uint8_t* at = p + eth::kTypeOff;
    for (unsigned i = 0; i < tags; ++i) {
        store_be16(at, tpid[i] != 0 ? tpid[i] : vlan::kTpid8021Q);
        store_be16(at + 2, tci[i]);
        at += vlan::kTagLen;
    }
    store_be16(at, ether_type);
    return eth::kHeaderLen + vlan::kTagLen * tags;
}

/// ARP for Ethernet/IPv4 (RFC 826); the only form the appliance answers.
namespace arp {
inline constexpr size_t kHtypeOff = 0;
inline constexpr size_t kPtypeOff = 2;
inline constexpr size_t kHlenOff = 4;
inline constexpr size_t kPlenOff = 5;
inline constexpr size_t kOpOff = 6;
inline constexpr size_t kShaOff = 8;
inline constexpr size_t kSpaOff = 14;
inline constexpr size_t kThaOff = 18;
inline constexpr size_t kTpaOff = 24;
inline constexpr size_t kLen = 28;

inline constexpr uint16_t kHtypeEthernet = 1;
inline constexpr uint16_t kPtypeIpv4 = 0x0800;
inline constexpr uint8_t kHlenEthernet = 6;
inline constexpr uint8_t kPlenIpv4 = 4;
inline constexpr uint16_t kOpRequest = 1;
inline constexpr uint16_t kOpReply = 2;
}  // namespace arp

}  // namespace edgelease::dataplane::wire
