// TSIG (RFC 8945) against real tools: requests signed by dig -y (BIND 9.18), answers signed
// by dnspython 2.3 (an independent implementation): the same MACs bit for bit, and every
// verdict of a server's check (BADKEY, BADSIG, BADTIME, BADTRUNC, FORMERR).
#include "control/tsig/tsig.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgelease::control::tsig {
namespace {

std::vector<uint8_t> hex(std::string_view h) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}

dns::WireName wire(std::string_view text) {
    std::string why;
    return *dns::name_from_text(text, {}, why);
}

Key key(std::string_view name, Algorithm a, std::string_view b64) {
    return Key{wire(name), a, *decode_base64(b64)};
}

// dig -y hmac-sha256:ddns-key:<secret> lan. SOA (with EDNS, so the TSIG follows an OPT).
const auto kQ256 =
    hex("708701200001000000000002036c616e000006000100002904d000000000000c000a00083e8def95187de41f"
        "0864646e732d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b10d5ad012c002093"
        "fe171955ff0c9f3321a0edde08c7f60d1e894b41a0f088a4f8ad51ee682eaa708700000000");
// dnspython's signed answer to it (AA, one SOA, the OPT, the TSIG), at the request's time.
const auto kR256 =
    hex("708785000001000100000002036c616e0000060001c00c0006000100000e100027036e7331c00c0a686f7374"
        "6d6173746572c00c0000000700000e1000000258000151800000012c00002920000000000000000864646e73"
        "2d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b10d5ad012c0020806450e90064"
        "03e264f72ee63a7996036f40ad8b702978750dbea3c2eb54450b708700000000");
// dig -y hmac-sha512:Xfr-Key.Example:<secret> +noedns Example. SOA (dig lower-cases the key).
const auto kQ512 =
    hex("097e01200001000000000001074578616d706c650000060001077866722d6b6579076578616d706c650000fa"
        "00ff00000000005d0b686d61632d7368613531320000006b10d5bb012c00402693d8835ba774bb06e796c5e2"
        "8e96dca36aab19499b075e1a493f8643889ad2ac9750e66aa791f5e14d9168568b1ef593554dedc24efdf542"
        "56b00403b74bcd097e00000000");
// dnspython's two-message answer to it (multi=True), signed a second after the request.
const auto kX512a =
    hex("097e81000001000100000001074578616d706c650000060001c00c0006000100000e10001e036e7331c00c01"
        "68c00c0000000900000e1000000258000151800000012c077866722d6b6579c00c00fa00ff00000000005d0b"
        "686d61632d7368613531320000006b10d5bc012c0040cb9a0c3dc3bdbabe13879661b4d761770e41ea3a85d2"
        "af775b22894cc103eeb20a1816f16880d12d0f4358b9cb51de44eacf39fb29db426f6f54d4850fc1aa46097e"
        "00000000");
const auto kX512b =
    hex("097e8100000000010000000103777777076578616d706c6500000100010000012c0004c0000207077866722d"
        "6b6579c01000fa00ff00000000005d0b686d61632d7368613531320000006b10d5bc012c0040416c0e174521"
        "856570658421189c4cf6acba683b135688e0ac143c59c657e9496710f8bc0bdfe60deeaf82986efebaab6955"
        "222cdd018d82502557e0dbd0ea66097e00000000");

const Key k256 =
    key("ddns-key.", Algorithm::HmacSha256, "YCjwWN4L9aTSw+BBP6hdqrOTkQcB4f0gcMxqBSMJZ/Q=");
const Key k512 = key("xfr-key.example.", Algorithm::HmacSha512,
                     "c7aEp7Gkn0Bcpen6BuC6gxlgLbz1OFbBemM90UAw5CB8I5atI/zTcEMNADaMPGvmnUSE40ZNhVA+"
                     "ahegr1U9pg==");

uint64_t signed_at(const std::vector<uint8_t>& m) {
    Record r;
    EXPECT_EQ(find(m.data(), m.size(), r), Found::Found);
    return r.time_signed;
}

