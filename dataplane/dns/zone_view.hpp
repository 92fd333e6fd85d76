#pragma once
// The read-only zone data that worker lcores answer from. Built by the control plane,
// published through RCU (see ZoneViewSlot): a worker loads the current view once per
// burst and never locks or waits. A view is immutable; a change publishes a new view and
// the old one is freed after every reader has passed a quiescent point.
//
// Layout: one open-addressing hash table (power-of-two slots, linear probing) of Nodes,
// keyed by the lower-cased wire-form owner name; every owner of every hosted zone, plus
// the empty non-terminals between them (RFC 4592 §2.2.2), is one Node. Lookups cost one
// hash and usually one probe whatever the zone size.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::dns {

struct Zone;

/// One RRset of a node: `count` records of one type, RDATA stored as [u16 len][bytes]...
struct RRsetRef {
    uint16_t type = 0;
    uint16_t count = 0;
    uint32_t ttl = 0;
    uint32_t data_off = 0;  // offset of the first record in the node's blob
    uint32_t data_len = 0;
};

/// An owner name and its RRsets, in one allocation. Immutable once published.
struct Node {
    uint64_t hash = 0;
    const Zone* zone = nullptr;  // the deepest hosted zone containing the name
    const Node* cut = nullptr;   // delegation point at or above this node (nullptr: none)
    uint16_t rrset_count = 0;
    uint8_t name_len = 0;
    uint8_t flags = 0;
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
    const Node* apex = nullptr;
    const RRsetRef* soa = nullptr;  // on apex
    uint32_t negative_ttl = 0;      // min(SOA TTL, SOA MINIMUM), RFC 2308 §5
};

/// Input to the builder: one zone's records (already validated; must contain SOA and NS at
/// the apex and only owners at or below it).
struct ZoneInput {
    WireName name;
    std::vector<Record> records;
};

class ZoneView {
public:
    /// Builds the view. Records of a name that a deeper hosted zone also contains belong to
    /// the deeper zone (its apex replaces the parent's delegation). Duplicated RRs collapse.
    /// An RRset's TTL is the smallest of its records' (RFC 2181 §5.2).
    explicit ZoneView(const std::vector<ZoneInput>& zones);
    ~ZoneView();
    ZoneView(const ZoneView&) = delete;
    ZoneView& operator=(const ZoneView&) = delete;

    /// The node for an exact lower-cased wire name, or nullptr. noexcept, no allocation.
    const Node* find(const uint8_t* name, uint8_t len) const noexcept;
    const Node* find(uint64_t hash, const uint8_t* name, uint8_t len) const noexcept;

    size_t node_count() const { return nodes_.size(); }
    size_t record_count() const { return records_; }
    size_t zone_count() const { return zones_.size(); }
    size_t memory_bytes() const { return bytes_; }
    const std::vector<std::unique_ptr<Zone>>& zones() const { return zones_; }

private:
    std::vector<std::unique_ptr<Zone>> zones_;
    std::vector<Node*> nodes_;  // owned (allocated with operator new[] as byte blobs)
    std::unique_ptr<const Node*[]> slots_;
    uint64_t mask_ = 0;
    size_t records_ = 0;
    size_t bytes_ = 0;
};

/// Hash of a lower-cased wire name (8 bytes at a time; not cryptographic: names come from
/// configuration and leases, and a query can only probe, not insert).
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

}  // namespace edgelease::dns
