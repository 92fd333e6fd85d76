#include "loadgen/dhcp_swarm.hpp"

#include <stdexcept>

#include "loadgen/frame.hpp"

namespace edgelease::loadgen {

namespace {

constexpr uint16_t kServerPort = edgelease::dataplane::dhcp::kServerPort;
constexpr uint16_t kClientPort = edgelease::dataplane::dhcp::kClientPort;
constexpr uint32_t kBroadcastIp = 0xffffffffu;
constexpr net::MacAddr kBroadcastMac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

}  // namespace

DhcpSwarm::DhcpSwarm(const SwarmConfig& cfg) : SwarmCore(cfg) {
    if (cfg.relays != 0 && cfg.relay_base == 0)
        throw std::invalid_argument("relays need a relay address");
}

uint16_t DhcpSwarm::emit(uint32_t i, bool release, uint8_t* buf, uint16_t cap) const noexcept {
    if (cap < kPayloadOff) return 0;
    const Client& c = clients_[i];
    const bool selecting = c.state == State::Selecting || c.state == State::Requesting;
    const bool relayed = cfg_.relays != 0 && selecting && !release;

    RequestSpec s;
    s.xid = c.xid;
    s.chaddr = mac_of(i);
    s.broadcast = cfg_.broadcast && selecting;
    uint8_t client_id[7];
    if (cfg_.client_id) {
        client_id[0] = 1;  // RFC 2132 §9.14: hardware type, then the address
        for (size_t k = 0; k < 6; ++k) client_id[1 + k] = s.chaddr.bytes[k];
        s.client_id = client_id;
        s.client_id_len = sizeof client_id;
    }
    char host[32];
    if (cfg_.hostname && !release) {
        s.hostname = host;
        s.hostname_len = with_number(host, "lg-", i);
    }
    uint8_t relay_info[80];
    if (release) {
        s.type = MsgType::Release;  // RFC 2131 table 5: ciaddr and option 54, nothing asked
        s.ciaddr = c.addr;
        s.server_id = c.server_id;
    } else if (c.state == State::Selecting) {
        s.type = MsgType::Discover;
    } else if (c.state == State::Requesting) {
        s.type = MsgType::Request;  // SELECTING: option 50 and 54, ciaddr 0
        s.requested_ip = c.addr;
        s.server_id = c.server_id;
    } else {
        s.type = MsgType::Request;  // RENEWING: ciaddr, no option 50 or 54 (§4.3.2)
        s.ciaddr = c.addr;
    }
    UdpEndpoints e;
    if (relayed) {
        const uint32_t relay = i % cfg_.relays;
        s.hops = 1;
        s.giaddr = cfg_.relay_base + relay;
        if (cfg_.option82) {
            char circuit[32], remote[32];
            const uint8_t cl = with_number(circuit, "lg-circuit-", i);
            const uint8_t rl = with_number(remote, "lg-relay-", relay);
            s.relay_info = relay_info;
            s.relay_info_len = encode_relay_info(reinterpret_cast<const uint8_t*>(circuit), cl,
                                                 reinterpret_cast<const uint8_t*>(remote), rl,
                                                 relay_info, sizeof relay_info);
        }
        // RFC 2131 §4.1 / RFC 1542 §4.1: the relay unicasts from its own address to ours.
        e = {cfg_.port_mac, cfg_.server_mac, s.giaddr, cfg_.server_ip, kServerPort, kServerPort};
    } else if (selecting && !release) {
        // A client without an address broadcasts from 0.0.0.0 (§4.1).
        e = {s.chaddr, kBroadcastMac, 0, kBroadcastIp, kClientPort, kServerPort};
    } else {
        // A bound client unicasts to the server that granted its lease; behind a relay its
        // frames come from the router (our port MAC).
        const net::MacAddr src = cfg_.relays != 0 ? cfg_.port_mac : s.chaddr;
        const uint32_t server = c.server_id != 0 ? c.server_id : cfg_.server_ip;
        e = {src, cfg_.server_mac, c.addr, server, kClientPort, kServerPort};
    }
    const uint16_t n =
        encode_request(s, buf + kPayloadOff, static_cast<uint16_t>(cap - kPayloadOff));
    if (n == 0) return 0;
    return finish_udp_frame(buf, cap, e, n);
}

uint16_t DhcpSwarm::begin_dora(uint32_t i, uint64_t now, uint8_t* buf, uint16_t cap) noexcept {
    Client& c = clients_[i];
    c.state = State::Selecting;
    c.xid = static_cast<uint32_t>(rand() >> 32);
    c.addr = 0;
    c.server_id = 0;
    arm(c, now);
    c.dora_start = now;
    ++in_flight_;
    counters_.discovers.add();
    return emit(i, false, buf, cap);
}

uint16_t DhcpSwarm::start_next(uint64_t now, uint8_t* buf, uint16_t cap) noexcept {
    uint32_t i = 0;
    const Action a = next_action(i);
    if (a == Action::None) return 0;
    Client& c = clients_[i];
    if (a == Action::Renew) {
        c.state = State::Renewing;
        c.xid = static_cast<uint32_t>(rand() >> 32);
        arm(c, now);
        ++in_flight_;
        return emit(i, false, buf, cap);
    }
    if (a == Action::Release) {
        c.xid = static_cast<uint32_t>(rand() >> 32);
        const uint16_t n = emit(i, true, buf, cap);
        c.acked = 0;
        c.state = State::Init;  // a RELEASE has no answer: the client is idle at once
        push_ready(i);
        return n;
    }
    return begin_dora(i, now, buf, cap);  // a restart forgets the lease
}

uint16_t DhcpSwarm::on_frame(uint64_t now, const uint8_t* frame, uint16_t len, uint8_t* buf,
                             uint16_t cap) noexcept {
    RxUdp u;
    ReplyInfo r;
    if (!parse_udp_frame(frame, len, u) || u.src_port != kServerPort ||
        (u.dst_port != kClientPort && u.dst_port != kServerPort) ||
        !parse_reply(u.payload, u.payload_len, r)) {
        counters_.ignored.add();
        return 0;
    }
    const uint32_t i = index_of(r.chaddr);
    if (i == clients()) {
        counters_.ignored.add();
        return 0;
    }
    Client& c = clients_[i];
    if (c.deadline == 0 || r.xid != c.xid) {
        counters_.unexpected.add();
        return 0;
    }
    if (c.state == State::Selecting && r.type == MsgType::Offer) {
        counters_.offers.add();
        counters_.exchanges.add();
        record(exchange_lat_, now - c.sent_at);
        c.state = State::Requesting;  // same xid as the OFFER (RFC 2131 §4.4.1)
        c.addr = r.yiaddr;
        c.server_id = r.server_id != 0 ? r.server_id : cfg_.server_ip;
        arm(c, now);
        counters_.requests.add();
        return emit(i, false, buf, cap);
    }
    const bool requesting = c.state == State::Requesting, renewing = c.state == State::Renewing;
    if ((requesting || renewing) && (r.type == MsgType::Ack || r.type == MsgType::Nak)) {
        counters_.exchanges.add();
        record(exchange_lat_, now - c.sent_at);
        if (r.type == MsgType::Nak) {
            counters_.naks.add();
            settle(i, State::Init);
            return 0;
        }
        if (requesting) {
            counters_.acks.add();
            record(dora_lat_, now - c.dora_start);
        } else {
            counters_.renew_acks.add();
        }
        if (r.yiaddr != 0) c.addr = r.yiaddr;
        c.acked = c.addr;
        settle(i, State::Bound);
        return 0;
    }
    counters_.unexpected.add();  // e.g. a second OFFER after a retransmitted DISCOVER
    return 0;
}

uint16_t DhcpSwarm::poll_timeouts(uint64_t now, unsigned& budget, uint8_t* buf,
                                  uint16_t cap) noexcept {
    return next_timeout(now, budget, [&](uint32_t i) { return emit(i, false, buf, cap); });
}

}  // namespace edgelease::loadgen
