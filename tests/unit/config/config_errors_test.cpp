// Bad configurations (appliance, dpdk, interfaces, api, dns, first DHCP cases): each names
// the file, line, column, key path and reason.
#include "tests/unit/config/bad_config_case.hpp"

using namespace edgelease::config;
using namespace edgelease::config::test;

namespace {

// Each text starts on line 1 right after R"(.
const BadCase kCases[] = {
    {"typo_key_with_suggestion", R"([[interfaces]]
port = "net_tap0"
adresses = ["198.18.0.1/24"]
)",
     "interfaces[0].adresses", 3, 1, "unknown key 'adresses' (did you mean 'addresses'?)"},
    {"typo_indented_key", R"([[interfaces]]
port = "net_tap0"
    prot = 1
)",
     "interfaces[0].prot", 3, 5, "unknown key 'prot' (did you mean 'port'?)"},
    {"unknown_key_without_suggestion", R"([[interfaces]]
port = "net_tap0"
[dpdk]
frobnicate = true
)",
     "dpdk.frobnicate", 4, 1, "unknown key 'frobnicate' (expected one of: eal_args workers"},
    {"exception_namespace_path", R"([[interfaces]]
port = "p0"
[exception]
namespace = "../etc"
)",
     "exception.namespace", 4, 13, "'../etc' is not a namespace name"},
    {"exception_enabled_not_bool", R"([[interfaces]]
port = "p0"
[exception]
enabled = "yes"
)",
     "exception.enabled", 4, 11, "expected a boolean"},
    {"exception_typo", R"([[interfaces]]
port = "p0"
[exception]
netns = "x"
)",
     "exception.netns", 4, 1, "unknown key 'netns'"},
    {"unknown_table", R"([[interfaces]]
port = "p0"
[dhcp.scopes.dnss]
update = true
)",
     "dhcp.scopes", 3, 0, "expected an array of tables (write [[dhcp.scopes]]), got a table"},
    {"unknown_sub_table", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "a"
subnet = "198.18.0.0/24"
[dhcp.scopes.dnss]
update = true
)",
     "dhcp.scopes[0].dnss", 6, 0, "unknown table 'dnss' (did you mean 'dns'?)"},
    {"unknown_top_level_table", R"([[interfaces]]
port = "p0"
[aplliance]
state_dir = "/x"
)",
     "aplliance", 3, 0, "unknown table 'aplliance' (did you mean 'appliance'?)"},
    {"wrong_type", R"([[interfaces]]
port = "p0"
[dpdk]
workers = "2"
)",
     "dpdk.workers", 4, 11, "expected an integer, got a string"},
    {"wrong_type_array_as_string", R"([[interfaces]]
port = "p0"
addresses = "198.18.0.1/24"
)",
     "interfaces[0].addresses", 3, 13, "expected an array, got a string (write [\"...\"]"},
    {"wrong_type_in_array", R"([[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24", 5]
)",
     "interfaces[0].addresses[1]", 3, 31, "expected a string, got an integer"},
    {"bad_address", R"([[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24", "198.18.0.300/24"]
)",
     "interfaces[0].addresses[1]", 3, 31, "'198.18.0.300' is not an IPv4 or IPv6 address"},
    {"prefix_length_out_of_range", R"([[interfaces]]
port = "p0"
addresses = ["198.18.0.1/33"]
)",
     "interfaces[0].addresses[0]", 3, 14, "prefix length 33 is out of range for IPv4 (0..32)"},
    {"v6_prefix_length_out_of_range", R"([[interfaces]]
port = "p0"
addresses = ["2001:db8::1/129"]
)",
     "interfaces[0].addresses[0]", 3, 14, "out of range for IPv6 (0..128)"},
    {"missing_prefix_length", R"([[interfaces]]
port = "p0"
addresses = ["198.18.0.1"]
)",
     "interfaces[0].addresses[0]", 3, 14, "has no prefix length"},
    {"interface_network_address", R"([[interfaces]]
port = "p0"
addresses = ["198.18.0.0/24"]
)",
     "interfaces[0].addresses[0]", 3, 14,
     "is the network address of its prefix; an interface "
     "needs a host address such as 198.18.0.1/24"},
    {"missing_port", R"([[interfaces]]
vlan = 3
)",
     "interfaces[0].port", 1, 1, "missing required key 'port'"},
    {"duplicate_interface", R"([[interfaces]]
port = "p0"
vlan = 7

[[interfaces]]
port = "p0"
vlan = 7
)",
     "interfaces[1]", 5, 1,
     "port 'p0' with vlan 7 is already configured by interfaces[0] (line 1)"},
    {"inner_vlan_without_vlan", R"([[interfaces]]
port = "p0"
inner_vlan = 20
)",
     "interfaces[0].inner_vlan", 3, 14, "needs an outer tag"},
    {"vlan_out_of_range", R"([[interfaces]]
port = "p0"
vlan = 4095
)",
     "interfaces[0].vlan", 3, 8, "must be between 0 and 4094, got 4095"},
    {"missing_interfaces", R"([appliance]
state_dir = "/x"
)",
     "interfaces", 0, 0, "at least one port must be configured"},
    {"empty_interfaces", R"(interfaces = []
)",
     "interfaces", 1, 14, "at least one [[interfaces]] entry is required"},
    {"syntax_error", R"([[interfaces]]
port = "p0"
vlan = = 3
)",
     "", 3, 0, "TOML syntax error"},
    {"enum_typo", R"([[interfaces]]
port = "p0"
[appliance]
durability = "fsnyc"
)",
     "appliance.durability", 4, 14,
     "must be one of \"fsync\", \"os\"; got 'fsnyc' (did you mean 'fsync'?)"},
    {"idle_mode_typo", R"([[interfaces]]
port = "p0"
[dpdk]
idle = "interupt"
)",
     "dpdk.idle", 4, 8,
     "must be one of \"interrupt\", \"backoff\", \"poll\"; got 'interupt' (did you mean "
     "'interrupt'?)"},
    {"descriptors_not_power_of_two", R"([[interfaces]]
port = "p0"
[dpdk]
rx_descriptors = 1000
)",
     "dpdk.rx_descriptors", 4, 18, "must be a power of two, got 1000"},
    {"mbufs_too_few", R"([[interfaces]]
port = "p0"
[dpdk]
mbufs = 100
)",
     "dpdk.mbufs", 4, 9, "must be at least 1023, got 100"},
    {"api_ipv6_without_brackets", R"([[interfaces]]
port = "p0"
[api]
listen = "::1:8053"
)",
     "api.listen", 4, 10, "put an IPv6 address in brackets"},
    {"api_bad_port", R"([[interfaces]]
port = "p0"
[api]
listen = "127.0.0.1:70000"
)",
     "api.listen", 4, 10, "is not a number in 1..65535"},
    {"api_public_without_token", R"([[interfaces]]
port = "p0"
[api]
listen = "198.18.0.1:8053"
)",
     "api.listen", 4, 10, "set api.token_file"},
    {"host_bits_set", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.1/24"
)",
     "dhcp.scopes[0].subnet", 5, 10,
     "'198.18.0.1/24' has host bits set; did you mean 198.18.0.0/24? (host part 0.0.0.1"},
    {"subnet_too_long", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/31"
)",
     "dhcp.scopes[0].subnet", 5, 10, "leaves no addresses to lease"},
    {"subnet_is_v6", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "2001:db8::/64"
)",
     "dhcp.scopes[0].subnet", 5, 10, "expected an IPv4 prefix"},
    {"missing_subnet", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
)",
     "dhcp.scopes[0].subnet", 3, 1, "missing required key 'subnet'"},
    {"pool_outside_subnet", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199",
         "198.18.1.10-198.18.1.20"]
)",
     "dhcp.scopes[0].pools[1]", 7, 10, "is outside the scope's subnet 198.18.0.0/24"},
    {"overlapping_pools", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199", "198.18.0.150-198.18.0.250"]
)",
     "dhcp.scopes[0].pools[1]", 6, 39,
     "overlaps dhcp.scopes[0].pools[0] (198.18.0.100-198.18.0.199)"},
    {"pool_backwards", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.199-198.18.0.100"]
)",
     "dhcp.scopes[0].pools[0]", 6, 10, "runs backwards"},
    {"pool_includes_broadcast", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.200-198.18.0.255"]
)",
     "dhcp.scopes[0].pools[0]", 6, 10, "includes the broadcast address 198.18.0.255"},
    {"pool_includes_network", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.0-198.18.0.10"]
)",
     "dhcp.scopes[0].pools[0]", 6, 10, "includes the network address 198.18.0.0"},
    {"bad_duration", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
lease_time = "1x"
)",
     "dhcp.scopes[0].lease_time", 6, 14, "'1x': unknown unit 'x' (use s, m, h, d or w)"},
    {"lease_too_short", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
lease_time = "5s"
)",
     "dhcp.scopes[0].lease_time", 6, 14, "'5s' is shorter than the minimum of 10s"},
    {"router_outside_subnet", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
routers = ["198.18.1.1"]
)",
     "dhcp.scopes[0].routers[0]", 6, 12, "198.18.1.1 is outside the scope's subnet"},
    {"bad_dns_server", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
dns_servers = ["2001:db8::53"]
)",
     "dhcp.scopes[0].dns_servers[0]", 6, 16, "'2001:db8::53' is not an IPv4 address"},
    {"bad_scope_domain", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
domain = "lan..example."
)",
     "dhcp.scopes[0].domain", 6, 10, "has an empty label"},
    {"stale_after_zero", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[dhcp.scopes.dns]
stale_after = "0s"
)",
     "dhcp.scopes[0].dns.stale_after", 7, 15, "write \"off\" to disable"},
    {"stale_after_bad", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[dhcp.scopes.dns]
stale_after = "never"
)",
     "dhcp.scopes[0].dns.stale_after", 7, 15, "'never' is not a duration; write e.g."},
    {"policy_wrong_type", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[dhcp.scopes.dns]
delete_on_expiry = "yes"
)",
     "dhcp.scopes[0].dns.delete_on_expiry", 7, 20,
     "expected a boolean (true or false), got a string"},
    {"duplicate_scope_name", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.1.0/24"
)",
     "dhcp.scopes[1].name", 7, 8, "scope name 'lan' is already used by dhcp.scopes[0] (line 3)"},
    {"overlapping_subnets", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "a"
subnet = "198.18.0.0/23"
[[dhcp.scopes]]
name = "b"
subnet = "198.18.1.0/24"
)",
     "dhcp.scopes[1].subnet", 8, 10,
     "198.18.1.0/24 overlaps dhcp.scopes[0].subnet 198.18.0.0/23 (line 3)"},
    {"reservation_ip_outside_subnet", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.2.50"
)",
     "dhcp.scopes[0].reservations[0].ip", 8, 6,
     "198.18.2.50 is outside the scope's subnet 198.18.0.0/24"},
    {"reservation_without_identifier", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
ip = "198.18.0.50"
hostname = "x"
)",
     "dhcp.scopes[0].reservations[0]", 6, 1,
     "needs at least one of hw_address, client_id, circuit_id or remote_id"},
    {"reservation_missing_ip", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
)",
     "dhcp.scopes[0].reservations[0].ip", 6, 1, "missing required key 'ip'"},
    {"reservation_duplicate_mac", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.51"
)",
     "dhcp.scopes[0].reservations[1].hw_address", 10, 14,
     "hw_address 02:00:00:00:00:50 is already reserved by dhcp.scopes[0].reservations[0] (line 6)"},
};

