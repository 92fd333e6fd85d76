#pragma once
// DNS message parsing for the worker fast path (RFC 1035 §4, RFC 6891 EDNS(0)). A query is
// validated in one pass over the received bytes and summarised in a fixed-size `Query`;
// nothing is allocated, nothing throws, nothing is read past `len`.
//
// Everything here lives in namespace edgelease::dataplane::wire::dns (a protocol namespace,
// like wire::ipv4). Note that inside it `dns::` does not name edgelease::dns (the shared RR
// type constants); this code spells that one ::edgelease::dns.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace edgelease::dataplane::wire::dns {

/// RFC 1035 §4.1.1: the fixed header. Offsets from the start of the DNS message.
inline constexpr uint16_t kHeaderSize = 12;
namespace hdr {
inline constexpr size_t kIdOff = 0;
inline constexpr size_t kFlagsOff = 2;
inline constexpr size_t kQdCountOff = 4;
inline constexpr size_t kAnCountOff = 6;
inline constexpr size_t kNsCountOff = 8;
inline constexpr size_t kArCountOff = 10;
}  // namespace hdr

/// Bits of the 16-bit flags word at hdr::kFlagsOff (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD).
namespace flag {
inline constexpr uint16_t kQr = 0x8000;
inline constexpr uint16_t kOpcodeMask = 0x7800;
inline constexpr unsigned kOpcodeShift = 11;
inline constexpr uint16_t kAa = 0x0400;
inline constexpr uint16_t kTc = 0x0200;
inline constexpr uint16_t kRd = 0x0100;
inline constexpr uint16_t kRa = 0x0080;
inline constexpr uint16_t kZ = 0x0040;
inline constexpr uint16_t kAd = 0x0020;
inline constexpr uint16_t kCd = 0x0010;
inline constexpr uint16_t kRcodeMask = 0x000f;
}  // namespace flag

/// IANA DNS OpCodes.
namespace opcode {
inline constexpr uint8_t kQuery = 0;
inline constexpr uint8_t kIQuery = 1;  // obsolete (RFC 3425)
inline constexpr uint8_t kStatus = 2;
inline constexpr uint8_t kNotify = 4;  // RFC 1996
inline constexpr uint8_t kUpdate = 5;  // RFC 2136
}  // namespace opcode

/// IANA DNS RCODEs. Values above 15 are extended (RFC 6891 §6.1.3): the low 4 bits go in
/// the header, the high 8 bits in the OPT record's TTL.
namespace rcode {
inline constexpr uint16_t kNoError = 0;
inline constexpr uint16_t kFormErr = 1;
inline constexpr uint16_t kServFail = 2;
inline constexpr uint16_t kNxDomain = 3;
inline constexpr uint16_t kNotImp = 4;
inline constexpr uint16_t kRefused = 5;
inline constexpr uint16_t kNotAuth = 9;
inline constexpr uint16_t kBadVers = 16;
constexpr uint8_t header_bits(uint16_t r) noexcept {
    return static_cast<uint8_t>(r & 0x0f);
}
constexpr uint8_t ext_bits(uint16_t r) noexcept {
    return static_cast<uint8_t>(r >> 4);
}
}  // namespace rcode

/// RFC 6891 §6.1.2/§6.1.3: the OPT pseudo-RR.
namespace edns {
inline constexpr uint16_t kOptRrSize = 11;      // root owner, type, class, TTL, RDLENGTH 0
inline constexpr uint16_t kMinUdpSize = 512;    // smaller advertised sizes count as 512 (§6.2.5)
inline constexpr uint32_t kDoBit = 0x00008000;  // in the TTL field (RFC 3225)
inline constexpr uint16_t kOptionTcpKeepalive = 11;  // RFC 7828
inline constexpr uint16_t kOptionCookie = 10;        // RFC 7873
inline constexpr uint8_t kClientCookieSize = 8;
inline constexpr uint8_t kMaxCookieSize = 40;  // client 8, server 8..32 (RFC 7873 §4)
/// What a query's OPT said of edns-tcp-keepalive (RFC 7828 §3.2.1: a client sends it empty).
enum class Keepalive : uint8_t { Absent, Empty, WithTimeout };
}  // namespace edns

