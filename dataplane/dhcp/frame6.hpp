#pragma once
// What a worker does with a DHCPv6 datagram (RFC 9915): parse it, Relay-Forward chain and
// all, into the request message for the control lcore (parse_request6), and build the reply
// frame from the control lcore's reply message (build_reply_frame6). Worker lcores:
// noexcept, no allocation, bounds-checked, on plain byte buffers (no DPDK).
#include <array>
#include <cstdint>
#include <string_view>

#include "common/net.hpp"
#include "dataplane/dhcp/messages6.hpp"
#include "dataplane/wire/dhcp6.hpp"

namespace edgelease::dataplane::dhcp {

/// Why a datagram to port 547 was not handed to the control plane.
enum class Parse6Error : uint8_t {
    None,
    Truncated,            // shorter than the header its type needs: 4 bytes for a client
                          // message, 34 for a Relay-Forward (RFC 9915 §8, §9)
    NotClientMessage,     // the innermost message is not one a client sends (§7.3): Advertise,
                          // Reply, Reconfigure, Relay-Reply, type 0 or unknown; servers drop
                          // those (§16)
    OptionOverrun,        // an option (or an IA sub-option) runs past the end of its message
                          // (or its IA), or fewer than 4 bytes are left for an option header
    BadOption,            // a length its definition forbids, or a second instance of an option
                          // that may appear once (see parse_request6)
    TooManyRelays,        // more than kMaxRelays Relay-Forward levels, or a hop-count above
                          // HOP_COUNT_LIMIT (§19.1.1)
    NoRelayMessage,       // a Relay-Forward without a Relay Message option (9)
    DuidTooLong,          // a Client or Server Identifier over kMaxDuid bytes (§11.1)
    RelayOptionsTooLong,  // the interface-ids, remote-id and subscriber-id kept exceed
                          // kMaxRelayBytes
    NoClientId,           // a message that must carry a Client Identifier lacks it (§16)
    NoServerId,           // Request, Renew, Decline or Release without a Server Identifier
    UnexpectedServerId,   // Solicit, Confirm or Rebind with a Server Identifier (§16)
};

/// Lower-case names indexed by Parse6Error value, for counters and metrics labels.
inline constexpr std::array<std::string_view, 12> kParse6ErrorNames{"none",
                                                                    "truncated",
                                                                    "not_client_message",
                                                                    "option_overrun",
                                                                    "bad_option",
                                                                    "too_many_relays",
                                                                    "no_relay_message",
                                                                    "duid_too_long",
                                                                    "relay_options_too_long",
                                                                    "no_client_id",
                                                                    "no_server_id",
                                                                    "unexpected_server_id"};
static_assert(static_cast<size_t>(Parse6Error::UnexpectedServerId) + 1 == kParse6ErrorNames.size());

/// Parses the UDP payload of a datagram sent to port 547 into `out` (every field but `path`,
/// which the caller fills). Reads only p[0..len); writes only `out`. On an error `out` is
/// partly filled and must not be used. The rules, in the order the bytes are met:
///
/// Relay chain (RFC 9915 §9, §19.1.1). A Relay-Forward (12) is unwrapped through its Relay
/// Message option (9), in a bounded loop rather than by recursion, until a client message is
/// reached. Each level is recorded outermost first in relays[]: hop-count, link-address,
/// peer-address and its Interface-Id (18, any length, copied into relay_bytes). A relay agent
/// forwards a Relay-Forward only while its hop-count is below HOP_COUNT_LIMIT (8), so a
/// compliant chain has hop-counts of at most 8; a larger one, or more than kMaxRelays (8)
/// levels, is TooManyRelays. (RFC-compliant relays could build 9 levels, hop-counts 0..8; a
/// 9th level is refused here, which bounds Dhcp6Request.) Per level:
/// - option 9 is required (NoRelayMessage) and may appear once; what it holds is the next
///   level, which must be a Relay-Forward or a client message (NotClientMessage).
/// - Remote-Id (37, RFC 4649 §3): at least its 4-byte enterprise number. Subscriber-Id (38,
///   RFC 4580): at least 1 byte. Client Link-Layer Address (79, RFC 6939 §4): a 2-byte
///   hardware type and at least 1 byte of address, exactly 6 for Ethernet (type 1, which is
///   also decoded into client_ll). Relay Source Port (135, RFC 8357 §5): exactly 2 bytes.
///   Any other length is BadOption. Of 37, 38 and 79 the innermost occurrence is kept (the
///   relay closest to the client knows the subscriber); 37 and 38, enterprise number
///   included, are copied into relay_bytes after the interface-ids. relay_source_port says
///   whether the outermost level carries 135 (the Relay-Reply then goes to the UDP source
///   port, RFC 8357 §5); inner instances are checked and ignored.
/// - 9, 18, 37, 38, 79 and 135 may each appear once per level, else BadOption.
/// - More relay bytes than kMaxRelayBytes is RelayOptionsTooLong.
///
/// Client message (§8, §7.3): Solicit, Request, Confirm, Renew, Rebind, Release, Decline or
/// Information-request; the 24-bit transaction id follows the type. Its options (§21):
/// - Client and Server Identifier (1, 2): a DUID of 1..kMaxDuid bytes (0 is BadOption, over
///   kMaxDuid DuidTooLong), copied whole, type included.
/// - IA_NA (3, §21.4) and IA_PD (25, §21.21): at least the 12-byte IAID, T1, T2, then
///   sub-options that must exactly fill the option (OptionOverrun). IAADDR (5) in an IA_NA
///   needs its 24 fixed bytes, IAPREFIX (26) in an IA_PD its 25 and a prefix length of at
///   most 128 (BadOption otherwise); their own sub-options are not read. The first kMaxIas
///   IAs are kept in message order (more sets ias_truncated) with each IA's first
///   kMaxIaHints addresses or prefixes (an IAADDR is kept with prefix_len 128); the rest are
///   still checked. Other sub-options, and IAADDR in an IA_PD or IAPREFIX in an IA_NA, are
///   skipped. IA_TA (4), obsoleted by RFC 9915, is skipped like any unknown option.
/// - Option Request (6): an even length; its first kMaxOro codes are kept.
/// - Elapsed Time (8): exactly 2 bytes. Rapid Commit (14) and Reconfigure Accept (20):
///   exactly 0 bytes.
/// - Client FQDN (39, RFC 4704 §4): a flags byte, then a domain name of at most kMaxFqdn6
///   bytes in wire form: labels of 1..63 bytes, no compression, optionally closed by the root
///   label (a partial name, §4.2, or an empty one, is allowed). fqdn[] holds the name as
///   received.
/// - 1, 2, 6, 8, 14, 20 and 39 may each appear once, else BadOption. IA_NA and IA_PD repeat.
/// - Every other option, relay options in a client message included, is skipped.
/// Message validation (§16), after the options: every message but Information-request needs
/// a Client Identifier (NoClientId); Request, Renew, Decline and Release need a Server
/// Identifier (NoServerId); Solicit, Confirm and Rebind must not carry one
/// (UnexpectedServerId). Whether a Server Identifier is ours is for the control lcore.
Parse6Error parse_request6(const uint8_t* p, uint16_t len, Dhcp6Request& out) noexcept;

/// Builds the complete frame for a reply: Ethernet (dst = r.dst_mac, src = port_mac), the
/// request's VLAN tags, IPv6 (r.src_ip -> r.dst_ip, traffic class and flow label 0, hop limit
/// 64: RFC 9915 sets none for what a server sends), UDP (547 -> r.dst_port, with the checksum
/// IPv6 makes mandatory, RFC 8200 §8.1), payload. When r.src_ip is :: (the control lcore left
/// the source to the worker) it is `*src_if_unspecified` instead; without one the frame is
/// refused, as :: is no server's source (RFC 4291 §2.5.2). Returns the frame length, 0 if it
/// is refused or exceeds cap (or r.len > kMaxPayload6, or more than 2 tags). A recorded TPID
/// of 0 is sent as 0x8100.
uint16_t build_reply_frame6(const net::MacAddr& port_mac, const Dhcp6Reply& r, uint8_t* buf,
                            uint16_t cap,
                            const net::Ipv6Addr* src_if_unspecified = nullptr) noexcept;

}  // namespace edgelease::dataplane::dhcp
