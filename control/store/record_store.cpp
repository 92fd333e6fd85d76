#include "control/store/record_store.hpp"

#include <pthread.h>
#include "control/store/lmdb_scan.hpp"

#include <lmdb.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <openssl/sha.h>

#include "common/log.hpp"

namespace edgelease::control::store {

namespace {
constexpr size_t kInitialMapSize = size_t{1} << 30;
constexpr size_t kMaxMapSize = size_t{64} << 30;
constexpr size_t kBatch = 4096;
constexpr uint32_t kIdleWaitUs = 100000;  // the idle writer's longest sleep without a ring
constexpr uint8_t kVersion = 1;

[[noreturn]] void fail(const std::string& dir, const char* what, int rc) {
    detail::lmdb_fail("record store", dir, what, rc);
}

class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}
    template <class T>
    void num(T v) {
        for (int s = (sizeof(T) - 1) * 8; s >= 0; s -= 8)
            out_.push_back(static_cast<char>(static_cast<uint64_t>(v) >> s));
    }
    void bytes16(const void* p, size_t n) {
        num<uint16_t>(static_cast<uint16_t>(n));
        out_.append(static_cast<const char*>(p), n);
    }
    void str(const std::string& s) { bytes16(s.data(), std::min<size_t>(s.size(), 65535)); }

  private:
    std::string& out_;
};

class Reader {
  public:
    Reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
    template <class T>
    T num() {
        T v = 0;
        if (static_cast<size_t>(end_ - p_) < sizeof(T)) {
            ok_ = false;
            return 0;
        }
        uint64_t acc = 0;
        for (size_t i = 0; i < sizeof(T); ++i) acc = acc << 8 | p_[i];
        p_ += sizeof(T);
        v = static_cast<T>(acc);
        return v;
    }
    bool bytes16(std::vector<uint8_t>& out) {
        uint16_t n = num<uint16_t>();
        if (!ok_ || static_cast<size_t>(end_ - p_) < n) return ok_ = false;
        out.assign(p_, p_ + n);
        p_ += n;
        return true;
    }
    bool str(std::string& out) {
        uint16_t n = num<uint16_t>();
        if (!ok_ || static_cast<size_t>(end_ - p_) < n) return ok_ = false;
        out.assign(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return true;
    }
    bool ok() const { return ok_; }
    bool at_end() const { return p_ == end_; }

  private:
    const uint8_t* p_;
    const uint8_t* end_;
    bool ok_ = true;
};

void key_u64(uint64_t v, uint8_t out[8]) {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}
}  // namespace

std::string record_key(const dns::Record& r) {
    std::string k(r.owner.begin(), r.owner.end());
    k.push_back(static_cast<char>(r.type >> 8));
    k.push_back(static_cast<char>(r.type));
    // LMDB keys are at most 511 bytes: long RDATA is represented by its SHA-256 prefix.
    if (k.size() + r.rdata.size() <= 480) {
        k.append(r.rdata.begin(), r.rdata.end());
    } else {
        uint8_t d[SHA256_DIGEST_LENGTH];
        SHA256(r.rdata.data(), r.rdata.size(), d);
        k.push_back('\xff');
        k.append(reinterpret_cast<const char*>(d), 16);
    }
    return k;
}

std::string encode_record(const zone::StoredRecord& r) {
    std::string out;
    Writer w(out);
    w.num<uint8_t>(kVersion);
    w.num<uint8_t>(static_cast<uint8_t>(r.prov.origin));
    w.num<uint16_t>(r.rr.type);
    w.num<uint32_t>(r.rr.ttl);
    w.num<int64_t>(r.prov.created);
    w.num<int64_t>(r.prov.updated);
    w.num<uint64_t>(r.prov.generation);
    w.bytes16(r.rr.owner.data(), r.rr.owner.size());
    w.str(r.prov.owner);
    w.bytes16(r.rr.rdata.data(), r.rr.rdata.size());
    return out;
}

std::optional<zone::StoredRecord> decode_record(const uint8_t* p, size_t n) {
    zone::StoredRecord r;
    if (!decode_record_into(p, n, r)) return std::nullopt;
    return r;
}

