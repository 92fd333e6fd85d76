#pragma once
// Test helpers: frames built byte by byte, a reference RFC 1071 checksum written the
// obvious way (16-bit words), the test port and a harness that runs handle_frame on a heap
// buffer of exactly the frame's capacity so that ASan sees any access past it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "common/net.hpp"
#include "dataplane/packet.hpp"

namespace edgelease::dataplane {
// Readable names in assertion failures.
inline void PrintTo(DropReason r, std::ostream* os) {
    *os << drop_reason_name(r);
}
inline void PrintTo(Verdict v, std::ostream* os) {
    *os << (v == Verdict::Drop     ? "Drop"
            : v == Verdict::Reply  ? "Reply"
            : v == Verdict::Kernel ? "Kernel"
                                   : "Udp");
}
}  // namespace edgelease::dataplane

namespace edgelease::dataplane::test {

using Bytes = std::vector<uint8_t>;

inline net::MacAddr mac(std::string_view s) {
    return *net::parse_mac(s);
}
inline uint32_t ip4(std::string_view s) {
    return net::parse_ipv4(s)->value;
}
inline net::Ipv6Addr ip6(std::string_view s) {
    return *net::parse_ipv6(s);
}

inline const net::MacAddr kOurMac = mac("02:00:00:00:00:01");
inline const net::MacAddr kPeerMac = mac("02:00:00:00:00:99");
inline const net::MacAddr kBroadcastMac = mac("ff:ff:ff:ff:ff:ff");

// ---- byte writing and reading ---------------------------------------------------------

inline void put8(Bytes& b, uint8_t v) {
    b.push_back(v);
}
inline void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
inline void put(Bytes& b, const Bytes& more) {
    // resize + memcpy rather than insert: GCC 12 -O2 warns falsely (-Wstringop-overread)
    // on vector::insert after push_back.
    size_t n = b.size();
    b.resize(n + more.size());
    if (!more.empty()) std::memcpy(b.data() + n, more.data(), more.size());
}
inline void put(Bytes& b, const net::MacAddr& m) {
    b.insert(b.end(), m.bytes.begin(), m.bytes.end());
}
inline void put(Bytes& b, const net::Ipv6Addr& a) {
    b.insert(b.end(), a.bytes.begin(), a.bytes.end());
}
inline Bytes cat(Bytes a, const Bytes& b) {
    put(a, b);
    return a;
}

inline uint16_t get16(const Bytes& b, size_t off) {
    return static_cast<uint16_t>(b.at(off) << 8 | b.at(off + 1));
}
inline uint32_t get32(const Bytes& b, size_t off) {
    return uint32_t{get16(b, off)} << 16 | get16(b, off + 2);
}
inline Bytes slice(const Bytes& b, size_t off, size_t n) {
    EXPECT_LE(off + n, b.size());
    if (off + n > b.size()) return {};
    return Bytes(b.begin() + static_cast<ptrdiff_t>(off),
                 b.begin() + static_cast<ptrdiff_t>(off + n));
}
inline net::MacAddr get_mac(const Bytes& b, size_t off) {
    net::MacAddr m;
    for (size_t i = 0; i < 6; ++i) m.bytes[i] = b.at(off + i);
    return m;
}
inline net::Ipv6Addr get_ip6(const Bytes& b, size_t off) {
    net::Ipv6Addr a;
    for (size_t i = 0; i < 16; ++i) a.bytes[i] = b.at(off + i);
    return a;
}

// ---- reference checksum -----------------------------------------------------------------

/// RFC 1071 §4.1, literally: 16-bit big-endian words, odd byte padded, carries folded.
inline uint16_t ref_sum(const Bytes& b) {
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < b.size(); i += 2) s += uint32_t{b[i]} << 8 | b[i + 1];
    if (b.size() % 2) s += uint32_t{b.back()} << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(s);
}
inline uint16_t ref_checksum(const Bytes& b) {
    return static_cast<uint16_t>(~ref_sum(b));
}
/// True when b (checksum included) verifies.
inline bool ref_valid(const Bytes& b) {
    return ref_sum(b) == 0xffff;
}

