#pragma once
// Test helpers for the DHCPv4 codec: BOOTP messages built byte by byte from the RFC 2131
// layout (not from the code under test), option TLVs, an exact-size heap copy so that ASan
// reports any read past a message, and a walker that lists a reply's options.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "common/net.hpp"
#include "control/dhcp/encode.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "dataplane/wire/dhcp.hpp"

namespace edgelease::dataplane::wire::dhcp {
// The tests of the worker's parser and frame builder (edgelease::dataplane::dhcp, dataplane/dhcp/)
// and of the control lcore's encoder (control/dhcp/) share these helpers over the wire layout.
using edgelease::control::dhcp::encode_reply;
using edgelease::control::dhcp::OptionSet;
using edgelease::control::dhcp::ReplyHeader;
using edgelease::dataplane::dhcp::build_reply_frame;
using edgelease::dataplane::dhcp::DhcpReply;
using edgelease::dataplane::dhcp::DhcpRequest;
using edgelease::dataplane::dhcp::MsgType;
using edgelease::dataplane::dhcp::parse_request;
using edgelease::dataplane::dhcp::ParseError;

inline const char* parse_error_name(ParseError e) {
    switch (e) {
        case ParseError::None:
            return "None";
        case ParseError::Truncated:
            return "Truncated";
        case ParseError::NotRequest:
            return "NotRequest";
        case ParseError::BadHardware:
            return "BadHardware";
        case ParseError::NoCookie:
            return "NoCookie";
        case ParseError::OptionOverrun:
            return "OptionOverrun";
        case ParseError::BadOption:
            return "BadOption";
        case ParseError::NoMessageType:
            return "NoMessageType";
        case ParseError::BadMessageType:
            return "BadMessageType";
        case ParseError::ClientIdTooLong:
            return "ClientIdTooLong";
    }
    return "?";
}
// Readable names in assertion failures.
inline void PrintTo(ParseError e, std::ostream* os) {
    *os << parse_error_name(e);
}
}  // namespace edgelease::dataplane::wire::dhcp

