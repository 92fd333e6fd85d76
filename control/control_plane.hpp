#pragma once
// What the control lcore does, as an object the lcore loop polls: it is the one writer of
// published state. Zone data: the zone store (records with provenance) is changed by DHCP,
// the API and reloads on this lcore; after every poll the owners that changed are rewritten
// in place in the published ZoneView (ZoneView::set_owner), or the view is rebuilt when a
// change cannot be made in place. Unlinked nodes and replaced views are freed once every
// reader has passed an RCU quiescent point. Whole views may also arrive from another thread
// through an SPSC queue (tests; appliances without a zone store).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "control/command.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace edgelease::control::zone {
class ZoneStore;
}
namespace edgelease::control::store {
class RecordStore;
}

struct rte_rcu_qsbr;

namespace edgelease::control {

namespace dhcp {
class DhcpService;
}

class ControlPlane {
  public:
    /// `qsbr` tracks the readers (workers); `slot` is what they read.
    ControlPlane(dataplane::dns::ZoneViewSlot& slot, rte_rcu_qsbr* qsbr);
    /// Frees the published and retired views. Only after every reader has stopped.
    ~ControlPlane();
    ControlPlane(const ControlPlane&) = delete;
    ControlPlane& operator=(const ControlPlane&) = delete;

    /// Publishes directly, before any lcore runs.
    void publish_initial(std::unique_ptr<dataplane::dns::ZoneView> view);

    /// Control lcore (a reload of an appliance without a zone store): publishes `view` in
    /// place of the current one, which is freed after a grace period.
    void replace_view(std::unique_ptr<dataplane::dns::ZoneView> view) noexcept;

    /// Main thread: hands a new view to the control lcore. False when the queue is full
    /// (a reload storm); the caller keeps the view and reports the failure.
    bool submit(std::unique_ptr<dataplane::dns::ZoneView>& view);

    /// Control lcore: applies queued views and frees retired ones whose grace period has
    /// ended. Bounded work per call. Returns the number of items handled.
    unsigned poll() noexcept;
    /// Control lcore, about to sleep: whether work that rings the bell has arrived since the
    /// last poll (commands, views, DHCP requests, durable ACKs). Cheap: a few loads.
    bool has_work() const noexcept;

    /// DHCP, when scopes are configured: polled on every loop. Set before the lcores start.
    void attach_dhcp(dhcp::DhcpService* dhcp) { dhcp_ = dhcp; }
    /// The zone store whose changes are applied to the published view, and the record store
    /// whose overflow is retried each poll (may be nullptr). Set before the lcores start.
    void attach_zones(zone::ZoneStore* zones, store::RecordStore* records) {
        zone_store_ = zones;
        records_ = records;
    }
    zone::ZoneStore* zone_store() { return zone_store_; }
    const zone::ZoneStore* zone_store() const { return zone_store_; }
    store::RecordStore* record_store() { return records_; }

    /// Control lcore (also called from commands that change zones, so that the change is
    /// visible when the command completes): rewrites changed owners in the published view.
    /// Returns the number of owners applied.
    unsigned apply_zone_changes() noexcept;

    /// Views of more records than this are rebuilt off the control lcore: a thread reads the
    /// record store (one read transaction per zone) and builds the new view while this lcore
    /// keeps serving from the old one; the names changed meanwhile are written into the new
    /// view when it is swapped in. Smaller views (and any view after a record-store write
    /// failure: the store may lack changes) are rebuilt inline, which takes under about 50 ms.
    static constexpr size_t kInlineRebuildMax = 65536;
    void set_inline_rebuild_max(size_t records) noexcept { inline_rebuild_max_ = records; }
    /// The running configuration's hash (Config::source_hash), for the clean mark an idle
    /// control lcore leaves in the record store. Any thread.
    void set_config_hash(uint64_t h) noexcept { config_hash_.store(h, std::memory_order_relaxed); }

    /// Whether a rebuild is running off the lcore (tests, metrics).
    bool rebuilding() const noexcept { return rebuild_.active; }

