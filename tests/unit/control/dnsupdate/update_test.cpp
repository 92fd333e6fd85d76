// Dynamic updates (RFC 2136): reading UPDATE messages, and applying them to a zone store with
// the RFC's prerequisites and rules and our provenance rule (an update changes only records
// an update made; anything else refuses the whole message and is audited).
#include "control/dnsupdate/update.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::control::dnsupdate {
namespace {

namespace wt = dataplane::wire::dns::test;
using wt::Bytes;
using zone::Origin;
using zone::ZoneStore;

constexpr uint16_t kNone = 254, kAny = 255, kIn = 1;

dns::WireName wname(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

struct RR {
    std::string name;
    uint16_t type;
    uint16_t klass;
    uint32_t ttl;
    Bytes rdata;
};

Bytes a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Bytes{a, b, c, d};
}

Bytes message(const std::string& zone, const std::vector<RR>& pre, const std::vector<RR>& up,
              uint16_t zocount = 1) {
    Bytes m = wt::header(0x4242, 5 << 11, zocount, static_cast<uint16_t>(pre.size()),
                         static_cast<uint16_t>(up.size()), 0);
    Bytes z = wt::question(wt::name(zone), dns::rrtype::SOA, kIn);
    m.insert(m.end(), z.begin(), z.end());
    for (const auto* sec : {&pre, &up})
        for (const RR& r : *sec) {
            Bytes b = wt::rr(wt::name(r.name), r.type, r.klass, r.ttl, r.rdata);
            m.insert(m.end(), b.begin(), b.end());
        }
    return m;
}

UpdateMessage parsed(const Bytes& m) {
    UpdateMessage u;
    std::string why;
    EXPECT_TRUE(parse_update(m, m.size(), false, u, why)) << why;
    return u;
}

struct Apply : ::testing::Test {
    ZoneStore zs;

    void SetUp() override {
        auto r = config::load_config_string(R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "cfg", type = "A", data = "198.18.0.10" },
            { name = "cfg", type = "TXT", data = "\"admin\"" } ]
)",
                                            "z.toml");
        ASSERT_TRUE(r.config);
        auto z = zone::load_zones(*r.config, 100);
        ASSERT_TRUE(z.errors.empty());
        zs.set_config(z.zones, 1000);
        zone::StoredRecord lease{
            dns::Record{wname("pc.lan."), dns::rrtype::A, kIn, 300, a4(198, 18, 0, 50)},
            zone::Provenance{Origin::Dhcp, "client:abc", 1000, 1000, 1}};
        zs.put(lease);
        std::vector<ZoneStore::Key> drop;
        zs.take_dirty(drop);
    }

    ApplyResult run(const std::vector<RR>& pre, const std::vector<RR>& up,
                    const std::string& zone = "lan.") {
        return apply_update(zs, parsed(message(zone, pre, up)), "key:ddns", 2000);
    }
    const std::vector<ZoneStore::Entry>* at(const std::string& n) {
        return zs.find(ZoneStore::key(wname(n)));
    }
    size_t count(const std::string& n, uint16_t type) {
        const auto* es = at(n);
        size_t c = 0;
        if (es != nullptr)
            for (const auto& e : *es) c += e.type == type;
        return c;
    }
    uint32_t serial() {
        std::vector<ZoneStore::Key> d;
        zs.take_dirty(d);
        return zs.zones()[0].serial;
    }
};

