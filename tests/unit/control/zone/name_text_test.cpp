// RR type mnemonics and domain names in presentation format (common/dns_types.cpp).
#include <gtest/gtest.h>

#include <string>

#include "common/dns_types.hpp"
#include "tests/unit/control/zone/test_util.hpp"

namespace edgelease::dns {
namespace {

using control::zone::test::wire;

const WireName kLan = wire({"lan"});

WireName parse_ok(std::string_view text, const WireName& origin = kLan, bool keep_case = false) {
    std::string why;
    auto n = name_from_text(text, origin, why, keep_case);
    EXPECT_TRUE(n.has_value()) << text << ": " << why;
    return n.value_or(WireName{});
}

std::string parse_err(std::string_view text, const WireName& origin = kLan) {
    std::string why;
    auto n = name_from_text(text, origin, why);
    EXPECT_FALSE(n.has_value()) << text;
    return why;
}

TEST(TypeText, KnownMnemonicsAnyCase) {
    EXPECT_EQ(type_from_text("A"), rrtype::A);
    EXPECT_EQ(type_from_text("a"), rrtype::A);
    EXPECT_EQ(type_from_text("Aaaa"), rrtype::AAAA);
    EXPECT_EQ(type_from_text("caa"), rrtype::CAA);
    EXPECT_EQ(type_from_text("SOA"), rrtype::SOA);
    EXPECT_EQ(type_from_text("SRV"), rrtype::SRV);
    // Registry names beyond those with a parser still resolve (their data is RFC 3597).
    EXPECT_EQ(type_from_text("DS"), rrtype::DS);
    EXPECT_EQ(type_from_text("https"), 65);
    EXPECT_EQ(type_from_text("NSEC3PARAM"), 51);
}

TEST(TypeText, GenericTypeNnn) {
    EXPECT_EQ(type_from_text("TYPE65534"), 65534);
    EXPECT_EQ(type_from_text("type1"), rrtype::A);
    EXPECT_EQ(type_from_text("TYPE0"), 0);
    EXPECT_EQ(type_from_text("TYPE65535"), 65535);
    EXPECT_FALSE(type_from_text("TYPE65536"));
    EXPECT_FALSE(type_from_text("TYPE"));
    EXPECT_FALSE(type_from_text("TYPE1x"));
    EXPECT_FALSE(type_from_text("TYPE-1"));
    EXPECT_FALSE(type_from_text("FOO"));
    EXPECT_FALSE(type_from_text(""));
}

TEST(TypeText, ToText) {
    EXPECT_EQ(type_to_text(rrtype::A), "A");
    EXPECT_EQ(type_to_text(rrtype::CAA), "CAA");
    EXPECT_EQ(type_to_text(rrtype::DS), "DS");
    EXPECT_EQ(type_to_text(65534), "TYPE65534");
    EXPECT_EQ(type_to_text(0), "TYPE0");
    for (const auto& t : kKnownTypes) EXPECT_EQ(type_from_text(type_to_text(t.type)), t.type);
}

TEST(NameText, AbsoluteAndRelative) {
    EXPECT_EQ(parse_ok("www.lan."), wire({"www", "lan"}));
    EXPECT_EQ(parse_ok("www"), wire({"www", "lan"}));
    EXPECT_EQ(parse_ok("a.b"), wire({"a", "b", "lan"}));
    EXPECT_EQ(parse_ok("www.example.", kLan), wire({"www", "example"}));
    EXPECT_EQ(parse_ok("www", wire({})), wire({"www"}));  // origin is the root
}

TEST(NameText, AtAndRoot) {
    EXPECT_EQ(parse_ok("@"), kLan);
    EXPECT_EQ(parse_ok("@", wire({"sub", "lan"})), wire({"sub", "lan"}));
    EXPECT_EQ(parse_ok("."), WireName{0});
    EXPECT_EQ(name_to_text(WireName{0}), ".");
}

TEST(NameText, CaseFoldedUnlessKept) {
    EXPECT_EQ(parse_ok("WWW.Lan."), wire({"www", "lan"}));
    EXPECT_EQ(parse_ok("WWW.Lan.", kLan, true), wire({"WWW", "Lan"}));
    EXPECT_EQ(parse_ok("Mail", kLan, true), wire({"Mail", "lan"}));
    // An escaped letter is still a letter: \065 is 'A'.
    EXPECT_EQ(parse_ok("\\065bc"), wire({"abc", "lan"}));
    EXPECT_EQ(parse_ok("\\065bc", kLan, true), wire({"Abc", "lan"}));
    // A mixed-case origin is folded too when the name is a lookup key.
    EXPECT_EQ(parse_ok("www", wire({"LAN"})), wire({"www", "lan"}));
}

TEST(NameText, Escapes) {
    const WireName dotted = wire({"a.b", "lan"});
    EXPECT_EQ(parse_ok("a\\.b.lan."), dotted);
    EXPECT_EQ(parse_ok("a\\046b.lan."), dotted);
    EXPECT_EQ(parse_ok("a\\046b"), dotted);
    EXPECT_EQ(name_to_text(dotted), "a\\.b.lan.");
    EXPECT_EQ(parse_ok("back\\\\slash."), wire({"back\\slash"}));
    EXPECT_EQ(name_to_text(wire({"back\\slash"})), "back\\\\slash.");
    EXPECT_EQ(parse_ok("sp\\032ace."), wire({"sp ace"}));
    EXPECT_EQ(name_to_text(wire({"sp ace"})), "sp\\032ace.");
    // Octets outside printable ASCII come out as \DDD.
    const WireName high = {2, 0xFF, 0x00, 0};
    EXPECT_EQ(parse_ok("\\255\\000."), high);
    EXPECT_EQ(name_to_text(high), "\\255\\000.");
    // Characters special in zone files are escaped on output so the text reads back.
    EXPECT_EQ(name_to_text(wire({"a@b;c(d)e\"f$g"})), "a\\@b\\;c\\(d\\)e\\\"f\\$g.");
    EXPECT_EQ(parse_ok("a\\@b\\;c\\(d\\)e\\\"f\\$g."), wire({"a@b;c(d)e\"f$g"}));
    // Underscore, hyphen and '*' need no escape.
    EXPECT_EQ(name_to_text(wire({"*", "_sip", "_tcp", "my-host"})), "*._sip._tcp.my-host.");
}

TEST(NameText, RoundTrips) {
    for (std::string_view text :
         {"www.lan.", "a\\.b.lan.", "\\000\\255.", "x\\\\y.", "_dmarc.lan.", "*.lan.", "."}) {
        EXPECT_EQ(name_to_text(parse_ok(text, kLan, true)), text);
    }
}

TEST(NameText, LabelLengthLimit) {
    const std::string l63(63, 'a'), l64(64, 'a');
    auto n = parse_ok(l63 + ".lan.");
    ASSERT_EQ(n.size(), 1 + 63 + 5);
    EXPECT_EQ(n[0], 63);
    EXPECT_EQ(name_to_text(n), l63 + ".lan.");
    EXPECT_EQ(parse_err(l64 + ".lan."),
              "'" + l64 + ".lan.' has a label of 64 octets; the limit is 63 (RFC 1035 §2.3.4)");
    // The length counts octets after escapes are resolved: 62 'a' + "\046" + 'b' is 64.
    EXPECT_EQ(parse_err(std::string(62, 'a') + "\\046b"),
              "'" + std::string(62, 'a') + "\\046b' has a label of 64 octets; the limit is 63 " +
                  "(RFC 1035 §2.3.4)");
}

TEST(NameText, NameLengthLimit) {
    const std::string l63(63, 'a');
    // 3 x (1 + 63) + (1 + 61) + 1 = 255 octets.
    const std::string n255 = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b') + ".";
    auto n = parse_ok(n255);
    EXPECT_EQ(n.size(), 255u);
    EXPECT_EQ(name_to_text(n), n255);
    const std::string n256 = l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b') + ".";
    EXPECT_EQ(parse_err(n256), "'" + n256.substr(0, 77) +
                                   "...' is 256 octets in wire form; the limit is 255 (RFC 1035 "
                                   "§2.3.4)");
    // A relative name can be pushed past the limit by its origin.
    const std::string rel = l63 + "." + l63 + "." + l63 + "." + std::string(57, 'b');
    EXPECT_EQ(parse_ok(rel).size(), 255u);  // 3 x 64 + 58 + "\3lan\0" (5)
    const std::string rel2 = rel + "bb";
    EXPECT_NE(parse_err(rel2).find("completed with the origin is 257 octets"), std::string::npos);
}

TEST(NameText, Errors) {
    EXPECT_EQ(parse_err(""), "empty name");
    EXPECT_EQ(parse_err("a..b."), "'a..b.' has an empty label");
    EXPECT_EQ(parse_err(".a"), "'.a' starts with an empty label");
    EXPECT_EQ(parse_err("a\\25"), "'a\\25' has a bad escape; \\DDD needs three digits");
    EXPECT_EQ(parse_err("a\\2x5"), "'a\\2x5' has a bad escape; \\DDD needs three digits");
    EXPECT_EQ(parse_err("a\\256"), "'a\\256' has a bad escape \\256; the limit is \\255");
    EXPECT_EQ(parse_err("a\\"), "'a\\' ends with a lone backslash");
    EXPECT_EQ(parse_err("www", WireName{}), "'www' is relative and there is no origin");
    EXPECT_EQ(parse_err("@", WireName{}), "'@' used with no origin");
}

TEST(NameText, MalformedWireIsMarked) {
    const WireName pointer = {3, 'w', 'w', 'w', 0xC0, 0x0C};
    EXPECT_EQ(name_to_text(pointer), "www.<malformed>");
    const WireName truncated = {3, 'w', 'w'};
    EXPECT_EQ(name_to_text(truncated), "<malformed>");
    const WireName no_root = {1, 'a'};
    EXPECT_EQ(name_to_text(no_root), "a.<malformed>");
}

}  // namespace
}  // namespace edgelease::dns
