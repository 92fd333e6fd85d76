// The one lease schema (app/lease_json.hpp) that the API and `edgelease --show-leases --json`
// print: its fields, scope names, and host names that are not ASCII.
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
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.insert(k);
    EXPECT_EQ(keys, (std::set<std::string>{"address", "state", "scope", "client", "hw_address",
                                           "hostname", "start", "expires", "reservation",
                                           "circuit_id", "remote_id", "generation"}));
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

}  // namespace
}  // namespace edgelease::app
