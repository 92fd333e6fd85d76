// DHCPv6 leases in DNS: AAAA and ip6.arpa PTR with provenance under the v6 scope's policy,
// and dual-stack names: one device keeps its A and its AAAA whatever either family does; a
// second device claiming the name is a conflict, never a flap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/zone/zone_builder.hpp"

namespace edgelease::control::ddns {
namespace {

using control::zone::AuditEvent;
using control::zone::AuditReason;
using control::zone::Origin;

constexpr const char* kBase = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24", "2001:db8::1/64"]

[[dns.zones]]
name = "lan."
records = [ { name = "admin-box", type = "AAAA", data = "2001:db8::99" } ]

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dns.zones]]
name = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "30s"
domain = "lan."

[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
preferred_lifetime = "30m"
valid_lifetime = "1h"
domain = "lan."

[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
hostname = "my-server"
)";

net::Ipv6Addr ip6(const char* s) {
    return *net::parse_ipv6(s);
}

struct Dns6 : ::testing::Test {
    config::Config cfg;
    control::zone::ZoneStore store;
    std::vector<AuditEvent> audit;
    std::unique_ptr<LeaseDns> dns;
    int64_t now = 1'700'000'000;

    void load(const std::string& policy6 = "") {
        std::string text = kBase;
        if (!policy6.empty()) {
            // The [dhcp6.scopes.dns] table goes before the reservations array.
            const auto at = text.find("[[dhcp6.scopes.reservations]]");
            text.insert(at, "[dhcp6.scopes.dns]\n" + policy6 + "\n\n");
        }
        auto r = config::load_config_string(text, "t.toml");
        ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].to_string());
        cfg = *r.config;
        auto zones = control::zone::load_zones(cfg, 1);
        ASSERT_TRUE(zones.errors.empty());
        store.set_config(zones.zones, now);
        dns = std::make_unique<LeaseDns>(cfg, store, [this](AuditEvent e) {
            e.complete();  // as the record store does: the texts a reader sees
            audit.push_back(std::move(e));
        });
        // The engines, as the DHCP service lets LeaseDns ask them: the leases given below.
        dns->set_lease_lookup({[this](uint32_t ip) -> const control::dhcp::Lease* {
                                   for (const auto& l : engine4)
                                       if (l.ip == ip) return &l;
                                   return nullptr;
                               },
                               [this](const net::Ipv6Addr& a) -> const control::dhcp::Lease6* {
                                   for (const auto& l : engine6)
                                       if (l.key.addr == a) return &l;
                                   return nullptr;
                               }});
    }
    // A lease change: into the engine stand-in (by address), then to LeaseDns.
    std::vector<control::dhcp::Lease> engine4;
    std::vector<control::dhcp::Lease6> engine6;
    void on_lease(const control::dhcp::Lease& l, control::dhcp::LeaseEvent ev, int64_t t) {
        auto it =
            std::find_if(engine4.begin(), engine4.end(), [&](auto& x) { return x.ip == l.ip; });
        if (it == engine4.end())
            engine4.push_back(l);
        else
            *it = l;
        dns->on_lease(l, ev, t);
    }
    void on_lease6(const control::dhcp::Lease6& l, control::dhcp::LeaseEvent ev, int64_t t) {
        auto it = std::find_if(engine6.begin(), engine6.end(),
                               [&](auto& x) { return x.key.addr == l.key.addr; });
        if (it == engine6.end())
            engine6.push_back(l);
        else
            *it = l;
        dns->on_lease6(l, ev, t);
    }

    control::dhcp::Lease lease4(const char* addr, uint8_t mac_last, const std::string& host) {
        control::dhcp::Lease l;
        l.ip = net::parse_ipv4(addr)->value;
        l.hw.bytes = {0x02, 0, 0, 0, 0x10, mac_last};
        l.client.kind = control::dhcp::ClientKey::HwAddress;
        l.client.len = 6;
        std::memcpy(l.client.bytes, l.hw.bytes.data(), 6);
        l.hostname = host;
        l.state = control::dhcp::LeaseState::Bound;
        l.generation = 1;
        return l;
    }
    control::dhcp::Lease6 lease6(const char* addr, uint8_t mac_last, const std::string& host,
                                 uint8_t duid_last = 0) {
        control::dhcp::Lease6 l;
        l.key.addr = ip6(addr);
        l.duid = {0, 4, 7, 7, 7, 7, 7, 7, 7, duid_last ? duid_last : mac_last};
        l.iaid = 1;
        l.has_hw = true;
        l.hw.bytes = {0x02, 0, 0, 0, 0x10, mac_last};
        l.hostname = host;
        l.state = control::dhcp::LeaseState::Bound;
        l.generation = (uint64_t{1} << 62) + 1;
        return l;
    }
    const control::zone::ZoneStore::Entry* find(const dns::WireName& w, uint16_t type) {
        const auto* es = store.find(control::zone::ZoneStore::key(w));
        if (es == nullptr) return nullptr;
        for (const auto& e : *es)
            if (e.type == type) return &e;
        return nullptr;
    }
    const control::zone::ZoneStore::Entry* find(const std::string& name, uint16_t type) {
        std::string why;
        return find(*dns::name_from_text(name, dns::WireName{0}, why), type);
    }
    std::string aaaa_of(const std::string& name) {
        const auto* e = find(name, dns::rrtype::AAAA);
        if (e == nullptr) return "";
        net::Ipv6Addr a;
        std::copy(e->rdata.begin(), e->rdata.end(), a.bytes.begin());
        return net::to_string(a);
    }
    bool has_a(const std::string& name) { return find(name, dns::rrtype::A) != nullptr; }
    std::string ptr6_of(const char* addr) {
        const auto* e = find(reverse_name6(ip6(addr)), dns::rrtype::PTR);
        return e == nullptr ? "" : dns::name_to_text(e->rdata);
    }
};

