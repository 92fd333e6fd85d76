#pragma once
// Per-lcore packet counters. Each lcore owns one LcoreStats and is its only writer;
// readers (telemetry, the periodic log line, later the API) sum them across lcores.
#include <array>
#include <cstdint>
#include <string_view>

#include "common/counter.hpp"

namespace edgelease::dataplane {

/// Why a frame was not answered. Every received frame ends as exactly one of: a reply,
/// a hand-off to a service, or a drop with one of these reasons.
enum class DropReason : uint8_t {
    Runt,              // shorter than the headers it claims
    NotForUs,          // unicast destination MAC is not the port's
    VlanTooDeep,       // more than two VLAN tags
    VlanUnknown,       // no [[interfaces]] entry for this port and VLAN tags
    EtherTypeUnknown,  // not ARP, IPv4 or IPv6
    ArpMalformed,      // not Ethernet/IPv4 ARP, or truncated
    ArpIgnored,        // a reply, or a request for an address that is not ours
    Ipv4Malformed,     // bad version, IHL or total length
    Ipv4BadChecksum,   // header checksum wrong (RFC 791)
    Ipv4Fragment,      // MF set or fragment offset non-zero
    Ipv4NotForUs,      // destination is none of the interface's addresses
    Ipv6Malformed,     // bad version or payload length, truncated extension header
    Ipv6Fragment,      // carries a fragment header
    Ipv6NotForUs,      // not to our unicast, our solicited-node group (ICMPv6) nor the DHCPv6
                       // groups (UDP to port 547)
    IcmpMalformed,     // truncated ICMP/ICMPv6
    IcmpBadChecksum,
    IcmpUnhandled,   // ICMP type we do not answer (anything but echo request)
    NdInvalid,       // Neighbor Solicitation failing RFC 4861 §7.1.1 validation
    ProtoUnhandled,  // IP protocol other than ICMP/ICMPv6/UDP (e.g. TCP)
    UdpMalformed,    // UDP length wrong or truncated
    UdpBadChecksum,
    UdpNoService,     // UDP to a port we do not serve
    DnsUnanswerable,  // to port 53 but not a query we answer (too short, QR set)
    DhcpMalformed,    // to port 67 but not a DHCPv4 request we accept (see dhcp parse errors)
    DhcpQueueFull,    // the queue to the control lcore was full
    Dhcp6Malformed,   // to port 547 but not a DHCPv6 client message we accept (see dhcp6 parse
                      // errors)
    Dhcp6QueueFull,   // the DHCPv6 queue to the control lcore was full
    NoRoom,           // reply would not fit in the buffer
    MultiSegment,     // chained mbuf; the appliance only handles single-segment frames
    TxFull,           // the TX queue did not take the reply
    KernelQueueFull,  // the exception path's queue to the kernel did not take the frame
    DnsRateLimited,   // an answer over [dns.rrl] rate, not slipped (dataplane/dns/rrl.hpp)
    DhcpShed,         // a DISCOVER or INFORM shed: the queue to the control lcore was deep
    DhcpRepeat,       // a DHCPv4 client repeated itself faster than its retransmission timer
    Dhcp6Shed,        // a SOLICIT or INFORMATION-REQUEST shed: the queue was deep
    Dhcp6Repeat,      // a DHCPv6 client repeated itself faster than its retransmission timer
    Count
};

inline constexpr std::array<std::string_view, static_cast<size_t>(DropReason::Count)>
    kDropReasonNames = {
        "runt",
        "not_for_us",
        "vlan_too_deep",
        "vlan_unknown",
        "ethertype_unknown",
        "arp_malformed",
        "arp_ignored",
        "ipv4_malformed",
        "ipv4_bad_checksum",
        "ipv4_fragment",
        "ipv4_not_for_us",
        "ipv6_malformed",
        "ipv6_fragment",
        "ipv6_not_for_us",
        "icmp_malformed",
        "icmp_bad_checksum",
        "icmp_unhandled",
        "nd_invalid",
        "proto_unhandled",
        "udp_malformed",
        "udp_bad_checksum",
        "udp_no_service",
        "dns_unanswerable",
        "dhcp_malformed",
        "dhcp_queue_full",
        "dhcp6_malformed",
        "dhcp6_queue_full",
        "no_room",
        "multi_segment",
        "tx_full",
        "kernel_queue_full",
        "dns_rate_limited",
        "dhcp_shed",
        "dhcp_repeat",
        "dhcp6_shed",
        "dhcp6_repeat",
};

static_assert(!kDropReasonNames.back().empty(), "a DropReason has no name");

constexpr std::string_view drop_reason_name(DropReason r) {
    return kDropReasonNames[static_cast<size_t>(r)];
}

/// Counters of one lcore. Cache-aligned so that lcores never share a line.
struct alignas(64) LcoreStats {
    Counter rx_packets;
    Counter rx_bytes;
    Counter tx_packets;
    Counter tx_bytes;
    Counter arp_replies;
    Counter icmp_echo_replies;
    Counter nd_adverts;
    Counter icmp6_echo_replies;
    std::array<Counter, static_cast<size_t>(DropReason::Count)> drops;
    // The exception path (dataplane/exception.hpp): frames for our addresses handed to the
    // kernel, the kernel's frames sent out through the port, and those of its frames kept
    // off the wire (router solicitations, MLD and IGMP reports).
    Counter to_kernel;
    Counter from_kernel;
    Counter kernel_filtered;
    Counter loops;        // poll-loop iterations
    Counter idle_sleeps;  // back-off sleeps taken
    Counter idle_naps;    // coalescing naps before blocking ([dpdk].coalesce_us)

    void drop(DropReason r) noexcept { drops[static_cast<size_t>(r)].add(); }
};

}  // namespace edgelease::dataplane
