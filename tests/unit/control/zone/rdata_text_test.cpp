// RDATA presentation format both ways, and TTL text (control/zone/rdata_text.cpp).
// Expected wire bytes are written out by hand from RFC 1035 §3.3, RFC 3596 §2.2,
// RFC 2782 and RFC 8659 §4.1.
#include "control/zone/rdata_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/control/zone/test_util.hpp"

namespace edgelease::control::zone {
namespace {

using dns::WireName;
using test::ascii;
using test::cat;
using test::wire;
namespace rrtype = dns::rrtype;

const WireName kLan = wire({"lan"});
using Bytes = std::vector<uint8_t>;

Bytes from(uint16_t type, std::string_view text, const WireName& origin = kLan) {
    Bytes out;
    std::string why;
    EXPECT_TRUE(rdata_from_text(type, text, origin, out, why))
        << dns::type_to_text(type) << " " << text << ": " << why;
    return out;
}

std::string err(uint16_t type, std::string_view text) {
    Bytes out;
    std::string why;
    EXPECT_FALSE(rdata_from_text(type, text, kLan, out, why))
        << dns::type_to_text(type) << " " << text;
    return why;
}

std::string text(uint16_t type, const Bytes& rdata) {
    return rdata_to_text(type, rdata);
}

TEST(RdataA, Both) {
    const Bytes b = {198, 18, 0, 1};
    EXPECT_EQ(from(rrtype::A, "198.18.0.1"), b);
    EXPECT_EQ(from(rrtype::A, "  198.18.0.1\t"), b);
    EXPECT_EQ(text(rrtype::A, b), "198.18.0.1");
    EXPECT_EQ(err(rrtype::A, "198.18.0.256"), "'198.18.0.256' is not an IPv4 address");
    EXPECT_EQ(err(rrtype::A, "198.18.0"), "'198.18.0' is not an IPv4 address");
    EXPECT_EQ(err(rrtype::A, ""), "A needs 1 field, got 0");
    EXPECT_EQ(err(rrtype::A, "198.18.0.1 198.18.0.2"), "A needs 1 field, got 2");
}

TEST(RdataAaaa, Both) {
    const Bytes b = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(from(rrtype::AAAA, "2001:db8::1"), b);
    EXPECT_EQ(from(rrtype::AAAA, "2001:DB8:0:0:0:0:0:1"), b);
    EXPECT_EQ(text(rrtype::AAAA, b), "2001:db8::1");
    EXPECT_EQ(err(rrtype::AAAA, "2001:db8::g"), "'2001:db8::g' is not an IPv6 address");
    EXPECT_EQ(err(rrtype::AAAA, "198.18.0.1"), "'198.18.0.1' is not an IPv6 address");
}

TEST(RdataNames, NsCnamePtr) {
    EXPECT_EQ(from(rrtype::NS, "ns1"), wire({"ns1", "lan"}));
    EXPECT_EQ(from(rrtype::NS, "ns1.example."), wire({"ns1", "example"}));
    EXPECT_EQ(text(rrtype::NS, wire({"ns1", "lan"})), "ns1.lan.");
    // Names inside RDATA keep the case they were written in.
    EXPECT_EQ(from(rrtype::CNAME, "Www.Lan."), wire({"Www", "Lan"}));
    EXPECT_EQ(text(rrtype::CNAME, wire({"Www", "Lan"})), "Www.Lan.");
    EXPECT_EQ(from(rrtype::PTR, "@"), kLan);
    EXPECT_EQ(from(rrtype::PTR, "host\\.one"), wire({"host.one", "lan"}));
    EXPECT_EQ(text(rrtype::PTR, wire({"host.one", "lan"})), "host\\.one.lan.");
    EXPECT_EQ(err(rrtype::NS, "a..b."), "NS name: 'a..b.' has an empty label");
    EXPECT_EQ(err(rrtype::CNAME, "a b"), "CNAME needs 1 field, got 2");
    EXPECT_EQ(err(rrtype::PTR, "\"x.lan.\""), "PTR name must not be a quoted string");
}

TEST(RdataMx, Both) {
    const Bytes b = cat({{0, 10}, wire({"mail", "lan"})});
    EXPECT_EQ(from(rrtype::MX, "10 mail"), b);
    EXPECT_EQ(text(rrtype::MX, b), "10 mail.lan.");
    EXPECT_EQ(from(rrtype::MX, "65535 ."), cat({{0xFF, 0xFF}, {0}}));
    EXPECT_EQ(err(rrtype::MX, "70000 mail"), "MX preference 70000 is out of range 0..65535");
    EXPECT_EQ(err(rrtype::MX, "ten mail"), "MX preference 'ten' is not a number");
    EXPECT_EQ(err(rrtype::MX, "-1 mail"), "MX preference '-1' is not a number");
    EXPECT_EQ(err(rrtype::MX, "10"), "MX needs 2 fields, got 1");
    EXPECT_EQ(err(rrtype::MX, "99999999999999999999999 mail"),
              "MX preference 99999999999999999999999 is out of range 0..65535");
}

TEST(RdataSoa, Both) {
    const Bytes b = cat({wire({"ns1", "lan"}),
                         wire({"hostmaster", "lan"}),
                         {0x78, 0xA4, 0x9C, 0x35},    // serial 2024053813
                         {0x00, 0x00, 0x1C, 0x20},    // refresh 7200
                         {0x00, 0x00, 0x03, 0x84},    // retry 900
                         {0x00, 0x0B, 0xDD, 0x80},    // expire 777600 (1w2d)
                         {0x00, 0x00, 0x01, 0x2C}});  // minimum 300
    EXPECT_EQ(from(rrtype::SOA, "ns1 hostmaster 2024053813 2h 15m 1w2d 300"), b);
    EXPECT_EQ(from(rrtype::SOA, "ns1.lan. hostmaster.lan. 2024053813 7200 900 777600 300"), b);
    // Parentheses group as in a zone file.
    EXPECT_EQ(from(rrtype::SOA, "ns1 hostmaster ( 2024053813\n 7200 900\n 777600 300 )"), b);
    EXPECT_EQ(text(rrtype::SOA, b), "ns1.lan. hostmaster.lan. 2024053813 7200 900 777600 300");
    EXPECT_EQ(from(rrtype::SOA, "a. b. 4294967295 0 0 0 0").size(), 3u + 3u + 20u);
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 1 2 3"), "SOA needs 7 fields, got 5");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 1h 2 3 4 5"), "SOA serial '1h' is not a number");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 4294967296 2 3 4 5"),
              "SOA serial 4294967296 is out of range 0..4294967295");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 1 2x 3 4 5"),
              "SOA refresh '2x' is not a time value such as 3600 or 1h");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 1 2 3 4 1h30"),
              "SOA minimum '1h30' is not a time value such as 3600 or 1h");
    EXPECT_EQ(err(rrtype::SOA, "ns1 a..b 1 2 3 4 5"), "SOA mailbox: 'a..b' has an empty label");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster ( 1 2 3 4 5"), "'(' without ')'");
    EXPECT_EQ(err(rrtype::SOA, "ns1 hostmaster 1 2 3 4 5 )"), "')' without '('");
}