bool decode_record_into(const uint8_t* p, size_t n, zone::StoredRecord& r) {
    Reader rd(p, n);
    if (rd.num<uint8_t>() != kVersion) return false;
    uint8_t origin = rd.num<uint8_t>();
    if (origin >= zone::kOriginNames.size()) return false;
    r.prov.origin = static_cast<zone::Origin>(origin);
    r.rr.type = rd.num<uint16_t>();
    r.rr.ttl = rd.num<uint32_t>();
    r.prov.created = rd.num<int64_t>();
    r.prov.updated = rd.num<int64_t>();
    r.prov.generation = rd.num<uint64_t>();
    r.rr.klass = dns::rrclass::IN;
    if (!rd.bytes16(r.rr.owner) || !rd.str(r.prov.owner) || !rd.bytes16(r.rr.rdata)) return false;
    return rd.ok() && rd.at_end() && !r.rr.owner.empty() &&
           r.rr.owner.size() <= dns::kMaxNameWire && r.rr.owner.back() == 0;
}

std::string encode_audit(const zone::AuditEvent& e) {
    std::string out;
    Writer w(out);
    w.num<uint8_t>(kVersion);
    w.num<uint64_t>(e.seq);
    w.num<int64_t>(e.time);
    w.num<uint16_t>(e.type);
    w.num<uint8_t>(static_cast<uint8_t>(e.origin));
    w.num<uint8_t>(static_cast<uint8_t>(e.reason));
    w.num<uint8_t>(e.applied ? 1 : 0);
    for (const std::string* s : {&e.name, &e.old_data, &e.new_data, &e.owner, &e.detail}) w.str(*s);
    return out;
}

std::optional<zone::AuditEvent> decode_audit(const uint8_t* p, size_t n) {
    Reader rd(p, n);
    if (rd.num<uint8_t>() != kVersion) return std::nullopt;
    zone::AuditEvent e;
    e.seq = rd.num<uint64_t>();
    e.time = rd.num<int64_t>();
    e.type = rd.num<uint16_t>();
    uint8_t origin = rd.num<uint8_t>(), reason = rd.num<uint8_t>();
    e.applied = rd.num<uint8_t>() != 0;
    if (origin >= zone::kOriginNames.size() || reason >= zone::kAuditReasonNames.size())
        return std::nullopt;
    e.origin = static_cast<zone::Origin>(origin);
    e.reason = static_cast<zone::AuditReason>(reason);
    for (std::string* s : {&e.name, &e.old_data, &e.new_data, &e.owner, &e.detail})
        if (!rd.str(*s)) return std::nullopt;
    if (!rd.ok() || !rd.at_end()) return std::nullopt;
    return e;
}

RecordStore::RecordStore(const std::string& dir, bool fsync, size_t audit_limit)
    : dir_(dir), audit_limit_(audit_limit == 0 ? 1 : audit_limit), map_size_(kInitialMapSize) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("record store " + dir +
                                 ": cannot create directory: " + ec.message());
    if (int rc = mdb_env_create(&env_); rc != 0) fail(dir, "mdb_env_create", rc);
    mdb_env_set_maxdbs(env_, 6);
    mdb_env_set_mapsize(env_, map_size_);
    unsigned flags = MDB_NOTLS | (fsync ? 0u : MDB_NOSYNC);
    if (int rc = mdb_env_open(env_, dir.c_str(), flags, 0640); rc != 0) {
        mdb_env_close(env_);
        env_ = nullptr;
        fail(dir, "cannot open the LMDB environment", rc);
    }
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) fail(dir, "mdb_txn_begin", rc);
    MDB_dbi rdbi, adbi, zdbi, jdbi, mdbi;
    int rc = mdb_dbi_open(txn, "records", MDB_CREATE, &rdbi);
    if (rc == 0) rc = mdb_dbi_open(txn, "audit", MDB_CREATE, &adbi);
    if (rc == 0) rc = mdb_dbi_open(txn, "zones", MDB_CREATE, &zdbi);
    if (rc == 0) rc = mdb_dbi_open(txn, "journal", MDB_CREATE, &jdbi);
    if (rc == 0) rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &mdbi);
    if (rc != 0) {
        mdb_txn_abort(txn);
        fail(dir, "cannot open the records/audit/zones/journal/meta databases", rc);
    }
    journal_.load(txn, zdbi, jdbi);
    // The audit sequence continues after the newest stored event.
    MDB_stat st;
    if (mdb_stat(txn, adbi, &st) == 0) audit_count_ = st.ms_entries;
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn, adbi, &cur) == 0) {
        MDB_val k, v;
        if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8) {
            uint64_t last = 0;
            for (size_t i = 0; i < 8; ++i)
                last = last << 8 | static_cast<const uint8_t*>(k.mv_data)[i];
            next_audit_seq_ = last + 1;
        }
        mdb_cursor_close(cur);
    }
    if (rc = mdb_txn_commit(txn); rc != 0) fail(dir, "mdb_txn_commit", rc);
    records_dbi_ = rdbi;
    audit_dbi_ = adbi;
    zones_dbi_ = zdbi;
    journal_dbi_ = jdbi;
    meta_dbi_ = mdbi;
}

