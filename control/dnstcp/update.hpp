#pragma once
// Dynamic updates (RFC 2136) with TSIG (RFC 8945), as the DNS server on kernel sockets takes
// them: over TCP, and over UDP (the workers hand UPDATE datagrams to the kernel through the
// exception path; the server's UDP sockets read them). Each message is checked (TSIG, the
// zone, allow_update), read (control/dnsupdate), applied on the control lcore, the single
// writer of zone data, and answered only once its records are durable in the record store
// (RFC 2136 §3.5). The serial bump, the IXFR journal entry and the NOTIFY follow from the
// zone store like any other change.
//
// One thread applies updates in the order they arrive (RFC 2136 §3.7), so the serving thread
// never waits for the control lcore or the disk: it hands a message over and gets the answer
// back through an eventfd.
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "control/dnstcp/acl.hpp"
#include "control/dnstcp/stats.hpp"

namespace edgelease::control::zone {
class ZoneStore;
}
namespace edgelease::control::store {
class RecordStore;
}

namespace edgelease::control::dnstcp {

/// What updates need: the configuration in force (keys, allow_update), the control lcore
/// and its zone store, and the record store (audit, durability).
struct UpdateEnv {
    std::function<std::shared_ptr<const config::Config>()> config;
    /// Runs `fn` on the control lcore, waiting at most `timeout`; false when it did not run.
    std::function<bool(std::function<void()>, std::chrono::milliseconds)> on_control;
    zone::ZoneStore* zones = nullptr;       // touched inside on_control only
    std::function<void()> publish;          // inside on_control: the changes into the view
    store::RecordStore* records = nullptr;  // nullptr: nothing durable to wait for
};

/// True when msg is a request with opcode UPDATE.
bool is_update(std::span<const uint8_t> msg) noexcept;

/// The whole of one UPDATE, synchronously: the answer to send (empty: send none, e.g. for a
/// response or a runt). Counts the outcome in `stats` and `zones`.
std::vector<uint8_t> handle_update(const UpdateEnv& env, std::span<const uint8_t> msg,
                                   const ClientAddress& client, UpdateStats& stats,
                                   PerZoneStats& zones);

/// An answer with `rcode` and no TSIG, for an UPDATE not taken in (too many waiting).
std::vector<uint8_t> update_error(std::span<const uint8_t> msg, uint8_t rcode);

/// The thread that applies updates.
class Updater {
  public:
    struct Job {
        uint64_t conn = 0;  // the TCP connection, or 0 for a UDP datagram
        int udp_fd = -1;    // UDP: the socket it came in on, to answer from
        sockaddr_storage peer{};
        socklen_t peer_len = 0;
        ClientAddress client;
        std::vector<uint8_t> msg;     // the request
        std::vector<uint8_t> answer;  // once done (empty: no answer)
    };
    static constexpr size_t kMaxWaiting = 64;

    Updater(UpdateEnv env, UpdateStats& stats, PerZoneStats& zones);
    ~Updater();
    /// Starts the thread. stop() lets the update being applied finish, drops those still
    /// waiting (their clients retry) and ends it: after stop() nothing calls env.on_control,
    /// so the control plane may go. Both idempotent; submit() refuses while stopped.
    void start();
    void stop();
    Updater(const Updater&) = delete;
    Updater& operator=(const Updater&) = delete;

    /// Serving thread: queues a message. False when kMaxWaiting wait already (answer
    /// SERVFAIL, counted as overload).
    bool submit(Job&& job);
    /// Readable when answers wait; take_done() clears it.
    int done_fd() const { return done_fd_; }
    /// Serving thread: the finished jobs, in order.
    void take_done(std::vector<Job>& out);

  private:
    void run();

    UpdateEnv env_;
    UpdateStats& stats_;
    PerZoneStats& zones_;
    int done_fd_ = -1;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> waiting_;
    std::vector<Job> done_;
    bool stop_ = true;
    std::thread thread_;
};

}  // namespace edgelease::control::dnstcp
