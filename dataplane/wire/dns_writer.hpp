#pragma once
// Writes a DNS response in place, over the query it answers (RFC 1035 §4.1), with name
// compression (§4.1.4). The buffer already holds the query's header and question; they stay
// where they are, byte for byte (so the question echoes the client's letter case), and the
// records are appended after the question. No allocation, nothing throws.
#include <cstdint>

#include "dataplane/wire/dns.hpp"

namespace edgelease::dataplane::wire::dns {

/// Builds one response. Borrows `msg` (which must stay valid and unshared while the writer
/// is used); the message is valid after every call: size() octets, counts in the header.
///
/// Compression: every owner name and the names in NS, CNAME, PTR, MX, SOA RDATA (the RFC 1035
/// types, ::edgelease::dns::rdata_names_compressible) are written as their longest suffix
/// already in the message turned into a pointer, matched case-insensitively (RFC 4343). The
/// question name is the first candidate, so an owner equal to it costs one comparison and
/// becomes C0 0C (echoing the client's case). Other names are remembered in a table of
/// kMaxTargets offsets; when it is full, names are still written, just less compressed.
/// Names in other types' RDATA are copied verbatim (RFC 3597 §4; SRV: RFC 2782).
class DnsWriter {
  public:
    enum class Section : uint8_t { Answer = 0, Authority = 1, Additional = 2 };
    static constexpr unsigned kMaxTargets = 64;

    /// A point to return to with rollback(), e.g. to drop a whole RRset that did not fit.
    struct Mark {
        uint16_t pos;
        uint16_t count[3];
        uint8_t targets;
        Section section;
        bool has_opt;
    };

    /// `msg` holds a query whose question (if any) ends at `question_end` (Query::question_end:
    /// kHeaderSize when there is none). `limit` is the most octets the response may have:
    /// the smaller of udp_payload_limit() and the buffer's capacity. Turns the header into a
    /// response header: QR=1, opcode, RD and CD kept, AA, TC, RA (we never recurse), Z, AD
    /// and RCODE cleared, QDCOUNT 1 or 0, the other counts 0. size() is then question_end.
    DnsWriter(uint8_t* msg, uint16_t limit, uint16_t question_end) noexcept;
    /// The same for the query `q` that parse_query() read from msg: takes the question
    /// name's labels from it instead of reading the name again.
    DnsWriter(uint8_t* msg, uint16_t limit, const Query& q) noexcept;
    DnsWriter(const DnsWriter&) = delete;
    DnsWriter& operator=(const DnsWriter&) = delete;

    /// Appends one resource record. `owner` is an uncompressed wire name of exactly
    /// `owner_len` octets, in any case; `rdata` is the uncompressed RDATA. Sections must come
    /// in order (answer, authority, additional): a record for an earlier section than the
    /// last one written is refused. Returns false, leaving the message exactly as before
    /// (position, counts and compression table), when the record would end beyond the limit
    /// minus the reserved space, the owner is not a valid name, or the section is out of
    /// order. Malformed names inside compressible RDATA make it be copied verbatim.
    bool add_rr(Section s, const uint8_t* owner, uint8_t owner_len, uint16_t type, uint16_t klass,
                uint32_t ttl, const uint8_t* rdata, uint16_t rdlen) noexcept;

    /// Whether add_set_at_question() may write an RRset of `type`: the question's name is a
    /// compression target, and the type's RDATA holds no name add_rr would compress.
    bool can_point_to_question(uint16_t type) const noexcept;
    /// Appends the `count` records of one RRset owned by the question's name, each owner a
    /// pointer to the question (what add_rr writes for that owner, without its search for
    /// a compression target). `rdata` holds them as RDLENGTH RDATA pairs. All or nothing:
    /// false, leaving the message as before, when they do not fit or the section is out of
    /// order. Only where can_point_to_question(type).
    bool add_set_at_question(Section s, uint16_t type, uint16_t klass, uint32_t ttl,
                             const uint8_t* rdata, uint16_t count) noexcept;

