#include "dataplane/dhcp/frame.hpp"

#include <algorithm>
#include <cstring>

#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"
#include "dataplane/wire/udp_writer.hpp"

namespace edgelease::dataplane::dhcp {

using namespace dataplane::wire;
using namespace dataplane::wire::dhcp;

namespace {

// ---- parsing ----------------------------------------------------------------------------

/// What the option walk accumulates beyond the fields of DhcpRequest: RFC 3396 joins every
/// instance of an option, in the order options field, `file`, `sname`, so the
/// running lengths of the joined options live here until the walk is over.
struct WalkState {
    uint8_t overload = 0;     // option 52 value, 0 = absent
    uint8_t msg_type = 0;     // option 53 value as received
    uint64_t seen_fixed = 0;  // bit (code - 50) for the fixed-size options 50..57
    bool has_client_id = false;
    uint16_t client_id_total = 0;
    uint16_t prl_total = 0;
    uint16_t hostname_total = 0;
    uint16_t fqdn_total = 0;  // flags + 2 rcode bytes + name
    uint16_t relay_total = 0;
};

/// Appends src[0..n) to dst, which holds `have` bytes, keeping at most `cap`.
inline void append_capped(uint8_t* dst, size_t have, size_t cap, const uint8_t* src,
                          size_t n) noexcept {
    if (have >= cap) return;
    std::memcpy(dst + have, src, std::min(n, cap - have));
}

/// A fixed-size option: exactly `want` bytes and only once (RFC 2132; RFC 3396 would join
/// two instances into an invalid length).
inline bool fixed_ok(WalkState& s, uint8_t code, uint8_t n, uint8_t want) noexcept {
    const uint64_t bit = uint64_t{1} << (code - opt::kRequestedIp);
    if (n != want || (s.seen_fixed & bit) != 0) return false;
    s.seen_fixed |= bit;
    return true;
}

/// One option instance. `main`: it is in the options field (the only place for 52).
ParseError on_option(uint8_t code, const uint8_t* v, uint8_t n, bool main, WalkState& s,
                     DhcpRequest& out) noexcept {
    switch (code) {
        case opt::kMessageType:  // RFC 2132 §9.6
            if (!fixed_ok(s, code, n, 1)) return ParseError::BadOption;
            s.msg_type = v[0];
            break;
        case opt::kRequestedIp:  // §9.1
            if (!fixed_ok(s, code, n, 4)) return ParseError::BadOption;
            out.requested_ip = load_be32(v);
            break;
        case opt::kLeaseTime:  // §9.2
            if (!fixed_ok(s, code, n, 4)) return ParseError::BadOption;
            out.lease_time = load_be32(v);
            break;
        case opt::kServerId:  // §9.7
            if (!fixed_ok(s, code, n, 4)) return ParseError::BadOption;
            out.server_id = load_be32(v);
            break;
        case opt::kMaxMsgSize: {  // §9.10: minimum legal value 576; smaller ones are ignored
            if (!fixed_ok(s, code, n, 2)) return ParseError::BadOption;
            const uint16_t m = load_be16(v);
            out.max_msg_size = m >= kMinMaxMsgSize ? m : 0;
            break;
        }
        case opt::kOverload:  // §9.3: only meaningful in the options field
            if (!main) break;
            if (!fixed_ok(s, code, n, 1) || v[0] < 1 || v[0] > 3) return ParseError::BadOption;
            s.overload = v[0];
            break;
        case opt::kHostname:  // §3.14, cut to what we keep
            append_capped(reinterpret_cast<uint8_t*>(out.hostname), s.hostname_total,
                          edgelease::dataplane::dhcp::kMaxHostname, v, n);
            s.hostname_total = static_cast<uint16_t>(s.hostname_total + n);
            break;
        case opt::kParamRequest:  // §9.8: codes past kMaxPrl are ignored
            append_capped(out.prl, s.prl_total, edgelease::dataplane::dhcp::kMaxPrl, v, n);
            s.prl_total = static_cast<uint16_t>(s.prl_total + n);
            break;
        case opt::kClientId:  // §9.14
            s.client_id_total = static_cast<uint16_t>(s.client_id_total + n);
            if (s.client_id_total > edgelease::dataplane::dhcp::kMaxClientId)
                return ParseError::ClientIdTooLong;
            std::memcpy(out.client_id + s.client_id_total - n, v, n);
            s.has_client_id = true;
            break;
        case opt::kClientFqdn: {  // RFC 4702 §2: flags, RCODE1, RCODE2, domain name
            out.has_fqdn = true;
            for (uint8_t i = 0; i < n; ++i, ++s.fqdn_total) {
                if (s.fqdn_total == 0) {
                    out.fqdn_flags = v[i];
                } else if (s.fqdn_total >= 3) {
                    // RCODE1/2 (bytes 1, 2) are deprecated and ignored (§2.2).
                    const size_t at = s.fqdn_total - 3u;
                    if (at >= edgelease::dataplane::dhcp::kMaxFqdn) return ParseError::BadOption;
                    out.fqdn[at] = v[i];
                }
            }
            break;
        }
        case opt::kRelayInfo:  // RFC 3046 §2.0
            if (s.relay_total + n > edgelease::dataplane::dhcp::kMaxRelayInfo)
                return ParseError::BadOption;
            std::memcpy(out.relay_info + s.relay_total, v, n);
            s.relay_total = static_cast<uint16_t>(s.relay_total + n);
            break;
        default:
            break;  // not needed by the lease engine
    }
    return ParseError::None;
}

/// Walks one option area (RFC 2132 §2): PAD is a lone byte, END closes the area, every
/// other option is code, length, value and must lie wholly inside the area.
ParseError walk_area(const uint8_t* p, size_t n, bool main, WalkState& s,
                     DhcpRequest& out) noexcept {
    Cursor c(p, n);
    while (c.remaining() > 0) {
        const uint8_t code = c.u8();
        if (code == opt::kPad) continue;
        if (code == opt::kEnd) return ParseError::None;
        const uint8_t len = c.u8();
        const uint8_t* v = c.bytes(len);
        if (!c.ok()) return ParseError::OptionOverrun;
        const ParseError e = on_option(code, v, len, main, s, out);
        if (e != ParseError::None) return e;
    }
    // RFC 2131 §4.1: `file` and `sname`, when they carry options, MUST hold an END. The
    // options field may end with the datagram.
    return main ? ParseError::None : ParseError::OptionOverrun;
}

/// RFC 3046 §2.0: sub-options are code, length, value and exactly fill option 82.
bool index_relay_info(DhcpRequest& out) noexcept {
    Cursor c(out.relay_info, out.relay_info_len);
    bool have_circuit = false, have_remote = false;
    while (c.remaining() > 0) {
        const uint8_t code = c.u8();
        const uint8_t len = c.u8();
        const auto off = static_cast<uint8_t>(c.offset());
        const uint8_t* v = c.bytes(len);
        if (!c.ok()) return false;
        switch (code) {
            case opt::kRelayCircuitId:
                if (!have_circuit) {
                    out.circuit_id_off = off;
                    out.circuit_id_len = len;
                    have_circuit = true;
                }
                break;
            case opt::kRelayRemoteId:
                if (!have_remote) {
                    out.remote_id_off = off;
                    out.remote_id_len = len;
                    have_remote = true;
                }
                break;
            case opt::kRelayLinkSelection:  // RFC 3527 §3: an IPv4 address
                if (len != 4) return false;
                out.link_selection = load_be32(v);
                break;
            default:
                break;
        }
    }
    return true;
}

void reset(DhcpRequest& out) noexcept {
    out.msg_type = MsgType::None;
    out.requested_ip = 0;
    out.server_id = 0;
    out.lease_time = 0;
    out.max_msg_size = 0;
    out.client_id_len = 0;
    out.hostname_len = 0;
    out.prl_len = 0;
    out.relay_info_len = 0;
    out.has_fqdn = false;
    out.fqdn_flags = 0;
    out.fqdn_len = 0;
    out.circuit_id_off = out.circuit_id_len = 0;
    out.remote_id_off = out.remote_id_len = 0;
    out.link_selection = 0;
}

}  // namespace

ParseError parse_request(const uint8_t* p, uint16_t len, DhcpRequest& out) noexcept {
    // RFC 2131 §2: the fixed BOOTP header, then the options field led by the magic cookie.
    if (len < kOptionsOff) return ParseError::Truncated;
    Cursor c(p, len);
    const uint8_t op = c.u8();
    const uint8_t htype = c.u8();
    const uint8_t hlen = c.u8();
    if (op != bootp::kBootRequest) return ParseError::NotRequest;
    // Only Ethernet: chaddr is taken as a 6-byte MAC, so any other hlen is refused rather
    // than trusted (an "absurd hlen" up to 255 would overrun a 16-byte chaddr).
    if (htype != bootp::kHtypeEthernet || hlen != bootp::kHlenEthernet)
        return ParseError::BadHardware;

    reset(out);
    out.hops = c.u8();
    out.xid = c.u32();
    out.secs = c.u16();
    out.flags = c.u16();
    out.ciaddr = c.u32();
    c.skip(8);  // yiaddr, siaddr: server fields
    out.giaddr = c.u32();
    std::memcpy(out.chaddr.bytes.data(), c.bytes(bootp::kChaddrLen), out.chaddr.bytes.size());
    c.skip(bootp::kSnameLen + bootp::kFileLen);
    // RFC 2131 §3: without the cookie it is plain BOOTP (RFC 951), which we do not serve.
    if (c.u32() != kMagicCookie) return ParseError::NoCookie;

    WalkState s;
    ParseError e = walk_area(p + kOptionsOff, len - kOptionsOff, true, s, out);
    // RFC 2132 §9.3 and RFC 3396: after the options field, `file`, then `sname`.
    if (e == ParseError::None && (s.overload & opt::kOverloadFile) != 0)
        e = walk_area(p + bootp::kFileOff, bootp::kFileLen, false, s, out);
    if (e == ParseError::None && (s.overload & opt::kOverloadSname) != 0)
        e = walk_area(p + bootp::kSnameOff, bootp::kSnameLen, false, s, out);
    if (e != ParseError::None) return e;

    if ((s.seen_fixed & (uint64_t{1} << (opt::kMessageType - opt::kRequestedIp))) == 0)
        return ParseError::NoMessageType;
    const auto type = static_cast<MsgType>(s.msg_type);
    if (!is_client_message(type)) return ParseError::BadMessageType;
    out.msg_type = type;

    if (s.has_client_id && s.client_id_total < 2) return ParseError::BadOption;
    out.client_id_len = static_cast<uint8_t>(s.client_id_total);
    out.hostname_len = static_cast<uint8_t>(
        std::min<size_t>(s.hostname_total, edgelease::dataplane::dhcp::kMaxHostname));
    out.prl_len =
        static_cast<uint8_t>(std::min<size_t>(s.prl_total, edgelease::dataplane::dhcp::kMaxPrl));
    if (out.has_fqdn) {
        if (s.fqdn_total < 3) return ParseError::BadOption;
        out.fqdn_len = static_cast<uint8_t>(s.fqdn_total - 3);
        // RFC 4702 §2.3: canonical wire format, no compression; a partial name lacks the root.
        if ((out.fqdn_flags & opt::kFqdnE) != 0 &&
            !wire::dns::partial_wire_name_ok(out.fqdn, out.fqdn_len))
            return ParseError::BadOption;
    }
    out.relay_info_len = static_cast<uint8_t>(s.relay_total);
    if (!index_relay_info(out)) return ParseError::BadOption;
    return ParseError::None;
}

// ---- build_reply_frame ------------------------------------------------------------------

uint16_t build_reply_frame(const net::MacAddr& port_mac, const DhcpReply& r, uint8_t* buf,
                           uint16_t cap) noexcept {
    if (r.len > edgelease::dataplane::dhcp::kMaxPayload || r.path.vlan_count > vlan::kMaxTags)
        return 0;
    const size_t l2 = eth::kHeaderLen + vlan::kTagLen * r.path.vlan_count;
    const size_t udp_len = udp::kHeaderLen + r.len;
    const size_t ip_len = ipv4::kMinHeaderLen + udp_len;
    const size_t total = l2 + ip_len;
    if (total > cap) return 0;

    uint8_t* p = buf + write_ether_header(buf, r.dst_mac.bytes.data(), port_mac.bytes.data(),
                                          r.path.vlan_tpid, r.path.vlan_tci, r.path.vlan_count,
                                          eth::kTypeIpv4);
    std::memcpy(p + ipv4::kMinHeaderLen + udp::kHeaderLen, r.payload, r.len);
    write_ipv4_udp(p, r.src_ip, r.dst_ip, edgelease::dataplane::dhcp::kServerPort, r.dst_port,
                   r.len);
    return static_cast<uint16_t>(total);
}

}  // namespace edgelease::dataplane::dhcp
