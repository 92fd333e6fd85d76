// Loading valid configurations: the shipped examples, defaults, relative paths, files.
#include <gtest/gtest.h>

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

net::Ipv4Addr v4(const char* s) {
    return *net::parse_ipv4(s);
}

}  // namespace

TEST(ConfigExamples, QuickstartLoads) {
    auto r = load_config_file(kRoot + "/config/examples/quickstart.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    ASSERT_TRUE(r.config);
    const Config& c = *r.config;
    EXPECT_EQ(c.source_file, kRoot + "/config/examples/quickstart.toml");
    EXPECT_EQ(c.appliance.state_dir, "/var/lib/edgelease");
    EXPECT_EQ(c.dpdk.workers, 1u);
    ASSERT_EQ(c.dpdk.eal_args.size(), 4u);
    EXPECT_EQ(c.dpdk.eal_args[3], "--vdev=net_tap0,iface=edge0");

    ASSERT_EQ(c.interfaces.size(), 1u);
    const auto& ifc = c.interfaces[0];
    EXPECT_EQ(ifc.port, "net_tap0");
    EXPECT_EQ(ifc.vlan, 0);
    ASSERT_EQ(ifc.addresses.size(), 2u);
    EXPECT_FALSE(ifc.addresses[0].is_v6);
    EXPECT_EQ(ifc.addresses[0].v4, v4("198.18.0.1"));
    EXPECT_EQ(ifc.addresses[0].prefix_len, 24);
    EXPECT_TRUE(ifc.addresses[1].is_v6);
    EXPECT_EQ(net::to_string(ifc.addresses[1]), "2001:db8::1/64");
    EXPECT_GT(ifc.where.line, 0u);

    EXPECT_EQ(c.api.listen, "127.0.0.1:8053");
    EXPECT_TRUE(c.api.token_file.empty());

    ASSERT_EQ(c.dns.zones.size(), 3u);
    EXPECT_EQ(c.dns.zones[0].name, "lan.");
    ASSERT_EQ(c.dns.zones[0].records.size(), 1u);
    const auto& rec = c.dns.zones[0].records[0];
    EXPECT_EQ(rec.name, "my-server");
    EXPECT_EQ(rec.type, "A");
    EXPECT_EQ(rec.data, "198.18.0.50");
    EXPECT_EQ(rec.ttl, 300u);
    EXPECT_EQ(c.dns.zones[1].name, "0.18.198.in-addr.arpa.");
    EXPECT_TRUE(c.dns.zones[1].file.empty());

    ASSERT_EQ(c.dhcp.scopes.size(), 1u);
    const auto& s = c.dhcp.scopes[0];
    EXPECT_EQ(s.name, "lan");
    EXPECT_EQ(s.subnet.v4, v4("198.18.0.0"));
    EXPECT_EQ(s.subnet.prefix_len, 24);
    ASSERT_EQ(s.pools.size(), 1u);
    EXPECT_EQ(s.pools[0].first, v4("198.18.0.100"));
    EXPECT_EQ(s.pools[0].last, v4("198.18.0.199"));
    EXPECT_EQ(s.lease_time, 1h);
    ASSERT_EQ(s.routers.size(), 1u);
    EXPECT_EQ(s.routers[0], v4("198.18.0.1"));
    ASSERT_EQ(s.dns_servers.size(), 1u);
    EXPECT_EQ(s.domain, "lan.");
    EXPECT_TRUE(s.dns.update);
    EXPECT_TRUE(s.dns.delete_on_release);
    EXPECT_FALSE(s.dns.delete_on_expiry);
    EXPECT_TRUE(s.dns.ptr_delete_on_release);
    EXPECT_FALSE(s.dns.ptr_delete_on_expiry);
    EXPECT_EQ(s.dns.reservation_records, ReservationRecords::Permanent);
    EXPECT_FALSE(s.dns.stale_after.has_value());
    EXPECT_EQ(s.dns.on_conflict, OnConflict::Skip);
    ASSERT_EQ(s.reservations.size(), 1u);
    const auto& res = s.reservations[0];
    ASSERT_TRUE(res.hw_address);
    EXPECT_EQ(net::to_string(*res.hw_address), "02:00:00:00:00:50");
    EXPECT_EQ(res.ip, v4("198.18.0.50"));
    EXPECT_EQ(res.hostname, "my-server");
    EXPECT_TRUE(res.client_id.empty());

    // The DHCPv6 scope the demo's v6 client is served from, and its reverse zone.
    EXPECT_EQ(c.dns.zones[2].name, "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
    ASSERT_EQ(c.dhcp6.scopes.size(), 1u);
    const auto& s6 = c.dhcp6.scopes[0];
    EXPECT_EQ(s6.name, "lan6");
    EXPECT_EQ(net::to_string(s6.prefix), "2001:db8::/64");
    ASSERT_EQ(s6.pools.size(), 1u);
    ASSERT_EQ(s6.pd_pools.size(), 1u);
    EXPECT_EQ(net::to_string(s6.pd_pools[0].prefix), "2001:db8:8000::/40");
    EXPECT_EQ(s6.pd_pools[0].delegated_length, 56);
    EXPECT_EQ(s6.preferred_lifetime, 30min);
    EXPECT_EQ(s6.valid_lifetime, 1h);
    ASSERT_EQ(s6.dns_servers.size(), 1u);
    EXPECT_EQ(s6.domain, "lan.");
    EXPECT_TRUE(s6.dns.update);
}

TEST(ConfigExamples, FullLoadsWithEveryKey) {
    const std::string path = kRoot + "/config/examples/full.toml";
    auto r = load_config_file(path);
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.appliance.durability, Durability::Fsync);
    EXPECT_EQ(c.appliance.log_level, LogLevel::Info);
    EXPECT_EQ(c.appliance.stats_interval, 60s);
    EXPECT_EQ(c.appliance.lease_store_max_mib, 65536u);
    EXPECT_EQ(c.dhcp.relay_discover_rate, 1000u);
    EXPECT_EQ(c.dpdk.eal_args.size(), 5u);
    EXPECT_EQ(c.dpdk.mbufs, 8191u);
    EXPECT_EQ(c.dpdk.rx_descriptors, 1024u);
    ASSERT_EQ(c.interfaces.size(), 2u);
    EXPECT_EQ(c.interfaces[1].vlan, 100);
    EXPECT_EQ(c.interfaces[1].inner_vlan, 7);
    EXPECT_EQ(c.api.token_file, kRoot + "/config/examples/api.token");
    EXPECT_EQ(c.dns.udp_payload_size, 1232);
    ASSERT_EQ(c.dns.zones.size(), 3u);
    EXPECT_EQ(c.dns.zones[0].file, kRoot + "/config/examples/zones/lan.zone");
    ASSERT_EQ(c.dns.zones[0].records.size(), 7u);
    EXPECT_EQ(c.dns.zones[0].records[5].type, "CNAME");
    EXPECT_EQ(c.dns.zones[0].records[6].type, "TYPE65534");
    EXPECT_EQ(c.dns.zones[0].records[2].ttl, 300u);
    EXPECT_EQ(c.dns.zones[0].records[3].ttl, 0u);

    ASSERT_EQ(c.dhcp.scopes.size(), 2u);
    const auto& lan = c.dhcp.scopes[0];
    EXPECT_EQ(lan.pools.size(), 2u);
    ASSERT_TRUE(lan.dns.stale_after);
    EXPECT_EQ(*lan.dns.stale_after, std::chrono::hours(24 * 7));
    ASSERT_EQ(lan.reservations.size(), 3u);
    EXPECT_EQ(lan.reservations[1].client_id,
              (std::vector<uint8_t>{0x01, 0x02, 0, 0, 0, 0, 0, 0x51}));
    EXPECT_FALSE(lan.reservations[1].hw_address);
    EXPECT_EQ(
        std::string(lan.reservations[2].circuit_id.begin(), lan.reservations[2].circuit_id.end()),
        "eth0/1/3");
    EXPECT_EQ(lan.reservations[2].remote_id, (std::vector<uint8_t>{0x0a, 0x0b, 0x0c, 0x0d}));
    EXPECT_TRUE(lan.reservations[2].hostname.empty());
    const auto& tagged = c.dhcp.scopes[1];
    EXPECT_EQ(tagged.lease_time, 24h);
    EXPECT_TRUE(tagged.domain.empty());
    EXPECT_EQ(tagged.dns_servers.size(), 2u);

    // Lease engine keys.
    EXPECT_EQ(lan.t1, std::optional(30min));
    EXPECT_EQ(lan.t2, std::optional(52min + 30s));
    EXPECT_EQ(lan.offer_hold, 30s);
    EXPECT_EQ(lan.decline_probation, 10min);
    EXPECT_EQ(lan.ntp_servers, std::vector{v4("198.18.0.1")});
    EXPECT_EQ(lan.domain_search, (std::vector<std::string>{"lan.", "example.test."}));
    ASSERT_EQ(lan.static_routes.size(), 2u);
    EXPECT_EQ(lan.static_routes[0].destination, v4("198.19.0.0"));
    EXPECT_EQ(lan.static_routes[0].prefix_len, 16);
    EXPECT_EQ(lan.static_routes[0].router, v4("198.18.0.1"));
    EXPECT_EQ(lan.static_routes[1].prefix_len, 0);
    ASSERT_EQ(lan.options.size(), 9u);
    auto opt = [&](size_t i) -> const DhcpOptionConfig& { return lan.options[i]; };
    EXPECT_EQ(opt(0).code, 150);
    EXPECT_EQ(opt(0).type, DhcpOptionType::Ipv4);
    EXPECT_EQ(opt(0).data, (std::vector<uint8_t>{198, 18, 0, 5}));
    EXPECT_FALSE(opt(0).always);
    EXPECT_EQ(opt(1).type, DhcpOptionType::String);
    EXPECT_TRUE(opt(1).always);
    EXPECT_EQ(std::string(opt(1).data.begin(), opt(1).data.end()), "http://wpad.lan/wpad.dat");
    EXPECT_EQ(opt(3).type, DhcpOptionType::Hex);
    EXPECT_EQ(opt(3).data, (std::vector<uint8_t>{1, 4, 0xc6, 0x12, 0, 5}));
    EXPECT_EQ(opt(4).type, DhcpOptionType::U16);
    EXPECT_EQ(opt(4).data, (std::vector<uint8_t>{0x05, 0xdc}));
    EXPECT_EQ(opt(5).type, DhcpOptionType::Bool);
    EXPECT_EQ(opt(5).data, std::vector<uint8_t>{0});
    EXPECT_EQ(opt(6).type, DhcpOptionType::Ipv4List);
    EXPECT_EQ(opt(6).data, (std::vector<uint8_t>{198, 18, 0, 1, 198, 18, 0, 2}));
    EXPECT_EQ(opt(7).type, DhcpOptionType::U32);
    EXPECT_EQ(opt(7).data, (std::vector<uint8_t>{0, 0, 0x0e, 0x10}));
    EXPECT_EQ(opt(8).type, DhcpOptionType::U8);
    EXPECT_EQ(opt(8).data, std::vector<uint8_t>{64});
    EXPECT_GT(opt(8).where.line, 0u);
}

TEST(ConfigLoad, ScopeLeaseEngineDefaults) {
    auto r = load_config_string(R"(
[[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "s"
subnet = "198.18.0.0/24"
)",
                                "defaults.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const auto& s = r.config->dhcp.scopes[0];
    EXPECT_FALSE(s.t1);
    EXPECT_FALSE(s.t2);
    EXPECT_EQ(s.offer_hold, 30s);
    EXPECT_EQ(s.decline_probation, 10min);
    EXPECT_TRUE(s.ntp_servers.empty());
    EXPECT_TRUE(s.domain_search.empty());
    EXPECT_TRUE(s.static_routes.empty());
    EXPECT_TRUE(s.options.empty());
}

TEST(ConfigLoad, OptionValueLimitsAndOnlyOneTimer) {
    auto r = load_config_string(R"(
[[interfaces]]
port = "p0"
[[dhcp.scopes]]
name = "s"
subnet = "198.18.0.0/24"
lease_time = "2h"
t2 = "90m"
domain_search = ["Example.TEST"]
options = [
  { code = 1, type = "ipv4", value = "255.255.255.0" },
  { code = 254, type = "u32", value = 4294967295 },
  { code = 128, type = "u16", value = 0 },
  { code = 129, type = "bool", value = true },
]
)",
                                "limits.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const auto& s = r.config->dhcp.scopes[0];
    EXPECT_FALSE(s.t1);  // 50% of 2h = 1h < t2 = 90m
    EXPECT_EQ(s.t2, std::optional(90min));
    EXPECT_EQ(s.domain_search, std::vector<std::string>{"example.test."});
    EXPECT_EQ(s.options[1].data, (std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff}));
    EXPECT_EQ(s.options[2].data, (std::vector<uint8_t>{0, 0}));
    EXPECT_EQ(s.options[3].data, std::vector<uint8_t>{1});
}

TEST(ConfigLoad, MinimalConfigGetsDefaults) {
    auto r = load_config_string("[[interfaces]]\nport = \"net_ring0\"\n", "min.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.source_file, "min.toml");
    EXPECT_EQ(c.appliance.state_dir, "/var/lib/edgelease");
    EXPECT_EQ(c.appliance.durability, Durability::Fsync);
    EXPECT_EQ(c.appliance.stats_interval, 60s);
    EXPECT_EQ(c.dpdk.workers, 1u);
    EXPECT_EQ(c.dpdk.idle_sleep_us, 100u);
    EXPECT_FALSE(c.dpdk.idle.has_value());
    EXPECT_EQ(c.dpdk.idle_mode(), IdleMode::Interrupt) << "idle workers block by default";
    EXPECT_EQ(c.dpdk.coalesce_us, 100u) << "a 100 us coalescing nap before blocking by default";
    EXPECT_TRUE(c.interfaces[0].addresses.empty());
    EXPECT_EQ(c.api.listen, "127.0.0.1:8053");
    EXPECT_EQ(c.dns.udp_payload_size, 1232);
    EXPECT_TRUE(c.dns.zones.empty());
    EXPECT_TRUE(c.dhcp.scopes.empty());
    EXPECT_TRUE(c.exception.enabled) << "the exception path is on by default";
    EXPECT_EQ(c.exception.netns, "private");
    EXPECT_TRUE(c.dns.tcp) << "DNS over TCP is on by default";
    EXPECT_EQ(c.dns.tcp_idle_timeout, std::chrono::seconds(10));
    EXPECT_EQ(c.dns.tcp_max_connections, 1024u);
    EXPECT_EQ(c.dns.tcp_max_per_client, 32u);
}

TEST(ConfigLoad, DnsKeysTransferAndUpdateAclsAndNotify) {
    auto r = load_config_string(R"([[interfaces]]
port = "p0"
[[dns.keys]]
name = "ddns-key"
algorithm = "HMAC-SHA256"
secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
[[dns.keys]]
name = "xfr-key."
algorithm = "hmac-sha512"
secret = "eGZyLXNlY3JldA=="
[[dns.zones]]
name = "lan."
notify = ["198.18.0.2", "198.18.0.3:5300", "2001:db8::2", "[2001:db8::3]:5301"]
allow_transfer = ["198.18.0.0/24", "key:xfr-key", "2001:db8::7"]
allow_update = ["key:ddns-key."]
)",
                                "x.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const auto& d = r.config->dns;
    ASSERT_EQ(d.keys.size(), 2u);
    EXPECT_EQ(d.keys[0].name, "ddns-key.");
    EXPECT_EQ(d.keys[0].algorithm, "hmac-sha256");
    EXPECT_EQ(std::string(d.keys[0].secret.begin(), d.keys[0].secret.end()),
              "secret-secret-secret");
    const auto& z = d.zones[0];
    ASSERT_EQ(z.notify.size(), 4u);
    EXPECT_EQ(z.notify[0].port, 53);
    EXPECT_EQ(z.notify[1].port, 5300);
    EXPECT_TRUE(z.notify[2].is_v6);
    EXPECT_EQ(z.notify[3].port, 5301);
    ASSERT_EQ(z.allow_transfer.size(), 3u);
    EXPECT_FALSE(z.allow_transfer[0].is_key);
    EXPECT_EQ(z.allow_transfer[0].prefix.prefix_len, 24);
    EXPECT_TRUE(z.allow_transfer[1].is_key);
    EXPECT_EQ(z.allow_transfer[1].key, "xfr-key.");
    EXPECT_EQ(z.allow_transfer[2].prefix.prefix_len, 128);
    ASSERT_EQ(z.allow_update.size(), 1u);
    EXPECT_EQ(z.allow_update[0].key, "ddns-key.");
}

TEST(ConfigLoad, DnsTcpKeys) {
    auto r = load_config_string(
        "[[interfaces]]\nport = \"p0\"\n[dns]\ntcp = false\ntcp_idle_timeout = \"2m\"\n"
        "tcp_max_connections = 64\ntcp_max_per_client = 4\n",
        "x.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const auto& d = r.config->dns;
    EXPECT_FALSE(d.tcp);
    EXPECT_EQ(d.tcp_idle_timeout, std::chrono::seconds(120));
    EXPECT_EQ(d.tcp_max_connections, 64u);
    EXPECT_EQ(d.tcp_max_per_client, 4u);
}

TEST(ConfigLoad, DnsRrl) {
    auto off = load_config_string("[[interfaces]]\nport = \"p0\"\n", "x.toml");
    ASSERT_TRUE(off.config);
    EXPECT_EQ(off.config->dns.rrl.rate, 0u);  // off unless configured
    EXPECT_EQ(off.config->dns.rrl.slip, 2u);
    auto r = load_config_string(
        "[[interfaces]]\nport = \"p0\"\n[dns]\ncookies = true\n[dns.rrl]\nrate = 20\nslip = 3\n"
        "ipv4_prefix = 28\n"
        "ipv6_prefix = 48\nexempt = [\"198.19.2.0/24\", \"2001:db8::1\"]\n",
        "x.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const auto& q = r.config->dns.rrl;
    EXPECT_TRUE(r.config->dns.cookies);
    EXPECT_FALSE(off.config->dns.cookies);
    EXPECT_EQ(q.rate, 20u);
    EXPECT_EQ(q.slip, 3u);
    EXPECT_EQ(q.ipv4_prefix, 28);
    EXPECT_EQ(q.ipv6_prefix, 48);
    ASSERT_EQ(q.exempt.size(), 2u);
    EXPECT_EQ(q.exempt[1].prefix_len, 128);
}

TEST(ConfigLoad, ExceptionSection) {
    auto r = load_config_string(
        "[[interfaces]]\nport = \"p0\"\n[exception]\nenabled = false\nnamespace = "
        "\"edge-kernel\"\n",
        "x.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    EXPECT_FALSE(r.config->exception.enabled);
    EXPECT_EQ(r.config->exception.netns, "edge-kernel");
}

TEST(ConfigLoad, AcceptsAlternativeSpellings) {
    auto r = load_config_string(R"(
[appliance]
durability = "os"
log_level = "debug"
stats_interval = 0
[dpdk]
workers = 64
idle_sleep_us = 0
rx_descriptors = 16384
tx_descriptors = 64
[[interfaces]]
port = "0000:03:00.0"
vlan = 10
inner_vlan = 20
[[interfaces]]
port = "0000:03:00.0"
vlan = 10
inner_vlan = 21
[api]
listen = "[::1]:9000"
[[dhcp.scopes]]
name = "s"
subnet = "198.18.4.0/22"
lease_time = "1h30m"
[dhcp.scopes.dns]
reservation_records = "follow-lease"
on_conflict = "overwrite"
stale_after = 3600
[[dhcp.scopes.reservations]]
client_id = "0102aabbccddee"
ip = "198.18.7.254"
hostname = "Host-1"
[[dhcp.scopes.reservations]]
hw_address = "02-00-00-00-00-51"
ip = "198.18.4.1"
)",
                                "alt.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.appliance.durability, Durability::Os);
    EXPECT_EQ(c.appliance.log_level, LogLevel::Debug);
    EXPECT_EQ(c.appliance.stats_interval, 0s);
    EXPECT_EQ(c.dpdk.workers, 64u);
    EXPECT_EQ(c.dpdk.idle_mode(), IdleMode::Poll)
        << "a file from before [dpdk].idle busy-polled with idle_sleep_us = 0, and still does";
    EXPECT_EQ(c.dpdk.rx_descriptors, 16384u);
    EXPECT_EQ(c.dpdk.tx_descriptors, 64u);
    EXPECT_EQ(c.interfaces[1].inner_vlan, 21);
    EXPECT_EQ(c.api.listen, "[::1]:9000");
    const auto& s = c.dhcp.scopes[0];
    EXPECT_EQ(s.lease_time, 90min);
    EXPECT_EQ(s.dns.reservation_records, ReservationRecords::FollowLease);
    EXPECT_EQ(s.dns.on_conflict, OnConflict::Overwrite);
    EXPECT_EQ(s.dns.stale_after, std::optional(3600s));
    EXPECT_EQ(s.reservations[0].client_id.size(), 7u);
    EXPECT_EQ(s.reservations[0].hostname, "host-1");  // DNS names are case-insensitive
    EXPECT_EQ(s.reservations[1].hw_address, net::parse_mac("02:00:00:00:00:51"));
}

TEST(ConfigLoad, RelativePathsResolveAgainstTheFile) {
    const std::string dir = kRoot + "/tests/data/config";
    auto r = load_config_file(dir + "/relative.toml");
    ASSERT_TRUE(r.errors.empty()) << dump(r);
    EXPECT_EQ(r.config->appliance.state_dir, dir + "/state");
    EXPECT_EQ(r.config->api.token_file, dir + "/secrets/api.token");
    ASSERT_EQ(r.config->dns.zones.size(), 1u);
    EXPECT_EQ(r.config->dns.zones[0].name, "example.test.");
    EXPECT_EQ(r.config->dns.zones[0].file, dir + "/zones/example.zone");  // not opened
}

TEST(ConfigLoad, ErrorsFromAFileNameTheFile) {
    const std::string path = kRoot + "/tests/data/config/bad.toml";
    auto r = load_config_file(path);
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 2u) << dump(r);
    EXPECT_EQ(r.errors[0].to_string(),
              path + ":4:8: interfaces[0].vlan: must be between 0 and 4094, got 5000");
    EXPECT_EQ(r.errors[1].to_string(),
              path + ":7:11: dpdk.workers: must be between 1 and 64, got 0");
}

TEST(ConfigLoad, MissingFileIsAClearError) {
    auto r = load_config_file("/nonexistent/edgelease.toml");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, "/nonexistent/edgelease.toml");
    EXPECT_EQ(r.errors[0].line, 0u);
    EXPECT_EQ(r.errors[0].to_string(),
              "/nonexistent/edgelease.toml: cannot read configuration: No such file or directory");
}

TEST(ConfigLoad, DirectoryIsAClearError) {
    auto r = load_config_file(kRoot + "/tests/data/config");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].why.find("is a directory"), std::string::npos);
}

TEST(ConfigError, ToStringOmitsMissingParts) {
    EXPECT_EQ((ConfigError{"f.toml", 3, 7, "dpdk.workers", "bad"}).to_string(),
              "f.toml:3:7: dpdk.workers: bad");
    EXPECT_EQ((ConfigError{"f.toml", 3, 0, "k", "bad"}).to_string(), "f.toml:3: k: bad");
    EXPECT_EQ((ConfigError{"f.toml", 0, 0, "interfaces", "none"}).to_string(),
              "f.toml: interfaces: none");
    EXPECT_EQ((ConfigError{"f.toml", 2, 1, "", "syntax"}).to_string(), "f.toml:2:1: syntax");
}

TEST(ParseDuration, AcceptsUnitsAndCombinations) {
    EXPECT_EQ(parse_duration("90"), 90s);
    EXPECT_EQ(parse_duration("0"), 0s);
    EXPECT_EQ(parse_duration("0s"), 0s);
    EXPECT_EQ(parse_duration("90s"), 90s);
    EXPECT_EQ(parse_duration("30m"), 30min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration("7d"), std::chrono::hours(7 * 24));
    EXPECT_EQ(parse_duration("2w"), std::chrono::hours(14 * 24));
    EXPECT_EQ(parse_duration("1h30m"), 90min);
    EXPECT_EQ(parse_duration("1w2d3h4m5s"),
              std::chrono::seconds(604800 + 2 * 86400 + 3 * 3600 + 245));
    EXPECT_EQ(parse_duration("4294967295s"), std::chrono::seconds(4294967295));
}

TEST(ParseDuration, RejectsMalformed) {
    for (const char* bad :
         {"", "-5", "-5s", "+5s", "5x", "h", "1.5h", "1h30", "30m1h", "1h1h", "1H", " 5s", "5s ",
          "1h 30m", "99999999999999999999", "4294967296", "7102w", "s5"}) {
        EXPECT_FALSE(parse_duration(bad)) << "'" << bad << "'";
    }
}

TEST(ConfigLoad, CoalesceUsIsReadAndBounded) {
    auto ok =
        load_config_string("[dpdk]\ncoalesce_us = 0\n[[interfaces]]\nport = \"p0\"\n", "c.toml");
    ASSERT_TRUE(ok.errors.empty()) << dump(ok);
    EXPECT_EQ(ok.config->dpdk.coalesce_us, 0u);
    auto big = load_config_string("[dpdk]\ncoalesce_us = 10001\n[[interfaces]]\nport = \"p0\"\n",
                                  "c.toml");
    ASSERT_EQ(big.errors.size(), 1u) << dump(big);
    EXPECT_EQ(big.errors[0].key, "dpdk.coalesce_us") << dump(big);
    EXPECT_EQ(big.errors[0].line, 2u) << dump(big);
}

TEST(ConfigLoad, IdleModeIsTakenAsWrittenOverIdleSleep) {
    for (auto [text, mode] :
         {std::pair{"interrupt", IdleMode::Interrupt}, std::pair{"backoff", IdleMode::Backoff},
          std::pair{"poll", IdleMode::Poll}}) {
        const std::string toml = std::string("[dpdk]\nidle_sleep_us = 0\nidle = \"") + text +
                                 "\"\n[[interfaces]]\nport = \"net_ring0\"\n";
        auto r = load_config_string(toml, "idle.toml");
        ASSERT_TRUE(r.errors.empty()) << dump(r);
        ASSERT_TRUE(r.config->dpdk.idle.has_value()) << text;
        EXPECT_EQ(r.config->dpdk.idle_mode(), mode) << text;
    }
}
