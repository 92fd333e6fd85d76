// The DHCPv6 lease engine (RFC 9915) as a table: requests in, leases and reply bytes out.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <optional>

#include "control/dhcp/engine6.hpp"

namespace edgelease::control::dhcp {
namespace {

net::Ipv6Addr ip6(const char* s) {
    return *net::parse_ipv6(s);
}
net::Prefix pfx(const char* s, uint8_t len) {
    net::Prefix p;
    p.is_v6 = true;
    p.v6 = ip6(s);
    p.prefix_len = len;
    return p;
}

const std::vector<uint8_t> kServerDuid{0, 1, 0, 1, 0x30, 0, 0, 1, 2, 0, 0, 0, 0, 1};

config::Config make_config() {
    config::Config c;
    config::InterfaceConfig ifc;
    ifc.port = "net_tap0";
    net::IfAddress a;
    a.is_v6 = true;
    a.v6 = ip6("2001:db8::1");
    a.prefix_len = 64;
    ifc.addresses.push_back(a);
    c.interfaces.push_back(ifc);
    config::Scope6Config s;
    s.name = "lan6";
    s.prefix = pfx("2001:db8::", 64);
    s.pools.push_back({ip6("2001:db8::1000"), ip6("2001:db8::1003"), {}});
    s.pd_pools.push_back({pfx("2001:db8:8000::", 40), 56, {}});
    s.preferred_lifetime = std::chrono::seconds(1800);
    s.valid_lifetime = std::chrono::seconds(3600);
    s.dns_servers.push_back(ip6("2001:db8::53"));
    s.domain = "lan.";
    s.decline_probation = std::chrono::seconds(600);
    config::Reservation6Config r;
    r.hw_address = net::MacAddr{{2, 0, 0, 0, 0, 0x50}};
    r.ip = ip6("2001:db8::50");
    r.prefixes.push_back(pfx("2001:db8:8100::", 56));
    r.hostname = "my-server";
    s.reservations.push_back(r);
    // A second link, reached through relays.
    config::Scope6Config s2;
    s2.name = "far6";
    s2.prefix = pfx("2001:db8:2::", 64);
    s2.pools.push_back({ip6("2001:db8:2::100"), ip6("2001:db8:2::1ff"), {}});
    c.dhcp6.scopes.push_back(s);
    c.dhcp6.scopes.push_back(s2);
    return c;
}

std::vector<uint8_t> duid_ll(uint8_t last) {
    return {0, 3, 0, 1, 2, 0, 0, 0, 0, last};
}

Dhcp6Request request(Msg6Type type, const std::vector<uint8_t>& duid, uint8_t mac_last = 9) {
    Dhcp6Request r{};
    r.msg_type = type;
    r.xid = 0x123456;
    r.path.src_mac = net::MacAddr{{2, 0, 0, 0, 0, mac_last}};
    r.path.src_ip = ip6("fe80::1");
    r.path.dst_ip = ip6("ff02::1:2");
    r.path.src_port = 546;
    r.client_id_len = static_cast<uint8_t>(duid.size());
    if (!duid.empty()) std::memcpy(r.client_id, duid.data(), duid.size());
    return r;
}

void with_server_id(Dhcp6Request& r) {
    r.server_id_len = static_cast<uint8_t>(kServerDuid.size());
    std::memcpy(r.server_id, kServerDuid.data(), kServerDuid.size());
}

Ia6& add_ia(Dhcp6Request& r, uint16_t type, uint32_t iaid) {
    Ia6& ia = r.ias[r.ia_count++];
    ia.type = type;
    ia.iaid = iaid;
    return ia;
}

void hint(Ia6& ia, const char* addr, uint8_t len = 128) {
    ia.hints[ia.hint_count].addr = ip6(addr);
    ia.hints[ia.hint_count].prefix_len = len;
    ++ia.hint_count;
}

/// A decoded reply: the client message's type and options (code -> bodies), the IAs with
/// their leases and status codes.
struct Decoded {
    uint8_t type = 0;
    uint32_t xid = 0;
    std::multimap<uint16_t, std::vector<uint8_t>> opts;
    struct Ia {
        uint16_t code = 0;
        uint32_t iaid = 0, t1 = 0, t2 = 0;
        std::vector<std::tuple<net::Ipv6Addr, uint8_t, uint32_t, uint32_t>> leases;
        std::optional<uint16_t> status;
    };
    std::vector<Ia> ias;
    std::optional<uint16_t> status;
    size_t relay_levels = 0;
    std::vector<std::vector<uint8_t>> interface_ids;
};

uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

Decoded decode(const uint8_t* p, size_t n) {
    Decoded d;
    // Relay-Reply levels.
    while (n >= 34 && p[0] == 13) {
        ++d.relay_levels;
        size_t at = 34;
        const uint8_t* inner = nullptr;
        size_t inner_len = 0;
        while (at + 4 <= n) {
            const uint16_t code = be16(p + at), len = be16(p + at + 2);
            EXPECT_LE(at + 4 + len, n);
            if (code == 9) inner = p + at + 4, inner_len = len;
            if (code == 18) d.interface_ids.emplace_back(p + at + 4, p + at + 4 + len);
            at += 4 + size_t{len};
        }
        EXPECT_EQ(at, n);
        if (inner == nullptr) return d;
        p = inner;
        n = inner_len;
    }
    if (n < 4) return d;
    d.type = p[0];
    d.xid = uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
    size_t at = 4;
    while (at + 4 <= n) {
        const uint16_t code = be16(p + at), len = be16(p + at + 2);
        const uint8_t* b = p + at + 4;
        EXPECT_LE(at + 4 + len, n);
        if (code == 3 || code == 25) {
            Decoded::Ia ia;
            ia.code = code;
            ia.iaid = be32(b);
            ia.t1 = be32(b + 4);
            ia.t2 = be32(b + 8);
            size_t s = 12;
            while (s + 4 <= len) {
                const uint16_t sc = be16(b + s), sl = be16(b + s + 2);
                const uint8_t* sb = b + s + 4;
                if (sc == 5) {
                    net::Ipv6Addr a;
                    std::memcpy(a.bytes.data(), sb, 16);
                    ia.leases.emplace_back(a, 128, be32(sb + 16), be32(sb + 20));
                } else if (sc == 26) {
                    net::Ipv6Addr a;
                    std::memcpy(a.bytes.data(), sb + 9, 16);
                    ia.leases.emplace_back(a, sb[8], be32(sb), be32(sb + 4));
                } else if (sc == 13) {
                    ia.status = be16(sb);
                }
                s += 4 + size_t{sl};
            }
            d.ias.push_back(ia);
        } else if (code == 13) {
            d.status = be16(b);
        }
        d.opts.emplace(code, std::vector<uint8_t>(b, b + len));
        at += 4 + size_t{len};
    }
    EXPECT_EQ(at, n);
    return d;
}

Decoded decode(const Result6& r) {
    EXPECT_TRUE(r.has_reply);
    return decode(r.reply.payload, r.reply.len);
}

class Engine6Test : public ::testing::Test {
  protected:
    config::Config cfg = make_config();
    Engine6 engine{cfg, kServerDuid};
    Result6 out;
    int64_t now = 1'800'000'000;

