// Replies of the lease engine: each scope's prebuilt options, the per-request ones (lease
// times, host name, client FQDN), the destination rules of RFC 2131 §4.1, and encoding.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "control/dhcp/engine_impl.hpp"

namespace edgelease::control::dhcp {

using detail::OptionSet;
using detail::ScopeState;
using detail::Who;
using edgelease::control::dhcp::encode_reply;
using edgelease::control::dhcp::ReplyHeader;

namespace detail {

namespace {

std::vector<uint32_t> values(const std::vector<net::Ipv4Addr>& addrs) {
    std::vector<uint32_t> out;
    for (auto a : addrs) out.push_back(a.value);
    return out;
}

void must(bool ok, const config::ScopeConfig& sc, int code) {
    if (!ok)
        throw std::invalid_argument("dhcp scope '" + sc.name + "': option " + std::to_string(code) +
                                    " does not fit in the reply's option space");
}

}  // namespace

std::vector<uint8_t> encode_domain_search(const std::vector<std::string>& names) {
    // RFC 3397 §2: names in RFC 1035 wire form; compression is optional and not used.
    std::vector<uint8_t> out;
    for (const std::string& name : names) {
        size_t start = 0;
        while (start < name.size()) {
            size_t dot = name.find('.', start);
            if (dot == std::string::npos) dot = name.size();
            if (dot > start) {
                out.push_back(static_cast<uint8_t>(dot - start));
                out.insert(out.end(), name.begin() + static_cast<long>(start),
                           name.begin() + static_cast<long>(dot));
            }
            start = dot + 1;
        }
        out.push_back(0);
    }
    return out;
}

std::vector<uint8_t> encode_static_routes(const std::vector<config::StaticRouteConfig>& routes) {
    // RFC 3442: width, the significant octets of the destination, then the router.
    std::vector<uint8_t> out;
    for (const auto& r : routes) {
        out.push_back(r.prefix_len);
        for (int i = 0; i < (r.prefix_len + 7) / 8; ++i)
            out.push_back(static_cast<uint8_t>(r.destination.value >> (24 - 8 * i)));
        for (int i = 0; i < 4; ++i)
            out.push_back(static_cast<uint8_t>(r.router.value >> (24 - 8 * i)));
    }
    return out;
}

void build_static_options(const config::ScopeConfig& sc, OptionSet& out) {
    const uint32_t mask = net::v4_mask(sc.subnet.prefix_len);
    const uint32_t network = sc.subnet.v4.value & mask;
    // The always-sent set: 1, 3, 6, 15, 28 (RFC 2131 §4.3.1 lets a server send more than asked).
    must(out.set_addr(1, mask, true), sc, 1);
    if (!sc.routers.empty()) must(out.set_addrs(3, values(sc.routers), true), sc, 3);
    if (!sc.dns_servers.empty()) must(out.set_addrs(6, values(sc.dns_servers), true), sc, 6);
    if (!sc.domain.empty()) {
        // Option 15 is plain text without the root dot (RFC 2132 §3.17).
        std::string d = sc.domain.substr(0, sc.domain.size() - 1);
        must(out.set(15, reinterpret_cast<const uint8_t*>(d.data()), d.size(), true), sc, 15);
    }
    must(out.set_addr(28, network | ~mask, true), sc, 28);
    // Sent when the client asks (option 55).
    if (!sc.ntp_servers.empty()) must(out.set_addrs(42, values(sc.ntp_servers)), sc, 42);
    if (!sc.domain_search.empty()) {
        auto v = encode_domain_search(sc.domain_search);
        must(out.set(119, v.data(), v.size()), sc, 119);
    }
    if (!sc.static_routes.empty()) {
        auto v = encode_static_routes(sc.static_routes);
        must(out.set(121, v.data(), v.size()), sc, 121);
    }
    // Configured by code: replaces what the server would derive for the same code.
    for (const auto& o : sc.options)
        must(out.set(o.code, o.data.data(), o.data.size(), o.always), sc, o.code);
}

}  // namespace detail

void LeaseEngine::Impl::lease_times(const ScopeState& sc, const DhcpRequest& req, uint32_t& lease,
                                    uint32_t& t1, uint32_t& t2) const noexcept {
    // The client may ask for less (option 51), never more. T1 and T2 keep their proportions.
    // A floor keeps a client from asking to renew every second.
    constexpr uint32_t kMinClientLease = 60;
    uint64_t full = sc.lease_time;
    uint64_t l = full;
    if (req.lease_time != 0 && req.lease_time < full)
        l = std::max<uint64_t>(req.lease_time, std::min<uint64_t>(full, kMinClientLease));
    lease = static_cast<uint32_t>(l);
    t1 = static_cast<uint32_t>(uint64_t{sc.t1} * l / full);
    t2 = static_cast<uint32_t>(uint64_t{sc.t2} * l / full);
}

void LeaseEngine::Impl::reply(const DhcpRequest& req, const ScopeState& sc, const Who& who,
                              MsgType type, uint32_t yiaddr, bool with_lease, Result& out) {
    opts = sc.static_opts;
    if (with_lease) {
        uint32_t lease, t1, t2;
        lease_times(sc, req, lease, t1, t2);
        opts.set_u32(51, lease, true);
        opts.set_u32(58, t1, true);
        opts.set_u32(59, t2, true);
    }
    // Option 12: the reservation's name is the server's to give (always sent); otherwise the
    // client's own, when it asks for it back.
    const std::string* res_name =
        who.reservation >= 0 ? &sc.cfg->reservations[who.reservation].hostname : nullptr;
    if (res_name && !res_name->empty())
        opts.set(12, reinterpret_cast<const uint8_t*>(res_name->data()), res_name->size(), true);
    else if (req.hostname_len != 0)
        opts.set(12, reinterpret_cast<const uint8_t*>(req.hostname),
                 std::min<size_t>(req.hostname_len, kMaxHostname));
    if (req.has_fqdn) {
        // RFC 4702 §4: S = we do the A update; O = we overrode the client's S; N = no updates
        // by us at all; E echoed with the name in the client's encoding; RCODEs 255 (§2.2).
        constexpr uint8_t kS = 0x01, kO = 0x02, kE = 0x04, kN = 0x08;
        // A client that sets N asks for no updates at all (§2.1): honoured, no records made.
        const bool client_s = (req.fqdn_flags & kS) != 0;
        const bool we_update = sc.dns_update && (req.fqdn_flags & kN) == 0;
        uint8_t flags = static_cast<uint8_t>(req.fqdn_flags & kE);
        flags |= we_update ? kS : kN;
        if (client_s != we_update) flags |= kO;
        uint8_t buf[255];
        const size_t n = std::min<size_t>({req.fqdn_len, kMaxFqdn, sizeof buf - 3});
        buf[0] = flags;
        buf[1] = 255;
        buf[2] = 255;
        std::memcpy(buf + 3, req.fqdn, n);
        opts.set(81, buf, 3 + n, true);
    }
    emit(req, sc, type, yiaddr, opts, out);
}

void LeaseEngine::Impl::nak(const DhcpRequest& req, const ScopeState& sc, const char* why,
                            Result& out) {
    // RFC 2131 Table 3: a NAK carries 53, 54, optionally 56 (message), 61 and 82; nothing else.
    opts = OptionSet{};
    opts.set(56, reinterpret_cast<const uint8_t*>(why), std::strlen(why), true);
    emit(req, sc, MsgType::Nak, 0, opts, out);
    out.outcome = Outcome::Nak;
}

void LeaseEngine::Impl::emit(const DhcpRequest& req, const ScopeState& sc, MsgType type,
                             uint32_t yiaddr, const OptionSet& o, Result& out) {
    const uint32_t server = server_addr(req.path.iface_index, sc);
    ReplyHeader hdr;
    hdr.type = type;
    // RFC 2131 Table 3: ciaddr is 0 in OFFER and NAK, the client's in ACK (renewal, INFORM).
    hdr.ciaddr = type == MsgType::Ack ? req.ciaddr : 0;
    hdr.yiaddr = yiaddr;
    hdr.server_id = server;
    DhcpReply& r = out.reply;
    r.len = encode_reply(req, hdr, o, r.payload, static_cast<uint16_t>(kMaxPayload));
    if (r.len == 0) {
        out.has_reply = false;
        return;
    }
    r.path = req.path;
    r.src_ip = server;
    static constexpr net::MacAddr kBroadcastMac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    // RFC 2131 §4.1, in its order of precedence.
    if (req.giaddr != 0) {
        r.dst_ip = req.giaddr;  // to the relay, which forwards it on the client's link
        r.dst_port = kServerPort;
        r.dst_mac = req.path.src_mac;
    } else {
        r.dst_port = kClientPort;
        if (type == MsgType::Nak) {
            r.dst_ip = 0xFFFFFFFF;
            r.dst_mac = kBroadcastMac;
        } else if (req.ciaddr != 0) {
            r.dst_ip = req.ciaddr;  // the client has a working address (renewal, INFORM)
            r.dst_mac = req.path.src_mac;
        } else if (req.broadcast_flag() || yiaddr == 0) {
            r.dst_ip = 0xFFFFFFFF;
            r.dst_mac = kBroadcastMac;
        } else {
            r.dst_ip = yiaddr;  // the client accepts unicast before it has configured the address
            r.dst_mac = req.chaddr;
        }
    }
    out.has_reply = true;
}

}  // namespace edgelease::control::dhcp