inline Bytes pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len) {
    Bytes b;
    put32(b, src);
    put32(b, dst);
    put8(b, 0);
    put8(b, proto);
    put16(b, len);
    return b;
}
inline Bytes pseudo6(const net::Ipv6Addr& src, const net::Ipv6Addr& dst, uint32_t len,
                     uint8_t next) {
    Bytes b;
    put(b, src);
    put(b, dst);
    put32(b, len);
    put16(b, 0);
    put8(b, 0);
    put8(b, next);
    return b;
}

// ---- headers ----------------------------------------------------------------------------

struct Tag {
    uint16_t tpid;
    uint16_t vid;
};

inline Bytes ether(const net::MacAddr& dst, const net::MacAddr& src, uint16_t type,
                   const std::vector<Tag>& tags = {}) {
    Bytes b;
    put(b, dst);
    put(b, src);
    for (const auto& t : tags) {
        put16(b, t.tpid);
        put16(b, static_cast<uint16_t>(0xa000 | t.vid));  // PCP 5: must be masked off
    }
    put16(b, type);
    return b;
}

inline Bytes arp(uint16_t op, const net::MacAddr& sha, uint32_t spa, const net::MacAddr& tha,
                 uint32_t tpa) {
    Bytes b;
    put16(b, 1);
    put16(b, 0x0800);
    put8(b, 6);
    put8(b, 4);
    put16(b, op);
    put(b, sha);
    put32(b, spa);
    put(b, tha);
    put32(b, tpa);
    return b;
}

struct Ip4 {
    uint32_t src = 0;
    uint32_t dst = 0;
    uint8_t proto = 0;
    uint8_t ttl = 57;
    uint16_t id = 0x1234;
    uint16_t frag = 0x4000;  // DF
    Bytes options;           // a multiple of 4 bytes
};

inline Bytes ipv4(const Ip4& h, const Bytes& payload) {
    Bytes b;
    put8(b, static_cast<uint8_t>(0x40 | (5 + h.options.size() / 4)));
    put8(b, 0x10);
    put16(b, static_cast<uint16_t>(20 + h.options.size() + payload.size()));
    put16(b, h.id);
    put16(b, h.frag);
    put8(b, h.ttl);
    put8(b, h.proto);
    put16(b, 0);
    put32(b, h.src);
    put32(b, h.dst);
    put(b, h.options);
    uint16_t c = ref_checksum(b);
    b[10] = static_cast<uint8_t>(c >> 8);
    b[11] = static_cast<uint8_t>(c);
    put(b, payload);
    return b;
}

inline Bytes icmp4(uint8_t type, uint8_t code, uint16_t id, uint16_t seq, const Bytes& data) {
    Bytes b;
    put8(b, type);
    put8(b, code);
    put16(b, 0);
    put16(b, id);
    put16(b, seq);
    put(b, data);
    uint16_t c = ref_checksum(b);
    b[2] = static_cast<uint8_t>(c >> 8);
    b[3] = static_cast<uint8_t>(c);
    return b;
}

/// UDP with a checksum over the given pseudo-header (an empty one: checksum 0).
inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload, const Bytes& pseudo) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, static_cast<uint16_t>(8 + payload.size()));
    put16(b, 0);
    put(b, payload);
    if (!pseudo.empty()) {
        uint16_t c = ref_checksum(cat(pseudo, b));
        if (c == 0) c = 0xffff;
        b[6] = static_cast<uint8_t>(c >> 8);
        b[7] = static_cast<uint8_t>(c);
    }
    return b;
}
inline Bytes udp4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                  const Bytes& payload) {
    return udp(sport, dport, payload,
               pseudo4(src, dst, 17, static_cast<uint16_t>(8 + payload.size())));
}
inline Bytes udp6(const net::Ipv6Addr& src, const net::Ipv6Addr& dst, uint16_t sport,
                  uint16_t dport, const Bytes& payload) {
    return udp(sport, dport, payload,
               pseudo6(src, dst, static_cast<uint32_t>(8 + payload.size()), 17));
}

struct Ip6 {
    net::Ipv6Addr src;
    net::Ipv6Addr dst;
    uint8_t next = 58;
    uint8_t hop = 64;
};

