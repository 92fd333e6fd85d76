#pragma once
// The client side of DHCPv4 for the generator: requests as a client or a relay agent sends
// them (RFC 2131 §4.4, RFC 3046) and the few fields of a server's reply that drive the
// client state machine. Field offsets, option codes and message types come from the
// appliance's codec (dataplane/wire/dhcp.hpp); this file adds what a server never does:
// encode a request, decode a reply. No allocation, nothing throws.
#include <cstdint>

#include "common/net.hpp"
#include "dataplane/dhcp/messages.hpp"
#include "dataplane/wire/dhcp.hpp"

namespace edgelease::loadgen {

using edgelease::dataplane::dhcp::MsgType;

/// One request to encode. Addresses in host order; 0 leaves a field or option out.
struct RequestSpec {
    MsgType type = MsgType::Discover;
    uint32_t xid = 0;
    uint16_t secs = 0;
    bool broadcast = false;  // BOOTP broadcast flag (RFC 2131 §4.1)
    uint8_t hops = 0;        // 1 when relayed
    uint32_t ciaddr = 0;     // RENEWING / RELEASE (RFC 2131 table 5)
    uint32_t giaddr = 0;     // relay agent address
    net::MacAddr chaddr;
    uint32_t requested_ip = 0;           // option 50 (SELECTING, INIT-REBOOT)
    uint32_t server_id = 0;              // option 54 (SELECTING, RELEASE)
    const uint8_t* client_id = nullptr;  // option 61 value (type byte first), 2..255 bytes
    uint8_t client_id_len = 0;
    const char* hostname = nullptr;  // option 12
    uint8_t hostname_len = 0;
    const uint8_t* relay_info = nullptr;  // option 82 payload (sub-options), added last
    uint8_t relay_info_len = 0;
    bool param_request = true;  // option 55: 1, 3, 6, 15, 51, 58, 59
};

/// Smallest request written: BOOTP minimum of 300 bytes (RFC 1542 §3.3), padded.
inline constexpr uint16_t kMinRequestLen = dataplane::wire::dhcp::kMinReply;

/// Encodes a BOOTREQUEST into out[0..cap): fixed header, cookie, options 53, 61, 50, 54, 12,
/// 55, 82 (those that are set, in that order), END, zero padding to 300 bytes. Returns the
/// length, or 0 when it does not fit or the spec is invalid (client_id_len of 1).
uint16_t encode_request(const RequestSpec& s, uint8_t* out, uint16_t cap) noexcept;

/// Option 82 payload as a relay agent writes it (RFC 3046 §2.0): sub-option 1 (circuit ID)
/// and 2 (remote ID), each 1..255 bytes and together at most 255 with their headers.
/// Returns the payload length, or 0 when it does not fit in `cap`.
uint8_t encode_relay_info(const uint8_t* circuit, uint8_t circuit_len, const uint8_t* remote,
                          uint8_t remote_len, uint8_t* out, uint8_t cap) noexcept;

/// What the client state machine needs from a server's reply.
struct ReplyInfo {
    MsgType type = MsgType::None;
    uint32_t xid = 0;
    uint32_t yiaddr = 0;
    uint32_t giaddr = 0;
    uint32_t server_id = 0;   // option 54, 0 = absent
    uint32_t lease_time = 0;  // option 51, 0 = absent
    net::MacAddr chaddr;
};

/// Decodes the UDP payload of a DHCP reply: op must be BOOTREPLY with Ethernet hardware
/// type, the cookie present, options well-formed up to END or the end of the payload (the
/// `file`/`sname` overload is not followed: servers that fill it are not what we measure).
/// False when it is not such a reply, or option 53 is missing or not a server type.
bool parse_reply(const uint8_t* p, uint16_t len, ReplyInfo& out) noexcept;

}  // namespace edgelease::loadgen
