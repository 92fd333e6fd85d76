#pragma once
// RDATA in presentation format (RFC 1035 §5.1, RFC 3596, RFC 2782, RFC 8659) and the
// RFC 3597 generic form, both ways. Control plane only: these allocate, and report errors
// as values (a bool plus a one-line `why`); nothing here throws except std::bad_alloc.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::control::zone {

/// One blank-separated field of RDATA text. `text` is as written, escapes included, without
/// the quotes when `quoted`; it views the caller's buffer and lives as long as that does.
struct RdataToken {
    std::string_view text;
    bool quoted = false;
};

/// Splits one record's RDATA text into tokens: blanks (space, tab, CR, LF) separate them,
/// "..." quotes (with \X and \DDD escapes inside), a backslash escapes the next character,
/// and unquoted parentheses group as in zone files (they are dropped, and must balance).
/// ';' is not a comment here: the text is one record's data, not a zone file line.
/// Returns false and sets `why` on an unterminated quote or unbalanced parentheses.
bool tokenize_rdata(std::string_view text, std::vector<RdataToken>& out, std::string& why);

/// Builds wire RDATA of `type` from tokens (what follows the type in a zone file). Relative
/// names are completed with `origin`; names keep the case they were written in. The
/// RFC 3597 form `\# len hex...` is accepted for every type; for the types we know it must
/// hold valid RDATA of that type. Meta and query types (OPT, ANY, AXFR..., RFC 6895 §3.1)
/// are refused. On error returns false, sets `why`, and leaves `out` unspecified.
bool rdata_from_tokens(uint16_t type, std::span<const RdataToken> tokens,
                       const dns::WireName& origin, std::vector<uint8_t>& out, std::string& why);

/// tokenize_rdata + rdata_from_tokens: "10 mail.lan." -> wire MX RDATA.
bool rdata_from_text(uint16_t type, std::string_view text, const dns::WireName& origin,
                     std::vector<uint8_t>& out, std::string& why);

/// Presentation form of wire RDATA: "10 mail.lan.", "\"v=spf1\" \"-all\"". Types without a
/// presentation parser here, and RDATA that is not valid for its type, come out in the
/// RFC 3597 form "\# 4 C6120001" (so the result always parses back to the same bytes).
std::string rdata_to_text(uint16_t type, const uint8_t* rdata, size_t len);
inline std::string rdata_to_text(uint16_t type, const std::vector<uint8_t>& rdata) {
    return rdata_to_text(type, rdata.data(), rdata.size());
}

/// Checks that wire RDATA is well formed for `type` (lengths, embedded uncompressed names,
/// TXT string lengths, CAA tag). Types we do not know are always valid.
bool rdata_wire_valid(uint16_t type, const uint8_t* rdata, size_t len, std::string& why);

/// A TTL or SOA timer, BIND style: "3600", "1h", "1w2d", "1H30M" (units w d h m s, any
/// case, each a number followed by its unit). Values up to 4294967295; callers that need
/// the RFC 2181 §8 limit for TTLs (2147483647) check it themselves. nullopt when malformed
/// or too large.
std::optional<uint32_t> ttl_from_text(std::string_view text);

/// RFC 2181 §8: TTLs are 0..2^31-1.
inline constexpr uint32_t kMaxTtl = 0x7FFFFFFF;

}  // namespace edgelease::control::zone