inline Bytes ipv6(const Ip6& h, const Bytes& payload) {
    Bytes b;
    put32(b, 0x60012345);  // traffic class 0, flow label 0x12345
    put16(b, static_cast<uint16_t>(payload.size()));
    put8(b, h.next);
    put8(b, h.hop);
    put(b, h.src);
    put(b, h.dst);
    put(b, payload);
    return b;
}

/// ICMPv6 message: type, code, checksum (computed), then body.
inline Bytes icmp6(const net::Ipv6Addr& src, const net::Ipv6Addr& dst, uint8_t type, uint8_t code,
                   const Bytes& body) {
    Bytes b;
    put8(b, type);
    put8(b, code);
    put16(b, 0);
    put(b, body);
    uint16_t c = ref_checksum(cat(pseudo6(src, dst, static_cast<uint32_t>(b.size()), 58), b));
    b[2] = static_cast<uint8_t>(c >> 8);
    b[3] = static_cast<uint8_t>(c);
    return b;
}

/// Neighbor Solicitation body (after type/code/checksum): reserved, target, options.
inline Bytes ns_body(const net::Ipv6Addr& target, std::optional<net::MacAddr> source_ll,
                     const Bytes& extra_options = {}) {
    Bytes b;
    put32(b, 0);
    put(b, target);
    if (source_ll) {
        put8(b, 1);
        put8(b, 1);
        put(b, *source_ll);
    }
    put(b, extra_options);
    return b;
}

inline Bytes echo6_body(uint16_t id, uint16_t seq, const Bytes& data) {
    Bytes b;
    put16(b, id);
    put16(b, seq);
    put(b, data);
    return b;
}

inline net::Ipv6Addr solicited_node(const net::Ipv6Addr& a) {
    net::Ipv6Addr g = ip6("ff02::1:ff00:0");
    g.bytes[13] = a.bytes[13];
    g.bytes[14] = a.bytes[14];
    g.bytes[15] = a.bytes[15];
    return g;
}

inline Bytes pattern(size_t n, uint8_t seed = 0) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7 + 3);
    return b;
}

// ---- the port under test ------------------------------------------------------------------

inline net::IfAddress ifaddr(std::string_view s) {
    return *net::parse_if_address(s);
}

/// Untagged: 198.18.0.1/24, 2001:db8::1/64 and the EUI-64 link-local.
/// VLAN 100: 198.18.1.1/24, 2001:db8:1::1/64. QinQ 200/300: 198.18.2.1/24, 198.18.3.0/31,
/// 2001:db8:2::1/64. VLAN 400: no addresses at all.
inline PortContext test_port() {
    PortContext p;
    p.port_id = 0;
    p.mac = kOurMac;
    L3Interface untagged;
    untagged.index = 0;
    untagged.v4 = {ifaddr("198.18.0.1/24")};
    net::IfAddress ll;
    ll.is_v6 = true;
    ll.v6 = net::link_local_from_mac(kOurMac);
    ll.prefix_len = 64;
    untagged.v6 = {ifaddr("2001:db8::1/64"), ll};
    L3Interface tagged;
    tagged.vlan = 100;
    tagged.index = 1;
    tagged.v4 = {ifaddr("198.18.1.1/24")};
    tagged.v6 = {ifaddr("2001:db8:1::1/64")};
    L3Interface qinq;
    qinq.vlan = 200;
    qinq.inner_vlan = 300;
    qinq.index = 2;
    qinq.v4 = {ifaddr("198.18.2.1/24"), ifaddr("198.18.3.0/31")};
    qinq.v6 = {ifaddr("2001:db8:2::1/64")};
    L3Interface bare;
    bare.vlan = 400;
    bare.index = 3;
    p.interfaces = {untagged, tagged, qinq, bare};
    return p;
}

// ---- running handle_frame -----------------------------------------------------------------

/// One received frame in a heap buffer of exactly `frame.size() + tailroom` bytes.
struct Rx {
    std::unique_ptr<uint8_t[]> buf;
    size_t size = 0;
    PacketView view;
    Verdict verdict = Verdict::Drop;
    DropReason why = DropReason::Count;
    LcoreStats stats;

