#include "dataplane/dns/answer.hpp"

#include <cassert>
#include <cstring>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/dns_writer.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::dataplane::dns {

namespace {

namespace wire = dataplane::wire;
using dataplane::wire::store_be16;
using dataplane::wire::dns::DnsWriter;
using dataplane::wire::dns::kHeaderSize;
using dataplane::wire::dns::parse_query;
using dataplane::wire::dns::Query;
using dataplane::wire::dns::QueryStatus;

constexpr unsigned kMaxCnameChain = 8;  // loops and long chains end here (RFC 1034 §3.6.2)
constexpr uint16_t kOptSize = 11;
constexpr uint16_t kKeepaliveSize = 6;  // option code, length and a 16-bit timeout

/// A lower-cased name with its label offsets, on the stack.
struct NameBuf {
    uint8_t wire[kMaxNameWire];
    uint8_t len = 0;
    uint8_t labels = 0;
    uint8_t off[128];

    /// From an uncompressed wire name (e.g. CNAME RDATA), lower-casing it. False if invalid.
    bool assign(const uint8_t* p, size_t max) noexcept {
        size_t i = 0;
        labels = 0;
        while (i < max) {
            uint8_t l = p[i];
            if (l == 0) {
                // One lower-casing copy of the whole name: label lengths are never letters.
                dataplane::wire::dns::lower_copy(wire, p, i + 1);
                len = static_cast<uint8_t>(i + 1);
                return true;
            }
            if (l > kMaxLabel || i + 1 + l >= kMaxNameWire || i + 1 + l >= max) return false;
            off[labels++] = static_cast<uint8_t>(i);
            i += 1 + l;
        }
        return false;
    }
};

size_t qtype_slot(uint16_t t) noexcept {
    for (size_t i = 0; i < kCountedQtypes.size(); ++i)
        if (kCountedQtypes[i] == t) return i;
    return kCountedQtypes.size();
}

size_t rcode_slot(uint16_t rcode) noexcept {
    return rcode == 16 ? 6 : (rcode <= 5 ? rcode : 2);
}

/// The answer being assembled.
class Responder {
  public:
    Responder(const ZoneView& zv, DnsWriter& w, const Query& q, const uint64_t* qname_hash) noexcept
        : zv_(zv), w_(w), q_(q), qname_hash_(qname_hash) {}

    /// Runs RFC 1034 §4.3.2 (steps 3a-3c; we are authoritative only, so there is no step 4).
    /// Returns the rcode.
    uint16_t run() noexcept {
        NameBuf name;
        std::memcpy(name.wire, q_.qname_lower, q_.qname_len);
        name.len = q_.qname_len;
        name.labels = q_.label_count;
        std::memcpy(name.off, q_.label_off, q_.label_count);
        unsigned visited = 0;
        for (unsigned hop = 0;; ++hop) {
            at_question_ = hop == 0;
            Step s = resolve(name, hop == 0);
            if (s.kind != Step::Cname) return s.rcode;
            // An overlong chain or a loop (the target was already answered) ends here with
            // NOERROR and the chain so far.
            if (hop >= kMaxCnameChain) return 0;
            std::memcpy(visited_[visited], name.wire, name.len);
            visited_len_[visited++] = name.len;
            NameBuf next;
            if (!next.assign(s.target, s.target_max)) return 0;
            for (unsigned i = 0; i < visited; ++i)
                if (visited_len_[i] == next.len &&
                    std::memcmp(visited_[i], next.wire, next.len) == 0)
                    return 0;
            name = next;
        }
    }

    bool aa() const noexcept { return aa_; }
    bool truncated() const noexcept { return tc_; }
    bool referral() const noexcept { return referral_; }

  private:
    struct Step {
        enum Kind { Done, Cname } kind = Done;
        uint16_t rcode = 0;
        const uint8_t* target = nullptr;
        size_t target_max = 0;
    };

    static Step done(uint16_t rcode) noexcept { return Step{Step::Done, rcode, nullptr, 0}; }