TEST(UpdateParse, ReadsSectionsAndDecompressesNames) {
    // A CNAME whose target is a pointer to the zone name (offset 12).
    Bytes m = message("Lan.", {}, {});
    m[9] = 1;  // UPCOUNT
    Bytes owner = {3, 'W', 'w', 'w', 0xc0, 12};
    m.insert(m.end(), owner.begin(), owner.end());
    Bytes fixed = wt::rr_fixed(dns::rrtype::CNAME, 6, 300, kIn);
    m.insert(m.end(), fixed.begin(), fixed.end());
    Bytes target = {3, 'S', 'r', 'v', 0xc0, 12};
    m.insert(m.end(), target.begin(), target.end());
    UpdateMessage u;
    std::string why;
    ASSERT_TRUE(parse_update(m, m.size(), false, u, why)) << why;
    EXPECT_EQ(u.zone, wname("lan."));
    EXPECT_EQ(u.zone_class, kIn);
    ASSERT_EQ(u.updates.size(), 1u);
    EXPECT_EQ(u.updates[0].name, wname("www.lan."));
    // RDATA names keep their case, whole.
    EXPECT_EQ(u.updates[0].rdata, (Bytes{3, 'S', 'r', 'v', 3, 'L', 'a', 'n', 0}));
    EXPECT_EQ(echo_length(m), 12u + 5 + 4);
}

