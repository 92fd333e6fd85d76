#include <gtest/gtest.h>

#include "app/ctl_args.hpp"

using namespace edgelease::app::ctl;

namespace {

using Words = std::vector<std::string>;

const std::string kAddUsage = "usage: records add takes [ZONE] NAME TYPE DATA";
const std::string kDeleteUsage = "usage: records delete takes [ZONE] NAME TYPE [DATA]";
const std::string kT1NoType = "; with the zone left out, 't1' is no RR type";
const std::string kRelativeT1 =
    "usage: the zone can be left out only when the name is absolute (ends in \".\"): 't1'";

// "zone|name|type|data" for a sorting, "usage: why" for a refusal.
std::string sorted(RecordVerb verb, const Words& words) {
    std::string why;
    auto w = record_words(verb, words, why);
    if (!w) return "usage: " + why;
    return w->zone + "|" + w->name + "|" + w->type + "|" + w->data;
}

}  // namespace

TEST(CtlArgs, AbsoluteNames) {
    EXPECT_TRUE(is_absolute("t1.lan."));
    EXPECT_TRUE(is_absolute("."));
    EXPECT_TRUE(is_absolute("a\\\\."));  // an escaped backslash, then the root
    EXPECT_FALSE(is_absolute("t1.lan"));
    EXPECT_FALSE(is_absolute("t1"));
    EXPECT_FALSE(is_absolute("t1\\."));  // an escaped dot inside the last label
    EXPECT_FALSE(is_absolute(""));
}

TEST(CtlArgs, RrTypeMnemonicsIgnoreCase) {
    for (const char* t : {"A", "aaaa", "Ptr", "CNAME", "mx", "TXT", "NS", "SRV", "SOA", "caa",
                          "HINFO", "TYPE65534"})
        EXPECT_TRUE(is_rr_type(t)) << t;
    for (const char* t : {"198.18.0.77", "t1", "lan.", "", "TYPE", "TYPE65536", "AA"})
        EXPECT_FALSE(is_rr_type(t)) << t;
}

TEST(CtlArgs, LongestZoneHoldingTheName) {
    const std::vector<std::string> zones{"lan.", "sub.lan.", "18.198.in-addr.arpa.", "xlan."};
    EXPECT_EQ(longest_zone("t1.lan.", zones), "lan.");
    EXPECT_EQ(longest_zone("t1.sub.lan.", zones), "sub.lan.");
    EXPECT_EQ(longest_zone("sub.lan.", zones), "sub.lan.");  // the apex itself
    EXPECT_EQ(longest_zone("T1.Sub.LAN.", zones), "sub.lan.");
    EXPECT_EQ(longest_zone("77.0.18.198.in-addr.arpa.", zones), "18.198.in-addr.arpa.");
    EXPECT_EQ(longest_zone("t1.xlan.", zones), "xlan.");
    EXPECT_EQ(longest_zone("t1.ylan.", zones), "");   // "lan." only on a label boundary
    EXPECT_EQ(longest_zone("t1\\.lan.", zones), "");  // one label "t1.lan" under the root
    EXPECT_EQ(longest_zone("t1.example.", zones), "");
    EXPECT_EQ(longest_zone("lan.", {}), "");
    EXPECT_EQ(longest_zone("t1.example.", {"lan.", "."}), ".");
    EXPECT_EQ(longest_zone("t1.lan.", {".", "lan."}), "lan.");
}

TEST(CtlArgs, AddSortsByWordCount) {
    EXPECT_EQ(sorted(RecordVerb::add, {"lan.", "t1", "A", "198.18.0.77"}), "lan.|t1|A|198.18.0.77");
    EXPECT_EQ(sorted(RecordVerb::add, {"lan.", "t1.lan.", "A", "198.18.0.77"}),
              "lan.|t1.lan.|A|198.18.0.77");
    EXPECT_EQ(sorted(RecordVerb::add, {"t1.lan.", "A", "198.18.0.77"}), "|t1.lan.|A|198.18.0.77");
    EXPECT_EQ(sorted(RecordVerb::add, {"t1", "A", "198.18.0.77"}), kRelativeT1);
    // Three words whose second is no type: DATA forgotten from the explicit form.
    EXPECT_EQ(sorted(RecordVerb::add, {"lan.", "t1", "A"}), kAddUsage + kT1NoType);
    EXPECT_EQ(sorted(RecordVerb::add, {"t1.lan.", "A"}), kAddUsage);
    EXPECT_EQ(sorted(RecordVerb::add, {"lan.", "t1", "A", "198.18.0.77", "x"}), kAddUsage);
}

