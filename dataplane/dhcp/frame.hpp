#pragma once
// What a worker does with a DHCPv4 datagram: parse it into the request message for the
// control lcore (parse_request), and build the reply frame from the control lcore's reply
// message (build_reply_frame). Worker lcores: noexcept, no allocation, bounds-checked, on
// plain byte buffers (no DPDK).
#include <cstdint>

#include "common/net.hpp"
#include "dataplane/dhcp/messages.hpp"
#include "dataplane/wire/dhcp.hpp"

namespace edgelease::dataplane::dhcp {

/// Why a datagram to port 67 was not handed to the control plane.
enum class ParseError : uint8_t {
    None,
    Truncated,        // shorter than the fixed header + cookie
    NotRequest,       // op != BOOTREQUEST (1)
    BadHardware,      // htype != 1 (Ethernet) or hlen != 6
    NoCookie,         // magic cookie missing: plain BOOTP, not served
    OptionOverrun,    // an option runs past the end of its area, or no END where required
    BadOption,        // an option with a length its definition forbids (e.g. option 50 of 3 bytes)
    NoMessageType,    // option 53 missing
    BadMessageType,   // option 53 not 1..8, or a server-to-client type
    ClientIdTooLong,  // option 61 longer than kMaxClientId
};

/// Parses the UDP payload of a datagram sent to port 67 into `out` (all fields but `path`,
/// which the caller fills). Honours option overload (52) into `file` and `sname`, and
/// concatenates split options (RFC 3396) for 12, 55, 61, 81, 82.
/// Reads only p[0..len); writes only `out`. On an error `out` is partly filled and must not
/// be used. On success:
/// - the options field may lack END (the datagram's end closes it); `file` and `sname`, when
///   overloaded, must each hold an END (RFC 2131 §4.1).
/// - a fixed-size option (50, 51, 52, 53, 54, 57) with a wrong length, or appearing twice
///   (RFC 3396 would join the parts into a wrong length), is BadOption.
/// - 55 keeps its first kMaxPrl codes; 12 is cut to kMaxHostname bytes; 61 of 0 or 1 byte
///   is BadOption (RFC 2132 §9.14: at least 2); 82 over kMaxRelayInfo bytes is BadOption.
/// - 81: fewer than 3 bytes, or a name over kMaxFqdn bytes, is BadOption. With the E flag,
///   fqdn[] is checked to be labels of 1..63 bytes, optionally closed by the root label
///   (RFC 4702 §2.3 allows a partial name), no compression; without E it is raw ASCII,
///   unchecked.
/// - 82: sub-options must exactly fill the payload, and sub-option 5 be 4 bytes, else
///   BadOption. The first instance of sub-options 1 and 2 is indexed.
ParseError parse_request(const uint8_t* p, uint16_t len, DhcpRequest& out) noexcept;

/// Builds the complete frame for a reply: Ethernet (dst = r.dst_mac, src = port_mac), the
/// request's VLAN tags, IPv4 (r.src_ip -> r.dst_ip, TTL 64, DF clear, checksum), UDP
/// (67 -> r.dst_port, checksum), payload. Returns the frame length, 0 if it exceeds cap
/// (or r.len > kMaxPayload, or more than 2 tags). A recorded TPID of 0 is sent as 0x8100.
uint16_t build_reply_frame(const net::MacAddr& port_mac, const DhcpReply& r, uint8_t* buf,
                           uint16_t cap) noexcept;

}  // namespace edgelease::dataplane::dhcp
