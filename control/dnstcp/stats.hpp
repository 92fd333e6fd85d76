#pragma once
// The DNS over TCP server's counters: written by its thread, read by any (all atomics).
#include <array>
#include <atomic>
#include <cstdint>

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

struct alignas(64) TcpStats {
    Counter accepted;
    std::array<Counter, kCloseReasonNames.size()> closed;
    Counter messages;   // complete messages received
    Counter bytes_in;   // octets read, length prefixes included
    Counter bytes_out;  // octets written, length prefixes included
    std::atomic<uint32_t> open{0};
    std::atomic<uint32_t> open_peak{0};
    dataplane::dns::DnsStats dns;  // the answers, counted as a worker counts its own
};

}  // namespace edgelease::control::dnstcp
