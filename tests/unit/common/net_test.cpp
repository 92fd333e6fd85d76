#include <gtest/gtest.h>

#include "common/net.hpp"

using namespace edgelease::net;

TEST(Net, ParsesAndFormatsIpv4) {
    auto a = parse_ipv4("198.18.0.1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value, 0xC6120001u);
    EXPECT_EQ(to_string(*a), "198.18.0.1");
    EXPECT_FALSE(parse_ipv4("198.18.0"));
    EXPECT_FALSE(parse_ipv4("198.18.0.256"));
    EXPECT_FALSE(parse_ipv4("198.18.0.1 "));
    EXPECT_FALSE(parse_ipv4(""));
}

TEST(Net, ParsesIpv6AndPrefixes) {
    auto p = parse_if_address("2001:db8::1/64");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->is_v6);
    EXPECT_EQ(p->prefix_len, 64);
    EXPECT_EQ(to_string(*p), "2001:db8::1/64");
    EXPECT_FALSE(parse_if_address("2001:db8::1/129"));
    EXPECT_FALSE(parse_if_address("198.18.0.1/33"));
    EXPECT_FALSE(parse_if_address("198.18.0.1"));
    EXPECT_FALSE(parse_if_address("198.18.0.1/"));
    EXPECT_FALSE(parse_if_address("198.18.0.1/2x"));
}

TEST(Net, ParsesMac) {
    auto m = parse_mac("02:00:00:00:00:5A");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes[5], 0x5a);
    EXPECT_EQ(to_string(*m), "02:00:00:00:00:5a");
    EXPECT_TRUE(parse_mac("02-00-00-00-00-5a"));
    EXPECT_FALSE(parse_mac("02:00:00:00:00"));
    EXPECT_FALSE(parse_mac("02:00:00:00:00:zz"));
}

TEST(Net, PrefixMembership) {
    auto net = *parse_ipv4("198.18.0.0");
    EXPECT_TRUE(in_prefix(*parse_ipv4("198.18.0.77"), net, 24));
    EXPECT_FALSE(in_prefix(*parse_ipv4("198.18.1.77"), net, 24));
    EXPECT_TRUE(in_prefix(*parse_ipv4("1.2.3.4"), net, 0));
    auto n6 = *parse_ipv6("2001:db8::");
    EXPECT_TRUE(in_prefix(*parse_ipv6("2001:db8::99"), n6, 64));
    EXPECT_FALSE(in_prefix(*parse_ipv6("2001:db9::99"), n6, 32));
}

TEST(Net, LinkLocalFromMacIsModifiedEui64) {
    auto ll = link_local_from_mac(*parse_mac("02:00:00:00:00:01"));
    EXPECT_EQ(to_string(ll), "fe80::ff:fe00:1");
}
