#pragma once
// Shared by the lease engine tests: a configuration with four scopes, a request builder, a
// decoder for the BOOTP replies the engine produces, and a fixture with a settable clock.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/lease_engine.hpp"

namespace edgelease::control::dhcp::test {

// Interface 0 is on the "lan" scope; interface 1 is a transit link (no scope of its own)
// where relayed traffic and routed renewals arrive.
inline constexpr const char* kConfig = R"(
[[interfaces]]
port = "p0"
addresses = ["2001:db8::1/64", "198.18.0.1/24"]

[[interfaces]]
port = "p1"
addresses = ["198.18.9.1/24"]

[[interfaces]]
port = "p2"

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.105-198.18.0.109", "198.18.0.100-198.18.0.104"]
lease_time = "1h"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1", "198.18.0.2"]
domain = "lan."
ntp_servers = ["198.18.0.3"]
domain_search = ["lan.", "example.test."]
static_routes = [
  { destination = "198.19.0.0/16", router = "198.18.0.1" },
  { destination = "0.0.0.0/0", router = "198.18.0.1" },
]
options = [
  { code = 150, type = "ipv4", value = "198.18.0.5" },
  { code = 252, type = "string", value = "http://wpad.lan/wpad.dat", always = true },
]

[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
hostname = "my-server"

[[dhcp.scopes.reservations]]
client_id = "01:02:00:00:00:00:00:51"
ip = "198.18.0.51"

[[dhcp.scopes]]
name = "relayed"
subnet = "198.18.1.0/24"
pools = ["198.18.1.10-198.18.1.19"]
lease_time = "1h"
t1 = "20m"
t2 = "40m"
routers = ["198.18.1.1"]
dns_servers = ["198.18.0.1"]

[[dhcp.scopes.reservations]]
circuit_id = "eth0/1/3"
ip = "198.18.1.52"

[[dhcp.scopes.reservations]]
remote_id = "0x0a0b0c0d"
ip = "198.18.1.53"

[[dhcp.scopes]]
name = "linksel"
subnet = "198.18.2.0/24"
pools = ["198.18.2.10-198.18.2.19"]
offer_hold = "10s"

[[dhcp.scopes]]
name = "tiny"
subnet = "198.18.3.0/24"
pools = ["198.18.3.10-198.18.3.12"]
lease_time = "10m"
decline_probation = "5m"
domain = "tiny."
[dhcp.scopes.dns]
update = false
)";

inline uint32_t ip(std::string_view s) {
    auto a = net::parse_ipv4(s);
    EXPECT_TRUE(a) << s;
    return a ? a->value : 0;
}

inline std::string ip_str(uint32_t v) {
    return net::to_string(net::Ipv4Addr{v});
}

inline net::MacAddr mac(uint8_t last) {
    return net::MacAddr{{0x02, 0x00, 0x00, 0x00, 0x00, last}};
}

inline const net::MacAddr kRelayMac{{0x02, 0xee, 0, 0, 0, 0x01}};
inline const net::MacAddr kRouterMac{{0x02, 0xee, 0, 0, 0, 0x02}};

/// Builds a DhcpRequest as the worker's parser would, defaulting to a broadcast from a
/// directly attached client on interface 0.
class Req {
  public:
    Req(MsgType t, uint8_t mac_last) {
        std::memset(static_cast<void*>(&r_), 0, sizeof r_);
        r_.msg_type = t;
        r_.xid = 0x5eed0000u + mac_last;
        r_.chaddr = mac(mac_last);
        r_.path.src_mac = r_.chaddr;
        r_.path.dst_ip = 0xFFFFFFFF;
        r_.path.src_port = kClientPort;
    }
    Req& hw(const net::MacAddr& m) {
        r_.chaddr = m;
        r_.path.src_mac = m;
        return *this;
    }
    Req& client_id(std::initializer_list<uint8_t> id) {
        r_.client_id_len = static_cast<uint8_t>(id.size());
        std::copy(id.begin(), id.end(), r_.client_id);
        return *this;
    }
    Req& requested(std::string_view a) {
        r_.requested_ip = ip(a);
        return *this;
    }
    Req& server(std::string_view a) {
        r_.server_id = ip(a);
        return *this;
    }
    Req& ciaddr(std::string_view a) {
        r_.ciaddr = ip(a);
        r_.path.src_ip = r_.ciaddr;
        return *this;
    }
    /// Sent unicast to `to` (RENEWING), rather than broadcast.
    Req& unicast(std::string_view to = "198.18.0.1") {
        r_.path.dst_ip = ip(to);
        return *this;
    }
    Req& broadcast_flag() {
        r_.flags = 0x8000;
        return *this;
    }
    Req& lease(uint32_t secs) {
        r_.lease_time = secs;
        return *this;
    }
    Req& iface(uint32_t i) {
        r_.path.iface_index = i;
        return *this;
    }
    Req& prl(std::initializer_list<uint8_t> codes) {
        r_.prl_len = static_cast<uint8_t>(codes.size());
        std::copy(codes.begin(), codes.end(), r_.prl);
        return *this;
    }
    Req& hostname(std::string_view h) {
        r_.hostname_len = static_cast<uint8_t>(h.size());
        std::memcpy(r_.hostname, h.data(), h.size());
        return *this;
    }
    /// Option 81 with flags and the name as given (wire form when flags has E).
    Req& fqdn(uint8_t flags, std::string_view name) {
        r_.has_fqdn = true;
        r_.fqdn_flags = flags;
        r_.fqdn_len = static_cast<uint8_t>(name.size());
        std::memcpy(r_.fqdn, name.data(), name.size());
        return *this;
    }
    /// Relayed through `giaddr` arriving on interface 1 from the relay's MAC, with option 82
    /// sub-options 1 (circuit), 2 (remote) and 5 (link selection) when given.
    Req& relay(std::string_view giaddr, std::string_view circuit = {}, std::string_view remote = {},
               std::string_view link = {}) {
        r_.giaddr = ip(giaddr);
        r_.hops = 1;
        r_.path.iface_index = 1;
        r_.path.src_mac = kRelayMac;
        r_.path.src_ip = r_.giaddr;
        r_.path.dst_ip = ip("198.18.9.1");
        r_.path.src_port = kServerPort;
        uint8_t* p = r_.relay_info;
        auto sub = [&](uint8_t code, const uint8_t* d, size_t n) {
            *p++ = code;
            *p++ = static_cast<uint8_t>(n);
            std::memcpy(p, d, n);
            p += n;
            return static_cast<uint8_t>(p - r_.relay_info - n);
        };
        if (!circuit.empty()) {
            r_.circuit_id_off =
                sub(1, reinterpret_cast<const uint8_t*>(circuit.data()), circuit.size());
            r_.circuit_id_len = static_cast<uint8_t>(circuit.size());
        }
        if (!remote.empty()) {
            r_.remote_id_off =
                sub(2, reinterpret_cast<const uint8_t*>(remote.data()), remote.size());
            r_.remote_id_len = static_cast<uint8_t>(remote.size());
        }
        if (!link.empty()) {
            r_.link_selection = ip(link);
            uint8_t b[4] = {uint8_t(r_.link_selection >> 24), uint8_t(r_.link_selection >> 16),
                            uint8_t(r_.link_selection >> 8), uint8_t(r_.link_selection)};
            sub(5, b, 4);
        }
        r_.relay_info_len = static_cast<uint8_t>(p - r_.relay_info);
        return *this;
    }
    DhcpRequest& raw() { return r_; }
    operator const DhcpRequest&() const { return r_; }

