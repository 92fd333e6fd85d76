#include "dataplane/dns/zone_view.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/mman.h>

#include "common/siphash.hpp"

namespace edgelease::dataplane::dns {

namespace {

/// The process's secret for name_hash, drawn once before main() runs (no view exists yet).
const SipKey g_name_key = random_sip_key();

}  // namespace

uint64_t name_hash(const uint8_t* p, size_t len) noexcept {
    return siphash<1, 3>(g_name_key, p, len);
}

const RRsetRef* Node::rrsets() const noexcept {
    size_t off = (sizeof(Node) + name_len + 3) & ~size_t{3};
    return reinterpret_cast<const RRsetRef*>(reinterpret_cast<const uint8_t*>(this) + off);
}

const RRsetRef* Node::find(uint16_t type) const noexcept {
    const RRsetRef* r = rrsets();
    for (uint16_t i = 0; i < rrset_count; ++i)
        if (r[i].type == type) return &r[i];
    return nullptr;
}

namespace {

using Key = std::string;  // lower-cased wire name as bytes

Key key_of(const uint8_t* p, size_t n) {
    return Key(reinterpret_cast<const char*>(p), n);
}

}  // namespace

// The writer-only child count lives in what was padding: a node's header stays 32 bytes.
static_assert(sizeof(Node) == 32);

// A deleted slot. name_len 0 matches no name (a wire name has at least the root octet).
constinit const Node ZoneView::kTombstone{};

// ---------------------------------------------------------------------------------------
// Node blobs: [Node][name][pad to 4][RRsetRef x rrset_count][u16 len][rdata]...

Node* ZoneView::make_node(const uint8_t* name, uint8_t len, std::vector<const Record*>& in) {
    // Group by type (keeping the configured order inside an RRset) and drop repeated
    // records anywhere in a set (RFC 2181 §5: an RRset holds no duplicates).
    if (in.size() > 1)
        std::stable_sort(in.begin(), in.end(),
                         [](const Record* a, const Record* b) { return a->type < b->type; });
    // The writer's scratch (one writer per view at a time; a build and the control lcore's
    // updates each have their own thread): no allocation per node once warm.
    thread_local std::vector<const Record*> recs;
    recs.clear();
    recs.reserve(in.size());
    size_t set_begin = 0;
    for (const Record* r : in) {
        if (!recs.empty() && recs.back()->type != r->type) set_begin = recs.size();
        bool dup = false;
        for (size_t j = set_begin; j < recs.size() && !dup; ++j) dup = recs[j]->rdata == r->rdata;
        if (!dup) recs.push_back(r);
    }
    size_t nsets = 0, data = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
        if (i == 0 || recs[i]->type != recs[i - 1]->type) ++nsets;
        data += 2 + recs[i]->rdata.size();
    }
    const size_t sets_off = (sizeof(Node) + len + 3) & ~size_t{3};
    const size_t data_off = sets_off + nsets * sizeof(RRsetRef);
    auto* raw =
        static_cast<uint8_t*>(::operator new (data_off + data, std::align_val_t{alignof(Node)}));
    if ((reinterpret_cast<uintptr_t>(raw) >> kSlotTagShift) != 0) {
        // An address the slot tag would overwrite (never seen on Linux without an explicit
        // request for high addresses): refuse it rather than corrupt the table.
        ::operator delete (raw, std::align_val_t{alignof(Node)});
        throw std::bad_alloc();
    }
    // Nothing below throws.
    auto* node = new (raw) Node();
    std::memcpy(raw + sizeof(Node), name, len);
    node->name_len = len;
    node->hash = name_hash(name, len);
    node->rrset_count = static_cast<uint16_t>(nsets);
    auto* sets = reinterpret_cast<RRsetRef*>(raw + sets_off);
    size_t at = data_off, s = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
        if (i == 0 || recs[i]->type != recs[i - 1]->type) {
            if (i != 0) ++s;
            sets[s] = RRsetRef{recs[i]->type, 0, recs[i]->ttl, static_cast<uint32_t>(at), 0};
        }
        RRsetRef& set = sets[s];
        set.count++;
        set.ttl = std::min(set.ttl, recs[i]->ttl);  // RFC 2181 §5.2
        uint16_t rdlen = static_cast<uint16_t>(recs[i]->rdata.size());
        raw[at] = static_cast<uint8_t>(rdlen >> 8);
        raw[at + 1] = static_cast<uint8_t>(rdlen);
        std::memcpy(raw + at + 2, recs[i]->rdata.data(), rdlen);
        at += 2 + rdlen;
        set.data_len += 2 + rdlen;
    }
    return node;
}

