// Bad input never crashes nor reads past the buffer: every truncation of every valid test
// frame, and bounded random byte flips (fixed seed). Buffers are heap blocks of exactly the
// frame's capacity, so ASan (CI) reports any access beyond them.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/dataplane/frame_builder.hpp"

namespace edgelease::dataplane::test {
namespace {

struct Sample {
    const char* name;
    Bytes frame;
    size_t tailroom = 0;  // what a valid answer needs beyond the request
};

std::vector<Sample> samples() {
    std::vector<Sample> s;
    Bytes arp_body = arp(1, kPeerMac, kPeer4, mac("00:00:00:00:00:00"), kOur4);
    s.push_back({"arp", cat(ether(kBroadcastMac, kPeerMac, 0x0806), arp_body)});
    s.push_back(
        {"arp_qinq", cat(ether(kBroadcastMac, kPeerMac, 0x0806, {{0x88a8, 200}, {0x8100, 300}}),
                         arp(1, kPeerMac, kPeer4, mac("00:00:00:00:00:00"), ip4("198.18.2.1")))});
    s.push_back({"ping4", ping4_frame()});
    s.push_back(
        {"ping4_options",
         cat(ether(kOurMac, kPeerMac, 0x0800, {{0x8100, 100}}),
             ipv4({.src = kPeer4, .dst = ip4("198.18.1.1"), .proto = 1, .options = {0x94, 4, 0, 0}},
                  icmp4(8, 0, 1, 2, pattern(12))))});
    s.push_back({"udp4", udp4_frame(53, pattern(30)), 64});
    s.push_back({"udp4_broadcast",
                 cat(ether(kBroadcastMac, kPeerMac, 0x0800),
                     ipv4({.src = 0, .dst = 0xffffffff, .proto = 17},
                          udp4(0, 0xffffffff, 68, 67, pattern(40)))),
                 64});
    s.push_back({"ping6", ping6_frame()});
    s.push_back({"ns_sll", ns_frame(kOur6, mac("02:00:00:00:00:aa"))});
    s.push_back({"ns_no_option", ns_frame(kOur6, std::nullopt), 8});
    s.push_back({"ns_dad", ns_frame(kOur6, std::nullopt, net::Ipv6Addr{}), 8});
    s.push_back({"udp6", udp6_frame(53, pattern(30)), 64});
    s.push_back({"udp6_ext",
                 cat(ether(kOurMac, kPeerMac, 0x86dd),
                     ipv6({.src = kPeer6, .dst = kOur6, .next = 0},
                          cat(Bytes{60, 0, 0x1e, 1, 0, 1, 0, 0},
                              cat(Bytes{17, 0, 1, 4, 0, 0, 0, 0},
                                  udp6(kPeer6, kOur6, 9, 53, pattern(16)))))),
                 64});
    net::Ipv6Addr group = solicited_node(kOur6);
    s.push_back(
        {"ns_hbh", cat(ether(mac("33:33:ff:00:00:01"), kPeerMac, 0x86dd),
                       ipv6({.src = kPeer6, .dst = group, .next = 0, .hop = 255},
                            cat(Bytes{58, 0, 1, 4, 0, 0, 0, 0},
                                icmp6(kPeer6, group, 135, 0,
                                      ns_body(kOur6, kPeerMac, {14, 1, 1, 2, 3, 4, 5, 6})))))});
    return s;
}

/// Fixes the IPv4 header, ICMP, ICMPv6 and UDP checksums of a mutated frame where its
/// structure still allows, so that mutations also reach the code behind the checksums.
void reseal(Bytes& f) {
    size_t off = 12;
    if (f.size() < off + 2) return;
    uint16_t type = get16(f, off);
    off += 2;
    for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 2; ++tags) {
        if (f.size() < off + 4) return;
        type = get16(f, off + 2);
        off += 4;
    }
    auto set16 = [&](size_t at, uint16_t v) {
        f[at] = static_cast<uint8_t>(v >> 8);
        f[at + 1] = static_cast<uint8_t>(v);
    };
    size_t l4 = 0, n = 0;
    if (type == 0x0800) {
        if (f.size() < off + 20) return;
        size_t hl = size_t{f[off] & 15u} * 4;
        if (hl < 20 || off + hl > f.size()) return;
        set16(off + 10, 0);
        set16(off + 10, ref_checksum(slice(f, off, hl)));
        size_t total = get16(f, off + 2);
        if (total < hl || off + total > f.size()) return;
        uint8_t proto = f[off + 9];
        l4 = off + hl;
        n = total - hl;
        if (proto == 17 && n >= 8) {
            size_t ulen = get16(f, l4 + 4);
            if (ulen < 8 || ulen > n) return;
            set16(l4 + 6, 0);
            Bytes ph =
                pseudo4(get32(f, off + 12), get32(f, off + 16), 17, static_cast<uint16_t>(ulen));
            set16(l4 + 6, ref_checksum(cat(ph, slice(f, l4, ulen))));
        } else if (proto == 1 && n >= 4) {
            set16(l4 + 2, 0);
            set16(l4 + 2, ref_checksum(slice(f, l4, n)));
        }
        return;
    }
    if (type != 0x86dd || f.size() < off + 40) return;
    size_t plen = get16(f, off + 4);
    if (off + 40 + plen > f.size()) return;
    uint8_t next = f[off + 6];
    l4 = off + 40;
    size_t end = l4 + plen;
    while ((next == 0 || next == 60) && l4 + 2 <= end) {
        size_t len = (size_t{f[l4 + 1]} + 1) * 8;
        next = f[l4];
        l4 += len;
    }
    if (l4 > end) return;
    n = end - l4;
    net::Ipv6Addr s = get_ip6(f, off + 8), d = get_ip6(f, off + 24);
    if (next == 58 && n >= 4) {
        set16(l4 + 2, 0);
        set16(l4 + 2,
              ref_checksum(cat(pseudo6(s, d, static_cast<uint32_t>(n), 58), slice(f, l4, n))));
    } else if (next == 17 && n >= 8) {
        size_t ulen = get16(f, l4 + 4);
        if (ulen < 8 || ulen > n) return;
        set16(l4 + 6, 0);
        uint16_t c =
            ref_checksum(cat(pseudo6(s, d, static_cast<uint32_t>(ulen), 17), slice(f, l4, ulen)));
        set16(l4 + 6, c == 0 ? 0xffff : c);
    }
}

/// Runs one frame through handle_frame (and turn_around_udp when it is UDP) in a buffer of
/// exactly len + tailroom bytes and checks what must hold for any input.
void run_one(const PortContext& port, const Bytes& frame, size_t tailroom, size_t& replies,
             size_t& udps) {
    auto rx = receive(port, frame, tailroom);
    PacketView& v = rx->view;
    ASSERT_LE(v.len, v.cap);
    switch (rx->verdict) {
        case Verdict::Drop:
            ASSERT_LT(rx->why, DropReason::Count);
            break;
        case Verdict::Kernel:  // handed over unchanged: the frame is what was received
            ASSERT_LT(rx->why, DropReason::Count);
            ASSERT_TRUE(v.to_us);
            ASSERT_NE(v.iface, nullptr);
            ASSERT_TRUE(std::equal(frame.begin(), frame.begin() + v.len, rx->out().begin()));
            break;
        case Verdict::Reply: {
            ++replies;
            ASSERT_GE(v.len, 14 + 28);
            ASSERT_EQ(get_mac(rx->out(), 6), kOurMac);
            uint64_t answered = rx->stats.arp_replies.get() + rx->stats.icmp_echo_replies.get() +
                                rx->stats.nd_adverts.get() + rx->stats.icmp6_echo_replies.get();
            ASSERT_EQ(answered, 1u);
            break;
        }
        case Verdict::Udp: {
            ++udps;
            ASSERT_NE(v.iface, nullptr);
            ASSERT_EQ(v.payload_off, v.l4_off + 8);
            ASSERT_LE(v.payload_off + v.payload_len, v.len);
            ASSERT_LE(v.len, frame.size());
            (void)udp_dst_port(v);
            size_t room = v.cap - v.payload_off;
            DropReason why = DropReason::Count;
            if (room < 0xffff) {
                ASSERT_FALSE(turn_around_udp(port, v, static_cast<uint16_t>(room + 1), why));
                ASSERT_EQ(why, DropReason::NoRoom);
            }
            uint16_t n = static_cast<uint16_t>(std::min<size_t>(room, v.payload_len + 5));
            ASSERT_TRUE(turn_around_udp(port, v, n, why)) << drop_reason_name(why);
            ASSERT_LE(v.len, v.cap);
            Bytes out = rx->out();
            size_t l3 = v.l3_off;
            Bytes u = slice(out, v.l4_off, 8 + size_t{n});
            if (v.is_v6) {
                ASSERT_TRUE(ref_valid(cat(pseudo6(get_ip6(out, l3 + 8), get_ip6(out, l3 + 24),
                                                  static_cast<uint32_t>(u.size()), 17),
                                          u)));
            } else {
                ASSERT_TRUE(ref_valid(slice(out, l3, 20)));
                ASSERT_TRUE(ref_valid(cat(pseudo4(get32(out, l3 + 12), get32(out, l3 + 16), 17,
                                                  static_cast<uint16_t>(u.size())),
                                          u)));
            }
            break;
        }
    }
}

TEST(Robustness, SamplesAreValid) {
    PortContext port = test_port();
    for (const auto& s : samples()) {
        SCOPED_TRACE(s.name);
        auto rx = receive(port, s.frame, s.tailroom);
        EXPECT_NE(rx->verdict, Verdict::Drop) << drop_reason_name(rx->why);
        // Resealing a valid frame changes nothing.
        Bytes copy = s.frame;
        reseal(copy);
        EXPECT_EQ(copy, s.frame);
    }
}

TEST(Robustness, EveryTruncation) {
    PortContext port = test_port();
    size_t replies = 0, udps = 0;
    for (const auto& s : samples()) {
        SCOPED_TRACE(s.name);
        for (size_t n = 0; n <= s.frame.size(); ++n) {
            Bytes cut = slice(s.frame, 0, n);
            run_one(port, cut, 0, replies, udps);
            run_one(port, cut, s.tailroom, replies, udps);
            if (HasFatalFailure()) return;
        }
    }
    // Only whole frames get through, each twice, except that the two solicitations without
    // an option need their 8 bytes of tailroom.
    EXPECT_EQ(replies + udps, 2 * samples().size() - 2);
}

TEST(Robustness, RandomByteFlips) {
    PortContext port = test_port();
    std::mt19937 rng(20240601);
    size_t replies = 0, udps = 0;
    for (const auto& s : samples()) {
        SCOPED_TRACE(s.name);
        for (int i = 0; i < 3000; ++i) {
            Bytes f = s.frame;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k)
                f[rng() % f.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
            if (rng() % 4 == 0) f.resize(rng() % (f.size() + 1));
            if (rng() % 8 == 0) f.resize(f.size() + rng() % 16, static_cast<uint8_t>(rng()));
            if (rng() % 2 == 0) reseal(f);
            run_one(port, f, rng() % 2 ? s.tailroom : 0, replies, udps);
            if (HasFatalFailure()) return;
        }
    }
    // The flips that miss the fields that matter (or are resealed) still get answered.
    EXPECT_GT(replies, 100u);
    EXPECT_GT(udps, 100u);
}

TEST(Robustness, RandomFrames) {
    PortContext port = test_port();
    std::mt19937 rng(7);
    size_t replies = 0, udps = 0;
    const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x9100};
    for (int i = 0; i < 20000; ++i) {
        Bytes f(rng() % 200);
        for (auto& b : f) b = static_cast<uint8_t>(rng());
        if (f.size() >= 14) {
            std::copy(kOurMac.bytes.begin(), kOurMac.bytes.end(), f.begin());
            uint16_t t = types[rng() % 6];
            f[12] = static_cast<uint8_t>(t >> 8);
            f[13] = static_cast<uint8_t>(t);
            if (f.size() >= 15 && rng() % 2) f[14] = (t == 0x86dd ? 0x60 : 0x45);
            if (f.size() >= 18 && (t == 0x8100 || t == 0x88a8)) {
                f[14] &= 0xf0;  // VLAN 0 ...
                f[15] = 0;
                f[16] = rng() % 2 ? 0x08 : 0x86;  // ... carrying IPv4 or IPv6
                f[17] = f[16] == 0x08 ? 0x00 : 0xdd;
            }
            reseal(f);
        }
        run_one(port, f, rng() % 64, replies, udps);
        if (HasFatalFailure()) return;
    }
}

TEST(Robustness, NullBufferIsARunt) {
    PortContext port = test_port();
    PacketView v;
    DropReason why = DropReason::Count;
    LcoreStats stats;
    EXPECT_EQ(handle_frame(port, v, why, stats), Verdict::Drop);
    EXPECT_EQ(why, DropReason::Runt);
}

}  // namespace
}  // namespace edgelease::dataplane::test