namespace {
constexpr char kCleanKey[] = "clean-stop";
constexpr char kSettledKey[] = "settled";

/// A mark's bytes: 16 (lease txn, config hash: before generations were kept) or 32.
std::optional<CleanStop> decode_clean(const MDB_val& v) {
    if (v.mv_size != 16 && v.mv_size != 32) return std::nullopt;
    const auto* p = static_cast<const uint8_t*>(v.mv_data);
    auto u64 = [&](size_t at) {
        uint64_t x = 0;
        for (int i = 7; i >= 0; --i) x = x << 8 | p[at + static_cast<size_t>(i)];
        return x;
    };
    CleanStop c;
    c.lease_txn = u64(0);
    c.config_hash = u64(8);
    if (v.mv_size == 32) {
        c.generation4 = u64(16);
        c.generation6 = u64(24);
    }
    return c;
}
}  // namespace

std::optional<CleanStop> RecordStore::settled_mark() {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn); rc != 0)
        fail(dir_, "mdb_txn_begin", rc);
    MDB_val k{sizeof kSettledKey - 1, const_cast<char*>(kSettledKey)};
    MDB_val v;
    std::optional<CleanStop> out;
    if (mdb_get(txn, meta_dbi_, &k, &v) == 0 && v.mv_size == 32) out = decode_clean(v);
    mdb_txn_abort(txn);
    return out;
}

std::optional<CleanStop> RecordStore::take_clean_stop() {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) fail(dir_, "mdb_txn_begin", rc);
    MDB_val k{sizeof kCleanKey - 1, const_cast<char*>(kCleanKey)};
    MDB_val v;
    std::optional<CleanStop> out;
    if (mdb_get(txn, meta_dbi_, &k, &v) == 0 && decode_clean(v)) {
        out = decode_clean(v);
        if (int rc = mdb_del(txn, meta_dbi_, &k, nullptr); rc != 0) {
            mdb_txn_abort(txn);
            fail(dir_, "cannot clear the clean-stop mark", rc);
        }
        // Durable before anything else is written: a crash from here on must not find it.
        if (int rc = mdb_txn_commit(txn); rc != 0)
            fail(dir_, "cannot clear the clean-stop mark", rc);
        if (int rc = mdb_env_sync(env_, 1); rc != 0)
            fail(dir_, "cannot clear the clean-stop mark", rc);
        return out;
    }
    mdb_txn_abort(txn);
    return out;
}

bool RecordStore::stop() {
    // What waits in the overflow list goes in as the writer makes room (bounded: a writer
    // that stopped committing leaves it behind, and the stop is not clean).
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!overflow_.empty() && thread_.joinable() && std::chrono::steady_clock::now() < until)
        if (flush_overflow() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop_.store(true);
    work_bell_.ring();
    if (thread_.joinable()) thread_.join();
    const bool synced = env_ == nullptr || mdb_env_sync(env_, 1) == 0;
    return synced && overflow_.empty() && queue_.read_available() == 0 &&
           committed_.load() == queued_.load() && stats_.failures.load() == 0;
}

