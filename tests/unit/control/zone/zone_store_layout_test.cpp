// The zone store's flat layout: interned names and owners are freed when their last record
// goes and their slots reused; the address and owner indexes stay exact through growth,
// churn and provenance changes; a name whose records all went stays listed as dirty until
// take_dirty() hands it out.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "control/zone/zone_store.hpp"

namespace edgelease::control::zone {
namespace {

dns::WireName name(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

std::vector<dataplane::dns::ZoneInput> one_zone() {
    dataplane::dns::ZoneInput z;
    z.name = name("sub.test.");
    z.records.push_back(dns::Record{z.name, dns::rrtype::SOA, dns::rrclass::IN, 300,
                                    std::vector<uint8_t>(22 + 20, 0)});
    return {z};
}

std::vector<uint8_t> v4(uint32_t i) {
    return {198, 19, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
}

StoredRecord lease_a(uint32_t i, const std::string& owner, uint32_t addr) {
    StoredRecord r;
    r.rr = dns::Record{name("lg-" + std::to_string(i) + ".sub.test."), dns::rrtype::A,
                       dns::rrclass::IN, 60, v4(addr)};
    r.prov.origin = Origin::Dhcp;
    r.prov.owner = owner;
    r.prov.generation = i;
    r.prov.created = r.prov.updated = 1000 + i;
    return r;
}

std::string owner_of(uint32_t i) {
    return "client:AAEB" + std::to_string(i * 7919u) + "0123456789abcdef0123456789";
}

TEST(ZoneStoreLayout, ManyLeaseRecordsStayFindableByNameAddressAndOwner) {
    ZoneStore s;
    s.set_config(one_zone(), 1);
    constexpr uint32_t kN = 20000;  // several table growths
    for (uint32_t i = 0; i < kN; ++i) ASSERT_TRUE(s.put(lease_a(i, owner_of(i), i)));
    EXPECT_EQ(s.record_count(), kN + 1);
    for (uint32_t i = 0; i < kN; i += 97) {
        const auto k = ZoneStore::key(name("lg-" + std::to_string(i) + ".sub.test."));
        const auto es = s.entries(k);
        ASSERT_EQ(es.size(), 1u) << i;
        EXPECT_EQ(es[0].rdata, v4(i));
        EXPECT_EQ(es[0].prov.owner, owner_of(i));
        EXPECT_EQ(es[0].prov.generation, i);
        EXPECT_EQ(es[0].prov.created, 1000 + i);
        EXPECT_EQ(s.lease_names_for(v4(i)), std::vector<ZoneStore::Key>{k});
        EXPECT_EQ(s.names_owned_by(owner_of(i)), std::vector<ZoneStore::Key>{k});
        EXPECT_TRUE(s.owns_any(owner_of(i)));
    }
    EXPECT_TRUE(s.lease_names_for(v4(kN)).empty());
    EXPECT_FALSE(s.owns_any(owner_of(kN)));
    size_t visited = 0;
    s.for_each([&](const ZoneStore::Key&, const ZoneStore::Entry& e) {
        if (e.prov.origin == Origin::Dhcp) ++visited;
    });
    EXPECT_EQ(visited, kN);
}

TEST(ZoneStoreLayout, ChurnFreesNamesAndOwnersAndReusesTheirSlots) {
    ZoneStore s;
    s.set_config(one_zone(), 1);
    std::vector<ZoneStore::Key> dirty;
    s.take_dirty(dirty);
    // Rounds of 1,000 leases that come and go under new names and owners each round.
    for (uint32_t round = 0; round < 5; ++round) {
        for (uint32_t i = 0; i < 1000; ++i) {
            const uint32_t id = round * 1000 + i;
            ASSERT_TRUE(s.put(lease_a(id, owner_of(id), i)));
        }
        EXPECT_EQ(s.record_count(), 1001u);
        s.take_dirty(dirty);
        EXPECT_EQ(dirty.size(), 1001u) << "the names and the apex (serial bumped)";
        for (uint32_t i = 0; i < 1000; ++i) {
            const uint32_t id = round * 1000 + i;
            const auto k = ZoneStore::key(name("lg-" + std::to_string(id) + ".sub.test."));
            ASSERT_TRUE(s.erase(k, dns::rrtype::A, v4(i)));
            EXPECT_FALSE(s.owns_any(owner_of(id)));
        }
        EXPECT_TRUE(s.no_owners());
        EXPECT_EQ(s.record_count(), 1u);
        s.take_dirty(dirty);
        // A name whose last record went is handed out (its view node goes), then forgotten.
        EXPECT_EQ(dirty.size(), 1001u);
        for (uint32_t i = 0; i < 1000; i += 111)
            EXPECT_TRUE(s.lease_names_for(v4(i)).empty()) << round << " " << i;
    }
    EXPECT_FALSE(s.erase(ZoneStore::key(name("lg-1.sub.test.")), dns::rrtype::A, v4(1)));
}

TEST(ZoneStoreLayout, ANewOwnerOrAddressMovesTheRecordBetweenIndexes) {
    ZoneStore s;
    s.set_config(one_zone(), 1);
    const auto k = ZoneStore::key(name("lg-1.sub.test."));
    ASSERT_TRUE(s.put(lease_a(1, "client:one", 1)));
    // The same record (owner name, type, RDATA) taken over by another binding.
    ASSERT_TRUE(s.put(lease_a(1, "client:two", 1)));
    EXPECT_EQ(s.record_count(), 2u);
    EXPECT_FALSE(s.owns_any("client:one"));
    EXPECT_EQ(s.names_owned_by("client:two"), std::vector<ZoneStore::Key>{k});
    // A manual record with the same address is not a lease's: not in the address index.
    StoredRecord manual = lease_a(2, "", 1);
    manual.prov.origin = Origin::Manual;
    ASSERT_TRUE(s.put(manual));
    EXPECT_EQ(s.lease_names_for(v4(1)), std::vector<ZoneStore::Key>{k});
    // The binding's record turned into an update's record: out of both indexes.
    StoredRecord upd = lease_a(1, "", 1);
    upd.prov.origin = Origin::Update;
    ASSERT_TRUE(s.put(upd));
    EXPECT_TRUE(s.lease_names_for(v4(1)).empty());
    EXPECT_TRUE(s.no_owners());
    // One owner, two names (A and PTR): listed once each, in the order they were added.
    ASSERT_TRUE(s.put(lease_a(3, "client:three", 3)));
    StoredRecord second = lease_a(4, "client:three", 4);
    ASSERT_TRUE(s.put(second));
    ASSERT_TRUE(s.put(lease_a(3, "client:three", 33)));  // two records at one name
    const auto owned = s.names_owned_by("client:three");
    ASSERT_EQ(owned.size(), 2u);
    EXPECT_EQ(owned[0], ZoneStore::key(name("lg-3.sub.test.")));
    EXPECT_EQ(owned[1], ZoneStore::key(name("lg-4.sub.test.")));
    const auto es = s.entries(owned[0]);
    ASSERT_EQ(es.size(), 2u);
    EXPECT_EQ(es[0].rdata, v4(3)) << "records at a name keep the order they were added in";
    EXPECT_EQ(es[1].rdata, v4(33));
}

TEST(ZoneStoreLayout, LongRdataIsHeldWholeAndComparedExactly) {
    ZoneStore s;
    s.set_config(one_zone(), 1);
    StoredRecord r;
    r.rr = dns::Record{name("txt.sub.test."), dns::rrtype::TXT, dns::rrclass::IN, 60, {}};
    r.rr.rdata.push_back(200);
    for (int i = 0; i < 200; ++i) r.rr.rdata.push_back(static_cast<uint8_t>('a' + i % 26));
    r.prov.origin = Origin::Manual;
    ASSERT_TRUE(s.put(r));
    auto other = r.rr.rdata;
    other.back() ^= 1;
    EXPECT_FALSE(s.erase(ZoneStore::key(r.rr.owner), dns::rrtype::TXT, other));
    const auto es = s.entries(ZoneStore::key(r.rr.owner));
    ASSERT_EQ(es.size(), 1u);
    EXPECT_EQ(es[0].rdata, r.rr.rdata);
    EXPECT_TRUE(s.erase(ZoneStore::key(r.rr.owner), dns::rrtype::TXT, r.rr.rdata));
    EXPECT_TRUE(s.entries(ZoneStore::key(r.rr.owner)).empty());
}

}  // namespace
}  // namespace edgelease::control::zone

namespace edgelease::control::zone {
namespace {

TEST(ZoneStoreLayout, ABatchRestoresWhatOneAtATimeRestores) {
    std::vector<StoredRecord> rs;
    for (uint32_t i = 0; i < 100; ++i) rs.push_back(lease_a(i, owner_of(i % 40), i));
    rs.push_back(rs[7]);  // a duplicate in storage: restored once
    StoredRecord config = lease_a(500, "", 500);
    config.prov.origin = Origin::Config;  // remembered for set_config, not held
    rs.push_back(config);
    ZoneStore one, batch;
    one.reserve(rs.size());
    for (const auto& r : rs) one.restore(r);
    batch.reserve(rs.size());
    batch.restore_batch(rs.data(), 45);
    batch.restore_batch(rs.data() + 45, rs.size() - 45);
    EXPECT_EQ(one.record_count(), 100u);
    EXPECT_EQ(batch.record_count(), 100u);
    for (uint32_t i = 0; i < 100; ++i) {
        const auto k = ZoneStore::key(rs[i].rr.owner);
        const auto a = one.entries(k), b = batch.entries(k);
        ASSERT_EQ(a.size(), 1u);
        ASSERT_EQ(b.size(), 1u);
        EXPECT_EQ(b[0].rdata, a[0].rdata);
        EXPECT_EQ(b[0].prov.owner, a[0].prov.owner);
        EXPECT_EQ(batch.lease_names_for(v4(i)), one.lease_names_for(v4(i)));
    }
    for (uint32_t o = 0; o < 40; ++o)
        EXPECT_EQ(batch.names_owned_by(owner_of(o)), one.names_owned_by(owner_of(o)));
}

}  // namespace
}  // namespace edgelease::control::zone

namespace edgelease::control::zone {
namespace {

struct ErasedSink : RecordSink {
    std::vector<dns::Record> erased;
    void put(const StoredRecord&) override {}
    void erase(const dns::Record& r) override { erased.push_back(r); }
};

TEST(ZoneStoreLayout, EraseOwnedRemovesWhatTheCallerChoosesInOnePass) {
    ErasedSink sink;
    ZoneStore s(&sink);
    s.set_config(one_zone(), 1);
    // One owner with two names (two A records at the first), another owner beside it.
    ASSERT_TRUE(s.put(lease_a(1, "client:one", 1)));
    ASSERT_TRUE(s.put(lease_a(2, "client:one", 2)));
    auto second = lease_a(1, "client:one", 3);
    ASSERT_TRUE(s.put(second));
    ASSERT_TRUE(s.put(lease_a(4, "client:other", 4)));
    std::vector<ZoneStore::Key> dirty;
    s.take_dirty(dirty);
    sink.erased.clear();

    std::vector<std::pair<std::string, std::vector<uint8_t>>> seen;
    auto done = s.erase_owned("client:one", [&](std::string_view k, const ZoneStore::Entry& e) {
        EXPECT_EQ(e.prov.owner, "client:one");
        seen.emplace_back(std::string(k), e.rdata);
        return e.rdata == v4(1) || e.rdata == v4(2);  // keep 198.19.0.3
    });
    EXPECT_EQ(done.erased, 2u);
    EXPECT_EQ(done.left, 1u);
    const auto k1 = ZoneStore::key(name("lg-1.sub.test."));
    const auto k2 = ZoneStore::key(name("lg-2.sub.test."));
    // Names in the order of their oldest record, each name's records in order.
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0], std::make_pair(std::string(k1), v4(1)));
    EXPECT_EQ(seen[1], std::make_pair(std::string(k1), v4(3)));
    EXPECT_EQ(seen[2], std::make_pair(std::string(k2), v4(2)));
    ASSERT_EQ(s.entries(k1).size(), 1u);
    EXPECT_EQ(s.entries(k1)[0].rdata, v4(3));
    EXPECT_TRUE(s.entries(k2).empty());
    EXPECT_TRUE(s.lease_names_for(v4(1)).empty()) << "the address index follows";
    ASSERT_EQ(sink.erased.size(), 2u);
    EXPECT_EQ(sink.erased[0].rdata, v4(1));
    EXPECT_EQ(sink.erased[1].owner, name("lg-2.sub.test."));
    s.take_dirty(dirty);
    EXPECT_NE(std::find(dirty.begin(), dirty.end(), k2), dirty.end()) << "a changed name is dirty";

