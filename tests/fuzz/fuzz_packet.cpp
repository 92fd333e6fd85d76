// libFuzzer target: a received Ethernet frame through handle_frame (validation, VLAN/QinQ
// lookup, ARP / ICMP echo / ND / ICMPv6 echo answers in place) and, for a datagram to us,
// turn_around_udp. The buffer is the frame plus 64 bytes of tailroom, on the heap, so ASan
// catches any write past cap.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/net.hpp"
#include "dataplane/packet.hpp"

namespace {

using namespace edgelease;

net::IfAddress ifaddr(const char* s) {
    auto a = net::parse_if_address(s);
    if (!a) std::abort();
    return *a;
}

/// Untagged: 198.18.0.1/24, 2001:db8::1/64 and the EUI-64 link-local. QinQ 200/300:
/// 198.18.2.1/24, 198.18.3.0/31, 2001:db8:2::1/64. Same as tests/unit/dataplane.
const dataplane::PortContext& port() {
    static const dataplane::PortContext* p = [] {
        auto* ctx = new dataplane::PortContext;
        ctx->mac = *net::parse_mac("02:00:00:00:00:01");
        dataplane::L3Interface untagged;
        untagged.index = 0;
        untagged.v4 = {ifaddr("198.18.0.1/24")};
        net::IfAddress ll;
        ll.is_v6 = true;
        ll.v6 = net::link_local_from_mac(ctx->mac);
        ll.prefix_len = 64;
        untagged.v6 = {ifaddr("2001:db8::1/64"), ll};
        dataplane::L3Interface qinq;
        qinq.vlan = 200;
        qinq.inner_vlan = 300;
        qinq.index = 1;
        qinq.v4 = {ifaddr("198.18.2.1/24"), ifaddr("198.18.3.0/31")};
        qinq.v6 = {ifaddr("2001:db8:2::1/64")};
        ctx->interfaces = {untagged, qinq};
        return ctx;
    }();
    return *p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr size_t kTailroom = 64;
    if (size + kTailroom > 0xffff) return 0;
    const size_t cap = size + kTailroom;
    std::unique_ptr<uint8_t[]> buf(new uint8_t[cap]);
    if (size != 0) std::memcpy(buf.get(), data, size);
    std::memset(buf.get() + size, 0, kTailroom);

    dataplane::PacketView view;
    view.data = buf.get();
    view.len = static_cast<uint16_t>(size);
    view.cap = static_cast<uint16_t>(cap);
    dataplane::DropReason why = dataplane::DropReason::Count;
    dataplane::LcoreStats stats;
    const dataplane::Verdict v = dataplane::handle_frame(port(), view, why, stats);
    if (view.len > cap) std::abort();
    if (v == dataplane::Verdict::Udp) {
        (void)dataplane::udp_dst_port(view);
        // A small answer written over the request's payload, as the DNS/DHCP paths do.
        constexpr uint16_t kAnswer = 16;
        if (static_cast<size_t>(view.payload_off) + kAnswer <= cap) {
            std::memset(view.data + view.payload_off, 0xab, kAnswer);
        }
        if (dataplane::turn_around_udp(port(), view, kAnswer, why) && view.len > cap) {
            std::abort();
        }
    }
    return 0;
}
