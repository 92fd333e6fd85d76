// RFC 1035 §5.1 zone files (control/zone/zone_file.cpp). Data files are in tests/data/zones/,
// written by hand for these tests.
#include "control/zone/zone_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "control/zone/rdata_text.hpp"
#include "tests/unit/control/zone/test_util.hpp"
#include "tests/unit/temp_dir.hpp"

namespace edgelease::control::zone {
namespace {

using dns::WireName;
using test::cat;
using test::wire;
namespace rrtype = dns::rrtype;

const std::string kZones = std::string(EDGELEASE_SOURCE_DIR) + "/tests/data/zones";
const WireName kLan = wire({"lan"});

// A record as text, so a mismatch prints readably. RDATA bytes per type are pinned in
// rdata_text_test.cpp; a few are checked byte for byte here as well.
struct Rec {
    std::string owner;
    std::string type;
    uint32_t ttl;
    std::string rdata;
    friend bool operator==(const Rec&, const Rec&) = default;
    friend std::ostream& operator<<(std::ostream& os, const Rec& r) {
        return os << r.owner << " " << r.ttl << " " << r.type << " " << r.rdata;
    }
};

std::vector<Rec> summary(const std::vector<dns::Record>& records) {
    std::vector<Rec> out;
    for (const auto& r : records) {
        EXPECT_EQ(r.klass, dns::rrclass::IN);
        out.push_back({dns::name_to_text(r.owner), dns::type_to_text(r.type), r.ttl,
                       rdata_to_text(r.type, r.rdata)});
    }
    return out;
}

struct Err {
    uint32_t line;
    std::string why;
    friend bool operator==(const Err&, const Err&) = default;
    friend std::ostream& operator<<(std::ostream& os, const Err& e) {
        return os << e.line << ": " << e.why;
    }
};

std::vector<Err> errors_of(const ZoneFileResult& r) {
    std::vector<Err> out;
    for (const auto& e : r.errors) out.push_back({e.line, e.why});
    return out;
}

std::string all_errors(const ZoneFileResult& r) {
    std::string s;
    for (const auto& e : r.errors) s += e.to_string() + "\n";
    return s;
}

TEST(ZoneFile, EveryFeature) {
    auto r = parse_zone_file(kZones + "/lan.zone", kLan, 86400);
    EXPECT_TRUE(r.errors.empty()) << all_errors(r);
    const std::vector<Rec> want = {
        {"lan.", "SOA", 3600, "ns1.lan. hostmaster.lan. 2024010101 7200 900 777600 300"},
        {"lan.", "NS", 3600, "ns1.lan."},
        {"lan.", "NS", 3600, "ns2.lan."},
        {"lan.", "MX", 3600, "10 mail.lan."},
        {"lan.", "MX", 7200, "20 Mail.Backup.lan."},
        {"ns1.lan.", "A", 3600, "198.18.0.1"},
        {"ns1.lan.", "AAAA", 3600, "2001:db8::1"},
        {"ns2.lan.", "A", 300, "198.18.0.2"},
        {"mail.lan.", "A", 3600, "198.18.0.25"},
        {"www.lan.", "CNAME", 3600, "ns1.lan."},
        {"lan.", "TXT", 3600, R"("v=spf1 mx -all" "say \"hi\"; not a comment" "semi;colon")"},
        {"txt2.lan.", "TXT", 3600, R"("multi" "line")"},
        {"_sip._tcp.lan.", "SRV", 3600, "10 60 5060 sip.lan."},
        {"lan.", "CAA", 3600, "0 issue \"letsencrypt.org\""},
        {"lan.", "CAA", 3600, "128 iodef \"mailto:hostmaster@lan\""},
        {"dot\\.name.lan.", "A", 3600, "198.18.0.7"},
        {"esc\\.dd.lan.", "A", 3600, "198.18.0.8"},
        {"unknown.lan.", "TYPE65280", 3600, "\\# 4 C6120009"},
        {"generic-a.lan.", "A", 3600, "198.18.0.10"},
        {"sub.lan.", "A", 3600, "198.18.0.9"},  // from hosts.inc, origin sub.lan.
        {"host.sub.lan.", "A", 3600, "198.18.0.10"},
        {"host.sub.lan.", "TXT", 3600, "\"host's text\""},
        {"generic-a.lan.", "AAAA", 3600, "2001:db8::a"},  // previous owner restored
        {"after.lan.", "A", 3600, "198.18.0.11"},         // origin restored
        {"1._ptr.lan.", "PTR", 3600, "ns1.lan."},
        {"2._ptr.lan.", "PTR", 3600, "_ptr.lan."},
    };
    EXPECT_EQ(summary(r.records), want);

    ASSERT_EQ(r.records.size(), want.size());
    EXPECT_EQ(r.records[0].owner, kLan);
    EXPECT_EQ(r.records[0].rdata, cat({wire({"ns1", "lan"}),
                                       wire({"hostmaster", "lan"}),
                                       {0x78, 0xA3, 0xF1, 0x75},
                                       {0, 0, 0x1C, 0x20},
                                       {0, 0, 0x03, 0x84},
                                       {0, 0x0B, 0xDD, 0x80},
                                       {0, 0, 0x01, 0x2C}}));
    EXPECT_EQ(r.records[4].rdata, cat({{0, 20}, wire({"Mail", "Backup", "lan"})}));
    EXPECT_EQ(r.records[7].owner, wire({"ns2", "lan"}));  // "NS2" lower-cased
    EXPECT_EQ(r.records[11].rdata, cat({{5}, test::ascii("multi"), {4}, test::ascii("line")}));
    EXPECT_EQ(r.records[16].owner, wire({"esc.dd", "lan"}));
}

TEST(ZoneFile, ErrorsAreCollectedWithLines) {
    const std::string path = kZones + "/bad/errors.zone";
    auto r = parse_zone_file(path, kLan, 60);
    const std::vector<Err> want = {
        {4, "'198.18.0.256' is not an IPv4 address"},
        {5, "MX preference 70000 is out of range 0..65535"},
        {6, "owner 'www.example.' is out of zone 'lan.'"},
        {7, "SOA needs 7 fields, got 5"},
        {8, "class CH is not supported; only IN is"},
        {9, "unknown record type 'FOO'"},
        {10, "TTL 2147483648 is out of range 0..2147483647 (RFC 2181 §8)"},
        {11, "unterminated quoted string"},
        {12, "unknown directive $BOGUS"},
        {13, "CNAME target: '" + std::string(64, 'a') +
                 "' has a label of 64 octets; the limit is 63 (RFC 1035 §2.3.4)"},
        {14, "CAA tag 'is-sue' must be 1 to 15 ASCII letters and digits (RFC 8659 §4.1)"},
    };
    EXPECT_EQ(errors_of(r), want);
    for (const auto& e : r.errors) EXPECT_EQ(e.file, path);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_EQ(r.errors[0].to_string(), path + ":4: '198.18.0.256' is not an IPv4 address");
    // Good lines around the bad ones are kept; a blank-owner line after a record whose owner
    // was fine (only its data was bad) still belongs to that owner.
    const std::vector<Rec> recs = {
        {"ok1.lan.", "A", 3600, "198.18.0.1"},
        {"caa.lan.", "A", 3600, "198.18.0.5"},
        {"ok2.lan.", "A", 3600, "198.18.0.4"},
    };
    EXPECT_EQ(summary(r.records), recs);
}

TEST(ZoneFile, UnclosedParenthesis) {
    auto r = parse_zone_file(kZones + "/bad/unclosed.zone", kLan, 60);
    EXPECT_EQ(errors_of(r), (std::vector<Err>{{4, "'(' on line 4 is never closed"}}));
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"ok.lan.", "A", 3600, "198.18.0.1"}}));
}

