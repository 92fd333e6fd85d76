// ZoneView::set_owner(): in-place changes seen through answer_query(), the bookkeeping
// (empty non-terminals, counts, tombstones, table growth and shrinking), the cases that need
// a rebuild, equivalence with a view rebuilt from the same records (also while a rehash is
// spread over many calls), and one reader thread probing while the writer changes names (run
// it under EDGELEASE_SANITIZE=ON: a node or table freed too early is a use-after-free).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_file.hpp"
#include "tests/unit/dataplane/dns/answer_harness.hpp"

namespace edgelease::dataplane::dns::answer_test {
namespace {

namespace wt = dataplane::wire::dns::test;
using V = std::vector<std::string>;

WireName wire(const std::string& dotted) {
    std::string why;
    auto n = name_from_text(dotted, WireName{0}, why);
    if (!n) ADD_FAILURE() << dotted << ": " << why;
    return n.value_or(WireName{0});
}

/// Records from zone-file lines with absolute owners ("x.lan. 300 A 198.18.0.1\n...").
std::vector<Record> rrs(const std::string& text) {
    control::zone::ZoneFileResult r =
        control::zone::parse_zone_text(text, "test", WireName{0}, 300);
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    return std::move(r.records);
}

std::string soa(uint32_t serial, uint32_t minimum = 120, uint32_t ttl = 3600) {
    return "lan. " + std::to_string(ttl) + " SOA ns.lan. hostmaster.lan. " +
           std::to_string(serial) + " 3600 600 1209600 " + std::to_string(minimum) + "\n";
}

const char* kNs = "lan. 3600 NS ns.lan.\n";

/// lan. with a delegation (sub.lan.), an empty non-terminal chain (c.lan., b.c.lan.), and
/// two hosted children: child.lan. and kid.deep.lan. (deep.lan. is lan.'s non-terminal).
std::vector<ZoneInput> base_zones() {
    std::vector<ZoneInput> z(3);
    z[0].name = wire("lan.");
    z[0].records = rrs(soa(1) + kNs + R"(
ns.lan.       300 A  198.18.0.1
www.lan.      300 A  198.18.0.10
a.b.c.lan.    300 A  198.18.0.30
sub.lan.      300 NS ns.sub.lan.
ns.sub.lan.   300 A  198.18.0.53
child.lan.    300 NS ns.child.lan.
kid.deep.lan. 300 NS ns.lan.
)");
    z[1].name = wire("child.lan.");
    z[1].records = rrs(R"(
child.lan.     600 SOA ns.child.lan. hostmaster.child.lan. 1 3600 600 1209600 60
child.lan.     600 NS  ns.child.lan.
ns.child.lan.  600 A   198.18.0.60
)");
    z[2].name = wire("kid.deep.lan.");
    z[2].records = rrs(R"(
kid.deep.lan.  600 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 60
kid.deep.lan.  600 NS  ns.lan.
)");
    return z;
}

struct Reply {
    uint16_t rcode = 0xffff;
    bool aa = false;
    V an, ns;
};

Reply ask(const ZoneView& zv, const std::string& name, uint16_t type = rrtype::A) {
    const wt::Bytes q = build_query({.name = name, .type = type});
    std::vector<uint8_t> buf(1472, 0);
    std::memcpy(buf.data(), q.data(), q.size());
    DnsStats stats;
    const uint16_t n =
        answer_query(&zv, DnsSettings{}, buf.data(), static_cast<uint16_t>(q.size()), 1472, stats);
    Reply r;
    if (n == 0) return r;
    const wt::Exact exact(wt::Bytes(buf.begin(), buf.begin() + n));
    const auto d = wt::decode_response(exact.p.get(), exact.len());
    if (!d) return r;
    r.rcode = d->flags & 0xf;
    r.aa = d->flags & 0x0400;
    for (const auto& rr : d->section[0]) r.an.push_back(render(rr));
    for (const auto& rr : d->section[1]) r.ns.push_back(render(rr));
    return r;
}

const Node* node(const ZoneView& zv, const std::string& dotted) {
    const WireName w = wire(dotted);
    return zv.find(w.data(), static_cast<uint8_t>(w.size()));
}

UpdateResult set(ZoneView& zv, const std::string& owner, const std::string& text, ZoneGarbage& g) {
    return zv.set_owner(wire(owner), rrs(text), g);
}

/// Finishes a rehash in progress and every shrink it allows, freeing what they unlink (the
/// tests that call it have no reader threads).
void settle(ZoneView& zv) {
    ZoneGarbage g;
    for (size_t r = zv.rehash_count();; r = zv.rehash_count()) {
        zv.maintain(g, SIZE_MAX);
        if (zv.rehash_count() == r) break;
    }
    EXPECT_FALSE(zv.rehash_in_progress());
    g.release();
}

/// Node blobs only (settled first): the table's size depends on the history of growth and
/// shrinking.
size_t blob_bytes(ZoneView& zv) {
    settle(zv);
    return zv.memory_bytes() - sizeof(SlotTable) -
           zv.slot_capacity() * sizeof(std::atomic<edgelease::dataplane::dns::Slot>);
}

const std::string kNegLan = "lan. 120 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 120";

TEST(ZoneViewUpdate, InsertNewName) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const size_t nodes = zv.node_count(), records = zv.record_count(), bytes = zv.memory_bytes();
    EXPECT_EQ(ask(zv, "new.lan.").rcode, 3);
    ASSERT_EQ(set(zv, "new.lan.", "new.lan. 300 A 198.18.0.50\nnew.lan. 60 A 198.18.0.51\n", g),
              UpdateResult::Done);
    const Reply r = ask(zv, "NEW.lan.");
    EXPECT_EQ(r.rcode, 0);
    EXPECT_TRUE(r.aa);
    EXPECT_EQ(r.an, (V{"NEW.lan. 60 A 198.18.0.50", "NEW.lan. 60 A 198.18.0.51"}));
    EXPECT_EQ(zv.node_count(), nodes + 1);
    EXPECT_EQ(zv.record_count(), records + 2);
    EXPECT_GT(zv.memory_bytes(), bytes);
    EXPECT_TRUE(g.nodes.empty());  // nothing unlinked (the table may have been replaced)
    const Node* n = node(zv, "new.lan.");
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->zone, zv.zones()[0].get());
    EXPECT_EQ(n->flags, 0);
    EXPECT_EQ(n->cut, nullptr);
}

