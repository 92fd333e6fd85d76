#pragma once
// DHCPv4 wire layout (RFC 2131, RFC 2132, RFC 3046, RFC 3527, RFC 4702): the BOOTP header
// offsets and the option codes. Shared by the worker's parser and frame builder
// (dataplane/dhcp/frame.hpp), the control lcore's reply encoder (control/dhcp/encode.hpp)
// and the load generator.
#include <array>
#include <cstddef>
#include <cstdint>

namespace edgelease::dataplane::wire::dhcp {

inline constexpr uint32_t kMagicCookie = 0x63825363;
inline constexpr uint16_t kBootpFixed = 236;  // op..file, before the magic cookie
/// Fixed header plus cookie: where the options field starts.
inline constexpr uint16_t kOptionsOff = kBootpFixed + 4;
/// RFC 2131 §2: every host takes 576-byte datagrams; smaller option 57 values are ignored.
inline constexpr uint16_t kMinMaxMsgSize = 576;
/// RFC 1542 §3.3: BOOTP messages are padded to at least this many bytes.
inline constexpr uint16_t kMinReply = 300;

/// Offsets in the BOOTP fixed header (RFC 2131 §2, figure 1).
namespace bootp {
inline constexpr size_t kOpOff = 0;
inline constexpr size_t kHtypeOff = 1;
inline constexpr size_t kHlenOff = 2;
inline constexpr size_t kHopsOff = 3;
inline constexpr size_t kXidOff = 4;
inline constexpr size_t kSecsOff = 8;
inline constexpr size_t kFlagsOff = 10;
inline constexpr size_t kCiaddrOff = 12;
inline constexpr size_t kYiaddrOff = 16;
inline constexpr size_t kSiaddrOff = 20;
inline constexpr size_t kGiaddrOff = 24;
inline constexpr size_t kChaddrOff = 28;
inline constexpr size_t kChaddrLen = 16;
inline constexpr size_t kSnameOff = 44;
inline constexpr size_t kSnameLen = 64;
inline constexpr size_t kFileOff = 108;
inline constexpr size_t kFileLen = 128;
inline constexpr size_t kCookieOff = 236;
inline constexpr uint8_t kBootRequest = 1;
inline constexpr uint8_t kBootReply = 2;
inline constexpr uint8_t kHtypeEthernet = 1;
inline constexpr uint8_t kHlenEthernet = 6;
inline constexpr uint16_t kFlagBroadcast = 0x8000;
}  // namespace bootp

/// Option codes this codec knows (RFC 2132 unless noted).
namespace opt {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouters = 3;
inline constexpr uint8_t kDnsServers = 6;
inline constexpr uint8_t kHostname = 12;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParamRequest = 55;
inline constexpr uint8_t kMessage = 56;
inline constexpr uint8_t kMaxMsgSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kClientFqdn = 81;  // RFC 4702
inline constexpr uint8_t kRelayInfo = 82;   // RFC 3046
inline constexpr uint8_t kEnd = 255;

/// Option 52 values (RFC 2132 §9.3).
inline constexpr uint8_t kOverloadFile = 1;
inline constexpr uint8_t kOverloadSname = 2;

/// Option 81 flags (RFC 4702 §2.1).
inline constexpr uint8_t kFqdnS = 0x01;  // server should do the A update
inline constexpr uint8_t kFqdnO = 0x02;  // server overrode S (server to client only)
inline constexpr uint8_t kFqdnE = 0x04;  // name in canonical wire format, else ASCII
inline constexpr uint8_t kFqdnN = 0x08;  // server should do no updates

/// Option 82 sub-options (RFC 3046 §2.0, RFC 3527 §3).
inline constexpr uint8_t kRelayCircuitId = 1;
inline constexpr uint8_t kRelayRemoteId = 2;
inline constexpr uint8_t kRelayLinkSelection = 5;
}  // namespace opt

}  // namespace edgelease::dataplane::wire::dhcp
