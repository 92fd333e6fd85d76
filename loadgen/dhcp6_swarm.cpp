#include "loadgen/dhcp6_swarm.hpp"

#include <cstring>
#include <stdexcept>

#include "loadgen/frame.hpp"

namespace edgelease::loadgen {

namespace {

namespace d6 = edgelease::dataplane::wire::dhcp6;

constexpr uint8_t kLinkScopeHopLimit = 1;  // a client's datagrams stay on its link

/// base + n over the low 64 bits (relay addresses).
net::Ipv6Addr add_low64(const net::Ipv6Addr& base, uint64_t n) noexcept {
    uint64_t low = 0;
    for (size_t k = 8; k < 16; ++k) low = low << 8 | base.bytes[k];
    low += n;
    net::Ipv6Addr a = base;
    for (size_t k = 16; k-- > 8; low >>= 8) a.bytes[k] = static_cast<uint8_t>(low);
    return a;
}

constexpr net::Ipv6Addr kAllDhcp{d6::kAllRelayAgentsAndServers};

}  // namespace

Dhcp6Swarm::Dhcp6Swarm(const Swarm6Config& cfg) : SwarmCore(cfg) {
    if (!cfg.ia_na && !cfg.ia_pd) throw std::invalid_argument("ask for IA_NA, IA_PD or both");
    if (cfg.relays != 0 && cfg.relay_base == net::Ipv6Addr{})
        throw std::invalid_argument("relays need a relay address");
}

net::Ipv6Addr Dhcp6Swarm::link_local_of(uint32_t i) const noexcept {
    return net::link_local_from_mac(mac_of(i));
}

uint32_t Dhcp6Swarm::iaid_of(uint32_t i) const noexcept {
    return static_cast<uint32_t>(mac_base_ + i);
}

uint8_t Dhcp6Swarm::duid_of(uint32_t i, uint8_t* out) const noexcept {
    const net::MacAddr m = mac_of(i);
    uint8_t n = 0;
    const uint16_t type = cfg_.duid == DuidKind::Ll ? d6::duid::kLl : d6::duid::kLlt;
    out[n++] = static_cast<uint8_t>(type >> 8);
    out[n++] = static_cast<uint8_t>(type);
    out[n++] = 0;
    out[n++] = static_cast<uint8_t>(d6::kHwTypeEthernet);
    if (cfg_.duid == DuidKind::Llt) {
        out[n++] = static_cast<uint8_t>(kDuidLltTime >> 24);
        out[n++] = static_cast<uint8_t>(kDuidLltTime >> 16);
        out[n++] = static_cast<uint8_t>(kDuidLltTime >> 8);
        out[n++] = static_cast<uint8_t>(kDuidLltTime);
    }
    for (uint8_t b : m.bytes) out[n++] = b;
    return n;
}

uint32_t Dhcp6Swarm::client_of(const Reply6Info& r) const noexcept {
    // Our DUIDs end in the client's MAC; the whole DUID must then be the one we send.
    if (r.client_id_len < 6 || r.client_id_len > 14) return clients();
    net::MacAddr m;
    std::memcpy(m.bytes.data(), r.client_id + r.client_id_len - 6, 6);
    const uint32_t i = index_of(m);
    if (i == clients()) return i;
    uint8_t duid[14];
    const uint8_t n = duid_of(i, duid);
    if (n != r.client_id_len || std::memcmp(duid, r.client_id, n) != 0) return clients();
    return i;
}

uint8_t Dhcp6Swarm::server_slot(const uint8_t* duid, uint16_t len) noexcept {
    if (len == 0 || len > dataplane::dhcp::kMaxDuid) return 0;
    for (size_t k = 0; k < servers_.size(); ++k) {
        ServerId& s = servers_[k];
        if (s.len == 0) {  // a server not seen before: remember it
            s.len = static_cast<uint8_t>(len);
            std::memcpy(s.bytes, duid, len);
            return static_cast<uint8_t>(k + 1);
        }
        if (s.len == len && std::memcmp(s.bytes, duid, len) == 0)
            return static_cast<uint8_t>(k + 1);
    }
    return 0;
}

bool Dhcp6Swarm::take_bindings(Client& c, const Reply6Info& r, uint32_t iaid, bool& na,
                               bool& pd) noexcept {
    na = cfg_.ia_na && r.na.present && r.na.iaid == iaid && r.na.bound;
    pd = cfg_.ia_pd && r.pd.present && r.pd.iaid == iaid && r.pd.bound;
    c.has_na = na;
    if (na) c.na = r.na.addr;
    c.pd_len = pd ? r.pd.prefix_len : 0;
    if (pd) c.pd = r.pd.addr;
    return na || pd;
}

uint16_t Dhcp6Swarm::emit(uint32_t i, uint64_t now, uint8_t* buf, uint16_t cap) const noexcept {
    if (cap < kPayload6Off) return 0;
    const Client& c = clients_[i];
    uint8_t duid[14];
    Request6Spec s;
    s.xid = c.xid;
    s.client_id = duid;
    s.client_id_len = duid_of(i, duid);
    if (c.tries != 0) {
        // §21.9: hundredths of a second since the exchange began; 0xffff saturates.
        const double h = static_cast<double>(now - c.sent_at) * cfg_.ns_per_tick / 1e7;
        s.elapsed = h >= 65535.0 ? 0xffff : static_cast<uint16_t>(h);
    }
    const uint32_t iaid = iaid_of(i);
    s.na_iaid = s.pd_iaid = iaid;
    switch (c.state) {
        case State::Soliciting:
            s.type = Msg6Type::Solicit;
            s.rapid_commit = cfg_.rapid_commit;
            s.ia_na = cfg_.ia_na;
            s.ia_pd = cfg_.ia_pd;
            break;
        case State::Requesting:
        case State::Renewing:
        case State::Releasing:
            // §18.2.2, §18.2.4, §18.2.7: the server that advertised or granted, and what the
            // client wants or holds in its IAs.
            s.type = c.state == State::Requesting ? Msg6Type::Request
                     : c.state == State::Renewing ? Msg6Type::Renew
                                                  : Msg6Type::Release;
            if (c.server != 0) {
                s.server_id = servers_[c.server - 1u].bytes;
                s.server_id_len = servers_[c.server - 1u].len;
            }
            s.ia_na = c.has_na;
            s.na_has_addr = c.has_na;
            s.na_addr = c.na;
            s.ia_pd = c.pd_len != 0;
            s.pd_len = c.pd_len;
            s.pd_prefix = c.pd;
            break;
        default:
            return 0;
    }
    char host[32];
    if (cfg_.fqdn && c.state != State::Releasing) {
        s.fqdn = host;
        s.fqdn_len = with_number(host, "lg-", i);
    }

    uint8_t* payload = buf + kPayload6Off;
    const auto room = static_cast<uint16_t>(cap - kPayload6Off);
    Udp6Endpoints e;
    uint16_t n = 0;
    if (cfg_.relays != 0) {
        // §19.1.1: the relay wraps the client's message; its link-address names the client's
        // link, its peer-address is the client. It unicasts from its own address (§19.1.3).
        const uint32_t relay = i % cfg_.relays;
        char iid[32];
        RelaySpec r;
        r.link_addr = add_low64(cfg_.relay_base, relay);
        r.peer_addr = link_local_of(i);
        r.interface_id = reinterpret_cast<const uint8_t*>(iid);
        r.interface_id_len = with_number(iid, "lg-circuit-", i);
        const uint16_t head = relay_forward_overhead(r);
        if (head >= room) return 0;
        const uint16_t inner =
            encode_request6(s, payload + head, static_cast<uint16_t>(room - head));
        if (inner == 0) return 0;
        n = wrap_relay_forward(r, payload, room, inner);
        e = {cfg_.port_mac,
             cfg_.server_mac,
             r.link_addr,
             cfg_.server_ip,
             d6::kServerPort,
             d6::kServerPort,
             wire::ipv6::kDefaultHopLimit};
    } else {
        // §18.2: a client sends from its link-local address to All_DHCP_Relay_Agents_and_Servers
        // (renewals and releases too: the appliance sends no Server Unicast option).
        n = encode_request6(s, payload, room);
        e = {mac_of(i),         ipv6_multicast_mac(kAllDhcp),
             link_local_of(i),  kAllDhcp,
             d6::kClientPort,   d6::kServerPort,
             kLinkScopeHopLimit};
    }
    if (n == 0) return 0;
    return finish_udp6_frame(buf, cap, e, n);
}

uint16_t Dhcp6Swarm::begin(uint32_t i, State st, uint64_t now, uint8_t* buf,
                           uint16_t cap) noexcept {
    Client& c = clients_[i];
    c.state = st;
    c.xid = static_cast<uint32_t>(rand() >> 40);  // 24 bits
    arm(c, now);
    if (st == State::Soliciting) {
        c.acq_start = now;
        c.server = 0;
        c.has_na = false;
        c.pd_len = 0;
        counters_.solicits.add();
    }
    ++in_flight_;
    return emit(i, now, buf, cap);
}

uint16_t Dhcp6Swarm::start_next(uint64_t now, uint8_t* buf, uint16_t cap) noexcept {
    uint32_t i = 0;
    switch (next_action(i)) {
        case Action::None:
            return 0;
        case Action::Renew:
            return begin(i, State::Renewing, now, buf, cap);
        case Action::Release:
            return begin(i, State::Releasing, now, buf, cap);
        case Action::Acquire:
            break;
    }
    return begin(i, State::Soliciting, now, buf, cap);  // a restart forgets the bindings
}

uint16_t Dhcp6Swarm::on_frame(uint64_t now, const uint8_t* frame, uint16_t len, uint8_t* buf,
                              uint16_t cap) noexcept {
    RxUdp6 u;
    Reply6Info r;
    const uint16_t want_port = cfg_.relays != 0 ? d6::kServerPort : d6::kClientPort;
    if (!parse_udp6_frame(frame, len, u) || u.src_port != d6::kServerPort ||
        u.dst_port != want_port || !parse_reply6(u.payload, u.payload_len, r)) {
        counters_.ignored.add();
        return 0;
    }
    const uint32_t i = client_of(r);
    if (i == clients()) {
        counters_.ignored.add();
        return 0;
    }
    Client& c = clients_[i];
    // A relayed client's answer comes in a Relay-Reply addressed to it (§19.3), a direct
    // client's without one.
    const bool path_ok = cfg_.relays == 0 ? r.relay_levels == 0
                                          : r.relay_levels == 1 && r.peer_addr == link_local_of(i);
    if (c.deadline == 0 || r.xid != (c.xid & 0xffffffu) || !path_ok) {
        counters_.unexpected.add();
        return 0;
    }
    const uint32_t iaid = iaid_of(i);
    bool na = false, pd = false;
    // The pending message is answered: count the exchange, its latency, its status codes.
    auto answered = [&] {
        counters_.exchanges.add();
        record(exchange_lat_, now - c.sent_at);
        for (unsigned s = 0; s < kStatusSlots; ++s)
            if (r.statuses[s] != 0) counters_.status[s].add(r.statuses[s]);
    };
    auto acquired = [&](bool rapid) -> uint16_t {
        answered();
        const uint8_t slot = server_slot(r.server_id, r.server_id_len);
        if (slot == 0 || !take_bindings(c, r, iaid, na, pd)) {
            counters_.refused.add();
            settle(i, State::Init);
            return 0;
        }
        c.server = slot;
        counters_.leases.add();
        if (rapid) counters_.rapid_leases.add();
        if (na) counters_.addresses.add();
        if (pd) counters_.prefixes.add();
        record(acq_lat_, now - c.acq_start);
        settle(i, State::Bound);
        return 0;
    };

    switch (c.state) {
        case State::Soliciting:
            if (r.type == Msg6Type::Advertise) {
                counters_.advertises.add();
                answered();
                const uint8_t slot = server_slot(r.server_id, r.server_id_len);
                if (slot == 0 || !take_bindings(c, r, iaid, na, pd)) {
                    // §18.2.9: an Advertise without addresses or prefixes is no offer.
                    counters_.refused.add();
                    settle(i, State::Init);
                    return 0;
                }
                // §18.2.2: a Request, a new transaction, to the server that advertised, for
                // what it advertised.
                c.server = slot;
                c.state = State::Requesting;
                c.xid = static_cast<uint32_t>(rand() >> 40);
                arm(c, now);
                counters_.requests.add();
                return emit(i, now, buf, cap);
            }
            // §18.2.10: a Reply to a Solicit only with Rapid Commit, asked and granted.
            if (r.type == Msg6Type::Reply && cfg_.rapid_commit && r.rapid_commit)
                return acquired(true);
            break;
        case State::Requesting:
            if (r.type == Msg6Type::Reply) return acquired(false);
            break;
        case State::Renewing:
            if (r.type == Msg6Type::Reply) {
                answered();
                if (take_bindings(c, r, iaid, na, pd)) {
                    counters_.renew_replies.add();
                    settle(i, State::Bound);
                } else {
                    counters_.refused.add();  // NoBinding: start over (§18.2.10.1)
                    settle(i, State::Init);
                }
                return 0;
            }
            break;
        case State::Releasing:
            if (r.type == Msg6Type::Reply) {
                answered();
                counters_.release_replies.add();
                settle(i, State::Init);
                return 0;
            }
            break;
        default:
            break;
    }
    counters_.unexpected.add();  // e.g. a second Advertise after a retransmitted Solicit
    return 0;
}

uint16_t Dhcp6Swarm::poll_timeouts(uint64_t now, unsigned& budget, uint8_t* buf,
                                   uint16_t cap) noexcept {
    return next_timeout(now, budget, [&](uint32_t i) { return emit(i, now, buf, cap); });
}

}  // namespace edgelease::loadgen