class BadConfig : public testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, ReportsKeyLineAndReason) {
    expect_bad_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfig, testing::ValuesIn(kCases), case_name);

TEST(ConfigErrors, AllErrorsReportedInFileOrder) {
    auto r = load_config_string(R"([dpdk]
workers = 0
[[interfaces]]
port = "p0"
adresses = ["198.18.0.1/24"]
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.1/24"
pools = ["198.19.0.1-198.19.0.9"]
lease_time = "forever"
[[dhcp.scopes.reservations]]
ip = "198.18.0.7"
)",
                                "multi.toml");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 5u) << dump(r);
    // Pools are not checked against a subnet that failed to parse: no cascade.
    EXPECT_EQ(r.errors[0].key, "dpdk.workers");
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_EQ(r.errors[1].key, "interfaces[0].adresses");
    EXPECT_EQ(r.errors[1].line, 5u);
    EXPECT_EQ(r.errors[2].key, "dhcp.scopes[0].subnet");
    EXPECT_EQ(r.errors[2].line, 8u);
    EXPECT_EQ(r.errors[3].key, "dhcp.scopes[0].lease_time");
    EXPECT_EQ(r.errors[3].line, 10u);
    EXPECT_EQ(r.errors[4].key, "dhcp.scopes[0].reservations[0]");
    EXPECT_EQ(r.errors[4].line, 11u);
    for (size_t i = 1; i < r.errors.size(); ++i) EXPECT_LE(r.errors[i - 1].line, r.errors[i].line);
}

