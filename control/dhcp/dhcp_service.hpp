#pragma once
// DHCP on the control lcore: drains every worker's request queue, runs the lease engine,
// queues changed leases for the LMDB writer and holds each DHCPACK until its lease change is
// durable; OFFERs, NAKs and INFORM answers (no lease written) go out at once.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/fifo.hpp"
#include "common/log_throttle.hpp"
#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/engine6.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "control/dhcp/relay_limit.hpp"
#include "control/store/lease_store.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "dataplane/dhcp/channel.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

struct alignas(64) DhcpServiceStats {
    std::array<edgelease::Counter, dhcp::kMsgTypeNames.size()> requests;  // by MsgType
    std::array<edgelease::Counter, dhcp::kMsgTypeNames.size()> replies;   // by MsgType
    std::array<edgelease::Counter, dhcp::kOutcomeNames.size()> outcomes;  // by dhcp::Outcome
    edgelease::Counter reply_queue_full;     // a worker's reply queue was full
    edgelease::Counter held;                 // ACKs that waited for their commit
    edgelease::Counter storage_failed;       // ACKs withheld: their commit failed
    edgelease::Counter expired;              // leases expired by the engine
    edgelease::Counter store_backpressure;   // polls that stopped early: writer queue full
    edgelease::Counter expired_by_sweeper;   // of `expired`: expired from sweeper entries
    edgelease::Counter expiry_stale;         // sweeper entries of leases that moved on
    edgelease::Counter expired_by_backstop;  // of `expired`: found overdue by the heap
    edgelease::Counter relay_limited;        // DISCOVERs over [dhcp].relay_discover_rate
    edgelease::Counter alloc_failed;  // out of memory: a request dropped or a poll step cut short
    // DHCPv6 (RFC 9915)
    std::array<edgelease::Counter, dhcp::kMsg6TypeNames.size()> requests6;  // by Msg6Type
    std::array<edgelease::Counter, dhcp::kMsg6TypeNames.size()> replies6;   // by Msg6Type
    std::array<edgelease::Counter, dhcp::kOutcomeNames.size()> outcomes6;   // by dhcp::Outcome
    edgelease::Counter expired6;        // v6 leases expired (end of valid lifetime or probation)
    edgelease::Counter relay_limited6;  // Solicits over [dhcp6].relay_solicit_rate
};

class DhcpService {
  public:
    /// `channels[i]` belongs to worker i. `store` must outlive the service.
    DhcpService(const config::Config& cfg, std::vector<dhcp::DhcpChannel*> channels,
                store::LeaseStore& store);

    /// Start-up, before restore(): the server DUID (LeaseStore::server_duid), and DHCPv6
    /// served for cfg.dhcp6's scopes when there are any (a reload may add them later).
    /// Without it v6 requests are answered by nobody (counted).
    void enable_v6(const config::Config& cfg, std::vector<uint8_t> server_duid);
    bool serves_v6() const noexcept { return engine6_ != nullptr; }
    /// Any thread: set once at start-up, never changed.
    const std::vector<uint8_t>& server_duid() const noexcept { return server_duid_; }

    /// Start-up, before the lcores run: restores stored leases and expires those that expired
    /// while the appliance was down. Returns the number restored.
    size_t restore(int64_t now);
    /// Start-up, the first half of restore(): the stored leases (both families) into the
    /// engines, nothing else: no DNS, no store write, no sweeper. May run on a thread of its
    /// own while the zone store is restored (it touches only the engines and the lease
    /// store's read side); restore() then goes on from there.
    void load_stored();

    /// Control lcore: bounded work (at most kMaxPerPoll requests). Returns items handled.
    /// Never throws: running out of memory drops the request at hand or ends the step
    /// (expiry, sweeper entries) early, counted in alloc_failed; the next poll goes on.
    unsigned poll(int64_t now) noexcept;
    /// Control lcore: a request waits, or a held ACK's lease has become durable.
    bool has_work() const noexcept;
    /// Shutdown, once the control lcore has stopped: true when every lease change of this run
    /// went to the lease store's queue (none was refused by a full queue, no lease a reload
    /// dropped is still waiting to be ended), so that the stores can agree.
    bool stored_everything() const noexcept { return !write_lost_ && ending_.empty(); }
    /// Control lcore, running: stored_everything(), no reload moving leases, no ACK held, and
    /// every lease change queued so far committed without a failure. Then lease_txn() names
    /// the lease store as these leases are.
    bool settled() const noexcept {
        return stored_everything() && move_ == nullptr && held_.empty() && held6_.empty() &&
               store_.done_seq() + 1 >= next_seq_ &&
               store_.stats().failures.load(std::memory_order_relaxed) == 0;
    }
    uint64_t lease_txn() const { return store_.last_txn(); }
    /// The generations the latest DHCPv4 and DHCPv6 lease changes took (control lcore).
    uint64_t last_generation4() const noexcept { return engine_->last_generation(); }
    uint64_t last_generation6() const noexcept {
        return engine6_ ? engine6_->last_generation() : dhcp::kGeneration6Base;
    }