TEST(ZoneFile, BlankOwnerWithoutPrevious) {
    auto r = parse_zone_file(kZones + "/bad/blank_first.zone", kLan, 60);
    EXPECT_EQ(errors_of(r),
              (std::vector<Err>{{2, "the line starts with a blank but no owner precedes it"}}));
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"ok.lan.", "A", 60, "198.18.0.2"}}));
}

TEST(ZoneFile, IncludeMissingNamesTheIncludingLine) {
    const std::string path = kZones + "/bad/include_missing.zone";
    auto r = parse_zone_file(path, kLan, 60);
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].file, path);
    EXPECT_EQ(r.errors[0].line, 3u);
    EXPECT_EQ(r.errors[0].why, "cannot read $INCLUDE file '" + kZones +
                                   "/bad/nothere.zone': No such file or directory");
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"ok.lan.", "A", 60, "198.18.0.1"},
                                                    {"ok2.lan.", "A", 60, "198.18.0.2"}}));
}

TEST(ZoneFile, IncludeLoop) {
    auto r = parse_zone_file(kZones + "/bad/loop_a.zone", kLan, 60);
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].file, kZones + "/bad/loop_b.zone");
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_EQ(r.errors[0].why,
              "$INCLUDE loop: '" + kZones + "/bad/loop_a.zone' is already being read");
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"a.lan.", "A", 60, "198.18.0.1"},
                                                    {"b.lan.", "A", 60, "198.18.0.2"}}));
}