    struct ZoneUpdateStats {
        std::atomic<uint64_t> owners_applied{0};  // in-place node rewrites
        std::atomic<uint64_t> rebuilds{0};  // full view rebuilds (new zone, delegation change)
        std::atomic<uint64_t> rebuilds_off_lcore{0};  // of which built by the rebuild thread
        std::atomic<uint64_t> settled_marks{0};       // clean marks left at settled moments
        std::atomic<uint64_t> batches{0};             // polls that applied something
        std::atomic<uint64_t> last_batch_ns{0};       // time the last batch took
        std::atomic<uint64_t> max_batch_ns{0};
        std::atomic<uint64_t> failures{0};  // a batch hit an exception (e.g. no memory)
    };
    const ZoneUpdateStats& zone_update_stats() const { return zone_stats_; }

    /// Work from other threads (the management API), run on the control lcore.
    CommandQueue& commands() { return commands_; }
    /// The control lcore sleeps on this when idle. Rung by commands, views handed over and
    /// the lease store's writer (a durable batch releases held ACKs).
    Doorbell& bell() noexcept { return bell_; }

    /// Number of views published so far (start-up counts as 1). Any thread.
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
    /// Views published but not yet freed (waiting for readers).
    size_t retired_pending() const noexcept {
        return retired_count_.load(std::memory_order_relaxed);
    }

  private:
    struct Retired {
        const dataplane::dns::ZoneView* view;  // may be nullptr (garbage only)
        dataplane::dns::ZoneGarbage garbage;
        uint64_t token;
    };
    /// Queues what readers may still see for freeing after a grace period. With no memory
    /// to queue it, it is never freed (a leak, counted in failures), rather than freed under
    /// a reader.
    void retire(const dataplane::dns::ZoneView* view,
                dataplane::dns::ZoneGarbage&& garbage) noexcept;
    /// The whole view again from the zone store, on this lcore.
    void rebuild_inline(dataplane::dns::ZoneGarbage& garbage);
    /// Starts the rebuild thread; false when it cannot (then rebuild inline).
    bool start_rebuild() noexcept;
    /// A finished rebuild: the new view in, the names changed meanwhile written into it.
    unsigned finish_rebuild() noexcept;

    struct Rebuild {
        bool active = false;
        std::thread thread;
        std::atomic<bool> done{false};
        std::unique_ptr<dataplane::dns::ZoneView> view;  // set by the thread
        std::string error;                               // set by the thread when it failed
        std::vector<std::string> since;                  // names changed since the rebuild started
    };
    Rebuild rebuild_;
    /// After an idle poll, at most once a second and only when something changed since the
    /// last one: when DHCP and the record store are settled, the clean mark goes into the
    /// record store (a crash then restarts like a clean stop until the next change).
    void mark_if_settled(unsigned done) noexcept;
    std::atomic<uint64_t> config_hash_{0};
    bool changed_since_mark_ = false;
    int64_t last_mark_ = 0;  // CLOCK_MONOTONIC second
    size_t inline_rebuild_max_ = kInlineRebuildMax;
    dataplane::dns::ZoneViewSlot& slot_;
    dhcp::DhcpService* dhcp_ = nullptr;
    zone::ZoneStore* zone_store_ = nullptr;
    store::RecordStore* records_ = nullptr;
    std::vector<std::string> dirty_;   // reused
    std::vector<uint32_t> dirty_ids_;  // their ids in the zone store (records_at)
    ZoneUpdateStats zone_stats_;
    Doorbell bell_;
    CommandQueue commands_;
    rte_rcu_qsbr* qsbr_;
    dataplane::dns::ZoneView* current_ = nullptr;  // owned
    boost::lockfree::spsc_queue<dataplane::dns::ZoneView*, boost::lockfree::capacity<8>> inbox_;
    std::vector<Retired> retired_;  // control lcore only
    std::atomic<uint64_t> generation_{0};
    std::atomic<size_t> retired_count_{0};
    int64_t last_maintain_ = 0;  // CLOCK_MONOTONIC second of the last idle maintain() check
};

}  // namespace edgelease::control
