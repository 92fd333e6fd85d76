#pragma once
// Dynamic updates (RFC 2136): the UPDATE message read into records, and its prerequisites
// and changes applied to the zone store, all or nothing, with provenance (DESIGN
// "Provenance and retention"): records an UPDATE adds carry origin `update`, and an UPDATE
// may change or delete only records of that origin. A change that would touch a record of
// another origin (config, manual, reservation, dhcp) refuses the whole message, and the
// refusal is audited.
//
// parse_update is pure (the TCP/UDP server thread, fuzzing); apply_update runs on the control
// lcore, the single writer of zone data. Who may update (TSIG, allow_update) is decided
// before either: control/dnstcp/update.*.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/dns_types.hpp"
#include "control/zone/audit.hpp"

namespace edgelease::control::zone {
class ZoneStore;
}

namespace edgelease::control::dnsupdate {

/// RCODEs of RFC 2136 §2.2 (and RFC 1035).
namespace rcode {
inline constexpr uint8_t kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4,
                         kRefused = 5, kYxDomain = 6, kYxRrset = 7, kNxRrset = 8, kNotAuth = 9,
                         kNotZone = 10;
}
/// "NOERROR", "YXDOMAIN", ... ("RCODE11" for others).
std::string rcode_text(uint8_t rcode);

/// One record of the prerequisite or update section, as received.
struct UpdateRR {
    dns::WireName name;  // lower-cased, absolute
    uint16_t type = 0;
    uint16_t klass = 0;
    uint32_t ttl = 0;
    std::vector<uint8_t> rdata;  // names of RFC 1035 types decompressed, case kept
};

struct UpdateMessage {
    uint16_t id = 0;
    dns::WireName zone;  // lower-cased
    uint16_t zone_class = 0;
    std::vector<UpdateRR> prereqs;
    std::vector<UpdateRR> updates;
};

/// The octets an answer echoes (RFC 2136 §3.8): the header and the zone section, or the
/// header alone when the zone section cannot be read. 0 when msg is shorter than a header.
size_t echo_length(std::span<const uint8_t> msg) noexcept;

/// Reads the UPDATE message msg[0..end). `end` is where its TSIG record starts (the whole
/// message when unsigned), and `signed_additional` says whether ADCOUNT counts that TSIG
/// record. The additional section's other records (RFC 2136 §3.2: glue, an OPT) are read
/// and not used. False, with `why`, when the message is malformed: the answer is FORMERR.
bool parse_update(std::span<const uint8_t> msg, size_t end, bool signed_additional,
                  UpdateMessage& out, std::string& why);

/// What applying an update did.
struct ApplyResult {
    uint8_t rcode = rcode::kNoError;
    std::string why;                      // for the log when rcode != NOERROR
    bool provenance = false;              // REFUSED because it would change another origin's record
    size_t added = 0;                     // records written (a changed TTL counts)
    size_t deleted = 0;                   // records removed
    std::vector<zone::AuditEvent> audit;  // each change, or the record that refused it
};

/// Control lcore: checks m's zone, prerequisites (RFC 2136 §3.2) and update section (§3.4.1)
/// against `zs`, then makes the changes (§3.4.2) as `actor` ("key:ddns-key", or the client's
/// address) at `now`, all of them or none. The caller publishes the changed owners
/// (ControlPlane::apply_zone_changes), which bumps the zone's serial once.
ApplyResult apply_update(zone::ZoneStore& zs, const UpdateMessage& m, const std::string& actor,
                         int64_t now);

/// RDATA equality as RFC 2136 §1.1.1 and RFC 4343 compare records: names inside the RDATA of
/// NS, CNAME, PTR, MX, SOA and SRV case-insensitively, everything else octet for octet.
bool rdata_equal(uint16_t type, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

}  // namespace edgelease::control::dnsupdate
