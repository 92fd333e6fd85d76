// Bad configurations, continued: reservations, DHCP options and the rest of the DHCP scope
// keys. Each names the file, line, column, key path and reason.
#include "tests/unit/config/bad_config_case.hpp"

using namespace edgelease::config;
using namespace edgelease::config::test;

namespace {

// Each text starts on line 1 right after R"(.
const BadCase kCases[] = {
    {"reservation_duplicate_ip", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
client_id = "01:02:00:00:00:00:00:50"
ip = "198.18.0.50"
[[dhcp.scopes.reservations]]
circuit_id = "port-7"
ip = "198.18.0.50"
)",
     "dhcp.scopes[0].reservations[1].ip", 11, 6, "ip 198.18.0.50 is already reserved by"},
    {"reservation_duplicate_relay_ids", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
circuit_id = "port-7"
ip = "198.18.0.50"
[[dhcp.scopes.reservations]]
circuit_id = "0x706f72742d37"
ip = "198.18.0.51"
)",
     "dhcp.scopes[0].reservations[1].circuit_id", 10, 14,
     "this circuit_id/remote_id is already reserved"},
    {"reservation_bad_mac", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:50"
ip = "198.18.0.50"
)",
     "dhcp.scopes[0].reservations[0].hw_address", 7, 14, "is not a MAC address"},
    {"reservation_short_client_id", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
client_id = "01"
ip = "198.18.0.50"
)",
     "dhcp.scopes[0].reservations[0].client_id", 7, 13, "a client identifier is 2 to 255 bytes"},
    {"bad_hostname_label", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
hostname = "my_server"
)",
     "dhcp.scopes[0].reservations[0].hostname", 9, 12,
     "'my_server' contains '_'; a hostname is letters, digits and hyphens"},
    {"hostname_with_dot", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
hostname = "my.server"
)",
     "dhcp.scopes[0].reservations[0].hostname", 9, 12, "must be a single label"},
    {"t1_not_below_t2", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
lease_time = "1h"
t1 = "50m"
t2 = "40m"
)",
     "dhcp.scopes[0].t1", 7, 6, "t1 (3000s) must be shorter than t2 (2400s)"},
    {"t1_not_below_default_t2", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
lease_time = "1h"
t1 = "55m"
)",
     "dhcp.scopes[0].t1", 7, 6, "must be shorter than t2 (3150s, the default 87.5% of lease_time)"},
    {"t2_not_below_lease_time", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
lease_time = "1h"
t2 = "2h"
)",
     "dhcp.scopes[0].t2", 7, 6, "t2 (7200s) must be shorter than lease_time (3600s)"},
    {"t2_not_above_default_t1", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
t2 = "20m"
)",
     "dhcp.scopes[0].t2", 6, 6,
     "t1 (1800s, the default 50% of lease_time) must be shorter than t2 (1200s)"},
    {"t1_zero", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
t1 = 0
)",
     "dhcp.scopes[0].t1", 6, 6, "is shorter than the minimum of 1s"},
    {"offer_hold_too_long", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
offer_hold = "2h"
)",
     "dhcp.scopes[0].offer_hold", 6, 14, "'2h' is longer than the maximum of 3600s"},
    {"decline_probation_bad", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
decline_probation = "10x"
)",
     "dhcp.scopes[0].decline_probation", 6, 21, "unknown unit 'x'"},
    {"ntp_server_not_ipv4", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
ntp_servers = ["198.18.0.1", "ntp.example"]
)",
     "dhcp.scopes[0].ntp_servers[1]", 6, 30, "'ntp.example' is not an IPv4 address"},
    {"domain_search_bad_name", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
domain_search = ["lan", "a..b"]
)",
     "dhcp.scopes[0].domain_search[1]", 6, 25, "has an empty label"},
    {"domain_search_too_long", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
domain_search = ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0.example.test.", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1.example.test.", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2.example.test.", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx3.example.test.", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx4.example.test."]
)",
     "dhcp.scopes[0].domain_search", 6, 17, "option 119 is sent as one option of at most 255"},
    {"static_route_host_bits", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
static_routes = [ { destination = "198.19.0.1/16", router = "198.18.0.1" } ]
)",
     "dhcp.scopes[0].static_routes[0].destination", 6, 35, "has host bits set"},
    {"static_route_missing_router", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
static_routes = [ { destination = "198.19.0.0/16" } ]
)",
     "dhcp.scopes[0].static_routes[0].router", 6, 19, "missing required key 'router'"},
    {"static_route_typo", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
static_routes = [ { destination = "198.19.0.0/16", gateway = "198.18.0.1" } ]
)",
     "dhcp.scopes[0].static_routes[0].gateway", 6, 0, "unknown key 'gateway'", 2},
    {"static_route_bad_router", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
static_routes = [ { destination = "0.0.0.0/0", router = "gw" } ]
)",
     "dhcp.scopes[0].static_routes[0].router", 6, 0, "'gw' is not an IPv4 address"},
    {"option_managed_code", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 51, type = "u32", value = 60 } ]
)",
     "dhcp.scopes[0].options[0].code", 6, 22,
     "option 51 is managed by the server: lease time is set by lease_time"},
    {"option_relay_agent_code", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 82, type = "hex", value = "0102" } ]
)",
     "dhcp.scopes[0].options[0].code", 6, 22, "option 82 is managed by the server"},
    {"option_code_out_of_range", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 255, type = "u8", value = 1 } ]
)",
     "dhcp.scopes[0].options[0].code", 6, 22, "must be between 1 and 254, got 255"},
    {"option_code_zero", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 0, type = "u8", value = 1 } ]
)",
     "dhcp.scopes[0].options[0].code", 6, 22, "must be between 1 and 254, got 0"},
    {"option_duplicate_code", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [
  { code = 150, type = "ipv4", value = "198.18.0.5" },
  { code = 150, type = "ipv4", value = "198.18.0.6" },
]
)",
     "dhcp.scopes[0].options[1].code", 8, 12,
     "option 150 is already set by dhcp.scopes[0].options[0] (line 7)"},
    {"option_unknown_type", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 66, type = "strng", value = "tftp" } ]
)",
     "dhcp.scopes[0].options[0].type", 6, 33, "got 'strng' (did you mean 'string'?)"},
    {"option_missing_type", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 150, value = "198.18.0.5" } ]
)",
     "dhcp.scopes[0].options[0].type", 6, 13, "missing required key 'type'"},
    {"option_missing_value", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 150, type = "ipv4" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 13, "missing required key 'value'"},
    {"option_u8_out_of_range", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 37, type = "u8", value = 300 } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 47, "must be between 0 and 255, got 300"},
    {"option_u16_negative", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 26, type = "u16", value = -1 } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0, "must be between 0 and 65535, got -1"},
    {"option_ipv4_wrong_toml_type", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 150, type = "ipv4", value = 5 } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 50, "expected a string, got an integer"},
    {"option_ipv4_bad_address", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 150, type = "ipv4", value = "198.18.0" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0, "'198.18.0' is not an IPv4 address"},
    {"option_ipv4_list_not_array", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 44, type = "ipv4-list", value = "198.18.0.1" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0,
     "expected an array of IPv4 addresses for type \"ipv4-list\", got a string"},
    {"option_ipv4_list_bad_element", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 44, type = "ipv4-list", value = ["198.18.0.1", "x"] } ]
)",
     "dhcp.scopes[0].options[0].value[1]", 6, 0, "'x' is not an IPv4 address"},
    {"option_hex_bad", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 43, type = "hex", value = "zz" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0, "is not hex bytes"},
    {"option_bool_as_string", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 19, type = "bool", value = "yes" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0, "expected a boolean (true or false), got a string"},
    {"option_string_empty", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 66, type = "string", value = "" } ]
)",
     "dhcp.scopes[0].options[0].value", 6, 0, "a \"string\" value is 1 to 255 bytes, got 0"},
    {"option_typo_key", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ { code = 66, type = "string", vaule = "x" } ]
)",
     "dhcp.scopes[0].options[0].vaule", 6, 0, "unknown key 'vaule' (did you mean 'value'?)", 2},
    {"options_not_tables", R"([[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
options = [ 150 ]
)",
     "dhcp.scopes[0].options[0]", 6, 0, "expected a table, got an integer"},
    {"duplicate_zone_name", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
[[dns.zones]]
name = "LAN"
)",
     "dns.zones[1].name", 6, 8, "zone 'lan.' is already defined by dns.zones[0] (line 3)"},
    {"zone_label_too_long", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan."
)",
     "dns.zones[0].name", 4, 8, "has a label of 64 characters; the limit is 63"},
    {"zone_missing_name", R"([[interfaces]]
port = "p0"
[[dns.zones]]
file = "x.zone"
)",
     "dns.zones[0].name", 3, 1, "missing required key 'name'"},
    {"record_bad_type", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A-B", data = "x" } ]
)",
     "dns.zones[0].records[0].type", 5, 34, "is not a record type"},
    {"record_bad_a_data", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "a", data = "198.18.0.256" } ]
)",
     "dns.zones[0].records[0].data", 5, 46, "'198.18.0.256' is not an IPv4 address (type A)"},
    {"record_out_of_zone", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "www.example.", type = "A", data = "198.18.0.1" } ]
)",
     "dns.zones[0].records[0].name", 5, 22, "is outside the zone 'lan.'"},
    {"record_missing_data", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A" } ]
)",
     "dns.zones[0].records[0].data", 5, 13, "missing required key 'data'"},
    {"record_ttl_out_of_range", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
records = [ { name = "a", type = "A", data = "198.18.0.1", ttl = 2147483648 } ]
)",
     "dns.zones[0].records[0].ttl", 5, 66, "must be between 0 and 2147483647"},
    {"udp_payload_size_out_of_range", R"([[interfaces]]
port = "p0"
[dns]
udp_payload_size = 100
)",
     "dns.udp_payload_size", 4, 20, "must be between 512 and 4096, got 100"},
    {"tcp_idle_timeout_zero", R"([[interfaces]]
port = "p0"
[dns]
tcp_idle_timeout = "0s"
)",
     "dns.tcp_idle_timeout", 4, 20, "shorter than the minimum of 1s"},
    {"tcp_max_per_client_zero", R"([[interfaces]]
port = "p0"
[dns]
tcp_max_per_client = 0
)",
     "dns.tcp_max_per_client", 4, 22, "must be between 1 and 65536, got 0"},
    {"rrl_ipv6_prefix_too_long", R"([[interfaces]]
port = "p0"
[dns.rrl]
ipv6_prefix = 64
)",
     "dns.rrl.ipv6_prefix", 4, 15, "must be between 16 and 56, got 64"},
    {"rrl_exempt_not_a_prefix", R"([[interfaces]]
port = "p0"
[dns.rrl]
exempt = ["198.19.2.0/24", "nope"]
)",
     "dns.rrl.exempt[1]", 4, 28, "'nope' is neither an address nor a prefix (addr/len)"},
    {"acl_unknown_key", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
allow_transfer = ["key:nokey"]
)",
     "dns.zones[0].allow_transfer[0]", 5, 19,
     "names the key 'nokey.', which no [[dns.keys]] entry defines"},
    {"acl_not_a_prefix", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
allow_update = ["198.18.0.300"]
)",
     "dns.zones[0].allow_update[0]", 5, 17, "is neither an address, a prefix"},
    {"notify_bad_port", R"([[interfaces]]
port = "p0"
[[dns.zones]]
name = "lan."
notify = ["198.18.0.2:0"]
)",
     "dns.zones[0].notify[0]", 5, 11, "the port must be 1 to 65535"},
    {"key_bad_secret", R"([[interfaces]]
port = "p0"
[[dns.keys]]
name = "k"
algorithm = "hmac-sha256"
secret = "not base64!"
)",
     "dns.keys[0].secret", 6, 10, "not base64"},
    {"key_bad_algorithm", R"([[interfaces]]
port = "p0"
[[dns.keys]]
name = "k"
algorithm = "hmac-md5"
secret = "c2VjcmV0"
)",
     "dns.keys[0].algorithm", 5, 13, "is not a TSIG algorithm"},
    {"key_twice", R"([[interfaces]]
port = "p0"
[[dns.keys]]
name = "k"
algorithm = "hmac-sha256"
secret = "c2VjcmV0"
[[dns.keys]]
name = "K."
algorithm = "hmac-sha256"
secret = "c2VjcmV0"
)",
     "dns.keys[1].name", 8, 8, "is defined twice"},
    {"tcp_not_a_boolean", R"([[interfaces]]
port = "p0"
[dns]
tcp = "yes"
)",
     "dns.tcp", 4, 7, "boolean"},
    {"relay_discover_rate_negative", R"([[interfaces]]
port = "p0"
[dhcp]
relay_discover_rate = -1
)",
     "dhcp.relay_discover_rate", 4, 23, "must be between 0 and 1000000, got -1"},
    {"lease_store_max_mib_zero", R"([[interfaces]]
port = "p0"
[appliance]
lease_store_max_mib = 0
)",
     "appliance.lease_store_max_mib", 4, 23, "must be between 1 and 1048576, got 0"},
};

class BadDhcpConfig : public testing::TestWithParam<BadCase> {};

TEST_P(BadDhcpConfig, ReportsKeyLineAndReason) {
    expect_bad_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, BadDhcpConfig, testing::ValuesIn(kCases), case_name);

}  // namespace
