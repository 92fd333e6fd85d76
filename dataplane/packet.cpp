#include "dataplane/packet.hpp"

#include <cstring>

#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dhcp6.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"
#include "dataplane/wire/udp_writer.hpp"

namespace edgelease::dataplane {

using wire::Cursor;
using wire::load_be16;
using wire::load_be32;
using wire::store_be16;
using wire::store_be32;
namespace eth = wire::eth;
namespace vlan = wire::vlan;
namespace arp = wire::arp;
namespace proto = wire::proto;
namespace ipv4 = wire::ipv4;
namespace ipv6 = wire::ipv6;
namespace icmp = wire::icmp;
namespace icmp6 = wire::icmp6;
namespace nd = wire::nd;
namespace udp = wire::udp;

static_assert(ipv6::kSolicitedNodePrefix[11] == 1 && ipv6::kSolicitedNodePrefix[12] == 0xff);

const L3Interface* PortContext::find(uint16_t vlan_id, uint16_t inner_vlan) const noexcept {
    // A port carries a handful of interfaces: a linear scan beats any index.
    for (const auto& ifc : interfaces)
        if (ifc.vlan == vlan_id && ifc.inner_vlan == inner_vlan) return &ifc;
    return nullptr;
}

bool PortContext::owns_v4(const L3Interface& ifc, uint32_t addr_host_order) const noexcept {
    for (const auto& a : ifc.v4)
        if (a.v4.value == addr_host_order) return true;
    return false;
}

bool PortContext::owns_v6(const L3Interface& ifc, const uint8_t* addr16) const noexcept {
    for (const auto& a : ifc.v6)
        if (std::memcmp(a.v6.bytes.data(), addr16, ipv6::kAddrLen) == 0) return true;
    return false;
}

namespace {

Verdict drop(DropReason& why, DropReason reason) noexcept {
    why = reason;
    return Verdict::Drop;
}

/// Everything the per-protocol handlers need about the frame being handled.
struct Ctx {
    const PortContext& port;
    const L3Interface& ifc;
    PacketView& view;
    DropReason& why;
    LcoreStats& stats;

