#pragma once
// Harness for the answer-engine table (answer_table_test.cpp): zone sets built from zone-file
// text, one query in, and the response walked independently of the code under test: every
// name through decode_name (tests/unit/dataplane/wire/dns_builder.hpp), RDATA names decompressed
// before rdata_to_text renders them, each record as "owner TTL TYPE rdata" with the owner's case
// exactly as the client would see it.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::dataplane::dns::answer_test {

/// The query of one row. `name` is dotted text sent with exactly this letter case.
struct Q {
    std::string name;
    uint16_t type = rrtype::A;
    uint16_t klass = rrclass::IN;
    std::optional<uint16_t> edns;  // OPT with this UDP payload size; nullopt: no OPT
    uint8_t version = 0;           // EDNS version
    bool do_bit = false;
    uint16_t qdcount = 1;  // 2: the question is sent twice
    uint8_t opcode = 0;
    bool extra_rr = false;     // a non-OPT record in the additional section (FORMERR)
    uint16_t our_size = 1232;  // DnsSettings::udp_payload_size
};

/// The OPT record expected in the response.
struct Opt {
    uint16_t udp = 1232;  // our advertised payload size
    bool do_bit = false;
};

/// The expected response. `rcode` is the full 12-bit code (BADVERS = 16: header 0, OPT 1).
struct Expect {
    uint16_t rcode = 0;
    bool aa = false;
    bool tc = false;
    std::vector<std::string> an{}, ns{}, ar{};  // additional without the OPT
    bool question = true;                       // the question is echoed (QDCOUNT 1)
    std::optional<Opt> opt{};                   // nullopt: no OPT in the response
};

struct Row {
    std::string what;  // short name; becomes the gtest parameter name
    std::string set;   // zone set (see zone_set())
    Q q;
    Expect e;
    /// Non-empty: the row states RFC behaviour that the code does not have yet. The text
    /// names the cause; the row fails until the bug is fixed.
    std::string bug{};
};

/// gtest prints a failing row by its name.
inline void PrintTo(const Row& r, std::ostream* os) {
    *os << r.what;
}

/// The zone sets rows refer to, built once: "main", "rfc4592", "nested", "nested_wild",
/// "nested_rev", "generated" (load_zones on a Config built in code), "none" (nullptr: no
/// view). Fails the test (and returns nullptr) for an unknown name or a zone with errors.
const ZoneView* zone_set(const std::string& name);

/// The query message of a row, as a client would send it (id 0x5a5a, RD set).
dataplane::wire::dns::test::Bytes build_query(const Q& q);

/// One record rendered: "owner TTL TYPE rdata".
std::string render(const dataplane::wire::dns::test::DecodedRr& rr);

/// A name of exactly `wire_len` octets ending in `suffix` (dotted, absolute), made of labels
/// of `label` octets (the first label takes the remainder); dotted text.
std::string name_of_length(size_t wire_len, const std::string& suffix, size_t label);

/// `count` A records "owner ttl A prefix<first+i>".
std::vector<std::string> a_records(const std::string& owner, uint32_t ttl,
                                   const std::string& prefix, unsigned first, unsigned count);

}  // namespace edgelease::dataplane::dns::answer_test
