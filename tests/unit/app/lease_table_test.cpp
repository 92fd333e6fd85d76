// The lease table of edgelease-ctl and `edgelease --show-leases` (app/lease_table.hpp): both
// families in one table, rows from the leases' JSON form, columns as wide as their cells.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/lease_json.hpp"
#include "app/lease_table.hpp"

namespace edgelease::app {
namespace {

using nlohmann::json;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

json v4_lease() {
    control::dhcp::Lease l;
    l.ip = 0xC6120064;  // 198.18.0.100
    l.hw = net::MacAddr{{0x02, 0, 0, 0, 0, 0x02}};
    l.client.kind = control::dhcp::ClientKey::HwAddress;
    l.client.len = 6;
    for (uint8_t i = 0; i < 6; ++i) l.client.bytes[i] = l.hw.bytes[i];
    l.hostname = "vm1";
    l.state = control::dhcp::LeaseState::Bound;
    l.expires = 1795003600;
    return lease_json(l, {"lan"});
}

json v6_lease(control::dhcp::IaKind kind, const char* addr, uint8_t len) {
    control::dhcp::Lease6 l;
    l.key = {kind, len, *net::parse_ipv6(addr)};
    l.duid = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03};
    l.iaid = 7;
    l.state = control::dhcp::LeaseState::Bound;
    l.expires = 1795007200;
    return lease6_json(l, {"lan6"});
}

TEST(LeaseTable, HeaderOnlyWhenThereAreNoLeases) {
    const auto out = lines(lease_table(json::array()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(words(out[0]),
              (std::vector<std::string>{"ADDRESS", "STATE", "SCOPE", "FAMILY", "IA", "IAID",
                                        "EXPIRES", "HW-ADDRESS", "HOSTNAME", "CLIENT/DUID"}));
}

TEST(LeaseTable, BothFamiliesInOneTable) {
    const json leases =
        json::array({v4_lease(), v6_lease(control::dhcp::IaKind::Na, "2001:db8::50", 128),
                     v6_lease(control::dhcp::IaKind::Pd, "2001:db8:8000::", 56)});
    const auto out = lines(lease_table(leases));
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(words(out[1]),
              (std::vector<std::string>{"198.18.0.100", "bound", "lan", "4", "-", "-",
                                        "2026-11-18T12:06:40Z", "02:00:00:00:00:02", "vm1",
                                        "02:00:00:00:00:02"}));
    EXPECT_EQ(words(out[2]), (std::vector<std::string>{"2001:db8::50", "bound", "lan6", "6", "na",
                                                       "7", "2026-11-18T13:06:40Z", "-", "-",
                                                       "00:03:00:01:02:00:00:00:00:03"}));
    // A delegated prefix shows as its prefix, the text `leases show|release|expire` takes.
    EXPECT_EQ(words(out[3])[0], "2001:db8:8000::/56");
    EXPECT_EQ(words(out[3])[4], "pd");
}

TEST(LeaseTable, ColumnsLineUpWithoutTrailingBlanks) {
    const json leases =
        json::array({v4_lease(), v6_lease(control::dhcp::IaKind::Pd, "2001:db8:8000::", 56)});
    const auto out = lines(lease_table(leases));
    ASSERT_EQ(out.size(), 3u);
    // Every column starts where its heading does.
    for (const char* heading : {"STATE", "SCOPE", "EXPIRES", "CLIENT/DUID"}) {
        const size_t at = out[0].find(heading);
        ASSERT_NE(at, std::string::npos);
        for (size_t i = 1; i < out.size(); ++i) {
            EXPECT_NE(out[i][at], ' ') << heading << " in " << out[i];
            EXPECT_EQ(out[i][at - 1], ' ') << heading << " in " << out[i];
        }
    }
    for (const auto& l : out) EXPECT_NE(l.back(), ' ') << l;
    // A v4 row starts as scripts read it: address, state, scope.
    EXPECT_EQ(out[1].rfind("198.18.0.100  ", 0), 0u) << out[1];
}

TEST(LeaseTable, Utf8HostNameTakesItsCharactersNotItsBytes) {
    json a = v4_lease(), b = v4_lease();
    a["hostname"] = "café";  // 5 bytes, 4 columns
    b["hostname"] = "cafe";
    const auto out = lines(lease_table(json::array({a, b})));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].size(), out[2].size() + 1);
}

TEST(LeaseTable, FieldsAnOlderApplianceLacksShowAsDashes) {
    const json old{{"address", "198.18.0.100"}, {"state", "bound"}, {"scope", "lan"}};
    EXPECT_EQ(words(lines(lease_table(json::array({old})))[1]),
              (std::vector<std::string>{"198.18.0.100", "bound", "lan", "-", "-", "-", "-", "-",
                                        "-", "-"}));
}

}  // namespace
}  // namespace edgelease::app
