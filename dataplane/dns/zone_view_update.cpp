// The writer's side of ZoneView: set_owner() changes one owner name in place while worker
// lcores keep reading. One writer thread only. The rules that keep readers safe without
// locks:
//  - a node is built completely, then published with one release store into a slot;
//  - a name being replaced keeps its slot (a reader sees the old node or the new one);
//  - a deleted name's slot becomes a tombstone, never nullptr again, so a probe for any
//    other name still walks past it;
//  - a table filling up is replaced by a bigger (or tombstone-free) one that the writer fills
//    beside it, a bounded step per call, mirroring changes into the part already copied,
//    and publishes as a whole once complete;
//  - nothing unlinked is freed here: it goes to the caller's ZoneGarbage, which is freed
//    after an RCU grace period.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "dataplane/dns/zone_view.hpp"

namespace edgelease::dataplane::dns {

namespace {

/// Label offsets of a lower-cased, well-formed wire name; false otherwise.
bool label_offsets(const WireName& name, uint8_t (&off)[128], size_t& labels) {
    labels = 0;
    if (name.empty() || name.size() > kMaxNameWire) return false;
    size_t i = 0;
    while (name[i] != 0) {
        const size_t l = name[i];
        if (l > kMaxLabel || i + 1 + l >= name.size() || labels == 128) return false;
        for (size_t j = i + 1; j <= i + l; ++j)
            if (name[j] >= 'A' && name[j] <= 'Z') return false;
        off[labels++] = static_cast<uint8_t>(i);
        i += 1 + l;
    }
    return i + 1 == name.size();
}

/// Room for `more` pushes without reallocating, growing geometrically (reserve() alone
/// would reallocate on nearly every call).
template <typename T>
void make_room(std::vector<T>& v, size_t more) {
    if (v.capacity() - v.size() >= more) return;
    v.reserve(std::max(v.size() + more, v.capacity() * 2));
}

/// The slot of `t` holding `n` (which it holds).
uint64_t index_of(const SlotTable* t, const Node* n) noexcept {
    const std::atomic<Slot>* s = t->slots();
    const Slot want = slot_of(n);
    uint64_t i = n->hash & t->mask;
    while (s[i].load(std::memory_order_relaxed) != want) i = (i + 1) & t->mask;
    return i;
}

/// Frees nodes built for a change that did not happen (an allocation failed).
struct Unpublished {
    std::vector<Node*> nodes;
    void (*free)(Node*) noexcept;
    ~Unpublished() {
        for (Node* n : nodes) free(n);
    }
};

}  // namespace

void ZoneView::store_over(const Node* n, const Node* with) noexcept {
    SlotTable* t = table_.load(std::memory_order_relaxed);
    const uint64_t i = index_of(t, n);
    t->slots()[i].store(slot_of(with), std::memory_order_release);
    if (next_ == nullptr || i >= cursor_) return;  // not copied yet: it will be, as it is now
    next_->slots()[index_of(next_, n)].store(slot_of(with), std::memory_order_relaxed);
    if (with == &kTombstone) ++next_tombstones_;
}

void ZoneView::start_rehash(size_t extra) {
    // At most a third full when it starts (the builder's load factor is 1/2 at worst; a
    // growing table doubles): a sixth of the capacity in changes at least before the next.
    size_t cap = 16;
    while (cap < (live_ + extra) * 3) cap <<= 1;
    // Not cleared here: a 32 MiB table takes milliseconds to fault in and zero. migrate()
    // does it in chunks first (nothing is copied, so nothing is mirrored, meanwhile).
    next_ = make_table(cap, false);
    cleared_ = 0;
    cursor_ = 0;
    next_tombstones_ = 0;
    bytes_ += table_bytes(cap);
}

void ZoneView::migrate(size_t max_slots, ZoneGarbage& garbage) noexcept {
    const uint64_t next_cap = next_->mask + 1;
    if (cleared_ < next_cap) {
        // Clearing a slot costs far less than copying one (sequential stores, no node to
        // fetch): kClearFactor times as many per step.
        constexpr uint64_t kClearFactor = 16;
        const uint64_t budget =
            max_slots > SIZE_MAX / kClearFactor ? SIZE_MAX : max_slots * kClearFactor;
        const uint64_t end = next_cap - cleared_ > budget ? cleared_ + budget : next_cap;
        clear_slots(next_, cleared_, end);
        cleared_ = end;
        if (max_slots != SIZE_MAX) return;  // the copy starts with the next step
    }
    SlotTable* old = table_.load(std::memory_order_relaxed);
    const uint64_t cap = old->mask + 1;
    const uint64_t end = cap - cursor_ > max_slots ? cursor_ + max_slots : cap;
    const std::atomic<Slot>* from = old->slots();
    constexpr uint64_t kAhead = 16;  // nodes are scattered: fetch their hashes ahead
    for (uint64_t i = cursor_; i < end; ++i) {
        if (i + kAhead < end)
            __builtin_prefetch(node_in(from[i + kAhead].load(std::memory_order_relaxed)));
        const Node* n = node_in(from[i].load(std::memory_order_relaxed));
        if (n != nullptr && n != &kTombstone) place(next_, n, next_tombstones_);
    }
    cursor_ = end;
    if (cursor_ < cap) return;
    // Complete: publish. Readers that loaded the old table keep probing it; it stays
    // intact until the garbage is released.
    table_.store(next_, std::memory_order_release);
    garbage.tables.push_back(old);  // room made by the caller
    bytes_ -= table_bytes(cap);
    tombstones_ = next_tombstones_;
    next_ = nullptr;
    cleared_ = 0;
    cursor_ = 0;
    next_tombstones_ = 0;
    ++rehashes_;
}

void ZoneView::reserve_slots(size_t extra, ZoneGarbage& garbage) {
    make_room(garbage.tables, 2);  // up to two tables may be published below
    auto over = [&](const SlotTable* t, size_t tombstones, size_t num, size_t den) {
        return (live_ + tombstones + extra) * den > (t->mask + 1) * num;
    };
    SlotTable* t = table_.load(std::memory_order_relaxed);
    if (next_ == nullptr && over(t, tombstones_, 3, 8)) {
        try {
            start_rehash(extra);
        } catch (const std::bad_alloc&) {
            if (over(t, tombstones_, 1, 2)) throw;  // nothing changed yet
            // Early: there is room still, try again with the next change.
        }
    }
    if (next_ != nullptr) {
        migrate(kRehashStep, garbage);
        // Half full (the published table, or the next one with mirrored changes) before the
        // copy is done, after a burst of new names: finish it now.
        t = table_.load(std::memory_order_relaxed);
        if (next_ != nullptr && (over(t, tombstones_, 1, 2) || over(next_, next_tombstones_, 1, 2)))
            migrate(SIZE_MAX, garbage);
    }
    t = table_.load(std::memory_order_relaxed);
    if (over(t, tombstones_, 1, 2)) {
        // Still too small (it was sized before the burst). A throw here leaves only an
        // equivalent table published.
        start_rehash(extra);
        migrate(SIZE_MAX, garbage);
    }
}

void ZoneView::maybe_shrink() noexcept {
    // Many names gone: give memory back. The new table is a third full at most, and grows
    // only at 3/8: no grow-shrink ping-pong.
    const size_t cap = slot_capacity();
    if (next_ != nullptr || cap <= 16 || live_ * 16 >= cap) return;
    try {
        start_rehash(0);
    } catch (const std::bad_alloc&) {
        // Optional: try again after a later change.
    }
}

bool ZoneView::maintain(ZoneGarbage& garbage, size_t max_slots) noexcept {
    maybe_shrink();
    if (next_ == nullptr) return false;
    try {
        make_room(garbage.tables, 1);
    } catch (const std::bad_alloc&) {
        return true;  // try again on a later tick
    }
    migrate(max_slots, garbage);
    return next_ != nullptr;
}

void ZoneView::unlink(Node* n, ZoneGarbage& garbage) noexcept {
    store_over(n, &kTombstone);
    --live_;
    ++tombstones_;
    account(n, false);
    garbage.nodes.push_back(n);  // room made by the caller
}

void ZoneView::replace(Node* old, Node* next, ZoneGarbage& garbage) noexcept {
    next->children = old->children;
    store_over(old, next);
    // Zones are owned by this view; Node::zone is const only for readers.
    if (next->flags & Node::kApex)
        const_cast<Zone*>(next->zone)->apex.store(next, std::memory_order_release);
    account(old, false);
    account(next, true);
    garbage.nodes.push_back(old);  // room made by the caller
}

bool ZoneView::holds_exactly(const WireName& name, const std::vector<Record>& records) const {
    if (name.empty() || name.size() > 255) return false;
    const Node* n = find(name.data(), static_cast<uint8_t>(name.size()));
    if (n == nullptr || n->rrset_count == 0) return records.empty();
    // The node these records would make, compared RRset by RRset (same name, same layout).
    std::vector<const Record*> in;
    in.reserve(records.size());
    for (const Record& r : records) in.push_back(&r);
    Node* want = make_node(name.data(), static_cast<uint8_t>(name.size()), in);
    bool same = want->rrset_count == n->rrset_count;
    for (uint16_t i = 0; same && i < n->rrset_count; ++i) {
        const RRsetRef& a = n->rrsets()[i];
        const RRsetRef& b = want->rrsets()[i];
        same = a.type == b.type && a.count == b.count && a.ttl == b.ttl &&
               a.data_len == b.data_len && std::memcmp(n->data(a), want->data(b), a.data_len) == 0;
    }
    free_node(want);
    return same;
}

UpdateResult ZoneView::set_owner(const WireName& name, const std::vector<Record>& records,
                                 ZoneGarbage& garbage) {
    uint8_t off[128];
    size_t labels = 0;
    if (!label_offsets(name, off, labels)) return UpdateResult::NeedsRebuild;
    for (const Record& r : records)
        if (r.owner != name) return UpdateResult::NeedsRebuild;
    const uint8_t len = static_cast<uint8_t>(name.size());
    auto suffix = [&](size_t i) -> size_t { return i < labels ? off[i] : len - 1u; };

    // The closest node at or above the name. Every name between a zone's apex and its
    // owners exists, so this node is in the deepest hosted zone containing the name and
    // carries the delegation cut (if any) that the name would be under.
    const Node* found = nullptr;
    size_t depth = 0;  // labels between the name and `found`: how many nodes are missing
    for (size_t i = 0; i <= labels && found == nullptr; ++i) {
        found = find(name.data() + suffix(i), static_cast<uint8_t>(len - suffix(i)));
        depth = i;
    }
    if (found == nullptr) return UpdateResult::NeedsRebuild;  // in no hosted zone
    // At or below a cut: the cut pointers of the names below would change, and the data
    // there is the child's anyway (keep it simple: rebuild).
    if (found->cut != nullptr) return UpdateResult::NeedsRebuild;
    // Readers only ever see nodes as const; the writer owns them.
    Node* existing = depth == 0 ? const_cast<Node*>(found) : nullptr;
    const bool apex = existing != nullptr && (existing->flags & Node::kApex);
    bool has_ns = false, has_soa = false;
    for (const Record& r : records) {
        has_ns |= r.type == rrtype::NS;
        has_soa |= r.type == rrtype::SOA;
    }
    // An apex keeps what makes it a zone (RFC 1035 §4.3.2 needs its SOA; RFC 1034 §4.2.1 its
    // NS); NS anywhere else would be a new delegation cut.
    if (apex ? !(has_soa && has_ns) : has_ns) return UpdateResult::NeedsRebuild;
    const Zone* zone = found->zone;

    if (records.empty()) {
        if (existing == nullptr || existing->rrset_count == 0) return UpdateResult::Done;
        if (existing->children > 0) {
            // Names below it remain: it becomes an empty non-terminal (RFC 4592 §2.2.2).
            std::vector<const Record*> none;
            Node* ent = make_node(name.data(), len, none);
            Unpublished guard{{ent}, &free_node};
            make_room(garbage.nodes, 1);
            reserve_slots(0, garbage);
            guard.nodes.clear();
            link_node(ent, zone, false, parent_node(existing));
            replace(existing, ent, garbage);
            return UpdateResult::Done;
        }
        // Remove it, then each empty non-terminal above it that nothing is below any more.
        make_room(garbage.nodes, labels + 1);
        reserve_slots(0, garbage);
        for (Node* n = existing;;) {
            Node* parent = parent_node(n);
            unlink(n, garbage);
            if (parent == nullptr || --parent->children != 0) break;
            if (parent->rrset_count != 0 || (parent->flags & Node::kApex)) break;
            n = parent;
        }
        maybe_shrink();
        return UpdateResult::Done;
    }

    // Everything that can throw happens before the first store a reader can see.
    std::vector<const Record*> recs;
    recs.reserve(records.size());
    for (const Record& r : records) recs.push_back(&r);
    Unpublished fresh{{}, &free_node};
    fresh.nodes.reserve(depth + 1);
    // The missing empty non-terminals, top-down (depth - 1 .. 1), then the name itself.
    std::vector<const Record*> none;
    for (size_t i = depth; i-- > 1;)
        fresh.nodes.push_back(
            make_node(name.data() + off[i], static_cast<uint8_t>(len - off[i]), none));
    fresh.nodes.push_back(make_node(name.data(), len, recs));
    if (existing != nullptr) make_room(garbage.nodes, 1);
    reserve_slots(depth, garbage);
    std::vector<Node*> nodes = std::move(fresh.nodes);
    fresh.nodes.clear();

    // Publish, parents first: a reader may briefly see a new empty non-terminal without the
    // name below it (NODATA for a name that did not exist a moment ago), never a gap.
    Node* node = nodes.back();
    if (existing != nullptr) {
        link_node(node, zone, apex, parent_node(existing));
        replace(existing, node, garbage);
        return UpdateResult::Done;
    }
    Node* parent = const_cast<Node*>(found);
    for (Node* n : nodes) {
        link_node(n, zone, false, parent);
        insert(n);
        account(n, true);
        parent->children++;
        parent = n;
    }
    return UpdateResult::Done;
}

}  // namespace edgelease::dataplane::dns
