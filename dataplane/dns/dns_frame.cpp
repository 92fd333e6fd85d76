#include "dataplane/dns/dns_frame.hpp"

#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::dataplane::dns {

namespace {
constexpr uint16_t kMtu = 1500;
// The third header octet: QR (0x80) and the opcode (0x78).
constexpr uint8_t kQrOpcodeBits = 0xf8;
constexpr uint8_t kUpdateRequest = wire::dns::opcode::kUpdate << 3;
}  // namespace

Verdict answer_dns_frame(const PortContext& port, const dns::ZoneView* zones,
                         const dns::DnsSettings& settings, dns::DnsStats& stats, PacketView& v,
                         const uint64_t* qname_hash, DropReason& why, RrlTable* rrl,
                         uint32_t now_s) noexcept {
    // Largest answer that still fits the link MTU once the IP and UDP headers are rebuilt
    // (without IP options or IPv6 extension headers), and the buffer.
    const auto ip_hdr =
        static_cast<uint16_t>(v.is_v6 ? wire::ipv6::kHeaderLen : wire::ipv4::kMinHeaderLen);
    auto cap = static_cast<uint16_t>(kMtu - ip_hdr - wire::udp::kHeaderLen);
    const uint16_t room = static_cast<uint16_t>(v.cap - v.payload_off);
    if (room < cap) cap = room;
    // A request with opcode UPDATE (QR clear) for the kernel's DNS server (DnsSettings).
    if (settings.updates_to_kernel && v.payload_len >= wire::dns::kHeaderSize &&
        (v.data[v.payload_off + 2] & kQrOpcodeBits) == kUpdateRequest && v.to_us &&
        v.vlan_count == 0)
        return Verdict::Kernel;
    uint8_t* msg = v.data + v.payload_off;
    // The source address, where the IP header keeps it.
    const uint8_t* src = v.data + v.l3_off + (v.is_v6 ? 8 : 12);
    CookieCheck cookie;
    CookieCheck* cookies = nullptr;
    if (settings.cookie_secret != nullptr) {
        cookie.secret = settings.cookie_secret;
        cookie.client_ip = src;
        cookie.ip_len = v.is_v6 ? 16 : 4;
        cookie.now = now_s;
        cookies = &cookie;
    }
    uint16_t n =
        dns::answer_query(zones, settings, msg, v.payload_len, cap, stats, qname_hash, cookies);
    if (n == 0) {
        why = DropReason::DnsUnanswerable;
        return Verdict::Drop;
    }
    // A valid server cookie proves the source address: never limited (RFC 7873 §1).
    if (rrl != nullptr && !cookie.valid) {
        switch (rrl->check(v.is_v6, src, rrl_class(msg, n), now_s)) {
            case RrlTable::Action::Send:
                break;
            case RrlTable::Action::Exempt:
                stats.rrl_exempt.add();
                break;
            case RrlTable::Action::Slip:
                stats.rrl_slipped.add();
                n = truncate_answer(msg, n);
                break;
            case RrlTable::Action::Drop:
                stats.rrl_dropped.add();
                why = DropReason::DnsRateLimited;
                return Verdict::Drop;
        }
    }
    return turn_around_udp(port, v, n, why) ? Verdict::Reply : Verdict::Drop;
}

}  // namespace edgelease::dataplane::dns
