#pragma once
// Durable DNS records (with provenance) and the DNS audit trail, in their own LMDB
// environment `<state_dir>/dns` (separate from the leases so that neither writer waits on the
// other and each map can grow on its own). The control lcore queues changes (lock-free SPSC,
// no syscall); a writer thread commits them in batches. Records are written after the lease
// change that caused them; after a crash the appliance re-applies the policy to every bound
// lease at start-up, so a record lost in the last batch is re-created.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/lockfree/spsc_queue.hpp>

#include "common/doorbell.hpp"
#include "control/store/journal.hpp"
#include "control/zone/audit.hpp"
#include "control/zone/zone_store.hpp"

struct MDB_env;

namespace edgelease::control::store {

/// Binary forms (versioned) of a stored record and an audit event. decode_* return nullopt
/// for anything malformed.
std::string encode_record(const zone::StoredRecord& r);
std::optional<zone::StoredRecord> decode_record(const uint8_t* p, size_t n);
/// The same into `r`, whose buffers are reused (a start-up decodes a million this way).
bool decode_record_into(const uint8_t* p, size_t n, zone::StoredRecord& r);
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
    std::atomic<uint64_t> marks{0};   // settled moments' clean marks committed
    std::atomic<uint64_t> marked{0};  // 1 while the committed store holds the mark
};

/// What a clean stop leaves in the record store: the lease store's last transaction id and
/// the configuration's hash at that moment. A start that finds both unchanged knows the two
/// stores hold the same leases' records and skips re-checking them (control::restore_leases).
/// With it, the generations the latest DHCPv4 and DHCPv6 lease changes had taken then: every
/// lease change up to them had its records committed. That part outlives the next change (as
/// the "settled" mark): after a crash, only leases and records of later generations need a
/// re-check.
struct CleanStop {
    uint64_t lease_txn = 0;
    uint64_t config_hash = 0;
    uint64_t generation4 = 0;  // 0 with generation6: a mark from before generations were kept
    uint64_t generation6 = 0;
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
    /// The same, each record handed to `take` as it is read; `count` is set first to how many
    /// are stored.
    void load_each(const std::function<void(const zone::StoredRecord&)>& take, size_t& skipped,
                   size_t& count);
    void start();
    /// Start-up, before start(): the mark the last clean stop left, if any, removed at once
    /// (durably) so that a crash later in this run cannot find it. Throws on LMDB errors.
    std::optional<CleanStop> take_clean_stop();
    /// Start-up: the latest settled moment's mark (kept: the next one replaces it), whose
    /// generations bound the re-check after a crash. Only marks that carry generations.
    std::optional<CleanStop> settled_mark();
    /// Shutdown, once the control lcore has stopped: moves what waits in the overflow list,
    /// drains, commits and stops the writer. True when every change of this run is on disk.
    /// Idempotent; the destructor calls it.
    bool stop();
    /// After stop() returned true (and the lease store's stop() too): the mark for the next
    /// start. A failure is logged; the next start then checks everything.
    void write_clean_stop(const CleanStop& c);
    /// Control lcore, while running, at a moment when every lease change is committed and
    /// every record change queued: the same mark, written in order after those changes. The
    /// writer deletes it in the same transaction as the next change it commits (audit events
    /// aside), so a crash finds it only while nothing has changed since.
    void mark_consistent(const CleanStop& c);
    /// Control lcore: nothing waits in the overflow list and no commit has failed.
    bool settled() const noexcept {
        return overflow_.empty() && stats_.failures.load(std::memory_order_relaxed) == 0;
    }

    // zone::RecordSink (control lcore)
    void put(const zone::StoredRecord& r) override;
    void erase(const dns::Record& r) override;
    void zone_dirty(const dns::WireName& apex) override;
    void zone_serial(const dns::Record& soa) override;
    void zone_removed(const dns::WireName& apex) override;

    /// Called on the writer thread, after the commit, with each zone whose new serial that
    /// commit made durable (NOTIFY goes out then). Any thread may set it, at any time.
    void set_serial_listener(std::function<void(const dns::WireName&)> fn) {
        std::lock_guard lock(listener_mu_);
        serial_listener_ = std::move(fn);
    }

    /// Start-up: each zone's SOA serial as last stored (zone_store.cpp's restore_serial).
    std::vector<std::pair<dns::WireName, uint32_t>> load_serials() const;