TEST(ZoneViewUpdate, AWildcardAddedInPlaceIsAnswered) {
    // No wildcard in the view: a missing name skips the wildcard lookup. One added in place
    // (here, under an empty non-terminal's parent) must turn it back on.
    ZoneView zv(base_zones());
    ZoneGarbage g;
    EXPECT_FALSE(zv.may_have_wildcards());
    EXPECT_EQ(ask(zv, "any.lan.").rcode, 3);
    ASSERT_EQ(set(zv, "*.lan.", "*.lan. 300 A 198.18.0.99\n", g), UpdateResult::Done);
    EXPECT_TRUE(zv.may_have_wildcards());
    const Reply r = ask(zv, "Any.lan.");
    EXPECT_EQ(r.rcode, 0);
    EXPECT_EQ(r.an, (V{"Any.lan. 300 A 198.18.0.99"}));
    // A view built with one has it from the start.
    std::vector<ZoneInput> z = base_zones();
    for (Record& rec : rrs("*.c.lan. 300 A 198.18.0.98\n")) z[0].records.push_back(rec);
    ZoneView built(z);
    EXPECT_TRUE(built.may_have_wildcards());
    EXPECT_EQ(ask(built, "x.c.lan.").an, (V{"x.c.lan. 300 A 198.18.0.98"}));
}

TEST(ZoneViewUpdate, ReplaceKeepsTheSlotAndGroupsLikeTheBuilder) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const Node* old = node(zv, "www.lan.");
    const size_t nodes = zv.node_count(), records = zv.record_count();
    // Types out of order, a duplicate not next to its twin (dropped, its TTL with it, as the
    // builder does), the RRset's TTL the smallest of its records'.
    ASSERT_EQ(set(zv, "www.lan.",
                  "www.lan. 300 A 198.18.0.11\nwww.lan. 300 AAAA 2001:db8::11\n"
                  "www.lan. 300 A 198.18.0.12\nwww.lan. 10 A 198.18.0.11\n"
                  "www.lan. 30 A 198.18.0.13\n",
                  g),
              UpdateResult::Done);
    EXPECT_EQ(ask(zv, "www.lan.").an, (V{"www.lan. 30 A 198.18.0.11", "www.lan. 30 A 198.18.0.12",
                                         "www.lan. 30 A 198.18.0.13"}));
    EXPECT_EQ(ask(zv, "www.lan.", rrtype::AAAA).an, (V{"www.lan. 300 AAAA 2001:db8::11"}));
    const Node* n = node(zv, "www.lan.");
    ASSERT_NE(n, nullptr);
    EXPECT_NE(n, old);
    EXPECT_EQ(n->rrset_count, 2);
    EXPECT_EQ(zv.node_count(), nodes);
    EXPECT_EQ(zv.record_count(), records + 3);  // 1 -> 4
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0], old);
    // The old node is intact for readers that still hold it.
    EXPECT_EQ(old->rrset_count, 1);
    g.release();
    EXPECT_TRUE(g.empty());
}