namespace {
std::string clean_bytes(const CleanStop& c) {
    std::string b(32, '\0');
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<char>(c.lease_txn >> (8 * i));
        b[8 + i] = static_cast<char>(c.config_hash >> (8 * i));
        b[16 + i] = static_cast<char>(c.generation4 >> (8 * i));
        b[24 + i] = static_cast<char>(c.generation6 >> (8 * i));
    }
    return b;
}
}  // namespace

void RecordStore::mark_consistent(const CleanStop& c) {
    push(new Op{Op::Mark, {}, clean_bytes(c)});
}

void RecordStore::write_clean_stop(const CleanStop& c) {
    std::string b = clean_bytes(c);
    MDB_txn* txn = nullptr;
    MDB_val k{sizeof kCleanKey - 1, const_cast<char*>(kCleanKey)};
    MDB_val ks{sizeof kSettledKey - 1, const_cast<char*>(kSettledKey)};
    MDB_val v{b.size(), b.data()};
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) rc = mdb_put(txn, meta_dbi_, &k, &v, 0);
    if (rc == 0) rc = mdb_put(txn, meta_dbi_, &ks, &v, 0);
    if (rc == 0) {
        rc = mdb_txn_commit(txn);
    } else if (txn != nullptr) {
        mdb_txn_abort(txn);
    }
    if (rc == 0) rc = mdb_env_sync(env_, 1);
    if (rc != 0)
        LOG_WARN(
            "record store %s: cannot write the clean-stop mark (%s): the next start checks "
            "every lease's DNS records",
            dir_.c_str(), mdb_strerror(rc));
}

RecordStore::~RecordStore() {
    stop();
    for (Op* op : overflow_) delete op;  // left behind by a writer that stopped committing
    overflow_.clear();
    Op* op = nullptr;
    while (queue_.pop(op)) delete op;
    if (env_ != nullptr) mdb_env_close(env_);
}

std::vector<zone::StoredRecord> RecordStore::load(size_t& skipped) {
    return detail::scan_all<zone::StoredRecord>(
        env_, records_dbi_, "record store", dir_,
        [](const uint8_t* p, size_t n) { return decode_record(p, n); }, skipped);
}

void RecordStore::load_each(const std::function<void(const zone::StoredRecord&)>& take,
                            size_t& skipped, size_t& count) {
    count = detail::entries(env_, records_dbi_);
    detail::scan_into<zone::StoredRecord>(env_, records_dbi_, "record store", dir_,
                                          decode_record_into, take, skipped);
}

void RecordStore::start() {
    thread_ = std::thread([this] { writer(); });
}

void RecordStore::push(Op* op) {
    queued_.fetch_add(1, std::memory_order_relaxed);
    if (!overflow_.empty() || !queue_.push(op)) {
        // Keep order: once something waits, everything after it waits too.
        stats_.queue_full.fetch_add(1, std::memory_order_relaxed);
        overflow_.push_back(op);
    }
}

size_t RecordStore::flush_overflow() {
    size_t moved = 0;
    while (moved < overflow_.size() && queue_.push(overflow_[moved])) ++moved;
    overflow_.erase(overflow_.begin(), overflow_.begin() + static_cast<long>(moved));
    // Once per control poll rather than per change: the writer takes what came since, and
    // what moved from the overflow list (counted in queued_ when it first waited there).
    const uint64_t queued = queued_.load(std::memory_order_relaxed);
    if (queued != rung_at_ || moved != 0) {
        rung_at_ = queued;
        work_bell_.ring();
    }
    return moved;
}

void RecordStore::put(const zone::StoredRecord& r) {
    push(new Op{Op::Put, record_key(r.rr), encode_record(r)});
}

void RecordStore::erase(const dns::Record& r) {
    push(new Op{Op::Del, record_key(r), {}});
}

