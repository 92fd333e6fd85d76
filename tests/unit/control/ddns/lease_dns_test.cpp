// Lease events through the owner rule and the retention policy into the zone store, checked
// record by record with their provenance and the audit events they leave.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/engine6.hpp"
#include "control/zone/zone_builder.hpp"

namespace edgelease::control::ddns {
namespace {

using control::zone::AuditEvent;
using control::zone::AuditReason;
using control::zone::Origin;

constexpr const char* kBase = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24"]

[[dns.zones]]
name = "lan."
records = [ { name = "my-server", type = "A", data = "198.18.0.60" } ]

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "30s"
domain = "lan."

[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
hostname = "reserved"
)";

uint32_t ip(const char* s) {
    return net::parse_ipv4(s)->value;
}

struct Fixture : ::testing::Test {
    config::Config cfg;
    control::zone::ZoneStore store;
    std::vector<AuditEvent> audit;
    std::unique_ptr<LeaseDns> dns;
    int64_t now = 1'700'000'000;

    void load(const std::string& policy = "") {
        auto r = config::load_config_string(std::string(kBase) + "\n[dhcp.scopes.dns]\n" + policy,
                                            "t.toml");
        ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].why);
        cfg = *r.config;
        auto zones = control::zone::load_zones(cfg, 1);
        ASSERT_TRUE(zones.errors.empty());
        store.set_config(zones.zones, now);
        dns = std::make_unique<LeaseDns>(cfg, store, [this](AuditEvent e) {
            e.complete();  // as the record store does: the texts a reader sees
            audit.push_back(std::move(e));
        });
    }

    control::dhcp::Lease lease(const char* addr, uint8_t mac_last, const std::string& host) {
        control::dhcp::Lease l;
        l.ip = ip(addr);
        l.scope = 0;
        l.hw.bytes = {0x02, 0, 0, 0, 0x10, mac_last};
        l.client.kind = control::dhcp::ClientKey::HwAddress;
        l.client.len = 6;
        std::memcpy(l.client.bytes, l.hw.bytes.data(), 6);
        l.hostname = host;
        l.state = control::dhcp::LeaseState::Bound;
        l.generation = static_cast<uint64_t>(now);
        return l;
    }

    const control::zone::ZoneStore::Entry* find(const std::string& name, uint16_t type) {
        std::string why;
        auto w = dns::name_from_text(name, dns::WireName{0}, why);
        const auto* es = store.find(control::zone::ZoneStore::key(*w));
        if (es == nullptr) return nullptr;
        for (const auto& e : *es)
            if (e.type == type) return &e;
        return nullptr;
    }
    std::string a_of(const std::string& name) {
        const auto* e = find(name, dns::rrtype::A);
        return e == nullptr
                   ? ""
                   : net::to_string(net::Ipv4Addr{uint32_t{e->rdata[0]} << 24 |
                                                  uint32_t{e->rdata[1]} << 16 |
                                                  uint32_t{e->rdata[2]} << 8 | e->rdata[3]});
    }
    std::string ptr_of(const char* addr) {
        const auto* e = find(dns::name_to_text(reverse_name(ip(addr))), dns::rrtype::PTR);
        return e == nullptr ? "" : dns::name_to_text(e->rdata);
    }
    size_t count(AuditReason r, bool applied = true) {
        size_t n = 0;
        for (const auto& e : audit) n += e.reason == r && e.applied == applied;
        return n;
    }
};