TEST(ReverseName6, IsTheNibbleForm) {
    EXPECT_EQ(dns::name_to_text(reverse_name6(ip6("2001:db8::1000"))),
              "0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
}

TEST_F(Dns6, GrantPublishesAaaaAndPtrReleaseDeletesExpiryKeeps) {
    load();
    auto l = lease6("2001:db8::1000", 1, "vm1");
    on_lease6(l, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("vm1.lan."), "2001:db8::1000");
    EXPECT_EQ(ptr6_of("2001:db8::1000"), "vm1.lan.");
    const auto* e = find("vm1.lan.", dns::rrtype::AAAA);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->prov.origin, Origin::Dhcp);
    EXPECT_EQ(e->prov.owner, client_owner6(l.duid));
    EXPECT_EQ(e->prov.owner.rfind("client:AAIB", 0), 0u) << "DHCID type 2 (DUID), SHA-256";
    EXPECT_EQ(e->ttl, 1200u) << "a third of the valid lifetime";
    // Expiry keeps both (default policy), release deletes AAAA and PTR.
    on_lease6(l, control::dhcp::LeaseEvent::Expired, now);
    EXPECT_EQ(aaaa_of("vm1.lan."), "2001:db8::1000");
    on_lease6(l, control::dhcp::LeaseEvent::Released, now);
    EXPECT_EQ(aaaa_of("vm1.lan."), "");
    EXPECT_EQ(ptr6_of("2001:db8::1000"), "");
    EXPECT_EQ(audit.back().reason, AuditReason::Release);
}

TEST_F(Dns6, StrictScopeDeletesOnExpiry) {
    load("delete_on_expiry = true");
    auto l = lease6("2001:db8::1000", 1, "vm1");
    on_lease6(l, control::dhcp::LeaseEvent::Granted, now);
    on_lease6(l, control::dhcp::LeaseEvent::Expired, now);
    EXPECT_EQ(aaaa_of("vm1.lan."), "");
    EXPECT_EQ(ptr6_of("2001:db8::1000"), "vm1.lan.") << "PTR is toggled separately";
}