void RecordStore::audit(zone::AuditEvent e) {
    e.seq = next_audit_seq_++;
    uint8_t k[8];
    key_u64(e.seq, k);
    if (e.deferred) {
        // The texts are made on the writer thread, off the control lcore.
        auto* op = new Op{Op::Audit, std::string(reinterpret_cast<char*>(k), 8), {}, nullptr};
        op->event = std::make_unique<zone::AuditEvent>(std::move(e));
        push(op);
        return;
    }
    push(new Op{Op::Audit, std::string(reinterpret_cast<char*>(k), 8), encode_audit(e), nullptr});
}

bool RecordStore::wait_idle(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        flush_overflow();
        if (overflow_.empty() && committed_.load() >= queued_.load()) return true;
        timespec ts{0, 1000000};
        nanosleep(&ts, nullptr);
    }
    return false;
}

bool RecordStore::wait_committed(uint64_t ticket, std::chrono::milliseconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (committed_.load(std::memory_order_acquire) < ticket) {
        if (std::chrono::steady_clock::now() >= until) return false;
        work_bell_.ring();  // any thread may ring; the control lcore's poll may be asleep
        timespec ts{0, 200000};
        nanosleep(&ts, nullptr);
    }
    return true;
}

bool RecordStore::commit(std::vector<Op*>& batch) {
    journal_.begin_batch();
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (attempt > 0) journal_.abort_batch();  // the failed attempt's changes go back
        MDB_txn* txn = nullptr;
        int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
        size_t added = 0;
        bool marked = mark_stored_;
        for (size_t i = 0; rc == 0 && i < batch.size(); ++i) {
            Op& op = *batch[i];
            if (op.event) {
                op.event->complete();
                op.value = encode_audit(*op.event);
                op.event.reset();
            }
            MDB_val k{op.key.size(), op.key.data()};
            if (op.kind == Op::Mark) {
                MDB_val mk{sizeof kCleanKey - 1, const_cast<char*>(kCleanKey)};
                MDB_val sk{sizeof kSettledKey - 1, const_cast<char*>(kSettledKey)};
                MDB_val mv{op.value.size(), op.value.data()};
                rc = mdb_put(txn, meta_dbi_, &mk, &mv, 0);
                if (rc == 0) rc = mdb_put(txn, meta_dbi_, &sk, &mv, 0);  // kept past changes
                marked = true;
                continue;
            }
            if (marked && op.kind != Op::Audit) {
                // A change after the mark: the mark goes in the same transaction.
                MDB_val mk{sizeof kCleanKey - 1, const_cast<char*>(kCleanKey)};
                rc = mdb_del(txn, meta_dbi_, &mk, nullptr);
                if (rc == MDB_NOTFOUND) rc = 0;
                marked = false;
                if (rc != 0) break;
            }
            if (op.kind == Op::Del) {
                rc = journal_.on_del(txn, records_dbi_, op.key);
                if (rc == 0) rc = mdb_del(txn, records_dbi_, &k, nullptr);
                if (rc == MDB_NOTFOUND) rc = 0;
            } else if (op.kind >= Op::ZoneDirty) {
                rc = journal_op(txn, op);
                if (rc == 0) rc = apply_zone_op(txn, op);
            } else {
                if (op.kind == Op::Put) rc = journal_.on_put(txn, records_dbi_, op.key, op.value);
                if (rc != 0) break;
                MDB_val v{op.value.size(), op.value.data()};
                rc = mdb_put(txn, op.kind == Op::Put ? records_dbi_ : audit_dbi_, &k, &v, 0);
                if (op.kind == Op::Audit && rc == 0) ++added;
            }
        }
        // Bounded audit: drop the oldest events beyond the limit, in the same transaction.
        uint64_t trimmed = 0;
        if (rc == 0 && audit_count_ + added > audit_limit_) {
            MDB_cursor* cur = nullptr;
            rc = mdb_cursor_open(txn, audit_dbi_, &cur);
            MDB_val k, v;
            uint64_t excess = audit_count_ + added - audit_limit_;
            while (rc == 0 && trimmed < excess && mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0) {
                rc = mdb_cursor_del(cur, 0);
                if (rc == 0) ++trimmed;
            }
            if (cur != nullptr) mdb_cursor_close(cur);
        }
        if (rc == 0) {
            rc = mdb_txn_commit(txn);
            txn = nullptr;
        }
        if (txn != nullptr) mdb_txn_abort(txn);
        if (rc == 0) {
            mark_stored_ = marked;
            stats_.marked.store(marked ? 1 : 0);
            audit_count_ = audit_count_ + added - trimmed;
            stats_.audit_trimmed.fetch_add(trimmed);
            return true;
        }
        if (rc == MDB_MAP_FULL && map_size_ < kMaxMapSize) {
            std::unique_lock lock(resize_mu_);
            map_size_ *= 2;
            mdb_env_set_mapsize(env_, map_size_);
            LOG_WARN("record store %s: map full, grown to %zu MiB", dir_.c_str(), map_size_ >> 20);
            continue;
        }
        LOG_ERROR("record store %s: commit of %zu change(s) failed: %s", dir_.c_str(), batch.size(),
                  mdb_strerror(rc));
        journal_.abort_batch();
        journal_.lost_changes();
        return false;
    }
    journal_.abort_batch();
    journal_.lost_changes();
    return false;
}