TEST(ZoneViewUpdate, DeleteGivesNxdomainOrNodataWhenNamesRemainBelow) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const size_t nodes = zv.node_count(), records = zv.record_count();
    ASSERT_EQ(set(zv, "www.lan.", "", g), UpdateResult::Done);
    Reply r = ask(zv, "www.lan.");
    EXPECT_EQ(r.rcode, 3);
    EXPECT_EQ(r.ns, V{kNegLan});
    EXPECT_EQ(zv.node_count(), nodes - 1);
    EXPECT_EQ(zv.record_count(), records - 1);
    EXPECT_EQ(zv.tombstone_count(), 1u);
    // Deleting what is not there is done already.
    EXPECT_EQ(set(zv, "www.lan.", "", g), UpdateResult::Done);
    EXPECT_EQ(set(zv, "never.lan.", "", g), UpdateResult::Done);

    // b.c.lan. gets records, then loses them: a.b.c.lan. keeps it as a non-terminal.
    ASSERT_EQ(set(zv, "b.c.lan.", "b.c.lan. 300 TXT \"x\"\n", g), UpdateResult::Done);
    EXPECT_EQ(ask(zv, "b.c.lan.", rrtype::TXT).an, V{"b.c.lan. 300 TXT \"x\""});
    ASSERT_EQ(set(zv, "b.c.lan.", "", g), UpdateResult::Done);
    r = ask(zv, "b.c.lan.", rrtype::TXT);
    EXPECT_EQ(r.rcode, 0);  // NODATA
    EXPECT_TRUE(r.an.empty());
    EXPECT_EQ(r.ns, V{kNegLan});
    const Node* ent = node(zv, "b.c.lan.");
    ASSERT_NE(ent, nullptr);
    EXPECT_EQ(ent->flags, Node::kEmptyNonTerminal);
    EXPECT_EQ(ent->rrset_count, 0);
    EXPECT_EQ(ask(zv, "a.b.c.lan.").an, V{"a.b.c.lan. 300 A 198.18.0.30"});
    EXPECT_EQ(zv.node_count(), nodes - 1);
    EXPECT_EQ(g.nodes.size(), 3u);  // www, the first b.c, the second b.c
    g.release();
}

TEST(ZoneViewUpdate, EmptyNonTerminalsAreCreatedAndPruned) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const size_t nodes = zv.node_count(), bytes = blob_bytes(zv);
    ASSERT_EQ(set(zv, "x.y.z.lan.", "x.y.z.lan. 300 A 198.18.0.70\n", g), UpdateResult::Done);
    EXPECT_EQ(zv.node_count(), nodes + 3);
    for (const char* e : {"y.z.lan.", "z.lan."}) {
        const Node* n = node(zv, e);
        ASSERT_NE(n, nullptr) << e;
        EXPECT_EQ(n->flags, Node::kEmptyNonTerminal) << e;
        EXPECT_EQ(n->zone, zv.zones()[0].get()) << e;
        const Reply r = ask(zv, e);
        EXPECT_EQ(r.rcode, 0) << e;  // NODATA, not NXDOMAIN (RFC 4592 §2.2.2)
        EXPECT_EQ(r.ns, V{kNegLan}) << e;
    }
    ASSERT_EQ(set(zv, "w.z.lan.", "w.z.lan. 300 A 198.18.0.71\n", g), UpdateResult::Done);
    EXPECT_EQ(zv.node_count(), nodes + 4);
    // A non-terminal that gets records, and a name with records above the new one.
    ASSERT_EQ(set(zv, "y.z.lan.", "y.z.lan. 300 A 198.18.0.72\n", g), UpdateResult::Done);
    EXPECT_EQ(node(zv, "y.z.lan.")->flags, 0);

    ASSERT_EQ(set(zv, "x.y.z.lan.", "", g), UpdateResult::Done);
    EXPECT_EQ(ask(zv, "x.y.z.lan.").rcode, 3);
    EXPECT_EQ(ask(zv, "y.z.lan.").an, V{"y.z.lan. 300 A 198.18.0.72"});  // kept: it has data
    ASSERT_EQ(set(zv, "y.z.lan.", "", g), UpdateResult::Done);
    EXPECT_EQ(node(zv, "y.z.lan."), nullptr);  // nothing below it any more
    EXPECT_EQ(ask(zv, "z.lan.").rcode, 0);     // w.z.lan. is still below
    ASSERT_EQ(set(zv, "w.z.lan.", "", g), UpdateResult::Done);
    EXPECT_EQ(node(zv, "z.lan."), nullptr);
    EXPECT_EQ(ask(zv, "z.lan.").rcode, 3);
    EXPECT_EQ(zv.node_count(), nodes);
    EXPECT_EQ(blob_bytes(zv), bytes);

    // The chain the builder made: removing its only owner removes c.lan. and b.c.lan.
    ASSERT_EQ(set(zv, "a.b.c.lan.", "", g), UpdateResult::Done);
    for (const char* gone : {"a.b.c.lan.", "b.c.lan.", "c.lan."})
        EXPECT_EQ(node(zv, gone), nullptr) << gone;
    EXPECT_EQ(zv.node_count(), nodes - 3);
    // deep.lan. stays: the hosted zone kid.deep.lan. is below it.
    ASSERT_EQ(set(zv, "x.deep.lan.", "x.deep.lan. 300 A 198.18.0.73\n", g), UpdateResult::Done);
    ASSERT_EQ(set(zv, "x.deep.lan.", "", g), UpdateResult::Done);
    ASSERT_NE(node(zv, "deep.lan."), nullptr);
    EXPECT_EQ(ask(zv, "deep.lan.").rcode, 0);
    g.release();
}