using edgelease::test::TempDir;

TEST(ZoneFile, IncludeDepthLimit) {
    // d0 includes d1 ... includes d9: nesting down to d8 (depth 8) is read, d9 is refused.
    TempDir dir;
    for (int i = 0; i <= 9; ++i)
        dir.write("d" + std::to_string(i) + ".zone", "h" + std::to_string(i) + " A 198.18.1." +
                                                         std::to_string(i) + "\n$INCLUDE d" +
                                                         std::to_string(i + 1) + ".zone\n");
    auto r = parse_zone_file(dir.path() + "/d0.zone", kLan, 60);
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].file, dir.path() + "/d8.zone");
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_EQ(r.errors[0].why,
              "$INCLUDE of '" + dir.path() + "/d9.zone' nests deeper than 8 files");
    ASSERT_EQ(r.records.size(), 9u);
    EXPECT_EQ(dns::name_to_text(r.records[8].owner), "h8.lan.");
}

TEST(ZoneFile, IncludeInSubdirectoryAndOrigin) {
    TempDir dir;
    std::filesystem::create_directory(dir.path() + "/inc");
    dir.write("main.zone", "$INCLUDE inc/a.zone\n$INCLUDE \"inc/b.zone\" b\nmain A 198.18.0.3\n");
    dir.write("inc/a.zone", "$TTL 99\na A 198.18.0.1\n$INCLUDE b.zone x.lan.\n");
    dir.write("inc/b.zone", "@ A 198.18.0.2\n");
    auto r = parse_zone_file(dir.path() + "/main.zone", kLan, 60);
    EXPECT_TRUE(r.errors.empty()) << all_errors(r);
    // Paths are relative to the including file; a $TTL set in an included file stays set.
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"a.lan.", "A", 99, "198.18.0.1"},
                                                    {"x.lan.", "A", 99, "198.18.0.2"},
                                                    {"b.lan.", "A", 99, "198.18.0.2"},
                                                    {"main.lan.", "A", 99, "198.18.0.3"}}));
}

TEST(ZoneFile, CrlfLineEndings) {
    const std::string lf =
        "$ORIGIN lan.\n$TTL 300\n@ SOA ns1 hm (\n 1 2 3 4 5 ) ; c\nwww A 198.18.0.1\n"
        "  TXT \"x\" y\n\nlast A 198.18.0.2";
    std::string crlf;
    for (char c : lf) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    auto a = parse_zone_text(lf, "lf.zone", kLan, 60);
    auto b = parse_zone_text(crlf, "crlf.zone", kLan, 60);
    EXPECT_TRUE(a.errors.empty()) << all_errors(a);
    EXPECT_TRUE(b.errors.empty()) << all_errors(b);
    const std::vector<Rec> want = {
        {"lan.", "SOA", 300, "ns1.lan. hm.lan. 1 2 3 4 5"},
        {"www.lan.", "A", 300, "198.18.0.1"},
        {"www.lan.", "TXT", 300, "\"x\" \"y\""},
        {"last.lan.", "A", 300, "198.18.0.2"},
    };
    EXPECT_EQ(summary(a.records), want);
    EXPECT_EQ(summary(b.records), want);
}

TEST(ZoneFile, TtlPrecedence) {
    auto r = parse_zone_text(
        "a A 198.18.0.1\n"    // default_ttl
        "b 5 A 198.18.0.2\n"  // explicit
        "$TTL 2h\n"
        "c A 198.18.0.3\n"        // $TTL
        "d IN 1m A 198.18.0.4\n"  // explicit, after the class
        "e 0 IN A 198.18.0.5\n",  // explicit zero
        "t.zone", kLan, 123);
    EXPECT_TRUE(r.errors.empty()) << all_errors(r);
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"a.lan.", "A", 123, "198.18.0.1"},
                                                    {"b.lan.", "A", 5, "198.18.0.2"},
                                                    {"c.lan.", "A", 7200, "198.18.0.3"},
                                                    {"d.lan.", "A", 60, "198.18.0.4"},
                                                    {"e.lan.", "A", 0, "198.18.0.5"}}));
}