void ZoneView::free_node(Node* n) noexcept {
    n->~Node();
    ::operator delete (reinterpret_cast<void*>(n), std::align_val_t{alignof(Node)});
}

size_t ZoneView::node_bytes(const Node* n) noexcept {
    size_t total =
        ((sizeof(Node) + n->name_len + 3) & ~size_t{3}) + n->rrset_count * sizeof(RRsetRef);
    for (uint16_t i = 0; i < n->rrset_count; ++i) total += n->rrsets()[i].data_len;
    return total;
}

size_t ZoneView::node_records(const Node* n) noexcept {
    size_t count = 0;
    for (uint16_t i = 0; i < n->rrset_count; ++i) count += n->rrsets()[i].count;
    return count;
}

void ZoneView::link_node(Node* n, const Zone* zone, bool apex, const Node* parent) noexcept {
    n->zone = zone;
    // Every node passes here before it is published: a wildcard turns the lookups on.
    if (n->name_len >= 2 && n->name()[0] == 1 && n->name()[1] == '*')
        wildcards_.store(true, std::memory_order_relaxed);
    if (apex) n->flags |= Node::kApex;
    if (n->rrset_count == 0) n->flags |= Node::kEmptyNonTerminal;
    if (apex) return;
    if (n->find(rrtype::NS) != nullptr) n->flags |= Node::kDelegation;
    // The top-most cut wins: everything under it is the child's (glue at most).
    if (parent != nullptr && parent->zone == zone && parent->cut != nullptr)
        n->cut = parent->cut;
    else if (n->flags & Node::kDelegation)
        n->cut = n;
}

Node* ZoneView::parent_node(const Node* n) const noexcept {
    if (n->name_len <= 1) return nullptr;  // the root
    const size_t skip = size_t{n->name()[0]} + 1;
    // Nodes are allocated mutable; only the writer calls this.
    return const_cast<Node*>(find(n->name() + skip, static_cast<uint8_t>(n->name_len - skip)));
}

uint32_t negative_ttl(const Node& apex, const RRsetRef& soa) noexcept {
    if (soa.count == 0) return 0;
    const uint8_t* rd = apex.data(soa);
    const size_t len = size_t{rd[0]} << 8 | rd[1];
    if (len < 4) return 0;
    // SOA MINIMUM is the last 4 bytes of its RDATA.
    const uint8_t* m = rd + 2 + len - 4;
    const uint32_t minimum =
        uint32_t{m[0]} << 24 | uint32_t{m[1]} << 16 | uint32_t{m[2]} << 8 | m[3];
    return std::min(soa.ttl, minimum);
}

// ---------------------------------------------------------------------------------------
// The slot table.

size_t ZoneView::table_bytes(size_t capacity) noexcept {
    return sizeof(SlotTable) + capacity * sizeof(std::atomic<Slot>);
}

SlotTable* ZoneView::make_table(size_t capacity, bool clear) {
    const size_t bytes = table_bytes(capacity);
    void* raw = nullptr;
    if (bytes >= kMappedTable) {
        // Straight from the kernel: a big malloc() first makes glibc consolidate every small
        // chunk freed since the last one (a rebuild frees millions: 0.4 s for 1M names, in
        // whichever set_owner() came next). Pages are faulted in as they are cleared.
        raw = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) throw std::bad_alloc();
    } else {
        raw = ::operator new (bytes, std::align_val_t{alignof(SlotTable)});
    }
    auto* t = new (raw) SlotTable();
    t->mask = capacity - 1;
    if (clear) clear_slots(t, 0, capacity);
    return t;
}