    /// Solicit + Request for one IA_NA (and an IA_PD with `pd`): the address granted.
    net::Ipv6Addr lease_for(const std::vector<uint8_t>& duid, bool pd = false,
                            uint8_t mac_last = 9) {
        auto r = request(Msg6Type::Request, duid, mac_last);
        with_server_id(r);
        add_ia(r, Ia6::kNa, 1);
        if (pd) add_ia(r, Ia6::kPd, 2);
        engine.handle(r, now, out);
        auto d = decode(out);
        EXPECT_EQ(d.type, 7);
        EXPECT_FALSE(d.ias.empty());
        EXPECT_FALSE(d.ias[0].leases.empty());
        return d.ias.empty() || d.ias[0].leases.empty() ? net::Ipv6Addr{}
                                                        : std::get<0>(d.ias[0].leases[0]);
    }
};

TEST_F(Engine6Test, SolicitIsAdvertisedWithoutHoldingAnything) {
    auto r = request(Msg6Type::Solicit, duid_ll(1));
    add_ia(r, Ia6::kNa, 7);
    r.oro[r.oro_len++] = 23;
    engine.handle(r, now, out);
    ASSERT_TRUE(out.has_reply);
    EXPECT_TRUE(out.changed.empty()) << "an Advertise writes no lease";
    auto d = decode(out);
    EXPECT_EQ(d.type, 2);
    EXPECT_EQ(d.xid, 0x123456u);
    ASSERT_EQ(d.opts.count(2), 1u);
    EXPECT_EQ(d.opts.find(2)->second, kServerDuid);
    EXPECT_EQ(d.opts.find(1)->second, duid_ll(1));
    ASSERT_EQ(d.ias.size(), 1u);
    EXPECT_EQ(d.ias[0].iaid, 7u);
    EXPECT_EQ(d.ias[0].t1, 900u);
    EXPECT_EQ(d.ias[0].t2, 1440u);
    ASSERT_EQ(d.ias[0].leases.size(), 1u);
    EXPECT_EQ(std::get<0>(d.ias[0].leases[0]), ip6("2001:db8::1000"));
    EXPECT_EQ(std::get<2>(d.ias[0].leases[0]), 1800u);
    EXPECT_EQ(std::get<3>(d.ias[0].leases[0]), 3600u);
    ASSERT_EQ(d.opts.count(23), 1u);
    EXPECT_EQ(d.opts.find(23)->second.size(), 16u);
    // Nothing held: another client is told the same address.
    auto r2 = request(Msg6Type::Solicit, duid_ll(2));
    add_ia(r2, Ia6::kNa, 7);
    engine.handle(r2, now, out);
    EXPECT_EQ(std::get<0>(decode(out).ias[0].leases[0]), ip6("2001:db8::1000"));
    // Reply goes to the client's link-local address, port 546, from our link-local (::).
    EXPECT_EQ(out.reply.dst_ip, ip6("fe80::1"));
    EXPECT_EQ(out.reply.dst_port, 546);
    EXPECT_EQ(out.reply.src_ip, net::Ipv6Addr{});
}

TEST_F(Engine6Test, RequestBindsAndRenewExtends) {
    const auto a = lease_for(duid_ll(1));
    EXPECT_EQ(a, ip6("2001:db8::1000"));
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.events[0], LeaseEvent::Granted);
    EXPECT_EQ(out.changed[0].state, LeaseState::Bound);
    EXPECT_EQ(out.changed[0].expires, now + 3600);
    EXPECT_EQ(out.changed[0].duid, duid_ll(1));
    EXPECT_EQ(out.changed[0].iaid, 1u);
    EXPECT_TRUE(out.changed[0].has_hw);
    const auto gen = out.changed[0].generation;
    EXPECT_GT(gen, uint64_t{1} << 62) << "v6 generations are above any v4 one";