    const DhcpServiceStats& stats() const { return stats_; }

    /// Lease-driven DNS: every lease change goes through it (grant, renewal, release,
    /// expiry), and it runs the stale_after sweeps. Set before restore() and the lcores.
    /// Lease changes go to `dns`, which may ask the engines for the lease at an address.
    void attach_dns(ddns::LeaseDns* dns);
    /// Expiry through the sweeper lcore: every lease entering a timed state is scheduled on
    /// `link`; due entries come back and are expired if their generation is still current.
    /// The engine's own expiry heap then only runs as a backstop (entries 2 s overdue).
    /// Set before restore() (which seeds the sweeper) and the lcores.
    void attach_sweeper(sweeper::SweeperLink* link) { link_ = link; }
    ddns::LeaseDns* dns() { return dns_; }

    /// Control lcore (management commands): operator release / expiry of a bound lease,
    /// persisted like the client's own. False when there is no bound lease at `ip`.
    bool admin_release(uint32_t ip, int64_t now, dhcp::Lease& out);
    /// Control lcore: the sequence number of the last lease change queued for the store (an
    /// operator action waits for LeaseStore::done_seq() to pass it before it answers).
    uint64_t last_queued_seq() const noexcept { return next_seq_ - 1; }
    bool admin_expire(uint32_t ip, int64_t now, dhcp::Lease& out);

    /// Per-scope pool use, refreshed by the control lcore once a second; any thread may read.
    struct ScopeGauge {
        std::string name;
        std::atomic<uint32_t> pool_size{0}, bound{0}, offered{0}, declined{0};
    };
    using ScopeGauges = std::vector<std::unique_ptr<ScopeGauge>>;
    /// Any thread: the current list (a reload replaces it; the snapshot stays valid).
    std::shared_ptr<const ScopeGauges> scope_gauges() const;

    /// The same for each DHCPv6 scope: addresses of its pools and delegable prefixes of its
    /// PD pools (saturating), how many of each are bound, and addresses in probation.
    struct ScopeGauge6 {
        std::string name;
        std::atomic<uint64_t> addresses{0}, prefixes{0};
        std::atomic<uint32_t> addresses_bound{0}, prefixes_bound{0}, declined{0};
    };
    using ScopeGauges6 = std::vector<std::unique_ptr<ScopeGauge6>>;
    std::shared_ptr<const ScopeGauges6> scope_gauges6() const;

    /// Depths of one worker's queues to and from the control lcore, as the control lcore
    /// last saw them (every poll), and the deepest seen since start. Any thread may read.
    struct QueueGauge {
        std::atomic<uint32_t> requests{0}, replies{0}, requests_peak{0}, replies_peak{0};
    };
    /// One per worker, indexed like the channels; fixed for the service's lifetime.
    const std::vector<std::unique_ptr<QueueGauge>>& queue_gauges() const { return queues_; }
    /// Entries waiting in the lease store's queue (control lcore's view, every poll) and the
    /// most seen since start.
    uint32_t store_queue_depth() const noexcept {
        return store_depth_.load(std::memory_order_relaxed);
    }
    uint32_t store_queue_peak() const noexcept {
        return store_peak_.load(std::memory_order_relaxed);
    }

    /// Control lcore only.
    dhcp::LeaseEngine& engine() { return *engine_; }
    const dhcp::LeaseEngine& engine() const { return *engine_; }
    /// Control lcore only; nullptr when DHCPv6 is not served.
    dhcp::Engine6* engine6() { return engine6_.get(); }
    const dhcp::Engine6* engine6() const { return engine6_.get(); }
    /// Control lcore only: DHCPv6 scope names by index, as leases of engine6() use them.
    const std::vector<std::string>& scope6_names() const { return scope6_names_; }
    /// Control lcore (management commands): operator release / expiry of a bound v6 lease.
    bool admin_release6(const dhcp::Lease6Key& key, int64_t now, dhcp::Lease6& out);
    bool admin_expire6(const dhcp::Lease6Key& key, int64_t now, dhcp::Lease6& out);

