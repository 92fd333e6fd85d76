// Zone snapshots for zone transfers: the record store keeps each zone's serial and SOA in
// order with its records, so one read transaction is either exactly a serial's records or
// says "changing"; serials survive restarts and never step back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "config/config.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::control::zone {
namespace {

using Snapshot = control::store::RecordStore::ZoneSnapshot;

dns::WireName name(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

std::vector<dataplane::dns::ZoneInput> zones_of(const std::string& toml, uint32_t serial) {
    auto r = config::load_config_string(
        "[[interfaces]]\nport = \"p0\"\naddresses = "
        "[\"198.18.0.1/24\"]\n" +
            toml,
        "z.toml");
    EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].why);
    if (!r.config) return {};
    auto z = load_zones(*r.config, serial);
    EXPECT_TRUE(z.errors.empty());
    return z.zones;
}

const char* kZones = R"(
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A", data = "198.18.0.10" } ]
[[dns.zones]]
name = "sub.lan."
records = [ { name = "deep", type = "A", data = "198.18.0.20" } ]
)";

uint32_t serial_of(const dns::Record& soa) {
    const uint8_t* p = soa.rdata.data() + soa.rdata.size() - 20;
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

bool has(const Snapshot& s, const std::string& owner) {
    return std::any_of(s.records.begin(), s.records.end(),
                       [&](const dns::Record& r) { return r.owner == name(owner); });
}

struct Dir {
    std::filesystem::path p =
        std::filesystem::temp_directory_path() / ("edgelease-snap-" + std::to_string(getpid()));
    Dir() { std::filesystem::remove_all(p); }
    ~Dir() { std::filesystem::remove_all(p); }
};

TEST(ZoneSnapshot, AZoneIsItsSerialsRecordsOrSaysItIsChanging) {
    Dir dir;
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    s.set_config(zones_of(kZones, 500), 1000);
    rs.start();
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));

    Snapshot lan = rs.snapshot_zone(name("lan."));
    ASSERT_EQ(lan.state, Snapshot::State::Ok);
    EXPECT_EQ(serial_of(lan.soa), 500u);
    EXPECT_TRUE(has(lan, "a.lan."));
    EXPECT_TRUE(has(lan, "lan.")) << "the apex NS";
    EXPECT_FALSE(has(lan, "deep.sub.lan.")) << "a deeper hosted zone's record";
    EXPECT_TRUE(std::none_of(lan.records.begin(), lan.records.end(),
                             [](const dns::Record& r) { return r.type == dns::rrtype::SOA; }));
    Snapshot sub = rs.snapshot_zone(name("sub.lan."));
    ASSERT_EQ(sub.state, Snapshot::State::Ok);
    EXPECT_TRUE(has(sub, "deep.sub.lan."));
    EXPECT_EQ(rs.snapshot_zone(name("other.")).state, Snapshot::State::NotHosted);

    // A lease's record, not yet under a new serial: the zone is changing.
    StoredRecord pc{
        dns::Record{name("pc.lan."), dns::rrtype::A, dns::rrclass::IN, 600, {198, 18, 0, 50}},
        Provenance{Origin::Dhcp, "client:x", 1, 1, 0}};
    ASSERT_TRUE(s.put(pc));
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    EXPECT_EQ(rs.snapshot_zone(name("lan.")).state, Snapshot::State::Changing);
    EXPECT_EQ(rs.snapshot_zone(name("sub.lan.")).state, Snapshot::State::Ok) << "untouched";

    std::vector<ZoneStore::Key> dirty;
    s.take_dirty(dirty);  // the serial bump the control plane makes when it publishes
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    lan = rs.snapshot_zone(name("lan."));
    ASSERT_EQ(lan.state, Snapshot::State::Ok);
    EXPECT_EQ(serial_of(lan.soa), 501u);
    EXPECT_TRUE(has(lan, "pc.lan."));
}