    now += 1000;
    auto r = request(Msg6Type::Renew, duid_ll(1));
    with_server_id(r);
    hint(add_ia(r, Ia6::kNa, 1), "2001:db8::1000");
    engine.handle(r, now, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.events[0], LeaseEvent::Renewed);
    EXPECT_EQ(out.changed[0].expires, now + 3600);
    EXPECT_GT(out.changed[0].generation, gen);
    auto d = decode(out);
    EXPECT_EQ(d.type, 7);
    EXPECT_EQ(std::get<0>(d.ias[0].leases[0]), a);
    // A second client gets the next address.
    EXPECT_EQ(lease_for(duid_ll(2)), ip6("2001:db8::1001"));
}

TEST_F(Engine6Test, RenewWithoutBindingIsNoBinding) {
    auto r = request(Msg6Type::Renew, duid_ll(1));
    with_server_id(r);
    hint(add_ia(r, Ia6::kNa, 1), "2001:db8::1002");
    engine.handle(r, now, out);
    EXPECT_TRUE(out.changed.empty());
    auto d = decode(out);
    ASSERT_EQ(d.ias.size(), 1u);
    EXPECT_EQ(d.ias[0].status, std::optional<uint16_t>(3));
    EXPECT_EQ(d.ias[0].t1, 0u);
}

TEST_F(Engine6Test, RebindWithoutBindingTakesAFreeHintedAddress) {
    auto r = request(Msg6Type::Rebind, duid_ll(1));
    hint(add_ia(r, Ia6::kNa, 1), "2001:db8::1002");
    engine.handle(r, now, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].key.addr, ip6("2001:db8::1002"));
    // Not on this link: returned with lifetime 0 and NoBinding.
    auto r2 = request(Msg6Type::Rebind, duid_ll(2));
    hint(add_ia(r2, Ia6::kNa, 1), "2001:db8:99::5");
    engine.handle(r2, now, out);
    auto d = decode(out);
    ASSERT_EQ(d.ias.size(), 1u);
    ASSERT_EQ(d.ias[0].leases.size(), 1u);
    EXPECT_EQ(std::get<3>(d.ias[0].leases[0]), 0u);
    EXPECT_EQ(d.ias[0].status, std::optional<uint16_t>(3));
}