  private:
    DhcpRequest r_;
};

/// A decoded reply: the BOOTP header fields and the options in the order they came.
struct Decoded {
    uint8_t op = 0;
    uint32_t xid = 0;
    uint16_t flags = 0;
    uint32_t ciaddr = 0, yiaddr = 0, siaddr = 0, giaddr = 0;
    net::MacAddr chaddr;
    std::map<uint8_t, std::vector<uint8_t>> opts;
    std::vector<uint8_t> order;
    bool ok = false;

    MsgType type() const {
        auto it = opts.find(53);
        return it == opts.end() || it->second.size() != 1 ? MsgType::None
                                                          : static_cast<MsgType>(it->second[0]);
    }
    bool has(uint8_t code) const { return opts.count(code) != 0; }
    uint32_t u32(uint8_t code) const {
        auto it = opts.find(code);
        if (it == opts.end() || it->second.size() != 4) return 0xDEADBEEF;
        const auto& v = it->second;
        return uint32_t{v[0]} << 24 | uint32_t{v[1]} << 16 | uint32_t{v[2]} << 8 | v[3];
    }
    std::vector<uint32_t> addrs(uint8_t code) const {
        std::vector<uint32_t> out;
        auto it = opts.find(code);
        if (it == opts.end()) return out;
        const auto& v = it->second;
        for (size_t i = 0; i + 4 <= v.size(); i += 4)
            out.push_back(uint32_t{v[i]} << 24 | uint32_t{v[i + 1]} << 16 |
                          uint32_t{v[i + 2]} << 8 | v[i + 3]);
        return out;
    }
    std::string str(uint8_t code) const {
        auto it = opts.find(code);
        return it == opts.end() ? std::string() : std::string(it->second.begin(), it->second.end());
    }
};

inline uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

inline Decoded decode(const DhcpReply& r) {
    Decoded d;
    const uint8_t* p = r.payload;
    if (r.len < 240 || be32(p + 236) != 0x63825363) return d;
    d.op = p[0];
    d.xid = be32(p + 4);
    d.flags = static_cast<uint16_t>(p[10] << 8 | p[11]);
    d.ciaddr = be32(p + 12);
    d.yiaddr = be32(p + 16);
    d.siaddr = be32(p + 20);
    d.giaddr = be32(p + 24);
    std::memcpy(d.chaddr.bytes.data(), p + 28, 6);
    size_t i = 240;
    while (i < r.len) {
        const uint8_t code = p[i++];
        if (code == 0) continue;
        if (code == 255) {
            d.ok = true;
            break;
        }
        if (i >= r.len || i + 1 + p[i] > r.len) return d;
        const uint8_t len = p[i++];
        auto& v = d.opts[code];
        if (v.empty()) d.order.push_back(code);
        v.insert(v.end(), p + i, p + i + len);  // RFC 3396: split options concatenate
        i += len;
    }
    return d;
}

inline config::Config load(const char* toml) {
    auto r = config::load_config_string(toml, "engine-test.toml");
    std::string errors;
    for (const auto& e : r.errors) errors += e.to_string() + "\n";
    EXPECT_TRUE(r.config) << errors;
    return r.config ? *r.config : config::Config{};
}

class EngineTest : public testing::Test {
  public:
    EngineTest() : cfg_(load(kConfig)), engine_(cfg_) {}

