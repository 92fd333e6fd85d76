// Bad [dhcp6] and [[dhcp6.scopes]] configurations (scope keys, prefixes, pools, PD pools,
// lifetimes, options, DNS policy): each names the file, line, column, key path and reason.
#include "tests/unit/config/bad_config_case.hpp"

using namespace edgelease::config;
using namespace edgelease::config::test;

namespace {

// Each text starts on line 1 right after R"(.
const BadCase kCases[] = {
    {"missing_name", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
prefix = "2001:db8::/64"
)",
     "dhcp6.scopes[0].name", 3, 1, "missing required key 'name'"},
    {"empty_name", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = ""
prefix = "2001:db8::/64"
)",
     "dhcp6.scopes[0].name", 4, 8, "must not be empty"},
    {"duplicate_name", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8:1::/64"
)",
     "dhcp6.scopes[1].name", 7, 8, "scope name 'lan6' is already used by dhcp6.scopes[0] (line 3)"},
    {"missing_prefix", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
)",
     "dhcp6.scopes[0].prefix", 3, 1, "missing required key 'prefix'"},
    {"prefix_ipv4", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "198.18.0.0/24"
)",
     "dhcp6.scopes[0].prefix", 5, 10, "'198.18.0.0/24' is an IPv4 prefix; expected an IPv6 prefix"},
    {"prefix_host_bits", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::1/64"
)",
     "dhcp6.scopes[0].prefix", 5, 10,
     "'2001:db8::1/64' has host bits set; did you mean 2001:db8::/64?"},
    {"prefix_no_length", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::"
)",
     "dhcp6.scopes[0].prefix", 5, 10,
     "'2001:db8::' has no prefix length; write address/length, e.g. 2001:db8::/64"},
    {"prefix_zero_length", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "::/0"
)",
     "dhcp6.scopes[0].prefix", 5, 10,
     "'::/0' covers every address; a link's prefix is 1 to 128 bits long"},
    {"prefix_multicast", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "ff02::/16"
)",
     "dhcp6.scopes[0].prefix", 5, 10,
     "ff02::/16 reaches into multicast (ff00::/8, RFC 4291 §2.7) space"},
    {"prefix_link_local", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "fe80::/64"
)",
     "dhcp6.scopes[0].prefix", 5, 10, "fe80::/64 reaches into link-local (fe80::/10"},
    {"prefix_short_reaches_multicast", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "8000::/1"
)",
     "dhcp6.scopes[0].prefix", 5, 10, "8000::/1 reaches into multicast"},
    {"prefix_overlaps_other_scope", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "a"
prefix = "2001:db8::/48"
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:0:1::/64"
pools = ["2001:db8:0:1::10-2001:db8:0:1::20"]
)",
     "dhcp6.scopes[1].prefix", 8, 10,
     "2001:db8:0:1::/64 overlaps dhcp6.scopes[0].prefix 2001:db8::/48 (line 5)"},
    {"pool_outside_prefix", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8:1::1fff"]
)",
     "dhcp6.scopes[0].pools[0]", 6, 10,
     "'2001:db8::1000-2001:db8:1::1fff' is outside the scope's prefix 2001:db8::/64"},
    {"pool_backwards", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::2000-2001:db8::1fff"]
)",
     "dhcp6.scopes[0].pools[0]", 6, 10, "runs backwards"},
    {"pool_not_a_range", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000"]
)",
     "dhcp6.scopes[0].pools[0]", 6, 10,
     "is not a range; write first-last, e.g. 2001:db8::1000-2001:db8::1fff"},
    {"pool_bad_address", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-198.18.0.1"]
)",
     "dhcp6.scopes[0].pools[0]", 6, 10, "'198.18.0.1' is not an IPv6 address"},
    {"pool_anycast", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::-2001:db8::ff"]
)",
     "dhcp6.scopes[0].pools[0]", 6, 10,
     "includes the Subnet-Router anycast address 2001:db8:: (RFC 4291 §2.6.1)"},
    {"pools_overlap", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff",
         "2001:db8::1800-2001:db8::2fff"]
)",
     "dhcp6.scopes[0].pools[1]", 7, 10,
     "2001:db8::1800-2001:db8::2fff overlaps dhcp6.scopes[0].pools[0] "
     "2001:db8::1000-2001:db8::1fff (line 6)"},
    {"pools_not_an_array", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = "2001:db8::1000-2001:db8::1fff"
)",
     "dhcp6.scopes[0].pools", 6, 9, "expected an array, got a string"},
    {"pd_pool_host_bits", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8001::/40", delegated_length = 56 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].prefix", 6, 25,
     "has host bits set; did you mean 2001:db8:8000::/40?"},
    {"pd_pool_missing_prefix", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { delegated_length = 56 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].prefix", 6, 14, "missing required key 'prefix'"},
    {"pd_pool_delegated_shorter", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 36 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].delegated_length", 6, 66,
     "delegated_length 36 is shorter than the pool's prefix 2001:db8:8000::/40; it must be between "
     "40 and 128"},
    {"pd_pool_default_delegated_shorter", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.pd_pools]]