    // The last record goes: the owner is gone; an unknown owner is one look-up and nothing.
    done =
        s.erase_owned("client:one", [](std::string_view, const ZoneStore::Entry&) { return true; });
    EXPECT_EQ(done.erased, 1u);
    EXPECT_EQ(done.left, 0u);
    EXPECT_FALSE(s.owns_any("client:one"));
    EXPECT_TRUE(s.owns_any("client:other"));
    size_t calls = 0;
    done = s.erase_owned("client:none", [&](std::string_view, const ZoneStore::Entry&) {
        ++calls;
        return true;
    });
    EXPECT_EQ(calls, 0u);
    EXPECT_EQ(done.erased + done.left, 0u);
    EXPECT_EQ(s.record_count(), 2u);  // the SOA and client:other's A
}

TEST(ZoneStoreLayout, DirtyNamesComeWithIdsThatReadTheirRecordsWithoutALookUp) {
    ZoneStore s;
    s.set_config(one_zone(), 1);
    std::vector<ZoneStore::Key> dirty;
    std::vector<uint32_t> ids;
    s.take_dirty(dirty, ids);
    ASSERT_TRUE(s.put(lease_a(1, "client:one", 1)));
    ASSERT_TRUE(s.put(lease_a(2, "client:two", 2)));
    s.take_dirty(dirty, ids);
    s.erase_owned("client:two", [](std::string_view, const ZoneStore::Entry&) { return true; });
    ASSERT_TRUE(s.put(lease_a(3, "client:three", 3)));
    s.take_dirty(dirty, ids);  // lg-2 (now empty, released), lg-3, and the apex (serial)
    ASSERT_EQ(dirty.size(), ids.size());
    ASSERT_EQ(dirty.size(), 3u);
    for (size_t i = 0; i < dirty.size(); ++i) {
        const auto a = s.records_at(ids[i], dirty[i]);
        const auto b = s.records_of(dirty[i]);
        ASSERT_EQ(a.size(), b.size()) << i;
        for (size_t j = 0; j < a.size(); ++j) {
            EXPECT_EQ(a[j].owner, b[j].owner);
            EXPECT_EQ(a[j].type, b[j].type);
            EXPECT_EQ(a[j].rdata, b[j].rdata);
        }
    }
    const auto k2 = ZoneStore::key(name("lg-2.sub.test."));
    const auto at2 = std::find(dirty.begin(), dirty.end(), k2) - dirty.begin();
    ASSERT_LT(static_cast<size_t>(at2), dirty.size());
    EXPECT_TRUE(s.records_at(ids[static_cast<size_t>(at2)], k2).empty());
    const auto k3 = ZoneStore::key(name("lg-3.sub.test."));
    const auto at3 = std::find(dirty.begin(), dirty.end(), k3) - dirty.begin();
    ASSERT_LT(static_cast<size_t>(at3), dirty.size());
    const auto rs = s.records_at(ids[static_cast<size_t>(at3)], k3);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].rdata, v4(3));
    EXPECT_EQ(rs[0].owner, name("lg-3.sub.test."));
}

}  // namespace
}  // namespace edgelease::control::zone