void RecordStore::notify_serials(const std::vector<Op*>& batch) {
    std::function<void(const dns::WireName&)> fn;
    {
        std::lock_guard lock(listener_mu_);
        fn = serial_listener_;
    }
    if (!fn) return;
    std::vector<const std::string*> seen;
    for (const Op* op : batch) {
        if (op->kind != Op::ZoneSerial) continue;
        if (std::any_of(seen.begin(), seen.end(),
                        [&](const std::string* k) { return *k == op->key; }))
            continue;
        seen.push_back(&op->key);
        fn(dns::WireName(op->key.begin(), op->key.end()));
    }
}

void RecordStore::writer() {
    pthread_setname_np(pthread_self(), "el-record-store");
    std::vector<Op*> batch;
    batch.reserve(kBatch);
    for (;;) {
        batch.clear();
        Op* op = nullptr;
        while (batch.size() < kBatch && queue_.pop(op)) batch.push_back(op);
        if (batch.empty()) {
            if (stop_.load()) return;
            // Idle: sleep until the control lcore rings (flush_overflow, once per poll that
            // queued something). The timeout is a safety net for a ring that raced the
            // re-check, and bounds the wait of a change queued where nothing rings.
            const uint32_t seen = work_bell_.prepare();
            if (queue_.read_available() != 0 || stop_.load())
                work_bell_.cancel();
            else
                work_bell_.wait(seen, kIdleWaitUs);
            continue;
        }
        const bool ok = commit(batch);
        if (ok) {
            stats_.commits.fetch_add(1);
            stats_.writes.fetch_add(batch.size());
            for (const Op* o : batch)
                if (o->kind == Op::Mark) stats_.marks.fetch_add(1);
            notify_serials(batch);
        } else {
            stats_.failures.fetch_add(1);
        }
        for (Op* o : batch) delete o;
        committed_.fetch_add(batch.size(), std::memory_order_release);
        // The control lcore may have changes waiting for room (the overflow list).
        if (done_bell_ != nullptr) done_bell_->ring();
    }
}

std::vector<zone::AuditEvent> RecordStore::read_audit(size_t limit, const std::string& name_filter,
                                                      uint64_t before) const {
    std::vector<zone::AuditEvent> out;
    std::shared_lock lock(resize_mu_);
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) != 0) return out;
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn, audit_dbi_, &cur) == 0) {
        MDB_val k, v;
        int rc;
        if (before != 0) {
            uint8_t kb[8];
            key_u64(before, kb);
            k = MDB_val{8, kb};
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
            rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV)
                         : mdb_cursor_get(cur, &k, &v, MDB_LAST);
        } else {
            rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
        }
        for (; rc == 0 && out.size() < limit; rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
            auto e = decode_audit(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
            if (!e) continue;
            if (!name_filter.empty() && e->name.find(name_filter) == std::string::npos) continue;
            out.push_back(std::move(*e));
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return out;
}

}  // namespace edgelease::control::store
