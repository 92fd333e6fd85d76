#pragma once
// Test helpers for the DHCPv6 codec: client and Relay-Forward messages built byte by byte
// from the RFC 9915 layout (§8, §9, §21; not from the code under test), option TLVs, an
// exact-size heap copy so that ASan reports any read past a message, and sample messages of
// every client type, direct and relayed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string_view>
#include <vector>

#include "common/net.hpp"
#include "dataplane/dhcp/frame6.hpp"

namespace edgelease::dataplane::dhcp {
// Readable names in assertion failures.
inline void PrintTo(Parse6Error e, std::ostream* os) {
    *os << kParse6ErrorNames[static_cast<size_t>(e)];
}
}  // namespace edgelease::dataplane::dhcp

namespace edgelease::dataplane::dhcp::test6 {

using Bytes = std::vector<uint8_t>;

inline net::MacAddr mac(std::string_view s) {
    return *net::parse_mac(s);
}
inline net::Ipv6Addr ip6(std::string_view s) {
    return *net::parse_ipv6(s);
}

inline Bytes be16(uint16_t v) {
    return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
inline Bytes be32(uint32_t v) {
    return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
            static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
inline Bytes addr(std::string_view s) {
    const net::Ipv6Addr a = ip6(s);
    return Bytes(a.bytes.begin(), a.bytes.end());
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

// ---- options (§21.1: code, length, value) --------------------------------------------------

inline Bytes option(uint16_t code, const Bytes& v) {
    return cat({be16(code), be16(static_cast<uint16_t>(v.size())), v});
}
/// An option whose length field says `len` whatever the value holds.
inline Bytes option_len(uint16_t code, uint16_t len, const Bytes& v) {
    return cat({be16(code), be16(len), v});
}
/// DUID-LL (§11.4): type 3, hardware type 1, the MAC.
inline Bytes duid_ll(std::string_view m) {
    const net::MacAddr a = mac(m);
    return cat({be16(3), be16(1), Bytes(a.bytes.begin(), a.bytes.end())});
}
inline Bytes client_id(const Bytes& duid) {
    return option(1, duid);
}
inline Bytes server_id(const Bytes& duid) {
    return option(2, duid);
}
/// IAADDR (§21.6): address, preferred and valid lifetimes, sub-options.
inline Bytes iaaddr(std::string_view a, uint32_t preferred, uint32_t valid,
                    const Bytes& subs = {}) {
    return option(5, cat({addr(a), be32(preferred), be32(valid), subs}));
}
/// IAPREFIX (§21.22): preferred, valid, prefix length, prefix, sub-options.
inline Bytes iaprefix(uint32_t preferred, uint32_t valid, uint8_t len, std::string_view prefix,
                      const Bytes& subs = {}) {
    return option(26, cat({be32(preferred), be32(valid), Bytes{len}, addr(prefix), subs}));
}
/// IA_NA (§21.4) and IA_PD (§21.21): IAID, T1, T2, sub-options.
inline Bytes ia_na(uint32_t iaid, uint32_t t1, uint32_t t2, const Bytes& subs = {}) {
    return option(3, cat({be32(iaid), be32(t1), be32(t2), subs}));
}
inline Bytes ia_pd(uint32_t iaid, uint32_t t1, uint32_t t2, const Bytes& subs = {}) {
    return option(25, cat({be32(iaid), be32(t1), be32(t2), subs}));
}
inline Bytes oro(std::initializer_list<uint16_t> codes) {
    Bytes v;
    for (uint16_t c : codes) v = cat({v, be16(c)});
    return option(6, v);
}
inline Bytes elapsed(uint16_t hundredths) {
    return option(8, be16(hundredths));
}
inline Bytes rapid_commit() {
    return option(14, {});
}
inline Bytes reconfigure_accept() {
    return option(20, {});
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
/// Client FQDN (RFC 4704 §4.1): flags, then the name in wire form.
inline Bytes fqdn(uint8_t flags, const Bytes& name) {
    return option(39, cat({Bytes{flags}, name}));
}

// Relay options.
inline Bytes relay_msg(const Bytes& inner) {
    return option(9, inner);
}
inline Bytes interface_id(const Bytes& id) {
    return option(18, id);
}
/// Remote-Id (RFC 4649 §3): enterprise number, then the id.
inline Bytes remote_id(uint32_t enterprise, const Bytes& id) {
    return option(37, cat({be32(enterprise), id}));
}
inline Bytes subscriber_id(const Bytes& id) {
    return option(38, id);
}
/// Client Link-Layer Address (RFC 6939 §4): hardware type, then the address.
inline Bytes client_ll(uint16_t type, const Bytes& a) {
    return option(79, cat({be16(type), a}));
}
inline Bytes client_ll_mac(std::string_view m) {
    const net::MacAddr a = mac(m);
    return client_ll(1, Bytes(a.bytes.begin(), a.bytes.end()));
}
/// Relay Source Port (RFC 8357 §5): the downstream source port.
inline Bytes relay_port(uint16_t port) {
    return option(135, be16(port));
}

// ---- messages ---------------------------------------------------------------------------------

/// §8: msg-type, 24-bit transaction id, options.
inline Bytes client_msg(uint8_t type, uint32_t xid, const Bytes& options) {
    return cat({Bytes{type, static_cast<uint8_t>(xid >> 16), static_cast<uint8_t>(xid >> 8),
                      static_cast<uint8_t>(xid)},
                options});
}
/// §9.1: Relay-Forward (12), hop-count, link-address, peer-address, options (option 9 among
/// them, given by the caller).
inline Bytes relay_forward(uint8_t hop_count, std::string_view link, std::string_view peer,
                           const Bytes& options) {
    return cat({Bytes{12, hop_count}, addr(link), addr(peer), options});
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

/// parse_request6 on an exact-size copy; `out` is heap-allocated (it is about 2 KiB).
struct Parsed {
    Parse6Error err = Parse6Error::None;
    std::unique_ptr<Dhcp6Request> req = std::make_unique<Dhcp6Request>();
    const Dhcp6Request* operator->() const { return req.get(); }
};
inline Parsed parse(const Bytes& msg) {
    Exact e(msg);
    Parsed r;
    r.err = parse_request6(e.p.get(), e.len(), *r.req);
    return r;
}

inline Bytes client_duid(const Dhcp6Request& r) {
    return Bytes(r.client_id, r.client_id + r.client_id_len);
}
inline Bytes server_duid(const Dhcp6Request& r) {
    return Bytes(r.server_id, r.server_id + r.server_id_len);
}
inline Bytes fqdn_name(const Dhcp6Request& r) {
    return Bytes(r.fqdn, r.fqdn + r.fqdn_len);
}
inline Bytes oro_codes(const Dhcp6Request& r) {
    Bytes out;
    for (uint8_t i = 0; i < r.oro_len; ++i) out = cat({out, be16(r.oro[i])});
    return out;
}
inline Bytes relay_slice(const Dhcp6Request& r, uint16_t off, uint16_t len) {
    EXPECT_LE(off + len, r.relay_bytes_len);
    return Bytes(r.relay_bytes + off, r.relay_bytes + off + len);
}
inline Bytes interface_id_of(const Dhcp6Request& r, size_t level) {
    const RelayHop& h = r.relays[level];
    return relay_slice(r, h.interface_id_off, h.interface_id_len);
}
inline Bytes remote_id_of(const Dhcp6Request& r) {
    return relay_slice(r, r.remote_id_off, r.remote_id_len);
}
inline Bytes subscriber_id_of(const Dhcp6Request& r) {
    return relay_slice(r, r.subscriber_id_off, r.subscriber_id_len);
}

// ---- sample messages, each valid --------------------------------------------------------------

inline const Bytes kClientDuid = duid_ll("02:00:00:00:00:42");
inline const Bytes kServerDuid = duid_ll("02:00:00:00:00:01");

/// Solicit with everything a client may put in it.
inline Bytes solicit() {
    return client_msg(1, 0xabcdef,
                      cat({client_id(kClientDuid), elapsed(250), oro({23, 24, 39, 82}),
                           rapid_commit(), reconfigure_accept(),
                           ia_na(0x01020304, 3600, 5400, iaaddr("2001:db8::100", 7200, 10800)),
                           ia_pd(0x0a0b0c0d, 0, 0, iaprefix(7200, 10800, 56, "2001:db8:ff00::")),
                           fqdn(0x01, wire_name("host.lan."))}));
}
inline Bytes request() {
    return client_msg(
        3, 0x000102,
        cat({client_id(kClientDuid), server_id(kServerDuid), elapsed(0),
             ia_na(1, 0, 0, iaaddr("2001:db8::100", 0, 0)), fqdn(0x00, wire_name("host"))}));
}
inline Bytes confirm() {
    return client_msg(4, 0x111111,
                      cat({client_id(kClientDuid), ia_na(1, 0, 0, iaaddr("2001:db8::100", 0, 0))}));
}
inline Bytes renew() {
    return client_msg(5, 0x222222,
                      cat({client_id(kClientDuid), server_id(kServerDuid),
                           ia_na(1, 1800, 2880, iaaddr("2001:db8::100", 3600, 7200)),
                           ia_pd(2, 1800, 2880, iaprefix(3600, 7200, 56, "2001:db8:ff00::"))}));
}
inline Bytes rebind() {
    return client_msg(6, 0x333333,
                      cat({client_id(kClientDuid), ia_na(1, 0, 0, iaaddr("2001:db8::100", 0, 0))}));
}
inline Bytes release() {
    return client_msg(8, 0x444444,
                      cat({client_id(kClientDuid), server_id(kServerDuid),
                           ia_na(1, 0, 0, iaaddr("2001:db8::100", 0, 0))}));
}
inline Bytes decline() {
    return client_msg(9, 0x555555,
                      cat({client_id(kClientDuid), server_id(kServerDuid),
                           ia_na(1, 0, 0, iaaddr("2001:db8::101", 0, 0))}));
}
inline Bytes information_request() {
    return client_msg(11, 0x666666, cat({oro({23, 24}), elapsed(10)}));
}

inline const Bytes kInterfaceId = str("eth0/1/7:vlan100");
inline const Bytes kRemote = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
inline const Bytes kSubscriber = str("sub-0042");
/// A Solicit through one relay that adds every relay option it may: interface-id, remote-id,
/// subscriber-id, client link-layer address, relay source port; option 9 last, so that every
/// strict prefix of the message cuts it.
inline Bytes relayed_solicit() {
    return relay_forward(
        0, "2001:db8:7::1", "fe80::42",
        cat({interface_id(kInterfaceId), remote_id(3561, kRemote), subscriber_id(kSubscriber),
             client_ll_mac("02:00:00:00:00:42"), relay_port(1547), relay_msg(solicit())}));
}
/// A Request through two relays, option 9 last at both levels.
inline Bytes double_relayed_request() {
    const Bytes inner =
        relay_forward(0, "2001:db8:7::1", "fe80::42",
                      cat({interface_id(str("port7")), remote_id(9, str("cpe")),
                           client_ll_mac("02:00:00:00:00:42"), relay_msg(request())}));
    return relay_forward(1, "::", "2001:db8:7::1",
                         cat({interface_id(str("uplink")), relay_msg(inner)}));
}

inline std::vector<Bytes> samples() {
    return {solicit(),         request(),
            confirm(),         renew(),
            rebind(),          release(),
            decline(),         information_request(),
            relayed_solicit(), double_relayed_request()};
}

}  // namespace edgelease::dataplane::dhcp::test6