/// Name compression (RFC 1035 §4.1.4).
inline constexpr uint8_t kPointerTag = 0xc0;
inline constexpr uint16_t kMaxPointerTarget = 0x3fff;
/// Longest decompression chain decode_name follows. A valid name has at most 127 labels,
/// so no legitimate name needs more jumps than this.
inline constexpr unsigned kMaxPointerHops = 128;
inline constexpr size_t kMaxName = 255;    // wire octets incl. the root label (RFC 1035 §2.3.4)
inline constexpr size_t kMaxLabels = 127;  // labels of a 255-octet name, excluding the root

/// ASCII-only lower case (RFC 4343 §3: DNS case folding is ASCII only). Length octets of
/// uncompressed wire names are ≤ 63, never a letter, so a whole wire name can be folded at
/// once.
constexpr uint8_t ascii_lower(uint8_t c) noexcept {
    return static_cast<uint8_t>(c + (static_cast<uint8_t>(c - 'A') < 26u ? 0x20 : 0));
}

/// dst[0..n) = ascii_lower(src[0..n)). dst may equal src.
/// The eight bytes of `x` with each of 'A'..'Z' lower-cased, the others unchanged: a
/// byte's top bit marks it as in the range (the low seven bits plus 0x3f reach 0x80 from
/// 'A' on, plus 0x25 from '['; no carry crosses a byte), shifted down to 0x20.
constexpr uint64_t ascii_lower8(uint64_t x) noexcept {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    const uint64_t low7 = x & (0x7f * kOnes);
    const uint64_t from_a = low7 + (0x80 - 'A') * kOnes;
    const uint64_t past_z = low7 + (0x80 - 'Z' - 1) * kOnes;
    const uint64_t upper = from_a & ~past_z & ~x & (0x80 * kOnes);
    return x | (upper >> 2);
}

/// dst[0..n) = src[0..n) lower-cased (ASCII), eight bytes at a time. A whole wire name may
/// go through at once: label lengths (at most 63) are never letters.
inline void lower_copy(uint8_t* dst, const uint8_t* src, size_t n) noexcept {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        w = ascii_lower8(w);
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < n; ++i) dst[i] = ascii_lower(src[i]);
}