prefix = "2001:db8:8000::/60"
)",
     "dhcp6.scopes[0].pd_pools[0].delegated_length", 6, 1,
     "delegated_length 56 (the default) is shorter than the pool's prefix 2001:db8:8000::/60"},
    {"pd_pool_delegated_out_of_range", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 129 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].delegated_length", 6, 66, "must be between 1 and 128, got 129"},
    {"pd_pool_unknown_key", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_len = 56 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].delegated_len", 6, 47,
     "unknown key 'delegated_len' (did you mean 'delegated_length'?)"},
    {"pd_pools_not_tables", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ "2001:db8:8000::/40" ]
)",
     "dhcp6.scopes[0].pd_pools[0]", 6, 14, "expected a table, got a string"},
    {"pd_pools_overlap", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.pd_pools]]
prefix = "2001:db8:8000::/40"
[[dhcp6.scopes.pd_pools]]
prefix = "2001:db8:8080::/48"
)",
     "dhcp6.scopes[0].pd_pools[1].prefix", 9, 10,
     "2001:db8:8080::/48 overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:8000::/40 (line 7)"},
    {"pd_pool_overlaps_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/48"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8::/56", delegated_length = 64 } ]
)",
     "dhcp6.scopes[0].pd_pools[0].prefix", 7, 25,
     "2001:db8::/56 overlaps dhcp6.scopes[0].pools[0] 2001:db8::1000-2001:db8::1fff (line 6)"},
    {"pd_pool_overlaps_other_scope_prefix", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:1::/64"
pd_pools = [ { prefix = "2001:db8::/60", delegated_length = 64 } ]
)",
     "dhcp6.scopes[1].pd_pools[0].prefix", 9, 25,
     "2001:db8::/60 overlaps dhcp6.scopes[0].prefix 2001:db8::/64 (line 5)"},
    {"later_prefix_overlaps_pd_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40" } ]
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:8000::/64"
)",
     "dhcp6.scopes[1].prefix", 9, 10,
     "2001:db8:8000::/64 overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:8000::/40 (line 6)"},
    {"pd_pools_overlap_across_scopes", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40" } ]
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:1::/64"
pd_pools = [ { prefix = "2001:db8:80ff::/48" } ]
)",
     "dhcp6.scopes[1].pd_pools[0].prefix", 10, 25,
     "overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:8000::/40 (line 6)"},
    {"preferred_longer_than_valid", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
preferred_lifetime = "2h"
valid_lifetime = "1h"
)",
     "dhcp6.scopes[0].preferred_lifetime", 6, 22,
     "preferred_lifetime (7200s) must not be longer than valid_lifetime (3600s)"},
    {"valid_below_default_preferred", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
valid_lifetime = "10m"
)",
     "dhcp6.scopes[0].valid_lifetime", 6, 18,
     "preferred_lifetime (1800s, the default) must not be longer than valid_lifetime (600s)"},
    {"valid_lifetime_too_short", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
valid_lifetime = "5s"
)",
     "dhcp6.scopes[0].valid_lifetime", 6, 18, "'5s' is shorter than the minimum of 10s"},
    {"preferred_lifetime_zero", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
preferred_lifetime = 0
)",
     "dhcp6.scopes[0].preferred_lifetime", 6, 22, "0 is shorter than the minimum of 10s"},
    {"valid_lifetime_infinite", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
valid_lifetime = 4294967295
)",
     "dhcp6.scopes[0].valid_lifetime", 6, 18, "is longer than the maximum of 4294967294s"},
    {"t2_longer_than_preferred", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
preferred_lifetime = "30m"
t2 = "40m"
)",
     "dhcp6.scopes[0].t2", 7, 6, "t2 (2400s) must not be longer than preferred_lifetime (1800s)"},
    {"t1_longer_than_preferred", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
preferred_lifetime = "30m"
t1 = "31m"
t2 = "30m"
)",
     "dhcp6.scopes[0].t1", 7, 6, "t1 (1860s) must not be longer than preferred_lifetime (1800s)"},
    {"t1_longer_than_t2", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
t1 = "20m"
t2 = "15m"
)",
     "dhcp6.scopes[0].t1", 6, 6, "t1 (1200s) must not be longer than t2 (900s)"},
    {"t1_longer_than_default_t2", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
t1 = "25m"
)",
     "dhcp6.scopes[0].t1", 6, 6,
     "t1 (1500s) must not be longer than t2 (1440s, the default 80% of preferred_lifetime)"},
    {"t2_below_default_t1", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
t2 = "10m"
)",
     "dhcp6.scopes[0].t2", 6, 6,
     "t1 (900s, the default 50% of preferred_lifetime) must not be longer than t2 (600s)"},
    {"t1_zero", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
t1 = 0
)",
     "dhcp6.scopes[0].t1", 6, 6, "is shorter than the minimum of 1s"},
    {"dns_server_not_ipv6", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
dns_servers = ["2001:db8::1", "198.18.0.1"]
)",
     "dhcp6.scopes[0].dns_servers[1]", 6, 31, "'198.18.0.1' is not an IPv6 address"},
    {"domain_bad", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
domain = "lan..example"
)",
     "dhcp6.scopes[0].domain", 6, 10, "has an empty label"},
    {"domain_search_bad", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
domain_search = ["lan.", "-bad."]
)",
     "dhcp6.scopes[0].domain_search[1]", 6, 26, "must not start or end with a hyphen"},
    {"rapid_commit_not_bool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
rapid_commit = "yes"
)",
     "dhcp6.scopes[0].rapid_commit", 6, 16, "expected a boolean (true or false), got a string"},
    {"offer_hold_too_long", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
offer_hold = "2h"
)",
     "dhcp6.scopes[0].offer_hold", 6, 14, "'2h' is longer than the maximum of 3600s"},
    {"decline_probation_zero", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
decline_probation = "0s"
)",
     "dhcp6.scopes[0].decline_probation", 6, 21, "is shorter than the minimum of 1s"},
    {"dns_policy_typo", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[dhcp6.scopes.dns]
upate = false
)",
     "dhcp6.scopes[0].dns.upate", 7, 1, "unknown key 'upate' (did you mean 'update'?)"},
    {"dns_policy_stale_after_zero", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[dhcp6.scopes.dns]
stale_after = "0s"
)",
     "dhcp6.scopes[0].dns.stale_after", 7, 15, "must be positive; write \"off\" to disable"},
    {"dns_policy_bad_choice", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[dhcp6.scopes.dns]
reservation_records = "permanet"
)",
     "dhcp6.scopes[0].dns.reservation_records", 7, 23, "(did you mean 'permanent'?)"},
    {"scope_unknown_key", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
lease_time = "1h"
)",
     "dhcp6.scopes[0].lease_time", 6, 1, "unknown key 'lease_time'"},
    {"scope_v4_key_subnet", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
subnet = "2001:db8::/64"
)",
     "dhcp6.scopes[0].subnet", 5, 1, "unknown key 'subnet'", 2},
    {"section_unknown_key", R"([[interfaces]]
port = "p0"
[dhcp6]
relay_discover_rate = 10
)",
     "dhcp6.relay_discover_rate", 4, 1,
     "unknown key 'relay_discover_rate' (expected one of: scopes relay_solicit_rate)"},
    {"relay_solicit_rate_negative", R"([[interfaces]]
port = "p0"
[dhcp6]
relay_solicit_rate = -1
)",
     "dhcp6.relay_solicit_rate", 4, 22, "must be between 0 and 1000000, got -1"},
    {"section_typo", R"([[interfaces]]
port = "p0"
[dhcp6]
scope = []
)",
     "dhcp6.scope", 4, 1, "unknown key 'scope' (did you mean 'scopes'?)"},
    {"scopes_not_tables", R"([[interfaces]]
port = "p0"
[dhcp6]
scopes = "lan6"
)",
     "dhcp6.scopes", 4, 10, "expected an array of tables (write [[dhcp6.scopes]]), got a string"},
    {"unknown_top_level_dhcp7", R"([[interfaces]]
port = "p0"
[[dhcp7.scopes]]
name = "x"
)",
     "dhcp7", 3, 3, "unknown table 'dhcp7'"},
};

class BadDhcp6Config : public testing::TestWithParam<BadCase> {};

TEST_P(BadDhcp6Config, ReportsKeyLineAndReason) {
    expect_bad_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, BadDhcp6Config, testing::ValuesIn(kCases), case_name);

}  // namespace
