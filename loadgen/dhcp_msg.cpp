#include "loadgen/dhcp_msg.hpp"

#include <cstring>

#include "dataplane/wire/cursor.hpp"

namespace edgelease::loadgen {

namespace dw = edgelease::dataplane::wire;
namespace bootp = dw::dhcp::bootp;
namespace opt = dw::dhcp::opt;

namespace {

/// Appends TLVs after the cookie; refuses (sticky) anything past `end`.
class OptionOut {
  public:
    OptionOut(uint8_t* p, size_t end) noexcept : p_(p), end_(end) {}
    void put(uint8_t code, const uint8_t* v, size_t n) noexcept {
        if (!ok_ || n > 255 || pos_ + 2 + n > end_) {
            ok_ = false;
            return;
        }
        p_[pos_] = code;
        p_[pos_ + 1] = static_cast<uint8_t>(n);
        if (n != 0) std::memcpy(p_ + pos_ + 2, v, n);
        pos_ += 2 + n;
    }
    void put_u32(uint8_t code, uint32_t v) noexcept {
        uint8_t b[4];
        dw::store_be32(b, v);
        put(code, b, sizeof b);
    }
    void put_end() noexcept {
        if (!ok_ || pos_ + 1 > end_) {
            ok_ = false;
            return;
        }
        p_[pos_++] = opt::kEnd;
    }
    size_t pos() const noexcept { return pos_; }
    bool ok() const noexcept { return ok_; }

  private:
    uint8_t* p_;
    size_t end_;
    size_t pos_ = dw::dhcp::kOptionsOff;
    bool ok_ = true;
};

constexpr uint8_t kParamList[] = {opt::kSubnetMask,   opt::kRouters,   opt::kDnsServers,
                                  opt::kDomainName,   opt::kLeaseTime, opt::kRenewalTime,
                                  opt::kRebindingTime};

constexpr bool is_server_type(uint8_t t) noexcept {
    return t == static_cast<uint8_t>(MsgType::Offer) || t == static_cast<uint8_t>(MsgType::Ack) ||
           t == static_cast<uint8_t>(MsgType::Nak);
}

}  // namespace

uint16_t encode_request(const RequestSpec& s, uint8_t* out, uint16_t cap) noexcept {
    if (cap < kMinRequestLen || s.client_id_len == 1) return 0;
    // RFC 2131 §2: the fixed header.
    std::memset(out, 0, dw::dhcp::kOptionsOff);
    out[bootp::kOpOff] = bootp::kBootRequest;
    out[bootp::kHtypeOff] = bootp::kHtypeEthernet;
    out[bootp::kHlenOff] = bootp::kHlenEthernet;
    out[bootp::kHopsOff] = s.hops;
    dw::store_be32(out + bootp::kXidOff, s.xid);
    dw::store_be16(out + bootp::kSecsOff, s.secs);
    dw::store_be16(out + bootp::kFlagsOff, s.broadcast ? bootp::kFlagBroadcast : 0);
    dw::store_be32(out + bootp::kCiaddrOff, s.ciaddr);
    dw::store_be32(out + bootp::kGiaddrOff, s.giaddr);
    std::memcpy(out + bootp::kChaddrOff, s.chaddr.bytes.data(), s.chaddr.bytes.size());
    dw::store_be32(out + bootp::kCookieOff, dw::dhcp::kMagicCookie);

    OptionOut o(out, cap);
    const auto type = static_cast<uint8_t>(s.type);
    o.put(opt::kMessageType, &type, 1);
    if (s.client_id_len != 0) o.put(opt::kClientId, s.client_id, s.client_id_len);
    if (s.requested_ip != 0) o.put_u32(opt::kRequestedIp, s.requested_ip);
    if (s.server_id != 0) o.put_u32(opt::kServerId, s.server_id);
    if (s.hostname_len != 0)
        o.put(opt::kHostname, reinterpret_cast<const uint8_t*>(s.hostname), s.hostname_len);
    // RFC 2131 table 5: no parameter list in a RELEASE.
    if (s.param_request && s.type != MsgType::Release)
        o.put(opt::kParamRequest, kParamList, sizeof kParamList);
    // RFC 3046 §2.1: the relay agent adds option 82 last, before END.
    if (s.relay_info_len != 0) o.put(opt::kRelayInfo, s.relay_info, s.relay_info_len);
    o.put_end();
    if (!o.ok()) return 0;
    size_t n = o.pos();
    if (n < kMinRequestLen) {
        std::memset(out + n, 0, kMinRequestLen - n);
        n = kMinRequestLen;
    }
    return static_cast<uint16_t>(n);
}

uint8_t encode_relay_info(const uint8_t* circuit, uint8_t circuit_len, const uint8_t* remote,
                          uint8_t remote_len, uint8_t* out, uint8_t cap) noexcept {
    size_t n = 0;
    auto sub = [&](uint8_t code, const uint8_t* v, uint8_t len) {
        if (len == 0) return true;
        if (n + 2u + len > cap) return false;
        out[n] = code;
        out[n + 1] = len;
        std::memcpy(out + n + 2, v, len);
        n += 2u + len;
        return true;
    };
    if (!sub(opt::kRelayCircuitId, circuit, circuit_len) ||
        !sub(opt::kRelayRemoteId, remote, remote_len))
        return 0;
    return static_cast<uint8_t>(n);
}

bool parse_reply(const uint8_t* p, uint16_t len, ReplyInfo& out) noexcept {
    if (len < dw::dhcp::kOptionsOff) return false;
    dw::Cursor c(p, len);
    const uint8_t op = c.u8();
    const uint8_t htype = c.u8();
    const uint8_t hlen = c.u8();
    if (op != bootp::kBootReply || htype != bootp::kHtypeEthernet || hlen != bootp::kHlenEthernet)
        return false;
    c.skip(1);  // hops
    out.xid = c.u32();
    c.skip(4 + 4);  // secs, flags, ciaddr
    out.yiaddr = c.u32();
    c.skip(4);  // siaddr
    out.giaddr = c.u32();
    std::memcpy(out.chaddr.bytes.data(), c.bytes(bootp::kChaddrLen), out.chaddr.bytes.size());
    c.skip(bootp::kSnameLen + bootp::kFileLen);
    if (c.u32() != dw::dhcp::kMagicCookie || !c.ok()) return false;

    uint8_t type = 0;
    out.server_id = 0;
    out.lease_time = 0;
    // RFC 2132 §2: PAD alone, END closes, everything else is code, length, value.
    while (c.remaining() > 0) {
        const uint8_t code = c.u8();
        if (code == opt::kPad) continue;
        if (code == opt::kEnd) break;
        const uint8_t n = c.u8();
        const uint8_t* v = c.bytes(n);
        if (!c.ok()) return false;
        if (code == opt::kMessageType && n == 1)
            type = v[0];
        else if (code == opt::kServerId && n == 4)
            out.server_id = dw::load_be32(v);
        else if (code == opt::kLeaseTime && n == 4)
            out.lease_time = dw::load_be32(v);
    }
    if (!is_server_type(type)) return false;
    out.type = static_cast<MsgType>(type);
    return true;
}

}  // namespace edgelease::loadgen