namespace edgelease::dataplane::wire::dhcp::test {

using Bytes = std::vector<uint8_t>;
using edgelease::dataplane::dhcp::DhcpReply;

inline net::MacAddr mac(std::string_view s) {
    return *net::parse_mac(s);
}
inline uint32_t ip4(std::string_view s) {
    return net::parse_ipv4(s)->value;
}

inline Bytes be16(uint16_t v) {
    return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
inline Bytes be32(uint32_t v) {
    return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
            static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
inline Bytes addr(std::string_view s) {
    return be32(ip4(s));
}
inline Bytes str(std::string_view s) {
    return Bytes(s.begin(), s.end());
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) {
        // resize + memcpy rather than insert: GCC 12 -O2 warns falsely (-Wstringop-overread)
        const size_t at = out.size();
        out.resize(at + p.size());
        if (!p.empty()) std::memcpy(out.data() + at, p.data(), p.size());
    }
    return out;
}
/// One option TLV (RFC 2132 §2); the length byte is taken from v unless given.
inline Bytes tlv(uint8_t code, const Bytes& v) {
    Bytes out{code, static_cast<uint8_t>(v.size())};
    return cat({out, v});
}
inline Bytes tlv_len(uint8_t code, uint8_t len, const Bytes& v) {
    return cat({Bytes{code, len}, v});
}
inline Bytes msg_type(MsgType t) {
    return tlv(opt::kMessageType, {static_cast<uint8_t>(t)});
}
inline Bytes end() {
    return {opt::kEnd};
}
/// A domain name in wire form (RFC 1035 §3.1) from "a.b.c."; no trailing dot = partial.
inline Bytes wire_name(std::string_view text) {
    Bytes out;
    while (!text.empty()) {
        const size_t dot = text.find('.');
        const std::string_view label = text.substr(0, dot);
        out.push_back(static_cast<uint8_t>(label.size()));
        for (char c : label) out.push_back(static_cast<uint8_t>(c));
        if (dot == std::string_view::npos) return out;  // partial name
        text.remove_prefix(dot + 1);
    }
    out.push_back(0);
    return out;
}

/// The fixed BOOTP header (RFC 2131 §2, figure 1), defaults of a direct Ethernet client.
struct Fixed {
    uint8_t op = 1;
    uint8_t htype = 1;
    uint8_t hlen = 6;
    uint8_t hops = 0;
    uint32_t xid = 0x12345678;
    uint16_t secs = 0;
    uint16_t flags = 0;
    uint32_t ciaddr = 0, yiaddr = 0, siaddr = 0, giaddr = 0;
    std::array<uint8_t, 16> chaddr = {0x02, 0x00, 0x00, 0x00, 0x00, 0x42};
    Bytes sname;  // padded to 64
    Bytes file;   // padded to 128
    uint32_t cookie = 0x63825363;
};

inline Bytes padded(const Bytes& b, size_t n) {
    Bytes out = b;
    out.resize(n, 0);
    return out;
}

/// Fixed header, cookie, then `options` as given (END included by the caller).
inline Bytes message(const Fixed& f, const Bytes& options) {
    Bytes out{f.op, f.htype, f.hlen, f.hops};
    out = cat({out, be32(f.xid), be16(f.secs), be16(f.flags), be32(f.ciaddr), be32(f.yiaddr),
               be32(f.siaddr), be32(f.giaddr), Bytes(f.chaddr.begin(), f.chaddr.end()),
               padded(f.sname, 64), padded(f.file, 128), be32(f.cookie), options});
    return out;
}

/// A heap block of exactly the message's size (ASan catches a read past its end).
struct Exact {
    explicit Exact(const Bytes& b) : size(b.size()), p(new uint8_t[b.size() ? b.size() : 1]) {
        if (!b.empty()) std::memcpy(p.get(), b.data(), b.size());
    }
    uint16_t len() const { return static_cast<uint16_t>(size); }
    size_t size;
    std::unique_ptr<uint8_t[]> p;
};

/// parse_request on an exact-size copy; `out` is heap-allocated (it is about 1 KiB).
struct Parsed {
    ParseError err = ParseError::None;
    std::unique_ptr<DhcpRequest> req = std::make_unique<DhcpRequest>();
    const DhcpRequest* operator->() const { return req.get(); }
};
inline Parsed parse(const Bytes& msg) {
    Exact e(msg);
    Parsed r;
    r.err = parse_request(e.p.get(), e.len(), *r.req);
    return r;
}

inline Bytes client_id(const DhcpRequest& r) {
    return Bytes(r.client_id, r.client_id + r.client_id_len);
}
inline std::string hostname(const DhcpRequest& r) {
    return std::string(r.hostname, r.hostname_len);
}
inline Bytes prl(const DhcpRequest& r) {
    return Bytes(r.prl, r.prl + r.prl_len);
}
inline Bytes fqdn(const DhcpRequest& r) {
    return Bytes(r.fqdn, r.fqdn + r.fqdn_len);
}
inline Bytes relay_info(const DhcpRequest& r) {
    return Bytes(r.relay_info, r.relay_info + r.relay_info_len);
}
inline Bytes circuit_id(const DhcpRequest& r) {
    return Bytes(r.relay_info + r.circuit_id_off,
                 r.relay_info + r.circuit_id_off + r.circuit_id_len);
}
inline Bytes remote_id(const DhcpRequest& r) {
    return Bytes(r.relay_info + r.remote_id_off, r.relay_info + r.remote_id_off + r.remote_id_len);
}

// ---- sample requests, each valid -----------------------------------------------------------

inline const Bytes kClientId = {0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x42};
inline const Bytes kPrl = {1, 3, 6, 15, 119, 121, 42};
/// Option 82 as a relay adds it: circuit id, remote id, link selection (RFC 3527).
inline const Bytes kCircuit = str("eth0/1/7:vlan100");
inline const Bytes kRemote = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
inline Bytes relay_payload() {
    return cat({tlv(1, kCircuit), tlv(2, kRemote), tlv(5, addr("198.18.7.0"))});
}

inline Bytes discover() {
    Fixed f;
    f.xid = 0xdeadbeef;
    f.flags = 0x8000;
    f.secs = 3;
    return message(
        f, cat({msg_type(MsgType::Discover), tlv(50, addr("198.18.0.120")), tlv(51, be32(7200)),
                tlv(57, be16(1500)), tlv(61, kClientId), tlv(12, str("laptop")), tlv(55, kPrl),
                tlv(81, cat({Bytes{0x05, 0, 0}, wire_name("laptop.lan.")})), end()}));
}
inline Bytes request_selecting() {
    Fixed f;
    f.xid = 0xdeadbeef;
    return message(
        f, cat({msg_type(MsgType::Request), tlv(50, addr("198.18.0.120")),
                tlv(54, addr("198.18.0.1")), tlv(61, kClientId), tlv(12, str("laptop")),
                tlv(55, kPrl), tlv(81, cat({Bytes{0x01, 0xff, 0xff}, str("laptop.lan")})), end()}));
}
inline Bytes request_renewing() {
    Fixed f;
    f.xid = 0x01020304;
    f.ciaddr = ip4("198.18.0.120");
    return message(f, cat({msg_type(MsgType::Request), tlv(61, kClientId), tlv(55, kPrl), end()}));
}
inline Bytes release() {
    Fixed f;
    f.xid = 0x0badcafe;
    f.ciaddr = ip4("198.18.0.120");
    return message(f, cat({msg_type(MsgType::Release), tlv(54, addr("198.18.0.1")),
                           tlv(61, kClientId), end()}));
}
inline Bytes decline() {
    Fixed f;
    f.xid = 0x0000d1ce;
    return message(f, cat({msg_type(MsgType::Decline), tlv(50, addr("198.18.0.121")),
                           tlv(54, addr("198.18.0.1")), tlv(61, kClientId), end()}));
}
inline Bytes inform() {
    Fixed f;
    f.xid = 0x1f0f0f0f;
    f.ciaddr = ip4("198.18.0.9");
    return message(f, cat({msg_type(MsgType::Inform), tlv(55, Bytes{1, 3, 6, 15, 51, 58}),
                           tlv(57, be16(576)), end()}));
}
/// A DISCOVER through a relay: giaddr, hops, option 82 with sub-options 1, 2 and 5.
inline Bytes relayed_discover() {
    Fixed f;
    f.xid = 0x7e1a7e1a;
    f.hops = 1;
    f.giaddr = ip4("198.18.7.1");
    f.chaddr = {0x02, 0x00, 0x00, 0x00, 0x07, 0x01};
    return message(f, cat({msg_type(MsgType::Discover), tlv(55, Bytes{1, 3, 6}),
                           tlv(82, relay_payload()), end()}));
}
/// Options in all three areas (52 = 3): type and PRL in options, hostname and the second
/// half of the client id in `file`, 50 and 81 in `sname`.
inline Bytes overloaded() {
    Fixed f;
    f.xid = 0x0a0b0c0d;
    f.file = cat({tlv(12, str("over")), tlv(61, Bytes{0x00, 0x42}), end()});
    f.sname = cat({Bytes{0, 0}, tlv(50, addr("198.18.0.130")),
                   tlv(81, cat({Bytes{0x04, 0, 0}, wire_name("over.lan.")})), end()});
    return message(f, cat({msg_type(MsgType::Discover), tlv(52, {3}), tlv(55, Bytes{1, 3}),
                           tlv(61, Bytes{0x01, 0x02, 0x00, 0x00, 0x00}), end()}));
}
/// RFC 3396: 61, 55 and 82 each split in pieces.
inline Bytes split_options() {
    Fixed f;
    f.giaddr = ip4("198.18.7.1");
    const Bytes ri = relay_payload();
    const Bytes ri1(ri.begin(), ri.begin() + 7), ri2(ri.begin() + 7, ri.end());
    return message(f, cat({msg_type(MsgType::Request), tlv(61, Bytes{0x01, 0x02, 0x00}),
                           tlv(82, ri1), tlv(55, Bytes{1, 3}), tlv(61, Bytes{0x00, 0x00, 0x00}),
                           tlv(61, Bytes{0x42}), tlv(82, ri2), tlv(55, Bytes{6}), end()}));
}

inline std::vector<Bytes> samples() {
    return {discover(), request_selecting(), request_renewing(), release(),      decline(),
            inform(),   relayed_discover(),  overloaded(),       split_options()};
}

// ---- reading replies ------------------------------------------------------------------------

struct Opt {
    uint8_t code;
    Bytes value;
};
/// The options of a reply in wire order, END excluded; fails the test on a malformed layout.
/// `end_at` receives the offset of END.
inline std::vector<Opt> reply_options(const uint8_t* p, size_t len, size_t* end_at = nullptr) {
    std::vector<Opt> out;
    size_t i = kOptionsOff;
    while (i < len) {
        const uint8_t code = p[i];
        if (code == 0) {
            ++i;
            continue;
        }
        if (code == 255) {
            if (end_at) *end_at = i;
            return out;
        }
        EXPECT_LT(i + 1, len);
        if (i + 1 >= len) return out;
        const uint8_t n = p[i + 1];
        EXPECT_LE(i + 2 + n, len);
        if (i + 2 + n > len) return out;
        out.push_back({code, Bytes(p + i + 2, p + i + 2 + n)});
        i += 2u + n;
    }
    ADD_FAILURE() << "no END in reply";
    return out;
}
inline std::vector<uint8_t> codes(const std::vector<Opt>& opts) {
    std::vector<uint8_t> c;
    for (const Opt& o : opts) c.push_back(o.code);
    return c;
}

}  // namespace edgelease::dataplane::wire::dhcp::test
