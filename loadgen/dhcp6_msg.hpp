#pragma once
// The client side of DHCPv6 for the generator (RFC 9915): the messages a client sends
// (Solicit, Request, Renew, Release, §18.2), the Relay-Forward a relay agent wraps them in
// (§19.1), and the fields of an Advertise or Reply, unwrapped from its Relay-Reply, that drive
// the client state machine. Option codes, sizes and status codes come from the appliance's
// vocabulary (dataplane/wire/dhcp6.hpp); this file adds what a server never does: encode a
// client message, decode a server's. No allocation, nothing throws.
#include <cstdint>

#include "common/net.hpp"
#include "dataplane/dhcp/messages6.hpp"
#include "dataplane/wire/dhcp6.hpp"

namespace edgelease::loadgen {

using edgelease::dataplane::dhcp::Msg6Type;

/// One client message to encode. Pointers are views the caller keeps alive for the call.
struct Request6Spec {
    Msg6Type type = Msg6Type::Solicit;
    uint32_t xid = 0;      // transaction id: the low 24 bits are sent
    uint16_t elapsed = 0;  // option 8, hundredths of a second since the exchange began
    const uint8_t* client_id = nullptr;  // option 1: the DUID, 1..130 bytes (required)
    uint8_t client_id_len = 0;
    const uint8_t* server_id = nullptr;  // option 2 (Request, Renew, Release), 0 = absent
    uint8_t server_id_len = 0;
    bool rapid_commit = false;  // option 14 (a Solicit asking for the 2-message exchange)
    bool ia_na = false;         // option 3 with IAID na_iaid, T1 and T2 0 ...
    uint32_t na_iaid = 0;
    bool na_has_addr = false;  // ... and an IAADDR naming na_addr (lifetimes 0)
    net::Ipv6Addr na_addr;
    bool ia_pd = false;  // option 25 with IAID pd_iaid, T1 and T2 0 ...
    uint32_t pd_iaid = 0;
    uint8_t pd_len = 0;  // ... and an IAPREFIX naming pd_prefix/pd_len when pd_len != 0
    net::Ipv6Addr pd_prefix;
    bool oro = true;  // option 6 asking for 23 (DNS servers) and 24 (domain list); never in a
                      // Release (RFC 9915 §18.2.7 lists no ORO for it)
    const char* fqdn = nullptr;  // option 39: flags S, then this one label as a partial name
    uint8_t fqdn_len = 0;        // (RFC 4704 §4.2), 1..63 bytes; 0 = absent
};

/// Encodes a client message (RFC 9915 §8) into out[0..cap): type, transaction id, then
/// options 1, 2, 8, 14, 3, 25, 6, 39 (those that are set, in that order). Returns the
/// length, or 0 when it does not fit or the spec is invalid (no client id, an FQDN label
/// over 63 bytes).
uint16_t encode_request6(const Request6Spec& s, uint8_t* out, uint16_t cap) noexcept;

/// One Relay-Forward level (RFC 9915 §9, §19.1.1) as the emulated relay writes it.
struct RelaySpec {
    uint8_t hop_count = 0;
    net::Ipv6Addr link_addr;  // identifies the client's link: an address of the relay on it
    net::Ipv6Addr peer_addr;  // the client's (link-local) address
    const uint8_t* interface_id = nullptr;  // option 18, 0 bytes = absent
    uint8_t interface_id_len = 0;
};

/// Bytes of the Relay-Forward in front of the client message it carries: the header, the
/// Interface-Id option, the Relay Message option's header. The client message is encoded
/// that far into the buffer, then wrapped in place.
uint16_t relay_forward_overhead(const RelaySpec& r) noexcept;

/// Writes the Relay-Forward header and options into out[0..relay_forward_overhead(r)) around
/// the `inner_len` bytes of client message already after them. Returns the total length, or
/// 0 when it would exceed `cap`.
uint16_t wrap_relay_forward(const RelaySpec& r, uint8_t* out, uint16_t cap,
                            uint16_t inner_len) noexcept;

/// What one IA_NA or IA_PD of a server message says (the first IA of each type).
struct IaReply {
    bool present = false;
    uint32_t iaid = 0;
    uint32_t t1 = 0, t2 = 0;
    bool has_status = false;  // a Status Code option in the IA
    uint16_t status = 0;
    bool bound = false;  // an IAADDR / IAPREFIX with a non-zero valid lifetime: the first one
    net::Ipv6Addr addr;  // its address or prefix
    uint8_t prefix_len = 128;
    uint32_t preferred = 0, valid = 0;
};

/// What the client state machine needs from a server's message. Pointers are views into
/// the datagram parsed (valid while it is).
struct Reply6Info {
    Msg6Type type = Msg6Type::None;  // Advertise or Reply
    uint32_t xid = 0;
    uint8_t relay_levels = 0;  // Relay-Reply levels unwrapped (0: sent to the client directly)
    net::Ipv6Addr link_addr;   // of the outermost Relay-Reply
    net::Ipv6Addr peer_addr;
    const uint8_t* interface_id = nullptr;  // of the outermost Relay-Reply, if it carries one
    uint16_t interface_id_len = 0;
    const uint8_t* client_id = nullptr;
    uint16_t client_id_len = 0;
    const uint8_t* server_id = nullptr;
    uint16_t server_id_len = 0;
    bool rapid_commit = false;
    bool has_status = false;  // a Status Code option at the message level
    uint16_t status = 0;
    IaReply na, pd;
    /// Status Code options met, at the message level and in every IA, by status_slot().
    uint8_t statuses[8] = {};
};

/// Counter slot of a status code: the code itself for 0..6 (Success .. NoPrefixAvail,
/// RFC 9915 §21.13), 7 for any other.
inline constexpr unsigned kStatusSlots = 8;
constexpr unsigned status_slot(uint16_t code) noexcept {
    return code < kStatusSlots - 1 ? code : kStatusSlots - 1;
}
/// "Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink", "UseMulticast",
/// "NoPrefixAvail", "other": the RFC's names, as the JSON report keys them.
const char* status_slot_name(unsigned slot) noexcept;

/// Decodes the UDP payload of a server message (RFC 9915 §8, §9): Relay-Reply levels (up to
/// HOP_COUNT_LIMIT) through their Relay Message option, then an Advertise or a Reply. Options
/// must fit their message exactly (as the appliance's parser demands of clients); unknown
/// ones are skipped. False when it is not such a message or is malformed.
bool parse_reply6(const uint8_t* p, uint16_t len, Reply6Info& out) noexcept;

}  // namespace edgelease::loadgen