TEST_F(Dns6, DualStackDeviceKeepsBothFamiliesWhateverOneDoes) {
    load();
    auto v4 = lease4("198.18.0.100", 7, "vm7");
    auto v6 = lease6("2001:db8::1007", 7, "vm7");
    on_lease(v4, control::dhcp::LeaseEvent::Granted, now);
    on_lease6(v6, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_TRUE(has_a("vm7.lan."));
    EXPECT_EQ(aaaa_of("vm7.lan."), "2001:db8::1007");
    EXPECT_EQ(dns->stats().skipped.get(), 0u);
    on_lease6(v6, control::dhcp::LeaseEvent::Released, now);
    EXPECT_TRUE(has_a("vm7.lan.")) << "a v6 release never touches the A";
    EXPECT_EQ(aaaa_of("vm7.lan."), "");
    on_lease6(v6, control::dhcp::LeaseEvent::Granted, now);
    on_lease(v4, control::dhcp::LeaseEvent::Released, now);
    EXPECT_FALSE(has_a("vm7.lan."));
    EXPECT_EQ(aaaa_of("vm7.lan."), "2001:db8::1007") << "a v4 release never touches the AAAA";
}

TEST_F(Dns6, AnotherDeviceClaimingTheNameIsAConflictNotAFlap) {
    load();
    on_lease(lease4("198.18.0.100", 7, "vm7"), control::dhcp::LeaseEvent::Granted, now);
    // Another MAC and DUID, same name, the other family.
    on_lease6(lease6("2001:db8::1008", 8, "vm7"), control::dhcp::LeaseEvent::Granted, now);
    EXPECT_TRUE(has_a("vm7.lan."));
    EXPECT_EQ(aaaa_of("vm7.lan."), "");
    EXPECT_EQ(ptr6_of("2001:db8::1008"), "") << "no PTR claims a name that is not ours";
    EXPECT_EQ(dns->stats().other_device.get(), 1u);
    ASSERT_FALSE(audit.empty());
    EXPECT_FALSE(audit.back().applied);
    EXPECT_NE(audit.back().detail.find("another device"), std::string::npos) << audit.back().detail;
    // And the other way round.
    on_lease6(lease6("2001:db8::1009", 9, "vm9"), control::dhcp::LeaseEvent::Granted, now);
    on_lease(lease4("198.18.0.109", 10, "vm9"), control::dhcp::LeaseEvent::Granted, now);
    EXPECT_FALSE(has_a("vm9.lan."));
    EXPECT_EQ(aaaa_of("vm9.lan."), "2001:db8::1009");
    EXPECT_EQ(dns->stats().other_device.get(), 2u);
}

TEST_F(Dns6, SameDeviceByRfc4361ClientIdentifier) {
    load();
    // The v4 client identifier carries the v6 DUID (type 255, IAID, DUID): one device, even
    // with different MACs seen by each family.
    auto v6 = lease6("2001:db8::1011", 11, "vm11");
    auto v4 = lease4("198.18.0.111", 12, "vm11");
    v4.client.kind = control::dhcp::ClientKey::ClientId;
    v4.client.bytes[0] = 255;
    std::memset(v4.client.bytes + 1, 0, 4);
    std::memcpy(v4.client.bytes + 5, v6.duid.data(), v6.duid.size());
    v4.client.len = static_cast<uint8_t>(5 + v6.duid.size());
    on_lease6(v6, control::dhcp::LeaseEvent::Granted, now);
    on_lease(v4, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_TRUE(has_a("vm11.lan."));
    EXPECT_EQ(aaaa_of("vm11.lan."), "2001:db8::1011");
}

TEST_F(Dns6, DuidDriftTakesTheNameAndTheOldExpiryDeletesNothing) {
    load("delete_on_expiry = true");
    auto old_box = lease6("2001:db8::1020", 20, "vm20", 1);
    on_lease6(old_box, control::dhcp::LeaseEvent::Granted, now);
    // Rebuilt: a new DUID, a new address, the same name.
    auto rebuilt = lease6("2001:db8::1021", 20, "vm20", 2);
    on_lease6(rebuilt, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("vm20.lan."), "2001:db8::1021");
    on_lease6(old_box, control::dhcp::LeaseEvent::Expired, now);
    EXPECT_EQ(aaaa_of("vm20.lan."), "2001:db8::1021") << "the old lease's expiry deletes nothing";
}

TEST_F(Dns6, ReservationPublishedBeforeAnyLeaseAdminRecordsUntouched) {
    load();
    dns->publish_reservations(now);
    EXPECT_EQ(aaaa_of("my-server.lan."), "2001:db8::50");
    EXPECT_EQ(find("my-server.lan.", dns::rrtype::AAAA)->prov.origin, Origin::Reservation);
    EXPECT_EQ(ptr6_of("2001:db8::50"), "my-server.lan.");
    // A dynamic client naming itself like the admin's record: skipped, the admin's stays.
    on_lease6(lease6("2001:db8::1030", 30, "admin-box"), control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("admin-box.lan."), "2001:db8::99");
    EXPECT_EQ(find("admin-box.lan.", dns::rrtype::AAAA)->prov.origin, Origin::Config);
}

TEST_F(Dns6, DelegatedPrefixesPublishNothingAndUnleasedCleanupKeepsV6) {
    load();
    auto pd = lease6("2001:db8:8000::", 40, "");
    pd.key.kind = control::dhcp::IaKind::Pd;
    pd.key.prefix_len = 56;
    on_lease6(pd, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(dns->stats().prefixes.get(), 1u);
    auto l = lease6("2001:db8::1040", 41, "vm41");
    on_lease6(l, control::dhcp::LeaseEvent::Granted, now);
    // Start-up clean-up with the v6 lease known keeps its records; without, they go.
    EXPECT_EQ(dns->remove_unleased({}, {l}, now), 0u);
    EXPECT_EQ(aaaa_of("vm41.lan."), "2001:db8::1040");
    EXPECT_EQ(dns->remove_unleased({}, {}, now), 2u);
    EXPECT_EQ(aaaa_of("vm41.lan."), "");
}

}  // namespace
}  // namespace edgelease::control::ddns

namespace edgelease::control::ddns {
namespace {

// After a restart nothing is learnt up front: the other family's record is judged by the lease
// the engines hold at its address, when that lease is still its owner's.
TEST_F(Dns6, AfterARestartTheDeviceComesFromTheLeaseAtTheAddress) {
    load();
    auto v4 = lease4("198.18.0.100", 7, "vm7");
    auto other4 = lease4("198.18.0.101", 8, "vm8");
    dns->on_lease(v4, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(other4, control::dhcp::LeaseEvent::Granted, now);
    // The restart: a new LeaseDns over the same records, knowing no device.
    dns = std::make_unique<LeaseDns>(cfg, store, [this](AuditEvent e) {
        e.complete();  // as the record store does: the texts a reader sees
        audit.push_back(std::move(e));
    });
    auto v6 = lease6("2001:db8::1007", 7, "vm7");
    dns->on_lease6(v6, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("vm7.lan."), "") << "no engine to ask: another device, as far as it knows";
    EXPECT_EQ(dns->stats().other_device.get(), 1u);
    std::vector<control::dhcp::Lease> engine = {v4, other4};
    dns->set_lease_lookup({[&](uint32_t ip) -> const control::dhcp::Lease* {
                               for (const auto& l : engine)
                                   if (l.ip == ip) return &l;
                               return nullptr;
                           },
                           {}});
    dns->on_lease6(v6, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("vm7.lan."), "2001:db8::1007") << "the same MAC as the lease behind the A";
    EXPECT_TRUE(has_a("vm7.lan."));
    // vm8's address now leased to a third client: the old A is not that lease's, so no device.
    auto third = lease4("198.18.0.101", 9, "vm9");
    engine[1] = third;
    dns->on_lease6(lease6("2001:db8::1008", 8, "vm8"), control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(aaaa_of("vm8.lan."), "");
    EXPECT_EQ(dns->stats().other_device.get(), 2u);
}

}  // namespace
}  // namespace edgelease::control::ddns
