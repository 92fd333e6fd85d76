#pragma once
// The zone data that worker lcores answer from. Built by the control plane, published
// through RCU (see ZoneViewSlot): a worker loads the current view once per burst and never
// locks or waits. Two ways to change it:
//  - a full rebuild: a new view is published and the old one freed after every reader has
//    passed a quiescent point (reloads, anything set_owner refuses);
//  - in place, by ONE writer thread (the control lcore): set_owner() replaces one owner
//    name's records while readers keep calling find(). What it unlinks goes to a ZoneGarbage
//    that is freed after a grace period, as a retired view is.
//
// Layout: one open-addressing hash table (power-of-two slots, linear probing) of Nodes,
// keyed by the lower-cased wire-form owner name; every owner of every hosted zone, plus
// the empty non-terminals between them (RFC 4592 §2.2.2), is one Node. Lookups cost one
// hash and usually one probe whatever the zone size. Readers and the writer meet only at
// atomic pointers: the table pointer, its slots and Zone::apex. A Node is never modified
// once published (except a count only the writer reads); a change publishes a new Node
// into the same slot, so a reader sees the old node or the new one and never a miss.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::dataplane::dns {

// The DNS vocabulary (RR types, names: common/dns_types.hpp) is spoken here too.
using namespace edgelease::dns;

struct Zone;

/// One RRset of a node: `count` records of one type, RDATA stored as [u16 len][bytes]...
struct RRsetRef {
    uint16_t type = 0;
    uint16_t count = 0;
    uint32_t ttl = 0;
    uint32_t data_off = 0;  // offset of the first record in the node's blob
    uint32_t data_len = 0;
};

/// An owner name and its RRsets, in one allocation. Immutable once published (but for
/// `children`, which readers never read).
struct Node {
    uint64_t hash = 0;
    const Zone* zone = nullptr;  // the deepest hosted zone containing the name
    const Node* cut = nullptr;   // delegation point at or above this node (nullptr: none)
    uint16_t rrset_count = 0;
    uint8_t name_len = 0;
    uint8_t flags = 0;
    /// Writer only (readers never read it): how many nodes of the view are children of this
    /// one. Lets set_owner() prune empty non-terminals in O(depth).
    uint32_t children = 0;
    static constexpr uint8_t kApex = 1, kDelegation = 2, kEmptyNonTerminal = 4;

    const uint8_t* name() const noexcept { return reinterpret_cast<const uint8_t*>(this + 1); }
    const RRsetRef* rrsets() const noexcept;
    const RRsetRef* find(uint16_t type) const noexcept;
    const uint8_t* data(const RRsetRef& r) const noexcept {
        return reinterpret_cast<const uint8_t*>(this) + r.data_off;
    }
};

struct Zone {
    WireName name;
    /// The apex node. set_owner() replaces it (release store); readers load it once
    /// (acquire) and take the SOA from that node, so owner, SOA and negative TTL always
    /// agree. Never nullptr in a built view.
    std::atomic<const Node*> apex{nullptr};
};

/// The negative-answer TTL of a zone whose apex is `apex`: min(SOA TTL, SOA MINIMUM)
/// (RFC 2308 §5). `soa` is apex.find(rrtype::SOA); 0 when the RDATA is too short.
uint32_t negative_ttl(const Node& apex, const RRsetRef& soa) noexcept;

/// One slot of the open-addressing table: a node's address with the top 16 bits of its
/// name hash in the address's unused top 16 bits (user-space addresses stay below 2^47 on
/// x86-64 and 2^48 on arm64 unless asked for more), so that a probe passes over another
/// name's node without loading it: one cache miss per lookup instead of one per probe.
/// 0 = empty; the tombstone's hash is 0, so its slot is its bare address.
using Slot = uintptr_t;
inline constexpr unsigned kSlotTagShift = 48;

/// The slots readers probe: `mask + 1` (a power of two) atomic slots following this header
/// in one allocation. Replaced as a whole when it fills up.
struct alignas(64) SlotTable {
    uint64_t mask = 0;

    std::atomic<Slot>* slots() noexcept { return reinterpret_cast<std::atomic<Slot>*>(this + 1); }
    const std::atomic<Slot>* slots() const noexcept {
        return reinterpret_cast<const std::atomic<Slot>*>(this + 1);
    }
};