TEST(ZoneViewUpdate, ApexReplacementIsSeenInNegativeAnswers) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const Zone& lan = *zv.zones()[0];
    const Node* old = lan.apex.load();
    ASSERT_EQ(set(zv, "lan.",
                  soa(2, 90) + kNs + "lan. 3600 NS ns.other.test.\nlan. 300 MX 10 mx.lan.\n", g),
              UpdateResult::Done);
    const Node* apex = lan.apex.load();
    EXPECT_NE(apex, old);
    EXPECT_EQ(apex, node(zv, "lan."));
    EXPECT_EQ(apex->flags, Node::kApex);
    EXPECT_EQ(apex->zone, &lan);
    const Reply r = ask(zv, "nothere.lan.");
    EXPECT_EQ(r.rcode, 3);
    EXPECT_EQ(r.ns, V{"lan. 90 SOA ns.lan. hostmaster.lan. 2 3600 600 1209600 90"});
    EXPECT_EQ(ask(zv, "lan.", rrtype::NS).an.size(), 2u);
    EXPECT_EQ(ask(zv, "lan.", rrtype::MX).an, V{"lan. 300 MX 10 mx.lan."});
    // The SOA TTL is smaller than MINIMUM this time (RFC 2308 §5).
    ASSERT_EQ(set(zv, "lan.", soa(3, 600, 60) + kNs, g), UpdateResult::Done);
    EXPECT_EQ(ask(zv, "www.lan.", rrtype::TXT).ns,
              V{"lan. 60 SOA ns.lan. hostmaster.lan. 3 3600 600 1209600 600"});
    // The child zone's apex too; the parent's answers do not change.
    ASSERT_EQ(set(zv, "child.lan.",
                  "child.lan. 600 SOA ns.child.lan. h.child.lan. 9 3600 600 1209600 30\n"
                  "child.lan. 600 NS ns.child.lan.\n",
                  g),
              UpdateResult::Done);
    EXPECT_EQ(ask(zv, "no.child.lan.").ns,
              V{"child.lan. 30 SOA ns.child.lan. h.child.lan. 9 3600 600 1209600 30"});
    EXPECT_EQ(ask(zv, "no.lan.").ns,
              V{"lan. 60 SOA ns.lan. hostmaster.lan. 3 3600 600 1209600 600"});
    EXPECT_EQ(g.nodes.size(), 3u);
    // Its non-terminal count survived the replacements: removing everything below prunes
    // up to, and not including, the apex.
    ASSERT_EQ(set(zv, "a.b.c.lan.", "", g), UpdateResult::Done);
    EXPECT_EQ(node(zv, "c.lan."), nullptr);
    EXPECT_NE(node(zv, "lan."), nullptr);
    g.release();
}

TEST(ZoneViewUpdate, NamesInHostedChildZones) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    ASSERT_EQ(set(zv, "www.child.lan.", "www.child.lan. 600 A 198.18.0.61\n", g),
              UpdateResult::Done);
    EXPECT_EQ(node(zv, "www.child.lan.")->zone, zv.zones()[1].get());
    EXPECT_EQ(ask(zv, "www.child.lan.").an, V{"www.child.lan. 600 A 198.18.0.61"});
    ASSERT_EQ(set(zv, "h.kid.deep.lan.", "h.kid.deep.lan. 60 A 198.18.0.62\n", g),
              UpdateResult::Done);
    EXPECT_EQ(node(zv, "h.kid.deep.lan.")->zone, zv.zones()[2].get());
    EXPECT_EQ(ask(zv, "x.kid.deep.lan.").ns.at(0).substr(0, 16), "kid.deep.lan. 60");
    g.release();
}