TEST_F(Fixture, GrantWritesAAndPtrWithProvenance) {
    load();
    auto l = lease("198.18.0.100", 1, "pc1");
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(a_of("pc1.lan."), "198.18.0.100");
    EXPECT_EQ(ptr_of("198.18.0.100"), "pc1.lan.");
    const auto* a = find("pc1.lan.", dns::rrtype::A);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->prov.origin, Origin::Dhcp);
    EXPECT_EQ(a->prov.owner, client_owner(l.client, l.hw));
    EXPECT_EQ(a->prov.owner.rfind("client:AAAB", 0), 0u) << a->prov.owner;  // type 0, SHA-256
    EXPECT_EQ(a->prov.created, now);
    EXPECT_EQ(a->prov.generation, l.generation);
    EXPECT_EQ(a->ttl, 10u);  // a third of the 30 s lease
    EXPECT_EQ(count(AuditReason::Grant), 2u);

    // A renewal that changes nothing in DNS writes nothing while `updated` is recent (the
    // scope has no stale check: within an hour) ...
    std::vector<control::zone::ZoneStore::Key> dirty;
    store.take_dirty(dirty);
    const int64_t granted = now;
    const uint64_t granted_gen = l.generation;
    now += 15;
    l.generation += 1;
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now);
    a = find("pc1.lan.", dns::rrtype::A);
    EXPECT_EQ(a->prov.updated, granted);
    EXPECT_EQ(a->prov.generation, granted_gen);
    store.take_dirty(dirty);
    EXPECT_TRUE(dirty.empty()) << "no name written again, no serial bumped";
    // ... and one an hour later refreshes `updated` and the generation, keeps `created`; no
    // audit event either way.
    now = granted + 3600;
    l.generation += 1;
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now);
    a = find("pc1.lan.", dns::rrtype::A);
    EXPECT_EQ(a->prov.created, granted);
    EXPECT_EQ(a->prov.updated, now);
    EXPECT_EQ(a->prov.generation, l.generation);
    EXPECT_EQ(audit.size(), 2u);
}

TEST_F(Fixture, AdminRecordSurvivesClaimReleaseAndExpiry) {
    load("delete_on_expiry = true\nptr_delete_on_expiry = true");
    auto l = lease("198.18.0.101", 2, "my-server");
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(a_of("my-server.lan."), "198.18.0.60");
    EXPECT_EQ(find("my-server.lan.", dns::rrtype::A)->prov.origin, Origin::Config);
    EXPECT_EQ(ptr_of("198.18.0.101"), "") << "no PTR claims a name that is not the binding's";
    ASSERT_EQ(count(AuditReason::ConflictSkip, false), 1u);
    EXPECT_NE(audit.back().detail.find("config A record"), std::string::npos)
        << audit.back().detail;
    dns->on_lease(l, control::dhcp::LeaseEvent::Expired, now + 31);
    dns->on_lease(l, control::dhcp::LeaseEvent::Released, now + 32);
    EXPECT_EQ(a_of("my-server.lan."), "198.18.0.60");
}