    /// Appends the OPT pseudo-RR (RFC 6891 §6.1.2): root owner, type 41, CLASS = udp_size,
    /// TTL = ext_rcode<<24 | version<<16 | DO<<15, no options. It first releases up to
    /// kOptRrSize octets of the reservation (so reserve(edns::kOptRrSize) before the answers
    /// guarantees it fits). False when it does not fit or an OPT is already there.
    bool add_opt(uint16_t udp_size, uint8_t ext_rcode, uint8_t version, bool do_bit) noexcept;
    /// Appends an option {code, len, data} to the OPT record add_opt just wrote (nothing may
    /// follow it), within the limit; reserve the room with the OPT's. False when there is no
    /// OPT or it does not fit.
    bool add_opt_option(uint16_t code, const uint8_t* data, uint16_t len) noexcept;

    /// Keeps n octets at the end of the limit free from add_rr (for the OPT record).
    void reserve(uint16_t n) noexcept;
    void unreserve(uint16_t n) noexcept;

    /// The low 4 bits of the RCODE in the header; extended bits go to add_opt's ext_rcode
    /// (rcode::header_bits / rcode::ext_bits).
    void set_rcode(uint8_t rcode4) noexcept;
    /// Sets or clears header flag bits (flag::kAa, flag::kTc, ...).
    void set_flag(uint16_t mask, bool on) noexcept;
    void set_aa(bool on) noexcept { set_flag(flag::kAa, on); }
    void set_tc(bool on) noexcept { set_flag(flag::kTc, on); }
    /// set_rcode + set_aa + set_tc in one header update.
    void finish(uint8_t rcode4, bool aa, bool tc) noexcept;

    Mark mark() const noexcept;
    /// Returns to a mark taken earlier from this writer: later records are gone.
    void rollback(const Mark& m) noexcept;

    /// Octets of the response so far (the header, the question and every record added).
    uint16_t size() const noexcept { return pos_; }
    /// Octets add_rr may still use.
    uint16_t available() const noexcept {
        const unsigned end = end_for_records();
        return static_cast<uint16_t>(end > pos_ ? end - pos_ : 0);
    }
    uint16_t count(Section s) const noexcept { return count_[static_cast<unsigned>(s)]; }

  private:
    unsigned end_for_records() const noexcept {
        return limit_ > reserved_ ? static_cast<unsigned>(limit_ - reserved_) : 0u;
    }
    bool put_bytes(const uint8_t* p, unsigned n, unsigned end) noexcept;
    bool put_name(const uint8_t* name, unsigned n, const uint8_t* lo, unsigned labels,
                  unsigned end) noexcept;
    bool put_rdata(uint16_t type, const uint8_t* rdata, uint16_t rdlen, unsigned end) noexcept;
    int find_target(const uint8_t* suffix, unsigned len) const noexcept;
    bool matches_at(const uint8_t* suffix, unsigned off) const noexcept;
    void store_counts() noexcept;
    void start_response() noexcept;

    uint8_t* msg_;
    uint16_t limit_;
    uint16_t reserved_ = 0;
    uint16_t pos_;
    uint16_t count_[3] = {0, 0, 0};
    Section section_ = Section::Answer;
    bool has_opt_ = false;
    uint16_t opt_rdata_ = 0;  // where the OPT record's RDATA starts, once there is one
    uint8_t qname_len_ = 0;   // 0: no question name to compress against
    uint8_t ntargets_ = 0;
    uint64_t qname_labels_[4] = {0, 0, 0, 0};  // bit i: a qname label starts at msg_[12 + i]
    // Offsets of names written uncompressed (at least their first label), with the length
    // of the whole name from there once decompressed: a cheap filter before comparing.
    uint16_t target_off_[kMaxTargets];
    uint8_t target_len_[kMaxTargets];
};

}  // namespace edgelease::dataplane::wire::dns