TEST(ZoneFile, OriginsAndNames) {
    auto r = parse_zone_text(
        "$ORIGIN Sub.LAN.\n"
        "@ A 198.18.0.1\n"
        "$ORIGIN deeper\n"  // relative to sub.lan.
        "x CNAME @\n"
        "LAN. A 198.18.0.2\n"  // absolute, at the apex, any case
        "$ORIGIN example.\n"
        "www A 198.18.0.3\n"  // now out of zone
        "semi\\;colon A 198.18.0.4\n",
        "t.zone", kLan, 60);
    EXPECT_EQ(errors_of(r), (std::vector<Err>{{7, "owner 'www.example.' is out of zone 'lan.'"},
                                              {8,
                                               "owner 'semi\\;colon.example.' is out of zone "
                                               "'lan.'"}}));
    EXPECT_EQ(summary(r.records),
              (std::vector<Rec>{{"sub.lan.", "A", 60, "198.18.0.1"},
                                {"x.deeper.sub.lan.", "CNAME", 60, "deeper.sub.lan."},
                                {"lan.", "A", 60, "198.18.0.2"}}));
}

TEST(ZoneFile, CommentsQuotesAndEscapes) {
    auto r = parse_zone_text(
        "; only a comment\n"
        "   ; an indented comment is not a record\n"
        "t TXT \"a;b\" c\\;d ; e\n"
        "u TXT \"(x)\" \\(y\\)\n"
        "v TXT \"multi ( word\" (\n"
        "   \"next\" ; comment inside parentheses\n"
        ")\n",
        "t.zone", kLan, 60);
    EXPECT_TRUE(r.errors.empty()) << all_errors(r);
    EXPECT_EQ(summary(r.records),
              (std::vector<Rec>{{"t.lan.", "TXT", 60, R"("a;b" "c;d")"},
                                {"u.lan.", "TXT", 60, R"t("(x)" "(y)")t"},
                                {"v.lan.", "TXT", 60, R"("multi ( word" "next")"}}));
}

TEST(ZoneFile, LineLevelErrors) {
    auto r = parse_zone_text(
        "a IN IN A 198.18.0.1\n"
        "b 1 2 A 198.18.0.1\n"
        "c 300\n"
        "\"d\" A 198.18.0.1\n"
        "e 1x A 198.18.0.1\n"
        "$TTL\n"
        "$TTL forever\n"
        "$ORIGIN a..b\n"
        "f HS A 198.18.0.1\n"
        "g ANY \\# 0\n"
        ")\n"
        "h A 198.18.0.9\n"
        "$INCLUDE\n",
        "t.zone", kLan, 60);
    const std::vector<Err> want = {
        {1, "the class is given twice"},
        {2, "the TTL is given twice"},
        {3, "the record has no type"},
        {4, "an owner name cannot be quoted"},
        {5, "'1x' is not a TTL such as 3600 or 1h"},
        {6, "$TTL needs one value"},
        {7, "'forever' is not a TTL such as 3600 or 1h"},
        {8, "$ORIGIN: 'a..b' has an empty label"},
        {9, "class HS is not supported; only IN is"},
        {10, "type ANY is a meta or query type and cannot be a record (RFC 6895 §3.1)"},
        {11, "')' without '('"},
        {13, "$INCLUDE needs a file name and optionally an origin"},
    };
    EXPECT_EQ(errors_of(r), want);
    EXPECT_EQ(summary(r.records), (std::vector<Rec>{{"h.lan.", "A", 60, "198.18.0.9"}}));
}

TEST(ZoneFile, MissingFile) {
    auto r = parse_zone_file(kZones + "/nope.zone", kLan, 60);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 0u);
    EXPECT_EQ(r.errors[0].to_string(),
              kZones + "/nope.zone: cannot read zone file: No such file or directory");
    EXPECT_TRUE(r.records.empty());
}

TEST(ZoneFile, ErrorCountIsBounded) {
    std::string text;
    for (int i = 0; i < 1500; ++i) text += "x A bad\n";
    auto r = parse_zone_text(text, "t.zone", kLan, 60);
    ASSERT_EQ(r.errors.size(), kMaxZoneFileErrors + 1);
    EXPECT_EQ(r.errors.back().why, "too many errors (1000); the rest of the zone was not read");
    EXPECT_EQ(r.errors.back().line, 1001u);
}

}  // namespace
}  // namespace edgelease::control::zone