void ZoneView::clear_slots(SlotTable* t, uint64_t from, uint64_t to) noexcept {
    std::atomic<Slot>* s = t->slots();
    for (uint64_t i = from; i < to; ++i) new (&s[i]) std::atomic<Slot>(0);
}

void ZoneView::free_table(SlotTable* t) noexcept {
    // std::atomic<T*> and SlotTable are trivially destructible.
    const size_t bytes = table_bytes(t->mask + 1);
    t->~SlotTable();
    if (bytes >= kMappedTable)
        ::munmap(t, bytes);
    else
        ::operator delete (reinterpret_cast<void*>(t), std::align_val_t{alignof(SlotTable)});
}

uint64_t ZoneView::place(SlotTable* t, const Node* n, size_t& tombstones) noexcept {
    std::atomic<Slot>* s = t->slots();
    uint64_t i = n->hash & t->mask;
    for (;;) {
        const Slot cur = s[i].load(std::memory_order_relaxed);
        if (cur == 0) break;
        if (node_in(cur) == &kTombstone) {  // the name is absent: the first free slot will do
            --tombstones;
            break;
        }
        i = (i + 1) & t->mask;
    }
    s[i].store(slot_of(n),
               std::memory_order_release);  // the node is complete before readers see it
    return i;
}

void ZoneView::insert(Node* n) noexcept {
    const uint64_t i = place(table_.load(std::memory_order_relaxed), n, tombstones_);
    if (next_ != nullptr && i < cursor_) place(next_, n, next_tombstones_);
    ++live_;
}

void ZoneView::account(const Node* n, bool add) noexcept {
    if (add) {
        records_ += node_records(n);
        bytes_ += node_bytes(n);
    } else {
        records_ -= node_records(n);
        bytes_ -= node_bytes(n);
    }
}

ZoneGarbage& ZoneGarbage::operator=(ZoneGarbage&& other) {
    if (this == &other) return *this;
    if (empty()) {
        nodes.swap(other.nodes);
        tables.swap(other.tables);
        return *this;
    }
    // Make room in both first: a failure half-way would leave pointers in two places.
    nodes.reserve(nodes.size() + other.nodes.size());
    tables.reserve(tables.size() + other.tables.size());
    nodes.insert(nodes.end(), other.nodes.begin(), other.nodes.end());
    tables.insert(tables.end(), other.tables.begin(), other.tables.end());
    other.nodes.clear();
    other.tables.clear();
    return *this;
}

void ZoneGarbage::release() noexcept {
    for (Node* n : nodes) ZoneView::free_node(n);
    for (SlotTable* t : tables) ZoneView::free_table(t);
    nodes.clear();
    tables.clear();
}

// ---------------------------------------------------------------------------------------
// The builder.

ZoneView::ZoneView(const std::vector<ZoneInput>& inputs) {
    try {
        build(inputs);
    } catch (...) {
        destroy();
        throw;
    }
}

namespace {

/// The names a build makes nodes for: each a view of its lower-cased wire bytes (in the
/// inputs' records or the zone keys, which outlive the build), its zone and its records as a
/// list through `BuildNames::next`, in input order. Found through an open-addressed table of
/// indexes: no allocation per name.
class BuildNames {
  public:
    struct Name {
        std::string_view key;
        uint32_t zone = 0;
        uint32_t head = kNone;  // first record (index into recs), kNone for none
        uint32_t tail = kNone;
    };
    static constexpr uint32_t kNone = UINT32_MAX;

