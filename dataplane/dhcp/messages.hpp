#pragma once
// The messages that cross between worker lcores and the control lcore for DHCPv4. Both are
// small, trivially copyable, fixed-size structs moved through boost::lockfree::spsc_queue
// (one queue per worker and direction). Workers parse a request into DhcpRequest; the
// control lcore answers with a DhcpReply holding the complete BOOTP message and where it
// must go; the worker builds the frame.
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "common/net.hpp"
#include "dataplane/dhcp/reply_copy.hpp"  // copy_reply

namespace edgelease::dataplane::dhcp {

inline constexpr uint16_t kServerPort = 67;
inline constexpr uint16_t kClientPort = 68;

inline constexpr size_t kMaxClientId = 128;   // option 61 (longer ones are dropped, counted)
inline constexpr size_t kMaxHostname = 64;    // option 12 as received, truncated to this
inline constexpr size_t kMaxFqdn = 255;       // option 81 domain name field as received
inline constexpr size_t kMaxPrl = 64;         // option 55 codes kept (the rest ignored)
inline constexpr size_t kMaxRelayInfo = 255;  // option 82 payload, echoed verbatim
inline constexpr size_t kMaxPayload = 1200;   // BOOTP message we send (fits any MTU >= 1280)

/// DHCP message types (RFC 2132 §9.6).
enum class MsgType : uint8_t {
    None = 0,
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8
};

/// Lower-case names indexed by MsgType value, for counters, metrics labels and logs.
inline constexpr std::array<std::string_view, 9> kMsgTypeNames{
    "none", "discover", "offer", "request", "decline", "ack", "nak", "release", "inform"};
static_assert(static_cast<size_t>(MsgType::Inform) + 1 == kMsgTypeNames.size());

/// The client-to-server message types (RFC 2131 §3, table 2 / RFC 2132 §9.6): the only ones
/// parse_request accepts.
constexpr bool is_client_message(MsgType t) noexcept {
    switch (t) {
        case MsgType::Discover:
        case MsgType::Request:
        case MsgType::Decline:
        case MsgType::Release:
        case MsgType::Inform:
            return true;
        default:
            return false;
    }
}

/// Where a request came from, so that its answer can go back the same way.
struct ReplyPath {
    uint16_t port_id = 0;
    uint16_t worker = 0;       // worker index (= its queue on the port and its SPSC queues)
    uint32_t iface_index = 0;  // Config::interfaces index of the receiving L3 interface
    uint8_t vlan_count = 0;
    uint16_t vlan_tpid[2] = {0, 0};
    uint16_t vlan_tci[2] = {0, 0};  // as received (PCP/DEI kept)
    net::MacAddr src_mac;           // L2 source: the client or the relay
    uint32_t src_ip = 0;            // IP source of the request, host order
    uint32_t dst_ip = 0;            // IP destination of the request (broadcast or us)
    uint16_t src_port = 0;          // UDP source port
};

/// A parsed DHCPv4 request: what the lease engine needs, nothing else.
struct DhcpRequest {
    ReplyPath path;
    MsgType msg_type = MsgType::None;
    uint8_t hops = 0;
    uint16_t secs = 0;
    uint16_t flags = 0;  // bit 15 = broadcast (RFC 2131 §2)
    uint32_t xid = 0;
    uint32_t ciaddr = 0;  // host order, as all addresses here
    uint32_t giaddr = 0;
    net::MacAddr chaddr;
    uint32_t requested_ip = 0;   // option 50, 0 = absent
    uint32_t server_id = 0;      // option 54, 0 = absent
    uint32_t lease_time = 0;     // option 51 (client's wish), 0 = absent
    uint16_t max_msg_size = 0;   // option 57, 0 = absent
    uint8_t client_id_len = 0;   // option 61, 0 = absent
    uint8_t hostname_len = 0;    // option 12, 0 = absent
    uint8_t prl_len = 0;         // option 55
    uint8_t relay_info_len = 0;  // option 82, 0 = absent
    bool has_fqdn = false;       // option 81 present
    uint8_t fqdn_flags = 0;      // RFC 4702 §2.1: S, O, E, N
    uint8_t fqdn_len = 0;        // bytes of fqdn[] (wire form when E is set, else ASCII)
    uint8_t circuit_id_off = 0, circuit_id_len = 0;  // sub-option 1 within relay_info
    uint8_t remote_id_off = 0, remote_id_len = 0;    // sub-option 2 within relay_info
    uint32_t link_selection = 0;  // RFC 3527 sub-option 5 of option 82, 0 = absent
    uint8_t client_id[kMaxClientId];
    char hostname[kMaxHostname];
    uint8_t prl[kMaxPrl];
    uint8_t fqdn[kMaxFqdn];
    uint8_t relay_info[kMaxRelayInfo];

    bool broadcast_flag() const noexcept { return (flags & 0x8000) != 0; }
};
static_assert(std::is_trivially_copyable_v<DhcpRequest>);

/// The answer: a complete BOOTP message plus its L2/L3/L4 destination (RFC 2131 §4.1).
struct DhcpReply {
    ReplyPath path;                   // copied from the request: port, worker, VLAN tags
    net::MacAddr dst_mac;             // broadcast, chaddr, or the relay's / client's source MAC
    uint32_t dst_ip = 0;              // host order
    uint32_t src_ip = 0;              // our address on the receiving interface
    uint16_t dst_port = kClientPort;  // 67 when sent to a relay
    uint16_t len = 0;                 // bytes of payload
    uint8_t payload[kMaxPayload];
};
static_assert(std::is_trivially_copyable_v<DhcpReply>);

}  // namespace edgelease::dataplane::dhcp
