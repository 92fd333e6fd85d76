#include "control/store/lease_store.hpp"

#include <pthread.h>
#include "control/store/lmdb_scan.hpp"

#include <lmdb.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "common/log.hpp"

namespace edgelease::control::store {

namespace {
constexpr size_t kInitialMapSize = size_t{1} << 30;  // 1 GiB, sparse; grows on MDB_MAP_FULL
constexpr size_t kBatch = 8192;
constexpr uint32_t kIdleWaitUs = 100000;  // the idle writer's longest sleep without a ring

[[noreturn]] void fail(const std::string& dir, const char* what, int rc) {
    detail::lmdb_fail("lease store", dir, what, rc);
}

void key_of(uint32_t ip, uint8_t out[4]) {
    out[0] = static_cast<uint8_t>(ip >> 24);
    out[1] = static_cast<uint8_t>(ip >> 16);
    out[2] = static_cast<uint8_t>(ip >> 8);
    out[3] = static_cast<uint8_t>(ip);
}
}  // namespace

LeaseStore::LeaseStore(const std::string& dir, bool fsync, size_t max_map_size)
    : dir_(dir), map_size_(std::min(kInitialMapSize, max_map_size)), max_map_size_(max_map_size) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("lease store " + dir +
                                 ": cannot create directory: " + ec.message());
    if (int rc = mdb_env_create(&env_); rc != 0) fail(dir, "mdb_env_create", rc);
    mdb_env_set_maxdbs(env_, 8);
    mdb_env_set_mapsize(env_, map_size_);
    // MDB_NOSYNC for durability "os": the kernel flushes; a power cut may lose recent ACKs.
    // For "fsync", MDB_NOMETASYNC: a commit flushes its data pages but only writes its meta
    // page, which the next commit's flush (or the writer's mdb_env_sync when the queue runs
    // dry) makes durable. One device flush per commit under load instead of two; done_seq()
    // only passes a batch once its meta page is on disk (see writer()).
    fsync_ = fsync;
    unsigned flags = MDB_NOTLS | (fsync ? MDB_NOMETASYNC : MDB_NOSYNC);
    int rc_open = mdb_env_open(env_, dir.c_str(), flags, 0640);
    if (rc_open == 0) {
        // A database that had grown before is mapped whole by LMDB: go on from its size (a
        // file already past the maximum is used as it is, and does not grow).
        MDB_envinfo info{};
        mdb_env_info(env_, &info);
        map_size_ = std::max(map_size_, std::min(info.me_mapsize, max_map_size_));
    }
    if (int rc = rc_open; rc != 0) {
        mdb_env_close(env_);
        env_ = nullptr;
        fail(dir, "cannot open the LMDB environment", rc);
    }
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) fail(dir, "mdb_txn_begin", rc);
    MDB_dbi dbi, dbi6, meta;
    if (int rc = mdb_dbi_open(txn, "leases", MDB_CREATE, &dbi); rc != 0) {
        mdb_txn_abort(txn);
        fail(dir, "cannot open the leases database", rc);
    }
    if (int rc = mdb_dbi_open(txn, "leases6", MDB_CREATE, &dbi6); rc != 0) {
        mdb_txn_abort(txn);
        fail(dir, "cannot open the leases6 database", rc);
    }
    if (int rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta); rc != 0) {
        mdb_txn_abort(txn);
        fail(dir, "cannot open the meta database", rc);
    }
    if (int rc = mdb_txn_commit(txn); rc != 0) fail(dir, "mdb_txn_commit", rc);
    dbi_ = dbi;
    dbi6_ = dbi6;
    meta_dbi_ = meta;
}

void LeaseStore::load_each6(const std::function<void(const dhcp::Lease6&)>& take, size_t& skipped,
                            size_t& count) {
    count = detail::entries(env_, dbi6_);
    detail::scan_each<dhcp::Lease6>(
        env_, dbi6_, "lease store", dir_,
        [](const uint8_t* p, size_t n) { return decode_lease6(p, n); },
        [&](dhcp::Lease6&& l) { take(l); }, skipped);
}

std::vector<dhcp::Lease6> LeaseStore::load6(size_t& skipped) {
    return detail::scan_all<dhcp::Lease6>(
        env_, dbi6_, "lease store", dir_,
        [](const uint8_t* p, size_t n) { return decode_lease6(p, n); }, skipped);
}