TEST_F(Engine6Test, AnIaListsItsLeasesInTheOrderTheyWereBound) {
    // One IA with several leases: Renew answers them in binding order, and leases leaving the
    // IA (first, last, only) leave the rest listed.
    auto send = [&](Msg6Type type, std::initializer_list<const char*> hints) {
        auto r = request(type, duid_ll(1));
        if (type != Msg6Type::Rebind) with_server_id(r);
        Ia6& ia = add_ia(r, Ia6::kNa, 1);
        for (const char* h : hints) hint(ia, h);
        engine.handle(r, now, out);
        return decode(out);
    };
    auto bound = [](const Decoded& d) {
        std::vector<net::Ipv6Addr> v;
        for (const auto& l : d.ias.at(0).leases)
            if (std::get<3>(l) != 0) v.push_back(std::get<0>(l));
        return v;
    };
    const auto a = ip6("2001:db8::1000"), b = ip6("2001:db8::1001"), c = ip6("2001:db8::1002"),
               e = ip6("2001:db8::1003");
    send(Msg6Type::Rebind, {"2001:db8::1000", "2001:db8::1001"});
    ASSERT_EQ(out.changed.size(), 2u);
    EXPECT_EQ(bound(send(Msg6Type::Renew, {})), (std::vector<net::Ipv6Addr>{a, b}));
    send(Msg6Type::Release, {"2001:db8::1000", "2001:db8::1001"});
    ASSERT_EQ(out.changed.size(), 2u);
    // Released, the two are still the IA's; a Rebind naming others binds those and ends them.
    send(Msg6Type::Rebind, {"2001:db8::1002", "2001:db8::1003"});
    ASSERT_EQ(out.changed.size(), 4u);
    EXPECT_EQ(out.events[2], LeaseEvent::Replaced);
    EXPECT_EQ(out.changed[2].key.addr, a);
    EXPECT_EQ(out.changed[3].key.addr, b);
    EXPECT_EQ(bound(send(Msg6Type::Renew, {})), (std::vector<net::Ipv6Addr>{c, e}));
    send(Msg6Type::Decline, {"2001:db8::1003"});
    ASSERT_EQ(out.changed.size(), 1u);
    // Another client takes a freed address: it joins that client's IA, not this one's.
    EXPECT_EQ(lease_for(duid_ll(2)), a);
    EXPECT_EQ(bound(send(Msg6Type::Renew, {})), (std::vector<net::Ipv6Addr>{c}));
    send(Msg6Type::Decline, {"2001:db8::1002"});
    const auto d = send(Msg6Type::Renew, {});
    EXPECT_EQ(d.ias.at(0).status, std::optional<uint16_t>(3));
    EXPECT_TRUE(out.changed.empty());
}

TEST_F(Engine6Test, RenewalsDoNotGrowTheExpiryHeap) {
    lease_for(duid_ll(1));
    auto r = request(Msg6Type::Renew, duid_ll(1));
    with_server_id(r);
    add_ia(r, Ia6::kNa, 1);
    // Within the second the expiry stays put: no new entry.
    for (int i = 0; i < 100; ++i) engine.handle(r, now, out);
    EXPECT_EQ(engine.expiry_heap_size(), 1u);
    // Each later renewal leaves its previous entry stale; compaction keeps the heap within
    // 2 x the timed leases + 4096, and stale entries go as their time comes.
    const int64_t start = now;
    for (int i = 0; i < 20000; ++i, ++now) engine.handle(r, now, out);
    EXPECT_EQ(engine.expiry_heap_size(), 20000u);
    std::vector<Lease6> changed;
    std::vector<LeaseEvent> events;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(engine.expire_due(now, 4096, changed, events), 0u);
    EXPECT_LE(engine.expiry_heap_size(), 2 + 4096u);
    EXPECT_EQ(engine.expire_due(now + 3598, 4096, changed, events), 0u);
    EXPECT_EQ(engine.expiry_heap_size(), 1u) << "only the live entry is left";
    EXPECT_EQ(engine.expire_due(now + 3599, 10, changed, events), 1u);
    EXPECT_EQ(changed.at(0).state, LeaseState::Expired);
    EXPECT_EQ(changed.at(0).expires, start + 19999 + 3600);
}

TEST_F(Engine6Test, ServerIdentifierRules) {
    auto s = request(Msg6Type::Solicit, duid_ll(1));
    with_server_id(s);
    add_ia(s, Ia6::kNa, 1);
    engine.handle(s, now, out);
    EXPECT_EQ(out.outcome, Outcome::Invalid) << "a Solicit with a Server Identifier";
    EXPECT_FALSE(out.has_reply);
    auto r = request(Msg6Type::Request, duid_ll(1));
    add_ia(r, Ia6::kNa, 1);
    r.server_id_len = 3;
    engine.handle(r, now, out);
    EXPECT_EQ(out.outcome, Outcome::NotForUs) << "a Request for another server";
    EXPECT_FALSE(out.has_reply);
    auto n = request(Msg6Type::Request, {});
    with_server_id(n);
    engine.handle(n, now, out);
    EXPECT_EQ(out.outcome, Outcome::Invalid) << "no Client Identifier";
}