TEST(CtlArgs, DeleteSortsByShape) {
    // Explicit, as before.
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "t1", "A"}), "lan.|t1|A|");
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "t1", "A", "198.18.0.77"}),
              "lan.|t1|A|198.18.0.77");
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "t1.lan.", "aaaa"}), "lan.|t1.lan.|aaaa|");
    // A relative name spelled like a type stays explicit when the third word is a type.
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "ns", "A"}), "lan.|ns|A|");
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "mx", "TXT", "x"}), "lan.|mx|TXT|x");
    // The zone left out: the second word is a type, the third (if any) is not.
    EXPECT_EQ(sorted(RecordVerb::remove, {"t1.lan.", "A"}), "|t1.lan.|A|");
    EXPECT_EQ(sorted(RecordVerb::remove, {"t1.lan.", "a", "198.18.0.77"}),
              "|t1.lan.|a|198.18.0.77");
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "NS", "ns1.lan."}), "|lan.|NS|ns1.lan.");
    // ... and then the name must be absolute.
    EXPECT_EQ(sorted(RecordVerb::remove, {"t1", "A"}), kRelativeT1);
    EXPECT_EQ(sorted(RecordVerb::remove, {"t1", "A", "198.18.0.77"}), kRelativeT1);
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "t1"}), kDeleteUsage + kT1NoType);
    // Three words, neither the second nor the third a type: explicit, for the API to judge.
    EXPECT_EQ(sorted(RecordVerb::remove, {"lan.", "t1", "B"}), "lan.|t1|B|");
    EXPECT_EQ(sorted(RecordVerb::remove, {"t1.lan."}), kDeleteUsage);
}

TEST(CtlArgs, FamilyFilterTakesFourOrSix) {
    EXPECT_EQ(family_error("4"), "");
    EXPECT_EQ(family_error("6"), "");
    EXPECT_EQ(family_error("5"), "takes 4 or 6 (the DHCP family), not '5'");
    for (const char* bad : {"", "v4", "ipv6", "46", "4 ", "06"})
        EXPECT_NE(family_error(bad), "") << bad;
}

TEST(CtlArgs, LeasePathKeepsAddressesAndPrefixes) {
    EXPECT_EQ(lease_path("198.18.0.100", ""), "/api/v1/leases/198.18.0.100");
    EXPECT_EQ(lease_path("198.18.0.100", "/release"), "/api/v1/leases/198.18.0.100/release");
    EXPECT_EQ(lease_path("2001:db8::50", "/expire"), "/api/v1/leases/2001:db8::50/expire");
    // A delegated prefix keeps its one slash: the API's route takes "/len" after IPv6 text.
    EXPECT_EQ(lease_path("2001:db8:8000::/56", "/release"),
              "/api/v1/leases/2001:db8:8000::/56/release");
    EXPECT_EQ(lease_path("2001:DB8:8000::%2F56", ""), "/api/v1/leases/2001:DB8:8000::%2F56");
    // Text that names no lease still reaches the appliance, which answers 400 (exit 1).
    EXPECT_EQ(lease_path("198.18.0", ""), "/api/v1/leases/198.18.0");
}

TEST(CtlArgs, LeasePathEncodesWhatWouldEndThePath) {
    EXPECT_EQ(lease_path("198.18.0.1?x=1", ""), "/api/v1/leases/198.18.0.1%3Fx%3D1");
    EXPECT_EQ(lease_path("198.18.0.1#", "/expire"), "/api/v1/leases/198.18.0.1%23/expire");
    EXPECT_EQ(lease_path("a b", ""), "/api/v1/leases/a%20b");
}
