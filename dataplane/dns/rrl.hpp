#pragma once
// Response rate limiting (RRL) on the workers, after Knot's mod-rrl and BIND's RRL: spoofed
// queries must not turn the appliance into an amplifier. Answers are counted per client
// prefix (/24 for IPv4, /56 for IPv6 by default) and response class in one-second windows;
// past `rate` in a second, an answer is dropped, except every `slip`-th, which goes out
// truncated (TC, the question alone) so that a real client behind a spoofed prefix retries
// over TCP, which is never limited. Exempt prefixes are answered whatever their rate.
//
// One table per worker (no locks, no sharing): a prefix whose queries RSS spreads over
// several workers gets up to `rate` per worker. The table is direct-mapped, 65,536 entries,
// indexed by a keyed hash (SipHash-1-3, key drawn per table), so a flood cannot choose
// prefixes that evict each other's counts. Nothing here allocates after construction.
#include <cstdint>
#include <vector>

#include "common/net.hpp"
#include "common/siphash.hpp"

namespace edgelease::dataplane::dns {

/// What an answer is, for rate limiting (Knot's and BIND's classes).
enum class RrlClass : uint8_t {
    Answer = 1,  // NOERROR with data
    NxDomain,    // NXDOMAIN
    NoData,      // NOERROR, no data, authoritative
    Referral,    // NOERROR, no data, not authoritative (a delegation)
    Error,       // FORMERR, SERVFAIL, NOTIMP, REFUSED, BADVERS
    Large,       // an answer over 1024 octets
};

struct RrlSettings {
    uint32_t rate = 0;  // answers per second per prefix and class; 0: off
    uint32_t slip = 2;  // every slip-th limited answer goes out truncated; 0: none
    uint8_t ipv4_prefix = 24;
    uint8_t ipv6_prefix = 56;            // at most 56
    std::vector<net::IfAddress> exempt;  // prefixes never limited
};

class RrlTable {
  public:
    static constexpr size_t kEntries = size_t{1} << 16;
    static constexpr uint16_t kLargeAnswer = 1024;

    enum class Action : uint8_t {
        Send,    // within the rate
        Exempt,  // over it, from an exempt prefix: sent
        Slip,    // over it: send truncated
        Drop,    // over it: send nothing
    };

    /// Allocates the table (start-up, before the worker runs).
    explicit RrlTable(RrlSettings settings);

    /// One answer of class `cls` to `src` (4 octets for IPv4, 16 for IPv6) in second `now_s`.
    Action check(bool v6, const uint8_t* src, RrlClass cls, uint32_t now_s) noexcept;

    const RrlSettings& settings() const noexcept { return s_; }

  private:
    struct Entry {
        uint64_t key = 0;  // prefix, family and class; 0 = empty
        uint32_t second = 0;
        uint32_t count = 0;    // answers in `second`
        uint32_t limited = 0;  // limited answers since the entry was taken (for slip)
        uint32_t pad = 0;
    };
    bool exempt(bool v6, const uint8_t* src) const noexcept;

    RrlSettings s_;
    SipKey key_;
    std::vector<Entry> entries_;
};

/// The class of the answer msg[0..len) (our own answer: a valid header).
RrlClass rrl_class(const uint8_t* msg, uint16_t len) noexcept;

/// Cuts the answer msg[0..len) down to a truncated one (RFC 2181 §9, as RRL's slip sends):
/// the header with TC set, the question, nothing else. Returns its length (len unchanged when
/// the question cannot be found).
uint16_t truncate_answer(uint8_t* msg, uint16_t len) noexcept;

}  // namespace edgelease::dataplane::dns
