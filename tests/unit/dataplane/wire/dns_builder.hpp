#pragma once
// Test helpers for the DNS wire codec: messages built byte by byte, and a strict walker
// over a response that decodes every name (with decode_name) and requires the records to
// end exactly at the message end.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"

namespace edgelease::dataplane::wire::dns::test {

using Bytes = std::vector<uint8_t>;

namespace type {
inline constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                          SRV = 33, OPT = 41, TSIG = 250, ANY = 255;
}

inline void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// "www.Example.com" or "www.Example.com." -> wire (case kept); "." or "" -> root.
inline Bytes name(std::string_view dotted) {
    Bytes out;
    while (!dotted.empty() && dotted != ".") {
        size_t dot = dotted.find('.');
        std::string_view label = dotted.substr(0, dot);
        out.push_back(static_cast<uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
    }
    out.push_back(0);
    return out;
}

/// A name of exactly `wire_len` octets (incl. root) made of labels of up to 63 octets.
inline Bytes long_name(size_t wire_len) {
    Bytes out;
    size_t left = wire_len - 1;
    while (left > 0) {
        size_t l = left - 1 > 63 ? 63 : left - 1;
        if (left - 1 - l == 1) --l;  // never leave a 1-octet remainder (a label needs 2)
        out.push_back(static_cast<uint8_t>(l));
        for (size_t i = 0; i < l; ++i) out.push_back(static_cast<uint8_t>('a' + i % 26));
        left -= l + 1;
    }
    out.push_back(0);
    return out;
}

inline Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
                    uint16_t ar) {
    Bytes b;
    put16(b, id);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, ns);
    put16(b, ar);
    return b;
}

inline Bytes question(const Bytes& qname, uint16_t qtype, uint16_t qclass = 1) {
    Bytes b = qname;
    put16(b, qtype);
    put16(b, qclass);
    return b;
}

/// TYPE CLASS TTL RDLENGTH of an RR.
inline Bytes rr_fixed(uint16_t t, uint16_t rdlen, uint32_t ttl = 0, uint16_t klass = 1) {
    Bytes b;
    put16(b, t);
    put16(b, klass);
    put32(b, ttl);
    put16(b, rdlen);
    return b;
}