    Step resolve(const NameBuf& name, bool first) noexcept {
        // The caller's hash is that of this name (qname_hash_hint's contract).
        assert(!first || qname_hash_ == nullptr || *qname_hash_ == name_hash(name.wire, name.len));
        const Node* node = first && qname_hash_ != nullptr
                               ? zv_.find(*qname_hash_, name.wire, name.len)
                               : zv_.find(name.wire, name.len);
        const Node* ce = node;
        if (node == nullptr) {
            // Closest encloser: the longest existing ancestor (empty non-terminals exist).
            for (size_t i = 1; i < name.labels; ++i) {
                ce =
                    zv_.find(name.wire + name.off[i], static_cast<uint8_t>(name.len - name.off[i]));
                if (ce != nullptr) break;
            }
            if (ce == nullptr && name.len > 1) ce = zv_.find(name.wire + name.len - 1, 1);  // root
            if (ce == nullptr) {
                // Outside every zone we serve. A CNAME chain leaving our data simply ends.
                return done(first ? 5 /*REFUSED*/ : 0);
            }
        }
        // Below (or at) a zone cut: the data is not ours, refer (DS at the cut is the parent's).
        if (ce->cut != nullptr && !(node == ce->cut && q_.qtype == rrtype::DS))
            return refer(*ce->cut);
        if (first) aa_ = true;

        if (node != nullptr) return from_node(*node, name, false);

        // RFC 4592 §3.3.1: a wildcard child of the closest encloser synthesises the answer
        // (looked for only in a view that has a wildcard somewhere).
        uint8_t wild[kMaxNameWire];
        const size_t ce_len = ce->name_len;
        if (2 + ce_len <= kMaxNameWire && zv_.may_have_wildcards()) {
            wild[0] = 1;
            wild[1] = '*';
            std::memcpy(wild + 2, ce->name(), ce_len);
            if (const Node* w = zv_.find(wild, static_cast<uint8_t>(2 + ce_len)))
                return from_node(*w, name, true);
        }
        add_negative(*ce->zone);
        return done(3 /*NXDOMAIN*/);
    }

    /// Answers `qtype` at an existing node (or a wildcard standing in for `name`).
    Step from_node(const Node& node, const NameBuf& name, bool synthesised) noexcept {
        (void)synthesised;
        const uint16_t qtype = q_.qtype;
        if (qtype != rrtype::CNAME) {
            if (const RRsetRef* cn = node.find(rrtype::CNAME)) {
                if (!add_set(DnsWriter::Section::Answer, name, node, *cn)) return done(0);
                const uint8_t* rd = node.data(*cn);
                uint16_t rdlen = static_cast<uint16_t>(rd[0] << 8 | rd[1]);
                return Step{Step::Cname, 0, rd + 2, rdlen};
            }
        }
        if (qtype == rrtype::ANY) {
            // RFC 8482 §4.1: answer with one RRset rather than everything.
            if (node.rrset_count > 0) {
                add_set(DnsWriter::Section::Answer, name, node, node.rrsets()[0]);
                return done(0);
            }
        } else if (const RRsetRef* set = node.find(qtype)) {
            add_set(DnsWriter::Section::Answer, name, node, *set);
            return done(0);
        }
        add_negative(*node.zone);  // NODATA (RFC 2308 §2.2)
        return done(0);
    }

    Step refer(const Node& cut) noexcept {
        referral_ = true;
        const RRsetRef* ns = cut.find(rrtype::NS);
        if (ns == nullptr) return done(2);
        NameBuf owner;
        owner.assign(cut.name(), cut.name_len);
        if (!add_set(DnsWriter::Section::Authority, owner, cut, *ns)) return done(0);
        // Glue and in-zone addresses of the name servers (RFC 1034 §4.3.2 step 3b).
        const uint8_t* rd = cut.data(*ns);
        for (uint16_t i = 0; i < ns->count; ++i) {
            uint16_t rdlen = static_cast<uint16_t>(rd[0] << 8 | rd[1]);
            NameBuf target;
            if (target.assign(rd + 2, rdlen)) {
                if (const Node* g = zv_.find(target.wire, target.len)) {
                    for (uint16_t t : {rrtype::A, rrtype::AAAA})
                        if (const RRsetRef* a = g->find(t))
                            if (!add_set(DnsWriter::Section::Additional, target, *g, *a, true))
                                return done(0);
                }
            }
            rd += 2 + rdlen;
        }
        return done(0);
    }

    void add_negative(const Zone& z) noexcept {
        // One load: the control lcore may replace the apex (a new SOA serial) meanwhile, and
        // owner, SOA and TTL must come from the same node.
        const Node* apex = z.apex.load(std::memory_order_acquire);
        if (apex == nullptr) return;
        const RRsetRef* soa = apex->find(rrtype::SOA);
        if (soa == nullptr || soa->count == 0) return;
        NameBuf owner;
        owner.assign(apex->name(), apex->name_len);
        const uint8_t* rd = apex->data(*soa);
        uint16_t rdlen = static_cast<uint16_t>(rd[0] << 8 | rd[1]);
        // Authority data is optional to the answer: if it does not fit, the client still
        // gets the rcode (RFC 2181 §9 sets TC only for the answer section).
        w_.add_rr(DnsWriter::Section::Authority, owner.wire, owner.len, rrtype::SOA, rrclass::IN,
                  negative_ttl(*apex, *soa), rd + 2, rdlen);
    }

