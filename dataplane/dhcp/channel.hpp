#pragma once
// One worker's DHCP link to the control lcore: two single-producer single-consumer queues.
// A full queue is a counted drop on the side that could not push; nobody ever waits.
#include <boost/lockfree/spsc_queue.hpp>

#include "common/doorbell.hpp"
#include "dataplane/dhcp/frame6.hpp"
#include "dataplane/dhcp/messages.hpp"
#include "dataplane/dhcp/messages6.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::dataplane::dhcp {

inline constexpr size_t kQueueDepth = 1024;

struct DhcpChannel {
    // Worker -> control. Written by one worker only, read by the control lcore only.
    alignas(64)
        boost::lockfree::spsc_queue<DhcpRequest, boost::lockfree::capacity<kQueueDepth>> requests;
    // Control -> worker.
    alignas(
        64) boost::lockfree::spsc_queue<DhcpReply, boost::lockfree::capacity<kQueueDepth>> replies;
    // The same for DHCPv6 (RFC 9915), beside DHCPv4 so that one doorbell serves both.
    alignas(64)
        boost::lockfree::spsc_queue<Dhcp6Request, boost::lockfree::capacity<kQueueDepth>> requests6;
    alignas(64)
        boost::lockfree::spsc_queue<Dhcp6Reply, boost::lockfree::capacity<kQueueDepth>> replies6;
    // The worker sleeps on this when idle; the control lcore rings it after queueing replies,
    // so a reply leaves at once rather than when the worker's back-off sleep ends.
    Doorbell worker_bell;
    // The control lcore's bell (it sleeps on it when idle): the worker rings it after a burst
    // that queued requests. A fence and a load while the control lcore is busy; a FUTEX_WAKE
    // only while it sleeps, which it does only when no DHCP is flowing.
    Doorbell* control_bell = nullptr;
};

/// Worker-side DHCP counters (one writer: the worker).
struct alignas(64) DhcpWorkerStats {
    edgelease::Counter received;    // requests handed to the control lcore
    edgelease::Counter malformed;   // failed parse_request
    edgelease::Counter queue_full;  // request queue full: dropped
    edgelease::Counter shed;        // DISCOVER or INFORM shed: the queue was deep (admission.hpp)
    edgelease::Counter repeats;     // dropped: the client repeated itself too fast
    edgelease::Counter replies_sent;
    edgelease::Counter reply_alloc_failed;            // no mbuf for a reply (v4 or v6)
    std::array<edgelease::Counter, 10> parse_errors;  // by edgelease::dataplane::dhcp::ParseError
    std::array<edgelease::Counter, kMsgTypeNames.size()>
        by_type;  // received, by MsgType (0 = none)
    // DHCPv6 (port 547). reply_alloc_failed above counts both.
    edgelease::Counter received6;    // client messages handed to the control lcore
    edgelease::Counter malformed6;   // failed parse_request6
    edgelease::Counter queue_full6;  // requests6 queue full: dropped
    edgelease::Counter shed6;        // SOLICIT or INFORMATION-REQUEST shed: the queue was deep
    edgelease::Counter repeats6;     // dropped: the client repeated itself too fast
    edgelease::Counter replies_sent6;
    std::array<edgelease::Counter, kParse6ErrorNames.size()> parse_errors6;  // by Parse6Error
    std::array<edgelease::Counter, kMsg6TypeNames.size()> by_type6;  // received, by Msg6Type
};

}  // namespace edgelease::dataplane::dhcp