std::vector<uint8_t> LeaseStore::server_duid(const net::MacAddr& mac, int64_t now) {
    static constexpr char kKey[] = "server-duid";
    MDB_val k{sizeof kKey - 1, const_cast<char*>(kKey)};
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) fail(dir_, "mdb_txn_begin", rc);
    MDB_val v;
    if (int rc = mdb_get(txn, meta_dbi_, &k, &v); rc == 0 && v.mv_size >= 3 && v.mv_size <= 130) {
        const auto* p = static_cast<const uint8_t*>(v.mv_data);
        std::vector<uint8_t> duid(p, p + v.mv_size);
        mdb_txn_abort(txn);
        return duid;
    }
    // DUID-LLT: type 1, hardware type 1 (Ethernet), seconds since 2000-01-01 UTC mod 2^32.
    const auto t = static_cast<uint32_t>(static_cast<uint64_t>(now - 946684800));
    std::vector<uint8_t> duid{0,
                              1,
                              0,
                              1,
                              static_cast<uint8_t>(t >> 24),
                              static_cast<uint8_t>(t >> 16),
                              static_cast<uint8_t>(t >> 8),
                              static_cast<uint8_t>(t)};
    duid.insert(duid.end(), mac.bytes.begin(), mac.bytes.end());
    MDB_val nv{duid.size(), duid.data()};
    int rc = mdb_put(txn, meta_dbi_, &k, &nv, 0);
    if (rc != 0) {
        mdb_txn_abort(txn);
        fail(dir_, "cannot store the server DUID", rc);
    }
    if (rc = mdb_txn_commit(txn); rc != 0) fail(dir_, "cannot store the server DUID", rc);
    if (fsync_) mdb_env_sync(env_, 1);
    return duid;
}

LeaseStore::~LeaseStore() {
    stop();
    if (env_ != nullptr) mdb_env_close(env_);
}

bool LeaseStore::stop() {
    stop_.store(true);
    work_bell_.ring();
    if (thread_.joinable()) thread_.join();
    // The writer has flushed what it committed (sync_unsynced before it returns); the
    // explicit sync covers durability "os", where commits are not flushed at all.
    const bool synced = env_ == nullptr || mdb_env_sync(env_, 1) == 0;
    return synced && queue_.read_available() == 0 &&
           stats_.failures.load(std::memory_order_relaxed) == 0;
}

uint64_t LeaseStore::last_txn() const {
    MDB_envinfo info{};
    if (env_ == nullptr || mdb_env_info(env_, &info) != 0) return 0;
    return static_cast<uint64_t>(info.me_last_txnid);
}

void LeaseStore::load_each(const std::function<void(const dhcp::Lease&)>& take, size_t& skipped,
                           size_t& count) {
    count = detail::entries(env_, dbi_);
    detail::scan_each<dhcp::Lease>(
        env_, dbi_, "lease store", dir_,
        [](const uint8_t* p, size_t n) { return decode_lease(p, n); },
        [&](dhcp::Lease&& l) { take(l); }, skipped);
}

std::vector<dhcp::Lease> LeaseStore::load(size_t& skipped) {
    return detail::scan_all<dhcp::Lease>(
        env_, dbi_, "lease store", dir_,
        [](const uint8_t* p, size_t n) { return decode_lease(p, n); }, skipped);
}

namespace {
/// Every value of database `name` of the environment at `dir`, opened read-only.
template <class T, class Decode>
std::vector<T> read_all(const std::string& dir, const char* name, Decode decode, size_t& skipped) {
    MDB_env* env = nullptr;
    if (int rc = mdb_env_create(&env); rc != 0) fail(dir, "mdb_env_create", rc);
    mdb_env_set_maxdbs(env, 8);
    if (int rc = mdb_env_open(env, dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0640); rc != 0) {
        mdb_env_close(env);
        fail(dir, "cannot open the LMDB environment", rc);
    }
    std::vector<T> out;
    skipped = 0;
    MDB_txn* txn = nullptr;
    MDB_dbi dbi;
    int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, name, 0, &dbi);
    if (rc == 0) {
        MDB_cursor* cur = nullptr;
        rc = mdb_cursor_open(txn, dbi, &cur);
        MDB_val k, v;
        for (int r = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : rc; r == 0;
             r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            auto l = decode(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
            if (l)
                out.push_back(std::move(*l));
            else
                ++skipped;
        }
        if (cur != nullptr) mdb_cursor_close(cur);
    }
    if (txn != nullptr) mdb_txn_abort(txn);
    mdb_env_close(env);
    if (rc != 0 && rc != MDB_NOTFOUND) fail(dir, "cannot read leases", rc);
    return out;
}
}  // namespace

