#include "control/tsig/tsig.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "dataplane/wire/dns.hpp"

namespace edgelease::control::tsig {

namespace wire = dataplane::wire::dns;

namespace {

struct AlgInfo {
    Algorithm alg;
    std::string_view text;
    size_t size;
};
constexpr std::array<AlgInfo, 5> kAlgs{{{Algorithm::HmacSha1, "hmac-sha1", 20},
                                        {Algorithm::HmacSha224, "hmac-sha224", 28},
                                        {Algorithm::HmacSha256, "hmac-sha256", 32},
                                        {Algorithm::HmacSha384, "hmac-sha384", 48},
                                        {Algorithm::HmacSha512, "hmac-sha512", 64}}};

const EVP_MD* md_of(Algorithm a) {
    switch (a) {
        case Algorithm::HmacSha1:
            return EVP_sha1();
        case Algorithm::HmacSha224:
            return EVP_sha224();
        case Algorithm::HmacSha256:
            return EVP_sha256();
        case Algorithm::HmacSha384:
            return EVP_sha384();
        case Algorithm::HmacSha512:
            return EVP_sha512();
    }
    return EVP_sha256();
}

/// The algorithm's name as a wire name ("hmac-sha256." -> \x0bhmac-sha256\x00).
dns::WireName alg_wire(Algorithm a) {
    const std::string_view t = algorithm_text(a);
    dns::WireName w(t.size() + 2, 0);
    w[0] = static_cast<uint8_t>(t.size());
    std::memcpy(w.data() + 1, t.data(), t.size());
    return w;
}

std::optional<Algorithm> alg_from_wire(const dns::WireName& w) {
    for (const auto& a : kAlgs)
        if (alg_wire(a.alg) == w) return a.alg;
    return std::nullopt;
}

uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
void put16(std::vector<uint8_t>& v, uint16_t x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
}
void put48(std::vector<uint8_t>& v, uint64_t x) {
    for (int s = 40; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
}
void append(std::vector<uint8_t>& v, std::span<const uint8_t> b) {
    v.insert(v.end(), b.begin(), b.end());
}

/// A possibly compressed name at msg[off], lower-cased. False when it does not decode.
bool read_name(const uint8_t* msg, size_t len, size_t off, dns::WireName& out, size_t& next) {
    uint8_t buf[wire::kMaxName];
    uint16_t n = 0;
    const int l =
        wire::decode_name(msg, static_cast<uint16_t>(len), static_cast<uint16_t>(off), buf, n);
    if (l < 0) return false;
    out.assign(buf, buf + l);
    wire::lower_copy(out.data(), out.data(), out.size());
    next = n;
    return true;
}

/// The TSIG variables of RFC 8945 §4.3.3 (all of them, or only the timers, §4.3.1).
void put_variables(std::vector<uint8_t>& d, const Key& key, uint64_t time, uint16_t fudge,
                   uint16_t err, std::span<const uint8_t> other, bool timers_only) {
    if (!timers_only) {
        append(d, key.name);
        put16(d, dns::rrclass::ANY);
        put16(d, 0);
        put16(d, 0);  // TTL 0, 32 bits
        append(d, alg_wire(key.algorithm));
    }
    put48(d, time);
    put16(d, fudge);
    if (timers_only) return;
    put16(d, err);
    put16(d, static_cast<uint16_t>(other.size()));
    append(d, other);
}

/// The message as it was signed: up to its TSIG record, ARCOUNT without it, and the original
/// ID in place of the message ID (a forwarder may have changed it).
void put_unsigned_message(std::vector<uint8_t>& d, const uint8_t* msg, size_t tsig_offset,
                          uint16_t original_id) {
    const size_t at = d.size();
    d.insert(d.end(), msg, msg + tsig_offset);
    d[at] = static_cast<uint8_t>(original_id >> 8);
    d[at + 1] = static_cast<uint8_t>(original_id);
    const uint16_t ar = get16(&d[at + 10]);
    d[at + 10] = static_cast<uint8_t>((ar - 1) >> 8);
    d[at + 11] = static_cast<uint8_t>(ar - 1);
}

std::vector<uint8_t> hmac(const Key& key, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    HMAC(md_of(key.algorithm), key.secret.data(), static_cast<int>(key.secret.size()), data.data(),
         data.size(), out.data(), &n);
    out.resize(n);
    return out;
}

/// Appends a TSIG record (owner `name`, algorithm `alg` in wire form) to `msg` and counts it
/// in ARCOUNT. Its original ID is the message's ID.
void append_record(std::vector<uint8_t>& msg, const dns::WireName& name, const dns::WireName& alg,
                   uint64_t time, uint16_t fudge, std::span<const uint8_t> mac, uint16_t err,
                   std::span<const uint8_t> other) {
    const uint16_t original_id = get16(msg.data());
    append(msg, name);
    put16(msg, kType);
    put16(msg, dns::rrclass::ANY);
    put16(msg, 0);
    put16(msg, 0);
    put16(msg, static_cast<uint16_t>(alg.size() + 16 + mac.size() + other.size()));
    append(msg, alg);
    put48(msg, time);
    put16(msg, fudge);
    put16(msg, static_cast<uint16_t>(mac.size()));
    append(msg, mac);
    put16(msg, original_id);
    put16(msg, err);
    put16(msg, static_cast<uint16_t>(other.size()));
    append(msg, other);
    const uint16_t ar = static_cast<uint16_t>(get16(&msg[10]) + 1);
    msg[10] = static_cast<uint8_t>(ar >> 8);
    msg[11] = static_cast<uint8_t>(ar);
}
void append_record(std::vector<uint8_t>& msg, const Key& key, uint64_t time, uint16_t fudge,
                   std::span<const uint8_t> mac, uint16_t err, std::span<const uint8_t> other) {
    append_record(msg, key.name, alg_wire(key.algorithm), time, fudge, mac, err, other);
}

std::vector<uint8_t> time_other(uint64_t now) {
    std::vector<uint8_t> o;
    put48(o, now);
    return o;
}

bool in_time(uint64_t signed_at, uint16_t fudge, uint64_t now) {
    const uint64_t d = signed_at > now ? signed_at - now : now - signed_at;
    return d <= fudge;
}

}  // namespace

std::optional<Algorithm> algorithm_from_text(std::string_view text) {
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    for (const auto& a : kAlgs) {
        if (a.text.size() != text.size()) continue;
        bool same = true;
        for (size_t i = 0; i < text.size() && same; ++i)
            same = wire::ascii_lower(static_cast<uint8_t>(text[i])) == a.text[i];
        if (same) return a.alg;
    }
    return std::nullopt;
}

std::string_view algorithm_text(Algorithm a) {
    return kAlgs[static_cast<size_t>(a)].text;
}

size_t mac_size(Algorithm a) {
    return kAlgs[static_cast<size_t>(a)].size;
}

std::optional<std::vector<uint8_t>> decode_base64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alnum =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        const bool pad =
            c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
        if (!alnum && c != '+' && c != '/' && !pad) return std::nullopt;
    }
    std::vector<uint8_t> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    size_t pad = 0;
    if (text.back() == '=') ++pad;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

Found find(const uint8_t* msg, size_t len, Record& out) {
    if (len < 12 || len > 65535) return Found::Malformed;
    const size_t qd = get16(msg + 4);
    const size_t rrs = size_t{get16(msg + 6)} + get16(msg + 8) + get16(msg + 10);
    size_t pos = 12;
    dns::WireName name;
    for (size_t i = 0; i < qd; ++i) {
        if (!read_name(msg, len, pos, name, pos) || pos + 4 > len) return Found::Malformed;
        pos += 4;
    }
    for (size_t i = 0; i < rrs; ++i) {
        const size_t start = pos;
        if (!read_name(msg, len, pos, name, pos) || pos + 10 > len) return Found::Malformed;
        const uint16_t type = get16(msg + pos);
        const uint16_t klass = get16(msg + pos + 2);
        const size_t rdlen = get16(msg + pos + 8);
        const size_t rd = pos + 10;
        if (rd + rdlen > len) return Found::Malformed;
        pos = rd + rdlen;
        if (type != kType) continue;
        // The last record of the additional section, of class ANY, nothing after it.
        if (i + 1 != rrs || get16(msg + 10) == 0 || pos != len || klass != dns::rrclass::ANY)
            return Found::Malformed;
        out.offset = start;
        out.key_name = name;
        size_t at = 0;
        if (!read_name(msg, rd + rdlen, rd, out.algorithm, at) || at + 10 > pos)
            return Found::Malformed;
        out.time_signed = 0;
        for (size_t k = 0; k < 6; ++k) out.time_signed = out.time_signed << 8 | msg[at + k];
        out.fudge = get16(msg + at + 6);
        const size_t mac_len = get16(msg + at + 8);
        at += 10;
        if (at + mac_len + 6 > pos) return Found::Malformed;
        out.mac.assign(msg + at, msg + at + mac_len);
        at += mac_len;
        out.original_id = get16(msg + at);
        out.error = get16(msg + at + 2);
        const size_t other_len = get16(msg + at + 4);
        at += 6;
        if (at + other_len != pos) return Found::Malformed;
        out.other.assign(msg + at, msg + pos);
        return Found::Found;
    }
    return pos == len ? Found::None : Found::Malformed;
}

std::string_view verdict_text(Verdict v) {
    switch (v) {
        case Verdict::Unsigned:
            return "unsigned";
        case Verdict::Ok:
            return "ok";
        case Verdict::FormErr:
            return "formerr";
        case Verdict::BadKey:
            return "badkey";
        case Verdict::BadSig:
            return "badsig";
        case Verdict::BadTime:
            return "badtime";
        case Verdict::BadTrunc:
            return "badtrunc";
    }
    return "?";
}

Checked verify_request(const uint8_t* msg, size_t len, std::span<const Key> keys, uint64_t now) {
    Checked c;
    switch (find(msg, len, c.tsig)) {
        case Found::None:
            return c;
        case Found::Malformed:
            c.verdict = Verdict::FormErr;
            return c;
        case Found::Found:
            break;
    }
    // §5.2.1: the key, by name and algorithm.
    const auto alg = alg_from_wire(c.tsig.algorithm);
    for (const Key& k : keys)
        if (alg && k.algorithm == *alg && k.name == c.tsig.key_name) c.key = &k;
    if (c.key == nullptr) {
        c.verdict = Verdict::BadKey;
        return c;
    }
    // §5.2.2.1: a MAC longer than the hash, or shorter than max(10, half of it), is corrupt.
    const size_t full = mac_size(c.key->algorithm);
    const size_t got = c.tsig.mac.size();
    if (got > full || got < std::max<size_t>(10, (full + 1) / 2)) {
        c.key = nullptr;
        c.verdict = Verdict::FormErr;
        return c;
    }
    // §5.2.2: the MAC.
    std::vector<uint8_t> d;
    d.reserve(c.tsig.offset + 128);
    put_unsigned_message(d, msg, c.tsig.offset, c.tsig.original_id);
    put_variables(d, *c.key, c.tsig.time_signed, c.tsig.fudge, c.tsig.error, c.tsig.other, false);
    const auto mac = hmac(*c.key, d);
    if (CRYPTO_memcmp(mac.data(), c.tsig.mac.data(), got) != 0) {
        c.key = nullptr;  // the answer is unsigned: a bad signature proves no key
        c.verdict = Verdict::BadSig;
        return c;
    }
    // §5.2.3: the time; §5.2.4: truncation below this server's policy (full length).
    if (!in_time(c.tsig.time_signed, c.tsig.fudge, now))
        c.verdict = Verdict::BadTime;
    else if (got < full)
        c.verdict = Verdict::BadTrunc;
    else
        c.verdict = Verdict::Ok;
    return c;
}

bool sign_answer(std::vector<uint8_t>& msg, const Checked& request, uint64_t now) {
    if (msg.size() < 12) return false;
    switch (request.verdict) {
        case Verdict::Unsigned:
        case Verdict::FormErr:
            return false;
        case Verdict::BadKey:
        case Verdict::BadSig: {
            // §5.3.2: an unsigned TSIG (MAC size 0) naming the error, with the request's key
            // name and algorithm so that the client sees which one failed.
            // The algorithm name goes back as received, also one we do not know.
            append_record(msg, request.tsig.key_name, request.tsig.algorithm, now, kDefaultFudge,
                          {}, request.verdict == Verdict::BadKey ? error::kBadKey : error::kBadSig,
                          {});
            return true;
        }
        case Verdict::Ok:
        case Verdict::BadTime:
        case Verdict::BadTrunc:
            break;
    }
    if (request.key == nullptr) return false;
    const uint16_t err = request.verdict == Verdict::BadTime    ? error::kBadTime
                         : request.verdict == Verdict::BadTrunc ? error::kBadTrunc
                                                                : error::kNoError;
    // §5.2.3: a BADTIME answer carries the server's time as other data; its time signed is
    // the request's, so that the client can check the MAC whatever its clock.
    const auto other = err == error::kBadTime ? time_other(now) : std::vector<uint8_t>{};
    const uint64_t time = err == error::kBadTime ? request.tsig.time_signed : now;
    std::vector<uint8_t> d;
    put16(d, static_cast<uint16_t>(request.tsig.mac.size()));
    append(d, request.tsig.mac);
    append(d, msg);
    put_variables(d, *request.key, time, request.tsig.fudge, err, other, false);
    const auto mac = hmac(*request.key, d);
    append_record(msg, *request.key, time, request.tsig.fudge, mac, err, other);
    return true;
}

Signer::Signer(const Key& key, const Record& request) : key_(&key), prior_mac_(request.mac) {}

void Signer::sign(std::vector<uint8_t>& msg, uint64_t now) {
    std::vector<uint8_t> d;
    put16(d, static_cast<uint16_t>(prior_mac_.size()));
    append(d, prior_mac_);
    append(d, msg);
    put_variables(d, *key_, now, kDefaultFudge, error::kNoError, {}, !first_);
    first_ = false;
    prior_mac_ = hmac(*key_, d);
    append_record(msg, *key_, now, kDefaultFudge, prior_mac_, error::kNoError, {});
}

std::vector<uint8_t> sign_request(std::vector<uint8_t>& msg, const Key& key, uint64_t now,
                                  uint16_t fudge) {
    std::vector<uint8_t> d(msg);
    put_variables(d, key, now, fudge, error::kNoError, {}, false);
    auto mac = hmac(key, d);
    append_record(msg, key, now, fudge, mac, error::kNoError, {});
    return mac;
}

Verdict verify_answer(const uint8_t* msg, size_t len, const Key& key,
                      std::span<const uint8_t> request_mac, uint64_t now) {
    Record r;
    switch (find(msg, len, r)) {
        case Found::None:
            return Verdict::Unsigned;
        case Found::Malformed:
            return Verdict::FormErr;
        case Found::Found:
            break;
    }
    if (r.key_name != key.name || alg_from_wire(r.algorithm) != key.algorithm)
        return Verdict::BadKey;
    if (r.error == error::kBadKey) return Verdict::BadKey;
    if (r.error == error::kBadSig) return Verdict::BadSig;
    if (r.mac.size() != mac_size(key.algorithm)) return Verdict::BadSig;
    std::vector<uint8_t> d;
    put16(d, static_cast<uint16_t>(request_mac.size()));
    append(d, request_mac);
    put_unsigned_message(d, msg, r.offset, r.original_id);
    put_variables(d, key, r.time_signed, r.fudge, r.error, r.other, false);
    const auto mac = hmac(key, d);
    if (CRYPTO_memcmp(mac.data(), r.mac.data(), mac.size()) != 0) return Verdict::BadSig;
    if (r.error == error::kBadTime) return Verdict::BadTime;
    if (r.error == error::kBadTrunc) return Verdict::BadTrunc;
    return in_time(r.time_signed, r.fudge, now) ? Verdict::Ok : Verdict::BadTime;
}

}  // namespace edgelease::control::tsig