TEST(RdataTxt, StringsAndEscapes) {
    EXPECT_EQ(from(rrtype::TXT, "\"v=spf1 mx -all\""), cat({{14}, ascii("v=spf1 mx -all")}));
    // Several strings, quoted or not.
    const Bytes two = cat({{3}, ascii("a b"), {1}, ascii("c")});
    EXPECT_EQ(from(rrtype::TXT, "\"a b\" c"), two);
    EXPECT_EQ(text(rrtype::TXT, two), "\"a b\" \"c\"");
    // \" \\ and \DDD inside quotes; \DDD and an escaped blank outside.
    const Bytes esc = cat({{6}, ascii("q\"x\\yA"), {3}, ascii("a b")});
    EXPECT_EQ(from(rrtype::TXT, R"("q\"x\\y\065" a\ b)"), esc);
    EXPECT_EQ(text(rrtype::TXT, esc), R"("q\"x\\yA" "a b")");
    // A ';' is data here, not a comment (comments are a zone-file matter).
    EXPECT_EQ(from(rrtype::TXT, "\"k=v; x\""), cat({{6}, ascii("k=v; x")}));
    // The empty string is a valid <character-string>.
    EXPECT_EQ(from(rrtype::TXT, "\"\""), Bytes{0});
    EXPECT_EQ(text(rrtype::TXT, Bytes{0}), "\"\"");
    // Non-printable octets come back as \DDD.
    const Bytes bin = {3, 0x01, 'x', 0xFF};
    EXPECT_EQ(text(rrtype::TXT, bin), R"("\001x\255")");
    EXPECT_EQ(from(rrtype::TXT, R"("\001x\255")"), bin);
}

TEST(RdataTxt, LengthLimits) {
    const std::string s255(255, 'x'), s256(256, 'x');
    auto b = from(rrtype::TXT, "\"" + s255 + "\"");
    ASSERT_EQ(b.size(), 256u);
    EXPECT_EQ(b[0], 255);
    EXPECT_EQ(err(rrtype::TXT, "\"" + s256 + "\""),
              "TXT string 1 is 256 octets; the limit is 255 (RFC 1035 §3.3)");
    // An unquoted token is a <character-string> too: no silent splitting.
    EXPECT_EQ(err(rrtype::TXT, "ok " + s256),
              "TXT string 2 is 256 octets; the limit is 255 (RFC 1035 §3.3)");
    // Escapes count once: 254 'x' and \255 is 255 octets.
    EXPECT_EQ(from(rrtype::TXT, std::string(254, 'x') + "\\255").size(), 256u);
    // Many strings may together exceed 255.
    EXPECT_EQ(from(rrtype::TXT, s255 + " " + s255).size(), 512u);
}

TEST(RdataTxt, Errors) {
    EXPECT_EQ(err(rrtype::TXT, ""), "TXT needs at least one string");
    EXPECT_EQ(err(rrtype::TXT, "\"open"), "unterminated quoted string");
    EXPECT_EQ(err(rrtype::TXT, "\"bad \\300\""),
              "TXT string 1 has a bad escape \\300; the limit is \\255");
    EXPECT_EQ(err(rrtype::TXT, "ok \"bad \\30\""),
              "TXT string 2 has a bad escape; \\DDD needs three digits");
}

TEST(RdataSrv, Both) {
    const Bytes b = cat({{0, 10, 0, 60, 0x13, 0xC4}, wire({"sip", "lan"})});
    EXPECT_EQ(from(rrtype::SRV, "10 60 5060 sip"), b);
    EXPECT_EQ(text(rrtype::SRV, b), "10 60 5060 sip.lan.");
    // "." as the target: the service is decidedly not available (RFC 2782).
    const Bytes none = {0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(from(rrtype::SRV, "0 0 0 ."), none);
    EXPECT_EQ(text(rrtype::SRV, none), "0 0 0 .");
    EXPECT_EQ(err(rrtype::SRV, "10 60 65536 sip"), "SRV port 65536 is out of range 0..65535");
    EXPECT_EQ(err(rrtype::SRV, "10 x 5060 sip"), "SRV weight 'x' is not a number");
    EXPECT_EQ(err(rrtype::SRV, "10 60 5060"), "SRV needs 4 fields, got 3");
}

TEST(RdataCaa, Both) {
    const Bytes b = cat({{0, 5}, ascii("issue"), ascii("letsencrypt.org")});
    EXPECT_EQ(from(rrtype::CAA, "0 issue \"letsencrypt.org\""), b);
    EXPECT_EQ(from(rrtype::CAA, "0 issue letsencrypt.org"), b);
    EXPECT_EQ(text(rrtype::CAA, b), "0 issue \"letsencrypt.org\"");
    const Bytes iodef = cat({{128, 5}, ascii("iodef"), ascii("mailto:a@lan")});
    EXPECT_EQ(from(rrtype::CAA, "128 iodef \"mailto:a@lan\""), iodef);
    EXPECT_EQ(text(rrtype::CAA, iodef), "128 iodef \"mailto:a@lan\"");
    // The value has no length octet and may be longer than 255.
    const std::string long_value(300, 'v');
    EXPECT_EQ(from(rrtype::CAA, "0 issue \"" + long_value + "\"").size(), 2u + 5u + 300u);
    const Bytes empty_value = cat({{0, 9}, ascii("issuewild")});
    EXPECT_EQ(from(rrtype::CAA, "0 issuewild \"\""), empty_value);
    EXPECT_EQ(text(rrtype::CAA, empty_value), "0 issuewild \"\"");
    EXPECT_EQ(err(rrtype::CAA, "256 issue \"ca\""), "CAA flags 256 is out of range 0..255");
    EXPECT_EQ(err(rrtype::CAA, "0 is-sue \"ca\""),
              "CAA tag 'is-sue' must be 1 to 15 ASCII letters and digits (RFC 8659 §4.1)");
    EXPECT_EQ(err(rrtype::CAA, "0 abcdefghijklmnop \"ca\""),
              "CAA tag 'abcdefghijklmnop' must be 1 to 15 ASCII letters and digits (RFC 8659 "
              "§4.1)");
    EXPECT_EQ(err(rrtype::CAA, "0 issue"), "CAA needs 3 fields (flags tag value), got 2");
}

TEST(RdataGeneric, UnknownType) {
    const Bytes b = {0xC6, 0x12, 0x00, 0x09};
    EXPECT_EQ(from(65280, "\\# 4 C6120009"), b);
    EXPECT_EQ(from(65280, "\\# 4 c612 0009"), b);  // hex may be split into words
    EXPECT_EQ(from(65280, "\\# 4 ( C612\n0009 )"), b);
    EXPECT_EQ(text(65280, b), "\\# 4 C6120009");
    EXPECT_EQ(from(65280, "\\# 0"), Bytes{});
    EXPECT_EQ(text(65280, Bytes{}), "\\# 0");
}

TEST(RdataGeneric, KnownTypesInGenericForm) {
    EXPECT_EQ(from(rrtype::A, "\\# 4 C6120001"), (Bytes{198, 18, 0, 1}));
    EXPECT_EQ(from(rrtype::MX, "\\# 5 000A 01 61 00"), cat({{0, 10}, wire({"a"})}));
    // A type we name but do not parse: generic form only, and generic on output.
    EXPECT_EQ(from(rrtype::DS, "\\# 2 ABCD"), (Bytes{0xAB, 0xCD}));
    EXPECT_EQ(text(rrtype::DS, Bytes{0xAB, 0xCD}), "\\# 2 ABCD");
    EXPECT_EQ(err(rrtype::DS, "12345 8 2 ABCD"),
              "type DS has no presentation format here; write it as \\# <length> <hex> (RFC "
              "3597 §5)");
    // The generic data must still be valid RDATA of a known type.
    EXPECT_EQ(err(rrtype::A, "\\# 3 C61200"),
              "\\# data is not valid A RDATA: A RDATA is 3 octets; it must be 4");
    EXPECT_EQ(err(rrtype::MX, "\\# 4 000A C00C"),
              "\\# data is not valid MX RDATA: MX exchange has a compressed or invalid label");
    EXPECT_EQ(err(rrtype::CAA, "\\# 2 0000"),
              "\\# data is not valid CAA RDATA: CAA RDATA has no valid tag (RFC 8659 §4.1)");
    // Invalid wire data of a known type is shown generically rather than misread.
    EXPECT_EQ(text(rrtype::A, Bytes{1, 2, 3}), "\\# 3 010203");
    EXPECT_EQ(text(rrtype::TXT, Bytes{5, 'a'}), "\\# 2 0561");
}

TEST(RdataGeneric, Errors) {
    EXPECT_EQ(err(65280, "\\#"), "\\# needs a length (RFC 3597 §5)");
    EXPECT_EQ(err(65280, "\\# x AB"), "\\# length 'x' is not a number");
    EXPECT_EQ(err(65280, "\\# 65536"), "\\# length 65536 is out of range 0..65535");
    EXPECT_EQ(err(65280, "\\# 4 C612"), "\\# says 4 octets but the data has 2");
    EXPECT_EQ(err(65280, "\\# 1 ABC"), "\\# data has an odd number of hex digits");
    EXPECT_EQ(err(65280, "\\# 1 GG"), "\\# data 'GG' is not hex");
    // A quoted "\#" is just a string, so for TXT it is data.
    EXPECT_EQ(from(rrtype::TXT, "\"\\#\""), cat({{1}, ascii("#")}));
}

TEST(RdataTypes, MetaTypesRefused) {
    EXPECT_EQ(err(rrtype::ANY, "\\# 0"),
              "type ANY is a meta or query type and cannot be a record (RFC 6895 §3.1)");
    EXPECT_EQ(err(rrtype::OPT, "\\# 0"),
              "type OPT is a meta or query type and cannot be a record (RFC 6895 §3.1)");
    EXPECT_EQ(err(rrtype::AXFR, "\\# 0"),
              "type AXFR is a meta or query type and cannot be a record (RFC 6895 §3.1)");
    EXPECT_EQ(err(0, "\\# 0"),
              "type TYPE0 is a meta or query type and cannot be a record (RFC 6895 §3.1)");
}

TEST(RdataTokens, Tokenizer) {
    std::vector<RdataToken> t;
    std::string why;
    ASSERT_TRUE(tokenize_rdata(" a \"b c\"\t(d)\\ e \"\" f\"g", t, why)) << why;
    ASSERT_EQ(t.size(), 6u);
    EXPECT_EQ(t[0].text, "a");
    EXPECT_FALSE(t[0].quoted);
    EXPECT_EQ(t[1].text, "b c");
    EXPECT_TRUE(t[1].quoted);
    EXPECT_EQ(t[2].text, "d");
    EXPECT_EQ(t[3].text, "\\ e");
    EXPECT_EQ(t[4].text, "");
    EXPECT_TRUE(t[4].quoted);
    EXPECT_EQ(t[5].text, "f\"g");  // a quote inside a word is an ordinary character
}

TEST(RdataWire, RoundTripThroughText) {
    // Whatever rdata_to_text prints parses back to the same bytes.
    const std::pair<uint16_t, std::string_view> cases[] = {
        {rrtype::A, "198.18.0.1"},
        {rrtype::AAAA, "2001:db8::53"},
        {rrtype::NS, "ns1.Lan."},
        {rrtype::MX, "0 ."},
        {rrtype::SOA, "a. b\\.c.lan. 1 2 3 4 5"},
        {rrtype::TXT, "\"a\\\"b\" \"\\009tab\" \"\""},
        {rrtype::SRV, "1 2 3 x.lan."},
        {rrtype::CAA, "0 tbs \"\\\"quoted\\\"\""},
        {65280, "\\# 3 010203"},
    };
    for (const auto& [type, txt] : cases) {
        Bytes wire_bytes = from(type, txt);
        std::string shown = rdata_to_text(type, wire_bytes);
        EXPECT_EQ(from(type, shown), wire_bytes) << txt << " -> " << shown;
    }
}

TEST(Ttl, Units) {
    EXPECT_EQ(ttl_from_text("3600"), 3600u);
    EXPECT_EQ(ttl_from_text("0"), 0u);
    EXPECT_EQ(ttl_from_text("1s"), 1u);
    EXPECT_EQ(ttl_from_text("1h"), 3600u);
    EXPECT_EQ(ttl_from_text("1H"), 3600u);
    EXPECT_EQ(ttl_from_text("15m"), 900u);
    EXPECT_EQ(ttl_from_text("2d"), 172800u);
    EXPECT_EQ(ttl_from_text("1w2d"), 777600u);
    EXPECT_EQ(ttl_from_text("1H30M"), 5400u);
    EXPECT_EQ(ttl_from_text("30m1h"), 5400u);  // BIND takes the units in any order
    EXPECT_EQ(ttl_from_text("1w1d1h1m1s"), 694861u);
    EXPECT_EQ(ttl_from_text("4294967295"), 4294967295u);
    EXPECT_EQ(ttl_from_text("7101w3d6h28m15s"), 4294967295u);
}

TEST(Ttl, Malformed) {
    EXPECT_FALSE(ttl_from_text(""));
    EXPECT_FALSE(ttl_from_text("h"));
    EXPECT_FALSE(ttl_from_text("1x"));
    EXPECT_FALSE(ttl_from_text("1h30"));  // a bare number only on its own
    EXPECT_FALSE(ttl_from_text("-1"));
    EXPECT_FALSE(ttl_from_text("1 h"));
    EXPECT_FALSE(ttl_from_text("4294967296"));
    EXPECT_FALSE(ttl_from_text("7101w3d6h28m16s"));
    EXPECT_FALSE(ttl_from_text("99999999999999999999"));
}

}  // namespace
}  // namespace edgelease::control::zone
