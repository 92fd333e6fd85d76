// OptionSet and encode_reply (dataplane/wire/dhcp.cpp): the BOOTP reply layout (RFC 2131 §2
// and table 3), option order and de-duplication, option 82 echo (RFC 3046 §2.2), padding
// (RFC 1542 §3.3) and the size budget of max(576, option 57).
#include <gtest/gtest.h>

#include <algorithm>

#include "dataplane/wire/cursor.hpp"
#include "tests/unit/dataplane/dhcp/dhcp_builder.hpp"

namespace edgelease::dataplane::wire::dhcp::test {
namespace {

using edgelease::dataplane::dhcp::kMaxPayload;

// ---- OptionSet ---------------------------------------------------------------------------

Bytes value(const OptionSet& s, uint8_t code) {
    uint8_t len = 0;
    const uint8_t* p = s.get(code, len);
    if (p == nullptr) return {};
    return Bytes(p, p + len);
}

TEST(OptionSet, SetGetReplaceErase) {
    auto s = std::make_unique<OptionSet>();
    EXPECT_FALSE(s->has(3));
    uint8_t len = 9;
    EXPECT_EQ(s->get(3, len), nullptr);
    EXPECT_EQ(len, 0);

    ASSERT_TRUE(s->set_addr(1, ip4("255.255.255.0")));
    ASSERT_TRUE(s->set_addrs(3, {ip4("198.18.0.1"), ip4("198.18.0.2")}, true));
    ASSERT_TRUE(s->set(15, str("lan").data(), 3));
    ASSERT_TRUE(s->set_u32(51, 3600));
    EXPECT_EQ(s->used(), 6 + 10 + 5 + 6);
    EXPECT_EQ(value(*s, 1), addr("255.255.255.0"));
    EXPECT_EQ(value(*s, 3), cat({addr("198.18.0.1"), addr("198.18.0.2")}));
    EXPECT_EQ(value(*s, 15), str("lan"));
    EXPECT_EQ(value(*s, 51), be32(3600));
    EXPECT_TRUE(s->always(3));
    EXPECT_FALSE(s->always(1));

    // Replacing an early option with a longer value keeps every other one intact.
    ASSERT_TRUE(s->set(1, str("abcdefgh").data(), 8, true));
    EXPECT_EQ(value(*s, 1), str("abcdefgh"));
    EXPECT_TRUE(s->always(1));
    EXPECT_EQ(value(*s, 3), cat({addr("198.18.0.1"), addr("198.18.0.2")}));
    EXPECT_EQ(value(*s, 15), str("lan"));
    EXPECT_EQ(value(*s, 51), be32(3600));
    EXPECT_EQ(s->used(), 10 + 10 + 5 + 6);

    s->erase(3);
    EXPECT_FALSE(s->has(3));
    EXPECT_FALSE(s->always(3));
    EXPECT_EQ(value(*s, 15), str("lan"));
    EXPECT_EQ(value(*s, 51), be32(3600));
    EXPECT_EQ(s->used(), 10 + 5 + 6);
    s->erase(3);  // absent: nothing happens
    EXPECT_EQ(s->used(), 10 + 5 + 6);

    // Zero-length options exist (e.g. 80, rapid commit).
    ASSERT_TRUE(s->set(80, nullptr, 0));
    EXPECT_TRUE(s->has(80));
    EXPECT_EQ(value(*s, 80), Bytes{});
}

TEST(OptionSet, CopiesAreWholeAndIndependent) {
    // The engine copies a scope's set for every reply and adds lease times to the copy; the
    // copy carries only the bytes in use, and must not share them with the original.
    auto a = std::make_unique<OptionSet>();
    ASSERT_TRUE(a->set_addr(1, ip4("255.255.0.0")));
    ASSERT_TRUE(a->set_addrs(6, {ip4("198.18.0.53")}, true));
    ASSERT_TRUE(a->set(15, str("example").data(), 7, true));
    a->erase(6);  // a hole compacted away before the copy
    auto b = std::make_unique<OptionSet>(*a);
    EXPECT_EQ(b->used(), a->used());
    EXPECT_EQ(value(*b, 1), addr("255.255.0.0"));
    EXPECT_FALSE(b->has(6));
    EXPECT_EQ(value(*b, 15), str("example"));
    EXPECT_TRUE(b->always(15));
    EXPECT_FALSE(b->always(1));

    ASSERT_TRUE(b->set_u32(51, 7200, true));
    ASSERT_TRUE(b->set(15, str("other").data(), 5, true));
    EXPECT_FALSE(a->has(51));
    EXPECT_EQ(value(*a, 15), str("example"));
    EXPECT_EQ(value(*b, 15), str("other"));

    // Assignment over a set that had more in it leaves nothing of the old one behind.
    auto c = std::make_unique<OptionSet>();
    ASSERT_TRUE(c->set_u32(58, 1, true));
    ASSERT_TRUE(c->set(43, Bytes(200, 7).data(), 200, true));
    *c = *a;
    EXPECT_FALSE(c->has(58));
    EXPECT_FALSE(c->has(43));
    EXPECT_FALSE(c->always(58));
    EXPECT_EQ(c->used(), a->used());
    EXPECT_EQ(value(*c, 15), str("example"));
}

TEST(OptionSet, AlwaysCodesComeInAscendingOrder) {
    auto s = std::make_unique<OptionSet>();
    for (uint8_t code : {200, 3, 130, 64, 63, 254, 1})
        ASSERT_TRUE(s->set_u32(code, code, code != 1 && code != 130));
    std::vector<unsigned> seen;
    s->for_each_always(0, [&](uint8_t c) { seen.push_back(c); });
    EXPECT_EQ(seen, (std::vector<unsigned>{3, 63, 64, 200, 254}));
    // `also` joins in its place when the set has it (the subnet mask, code 1), not otherwise.
    seen.clear();
    s->for_each_always(1, [&](uint8_t c) { seen.push_back(c); });
    EXPECT_EQ(seen, (std::vector<unsigned>{1, 3, 63, 64, 200, 254}));
    seen.clear();
    s->for_each_always(42, [&](uint8_t c) { seen.push_back(c); });
    EXPECT_EQ(seen, (std::vector<unsigned>{3, 63, 64, 200, 254}));
    s->erase(64);
    seen.clear();
    s->for_each_always(130, [&](uint8_t c) { seen.push_back(c); });
    EXPECT_EQ(seen, (std::vector<unsigned>{3, 63, 130, 200, 254}));
}

TEST(OptionSet, RefusesWhatCannotBeSent) {
    auto s = std::make_unique<OptionSet>();
    const Bytes big(256, 1);
    EXPECT_FALSE(s->set(0, big.data(), 1));
    EXPECT_FALSE(s->set(255, big.data(), 1));
    EXPECT_FALSE(s->set(43, big.data(), 256));
    EXPECT_FALSE(s->set_addrs(6, {}));
    EXPECT_FALSE(s->set_addrs(6, std::vector<uint32_t>(64, 1)));
    EXPECT_TRUE(s->set_addrs(6, std::vector<uint32_t>(63, 1)));
    EXPECT_EQ(s->used(), 2 + 252);
}

TEST(OptionSet, CapacityIs1200Bytes) {
    auto s = std::make_unique<OptionSet>();
    const Bytes v(198, 0xab);  // 200 bytes per TLV
    for (uint8_t code = 100; code < 106; ++code) ASSERT_TRUE(s->set(code, v.data(), v.size()));
    EXPECT_EQ(s->used(), 1200);
    EXPECT_FALSE(s->set(106, v.data(), 0));
    EXPECT_FALSE(s->has(106));
    // Replacing in place with the same size fits; a larger one does not and leaves it.
    EXPECT_TRUE(s->set(100, v.data(), v.size()));
    EXPECT_FALSE(s->set(101, v.data(), 199));
    EXPECT_EQ(value(*s, 101), v);
    EXPECT_EQ(s->used(), 1200);
    // A smaller replacement frees room.
    EXPECT_TRUE(s->set(101, v.data(), 10));
    EXPECT_TRUE(s->set(106, v.data(), 186));
    EXPECT_EQ(s->used(), 1200);
    for (uint8_t code = 102; code < 106; ++code) EXPECT_EQ(value(*s, code), v);
}

TEST(OptionSet, ValueFromTheSameSet) {
    auto s = std::make_unique<OptionSet>();
    ASSERT_TRUE(s->set(10, str("first").data(), 5));
    ASSERT_TRUE(s->set(11, str("second").data(), 6));
    uint8_t len = 0;
    const uint8_t* p = s->get(11, len);
    ASSERT_TRUE(s->set(10, p, len));  // erase moves `p`'s bytes: the set must copy first
    EXPECT_EQ(value(*s, 10), str("second"));
    p = s->get(10, len);
    ASSERT_TRUE(s->set(10, p, len));
    EXPECT_EQ(value(*s, 10), str("second"));
    EXPECT_EQ(value(*s, 11), str("second"));
}

// ---- encode_reply ------------------------------------------------------------------------

std::unique_ptr<DhcpRequest> request(const Bytes& msg) {
    Parsed p = parse(msg);
    EXPECT_EQ(p.err, ParseError::None);
    return std::move(p.req);
}

/// A scope's options: 1, 3, 6, 15, 42, 121, lease times, plus 2 and 26 sent unasked and
/// 100 sent only when asked.
std::unique_ptr<OptionSet> scope_options() {
    auto s = std::make_unique<OptionSet>();
    s->set_addr(1, ip4("255.255.255.0"));
    s->set_addrs(3, {ip4("198.18.0.1")});
    s->set_addrs(6, {ip4("198.18.0.1"), ip4("198.18.0.2")});
    s->set(15, str("lan").data(), 3);
    s->set_addrs(42, {ip4("198.18.0.3")});
    const Bytes routes{24, 198, 18, 9, 198, 18, 0, 1};
    s->set(121, routes.data(), routes.size());
    s->set_u32(51, 3600);
    s->set_u32(58, 1800);
    s->set_u32(59, 3150);
    s->set_u32(2, 0, true);
    const Bytes mtu = be16(1500);
    s->set(26, mtu.data(), 2, true);
    s->set(100, str("tz").data(), 2);
    return s;
}

ReplyHeader offer_header() {
    ReplyHeader h;
    h.type = MsgType::Offer;
    h.yiaddr = ip4("198.18.0.120");
    h.siaddr = ip4("198.18.0.1");
    h.server_id = ip4("198.18.0.1");
    return h;
}

struct Encoded {
    uint16_t len = 0;
    Bytes bytes;
};
/// encode_reply into an exact heap block of `cap` bytes (ASan checks the writes).
Encoded encode(const DhcpRequest& req, const ReplyHeader& h, const OptionSet& o,
               uint16_t cap = kMaxPayload) {
    std::unique_ptr<uint8_t[]> buf(new uint8_t[cap]);
    std::memset(buf.get(), 0xcc, cap);
    Encoded e;
    e.len = encode_reply(req, h, o, buf.get(), cap);
    e.bytes.assign(buf.get(), buf.get() + e.len);
    return e;
}

TEST(DhcpEncode, OfferLayout) {
    auto req = request(relayed_discover());
    req->xid = 0xcafef00d;
    req->flags = 0x8000;
    req->secs = 9;
    std::copy(kPrl.begin(), kPrl.end(), req->prl);
    req->prl_len = static_cast<uint8_t>(kPrl.size());
    std::copy(kClientId.begin(), kClientId.end(), req->client_id);
    req->client_id_len = static_cast<uint8_t>(kClientId.size());
    const auto opts = scope_options();
    const Encoded e = encode(*req, offer_header(), *opts);
    ASSERT_GE(e.len, kMinReply);
    const uint8_t* p = e.bytes.data();

    // The fixed header, field by field (RFC 2131 §2).
    EXPECT_EQ(p[0], 2);  // BOOTREPLY
    EXPECT_EQ(p[1], 1);
    EXPECT_EQ(p[2], 6);
    EXPECT_EQ(p[3], 0);  // hops
    EXPECT_EQ(load_be32(p + 4), 0xcafef00du);
    EXPECT_EQ(load_be16(p + 8), 0);  // secs
    EXPECT_EQ(load_be16(p + 10), 0x8000);
    EXPECT_EQ(load_be32(p + 12), 0u);  // ciaddr
    EXPECT_EQ(load_be32(p + 16), ip4("198.18.0.120"));
    EXPECT_EQ(load_be32(p + 20), ip4("198.18.0.1"));
    EXPECT_EQ(load_be32(p + 24), ip4("198.18.7.1"));  // giaddr from the request
    EXPECT_EQ(Bytes(p + 28, p + 44), padded(Bytes{0x02, 0, 0, 0, 0x07, 0x01}, 16));
    EXPECT_EQ(Bytes(p + 44, p + 236), Bytes(192, 0));  // sname, file
    EXPECT_EQ(load_be32(p + 236), kMagicCookie);

    // 53, 54, lease times, the PRL in the client's order (119 absent from the scope), the
    // `always` ones ascending, 61 and 82 echoed, END.
    size_t end_at = 0;
    const auto o = reply_options(p, e.len, &end_at);
    EXPECT_EQ(codes(o),
              (std::vector<uint8_t>{53, 54, 51, 58, 59, 1, 3, 6, 15, 121, 42, 2, 26, 61, 82}));
    EXPECT_EQ(o[0].value, Bytes{2});
    EXPECT_EQ(o[1].value, addr("198.18.0.1"));
    EXPECT_EQ(o[2].value, be32(3600));
    EXPECT_EQ(o[3].value, be32(1800));
    EXPECT_EQ(o[4].value, be32(3150));
    EXPECT_EQ(o[5].value, addr("255.255.255.0"));
    EXPECT_EQ(o[7].value, cat({addr("198.18.0.1"), addr("198.18.0.2")}));
    EXPECT_EQ(o[13].value, kClientId);
    EXPECT_EQ(o[14].value, relay_payload());
    // Option 82 is the last option, immediately before END, and no padding is needed.
    ASSERT_GT(e.len, kMinReply);
    EXPECT_EQ(end_at, e.len - 1u);
    EXPECT_EQ(p[end_at - 2 - relay_payload().size()], 82);
    // Padding after END is zero.
    for (size_t i = end_at + 1; i < e.len; ++i) ASSERT_EQ(p[i], 0) << i;
}

TEST(DhcpEncode, PrlDuplicatesAndOwnedCodesAreSentOnce) {
    auto req = request(discover());
    const Bytes prl{53, 54, 51, 3, 3, 1, 6, 1, 55, 61, 82, 0, 255, 2, 26, 50, 52, 57, 15};
    std::copy(prl.begin(), prl.end(), req->prl);
    req->prl_len = static_cast<uint8_t>(prl.size());
    auto opts = scope_options();
    // The scope carries codes the encoder owns: they must not go out from the set.
    opts->set(53, Bytes{5}.data(), 1, true);
    opts->set_addr(54, ip4("203.0.113.1"), true);
    opts->set(55, Bytes{1}.data(), 1, true);
    opts->set(61, Bytes{1, 2}.data(), 2, true);
    opts->set(82, Bytes{1, 1, 1}.data(), 3, true);
    opts->set_addr(50, 1, true);
    opts->set(57, Bytes{2, 0}.data(), 2, true);
    const Encoded e = encode(*req, offer_header(), *opts);
    ASSERT_GT(e.len, 0);
    const auto o = reply_options(e.bytes.data(), e.len);
    EXPECT_EQ(codes(o), (std::vector<uint8_t>{53, 54, 51, 58, 59, 3, 1, 6, 2, 26, 15, 61}));
    EXPECT_EQ(o[0].value, Bytes{2});
    EXPECT_EQ(o[1].value, addr("198.18.0.1"));
    EXPECT_EQ(o.back().value, kClientId);  // echoed from the request, not the set
}

TEST(DhcpEncode, SubnetMaskIsSentUnasked) {
    auto req = request(request_renewing());
    req->prl_len = 0;
    auto opts = scope_options();
    ReplyHeader h = offer_header();
    h.type = MsgType::Ack;
    h.ciaddr = req->ciaddr;
    const Encoded e = encode(*req, h, *opts);
    ASSERT_EQ(e.len, kMinReply);
    EXPECT_EQ(load_be32(e.bytes.data() + 12), ip4("198.18.0.120"));
    EXPECT_EQ(codes(reply_options(e.bytes.data(), e.len)),
              (std::vector<uint8_t>{53, 54, 51, 58, 59, 1, 2, 26, 61}));
}

TEST(DhcpEncode, Nak) {
    auto req = request(request_selecting());
    auto opts = scope_options();
    opts->set(56, str("wrong network").data(), 13);
    ReplyHeader h;
    h.type = MsgType::Nak;
    h.server_id = ip4("198.18.0.1");
    Encoded e = encode(*req, h, *opts);
    ASSERT_EQ(e.len, kMinReply);
    const uint8_t* p = e.bytes.data();
    EXPECT_EQ(p[0], 2);
    EXPECT_EQ(load_be32(p + 4), 0xdeadbeefu);
    EXPECT_EQ(load_be16(p + 10), 0);  // direct client: flags as it sent them
    EXPECT_EQ(load_be32(p + 12), 0u);
    EXPECT_EQ(load_be32(p + 16), 0u);
    EXPECT_EQ(load_be32(p + 20), 0u);
    EXPECT_EQ(load_be32(p + 24), 0u);
    // RFC 2131 table 3: only 53, 54, 56 and the echoes; no lease or scope options.
    auto o = reply_options(p, e.len);
    EXPECT_EQ(codes(o), (std::vector<uint8_t>{53, 54, 56, 61}));
    EXPECT_EQ(o[0].value, Bytes{6});
    EXPECT_EQ(o[2].value, str("wrong network"));

    // Through a relay: broadcast flag set (§4.3.2), 82 echoed.
    auto relayed = request(split_options());
    e = encode(*relayed, h, *opts);
    ASSERT_GE(e.len, kMinReply);
    EXPECT_EQ(load_be16(e.bytes.data() + 10), 0x8000);
    EXPECT_EQ(load_be32(e.bytes.data() + 24), ip4("198.18.7.1"));
    o = reply_options(e.bytes.data(), e.len);
    EXPECT_EQ(codes(o), (std::vector<uint8_t>{53, 54, 56, 61, 82}));
    EXPECT_EQ(o.back().value, relay_payload());
}

TEST(DhcpEncode, AckToInformHasNoLeaseTimes) {
    auto req = request(inform());  // PRL 1, 3, 6, 15, 51, 58
    const auto opts = scope_options();
    ReplyHeader h;
    h.type = MsgType::Ack;
    h.ciaddr = req->ciaddr;
    h.server_id = ip4("198.18.0.1");
    const Encoded e = encode(*req, h, *opts);
    ASSERT_EQ(e.len, kMinReply);
    EXPECT_EQ(codes(reply_options(e.bytes.data(), e.len)),
              (std::vector<uint8_t>{53, 54, 1, 3, 6, 15, 2, 26}));
}

TEST(DhcpEncode, PaddedTo300) {
    auto req = request(release());
    auto opts = std::make_unique<OptionSet>();
    ReplyHeader h;
    h.type = MsgType::Ack;
    h.server_id = ip4("198.18.0.1");
    req->client_id_len = 0;
    const Encoded e = encode(*req, h, *opts);
    ASSERT_EQ(e.len, 300);
    size_t end_at = 0;
    EXPECT_EQ(codes(reply_options(e.bytes.data(), e.len, &end_at)), (std::vector<uint8_t>{53, 54}));
    EXPECT_EQ(end_at, 240u + 3 + 6);
    for (size_t i = end_at + 1; i < 300; ++i) ASSERT_EQ(e.bytes[i], 0) << i;
}

/// Many large `always` options: more than any budget holds.
std::unique_ptr<OptionSet> huge_options() {
    auto s = scope_options();
    for (uint8_t code = 160; code < 166; ++code) {
        const Bytes v(150, code);
        EXPECT_TRUE(s->set(code, v.data(), v.size(), true));
    }
    return s;
}

TEST(DhcpEncode, BudgetOf576) {
    auto req = request(relayed_discover());  // no option 57: 576 bytes of IP datagram
    ASSERT_EQ(req->max_msg_size, 0);
    std::copy(kPrl.begin(), kPrl.end(), req->prl);
    req->prl_len = static_cast<uint8_t>(kPrl.size());
    const auto opts = huge_options();
    const Encoded e = encode(*req, offer_header(), *opts);
    ASSERT_GT(e.len, 0);
    EXPECT_LE(e.len, 576 - 20 - 8);
    const auto o = reply_options(e.bytes.data(), e.len);
    const auto c = codes(o);
    // Mandatory ones all there, 82 last; some of the 150-byte options had to go.
    for (uint8_t m : {53, 54, 51, 58, 59, 1, 82})
        EXPECT_NE(std::find(c.begin(), c.end(), m), c.end()) << int(m);
    EXPECT_EQ(c.back(), 82);
    size_t big = 0;
    for (uint8_t code : c) big += code >= 160 && code < 166;
    EXPECT_GE(big, 1u);
    EXPECT_LT(big, 6u);
    // Nothing twice.
    std::vector<uint8_t> sorted = c;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(DhcpEncode, BudgetFollowsOption57AndCap) {
    auto req = request(discover());  // option 57 = 1500
    const auto opts = huge_options();
    Encoded e = encode(*req, offer_header(), *opts);
    ASSERT_GT(e.len, 0);
    EXPECT_LE(e.len, 1500 - 28);
    EXPECT_GT(e.len, 576 - 28);
    // A caller's smaller buffer wins.
    e = encode(*req, offer_header(), *opts, 600);
    ASSERT_GT(e.len, 0);
    EXPECT_LE(e.len, 600);
    // kMaxPayload bounds a client that claims 65535 bytes.
    req->max_msg_size = 65535;
    auto all = huge_options();
    for (uint8_t code = 170; code < 175; ++code) all->set(code, Bytes(100, 1).data(), 100, true);
    e = encode(*req, offer_header(), *all, 4000);
    ASSERT_GT(e.len, 0);
    EXPECT_LE(e.len, kMaxPayload);
}

TEST(DhcpEncode, ClientIdEchoIsDroppedBeforeMandatoryOptions) {
    // 128-byte client id + 255-byte option 82 + mandatory options exceed 548 bytes: the echo
    // of 61 is optional, 82 is not.
    auto req = request(discover());
    req->max_msg_size = 0;
    req->client_id_len = 128;
    std::memset(req->client_id, 0x61, 128);
    req->relay_info_len = 255;
    const Bytes ri = cat({tlv(1, Bytes(251, 0x11)), tlv(2, Bytes{})});
    std::copy(ri.begin(), ri.end(), req->relay_info);
    const auto opts = scope_options();
    const Encoded e = encode(*req, offer_header(), *opts);
    ASSERT_GT(e.len, 0);
    EXPECT_LE(e.len, 548);
    const auto o = reply_options(e.bytes.data(), e.len);
    const auto c = codes(o);
    EXPECT_EQ(std::find(c.begin(), c.end(), 61), c.end());
    EXPECT_EQ(c.back(), 82);
    EXPECT_EQ(o.back().value, ri);
}

TEST(DhcpEncode, ZeroWhenMandatoryPartCannotFit) {
    auto req = request(relayed_discover());
    req->relay_info_len = 255;
    std::memset(req->relay_info, 0, 255);
    auto opts = scope_options();
    // A 255-byte subnet "mask" (an engine bug) plus a 255-byte option 82 exceed 548 bytes.
    const Bytes junk(255, 0xff);
    opts->set(1, junk.data(), junk.size());
    EXPECT_EQ(encode(*req, offer_header(), *opts).len, 0);
    // A buffer under 300 bytes cannot hold a padded reply.
    EXPECT_EQ(encode(*request(discover()), offer_header(), *scope_options(), 299).len, 0);
    // A 300-byte buffer holds the mandatory part of a direct client's ACK...
    const Encoded e = encode(*request(request_renewing()), offer_header(), *scope_options(), 300);
    ASSERT_EQ(e.len, 300);
    const auto c = codes(reply_options(e.bytes.data(), e.len));
    for (uint8_t m : {53, 54, 51, 58, 59, 1})
        EXPECT_NE(std::find(c.begin(), c.end(), m), c.end()) << int(m);
    // ...but not with a 100-byte option 82 as well.
    EXPECT_EQ(encode(*request(relayed_discover()), offer_header(), *scope_options(), 300).len, 0);
    req = request(relayed_discover());
    req->relay_info_len = 100;
    EXPECT_EQ(encode(*req, offer_header(), *scope_options(), 300).len, 0);
}

}  // namespace
}  // namespace edgelease::dataplane::wire::dhcp::test
