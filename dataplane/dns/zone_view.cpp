#include "dataplane/dns/zone_view.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace edgelease::dns {

uint64_t name_hash(const uint8_t* p, size_t len) noexcept {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
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

Key key_of(const uint8_t* p, size_t n) { return Key(reinterpret_cast<const char*>(p), n); }

/// Wire name minus its first label ("" for the root).
Key parent_of(const Key& k) {
    if (k.size() <= 1) return Key();
    size_t first = static_cast<uint8_t>(k[0]);
    return k.substr(first + 1);
}

size_t label_count(const Key& k) {
    size_t n = 0;
    for (size_t i = 0; i < k.size() && k[i] != 0; i += static_cast<uint8_t>(k[i]) + 1) ++n;
    return n;
}

/// True when `name` equals `zone` or lies below it (both lower-case wire).
bool at_or_below(const Key& name, const Key& zone) {
    if (name.size() < zone.size()) return false;
    if (name.compare(name.size() - zone.size(), zone.size(), zone) != 0) return false;
    // The match must start on a label boundary.
    size_t want = name.size() - zone.size();
    size_t i = 0;
    while (i < want) i += static_cast<uint8_t>(name[i]) + 1;
    return i == want;
}

struct Pending {
    size_t zone = 0;
    std::vector<const Record*> records;
};

}  // namespace

