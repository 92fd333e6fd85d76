#pragma once
// Reading a whole LMDB database at start-up: the one loop the lease store and the record
// store share. Private to control/store.
#include <lmdb.h>

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

/// Every value of `dbi` in key order through `decode(const uint8_t*, size_t) ->
/// std::optional<T>`, each handed to `take(T&&)` as it is read, in a read-only transaction of
/// its own. Values that do not decode are skipped and counted in `skipped`. Throws (lmdb_fail)
/// when the transaction or cursor cannot be opened.
template <class T, class Decode, class Take>
void scan_each(MDB_env* env, MDB_dbi dbi, const char* what_store, const std::string& dir,
               Decode decode, Take take, size_t& skipped) {
    skipped = 0;
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
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            std::optional<T> item = decode(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
            if (item)
                take(std::move(*item));
            else
                ++skipped;
        }
    } catch (...) {
        mdb_cursor_close(cur);
        mdb_txn_abort(txn);
        throw;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
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