/// The slot value for `n` (its address and hash tag), and the node in a slot value.
inline Slot slot_of(const Node* n) noexcept {
    return reinterpret_cast<uintptr_t>(n) | (n->hash >> kSlotTagShift << kSlotTagShift);
}
inline const Node* node_in(Slot s) noexcept {
    return reinterpret_cast<const Node*>(s & ((uintptr_t{1} << kSlotTagShift) - 1));
}

/// Memory set_owner() unlinked from a view: readers may still be looking at it. Call
/// release() only after every reader has passed an RCU quiescent point that follows the
/// set_owner() calls which filled it (rte_rcu_qsbr_start() after the last of them, then
/// wait for rte_rcu_qsbr_check()). It does not depend on the view: it may outlive it.
/// Nothing here ever drops what it holds without freeing it: the destructor does NOT free
/// (freeing under a reader is worse than a leak; release() it or move it somewhere that
/// will), and assigning one garbage to another appends, it does not overwrite.
struct ZoneGarbage {
    std::vector<Node*> nodes;
    std::vector<SlotTable*> tables;

    ZoneGarbage() = default;
    ZoneGarbage(ZoneGarbage&&) noexcept = default;
    /// Appends `other`'s contents (left empty) to this one's. Throws std::bad_alloc only
    /// when both are non-empty, and then neither changed.
    ZoneGarbage& operator=(ZoneGarbage&& other);
    ZoneGarbage(const ZoneGarbage&) = delete;
    ZoneGarbage& operator=(const ZoneGarbage&) = delete;
    ~ZoneGarbage() = default;

    /// Frees everything held and empties the lists.
    void release() noexcept;
    bool empty() const noexcept { return nodes.empty() && tables.empty(); }
};

/// Input to the builder: one zone's records (already validated; must contain SOA and NS at
/// the apex and only owners at or below it).
struct ZoneInput {
    WireName name;
    std::vector<Record> records;
};

/// What ZoneView::set_owner() did.
enum class UpdateResult { Done, NeedsRebuild };

uint64_t name_hash(const uint8_t* name, size_t len) noexcept;

class ZoneView {
  public:
    /// Builds the view. Records of a name that a deeper hosted zone also contains belong to
    /// the deeper zone (its apex replaces the parent's delegation). Duplicated RRs collapse.
    /// An RRset's TTL is the smallest of its records' (RFC 2181 §5.2). Throws std::bad_alloc.
    explicit ZoneView(const std::vector<ZoneInput>& zones);
    /// Frees every node and the table currently linked (not what a ZoneGarbage holds).
    ~ZoneView();
    ZoneView(const ZoneView&) = delete;
    ZoneView& operator=(const ZoneView&) = delete;

    /// The node for an exact lower-cased wire name (len >= 1), or nullptr. noexcept, no
    /// allocation, no lock; safe while the writer runs set_owner(). The node stays valid
    /// until the reader's next quiescent point.
    const Node* find(const uint8_t* name, uint8_t len) const noexcept;
    /// False while no name of the view is a wildcard ('*' as its first label): a name that is
    /// missing then needs no wildcard lookup (RFC 4592 §3.3.1). Set before a wildcard's node
    /// is published, never cleared while the view lives. Any thread.
    bool may_have_wildcards() const noexcept { return wildcards_.load(std::memory_order_relaxed); }
    const Node* find(uint64_t hash, const uint8_t* name, uint8_t len) const noexcept;
    /// Reader hints for a burst (no effect on results): start loading the slot a find() of
    /// `hash` looks at first, and later, once that slot is in cache, the node it names if
    /// its tag matches. A worker issues them a packet or two ahead of the lookups.
    void prefetch_slot(uint64_t hash) const noexcept {
        const SlotTable* t = table_.load(std::memory_order_acquire);
        __builtin_prefetch(&t->slots()[hash & t->mask]);
    }
    void prefetch_node(uint64_t hash) const noexcept {
        const SlotTable* t = table_.load(std::memory_order_acquire);
        const Slot v = t->slots()[hash & t->mask].load(std::memory_order_relaxed);
        if (v != 0 && (v >> kSlotTagShift) == (hash >> kSlotTagShift))
            __builtin_prefetch(node_in(v));
    }

