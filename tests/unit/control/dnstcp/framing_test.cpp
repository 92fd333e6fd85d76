// RFC 7766 framing: messages cut out of a byte stream however it arrives.
#include "control/dnstcp/framing.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace edgelease::control::dnstcp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes framed(size_t len, uint8_t fill) {
    Bytes b(2 + len, fill);
    b[0] = static_cast<uint8_t>(len >> 8);
    b[1] = static_cast<uint8_t>(len);
    return b;
}

void feed(Deframer& d, const Bytes& b, size_t off, size_t n) {
    auto sp = d.space();
    ASSERT_GE(sp.size(), n);
    std::memcpy(sp.data(), b.data() + off, n);
    d.commit(n);
}

TEST(Deframer, MessagesArrivingOneOctetAtATime) {
    Bytes stream = framed(12, 'a');
    const Bytes second = framed(40, 'b');
    stream.resize(stream.size() + second.size());
    std::copy(second.begin(), second.end(), stream.end() - static_cast<long>(second.size()));
    Deframer d;
    std::vector<std::string> got;
    for (size_t i = 0; i < stream.size(); ++i) {
        feed(d, stream, i, 1);
        std::span<const uint8_t> msg;
        while (d.next(msg) == Deframer::Next::Message) got.emplace_back(msg.begin(), msg.end());
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], std::string(12, 'a'));
    EXPECT_EQ(got[1], std::string(40, 'b'));
    EXPECT_EQ(d.buffered(), 0u);
}

TEST(Deframer, SeveralMessagesInOneRead) {
    Bytes stream;
    for (uint8_t i = 0; i < 5; ++i) {
        Bytes m = framed(12 + i, static_cast<uint8_t>('a' + i));
        stream.insert(stream.end(), m.begin(), m.end());
    }
    Deframer d;
    feed(d, stream, 0, stream.size());
    std::span<const uint8_t> msg;
    for (uint8_t i = 0; i < 5; ++i) {
        ASSERT_EQ(d.next(msg), Deframer::Next::Message);
        EXPECT_EQ(msg.size(), 12u + i);
        EXPECT_EQ(msg[0], 'a' + i);
    }
    EXPECT_EQ(d.next(msg), Deframer::Next::NeedMore);
}

TEST(Deframer, LengthBelowAHeaderIsBad) {
    for (size_t len : {0u, 1u, 11u}) {
        Deframer d;
        Bytes m = framed(len, 'x');
        feed(d, m, 0, m.size());
        std::span<const uint8_t> msg;
        EXPECT_EQ(d.next(msg), Deframer::Next::Bad) << len;
    }
}

TEST(Deframer, LargestMessageFitsAndMemoryStaysBounded) {
    Bytes big = framed(Deframer::kMaxMessage, 'z');
    Deframer d;
    size_t off = 0;
    std::span<const uint8_t> msg;
    while (off < big.size()) {
        EXPECT_EQ(d.next(msg), Deframer::Next::NeedMore);
        auto sp = d.space();
        ASSERT_FALSE(sp.empty());
        const size_t n = std::min(sp.size(), big.size() - off);
        std::memcpy(sp.data(), big.data() + off, n);
        d.commit(n);
        off += n;
    }
    ASSERT_EQ(d.next(msg), Deframer::Next::Message);
    EXPECT_EQ(msg.size(), Deframer::kMaxMessage);
    EXPECT_LE(d.capacity(), Deframer::kMaxBuffered);
}

TEST(Deframer, AFullBufferOffersNoSpaceUntilMessagesAreTaken) {
    // Complete messages nobody takes (the answers' side is full): the room for reads runs out
    // at the bound, and comes back once they are taken.
    Deframer d;
    const Bytes m = framed(1000, 'q');
    size_t whole = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        auto sp = d.space();
        if (sp.size() < m.size()) break;
        std::memcpy(sp.data(), m.data(), m.size());
        d.commit(m.size());
        ++whole;
    }
    EXPECT_EQ(whole, Deframer::kMaxBuffered / m.size());
    EXPECT_LE(d.capacity(), Deframer::kMaxBuffered);
    std::span<const uint8_t> msg;
    size_t taken = 0;
    while (d.next(msg) == Deframer::Next::Message) ++taken;
    EXPECT_EQ(taken, whole);
    EXPECT_EQ(d.space().size(), Deframer::kReadSize);
}

}  // namespace
}  // namespace edgelease::control::dnstcp