    /// Adds every record of an RRset under `owner`, or none of them (RFC 2181 §5: RRsets are
    /// never split). When an answer or authority RRset does not fit, TC is set (RFC 2181
    /// §9); additional data is just left out.
    bool add_set(DnsWriter::Section s, const NameBuf& owner, const Node& node, const RRsetRef& set,
                 bool optional = false) noexcept {
        // The common answer, an RRset at the question's own name (found there, or a
        // wildcard's standing in for it): owners that point to the question, and no search
        // for a compression target.
        if (s == DnsWriter::Section::Answer && at_question_ && w_.can_point_to_question(set.type)) {
            if (w_.add_set_at_question(s, set.type, rrclass::IN, set.ttl, node.data(set),
                                       set.count))
                return true;
            if (!optional) tc_ = true;
            return false;
        }
        const auto mark = w_.mark();
        const uint8_t* rd = node.data(set);
        for (uint16_t i = 0; i < set.count; ++i) {
            uint16_t rdlen = static_cast<uint16_t>(rd[0] << 8 | rd[1]);
            if (!w_.add_rr(s, owner.wire, owner.len, set.type, rrclass::IN, set.ttl, rd + 2,
                           rdlen)) {
                w_.rollback(mark);
                if (!optional) tc_ = true;
                return false;
            }
            rd += 2 + rdlen;
        }
        return true;
    }

    const ZoneView& zv_;
    // Names already answered in this CNAME chain (loop detection); stack only.
    uint8_t visited_[kMaxCnameChain + 1][kMaxNameWire];
    uint8_t visited_len_[kMaxCnameChain + 1];
    DnsWriter& w_;
    const Query& q_;
    const uint64_t* qname_hash_;  // of q_'s name, or nullptr
    bool at_question_ = false;    // resolving the question's own name (the chain's first hop)
    bool aa_ = false;
    bool tc_ = false;
    bool referral_ = false;
};

/// Header-only (or header + question) error answer for FORMERR / NOTIMP.
uint16_t error_answer(uint8_t* msg, const Query& q, uint16_t rcode) noexcept {
    uint16_t size = q.question_ok ? q.question_end : kHeaderSize;
    msg[2] = static_cast<uint8_t>((msg[2] & 0x79) | 0x80);  // QR, keep opcode and RD
    msg[3] = static_cast<uint8_t>(rcode & 0x0f);
    store_be16(msg + 4, q.question_ok ? 1 : 0);
    store_be16(msg + 6, 0);
    store_be16(msg + 8, 0);
    store_be16(msg + 10, 0);
    return size;
}

}  // namespace