TEST(ConfigErrors, PlacelessErrorsComeLast) {
    auto r = load_config_string("[dpdk]\nworkers = 100\n", "x.toml");
    ASSERT_EQ(r.errors.size(), 2u) << dump(r);
    EXPECT_EQ(r.errors[0].key, "dpdk.workers");
    EXPECT_EQ(r.errors[1].key, "interfaces");
    EXPECT_EQ(r.errors[1].line, 0u);
    EXPECT_EQ(r.errors[1].to_string(),
              "x.toml: interfaces: no [[interfaces]] entry; at least one port must be configured");
}

TEST(ConfigErrors, SyntaxErrorIsASingleErrorWithPosition) {
    auto r = load_config_string("[[interfaces]]\nport = \"p0\n", "syn.toml");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, "syn.toml");
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_GT(r.errors[0].column, 0u);
    EXPECT_EQ(r.errors[0].to_string().rfind("syn.toml:2:", 0), 0u) << r.errors[0].to_string();
}

TEST(ConfigErrors, EmbeddedNulIsRejected) {
    auto r = load_config_string(
        "[[interfaces]]\nport = \"p0\"\naddresses = [\"198.18.0.1/24\\u0000junk\"]\n", "nul.toml");
    ASSERT_EQ(r.errors.size(), 1u) << dump(r);
    EXPECT_EQ(r.errors[0].key, "interfaces[0].addresses[0]");
    EXPECT_NE(r.errors[0].why.find("NUL"), std::string::npos);
}

}  // namespace