TEST(UpdateParse, RefusesMalformed) {
    UpdateMessage u;
    std::string why;
    Bytes two = message("lan.", {}, {}, 2);
    EXPECT_FALSE(parse_update(two, two.size(), false, u, why));
    EXPECT_NE(why.find("ZOCOUNT"), std::string::npos);
    Bytes trailing = message("lan.", {}, {});
    trailing.push_back(0);
    EXPECT_FALSE(parse_update(trailing, trailing.size(), false, u, why));
    Bytes cut = message("lan.", {}, {{"a.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 5, 4)}});
    cut.pop_back();
    EXPECT_FALSE(parse_update(cut, cut.size(), false, u, why));
    Bytes notsoa = message("lan.", {}, {});
    notsoa[notsoa.size() - 3] = 1;  // zone type A
    EXPECT_FALSE(parse_update(notsoa, notsoa.size(), false, u, why));
    // Signed: ADCOUNT must count the TSIG record.
    Bytes ok = message("lan.", {}, {});
    EXPECT_FALSE(parse_update(ok, ok.size(), true, u, why));
}

TEST_F(Apply, AddsWithUpdateProvenanceAndBumpsTheSerial) {
    const uint32_t before = serial();
    auto r = run({}, {{"host.lan.", dns::rrtype::A, kIn, 120, a4(198, 18, 0, 77)}});
    EXPECT_EQ(r.rcode, rcode::kNoError) << r.why;
    EXPECT_EQ(r.added, 1u);
    ASSERT_EQ(count("host.lan.", dns::rrtype::A), 1u);
    const auto& e = at("host.lan.")->front();
    EXPECT_EQ(e.prov.origin, Origin::Update);
    EXPECT_EQ(e.prov.owner, "key:ddns");
    EXPECT_EQ(e.ttl, 120u);
    ASSERT_EQ(r.audit.size(), 1u);
    EXPECT_EQ(r.audit[0].reason, zone::AuditReason::UpdateAdd);
    EXPECT_EQ(r.audit[0].new_data, "198.18.0.77");
    EXPECT_EQ(serial(), before + 1);
    // The same record again: a duplicate, nothing changes.
    r = run({}, {{"host.lan.", dns::rrtype::A, kIn, 120, a4(198, 18, 0, 77)}});
    EXPECT_EQ(r.rcode, rcode::kNoError);
    EXPECT_EQ(r.added + r.deleted, 0u);
    EXPECT_FALSE(zs.has_dirty());
}

TEST_F(Apply, Prerequisites) {
    // Name in use / not in use.
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::ANY, kAny, 0, {}}}, {}).rcode, rcode::kNoError);
    EXPECT_EQ(run({{"nope.lan.", dns::rrtype::ANY, kAny, 0, {}}}, {}).rcode, rcode::kNxDomain);
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::ANY, kNone, 0, {}}}, {}).rcode, rcode::kYxDomain);
    // RRset exists / does not.
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::AAAA, kAny, 0, {}}}, {}).rcode, rcode::kNxRrset);
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::A, kNone, 0, {}}}, {}).rcode, rcode::kYxRrset);
    // Value-dependent: the whole RRset, no more, no less.
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::A, kIn, 0, a4(198, 18, 0, 10)}}, {}).rcode,
              rcode::kNoError);
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::A, kIn, 0, a4(198, 18, 0, 11)}}, {}).rcode,
              rcode::kNxRrset);
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::A, kIn, 0, a4(198, 18, 0, 10)},
                   {"cfg.lan.", dns::rrtype::A, kIn, 0, a4(198, 18, 0, 11)}},
                  {})
                  .rcode,
              rcode::kNxRrset);
    // A failed prerequisite changes nothing.
    auto r = run({{"cfg.lan.", dns::rrtype::ANY, kNone, 0, {}}},
                 {{"new.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 5, 4)}});
    EXPECT_EQ(r.rcode, rcode::kYxDomain);
    EXPECT_EQ(at("new.lan."), nullptr);
    // Malformed ones.
    EXPECT_EQ(run({{"cfg.lan.", dns::rrtype::ANY, kAny, 5, {}}}, {}).rcode, rcode::kFormErr);
    EXPECT_EQ(run({{"cfg.other.", dns::rrtype::ANY, kAny, 0, {}}}, {}).rcode, rcode::kNotZone);
}

TEST_F(Apply, NeverChangesAnotherOriginsRecordAndAuditsTheRefusal) {
    const uint32_t before = serial();
    struct Case {
        const char* what;
        RR rr;
    };
    const std::vector<Case> cases{
        {"delete a config RR", {"cfg.lan.", dns::rrtype::A, kNone, 0, a4(198, 18, 0, 10)}},
        {"delete a config RRset", {"cfg.lan.", dns::rrtype::TXT, kAny, 0, {}}},
        {"delete a name with config data", {"cfg.lan.", dns::rrtype::ANY, kAny, 0, {}}},
        {"add to a config RRset", {"cfg.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 0, 99)}},
        {"re-time a config record", {"cfg.lan.", dns::rrtype::A, kIn, 5, a4(198, 18, 0, 10)}},
        {"delete a dhcp record", {"pc.lan.", dns::rrtype::A, kNone, 0, a4(198, 18, 0, 50)}},
        {"delete a dhcp name", {"pc.lan.", dns::rrtype::ANY, kAny, 0, {}}},
        {"replace the SOA",
         {"lan.", dns::rrtype::SOA, kIn, 60,
          Bytes{0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0}}},
    };
    for (const auto& c : cases) {
        // An allowed add first in the same message: all or nothing.
        auto r = run({}, {{"fine.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 5, 4)}, c.rr});
        EXPECT_EQ(r.rcode, rcode::kRefused) << c.what;
        EXPECT_TRUE(r.provenance) << c.what;
        ASSERT_EQ(r.audit.size(), 1u) << c.what;
        EXPECT_EQ(r.audit[0].reason, zone::AuditReason::UpdateRefused);
        EXPECT_FALSE(r.audit[0].applied);
        EXPECT_EQ(at("fine.lan."), nullptr) << c.what;
    }
    EXPECT_EQ(count("cfg.lan.", dns::rrtype::A), 1u);
    EXPECT_EQ(count("cfg.lan.", dns::rrtype::TXT), 1u);
    EXPECT_EQ(count("pc.lan.", dns::rrtype::A), 1u);
    EXPECT_EQ(serial(), before);
    // A duplicate of a config record (same TTL) is no change at all: allowed, ignored.
    const uint32_t ttl = at("cfg.lan.")->front().ttl;
    EXPECT_EQ(run({}, {{"cfg.lan.", dns::rrtype::A, kIn, ttl, a4(198, 18, 0, 10)}}).rcode,
              rcode::kNoError);
}

TEST_F(Apply, DeletesItsOwnRecordsAndKeepsTheApex) {
    ASSERT_EQ(run({}, {{"h.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 5, 1)},
                       {"h.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 5, 2)},
                       {"h.lan.", dns::rrtype::TXT, kIn, 60, Bytes{2, 'h', 'i'}}})
                  .rcode,
              rcode::kNoError);
    EXPECT_EQ(count("h.lan.", dns::rrtype::A), 2u);
    auto r = run({}, {{"h.lan.", dns::rrtype::A, kNone, 0, a4(198, 18, 5, 1)}});
    EXPECT_EQ(r.deleted, 1u);
    EXPECT_EQ(count("h.lan.", dns::rrtype::A), 1u);
    r = run({}, {{"h.lan.", dns::rrtype::ANY, kAny, 0, {}}});
    EXPECT_EQ(r.deleted, 2u);
    EXPECT_EQ(at("h.lan."), nullptr);
    // The apex's SOA and NS are never deleted: the request is ignored, not refused.
    r = run({}, {{"lan.", dns::rrtype::ANY, kAny, 0, {}}, {"lan.", dns::rrtype::NS, kAny, 0, {}}});
    EXPECT_EQ(r.rcode, rcode::kNoError);
    EXPECT_EQ(count("lan.", dns::rrtype::SOA), 1u);
    EXPECT_GE(count("lan.", dns::rrtype::NS), 1u);
}

TEST_F(Apply, CnameRulesAndTtl) {
    // CNAME and other data exclude each other: the add is ignored.
    auto r = run({}, {{"cfg.lan.", dns::rrtype::CNAME, kIn, 60, wt::name("x.lan.")}});
    EXPECT_EQ(r.rcode, rcode::kNoError);
    EXPECT_EQ(count("cfg.lan.", dns::rrtype::CNAME), 0u);
    ASSERT_EQ(run({}, {{"al.lan.", dns::rrtype::CNAME, kIn, 60, wt::name("One.lan.")}}).rcode,
              rcode::kNoError);
    EXPECT_EQ(run({}, {{"al.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 6, 1)}}).added, 0u);
    // A second CNAME replaces the first.
    r = run({}, {{"al.lan.", dns::rrtype::CNAME, kIn, 60, wt::name("two.lan.")}});
    EXPECT_EQ(r.added, 1u);
    EXPECT_EQ(r.deleted, 1u);
    // Delete compares the names in RDATA without case.
    r = run({}, {{"al.lan.", dns::rrtype::CNAME, kNone, 0, wt::name("TWO.lan.")}});
    EXPECT_EQ(r.deleted, 1u);
    // One TTL per RRset: the newest add sets it for all.
    run({}, {{"t.lan.", dns::rrtype::A, kIn, 60, a4(198, 18, 6, 1)}});
    r = run({}, {{"t.lan.", dns::rrtype::A, kIn, 90, a4(198, 18, 6, 2)}});
    EXPECT_EQ(r.added, 2u);  // the new record, and the old one re-timed
    for (const auto& e : *at("t.lan.")) EXPECT_EQ(e.ttl, 90u);
}

TEST_F(Apply, ZoneAndSectionChecks) {
    EXPECT_EQ(run({}, {}, "other.").rcode, rcode::kNotAuth);
    EXPECT_EQ(run({}, {{"x.other.", dns::rrtype::A, kIn, 60, a4(198, 18, 6, 1)}}).rcode,
              rcode::kNotZone);
    // Meta types, bad RDATA, TTLs on deletes, unknown classes: FORMERR.
    EXPECT_EQ(run({}, {{"x.lan.", dns::rrtype::ANY, kIn, 60, {}}}).rcode, rcode::kFormErr);
    EXPECT_EQ(run({}, {{"x.lan.", dns::rrtype::A, kIn, 60, Bytes{1, 2, 3}}}).rcode,
              rcode::kFormErr);
    EXPECT_EQ(run({}, {{"x.lan.", dns::rrtype::A, kAny, 60, {}}}).rcode, rcode::kFormErr);
    EXPECT_EQ(run({}, {{"x.lan.", dns::rrtype::A, 3, 60, a4(198, 18, 6, 1)}}).rcode,
              rcode::kFormErr);
    EXPECT_EQ(run({}, {{"x.lan.", dns::rrtype::AXFR, kNone, 0, {}}}).rcode, rcode::kFormErr);
}

}  // namespace
}  // namespace edgelease::control::dnsupdate
