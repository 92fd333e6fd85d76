#pragma once
// Durable DNS records (with provenance) and the DNS audit trail, in their own LMDB
// environment `<state_dir>/dns` (separate from the leases so that neither writer waits on the
// other and each map can grow on its own). The control lcore queues changes (lock-free SPSC,
// no syscall); a writer thread commits them in batches. Records are written after the lease
// change that caused them; after a crash the appliance re-applies the policy to every bound
// lease at start-up, so a record lost in the last batch is re-created.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "control/zone/audit.hpp"
#include "control/zone/zone_store.hpp"

struct MDB_env;

namespace edgelease::control::store {

/// Binary forms (versioned) of a stored record and an audit event. decode_* return nullopt
/// for anything malformed.
std::string encode_record(const zone::StoredRecord& r);
std::optional<zone::StoredRecord> decode_record(const uint8_t* p, size_t n);
std::string encode_audit(const zone::AuditEvent& e);
std::optional<zone::AuditEvent> decode_audit(const uint8_t* p, size_t n);
/// LMDB key of a record: owner | type | RDATA (or a 16-byte digest of it when long).
std::string record_key(const dns::Record& r);

struct RecordStoreStats {
    std::atomic<uint64_t> commits{0};
    std::atomic<uint64_t> writes{0};
    std::atomic<uint64_t> failures{0};
    std::atomic<uint64_t> queue_full{0};  // changes that had to wait in the overflow list
    std::atomic<uint64_t> audit_trimmed{0};
};

class RecordStore final : public zone::RecordSink {
  public:
    /// Opens (creating) `<dir>` as an LMDB environment. Throws std::runtime_error naming the
    /// path and the LMDB error. `audit_limit`: audit events kept (oldest dropped beyond).
    RecordStore(const std::string& dir, bool fsync, size_t audit_limit);
    ~RecordStore() override;
    RecordStore(const RecordStore&) = delete;
    RecordStore& operator=(const RecordStore&) = delete;

    /// Start-up, before start(): every stored record (undecodable ones counted in `skipped`).
    std::vector<zone::StoredRecord> load(size_t& skipped);
    void start();

    // zone::RecordSink (control lcore)
    void put(const zone::StoredRecord& r) override;
    void erase(const dns::Record& r) override;
    /// Control lcore: appends an event (seq assigned here).
    void audit(zone::AuditEvent e);

    /// Control lcore: retries changes that found the queue full. Returns how many moved.
    size_t flush_overflow();
    /// Waits (bounded) until everything queued so far is committed. Tests and shutdown.
    bool wait_idle(std::chrono::milliseconds timeout);

    /// Control lcore: the ticket of the last change queued so far (a running count). A caller
    /// that must not acknowledge a change before it is on disk takes one after making it.
    uint64_t ticket() const { return queued_.load(std::memory_order_relaxed); }
    /// Any thread: waits (bounded) until every change up to `ticket` has left the writer.
    /// Durable when stats().failures has not moved past what the caller saw with the ticket.
    bool wait_committed(uint64_t ticket, std::chrono::milliseconds timeout) const;

    /// Any thread (the API): audit events, newest first, at most `limit`; only those whose
    /// name contains `name_filter` (when not empty) and with seq < `before` (when not 0).
    /// A read transaction: never blocks the writer.
    std::vector<zone::AuditEvent> read_audit(size_t limit, const std::string& name_filter,
                                             uint64_t before = 0) const;

    const RecordStoreStats& stats() const { return stats_; }
    const std::string& path() const { return dir_; }

  private:
    struct Op {
        enum Kind : uint8_t { Put, Del, Audit } kind;
        std::string key;
        std::string value;
    };
    void push(Op* op);
    void writer();
    bool commit(std::vector<Op*>& batch);

    std::string dir_;
    size_t audit_limit_;
    MDB_env* env_ = nullptr;
    unsigned records_dbi_ = 0;
    unsigned audit_dbi_ = 0;
    size_t map_size_ = 0;
    uint64_t next_audit_seq_ = 1;
    uint64_t audit_count_ = 0;  // writer thread
    boost::lockfree::spsc_queue<Op*> queue_{65536};
    std::vector<Op*> overflow_;  // control lcore
    std::atomic<uint64_t> queued_{0};
    std::atomic<uint64_t> committed_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
    // Readers (API threads) hold it shared around a read transaction; the writer takes it
    // exclusively only to grow the map (LMDB: no transaction may be open then).
    mutable std::shared_mutex resize_mu_;
    RecordStoreStats stats_;
};

}  // namespace edgelease::control::store