TEST(ZoneSnapshot, SerialsNeverStepBackAcrossARestart) {
    Dir dir;
    {
        control::store::RecordStore rs(dir.p.string(), false, 10);
        ZoneStore s(&rs);
        s.set_config(zones_of(kZones, 500), 1000);
        rs.start();
        for (int i = 0; i < 30; ++i) {  // many changes: the serial runs ahead of the clock
            StoredRecord r{dns::Record{name("h" + std::to_string(i) + ".lan."),
                                       dns::rrtype::A,
                                       dns::rrclass::IN,
                                       600,
                                       {198, 18, 1, static_cast<uint8_t>(i)}},
                           Provenance{Origin::Dhcp, "client:" + std::to_string(i), 1, 1, 0}};
            ASSERT_TRUE(s.put(r));
            std::vector<ZoneStore::Key> dirty;
            s.take_dirty(dirty);
        }
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
        EXPECT_EQ(serial_of(rs.snapshot_zone(name("lan.")).soa), 530u);
    }
    control::store::RecordStore rs(dir.p.string(), false, 10);
    auto serials = rs.load_serials();
    ASSERT_EQ(serials.size(), 2u);
    size_t skipped = 0;
    ZoneStore s(&rs);
    for (auto& r : rs.load(skipped)) s.restore(std::move(r));
    for (const auto& [apex, serial] : serials) s.restore_serial(apex, serial);
    s.set_config(zones_of(kZones, 510), 2000);  // a clock behind the last serial
    rs.start();
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    const auto& z = s.zones();
    auto lan =
        std::find_if(z.begin(), z.end(), [](const ZoneInfo& i) { return i.apex == name("lan."); });
    ASSERT_NE(lan, z.end());
    EXPECT_EQ(lan->serial, 531u) << "past the stored 530, not the configured 510";
    Snapshot snap = rs.snapshot_zone(name("lan."));
    ASSERT_EQ(snap.state, Snapshot::State::Ok);
    EXPECT_EQ(serial_of(snap.soa), 531u);
    EXPECT_TRUE(has(snap, "h29.lan."));
}

TEST(ZoneSnapshot, ARemovedZoneIsNoLongerHosted) {
    Dir dir;
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    s.set_config(zones_of(kZones, 500), 1000);
    rs.start();
    const char* only_lan = R"(
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A", data = "198.18.0.10" } ]
)";
    s.set_config(zones_of(only_lan, 600), 1100);
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    EXPECT_EQ(rs.snapshot_zone(name("sub.lan.")).state, Snapshot::State::NotHosted);
    EXPECT_EQ(rs.snapshot_zone(name("lan.")).state, Snapshot::State::Ok);
}

}  // namespace
}  // namespace edgelease::control::zone

