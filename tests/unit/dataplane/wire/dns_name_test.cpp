// decode_name and uncompressed_name_len: compression pointers, chains, loops, forward
// pointers, pointers into the header, length limits, truncation.
#include <gtest/gtest.h>

#include <cstring>

#include "dataplane/wire/dns.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::wire::dns::test {
namespace {

/// Decodes at off from an exact-size heap copy; returns the length and fills out / next.
int decode(const Bytes& msg, uint16_t off, Bytes& out, uint16_t& next) {
    Exact e(msg);
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kMaxName]);
    int n = decode_name(e.p.get(), e.len(), off, buf.get(), next);
    out.assign(buf.get(), buf.get() + (n > 0 ? n : 0));
    return n;
}

TEST(LowerCase, EightAtATimeAsOneAtATime) {
    // Every byte value in every position, beside neighbours that could carry into it.
    for (unsigned v = 0; v < 256; ++v) {
        for (unsigned k = 0; k < 8; ++k) {
            for (uint8_t fill : {uint8_t{0x00}, uint8_t{0x5a}, uint8_t{0x7f}, uint8_t{0xff}}) {
                uint8_t in[8], want[8], got[8];
                for (unsigned i = 0; i < 8; ++i) in[i] = i == k ? static_cast<uint8_t>(v) : fill;
                for (unsigned i = 0; i < 8; ++i) want[i] = ascii_lower(in[i]);
                uint64_t w;
                std::memcpy(&w, in, 8);
                w = ascii_lower8(w);
                std::memcpy(got, &w, 8);
                ASSERT_EQ(0, std::memcmp(got, want, 8)) << "byte " << v << " at " << k;
            }
        }
    }
    // Whole runs of every length up to 40, whatever their alignment.
    uint8_t src[48], dst[48];
    for (unsigned i = 0; i < sizeof src; ++i) src[i] = static_cast<uint8_t>(0x3b + i * 7);
    for (unsigned off = 0; off < 8; ++off)
        for (unsigned n = 0; n + off <= 40; ++n) {
            std::memset(dst, 0xee, sizeof dst);
            lower_copy(dst, src + off, n);
            for (unsigned i = 0; i < n; ++i) ASSERT_EQ(dst[i], ascii_lower(src[off + i]));
            ASSERT_EQ(dst[n], 0xee) << "nothing written past n";
        }
}

TEST(DecodeName, Uncompressed) {
    Bytes msg = cat({header(0, 0, 1, 0, 0, 0), question(name("Www.Lan"), type::A)});
    Bytes out;
    uint16_t next = 0;
    ASSERT_EQ(decode(msg, 12, out, next), 9);
    EXPECT_EQ(hex(out), hex(name("Www.Lan")));  // case kept
    EXPECT_EQ(next, 21);
}

TEST(DecodeName, PointerChain) {
    // 12: example.com   25: www -> 12   31: a -> 25
    Bytes msg = cat({header(0, 0, 0, 0, 0, 0), name("example.com"),
                     Bytes{3, 'w', 'w', 'w', 0xc0, 12}, Bytes{1, 'a', 0xc0, 25}, Bytes{0xc0, 31}});
    Bytes out;
    uint16_t next = 0;
    ASSERT_EQ(decode(msg, 25, out, next), 17);
    EXPECT_EQ(hex(out), hex(name("www.example.com")));
    EXPECT_EQ(next, 31);
    ASSERT_EQ(decode(msg, 31, out, next), 19);
    EXPECT_EQ(hex(out), hex(name("a.www.example.com")));
    EXPECT_EQ(next, 35);
    // A bare pointer to a pointer chain.
    ASSERT_EQ(decode(msg, 35, out, next), 19);
    EXPECT_EQ(next, 37);
}

TEST(DecodeName, RootAndPointerToRoot) {
    Bytes msg = cat({header(0, 0, 0, 0, 0, 0), Bytes{0, 0xc0, 12}});
    Bytes out;
    uint16_t next = 0;
    ASSERT_EQ(decode(msg, 12, out, next), 1);
    EXPECT_EQ(next, 13);
    ASSERT_EQ(decode(msg, 13, out, next), 1);
    EXPECT_EQ(out, Bytes{0});
    EXPECT_EQ(next, 15);
}

TEST(DecodeName, LoopsAreRejected) {
    Bytes out;
    uint16_t next = 0;
    // A pointer to itself.
    EXPECT_EQ(decode(cat({header(0, 0, 0, 0, 0, 0), Bytes{0xc0, 12}}), 12, out, next), -1);
    // A label then a pointer back to that label: a loop through "a".
    EXPECT_EQ(decode(cat({header(0, 0, 0, 0, 0, 0), Bytes{1, 'a', 0xc0, 12}}), 12, out, next), -1);
    // Two names pointing at each other: 12 -> 14 is forward; from 14, 14 -> 12 -> 14 loops.
    Bytes two = cat({header(0, 0, 0, 0, 0, 0), Bytes{0xc0, 14, 0xc0, 12}});
    EXPECT_EQ(decode(two, 12, out, next), -1);
    EXPECT_EQ(decode(two, 14, out, next), -1);
    // Three-way: 20 -> 16 -> 12 -> 20.
    Bytes three = cat(
        {header(0, 0, 0, 0, 0, 0), Bytes{1, 'x', 0xc0, 20, 1, 'y', 0xc0, 12, 1, 'z', 0xc0, 16}});
    EXPECT_EQ(decode(three, 20, out, next), -1);
}

