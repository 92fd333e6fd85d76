// Loading valid [[dhcp6.scopes]]: every field of a full scope, the defaults, the value
// spellings, and the sharing of address space that is allowed.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "config/config.hpp"

using namespace edgelease;
using namespace edgelease::config;
using namespace std::chrono_literals;

namespace {

const std::string kRoot = EDGELEASE_SOURCE_DIR;

std::string dump(const LoadResult& r) {
    std::string out;
    for (const auto& e : r.errors) out += e.to_string() + "\n";
    return out;
}

net::Ipv6Addr v6(const char* s) {
    return *net::parse_ipv6(s);
}

/// Loads `text` after one interface; fails the test on any error.
Config load(const std::string& text) {
    auto r = load_config_string("[[interfaces]]\nport = \"p0\"\n" + text, "dhcp6.toml");
    EXPECT_TRUE(r.errors.empty()) << dump(r);
    return r.config ? *r.config : Config{};
}

// The operator interface as given in the DHCPv6 brief, verbatim.
const char* const kExample = R"(
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"                  # the link's prefix; selects the scope
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
preferred_lifetime = "30m"
valid_lifetime = "1h"
t1 = "15m"
t2 = "24m"
dns_servers = ["2001:db8::1"]
domain = "lan."
domain_search = ["lan.", "example."]
rapid_commit = false
offer_hold = "30s"
decline_probation = "10m"

[dhcp6.scopes.dns]
update = true

[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
prefixes = ["2001:db8:8100::/56"]
hostname = "my-server"
)";

}  // namespace

TEST(ConfigDhcp6, FullScopeFieldByField) {
    const Config c = load(kExample);
    ASSERT_EQ(c.dhcp6.scopes.size(), 1u);
    const Scope6Config& s = c.dhcp6.scopes[0];
    EXPECT_EQ(s.name, "lan6");
    EXPECT_TRUE(s.prefix.is_v6);
    EXPECT_EQ(s.prefix.v6, v6("2001:db8::"));
    EXPECT_EQ(s.prefix.prefix_len, 64);
    ASSERT_EQ(s.pools.size(), 1u);
    EXPECT_EQ(s.pools[0].first, v6("2001:db8::1000"));
    EXPECT_EQ(s.pools[0].last, v6("2001:db8::1fff"));
    EXPECT_EQ(s.pools[0].where.file, "dhcp6.toml");
    EXPECT_EQ(s.pools[0].where.line, 7u);
    ASSERT_EQ(s.pd_pools.size(), 1u);
    EXPECT_EQ(net::to_string(s.pd_pools[0].prefix), "2001:db8:8000::/40");
    EXPECT_EQ(s.pd_pools[0].delegated_length, 56);
    EXPECT_EQ(s.pd_pools[0].where.line, 8u);
    EXPECT_EQ(s.preferred_lifetime, 30min);
    EXPECT_EQ(s.valid_lifetime, 1h);
    EXPECT_EQ(s.t1, std::optional(15min));
    EXPECT_EQ(s.t2, std::optional(24min));
    EXPECT_EQ(s.dns_servers, std::vector{v6("2001:db8::1")});
    EXPECT_EQ(s.domain, "lan.");
    EXPECT_EQ(s.domain_search, (std::vector<std::string>{"lan.", "example."}));
    EXPECT_FALSE(s.rapid_commit);
    EXPECT_EQ(s.offer_hold, 30s);
    EXPECT_EQ(s.decline_probation, 10min);
    EXPECT_EQ(s.dns, ScopeDnsPolicy{});
    EXPECT_EQ(s.where.line, 4u);

    ASSERT_EQ(s.reservations.size(), 1u);
    const Reservation6Config& res = s.reservations[0];
    EXPECT_EQ(res.hw_address, net::parse_mac("02:00:00:00:00:50"));
    EXPECT_TRUE(res.duid.empty());
    EXPECT_TRUE(res.remote_id.empty());
    EXPECT_TRUE(res.interface_id.empty());
    EXPECT_EQ(res.ip, std::optional(v6("2001:db8::50")));
    ASSERT_EQ(res.prefixes.size(), 1u);
    EXPECT_EQ(net::to_string(res.prefixes[0]), "2001:db8:8100::/56");
    EXPECT_EQ(res.hostname, "my-server");
    EXPECT_EQ(res.where.line, 23u);

    EXPECT_TRUE(c.dhcp.scopes.empty());  // the families are apart
}

