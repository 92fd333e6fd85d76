#pragma once
// Durable leases in LMDB with group commit. The control lcore enqueues changed leases with a
// sequence number (lock-free SPSC queue, no syscall); a writer thread drains the queue, writes
// each batch in one LMDB transaction and commits it (fsync unless durability = "os"), then
// publishes how far it got. The control lcore releases a held DHCPACK only once the sequence
// number of its lease change is durable.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "control/dhcp/lease.hpp"
#include "control/store/lease_codec.hpp"

struct MDB_env;

namespace edgelease::store {

struct PendingWrite {
    uint64_t seq = 0;
    uint32_t ip = 0;
    uint16_t len = 0;  // 0 = delete the lease
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
};

class LeaseStore {
public:
    static constexpr size_t kQueueDepth = 16384;

    /// Opens (creating) the LMDB environment in `dir`. Throws std::runtime_error naming the
    /// path and the LMDB error. `fsync` false = durability "os" (MDB_NOSYNC).
    LeaseStore(const std::string& dir, bool fsync);
    /// Drains the queue, commits and stops the writer.
    ~LeaseStore();
    LeaseStore(const LeaseStore&) = delete;
    LeaseStore& operator=(const LeaseStore&) = delete;

    /// Every stored lease (start-up, before start()). Undecodable entries are skipped and
    /// counted in `skipped`.
    std::vector<dhcp::Lease> load(size_t& skipped);

    void start();

    /// Control lcore: queue a lease change (a lease in state Free deletes its record). False
    /// when the queue is full (the caller holds back and retries: nothing may be ACKed that
    /// is not queued).
    bool enqueue(const dhcp::Lease& lease, uint64_t seq) noexcept;
    size_t write_available() const noexcept { return queue_.write_available(); }

    /// Highest sequence number processed by the writer. Writes up to it are durable unless
    /// they fall in the failed range.
    uint64_t done_seq() const noexcept { return done_seq_.load(std::memory_order_acquire); }
    /// True when `seq` was in a batch that could not be committed (storage error).
    bool failed(uint64_t seq) const noexcept {
        return seq >= failed_from_.load(std::memory_order_acquire) &&
               seq <= failed_to_.load(std::memory_order_acquire);
    }

    const StoreStats& stats() const { return stats_; }
    const std::string& path() const { return dir_; }

private:
    void writer();
    bool commit(const std::vector<PendingWrite>& batch);

    std::string dir_;
    MDB_env* env_ = nullptr;
    unsigned dbi_ = 0;
    size_t map_size_ = 0;
    // Run-time capacity: the storage (about 10 MiB) lives on the heap, not in the object.
    boost::lockfree::spsc_queue<PendingWrite> queue_{kQueueDepth};
    std::atomic<uint64_t> done_seq_{0};
    std::atomic<uint64_t> failed_from_{1};
    std::atomic<uint64_t> failed_to_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
    StoreStats stats_;
};

/// Reads every lease of an environment without writing to it (MDB_RDONLY): for inspection
/// while the appliance runs (LMDB readers never block the writer). Throws on errors.
std::vector<dhcp::Lease> read_leases(const std::string& dir, size_t& skipped);

}  // namespace edgelease::store