std::vector<dhcp::Lease> read_leases(const std::string& dir, size_t& skipped) {
    return read_all<dhcp::Lease>(
        dir, "leases", [](const uint8_t* p, size_t n) { return decode_lease(p, n); }, skipped);
}

std::vector<dhcp::Lease6> read_leases6(const std::string& dir, size_t& skipped) {
    return read_all<dhcp::Lease6>(
        dir, "leases6", [](const uint8_t* p, size_t n) { return decode_lease6(p, n); }, skipped);
}

void LeaseStore::start() {
    thread_ = std::thread([this] { writer(); });
}

bool LeaseStore::enqueue6(const dhcp::Lease6& lease, uint64_t seq) noexcept {
    PendingWrite w;
    w.seq = seq;
    w.family = 6;
    lease6_key(lease.key, w.key6);
    if (lease.state == dhcp::LeaseState::Free) {
        w.len = 0;
    } else {
        w.len = static_cast<uint16_t>(encode_lease6(lease, w.bytes, sizeof w.bytes));
        if (w.len == 0) return false;
    }
    return queue_.push(w);
}

bool LeaseStore::enqueue(const dhcp::Lease& lease, uint64_t seq) noexcept {
    PendingWrite w;
    w.seq = seq;
    w.ip = lease.ip;
    if (lease.state == dhcp::LeaseState::Free) {
        w.len = 0;  // the binding is gone: delete the record
    } else {
        w.len = static_cast<uint16_t>(encode_lease(lease, w.bytes, sizeof w.bytes));
        if (w.len == 0) return false;
    }
    return queue_.push(w);
}

LeaseStore::CommitResult LeaseStore::commit(const std::vector<PendingWrite>& batch) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        MDB_txn* txn = nullptr;
        bool in_commit = false;
        size_t txnid = 0;
        int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
        if (rc == 0) txnid = mdb_txn_id(txn);
        for (size_t i = 0; rc == 0 && i < batch.size(); ++i) {
            uint8_t key[4];
            key_of(batch[i].ip, key);
            const bool v6 = batch[i].family == 6;
            MDB_val k =
                v6 ? MDB_val{kLease6KeyLen, const_cast<uint8_t*>(batch[i].key6)} : MDB_val{4, key};
            const MDB_dbi db = v6 ? dbi6_ : dbi_;
            if (batch[i].len == 0) {
                rc = mdb_del(txn, db, &k, nullptr);
                if (rc == MDB_NOTFOUND) rc = 0;
            } else {
                MDB_val v{batch[i].len, const_cast<uint8_t*>(batch[i].bytes)};
                rc = mdb_put(txn, db, &k, &v, 0);
            }
        }
        if (rc == 0) {
            in_commit = true;
            rc = mdb_txn_commit(txn);  // fsync happens here unless MDB_NOSYNC
            txn = nullptr;
        }
        if (txn != nullptr) mdb_txn_abort(txn);
        if (rc == 0) {
            // A transaction that changed nothing (only deletes of absent keys) is committed
            // by LMDB without writing a meta page or flushing: the last transaction id stays.
            MDB_envinfo info{};
            mdb_env_info(env_, &info);
            return info.me_last_txnid == txnid ? CommitResult::Flushed : CommitResult::Unchanged;
        }
        if (rc == MDB_MAP_FULL && map_size_ < max_map_size_) {
            // No transaction is open in this process (the writer is the only user; a failed
            // commit aborts its transaction), so the map may grow (mdb_env_set_mapsize) and
            // the batch go again. A full map inside the commit call too: saving the free list
            // allocates pages before anything is written or flushed, so no earlier commit's
            // meta page is at stake (as it is after an I/O error there). Not retried, such a
            // batch failed: its ACKs were withheld, and the failure kept every later moment
            // from counting as settled (and the stop from being clean).
            map_size_ = std::min(map_size_ * 2, max_map_size_);
            mdb_env_set_mapsize(env_, map_size_);
            stats_.map_resizes.fetch_add(1);
            LOG_WARN("lease store %s: map full, grown to %zu KiB", dir_.c_str(), map_size_ >> 10);
            continue;
        }
        if (rc == MDB_MAP_FULL) stats_.map_full.fetch_add(1);
        note_failure(batch.size(), rc);
        return in_commit ? CommitResult::FailedInCommit : CommitResult::FailedBefore;
    }
    return CommitResult::FailedBefore;
}