    explicit BuildNames(size_t expected) {
        size_t cap = 64;
        while (cap < expected * 2) cap <<= 1;
        slots_.assign(cap, kNone);
        names_.reserve(expected);
        recs_.reserve(expected);
        next_.reserve(expected);
    }
    /// The name's index, added (zone `zone`, no records) when new; `added` says which.
    uint32_t find_or_add(std::string_view key, uint32_t zone, bool& added) {
        if (names_.size() * 2 >= slots_.size()) grow();
        const uint64_t mask = slots_.size() - 1;
        uint64_t i = hash(key) & mask;
        for (;; i = (i + 1) & mask) {
            const uint32_t at = slots_[i];
            if (at == kNone) break;
            if (names_[at].key == key) {
                added = false;
                return at;
            }
        }
        slots_[i] = static_cast<uint32_t>(names_.size());
        names_.push_back(Name{key, zone, kNone, kNone});
        added = true;
        return slots_[i];
    }
    void add_record(uint32_t name, const Record* r) {
        const auto at = static_cast<uint32_t>(recs_.size());
        recs_.push_back(r);
        next_.push_back(kNone);
        Name& n = names_[name];
        if (n.tail == kNone)
            n.head = at;
        else
            next_[n.tail] = at;
        n.tail = at;
    }
    /// The records of `n` into `out` (cleared first), in input order.
    void records_of(const Name& n, std::vector<const Record*>& out) const {
        out.clear();
        for (uint32_t r = n.head; r != kNone; r = next_[r]) out.push_back(recs_[r]);
    }
    std::vector<Name>& names() { return names_; }

  private:
    static uint64_t hash(std::string_view k) noexcept {
        return name_hash(reinterpret_cast<const uint8_t*>(k.data()), k.size());
    }
    void grow() {
        std::vector<uint32_t> bigger(slots_.size() * 2, kNone);
        const uint64_t mask = bigger.size() - 1;
        for (uint32_t n = 0; n < names_.size(); ++n) {
            uint64_t i = hash(names_[n].key) & mask;
            while (bigger[i] != kNone) i = (i + 1) & mask;
            bigger[i] = n;
        }
        slots_ = std::move(bigger);
    }
    std::vector<uint32_t> slots_;
    std::vector<Name> names_;
    std::vector<const Record*> recs_;
    std::vector<uint32_t> next_;
};

/// Wire name minus its first label (empty for the root).
std::string_view parent_of(std::string_view k) noexcept {
    if (k.size() <= 1) return {};
    return k.substr(size_t{static_cast<uint8_t>(k[0])} + 1);
}

}  // namespace

