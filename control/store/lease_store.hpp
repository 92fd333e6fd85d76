#pragma once
// Durable leases in LMDB with group commit. The control lcore enqueues changed leases with a
// sequence number (lock-free SPSC queue, no syscall); a writer thread drains the queue, writes
// each batch in one LMDB transaction and commits it (fsync unless durability = "os"), then
// publishes how far it got. The control lcore releases a held DHCPACK only once the sequence
// number of its lease change is durable.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "common/doorbell.hpp"
#include "common/log_throttle.hpp"
#include "control/dhcp/lease.hpp"
#include "control/store/lease_codec.hpp"

struct MDB_env;

namespace edgelease::control::store {

struct PendingWrite {
    uint64_t seq = 0;
    uint32_t ip = 0;     // family 4: the lease's key
    uint8_t family = 4;  // 4: a DHCPv4 lease (database "leases"); 6: DHCPv6 ("leases6")
    uint8_t key6[kLease6KeyLen] = {};  // family 6: the lease's key
    uint16_t len = 0;                  // 0 = delete the lease
    uint8_t bytes[kMaxEncodedLease];
};
static_assert(std::is_trivially_copyable_v<PendingWrite>);

/// Upper bounds (seconds) of the commit-latency histogram buckets; the last bucket is +Inf.
inline constexpr std::array<double, 11> kCommitBuckets{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                       0.05,   0.1,   0.25,  0.5,   1.0};

struct StoreStats {
    /// commit_buckets[i] counts commits that took <= kCommitBuckets[i] (cumulative, as
    /// Prometheus histograms are); commit_buckets.back() counts all (+Inf).
    std::array<std::atomic<uint64_t>, kCommitBuckets.size() + 1> commit_buckets{};
    std::atomic<uint64_t> commits{0};
    std::atomic<uint64_t> records{0};
    std::atomic<uint64_t> failures{0};
    std::atomic<uint64_t> commit_ns_total{0};
    std::atomic<uint64_t> commit_ns_max{0};
    std::atomic<uint64_t> map_resizes{0};
    std::atomic<uint64_t> map_full{0};    // commits refused: the map is at its configured maximum
    std::atomic<uint64_t> wakeups{0};     // times the control lcore woke the idle writer
    std::atomic<uint64_t> meta_syncs{0};  // mdb_env_sync calls: the queue ran dry after a commit
};

/// Sequence numbers [from, to] of one batch that could not be committed.
struct FailedRange {
    uint64_t from = 0;
    uint64_t to = 0;
};

class LeaseStore {
  public:
    static constexpr size_t kQueueDepth = 16384;
    static constexpr size_t kDefaultMaxMapSize = size_t{64} << 30;

    /// Opens (creating) the LMDB environment in `dir`. Throws std::runtime_error naming the
    /// path and the LMDB error. `fsync` false = durability "os" (MDB_NOSYNC). The map starts
    /// at min(1 GiB, max_map_size) and doubles on MDB_MAP_FULL up to `max_map_size`
    /// ([appliance].lease_store_max_mib); a batch that does not fit then fails (map_full).
    LeaseStore(const std::string& dir, bool fsync, size_t max_map_size = kDefaultMaxMapSize);
    /// Drains the queue, commits and stops the writer (stop()).
    ~LeaseStore();
    LeaseStore(const LeaseStore&) = delete;
    LeaseStore& operator=(const LeaseStore&) = delete;

    /// Every stored lease (start-up, before start()). Undecodable entries are skipped and
    /// counted in `skipped`.
    std::vector<dhcp::Lease> load(size_t& skipped);
    /// The same, each lease handed to `take` as it is read (no table of them all); `count`
    /// is set first to how many are stored.
    void load_each(const std::function<void(const dhcp::Lease&)>& take, size_t& skipped,
                   size_t& count);
    /// Every stored DHCPv6 lease, the same ways.
    std::vector<dhcp::Lease6> load6(size_t& skipped);
    void load_each6(const std::function<void(const dhcp::Lease6&)>& take, size_t& skipped,
                    size_t& count);

    /// Start-up, before start(): the server's DHCPv6 DUID (option 2). Made once, as a
    /// DUID-LLT (RFC 9915 §11.2) from `mac` and `now`, and kept in the database from then on:
    /// a server whose DUID changed would send every client to Rebind. Throws on LMDB errors.
    std::vector<uint8_t> server_duid(const net::MacAddr& mac, int64_t now);

    /// Rung after every batch the writer finishes (the control lcore sleeps on it, so a held
    /// ACK leaves as soon as its lease is durable). Set before start(); nullptr = none.
    void set_done_bell(Doorbell* bell) noexcept { done_bell_ = bell; }
    void start();
    /// Shutdown, once the control lcore has stopped: drains the queue, commits, flushes and
    /// stops the writer. True when every change queued in this run is on disk: no commit
    /// failed. Idempotent; the destructor calls it.
    bool stop();
    /// LMDB's id of the environment's last committed write transaction: it moves with every
    /// commit, so two readings that agree saw the same stored leases (start-up, before
    /// start(); shutdown, after stop()).
    uint64_t last_txn() const;

