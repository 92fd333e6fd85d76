#pragma once
// DHCP on the control lcore: drains every worker's request queue, runs the lease engine,
// queues changed leases for the LMDB writer and holds each DHCPACK until its lease change is
// durable; OFFERs, NAKs and INFORM answers (no lease written) go out at once.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "control/ddns/lease_dns.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "control/store/lease_store.hpp"
#include "dataplane/dhcp/channel.hpp"
#include "dataplane/stats.hpp"

namespace edgelease::control {

struct alignas(64) DhcpServiceStats {
    std::array<dataplane::Counter, dhcp::kMsgTypeNames.size()> requests;  // by MsgType
    std::array<dataplane::Counter, dhcp::kMsgTypeNames.size()> replies;   // by MsgType
    std::array<dataplane::Counter, dhcp::kOutcomeNames.size()> outcomes;  // by dhcp::Outcome
    dataplane::Counter reply_queue_full;         // a worker's reply queue was full
    dataplane::Counter held;                     // ACKs that waited for their commit
    dataplane::Counter storage_failed;           // ACKs dropped: their commit failed
    dataplane::Counter expired;                  // leases expired by the engine
    dataplane::Counter store_backpressure;       // polls that stopped early: writer queue full
    dataplane::Counter expired_by_sweeper;       // of `expired`: lapsed from sweeper entries
    dataplane::Counter expiry_stale;             // sweeper entries of leases that moved on
    dataplane::Counter expired_by_backstop;      // of `expired`: found overdue by the heap
};

class DhcpService {
public:
    /// `channels[i]` belongs to worker i. `store` must outlive the service.
    DhcpService(const config::Config& cfg, std::vector<dhcp::DhcpChannel*> channels,
                store::LeaseStore& store);

    /// Start-up, before the lcores run: restores stored leases and expires those that lapsed
    /// while the appliance was down. Returns the number restored.
    size_t restore(int64_t now);

    /// Control lcore: bounded work (at most kMaxPerPoll requests). Returns items handled.
    unsigned poll(int64_t now) noexcept;

    const DhcpServiceStats& stats() const { return stats_; }

    /// Lease-driven DNS: every lease change goes through it (grant, renewal, release,
    /// expiry), and it runs the stale_after sweeps. Set before restore() and the lcores.
    void attach_dns(ddns::LeaseDns* dns) { dns_ = dns; }
    /// Expiry through the sweeper lcore: every lease entering a timed state is scheduled on
    /// `link`; due entries come back and are lapsed if their generation is still current.
    /// The engine's own expiry heap then only runs as a backstop (entries 2 s overdue).
    /// Set before restore() (which seeds the sweeper) and the lcores.
    void attach_sweeper(sweeper::SweeperLink* link) { link_ = link; }
    ddns::LeaseDns* dns() { return dns_; }

    /// Control lcore (management commands): operator release / expiry of a bound lease,
    /// persisted like the client's own. False when there is no bound lease at `ip`.
    bool admin_release(uint32_t ip, int64_t now, dhcp::Lease& out);
    bool admin_expire(uint32_t ip, int64_t now, dhcp::Lease& out);

    /// Per-scope pool use, refreshed by the control lcore once a second; any thread may read.
    struct ScopeGauge {
        std::string name;
        std::atomic<uint32_t> pool_size{0}, bound{0}, offered{0}, declined{0};
    };
    const std::vector<std::unique_ptr<ScopeGauge>>& scope_gauges() const { return gauges_; }
    dhcp::LeaseEngine& engine() { return engine_; }

private:
    static constexpr unsigned kMaxPerPoll = 256;
    static constexpr size_t kMaxDuePerPoll = 4096;  // sweeper entries lapsed per poll
    struct Held {
        uint64_t seq;
        dhcp::DhcpReply reply;
    };
    bool persist(const std::vector<dhcp::Lease>& changed, uint64_t& seq) noexcept;
    void send(const dhcp::DhcpReply& r) noexcept;
    unsigned release_durable() noexcept;
    void note_exhausted(const dhcp::DhcpRequest& req, int64_t now) noexcept;

    void tell_dns(const std::vector<dhcp::Lease>& changed, const std::vector<dhcp::LeaseEvent>& events,
                  int64_t now) noexcept;

    dhcp::LeaseEngine engine_;
    ddns::LeaseDns* dns_ = nullptr;
    sweeper::SweeperLink* link_ = nullptr;
    std::vector<sweeper::ExpiryEntry> due_;    // reused: entries taken from the sweeper
    std::vector<sweeper::ExpiryEntry> early_;  // reused: due entries whose second has not come
    void schedule(const std::vector<dhcp::Lease>& changed) noexcept;
    unsigned take_due(int64_t now) noexcept;
    int64_t last_stale_run_ = 0;
    std::vector<dhcp::LeaseEvent> expired_events_;
    std::vector<dhcp::DhcpChannel*> channels_;
    store::LeaseStore& store_;
    std::deque<Held> held_;
    uint64_t next_seq_ = 1;
    dhcp::Result result_;        // reused: no allocation per request once warmed up
    std::vector<dhcp::Lease> expired_;
    int64_t last_expiry_run_ = 0;
    int64_t last_exhausted_log_ = 0;
    uint64_t exhausted_since_log_ = 0;
    DhcpServiceStats stats_;
    std::vector<std::unique_ptr<ScopeGauge>> gauges_;
    void refresh_gauges();
};

}  // namespace edgelease::control