void ZoneView::build(const std::vector<ZoneInput>& inputs) {
    // Deeper zones first so that a name belongs to the deepest hosted zone containing it.
    std::vector<size_t> order(inputs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<Key> zone_keys;
    for (const auto& z : inputs) zone_keys.push_back(key_of(z.name.data(), z.name.size()));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return wire_label_count(zone_keys[a]) > wire_label_count(zone_keys[b]);
    });
    auto owning_zone = [&](std::string_view name) -> long {
        for (size_t i : order)
            if (wire_at_or_below(name, zone_keys[i])) return static_cast<long>(i);
        return -1;
    };

    size_t total = 0;
    for (const auto& z : inputs) total += z.records.size();
    BuildNames build(total + inputs.size() + 16);
    bool added = false;
    for (size_t zi = 0; zi < inputs.size(); ++zi) {
        const auto zone = static_cast<uint32_t>(zi);
        for (const auto& r : inputs[zi].records) {
            const std::string_view k(reinterpret_cast<const char*>(r.owner.data()), r.owner.size());
            // A record that a deeper hosted zone covers is occluded by that zone's data.
            if (owning_zone(k) != static_cast<long>(zi)) continue;
            build.add_record(build.find_or_add(k, zone, added), &r);
        }
        // The apex exists even if (invalidly) empty.
        build.names()[build.find_or_add(zone_keys[zi], zone, added)].zone = zone;
    }
    // Empty non-terminals: every ancestor between an owner and its zone apex is a node. A
    // hosted zone's apex also needs the names between it and the apex of the hosted zone
    // above it (those belong to the parent zone). Ancestors are views into their
    // descendant's bytes.
    const size_t owners = build.names().size();
    for (size_t n = 0; n < owners; ++n) {
        const uint32_t zi = build.names()[n].zone;
        const std::string_view k = build.names()[n].key;
        for (std::string_view a = parent_of(k); a.size() >= zone_keys[zi].size() && !a.empty();
             a = parent_of(a)) {
            build.find_or_add(a, zi, added);
            if (!added) break;  // its ancestors are already there
        }
    }
    for (size_t zi = 0; zi < inputs.size(); ++zi) {
        for (std::string_view a = parent_of(zone_keys[zi]); !a.empty(); a = parent_of(a)) {
            const long owner = owning_zone(a);
            if (owner < 0) break;  // nothing hosted above this zone
            build.find_or_add(a, static_cast<uint32_t>(owner), added);
            if (!added) break;
        }
    }

    for (const auto& in : inputs) {
        auto z = std::make_unique<Zone>();
        z->name = in.name;
        zones_.push_back(std::move(z));
    }

    // Node blobs, parents before children (cut pointers come from the parent): by length,
    // a counting sort (a wire name is at most 255 octets).
    const auto& names = build.names();
    std::vector<uint32_t> by_len(names.size());
    {
        std::vector<uint32_t> start(257, 0);
        for (const auto& n : names) ++start[std::min<size_t>(n.key.size(), 255) + 1];
        for (size_t l = 1; l < start.size(); ++l) start[l] += start[l - 1];
        for (uint32_t i = 0; i < names.size(); ++i)
            by_len[start[std::min<size_t>(names[i].key.size(), 255)]++] = i;
    }

    // At most a third full, as a rehash leaves it (zone_view_update.cpp, start_rehash): a
    // view built fuller would start copying its whole table with the first changes after
    // the build (at 1M names, 2M slots stepped through over the next few thousand changes).
    size_t cap = 16;
    while (cap < names.size() * 3) cap <<= 1;
    table_.store(make_table(cap, true), std::memory_order_relaxed);
    bytes_ = table_bytes(cap);

    std::vector<const Record*> recs;
    for (uint32_t i : by_len) {
        const auto& p = names[i];
        build.records_of(p, recs);
        Node* node = make_node(reinterpret_cast<const uint8_t*>(p.key.data()),
                               static_cast<uint8_t>(p.key.size()), recs);
        const bool apex = p.key == zone_keys[p.zone];
        Node* parent = parent_node(node);  // nullptr above the top-most hosted apex
        link_node(node, zones_[p.zone].get(), apex, parent);
        if (parent != nullptr) parent->children++;
        insert(node);
        account(node, true);
        if (apex) zones_[p.zone]->apex.store(node, std::memory_order_relaxed);
    }
}

ZoneView::~ZoneView() {
    destroy();
}

void ZoneView::destroy() noexcept {
    if (next_ != nullptr) free_table(next_);  // holds only nodes the published table holds
    next_ = nullptr;
    SlotTable* t = table_.exchange(nullptr, std::memory_order_relaxed);
    if (t == nullptr) return;
    std::atomic<Slot>* s = t->slots();
    for (uint64_t i = 0; i <= t->mask; ++i) {
        const Node* n = node_in(s[i].load(std::memory_order_relaxed));
        if (n != nullptr && n != &kTombstone) free_node(const_cast<Node*>(n));
    }
    free_table(t);
}

const Node* ZoneView::find(uint64_t hash, const uint8_t* name, uint8_t len) const noexcept {
    // Acquire loads are plain loads on x86 and pair with the writer's release stores: a
    // node seen here is complete. A tombstone never matches (name_len 0) and never ends
    // the probe; a slot is never set back to empty, so no existing name can be missed. Only
    // a slot whose tag (the hash's top 16 bits) matches costs a look at its node.
    const SlotTable* t = table_.load(std::memory_order_acquire);
    const std::atomic<Slot>* s = t->slots();
    const uint64_t mask = t->mask;
    const Slot tag = hash >> kSlotTagShift;
    uint64_t i = hash & mask;
    for (;;) {
        const Slot v = s[i].load(std::memory_order_acquire);
        if (v == 0) return nullptr;
        if ((v >> kSlotTagShift) == tag) {
            const Node* n = node_in(v);
            if (n->hash == hash && n->name_len == len && std::memcmp(n->name(), name, len) == 0)
                return n;
        }
        i = (i + 1) & mask;
    }
}

const Node* ZoneView::find(const uint8_t* name, uint8_t len) const noexcept {
    return find(name_hash(name, len), name, len);
}

}  // namespace edgelease::dataplane::dns
