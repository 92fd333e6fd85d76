// The zone store: config diffing on reload (created times kept), orphaned records, dirty
// owners and SOA serials, and the LMDB record store round trip (provenance survives).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::control::zone {
namespace {

dns::WireName name(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

std::vector<dataplane::dns::ZoneInput> zones_of(const std::string& toml) {
    auto r = config::load_config_string("[[interfaces]]\nport = \"p0\"\n" + toml, "z.toml");
    EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].why);
    if (!r.config) return {};
    auto z = load_zones(*r.config, 100);
    EXPECT_TRUE(z.errors.empty());
    return z.zones;
}

const char* kOne = R"(
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A", data = "198.18.0.10" }, { name = "b", type = "A", data = "198.18.0.11" } ]
)";
const char* kTwo = R"(
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A", data = "198.18.0.10" }, { name = "c", type = "A", data = "198.18.0.12" } ]
)";
const char* kOther = R"(
[[dns.zones]]
name = "other."
)";

TEST(ZoneStore, ReloadKeepsCreatedAndDiffs) {
    ZoneStore s;
    s.set_config(zones_of(kOne), 1000);
    std::vector<ZoneStore::Key> dirty;
    s.take_dirty(dirty);
    EXPECT_GE(dirty.size(), 3u);  // apex, a, b
    ASSERT_NE(s.find(ZoneStore::key(name("a.lan."))), nullptr);
    StoredRecord manual{
        dns::Record{name("m.lan."), dns::rrtype::A, dns::rrclass::IN, 60, {198, 18, 0, 20}}, {}};
    manual.prov.origin = Origin::Manual;
    manual.prov.created = manual.prov.updated = 1001;
    ASSERT_TRUE(s.put(manual));
    EXPECT_EQ(s.zones()[0].serial, 100u);
    s.take_dirty(dirty);
    EXPECT_EQ(s.zones()[0].serial, 101u) << "a change bumps the SOA serial";

    s.set_config(zones_of(kTwo), 2000);
    s.take_dirty(dirty);
    EXPECT_EQ(s.find(ZoneStore::key(name("b.lan."))), nullptr);
    ASSERT_NE(s.find(ZoneStore::key(name("c.lan."))), nullptr);
    EXPECT_EQ(s.find(ZoneStore::key(name("a.lan.")))->at(0).prov.created, 1000)
        << "unchanged record keeps created";
    EXPECT_EQ(s.find(ZoneStore::key(name("c.lan.")))->at(0).prov.created, 2000);
    ASSERT_NE(s.find(ZoneStore::key(name("m.lan."))), nullptr) << "a reload keeps manual records";
    EXPECT_GT(s.zones()[0].serial, 101u) << "a reload never steps the serial back";

    std::vector<StoredRecord> orphaned;
    s.set_config(zones_of(kOther), 3000, &orphaned);
    ASSERT_EQ(orphaned.size(), 1u);
    EXPECT_EQ(orphaned[0].prov.origin, Origin::Manual);
    EXPECT_EQ(s.find(ZoneStore::key(name("m.lan."))), nullptr);
    EXPECT_FALSE(s.put(manual)) << "outside every hosted zone";
}

TEST(ZoneStore, NoOwnersUntilABindingOwnsARecord) {
    // The lease side skips computing owners (a SHA-256 each) while this holds: it must turn
    // false with the first owned record and true again only when the last one goes.
    ZoneStore s;
    s.set_config(zones_of(kOne), 1000);
    EXPECT_TRUE(s.no_owners()) << "configured records have no owner";
    StoredRecord manual{
        dns::Record{name("m.lan."), dns::rrtype::A, dns::rrclass::IN, 60, {198, 18, 0, 20}}, {}};
    manual.prov.origin = Origin::Manual;
    ASSERT_TRUE(s.put(manual));
    EXPECT_TRUE(s.no_owners()) << "nor do manual ones";

    StoredRecord a{
        dns::Record{name("h.lan."), dns::rrtype::A, dns::rrclass::IN, 60, {198, 18, 0, 30}}, {}};
    a.prov.origin = Origin::Dhcp;
    a.prov.owner = "dhcid:abc";
    StoredRecord ptr{
        dns::Record{name("h2.lan."), dns::rrtype::A, dns::rrclass::IN, 60, {198, 18, 0, 31}}, {}};
    ptr.prov = a.prov;
    ASSERT_TRUE(s.put(a));
    ASSERT_TRUE(s.put(ptr));
    EXPECT_FALSE(s.no_owners());
    EXPECT_TRUE(s.owns_any("dhcid:abc"));
    ASSERT_TRUE(s.erase(ZoneStore::key(name("h.lan.")), dns::rrtype::A, {198, 18, 0, 30}));
    EXPECT_FALSE(s.no_owners()) << "the owner still has a record at h2";
    ASSERT_TRUE(s.erase(ZoneStore::key(name("h2.lan.")), dns::rrtype::A, {198, 18, 0, 31}));
    EXPECT_TRUE(s.no_owners());
}

