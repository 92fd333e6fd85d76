#pragma once
// The DNS fast path: one query in, its answer written over it, in place. Runs on worker
// lcores: noexcept, no allocation, no locks, no logging; outcomes are counters.
#include <array>
#include <cstdint>

#include "dataplane/dns/cookie.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::dataplane::dns {

// The DNS vocabulary (RR types, names: common/dns_types.hpp) is spoken here too.
using namespace edgelease::dns;

/// Query types counted on their own; everything else is "other".
inline constexpr std::array<uint16_t, 11> kCountedQtypes{
    rrtype::A,  rrtype::AAAA, rrtype::PTR, rrtype::CNAME, rrtype::NS, rrtype::SOA,
    rrtype::MX, rrtype::TXT,  rrtype::SRV, rrtype::CAA,   rrtype::ANY};
inline constexpr std::array<const char*, 12> kQtypeSlotNames{
    "A", "AAAA", "PTR", "CNAME", "NS", "SOA", "MX", "TXT", "SRV", "CAA", "ANY", "other"};
/// Response codes counted: 0..5 as themselves, slot 6 = BADVERS (16).
inline constexpr std::array<const char*, 7> kRcodeSlotNames{
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS"};

struct alignas(64) DnsStats {
    edgelease::Counter queries;    // DNS messages received on port 53
    edgelease::Counter responses;  // answers sent
    edgelease::Counter dropped;    // not answerable: shorter than a header, or a response
    edgelease::Counter truncated;  // answers sent with TC set
    edgelease::Counter referrals;
    // Response rate limiting ([dns.rrl]): answers over the rate sent truncated (slipped),
    // not sent (dropped: also a packet drop, dns_rate_limited), or sent as exempt. The
    // answers were made first, so `responses` and `rcode` count them too.
    edgelease::Counter rrl_slipped;
    edgelease::Counter rrl_dropped;
    edgelease::Counter rrl_exempt;
    // DNS Cookies: queries whose server cookie was ours and in time (exempt from RRL), and
    // those that brought one that was not (a new one goes back; the query is answered).
    edgelease::Counter cookies_valid;
    edgelease::Counter cookies_invalid;
    std::array<edgelease::Counter, kRcodeSlotNames.size()> rcode;
    std::array<edgelease::Counter, kQtypeSlotNames.size()> qtype;
};

struct DnsSettings {
    uint16_t udp_payload_size = 1232;  // advertised in our OPT; largest UDP answer we send
    bool stream = false;  // TCP (RFC 7766): no UDP size limit, an answer may fill `cap`
    /// With `stream`: the idle timeout in 100 ms units that an answer to a query carrying
    /// edns-tcp-keepalive announces (RFC 7828 §3.3.2).
    uint16_t keepalive_100ms = 0;
    /// UDP on a worker: an UPDATE (RFC 2136) to one of our addresses, untagged, goes to the
    /// kernel behind the exception path, where the DNS server on kernel sockets applies it
    /// (answer_dns_frame returns Verdict::Kernel). Off: UPDATE is answered NOTIMP.
    bool updates_to_kernel = false;
    /// DNS Cookies ([dns] cookies): the appliance's secret (every worker the same one, so a
    /// cookie one made is good on all); nullptr: COOKIE options are ignored.
    const SipKey* cookie_secret = nullptr;
};

/// Answers the DNS message msg[0..len) in place. `cap` is how many bytes may be written from
/// msg (the caller has already limited it to what fits the link MTU). Returns the length of
/// the answer, or 0 when the message must be dropped. `zones` may be nullptr (no zones: every
/// query is REFUSED). `qname_hash`, when given, is name_hash() of the question's name
/// lower-cased (qname_hash_hint() of the frame holding msg gives it), so the first lookup
/// does not hash the name again. `cookie`, when given with a secret, answers a COOKIE option
/// (cookie.hpp) and says whether the query's server cookie was valid.
uint16_t answer_query(const ZoneView* zones, const DnsSettings& settings, uint8_t* msg,
                      uint16_t len, uint16_t cap, DnsStats& stats,
                      const uint64_t* qname_hash = nullptr, CookieCheck* cookie = nullptr) noexcept;

/// A cheap look at an Ethernet frame (untagged IPv4 without fragments' checks, or IPv6
/// without extension headers) to UDP port 53: the hash ZoneView::find() will use for its
/// QNAME (lower-cased wire form). False for anything else or anything odd: the real parse
/// judges the frame. The worker prefetches with it and passes it to answer_query, where it
/// decides the first lookup: a true return must mean the hash of exactly the question that
/// parse_query will read from this frame's UDP payload (same bytes, same lower-casing), or
/// hits become NXDOMAIN. Teach it a new layout (VLAN tags, extension headers) only with
/// that in mind; debug builds check it in answer_query.
bool qname_hash_hint(const uint8_t* frame, uint16_t len, uint64_t& hash) noexcept;

}  // namespace edgelease::dataplane::dns