TEST_F(Fixture, ReleaseDeletesExpiryKeepsByDefault) {
    load();
    auto a = lease("198.18.0.102", 3, "pa");
    auto b = lease("198.18.0.103", 4, "pb");
    dns->on_lease(a, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(b, control::dhcp::LeaseEvent::Granted, now);
    a.state = control::dhcp::LeaseState::Released;
    dns->on_lease(a, control::dhcp::LeaseEvent::Released, now + 1);
    EXPECT_EQ(a_of("pa.lan."), "");
    EXPECT_EQ(ptr_of("198.18.0.102"), "");
    EXPECT_EQ(count(AuditReason::Release), 2u);
    b.state = control::dhcp::LeaseState::Expired;
    dns->on_lease(b, control::dhcp::LeaseEvent::Expired, now + 31);
    EXPECT_EQ(a_of("pb.lan."), "198.18.0.103");
    EXPECT_EQ(ptr_of("198.18.0.103"), "pb.lan.");
}

TEST_F(Fixture, ExpiryFlagsAreIndependent) {
    load("delete_on_expiry = true\nptr_delete_on_expiry = false");
    auto a = lease("198.18.0.104", 5, "pc");
    dns->on_lease(a, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(a, control::dhcp::LeaseEvent::Expired, now + 31);
    EXPECT_EQ(a_of("pc.lan."), "");
    EXPECT_EQ(ptr_of("198.18.0.104"), "pc.lan.");
    EXPECT_EQ(count(AuditReason::Expiry), 1u);
}

TEST_F(Fixture, ReservationPublishesBeforeAnyClientAndIsPermanent) {
    load("delete_on_expiry = true\nptr_delete_on_expiry = true");
    dns->publish_reservations(now);
    EXPECT_EQ(a_of("reserved.lan."), "198.18.0.50");
    EXPECT_EQ(ptr_of("198.18.0.50"), "reserved.lan.");
    EXPECT_EQ(find("reserved.lan.", dns::rrtype::A)->prov.origin, Origin::Reservation);
    EXPECT_EQ(find("reserved.lan.", dns::rrtype::A)->prov.owner, "reservation:lan/198.18.0.50");
    auto l = lease("198.18.0.50", 0x50, "reserved");
    l.reservation = 0;
    l.hw.bytes = {0x02, 0, 0, 0, 0, 0x50};
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now + 5);
    EXPECT_EQ(find("reserved.lan.", dns::rrtype::A)->prov.created, now)
        << "granting refreshes, keeps created";
    // Drift: the rebuilt machine comes back with a client identifier; same reservation owner.
    auto drifted = l;
    drifted.client.kind = control::dhcp::ClientKey::ClientId;
    drifted.client.len = 3;
    drifted.client.bytes[0] = 0xff;
    dns->on_lease(drifted, control::dhcp::LeaseEvent::Granted, now + 6);
    dns->on_lease(l, control::dhcp::LeaseEvent::Replaced, now + 6);
    dns->on_lease(l, control::dhcp::LeaseEvent::Expired, now + 40);
    dns->on_lease(l, control::dhcp::LeaseEvent::Released, now + 41);
    EXPECT_EQ(a_of("reserved.lan."), "198.18.0.50");
    EXPECT_EQ(ptr_of("198.18.0.50"), "reserved.lan.");
    EXPECT_EQ(count(AuditReason::Release) + count(AuditReason::Expiry), 0u);
}

TEST_F(Fixture, ReservationRemovedFromConfigTakesItsRecords) {
    load();
    dns->publish_reservations(now);
    auto r = config::load_config_string(
        std::string(kBase).substr(0, std::string(kBase).find("[[dhcp.scopes.reservations]]")),
        "t.toml");
    ASSERT_TRUE(r.config);
    dns->set_config(*r.config);
    dns->publish_reservations(now + 1);
    EXPECT_EQ(a_of("reserved.lan."), "");
    EXPECT_EQ(ptr_of("198.18.0.50"), "");
    EXPECT_EQ(count(AuditReason::ReservationRemoved), 2u);
}

TEST_F(Fixture, ReturningClientUnderNewIdentityTakesTheName) {
    load("delete_on_expiry = true");
    auto old_binding = lease("198.18.0.110", 6, "vm");
    dns->on_lease(old_binding, control::dhcp::LeaseEvent::Granted, now);
    auto fresh = lease("198.18.0.111", 7, "vm");
    dns->on_lease(fresh, control::dhcp::LeaseEvent::Granted, now + 1);
    EXPECT_EQ(a_of("vm.lan."), "198.18.0.111");
    EXPECT_EQ(find("vm.lan.", dns::rrtype::A)->prov.owner, client_owner(fresh.client, fresh.hw));
    dns->on_lease(old_binding, control::dhcp::LeaseEvent::Expired, now + 31);
    EXPECT_EQ(a_of("vm.lan."), "198.18.0.111") << "the old lease is no longer the owner";
    EXPECT_EQ(ptr_of("198.18.0.111"), "vm.lan.");
}

TEST_F(Fixture, RenameRemovesOldRecords) {
    load();
    auto l = lease("198.18.0.120", 8, "before");
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now);
    l.hostname = "after";
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 10);
    EXPECT_EQ(a_of("before.lan."), "");
    EXPECT_EQ(a_of("after.lan."), "198.18.0.120");
    EXPECT_EQ(ptr_of("198.18.0.120"), "after.lan.");
    EXPECT_EQ(count(AuditReason::Rename), 2u);
}