/// Case-insensitive (ASCII) equality of two byte runs of `len` octets, typically two
/// uncompressed wire names of the same length.
inline bool name_equal_ci(const uint8_t* a, const uint8_t* b, size_t len) noexcept {
    for (size_t i = 0; i < len; ++i)
        if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

/// True when name[0..len) is a domain name in canonical wire form that may lack its root
/// label: labels of 1..63 bytes (no compression pointer, no extended label type), the root
/// label, when present, last. Empty is true. The form DHCP clients send their FQDN in
/// (RFC 4702 §2.3 for option 81, RFC 4704 §4.2 for DHCPv6 option 39: a partial name is
/// allowed); the caller bounds len.
inline bool partial_wire_name_ok(const uint8_t* name, size_t len) noexcept {
    size_t pos = 0;
    while (pos < len) {
        const uint8_t l = name[pos];
        if (l == 0) return pos + 1 == len;  // the root label ends the name
        if (l > 63) return false;           // also rejects compression pointers
        pos += 1u + l;
    }
    return pos == len;
}

/// Wire length (incl. the root) of the uncompressed name at p[0..avail), or -1 when it is
/// malformed: a pointer or extended label type, a label past `avail`, or over 255 octets.
int uncompressed_name_len(const uint8_t* p, size_t avail) noexcept;

/// Decodes the possibly compressed name at msg[off] into out (which must hold kMaxName
/// bytes), keeping its letter case. Returns its wire length (incl. the root) and sets `next`
/// to the offset after the name where it started (after the first pointer, if any); returns
/// -1 (out and next unspecified) when the name runs past `len`, uses an extended label type,
/// exceeds 255 octets, or has a pointer that does not point strictly before the label
/// sequence it ends (this forbids loops), points into the header, or is one of more than
/// kMaxPointerHops jumps.
int decode_name(const uint8_t* msg, uint16_t len, uint16_t off, uint8_t* out,
                uint16_t& next) noexcept;

enum class QueryStatus : uint8_t {
    Ok,       // a QUERY to answer
    Drop,     // no answer at all: shorter than a header, or a response (QR=1)
    FormErr,  // answer FORMERR; echo the question when Query::question_ok
    NotImp,   // opcode other than QUERY: answer NOTIMP; echo the question when question_ok
};

/// Why a query was not Ok, for counters and tests.
enum class QueryDefect : uint8_t {
    None,
    ShortHeader,        // Drop: fewer than 12 octets
    Response,           // Drop: QR=1
    Opcode,             // NotImp
    QdCount,            // QDCOUNT != 1
    NameTruncated,      // question name runs past the message
    BadLabelType,       // 0x40/0x80 label types; this includes any label length 64..127
    Compression,        // a pointer in the question name
    NameTooLong,        // over 255 octets
    QuestionTruncated,  // no room for QTYPE/QCLASS
    AnNsCount,          // ANCOUNT or NSCOUNT != 0 in a query
    NotOpt,             // an additional record other than OPT (TSIG is not supported)
    DuplicateOpt,       // more than one OPT (RFC 6891 §6.1.1)
    OptOwner,           // OPT owner not the root
    OptTruncated,       // OPT fixed part or RDATA past the message
    OptMalformed,       // an EDNS option overruns the OPT RDATA
    TrailingBytes,      // octets after the last record
};

/// A parsed query. Fixed size, trivially copyable: a worker keeps one on its stack.
/// Only the scalars are reset by parse_query; qname_lower and label_off are valid for
/// qname_len / label_count + 1 entries when question_ok.
struct Query {
    uint16_t id;
    uint16_t flags;  // the header flags word as received
    uint8_t opcode;
    bool rd;
    bool cd;
    bool question_ok;     // the question was complete and valid (qname..qclass are set)
    QueryDefect defect;   // None when parse_query returned Ok
    uint8_t qname_len;    // wire length of qname_lower including the root (1..255)
    uint8_t label_count;  // labels excluding the root (0 for the root name)
    uint16_t qtype;
    uint16_t qclass;
    uint16_t question_end;  // offset after QCLASS; kHeaderSize when !question_ok
    // EDNS (RFC 6891): set when the additional section held a valid OPT.
    bool has_opt;
    bool opt_do;
    uint8_t opt_version;            // anything but 0 is to be answered with BADVERS (§6.1.3)
    uint8_t opt_ext_rcode;          // as received (should be 0 in a query)
    uint16_t opt_udp_size;          // as received; see udp_payload_limit()
    edns::Keepalive opt_keepalive;  // only TCP answers heed it
    uint8_t cookie_len;             // 0: no COOKIE option (RFC 7873); else 8 or 16..40
    bool cookie_bad;                // a COOKIE option of a length §5.2.2 does not allow
    uint8_t cookie[edns::kMaxCookieSize];  // the client cookie, then the server cookie
    /// label_off[i] is where label i starts in qname_lower; label_off[label_count] is the
    /// root. The suffix from label i is qname_lower + label_off[i], qname_len - label_off[i]
    /// octets long.
    uint8_t label_off[kMaxLabels + 1];
    uint8_t qname_lower[kMaxName];  // the question name, uncompressed, ASCII lower-cased
};
static_assert(std::is_trivially_copyable_v<Query>);

/// Validates the DNS message msg[0..len) as a query and fills q. Never reads past len and
/// never writes to msg (the client's letter case stays in the message for the answer).
///  - Drop: len < 12 (no header to answer with) or QR=1 (never answer a response).
///  - NotImp: opcode != QUERY (RFC 1035 §4.1.1); the question is parsed when QDCOUNT == 1.
///  - FormErr: QDCOUNT != 1; a bad question name (label type, pointer — nothing precedes the
///    question that a pointer could validly name —, > 255 octets, truncated); ANCOUNT or
///    NSCOUNT != 0; any additional record other than one OPT (RFC 6891 §6.1.1: owner root,
///    one at most; its options walked and bounds-checked); trailing octets. TSIG (RFC 8945)
///    and SIG(0) are not supported and hence FORMERR.
/// q.id and q.flags are set whenever len >= 12; on FormErr/NotImp the question is there iff
/// q.question_ok, and has_opt is set iff a valid OPT was seen before the defect.
QueryStatus parse_query(const uint8_t* msg, uint16_t len, Query& q) noexcept;

/// Largest response for q (RFC 1035 §4.2.1, RFC 6891 §6.2.5): 512 without EDNS; otherwise the
/// smaller of the client's payload size and ours, never below 512.
constexpr uint16_t udp_payload_limit(const Query& q, uint16_t ours) noexcept {
    if (!q.has_opt) return edns::kMinUdpSize;
    uint16_t v = q.opt_udp_size < ours ? q.opt_udp_size : ours;
    return v < edns::kMinUdpSize ? edns::kMinUdpSize : v;
}

}  // namespace edgelease::dataplane::wire::dns