void LeaseStore::note_failure(size_t leases, int rc) {
    // A full map fails every batch until leases are freed: one line per interval, not one per
    // batch (the counters lease_store_failures and lease_store_map_full have each one).
    const int64_t now = static_cast<int64_t>(::time(nullptr));
    fail_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_ERROR(
            "lease store %s: %llu commit(s) failed in %llds (last: %zu lease(s), %s%s); their "
            "DHCPACKs are withheld",
            dir_.c_str(), static_cast<unsigned long long>(n), secs, leases, mdb_strerror(rc),
            rc == MDB_MAP_FULL ? ", map at [appliance].lease_store_max_mib" : "");
    });
}

void LeaseStore::publish_failed(const FailedRange& range) {
    // Published before done_seq_ covers it, so a reader of done_seq_ finds the range.
    // Nothing is dropped: the control lcore drains these every poll; while stopping it may
    // not, and then nobody is waiting for ACKs any more.
    stats_.failures.fetch_add(1);
    while (!failed_.push(range)) {
        if (stop_.load()) break;
        timespec ts{0, 100000};
        nanosleep(&ts, nullptr);
    }
}

void LeaseStore::publish_done(uint64_t seq) {
    done_seq_.store(seq, std::memory_order_release);
    if (done_bell_ != nullptr) done_bell_->ring();
}

void LeaseStore::sync_unsynced() {
    // The last commit's meta page was written, not flushed: flush it now (the queue is empty,
    // or the next commit failed and may not have flushed it).
    const int rc = mdb_env_sync(env_, 1);
    stats_.meta_syncs.fetch_add(1);
    if (rc != 0) {
        note_failure(static_cast<size_t>(unsynced_.to - unsynced_.from + 1), rc);
        publish_failed(FailedRange{unsynced_.from, unsynced_.to});
    }
    publish_done(unsynced_.to);
    unsynced_ = Unsynced{};
}

void LeaseStore::writer() {
    pthread_setname_np(pthread_self(), "el-lease-store");
    std::vector<PendingWrite> batch;
    batch.reserve(kBatch);
    for (;;) {
        batch.clear();
        PendingWrite w;
        while (batch.size() < kBatch && queue_.pop(w)) batch.push_back(w);
        if (batch.empty()) {
            if (unsynced_.any) {
                sync_unsynced();
                continue;
            }
            if (stop_.load()) return;
            // Idle: sleep until the control lcore rings (it never waits on this thread). The
            // timeout is only a safety net for a ring that raced the re-check.
            const uint32_t seen = work_bell_.prepare();
            if (queue_.read_available() != 0 || stop_.load()) {
                work_bell_.cancel();
            } else {
                work_bell_.wait(seen, kIdleWaitUs);
            }
            continue;
        }
        auto t0 = std::chrono::steady_clock::now();
        const CommitResult result = commit(batch);
        uint64_t ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::steady_clock::now() - t0)
                                                .count());
        const FailedRange range{batch.front().seq, batch.back().seq};
        if (result == CommitResult::FailedInCommit) {
            // The failed commit may have failed in the very flush that was to carry the
            // previous commit's meta page; a second fsync would report success regardless
            // (the error is reported once). Neither batch may count as durable.
            if (unsynced_.any) {
                publish_failed(FailedRange{unsynced_.from, unsynced_.to});
                unsynced_ = Unsynced{};
            }
            publish_failed(range);
            publish_done(range.to);
            continue;
        }
        if (result == CommitResult::FailedBefore) {
            // Nothing was flushed or written: the previous meta page still needs its flush.
            if (unsynced_.any) sync_unsynced();
            publish_failed(range);
            publish_done(range.to);
            continue;
        }
        if (result == CommitResult::Unchanged) {
            // Nothing written, nothing flushed: durable exactly when what came before is.
            if (unsynced_.any)
                unsynced_.to = range.to;
            else
                publish_done(range.to);
            continue;
        }
        stats_.commits.fetch_add(1);
        stats_.records.fetch_add(batch.size());
        stats_.commit_ns_total.fetch_add(ns);
        if (ns > stats_.commit_ns_max.load()) stats_.commit_ns_max.store(ns);
        const double secs = static_cast<double>(ns) / 1e9;
        for (size_t i = 0; i < kCommitBuckets.size(); ++i)
            if (secs <= kCommitBuckets[i]) stats_.commit_buckets[i].fetch_add(1);
        stats_.commit_buckets.back().fetch_add(1);
        if (!fsync_) {
            publish_done(range.to);
            continue;
        }
        // This commit's flush carried the previous commit's meta page to disk: that one is
        // durable now. This one becomes durable with the next flush.
        if (unsynced_.any) publish_done(unsynced_.to);
        unsynced_ = Unsynced{true, range.from, range.to};
    }
}

}  // namespace edgelease::control::store