TEST(ZoneViewUpdate, CasesThatNeedARebuildChangeNothing) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const size_t nodes = zv.node_count(), records = zv.record_count(), bytes = zv.memory_bytes();
    struct Case {
        const char* what;
        std::string owner, text;
    };
    const std::vector<Case> cases = {
        {"outside every zone", "www.example.com.", "www.example.com. 300 A 198.18.0.1\n"},
        {"delete outside every zone", "www.example.com.", ""},
        {"new cut", "newsub.lan.", "newsub.lan. 300 NS ns.lan.\n"},
        {"new cut below a name", "x.www.lan.", "x.www.lan. 300 NS ns.lan.\n"},
        {"NS added to a name", "www.lan.", "www.lan. 300 NS ns.lan.\nwww.lan. 300 A 198.18.0.10\n"},
        {"at a cut", "sub.lan.", "sub.lan. 300 NS ns2.sub.lan.\n"},
        {"cut removed", "sub.lan.", ""},
        {"glue at a cut", "ns.sub.lan.", "ns.sub.lan. 300 A 198.18.0.54\n"},
        {"below a cut", "new.sub.lan.", "new.sub.lan. 300 A 198.18.0.55\n"},
        {"deep below a cut", "a.b.sub.lan.", "a.b.sub.lan. 300 A 198.18.0.56\n"},
        {"apex without SOA", "lan.", kNs},
        {"apex without NS", "lan.", soa(5)},
        {"apex emptied", "lan.", ""},
        {"child apex without NS", "child.lan.",
         "child.lan. 600 SOA ns.child.lan. hostmaster.child.lan. 2 3600 600 1209600 60\n"},
        {"another owner", "www.lan.", "ww.lan. 300 A 198.18.0.1\n"},
    };
    for (const Case& c : cases)
        EXPECT_EQ(set(zv, c.owner, c.text, g), UpdateResult::NeedsRebuild) << c.what;
    // Not a lower-case wire name: a rebuild validates it.
    WireName upper = wire("www.lan.");
    upper[1] = 'W';
    EXPECT_EQ(zv.set_owner(upper, {}, g), UpdateResult::NeedsRebuild);
    EXPECT_EQ(zv.set_owner(WireName{}, {}, g), UpdateResult::NeedsRebuild);
    EXPECT_EQ(zv.set_owner(WireName{3, 'l', 'a', 'n'}, {}, g), UpdateResult::NeedsRebuild);
    EXPECT_EQ(zv.set_owner(WireName{9, 'l', 'a', 'n', 0}, {}, g), UpdateResult::NeedsRebuild);

    EXPECT_TRUE(g.empty());
    EXPECT_EQ(zv.node_count(), nodes);
    EXPECT_EQ(zv.record_count(), records);
    EXPECT_EQ(zv.memory_bytes(), bytes);
    EXPECT_EQ(ask(zv, "www.lan.").an, V{"www.lan. 300 A 198.18.0.10"});
    EXPECT_EQ(ask(zv, "lan.", rrtype::SOA).an.size(), 1u);
    EXPECT_EQ(ask(zv, "host.sub.lan.").rcode, 0);  // still a referral
    // What is fine: a wildcard, records above a cut, new NS at an apex.
    EXPECT_EQ(set(zv, "*.w.lan.", "*.w.lan. 300 A 198.18.0.80\n", g), UpdateResult::Done);
    EXPECT_EQ(ask(zv, "any.w.lan.").an, V{"any.w.lan. 300 A 198.18.0.80"});
    EXPECT_EQ(set(zv, "deep.lan.", "deep.lan. 300 TXT \"above a hosted zone\"\n", g),
              UpdateResult::Done);
    EXPECT_EQ(set(zv, "lan.", soa(2) + "lan. 3600 NS ns.other.test.\n", g), UpdateResult::Done);
    g.release();
}

TEST(ZoneViewUpdate, GarbageAssignmentAppends) {
    ZoneView zv(base_zones());
    ZoneGarbage a, b;
    ASSERT_EQ(set(zv, "www.lan.", "www.lan. 300 A 198.18.0.1\n", a), UpdateResult::Done);
    ASSERT_EQ(set(zv, "ns.lan.", "ns.lan. 300 A 198.18.0.2\n", b), UpdateResult::Done);
    a = std::move(b);  // appends: the node in `a` is not lost
    EXPECT_EQ(a.nodes.size(), 2u);
    EXPECT_TRUE(b.empty());
    auto& same = a;
    a = std::move(same);
    EXPECT_EQ(a.nodes.size(), 2u);
    ZoneGarbage c(std::move(a));
    EXPECT_EQ(c.nodes.size(), 2u);
    c.release();
}

TEST(ZoneViewUpdate, GarbageOutlivesTheView) {
    ZoneGarbage g;
    {
        ZoneView zv(base_zones());
        for (int i = 0; i < 100; ++i)
            ASSERT_EQ(set(zv, "n" + std::to_string(i) + ".m.lan.",
                          "n" + std::to_string(i) + ".m.lan. 300 A 198.18.1.1\n", g),
                      UpdateResult::Done);
        ASSERT_EQ(set(zv, "www.lan.", "www.lan. 300 A 198.18.0.99\n", g), UpdateResult::Done);
        for (int i = 0; i < 100; ++i)
            ASSERT_EQ(set(zv, "n" + std::to_string(i) + ".m.lan.", "", g), UpdateResult::Done);
        EXPECT_FALSE(g.tables.empty());   // grew, then shrank
        EXPECT_EQ(g.nodes.size(), 102u);  // 100 names, m.lan., the old www.lan.
    }
    g.release();  // LeakSanitizer reports what neither the view nor release() freed
    EXPECT_TRUE(g.empty());
}

std::string host(size_t i) {
    return "h" + std::to_string(i) + ".g" + std::to_string(i % 97) + ".lan.";
}
std::vector<Record> host_rrs(size_t i, uint32_t v) {
    Record r{wire(host(i)), rrtype::A, rrclass::IN, 300, {198, 18, uint8_t(v >> 8), uint8_t(v)}};
    return {r};
}