    /// Writer hints for a batch of set_owner() calls: `write(i)` for i in [0, n), in order,
    /// with the slot of name i + 8 and then the node of name i + 4 loading meanwhile
    /// (`name(i)` gives name i's wire form as a std::string_view). An expiry storm writes
    /// thousands of names per batch, each a cache miss or two in a table of a million.
    template <class NameFn, class WriteFn>
    void write_prefetched(size_t n, NameFn&& name, WriteFn&& write) const {
        constexpr size_t kSlotAhead = 8, kNodeAhead = 4;
        // ahead[j % kSlotAhead]: the hash of name j, from its slot's request to its node's.
        uint64_t ahead[kSlotAhead];
        auto request_slot = [&](size_t j) {
            const std::string_view v = name(j);
            ahead[j % kSlotAhead] = name_hash(reinterpret_cast<const uint8_t*>(v.data()), v.size());
            prefetch_slot(ahead[j % kSlotAhead]);
        };
        for (size_t j = 0; j < n && j < kSlotAhead; ++j) request_slot(j);
        for (size_t i = 0; i < n; ++i) {
            if (i + kNodeAhead < n) prefetch_node(ahead[(i + kNodeAhead) % kSlotAhead]);
            if (i + kSlotAhead < n) request_slot(i + kSlotAhead);  // takes name i's place
            write(i);
        }
    }

    /// Writer only (one thread; readers may run find() meanwhile). Replaces every record of
    /// the owner `name` (lower-cased wire form) with `records` (all with that owner; empty:
    /// the name has no records any more), grouped, deduplicated and TTL-clamped exactly as
    /// the constructor does. Creates the empty non-terminals a new name needs and removes
    /// the ones nothing is below any more; a name that loses its records but has names below
    /// it becomes an empty non-terminal. Unlinked nodes and tables go to `garbage`.
    /// Returns NeedsRebuild, having changed nothing, when the change cannot be made in place:
    /// the name lies in no hosted zone; it is at or below a delegation cut; NS records would
    /// appear at a non-apex name (a new cut); an apex would lose its SOA or NS; or the input
    /// breaks the preconditions (malformed name, a record with another owner) - a rebuild
    /// validates it. CNAME-and-other-data consistency is the caller's job.
    /// On std::bad_alloc the view's content is unchanged. Cost: O(records + labels), plus a
    /// bounded step (kRehashStep slots) of a rehash in progress: when names and tombstones
    /// fill 3/8 of the table, a new table is filled in the background over the following
    /// calls and published when complete, so no single call pays for the whole table. Only
    /// if the table reaches half full first is the rest done in one go.
    UpdateResult set_owner(const WireName& name, const std::vector<Record>& records,
                           ZoneGarbage& garbage);
    /// Writer only: whether the name's node holds exactly the RRsets `records` would make
    /// (no node, or one without data, for none). A rebuilt view checks with it the names
    /// that set_owner cannot write in place (at or below a cut) and that may already be right.
    bool holds_exactly(const WireName& name, const std::vector<Record>& records) const;

    /// Writer only, for an idle control loop (bounded work per tick): advances a rehash in
    /// progress by a step of `max_slots` (SIZE_MAX: to the end), and starts one that gives
    /// memory back when most of the table is empty. Returns true while one is in progress.
    /// A table it replaces goes to `garbage`. Without it, rehashes advance only with changes.
    bool maintain(ZoneGarbage& garbage, size_t max_slots = kRehashStep) noexcept;

    /// Slots of the published table a set_owner() call copies into the next table (before
    /// that, 16 times as many of the next table's slots it clears per call).
    static constexpr size_t kRehashStep = 256;

    size_t node_count() const { return live_; }
    /// Records served (duplicates collapsed, records occluded by a deeper zone not counted).
    size_t record_count() const { return records_; }
    size_t zone_count() const { return zones_.size(); }
    const WireName& zone_name(size_t i) const { return zones_[i]->name; }
    /// Node blobs plus the slot table (two of them while a rehash is in progress).
    size_t memory_bytes() const { return bytes_; }
    const std::vector<std::unique_ptr<Zone>>& zones() const { return zones_; }
    /// Table figures, for tests and telemetry: the published table's size and tombstones,
    /// tables published since construction, and whether a next table is being filled.
    size_t slot_capacity() const { return table_.load(std::memory_order_relaxed)->mask + 1; }
    size_t tombstone_count() const { return tombstones_; }
    size_t rehash_count() const { return rehashes_; }
    bool rehash_in_progress() const { return next_ != nullptr; }

