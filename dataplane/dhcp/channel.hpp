#pragma once
// One worker's DHCP link to the control lcore: two single-producer single-consumer queues.
// A full queue is a counted drop on the side that could not push; nobody ever waits.
#include <boost/lockfree/spsc_queue.hpp>

#include "dataplane/dhcp/messages.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::dhcp {

inline constexpr size_t kQueueDepth = 1024;

struct DhcpChannel {
    // Worker -> control. Written by one worker only, read by the control lcore only.
    alignas(64) boost::lockfree::spsc_queue<DhcpRequest, boost::lockfree::capacity<kQueueDepth>> requests;
    // Control -> worker.
    alignas(64) boost::lockfree::spsc_queue<DhcpReply, boost::lockfree::capacity<kQueueDepth>> replies;
};

/// Worker-side DHCP counters (one writer: the worker).
struct alignas(64) DhcpWorkerStats {
    dataplane::Counter received;     // requests handed to the control lcore
    dataplane::Counter malformed;    // failed parse_request
    dataplane::Counter queue_full;   // request queue full: dropped
    dataplane::Counter replies_sent;
    dataplane::Counter reply_alloc_failed;  // no mbuf for a reply
    std::array<dataplane::Counter, 10> parse_errors;  // by wire::dhcp::ParseError
    std::array<dataplane::Counter, kMsgTypeNames.size()> by_type;  // received, by MsgType (0 = none)
};

}  // namespace edgelease::dhcp
