#pragma once
// The messages that cross between worker lcores and the control lcore for DHCPv6 (RFC 9915).
// Like their DHCPv4 siblings (messages.hpp) they are small, trivially copyable, fixed-size
// structs moved through the SPSC queues of a DhcpChannel. A worker parses a client message,
// unwrapping any Relay-Forward nesting, into Dhcp6Request; the control lcore answers with a
// Dhcp6Reply holding the complete DHCPv6 payload (already wrapped in the Relay-Reply
// messages the relays expect) and where it must go; the worker builds the frame.
#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "common/net.hpp"
#include "dataplane/dhcp/reply_copy.hpp"  // copy_reply

namespace edgelease::dataplane::dhcp {

inline constexpr uint16_t kServerPort6 = 547;  // servers and relays listen here
inline constexpr uint16_t kClientPort6 = 546;

inline constexpr size_t kMaxDuid = 130;        // RFC 9915 §11.1: type (2) + at most 128 octets
inline constexpr size_t kMaxIas = 8;           // IA_NA + IA_PD options kept per message
inline constexpr size_t kMaxIaHints = 2;       // IAADDR / IAPREFIX options kept per IA
inline constexpr size_t kMaxRelays = 8;        // RFC 9915 §7.6 HOP_COUNT_LIMIT
inline constexpr size_t kMaxRelayBytes = 512;  // interface-id, remote-id, subscriber-id bytes
inline constexpr size_t kMaxOro = 32;          // option codes kept from the ORO (6)
inline constexpr size_t kMaxFqdn6 = 255;       // option 39 domain name field as received
inline constexpr size_t kMaxPayload6 = 1232;   // DHCPv6 payload we send (IPv6 min MTU 1280)

/// DHCPv6 message types (RFC 9915 §7.3).
enum class Msg6Type : uint8_t {
    None = 0,
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
    RelayForward = 12,
    RelayReply = 13,
};

/// Lower-case names indexed by Msg6Type value, for counters, metrics labels and logs.
inline constexpr std::array<std::string_view, 14> kMsg6TypeNames{
    "none",          "solicit",    "advertise", "request", "confirm",     "renew",
    "rebind",        "reply",      "release",   "decline", "reconfigure", "information_request",
    "relay_forward", "relay_reply"};
static_assert(static_cast<size_t>(Msg6Type::RelayReply) + 1 == kMsg6TypeNames.size());

/// The client-to-server message types (RFC 9915 §7.3): the only ones parse_request6 accepts.
constexpr bool is_client_message6(Msg6Type t) noexcept {
    switch (t) {
        case Msg6Type::Solicit:
        case Msg6Type::Request:
        case Msg6Type::Confirm:
        case Msg6Type::Renew:
        case Msg6Type::Rebind:
        case Msg6Type::Release:
        case Msg6Type::Decline:
        case Msg6Type::InformationRequest:
            return true;
        default:
            return false;
    }
}

/// Where a DHCPv6 request came from, so that its answer can go back the same way.
struct ReplyPath6 {
    uint16_t port_id = 0;
    uint16_t worker = 0;       // worker index (= its queue on the port and its SPSC queues)
    uint32_t iface_index = 0;  // Config::interfaces index of the receiving L3 interface
    uint8_t vlan_count = 0;
    uint16_t vlan_tpid[2] = {0, 0};
    uint16_t vlan_tci[2] = {0, 0};  // as received (PCP/DEI kept)
    net::MacAddr src_mac;           // L2 source: the client or the relay
    net::Ipv6Addr src_ip;           // IP source of the datagram (client link-local or relay)
    net::Ipv6Addr dst_ip;           // IP destination (ff02::1:2, ff05::1:3 or one of ours)
    uint16_t src_port = 0;          // UDP source port
};

/// One IA_NA (3) or IA_PD (25) option of a client message, with the addresses or prefixes
/// the client put in it (its hints, or what it holds when renewing).
struct Ia6 {
    static constexpr uint16_t kNa = 3;
    static constexpr uint16_t kPd = 25;
    uint16_t type = kNa;  // option code: kNa or kPd
    uint32_t iaid = 0;
    uint32_t t1 = 0;  // as the client sent them (hints only)
    uint32_t t2 = 0;
    uint8_t hint_count = 0;  // entries in hints[] (extra IAADDR/IAPREFIX are ignored)
    struct Hint {
        net::Ipv6Addr addr;        // IAADDR address or IAPREFIX prefix
        uint8_t prefix_len = 128;  // 128 for IAADDR; the IAPREFIX length otherwise
        uint32_t preferred = 0;
        uint32_t valid = 0;
    } hints[kMaxIaHints];
};

/// One Relay-Forward level, outermost first. The Relay-Reply for it echoes hop_count,
/// link_addr and peer_addr, and the interface-id (18) when the relay sent one.
struct RelayHop {
    uint8_t hop_count = 0;
    net::Ipv6Addr link_addr;  // RFC 9915 §9: identifies the client's link (may be ::)
    net::Ipv6Addr peer_addr;  // the client's or the next relay's address
    bool has_interface_id = false;
    uint16_t interface_id_off = 0;  // within Dhcp6Request::relay_bytes
    uint16_t interface_id_len = 0;
};

/// A parsed DHCPv6 client message, relay chain unwrapped: what the lease engine needs.
struct Dhcp6Request {
    ReplyPath6 path;
    Msg6Type msg_type = Msg6Type::None;  // the client's message (never a relay type)
    uint32_t xid = 0;                    // 24-bit transaction id