TEST_F(Engine6Test, ReleaseKeepsAffinityDeclineProbation) {
    const auto a = lease_for(duid_ll(1));
    auto rel = request(Msg6Type::Release, duid_ll(1));
    with_server_id(rel);
    hint(add_ia(rel, Ia6::kNa, 1), "2001:db8::1000");
    engine.handle(rel, now, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.events[0], LeaseEvent::Released);
    EXPECT_EQ(decode(out).status, std::optional<uint16_t>(0));
    // The same client comes back to the same address.
    EXPECT_EQ(lease_for(duid_ll(1)), a);
    // Decline: probation, then free again.
    auto dec = request(Msg6Type::Decline, duid_ll(1));
    with_server_id(dec);
    hint(add_ia(dec, Ia6::kNa, 1), "2001:db8::1000");
    engine.handle(dec, now, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].state, LeaseState::Declined);
    EXPECT_EQ(out.changed[0].expires, now + 600);
    EXPECT_EQ(lease_for(duid_ll(1)), ip6("2001:db8::1001")) << "declined: out of service";
    std::vector<Lease6> changed;
    std::vector<LeaseEvent> events;
    EXPECT_EQ(engine.expire_due(now + 601, 10, changed, events), 1u);
    EXPECT_EQ(changed[0].state, LeaseState::Free);
    // Release of an IA the client does not hold: NoBinding in that IA.
    auto none = request(Msg6Type::Release, duid_ll(5));
    with_server_id(none);
    hint(add_ia(none, Ia6::kNa, 9), "2001:db8::1003");
    engine.handle(none, now, out);
    auto d = decode(out);
    ASSERT_EQ(d.ias.size(), 1u);
    EXPECT_EQ(d.ias[0].status, std::optional<uint16_t>(3));
}

TEST_F(Engine6Test, ExpiryAndExhaustion) {
    for (uint8_t i = 1; i <= 4; ++i) lease_for(duid_ll(i));
    auto r = request(Msg6Type::Request, duid_ll(5));
    with_server_id(r);
    add_ia(r, Ia6::kNa, 1);
    engine.handle(r, now, out);
    EXPECT_EQ(out.outcome, Outcome::PoolExhausted);
    auto d = decode(out);
    EXPECT_EQ(d.ias[0].status, std::optional<uint16_t>(2));
    EXPECT_TRUE(d.ias[0].leases.empty());
    std::vector<Lease6> changed;
    std::vector<LeaseEvent> events;
    EXPECT_EQ(engine.expire_due(now + 3599, 10, changed, events), 0u);
    EXPECT_EQ(engine.expire_due(now + 3600, 10, changed, events), 4u);
    EXPECT_EQ(changed[0].state, LeaseState::Expired);
    EXPECT_EQ(events[0], LeaseEvent::Expired);
    // The oldest expired address goes to the newcomer; its old client's binding is replaced.
    now += 4000;
    engine.handle(r, now, out);
    ASSERT_EQ(out.changed.size(), 2u);
    EXPECT_EQ(out.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(out.events[1], LeaseEvent::Granted);
    EXPECT_EQ(out.changed[1].duid, duid_ll(5));
}

TEST_F(Engine6Test, PrefixDelegation) {
    lease_for(duid_ll(1), true);
    auto d = decode(out);
    ASSERT_EQ(d.ias.size(), 2u);
    EXPECT_EQ(d.ias[1].code, 25);
    ASSERT_EQ(d.ias[1].leases.size(), 1u);
    EXPECT_EQ(std::get<0>(d.ias[1].leases[0]), ip6("2001:db8:8000::"));
    EXPECT_EQ(std::get<1>(d.ias[1].leases[0]), 56);
    lease_for(duid_ll(2), true);
    d = decode(out);
    EXPECT_EQ(std::get<0>(d.ias[1].leases[0]), ip6("2001:db8:8000:100::"));
    ASSERT_EQ(out.changed.size(), 2u);
    EXPECT_EQ(out.changed[1].key.kind, IaKind::Pd);
    EXPECT_TRUE(out.changed[1].hostname.empty());
    auto use = engine.scope_use();
    EXPECT_EQ(use[0].addresses, 4u);
    EXPECT_EQ(use[0].prefixes, 65536u);
    EXPECT_EQ(use[0].addresses_bound, 2u);
    EXPECT_EQ(use[0].prefixes_bound, 2u);
}

TEST_F(Engine6Test, ReservationByMacSurvivesADuidChange) {
    // The reserved box: MAC 02:00:00:00:00:50, two DUIDs (a rebuilt VM).
    const std::vector<uint8_t> old_duid{0, 4, 1, 2, 3, 4, 5, 6, 7, 8};  // DUID-UUID-like
    const std::vector<uint8_t> new_duid{0, 4, 9, 9, 9, 9, 9, 9, 9, 9};
    EXPECT_EQ(lease_for(old_duid, true, 0x50), ip6("2001:db8::50"));
    auto d = decode(out);
    EXPECT_EQ(std::get<0>(d.ias[1].leases[0]), ip6("2001:db8:8100::"));
    EXPECT_EQ(out.changed[0].hostname, "my-server");
    EXPECT_EQ(out.changed[0].reservation, 0);
    EXPECT_EQ(lease_for(new_duid, true, 0x50), ip6("2001:db8::50"));
    ASSERT_EQ(out.changed.size(), 4u);
    EXPECT_EQ(out.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(out.changed[0].duid, old_duid);
    EXPECT_EQ(out.events[1], LeaseEvent::Granted);
    EXPECT_EQ(out.changed[1].duid, new_duid);
}

TEST_F(Engine6Test, RapidCommit) {
    cfg.dhcp6.scopes[0].rapid_commit = true;
    Engine6 e(cfg, kServerDuid);
    auto r = request(Msg6Type::Solicit, duid_ll(1));
    r.rapid_commit = true;
    add_ia(r, Ia6::kNa, 1);
    e.handle(r, now, out);
    auto d = decode(out);
    EXPECT_EQ(d.type, 7);
    EXPECT_EQ(d.opts.count(14), 1u);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].state, LeaseState::Bound);
    // Without the scope's consent it stays a four-message exchange.
    engine.handle(r, now, out);
    EXPECT_EQ(decode(out).type, 2);
    EXPECT_TRUE(out.changed.empty());
}