ZoneView::ZoneView(const std::vector<ZoneInput>& inputs) {
    // Deeper zones first so that a name belongs to the deepest hosted zone containing it.
    std::vector<size_t> order(inputs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<Key> zone_keys;
    for (const auto& z : inputs) zone_keys.push_back(key_of(z.name.data(), z.name.size()));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return label_count(zone_keys[a]) > label_count(zone_keys[b]);
    });
    auto owning_zone = [&](const Key& name) -> long {
        for (size_t i : order)
            if (at_or_below(name, zone_keys[i])) return static_cast<long>(i);
        return -1;
    };

    std::unordered_map<Key, Pending> names;
    names.reserve(inputs.size() * 4 + 16);
    for (size_t zi = 0; zi < inputs.size(); ++zi) {
        for (const auto& r : inputs[zi].records) {
            Key k = key_of(r.owner.data(), r.owner.size());
            // A record that a deeper hosted zone covers is occluded by that zone's data.
            if (owning_zone(k) != static_cast<long>(zi)) continue;
            auto& p = names[k];
            p.zone = zi;
            p.records.push_back(&r);
            ++records_;
        }
        names[zone_keys[zi]].zone = zi;  // the apex exists even if (invalidly) empty
    }
    // Empty non-terminals: every ancestor between an owner and its zone apex is a node. A
    // hosted zone's apex also needs the names between it and the apex of the hosted zone
    // above it (those belong to the parent zone).
    std::vector<Key> owners;
    owners.reserve(names.size());
    for (const auto& [k, p] : names) owners.push_back(k);
    for (const auto& k : owners) {
        size_t zi = names[k].zone;
        for (Key a = parent_of(k); a.size() >= zone_keys[zi].size() && !a.empty(); a = parent_of(a)) {
            auto [it, inserted] = names.try_emplace(a);
            if (!inserted) break;  // its ancestors are already there
            it->second.zone = zi;
        }
    }
    for (size_t zi = 0; zi < inputs.size(); ++zi) {
        for (Key a = parent_of(zone_keys[zi]); !a.empty(); a = parent_of(a)) {
            long owner = owning_zone(a);
            if (owner < 0) break;  // nothing hosted above this zone
            auto [it, inserted] = names.try_emplace(a);
            if (!inserted) break;
            it->second.zone = static_cast<size_t>(owner);
        }
    }

    for (const auto& in : inputs) {
        auto z = std::make_unique<Zone>();
        z->name = in.name;
        zones_.push_back(std::move(z));
    }

    // Build node blobs, parents before children (cut pointers come from the parent).
    std::vector<const Key*> sorted;
    sorted.reserve(names.size());
    for (const auto& [k, p] : names) sorted.push_back(&k);
    std::sort(sorted.begin(), sorted.end(),
              [](const Key* a, const Key* b) { return a->size() < b->size(); });

    size_t cap = 16;
    while (cap < names.size() * 2) cap <<= 1;
    slots_ = std::make_unique<const Node*[]>(cap);
    mask_ = cap - 1;
    bytes_ = cap * sizeof(Node*);
    nodes_.reserve(names.size());

    for (const Key* kp : sorted) {
        const Key& k = *kp;
        Pending& p = names[k];
        // Group this owner's records by type, dropping exact duplicates.
        // Group by type (keeping the configured order inside an RRset) and drop repeated
        // records anywhere in a set (RFC 2181 §5: an RRset holds no duplicates).
        std::vector<const Record*> recs;
        recs.reserve(p.records.size());
        {
            std::vector<const Record*> sorted = p.records;
            std::stable_sort(sorted.begin(), sorted.end(),
                             [](const Record* a, const Record* b) { return a->type < b->type; });
            size_t set_begin = 0;
            for (const Record* r : sorted) {
                if (!recs.empty() && recs.back()->type != r->type) set_begin = recs.size();
                bool dup = false;
                for (size_t j = set_begin; j < recs.size() && !dup; ++j) dup = recs[j]->rdata == r->rdata;
                if (!dup) recs.push_back(r);
            }
        }
        size_t nsets = 0, data = 0;
        for (size_t i = 0; i < recs.size(); ++i) {
            if (i == 0 || recs[i]->type != recs[i - 1]->type) ++nsets;
            data += 2 + recs[i]->rdata.size();
        }
        size_t sets_off = (sizeof(Node) + k.size() + 3) & ~size_t{3};
        size_t data_off = sets_off + nsets * sizeof(RRsetRef);
        size_t total = data_off + data;
        auto* raw = static_cast<uint8_t*>(::operator new(total, std::align_val_t{alignof(Node)}));
        auto* node = new (raw) Node();
        std::memcpy(raw + sizeof(Node), k.data(), k.size());
        node->name_len = static_cast<uint8_t>(k.size());
        node->hash = name_hash(raw + sizeof(Node), k.size());
        node->zone = zones_[p.zone].get();
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
            set.ttl = std::min(set.ttl, recs[i]->ttl);
            uint16_t len = static_cast<uint16_t>(recs[i]->rdata.size());
            raw[at] = static_cast<uint8_t>(len >> 8);
            raw[at + 1] = static_cast<uint8_t>(len);
            std::memcpy(raw + at + 2, recs[i]->rdata.data(), len);
            at += 2 + len;
            set.data_len += 2 + len;
        }
        const bool apex = k == zone_keys[p.zone];
        if (apex) node->flags |= Node::kApex;
        if (nsets == 0) node->flags |= Node::kEmptyNonTerminal;
        if (!apex && node->find(rrtype::NS) != nullptr) node->flags |= Node::kDelegation;
        if (!apex) {
            const Key parent = parent_of(k);
            const Node* pn = find(reinterpret_cast<const uint8_t*>(parent.data()),
                                  static_cast<uint8_t>(parent.size()));
            // The top-most cut wins: everything under it is the child's (glue at most).
            if (pn != nullptr && pn->zone == node->zone && pn->cut != nullptr) node->cut = pn->cut;
            else if (node->flags & Node::kDelegation) node->cut = node;
        }
        uint64_t i = node->hash & mask_;
        while (slots_[i] != nullptr) i = (i + 1) & mask_;
        slots_[i] = node;
        nodes_.push_back(node);
        bytes_ += total;
        if (apex) {
            Zone& z = *zones_[p.zone];
            z.apex = node;
            z.soa = node->find(rrtype::SOA);
            if (z.soa != nullptr && z.soa->count > 0) {
                const uint8_t* rd = node->data(*z.soa);
                uint16_t len = static_cast<uint16_t>(rd[0] << 8 | rd[1]);
                // SOA MINIMUM is the last 4 bytes of its RDATA.
                uint32_t minimum = len >= 4 ? (uint32_t{rd[2 + len - 4]} << 24 | uint32_t{rd[2 + len - 3]} << 16 |
                                               uint32_t{rd[2 + len - 2]} << 8 | rd[2 + len - 1])
                                            : 0;
                z.negative_ttl = std::min(z.soa->ttl, minimum);
            }
        }
    }
}

ZoneView::~ZoneView() {
    for (Node* n : nodes_) {
        n->~Node();
        ::operator delete(reinterpret_cast<void*>(n), std::align_val_t{alignof(Node)});
    }
}

const Node* ZoneView::find(uint64_t hash, const uint8_t* name, uint8_t len) const noexcept {
    uint64_t i = hash & mask_;
    for (;;) {
        const Node* n = slots_[i];
        if (n == nullptr) return nullptr;
        if (n->hash == hash && n->name_len == len && std::memcmp(n->name(), name, len) == 0) return n;
        i = (i + 1) & mask_;
    }
}

const Node* ZoneView::find(const uint8_t* name, uint8_t len) const noexcept {
    return find(name_hash(name, len), name, len);
}

}  // namespace edgelease::dns
