#include "dataplane/wire/dns_writer.hpp"

#include <cstring>

#include "common/dns_types.hpp"
#include "dataplane/wire/cursor.hpp"

namespace edgelease::dataplane::wire::dns {

namespace {

namespace rrtype = ::edgelease::dns::rrtype;

constexpr unsigned kSoaTimers = 20;  // SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 §3.3.13)
constexpr unsigned kRrFixed = 10;    // TYPE CLASS TTL RDLENGTH

/// Length of the uncompressed name at p[0..avail) with its label offsets in lo (labels of
/// them, excluding the root), or -1 when malformed. lo must hold kMaxLabels + 1 entries.
int scan_labels(const uint8_t* p, size_t avail, uint8_t* lo, unsigned& labels) noexcept {
    size_t i = 0;
    labels = 0;
    while (i < avail) {
        const uint8_t b = p[i];
        if (b == 0) return static_cast<int>(i + 1);
        if (b > 63) return -1;
        lo[labels++] = static_cast<uint8_t>(i);
        i += 1u + b;
        if (i + 1 > kMaxName) return -1;
    }
    return -1;
}

}  // namespace

DnsWriter::DnsWriter(uint8_t* msg, uint16_t limit, uint16_t question_end) noexcept
    : msg_(msg), limit_(limit), pos_(question_end < kHeaderSize ? kHeaderSize : question_end) {
    if (limit_ < pos_) limit_ = pos_;
    // The question name is the first compression target; the parser has validated it, but
    // a writer over anything else must not compress against garbage.
    constexpr unsigned kQtypeQclass = 4;
    if (pos_ >= kHeaderSize + 1 + kQtypeQclass) {
        const unsigned n = pos_ - kHeaderSize - kQtypeQclass;
        uint8_t lo[kMaxLabels + 1];
        unsigned labels = 0;
        if (scan_labels(msg_ + kHeaderSize, n, lo, labels) == static_cast<int>(n)) {
            qname_len_ = static_cast<uint8_t>(n);
            for (unsigned k = 0; k < labels; ++k) qname_labels_[lo[k] >> 6] |= 1ull << (lo[k] & 63);
        }
    }
    start_response();
}

DnsWriter::DnsWriter(uint8_t* msg, uint16_t limit, const Query& q) noexcept
    : msg_(msg), limit_(limit), pos_(q.question_ok ? q.question_end : kHeaderSize) {
    if (pos_ < kHeaderSize) pos_ = kHeaderSize;
    if (limit_ < pos_) limit_ = pos_;
    constexpr unsigned kQtypeQclass = 4;
    // Only a question name that lies in the message as parsed (uncompressed, where the
    // header ends) is a compression target.
    if (q.question_ok && q.qname_len != 0 && q.label_count <= kMaxLabels &&
        unsigned{q.question_end} == kHeaderSize + q.qname_len + kQtypeQclass) {
        qname_len_ = q.qname_len;
        for (unsigned k = 0; k < q.label_count; ++k)
            qname_labels_[q.label_off[k] >> 6] |= 1ull << (q.label_off[k] & 63);
    }
    start_response();
}

void DnsWriter::start_response() noexcept {
    const uint16_t f = load_be16(msg_ + hdr::kFlagsOff);
    store_be16(msg_ + hdr::kFlagsOff,
               flag::kQr | (f & (flag::kOpcodeMask | flag::kRd | flag::kCd)));
    store_be16(msg_ + hdr::kQdCountOff, pos_ > kHeaderSize ? 1 : 0);
    store_counts();
}

void DnsWriter::store_counts() noexcept {
    store_be16(msg_ + hdr::kAnCountOff, count_[0]);
    store_be16(msg_ + hdr::kNsCountOff, count_[1]);
    store_be16(msg_ + hdr::kArCountOff, count_[2]);
}

bool DnsWriter::put_bytes(const uint8_t* p, unsigned n, unsigned end) noexcept {
    if (pos_ + n > end) return false;
    if (n != 0) std::memcpy(msg_ + pos_, p, n);
    pos_ = static_cast<uint16_t>(pos_ + n);
    return true;
}

bool DnsWriter::matches_at(const uint8_t* s, unsigned t) const noexcept {
    // Walks a name this writer wrote (or the validated question), following its pointers.
    // s is a valid uncompressed name of the same decompressed length as the target.
    for (unsigned hops = 0;;) {
        if (t >= pos_) return false;
        const uint8_t b = msg_[t];
        if ((b & kPointerTag) == kPointerTag) {
            if (t + 1 >= pos_ || ++hops > kMaxPointerHops) return false;
            t = static_cast<unsigned>(b & 0x3f) << 8 | msg_[t + 1];
            continue;
        }
        if (b != *s) return false;
        if (b == 0) return true;
        if (t + 1 + b > pos_ || !name_equal_ci(s + 1, msg_ + t + 1, b)) return false;
        s += 1u + b;
        t += 1u + b;
    }
}

int DnsWriter::find_target(const uint8_t* s, unsigned len) const noexcept {
    if (len <= qname_len_) {
        const unsigned qo = qname_len_ - len;
        if ((qname_labels_[qo >> 6] >> (qo & 63)) & 1u) {
            if (name_equal_ci(s, msg_ + kHeaderSize + qo, len))
                return static_cast<int>(kHeaderSize + qo);
        }
    }
    for (unsigned i = 0; i < ntargets_; ++i)
        if (target_len_[i] == len && matches_at(s, target_off_[i])) return target_off_[i];
    return -1;
}

bool DnsWriter::put_name(const uint8_t* name, unsigned n, const uint8_t* lo, unsigned labels,
                         unsigned end) noexcept {
    // Longest suffix first, so the first hit is the best compression.
    unsigned head = n;  // octets written verbatim
    int target = -1;
    for (unsigned i = 0; i < labels; ++i) {
        target = find_target(name + lo[i], n - lo[i]);
        if (target >= 0) {
            head = lo[i];
            labels = i;  // only the labels before the pointer become new targets
            break;
        }
    }
    const unsigned total = head + (target >= 0 ? 2 : 0);
    if (pos_ + total > end) return false;
    for (unsigned k = 0; k < labels && ntargets_ < kMaxTargets; ++k) {
        const unsigned off = pos_ + lo[k];
        if (off > kMaxPointerTarget) break;
        target_off_[ntargets_] = static_cast<uint16_t>(off);
        target_len_[ntargets_] = static_cast<uint8_t>(n - lo[k]);
        ++ntargets_;
    }
    std::memcpy(msg_ + pos_, name, head);
    if (target >= 0)
        store_be16(msg_ + pos_ + head,
                   static_cast<uint16_t>(0xc000 | static_cast<unsigned>(target)));
    pos_ = static_cast<uint16_t>(pos_ + total);
    return true;
}

bool DnsWriter::put_rdata(uint16_t type, const uint8_t* rdata, uint16_t rdlen,
                          unsigned end) noexcept {
    if (!::edgelease::dns::rdata_names_compressible(type)) return put_bytes(rdata, rdlen, end);
    // Check the whole layout before writing anything: RDATA that is not what its type says
    // is copied as it is rather than half-compressed.
    const unsigned pre = type == rrtype::MX ? 2 : 0;  // MX PREFERENCE (RFC 1035 §3.3.9)
    if (rdlen < pre) return put_bytes(rdata, rdlen, end);
    uint8_t lo1[kMaxLabels + 1], lo2[kMaxLabels + 1];
    unsigned l1 = 0, l2 = 0;
    const int n1 = scan_labels(rdata + pre, rdlen - pre, lo1, l1);
    if (n1 < 0) return put_bytes(rdata, rdlen, end);
    unsigned tail = pre + static_cast<unsigned>(n1);
    int n2 = 0;
    if (type == rrtype::SOA) {  // MNAME RNAME then the timers (RFC 1035 §3.3.13)
        n2 = scan_labels(rdata + tail, rdlen - tail, lo2, l2);
        if (n2 < 0) return put_bytes(rdata, rdlen, end);
        tail += static_cast<unsigned>(n2);
        if (rdlen - tail != kSoaTimers) return put_bytes(rdata, rdlen, end);
    } else if (tail != rdlen) {
        return put_bytes(rdata, rdlen, end);
    }
    if (!put_bytes(rdata, pre, end)) return false;
    if (!put_name(rdata + pre, static_cast<unsigned>(n1), lo1, l1, end)) return false;
    if (n2 > 0 && !put_name(rdata + pre + n1, static_cast<unsigned>(n2), lo2, l2, end))
        return false;
    return put_bytes(rdata + tail, rdlen - tail, end);
}

bool DnsWriter::add_rr(Section s, const uint8_t* owner, uint8_t owner_len, uint16_t type,
                       uint16_t klass, uint32_t ttl, const uint8_t* rdata,
                       uint16_t rdlen) noexcept {
    if (s < section_ || owner == nullptr || (rdata == nullptr && rdlen != 0)) return false;
    uint8_t lo[kMaxLabels + 1];
    unsigned labels = 0;
    if (scan_labels(owner, owner_len, lo, labels) != static_cast<int>(owner_len)) return false;
    const unsigned end = end_for_records();
    const Mark m = mark();
    if (!put_name(owner, owner_len, lo, labels, end) || pos_ + kRrFixed > end) {
        rollback(m);
        return false;
    }
    uint8_t* fixed = msg_ + pos_;
    store_be16(fixed, type);
    store_be16(fixed + 2, klass);
    store_be32(fixed + 4, ttl);
    pos_ = static_cast<uint16_t>(pos_ + kRrFixed);
    const unsigned rd_start = pos_;
    if (!put_rdata(type, rdata, rdlen, end)) {
        rollback(m);
        return false;
    }
    store_be16(fixed + 8, static_cast<uint16_t>(pos_ - rd_start));  // after compression
    section_ = s;
    ++count_[static_cast<unsigned>(s)];
    store_counts();
    return true;
}

bool DnsWriter::can_point_to_question(uint16_t type) const noexcept {
    return qname_len_ != 0 && !::edgelease::dns::rdata_names_compressible(type);
}

bool DnsWriter::add_set_at_question(Section s, uint16_t type, uint16_t klass, uint32_t ttl,
                                    const uint8_t* rdata, uint16_t count) noexcept {
    if (s < section_ || !can_point_to_question(type) || (rdata == nullptr && count != 0))
        return false;
    constexpr unsigned kPointer = 2;
    unsigned total = 0;
    const uint8_t* rd = rdata;
    for (uint16_t i = 0; i < count; ++i) {
        const unsigned rdlen = load_be16(rd);
        total += kPointer + kRrFixed + rdlen;
        rd += 2 + rdlen;
    }
    if (pos_ + total > end_for_records()) return false;
    uint8_t* p = msg_ + pos_;
    rd = rdata;
    for (uint16_t i = 0; i < count; ++i) {
        const unsigned rdlen = load_be16(rd);
        store_be16(p, static_cast<uint16_t>(0xc000 | kHeaderSize));
        store_be16(p + 2, type);
        store_be16(p + 4, klass);
        store_be32(p + 6, ttl);
        std::memcpy(p + 10, rd, 2 + rdlen);  // RDLENGTH and RDATA as stored
        p += kPointer + kRrFixed + rdlen;
        rd += 2 + rdlen;
    }
    pos_ = static_cast<uint16_t>(pos_ + total);
    section_ = s;
    count_[static_cast<unsigned>(s)] =
        static_cast<uint16_t>(count_[static_cast<unsigned>(s)] + count);
    store_counts();
    return true;
}

bool DnsWriter::add_opt(uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
                        bool do_bit) noexcept {
    unreserve(edns::kOptRrSize);
    if (has_opt_ || static_cast<unsigned>(pos_) + edns::kOptRrSize > end_for_records())
        return false;
    uint8_t* p = msg_ + pos_;
    p[0] = 0;  // root owner
    store_be16(p + 1, rrtype::OPT);
    store_be16(p + 3, udp_size);
    store_be32(p + 5, static_cast<uint32_t>(ext_rcode) << 24 |
                          static_cast<uint32_t>(version) << 16 | (do_bit ? edns::kDoBit : 0));
    store_be16(p + 9, 0);
    pos_ = static_cast<uint16_t>(pos_ + edns::kOptRrSize);
    opt_rdata_ = pos_;
    section_ = Section::Additional;
    has_opt_ = true;
    ++count_[static_cast<unsigned>(Section::Additional)];
    store_counts();
    return true;
}

bool DnsWriter::add_opt_option(uint16_t code, const uint8_t* data, uint16_t len) noexcept {
    unreserve(static_cast<uint16_t>(4 + len));
    if (!has_opt_ || static_cast<unsigned>(pos_) + 4 + len > end_for_records()) return false;
    uint8_t* p = msg_ + pos_;
    store_be16(p, code);
    store_be16(p + 2, len);
    if (len != 0) std::memcpy(p + 4, data, len);
    // The OPT is the last record: its RDLENGTH sits just before its RDATA, which ends here.
    uint8_t* rdlen = msg_ + opt_rdata_ - 2;
    store_be16(rdlen, static_cast<uint16_t>(load_be16(rdlen) + 4 + len));
    pos_ = static_cast<uint16_t>(pos_ + 4 + len);
    return true;
}

void DnsWriter::reserve(uint16_t n) noexcept {
    const unsigned r = static_cast<unsigned>(reserved_) + n;
    reserved_ = static_cast<uint16_t>(r > 0xffff ? 0xffff : r);
}

void DnsWriter::unreserve(uint16_t n) noexcept {
    reserved_ = static_cast<uint16_t>(reserved_ > n ? reserved_ - n : 0);
}

void DnsWriter::set_rcode(uint8_t rcode4) noexcept {
    const uint16_t f = load_be16(msg_ + hdr::kFlagsOff);
    store_be16(msg_ + hdr::kFlagsOff,
               static_cast<uint16_t>((f & ~flag::kRcodeMask) | (rcode4 & flag::kRcodeMask)));
}

void DnsWriter::set_flag(uint16_t mask, bool on) noexcept {
    const uint16_t f = load_be16(msg_ + hdr::kFlagsOff);
    store_be16(msg_ + hdr::kFlagsOff, static_cast<uint16_t>(on ? (f | mask) : (f & ~mask)));
}

void DnsWriter::finish(uint8_t rcode4, bool aa, bool tc) noexcept {
    uint16_t f = load_be16(msg_ + hdr::kFlagsOff);
    f = static_cast<uint16_t>(f & ~(flag::kRcodeMask | flag::kAa | flag::kTc));
    f = static_cast<uint16_t>(f | (rcode4 & flag::kRcodeMask) | (aa ? flag::kAa : 0) |
                              (tc ? flag::kTc : 0));
    store_be16(msg_ + hdr::kFlagsOff, f);
}

DnsWriter::Mark DnsWriter::mark() const noexcept {
    return Mark{pos_, {count_[0], count_[1], count_[2]}, ntargets_, section_, has_opt_};
}

void DnsWriter::rollback(const Mark& m) noexcept {
    pos_ = m.pos;
    count_[0] = m.count[0];
    count_[1] = m.count[1];
    count_[2] = m.count[2];
    ntargets_ = m.targets;
    section_ = m.section;
    has_opt_ = m.has_opt;
    store_counts();
}

}  // namespace edgelease::dataplane::wire::dns