TEST_F(Engine6Test, RelayedTwiceAnsweredThroughBothRelays) {
    auto r = request(Msg6Type::Solicit, duid_ll(1));
    add_ia(r, Ia6::kNa, 1);
    r.path.src_ip = ip6("2001:db8:ffff::1");
    r.path.dst_ip = ip6("2001:db8::1");
    r.path.src_port = 547;
    r.relay_count = 2;
    r.relays[0].hop_count = 1;
    r.relays[0].link_addr = ip6("2001:db8:ffff::");
    r.relays[0].peer_addr = ip6("2001:db8:eeee::2");
    r.relays[1].hop_count = 0;
    r.relays[1].link_addr = ip6("2001:db8:2::1");  // the client's link: scope far6
    r.relays[1].peer_addr = ip6("fe80::99");
    const char iid[] = "eth0/1";
    std::memcpy(r.relay_bytes, iid, 6);
    r.relay_bytes_len = 6;
    r.relays[1].has_interface_id = true;
    r.relays[1].interface_id_off = 0;
    r.relays[1].interface_id_len = 6;
    r.relay_source_port = true;
    r.path.src_port = 3547;
    engine.handle(r, now, out);
    auto d = decode(out);
    EXPECT_EQ(d.relay_levels, 2u);
    ASSERT_EQ(d.interface_ids.size(), 1u);
    EXPECT_EQ(d.interface_ids[0], std::vector<uint8_t>(iid, iid + 6));
    EXPECT_EQ(d.type, 2);
    EXPECT_EQ(std::get<0>(d.ias[0].leases[0]), ip6("2001:db8:2::100"));
    EXPECT_EQ(out.reply.dst_ip, ip6("2001:db8:ffff::1"));
    EXPECT_EQ(out.reply.dst_port, 3547) << "RFC 8357: to the relay's source port";
    EXPECT_EQ(out.reply.src_ip, ip6("2001:db8::1"));
    // The peer and link addresses of each level go back unchanged.
    EXPECT_EQ(out.reply.payload[1], 1);
    EXPECT_EQ(std::memcmp(out.reply.payload + 2, r.relays[0].link_addr.bytes.data(), 16), 0);
    EXPECT_EQ(std::memcmp(out.reply.payload + 18, r.relays[0].peer_addr.bytes.data(), 16), 0);
    // Without 135 the answer goes to port 547; an unknown link has no scope.
    r.relay_source_port = false;
    engine.handle(r, now, out);
    EXPECT_EQ(out.reply.dst_port, 547);
    r.relays[1].link_addr = ip6("2001:db8:77::1");
    engine.handle(r, now, out);
    EXPECT_EQ(out.outcome, Outcome::NoScope);
    EXPECT_FALSE(out.has_reply);
}

