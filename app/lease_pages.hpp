#pragma once
// Listing leases a page at a time without holding the control lcore: a scan visits a bounded
// slice of a lease engine per control command and keeps the first `limit` leases after a
// cursor, in key order (the API's GET /api/v1/leases?limit=&cursor=). Each page starts from
// its cursor, so a lease that lives throughout a listing is returned exactly once however the
// table changes between pages; one that comes or goes meanwhile may or may not be.
//
// F describes one family over a source S (the DHCP service, or an engine in tests):
//   F::Lease; F::key(lease) (ordered); F::engine(s) (identity of the engine, nullptr: none);
//   F::slice(s, from, max, fn) -> next index (for_each_slice); F::names(s) (scope names).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/dhcp/lease.hpp"

namespace edgelease::app {

/// Leases one control command visits while listing: a bounded slice (about a millisecond),
/// so that listing a million leases never holds DHCP up for long at a time.
inline constexpr size_t kListSlice = 16384;
// A page of leases: 1,000 unless `limit` says otherwise, at most 100,000 (as records).
inline constexpr size_t kDefaultPage = 1000;
inline constexpr size_t kMaxPage = 100000;

/// One family's part of a listing: the leases after `after` (all without it) that pass the
/// filters, the first `limit` of them in key order. Collected on the control lcore a slice
/// at a time; kept as a max-heap by key when limited, so memory is O(limit).
template <class F>
struct FamilyScan {
    using Lease = typename F::Lease;
    using Key = decltype(F::key(std::declval<const Lease&>()));
    std::optional<Key> after;
    size_t limit = SIZE_MAX;
    std::string scope, state;  // filters; empty = any
    std::vector<Lease> kept;
    std::vector<std::string> names;
    const void* engine = nullptr;  // the engine the slices came from
    size_t next = 0;
    bool done = false;

    static bool before(const Lease& a, const Lease& b) { return F::key(a) < F::key(b); }

    /// One slice, on the control lcore. A reload that replaced the engine meanwhile starts
    /// the scan again on the new one.
    template <class Source>
    void step(const Source& s) {
        if (F::engine(s) != engine) {
            engine = F::engine(s);
            next = 0;
            kept.clear();
            names = F::names(s);
        }
        if (engine == nullptr) {
            done = true;
            return;
        }
        int32_t want_scope = -1;
        if (!scope.empty()) {
            const auto it = std::find(names.begin(), names.end(), scope);
            if (it == names.end()) {  // no such scope: nothing matches
                done = true;
                return;
            }
            want_scope = static_cast<int32_t>(it - names.begin());
        }
        const size_t from = next;
        next = F::slice(s, from, kListSlice, [&](const Lease& l) {
            if (after && !(*after < F::key(l))) return;
            if (want_scope >= 0 && l.scope != static_cast<uint32_t>(want_scope)) return;
            if (!state.empty() && state != control::dhcp::to_string(l.state)) return;
            if (limit == SIZE_MAX) {
                kept.push_back(l);
            } else if (kept.size() < limit) {
                kept.push_back(l);
                std::push_heap(kept.begin(), kept.end(), before);
            } else if (limit != 0 && before(l, kept.front())) {
                std::pop_heap(kept.begin(), kept.end(), before);
                kept.back() = l;
                std::push_heap(kept.begin(), kept.end(), before);
            }
        });
        done = next == from;  // nothing left to visit
    }

    /// After the last step: `kept` in key order.
    void finish() { std::sort(kept.begin(), kept.end(), before); }
};

}  // namespace edgelease::app
