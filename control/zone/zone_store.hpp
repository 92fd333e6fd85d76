#pragma once
// The authoritative copy of every hosted record with its provenance. Lives on the control
// lcore (the only writer of zone data); the ZoneView that workers answer from is derived from
// it: each change marks its owner name dirty, and the control plane rewrites those owners'
// nodes in the published view (ZoneView::set_owner) or, rarely, rebuilds the view.
//
// Record identity is (owner, type, RDATA): an RRset may hold records of different origins
// (a config A and a dhcp A at the same name would be two records of one RRset, though the
// DHCP policy never lets that happen).
//
// Persistence: every change except to a zone's SOA (generated, serial kept in memory) goes to
// a RecordSink (the LMDB record store) so provenance survives restarts.
//
// Layout (a million subscribers and more: issue 18): owner names and provenance owners are
// interned once each (open-addressing tables of 32-bit ids with the hash beside each, so a
// probe rarely touches a name), records live in one flat pool, and lease addresses are a
// chained table of record ids linked through the records. Every hash is SipHash under a key
// drawn at start-up (clients choose the names). A lease's A record costs about 250 bytes
// here instead of the 680 that three maps of strings took.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "common/dns_types.hpp"
#include "common/huge_alloc.hpp"
#include "common/siphash.hpp"
#include "common/slot_table.hpp"
#include "common/text_arena.hpp"
#include "control/zone/provenance.hpp"
#include "dataplane/dns/zone_view.hpp"

namespace edgelease::control::zone {

/// Where record changes are made durable. Called on the control lcore; must not block.
class RecordSink {
  public:
    virtual ~RecordSink() = default;
    virtual void put(const StoredRecord& r) = 0;
    virtual void erase(const dns::Record& r) = 0;
    /// The zone's state, in order with the records: `zone_dirty` before the first change
    /// since its serial was last set, `zone_serial` when its SOA (with the serial) is set
    /// again and every change since belongs to that serial; `zone_removed` when the zone is
    /// no longer hosted. A reader of the sink's storage then knows, for any consistent view
    /// of it, whether a zone's records are exactly those of its serial (zone transfers).
    virtual void zone_dirty(const dns::WireName& apex) { (void)apex; }
    virtual void zone_serial(const dns::Record& soa) { (void)soa; }
    virtual void zone_removed(const dns::WireName& apex) { (void)apex; }
};

/// A hosted zone: apex (lower-case wire) and its SOA serial.
struct ZoneInfo {
    dns::WireName apex;
    std::string key;  // apex bytes as a string (lookup key form)
    uint32_t serial = 0;
    bool dirty = false;  // changed since the serial was last bumped
};

class ZoneStore {
  public:
    using Key = std::string;  // lower-case wire owner name as bytes

    struct Entry {
        uint16_t type = 0;
        uint32_t ttl = 0;
        std::vector<uint8_t> rdata;
        Provenance prov;
    };

    explicit ZoneStore(RecordSink* sink = nullptr) : sink_(sink), hash_key_(random_sip_key()) {}
    ZoneStore(const ZoneStore&) = delete;
    ZoneStore& operator=(const ZoneStore&) = delete;
    ZoneStore(ZoneStore&&) = default;
    ZoneStore& operator=(ZoneStore&&) = default;
    void set_sink(RecordSink* sink) { sink_ = sink; }

    /// Start-up and reload: the hosted zones and their configured records (origin config).
    /// Config records keep their `created` time when they were already present (from storage
    /// or the previous configuration); config records no longer configured are removed;
    /// records of other origins whose name is in no hosted zone any more are removed and
    /// appended to `orphaned`. Marks every affected owner dirty.
    void set_config(const std::vector<dataplane::dns::ZoneInput>& zones, int64_t now,
                    std::vector<StoredRecord>* orphaned = nullptr);

    /// Start-up: a record read from storage. Config records are only remembered (their
    /// `created` time) until set_config() sees them; others are inserted as they were.
    /// Records outside every hosted zone are dropped (call after set_config... see load order
    /// in the appliance: restore() first, then set_config()). Not marked dirty: the first
    /// view is built from the whole store.
    void restore(const StoredRecord& r);
    /// The same for `n` records at once: their hash-table probes are started together, so
    /// that a million restored records wait for memory a few times less.
    void restore_batch(const StoredRecord* rs, size_t n);
    /// Start-up, before restore(): room for `records` restored records, so that the tables
    /// are sized once instead of rehashed as they grow.
    void reserve(size_t records);
    /// Start-up, before set_config(): the serial a zone had when the appliance last ran. A
    /// zone's serial never steps back across restarts (its secondaries would stop
    /// following): the configured or generated one is raised past it.
    void restore_serial(const dns::WireName& apex, uint32_t serial) {
        stored_serials_[key(apex)] = serial;
    }

