#pragma once
// The IXFR journal (RFC 1995): for each zone, the changes between consecutive serials, kept
// in the record store's LMDB environment ("journal" database) in the same transactions as
// the records themselves. Made by the record store's writer thread from the changes it
// commits anyway (a put that adds or changes a record, an erase), so the control lcore does
// no work for it. Bounded per zone by entries and octets; the oldest go first. Private to
// control/store.
#include <lmdb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::control::store {

/// The changes from one serial to the next, with both SOAs (RFC 1995 §4 sends them).
struct Changeset {
    dns::Record soa_from, soa_to;
    std::vector<dns::Record> deleted, added;
};

/// A changeset being collected: records by identity (owner, type, RDATA), so that a record
/// added and removed again before the serial moves leaves no trace.
struct PendingChanges {
    std::map<std::string, dns::Record> deleted, added;
};

std::string encode_changeset(const Changeset& c);
std::optional<Changeset> decode_changeset(const uint8_t* p, size_t n);

class Journal {
  public:
    static constexpr size_t kMaxEntries = 1000;            // changesets kept per zone
    static constexpr size_t kMaxBytes = size_t{64} << 20;  // octets kept per zone

    /// The writer thread, at start-up: the hosted zones, and those caught mid-change (their
    /// first new serial starts the journal afresh: what changed before it is not known).
    void load(MDB_txn* txn, MDB_dbi zones, MDB_dbi journal);

    // In the writer's transaction, before the change is applied (so the old value is there).
    int on_put(MDB_txn* txn, MDB_dbi records, const std::string& key, const std::string& value);
    int on_del(MDB_txn* txn, MDB_dbi records, const std::string& key);
    /// The zone's new SOA closes its changeset (read the old SOA before it is replaced).
    int on_serial(MDB_txn* txn, MDB_dbi zones, MDB_dbi journal, const std::string& apex,
                  const dns::Record& new_soa);
    int on_removed(MDB_txn* txn, MDB_dbi journal, const std::string& apex);

    /// A failed transaction is retried from the start: the batch's changes go back.
    void begin_batch() {
        saved_ = pending_;
        saved_zones_ = zones_;
        saved_broken_ = broken_;
        seq_saved_ = next_seq_;
    }
    /// A batch was not committed: the next serial of every zone starts the journal afresh.
    void lost_changes() {
        broken_ = zones_;
        pending_.clear();
    }
    void abort_batch() {
        pending_ = saved_;
        zones_ = saved_zones_;
        broken_ = saved_broken_;
        next_seq_ = seq_saved_;
    }

  private:
    /// The deepest hosted zone holding `owner` (wire), or nullptr.
    const std::string* zone_of(const std::string& owner) const;
    int trim(MDB_txn* txn, MDB_dbi journal, const std::string& apex);

    std::set<std::string> zones_;                    // hosted apexes (wire, as bytes)
    std::set<std::string> broken_;                   // no journal entry at their next serial
    std::map<std::string, PendingChanges> pending_;  // by apex: changes since its last serial
    uint64_t next_seq_ = 1;
    std::map<std::string, PendingChanges> saved_;
    std::set<std::string> saved_zones_, saved_broken_;
    uint64_t seq_saved_ = 1;
};

/// Read side (any thread, in a read transaction): the changesets taking `apex` from serial
/// `from` to `to`, in order, or nullopt when the journal does not hold that whole chain.
std::optional<std::vector<Changeset>> journal_chain(MDB_txn* txn, MDB_dbi journal,
                                                    const dns::WireName& apex, uint32_t from,
                                                    uint32_t to);

}  // namespace edgelease::control::store