/// An RR with uncompressed owner.
inline Bytes rr(const Bytes& owner, uint16_t t, uint16_t klass, uint32_t ttl, const Bytes& rdata) {
    Bytes b = owner;
    put16(b, t);
    put16(b, klass);
    put32(b, ttl);
    put16(b, static_cast<uint16_t>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
    return b;
}

inline Bytes opt(uint16_t udp, uint8_t ext_rcode = 0, uint8_t version = 0, bool do_bit = false,
                 const Bytes& options = {}) {
    return rr(name("."), type::OPT, udp,
              static_cast<uint32_t>(ext_rcode) << 24 | static_cast<uint32_t>(version) << 16 |
                  (do_bit ? 0x8000u : 0u),
              options);
}

inline Bytes edns_option(uint16_t code, const Bytes& data) {
    Bytes b;
    put16(b, code);
    put16(b, static_cast<uint16_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

/// A plain query: RD set, one question, optional OPT.
inline Bytes query(std::string_view qname, uint16_t qtype, uint16_t id = 0x1234,
                   std::optional<Bytes> opt_rr = std::nullopt) {
    return cat({header(id, 0x0100, 1, 0, 0, opt_rr ? 1 : 0), question(name(qname), qtype),
                opt_rr.value_or(Bytes{})});
}

/// A heap copy of exactly the message's size, so ASan sees any read past it.
struct Exact {
    explicit Exact(const Bytes& b) : size(b.size()), p(new uint8_t[b.size()]) {
        if (!b.empty()) std::memcpy(p.get(), b.data(), b.size());
    }
    size_t size;
    std::unique_ptr<uint8_t[]> p;
    uint16_t len() const { return static_cast<uint16_t>(size); }
};

inline QueryStatus parse(const Bytes& msg, Query& q) {
    Exact e(msg);
    return parse_query(e.p.get(), e.len(), q);
}

inline bool ci_equal(const Bytes& a, const Bytes& b) {
    return a.size() == b.size() && name_equal_ci(a.data(), b.data(), a.size());
}

inline std::string hex(const uint8_t* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        if (i) s += ' ';
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}
inline std::string hex(const Bytes& b) {
    return hex(b.data(), b.size());
}

struct DecodedRr {
    Bytes owner;
    uint16_t type = 0;
    uint16_t klass = 0;
    uint32_t ttl = 0;
    uint16_t wire_rdlen = 0;  // RDLENGTH as written (after compression)
    Bytes rdata;              // names decompressed for NS, CNAME, PTR, MX, SOA
};

struct DecodedResponse {
    uint16_t id = 0;
    uint16_t flags = 0;
    uint16_t qdcount = 0;
    Bytes qname;
    uint16_t qtype = 0, qclass = 0;
    std::vector<DecodedRr> section[3];
};

/// Appends the decoded name at off to out; false when decode_name rejects it.
inline bool take_name(const uint8_t* msg, uint16_t len, uint16_t& off, Bytes& out) {
    uint8_t buf[kMaxName];
    uint16_t next = 0;
    int n = decode_name(msg, len, off, buf, next);
    if (n < 0) return false;
    out.insert(out.end(), buf, buf + n);
    off = next;
    return true;
}

/// Walks a whole response; nullopt (with a gtest failure message) if anything is off,
/// including bytes left after the last record.
inline std::optional<DecodedResponse> decode_response(const uint8_t* msg, uint16_t len) {
    DecodedResponse r;
    if (len < kHeaderSize) {
        ADD_FAILURE() << "short response";
        return std::nullopt;
    }
    r.id = load_be16(msg);
    r.flags = load_be16(msg + 2);
    r.qdcount = load_be16(msg + 4);
    const uint16_t counts[3] = {load_be16(msg + 6), load_be16(msg + 8), load_be16(msg + 10)};
    uint16_t off = kHeaderSize;
    if (r.qdcount > 1) {
        ADD_FAILURE() << "qdcount " << r.qdcount;
        return std::nullopt;
    }
    if (r.qdcount == 1) {
        if (!take_name(msg, len, off, r.qname) || off + 4 > len) {
            ADD_FAILURE() << "bad question";
            return std::nullopt;
        }
        r.qtype = load_be16(msg + off);
        r.qclass = load_be16(msg + off + 2);
        off += 4;
    }
    for (int s = 0; s < 3; ++s) {
        for (uint16_t i = 0; i < counts[s]; ++i) {
            DecodedRr rec;
            if (!take_name(msg, len, off, rec.owner) || off + 10 > len) {
                ADD_FAILURE() << "bad owner in section " << s << " record " << i;
                return std::nullopt;
            }
            rec.type = load_be16(msg + off);
            rec.klass = load_be16(msg + off + 2);
            rec.ttl = load_be32(msg + off + 4);
            rec.wire_rdlen = load_be16(msg + off + 8);
            off += 10;
            const uint16_t end = static_cast<uint16_t>(off + rec.wire_rdlen);
            if (off + rec.wire_rdlen > len) {
                ADD_FAILURE() << "rdata past the end";
                return std::nullopt;
            }
            bool ok = true;
            switch (rec.type) {
                case type::NS:
                case type::CNAME:
                case type::PTR:
                    ok = take_name(msg, len, off, rec.rdata);
                    break;
                case type::MX:
                    rec.rdata.assign(msg + off, msg + off + 2);
                    off += 2;
                    ok = take_name(msg, len, off, rec.rdata);
                    break;
                case type::SOA:
                    ok = take_name(msg, len, off, rec.rdata) && take_name(msg, len, off, rec.rdata);
                    if (ok && off + 20 <= end) {
                        rec.rdata.insert(rec.rdata.end(), msg + off, msg + off + 20);
                        off += 20;
                    }
                    break;
                default:
                    rec.rdata.assign(msg + off, msg + end);
                    off = end;
            }
            if (!ok || off != end) {
                ADD_FAILURE() << "bad rdata in section " << s << " record " << i;
                return std::nullopt;
            }
            r.section[s].push_back(std::move(rec));
        }
    }
    if (off != len) {
        ADD_FAILURE() << (len - off) << " trailing octets";
        return std::nullopt;
    }
    return r;
}

}  // namespace edgelease::dataplane::wire::dns::test
