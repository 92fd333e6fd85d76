#pragma once
// The other end for the DHCPv6 generator's unit tests: the appliance itself, without EAL.
// Frames go through its packet path (handle_frame) and its parser (parse_request6), the
// request through its lease engine (Engine6, the real one, on a configuration like
// scripts/loadtest.sh's), and the answer through its frame builder (build_reply_frame6), as a
// worker and the control lcore do.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "common/net.hpp"
#include "config/config.hpp"
#include "control/dhcp/engine6.hpp"
#include "dataplane/dhcp/frame6.hpp"
#include "dataplane/packet.hpp"
#include "tests/unit/loadgen/appliance_side.hpp"

namespace edgelease::loadgen::test {

inline net::Ipv6Addr ip6(std::string_view s) {
    return *net::parse_ipv6(s);
}
inline net::Prefix prefix6(std::string_view addr, uint8_t len) {
    net::Prefix p;
    p.is_v6 = true;
    p.v6 = ip6(addr);
    p.prefix_len = len;
    return p;
}

inline const net::Ipv6Addr kServerIp6 = ip6("2001:db8::1");
inline const net::Ipv6Addr kRelayBase6 = ip6("2001:db8:1::1");
inline const std::vector<uint8_t> kServerDuid{0, 1, 0, 1, 0x30, 0, 0, 1, 2, 0, 0, 0, 0, 1};

/// The appliance's port: 198.18.0.1/16, 2001:db8::1/64 and the link-local address from its
/// MAC (as make_port_context adds), untagged.
inline dataplane::PortContext server_port6() {
    dataplane::PortContext p = server_port();
    net::IfAddress a;
    a.is_v6 = true;
    a.v6 = kServerIp6;
    a.prefix_len = 64;
    p.interfaces[0].v6.push_back(a);
    a.v6 = net::link_local_from_mac(kServerMac);
    p.interfaces[0].v6.push_back(a);
    return p;
}

/// Two links, as scripts/loadtest.sh configures them: 2001:db8::/64 on the port, and
/// 2001:db8:1::/64 behind relays. `pool_size` addresses and `pd_count` /56s in each.
inline config::Config config6(uint32_t pool_size = 65536, bool rapid_commit = true,
                              uint8_t pd_pool_len = 40) {
    config::Config c;
    config::InterfaceConfig ifc;
    ifc.port = "net_memif0";
    net::IfAddress a;
    a.is_v6 = true;
    a.v6 = kServerIp6;
    a.prefix_len = 64;
    ifc.addresses.push_back(a);
    c.interfaces.push_back(ifc);
    auto scope = [&](const char* name, const char* pfx, const char* first, const char* pd) {
        config::Scope6Config s;
        s.name = name;
        s.prefix = prefix6(pfx, 64);
        net::Ipv6Addr last = ip6(first);
        uint32_t low = uint32_t{last.bytes[12]} << 24 | uint32_t{last.bytes[13]} << 16 |
                       uint32_t{last.bytes[14]} << 8 | last.bytes[15];
        low += pool_size - 1;
        for (int k = 0; k < 4; ++k) last.bytes[12 + k] = static_cast<uint8_t>(low >> (24 - 8 * k));
        s.pools.push_back({ip6(first), last, {}});
        s.pd_pools.push_back({prefix6(pd, pd_pool_len), 56, {}});
        s.preferred_lifetime = std::chrono::seconds(1800);
        s.valid_lifetime = std::chrono::seconds(3600);
        s.dns_servers.push_back(kServerIp6);
        s.rapid_commit = rapid_commit;
        return s;
    };
    c.dhcp6.scopes.push_back(scope("direct6", "2001:db8::", "2001:db8::1:0", "2001:db8:8000::"));
    c.dhcp6.scopes.push_back(
        scope("relayed6", "2001:db8:1::", "2001:db8:1::1:0", "2001:db8:9000::"));
    return c;
}

/// A DHCPv6 server made of the appliance's own parts.
class Dhcp6Server {
  public:
    explicit Dhcp6Server(const config::Config& cfg = config6())
        : port_(server_port6()), engine_(cfg, kServerDuid) {}

    bool drop_everything = false;  // parse, but never answer
    int64_t now = 1'700'000'000;
    std::vector<dataplane::dhcp::Dhcp6Request> seen;  // every request parsed
    std::vector<control::dhcp::Outcome> outcomes;     // what the engine made of each
    size_t lease_changes = 0;                         // leases the engine changed (to persist)

    /// The reply frame to one frame from the generator, if any. Fails the test when the
    /// appliance's packet path or parser would refuse the frame.
    std::optional<Bytes> answer(const uint8_t* f, uint16_t len) {
        Received rx = server_receive(port_, f, len);
        EXPECT_EQ(rx.verdict, dataplane::Verdict::Udp)
            << "dropped as " << dataplane::drop_reason_name(rx.why);
        if (rx.verdict != dataplane::Verdict::Udp) return std::nullopt;
        EXPECT_TRUE(rx.view.is_v6);
        EXPECT_EQ(dataplane::udp_dst_port(rx.view), 547);
        auto req = std::make_unique<dataplane::dhcp::Dhcp6Request>();
        const auto err = dataplane::dhcp::parse_request6(rx.view.data + rx.view.payload_off,
                                                         rx.view.payload_len, *req);
        EXPECT_EQ(err, dataplane::dhcp::Parse6Error::None)
            << dataplane::dhcp::kParse6ErrorNames[static_cast<size_t>(err)];
        if (err != dataplane::dhcp::Parse6Error::None) return std::nullopt;
        // As the worker's fill_path: where it came from.
        auto& p = req->path;
        p.iface_index = 0;
        std::memcpy(p.src_mac.bytes.data(), rx.view.data + 6, 6);
        const uint8_t* ip = rx.view.data + rx.view.l3_off;
        std::memcpy(p.src_ip.bytes.data(), ip + 8, 16);
        std::memcpy(p.dst_ip.bytes.data(), ip + 24, 16);
        p.src_port = dw::load_be16(rx.view.data + rx.view.l4_off);
        seen.push_back(*req);
        if (drop_everything) return std::nullopt;

        auto result = std::make_unique<control::dhcp::Result6>();
        engine_.handle(*req, now, *result);
        outcomes.push_back(result->outcome);
        lease_changes += result->changed.size();
        if (!result->has_reply) return std::nullopt;
        const auto& r = result->reply;
        const net::Ipv6Addr* src =
            r.src_ip == net::Ipv6Addr{} ? dataplane::reply_source_v6(port_, 0, r.dst_ip) : nullptr;
        Bytes frame(1600);
        const uint16_t n = dataplane::dhcp::build_reply_frame6(
            kServerMac, r, frame.data(), static_cast<uint16_t>(frame.size()), src);
        EXPECT_NE(n, 0);
        frame.resize(n);
        return frame;
    }

    const control::dhcp::Engine6& engine() const { return engine_; }

  private:
    dataplane::PortContext port_;
    control::dhcp::Engine6 engine_;
};

}  // namespace edgelease::loadgen::test