namespace edgelease::control::zone {
namespace {

using Changes = control::store::RecordStore::ZoneChanges;

StoredRecord lease_a(const std::string& host, uint8_t last, uint32_t ttl = 600) {
    return StoredRecord{
        dns::Record{
            name(host + ".lan."), dns::rrtype::A, dns::rrclass::IN, ttl, {198, 18, 0, last}},
        Provenance{Origin::Dhcp, "client:" + host, 1, 1, 0}};
}

uint32_t bump(ZoneStore& s) {
    std::vector<ZoneStore::Key> dirty;
    s.take_dirty(dirty);
    for (const auto& z : s.zones())
        if (z.apex == name("lan.")) return z.serial;
    return 0;
}

std::string owners(const std::vector<dns::Record>& rs) {
    std::string out;
    for (const auto& r : rs) out += dns::name_to_text(r.owner) + "/" + std::to_string(r.ttl) + " ";
    return out;
}

TEST(ZoneJournal, ChangesBetweenSerialsChainFromAnyKeptSerial) {
    Dir dir;
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    s.set_config(zones_of(kZones, 500), 1000);
    rs.start();
    ASSERT_TRUE(s.put(lease_a("pc1", 50)));
    const uint32_t s1 = bump(s);  // 501: +pc1
    ASSERT_TRUE(s.put(lease_a("pc2", 51)));
    ASSERT_TRUE(s.put(lease_a("tmp", 52)));
    ASSERT_TRUE(s.erase(ZoneStore::key(name("tmp.lan.")), dns::rrtype::A, {198, 18, 0, 52}));
    const uint32_t s2 = bump(s);                  // 502: +pc2 (tmp came and went: no trace)
    ASSERT_TRUE(s.put(lease_a("pc1", 50, 300)));  // a TTL change
    ASSERT_TRUE(s.erase(ZoneStore::key(name("pc2.lan.")), dns::rrtype::A, {198, 18, 0, 51}));
    const uint32_t s3 = bump(s);  // 503: pc1 600 -> 300, -pc2
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    ASSERT_EQ(s3, 503u);

    Changes all = rs.zone_changes(name("lan."), 500);
    ASSERT_EQ(all.state, Changes::State::Ok);
    ASSERT_EQ(all.chain.size(), 3u);
    EXPECT_EQ(owners(all.chain[0].added), "pc1.lan./600 ");
    EXPECT_TRUE(all.chain[0].deleted.empty());
    EXPECT_EQ(owners(all.chain[1].added), "pc2.lan./600 ") << "tmp left no trace";
    EXPECT_TRUE(all.chain[1].deleted.empty());
    EXPECT_EQ(owners(all.chain[2].deleted), "pc1.lan./600 pc2.lan./600 ");
    EXPECT_EQ(owners(all.chain[2].added), "pc1.lan./300 ");
    EXPECT_EQ(serial_of(all.chain[2].soa_from), s2);
    EXPECT_EQ(serial_of(all.chain[2].soa_to), s3);

    Changes tail = rs.zone_changes(name("lan."), s1);
    ASSERT_EQ(tail.state, Changes::State::Ok);
    EXPECT_EQ(tail.chain.size(), 2u);
    EXPECT_EQ(rs.zone_changes(name("lan."), s3).state, Changes::State::UpToDate);
    EXPECT_EQ(rs.zone_changes(name("lan."), 400).state, Changes::State::NoJournal);
    EXPECT_EQ(rs.zone_changes(name("nope."), 1).state, Changes::State::NotHosted);
}

TEST(ZoneJournal, AZoneStoppedMidChangeStartsItsJournalAfresh) {
    Dir dir;
    {
        control::store::RecordStore rs(dir.p.string(), false, 10);
        ZoneStore s(&rs);
        s.set_config(zones_of(kZones, 500), 1000);
        rs.start();
        ASSERT_TRUE(s.put(lease_a("pc1", 50)));
        bump(s);                                 // 501
        ASSERT_TRUE(s.put(lease_a("pc2", 51)));  // stored, but no serial yet: "a crash"
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    }
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    size_t skipped = 0;
    for (auto& r : rs.load(skipped)) s.restore(std::move(r));
    for (const auto& [apex, serial] : rs.load_serials()) s.restore_serial(apex, serial);
    s.set_config(zones_of(kZones, 500), 2000);  // 502
    rs.start();
    ASSERT_TRUE(s.put(lease_a("pc3", 53)));
    const uint32_t now = bump(s);  // 503
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
    EXPECT_EQ(rs.zone_changes(name("lan."), 500).state, Changes::State::NoJournal)
        << "what changed between 501 and the restart is not known";
    Changes after = rs.zone_changes(name("lan."), now - 1);
    ASSERT_EQ(after.state, Changes::State::Ok);
    EXPECT_EQ(owners(after.chain[0].added), "pc3.lan./600 ");
}

TEST(ZoneJournal, IsBoundedPerZone) {
    Dir dir;
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    s.set_config(zones_of(kZones, 500), 1000);
    rs.start();
    const size_t n = control::store::Journal::kMaxEntries + 5;
    for (size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(s.put(lease_a("h" + std::to_string(i), static_cast<uint8_t>(i))));
        bump(s);
    }
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(10)));
    EXPECT_EQ(rs.zone_changes(name("lan."), 500).state, Changes::State::NoJournal) << "trimmed";
    Changes kept = rs.zone_changes(name("lan."), 505);
    ASSERT_EQ(kept.state, Changes::State::Ok);
    EXPECT_EQ(kept.chain.size(), control::store::Journal::kMaxEntries);
}