    /// Control lcore: queue a lease change (a lease in state Free deletes its record). False
    /// when the queue is full (the caller holds back and retries: nothing may be ACKed that
    /// is not queued).
    bool enqueue(const dhcp::Lease& lease, uint64_t seq) noexcept;
    /// The same for a DHCPv6 lease: same queue, same sequence numbers, same group commit.
    bool enqueue6(const dhcp::Lease6& lease, uint64_t seq) noexcept;
    size_t write_available() const noexcept { return queue_.write_available(); }
    /// Control lcore, after enqueueing: wakes the writer if it sleeps (a FUTEX_WAKE then;
    /// a fence and a load while it is busy). Once per poll is enough: a batch is group work.
    void wake() noexcept {
        if (work_bell_.ring()) stats_.wakeups.fetch_add(1, std::memory_order_relaxed);
    }

    /// Highest sequence number processed by the writer. Writes up to it are durable unless
    /// they fall in a failed range.
    uint64_t done_seq() const noexcept { return done_seq_.load(std::memory_order_acquire); }
    /// Any thread (the API's): waits, bounded, until done_seq() reaches `seq`. Durable then
    /// unless stats().failures moved past what the caller read when `seq` was queued.
    bool wait_done(uint64_t seq, std::chrono::milliseconds timeout) const {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (done_seq() < seq) {
            if (std::chrono::steady_clock::now() >= until) return false;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        return true;
    }
    /// Control lcore (the one consumer): the next batch that could not be committed (storage
    /// error, map full), oldest first. Every failed range at or below a done_seq() read
    /// before this call has been published: read done_seq() first, then take the ranges.
    /// The writer waits (it never drops a range) while the control lcore is behind.
    bool take_failed(FailedRange& out) noexcept { return failed_.pop(out); }

    const StoreStats& stats() const { return stats_; }
    const std::string& path() const { return dir_; }

  private:
    void writer();
    /// How a batch's commit went. Flushed: written and (durability fsync) flushed, which also
    /// carried an earlier commit's meta page to disk. Unchanged: nothing to change (deletes
    /// of absent keys): LMDB commits without writing or flushing anything. FailedBefore: an
    /// error before the commit call (nothing flushed, nothing written). FailedInCommit: the
    /// commit itself failed, perhaps in its flush: an earlier unflushed meta page may be lost
    /// with it (a later fsync reports success once the error was reported once).
    enum class CommitResult { Flushed, Unchanged, FailedBefore, FailedInCommit };
    CommitResult commit(const std::vector<PendingWrite>& batch);
    void publish_failed(const FailedRange& range);
    void publish_done(uint64_t seq);
    void sync_unsynced();
    // Writer thread, durability fsync: the last committed batch whose meta page is written
    // but not yet flushed (MDB_NOMETASYNC). done_seq_ stays below it until a flush.
    struct Unsynced {
        bool any = false;
        uint64_t from = 0;
        uint64_t to = 0;
    };
    Unsynced unsynced_;
    bool fsync_ = true;
    void note_failure(size_t leases, int rc);

    std::string dir_;
    MDB_env* env_ = nullptr;
    unsigned dbi_ = 0;
    unsigned dbi6_ = 0;
    unsigned meta_dbi_ = 0;
    size_t map_size_ = 0;
    // Run-time capacity: the storage (about 10 MiB) lives on the heap, not in the object.
    boost::lockfree::spsc_queue<PendingWrite> queue_{kQueueDepth};
    std::atomic<uint64_t> done_seq_{0};
    size_t max_map_size_ = kDefaultMaxMapSize;
    boost::lockfree::spsc_queue<FailedRange, boost::lockfree::capacity<256>> failed_;
    LogThrottle fail_log_{10};  // writer thread: a commit-failure line at most every 10 s
    std::atomic<bool> stop_{false};
    Doorbell work_bell_;  // the writer sleeps on it while the queue is empty
    Doorbell* done_bell_ = nullptr;
    std::thread thread_;
    StoreStats stats_;
};

/// Reads every lease of an environment without writing to it (MDB_RDONLY): for inspection
/// while the appliance runs (LMDB readers never block the writer). Throws on errors.
std::vector<dhcp::Lease> read_leases(const std::string& dir, size_t& skipped);
/// The same for the DHCPv6 leases (none in a database written before DHCPv6 existed).
std::vector<dhcp::Lease6> read_leases6(const std::string& dir, size_t& skipped);

}  // namespace edgelease::control::store
