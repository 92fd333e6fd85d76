#pragma once
// The other end for the generators' unit tests: the appliance's own packet path
// (handle_frame) and DHCP codec (parse_request, encode_reply, build_reply_frame) judge what
// the generators send and build what they receive. A tiny in-memory DHCP server hands out
// addresses so the client state machine can run whole exchanges without EAL.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "common/net.hpp"
#include "control/dhcp/encode.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "dataplane/packet.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dhcp.hpp"

namespace edgelease::loadgen::test {

namespace dw = edgelease::dataplane::wire;
using Bytes = std::vector<uint8_t>;

inline net::MacAddr mac(std::string_view s) {
    return *net::parse_mac(s);
}
inline uint32_t ip4(std::string_view s) {
    return net::parse_ipv4(s)->value;
}

inline const net::MacAddr kServerMac = mac("02:00:00:00:00:01");
inline const net::MacAddr kGenMac = mac("02:00:00:00:00:02");
inline const uint32_t kServerIp = ip4("198.18.0.1");
inline const uint32_t kGenIp = ip4("198.18.0.2");

/// The appliance's view of its port: 198.18.0.1/16, untagged.
inline dataplane::PortContext server_port() {
    dataplane::PortContext p;
    p.port_id = 0;
    p.mac = kServerMac;
    dataplane::L3Interface ifc;
    net::IfAddress a;
    a.v4 = net::Ipv4Addr{kServerIp};
    a.prefix_len = 16;
    ifc.v4.push_back(a);
    p.interfaces.push_back(ifc);
    return p;
}

/// What the appliance's worker makes of a frame; the buffer is copied with room to spare.
struct Received {
    Bytes buf;
    dataplane::PacketView view;
    dataplane::Verdict verdict = dataplane::Verdict::Drop;
    dataplane::DropReason why = dataplane::DropReason::Runt;
};

inline Received server_receive(const dataplane::PortContext& port, const uint8_t* f, uint16_t len) {
    Received r;
    r.buf.assign(f, f + len);
    r.buf.resize(len + 512u);
    r.view.data = r.buf.data();
    r.view.len = len;
    r.view.cap = static_cast<uint16_t>(r.buf.size());
    dataplane::LcoreStats stats;
    r.verdict = dataplane::handle_frame(port, r.view, r.why, stats);
    return r;
}

/// A DHCP server reduced to what the client state machine needs: addresses handed out in
/// order from `first`, renewals ACKed, releases recorded, NAKs on demand. Replies are
/// addressed as RFC 2131 §4.1 says (and the appliance does).
class FakeDhcpServer {
  public:
    explicit FakeDhcpServer(uint32_t first) : next_(first) {}

    bool nak_requests = false;                                  // NAK every REQUEST
    bool drop_everything = false;                               // never answer
    std::vector<edgelease::dataplane::dhcp::DhcpRequest> seen;  // every request parsed
    std::map<uint64_t, uint32_t> leases;                        // chaddr -> address
    std::vector<uint32_t> released;

    /// The reply frame to one frame from the generator, if any. Fails the test when the
    /// appliance's packet path or parser would refuse the frame.
    std::optional<Bytes> answer(const uint8_t* f, uint16_t len) {
        const auto port = server_port();
        Received rx = server_receive(port, f, len);
        EXPECT_EQ(rx.verdict, dataplane::Verdict::Udp)
            << "dropped as " << dataplane::drop_reason_name(rx.why);
        if (rx.verdict != dataplane::Verdict::Udp) return std::nullopt;
        EXPECT_EQ(dataplane::udp_dst_port(rx.view), 67);
        edgelease::dataplane::dhcp::DhcpRequest req;
        const auto err = edgelease::dataplane::dhcp::parse_request(
            rx.view.data + rx.view.payload_off, rx.view.payload_len, req);
        EXPECT_EQ(err, edgelease::dataplane::dhcp::ParseError::None);
        if (err != edgelease::dataplane::dhcp::ParseError::None) return std::nullopt;
        std::memcpy(req.path.src_mac.bytes.data(), rx.view.data + 6, 6);
        req.path.src_ip = dw::load_be32(rx.view.data + rx.view.l3_off + 12);
        req.path.dst_ip = dw::load_be32(rx.view.data + rx.view.l3_off + 16);
        seen.push_back(req);
        if (drop_everything) return std::nullopt;

        const uint64_t key = key_of(req.chaddr);
        edgelease::control::dhcp::ReplyHeader h;
        h.server_id = kServerIp;
        switch (req.msg_type) {
            case edgelease::dataplane::dhcp::MsgType::Discover:
                h.type = edgelease::dataplane::dhcp::MsgType::Offer;
                h.yiaddr = leases.count(key) != 0 ? leases[key] : next_++;
                leases[key] = h.yiaddr;
                break;
            case edgelease::dataplane::dhcp::MsgType::Request:
                if (nak_requests) {
                    h.type = edgelease::dataplane::dhcp::MsgType::Nak;
                    break;
                }
                h.type = edgelease::dataplane::dhcp::MsgType::Ack;
                h.ciaddr = req.ciaddr;
                h.yiaddr = leases[key];
                break;
            case edgelease::dataplane::dhcp::MsgType::Release:
                released.push_back(req.ciaddr);
                return std::nullopt;  // no answer (RFC 2131 §4.3.4)
            default:
                return std::nullopt;
        }
        edgelease::control::dhcp::OptionSet opts;
        opts.set_u32(dw::dhcp::opt::kLeaseTime, 3600);
        opts.set_addr(dw::dhcp::opt::kSubnetMask, 0xffff0000u);
        edgelease::dataplane::dhcp::DhcpReply r;
        r.path = req.path;
        r.len = edgelease::control::dhcp::encode_reply(req, h, opts, r.payload, sizeof r.payload);
        EXPECT_NE(r.len, 0);
        r.src_ip = kServerIp;
        if (req.giaddr != 0) {
            r.dst_ip = req.giaddr;
            r.dst_port = 67;
            r.dst_mac = req.path.src_mac;
        } else if (h.type == edgelease::dataplane::dhcp::MsgType::Nak || req.broadcast_flag()) {
            r.dst_ip = 0xffffffff;
            r.dst_mac = mac("ff:ff:ff:ff:ff:ff");
        } else if (req.ciaddr != 0) {
            r.dst_ip = req.ciaddr;
            r.dst_mac = req.path.src_mac;
        } else {
            r.dst_ip = h.yiaddr;
            r.dst_mac = req.chaddr;
        }
        Bytes frame(1600);
        const uint16_t n = edgelease::dataplane::dhcp::build_reply_frame(
            kServerMac, r, frame.data(), static_cast<uint16_t>(frame.size()));
        EXPECT_NE(n, 0);
        frame.resize(n);
        return frame;
    }

  private:
    static uint64_t key_of(const net::MacAddr& m) {
        uint64_t v = 0;
        for (uint8_t b : m.bytes) v = v << 8 | b;
        return v;
    }
    uint32_t next_;
};

}  // namespace edgelease::loadgen::test
