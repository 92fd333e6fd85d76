#pragma once
// What the control lcore does, as an object the lcore loop polls: it is the one writer of
// published state. Today that is the zone data: new ZoneViews arrive from the main thread
// (start-up, reload) through an SPSC queue, are published through the ZoneViewSlot, and old
// views are freed once every reader has passed an RCU quiescent point.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "control/command.hpp"
#include "dataplane/dns/zone_view.hpp"

struct rte_rcu_qsbr;

namespace edgelease::control {

class DhcpService;

class ControlPlane {
public:
    /// `qsbr` tracks the readers (workers); `slot` is what they read.
    ControlPlane(dns::ZoneViewSlot& slot, rte_rcu_qsbr* qsbr);
    /// Frees the published and retired views. Only after every reader has stopped.
    ~ControlPlane();
    ControlPlane(const ControlPlane&) = delete;
    ControlPlane& operator=(const ControlPlane&) = delete;

    /// Publishes directly, before any lcore runs.
    void publish_initial(std::unique_ptr<dns::ZoneView> view);

    /// Main thread: hands a new view to the control lcore. False when the queue is full
    /// (a reload storm); the caller keeps the view and reports the failure.
    bool submit(std::unique_ptr<dns::ZoneView>& view);

    /// Control lcore: applies queued views and frees retired ones whose grace period has
    /// ended. Bounded work per call. Returns the number of items handled.
    unsigned poll() noexcept;

    /// DHCP, when scopes are configured: polled on every loop. Set before the lcores start.
    void attach_dhcp(DhcpService* dhcp) { dhcp_ = dhcp; }

    /// Work from other threads (the management API), run on the control lcore.
    CommandQueue& commands() { return commands_; }

    /// Number of views published so far (start-up counts as 1). Any thread.
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
    /// Views published but not yet freed (waiting for readers).
    size_t retired_pending() const noexcept { return retired_count_.load(std::memory_order_relaxed); }

private:
    struct Retired {
        const dns::ZoneView* view;
        uint64_t token;
    };

    dns::ZoneViewSlot& slot_;
    DhcpService* dhcp_ = nullptr;
    CommandQueue commands_;
    rte_rcu_qsbr* qsbr_;
    const dns::ZoneView* current_ = nullptr;  // owned
    boost::lockfree::spsc_queue<dns::ZoneView*, boost::lockfree::capacity<8>> inbox_;
    std::vector<Retired> retired_;  // control lcore only
    std::atomic<uint64_t> generation_{0};
    std::atomic<size_t> retired_count_{0};
};

}  // namespace edgelease::control
