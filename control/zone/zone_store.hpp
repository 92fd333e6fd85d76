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
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/dns_types.hpp"
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

    explicit ZoneStore(RecordSink* sink = nullptr) : sink_(sink) {}
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
    void restore(StoredRecord r);
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

    /// Records at `owner` (nullptr: none).
    const std::vector<Entry>* find(const Key& owner) const;

    /// Inserts or replaces (same owner, type and RDATA) a record. False when the owner lies
    /// in no hosted zone.
    bool put(const StoredRecord& r);
    /// Removes one record; false when there was no such record.
    bool erase(const Key& owner, uint16_t type, const std::vector<uint8_t>& rdata);

    /// Owner names holding an A (4-byte `addr`) or AAAA (16 bytes) record with this address
    /// and origin dhcp or reservation.
    std::vector<Key> lease_names_for(const std::vector<uint8_t>& addr) const;
    /// Every (owner name) holding a record owned by `owner` (provenance owner string).
    std::vector<Key> names_owned_by(const std::string& owner) const;
    /// Whether `owner` holds any record (no copy: the common case on a release is "none").
    bool owns_any(const std::string& owner) const { return by_owner_.count(owner) != 0; }
    /// Whether no record has a provenance owner (no lease or reservation record exists): the
    /// lease side can then skip computing owners for bindings that publish nothing.
    bool no_owners() const noexcept { return by_owner_.empty(); }

    /// Every record of `owner` as the view needs them (empty: the name is gone).
    std::vector<dns::Record> records_of(const Key& owner) const;
    /// Every zone's records, for a full ZoneView build.
    std::vector<dataplane::dns::ZoneInput> inputs() const;

    /// Owners changed since the last call (moved out). Zones whose data changed get their
    /// SOA serial bumped first (RFC 1982 arithmetic; serial+1), so their apex is included.
    void take_dirty(std::vector<Key>& out);
    bool has_dirty() const noexcept { return !dirty_.empty(); }

    /// Visits every record (for listings). Order is unspecified.
    void for_each(const std::function<void(const Key&, const Entry&)>& fn) const;
    size_t record_count() const noexcept { return records_; }
    std::array<size_t, kOriginNames.size()> count_by_origin() const;

    static Key key(const dns::WireName& n) { return Key(n.begin(), n.end()); }
    static dns::WireName wire(const Key& k) { return dns::WireName(k.begin(), k.end()); }

  private:
    void index_add(const Key& owner, const Entry& e);
    void index_remove(const Key& owner, const Entry& e);
    void mark(const Key& owner);
    void bump_serial(ZoneInfo& z);
    /// Tells the sink the zone's SOA as it is now (its serial set, no change pending).
    void report_serial(const ZoneInfo& z);

    RecordSink* sink_;
    std::vector<ZoneInfo> zones_;
    std::vector<size_t> depth_order_;  // zone indexes, deepest apex first
    std::unordered_map<Key, std::vector<Entry>> owners_;
    std::unordered_multimap<std::string, Key> a_index_;           // lease A/AAAA records by RDATA
    std::unordered_map<std::string, std::vector<Key>> by_owner_;  // provenance owner -> names
    std::unordered_set<Key> dirty_;
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