    /// The deepest hosted zone holding `owner`, or -1.
    int zone_of(std::string_view owner) const noexcept;
    int zone_of(const dns::WireName& owner) const noexcept {
        return zone_of(std::string_view(reinterpret_cast<const char*>(owner.data()), owner.size()));
    }
    const std::vector<ZoneInfo>& zones() const { return zones_; }

    /// Copies of the records at `owner`, in the order they were added (empty: none).
    std::vector<Entry> entries(std::string_view owner) const;
    /// The same, held by the store until the next find() (nullptr: none). For tests and
    /// one-off looks; code that changes the store meanwhile takes entries().
    const std::vector<Entry>* find(const Key& owner) const;

    /// Inserts or replaces (same owner, type and RDATA) a record. False when the owner lies
    /// in no hosted zone.
    bool put(const StoredRecord& r);
    /// Removes one record; false when there was no such record.
    bool erase(std::string_view owner, uint16_t type, const std::vector<uint8_t>& rdata);

    /// Owner names holding an A (4-byte `addr`) or AAAA (16 bytes) record with this address
    /// and origin dhcp or reservation.
    std::vector<Key> lease_names_for(const std::vector<uint8_t>& addr) const;
    /// Every (owner name) holding a record owned by `owner` (provenance owner string).
    std::vector<Key> names_owned_by(const std::string& owner) const;
    /// What erase_owned() did.
    struct OwnedErase {
        size_t erased = 0;
        size_t left = 0;  // records `owner` still holds
    };
    /// A release's or an expiry's removal in one pass: visits every record owned by `owner`
    /// (provenance owner string) as entries() and names_owned_by() list them (the names in
    /// the order of their oldest record, each name's records in order) and removes those for
    /// which `fn(name, entry)` returns true, marked and told to the sink as erase() does.
    /// One look-up of the owner, none of the names; no copies but the entry handed to `fn`
    /// (valid during the call). `fn` must not change the store.
    template <class Fn>
    OwnedErase erase_owned(std::string_view owner, Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        return erase_owned_impl(
            owner,
            [](void* f, std::string_view name, const Entry& e) {
                return (*static_cast<F*>(f))(name, e);
            },
            static_cast<void*>(&fn));
    }
    /// What a lease grant would write for its binding (LeaseDns::grant()).
    struct LeaseRecords {
        std::string_view owner;                      // the binding (provenance owner)
        std::string_view name;                       // the A/AAAA owner name, wire form
        uint16_t type = 0;                           // A or AAAA
        const std::vector<uint8_t>* addr = nullptr;  // its RDATA
        std::string_view rev;  // the PTR owner name, wire form (its RDATA: `name`)
        bool ptr = true;       // whether a PTR is written (`rev` in a hosted zone)
        uint32_t ttl = 0;
        Origin origin = Origin::Dhcp;  // Dhcp or Reservation
        int64_t fresh_since = 0;       // a record updated before this needs a refresh,
        int64_t fresh_until = 0;       // and one updated after this (a clock stepped back)
    };
    /// Whether the grant would change nothing (a renewal, the common case): the binding's
    /// records are exactly its A/AAAA and its PTR (if `ptr`), each with the TTL, an origin the
    /// grant keeps (dhcp, or reservation) and `updated` within [fresh_since, fresh_until]; it
    /// has no record of another origin (an admin's record carrying its owner string is the
    /// grant's to judge); each is the only record at its name; and no other binding's dhcp
    /// record holds the address. One pass over the binding's records and the address's chain,
    /// no copy.
    bool lease_records_current(const LeaseRecords& q) const noexcept;
    /// Whether `owner` holds any record (no copy: the common case on a release is "none").
    bool owns_any(const std::string& owner) const { return find_owner(owner) != kNil; }
    /// Whether no record has a provenance owner (no lease or reservation record exists): the
    /// lease side can then skip computing owners for bindings that publish nothing.
    bool no_owners() const noexcept { return owners_used_ == 0; }

    /// Every record of `owner` as the view needs them (empty: the name is gone).
    std::vector<dns::Record> records_of(const Key& owner) const;
    /// Every zone's records, for a full ZoneView build.
    std::vector<dataplane::dns::ZoneInput> inputs() const;

