// The value parsers behind the loader, tested directly for the edge cases.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "config/text.hpp"

using namespace edgelease;
using namespace edgelease::config::detail;

TEST(ConfigText, DurationErrorsExplain) {
    std::string why;
    EXPECT_FALSE(parse_duration("1.5h", why));
    EXPECT_NE(why.find("fractions are not supported"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("30m1h", why));
    EXPECT_NE(why.find("largest to smallest"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("-1s", why));
    EXPECT_NE(why.find("negative"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("99999999999", why));
    EXPECT_NE(why.find("too long"), std::string::npos) << why;
    EXPECT_FALSE(parse_duration("1h30", why));
    EXPECT_NE(why.find("missing unit after 30"), std::string::npos) << why;
}

TEST(ConfigText, EditDistanceAndSuggestions) {
    EXPECT_EQ(edit_distance("adresses", "addresses"), 1u);
    EXPECT_EQ(edit_distance("prot", "port"), 1u);  // transposition counts once
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("Workers", "workers"), 0u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    constexpr std::array<std::string_view, 4> keys{"port", "addresses", "vlan", "inner_vlan"};
    EXPECT_EQ(closest_match("adresses", keys), "addresses");
    EXPECT_EQ(closest_match("innervlan", keys), "inner_vlan");
    EXPECT_EQ(closest_match("vlna", keys), "vlan");
    EXPECT_FALSE(closest_match("frobnicate", keys));
    EXPECT_FALSE(closest_match("x", keys));
}

TEST(ConfigText, DomainNamesAreNormalised) {
    std::string why;
    EXPECT_EQ(parse_domain_name("LAN", why), "lan.");
    EXPECT_EQ(parse_domain_name("0.18.198.In-Addr.Arpa.", why), "0.18.198.in-addr.arpa.");
    EXPECT_EQ(parse_domain_name("_msdcs.example.", why), "_msdcs.example.");
    EXPECT_FALSE(parse_domain_name("", why));
    EXPECT_FALSE(parse_domain_name(".", why));
    EXPECT_FALSE(parse_domain_name(".lan", why));
    EXPECT_FALSE(parse_domain_name("-lan.", why));
    EXPECT_FALSE(parse_domain_name("la n.", why));
    EXPECT_FALSE(parse_domain_name("lan..", why));
    std::string label63(63, 'a'), label64(64, 'a');
    EXPECT_TRUE(parse_domain_name(label63 + ".lan.", why));
    EXPECT_FALSE(parse_domain_name(label64 + ".lan.", why));
    // 4 labels of 63 = 252 octets of text + 2 = 256 in wire form: one too many.
    std::string long_name = label63 + "." + label63 + "." + label63 + "." + label63;
    EXPECT_FALSE(parse_domain_name(long_name, why));
    EXPECT_NE(why.find("255"), std::string::npos) << why;
    std::string just_fits = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
    EXPECT_TRUE(parse_domain_name(just_fits, why)) << why;
}

TEST(ConfigText, RecordNames) {
    std::string why;
    EXPECT_TRUE(check_record_name("@", "lan.", why));
    EXPECT_TRUE(check_record_name("www", "lan.", why));
    EXPECT_TRUE(check_record_name("*.dyn", "lan.", why));
    EXPECT_TRUE(check_record_name("_sip._udp", "lan.", why));
    EXPECT_TRUE(check_record_name("WWW.LAN.", "lan.", why));
    EXPECT_TRUE(check_record_name("lan.", "lan.", why));
    EXPECT_FALSE(check_record_name("www.notlan.", "lan.", why));
    EXPECT_FALSE(check_record_name("xlan.", "lan.", why));
    EXPECT_FALSE(check_record_name("a.*", "lan.", why));
    EXPECT_FALSE(check_record_name("", "lan.", why));
}

TEST(ConfigText, RecordTypes) {
    std::string why;
    EXPECT_EQ(parse_rr_type("aaaa", why), "AAAA");
    EXPECT_EQ(parse_rr_type("nsec3param", why), "NSEC3PARAM");
    EXPECT_EQ(parse_rr_type("type65535", why), "TYPE65535");
    EXPECT_FALSE(parse_rr_type("TYPE65536", why));
    EXPECT_FALSE(parse_rr_type("TYPE99999999999", why));
    EXPECT_FALSE(parse_rr_type("", why));
    EXPECT_FALSE(parse_rr_type("1A", why));
    EXPECT_FALSE(parse_rr_type("A B", why));
    EXPECT_FALSE(parse_rr_type("TYPE1x", why));
    EXPECT_FALSE(parse_rr_type("TYPE", why));
}

TEST(ConfigText, HexAndRelayIdentifiers) {
    std::string why;
    EXPECT_EQ(parse_hex_bytes("01:02:0A", why), (std::vector<uint8_t>{1, 2, 10}));
    EXPECT_EQ(parse_hex_bytes("01020a", why), (std::vector<uint8_t>{1, 2, 10}));
    EXPECT_FALSE(parse_hex_bytes("1:2", why));
    EXPECT_FALSE(parse_hex_bytes("010", why));
    EXPECT_FALSE(parse_hex_bytes("01:", why));
    EXPECT_FALSE(parse_hex_bytes("01::02", why));
    EXPECT_FALSE(parse_hex_bytes("zz", why));
    EXPECT_FALSE(parse_client_id("01", why));
    EXPECT_FALSE(parse_client_id(std::string(512, 'a'), why));
    EXPECT_EQ(parse_relay_id("ab", why), (std::vector<uint8_t>{'a', 'b'}));
    EXPECT_EQ(parse_relay_id("0xab", why), (std::vector<uint8_t>{0xab}));
    EXPECT_FALSE(parse_relay_id("0x", why));
    EXPECT_FALSE(parse_relay_id("", why));
}

TEST(ConfigText, ListenAddresses) {
    std::string why;
    auto a = parse_listen("127.0.0.1:8053", why);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 8053);
    EXPECT_TRUE(a->loopback);
    auto b = parse_listen("[2001:db8::1]:443", why);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "2001:db8::1");
    EXPECT_FALSE(b->loopback);
    EXPECT_TRUE(parse_listen("[::1]:1", why)->loopback);
    EXPECT_TRUE(parse_listen("localhost:8053", why)->loopback);
    EXPECT_FALSE(parse_listen("0.0.0.0:8053", why)->loopback);
    EXPECT_FALSE(parse_listen("127.0.0.1", why));
    EXPECT_FALSE(parse_listen("127.0.0.1:0", why));
    EXPECT_FALSE(parse_listen("127.0.0.1:", why));
    EXPECT_FALSE(parse_listen("example.com:80", why));
    EXPECT_FALSE(parse_listen("[::1:80", why));
    EXPECT_FALSE(parse_listen("[::1]80", why));
}

TEST(ConfigText, PoolsAndSubnets) {
    std::string why;
    auto p = parse_pool_range("198.18.0.10 - 198.18.0.20", why);
    ASSERT_TRUE(p) << why;
    EXPECT_EQ(p->first, net::parse_ipv4("198.18.0.10"));
    EXPECT_EQ(p->last, net::parse_ipv4("198.18.0.20"));
    EXPECT_TRUE(parse_pool_range("198.18.0.10-198.18.0.10", why));
    EXPECT_FALSE(parse_pool_range("198.18.0.10", why));
    EXPECT_FALSE(parse_pool_range("198.18.0.10-198.18.0", why));
    EXPECT_NE(why.find("'198.18.0' is not an IPv4 address"), std::string::npos) << why;
    EXPECT_TRUE(parse_ipv4_subnet("0.0.0.0/0", why));
    EXPECT_FALSE(parse_ipv4_subnet("198.18.0.128/24", why));
    EXPECT_NE(why.find("did you mean 198.18.0.0/24?"), std::string::npos) << why;
    EXPECT_FALSE(parse_address_prefix("198.18.0.1/2x", why));
    EXPECT_FALSE(parse_address_prefix("198.18.0.1/", why));
    EXPECT_FALSE(parse_address_prefix("198.18.0.1/+8", why));
}

TEST(ConfigText, QuotingEscapesControlCharacters) {
    EXPECT_EQ(squote("a\tb"), "'a\\x09b'");
    EXPECT_EQ(squote("plain"), "'plain'");
}

TEST(ConfigText, Ipv6PrefixesAndPools) {
    std::string why;
    auto p = parse_ipv6_prefix("2001:db8:8000::/40", why);
    ASSERT_TRUE(p) << why;
    EXPECT_TRUE(p->is_v6);
    EXPECT_EQ(p->prefix_len, 40);
    EXPECT_TRUE(parse_ipv6_prefix("::/0", why));
    EXPECT_TRUE(parse_ipv6_prefix("2001:db8::1/128", why));
    EXPECT_TRUE(parse_ipv6_prefix("2001:db8:0:8000::/49", why));
    // Host bits in the partial byte and in a whole byte past the length.
    EXPECT_FALSE(parse_ipv6_prefix("2001:db8:0:c000::/49", why));
    EXPECT_NE(why.find("did you mean 2001:db8:0:8000::/49?"), std::string::npos) << why;
    EXPECT_FALSE(parse_ipv6_prefix("2001:db8::1/127", why));
    EXPECT_NE(why.find("did you mean 2001:db8::/127?"), std::string::npos) << why;
    EXPECT_FALSE(parse_ipv6_prefix("198.18.0.0/24", why));
    EXPECT_FALSE(parse_ipv6_prefix("2001:db8::", why));
    EXPECT_FALSE(parse_ipv6_prefix("2001:db8::/129", why));

    auto r = parse_pool6_range("2001:db8::10 - 2001:db8::1f", why);
    ASSERT_TRUE(r) << why;
    EXPECT_EQ(r->first, net::parse_ipv6("2001:db8::10"));
    EXPECT_EQ(r->last, net::parse_ipv6("2001:db8::1f"));
    EXPECT_TRUE(parse_pool6_range("2001:db8::10-2001:db8::10", why));
    EXPECT_FALSE(parse_pool6_range("2001:db8::1f-2001:db8::10", why));
    EXPECT_FALSE(parse_pool6_range("2001:db8::10-", why));
    EXPECT_FALSE(parse_pool6_range("198.18.0.1-198.18.0.2", why));
    EXPECT_TRUE(parse_ipv6_addr("::1", why));
    EXPECT_FALSE(parse_ipv6_addr("2001:db8::/64", why));
}

TEST(ConfigText, Dhcp6Identifiers) {
    std::string why;
    // RFC 9915 §11.1: a type code and 1 to 128 octets.
    EXPECT_EQ(parse_duid("00:03:00:01:02", why), (std::vector<uint8_t>{0, 3, 0, 1, 2}));
    EXPECT_EQ(parse_duid("000201", why), (std::vector<uint8_t>{0, 2, 1}));
    EXPECT_FALSE(parse_duid("0002", why));
    EXPECT_TRUE(parse_duid(std::string(260, 'a'), why));
    EXPECT_FALSE(parse_duid(std::string(262, 'a'), why));
    EXPECT_NE(why.find("is 131 bytes"), std::string::npos) << why;
    EXPECT_FALSE(parse_duid("eth0", why));
    // Relay identifiers read like DHCPv4's circuit_id/remote_id: text, or hex after 0x.
    EXPECT_EQ(parse_relay6_id("eth0", why), (std::vector<uint8_t>{'e', 't', 'h', '0'}));
    EXPECT_EQ(parse_relay6_id("0X0a0B", why), (std::vector<uint8_t>{0x0a, 0x0b}));
    EXPECT_TRUE(parse_relay6_id(std::string(255, 'x'), why));
    EXPECT_FALSE(parse_relay6_id(std::string(256, 'x'), why));
    EXPECT_FALSE(parse_relay6_id("", why));
    EXPECT_FALSE(parse_relay6_id("0x", why));
}
