#include "control/dhcp/encode.hpp"

#include <algorithm>
#include <cstring>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::control::dhcp {

using namespace dataplane::wire;
using namespace dataplane::wire::dhcp;

namespace {

// ---- encoding ---------------------------------------------------------------------------

/// Codes the encoder writes itself or that a server never sends (RFC 2131 table 3): never
/// taken from the OptionSet.
constexpr bool encoder_owned(uint8_t code) noexcept {
    switch (code) {
        case opt::kPad:
        case opt::kRequestedIp:
        case opt::kOverload:
        case opt::kMessageType:
        case opt::kServerId:
        case opt::kParamRequest:
        case opt::kMaxMsgSize:
        case opt::kClientId:
        case opt::kRelayInfo:
        case opt::kEnd:
            return true;
        default:
            return false;
    }
}

/// Writes options into out[kOptionsOff..limit) keeping room for the mandatory ones that
/// are still to come.
class OptionWriter {
  public:
    OptionWriter(uint8_t* out, size_t limit) noexcept : out_(out), limit_(limit) {}

    /// Reserves `bytes` (whole TLVs, or 1 for END) for mandatory options written later.
    void reserve(size_t bytes) noexcept { reserved_ += bytes; }
    bool reservation_fits() const noexcept { return pos_ + reserved_ <= limit_; }

    /// Writes a mandatory option whose room was reserved.
    void put_reserved(uint8_t code, const uint8_t* v, uint8_t len) noexcept {
        reserved_ -= 2u + len;
        put(code, v, len);
    }
    /// Writes an optional option when it fits beside the reservations; false otherwise.
    bool put_optional(uint8_t code, const uint8_t* v, uint8_t len) noexcept {
        if (pos_ + 2u + len + reserved_ > limit_) return false;
        put(code, v, len);
        return true;
    }
    void put_end() noexcept {
        reserved_ -= 1;
        out_[pos_++] = opt::kEnd;
    }
    bool sent(uint8_t code) const noexcept { return sent_[code]; }
    size_t pos() const noexcept { return pos_; }

  private:
    void put(uint8_t code, const uint8_t* v, uint8_t len) noexcept {
        out_[pos_] = code;
        out_[pos_ + 1] = len;
        if (len != 0) std::memcpy(out_ + pos_ + 2, v, len);
        pos_ += 2u + len;
        sent_[code] = true;
    }

    uint8_t* out_;
    size_t limit_;
    size_t pos_ = kOptionsOff;
    size_t reserved_ = 0;
    bool sent_[256] = {};
};

}  // namespace

// ---- OptionSet --------------------------------------------------------------------------

bool OptionSet::set(uint8_t code, const uint8_t* data, size_t len, bool always) {
    if (code == opt::kPad || code == opt::kEnd || len > 255) return false;
    if (len != 0 && data == nullptr) return false;
    uint8_t old_len = 0;
    const size_t old = get(code, old_len) != nullptr ? 2u + old_len : 0;
    if (used_ - old + 2 + len > buf_.size()) return false;
    // `data` may point into buf_, which erase() moves: take a copy first.
    uint8_t value[255];
    if (len != 0) std::memcpy(value, data, len);
    erase(code);
    buf_[used_] = code;
    buf_[used_ + 1] = static_cast<uint8_t>(len);
    if (len != 0) std::memcpy(buf_.data() + used_ + 2, value, len);
    offset_[code] = static_cast<uint16_t>(used_ + 1);
    set_always(code, always);
    used_ = static_cast<uint16_t>(used_ + 2 + len);
    return true;
}

bool OptionSet::set_u32(uint8_t code, uint32_t v, bool always) {
    uint8_t b[4];
    store_be32(b, v);
    return set(code, b, sizeof b, always);
}

bool OptionSet::set_addr(uint8_t code, uint32_t addr, bool always) {
    return set_u32(code, addr, always);
}

bool OptionSet::set_addrs(uint8_t code, const std::vector<uint32_t>& addrs, bool always) {
    if (addrs.empty() || addrs.size() > 255 / 4) return false;
    uint8_t b[255];
    for (size_t i = 0; i < addrs.size(); ++i) store_be32(b + 4 * i, addrs[i]);
    return set(code, b, 4 * addrs.size(), always);
}

void OptionSet::erase(uint8_t code) {
    if (offset_[code] == 0) return;
    // Compact: the TLVs after this one move down, and so do their offsets.
    const uint16_t at = static_cast<uint16_t>(offset_[code] - 1);
    const uint16_t size = static_cast<uint16_t>(2 + buf_[at + 1]);
    std::memmove(buf_.data() + at, buf_.data() + at + size, used_ - at - size);
    used_ = static_cast<uint16_t>(used_ - size);
    offset_[code] = 0;
    set_always(code, false);
    for (auto& o : offset_)
        if (o > at + 1) o = static_cast<uint16_t>(o - size);
}

const uint8_t* OptionSet::get(uint8_t code, uint8_t& len) const {
    if (offset_[code] == 0) {
        len = 0;
        return nullptr;
    }
    const size_t at = offset_[code] - 1u;
    len = buf_[at + 1];
    return buf_.data() + at + 2;
}

// ---- encode_reply -----------------------------------------------------------------------