    /// Control lcore only: scope names by index, as leases of engine() use them.
    const std::vector<std::string>& scope_names() const { return scope_names_; }

    /// What a reload did to the leases.
    struct EngineSwap {
        size_t kept = 0;     // moved into the new engine (scope found by name or address)
        size_t dropped = 0;  // outside every new scope/pool, or their reserved address now
                             // names another client: ended, deleted from storage
    };
    /// Control lcore (reload): moves every lease of the running engine into `next`, built from
    /// the new configuration, and serves from `next` from now on. A lease that no longer fits
    /// ends: its record is deleted from the lease store and, while the DNS side still has the
    /// old configuration, its DNS records are treated as on a release (audited
    /// "lease-dropped"). Held ACKs, queued writes and sweeper entries (ip + generation) stay
    /// valid: generations carry over. O(leases).
    EngineSwap replace_engine(std::unique_ptr<dhcp::LeaseEngine> next, int64_t now);
    /// The same in slices, so that a reload of a million leases never holds DHCP up for long
    /// (Reloader): begin_engine_move() takes `next`; each move_engine_slice() copies up to
    /// `max` more leases into it, and the running engine serves between slices (every lease
    /// it changes meanwhile is noted); finish_engine_move() copies the noted ones again, ends
    /// the leases that no longer fit and swaps, as replace_engine(). move_engine_slice() is
    /// true once every lease was copied. abort_engine_move() forgets `next`. Control lcore.
    void begin_engine_move(std::unique_ptr<dhcp::LeaseEngine> next);
    bool move_engine_slice(size_t max);
    /// `retired`, when given, receives the old engine, so that the caller frees its million
    /// leases off the control lcore.
    EngineSwap finish_engine_move(std::unique_ptr<dhcp::LeaseEngine>* retired = nullptr);
    void abort_engine_move() noexcept { move_.reset(); }
    bool engine_moving() const noexcept { return move_ != nullptr; }
    /// The same for DHCPv6; `next` is nullptr when the new configuration has no v6 scope (every
    /// v6 lease then ends). Leases find their scope by name; one whose scope is gone ends.
    EngineSwap replace_engine6(std::unique_ptr<dhcp::Engine6> next, int64_t now);

  private:
    static constexpr unsigned kMaxPerPoll = 256;
    static constexpr size_t kMaxDuePerPoll = 4096;  // sweeper entries expired per poll
    struct Held {
        uint64_t seq;
        dhcp::DhcpReply reply;
    };
    struct Held6 {
        uint64_t seq;
        dhcp::Dhcp6Reply reply;
    };
    // ---- DHCPv6 (dhcp_service6.cpp) ----
    void handle_request6(const dhcp::Dhcp6Request& req, int64_t now) noexcept;
    void serve6(const dhcp::Dhcp6Request& req, int64_t now);  // may throw std::bad_alloc
    bool persist6(std::span<const dhcp::Lease6> changed, uint64_t& seq) noexcept;
    void send6(const dhcp::Dhcp6Reply& r) noexcept;
    void schedule6(std::span<const dhcp::Lease6> changed, std::span<const uint32_t> slots) noexcept;
    void tell_dns6(std::span<const dhcp::Lease6> changed,
                   const std::vector<dhcp::LeaseEvent>& events, int64_t now) noexcept;
    void load_stored6();
    void expire_restored6(int64_t now);
    bool loaded_ = false;  // load_stored() has run
    size_t restored_ = 0, restored6_ = 0;
    unsigned expire6(int64_t now);
    void note_exhausted6(const dhcp::Dhcp6Request& req, int64_t now) noexcept;
    void note_storage_failed6(int64_t now) noexcept;
    std::unique_ptr<dhcp::Engine6> engine6_;
    std::vector<uint8_t> server_duid_;
    std::vector<std::string> scope6_names_;
    dhcp::Result6 result6_;
    std::vector<dhcp::Lease6> expired6_;
    std::vector<dhcp::LeaseEvent> expired6_events_;
    Fifo<Held6> held6_{16};  // v6 Replies waiting for their leases' commit
    LogThrottle exhausted6_log_;
    RelayLimiter6 relay_limit6_;
    LogThrottle relay6_log_;
    std::shared_ptr<ScopeGauges6> gauges6_;  // as gauges_, under gauges_mu_
    void make_gauges6();
    void refresh_gauges6();
    /// One request through the engine: its lease changes to the store, DNS and the sweeper,
    /// its reply out now or held until its commit. Out of memory, the request is dropped
    /// (counted; the client retransmits).
    void handle_request(const dhcp::DhcpRequest& req, int64_t now) noexcept;
    void serve(const dhcp::DhcpRequest& req, int64_t now);  // may throw std::bad_alloc
    /// Runs one step of poll(); std::bad_alloc ends it, counted. Returns the step's count.
    template <class Step>
    unsigned guarded(int64_t now, Step&& step) noexcept;
    /// Once a second: gauges, the expiry heap (a backstop with the sweeper), stale records.
    unsigned run_expiry(int64_t now);
    void note_alloc_failed(int64_t now) noexcept;
    LogThrottle alloc_log_;
    bool persist(const std::vector<dhcp::Lease>& changed, uint64_t& seq) noexcept;
    void send(const dhcp::DhcpReply& r) noexcept;
    /// End of a poll: wakes the lease writer if anything was queued for it, and each worker
    /// that got replies, should they be asleep (one FUTEX_WAKE each then, none when busy).
    void wake() noexcept;
    bool stored_ = false;           // queued for the writer since the last wake()
    std::vector<uint8_t> replied_;  // per worker: replies queued since the last wake()
    unsigned release_durable(int64_t now) noexcept;
    void note_storage_failed(const dhcp::DhcpReply& r, int64_t now) noexcept;
    // Failed commit ranges not yet behind every held ACK (fixed: no allocation per poll).
    std::array<store::FailedRange, 64> failed_{};
    size_t failed_count_ = 0;
    LogThrottle storage_log_;
    void note_exhausted(const dhcp::DhcpRequest& req, int64_t now) noexcept;
    void note_relay_limited(const dhcp::DhcpRequest& req, int64_t now) noexcept;
    RelayLimiter relay_limit_;
    LogThrottle relay_log_;