  private:
    // Node blobs and the table (zone_view.cpp).
    static Node* make_node(const uint8_t* name, uint8_t len, std::vector<const Record*>& records);
    static void free_node(Node* n) noexcept;
    static size_t node_bytes(const Node* n) noexcept;
    static size_t node_records(const Node* n) noexcept;
    /// `clear`: all slots nullptr. Otherwise the caller clears them (clear_slots) before use.
    /// Tables of kMappedTable bytes or more are mmap()ed.
    static SlotTable* make_table(size_t capacity, bool clear);
    static size_t table_bytes(size_t capacity) noexcept;
    static constexpr size_t kMappedTable = size_t{1} << 20;
    static void clear_slots(SlotTable* t, uint64_t from, uint64_t to) noexcept;
    static void free_table(SlotTable* t) noexcept;
    /// Sets zone, flags and cut of a new node from its parent node (nullptr: none).
    void link_node(Node* n, const Zone* zone, bool apex, const Node* parent) noexcept;
    Node* parent_node(const Node* n) const noexcept;
    /// Puts a node whose name is absent into a table with room, reusing the first tombstone
    /// on its probe path (counted down in `tombstones`). Returns the slot index.
    static uint64_t place(SlotTable* t, const Node* n, size_t& tombstones) noexcept;
    /// Puts a node whose name is absent into the published table (room guaranteed), and into
    /// the next one when its slot has been copied already.
    void insert(Node* n) noexcept;
    void account(const Node* n, bool add) noexcept;
    void build(const std::vector<ZoneInput>& zones);
    void destroy() noexcept;

    // The writer's path (zone_view_update.cpp).
    /// Makes sure `extra` more nodes fit (at most half of the published table in use),
    /// starting or advancing a rehash. Throws std::bad_alloc before changing anything
    /// readers could tell apart.
    void reserve_slots(size_t extra, ZoneGarbage& garbage);
    /// Allocates the next table, for the live nodes plus `extra` at most a third full.
    void start_rehash(size_t extra);
    /// Copies up to `max_slots` more slots into the next table; publishes it when done.
    void migrate(size_t max_slots, ZoneGarbage& garbage) noexcept;
    /// Starts a shrinking rehash when most of the table is empty (allocation failure: not).
    void maybe_shrink() noexcept;
    /// Stores `with` over `n` in the published table, and in the next one if copied there.
    void store_over(const Node* n, const Node* with) noexcept;
    void unlink(Node* n, ZoneGarbage& garbage) noexcept;
    void replace(Node* old, Node* next, ZoneGarbage& garbage) noexcept;

    friend struct ZoneGarbage;
    static const Node kTombstone;  // a deleted slot: never matches (name_len 0), never null

    std::vector<std::unique_ptr<Zone>> zones_;
    std::atomic<SlotTable*> table_{nullptr};
    std::atomic<bool> wildcards_{false};  // may_have_wildcards()
    // A rehash in progress (writer only, never seen by readers): next_'s slots [0, cleared_)
    // are initialised; once all are, slots [0, cursor_) of the published table are copied
    // into next_, and changes there are mirrored into it.
    SlotTable* next_ = nullptr;
    uint64_t cleared_ = 0;
    uint64_t cursor_ = 0;
    size_t next_tombstones_ = 0;
    size_t live_ = 0;
    size_t tombstones_ = 0;
    size_t rehashes_ = 0;
    size_t records_ = 0;
    size_t bytes_ = 0;
};

/// Hash of a lower-cased wire name: SipHash-1-3 under a key drawn at start-up. DHCP clients
/// choose names that go into the table (options 12, 81, 39); with an unkeyed hash they could
/// pick names that pile up on one probe chain every lookup walks. Not knowing the key, they
/// cannot.
uint64_t name_hash(const uint8_t* name, size_t len) noexcept;

/// The published pointer. Workers: `current()` once per burst, then report quiescence.
/// The control lcore: `exchange()` and retire the old view after an RCU grace period.
class ZoneViewSlot {
  public:
    const ZoneView* current() const noexcept { return ptr_.load(std::memory_order_acquire); }
    const ZoneView* exchange(const ZoneView* v) noexcept {
        return ptr_.exchange(v, std::memory_order_acq_rel);
    }

  private:
    std::atomic<const ZoneView*> ptr_{nullptr};
};

}  // namespace edgelease::dataplane::dns