/// The message without its TSIG record, as the signer had it.
std::vector<uint8_t> unsigned_part(const std::vector<uint8_t>& m) {
    Record r;
    EXPECT_EQ(find(m.data(), m.size(), r), Found::Found);
    std::vector<uint8_t> out(m.begin(), m.begin() + static_cast<long>(r.offset));
    out[11] = static_cast<uint8_t>(out[11] - 1);
    return out;
}

TEST(Tsig, FindsTheRecordOfARealRequest) {
    Record r;
    ASSERT_EQ(find(kQ256.data(), kQ256.size(), r), Found::Found);
    EXPECT_EQ(r.key_name, wire("ddns-key."));
    EXPECT_EQ(r.algorithm, wire("hmac-sha256."));
    EXPECT_EQ(r.fudge, 300);
    EXPECT_EQ(r.mac.size(), 32u);
    EXPECT_EQ(r.original_id, 0x7087);
    EXPECT_EQ(r.offset, 44u) << "after the question and the OPT record";
    const std::vector<uint8_t> plain(kQ256.begin(), kQ256.begin() + 44);
    auto unsigned_q = plain;
    unsigned_q[11] = 1;  // ARCOUNT: the OPT only
    EXPECT_EQ(find(unsigned_q.data(), unsigned_q.size(), r), Found::None);
}

TEST(Tsig, AcceptsWhatDigSignedWithinTheFudge) {
    const Key keys[] = {k512, k256};
    const uint64_t t = signed_at(kQ256);
    for (uint64_t now : {t, t - 300, t + 300}) {
        auto c = verify_request(kQ256.data(), kQ256.size(), keys, now);
        EXPECT_EQ(c.verdict, Verdict::Ok) << now - t;
        EXPECT_EQ(c.key, &keys[1]);
    }
    EXPECT_EQ(verify_request(kQ512.data(), kQ512.size(), keys, signed_at(kQ512)).verdict,
              Verdict::Ok)
        << "hmac-sha512, no EDNS, a key name in mixed case on the command line";
}

