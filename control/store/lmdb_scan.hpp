#pragma once
// Reading a whole LMDB database at start-up: the one loop the lease store and the record
// store share. Private to control/store.
#include <lmdb.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace edgelease::control::store::detail {

/// Throws std::runtime_error "<what_store> <dir>: <what>: <LMDB's message>".
[[noreturn]] inline void lmdb_fail(const char* what_store, const std::string& dir, const char* what,
                                   int rc) {
    throw std::runtime_error(std::string(what_store) + " " + dir + ": " + what + ": " +
                             mdb_strerror(rc));
}

/// Unmaps [lo, hi) (rounded out to whole pages) from this process: the kernel's page cache
/// keeps the pages, the next access maps them again (a minor fault). A whole-database scan
/// maps every page it reads, and they stayed counted in the process's resident memory for as
/// long as it ran: a state directory of 3.3 GB (10M leases and their records) added 3.3 GB
/// after a restart. LMDB's map is read-only and shared (no MDB_WRITEMAP), so nothing is lost.
/// Returns the bytes unmapped (0: not done).
inline size_t release_mapped_pages(const uint8_t* lo, const uint8_t* hi) noexcept {
    if (lo == nullptr || hi <= lo) return 0;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t a = reinterpret_cast<uintptr_t>(lo) & ~(page - 1);
    const uintptr_t b = (reinterpret_cast<uintptr_t>(hi) + page - 1) & ~(page - 1);
    return madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED) == 0 ? b - a : 0;
}

/// Every value of `dbi` in key order, each handed to `fn(const uint8_t*, size_t)` as it is
/// read, in a read-only transaction of its own; then the pages its values were read from are
/// released (release_mapped_pages: the values of a read transaction point into the map). Throws
/// (lmdb_fail) when the transaction or cursor cannot be opened.
template <class Fn>
void scan_raw(MDB_env* env, MDB_dbi dbi, const char* what_store, const std::string& dir, Fn fn) {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn); rc != 0)
        lmdb_fail(what_store, dir, "read txn", rc);
    MDB_cursor* cur = nullptr;
    if (int rc = mdb_cursor_open(txn, dbi, &cur); rc != 0) {
        mdb_txn_abort(txn);
        lmdb_fail(what_store, dir, "cursor", rc);
    }
    try {
        MDB_val k, v;
        const uint8_t* lo = nullptr;
        const uint8_t* hi = nullptr;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            const auto* p = static_cast<const uint8_t*>(v.mv_data);
            if (lo == nullptr || p < lo) lo = p;
            if (p + v.mv_size > hi) hi = p + v.mv_size;
            fn(p, v.mv_size);
        }
        release_mapped_pages(lo, hi);
    } catch (...) {
        mdb_cursor_close(cur);
        mdb_txn_abort(txn);
        throw;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
}

/// Every value of `dbi` through `decode(const uint8_t*, size_t) -> std::optional<T>`, each
/// handed to `take(T&&)` as it is read. Values that do not decode are skipped and counted in
/// `skipped`.
template <class T, class Decode, class Take>
void scan_each(MDB_env* env, MDB_dbi dbi, const char* what_store, const std::string& dir,
               Decode decode, Take take, size_t& skipped) {
    skipped = 0;
    scan_raw(env, dbi, what_store, dir, [&](const uint8_t* p, size_t n) {
        std::optional<T> item = decode(p, n);
        if (item)
            take(std::move(*item));
        else
            ++skipped;
    });
}

/// The same, decoding every value into one reused `T` (`decode_into(p, n, T&)` returns
/// false for a value it cannot read) and handing it to `take(const T&)`.
template <class T, class DecodeInto, class Take>
void scan_into(MDB_env* env, MDB_dbi dbi, const char* what_store, const std::string& dir,
               DecodeInto decode_into, Take take, size_t& skipped) {
    skipped = 0;
    T item{};
    scan_raw(env, dbi, what_store, dir, [&](const uint8_t* p, size_t n) {
        if (decode_into(p, n, item))
            take(static_cast<const T&>(item));
        else
            ++skipped;
    });
}

/// The same, collected into a vector.
template <class T, class Decode>
std::vector<T> scan_all(MDB_env* env, MDB_dbi dbi, const char* what_store, const std::string& dir,
                        Decode decode, size_t& skipped) {
    std::vector<T> out;
    scan_each<T>(
        env, dbi, what_store, dir, decode, [&](T&& item) { out.push_back(std::move(item)); },
        skipped);
    return out;
}

/// Entries of `dbi` (sizing a load before it starts).
inline size_t entries(MDB_env* env, MDB_dbi dbi) {
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) != 0) return 0;
    MDB_stat st{};
    const size_t n = mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
    mdb_txn_abort(txn);
    return n;
}

}  // namespace edgelease::control::store::detail