uint16_t answer_query(const ZoneView* zones, const DnsSettings& settings, uint8_t* msg,
                      uint16_t len, uint16_t cap, DnsStats& stats, const uint64_t* qname_hash,
                      CookieCheck* cookie) noexcept {
    stats.queries.add();
    Query q;
    const QueryStatus st = parse_query(msg, len, q);
    if (st == QueryStatus::Drop) {
        stats.dropped.add();
        return 0;
    }
    stats.qtype[qtype_slot(q.question_ok ? q.qtype : 0)].add();
    const bool cookies_on = cookie != nullptr && cookie->secret != nullptr;
    if (st == QueryStatus::FormErr || st == QueryStatus::NotImp ||
        (st == QueryStatus::Ok && q.cookie_bad && cookies_on)) {
        uint16_t rcode = st == QueryStatus::NotImp ? 4 : 1;
        stats.rcode[rcode_slot(rcode)].add();
        stats.responses.add();
        return error_answer(msg, q, rcode);
    }

    // Size limit: 512 without EDNS (RFC 1035 §4.2.1); with EDNS the smaller of the client's
    // and our advertised payload size (RFC 6891 §6.2.5), never below 512.
    uint16_t limit = 512;
    if (q.has_opt) {
        uint16_t client = q.opt_udp_size < 512 ? 512 : q.opt_udp_size;
        limit = client < settings.udp_payload_size ? client : settings.udp_payload_size;
        if (limit < 512) limit = 512;
    }
    if (settings.stream || limit > cap) limit = cap;

    DnsWriter w(msg, limit, q);
    // RFC 7828: over TCP an OPT asking for the keepalive gets our idle timeout back.
    const bool keepalive =
        settings.stream && q.has_opt && q.opt_keepalive != wire::dns::edns::Keepalive::Absent;
    // RFC 7873: a COOKIE option gets the client cookie back with our server cookie.
    const bool cookies = q.has_opt && q.cookie_len != 0 && cookies_on;
    uint8_t cookie_out[kCookieSize];
    if (cookies) {
        cookie->valid = answer_cookie(*cookie, q.cookie, q.cookie_len, cookie_out);
        if (cookie->valid)
            stats.cookies_valid.add();
        else if (q.cookie_len > wire::dns::edns::kClientCookieSize)
            stats.cookies_invalid.add();
    }
    const uint16_t opt_size = static_cast<uint16_t>(kOptSize + (keepalive ? kKeepaliveSize : 0) +
                                                    (cookies ? 4 + kCookieSize : 0));
    uint16_t rcode = 0;
    bool aa = false, tc = false;
    if (q.has_opt && q.opt_version > 0) {
        rcode = 16;  // BADVERS (RFC 6891 §6.1.3): only the OPT goes back
    } else {
        if (q.has_opt) w.reserve(opt_size);
        if (q.qclass != rrclass::IN && q.qclass != rrclass::ANY) {
            rcode = 5;
        } else if (q.qtype == rrtype::AXFR || q.qtype == rrtype::IXFR || q.qtype == 253 ||
                   q.qtype == 254) {
            rcode = 4;  // zone transfers and MAILA/MAILB are not served over UDP
        } else if (q.qtype == rrtype::OPT) {
            rcode = 1;
        } else if (zones == nullptr) {
            rcode = 5;
        } else {
            Responder r(*zones, w, q, qname_hash);
            rcode = r.run();
            aa = r.aa();
            tc = r.truncated();
            if (r.referral()) stats.referrals.add();
        }
        if (q.has_opt) w.unreserve(opt_size);
    }
    const bool opt_ok = q.has_opt && w.add_opt(settings.udp_payload_size,
                                               static_cast<uint8_t>(rcode >> 4), 0, q.opt_do);
    if (opt_ok && keepalive) {
        uint8_t timeout[2];
        store_be16(timeout, settings.keepalive_100ms);
        w.add_opt_option(wire::dns::edns::kOptionTcpKeepalive, timeout, sizeof timeout);
    }
    if (opt_ok && cookies)
        w.add_opt_option(wire::dns::edns::kOptionCookie, cookie_out, sizeof cookie_out);
    w.finish(static_cast<uint8_t>(rcode & 0x0f), aa, tc);
    stats.rcode[rcode_slot(rcode)].add();
    if (tc) stats.truncated.add();
    stats.responses.add();
    return w.size();
}

bool qname_hash_hint(const uint8_t* p, uint16_t len, uint64_t& hash) noexcept {
    namespace wire = dataplane::wire;
    if (len < wire::eth::kHeaderLen) return false;
    const uint8_t* ip = p + wire::eth::kHeaderLen;
    const uint16_t type = wire::load_be16(p + wire::eth::kTypeOff);
    size_t udp = 0;
    if (type == wire::eth::kTypeIpv4) {
        if (len < wire::eth::kHeaderLen + wire::ipv4::kMinHeaderLen ||
            ip[wire::ipv4::kProtoOff] != wire::proto::kUdp)
            return false;
        udp = wire::eth::kHeaderLen + size_t{ip[wire::ipv4::kVerIhlOff] & 0x0fu} * 4;
    } else if (type == wire::eth::kTypeIpv6) {
        if (len < wire::eth::kHeaderLen + wire::ipv6::kHeaderLen ||
            ip[wire::ipv6::kNextHeaderOff] != wire::proto::kUdp)
            return false;
        udp = wire::eth::kHeaderLen + wire::ipv6::kHeaderLen;
    } else {
        return false;
    }
    const size_t qname = udp + wire::udp::kHeaderLen + kHeaderSize;
    if (qname >= len || wire::load_be16(p + udp + wire::udp::kDstPortOff) != 53) return false;
    NameBuf name;  // the same lower-casing walk the answer takes
    if (!name.assign(p + qname, len - qname)) return false;
    hash = name_hash(name.wire, name.len);
    return true;
}

}  // namespace edgelease::dataplane::dns