    void tell_dns(const std::vector<dhcp::Lease>& changed,
                  const std::vector<dhcp::LeaseEvent>& events, int64_t now) noexcept;

    std::unique_ptr<dhcp::LeaseEngine> engine_;
    struct EngineMove {
        std::unique_ptr<dhcp::LeaseEngine> next;
        std::vector<uint32_t> remap;  // old scope index -> new (UINT32_MAX: by address)
        uint32_t cursor = 0;          // the running engine's next slot to copy
        std::vector<dhcp::Lease> dropped;
        size_t kept = 0;              // leases held by `next`
        std::vector<uint32_t> dirty;  // addresses whose lease changed since the move began
        bool recopy_all = false;      // a note was lost (out of memory): check every lease
    };
    std::unique_ptr<EngineMove> move_;
    // Leases a reload ended, out of every engine: their DNS cleanup and stored deletion, up to
    // kEndPerPoll a poll (and what the lease store's queue takes).
    std::deque<dhcp::Lease> ending_;
    bool write_lost_ = false;  // persist() or persist6() found the lease store's queue full
    static constexpr size_t kEndPerPoll = 2048;
    unsigned end_dropped(int64_t now, size_t max) noexcept;
    std::vector<std::string> scope_names_;
    ddns::LeaseDns* dns_ = nullptr;
    sweeper::SweeperLink* link_ = nullptr;
    std::vector<sweeper::ExpiryEntry> due_;    // reused: entries taken from the sweeper
    std::vector<sweeper::ExpiryEntry> early_;  // reused: due entries whose second has not come
    void schedule(const std::vector<dhcp::Lease>& changed) noexcept;
    unsigned take_due(int64_t now);
    int64_t last_stale_run_ = 0;
    std::vector<dhcp::LeaseEvent> expired_events_;
    std::vector<dhcp::DhcpChannel*> channels_;
    store::LeaseStore& store_;
    Fifo<Held> held_{64};  // ACKs waiting for their lease's commit, in sequence order
    uint64_t next_seq_ = 1;
    dhcp::Result result_;  // reused: no allocation per request once warmed up
    std::vector<dhcp::Lease> expired_;
    int64_t last_expiry_run_ = 0;
    LogThrottle exhausted_log_;
    DhcpServiceStats stats_;
    std::shared_ptr<ScopeGauges> gauges_;  // written by the control lcore under gauges_mu_
    mutable std::mutex gauges_mu_;         // only a reload and readers take it
    std::vector<std::unique_ptr<QueueGauge>> queues_;
    std::atomic<uint32_t> store_depth_{0}, store_peak_{0};
    void make_gauges();
    void refresh_gauges();
    void sample_queues() noexcept;
};

}  // namespace edgelease::control::dhcp