TEST(ConfigDhcp6, FullExampleFileHasTheScope) {
    auto r = load_config_file(kRoot + "/config/examples/full.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    ASSERT_EQ(r.config->dhcp6.scopes.size(), 2u);
    const auto& lan6 = r.config->dhcp6.scopes[0];
    EXPECT_EQ(lan6.name, "lan6");
    EXPECT_EQ(net::to_string(lan6.prefix), "2001:db8::/64");
    EXPECT_EQ(lan6.t2, std::optional(24min));
    ASSERT_EQ(lan6.reservations.size(), 3u);
    EXPECT_EQ(lan6.reservations[0].prefixes.size(), 1u);
    EXPECT_EQ(lan6.reservations[1].duid,
              (std::vector<uint8_t>{0, 1, 0, 1, 0x2a, 0x3b, 0x4c, 0x5d, 2, 0, 0, 0, 0, 0x51}));
    EXPECT_EQ(std::string(lan6.reservations[2].interface_id.begin(),
                          lan6.reservations[2].interface_id.end()),
              "eth0/1/3");
    EXPECT_EQ(lan6.reservations[2].remote_id, (std::vector<uint8_t>{0x0a, 0x0b, 0x0c, 0x0d}));
    EXPECT_FALSE(lan6.reservations[2].ip);
    const auto& tagged6 = r.config->dhcp6.scopes[1];
    EXPECT_TRUE(tagged6.pools.empty());
    EXPECT_TRUE(tagged6.pd_pools.empty());
    EXPECT_TRUE(tagged6.reservations.empty());
}

TEST(ConfigDhcp6, Defaults) {
    const Config c = load(R"(
[[dhcp6.scopes]]
name = "s"
prefix = "2001:db8::/64"
)");
    ASSERT_EQ(c.dhcp6.scopes.size(), 1u);
    const Scope6Config& s = c.dhcp6.scopes[0];
    EXPECT_TRUE(s.pools.empty());  // stateless: Information-Request only
    EXPECT_TRUE(s.pd_pools.empty());
    EXPECT_EQ(s.preferred_lifetime, 30min);
    EXPECT_EQ(s.valid_lifetime, 1h);
    EXPECT_FALSE(s.t1);  // 50% and 80% of preferred_lifetime, filled in by the engine
    EXPECT_FALSE(s.t2);
    EXPECT_TRUE(s.dns_servers.empty());
    EXPECT_TRUE(s.domain.empty());
    EXPECT_TRUE(s.domain_search.empty());
    EXPECT_FALSE(s.rapid_commit);
    EXPECT_EQ(s.offer_hold, 30s);
    EXPECT_EQ(s.decline_probation, 10min);
    EXPECT_TRUE(s.reservations.empty());
}

TEST(ConfigDhcp6, WithoutTheSectionNothingChanges) {
    const Config c = load("");
    EXPECT_TRUE(c.dhcp6.scopes.empty());
    const Config empty = load("[dhcp6]\n");
    EXPECT_TRUE(empty.dhcp6.scopes.empty());
}

TEST(ConfigDhcp6, DnsPolicyDefaultsAndSpellingsAreTheV4Ones) {
    const Config defaults = load(R"(
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp6.scopes]]
name = "lan"
prefix = "2001:db8::/64"
)");
    ASSERT_EQ(defaults.dhcp.scopes.size(), 1u);
    ASSERT_EQ(defaults.dhcp6.scopes.size(), 1u);
    EXPECT_EQ(defaults.dhcp6.scopes[0].dns, defaults.dhcp.scopes[0].dns);
    EXPECT_EQ(defaults.dhcp6.scopes[0].dns, ScopeDnsPolicy{});

    const char* const policy = R"(
update = false
delete_on_release = false
delete_on_expiry = true
ptr_delete_on_release = false
ptr_delete_on_expiry = true
reservation_records = "follow-lease"
stale_after = "7d"
on_conflict = "overwrite"
)";
    const Config set = load(std::string(R"(
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[dhcp.scopes.dns])") + policy +
                            R"(
[[dhcp6.scopes]]
name = "lan"
prefix = "2001:db8::/64"
[dhcp6.scopes.dns])" + policy);
    ASSERT_EQ(set.dhcp6.scopes.size(), 1u);
    const ScopeDnsPolicy& p = set.dhcp6.scopes[0].dns;
    EXPECT_EQ(p, set.dhcp.scopes[0].dns);
    EXPECT_FALSE(p.update);
    EXPECT_TRUE(p.delete_on_expiry);
    EXPECT_EQ(p.reservation_records, ReservationRecords::FollowLease);
    EXPECT_EQ(p.stale_after, std::optional(std::chrono::seconds(7 * 86400)));
    EXPECT_EQ(p.on_conflict, OnConflict::Overwrite);
}