TEST_F(Fixture, ReusedAddressTakesTheKeptRecordsAway) {
    load();
    auto first = lease("198.18.0.130", 9, "first");
    dns->on_lease(first, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(first, control::dhcp::LeaseEvent::Expired, now + 31);  // kept by default
    EXPECT_EQ(a_of("first.lan."), "198.18.0.130");
    auto second = lease("198.18.0.130", 10, "second");
    dns->on_lease(second, control::dhcp::LeaseEvent::Granted, now + 40);
    EXPECT_EQ(a_of("first.lan."), "") << "a kept record never points at someone else";
    EXPECT_EQ(a_of("second.lan."), "198.18.0.130");
    EXPECT_EQ(ptr_of("198.18.0.130"), "second.lan.");
    EXPECT_GE(count(AuditReason::Supersede), 2u);
}

TEST_F(Fixture, StaleAfterRemovesKeptRecordsOnly) {
    load("stale_after = \"1h\"");
    auto gone = lease("198.18.0.140", 11, "gone");
    auto alive = lease("198.18.0.141", 12, "alive");
    dns->on_lease(gone, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(alive, control::dhcp::LeaseEvent::Granted, now);
    dns->on_lease(gone, control::dhcp::LeaseEvent::Expired, now + 30);
    const std::string alive_owner = client_owner(alive.client, alive.hw);
    auto bound = [&](uint32_t a) { return a == alive.ip ? alive_owner : std::string(); };
    EXPECT_EQ(dns->sweep_stale(now + 1800, bound), 0u);
    EXPECT_EQ(dns->sweep_stale(now + 3601, bound), 2u);
    EXPECT_EQ(a_of("gone.lan."), "");
    EXPECT_EQ(ptr_of("198.18.0.140"), "");
    EXPECT_EQ(a_of("alive.lan."), "198.18.0.141");
    EXPECT_EQ(count(AuditReason::Stale), 2u);
}

TEST_F(Fixture, ClientOptOutAndUpdateOff) {
    load();
    auto l = lease("198.18.0.150", 13, "quiet");
    l.no_dns = true;
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(a_of("quiet.lan."), "");
    EXPECT_EQ(dns->stats().opted_out.get(), 1u);
    Fixture::TearDown();
    store = control::zone::ZoneStore();
    load("update = false");
    dns->publish_reservations(now);
    dns->on_lease(lease("198.18.0.151", 14, "x"), control::dhcp::LeaseEvent::Granted, now);
    EXPECT_EQ(a_of("x.lan."), "");
    EXPECT_EQ(a_of("reserved.lan."), "");
}

TEST_F(Fixture, StartUpRemovesRecordsOfGrantsTheLeaseStoreNeverGot) {
    // A crash between the two stores: the record store has pc-lost's grant, the lease store
    // does not (no ACK went out). pc-kept is bound; pc-expired expired and kept its A by
    // policy; both still have their lease. The reservation and config records are not dhcp.
    load();
    auto kept = lease("198.18.0.110", 10, "pc-kept");
    auto lost = lease("198.18.0.111", 11, "pc-lost");
    auto expired = lease("198.18.0.112", 12, "pc-expired");
    dns->publish_reservations(now);
    for (auto* l : {&kept, &lost, &expired})
        dns->on_lease(*l, control::dhcp::LeaseEvent::Granted, now);
    expired.state = control::dhcp::LeaseState::Expired;
    dns->on_lease(expired, control::dhcp::LeaseEvent::Expired, now + 31);
    ASSERT_EQ(a_of("pc-lost.lan."), "198.18.0.111");

    EXPECT_EQ(dns->remove_unleased({kept, expired}, now + 40), 2u);  // pc-lost's A and PTR
    EXPECT_EQ(a_of("pc-lost.lan."), "");
    EXPECT_EQ(ptr_of("198.18.0.111"), "");
    EXPECT_EQ(a_of("pc-kept.lan."), "198.18.0.110");
    EXPECT_EQ(a_of("pc-expired.lan."), "198.18.0.112");
    EXPECT_EQ(a_of("reserved.lan."), "198.18.0.50");
    EXPECT_EQ(a_of("my-server.lan."), "198.18.0.60");
    EXPECT_EQ(count(AuditReason::Reconcile), 2u);
    // Nothing more to do the second time.
    EXPECT_EQ(dns->remove_unleased({kept, expired}, now + 41), 0u);
}

TEST_F(Fixture, StartUpReconcileLeavesWhatIsThereAndRecreatesWhatACrashLost) {
    // After a crash the record store may lack a grant the lease store has (pc-lost's records
    // never reached it); pc-kept's records are there, as its last grant wrote them.
    load();
    auto kept = lease("198.18.0.120", 20, "pc-kept");
    auto lost = lease("198.18.0.121", 21, "pc-lost");
    dns->on_lease(kept, control::dhcp::LeaseEvent::Granted, now);
    std::vector<control::zone::ZoneStore::Key> discard;
    store.take_dirty(discard);
    const size_t events = audit.size();

    dns->reconcile({kept, lost}, now + 600);
    const auto* a = find("pc-kept.lan.", dns::rrtype::A);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->prov.updated, now) << "a restart is not a renewal: updated keeps its time";
    EXPECT_EQ(a_of("pc-lost.lan."), "198.18.0.121") << "what the crash lost is made again";
    store.take_dirty(discard);
    EXPECT_EQ(discard.size(), 4u)
        << "only pc-lost's A and PTR names changed (and the two zones' apexes: their serials)";
    EXPECT_EQ(audit.size(), events + 2) << "pc-lost's two records audited, pc-kept's not";

    // A renewal after the restart does refresh it (once `updated` is an hour old).
    dns->on_lease(kept, control::dhcp::LeaseEvent::Renewed, now + 3700);
    EXPECT_EQ(find("pc-kept.lan.", dns::rrtype::A)->prov.updated, now + 3700);
}

TEST_F(Fixture, AfterACrashOnlyRecordsWrittenSinceTheSettledMomentAreJudged) {
    // The last settled moment had taken generation 150. pc-old (100) and pc-gone (120) were
    // granted before it; pc-new (200) after it, and pc-lost's grant (210) reached the record
    // store but not the lease store: its address is free in the engine.
    load();
    auto old = lease("198.18.0.130", 30, "pc-old");
    auto gone = lease("198.18.0.133", 33, "pc-gone");
    auto fresh = lease("198.18.0.131", 31, "pc-new");
    auto lost = lease("198.18.0.132", 32, "pc-lost");
    old.generation = 100;
    gone.generation = 120;
    fresh.generation = 200;
    lost.generation = 210;
    for (auto* l : {&old, &gone, &fresh, &lost})
        dns->on_lease(*l, control::dhcp::LeaseEvent::Granted, now);
    std::vector<control::dhcp::Lease> engine = {old, fresh};
    dns->set_lease_lookup({[&](uint32_t a) -> const control::dhcp::Lease* {
                               for (const auto& l : engine)
                                   if (l.ip == a) return &l;
                               return nullptr;
                           },
                           {}});
    EXPECT_EQ(dns->remove_unleased_since(150, control::dhcp::kGeneration6Base, now + 5), 2u);
    EXPECT_EQ(a_of("pc-lost.lan."), "") << "written after the mark, and no lease holds it";
    EXPECT_EQ(ptr_of("198.18.0.132"), "");
    EXPECT_EQ(a_of("pc-new.lan."), "198.18.0.131") << "its lease holds it";
    EXPECT_EQ(a_of("pc-old.lan."), "198.18.0.130");
    EXPECT_EQ(a_of("pc-gone.lan."), "198.18.0.133")
        << "before the mark: committed with its lease, not judged here";
    // The lease at an address now another client's: the record written after the mark goes.
    engine[1] = lease("198.18.0.131", 99, "someone-else");
    EXPECT_EQ(dns->remove_unleased_since(150, control::dhcp::kGeneration6Base, now + 6), 2u);
    EXPECT_EQ(a_of("pc-new.lan."), "");
}

TEST(DhcidOwner, StableAndDistinct) {
    control::dhcp::ClientKey hw;
    hw.kind = control::dhcp::ClientKey::HwAddress;
    net::MacAddr mac{{2, 0, 0, 0, 0, 1}};
    control::dhcp::ClientKey cid;
    cid.kind = control::dhcp::ClientKey::ClientId;
    cid.len = 7;
    cid.bytes[0] = 1;
    std::memcpy(cid.bytes + 1, mac.bytes.data(), 6);
    EXPECT_EQ(client_owner(hw, mac), client_owner(hw, mac));
    EXPECT_NE(client_owner(hw, mac), client_owner(cid, mac)) << "identifier types differ";
    EXPECT_EQ(client_owner(hw, mac).size(), 7u + 48u);  // base64 of 35 octets
    EXPECT_EQ(dns::name_to_text(reverse_name(0xC6120032)), "50.0.18.198.in-addr.arpa.");
}

TEST(DhcidOwner, KnownAnswer) {
    // RFC 4701 §3.3 / §3.5.3: type 0x0000 (htype + chaddr), digest type 1, SHA-256 of
    // 01 00 11 22 33 44 55. Owners are stored in LMDB: the value must never drift.
    control::dhcp::ClientKey hw;
    hw.kind = control::dhcp::ClientKey::HwAddress;
    net::MacAddr mac{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
    EXPECT_EQ(client_owner(hw, mac), "client:AAABNZrkF/uKS092yocuPHsajpRWCrg35grHn8HA0Tsq8AI=");
}

TEST_F(Fixture, ARenewalStillSeesWhatChangedAroundItsRecords) {
    // A renewal whose records are in place writes nothing; one whose records are challenged
    // (an admin's record at the name, another binding's record at the address, a new TTL)
    // is judged in full, within the same second as the grant.
    load();
    auto l = lease("198.18.0.110", 11, "pc11");
    dns->on_lease(l, control::dhcp::LeaseEvent::Granted, now);
    ASSERT_EQ(a_of("pc11.lan."), "198.18.0.110");
    const size_t events = audit.size();
    std::vector<control::zone::ZoneStore::Key> dirty;
    store.take_dirty(dirty);
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 1);
    store.take_dirty(dirty);
    EXPECT_TRUE(dirty.empty());
    EXPECT_EQ(audit.size(), events);

    // Another binding's dhcp A for the same address at another name (a state the store may
    // hold after a crash): the renewal takes it back.
    std::string why;
    control::zone::StoredRecord other;
    other.rr = dns::Record{*dns::name_from_text("old-pc.lan.", dns::WireName{0}, why),
                           dns::rrtype::A,
                           dns::rrclass::IN,
                           10,
                           {198, 18, 0, 110}};
    other.prov.origin = control::zone::Origin::Dhcp;
    other.prov.owner = "client:someone-else";
    other.prov.created = other.prov.updated = now;
    ASSERT_TRUE(store.put(other));
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 1);
    EXPECT_EQ(a_of("old-pc.lan."), "");
    EXPECT_EQ(count(AuditReason::Supersede), 1u);

    // An admin's TXT at the name: the name is the admin's now, the renewal says so.
    control::zone::StoredRecord txt;
    txt.rr = dns::Record{*dns::name_from_text("pc11.lan.", dns::WireName{0}, why),
                         dns::rrtype::TXT,
                         dns::rrclass::IN,
                         300,
                         {2, 'h', 'i'}};
    txt.prov.origin = control::zone::Origin::Manual;
    txt.prov.owner = "ops";
    ASSERT_TRUE(store.put(txt));
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 1);
    EXPECT_EQ(count(AuditReason::ConflictSkip, false), 1u);
    EXPECT_TRUE(
        store.erase(control::zone::ZoneStore::key(txt.rr.owner), dns::rrtype::TXT, txt.rr.rdata));
    // The same with the binding's own owner string on the admin's record (the API takes any
    // owner): still the admin's, still said.
    txt.prov.owner = find("pc11.lan.", dns::rrtype::A)->prov.owner;
    ASSERT_TRUE(store.put(txt));
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 1);
    EXPECT_EQ(count(AuditReason::ConflictSkip, false), 2u);
    EXPECT_TRUE(
        store.erase(control::zone::ZoneStore::key(txt.rr.owner), dns::rrtype::TXT, txt.rr.rdata));

    // The clock stepped back: an `updated` in the future is refreshed to now.
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now - 100);
    EXPECT_EQ(find("pc11.lan.", dns::rrtype::A)->prov.updated, now - 100);

    // A new lease time (a reload): the records take the new TTL at once.
    cfg.dhcp.scopes[0].lease_time = std::chrono::seconds(60);
    dns->set_config(cfg);
    dns->on_lease(l, control::dhcp::LeaseEvent::Renewed, now + 1);
    EXPECT_EQ(find("pc11.lan.", dns::rrtype::A)->ttl, 20u);
    EXPECT_EQ(find(dns::name_to_text(reverse_name(ip("198.18.0.110"))), dns::rrtype::PTR)->ttl,
              20u);
}

}  // namespace
}  // namespace edgelease::control::ddns
