#include "loadgen/dhcp6_msg.hpp"

#include <cstring>

#include "dataplane/wire/cursor.hpp"

namespace edgelease::loadgen {

namespace dw = edgelease::dataplane::wire;
namespace d6 = dw::dhcp6;
namespace opt = dw::dhcp6::opt;

namespace {

/// Appends options (RFC 9915 §21.1: code, length, value) from `pos`; refuses (sticky)
/// anything past `end`. open()/close() write an option whose length is known only after its
/// sub-options.
class Out6 {
  public:
    Out6(uint8_t* p, size_t pos, size_t end) noexcept : p_(p), pos_(pos), end_(end) {}
    bool room(size_t n) noexcept {
        if (ok_ && pos_ + n <= end_) return true;
        ok_ = false;
        return false;
    }
    void put(uint16_t code, const void* v, size_t n) noexcept {
        if (n > UINT16_MAX || !room(d6::kOptionHeaderLen + n)) return;
        dw::store_be16(p_ + pos_, code);
        dw::store_be16(p_ + pos_ + 2, static_cast<uint16_t>(n));
        if (n != 0) std::memcpy(p_ + pos_ + 4, v, n);
        pos_ += d6::kOptionHeaderLen + n;
    }
    void raw(const void* v, size_t n) noexcept {
        if (!room(n)) return;
        std::memcpy(p_ + pos_, v, n);
        pos_ += n;
    }
    void u8(uint8_t v) noexcept { raw(&v, 1); }
    void u32(uint32_t v) noexcept {
        uint8_t b[4];
        dw::store_be32(b, v);
        raw(b, 4);
    }
    size_t open(uint16_t code) noexcept {
        const size_t at = pos_;
        if (room(d6::kOptionHeaderLen)) {
            dw::store_be16(p_ + pos_, code);
            pos_ += d6::kOptionHeaderLen;
        }
        return at;
    }
    void close(size_t at) noexcept {
        if (ok_)
            dw::store_be16(p_ + at + 2, static_cast<uint16_t>(pos_ - at - d6::kOptionHeaderLen));
    }
    size_t pos() const noexcept { return pos_; }
    bool ok() const noexcept { return ok_; }