TEST(RecordStore, TicketIsCommittedOnlyOnceWritten) {
    auto dir = std::filesystem::temp_directory_path() /
               ("edgelease-records-ticket-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    StoredRecord r{
        dns::Record{name("m1.lan."), dns::rrtype::A, dns::rrclass::IN, 600, {198, 18, 0, 61}}, {}};
    r.prov = Provenance{Origin::Manual, "api", 1, 1, 0};
    {
        control::store::RecordStore rs(dir.string(), false, 10);
        EXPECT_TRUE(rs.wait_committed(rs.ticket(), std::chrono::milliseconds(1)))
            << "nothing queued yet";
        rs.put(r);
        const uint64_t ticket = rs.ticket();
        EXPECT_EQ(ticket, 1u);
        EXPECT_FALSE(rs.wait_committed(ticket, std::chrono::milliseconds(20)))
            << "the writer has not started: the change is not on disk";
        rs.start();
        ASSERT_TRUE(rs.wait_committed(ticket, std::chrono::seconds(5)));
        EXPECT_EQ(rs.stats().failures.load(), 0u);
    }
    control::store::RecordStore rs(dir.string(), false, 10);
    size_t skipped = 0;
    auto loaded = rs.load(skipped);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].rr.owner, r.rr.owner);
    std::filesystem::remove_all(dir);
}

TEST(RecordStore, ProvenanceSurvivesRestart) {
    auto dir =
        std::filesystem::temp_directory_path() / ("edgelease-records-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    StoredRecord r{
        dns::Record{name("pc.lan."), dns::rrtype::A, dns::rrclass::IN, 600, {198, 18, 0, 100}}, {}};
    r.prov = Provenance{Origin::Dhcp, "client:AAABxyz", 1111, 2222, 42};
    {
        control::store::RecordStore rs(dir.string(), false, 3);
        rs.start();
        ZoneStore s(&rs);
        s.set_config(zones_of(kOne), 1000);
        ASSERT_TRUE(s.put(r));
        for (int i = 0; i < 5; ++i) {
            AuditEvent e;
            e.time = 5000 + i;
            e.name = "pc.lan.";
            e.type = dns::rrtype::A;
            e.new_data = "198.18.0." + std::to_string(100 + i);
            e.owner = "client:x";
            e.reason = AuditReason::Grant;
            if (i % 2 == 1) {  // texts made by the writer thread, as LeaseDns's events
                e.name.clear();
                e.new_data.clear();
                e.deferred = true;
                e.name_wire = name("pc.lan.");
                e.new_rdata = {198, 18, 0, static_cast<uint8_t>(100 + i)};
                e.has_new = true;
            }
            rs.audit(e);
        }
        ASSERT_TRUE(s.erase(ZoneStore::key(name("b.lan.")), dns::rrtype::A, {198, 18, 0, 11}));
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
        auto events = rs.read_audit(10, "");
        ASSERT_EQ(events.size(), 3u) << "bounded: the two oldest were dropped";
        EXPECT_EQ(events[0].new_data, "198.18.0.104");
        EXPECT_EQ(events[1].name, "pc.lan.");
        EXPECT_EQ(events[1].new_data, "198.18.0.103");
        EXPECT_EQ(events[1].old_data, "");
        EXPECT_FALSE(events[1].deferred);
        EXPECT_EQ(events[2].new_data, "198.18.0.102");
        EXPECT_EQ(rs.read_audit(10, "", events[0].seq).size(), 2u);
        EXPECT_TRUE(rs.read_audit(10, "nomatch").empty());
    }
    control::store::RecordStore rs(dir.string(), false, 3);
    size_t skipped = 99;
    auto loaded = rs.load(skipped);
    EXPECT_EQ(skipped, 0u);
    ZoneStore s;
    for (auto& x : loaded) s.restore(x);
    s.set_config(zones_of(kOne), 9000);
    const auto* pc = s.find(ZoneStore::key(name("pc.lan.")));
    ASSERT_NE(pc, nullptr);
    EXPECT_EQ(pc->at(0).prov.origin, Origin::Dhcp);
    EXPECT_EQ(pc->at(0).prov.owner, "client:AAABxyz");
    EXPECT_EQ(pc->at(0).prov.created, 1111);
    EXPECT_EQ(pc->at(0).prov.updated, 2222);
    EXPECT_EQ(pc->at(0).prov.generation, 42u);
    EXPECT_EQ(s.find(ZoneStore::key(name("a.lan.")))->at(0).prov.created, 1000)
        << "config records keep created";
    // b was erased from storage but is still configured: it comes back as configured now.
    EXPECT_EQ(s.find(ZoneStore::key(name("b.lan.")))->at(0).prov.created, 9000);
    auto events = rs.read_audit(10, "");
    ASSERT_EQ(events.size(), 3u);
    rs.start();
    AuditEvent e;
    e.name = "later.";
    rs.audit(e);
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    EXPECT_GT(rs.read_audit(1, "")[0].seq, events[0].seq) << "sequence continues after a restart";
    std::filesystem::remove_all(dir);
}

TEST(RecordCodec, RejectsGarbage) {
    StoredRecord r{
        dns::Record{name("x.lan."), dns::rrtype::TXT, dns::rrclass::IN, 1, {3, 'a', 'b', 'c'}}, {}};
    std::string enc = control::store::encode_record(r);
    auto ok =
        control::store::decode_record(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->rr.rdata, r.rr.rdata);
    for (size_t cut = 0; cut < enc.size(); ++cut)
        EXPECT_FALSE(
            control::store::decode_record(reinterpret_cast<const uint8_t*>(enc.data()), cut))
            << cut;
    std::vector<uint8_t> big(600, 7);
    dns::Record longr{name("x.lan."), 65280, dns::rrclass::IN, 1, big};
    EXPECT_LE(control::store::record_key(longr).size(), 511u);
}

}  // namespace
}  // namespace edgelease::control::zone