TEST_F(Engine6Test, ConfirmAndInformation) {
    auto c = request(Msg6Type::Confirm, duid_ll(1));
    hint(add_ia(c, Ia6::kNa, 1), "2001:db8::1234");
    engine.handle(c, now, out);
    EXPECT_EQ(decode(out).status, std::optional<uint16_t>(0));
    hint(c.ias[0], "2001:db8:5::1");
    engine.handle(c, now, out);
    EXPECT_EQ(decode(out).status, std::optional<uint16_t>(4));
    auto none = request(Msg6Type::Confirm, duid_ll(1));
    add_ia(none, Ia6::kNa, 1);
    engine.handle(none, now, out);
    EXPECT_FALSE(out.has_reply) << "no addresses: no answer (§18.3.3)";

    auto i = request(Msg6Type::InformationRequest, {});
    i.oro[i.oro_len++] = 23;
    i.oro[i.oro_len++] = 24;
    engine.handle(i, now, out);
    auto d = decode(out);
    EXPECT_EQ(d.type, 7);
    EXPECT_EQ(d.opts.count(1), 0u);
    ASSERT_EQ(d.opts.count(24), 1u);
    EXPECT_EQ(d.opts.find(24)->second, (std::vector<uint8_t>{3, 'l', 'a', 'n', 0}));
}

TEST_F(Engine6Test, DomainSearchListsEveryName) {
    cfg.dhcp6.scopes[0].domain_search = {"a.example.", "b."};
    Engine6 e(cfg, kServerDuid);
    auto i = request(Msg6Type::InformationRequest, {});
    i.oro[i.oro_len++] = 24;
    e.handle(i, now, out);
    auto d = decode(out);
    ASSERT_EQ(d.opts.count(24), 1u);
    EXPECT_EQ(d.opts.find(24)->second,
              (std::vector<uint8_t>{1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 1, 'b', 0}));
}

TEST_F(Engine6Test, AResultKeepsItsLeaseBuffersForTheNextRequest) {
    // The control lcore reuses one Result6: a warm one takes leases in without allocating.
    lease_for(duid_ll(1));
    ASSERT_EQ(out.changed.size(), 1u);
    const Lease6* slot = &out.changed[0];
    const uint8_t* duid = out.changed[0].duid.data();
    lease_for(duid_ll(2));
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(&out.changed[0], slot);
    EXPECT_EQ(out.changed[0].duid.data(), duid);
    EXPECT_EQ(out.changed[0].duid, duid_ll(2));
    std::vector<Lease6> seen(out.changed.begin(), out.changed.end());
    EXPECT_EQ(seen.size(), 1u);
}

TEST_F(Engine6Test, FqdnNamesTheLeaseAndIsAnswered) {
    auto r = request(Msg6Type::Request, duid_ll(1));
    with_server_id(r);
    add_ia(r, Ia6::kNa, 1);
    r.has_fqdn = true;
    r.fqdn_flags = 0x01;  // S: please update
    const uint8_t name[] = {4, 'V', 'm', '-', '1', 0};
    std::memcpy(r.fqdn, name, sizeof name);
    r.fqdn_len = sizeof name;
    engine.handle(r, now, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].hostname, "vm-1");
    EXPECT_FALSE(out.changed[0].no_dns);
    auto d = decode(out);
    ASSERT_EQ(d.opts.count(39), 1u);
    const auto& f = d.opts.find(39)->second;
    EXPECT_EQ(f[0], 0x01);
    EXPECT_EQ(std::vector<uint8_t>(f.begin() + 1, f.end()),
              (std::vector<uint8_t>{4, 'v', 'm', '-', '1', 3, 'l', 'a', 'n', 0}));
}

TEST_F(Engine6Test, RestoreKeepsLeasesAndTheCursorSkipsThem) {
    Lease6 l;
    l.key = Lease6Key{IaKind::Na, 128, ip6("2001:db8::1000")};
    l.scope = 0;
    l.duid = duid_ll(1);
    l.iaid = 1;
    l.state = LeaseState::Bound;
    l.start = now;
    l.expires = now + 3600;
    l.generation = (uint64_t{1} << 62) + 77;
    EXPECT_TRUE(engine.restore(l));
    Lease6 outside = l;
    outside.key.addr = ip6("2001:db8:9::1");
    EXPECT_FALSE(engine.restore(outside)) << "no longer in any pool";
    EXPECT_EQ(lease_for(duid_ll(2)), ip6("2001:db8::1001"));
    EXPECT_EQ(lease_for(duid_ll(1)), ip6("2001:db8::1000")) << "its owner renews it";
    EXPECT_EQ(out.events[0], LeaseEvent::Renewed);
    EXPECT_GT(out.changed[0].generation, l.generation);
}

}  // namespace
}  // namespace edgelease::control::dhcp