    /// A zone as one consistent snapshot of the store (zone_snapshot.cpp): its SOA and every
    /// other record at or below its apex and not in a deeper hosted zone, as of the serial
    /// in the SOA. Any thread; one short read transaction, never blocks the writer.
    struct ZoneSnapshot {
        enum class State : uint8_t {
            Ok,
            NotHosted,  // no such zone (or none stored yet)
            Changing,   // changes of the next serial are already stored: ask again shortly
            Failed,     // the read failed (logged)
        } state = State::NotHosted;
        dns::Record soa;
        std::vector<dns::Record> records;  // the SOA not among them
    };
    /// `changing_ok`: a zone with changes of its next serial already stored is read as it is
    /// (state Ok) instead of answering Changing: a view rebuilt from the store takes the
    /// names changed since from the zone store anyway (control_plane.cpp).
    ZoneSnapshot snapshot_zone(const dns::WireName& apex, bool changing_ok = false) const;

    /// One page of a zone's records as stored (the API's paged listing): those after the
    /// record whose key (record_key) is `after` ("" = from the first), in key order (owner
    /// as lower-case wire bytes, type, RDATA), that `want` accepts, at most `limit`. Any
    /// thread; one read transaction that visits only the keys from `after` on until the page
    /// is full, so the control lcore never sees it.
    struct ZonePage {
        enum class State : uint8_t { Ok, NotHosted, Failed } state = State::NotHosted;
        std::vector<zone::StoredRecord> records;  // the SOA not among them
        std::string next;  // the last record's key when the page is full; "" after the last
    };
    ZonePage page_zone(const dns::WireName& apex, const std::string& after, size_t limit,
                       const std::function<bool(const zone::StoredRecord&)>& want) const;

    /// For IXFR (zone_snapshot.cpp): the zone's changes from serial `from` to its current
    /// one, from the journal, in one read transaction. UpToDate when `from` is the current
    /// serial (or newer); NoJournal when the journal does not reach back to `from`.
    struct ZoneChanges {
        enum class State : uint8_t { Ok, UpToDate, NoJournal, NotHosted, Changing, Failed };
        State state = State::NotHosted;
        dns::Record soa;               // the current one
        std::vector<Changeset> chain;  // from `from` to the current serial, in order
    };
    ZoneChanges zone_changes(const dns::WireName& apex, uint32_t from) const;
    /// Control lcore: appends an event (seq assigned here).
    void audit(zone::AuditEvent e);

    /// Control lcore: retries changes that found the queue full. Returns how many moved.
    size_t flush_overflow();
    /// Control lcore: changes wait in the overflow list for room in the queue.
    bool overflow_pending() const noexcept { return !overflow_.empty(); }
    /// Rung after each commit (the control lcore's, so that waiting changes move on). Set
    /// before start().
    void set_done_bell(Doorbell* bell) noexcept { done_bell_ = bell; }
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
        // Mark: the clean-stop mark, written in order with the changes (value: 16 bytes).
        enum Kind : uint8_t { Put, Del, Audit, ZoneDirty, ZoneSerial, ZoneRemoved, Mark } kind;
        std::string key;
        std::string value;
        // Audit with deferred texts: completed and encoded into `value` by the writer.
        std::unique_ptr<zone::AuditEvent> event;
    };
    void push(Op* op);
    void writer();
    bool commit(std::vector<Op*>& batch);
    void notify_serials(const std::vector<Op*>& batch);
    int apply_zone_op(void* txn, const Op& op);  // zone_snapshot.cpp; an LMDB return code
    int journal_op(void* txn, const Op& op);     // zone_snapshot.cpp: the journal's side

    std::string dir_;
    size_t audit_limit_;
    MDB_env* env_ = nullptr;
    unsigned records_dbi_ = 0;
    unsigned audit_dbi_ = 0;
    unsigned zones_dbi_ = 0;    // apex -> zone state (zone_snapshot.cpp)
    unsigned journal_dbi_ = 0;  // apex | sequence -> changeset (journal.cpp)
    unsigned meta_dbi_ = 0;     // "clean-stop" -> CleanStop
    bool mark_stored_ = false;  // writer thread: the committed store holds the mark
    Journal journal_;           // the writer thread's
    size_t map_size_ = 0;
    uint64_t next_audit_seq_ = 1;
    uint64_t audit_count_ = 0;  // writer thread
    boost::lockfree::spsc_queue<Op*> queue_{65536};
    std::vector<Op*> overflow_;  // control lcore
    std::atomic<uint64_t> queued_{0};
    std::atomic<uint64_t> committed_{0};
    std::atomic<bool> stop_{false};
    mutable Doorbell work_bell_;  // the writer sleeps on it while the queue is empty
    Doorbell* done_bell_ = nullptr;
    uint64_t rung_at_ = 0;  // control lcore: queued_ when flush_overflow last rang
    std::thread thread_;
    // Readers (API threads) hold it shared around a read transaction; the writer takes it
    // exclusively only to grow the map (LMDB: no transaction may be open then).
    mutable std::shared_mutex resize_mu_;
    std::mutex listener_mu_;
    std::function<void(const dns::WireName&)> serial_listener_;  // under listener_mu_
    RecordStoreStats stats_;
};

}  // namespace edgelease::control::store
