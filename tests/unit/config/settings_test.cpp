// The settings table (config/settings.hpp): every key the reader accepts is declared live or
// restart-only exactly once, and a reload keeps exactly the restart-only ones, naming each.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "config/config.hpp"
#include "config/keys.hpp"
#include "config/settings.hpp"

using namespace edgelease::config;
using namespace std::chrono_literals;

namespace {

const std::string kRoot = EDGELEASE_SOURCE_DIR;

Config load(const std::string& text) {
    auto r = load_config_string(text, "settings_test.toml");
    std::string errors;
    for (const auto& e : r.errors) errors += e.to_string() + "\n";
    EXPECT_TRUE(r.config.has_value()) << errors;
    return r.config ? *r.config : Config{};
}

const char* const kRunning = R"(
[appliance]
state_dir = "/var/lib/a"
[[interfaces]]
port = "net_tap0"
addresses = ["198.18.0.1/24"]
)";

// Every setting other than the defaults (and than kRunning).
const char* const kEverythingChanged = R"(
[appliance]
state_dir = "/var/lib/b"
durability = "os"
log_level = "debug"
stats_interval = "10s"
audit_entries = 5
lease_store_max_mib = 7
[dpdk]
eal_args = ["--no-huge"]
workers = 2
idle_sleep_us = 5
idle = "backoff"
coalesce_us = 0
mbufs = 4095
rx_descriptors = 512
tx_descriptors = 512
[[interfaces]]
port = "net_tap0"
addresses = ["198.18.0.2/24"]
[api]
listen = "127.0.0.1:9053"
token_file = "/etc/edgelease/token"
[dns]
udp_payload_size = 1400
server_name = "ns1.example."
tcp = false
tcp_idle_timeout = "30s"
tcp_max_connections = 10
tcp_max_per_client = 2
cookies = true
[dns.rrl]
rate = 50
[[dns.zones]]
name = "example."
[dhcp]
relay_discover_rate = 10
[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.200"]
[dhcp6]
relay_solicit_rate = 10
[exception]
enabled = false
namespace = "edge"
)";

}  // namespace

TEST(Settings, EveryKeyTheReaderAcceptsIsDeclaredAndNoOther) {
    for (const SectionKeys& sk : kSectionKeys) {
        const std::set<std::string_view> reader(sk.keys.begin(), sk.keys.end());
        std::set<std::string_view> table;
        for (const Setting& s : settings()) {
            if (sk.section.empty())
                table.insert(s.section.empty() ? s.key : s.section);  // a key or a section
            else if (s.section == sk.section)
                table.insert(s.key);
        }
        EXPECT_EQ(table, reader) << "section '" << sk.section
                                 << "': config/keys.hpp and config/settings.cpp disagree";
    }
}

TEST(Settings, EachDeclaredOnceRestartOnlyOnesWithTheirAccessors) {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const Setting& s : settings()) {
        EXPECT_TRUE(seen.emplace(s.section, s.key).second) << s.name() << " declared twice";
        const bool accessors = s.differs != nullptr && s.keep != nullptr;
        EXPECT_EQ(accessors, s.apply == Apply::Restart) << s.name();
    }
}

TEST(Settings, NamesAsTheOperatorWritesThem) {
    std::set<std::string> names;
    for (const Setting& s : settings()) names.insert(s.name());
    for (const char* n : {"[dpdk].workers", "[[interfaces]]", "[appliance].audit_entries",
                          "[[dhcp.scopes]]", "[[dns.zones]]", "[dns].udp_payload_size"})
        EXPECT_EQ(names.count(n), 1u) << n;
}

TEST(Settings, NothingChangedNothingKept) {
    const Config running = load(kRunning);
    Config next = running;
    EXPECT_TRUE(keep_restart_only(running, next).empty());
}

TEST(Settings, ReloadKeepsEveryRestartOnlyValueNamesEachAndAppliesTheLiveRest) {
    const Config running = load(kRunning);
    Config next = load(kEverythingChanged);
    std::vector<std::string> expected;
    for (const Setting& s : settings()) {
        if (s.apply != Apply::Restart) continue;
        EXPECT_TRUE(s.differs(running, next)) << s.name() << ": the test file should change it";
        expected.push_back(s.name() + " changed: needs a restart; the running value stays");
    }
    EXPECT_EQ(keep_restart_only(running, next), expected);
    for (const Setting& s : settings()) {
        if (s.apply == Apply::Restart) {
            EXPECT_FALSE(s.differs(running, next)) << s.name();
        }
    }
    // The live settings keep their new values.
    EXPECT_EQ(next.appliance.log_level, LogLevel::Debug);
    EXPECT_EQ(next.appliance.stats_interval, 10s);
    EXPECT_EQ(next.dns.server_name, "ns1.example.");
    EXPECT_EQ(next.dns.zones.size(), 1u);
    EXPECT_EQ(next.dhcp.scopes.size(), 1u);
    // And a second pass finds nothing left to keep.
    EXPECT_TRUE(keep_restart_only(running, next).empty());
}

TEST(Settings, OperationsGuideListsExactlyTheRestartOnlyOnes) {
    // docs/operations.md, Live reload: the "Restart only" item names each restart-only
    // setting (its section, its full name or its key, in backticks) and no live one.
    std::ifstream in(kRoot + "/docs/operations.md");
    ASSERT_TRUE(in) << "docs/operations.md";
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const size_t at = doc.find("- **Restart only:**");
    ASSERT_NE(at, std::string::npos);
    const std::string item = doc.substr(at, doc.find("\n- ", at + 1) - at);
    auto named = [&](const Setting& s) {
        return item.find("`" + s.name() + "`") != std::string::npos ||
               item.find("`" + std::string(s.key) + "`") != std::string::npos ||
               item.find("`[" + std::string(s.section) + "]`") != std::string::npos;
    };
    for (const Setting& s : settings())
        EXPECT_EQ(named(s), s.apply == Apply::Restart) << s.name() << " in: " << item;
}

TEST(Settings, Dhcp6ScopesAreLiveWholeTables) {
    // Like [[dhcp.scopes]]: a reload applies them, so nothing of them is kept or warned about.
    const Setting* found = nullptr;
    for (const Setting& s : settings())
        if (s.section == "dhcp6" && s.key == "scopes") found = &s;
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->name(), "[[dhcp6.scopes]]");
    EXPECT_EQ(found->shape, Shape::Tables);
    EXPECT_EQ(found->apply, Apply::Live);

    const Config running = load(kRunning);
    Config next = load(std::string(kRunning) + R"(
[[dhcp6.scopes]]
name = "lan"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
)");
    EXPECT_TRUE(keep_restart_only(running, next).empty());
    ASSERT_EQ(next.dhcp6.scopes.size(), 1u);
    EXPECT_EQ(next.dhcp6.scopes[0].pd_pools.size(), 1u);
}