TEST(ZoneViewUpdate, GrowthThenDeletionThenChurn) {
    ZoneView zv(base_zones());
    ZoneGarbage g;
    const size_t nodes = zv.node_count(), records = zv.record_count(), bytes = blob_bytes(zv);
    constexpr size_t kN = 100000;
    for (size_t i = 0; i < kN; ++i) {
        ASSERT_EQ(zv.set_owner(wire(host(i)), host_rrs(i, static_cast<uint32_t>(i)), g),
                  UpdateResult::Done);
        ASSERT_LE((zv.node_count() + zv.tombstone_count()) * 2, zv.slot_capacity());
    }
    EXPECT_EQ(zv.node_count(), nodes + kN + 97);  // the names and their g<n> non-terminals
    EXPECT_EQ(zv.record_count(), records + kN);
    EXPECT_GE(zv.rehash_count(), 10u);                   // 32 -> 256k slots, doubling
    EXPECT_LE(zv.slot_capacity(), 8 * zv.node_count());  // memory per name stays bounded
    for (size_t i = 0; i < kN; ++i) {
        const Node* n = node(zv, host(i));
        ASSERT_NE(n, nullptr) << i;
        const RRsetRef* a = n->find(rrtype::A);
        ASSERT_NE(a, nullptr);
        ASSERT_EQ(n->data(*a)[5], static_cast<uint8_t>(i)) << i;
    }
    EXPECT_EQ(ask(zv, host(4242)).an, V{host(4242) + " 300 A 198.18.16.146"});
    g.release();
    for (size_t i = 0; i < kN; ++i) {
        ASSERT_EQ(zv.set_owner(wire(host(i)), {}, g), UpdateResult::Done);
        if (i % 1000 == 0) g.release();  // no readers: no grace period to wait for
    }
    g.release();
    settle(zv);
    for (size_t i = 0; i < kN; i += 7) ASSERT_EQ(node(zv, host(i)), nullptr) << i;
    EXPECT_EQ(node(zv, "g5.lan."), nullptr);
    EXPECT_EQ(zv.node_count(), nodes);
    EXPECT_EQ(zv.record_count(), records);
    EXPECT_LE(zv.slot_capacity(), 16 * zv.node_count());  // shrank back
    EXPECT_EQ(blob_bytes(zv), bytes);
    EXPECT_EQ(ask(zv, "www.lan.").an, V{"www.lan. 300 A 198.18.0.10"});

    // Churn at a steady size: tombstones pile up and a same-size rehash clears them.
    constexpr size_t kLive = 2000;
    for (size_t i = 0; i < kLive; ++i) zv.set_owner(wire(host(i)), host_rrs(i, 1), g);
    g.release();
    settle(zv);
    const size_t cap = zv.slot_capacity(), rehashes = zv.rehash_count();
    for (size_t i = kLive; i < 20 * kLive; ++i) {
        ASSERT_EQ(zv.set_owner(wire(host(i - kLive)), {}, g), UpdateResult::Done);
        ASSERT_EQ(zv.set_owner(wire(host(i)), host_rrs(i, 2), g), UpdateResult::Done);
        ASSERT_LE((zv.node_count() + zv.tombstone_count()) * 2, zv.slot_capacity());
        g.release();
    }
    EXPECT_EQ(zv.slot_capacity(), cap);
    EXPECT_GT(zv.rehash_count(), rehashes);
    for (size_t i = 19 * kLive; i < 20 * kLive; ++i) ASSERT_NE(node(zv, host(i)), nullptr) << i;
    for (size_t i = 0; i < 19 * kLive; i += 13) ASSERT_EQ(node(zv, host(i)), nullptr) << i;
    EXPECT_EQ(zv.node_count(), nodes + kLive + 97);
}

/// Every node of `want` (a fresh build) has an identical twin in `got`, and the counts agree.
/// Bytes are compared only when `bytes` (it settles `got`, ending a rehash in progress).
void expect_same(ZoneView& got, ZoneView& want, const std::vector<std::string>& names,
                 bool bytes = true) {
    EXPECT_EQ(got.node_count(), want.node_count());
    EXPECT_EQ(got.record_count(), want.record_count());
    if (bytes) {
        EXPECT_EQ(blob_bytes(got), blob_bytes(want));
    }
    for (const std::string& name : names) {
        const Node* a = node(got, name);
        const Node* b = node(want, name);
        ASSERT_EQ(a == nullptr, b == nullptr) << name;
        if (a == nullptr) continue;
        EXPECT_EQ(a->flags, b->flags) << name;
        EXPECT_EQ(a->zone->name, b->zone->name) << name;
        EXPECT_EQ(a->cut == nullptr, b->cut == nullptr) << name;
        EXPECT_EQ(a->children, b->children) << name;
        ASSERT_EQ(a->rrset_count, b->rrset_count) << name;
        for (uint16_t i = 0; i < a->rrset_count; ++i) {
            const RRsetRef &x = a->rrsets()[i], &y = b->rrsets()[i];
            EXPECT_EQ(x.type, y.type) << name;
            EXPECT_EQ(x.count, y.count) << name;
            EXPECT_EQ(x.ttl, y.ttl) << name;
            ASSERT_EQ(x.data_len, y.data_len) << name;
            EXPECT_EQ(std::memcmp(a->data(x), b->data(y), x.data_len), 0) << name;
        }
    }
}