TEST(Tsig, EachFailureHasItsVerdictInTheRfcOrder) {
    const Key keys[] = {k256};
    const uint64_t t = signed_at(kQ256);
    EXPECT_EQ(verify_request(kQ256.data(), kQ256.size(), keys, t + 301).verdict, Verdict::BadTime);
    EXPECT_EQ(verify_request(kQ256.data(), kQ256.size(), keys, t - 301).verdict, Verdict::BadTime);
    // Another secret under the same name: BADSIG (checked before the time).
    const Key other[] = {
        key("ddns-key.", Algorithm::HmacSha256, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")};
    EXPECT_EQ(verify_request(kQ256.data(), kQ256.size(), other, t + 1000).verdict, Verdict::BadSig);
    // The same secret for another algorithm, or another name: BADKEY.
    const Key wrong_alg[] = {Key{k256.name, Algorithm::HmacSha512, k256.secret}};
    EXPECT_EQ(verify_request(kQ256.data(), kQ256.size(), wrong_alg, t).verdict, Verdict::BadKey);
    const Key wrong_name[] = {Key{wire("ddns-key2."), Algorithm::HmacSha256, k256.secret}};
    EXPECT_EQ(verify_request(kQ256.data(), kQ256.size(), wrong_name, t).verdict, Verdict::BadKey);
    // Any signed byte changed: BADSIG. The question's name, the OPT's payload size, the
    // TSIG's fudge.
    for (size_t at : {size_t{13}, size_t{24}, size_t{84}}) {
        auto m = kQ256;
        m[at] ^= 0x01;
        EXPECT_EQ(verify_request(m.data(), m.size(), keys, t).verdict, Verdict::BadSig) << at;
    }
    // A forwarder changed the message ID: the original ID is what was signed.
    auto fwd = kQ256;
    fwd[0] = 0x12;
    EXPECT_EQ(verify_request(fwd.data(), fwd.size(), keys, t).verdict, Verdict::Ok);
}

TEST(Tsig, MacLengthsOutsideTheRfcBoundsAreFormErrAndTruncationIsBadTrunc) {
    const Key keys[] = {k256};
    const uint64_t t = signed_at(kQ256);
    // Rebuild the request with the MAC cut to n octets (RDLENGTH and MAC size adjusted).
    auto cut = [&](size_t n) {
        Record r;
        find(kQ256.data(), kQ256.size(), r);
        std::vector<uint8_t> m(kQ256.begin(), kQ256.begin() + static_cast<long>(r.offset));
        const std::vector<uint8_t> owner = wire("ddns-key.");
        m.insert(m.end(), owner.begin(), owner.end());
        const std::vector<uint8_t> alg = wire("hmac-sha256.");
        const size_t rdlen = alg.size() + 16 + n;
        for (uint8_t b : {0, 250, 0, 255, 0, 0, 0, 0}) m.push_back(b);
        m.push_back(static_cast<uint8_t>(rdlen >> 8));
        m.push_back(static_cast<uint8_t>(rdlen));
        m.insert(m.end(), alg.begin(), alg.end());
        for (int s = 40; s >= 0; s -= 8) m.push_back(static_cast<uint8_t>(r.time_signed >> s));
        m.push_back(1);
        m.push_back(44);
        m.push_back(0);
        m.push_back(static_cast<uint8_t>(n));
        m.insert(m.end(), r.mac.begin(), r.mac.begin() + static_cast<long>(n));
        for (uint8_t b : {0x70, 0x87, 0, 0, 0, 0}) m.push_back(b);
        return m;
    };
    auto full = cut(32);
    EXPECT_EQ(full, kQ256) << "the rebuild is faithful";
    auto half = cut(16);
    EXPECT_EQ(verify_request(half.data(), half.size(), keys, t).verdict, Verdict::BadTrunc);
    auto short_mac = cut(15);
    EXPECT_EQ(verify_request(short_mac.data(), short_mac.size(), keys, t).verdict,
              Verdict::FormErr);
    auto none = cut(0);
    EXPECT_EQ(verify_request(none.data(), none.size(), keys, t).verdict, Verdict::FormErr);
}

TEST(Tsig, MalformedPlacementIsFormErr) {
    const Key keys[] = {k256};
    const uint64_t t = signed_at(kQ256);
    auto trailing = kQ256;
    trailing.push_back(0);
    EXPECT_EQ(verify_request(trailing.data(), trailing.size(), keys, t).verdict, Verdict::FormErr);
    auto truncated = kQ256;
    truncated.resize(truncated.size() - 3);
    EXPECT_EQ(verify_request(truncated.data(), truncated.size(), keys, t).verdict,
              Verdict::FormErr);
    // One more additional record counted than present: the TSIG is not the last.
    auto miscounted = kQ256;
    miscounted[11] = 3;
    EXPECT_EQ(verify_request(miscounted.data(), miscounted.size(), keys, t).verdict,
              Verdict::FormErr);
    // The same records counted in the authority section: the TSIG is not an additional record.
    auto moved = kQ256;
    moved[9] = 2;
    moved[11] = 0;
    Record r;
    EXPECT_EQ(find(moved.data(), moved.size(), r), Found::Malformed);
}

TEST(Tsig, SignsAnAnswerExactlyAsDnspythonDoes) {
    const Key keys[] = {k256};
    const uint64_t t = signed_at(kQ256);
    auto c = verify_request(kQ256.data(), kQ256.size(), keys, t);
    ASSERT_EQ(c.verdict, Verdict::Ok);
    auto answer = unsigned_part(kR256);
    ASSERT_TRUE(sign_answer(answer, c, t));
    EXPECT_EQ(answer, kR256);
    EXPECT_EQ(verify_answer(kR256.data(), kR256.size(), k256, c.tsig.mac, t), Verdict::Ok);
    auto tampered = kR256;
    tampered[40] ^= 1;
    EXPECT_EQ(verify_answer(tampered.data(), tampered.size(), k256, c.tsig.mac, t),
              Verdict::BadSig);
}

TEST(Tsig, SignsEveryMessageOfATransferAsDnspythonDoes) {
    const Key keys[] = {k512};
    auto c = verify_request(kQ512.data(), kQ512.size(), keys, signed_at(kQ512));
    ASSERT_EQ(c.verdict, Verdict::Ok);
    Signer s(k512, c.tsig);
    for (const auto* theirs : {&kX512a, &kX512b}) {
        auto mine = unsigned_part(*theirs);
        s.sign(mine, signed_at(*theirs));
        Record a, b;
        ASSERT_EQ(find(mine.data(), mine.size(), a), Found::Found);
        ASSERT_EQ(find(theirs->data(), theirs->size(), b), Found::Found);
        EXPECT_EQ(a.mac, b.mac) << "the same digest (dnspython compresses the owner name)";
        EXPECT_EQ(a.time_signed, b.time_signed);
    }
}

TEST(Tsig, ErrorAnswersAreSignedOrNotAsTheRfcSays) {
    const Key keys[] = {k256};
    const uint64_t t = signed_at(kQ256);
    const std::vector<uint8_t> header(kQ256.begin(), kQ256.begin() + 12);
    auto answer_to = [&](Verdict want, uint64_t now, std::span<const Key> ks) {
        auto c = verify_request(kQ256.data(), kQ256.size(), ks, now);
        EXPECT_EQ(c.verdict, want);
        std::vector<uint8_t> m = header;
        m[2] |= 0x80;
        for (size_t i = 4; i < 12; ++i) m[i] = 0;
        EXPECT_TRUE(sign_answer(m, c, now));
        Record r;
        EXPECT_EQ(find(m.data(), m.size(), r), Found::Found);
        return std::pair{r, verify_answer(m.data(), m.size(), k256, c.tsig.mac, now)};
    };
    const Key none[] = {Key{wire("other."), Algorithm::HmacSha256, k256.secret}};
    auto [bad_key, v1] = answer_to(Verdict::BadKey, t, none);
    EXPECT_EQ(bad_key.error, error::kBadKey);
    EXPECT_TRUE(bad_key.mac.empty()) << "BADKEY: unsigned";
    EXPECT_EQ(v1, Verdict::BadKey);
    auto [bad_time, v2] = answer_to(Verdict::BadTime, t + 1000, keys);
    EXPECT_EQ(bad_time.error, error::kBadTime);
    EXPECT_EQ(bad_time.mac.size(), 32u) << "BADTIME: signed";
    ASSERT_EQ(bad_time.other.size(), 6u);
    EXPECT_EQ(bad_time.other[5], static_cast<uint8_t>(t + 1000)) << "with the server's time";
    EXPECT_EQ(v2, Verdict::BadTime) << "and a MAC the client can check";
    // Unsigned and corrupt requests get no TSIG in the answer.
    Checked unsigned_req;
    std::vector<uint8_t> m = header;
    EXPECT_FALSE(sign_answer(m, unsigned_req, t));
    EXPECT_EQ(m, header);
}

TEST(Tsig, ClientSideRoundTripAndNames) {
    std::vector<uint8_t> q(kQ256.begin(), kQ256.begin() + 44);
    q[11] = 1;
    const auto mac = sign_request(q, k256, 1'800'000'000);
    const Key keys[] = {k256};
    EXPECT_EQ(verify_request(q.data(), q.size(), keys, 1'800'000'000).verdict, Verdict::Ok);
    EXPECT_EQ(mac.size(), 32u);
    EXPECT_EQ(algorithm_from_text("HMAC-SHA512."), Algorithm::HmacSha512);
    EXPECT_EQ(algorithm_from_text("hmac-md5"), std::nullopt);
    EXPECT_EQ(algorithm_text(Algorithm::HmacSha384), "hmac-sha384");
    EXPECT_EQ(decode_base64("YWJj"), (std::vector<uint8_t>{'a', 'b', 'c'}));
    EXPECT_EQ(decode_base64("YWI="), (std::vector<uint8_t>{'a', 'b'}));
    EXPECT_EQ(decode_base64("YQ=="), (std::vector<uint8_t>{'a'}));
    for (const char* bad : {"", "YWJ", "YW=j", "Y WJ", "YWJj\n", "=WJj", "YQ=a"})
        EXPECT_EQ(decode_base64(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace edgelease::control::tsig
