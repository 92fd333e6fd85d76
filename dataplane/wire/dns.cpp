#include "dataplane/wire/dns.hpp"

#include <cstring>

#include "common/dns_types.hpp"
#include "dataplane/wire/cursor.hpp"

namespace edgelease::dataplane::wire::dns {

namespace {

// The label type is in the top two bits of the length octet (RFC 1035 §4.1.4; 01 and 10
// were RFC 2671/RFC 6891 extended label types, now unused and never valid here).
constexpr uint8_t kLabelTypeMask = 0xc0;

QueryStatus form_err(Query& q, QueryDefect d) noexcept {
    q.defect = d;
    return QueryStatus::FormErr;
}

/// The question at c (RFC 1035 §4.1.2). On success fills the question fields and sets
/// question_ok; otherwise records the defect and leaves question_ok false.
bool parse_question(Cursor& c, Query& q) noexcept {
    unsigned n = 0;  // octets of the name before its root label
    unsigned labels = 0;
    const uint8_t* first = nullptr;  // the name in the message (uncompressed: one run)
    for (;;) {
        const uint8_t b = c.u8();
        if (!c.ok()) {
            q.defect = QueryDefect::NameTruncated;
            return false;
        }
        if (b == 0) break;
        switch (b & kLabelTypeMask) {
            case 0:
                break;
            case kLabelTypeMask:
                // Nothing before the question is a name, so no pointer here can be valid.
                q.defect = QueryDefect::Compression;
                return false;
            default:
                q.defect = QueryDefect::BadLabelType;
                return false;
        }
        // This label plus at least the root must fit in 255 octets.
        if (n + 1 + b + 1 > kMaxName) {
            q.defect = QueryDefect::NameTooLong;
            return false;
        }
        const uint8_t* label = c.bytes(b);
        if (label == nullptr) {
            q.defect = QueryDefect::NameTruncated;
            return false;
        }
        if (labels == 0) first = label - 1;
        q.label_off[labels++] = static_cast<uint8_t>(n);
        n += 1u + b;
    }
    // One lower-casing copy of the whole name, lengths included (never letters).
    if (first != nullptr) lower_copy(q.qname_lower, first, n);
    q.label_off[labels] = static_cast<uint8_t>(n);
    q.qname_lower[n++] = 0;
    q.qname_len = static_cast<uint8_t>(n);
    q.label_count = static_cast<uint8_t>(labels);
    q.qtype = c.u16();
    q.qclass = c.u16();
    if (!c.ok()) {
        q.defect = QueryDefect::QuestionTruncated;
        return false;
    }
    q.question_end = static_cast<uint16_t>(c.offset());
    q.question_ok = true;
    return true;
}

/// Skips the (possibly compressed) owner name of an additional record. Only its extent
/// matters here: anything but an OPT is refused anyway.
bool skip_name(Cursor& c) noexcept {
    for (;;) {
        const uint8_t b = c.u8();
        if (!c.ok()) return false;
        if (b == 0) return true;
        const uint8_t type = b & kLabelTypeMask;
        if (type == kLabelTypeMask) {
            c.skip(1);
            return c.ok();
        }
        if (type != 0) return false;
        c.skip(b);
    }
}

/// The additional section: at most one record, an OPT (RFC 6891 §6.1.1). Walks every
/// record the header announces; each takes at least 11 octets, so the loop is bounded by
/// the message length whatever ARCOUNT says.
QueryStatus parse_additional(Cursor& c, uint16_t arcount, Query& q) noexcept {
    for (uint16_t i = 0; i < arcount; ++i) {
        const bool root_owner = c.peek_u8() == 0 && c.remaining() > 0;
        if (!skip_name(c)) return form_err(q, QueryDefect::OptTruncated);
        const uint16_t type = c.u16();
        const uint16_t klass = c.u16();
        const uint32_t ttl = c.u32();
        const uint16_t rdlen = c.u16();
        if (!c.ok()) return form_err(q, QueryDefect::OptTruncated);
        if (type != ::edgelease::dns::rrtype::OPT) return form_err(q, QueryDefect::NotOpt);
        if (q.has_opt) return form_err(q, QueryDefect::DuplicateOpt);
        if (!root_owner) return form_err(q, QueryDefect::OptOwner);
        Cursor opts = c.take(rdlen);
        if (!c.ok()) return form_err(q, QueryDefect::OptTruncated);
        // RFC 6891 §6.1.2: {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}*, exactly filling RDATA.
        // edns-tcp-keepalive is noted (for TCP answers) and the first COOKIE copied (RFC
        // 7873: client cookie alone, or with a server cookie of 8 to 32 octets); padding and
        // anything else are ignored.
        while (opts.remaining() > 0) {
            const uint16_t code = opts.u16();
            const uint16_t olen = opts.u16();
            const uint8_t* data = opts.position();
            opts.skip(olen);
            if (!opts.ok()) return form_err(q, QueryDefect::OptMalformed);
            if (code == edns::kOptionTcpKeepalive)
                q.opt_keepalive = olen == 0 ? edns::Keepalive::Empty : edns::Keepalive::WithTimeout;
            if (code == edns::kOptionCookie && q.cookie_len == 0) {
                // A length RFC 7873 §5.2.2 does not allow is FORMERR where cookies are on
                // (answer_query decides: off, the option is ignored as before).
                if (olen != edns::kClientCookieSize &&
                    (olen < edns::kClientCookieSize + 8 || olen > edns::kMaxCookieSize)) {
                    q.cookie_bad = true;
                    continue;
                }
                std::memcpy(q.cookie, data, olen);
                q.cookie_len = static_cast<uint8_t>(olen);
            }
        }
        q.opt_udp_size = klass;  // §6.1.2: CLASS is the requestor's UDP payload size
        q.opt_ext_rcode = static_cast<uint8_t>(ttl >> 24);
        q.opt_version = static_cast<uint8_t>(ttl >> 16);
        q.opt_do = (ttl & edns::kDoBit) != 0;
        q.has_opt = true;
    }
    return QueryStatus::Ok;
}

}  // namespace

int uncompressed_name_len(const uint8_t* p, size_t avail) noexcept {
    size_t i = 0;
    while (i < avail) {
        const uint8_t b = p[i];
        if (b == 0) return static_cast<int>(i + 1);
        if ((b & kLabelTypeMask) != 0) return -1;
        i += 1u + b;
        if (i + 1 > kMaxName) return -1;  // the labels so far plus the root
    }
    return -1;
}

int decode_name(const uint8_t* msg, uint16_t len, uint16_t off, uint8_t* out,
                uint16_t& next) noexcept {
    unsigned pos = off;
    unsigned seq_start = off;  // start of the label sequence being read; pointers go before it
    unsigned n = 0;
    unsigned hops = 0;
    bool jumped = false;
    for (;;) {
        if (pos >= len) return -1;
        const uint8_t b = msg[pos];
        if (b == 0) {
            out[n++] = 0;
            if (!jumped) next = static_cast<uint16_t>(pos + 1);
            return static_cast<int>(n);
        }
        const uint8_t type = b & kLabelTypeMask;
        if (type == kLabelTypeMask) {
            if (pos + 1 >= len) return -1;
            const unsigned target = static_cast<unsigned>(b & 0x3f) << 8 | msg[pos + 1];
            // Strictly backwards from the sequence start: each jump lowers seq_start, so no
            // cycle is possible; the hop bound also caps the work of a long backwards chain.
            if (target >= seq_start || target < kHeaderSize || ++hops > kMaxPointerHops) return -1;
            if (!jumped) next = static_cast<uint16_t>(pos + 2);
            jumped = true;
            pos = seq_start = target;
            continue;
        }
        if (type != 0) return -1;
        if (n + 1 + b + 1 > kMaxName || pos + 1 + b > len) return -1;
        std::memcpy(out + n, msg + pos, 1u + b);
        n += 1u + b;
        pos += 1u + b;
    }
}

QueryStatus parse_query(const uint8_t* msg, uint16_t len, Query& q) noexcept {
    q.id = 0;
    q.flags = 0;
    q.opcode = 0;
    q.rd = q.cd = false;
    q.question_ok = false;
    q.defect = QueryDefect::None;
    q.qname_len = 0;
    q.label_count = 0;
    q.qtype = q.qclass = 0;
    q.question_end = kHeaderSize;
    q.has_opt = q.opt_do = false;
    q.opt_version = q.opt_ext_rcode = 0;
    q.opt_udp_size = 0;
    q.opt_keepalive = edns::Keepalive::Absent;
    q.cookie_len = 0;
    q.cookie_bad = false;

    if (msg == nullptr || len < kHeaderSize) {
        q.defect = QueryDefect::ShortHeader;
        return QueryStatus::Drop;
    }
    Cursor c(msg, len);
    q.id = c.u16();
    q.flags = c.u16();
    const uint16_t qdcount = c.u16();
    const uint16_t ancount = c.u16();
    const uint16_t nscount = c.u16();
    const uint16_t arcount = c.u16();
    q.opcode = static_cast<uint8_t>((q.flags & flag::kOpcodeMask) >> flag::kOpcodeShift);
    q.rd = (q.flags & flag::kRd) != 0;
    q.cd = (q.flags & flag::kCd) != 0;

    // An answer to a response could loop between two servers (RFC 1035 §4.1.1: QR).
    if (q.flags & flag::kQr) {
        q.defect = QueryDefect::Response;
        return QueryStatus::Drop;
    }
    if (q.opcode != opcode::kQuery) {
        if (qdcount == 1) parse_question(c, q);  // only so that the answer can echo it
        q.defect = QueryDefect::Opcode;
        return QueryStatus::NotImp;
    }
    // RFC 9619: a QUERY has exactly one question.
    if (qdcount != 1) return form_err(q, QueryDefect::QdCount);
    if (!parse_question(c, q)) return QueryStatus::FormErr;
    if (ancount != 0 || nscount != 0) return form_err(q, QueryDefect::AnNsCount);
    const QueryStatus st = parse_additional(c, arcount, q);
    if (st != QueryStatus::Ok) return st;
    if (c.remaining() != 0) return form_err(q, QueryDefect::TrailingBytes);
    return QueryStatus::Ok;
}

}  // namespace edgelease::dataplane::wire::dns
