#pragma once
// DNS constants shared by the wire codecs, the zone store and the answer path (RFC 1035,
// RFC 3596, RFC 2782, RFC 8659, RFC 6891, RFC 3597). Protocol knowledge as data.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgelease::dns {

inline constexpr size_t kMaxNameWire = 255;  // RFC 1035 §2.3.4, wire octets incl. root
inline constexpr size_t kMaxLabel = 63;

namespace rrtype {
inline constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, HINFO = 13, MX = 15,
                          TXT = 16, AAAA = 28, SRV = 33, DNAME = 39, OPT = 41, DS = 43, RRSIG = 46,
                          NSEC = 47, DNSKEY = 48, CAA = 257, IXFR = 251, AXFR = 252, ANY = 255;
}
namespace rrclass {
inline constexpr uint16_t IN = 1, CH = 3, ANY = 255;
}

/// Types we parse in presentation format; everything else uses RFC 3597 `\# len hex`.
struct TypeName {
    uint16_t type;
    std::string_view name;
};
inline constexpr std::array<TypeName, 10> kKnownTypes{{{rrtype::A, "A"},
                                                       {rrtype::NS, "NS"},
                                                       {rrtype::CNAME, "CNAME"},
                                                       {rrtype::SOA, "SOA"},
                                                       {rrtype::PTR, "PTR"},
                                                       {rrtype::MX, "MX"},
                                                       {rrtype::TXT, "TXT"},
                                                       {rrtype::AAAA, "AAAA"},
                                                       {rrtype::SRV, "SRV"},
                                                       {rrtype::CAA, "CAA"}}};

/// RDATA of these types holds domain names that may be compressed on output (RFC 3597 §4:
/// only the RFC 1035 types; SRV targets must not be compressed, RFC 2782).
constexpr bool rdata_names_compressible(uint16_t type) {
    return type == rrtype::NS || type == rrtype::CNAME || type == rrtype::SOA ||
           type == rrtype::PTR || type == rrtype::MX;
}

/// "A" -> 1, "TYPE65534" -> 65534 (case-insensitive); nullopt when unknown.
std::optional<uint16_t> type_from_text(std::string_view text);
/// 1 -> "A", 65534 -> "TYPE65534".
std::string type_to_text(uint16_t type);

/// A domain name in uncompressed wire form, lower-cased (the form used as a lookup key and
/// stored in RDATA). Owned, for the control plane.
using WireName = std::vector<uint8_t>;

/// Labels in a wire name held as bytes (the root label not counted). Reads up to the root
/// label or the end.
inline size_t wire_label_count(std::string_view wire) {
    size_t n = 0;
    for (size_t i = 0; i < wire.size() && wire[i] != 0; i += static_cast<uint8_t>(wire[i]) + 1) ++n;
    return n;
}

/// True when wire name `name` equals `zone` or lies below it, compared byte for byte (pass
/// both lower-cased). The match must start on one of `name`'s label boundaries.
inline bool wire_at_or_below(std::string_view name, std::string_view zone) {
    if (name.size() < zone.size()) return false;
    if (name.compare(name.size() - zone.size(), zone.size(), zone) != 0) return false;
    const size_t want = name.size() - zone.size();
    size_t i = 0;
    while (i < want) i += static_cast<uint8_t>(name[i]) + 1;
    return i == want;
}

/// "www.lan." -> wire; relative names are completed with `origin` (wire). Accepts RFC 1035
/// escapes (\. \\ \DDD). "@" means the origin. Returns nullopt and sets `why` on error
/// (empty label, label > 63, name > 255, bad escape). Letters are lower-cased (owner names,
/// lookup keys) unless `keep_case` (names inside RDATA keep the case they were written in).
std::optional<WireName> name_from_text(std::string_view text, const WireName& origin,
                                       std::string& why, bool keep_case = false);
/// Wire -> "www.lan." with escapes for special characters.
std::string name_to_text(const uint8_t* wire, size_t len);
inline std::string name_to_text(const WireName& n) {
    return name_to_text(n.data(), n.size());
}

/// The SERIAL of SOA RDATA: after MNAME and RNAME, the first of the five 32-bit fields that
/// end it (RFC 1035 §3.3.13). 0 when the RDATA is too short to hold them.
inline uint32_t soa_serial(const std::vector<uint8_t>& rd) {
    if (rd.size() < 20) return 0;
    const size_t at = rd.size() - 20;
    return uint32_t{rd[at]} << 24 | uint32_t{rd[at + 1]} << 16 | uint32_t{rd[at + 2]} << 8 |
           rd[at + 3];
}
inline void set_soa_serial(std::vector<uint8_t>& rd, uint32_t serial) {
    if (rd.size() < 20) return;
    const size_t at = rd.size() - 20;
    for (size_t i = 0; i < 4; ++i) rd[at + i] = static_cast<uint8_t>(serial >> (24 - 8 * i));
}

/// A resource record as the control plane keeps it.
struct Record {
    WireName owner;  // lower-case, absolute
    uint16_t type = 0;
    uint16_t klass = rrclass::IN;
    uint32_t ttl = 0;
    std::vector<uint8_t> rdata;  // wire form; embedded names uncompressed, case as written
};

}  // namespace edgelease::dns
