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

}  // namespace edgelease::loadgen