    /// Owners changed since the last call (moved out). Zones whose data changed get their
    /// SOA serial bumped first (RFC 1982 arithmetic; serial+1), so their apex is included.
    void take_dirty(std::vector<Key>& out);
    /// The same, with each name's id for records_at() (no look-up of the name again).
    void take_dirty(std::vector<Key>& out, std::vector<uint32_t>& ids);
    /// records_of() for the name take_dirty() handed out as ids[i] with out[i] == `owner`:
    /// valid until the store next changes (a name left without records reads as empty).
    std::vector<dns::Record> records_at(uint32_t id, const Key& owner) const;
    bool has_dirty() const noexcept { return !dirty_.empty(); }

    /// Visits every record (for listings). Order is unspecified. `fn` must not change the
    /// store (collect, then change).
    void for_each(const std::function<void(const Key&, const Entry&)>& fn) const;
    size_t record_count() const noexcept { return records_; }
    std::array<size_t, kOriginNames.size()> count_by_origin() const;

    static Key key(const dns::WireName& n) { return Key(n.begin(), n.end()); }
    static dns::WireName wire(std::string_view k) { return dns::WireName(k.begin(), k.end()); }

  private:
    static constexpr uint32_t kNil = 0xffffffffu;

    /// RDATA held inline up to 16 octets (A, AAAA: no allocation), else on the heap.
    class Bytes {
      public:
        Bytes() noexcept { std::memset(in_, 0, sizeof in_); }
        Bytes(const Bytes&) = delete;
        Bytes& operator=(const Bytes&) = delete;
        Bytes(Bytes&& o) noexcept : len_(o.len_) {
            std::memcpy(in_, o.in_, sizeof in_);
            o.len_ = 0;
        }
        Bytes& operator=(Bytes&& o) noexcept {
            if (this != &o) {
                clear();
                len_ = o.len_;
                std::memcpy(in_, o.in_, sizeof in_);
                o.len_ = 0;
            }
            return *this;
        }
        ~Bytes() { clear(); }
        void assign(const uint8_t* p, size_t n);
        void clear() noexcept;
        const uint8_t* data() const noexcept { return len_ > kInline ? heap() : in_; }
        size_t size() const noexcept { return len_; }
        bool equals(const std::vector<uint8_t>& v) const noexcept {
            return equals(v.data(), v.size());
        }
        bool equals(const void* p, size_t n) const noexcept {
            return n == len_ && (len_ == 0 || std::memcmp(data(), p, len_) == 0);
        }
        std::vector<uint8_t> to_vector() const { return {data(), data() + len_}; }

      private:
        static constexpr size_t kInline = 16;
        uint8_t* heap() const noexcept {
            uint8_t* p;
            std::memcpy(&p, in_, sizeof p);
            return p;
        }
        uint8_t in_[kInline];
        uint16_t len_ = 0;  // RDATA is at most 65535 octets
    };

    /// An interned byte string (an owner name, or a provenance owner) and the first record
    /// linked to it.
    struct Interned {
        detail::TextArena::Ref text = 0;  // in the table's arena
        uint16_t len = 0;
        bool used = false;
        bool dirty = false;  // names: in dirty_ (kept while dirty even with no records)
        uint32_t hash = 0;
        uint32_t first = kNil;  // names: records at the name; owners: records it owns
    };
    static_assert(sizeof(Interned) == 16);
    /// A chained hash table of record ids whose chains run through the records.
    struct Buckets {
        std::vector<uint32_t, HugePageAllocator<uint32_t>> head;
        size_t count = 0;
        uint32_t& at(uint32_t hash) { return head[hash & (head.size() - 1)]; }
        uint32_t at(uint32_t hash) const {
            return head.empty() ? kNil : head[hash & (head.size() - 1)];
        }
    };
    /// Interned strings with their index and free slots.
    struct Table {
        std::vector<Interned, HugePageAllocator<Interned>> slots;
        std::vector<uint32_t> free;
        detail::SlotTable index;
        detail::TextArena arena;
        std::string_view text(uint32_t id) const noexcept {
            return arena.view(slots[id].text, slots[id].len);
        }
    };
    /// One record: 72 bytes (the fields ordered so that nothing is padding).
    struct Rec {
        int64_t created = 0;
        int64_t updated = 0;
        uint64_t generation = 0;
        Bytes rdata;
        uint16_t type = 0;
        uint32_t name = kNil;
        uint32_t next = kNil;  // the next record at the name, or the next free record
        uint32_t owner = kNil;
        uint32_t owner_next = kNil;  // the next record of the same provenance owner
        uint32_t addr_next = kNil;   // the next lease A/AAAA in its address bucket
        uint32_t ttl = 0;
        Origin origin = Origin::Config;
        bool used = false;
        bool in_addrs = false;  // linked in addrs_ (a lease's A/AAAA), under addr_hash(rdata)
    };
    static_assert(sizeof(Rec) == 72);
    uint32_t addr_hash(const Rec& r) const noexcept { return hash(r.rdata.data(), r.rdata.size()); }

