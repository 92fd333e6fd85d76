#pragma once
// What the DNS generator asks: query lists read from a dnsperf-format file or generated
// from a zone file with a mix of hits, misses and types; the query messages themselves
// (RFC 1035 §4.1, EDNS0 per RFC 6891); and the fields of a response it counts. Lists are
// built at start-up (they allocate and may throw); encode/parse are noexcept.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::loadgen {

/// What answer a generated query expects; From a dnsperf file it is Unknown.
enum class Expect : uint8_t { Unknown, Hit, NoData, NxDomain };

struct QuerySpec {
    dns::WireName name;  // uncompressed wire form, absolute
    uint16_t type = dns::rrtype::A;
    Expect expect = Expect::Unknown;
};

struct ParseIssue {
    uint32_t line = 0;  // 1-based
    std::string why;
};

/// dnsperf's input format: one query per line, "name TYPE" (type optional, default A;
/// "TYPEnnn" accepted). Names are absolute whether or not they end in '.'. Blank lines and
/// lines starting with ';' or '#' are skipped. Bad lines are reported in `issues` and left
/// out; a file with no usable line gives an empty list.
std::vector<QuerySpec> parse_dnsperf(std::string_view text, std::vector<ParseIssue>& issues);

/// The hit/miss mix of generated queries, as relative weights.
struct DnsMix {
    uint32_t hit = 90;       // a (name, type) the zone has
    uint32_t nxdomain = 10;  // a name the zone does not have
    uint32_t nodata = 0;     // a name the zone has, with a type it does not have
};

/// Relative weight of a query type (e.g. A=70, AAAA=20, MX=10).
struct TypeWeight {
    uint16_t type = dns::rrtype::A;
    uint32_t weight = 1;
};

/// Parses "A=70,AAAA=20,MX=10" (a bare type means weight 1). Throws std::invalid_argument
/// naming the bad item.
std::vector<TypeWeight> parse_type_weights(std::string_view text);

/// `count` queries for the zone `origin` drawn with a seeded PRNG (the same seed gives the
/// same list): first a class by `mix`, then a type by `types`; a hit names a random owner
/// with an RRset of that type (a type no owner has is never drawn as a hit); nodata picks
/// an owner without that type; nxdomain a fresh name "lg-nx-<n>.<origin>". A class that
/// cannot be served from this zone (no owner lacks any type, say) is drawn as a hit.
/// Throws std::invalid_argument when no weighted type is present in the zone and hits are
/// asked for, or every weight is zero.
std::vector<QuerySpec> generate_queries(const std::vector<dns::Record>& records,
                                        const dns::WireName& origin, const DnsMix& mix,
                                        const std::vector<TypeWeight>& types, size_t count,
                                        uint64_t seed);

/// Writes a query into out[0..cap): header (ID, RD when `rd`), the question (QCLASS IN),
/// and an OPT record advertising `edns_size` when it is not 0. Returns its length, 0 when
/// it does not fit.
uint16_t encode_query(const QuerySpec& q, uint16_t id, bool rd, uint16_t edns_size, uint8_t* out,
                      uint16_t cap) noexcept;

/// The parts of a response the generator counts.
struct ResponseInfo {
    uint16_t id = 0;
    uint16_t rcode = 0;  // header RCODE (4 bits); extended bits are not combined
    bool aa = false;
    bool tc = false;
    uint16_t ancount = 0;
};

/// Reads the header of a DNS response (QR must be set). False when shorter than a header
/// or not a response.
bool parse_response(const uint8_t* p, uint16_t len, ResponseInfo& out) noexcept;

}  // namespace edgelease::loadgen