  private:
    uint8_t* p_;
    size_t pos_;
    size_t end_;
    bool ok_ = true;
};

constexpr uint8_t kOroCodes[] = {0, opt::kDnsServers, 0, opt::kDomainList};  // 2-byte codes

/// Reads the options of one IA_NA / IA_PD body (after IAID, T1, T2).
bool read_ia(dw::Cursor c, bool pd, IaReply& ia, Reply6Info& out) noexcept {
    while (c.remaining() != 0) {
        if (c.remaining() < d6::kOptionHeaderLen) return false;
        const uint16_t code = c.u16();
        const uint16_t n = c.u16();
        const uint8_t* v = c.bytes(n);
        if (!c.ok()) return false;
        if (code == opt::kStatusCode) {
            if (n < opt::kStatusCodeFixedLen) return false;
            const uint16_t st = dw::load_be16(v);
            ++out.statuses[status_slot(st)];
            if (!ia.has_status) {
                ia.has_status = true;
                ia.status = st;
            }
        } else if (!pd && code == opt::kIaAddr) {
            if (n < opt::kIaAddrFixedLen) return false;
            const uint32_t valid = dw::load_be32(v + 20);
            if (!ia.bound && valid != 0) {
                ia.bound = true;
                std::memcpy(ia.addr.bytes.data(), v, 16);
                ia.prefix_len = 128;
                ia.preferred = dw::load_be32(v + 16);
                ia.valid = valid;
            }
        } else if (pd && code == opt::kIaPrefix) {
            if (n < opt::kIaPrefixFixedLen || v[8] > opt::kMaxPrefixLen) return false;
            const uint32_t valid = dw::load_be32(v + 4);
            if (!ia.bound && valid != 0) {
                ia.bound = true;
                ia.preferred = dw::load_be32(v);
                ia.valid = valid;
                ia.prefix_len = v[8];
                std::memcpy(ia.addr.bytes.data(), v + 9, 16);
            }
        }
    }
    return true;
}

}  // namespace

const char* status_slot_name(unsigned slot) noexcept {
    static constexpr const char* kNames[kStatusSlots] = {
        "Success",   "UnspecFail",   "NoAddrsAvail",  "NoBinding",
        "NotOnLink", "UseMulticast", "NoPrefixAvail", "other"};
    return slot < kStatusSlots ? kNames[slot] : kNames[kStatusSlots - 1];
}

uint16_t encode_request6(const Request6Spec& s, uint8_t* out, uint16_t cap) noexcept {
    if (s.client_id_len == 0 || s.client_id == nullptr || s.fqdn_len > 63 ||
        cap < d6::kClientHeaderLen)
        return 0;
    out[d6::kMsgTypeOff] = static_cast<uint8_t>(s.type);
    out[d6::kXidOff] = static_cast<uint8_t>(s.xid >> 16);
    out[d6::kXidOff + 1] = static_cast<uint8_t>(s.xid >> 8);
    out[d6::kXidOff + 2] = static_cast<uint8_t>(s.xid);
    Out6 o(out, d6::kClientHeaderLen, cap);
    o.put(opt::kClientId, s.client_id, s.client_id_len);
    if (s.server_id_len != 0) o.put(opt::kServerId, s.server_id, s.server_id_len);
    uint8_t elapsed[2];
    dw::store_be16(elapsed, s.elapsed);
    o.put(opt::kElapsedTime, elapsed, sizeof elapsed);  // §18.2: in every client message
    if (s.rapid_commit) o.put(opt::kRapidCommit, nullptr, 0);
    if (s.ia_na) {
        // §21.4: T1 and T2 0 leave them to the server; the IAADDR names what the client
        // wants (Request after an Advertise) or holds (Renew, Release), lifetimes 0 (§18.2).
        const size_t at = o.open(opt::kIaNa);
        o.u32(s.na_iaid);
        o.u32(0);
        o.u32(0);
        if (s.na_has_addr) {
            uint8_t a[opt::kIaAddrFixedLen] = {};
            std::memcpy(a, s.na_addr.bytes.data(), 16);
            o.put(opt::kIaAddr, a, sizeof a);
        }
        o.close(at);
    }
    if (s.ia_pd) {
        const size_t at = o.open(opt::kIaPd);
        o.u32(s.pd_iaid);
        o.u32(0);
        o.u32(0);
        if (s.pd_len != 0) {
            uint8_t p[opt::kIaPrefixFixedLen] = {};  // preferred, valid 0; length; prefix
            p[8] = s.pd_len;
            std::memcpy(p + 9, s.pd_prefix.bytes.data(), 16);
            o.put(opt::kIaPrefix, p, sizeof p);
        }
        o.close(at);
    }
    if (s.oro && s.type != Msg6Type::Release) o.put(opt::kOro, kOroCodes, sizeof kOroCodes);
    if (s.fqdn_len != 0) {
        // RFC 4704 §4.1: flags (S: the server updates the AAAA), then the name in wire form;
        // one label without the root label is a partial name the server completes.
        const size_t at = o.open(opt::kClientFqdn);
        o.u8(opt::kFqdnS);
        o.u8(s.fqdn_len);
        o.raw(s.fqdn, s.fqdn_len);
        o.close(at);
    }
    return o.ok() ? static_cast<uint16_t>(o.pos()) : 0;
}

uint16_t relay_forward_overhead(const RelaySpec& r) noexcept {
    return static_cast<uint16_t>(
        d6::kRelayHeaderLen + d6::kOptionHeaderLen +
        (r.interface_id_len != 0 ? d6::kOptionHeaderLen + r.interface_id_len : 0));
}

uint16_t wrap_relay_forward(const RelaySpec& r, uint8_t* out, uint16_t cap,
                            uint16_t inner_len) noexcept {
    const uint16_t head = relay_forward_overhead(r);
    if (uint32_t{head} + inner_len > cap) return 0;
    out[0] = static_cast<uint8_t>(Msg6Type::RelayForward);
    out[d6::kHopCountOff] = r.hop_count;
    std::memcpy(out + d6::kLinkAddrOff, r.link_addr.bytes.data(), 16);
    std::memcpy(out + d6::kPeerAddrOff, r.peer_addr.bytes.data(), 16);
    size_t at = d6::kRelayHeaderLen;
    if (r.interface_id_len != 0) {
        dw::store_be16(out + at, opt::kInterfaceId);
        dw::store_be16(out + at + 2, r.interface_id_len);
        std::memcpy(out + at + 4, r.interface_id, r.interface_id_len);
        at += d6::kOptionHeaderLen + r.interface_id_len;
    }
    dw::store_be16(out + at, opt::kRelayMsg);
    dw::store_be16(out + at + 2, inner_len);
    return static_cast<uint16_t>(head + inner_len);
}

bool parse_reply6(const uint8_t* p, uint16_t len, Reply6Info& out) noexcept {
    out = Reply6Info{};
    const uint8_t* msg = p;
    size_t n = len;
    // §9, §19.3: each Relay-Reply carries the next level in its Relay Message option.
    while (n != 0 && msg[0] == static_cast<uint8_t>(Msg6Type::RelayReply)) {
        if (out.relay_levels == d6::kHopCountLimit || n < d6::kRelayHeaderLen) return false;
        const bool outermost = out.relay_levels++ == 0;
        if (outermost) {
            std::memcpy(out.link_addr.bytes.data(), msg + d6::kLinkAddrOff, 16);
            std::memcpy(out.peer_addr.bytes.data(), msg + d6::kPeerAddrOff, 16);
        }
        dw::Cursor c(msg + d6::kRelayHeaderLen, n - d6::kRelayHeaderLen);
        const uint8_t* inner = nullptr;
        size_t inner_len = 0;
        while (c.remaining() != 0) {
            if (c.remaining() < d6::kOptionHeaderLen) return false;
            const uint16_t code = c.u16();
            const uint16_t on = c.u16();
            const uint8_t* v = c.bytes(on);
            if (!c.ok()) return false;
            if (code == opt::kRelayMsg) {
                inner = v;
                inner_len = on;
            } else if (code == opt::kInterfaceId && outermost) {
                out.interface_id = v;
                out.interface_id_len = on;
            }
        }
        if (inner == nullptr) return false;
        msg = inner;
        n = inner_len;
    }
    if (n < d6::kClientHeaderLen) return false;
    const auto type = static_cast<Msg6Type>(msg[d6::kMsgTypeOff]);
    if (type != Msg6Type::Advertise && type != Msg6Type::Reply) return false;
    out.type = type;
    out.xid = uint32_t{msg[1]} << 16 | uint32_t{msg[2]} << 8 | msg[3];
    dw::Cursor c(msg + d6::kClientHeaderLen, n - d6::kClientHeaderLen);
    while (c.remaining() != 0) {
        if (c.remaining() < d6::kOptionHeaderLen) return false;
        const uint16_t code = c.u16();
        const uint16_t on = c.u16();
        const uint8_t* v = c.bytes(on);
        if (!c.ok()) return false;
        switch (code) {
            case opt::kClientId:
                out.client_id = v;
                out.client_id_len = on;
                break;
            case opt::kServerId:
                out.server_id = v;
                out.server_id_len = on;
                break;
            case opt::kRapidCommit:
                out.rapid_commit = true;
                break;
            case opt::kStatusCode:
                if (on < opt::kStatusCodeFixedLen) return false;
                ++out.statuses[status_slot(dw::load_be16(v))];
                if (!out.has_status) {
                    out.has_status = true;
                    out.status = dw::load_be16(v);
                }
                break;
            case opt::kIaNa:
            case opt::kIaPd: {
                const bool pd = code == opt::kIaPd;
                if (on < opt::kIaNaFixedLen) return false;
                IaReply scratch;
                IaReply& ia =
                    pd ? (out.pd.present ? scratch : out.pd) : (out.na.present ? scratch : out.na);
                ia.present = true;
                ia.iaid = dw::load_be32(v);
                ia.t1 = dw::load_be32(v + 4);
                ia.t2 = dw::load_be32(v + 8);
                if (!read_ia(dw::Cursor(v + opt::kIaNaFixedLen, on - opt::kIaNaFixedLen), pd, ia,
                             out))
                    return false;
                break;
            }
            default:
                break;
        }
    }
    return out.client_id != nullptr && out.server_id != nullptr;
}

}  // namespace edgelease::loadgen