    /// The frame as it is now (the answer after a Reply): data[0..view.len).
    Bytes out() const { return Bytes(view.data, view.data + view.len); }
};

inline std::unique_ptr<Rx> load(const Bytes& frame, size_t tailroom = 0) {
    auto rx = std::make_unique<Rx>();
    rx->size = frame.size() + tailroom;
    rx->buf.reset(new uint8_t[rx->size]);
    if (!frame.empty()) std::memcpy(rx->buf.get(), frame.data(), frame.size());
    std::memset(rx->buf.get() + frame.size(), 0xee, tailroom);
    rx->view.data = rx->buf.get();
    rx->view.len = static_cast<uint16_t>(frame.size());
    rx->view.cap = static_cast<uint16_t>(rx->size);
    return rx;
}

inline std::unique_ptr<Rx> receive(const PortContext& port, const Bytes& frame,
                                   size_t tailroom = 0) {
    auto rx = load(frame, tailroom);
    rx->verdict = handle_frame(port, rx->view, rx->why, rx->stats);
    return rx;
}

/// Expects a drop for `reason` and no answer counted.
#define EXPECT_DROP(rx, reason)                                          \
    do {                                                                 \
        EXPECT_EQ((rx)->verdict, ::edgelease::dataplane::Verdict::Drop); \
        EXPECT_EQ((rx)->why, (reason));                                  \
    } while (0)

/// Expects a frame for the kernel (the exception path), counted as `reason` where there is none.
#define EXPECT_KERNEL(rx, reason)                                          \
    do {                                                                   \
        EXPECT_EQ((rx)->verdict, ::edgelease::dataplane::Verdict::Kernel); \
        EXPECT_EQ((rx)->why, (reason));                                    \
        EXPECT_TRUE((rx)->view.to_us);                                     \
    } while (0)

// ---- complete frames used by several test files ------------------------------------------

inline const uint32_t kOur4 = ip4("198.18.0.1");
inline const uint32_t kPeer4 = ip4("198.18.0.10");
inline const net::Ipv6Addr kOur6 = ip6("2001:db8::1");
inline const net::Ipv6Addr kPeer6 = ip6("2001:db8::10");

inline Bytes ping4_frame(const Bytes& data = pattern(32)) {
    return cat(ether(kOurMac, kPeerMac, 0x0800),
               ipv4({.src = kPeer4, .dst = kOur4, .proto = 1}, icmp4(8, 0, 0x4242, 7, data)));
}

inline Bytes udp4_frame(uint16_t dport = 53, const Bytes& data = pattern(20)) {
    return cat(ether(kOurMac, kPeerMac, 0x0800), ipv4({.src = kPeer4, .dst = kOur4, .proto = 17},
                                                      udp4(kPeer4, kOur4, 40000, dport, data)));
}

inline Bytes udp6_frame(uint16_t dport = 53, const Bytes& data = pattern(20)) {
    return cat(ether(kOurMac, kPeerMac, 0x86dd), ipv6({.src = kPeer6, .dst = kOur6, .next = 17},
                                                      udp6(kPeer6, kOur6, 40000, dport, data)));
}

inline Bytes ping6_frame(const Bytes& data = pattern(24)) {
    return cat(ether(kOurMac, kPeerMac, 0x86dd),
               ipv6({.src = kPeer6, .dst = kOur6},
                    icmp6(kPeer6, kOur6, 128, 0, echo6_body(0x77, 3, data))));
}

/// A Neighbor Solicitation for `target` from kPeer6 to target's solicited-node group.
inline Bytes ns_frame(const net::Ipv6Addr& target, std::optional<net::MacAddr> source_ll,
                      const net::Ipv6Addr& src = kPeer6, uint8_t hop = 255) {
    net::Ipv6Addr dst = solicited_node(target);
    net::MacAddr group = {{0x33, 0x33, dst.bytes[12], dst.bytes[13], dst.bytes[14], dst.bytes[15]}};
    return cat(ether(group, kPeerMac, 0x86dd),
               ipv6({.src = src, .dst = dst, .next = 58, .hop = hop},
                    icmp6(src, dst, 135, 0, ns_body(target, source_ll))));
}

}  // namespace edgelease::dataplane::test