TEST(ConfigDhcp6, PdPoolsAsTablesAndIdentifierSpellings) {
    const Config c = load(R"(
[[dhcp6.scopes]]
name = "cpe"
prefix = "2001:db8:1::/64"
pools = [" 2001:db8:1::100 - 2001:db8:1::1ff "]
preferred_lifetime = 3600
valid_lifetime = "2h"
rapid_commit = true
[[dhcp6.scopes.pd_pools]]
prefix = "2001:db8:8000::/40"
[[dhcp6.scopes.pd_pools]]
prefix = "2001:db8:9000::/48"
delegated_length = 60
[[dhcp6.scopes.reservations]]
duid = "000300010200000000aa"
prefixes = ["2001:db8:8000:100::/56", "2001:db8:9000:10::/60"]
[[dhcp6.scopes.reservations]]
remote_id = "0x0A0B"
interface_id = "ge-0/0/1.100"
ip = "2001:db8:1::150"
hostname = "CPE-2"
[[dhcp6.scopes.reservations]]
interface_id = "ge-0/0/1.100"
remote_id = "0x0c0d"
ip = "2001:db8:1::1"
)");
    ASSERT_EQ(c.dhcp6.scopes.size(), 1u);
    const Scope6Config& s = c.dhcp6.scopes[0];
    EXPECT_EQ(s.pools[0].first, v6("2001:db8:1::100"));
    ASSERT_EQ(s.pd_pools.size(), 2u);
    EXPECT_EQ(s.pd_pools[0].delegated_length, 56);  // the default
    EXPECT_EQ(s.pd_pools[1].delegated_length, 60);
    EXPECT_EQ(s.preferred_lifetime, 1h);
    EXPECT_EQ(s.valid_lifetime, 2h);
    EXPECT_TRUE(s.rapid_commit);
    ASSERT_EQ(s.reservations.size(), 3u);
    // A reserved prefix may be one of a pool's delegated prefixes.
    EXPECT_EQ(s.reservations[0].duid, (std::vector<uint8_t>{0, 3, 0, 1, 2, 0, 0, 0, 0, 0xaa}));
    EXPECT_FALSE(s.reservations[0].ip);
    EXPECT_EQ(s.reservations[0].prefixes.size(), 2u);
    EXPECT_EQ(s.reservations[1].remote_id, (std::vector<uint8_t>{0x0a, 0x0b}));
    EXPECT_EQ(
        std::string(s.reservations[1].interface_id.begin(), s.reservations[1].interface_id.end()),
        "ge-0/0/1.100");
    EXPECT_EQ(s.reservations[1].hostname, "cpe-2");
    // The same interface-id under another remote-id is another client.
    EXPECT_EQ(s.reservations[2].remote_id, (std::vector<uint8_t>{0x0c, 0x0d}));
    EXPECT_EQ(s.reservations[2].ip, std::optional(v6("2001:db8:1::1")));
}

TEST(ConfigDhcp6, SharingThatIsAllowed) {
    // A reserved address inside a pool; a PD pool inside its own scope's prefix but outside
    // its pools; a v6 scope named like a v4 scope; /127 and /128 links use every address.
    const Config c = load(R"(
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp6.scopes]]
name = "lan"
prefix = "2001:db8::/48"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:0:8000::/49", delegated_length = 64 } ]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::1050"
[[dhcp6.scopes]]
name = "p2p"
prefix = "2001:db8:1::/127"
pools = ["2001:db8:1::-2001:db8:1::1"]
[[dhcp6.scopes]]
name = "host"
prefix = "2001:db8:2::7/128"
[[dhcp6.scopes.reservations]]
duid = "00:03:00:01:02:00:00:00:00:07"
ip = "2001:db8:2::7"
)");
    ASSERT_EQ(c.dhcp6.scopes.size(), 3u);
    EXPECT_EQ(c.dhcp6.scopes[0].name, c.dhcp.scopes[0].name);
    EXPECT_EQ(c.dhcp6.scopes[0].pd_pools.size(), 1u);
    EXPECT_EQ(c.dhcp6.scopes[0].reservations[0].ip, std::optional(v6("2001:db8::1050")));
    EXPECT_EQ(c.dhcp6.scopes[1].pools[0].first, v6("2001:db8:1::"));
    EXPECT_EQ(c.dhcp6.scopes[2].reservations[0].ip, std::optional(v6("2001:db8:2::7")));
}

TEST(ConfigDhcp6, ManyReservationsLoad) {
    // Overlap checks are map searches: ten thousand reservations stay quick.
    std::string text = R"(
[[dhcp6.scopes]]
name = "big"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
)";
    char buf[160];
    for (int i = 0; i < 10000; ++i) {
        std::snprintf(buf, sizeof buf,
                      "[[dhcp6.scopes.reservations]]\nduid = \"000300010200%08x\"\n"
                      "ip = \"2001:db8::%x\"\nprefixes = [\"2001:db8:80%02x:%x00::/56\"]\n",
                      i, i + 1, i >> 8, i & 0xff);
        text += buf;
    }
    const Config c = load(text);
    ASSERT_EQ(c.dhcp6.scopes.size(), 1u);
    EXPECT_EQ(c.dhcp6.scopes[0].reservations.size(), 10000u);
}