// The API's paged listing: a zone's records a page at a time in key order, each record that
// lives throughout once although records come and go between pages, a deeper zone's never.
TEST(ZoneSnapshot, PagesOfAZoneGiveEachRecordOnceWhileRecordsChange) {
    Dir dir;
    control::store::RecordStore rs(dir.p.string(), false, 10);
    ZoneStore s(&rs);
    std::string toml = "[[dns.zones]]\nname = \"lan.\"\nrecords = [\n";
    for (int i = 0; i < 2000; ++i)
        toml += "{ name = \"h" + std::to_string(i) + "\", type = \"A\", data = \"198.18." +
                std::to_string(i / 250) + "." + std::to_string(i % 250) + "\" },\n";
    toml +=
        "]\n[[dns.zones]]\nname = \"sub.lan.\"\nrecords = [ { name = \"deep\", type = "
        "\"A\", data = \"198.18.9.1\" } ]\n";
    s.set_config(zones_of(toml, 7), 1000);
    rs.start();
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(10)));

    auto a_record = [](const std::string& owner, uint8_t last) {
        StoredRecord r;
        r.rr = dns::Record{name(owner), dns::rrtype::A, dns::rrclass::IN, 60, {198, 18, 20, last}};
        r.prov.origin = Origin::Manual;
        return r;
    };
    std::map<std::string, int> seen;
    std::set<std::string> touched;
    std::string after, last_key;
    const auto all = [](const StoredRecord&) { return true; };
    int pages = 0;
    for (;;) {
        auto page = rs.page_zone(name("lan."), after, 97, all);
        ASSERT_EQ(page.state, control::store::RecordStore::ZonePage::State::Ok);
        ++pages;
        for (const auto& r : page.records) {
            const std::string key = control::store::record_key(r.rr);
            EXPECT_GT(key, last_key) << "out of key order";
            last_key = key;
            ++seen[dns::name_to_text(r.rr.owner) + " " + std::to_string(r.rr.rdata.back())];
            EXPECT_NE(r.rr.owner, name("deep.sub.lan.")) << "a deeper zone's record";
            EXPECT_NE(r.rr.type, dns::rrtype::SOA);
        }
        if (page.next.empty()) break;
        EXPECT_EQ(page.records.size(), 97u);
        after = page.next;
        // Between pages: a record added ahead of the cursor and behind it, one deleted.
        const std::string ahead = "zz" + std::to_string(pages) + ".lan.";
        const std::string behind = "a" + std::to_string(pages) + ".lan.";
        rs.put(a_record(ahead, static_cast<uint8_t>(pages)));
        rs.put(a_record(behind, static_cast<uint8_t>(pages)));
        touched.insert(ahead);
        touched.insert(behind);
        const std::string gone = "h" + std::to_string(pages * 13) + ".lan.";
        rs.erase(dns::Record{name(gone),
                             dns::rrtype::A,
                             dns::rrclass::IN,
                             0,
                             {198, 18, static_cast<uint8_t>(pages * 13 / 250),
                              static_cast<uint8_t>(pages * 13 % 250)}});
        touched.insert(gone);
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(5)));
        ASSERT_LT(pages, 100);
    }
    EXPECT_GE(pages, 20);
    for (const auto& [k, n] : seen) EXPECT_EQ(n, 1) << k << " listed more than once";
    int steady = 0;
    for (int i = 0; i < 2000; ++i) {
        const std::string owner = "h" + std::to_string(i) + ".lan.";
        if (touched.count(owner) != 0) continue;
        ++steady;
        EXPECT_EQ(seen.count(owner + " " + std::to_string(i % 250)), 1u) << owner << " missed";
    }
    EXPECT_GT(steady, 1900);
    // Filters apply before the cut, and the last page says so.
    auto only = rs.page_zone(name("lan."), "", 5,
                             [](const StoredRecord& r) { return r.rr.type == dns::rrtype::NS; });
    ASSERT_EQ(only.records.size(), 1u);
    EXPECT_TRUE(only.next.empty());
    EXPECT_EQ(rs.page_zone(name("nowhere."), "", 5, all).state,
              control::store::RecordStore::ZonePage::State::NotHosted);
}

}  // namespace
}  // namespace edgelease::control::zone
