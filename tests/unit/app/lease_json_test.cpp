// The one lease schema (app/lease_json.hpp) that the API and `edgelease --show-leases --json`
// print: its fields for both DHCP families, scope names, host names that are not ASCII, and
// the lease names the API's paths take (address, IPv6 address, delegated prefix).
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "app/lease_json.hpp"
#include "control/store/lease_store.hpp"
#include "tests/unit/temp_dir.hpp"

namespace edgelease::app {
namespace {

using nlohmann::json;

std::set<std::string> keys_of(const json& j) {
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.insert(k);
    return keys;
}

control::dhcp::Lease sample(const std::string& hostname) {
    control::dhcp::Lease l;
    l.ip = 0xC6120064;  // 198.18.0.100
    l.scope = 1;
    l.hw = net::MacAddr{{0x02, 0, 0, 0, 0, 0x02}};
    l.client.kind = control::dhcp::ClientKey::HwAddress;
    l.client.len = 6;
    for (uint8_t i = 0; i < 6; ++i) l.client.bytes[i] = l.hw.bytes[i];
    l.hostname = hostname;
    l.state = control::dhcp::LeaseState::Bound;
    l.start = 1795000000;
    l.expires = 1795003600;
    l.generation = 7;
    l.circuit_id = {0x01, 0xab};
    return l;
}

TEST(LeaseJson, FieldsOfTheDocumentedSchema) {
    const json j = lease_json(sample("vm1"), {"wan", "lan"});
    EXPECT_EQ(keys_of(j),
              (std::set<std::string>{"family", "address", "state", "scope", "client", "hw_address",
                                     "hostname", "start", "expires", "reservation", "circuit_id",
                                     "remote_id", "generation"}));
    EXPECT_EQ(j["family"], 4);
    EXPECT_EQ(j["address"], "198.18.0.100");
    EXPECT_EQ(j["state"], "bound");
    EXPECT_EQ(j["scope"], "lan");
    EXPECT_EQ(j["hw_address"], "02:00:00:00:00:02");
    EXPECT_EQ(j["start"], "2026-11-18T11:06:40Z");
    EXPECT_EQ(j["reservation"], false);
    EXPECT_EQ(j["circuit_id"], "01:ab");
    EXPECT_EQ(j["remote_id"], "");
    EXPECT_EQ(j["generation"], 7);
}

TEST(LeaseJson, ScopeWithoutANameShowsItsIndex) {
    // The lease database read offline knows no scope names.
    EXPECT_EQ(lease_json(sample("vm1"), {})["scope"], "1");
}

TEST(LeaseJson, Utf8HostNameComesOutIntact) {
    const std::string text = dump_json(json::array({lease_json(sample("café"), {})}));
    EXPECT_NE(text.find("\"hostname\": \"café\""), std::string::npos) << text;
    EXPECT_EQ(json::parse(text)[0]["hostname"], "café");
}

TEST(LeaseJson, Utf8HostNameFromTheLeaseDatabase) {
    // The path of `edgelease --show-leases DIR --json`: stored, read back offline, printed.
    test::TempDir dir;
    {
        control::store::LeaseStore s(dir.str(), false);
        s.start();
        ASSERT_TRUE(s.enqueue(sample("café"), 1));
        s.wake();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < 1 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_EQ(s.done_seq(), 1u);
    }
    size_t skipped = 0;
    const auto leases = control::store::read_leases(dir.str(), skipped);
    ASSERT_EQ(leases.size(), 1u);
    const json back = json::parse(dump_json(lease_json(leases[0], {})));
    EXPECT_EQ(back["hostname"], "café");
}

TEST(LeaseJson, BytesThatAreNotUtf8AreReplacedNotThrown) {
    std::string text;
    ASSERT_NO_THROW(text = dump_json(lease_json(sample("caf\xe9"), {})));
    EXPECT_EQ(json::parse(text)["hostname"], "caf\xef\xbf\xbd");  // U+FFFD
}

// ---- DHCPv6 ------------------------------------------------------------------------------

net::Ipv6Addr v6(const char* text) {
    return *net::parse_ipv6(text);
}

control::dhcp::Lease6 sample6_na() {
    control::dhcp::Lease6 l;
    l.key = {control::dhcp::IaKind::Na, 128, v6("2001:db8::50")};
    l.scope = 0;
    l.duid = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // DUID-LL
    l.iaid = 1;
    l.has_hw = true;
    l.hw = net::MacAddr{{0x02, 0, 0, 0, 0, 0x02}};
    l.hostname = "pc1";
    l.state = control::dhcp::LeaseState::Bound;
    l.start = 1795000000;
    l.expires = 1795007200;
    l.preferred = 3600;
    l.valid = 7200;
    l.generation = 3;
    return l;
}

control::dhcp::Lease6 sample6_pd() {
    control::dhcp::Lease6 l;
    l.key = {control::dhcp::IaKind::Pd, 56, v6("2001:db8:8000::")};
    l.scope = 1;
    l.duid = {0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0xab};  // DUID-EN: no link-layer address
    l.iaid = 0xdeadbeef;
    l.state = control::dhcp::LeaseState::Released;
    l.start = 1795000000;
    l.expires = 1795000100;
    l.preferred = 1800;
    l.valid = 3600;
    l.reservation = 0;
    l.generation = 9;
    l.remote_id = {0x00, 0x00, 0x0d, 0xe9, 0x01};
    l.interface_id = {'e', 't', 'h', '1'};
    return l;
}

TEST(LeaseJson, V6AddressFields) {
    const json j = lease6_json(sample6_na(), {"lan6"});
    EXPECT_EQ(keys_of(j), (std::set<std::string>{"family", "ia", "address", "state", "scope",
                                                 "duid", "iaid", "hw_address", "hostname", "start",
                                                 "expires", "preferred_lifetime", "valid_lifetime",
                                                 "reservation", "generation"}));
    EXPECT_EQ(j["family"], 6);
    EXPECT_EQ(j["ia"], "na");
    EXPECT_EQ(j["address"], "2001:db8::50");
    EXPECT_EQ(j["state"], "bound");
    EXPECT_EQ(j["scope"], "lan6");
    EXPECT_EQ(j["duid"], "00:03:00:01:02:00:00:00:00:02");
    EXPECT_EQ(j["iaid"], 1);
    EXPECT_EQ(j["hw_address"], "02:00:00:00:00:02");
    EXPECT_EQ(j["hostname"], "pc1");
    EXPECT_EQ(j["start"], "2026-11-18T11:06:40Z");
    EXPECT_EQ(j["expires"], "2026-11-18T13:06:40Z");
    EXPECT_EQ(j["preferred_lifetime"], 3600);
    EXPECT_EQ(j["valid_lifetime"], 7200);
    EXPECT_EQ(j["reservation"], false);
    EXPECT_EQ(j["generation"], 3);
}

TEST(LeaseJson, V6PrefixFieldsAndRelayIds) {
    const json j = lease6_json(sample6_pd(), {"lan6", "cpe"});
    // No hw_address: nothing in a DUID-EN or the relay names one.
    EXPECT_EQ(keys_of(j),
              (std::set<std::string>{"family", "ia", "address", "prefix_length", "prefix", "state",
                                     "scope", "duid", "iaid", "hostname", "start", "expires",
                                     "preferred_lifetime", "valid_lifetime", "reservation",
                                     "remote_id", "interface_id", "generation"}));
    EXPECT_EQ(j["ia"], "pd");
    EXPECT_EQ(j["address"], "2001:db8:8000::");
    EXPECT_EQ(j["prefix_length"], 56);
    EXPECT_EQ(j["prefix"], "2001:db8:8000::/56");
    EXPECT_EQ(j["state"], "released");
    EXPECT_EQ(j["scope"], "cpe");
    EXPECT_EQ(j["iaid"], 3735928559u);
    EXPECT_EQ(j["reservation"], true);
    EXPECT_EQ(j["remote_id"], "00:00:0d:e9:01");
    EXPECT_EQ(j["interface_id"], "65:74:68:31");
    EXPECT_EQ(j["hostname"], "");
}

TEST(LeaseJson, V6ScopeWithoutANameShowsItsIndex) {
    EXPECT_EQ(lease6_json(sample6_pd(), {})["scope"], "1");
    EXPECT_EQ(lease6_json(sample6_pd(), {"only-one"})["scope"], "1");
}

TEST(LeaseJson, V6LeasesFromTheLeaseDatabase) {
    // `edgelease --show-leases DIR --json`: v6 leases stored, read back offline, printed.
    test::TempDir dir;
    {
        control::store::LeaseStore s(dir.str(), false);
        s.start();
        ASSERT_TRUE(s.enqueue6(sample6_na(), 1));
        ASSERT_TRUE(s.enqueue6(sample6_pd(), 2));
        s.wake();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < 2 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_EQ(s.done_seq(), 2u);
    }
    size_t skipped = 0;
    const auto leases = control::store::read_leases6(dir.str(), skipped);
    EXPECT_EQ(skipped, 0u);
    ASSERT_EQ(leases.size(), 2u);
    std::set<std::string> names;
    for (const auto& l : leases) {
        const json j = json::parse(dump_json(lease6_json(l, {})));
        names.insert(j.value("prefix", j["address"].get<std::string>()));
        if (j["ia"] == "pd") {
            EXPECT_EQ(j["scope"], "1");
            EXPECT_EQ(j["remote_id"], "00:00:0d:e9:01");
            EXPECT_FALSE(j.contains("hw_address"));
        } else {
            EXPECT_EQ(j["scope"], "0");
            EXPECT_EQ(j["hw_address"], "02:00:00:00:00:02");
        }
    }
    EXPECT_EQ(names, (std::set<std::string>{"2001:db8::50", "2001:db8:8000::/56"}));
    EXPECT_TRUE(control::store::read_leases(dir.str(), skipped).empty());
}

// ---- lease names (API paths) and the family query ----------------------------------------

// "4 a.b.c.d", "na ADDRESS", "pd PREFIX" for a name, "error: why" for a refusal.
std::string named(std::string_view text) {
    std::string why;
    auto n = parse_lease_name(text, why);
    if (!n) return "error: " + why;
    if (n->family == 4) return "4 " + net::to_string(net::Ipv4Addr{n->ip});
    return std::string(control::dhcp::to_string(n->key.kind)) + " " +
           control::dhcp::to_string(n->key);
}

TEST(LeaseName, Ipv4AsBefore) {
    EXPECT_EQ(named("198.18.0.100"), "4 198.18.0.100");
    EXPECT_EQ(named("198.18.0"), "error: not an IPv4 address");
    EXPECT_EQ(named("198.18.0.256"), "error: not an IPv4 address");
    EXPECT_EQ(named(""), "error: not an IPv4 address");
}

TEST(LeaseName, Ipv6AddressIsAnIaNaLease) {
    EXPECT_EQ(named("2001:db8::50"), "na 2001:db8::50");
    EXPECT_EQ(named("2001:DB8:0:0::50"), "na 2001:db8::50");  // any spelling inet_pton takes
    std::string why;
    auto n = parse_lease_name("2001:db8::50", why);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->family, 6);
    EXPECT_EQ(n->key,
              (control::dhcp::Lease6Key{control::dhcp::IaKind::Na, 128, v6("2001:db8::50")}));
    EXPECT_EQ(named("2001:db8::5g"), "error: '2001:db8::5g' is not an IPv6 address");
    EXPECT_EQ(named("2001:db8:::50"), "error: '2001:db8:::50' is not an IPv6 address");
}

TEST(LeaseName, PrefixIsAnIaPdLease) {
    EXPECT_EQ(named("2001:db8:8000::/56"), "pd 2001:db8:8000::/56");
    EXPECT_EQ(named("2001:db8:8000:0100::/56"), "pd 2001:db8:8000:100::/56");
    EXPECT_EQ(named("2001:db8::/128"), "pd 2001:db8::/128");
    std::string why;
    auto n = parse_lease_name("2001:db8:8000::/56", why);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->key,
              (control::dhcp::Lease6Key{control::dhcp::IaKind::Pd, 56, v6("2001:db8:8000::")}));
    EXPECT_EQ(named("2001:db8:8000::1/56"),
              "error: '2001:db8:8000::1/56' has host bits set; did you mean 2001:db8:8000::/56?");
    EXPECT_EQ(named("2001:db8:8000::/129"),
              "error: '2001:db8:8000::/129' has no prefix length 0..128 after its '/'");
    EXPECT_EQ(named("2001:db8:8000::/"),
              "error: '2001:db8:8000::/' has no prefix length 0..128 after its '/'");
    EXPECT_EQ(named("2001:db8:8000::/5x"),
              "error: '2001:db8:8000::/5x' has no prefix length 0..128 after its '/'");
    EXPECT_EQ(named("198.18.0.0/24"),
              "error: '198.18.0.0/24' is not an IPv6 prefix (address/length)");
}

TEST(LeaseName, FamilyQuery) {
    EXPECT_EQ(parse_family(""), uint8_t{0});
    EXPECT_EQ(parse_family("4"), uint8_t{4});
    EXPECT_EQ(parse_family("6"), uint8_t{6});
    for (const char* bad : {"5", "v6", "46", " 4", "ipv4", "06"})
        EXPECT_FALSE(parse_family(bad).has_value()) << bad;
}

}  // namespace
}  // namespace edgelease::app