// Random changes applied in place end where a rebuild from the same records starts.
TEST(ZoneViewUpdate, SameAsARebuild) {
    std::vector<ZoneInput> zones = base_zones();
    ZoneView zv(zones);
    ZoneGarbage g;
    std::map<std::string, std::vector<Record>> owners;  // lan.'s records by owner text
    for (const Record& r : zones[0].records) owners[name_to_text(r.owner)].push_back(r);
    std::vector<std::string> universe;
    for (const char* l1 : {"p", "q", "*"})
        for (const char* l2 : {"", "r.", "s.t."})
            for (const char* l3 : {"", "u."})
                universe.push_back(std::string(l3) + l2 + l1 + ".lan.");
    universe.insert(universe.end(), {"www.lan.", "b.c.lan.", "a.b.c.lan.", "deep.lan.", "lan."});
    std::vector<std::string> probe = universe;
    probe.insert(probe.end(), {"c.lan.", "r.p.lan.", "t.p.lan.", "t.q.lan.", "r.q.lan.",
                               "ns.sub.lan.", "kid.deep.lan.", "child.lan.", "sub.lan."});
    std::mt19937 rng(7);
    for (int step = 0; step < 3000; ++step) {
        const std::string name = universe[rng() % universe.size()];
        std::vector<Record> next;
        const unsigned kind = rng() % 4;
        if (name == "lan.") {
            next = rrs(soa(static_cast<uint32_t>(step), 100 + rng() % 50) + kNs);
        } else if (kind != 0) {
            for (unsigned i = 0; i <= rng() % 3; ++i)
                next.push_back(Record{wire(name),
                                      static_cast<uint16_t>(rng() % 2 ? rrtype::A : rrtype::TXT),
                                      rrclass::IN,
                                      static_cast<uint32_t>(100 + rng() % 3),
                                      {3, 'a', 'b', static_cast<uint8_t>('0' + rng() % 3)}});
        }
        ASSERT_EQ(zv.set_owner(wire(name), next, g), UpdateResult::Done) << name;
        if (next.empty())
            owners.erase(name);
        else
            owners[name] = next;
        g.release();
        if (step % 300 == 299) {
            zones[0].records.clear();
            for (const auto& [o, recs] : owners)
                zones[0].records.insert(zones[0].records.end(), recs.begin(), recs.end());
            ZoneView fresh(zones);
            SCOPED_TRACE("step " + std::to_string(step));
            expect_same(zv, fresh, probe);
        }
    }
}

// A large table is rehashed over many calls (kRehashStep slots each) while changes land on
// both sides of the copy cursor; they must all be in the table that gets published.
TEST(ZoneViewUpdate, ChangesDuringARehashAreMirrored) {
    std::vector<ZoneInput> zones = base_zones();
    auto name_of = [](size_t i) {
        return "n" + std::to_string(i) + ".s" + std::to_string(i % 64) + ".lan.";
    };
    auto a_of = [](const WireName& owner, size_t v) {
        return Record{owner, rrtype::A, rrclass::IN, 300, {198, 18, uint8_t(v >> 8), uint8_t(v)}};
    };
    std::map<std::string, std::vector<Record>> owners;
    for (const Record& r : zones[0].records) owners[name_to_text(r.owner)].push_back(r);
    constexpr size_t kUniverse = 40000;
    for (size_t i = 0; i < 3000; ++i) {
        owners[name_of(i)] = {a_of(wire(name_of(i)), i)};
        zones[0].records.push_back(owners[name_of(i)][0]);
    }
    ZoneView zv(zones);
    std::vector<std::string> probe;
    for (size_t i = 0; i < kUniverse; ++i) probe.push_back(name_of(i));
    for (size_t i = 0; i < 64; ++i) probe.push_back("s" + std::to_string(i) + ".lan.");
    auto check = [&](bool bytes) {
        zones[0].records.clear();
        for (const auto& [o, recs] : owners)
            zones[0].records.insert(zones[0].records.end(), recs.begin(), recs.end());
        ZoneView fresh(zones);
        expect_same(zv, fresh, probe, bytes);
    };
    ZoneGarbage g;
    std::mt19937 rng(5);
    size_t during = 0;
    const size_t rehashes = zv.rehash_count();
    // Growth (new names, changes and deletions at random), then a sweep deleting nearly
    // everything: tables grow and shrink, each over tens to hundreds of calls.
    constexpr size_t kGrowth = 20000;
    for (size_t op = 0; op < kGrowth + kUniverse; ++op) {
        const size_t i = op < kGrowth ? rng() % kUniverse : op - kGrowth;
        const std::string name = name_of(i);
        const bool present = owners.count(name) != 0;
        std::vector<Record> next;
        if (op < kGrowth ? !present || rng() % 2 : rng() % 32 == 0) next = {a_of(wire(name), op)};
        during += zv.rehash_in_progress();
        ASSERT_EQ(zv.set_owner(wire(name), next, g), UpdateResult::Done) << name;
        if (next.empty())
            owners.erase(name);
        else
            owners[name] = next;
        g.release();
        if (op % 6000 == 5999) {
            SCOPED_TRACE("op " + std::to_string(op));
            check(false);
        }
    }
    // Built a third full: at least two growths and one shrink.
    EXPECT_GE(zv.rehash_count(), rehashes + 3);
    EXPECT_GT(during, 400u);  // changes made while a next table was being filled
    check(true);
}