    uint8_t* l3() const noexcept { return view.data + view.l3_off; }
    Verdict drop(DropReason r) const noexcept { return dataplane::drop(why, r); }
    /// For us, not answered here: the kernel's, through the exception path (`why` says what
    /// it is counted as where there is no exception path).
    Verdict kernel(DropReason r) const noexcept {
        why = r;
        view.to_us = true;
        return Verdict::Kernel;
    }
};

/// Answers go back where the frame came from (or to dst_mac), from the port's own MAC.
void set_reply_macs(uint8_t* frame, const uint8_t* dst_mac, const net::MacAddr& our_mac) noexcept {
    // memmove: dst_mac may be the frame's own source field.
    std::memmove(frame + eth::kDstOff, dst_mac, eth::kAddrLen);
    std::memcpy(frame + eth::kSrcOff, our_mac.bytes.data(), eth::kAddrLen);
}

// ---------------------------------------------------------------------------------------
// ARP (RFC 826)

Verdict handle_arp(const Ctx& x) noexcept {
    uint8_t* a = x.l3();
    Cursor c(a, x.view.len - x.view.l3_off);
    uint16_t htype = c.u16();
    uint16_t ptype = c.u16();
    uint8_t hlen = c.u8();
    uint8_t plen = c.u8();
    uint16_t op = c.u16();
    const uint8_t* sha = c.bytes(eth::kAddrLen);
    uint32_t spa = c.u32();
    c.skip(eth::kAddrLen);  // tha: meaningless in a request
    uint32_t tpa = c.u32();
    if (!c.ok() || htype != arp::kHtypeEthernet || ptype != arp::kPtypeIpv4 ||
        hlen != arp::kHlenEthernet || plen != arp::kPlenIpv4)
        return x.drop(DropReason::ArpMalformed);
    // A group sender address is never a station; answering it would flood the reply.
    if (sha[0] & eth::kGroupBit) return x.drop(DropReason::ArpMalformed);
    // A reply to one of our addresses answers the kernel's own request (exception path).
    if (op != arp::kOpRequest)
        return op == arp::kOpReply && x.port.owns_v4(x.ifc, tpa) ? x.kernel(DropReason::ArpIgnored)
                                                                 : x.drop(DropReason::ArpIgnored);
    if (!x.port.owns_v4(x.ifc, tpa)) return x.drop(DropReason::ArpIgnored);
    // A gratuitous request (spa == tpa) announces the sender's binding of that address; it
    // asks nothing. (An RFC 5227 probe has spa 0 and is answered, which defends the address.)
    if (spa == tpa) return x.drop(DropReason::ArpIgnored);

    uint8_t requester[eth::kAddrLen];
    std::memcpy(requester, sha, eth::kAddrLen);
    set_reply_macs(x.view.data, requester, x.port.mac);
    store_be16(a + arp::kOpOff, arp::kOpReply);
    std::memcpy(a + arp::kShaOff, x.port.mac.bytes.data(), eth::kAddrLen);
    store_be32(a + arp::kSpaOff, tpa);
    std::memcpy(a + arp::kThaOff, requester, eth::kAddrLen);
    store_be32(a + arp::kTpaOff, spa);
    x.stats.arp_replies.add();
    return Verdict::Reply;
}

// ---------------------------------------------------------------------------------------
// UDP (RFC 768), shared by IPv4 and IPv6

/// Validates the UDP header at l4_off (l4_len bytes of IP payload) and fills the view's
/// offsets. src4/dst4 are the IPv4 addresses for the pseudo-header (unused for IPv6).
Verdict check_udp(const Ctx& x, size_t l4_off, size_t l4_len, bool v6, uint32_t src4,
                  uint32_t dst4) noexcept {
    const uint8_t* u = x.view.data + l4_off;
    Cursor c(u, l4_len);
    c.skip(udp::kLengthOff);
    uint16_t ulen = c.u16();
    uint16_t sum = c.u16();
    // The UDP length may be shorter than the IP payload (trailing bytes are ignored), never
    // longer.
    if (!c.ok() || ulen < udp::kHeaderLen || ulen > l4_len) return x.drop(DropReason::UdpMalformed);
    if (v6) {
        // RFC 8200 §8.1: a zero UDP checksum is not allowed over IPv6.
        const uint8_t* ip6 = x.l3();
        uint32_t ph =
            wire::pseudo_header_v6(ip6 + ipv6::kSrcOff, ip6 + ipv6::kDstOff, proto::kUdp, ulen);
        if (sum == 0 || !wire::csum_valid(u, ulen, ph)) return x.drop(DropReason::UdpBadChecksum);
    } else if (sum != 0) {  // zero: the sender did not compute one (RFC 768)
        uint32_t ph = wire::pseudo_header_v4(src4, dst4, proto::kUdp, ulen);
        if (!wire::csum_valid(u, ulen, ph)) return x.drop(DropReason::UdpBadChecksum);
    }
    x.view.l4_off = static_cast<uint16_t>(l4_off);
    x.view.payload_off = static_cast<uint16_t>(l4_off + udp::kHeaderLen);
    x.view.payload_len = static_cast<uint16_t>(ulen - udp::kHeaderLen);
    return Verdict::Udp;
}

// ---------------------------------------------------------------------------------------
// IPv4 (RFC 791, RFC 1122) and ICMP echo (RFC 792)

/// 255.255.255.255, or the directed broadcast of one of the interface's subnets (only for
/// prefixes that have one: RFC 3021 /31s and /32s do not).
const net::IfAddress* broadcast_subnet(const L3Interface& ifc, uint32_t dst) noexcept {
    if (ifc.v4.empty()) return nullptr;
    if (dst == ipv4::kLimitedBroadcast) return &ifc.v4.front();
    for (const auto& a : ifc.v4) {
        if (a.prefix_len > 30) continue;
        if ((a.v4.value | ~net::v4_mask(a.prefix_len)) == dst) return &a;
    }
    return nullptr;
}

Verdict handle_icmp4(const Ctx& x, size_t hl, size_t l4_len, uint32_t src, uint32_t dst) noexcept {
    uint8_t* ip = x.l3();
    uint8_t* m = ip + hl;
    Cursor c(m, l4_len);
    uint8_t type = c.u8();
    uint8_t code = c.u8();
    c.skip(icmp::kHeaderLen - 2);
    if (!c.ok()) return x.drop(DropReason::IcmpMalformed);
    if (type != icmp::kEchoRequest || code != 0) return x.kernel(DropReason::IcmpUnhandled);
    // 0.0.0.0 is "this host" before it has an address (RFC 1122 §3.2.1.3): nobody to answer.
    if (src == 0) return x.drop(DropReason::Ipv4Malformed);
    if (!wire::csum_valid(m, l4_len)) return x.drop(DropReason::IcmpBadChecksum);

    // RFC 792: swap the addresses, type 0, and the rest of the message unchanged. The IP
    // options (if any) are left as they were.
    set_reply_macs(x.view.data, x.view.data + eth::kSrcOff, x.port.mac);
    store_be32(ip + ipv4::kSrcOff, dst);
    store_be32(ip + ipv4::kDstOff, src);
    ip[ipv4::kTtlOff] = ipv4::kDefaultTtl;
    store_be16(ip + ipv4::kChecksumOff, 0);
    store_be16(ip + ipv4::kChecksumOff, wire::internet_checksum(ip, hl));
    uint16_t old_word = load_be16(m + icmp::kTypeOff);
    m[icmp::kTypeOff] = icmp::kEchoReply;
    uint16_t new_word = load_be16(m + icmp::kTypeOff);
    uint16_t sum = wire::csum_update16(load_be16(m + icmp::kChecksumOff), old_word, new_word);
    if (sum == 0) {
        // RFC 1624 eqn. 3 cannot tell an all-zero message (checksum 0xffff) from one summing
        // to 0xffff (checksum 0); about one reply in 65536 pays for a full pass.
        store_be16(m + icmp::kChecksumOff, 0);
        sum = wire::internet_checksum(m, l4_len);
    }
    store_be16(m + icmp::kChecksumOff, sum);
    x.view.l4_off = static_cast<uint16_t>(x.view.l3_off + hl);
    x.stats.icmp_echo_replies.add();
    return Verdict::Reply;
}

Verdict handle_ipv4(const Ctx& x) noexcept {
    uint8_t* ip = x.l3();
    size_t avail = x.view.len - x.view.l3_off;
    Cursor c(ip, avail);
    uint8_t ver_ihl = c.u8();
    c.skip(1);  // TOS
    uint16_t total = c.u16();
    c.skip(2);  // identification
    uint16_t frag = c.u16();
    c.skip(1);  // TTL
    uint8_t protocol = c.u8();
    c.skip(2);  // header checksum, verified over the whole header below
    uint32_t src = c.u32();
    uint32_t dst = c.u32();
    if (!c.ok()) return x.drop(DropReason::Ipv4Malformed);
    // RFC 791 §3.1 and RFC 1122 §3.2.1.1-2: version 4, IHL >= 5, and the total length covers
    // the header and fits the frame. What follows it is Ethernet padding, cut off here.
    size_t hl = size_t{ver_ihl & 0x0fu} * 4;
    if ((ver_ihl >> 4) != 4 || (ver_ihl & 0x0f) < ipv4::kMinIhl || total < hl || total > avail)
        return x.drop(DropReason::Ipv4Malformed);
    x.view.len = static_cast<uint16_t>(x.view.l3_off + total);
    const bool sum_ok = hl == ipv4::kMinHeaderLen
                            ? wire::csum_fold(wire::csum_ipv4_header(ip)) == 0xffff
                            : wire::csum_valid(ip, hl);
    if (!sum_ok) return x.drop(DropReason::Ipv4BadChecksum);
    // No reassembly: nothing the appliance serves needs fragments (RFC 1122 §3.3.2 allows it
    // to not reassemble) and holding fragments would mean state on the worker.
    if (frag & (ipv4::kFlagMoreFragments | ipv4::kFragOffsetMask))
        return x.port.owns_v4(x.ifc, dst) ? x.kernel(DropReason::Ipv4Fragment)
                                          : x.drop(DropReason::Ipv4Fragment);
    // RFC 1122 §3.2.1.3: a broadcast or multicast source is invalid and silently discarded.
    if (src == ipv4::kLimitedBroadcast || ipv4::is_multicast(src))
        return x.drop(DropReason::Ipv4Malformed);
    x.view.to_us = x.port.owns_v4(x.ifc, dst);
    if (!x.view.to_us) {
        // Broadcasts are for UDP only (DHCP); an echo to a broadcast is not answered
        // (RFC 1122 §3.2.2.6 allows that, and it keeps us out of smurf amplification).
        if (protocol != proto::kUdp || broadcast_subnet(x.ifc, dst) == nullptr)
            return x.drop(DropReason::Ipv4NotForUs);
    }
    size_t l4_len = total - hl;
    switch (protocol) {
        case proto::kIcmp:
            return handle_icmp4(x, hl, l4_len, src, dst);
        case proto::kUdp:
            return check_udp(x, x.view.l3_off + hl, l4_len, false, src, dst);
        default:
            return x.kernel(DropReason::ProtoUnhandled);  // dst is ours: only UDP may broadcast
    }
}

// ---------------------------------------------------------------------------------------
// IPv6 (RFC 8200), ICMPv6 echo (RFC 4443) and Neighbor Discovery (RFC 4861)

bool is_unspecified(const uint8_t* addr16) noexcept {
    static constexpr uint8_t kZero[ipv6::kAddrLen] = {};
    return std::memcmp(addr16, kZero, ipv6::kAddrLen) == 0;
}

bool is_solicited_node(const uint8_t* addr16) noexcept {
    return std::memcmp(addr16, ipv6::kSolicitedNodePrefix, ipv6::kSolicitedNodePrefixLen) == 0;
}

/// True when addr16 is the solicited-node group of one of the interface's addresses.
bool is_our_solicited_node(const L3Interface& ifc, const uint8_t* addr16) noexcept {
    if (!is_solicited_node(addr16)) return false;
    for (const auto& a : ifc.v6) {
        const uint8_t* low = a.v6.bytes.data() + ipv6::kSolicitedNodePrefixLen;
        if (std::memcmp(low, addr16 + ipv6::kSolicitedNodePrefixLen,
                        ipv6::kAddrLen - ipv6::kSolicitedNodePrefixLen) == 0)
            return true;
    }
    return false;
}

/// Walks the TLV options of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2).
/// An option we do not know (all but Pad1/PadN) whose action bits say "discard" drops the
/// packet; options marked "skip" are skipped. Returns false with `why` set on a drop.
bool ext_options_ok(Cursor opts, DropReason& why) noexcept {
    while (opts.remaining() != 0) {
        uint8_t type = opts.u8();
        if (type == ipv6::kOptPad1) continue;
        uint8_t len = opts.u8();
        opts.skip(len);
        if (!opts.ok()) {
            why = DropReason::Ipv6Malformed;
            return false;
        }
        if ((type >> ipv6::kOptActionShift) != 0) {
            why = DropReason::ProtoUnhandled;
            return false;
        }
    }
    return true;
}

Verdict handle_echo6(const Ctx& x, uint8_t* m, size_t l4_len) noexcept {
    uint8_t* ip6 = x.l3();
    if (l4_len < icmp6::kEchoHeaderLen) return x.drop(DropReason::IcmpMalformed);
    if (m[icmp6::kCodeOff] != 0) return x.drop(DropReason::IcmpUnhandled);
    // RFC 4443 §4.2: the reply goes to the request's source, which must be a unicast.
    if (is_unspecified(ip6 + ipv6::kSrcOff)) return x.drop(DropReason::Ipv6Malformed);

    set_reply_macs(x.view.data, x.view.data + eth::kSrcOff, x.port.mac);
    uint8_t tmp[ipv6::kAddrLen];
    std::memcpy(tmp, ip6 + ipv6::kSrcOff, ipv6::kAddrLen);
    std::memcpy(ip6 + ipv6::kSrcOff, ip6 + ipv6::kDstOff, ipv6::kAddrLen);
    std::memcpy(ip6 + ipv6::kDstOff, tmp, ipv6::kAddrLen);
    ip6[ipv6::kHopLimitOff] = ipv6::kDefaultHopLimit;
    m[icmp6::kTypeOff] = icmp6::kEchoReply;
    store_be16(m + icmp6::kChecksumOff, 0);
    uint32_t ph = wire::pseudo_header_v6(ip6 + ipv6::kSrcOff, ip6 + ipv6::kDstOff, proto::kIcmpv6,
                                         static_cast<uint32_t>(l4_len));
    store_be16(m + icmp6::kChecksumOff, wire::csum_finish(wire::csum_partial(m, l4_len, ph)));
    x.stats.icmp6_echo_replies.add();
    return Verdict::Reply;
}

Verdict handle_solicitation(const Ctx& x, uint8_t* m, size_t l4_len) noexcept {
    uint8_t* ip6 = x.l3();
    const uint8_t* src = ip6 + ipv6::kSrcOff;
    const uint8_t* dst = ip6 + ipv6::kDstOff;
    // RFC 4861 §7.1.1 (the checksum was verified by the caller).
    if (ip6[ipv6::kHopLimitOff] != nd::kHopLimit || m[icmp6::kCodeOff] != 0 ||
        l4_len < nd::kMessageLen)
        return x.drop(DropReason::NdInvalid);
    const uint8_t* target = m + nd::kTargetOff;
    if (ipv6::is_multicast(target)) return x.drop(DropReason::NdInvalid);
    const uint8_t* source_ll = nullptr;
    Cursor opts(m + nd::kOptionsOff, l4_len - nd::kOptionsOff);
    while (opts.remaining() != 0) {
        uint8_t type = opts.u8();
        uint8_t units = opts.u8();
        if (units == 0) return x.drop(DropReason::NdInvalid);
        Cursor body = opts.take(units * nd::kOptUnit - 2);
        if (!opts.ok()) return x.drop(DropReason::NdInvalid);
        if (type == nd::kOptSourceLinkAddr && source_ll == nullptr)
            source_ll = body.bytes(eth::kAddrLen);  // units >= 1 leaves 6 bytes
    }
    bool dad = is_unspecified(src);
    if (dad && (!is_solicited_node(dst) || source_ll != nullptr))
        return x.drop(DropReason::NdInvalid);
    if (!x.port.owns_v6(x.ifc, target)) return x.drop(DropReason::Ipv6NotForUs);

    // RFC 4861 §7.2.4. The advertisement replaces everything after the Ethernet header and
    // VLAN tags (extension headers and unknown options of the solicitation are not kept).
    size_t out_len = x.view.l3_off + ipv6::kHeaderLen + nd::kAdvertLen;
    if (out_len > x.view.cap) return x.drop(DropReason::NoRoom);
    // Copy what the answer needs before overwriting: with extension headers in the
    // solicitation, its target and options overlap the advertisement being written.
    uint8_t tgt[ipv6::kAddrLen];
    std::memcpy(tgt, target, ipv6::kAddrLen);
    uint8_t dst_ip[ipv6::kAddrLen];
    uint8_t dst_mac[eth::kAddrLen];
    if (dad) {
        // The sender has no address yet: tell all nodes (§7.2.4), to 33:33:00:00:00:01
        // (RFC 2464 §7).
        std::memcpy(dst_ip, ipv6::kAllNodes, ipv6::kAddrLen);
        dst_mac[0] = eth::kIpv6MulticastPrefix[0];
        dst_mac[1] = eth::kIpv6MulticastPrefix[1];
        std::memcpy(dst_mac + 2, ipv6::kAllNodes + 12, 4);
    } else {
        std::memcpy(dst_ip, src, ipv6::kAddrLen);
        std::memcpy(dst_mac, source_ll != nullptr ? source_ll : x.view.data + eth::kSrcOff,
                    eth::kAddrLen);
    }
    set_reply_macs(x.view.data, dst_mac, x.port.mac);

    store_be32(ip6 + ipv6::kVerTcFlowOff, 6u << 28);
    store_be16(ip6 + ipv6::kPayloadLenOff, nd::kAdvertLen);
    ip6[ipv6::kNextHeaderOff] = proto::kIcmpv6;
    ip6[ipv6::kHopLimitOff] = nd::kHopLimit;
    std::memcpy(ip6 + ipv6::kSrcOff, tgt, ipv6::kAddrLen);
    std::memcpy(ip6 + ipv6::kDstOff, dst_ip, ipv6::kAddrLen);

    uint8_t* na = ip6 + ipv6::kHeaderLen;
    std::memset(na, 0, nd::kAdvertLen);
    na[icmp6::kTypeOff] = icmp6::kNeighborAdvertisement;
    // R=0 (not a router), S=1 unless answering DAD, O=1 (the address is not anycast).
    na[nd::kFlagsOff] = static_cast<uint8_t>((dad ? 0 : nd::kFlagSolicited) | nd::kFlagOverride);
    std::memcpy(na + nd::kTargetOff, tgt, ipv6::kAddrLen);
    uint8_t* opt = na + nd::kOptionsOff;
    opt[0] = nd::kOptTargetLinkAddr;
    opt[1] = nd::kLinkAddrOptLen / nd::kOptUnit;
    std::memcpy(opt + 2, x.port.mac.bytes.data(), eth::kAddrLen);
    uint32_t ph = wire::pseudo_header_v6(ip6 + ipv6::kSrcOff, ip6 + ipv6::kDstOff, proto::kIcmpv6,
                                         nd::kAdvertLen);
    store_be16(na + icmp6::kChecksumOff,
               wire::csum_finish(wire::csum_partial(na, nd::kAdvertLen, ph)));

    x.view.len = static_cast<uint16_t>(out_len);
    x.view.l4_off = static_cast<uint16_t>(x.view.l3_off + ipv6::kHeaderLen);
    x.stats.nd_adverts.add();
    return Verdict::Reply;
}

Verdict handle_icmp6(const Ctx& x, size_t l4_off, size_t l4_len, bool to_group) noexcept {
    uint8_t* ip6 = x.l3();
    uint8_t* m = x.view.data + l4_off;
    if (l4_len < icmp6::kMinLen) return x.drop(DropReason::IcmpMalformed);
    uint8_t type = m[icmp6::kTypeOff];
    // The solicited-node group is joined for address resolution and DAD only.
    if (to_group && type != icmp6::kNeighborSolicitation) return x.drop(DropReason::Ipv6NotForUs);
    if (type != icmp6::kEchoRequest && type != icmp6::kNeighborSolicitation)
        return x.kernel(DropReason::IcmpUnhandled);  // to our unicast: groups are NS only
    // RFC 4443 §2.3: the checksum covers the pseudo-header (RFC 8200 §8.1).
    uint32_t ph = wire::pseudo_header_v6(ip6 + ipv6::kSrcOff, ip6 + ipv6::kDstOff, proto::kIcmpv6,
                                         static_cast<uint32_t>(l4_len));
    if (!wire::csum_valid(m, l4_len, ph)) return x.drop(DropReason::IcmpBadChecksum);
    x.view.l4_off = static_cast<uint16_t>(l4_off);
    if (type == icmp6::kEchoRequest) return handle_echo6(x, m, l4_len);
    return handle_solicitation(x, m, l4_len);
}

/// RFC 9915 §7.1: All_DHCP_Relay_Agents_and_Servers (clients on the link) and
/// All_DHCP_Servers (relays that multicast).
bool is_dhcp6_group(const uint8_t* addr16) noexcept {
    return std::memcmp(addr16, wire::dhcp6::kAllRelayAgentsAndServers.data(), ipv6::kAddrLen) ==
               0 ||
           std::memcmp(addr16, wire::dhcp6::kAllServers.data(), ipv6::kAddrLen) == 0;
}

/// UDP to a group that is none of the interface's unicast addresses: only DHCPv6 to the
/// server port, on an interface with an IPv6 address to answer from, may use the DHCPv6
/// groups; everything else to them, and to any other group, is not for us.
Verdict check_dhcp6_group(const Ctx& x, const uint8_t* src, const uint8_t* dst, size_t l4_off,
                          size_t l4_len) noexcept {
    if (!is_dhcp6_group(dst) || x.ifc.v6.empty()) return x.drop(DropReason::Ipv6NotForUs);
    // A header too short to hold the port is check_udp's UdpMalformed.
    if (l4_len >= udp::kHeaderLen &&
        load_be16(x.view.data + l4_off + udp::kDstPortOff) != wire::dhcp6::kServerPort)
        return x.drop(DropReason::Ipv6NotForUs);
    // A client sends from its link-local address, a relay from one of its own: the
    // unspecified address is nobody to answer.
    if (is_unspecified(src)) return x.drop(DropReason::Ipv6Malformed);
    return check_udp(x, l4_off, l4_len, true, 0, 0);
}

Verdict handle_ipv6(const Ctx& x) noexcept {
    uint8_t* ip6 = x.l3();
    size_t avail = x.view.len - x.view.l3_off;
    Cursor c(ip6, avail);
    uint8_t ver = c.u8() >> 4;
    c.skip(3);  // traffic class, flow label
    uint16_t payload_len = c.u16();
    uint8_t next = c.u8();
    c.skip(1 + 2 * ipv6::kAddrLen);  // hop limit, addresses
    if (!c.ok() || ver != 6 || payload_len > c.remaining())
        return x.drop(DropReason::Ipv6Malformed);
    // Anything past the payload length is Ethernet padding. (A jumbogram's zero payload
    // length is not supported: it then has no payload and fails below.)
    x.view.len = static_cast<uint16_t>(x.view.l3_off + ipv6::kHeaderLen + payload_len);
    const uint8_t* src = ip6 + ipv6::kSrcOff;
    const uint8_t* dst = ip6 + ipv6::kDstOff;
    // RFC 4291 §2.7: multicast addresses must not be used as source addresses.
    if (ipv6::is_multicast(src)) return x.drop(DropReason::Ipv6Malformed);

    // RFC 8200 §4.1: Hop-by-Hop only first; Destination Options may precede the upper
    // layer. Each header is at least 8 bytes, so the walk ends within payload_len / 8 steps.
    Cursor ext(ip6 + ipv6::kHeaderLen, payload_len);
    bool first = true;
    while (next != proto::kUdp && next != proto::kIcmpv6) {
        switch (next) {
            case proto::kHopByHop:
                if (!first) return x.drop(DropReason::Ipv6Malformed);
                [[fallthrough]];
            case proto::kDestOptions: {
                next = ext.u8();
                size_t len = (size_t{ext.u8()} + 1) * ipv6::kExtMinLen;
                Cursor opts = ext.take(len - 2);
                if (!ext.ok()) return x.drop(DropReason::Ipv6Malformed);
                if (!ext_options_ok(opts, x.why)) return Verdict::Drop;
                break;
            }
            case proto::kFragment:
                return x.port.owns_v6(x.ifc, dst) ? x.kernel(DropReason::Ipv6Fragment)
                                                  : x.drop(DropReason::Ipv6Fragment);
            default:  // Routing, No Next Header, TCP, ...
                return x.port.owns_v6(x.ifc, dst) ? x.kernel(DropReason::ProtoUnhandled)
                                                  : x.drop(DropReason::ProtoUnhandled);
        }
        first = false;
    }

    size_t l4_off = x.view.l3_off + ipv6::kHeaderLen + ext.offset();
    size_t l4_len = ext.remaining();
    if (x.port.owns_v6(x.ifc, dst)) {
        x.view.to_us = true;
        if (next == proto::kIcmpv6) return handle_icmp6(x, l4_off, l4_len, false);
        return check_udp(x, l4_off, l4_len, true, 0, 0);
    }
    // The groups an interface listens to: its solicited-node groups for ND, and the DHCPv6
    // groups for datagrams to the server port.
    if (next == proto::kIcmpv6) {
        if (!is_our_solicited_node(x.ifc, dst)) return x.drop(DropReason::Ipv6NotForUs);
        return handle_icmp6(x, l4_off, l4_len, true);
    }
    return check_dhcp6_group(x, src, dst, l4_off, l4_len);
}

// ---------------------------------------------------------------------------------------
// UDP answers

bool turn_around(const PortContext& port, PacketView& view, uint16_t new_payload_len,
                 const uint8_t* dst_mac, const uint32_t* dst_v4, DropReason& why) noexcept {
    size_t min_ip = view.is_v6 ? ipv6::kHeaderLen : ipv4::kMinHeaderLen;
    // The view must be one handle_frame returned Verdict::Udp for.
    if (view.data == nullptr || view.iface == nullptr || view.l4_off < view.l3_off + min_ip ||
        view.payload_off != view.l4_off + udp::kHeaderLen) {
        why = DropReason::UdpMalformed;
        return false;
    }
    if (size_t{view.payload_off} + new_payload_len > view.cap) {
        why = DropReason::NoRoom;
        return false;
    }
    uint8_t* ip = view.data + view.l3_off;
    uint32_t new_src4 = 0;
    uint32_t new_dst4 = 0;
    if (!view.is_v6) {
        uint32_t old_src = load_be32(ip + ipv4::kSrcOff);
        uint32_t old_dst = load_be32(ip + ipv4::kDstOff);
        new_src4 = old_dst;
        if (!port.owns_v4(*view.iface, old_dst)) {
            const net::IfAddress* a = broadcast_subnet(*view.iface, old_dst);
            if (a == nullptr) {
                why = DropReason::Ipv4NotForUs;
                return false;
            }
            new_src4 = a->v4.value;
        }
        new_dst4 = dst_v4 != nullptr ? *dst_v4 : old_src;
    }

    // Drop IPv4 options / IPv6 extension headers: they described the request's path.
    size_t l4 = view.l3_off + min_ip;
    size_t udp_len = udp::kHeaderLen + size_t{new_payload_len};
    if (l4 != view.l4_off) std::memmove(view.data + l4, view.data + view.l4_off, udp_len);
    uint8_t* u = view.data + l4;

    set_reply_macs(view.data, dst_mac != nullptr ? dst_mac : view.data + eth::kSrcOff, port.mac);

    // The reply goes back to where the request came from: the ports swap.
    const uint16_t reply_src_port = load_be16(u + udp::kDstPortOff);
    const uint16_t reply_dst_port = load_be16(u + udp::kSrcPortOff);
    if (view.is_v6) {
        ip[ipv6::kNextHeaderOff] = proto::kUdp;
        store_be16(ip + ipv6::kPayloadLenOff, static_cast<uint16_t>(udp_len));
        ip[ipv6::kHopLimitOff] = ipv6::kDefaultHopLimit;
        uint8_t tmp[ipv6::kAddrLen];
        std::memcpy(tmp, ip + ipv6::kSrcOff, ipv6::kAddrLen);
        std::memcpy(ip + ipv6::kSrcOff, ip + ipv6::kDstOff, ipv6::kAddrLen);
        std::memcpy(ip + ipv6::kDstOff, tmp, ipv6::kAddrLen);
        wire::write_udp_header(u, reply_src_port, reply_dst_port, static_cast<uint16_t>(udp_len),
                               wire::pseudo_header_v6(ip + ipv6::kSrcOff, ip + ipv6::kDstOff,
                                                      proto::kUdp, static_cast<uint32_t>(udp_len)));
    } else {
        // The request's TOS, ID and DF go back as they came (its fragment fields were checked
        // to be clear: fragments are dropped before this).
        const wire::Ipv4Marks marks{ip[ipv4::kTosOff], load_be16(ip + ipv4::kIdOff),
                                    load_be16(ip + ipv4::kFlagsFragOff)};
        wire::write_ipv4_udp(ip, new_src4, new_dst4, reply_src_port, reply_dst_port,
                             new_payload_len, marks);
    }

    view.l4_off = static_cast<uint16_t>(l4);
    view.payload_off = static_cast<uint16_t>(l4 + udp::kHeaderLen);
    view.payload_len = new_payload_len;
    view.len = static_cast<uint16_t>(l4 + udp_len);
    return true;
}

}  // namespace

Verdict handle_frame(const PortContext& port, PacketView& view, DropReason& why,
                     LcoreStats& stats) noexcept {
    view.vlan_count = 0;
    view.l3_off = view.l4_off = view.payload_off = view.payload_len = 0;
    view.is_v6 = false;
    view.to_us = false;
    view.iface = nullptr;
    if (view.data == nullptr || view.len < eth::kHeaderLen) return drop(why, DropReason::Runt);
    const uint8_t* d = view.data;
    // Unicast frames must be ours; broadcast and multicast are filtered by the IP layer.
    if ((d[eth::kDstOff] & eth::kGroupBit) == 0 &&
        std::memcmp(d + eth::kDstOff, port.mac.bytes.data(), eth::kAddrLen) != 0)
        return drop(why, DropReason::NotForUs);

    Cursor c(d, view.len);
    c.skip(eth::kTypeOff);
    uint16_t type = c.u16();
    uint16_t vid[vlan::kMaxTags] = {0, 0};
    uint8_t tags = 0;
    while (vlan::is_tpid(type)) {
        if (tags == vlan::kMaxTags) return drop(why, DropReason::VlanTooDeep);
        uint16_t tci = c.u16();
        type = c.u16();
        if (!c.ok()) return drop(why, DropReason::Runt);
        vid[tags++] = tci & vlan::kVidMask;
    }
    const L3Interface* ifc = port.find(vid[0], vid[1]);
    if (ifc == nullptr) return drop(why, DropReason::VlanUnknown);
    view.iface = ifc;
    view.vlan_count = tags;
    view.l3_off = static_cast<uint16_t>(c.offset());

    Ctx x{port, *ifc, view, why, stats};
    switch (type) {
        case eth::kTypeArp:
            return handle_arp(x);
        case eth::kTypeIpv4:
            return handle_ipv4(x);
        case eth::kTypeIpv6:
            view.is_v6 = true;
            return handle_ipv6(x);
        default:
            return drop(why, DropReason::EtherTypeUnknown);
    }
}

const net::Ipv6Addr* reply_source_v6(const PortContext& port, uint32_t iface_index,
                                     const net::Ipv6Addr& dst) noexcept {
    const auto link_local = [](const net::Ipv6Addr& a) {  // fe80::/10 (RFC 4291 §2.5.6)
        return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
    };
    for (const auto& ifc : port.interfaces) {
        if (ifc.index != iface_index) continue;
        const bool want_ll = link_local(dst);
        for (const auto& a : ifc.v6)
            if (link_local(a.v6) == want_ll) return &a.v6;
        return ifc.v6.empty() ? nullptr : &ifc.v6.front().v6;
    }
    return nullptr;
}

uint16_t udp_dst_port(const PacketView& view) noexcept {
    return load_be16(view.data + view.l4_off + udp::kDstPortOff);
}

bool turn_around_udp(const PortContext& port, PacketView& view, uint16_t new_payload_len,
                     DropReason& why) noexcept {
    return turn_around(port, view, new_payload_len, nullptr, nullptr, why);
}

bool turn_around_udp_to(const PortContext& port, PacketView& view, uint16_t new_payload_len,
                        const net::MacAddr& dst_mac, net::Ipv4Addr dst_ip,
                        DropReason& why) noexcept {
    if (view.is_v6) {
        why = DropReason::ProtoUnhandled;
        return false;
    }
    return turn_around(port, view, new_payload_len, dst_mac.bytes.data(), &dst_ip.value, why);
}

}  // namespace edgelease::dataplane
