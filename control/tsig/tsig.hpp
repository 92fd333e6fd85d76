#pragma once
// TSIG (RFC 8945): shared-secret HMAC signatures on DNS messages, for dynamic updates and zone
// transfers. Finds the TSIG record of a message, checks a signed request in the RFC's order
// (key, MAC, time, truncation), signs answers, including the later messages of a
// multi-message transfer, and signs and checks on the client side (NOTIFY, tests).
// Control side only (the TCP server thread, the control lcore): OpenSSL HMAC, no DPDK.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::control::tsig {

enum class Algorithm : uint8_t { HmacSha1, HmacSha224, HmacSha256, HmacSha384, HmacSha512 };

/// "hmac-sha256" (also with a trailing dot, any case) -> Algorithm.
std::optional<Algorithm> algorithm_from_text(std::string_view text);
/// Algorithm -> "hmac-sha256".
std::string_view algorithm_text(Algorithm a);
/// Octets of the algorithm's full MAC.
size_t mac_size(Algorithm a);

/// Standard base64 (RFC 4648 §4, padding required, whitespace not allowed) -> bytes; nullopt
/// when the text is not that. Secrets are written this way by tsig-keygen and keymgr.
std::optional<std::vector<uint8_t>> decode_base64(std::string_view text);

/// A shared secret.
struct Key {
    dns::WireName name;  // lower-case, absolute
    Algorithm algorithm = Algorithm::HmacSha256;
    std::vector<uint8_t> secret;
};

/// The Error field of a TSIG record (RFC 8945 §3, RFC 8945 §5.2).
namespace error {
inline constexpr uint16_t kNoError = 0, kBadSig = 16, kBadKey = 17, kBadTime = 18, kBadTrunc = 22;
}
/// RCODE of an answer whose TSIG check failed (RFC 8945 §5.2: NOTAUTH), and of a corrupt one.
inline constexpr uint8_t kRcodeNotAuth = 9, kRcodeFormErr = 1;
inline constexpr uint16_t kType = 250;  // TSIG RR type
inline constexpr uint16_t kDefaultFudge = 300;

/// The TSIG record at the end of a message.
struct Record {
    size_t offset = 0;         // where the record starts: the signed message ends here
    dns::WireName key_name;    // lower-cased
    dns::WireName algorithm;   // lower-cased
    uint64_t time_signed = 0;  // seconds since the epoch (48 bits)
    uint16_t fudge = 0;        // seconds of clock difference allowed
    std::vector<uint8_t> mac;  // as received (possibly truncated)
    uint16_t original_id = 0;  // the message ID it was signed with
    uint16_t error = 0;
    std::vector<uint8_t> other;
};

enum class Found : uint8_t {
    None,       // no TSIG record: the message is unsigned
    Found,      // `out` holds it
    Malformed,  // a TSIG record that is not the last of the additional section, more than one,
                // a message that does not parse, or a TSIG record that cannot be read
};
/// Looks for the TSIG record of msg[0..len), which must be the last record (RFC 8945 §5.1).
Found find(const uint8_t* msg, size_t len, Record& out);

enum class Verdict : uint8_t {
    Unsigned,  // no TSIG: the caller's policy decides (an address ACL, or REFUSED)
    Ok,        // signed by `key`, MAC and time good
    FormErr,   // a TSIG that cannot be read, or a MAC longer than the algorithm's or shorter
               // than max(10, half of it) (RFC 8945 §5.2.2.1): answer FORMERR, unsigned
    BadKey,    // unknown key name or algorithm: NOTAUTH with an unsigned TSIG (error BADKEY)
    BadSig,    // the MAC does not verify: NOTAUTH with an unsigned TSIG (error BADSIG)
    BadTime,   // outside the fudge window: NOTAUTH, signed, with the server's time
    BadTrunc,  // a valid but truncated MAC, below this server's policy (full length)
};
std::string_view verdict_text(Verdict v);

/// What checking a request found: the verdict, the key that signed it (Ok, BadTime,
/// BadTrunc), and its TSIG record (whose MAC goes into the answer's digest).
struct Checked {
    Verdict verdict = Verdict::Unsigned;
    const Key* key = nullptr;
    Record tsig;
};

/// Checks a request (RFC 8945 §5.2) against `keys` at `now` (seconds since the epoch).
Checked verify_request(const uint8_t* msg, size_t len, std::span<const Key> keys, uint64_t now);

/// Signs an answer to a checked request: appends a TSIG record and counts it in ARCOUNT. The
/// message's ID must be the request's. Ok, BadTime and BadTrunc answers are signed with the
/// request's key (the digest covers the request's MAC; BadTime carries `now` as other data);
/// BadKey and BadSig get an unsigned TSIG record naming the error. Unsigned and FormErr
/// requests get none (returns false). Also false when `key` is missing.
bool sign_answer(std::vector<uint8_t>& msg, const Checked& request, uint64_t now);

/// The messages of a multi-message answer (AXFR, IXFR; RFC 8945 §5.3.1): the first is signed
/// like sign_answer; each later one's digest covers the previous MAC, the message and the
/// timers only. Every message is signed.
class Signer {
  public:
    Signer(const Key& key, const Record& request);
    void sign(std::vector<uint8_t>& msg, uint64_t now);

  private:
    const Key* key_;
    std::vector<uint8_t> prior_mac_;  // the request's, then each message's
    bool first_ = true;
};

/// Client side (NOTIFY, tests): signs a request with `key`; returns its MAC, which the
/// answer's digest covers.
std::vector<uint8_t> sign_request(std::vector<uint8_t>& msg, const Key& key, uint64_t now,
                                  uint16_t fudge = kDefaultFudge);
/// Client side: checks an answer to a request signed with `request_mac`. Ok when it is
/// signed by `key` and in time; otherwise the verdict (Unsigned when it carries no TSIG).
Verdict verify_answer(const uint8_t* msg, size_t len, const Key& key,
                      std::span<const uint8_t> request_mac, uint64_t now);

}  // namespace edgelease::control::tsig