TEST(DecodeName, ForwardPointersAreRejected) {
    // 12: pointer to 14, where a valid name sits.
    Bytes msg = cat({header(0, 0, 0, 0, 0, 0), Bytes{0xc0, 14}, name("lan")});
    Bytes out;
    uint16_t next = 0;
    EXPECT_EQ(decode(msg, 12, out, next), -1);
    EXPECT_EQ(decode(msg, 14, out, next), 5);
}

TEST(DecodeName, PointerIntoTheHeaderIsRejected) {
    // The ID 0x0161 would read as the label "a" if followed.
    Bytes msg = cat({header(0x0161, 0, 0, 0, 0, 0), Bytes{0xc0, 0}});
    Bytes out;
    uint16_t next = 0;
    EXPECT_EQ(decode(msg, 12, out, next), -1);
    msg = cat({header(0, 0, 0, 0, 0, 0), Bytes{0xc0, 11}});
    EXPECT_EQ(decode(msg, 12, out, next), -1);
}

TEST(DecodeName, TruncationAndLabelTypes) {
    Bytes out;
    uint16_t next = 0;
    Bytes h = header(0, 0, 0, 0, 0, 0);
    EXPECT_EQ(decode(h, 12, out, next), -1);                             // off == len
    EXPECT_EQ(decode(h, 200, out, next), -1);                            // off > len
    EXPECT_EQ(decode(cat({h, Bytes{3, 'a', 'b'}}), 12, out, next), -1);  // label cut
    EXPECT_EQ(decode(cat({h, Bytes{1, 'a'}}), 12, out, next), -1);       // no root
    EXPECT_EQ(decode(cat({h, Bytes{0, 0xc0}}), 13, out, next), -1);      // pointer cut
    EXPECT_EQ(decode(cat({h, Bytes{0x40, 0}}), 12, out, next), -1);      // extended label
    EXPECT_EQ(decode(cat({h, Bytes{0x80, 0}}), 12, out, next), -1);
}

TEST(DecodeName, LengthLimitAcrossPointers) {
    // 12: a 250-octet name; then 2 labels of one letter pointing at it: 254 -> fine,
    // 3 labels: 256 -> too long although every piece is short.
    Bytes base = long_name(250);
    Bytes msg = cat({header(0, 0, 0, 0, 0, 0), base});
    const uint16_t ok_at = static_cast<uint16_t>(msg.size());
    msg.insert(msg.end(), {1, 'a', 1, 'b', 0xc0, 12});
    const uint16_t bad_at = static_cast<uint16_t>(msg.size());
    msg.insert(msg.end(), {1, 'a', 1, 'b', 1, 'c', 0xc0, 12});
    Bytes out;
    uint16_t next = 0;
    EXPECT_EQ(decode(msg, ok_at, out, next), 254);
    EXPECT_EQ(decode(msg, bad_at, out, next), -1);
    // Exactly 255.
    msg.insert(msg.end(), {2, 'a', 'a', 1, 'b', 0xc0, 12});
    EXPECT_EQ(decode(msg, static_cast<uint16_t>(msg.size() - 7), out, next), 255);
}

TEST(DecodeName, HopLimit) {
    // The root at 12, then a chain of bare pointers each to the one before it.
    auto chain = [](unsigned hops) {
        Bytes msg = cat({header(0, 0, 0, 0, 0, 0), Bytes{0}});
        uint16_t prev = 12;
        for (unsigned i = 0; i < hops; ++i) {
            uint16_t here = static_cast<uint16_t>(msg.size());
            msg.push_back(static_cast<uint8_t>(0xc0 | prev >> 8));
            msg.push_back(static_cast<uint8_t>(prev));
            prev = here;
        }
        return std::make_pair(msg, prev);
    };
    Bytes out;
    uint16_t next = 0;
    auto [ok, ok_start] = chain(kMaxPointerHops);
    EXPECT_EQ(decode(ok, ok_start, out, next), 1);
    auto [bad, bad_start] = chain(kMaxPointerHops + 1);
    EXPECT_EQ(decode(bad, bad_start, out, next), -1);
}

TEST(UncompressedNameLen, Basics) {
    Bytes n = name("a.b");
    EXPECT_EQ(uncompressed_name_len(n.data(), n.size()), 5);
    EXPECT_EQ(uncompressed_name_len(n.data(), n.size() + 0), 5);
    EXPECT_EQ(uncompressed_name_len(n.data(), 4), -1);  // root missing
    const uint8_t root[] = {0};
    EXPECT_EQ(uncompressed_name_len(root, 1), 1);
    EXPECT_EQ(uncompressed_name_len(root, 0), -1);
    const uint8_t ptr[] = {1, 'a', 0xc0, 12};
    EXPECT_EQ(uncompressed_name_len(ptr, sizeof ptr), -1);
    Bytes n255 = long_name(255), n256 = long_name(256);
    EXPECT_EQ(uncompressed_name_len(n255.data(), n255.size()), 255);
    EXPECT_EQ(uncompressed_name_len(n256.data(), n256.size()), -1);
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dns::test
