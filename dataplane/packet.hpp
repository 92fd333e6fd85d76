#pragma once
// The pure packet path of a worker: validation, classification and the answers that the
// data plane gives inline (ARP, ICMP echo, IPv6 ND, ICMPv6 echo). Works on a byte buffer
// (the mbuf's data) so it is unit-tested without EAL. Everything here is noexcept, does
// not allocate and does not log: failures are a DropReason.
#include <cstdint>
#include <vector>

#include "common/net.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::dataplane {

/// One layer-3 interface on a port: the addresses configured for one (vlan, inner_vlan).
struct L3Interface {
    uint16_t vlan = 0;               // outer VLAN ID, 0 = untagged
    uint16_t inner_vlan = 0;         // inner VLAN ID for QinQ, 0 = none
    uint32_t index = 0;              // position in Config::interfaces
    std::vector<net::IfAddress> v4;  // IPv4 addresses with prefix
    std::vector<net::IfAddress> v6;  // IPv6 addresses with prefix, link-local included
};

/// What a worker knows about one port. Built at start-up; read-only on the hot path.
struct PortContext {
    uint16_t port_id = 0;
    net::MacAddr mac;
    std::vector<L3Interface> interfaces;

    /// The interface for these VLAN IDs, or nullptr.
    const L3Interface* find(uint16_t vlan, uint16_t inner_vlan) const noexcept;
    bool owns_v4(const L3Interface& ifc, uint32_t addr_host_order) const noexcept;
    bool owns_v6(const L3Interface& ifc, const uint8_t* addr16) const noexcept;
};

/// A frame being handled: the buffer plus offsets found in one validation pass.
struct PacketView {
    uint8_t* data = nullptr;  // start of the Ethernet header
    uint16_t len = 0;         // bytes of frame (trimmed to the IP length once known)
    uint16_t cap = 0;         // bytes writable from data (for replies longer than the request)
    uint8_t vlan_count = 0;
    uint16_t l3_off = 0;       // after the Ethernet header and VLAN tags
    uint16_t l4_off = 0;       // after the IP header (and IPv6 extension headers)
    uint16_t payload_off = 0;  // UDP payload
    uint16_t payload_len = 0;
    bool is_v6 = false;
    bool to_us = false;  // to one of the interface's unicast addresses (not a group/broadcast)
    const L3Interface* iface = nullptr;
};

enum class Verdict : uint8_t {
    Drop,    // `why` says why
    Reply,   // the frame in data[0..len) was rewritten into the answer; send it on the same port
    Udp,     // a valid UDP datagram addressed to us; offsets in the view are filled in
    Kernel,  // for one of our unicast addresses but not answered here (TCP and other protocols,
             // ICMP other than echo and NS, fragments, ARP replies): the exception path's, or
             // a drop for `why` where there is none
};

/// Validates and classifies one received frame; answers ARP, ICMP echo, NS and ICMPv6 echo
/// in place. `view.data/len/cap` must be set by the caller; every other field of the view is
/// overwritten. Bumps only the answer counters (arp_replies, icmp_echo_replies, nd_adverts,
/// icmp6_echo_replies): a dropped frame is counted by the caller from `why`, as are rx/tx.
/// A Reply keeps the VLAN tags and may be longer than the request (a Neighbor Advertisement
/// to a solicitation without options), never past `cap`; view.len is its new length.
Verdict handle_frame(const PortContext& port, PacketView& view, DropReason& why,
                     LcoreStats& stats) noexcept;

/// The address an answer to `dst` leaves from when its sender left the choice to the worker
/// (a DHCPv6 reply to a request sent to a multicast group): of the IPv6 addresses of the
/// port's interface with Config index `iface_index`, the first link-local one when `dst` is
/// link-local and the first other one otherwise (RFC 6724 §5 rule 2: a source of the
/// destination's scope), else whichever it has. nullptr when the interface has no IPv6
/// address or is not on this port. The pointer lives as long as the PortContext.
const net::Ipv6Addr* reply_source_v6(const PortContext& port, uint32_t iface_index,
                                     const net::Ipv6Addr& dst) noexcept;

/// UDP destination port of a view for which handle_frame returned Verdict::Udp.
uint16_t udp_dst_port(const PacketView& view) noexcept;

/// Turns a received UDP datagram into its answer in place: swaps MACs, addresses and ports,
/// sets the new payload length (the payload at view.payload_off has already been written),
/// recomputes lengths and the IPv4 header checksum and the UDP checksum. Returns false
/// (NoRoom) when the answer does not fit in view.cap. Updates view.len.
/// IPv4 options and IPv6 extension headers of the request are not copied into the answer
/// (the UDP header and payload move up; view.l4_off and view.payload_off follow). The
/// source address is the one the request was sent to, or for a broadcast request the
/// interface address of that subnet (the first IPv4 address for 255.255.255.255).
/// TTL / hop limit 64; the UDP checksum is always computed.
bool turn_around_udp(const PortContext& port, PacketView& view, uint16_t new_payload_len,
                     DropReason& why) noexcept;

/// As turn_around_udp for IPv4, but sends the answer to dst_mac / dst_ip instead of back to
/// the request's source: DHCP answers go to the broadcast address or to the offered address
/// (RFC 2131 §4.1). Returns false (ProtoUnhandled) on an IPv6 view.
bool turn_around_udp_to(const PortContext& port, PacketView& view, uint16_t new_payload_len,
                        const net::MacAddr& dst_mac, net::Ipv4Addr dst_ip,
                        DropReason& why) noexcept;

}  // namespace edgelease::dataplane