namespace edgelease::control::dhcp {
namespace {

TEST(Engine6Reservations, ByInterfaceIdOfTheRelayNextToTheClient) {
    auto cfg = make_config();
    config::Reservation6Config r;
    const char port[] = "olt1/0/7";
    r.interface_id.assign(port, port + 8);
    r.ip = ip6("2001:db8:2::77");
    cfg.dhcp6.scopes[1].reservations.push_back(r);
    Engine6 e(cfg, kServerDuid);
    Result6 out;
    auto q = request(Msg6Type::Request, duid_ll(3));
    with_server_id(q);
    add_ia(q, Ia6::kNa, 1);
    q.relay_count = 1;
    q.relays[0].link_addr = ip6("2001:db8:2::1");
    q.relays[0].peer_addr = ip6("fe80::3");
    std::memcpy(q.relay_bytes, port, 8);
    q.relay_bytes_len = 8;
    q.relays[0].has_interface_id = true;
    q.relays[0].interface_id_len = 8;
    e.handle(q, 1'800'000'000, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].key.addr, ip6("2001:db8:2::77"));
    EXPECT_EQ(out.changed[0].interface_id, std::vector<uint8_t>(port, port + 8));
    // Another port: a dynamic address.
    q.relay_bytes[7] = '8';
    auto q2 = q;
    const auto d2 = duid_ll(4);
    std::memcpy(q2.client_id, d2.data(), d2.size());
    e.handle(q2, 1'800'000'000, out);
    ASSERT_EQ(out.changed.size(), 1u);
    EXPECT_EQ(out.changed[0].key.addr, ip6("2001:db8:2::100"));
}

}  // namespace
}  // namespace edgelease::control::dhcp

namespace edgelease::control::dhcp {
namespace {

TEST_F(Engine6Test, SweeperEntriesExpireOnlyWhileCurrent) {
    lease_for(duid_ll(1));
    const Lease6Key k = out.changed[0].key;
    sweeper::ExpiryEntry e;
    ASSERT_TRUE(engine.expiry_entry(k, e));
    EXPECT_TRUE(is_v6_entry(e));
    EXPECT_EQ(e.expires, now + 3600);
    std::vector<sweeper::ExpiryEntry> seed;
    engine.timed_entries(seed);
    ASSERT_EQ(seed.size(), 1u);
    EXPECT_EQ(seed[0].generation, e.generation);
    std::vector<Lease6> changed;
    std::vector<LeaseEvent> events;
    std::vector<sweeper::ExpiryEntry> early;
    // Not yet due: handed back.
    auto c = engine.expire_swept({&e, 1}, now + 10, changed, events, early);
    EXPECT_EQ(c.early, 1u);
    EXPECT_EQ(early.size(), 1u);
    // Renewed since: the old entry is stale.
    now += 100;
    lease_for(duid_ll(1));
    c = engine.expire_swept({&e, 1}, now + 4000, changed, events, early);
    EXPECT_EQ(c.stale, 1u);
    EXPECT_TRUE(changed.empty());
    // The current one expires the lease.
    ASSERT_TRUE(engine.expiry_entry(k, e));
    c = engine.expire_swept({&e, 1}, now + 3600, changed, events, early);
    EXPECT_EQ(c.expired, 1u);
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].state, LeaseState::Expired);
    EXPECT_FALSE(engine.expiry_entry(k, e)) << "an expired lease is not timed";
}

TEST_F(Engine6Test, EachChangedLeaseComesWithItsSlot) {
    // The slots let the service schedule a changed lease without a key look-up; a slot that
    // does not hold the key (stale, or none) falls back to the look-up.
    lease_for(duid_ll(1));
    lease_for(duid_ll(2));
    ASSERT_EQ(out.changed.size(), out.slots.size());
    ASSERT_FALSE(out.changed.empty());
    for (size_t i = 0; i < out.changed.size(); ++i) {
        sweeper::ExpiryEntry by_key, by_slot, wrong_slot;
        ASSERT_TRUE(engine.expiry_entry(out.changed[i].key, by_key));
        ASSERT_TRUE(engine.expiry_entry(out.slots[i], out.changed[i].key, by_slot));
        EXPECT_EQ(by_slot.lease_ip, by_key.lease_ip);
        EXPECT_EQ(by_slot.generation, by_key.generation);
        EXPECT_EQ(out.slots[i], by_key.lease_ip) << "a v6 entry names the lease's slot";
        ASSERT_TRUE(engine.expiry_entry(by_key.lease_ip ^ 1u, out.changed[i].key, wrong_slot));
        EXPECT_EQ(wrong_slot.lease_ip, by_key.lease_ip);
    }
}

}  // namespace
}  // namespace edgelease::control::dhcp