    const Result& run(const DhcpRequest& r) {
        engine_.handle(r, now_, res_);
        EXPECT_EQ(res_.changed.size(), res_.events.size());
        return res_;
    }
    /// The reply of the last run, decoded; fails the test when there was none.
    Decoded reply() {
        EXPECT_TRUE(res_.has_reply);
        Decoded d = decode(res_.reply);
        EXPECT_TRUE(d.ok);
        return d;
    }
    /// DISCOVER: the offered address ("" when none).
    std::string offer(Req q) {
        run(q);
        if (!res_.has_reply) return "";
        Decoded d = decode(res_.reply);
        EXPECT_EQ(d.type(), MsgType::Offer);
        return ip_str(d.yiaddr);
    }
    /// DISCOVER + REQUEST (SELECTING) for the client `q` describes; returns the ACKed address.
    std::string dora(Req q) {
        DhcpRequest d = q;
        d.msg_type = MsgType::Discover;
        run(d);
        if (!res_.has_reply) return "";
        Decoded o = decode(res_.reply);
        DhcpRequest r = q;
        r.msg_type = MsgType::Request;
        r.server_id = o.u32(54);
        r.requested_ip = o.yiaddr;
        run(r);
        if (!res_.has_reply) return "";
        Decoded a = decode(res_.reply);
        EXPECT_EQ(a.type(), MsgType::Ack);
        return ip_str(a.yiaddr);
    }
    const Lease* lease(std::string_view a) { return engine_.find(ip(a)); }
    std::vector<Lease> expire(int64_t at, size_t max = 1000) {
        std::vector<Lease> out;
        engine_.expire_due(at, max, out);
        return out;
    }

    // Public so that table-driven set-up functions can drive a fixture of their own.
    config::Config cfg_;
    LeaseEngine engine_;
    Result res_;
    int64_t now_ = 1'700'000'000;
};

}  // namespace edgelease::control::dhcp::test
