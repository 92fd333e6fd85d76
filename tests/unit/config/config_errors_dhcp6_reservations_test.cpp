// Bad [[dhcp6.scopes.reservations]]: identifiers, addresses, prefixes and names. Each case
// names the file, line, column, key path and reason.
#include "tests/unit/config/bad_config_case.hpp"

using namespace edgelease::config;
using namespace edgelease::config::test;

namespace {

// Each text starts on line 1 right after R"(.
const BadCase kCases[] = {
    {"reservation_no_identifier", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0]", 6, 1,
     "a reservation needs at least one of duid, hw_address, remote_id or interface_id"},
    {"reservation_no_ip_or_prefixes", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = []
)",
     "dhcp6.scopes[0].reservations[0]", 6, 1, "a reservation needs an ip, prefixes or both"},
    {"reservation_ip_outside_prefix", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8:1::50"
)",
     "dhcp6.scopes[0].reservations[0].ip", 8, 6,
     "2001:db8:1::50 is outside the scope's prefix 2001:db8::/64"},
    {"reservation_ip_anycast", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::"
)",
     "dhcp6.scopes[0].reservations[0].ip", 8, 6,
     "2001:db8:: is the Subnet-Router anycast address of 2001:db8::/64"},
    {"reservation_ip_not_ipv6", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
)",
     "dhcp6.scopes[0].reservations[0].ip", 8, 6, "'198.18.0.50' is not an IPv6 address"},
    {"reservation_duplicate_ip", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
[[dhcp6.scopes.reservations]]
duid = "00:03:00:01:02:00:00:00:00:51"
ip = "2001:db8::0:50"
)",
     "dhcp6.scopes[0].reservations[1].ip", 11, 6,
     "ip 2001:db8::50 is already reserved by dhcp6.scopes[0].reservations[0] (line 6)"},
    {"reservation_duid_not_hex", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
duid = "00:03:00:01:02:00:00:00:00:50"
ip = "2001:db8::50"
[[dhcp6.scopes.reservations]]
duid = "0003000102000000 0050"
ip = "2001:db8::51"
)",
     "dhcp6.scopes[0].reservations[1].duid", 10, 8, "is not hex bytes"},
    {"reservation_duplicate_duid_spellings", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
duid = "00:03:00:01:02:00:00:00:00:50"
ip = "2001:db8::50"
[[dhcp6.scopes.reservations]]
duid = "00030001020000000050"
ip = "2001:db8::51"
)",
     "dhcp6.scopes[0].reservations[1].duid", 10, 8,
     "duid '00030001020000000050' is already reserved by dhcp6.scopes[0].reservations[0] (line 6)"},
    {"reservation_duplicate_hw_address", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
[[dhcp6.scopes.reservations]]
hw_address = "02-00-00-00-00-50"
ip = "2001:db8::51"
)",
     "dhcp6.scopes[0].reservations[1].hw_address", 10, 14,
     "hw_address 02:00:00:00:00:50 is already reserved by dhcp6.scopes[0].reservations[0] (line "
     "6)"},
    {"reservation_duplicate_relay_ids", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
interface_id = "eth0/1"
remote_id = "cpe-1"
ip = "2001:db8::50"
[[dhcp6.scopes.reservations]]
interface_id = "0x657468302f31"
remote_id = "cpe-1"
ip = "2001:db8::51"
)",
     "dhcp6.scopes[0].reservations[1].interface_id", 11, 16,
     "this interface_id/remote_id is already reserved by dhcp6.scopes[0].reservations[0] (line 6)"},
    {"reservation_duid_too_short", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
duid = "00:01"
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0].duid", 7, 8,
     "'00:01' is 2 bytes; a DUID is a 2-byte type and 1 to 128 bytes more, 3 to 130 in all (RFC "
     "9915 §11.1)"},
    {"reservation_remote_id_bad_hex", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
remote_id = "0xzz"
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0].remote_id", 7, 13, "'0xzz': after \"0x\" write hex bytes"},
    {"reservation_interface_id_empty", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
interface_id = ""
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0].interface_id", 7, 16,
     "'' is 0 bytes; a DHCPv6 relay identifier here is 1 to 255 bytes"},
    {"reservation_bad_mac", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:50"
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0].hw_address", 7, 14, "is not a MAC address"},
    {"reservation_prefix_host_bits", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8100:1::/56"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 8, 13,
     "has host bits set; did you mean 2001:db8:8100::/56?"},
    {"reservation_prefix_multicast", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["ff05::/56"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 8, 13, "reaches into multicast"},
    {"reservation_prefix_wrong_length_in_pd_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8000:100::/60"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 9, 13,
     "prefix 2001:db8:8000:100::/60 is inside dhcp6.scopes[0].pd_pools[0].prefix "
     "2001:db8:8000::/40 (line 6), which delegates /56 prefixes; a reserved prefix inside a "
     "pd_pool must be one of them"},
    {"reservation_prefix_straddles_pd_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8000::/36"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 9, 13,
     "prefix 2001:db8:8000::/36 overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:8000::/40 "
     "(line 6)"},
    {"reservation_prefix_in_other_scope_pd_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pd_pools = [ { prefix = "2001:db8:8000::/40" } ]
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:1::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8000:100::/56"]
)",
     "dhcp6.scopes[1].reservations[0].prefixes[0]", 12, 13,
     "prefix 2001:db8:8000:100::/56 overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:8000::/40 "
     "(line 6)"},
    {"reservation_prefixes_overlap", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8100::/48"]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:51"
prefixes = ["2001:db8:8100:ff00::/56"]
)",
     "dhcp6.scopes[0].reservations[1].prefixes[0]", 11, 13,
     "prefix 2001:db8:8100:ff00::/56 overlaps dhcp6.scopes[0].reservations[0].prefixes[0] "
     "2001:db8:8100::/48 (line 8)"},
    {"reservation_prefix_reserved_in_two_scopes", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8100::/56"]
[[dhcp6.scopes]]
name = "b"
prefix = "2001:db8:1::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8:8100::/56"]
)",
     "dhcp6.scopes[1].reservations[0].prefixes[0]", 14, 13,
     "prefix 2001:db8:8100::/56 is already reserved by dhcp6.scopes[0].reservations[0] (line 6)"},
    {"reservation_prefix_holds_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
prefixes = ["2001:db8::1000/116"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 9, 13,
     "prefix 2001:db8::1000/116 overlaps dhcp6.scopes[0].pools[0] 2001:db8::1000-2001:db8::1fff "
     "(line 6)"},
    {"reservation_ip_inside_pd_pool", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/48"
pd_pools = [ { prefix = "2001:db8:0:8000::/49", delegated_length = 64 } ]
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8:0:8000::50"
)",
     "dhcp6.scopes[0].reservations[0].ip", 9, 6,
     "ip 2001:db8:0:8000::50 overlaps dhcp6.scopes[0].pd_pools[0].prefix 2001:db8:0:8000::/49 "
     "(line 6)"},
    {"reservation_prefix_holds_its_ip", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/48"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
prefixes = ["2001:db8::/120"]
)",
     "dhcp6.scopes[0].reservations[0].prefixes[0]", 9, 13,
     "prefix 2001:db8::/120 overlaps dhcp6.scopes[0].reservations[0].ip 2001:db8::50 (line 8)"},
    {"reservation_hostname_with_dot", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
hostname = "my.server"
)",
     "dhcp6.scopes[0].reservations[0].hostname", 9, 12, "must be a single label"},
    {"reservation_hostname_duplicate", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
hostname = "cpe"
[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:51"
ip = "2001:db8::51"
hostname = "CPE"
)",
     "dhcp6.scopes[0].reservations[1].hostname", 13, 12,
     "hostname 'cpe' is already reserved by dhcp6.scopes[0].reservations[0] (line 6)"},
    {"reservation_v4_key", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
[[dhcp6.scopes.reservations]]
client_id = "01:02:00:00:00:00:00:50"
ip = "2001:db8::50"
)",
     "dhcp6.scopes[0].reservations[0].client_id", 7, 1, "unknown key 'client_id'", 2},
    {"reservations_not_tables", R"([[interfaces]]
port = "p0"
[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
reservations = ["02:00:00:00:00:50"]
)",
     "dhcp6.scopes[0].reservations[0]", 6, 17, "expected a table, got a string"},
};

class BadDhcp6Reservation : public testing::TestWithParam<BadCase> {};

TEST_P(BadDhcp6Reservation, ReportsKeyLineAndReason) {
    expect_bad_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, BadDhcp6Reservation, testing::ValuesIn(kCases), case_name);

}  // namespace
