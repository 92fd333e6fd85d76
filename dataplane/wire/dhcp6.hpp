#pragma once
// DHCPv6 wire vocabulary (RFC 9915; relay options from RFC 4649, RFC 4580, RFC 6939 and
// RFC 8357; client FQDN from RFC 4704; DNS options from RFC 3646): message header sizes and
// offsets, option codes and fixed option lengths, status codes, DUID types, the multicast
// groups and ports. Shared by the worker's parser and frame builder
// (dataplane/dhcp/frame6.hpp), the control lcore's reply encoder and the load generator.
// Constants only; read the bytes with Cursor or load_be16/load_be32.
#include <array>
#include <cstddef>
#include <cstdint>

namespace edgelease::dataplane::wire::dhcp6 {

/// RFC 9915 §7.2: clients listen on 546, servers and relay agents on 547.
inline constexpr uint16_t kClientPort = 546;
inline constexpr uint16_t kServerPort = 547;

/// §7.1: All_DHCP_Relay_Agents_and_Servers, link-scoped: where a client sends.
inline constexpr std::array<uint8_t, 16> kAllRelayAgentsAndServers = {
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0x02};
/// §7.1: All_DHCP_Servers, site-scoped: where a relay may send.
inline constexpr std::array<uint8_t, 16> kAllServers = {0xff, 0x05, 0, 0, 0, 0,    0, 0,
                                                        0,    0,    0, 0, 0, 0x01, 0, 0x03};

/// §7.6: the most Relay-Forward levels a relay agent adds to (it discards a Relay-Forward
/// whose hop-count has reached this, §19.1.1).
inline constexpr uint8_t kHopCountLimit = 8;

/// §8: msg-type (1) and transaction-id (3), then options.
inline constexpr size_t kClientHeaderLen = 4;
inline constexpr size_t kMsgTypeOff = 0;
inline constexpr size_t kXidOff = 1;  // 24 bits
/// §9: msg-type, hop-count, link-address, peer-address, then options.
inline constexpr size_t kRelayHeaderLen = 34;
inline constexpr size_t kHopCountOff = 1;
inline constexpr size_t kLinkAddrOff = 2;
inline constexpr size_t kPeerAddrOff = 18;
/// §21.1: every option is option-code (2), option-len (2), then option-len bytes.
inline constexpr size_t kOptionHeaderLen = 4;

/// Option codes (RFC 9915 §21 unless noted).
namespace opt {
inline constexpr uint16_t kClientId = 1;
inline constexpr uint16_t kServerId = 2;
inline constexpr uint16_t kIaNa = 3;
inline constexpr uint16_t kIaTa = 4;  // obsoleted by RFC 9915: never assigned here
inline constexpr uint16_t kIaAddr = 5;
inline constexpr uint16_t kOro = 6;
inline constexpr uint16_t kPreference = 7;
inline constexpr uint16_t kElapsedTime = 8;
inline constexpr uint16_t kRelayMsg = 9;
inline constexpr uint16_t kUnicast = 12;  // obsoleted by RFC 9915: never sent
inline constexpr uint16_t kStatusCode = 13;
inline constexpr uint16_t kRapidCommit = 14;
inline constexpr uint16_t kInterfaceId = 18;
inline constexpr uint16_t kReconfigureAccept = 20;
inline constexpr uint16_t kDnsServers = 23;  // RFC 3646 §3
inline constexpr uint16_t kDomainList = 24;  // RFC 3646 §4
inline constexpr uint16_t kIaPd = 25;
inline constexpr uint16_t kIaPrefix = 26;
inline constexpr uint16_t kRemoteId = 37;         // RFC 4649
inline constexpr uint16_t kSubscriberId = 38;     // RFC 4580
inline constexpr uint16_t kClientFqdn = 39;       // RFC 4704
inline constexpr uint16_t kClientLinkLayer = 79;  // RFC 6939
inline constexpr uint16_t kSolMaxRt = 82;
inline constexpr uint16_t kRelaySourcePort = 135;  // RFC 8357

/// Fixed parts of the options this codec reads or writes, before any sub-options.
inline constexpr size_t kIaNaFixedLen = 12;          // IAID, T1, T2 (§21.4)
inline constexpr size_t kIaPdFixedLen = 12;          // IAID, T1, T2 (§21.21)
inline constexpr size_t kIaAddrFixedLen = 24;        // address, preferred, valid (§21.6)
inline constexpr size_t kIaPrefixFixedLen = 25;      // preferred, valid, length, prefix (§21.22)
inline constexpr size_t kElapsedTimeLen = 2;         // hundredths of a second (§21.9)
inline constexpr size_t kPreferenceLen = 1;          // §21.8
inline constexpr size_t kSolMaxRtLen = 4;            // seconds (§21.24)
inline constexpr size_t kStatusCodeFixedLen = 2;     // then a UTF-8 message (§21.13)
inline constexpr size_t kRelaySourcePortLen = 2;     // the downstream source port (RFC 8357 §5)
inline constexpr size_t kRemoteIdEnterpriseLen = 4;  // enterprise number, then the id (RFC 4649 §3)
inline constexpr size_t kLinkLayerTypeLen = 2;  // hardware type, then the address (RFC 6939 §4)
inline constexpr uint8_t kMaxPrefixLen = 128;

/// Option 39 flags (RFC 4704 §4.1).
inline constexpr uint8_t kFqdnS = 0x01;  // the server should do the AAAA update
inline constexpr uint8_t kFqdnO = 0x02;  // the server overrode S (server to client only)
inline constexpr uint8_t kFqdnN = 0x04;  // the server should do no updates
}  // namespace opt

/// Status codes (§21.13).
namespace status {
inline constexpr uint16_t kSuccess = 0;
inline constexpr uint16_t kUnspecFail = 1;
inline constexpr uint16_t kNoAddrsAvail = 2;
inline constexpr uint16_t kNoBinding = 3;
inline constexpr uint16_t kNotOnLink = 4;
inline constexpr uint16_t kUseMulticast = 5;  // obsoleted by RFC 9915: never sent
inline constexpr uint16_t kNoPrefixAvail = 6;
}  // namespace status

/// DUID types (§11.1): a 2-byte type, then at most 128 bytes.
namespace duid {
inline constexpr uint16_t kLlt = 1;   // link-layer address plus time (§11.2)
inline constexpr uint16_t kEn = 2;    // enterprise number (§11.3)
inline constexpr uint16_t kLl = 3;    // link-layer address (§11.4)
inline constexpr uint16_t kUuid = 4;  // RFC 6355
inline constexpr size_t kTypeLen = 2;
inline constexpr size_t kMaxLen = kTypeLen + 128;
}  // namespace duid

/// The IANA hardware type of Ethernet in DUIDs and option 79 (RFC 826).
inline constexpr uint16_t kHwTypeEthernet = 1;

}  // namespace edgelease::dataplane::wire::dhcp6