// One reader probes names that the writer keeps replacing (they are always present) while
// the writer also inserts and deletes others, growing, shrinking and rehashing the table.
// Garbage is freed with a small epoch scheme standing in for rte_rcu_qsbr: the reader
// publishes the epoch it saw between lookups (its quiescent point); garbage retired at
// epoch e is freed once the reader has reported e or later.
TEST(ZoneViewUpdate, ReaderNeverMissesAReplacedName) {
    ZoneView zv(base_zones());
    constexpr size_t kFixed = 64;
    std::vector<WireName> fixed;
    for (size_t i = 0; i < kFixed; ++i) fixed.push_back(wire("f" + std::to_string(i) + ".lan."));
    ZoneGarbage g;
    for (const WireName& f : fixed)
        ASSERT_EQ(zv.set_owner(f, {Record{f, rrtype::A, rrclass::IN, 300, {198, 18, 0, 1}}}, g),
                  UpdateResult::Done);
    g.release();

    std::atomic<uint64_t> epoch{1}, seen{0};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> lookups{0}, misses{0}, bad{0};
    std::thread reader([&] {
        uint64_t n = 0, miss = 0, wrong = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            seen.store(epoch.load(std::memory_order_acquire), std::memory_order_release);
            for (const WireName& f : fixed) {
                const Node* node = zv.find(f.data(), static_cast<uint8_t>(f.size()));
                ++n;
                if (node == nullptr) {
                    ++miss;
                    continue;
                }
                const RRsetRef* a = node->find(rrtype::A);
                if (a == nullptr || a->count != 1 || node->data(*a)[2] != 198 ||
                    std::memcmp(node->name(), f.data(), f.size()) != 0)
                    ++wrong;
            }
            const Node* apex = zv.zones()[0]->apex.load(std::memory_order_acquire);
            if (apex->find(rrtype::SOA) == nullptr) ++wrong;
        }
        lookups = n;
        misses = miss;
        bad = wrong;
    });

    struct Retired {
        uint64_t epoch;
        ZoneGarbage garbage;
    };
    std::vector<Retired> retired;
    size_t freed_batches = 0;
    std::mt19937 rng(11);
    constexpr size_t kOps = 200000;
    size_t refused = 0;
    for (size_t op = 0; op < kOps && refused == 0; ++op) {
        const unsigned r = rng() % 4;
        if (r < 2) {
            const WireName& f = fixed[rng() % kFixed];
            const uint8_t v = static_cast<uint8_t>(rng());
            if (zv.set_owner(f, {Record{f, rrtype::A, rrclass::IN, 300, {198, 18, 1, v}}}, g) !=
                UpdateResult::Done)
                ++refused;
        } else {
            // Names come and go in bursts so that the table grows and shrinks.
            const size_t span = (op / 20000) % 2 ? 30000 : 300;
            const size_t i = rng() % span;
            const WireName name =
                wire("t" + std::to_string(i) + ".d" + std::to_string(i % 50) + ".lan.");
            std::vector<Record> recs;
            if (r == 2)
                recs.push_back(
                    Record{name, rrtype::AAAA, rrclass::IN, 60, std::vector<uint8_t>(16, 1)});
            if (zv.set_owner(name, recs, g) != UpdateResult::Done) ++refused;
        }
        if (op % 256 == 255) {
            retired.push_back({epoch.fetch_add(1), std::move(g)});
            g = ZoneGarbage{};
            const uint64_t quiet = seen.load(std::memory_order_acquire);
            size_t keep = 0;
            for (size_t k = 0; k < retired.size(); ++k) {
                if (retired[k].epoch < quiet) {
                    retired[k].garbage.release();
                    ++freed_batches;
                } else if (k != keep) {
                    retired[keep].epoch = retired[k].epoch;
                    retired[keep].garbage = std::move(retired[k].garbage);
                    ++keep;
                } else {
                    ++keep;
                }
            }
            retired.resize(keep);
        }
    }
    stop = true;
    reader.join();
    for (auto& x : retired) x.garbage.release();
    g.release();
    EXPECT_EQ(refused, 0u);
    EXPECT_GT(lookups.load(), kFixed);
    EXPECT_EQ(misses.load(), 0u);
    EXPECT_EQ(bad.load(), 0u);
    EXPECT_GT(zv.rehash_count(), 2u);
    EXPECT_GT(freed_batches, 0u);
    for (const WireName& f : fixed)
        EXPECT_NE(zv.find(f.data(), static_cast<uint8_t>(f.size())), nullptr);
}

}  // namespace
}  // namespace edgelease::dataplane::dns::answer_test