uint16_t encode_reply(const DhcpRequest& req, const ReplyHeader& hdr, const OptionSet& opts,
                      uint8_t* out, uint16_t cap) noexcept {
    // RFC 2131 §2: the client takes max(576, its option 57) bytes of IP datagram.
    size_t limit =
        std::max<size_t>(kMinMaxMsgSize, req.max_msg_size) - ipv4::kMinHeaderLen - udp::kHeaderLen;
    limit = std::min({limit, size_t{cap}, edgelease::control::dhcp::kMaxPayload});
    if (limit < kMinReply) return 0;

    const bool nak = hdr.type == MsgType::Nak;
    // RFC 2131 table 3: an ACK to an INFORM carries no lease times (§4.3.5).
    const bool no_times = nak || req.msg_type == MsgType::Inform;
    // Which codes from `opts` may go out at all (table 3: a NAK carries only a message).
    auto allowed = [&](uint8_t code) {
        if (encoder_owned(code) || !opts.has(code)) return false;
        if (nak) return code == opt::kMessage;
        if (no_times &&
            (code == opt::kLeaseTime || code == opt::kRenewalTime || code == opt::kRebindingTime))
            return false;
        return true;
    };
    auto mandatory = [&](uint8_t code) {
        return code == opt::kLeaseTime || code == opt::kRenewalTime ||
               code == opt::kRebindingTime || code == opt::kSubnetMask;
    };

    OptionWriter w(out, limit);
    w.reserve(3 + 6 + 1);  // 53, 54, END
    for (uint8_t code :
         {opt::kSubnetMask, opt::kLeaseTime, opt::kRenewalTime, opt::kRebindingTime}) {
        uint8_t len = 0;
        if (allowed(code) && opts.get(code, len) != nullptr) w.reserve(2u + len);
    }
    if (req.relay_info_len != 0) w.reserve(2u + req.relay_info_len);
    if (!w.reservation_fits()) return 0;

    // The fixed header (RFC 2131 §2, table 3).
    std::memset(out, 0, kOptionsOff);
    out[bootp::kOpOff] = bootp::kBootReply;
    out[bootp::kHtypeOff] = bootp::kHtypeEthernet;
    out[bootp::kHlenOff] = bootp::kHlenEthernet;
    store_be32(out + bootp::kXidOff, req.xid);
    uint16_t flags = req.flags;
    // §4.3.2: a NAK through a relay must be broadcast by it, whatever the client asked.
    if (nak && req.giaddr != 0) flags |= bootp::kFlagBroadcast;
    store_be16(out + bootp::kFlagsOff, flags);
    store_be32(out + bootp::kCiaddrOff, hdr.ciaddr);
    store_be32(out + bootp::kYiaddrOff, hdr.yiaddr);
    store_be32(out + bootp::kSiaddrOff, hdr.siaddr);
    store_be32(out + bootp::kGiaddrOff, req.giaddr);
    std::memcpy(out + bootp::kChaddrOff, req.chaddr.bytes.data(), req.chaddr.bytes.size());
    store_be32(out + bootp::kCookieOff, kMagicCookie);

    const auto type = static_cast<uint8_t>(hdr.type);
    w.put_reserved(opt::kMessageType, &type, 1);
    uint8_t sid[4];
    store_be32(sid, hdr.server_id);
    w.put_reserved(opt::kServerId, sid, 4);

    auto emit = [&](uint8_t code) {
        if (w.sent(code) || !allowed(code)) return;
        uint8_t len = 0;
        const uint8_t* v = opts.get(code, len);
        if (mandatory(code))
            w.put_reserved(code, v, len);
        else
            w.put_optional(code, v, len);  // left out when it does not fit
    };
    emit(opt::kLeaseTime);
    emit(opt::kRenewalTime);
    emit(opt::kRebindingTime);
    if (nak) emit(opt::kMessage);  // table 3: the one option a NAK may carry unasked
    // RFC 2131 §4.3.1: what the client asked for, in its order (duplicates sent once).
    const size_t prl_len = std::min<size_t>(req.prl_len, edgelease::control::dhcp::kMaxPrl);
    for (size_t i = 0; i < prl_len; ++i) emit(req.prl[i]);
    // Then what the scope sends unasked, and the subnet mask, which is always sent.
    opts.for_each_always(opt::kSubnetMask, emit);
    // RFC 6842: the client identifier goes back as received.
    const auto id_len = static_cast<uint8_t>(
        std::min<size_t>(req.client_id_len, edgelease::control::dhcp::kMaxClientId));
    if (id_len != 0) w.put_optional(opt::kClientId, req.client_id, id_len);
    // RFC 3046 §2.2: option 82 echoed verbatim, the last option before END.
    if (req.relay_info_len != 0)
        w.put_reserved(opt::kRelayInfo, req.relay_info, req.relay_info_len);
    w.put_end();

    // RFC 1542: pad to 300 bytes for BOOTP relays and clients that insist on it.
    size_t n = w.pos();
    if (n < kMinReply) {
        std::memset(out + n, 0, kMinReply - n);
        n = kMinReply;
    }
    return static_cast<uint16_t>(n);
}

}  // namespace edgelease::control::dhcp
