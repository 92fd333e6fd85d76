#include "loadgen/frame.hpp"

#include <cstring>

#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/udp_writer.hpp"

namespace edgelease::loadgen {

using wire::load_be16;
using wire::load_be32;
using wire::store_be16;
using wire::store_be32;

uint16_t udp_checksum_from_partial(uint32_t partial) noexcept {
    const uint16_t sum = wire::csum_finish(partial);
    return sum == 0 ? 0xffff : sum;  // RFC 768: zero means "no checksum"
}

uint16_t finish_udp_frame(uint8_t* buf, uint16_t cap, const UdpEndpoints& e,
                          uint16_t payload_len) noexcept {
    const uint32_t total = uint32_t{kUdpHeadersLen} + payload_len;
    if (total > cap) return 0;

    std::memcpy(buf + wire::eth::kDstOff, e.dst_mac.bytes.data(), wire::eth::kAddrLen);
    std::memcpy(buf + wire::eth::kSrcOff, e.src_mac.bytes.data(), wire::eth::kAddrLen);
    store_be16(buf + wire::eth::kTypeOff, wire::eth::kTypeIpv4);

    wire::write_ipv4_udp(buf + kIpOff, e.src_ip, e.dst_ip, e.src_port, e.dst_port, payload_len);
    return static_cast<uint16_t>(total);
}

bool parse_udp_frame(const uint8_t* f, uint16_t len, RxUdp& out) noexcept {
    wire::Cursor c(f, len);
    const uint8_t* dst = c.bytes(wire::eth::kAddrLen);
    c.skip(wire::eth::kAddrLen);
    if (c.u16() != wire::eth::kTypeIpv4) return false;
    const uint8_t* ip = c.position();
    const uint8_t ver_ihl = c.u8();
    c.skip(1);
    const uint16_t ip_total = c.u16();
    c.skip(2);
    const uint16_t frag = c.u16();
    c.skip(1);
    const uint8_t proto = c.u8();
    c.skip(2);
    const uint32_t src = c.u32();
    const uint32_t dsta = c.u32();
    if (!c.ok() || (ver_ihl >> 4) != 4 || proto != wire::proto::kUdp) return false;
    const size_t ihl = size_t{ver_ihl & 0x0fu} * 4;
    if (ihl < wire::ipv4::kMinHeaderLen || ip_total < ihl + wire::udp::kHeaderLen) return false;
    if ((frag & (wire::ipv4::kFlagMoreFragments | wire::ipv4::kFragOffsetMask)) != 0) return false;
    const size_t ip_avail = len - static_cast<size_t>(ip - f);
    if (ip_total > ip_avail) return false;
    wire::Cursor u(ip + ihl, ip_total - ihl);
    const uint16_t sport = u.u16();
    const uint16_t dport = u.u16();
    const uint16_t ulen = u.u16();
    u.skip(2);
    if (!u.ok() || ulen < wire::udp::kHeaderLen || ulen > ip_total - ihl) return false;
    out.dst_mac = dst;
    out.src_ip = src;
    out.dst_ip = dsta;
    out.src_port = sport;
    out.dst_port = dport;
    out.payload = u.position();
    out.payload_len = static_cast<uint16_t>(ulen - wire::udp::kHeaderLen);
    return true;
}

uint16_t build_arp_request(uint8_t* buf, uint16_t cap, const net::MacAddr& sha, uint32_t spa,
                           uint32_t tpa) noexcept {
    if (cap < kArpFrameLen) return 0;
    std::memset(buf, 0, kArpFrameLen);
    std::memset(buf + wire::eth::kDstOff, 0xff, wire::eth::kAddrLen);
    std::memcpy(buf + wire::eth::kSrcOff, sha.bytes.data(), wire::eth::kAddrLen);
    store_be16(buf + wire::eth::kTypeOff, wire::eth::kTypeArp);
    uint8_t* a = buf + wire::eth::kHeaderLen;
    store_be16(a + wire::arp::kHtypeOff, wire::arp::kHtypeEthernet);
    store_be16(a + wire::arp::kPtypeOff, wire::arp::kPtypeIpv4);
    a[wire::arp::kHlenOff] = wire::arp::kHlenEthernet;
    a[wire::arp::kPlenOff] = wire::arp::kPlenIpv4;
    store_be16(a + wire::arp::kOpOff, wire::arp::kOpRequest);
    std::memcpy(a + wire::arp::kShaOff, sha.bytes.data(), wire::eth::kAddrLen);
    store_be32(a + wire::arp::kSpaOff, spa);
    store_be32(a + wire::arp::kTpaOff, tpa);  // tha stays zero: unknown, as asked
    return kArpFrameLen;
}

bool parse_arp_from(const uint8_t* f, uint16_t len, uint32_t spa, net::MacAddr& out) noexcept {
    if (len < wire::eth::kHeaderLen + wire::arp::kLen) return false;
    if (load_be16(f + wire::eth::kTypeOff) != wire::eth::kTypeArp) return false;
    const uint8_t* a = f + wire::eth::kHeaderLen;
    if (load_be16(a + wire::arp::kHtypeOff) != wire::arp::kHtypeEthernet ||
        load_be16(a + wire::arp::kPtypeOff) != wire::arp::kPtypeIpv4 ||
        a[wire::arp::kHlenOff] != wire::arp::kHlenEthernet ||
        a[wire::arp::kPlenOff] != wire::arp::kPlenIpv4)
        return false;
    if (load_be32(a + wire::arp::kSpaOff) != spa) return false;
    std::memcpy(out.bytes.data(), a + wire::arp::kShaOff, wire::eth::kAddrLen);
    return true;
}

// ---- IPv6 -------------------------------------------------------------------------------

uint16_t finish_udp6_frame(uint8_t* buf, uint16_t cap, const Udp6Endpoints& e,
                           uint16_t payload_len) noexcept {
    const uint32_t total = uint32_t{kUdp6HeadersLen} + payload_len;
    if (total > cap) return 0;
    std::memcpy(buf + wire::eth::kDstOff, e.dst_mac.bytes.data(), wire::eth::kAddrLen);
    std::memcpy(buf + wire::eth::kSrcOff, e.src_mac.bytes.data(), wire::eth::kAddrLen);
    store_be16(buf + wire::eth::kTypeOff, wire::eth::kTypeIpv6);
    wire::write_ipv6_udp(buf + kIp6Off, e.src_ip.bytes.data(), e.dst_ip.bytes.data(), e.src_port,
                         e.dst_port, payload_len, e.hop_limit);
    return static_cast<uint16_t>(total);
}

bool parse_udp6_frame(const uint8_t* f, uint16_t len, RxUdp6& out) noexcept {
    if (len < kUdp6HeadersLen) return false;
    if (load_be16(f + wire::eth::kTypeOff) != wire::eth::kTypeIpv6) return false;
    const uint8_t* ip = f + kIp6Off;
    if ((ip[wire::ipv6::kVerTcFlowOff] >> 4) != 6 ||
        ip[wire::ipv6::kNextHeaderOff] != wire::proto::kUdp)
        return false;
    const uint16_t plen = load_be16(ip + wire::ipv6::kPayloadLenOff);
    if (plen > len - kUdp6Off || plen < wire::udp::kHeaderLen) return false;
    const uint8_t* u = f + kUdp6Off;
    const uint16_t ulen = load_be16(u + wire::udp::kLengthOff);
    if (ulen < wire::udp::kHeaderLen || ulen > plen) return false;
    out.dst_mac = f + wire::eth::kDstOff;
    out.src_ip = ip + wire::ipv6::kSrcOff;
    out.dst_ip = ip + wire::ipv6::kDstOff;
    out.src_port = load_be16(u + wire::udp::kSrcPortOff);
    out.dst_port = load_be16(u + wire::udp::kDstPortOff);
    out.payload = u + wire::udp::kHeaderLen;
    out.payload_len = static_cast<uint16_t>(ulen - wire::udp::kHeaderLen);
    return true;
}

net::MacAddr ipv6_multicast_mac(const net::Ipv6Addr& group) noexcept {
    net::MacAddr m;
    m.bytes[0] = wire::eth::kIpv6MulticastPrefix[0];
    m.bytes[1] = wire::eth::kIpv6MulticastPrefix[1];
    std::memcpy(m.bytes.data() + 2, group.bytes.data() + 12, 4);
    return m;
}

uint16_t build_neighbor_solicitation(uint8_t* buf, uint16_t cap, const net::MacAddr& sha,
                                     const net::Ipv6Addr& src,
                                     const net::Ipv6Addr& target) noexcept {
    namespace nd = wire::nd;
    namespace ipv6 = wire::ipv6;
    if (cap < kNsFrameLen) return 0;
    std::memset(buf, 0, kNsFrameLen);
    // RFC 4291 §2.7.1: ff02::1:ff00:0/104 plus the target's low 24 bits.
    net::Ipv6Addr group;
    std::memcpy(group.bytes.data(), ipv6::kSolicitedNodePrefix, ipv6::kSolicitedNodePrefixLen);
    std::memcpy(group.bytes.data() + ipv6::kSolicitedNodePrefixLen,
                target.bytes.data() + ipv6::kSolicitedNodePrefixLen,
                ipv6::kAddrLen - ipv6::kSolicitedNodePrefixLen);
    const net::MacAddr dst = ipv6_multicast_mac(group);
    std::memcpy(buf + wire::eth::kDstOff, dst.bytes.data(), wire::eth::kAddrLen);
    std::memcpy(buf + wire::eth::kSrcOff, sha.bytes.data(), wire::eth::kAddrLen);
    store_be16(buf + wire::eth::kTypeOff, wire::eth::kTypeIpv6);
    uint8_t* ip = buf + kIp6Off;
    constexpr uint16_t icmp_len = nd::kMessageLen + nd::kLinkAddrOptLen;
    store_be32(ip + ipv6::kVerTcFlowOff, uint32_t{6} << 28);
    store_be16(ip + ipv6::kPayloadLenOff, icmp_len);
    ip[ipv6::kNextHeaderOff] = wire::proto::kIcmpv6;
    ip[ipv6::kHopLimitOff] = nd::kHopLimit;
    std::memcpy(ip + ipv6::kSrcOff, src.bytes.data(), ipv6::kAddrLen);
    std::memcpy(ip + ipv6::kDstOff, group.bytes.data(), ipv6::kAddrLen);
    uint8_t* m = ip + ipv6::kHeaderLen;
    m[wire::icmp6::kTypeOff] = wire::icmp6::kNeighborSolicitation;
    std::memcpy(m + nd::kTargetOff, target.bytes.data(), ipv6::kAddrLen);
    uint8_t* o = m + nd::kOptionsOff;
    o[0] = nd::kOptSourceLinkAddr;
    o[1] = nd::kLinkAddrOptLen / nd::kOptUnit;
    std::memcpy(o + 2, sha.bytes.data(), wire::eth::kAddrLen);
    const uint32_t ph = wire::pseudo_header_v6(ip + ipv6::kSrcOff, ip + ipv6::kDstOff,
                                               wire::proto::kIcmpv6, icmp_len);
    store_be16(m + wire::icmp6::kChecksumOff,
               wire::csum_finish(wire::csum_partial(m, icmp_len, ph)));
    return kNsFrameLen;
}

bool parse_neighbor_advert(const uint8_t* f, uint16_t len, const net::Ipv6Addr& target,
                           net::MacAddr& out) noexcept {
    namespace nd = wire::nd;
    namespace ipv6 = wire::ipv6;
    if (len < kIp6Off + ipv6::kHeaderLen + nd::kMessageLen) return false;
    if (load_be16(f + wire::eth::kTypeOff) != wire::eth::kTypeIpv6) return false;
    const uint8_t* ip = f + kIp6Off;
    if (ip[ipv6::kNextHeaderOff] != wire::proto::kIcmpv6 || ip[ipv6::kHopLimitOff] != nd::kHopLimit)
        return false;
    const size_t plen = load_be16(ip + ipv6::kPayloadLenOff);
    if (plen < nd::kMessageLen || plen > size_t{len} - kIp6Off - ipv6::kHeaderLen) return false;
    const uint8_t* m = ip + ipv6::kHeaderLen;
    if (m[wire::icmp6::kTypeOff] != wire::icmp6::kNeighborAdvertisement ||
        std::memcmp(m + nd::kTargetOff, target.bytes.data(), ipv6::kAddrLen) != 0)
        return false;
    std::memcpy(out.bytes.data(), f + wire::eth::kSrcOff, wire::eth::kAddrLen);
    wire::Cursor opts(m + nd::kOptionsOff, plen - nd::kOptionsOff);
    while (opts.remaining() >= 2) {
        const uint8_t type = opts.u8();
        const uint8_t units = opts.u8();
        if (units == 0) break;
        const uint8_t* body = opts.bytes(size_t{units} * nd::kOptUnit - 2);
        if (!opts.ok()) break;
        if (type == nd::kOptTargetLinkAddr) {
            std::memcpy(out.bytes.data(), body, wire::eth::kAddrLen);
            break;
        }
    }
    return true;
}

}  // namespace edgelease::loadgen
