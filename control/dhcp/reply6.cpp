#include "control/dhcp/reply6.hpp"

#include <algorithm>
#include <cstring>

#include "control/dhcp/engine6.hpp"

namespace edgelease::control::dhcp {

namespace {
// Option codes (RFC 9915 §21, RFC 4704).
constexpr uint16_t kOptClientId = 1;
constexpr uint16_t kOptServerId = 2;
constexpr uint16_t kOptIaNa = 3;
constexpr uint16_t kOptIaAddr = 5;
constexpr uint16_t kOptRelayMsg = 9;
constexpr uint16_t kOptStatusCode = 13;
constexpr uint16_t kOptRapidCommit = 14;
constexpr uint16_t kOptInterfaceId = 18;
constexpr uint16_t kOptDnsServers = 23;
constexpr uint16_t kOptDomainList = 24;
constexpr uint16_t kOptIaPd = 25;
constexpr uint16_t kOptIaPrefix = 26;
constexpr uint16_t kOptClientFqdn = 39;
constexpr size_t kRelayHeader = 34;  // msg-type, hop-count, link-address, peer-address
constexpr uint8_t kFqdnS = 0x01, kFqdnO = 0x02, kFqdnN = 0x04;

bool requested(const Dhcp6Request& req, uint16_t code) {
    for (uint8_t i = 0; i < req.oro_len; ++i)
        if (req.oro[i] == code) return true;
    return false;
}

bool is_multicast(const net::Ipv6Addr& a) {
    return a.bytes[0] == 0xff;
}

size_t wrap_size(const Dhcp6Request& req) {
    size_t n = 0;
    for (uint8_t i = 0; i < req.relay_count; ++i) {
        n += kRelayHeader + 4;  // + the Relay Message option's header
        if (req.relays[i].has_interface_id) n += 4 + req.relays[i].interface_id_len;
    }
    return n;
}
}  // namespace

void ReplyWriter6::u8(uint8_t v) {
    bytes(&v, 1);
}
void ReplyWriter6::u16(uint16_t v) {
    const uint8_t b[2] = {uint8_t(v >> 8), uint8_t(v)};
    bytes(b, 2);
}
void ReplyWriter6::u32(uint32_t v) {
    const uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    bytes(b, 4);
}
void ReplyWriter6::bytes(const void* p, size_t n) {
    if (!ok_ || pos_ + n > sizeof buf_) {
        ok_ = false;
        return;
    }
    if (n != 0) std::memcpy(buf_ + pos_, p, n);
    pos_ += n;
}
void ReplyWriter6::name(std::string_view text, bool root) {
    size_t at = 0;
    while (at < text.size()) {
        size_t dot = text.find('.', at);
        if (dot == std::string_view::npos) dot = text.size();
        const size_t n = std::min<size_t>(dot - at, 63);
        if (n != 0) {
            u8(static_cast<uint8_t>(n));
            bytes(text.data() + at, n);
        }
        at = dot + 1;
    }
    if (root) u8(0);
}

size_t ReplyWriter6::open(uint16_t code) {
    const size_t at = pos_;
    u16(code);
    u16(0);
    return at;
}
void ReplyWriter6::close(size_t at) {
    if (!ok_) return;
    const size_t len = pos_ - at - 4;
    buf_[at + 2] = static_cast<uint8_t>(len >> 8);
    buf_[at + 3] = static_cast<uint8_t>(len);
}

void ReplyWriter6::begin(const Dhcp6Request& req, Msg6Type type,
                         const std::vector<uint8_t>& server_duid) {
    ok_ = true;
    ia_at_ = SIZE_MAX;
    start_ = wrap_size(req);
    pos_ = start_;
    if (start_ > sizeof buf_) {
        ok_ = false;
        return;
    }
    u8(static_cast<uint8_t>(type));
    u8(static_cast<uint8_t>(req.xid >> 16));
    u8(static_cast<uint8_t>(req.xid >> 8));
    u8(static_cast<uint8_t>(req.xid));
    if (req.client_id_len != 0) {
        const size_t at = open(kOptClientId);
        bytes(req.client_id, req.client_id_len);
        close(at);
    }
    const size_t at = open(kOptServerId);
    bytes(server_duid.data(), server_duid.size());
    close(at);
}

void ReplyWriter6::rapid_commit() {
    close(open(kOptRapidCommit));
}

void ReplyWriter6::status(uint16_t code, const char* text) {
    const size_t at = open(kOptStatusCode);
    u16(code);
    bytes(text, std::strlen(text));
    close(at);
}

void ReplyWriter6::begin_ia(const Ia6& ia, uint32_t t1, uint32_t t2) {
    ia_at_ = open(ia.type == Ia6::kPd ? kOptIaPd : kOptIaNa);
    u32(ia.iaid);
    u32(t1);
    u32(t2);
}

void ReplyWriter6::lease(const Lease6Key& k, uint32_t preferred, uint32_t valid) {
    if (k.kind == IaKind::Na) {
        const size_t at = open(kOptIaAddr);
        bytes(k.addr.bytes.data(), 16);
        u32(preferred);
        u32(valid);
        close(at);
    } else {
        const size_t at = open(kOptIaPrefix);
        u32(preferred);
        u32(valid);
        u8(k.prefix_len);
        bytes(k.addr.bytes.data(), 16);
        close(at);
    }
}

void ReplyWriter6::end_ia() {
    if (ia_at_ != SIZE_MAX) close(ia_at_);
    ia_at_ = SIZE_MAX;
}

void ReplyWriter6::options(const Dhcp6Request& req, const config::Scope6Config& sc) {
    if (!sc.dns_servers.empty() && requested(req, kOptDnsServers)) {
        const size_t at = open(kOptDnsServers);
        for (const auto& a : sc.dns_servers) bytes(a.bytes.data(), 16);
        close(at);
    }
    // Every search domain (each at least a root label), else the scope's domain, else none.
    if (requested(req, kOptDomainList) && (!sc.domain_search.empty() || !sc.domain.empty())) {
        const size_t at = open(kOptDomainList);
        if (!sc.domain_search.empty())
            for (const auto& d : sc.domain_search) name(d, true);
        else
            name(sc.domain, true);
        close(at);
    }
}

void ReplyWriter6::fix_fqdn_flags(uint8_t& flags, bool update) const {
    const uint8_t asked = flags;
    if (asked & kFqdnN) {
        flags = kFqdnN;  // RFC 4704 §4.2: the client updates nothing, and neither do we
    } else if (update) {
        flags = static_cast<uint8_t>(kFqdnS | ((asked & kFqdnS) ? 0 : kFqdnO));
    } else {
        flags = kFqdnN;  // we do not update: say so (the client may do its own)
    }
}

void ReplyWriter6::fqdn(const Dhcp6Request& req, std::string_view host, std::string_view domain,
                        bool update) {
    uint8_t flags = req.fqdn_flags;
    fix_fqdn_flags(flags, update && !domain.empty() && !host.empty());
    const size_t at = open(kOptClientFqdn);
    u8(flags);
    if (!host.empty() && !domain.empty()) {
        name(host, false);  // as the labels of host + "." + domain
        name(domain, true);
    }
    close(at);
}

void ReplyWriter6::finish(const Dhcp6Request& req, Result6& out) {
    if (!ok_) {
        out.has_reply = false;
        out.outcome = Outcome::Invalid;
        return;
    }
    // The relay headers, outermost first, each's Relay Message holding everything after it.
    size_t at = 0;
    for (uint8_t i = 0; i < req.relay_count; ++i) {
        const RelayHop& h = req.relays[i];
        buf_[at++] = static_cast<uint8_t>(Msg6Type::RelayReply);
        buf_[at++] = h.hop_count;
        std::memcpy(buf_ + at, h.link_addr.bytes.data(), 16);
        std::memcpy(buf_ + at + 16, h.peer_addr.bytes.data(), 16);
        at += 32;
        if (h.has_interface_id) {
            buf_[at++] = static_cast<uint8_t>(kOptInterfaceId >> 8);
            buf_[at++] = static_cast<uint8_t>(kOptInterfaceId);
            buf_[at++] = static_cast<uint8_t>(h.interface_id_len >> 8);
            buf_[at++] = static_cast<uint8_t>(h.interface_id_len);
            std::memcpy(buf_ + at, req.relay_bytes + h.interface_id_off, h.interface_id_len);
            at += h.interface_id_len;
        }
        const size_t rest = pos_ - at - 4;
        buf_[at++] = static_cast<uint8_t>(kOptRelayMsg >> 8);
        buf_[at++] = static_cast<uint8_t>(kOptRelayMsg);
        buf_[at++] = static_cast<uint8_t>(rest >> 8);
        buf_[at++] = static_cast<uint8_t>(rest);
    }
    Dhcp6Reply& r = out.reply;
    r.path = req.path;
    r.dst_mac = req.path.src_mac;
    r.dst_ip = req.path.src_ip;
    if (req.relay_count == 0)
        r.dst_port = kClientPort6;
    else
        r.dst_port = req.relay_source_port ? req.path.src_port : kServerPort6;
    // From the address the request was sent to; for a multicast one, :: lets the worker use
    // the port's link-local address.
    r.src_ip = is_multicast(req.path.dst_ip) ? net::Ipv6Addr{} : req.path.dst_ip;
    r.len = static_cast<uint16_t>(pos_);
    std::memcpy(r.payload, buf_, pos_);
    out.has_reply = true;
}

}  // namespace edgelease::control::dhcp