    uint8_t relay_count = 0;  // 0 = the client sent it directly
    RelayHop relays[kMaxRelays];
    bool relay_source_port = false;  // RFC 8357 option 135 in the outermost Relay-Forward

    // From the relay chain (the innermost level carrying each), in relay_bytes.
    uint16_t remote_id_off = 0, remote_id_len = 0;          // option 37, enterprise no. + id
    uint16_t subscriber_id_off = 0, subscriber_id_len = 0;  // option 38
    bool has_client_ll = false;                             // option 79 (RFC 6939)
    uint16_t client_ll_type = 0;                            // its hardware type (1 = Ethernet)
    net::MacAddr client_ll;                                 // when type 1 with 6 bytes
    uint16_t relay_bytes_len = 0;
    uint8_t relay_bytes[kMaxRelayBytes];

    uint8_t client_id_len = 0;  // option 1, 0 = absent
    uint8_t server_id_len = 0;  // option 2, 0 = absent
    uint8_t client_id[kMaxDuid];
    uint8_t server_id[kMaxDuid];

    uint8_t ia_count = 0;        // entries in ias[]
    bool ias_truncated = false;  // the message held more IAs than kMaxIas (the rest ignored)
    Ia6 ias[kMaxIas];

    bool rapid_commit = false;        // option 14
    bool has_elapsed = false;         // option 8
    uint16_t elapsed = 0;             // hundredths of a second
    bool reconfigure_accept = false;  // option 20
    uint8_t oro_len = 0;              // codes kept from option 6
    uint16_t oro[kMaxOro];
    bool has_fqdn = false;   // option 39 (RFC 4704)
    uint8_t fqdn_flags = 0;  // N, O, S
    uint8_t fqdn_len = 0;    // bytes of fqdn[]: the domain name in wire form, possibly partial
    uint8_t fqdn[kMaxFqdn6];
};
static_assert(std::is_trivially_copyable_v<Dhcp6Request>);

/// The answer: a complete DHCPv6 payload (a Reply or Advertise, or a Relay-Reply wrapping
/// one) plus its L2/L3/L4 destination.
struct Dhcp6Reply {
    ReplyPath6 path;                   // copied from the request: port, worker, VLAN tags
    net::MacAddr dst_mac;              // the request's L2 source
    net::Ipv6Addr dst_ip;              // the client's link-local address or the outermost relay
    net::Ipv6Addr src_ip;              // our address on the receiving interface; :: leaves
                                       // the choice to the worker (reply_source_v6)
    uint16_t dst_port = kClientPort6;  // 547 to a relay (or its source port, RFC 8357)
    uint16_t len = 0;                  // bytes of payload
    uint8_t payload[kMaxPayload6];
};
static_assert(std::is_trivially_copyable_v<Dhcp6Reply>);

}  // namespace edgelease::dataplane::dhcp