    OwnedErase erase_owned_impl(std::string_view owner,
                                bool (*fn)(void*, std::string_view, const Entry&), void* ctx);
    uint32_t hash(const void* p, size_t n) const noexcept {
        return static_cast<uint32_t>(siphash<1, 3>(hash_key_, static_cast<const uint8_t*>(p), n));
    }
    uint32_t lookup(const Table& t, std::string_view s) const noexcept;
    uint32_t intern(Table& t, std::string_view s) { return intern(t, s, hash(s.data(), s.size())); }
    uint32_t intern(Table& t, std::string_view s, uint32_t h);
    void release(Table& t, uint32_t id);  // unlinks and frees the slot
    /// Sizes the address buckets for `want` records (doubling) and relinks their chains.
    void grow_addrs(size_t want);
    uint32_t find_name(std::string_view owner) const noexcept { return lookup(names_, owner); }
    uint32_t find_owner(std::string_view owner) const noexcept { return lookup(owners_, owner); }
    void maybe_release_name(uint32_t id);
    uint32_t new_rec();
    void free_rec(uint32_t r);
    /// Links record `r` (at name `n`, already filled) at the end of the name's list.
    void link_at_name(uint32_t n, uint32_t r);
    uint32_t rec_at(uint32_t n, uint16_t type, const std::vector<uint8_t>& rdata) const noexcept;
    bool lease_a(const Rec& r) const noexcept;
    void index_add(uint32_t r, std::string_view prov_owner);
    /// The same with the owner's hash known (restore_batch).
    void index_add(uint32_t r, std::string_view prov_owner, uint32_t owner_hash);
    /// A new record `r` at name `n` (not there yet), indexed and counted.
    void add_rec(uint32_t n, const StoredRecord& r, uint32_t owner_hash);
    /// restore() of a record whose name and owner hashes are known.
    void restore_hashed(const StoredRecord& r, uint32_t name_hash, uint32_t owner_hash);
    void index_remove(uint32_t r);
    void set_prov(Rec& r, const Provenance& p);
    Entry entry_of(const Rec& r) const;
    void fill(const Rec& r, Entry& e) const;
    /// The name's view nodes must be rewritten (no change to the zone's state).
    void touch(uint32_t name);
    /// touch(), and the zone holding the name has changed since its serial.
    void mark(uint32_t name);
    void bump_serial(ZoneInfo& z);
    /// Tells the sink the zone's SOA as it is now (its serial set, no change pending).
    void report_serial(const ZoneInfo& z);
    /// Removes record `r` (at name `n`, whose list it is in); no mark, no sink.
    void unlink(uint32_t n, uint32_t r);
    /// unlink(), counted, the name marked and the sink told (erase(), erase_owned()).
    void erase_rec(uint32_t n, uint32_t r);

    RecordSink* sink_;
    SipKey hash_key_;
    std::vector<ZoneInfo> zones_;
    std::vector<size_t> depth_order_;  // zone indexes, deepest apex first
    Table names_;
    Table owners_;
    size_t owners_used_ = 0;
    std::vector<Rec, HugePageAllocator<Rec>> recs_;
    uint32_t free_rec_ = kNil;
    Buckets addrs_;                     // lease A/AAAA records by RDATA, chained through addr_next
    std::vector<uint32_t> dirty_;       // name ids
    mutable std::vector<Entry> found_;  // find()'s copies
    Entry scratch_;                     // erase_owned()'s entry, reused
    std::vector<uint32_t> scratch_recs_, scratch_names_, scratch_doomed_;
    // restore() of config records: (created, updated, ttl) by identity until set_config() runs.
    struct RestoredTimes {
        int64_t created;
        int64_t updated;
        uint32_t ttl;
    };
    std::unordered_map<std::string, RestoredTimes> restored_created_;
    std::unordered_map<Key, uint32_t> stored_serials_;  // restore_serial() until set_config()
    size_t records_ = 0;
};

/// Identity of a record as bytes: owner | type | RDATA. Used by the store and LMDB keys.
std::string record_identity(const dns::WireName& owner, uint16_t type,
                            const std::vector<uint8_t>& rdata);

}  // namespace edgelease::control::zone
