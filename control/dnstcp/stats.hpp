#pragma once
// The counters of the DNS server on kernel sockets (TCP, transfers, NOTIFY, UPDATE): written
// by its threads, read by any (all atomics).
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/counter.hpp"
#include "dataplane/dns/answer.hpp"

namespace edgelease::control::dnstcp {

/// Why connections end (or never start), one counter each.
enum class CloseReason : uint8_t {
    ClientClosed,   // the client closed (or reset) the connection
    Idle,           // no complete message for the idle timeout
    Malformed,      // a length prefix below a DNS header
    OutputStalled,  // answers unread for the idle timeout
    LimitTotal,     // refused at accept: tcp_max_connections open
    LimitClient,    // refused at accept: tcp_max_per_client open from that address
    Error,          // a socket error
    Shutdown,       // the appliance stopped
};
inline constexpr std::array<const char*, 8> kCloseReasonNames{
    "client_closed", "idle",         "malformed", "output_stalled",
    "limit_total",   "limit_client", "error",     "shutdown"};

/// How transfer requests ended, one counter each.
enum class TransferOutcome : uint8_t {
    Axfr,          // a whole zone sent (AXFR)
    Ixfr,          // IXFR answered with the changes since the client's serial (the journal)
    IxfrFull,      // IXFR answered with the whole zone
    IxfrUpToDate,  // IXFR from the current serial: the SOA alone
    Refused,       // not allowed by allow_transfer
    NotAuth,       // not a zone hosted here (RFC 5936 §2.2.1), or TSIG refused (BADKEY, ...)
    FormErr,       // a request that could not be read
    ServFail,      // the zone could not be read
};
inline constexpr std::array<const char*, 8> kTransferOutcomeNames{
    "axfr", "ixfr", "ixfr_full", "ixfr_up_to_date", "refused", "notauth", "formerr", "servfail"};

struct TransferStats {
    std::array<Counter, kTransferOutcomeNames.size()> outcomes;
    Counter messages;  // messages of transfers sent
    Counter records;   // records in them (the SOA twice)
};

/// How UPDATE messages (RFC 2136) ended, one counter each.
enum class UpdateOutcome : uint8_t {
    Applied,            // NOERROR: made (or nothing to change), durable before the answer
    PrereqFailed,       // a prerequisite did not hold: YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET
    Refused,            // not allowed by allow_update (or none configured)
    RefusedProvenance,  // it would change a record of another origin (audited)
    TsigFailed,         // NOTAUTH: BADKEY, BADSIG, BADTIME, BADTRUNC
    NotAuth,            // NOTAUTH: not a zone hosted here
    NotZone,            // NOTZONE: a name outside the zone
    FormErr,            // a message that could not be read, or RFC 2136 §3.4.1.3
    ServFail,           // the control plane or the record store did not take it in time
    Overload,           // SERVFAIL at once: too many updates waiting
};
inline constexpr std::array<const char*, 10> kUpdateOutcomeNames{
    "applied", "prereq_failed", "refused", "refused_provenance", "tsig_failed",
    "notauth", "notzone",       "formerr", "servfail",           "overload"};

struct UpdateStats {
    std::array<Counter, kUpdateOutcomeNames.size()> outcomes;
    Counter records_added;    // records written by updates (a changed TTL counts)
    Counter records_deleted;  // records they removed
    Counter udp;              // UPDATE messages that came over UDP (the rest: TCP)
};

struct NotifyStats {
    Counter sent;      // NOTIFY messages sent, retransmissions included
    Counter answered;  // secondaries that answered (any rcode)
    Counter refused;   // ... with an rcode other than NOERROR
    Counter gave_up;   // secondaries that did not answer after every retransmission
    Counter send_errors;
};

/// A hosted zone's transfer and NOTIFY counters (zones come and go with reloads: an entry is
/// made on a zone's first transfer or NOTIFY and kept while the appliance runs).
struct ZoneXfrStats {
    std::array<Counter, kTransferOutcomeNames.size()> outcomes;
    Counter notify_sent, notify_answered, notify_gave_up;
    Counter updates_applied;  // UPDATE messages answered NOERROR
    Counter updates_refused;  // ... REFUSED (allow_update, or another origin's record)
};

/// The counters of each zone, by name ("lan."). The TCP and update threads add; any thread
/// reads.
class PerZoneStats {
  public:
    ZoneXfrStats& of(const std::string& zone) {
        std::lock_guard lock(mu_);
        auto& e = zones_[zone];
        if (!e) e = std::make_unique<ZoneXfrStats>();
        return *e;
    }
    void each(const std::function<void(const std::string&, const ZoneXfrStats&)>& fn) const {
        std::lock_guard lock(mu_);
        for (const auto& [name, s] : zones_) fn(name, *s);
    }

  private:
    mutable std::mutex mu_;
    std::map<std::string, std::unique_ptr<ZoneXfrStats>> zones_;
};

struct alignas(64) TcpStats {
    Counter accepted;
    std::array<Counter, kCloseReasonNames.size()> closed;
    Counter messages;   // complete messages received
    Counter bytes_in;   // octets read, length prefixes included
    Counter bytes_out;  // octets written, length prefixes included
    std::atomic<uint32_t> open{0};
    std::atomic<uint32_t> open_peak{0};
    dataplane::dns::DnsStats dns;  // the answers, counted as a worker counts its own (TCP, and
                                   // any query other than UPDATE on the kernel's UDP port)
    TransferStats transfers;       // zone transfers out (transfer.hpp)
    NotifyStats notify;            // NOTIFY to secondaries (notify.hpp)
    UpdateStats updates;           // dynamic updates (update.hpp), over TCP and UDP
    PerZoneStats zones;            // the same three, per hosted zone
};

}  // namespace edgelease::control::dnstcp
