#include "control/zone/zone_store.hpp"

#include <algorithm>

namespace edgelease::control::zone {

namespace {

using dns::set_soa_serial;
using dns::soa_serial;

std::string_view view_of(const dns::WireName& n) {
    return {reinterpret_cast<const char*>(n.data()), n.size()};
}

}  // namespace

std::string record_identity(const dns::WireName& owner, uint16_t type,
                            const std::vector<uint8_t>& rdata) {
    std::string id(owner.begin(), owner.end());
    id.push_back(static_cast<char>(type >> 8));
    id.push_back(static_cast<char>(type));
    id.append(rdata.begin(), rdata.end());
    return id;
}

int ZoneStore::zone_of(std::string_view owner) const noexcept {
    for (size_t i : depth_order_)
        if (dns::wire_at_or_below(owner, zones_[i].key)) return static_cast<int>(i);
    return -1;
}

std::vector<ZoneStore::Entry> ZoneStore::entries(std::string_view owner) const {
    std::vector<Entry> out;
    const uint32_t n = find_name(owner);
    if (n == kNil) return out;
    for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next)
        out.push_back(entry_of(recs_[r]));
    return out;
}

const std::vector<ZoneStore::Entry>* ZoneStore::find(const Key& owner) const {
    found_ = entries(owner);
    return found_.empty() ? nullptr : &found_;
}

void ZoneStore::touch(uint32_t name) {
    Interned& x = names_.slots[name];
    if (!x.dirty) {
        x.dirty = true;
        dirty_.push_back(name);
    }
}

void ZoneStore::mark(uint32_t name) {
    touch(name);
    int z = zone_of(names_.text(name));
    if (z < 0) return;
    ZoneInfo& info = zones_[static_cast<size_t>(z)];
    if (!info.dirty && sink_ != nullptr) sink_->zone_dirty(info.apex);
    info.dirty = true;
}

void ZoneStore::report_serial(const ZoneInfo& z) {
    if (sink_ == nullptr) return;
    const uint32_t n = find_name(z.key);
    if (n == kNil) return;
    for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next)
        if (recs_[r].type == dns::rrtype::SOA)
            sink_->zone_serial(dns::Record{z.apex, recs_[r].type, dns::rrclass::IN, recs_[r].ttl,
                                           recs_[r].rdata.to_vector()});
}

bool ZoneStore::put(const StoredRecord& r) {
    const std::string_view k = view_of(r.rr.owner);
    if (zone_of(k) < 0) return false;
    const uint32_t n = intern(names_, k);
    const uint32_t at = rec_at(n, r.rr.type, r.rr.rdata);
    if (at != kNil) {
        Rec& x = recs_[at];
        const bool same_owner = r.prov.owner.empty()
                                    ? x.owner == kNil
                                    : x.owner != kNil && owners_.text(x.owner) == r.prov.owner;
        const bool lease_origin =
            r.prov.origin == Origin::Dhcp || r.prov.origin == Origin::Reservation;
        const bool was_lease_origin = x.origin == Origin::Dhcp || x.origin == Origin::Reservation;
        if (same_owner && lease_origin == was_lease_origin) {
            // A renewal: the same owner and the same indexes; only the provenance changes
            // (no owner released and interned again, no address chain walked twice).
            x.ttl = r.rr.ttl;
            set_prov(x, r.prov);
        } else {
            index_remove(at);
            x.ttl = r.rr.ttl;
            set_prov(x, r.prov);
            index_add(at, r.prov.owner);
        }
    } else {
        add_rec(n, r, r.prov.owner.empty() ? 0u : hash(r.prov.owner.data(), r.prov.owner.size()));
    }
    mark(n);
    if (sink_ != nullptr && r.rr.type != dns::rrtype::SOA) sink_->put(r);
    return true;
}

bool ZoneStore::erase(std::string_view owner, uint16_t type, const std::vector<uint8_t>& rdata) {
    const uint32_t n = find_name(owner);
    if (n == kNil) return false;
    const uint32_t at = rec_at(n, type, rdata);
    if (at == kNil) return false;
    erase_rec(n, at);
    return true;
}

void ZoneStore::erase_rec(uint32_t n, uint32_t r) {
    const uint16_t type = recs_[r].type;
    const bool tell = sink_ != nullptr && type != dns::rrtype::SOA;
    std::vector<uint8_t> rdata;
    if (tell) rdata = recs_[r].rdata.to_vector();
    unlink(n, r);  // may release the record's provenance owner
    --records_;
    mark(n);  // keeps the name until take_dirty() hands it out
    if (tell) {
        const std::string_view k = names_.text(n);
        sink_->erase(dns::Record{dns::WireName(k.begin(), k.end()), type, dns::rrclass::IN, 0,
                                 std::move(rdata)});
    }
}

ZoneStore::OwnedErase ZoneStore::erase_owned_impl(std::string_view owner,
                                                  bool (*fn)(void*, std::string_view, const Entry&),
                                                  void* ctx) {
    OwnedErase out;
    const uint32_t o = find_owner(owner);
    if (o == kNil) return out;
    // The owner's records are linked newest first: its names, oldest record first, once each.
    scratch_recs_.clear();
    for (uint32_t r = owners_.slots[o].first; r != kNil; r = recs_[r].owner_next)
        scratch_recs_.push_back(r);
    scratch_names_.clear();
    for (auto it = scratch_recs_.rbegin(); it != scratch_recs_.rend(); ++it) {
        const uint32_t n = recs_[*it].name;
        if (std::find(scratch_names_.begin(), scratch_names_.end(), n) == scratch_names_.end())
            scratch_names_.push_back(n);
    }
    scratch_doomed_.clear();
    for (uint32_t n : scratch_names_) {
        const std::string_view name = names_.text(n);
        for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next) {
            if (recs_[r].owner != o) continue;
            fill(recs_[r], scratch_);
            if (fn(ctx, name, scratch_)) scratch_doomed_.push_back(r);
        }
    }
    out.left = scratch_recs_.size() - scratch_doomed_.size();
    for (uint32_t r : scratch_doomed_) {
        erase_rec(recs_[r].name, r);  // may release the owner: `o` is not used after this
        ++out.erased;
    }
    return out;
}

void ZoneStore::restore(const StoredRecord& r) {
    restore_hashed(r, hash(r.rr.owner.data(), r.rr.owner.size()),
                   r.prov.owner.empty() ? 0u : hash(r.prov.owner.data(), r.prov.owner.size()));
}

void ZoneStore::restore_batch(const StoredRecord* rs, size_t n) {
    constexpr size_t kMax = 32;
    uint32_t name_hash[kMax], owner_hash[kMax];
    for (size_t at = 0; at < n; at += kMax) {
        const size_t m = std::min(kMax, n - at);
        for (size_t i = 0; i < m; ++i) {
            const StoredRecord& r = rs[at + i];
            name_hash[i] = hash(r.rr.owner.data(), r.rr.owner.size());
            names_.index.prefetch(name_hash[i]);
            owner_hash[i] = 0;
            if (!r.prov.owner.empty()) {
                owner_hash[i] = hash(r.prov.owner.data(), r.prov.owner.size());
                owners_.index.prefetch(owner_hash[i]);
            }
            const bool lease_addr =
                ((r.rr.type == dns::rrtype::A && r.rr.rdata.size() == 4) ||
                 (r.rr.type == dns::rrtype::AAAA && r.rr.rdata.size() == 16)) &&
                (r.prov.origin == Origin::Dhcp || r.prov.origin == Origin::Reservation);
            if (lease_addr && !addrs_.head.empty())
                __builtin_prefetch(&addrs_.at(hash(r.rr.rdata.data(), r.rr.rdata.size())));
        }
        for (size_t i = 0; i < m; ++i) restore_hashed(rs[at + i], name_hash[i], owner_hash[i]);
    }
}

void ZoneStore::restore_hashed(const StoredRecord& r, uint32_t name_hash, uint32_t owner_hash) {
    if (r.prov.origin == Origin::Config) {
        restored_created_[record_identity(r.rr.owner, r.rr.type, r.rr.rdata)] =
            RestoredTimes{r.prov.created, r.prov.updated, r.rr.ttl};
        return;
    }
    const uint32_t n = intern(names_, view_of(r.rr.owner), name_hash);
    if (rec_at(n, r.rr.type, r.rr.rdata) != kNil) return;  // duplicate in storage
    add_rec(n, r, owner_hash);
}

void ZoneStore::add_rec(uint32_t n, const StoredRecord& r, uint32_t owner_hash) {
    const uint32_t at = new_rec();
    Rec& x = recs_[at];
    x.type = r.rr.type;
    x.ttl = r.rr.ttl;
    x.rdata.assign(r.rr.rdata.data(), r.rr.rdata.size());
    set_prov(x, r.prov);
    link_at_name(n, at);
    index_add(at, r.prov.owner, owner_hash);
    ++records_;
}

void ZoneStore::set_config(const std::vector<dataplane::dns::ZoneInput>& zones, int64_t now,
                           std::vector<StoredRecord>* orphaned) {
    // Serials carry over for zones that stay (a reload must not step a serial back).
    std::unordered_map<Key, uint32_t> old_serials = std::move(stored_serials_);
    stored_serials_.clear();
    for (const auto& z : zones_) old_serials[z.key] = z.serial;
    if (sink_ != nullptr)
        for (const auto& z : zones_) {
            const bool stays = std::any_of(zones.begin(), zones.end(),
                                           [&](const auto& in) { return key(in.name) == z.key; });
            if (!stays) sink_->zone_removed(z.apex);
        }
    zones_.clear();
    for (const auto& z : zones) {
        ZoneInfo info;
        info.apex = z.name;
        info.key = key(z.name);
        for (const auto& r : z.records)
            if (r.type == dns::rrtype::SOA && r.owner == z.name) info.serial = soa_serial(r.rdata);
        if (auto it = old_serials.find(info.key);
            it != old_serials.end() && it->second >= info.serial)
            info.serial = it->second + 1;
        zones_.push_back(std::move(info));
    }
    depth_order_.resize(zones_.size());
    for (size_t i = 0; i < zones_.size(); ++i) depth_order_[i] = i;
    std::stable_sort(depth_order_.begin(), depth_order_.end(), [&](size_t a, size_t b) {
        return dns::wire_label_count(zones_[a].key) > dns::wire_label_count(zones_[b].key);
    });

    // The configured records by identity, to diff against what is held.
    std::unordered_map<std::string, const dns::Record*> wanted;
    for (const auto& z : zones)
        for (const auto& r : z.records)
            wanted.emplace(record_identity(r.owner, r.type, r.rdata), &r);

    // Remove config records no longer configured and anything outside every zone; remember
    // the created time of config records that stay.
    std::unordered_map<std::string, int64_t> kept_created;
    std::vector<std::pair<Key, Entry>> to_remove;
    for (uint32_t n = 0; n < names_.slots.size(); ++n) {
        const Interned& name = names_.slots[n];
        if (!name.used || name.first == kNil) continue;
        const std::string_view text = names_.text(n);
        const bool hosted = zone_of(text) >= 0;
        for (uint32_t r = name.first; r != kNil; r = recs_[r].next) {
            const Rec& e = recs_[r];
            if (e.origin == Origin::Config) {
                auto id = record_identity(wire(text), e.type, e.rdata.to_vector());
                if (wanted.count(id) != 0 && hosted)
                    kept_created[id] = e.created;
                else
                    to_remove.emplace_back(Key(text), entry_of(e));
            } else if (!hosted) {
                to_remove.emplace_back(Key(text), entry_of(e));
            }
        }
    }
    for (auto& [owner, e] : to_remove) {
        if (orphaned != nullptr && e.prov.origin != Origin::Config)
            orphaned->push_back(StoredRecord{
                dns::Record{wire(owner), e.type, dns::rrclass::IN, e.ttl, e.rdata}, e.prov});
        erase(owner, e.type, e.rdata);
    }

    for (const auto& [id, rec] : wanted) {
        const dns::Record& r = *rec;
        const std::string_view k = view_of(r.owner);
        const uint32_t n = find_name(k);
        Entry have_copy;
        const Entry* have = nullptr;
        if (n != kNil) {
            const uint32_t at = rec_at(n, r.type, r.rdata);
            if (at != kNil) {
                fill(recs_[at], have_copy);
                have = &have_copy;
            }
        }
        if (have != nullptr && have->prov.origin == Origin::Config && have->ttl == r.ttl &&
            r.type != dns::rrtype::SOA)
            continue;  // unchanged
        Provenance p;
        p.origin = Origin::Config;
        p.updated = now;
        if (auto it = kept_created.find(id); it != kept_created.end()) {
            p.created = it->second;
            if (have != nullptr && have->prov.origin == Origin::Config && have->ttl == r.ttl)
                p.updated = have->prov.updated;
        } else if (auto rt = restored_created_.find(id); rt != restored_created_.end()) {
            // From storage: unchanged since the last run keeps both times.
            p.created = rt->second.created;
            if (rt->second.ttl == r.ttl) p.updated = rt->second.updated;
        } else {
            p.created = now;
        }
        StoredRecord sr{r, p};
        if (r.type == dns::rrtype::SOA) {
            // The SOA carries the store's serial (kept across reloads).
            int zi = zone_of(k);
            if (zi >= 0) set_soa_serial(sr.rr.rdata, zones_[static_cast<size_t>(zi)].serial);
            // Only one SOA per apex: drop the previous one.
            std::vector<std::vector<uint8_t>> old_soas;
            if (n != kNil)
                for (uint32_t x = names_.slots[n].first; x != kNil; x = recs_[x].next)
                    if (recs_[x].type == dns::rrtype::SOA && !recs_[x].rdata.equals(sr.rr.rdata))
                        old_soas.push_back(recs_[x].rdata.to_vector());
            for (const auto& rd : old_soas) erase(k, dns::rrtype::SOA, rd);
        }
        put(sr);
    }
    restored_created_.clear();
    // A brand-new configuration is not a "change" of the zone: no serial bump for it. The
    // serial (new, or carried over) covers the records as they now are.
    for (auto& z : zones_) {
        z.dirty = false;
        report_serial(z);
    }
}

std::vector<ZoneStore::Key> ZoneStore::lease_names_for(const std::vector<uint8_t>& addr) const {
    std::vector<Key> out;
    if (addrs_.head.empty()) return out;
    const uint32_t h = hash(addr.data(), addr.size());
    for (uint32_t r = addrs_.at(h); r != kNil; r = recs_[r].addr_next)
        if (recs_[r].rdata.equals(addr)) out.emplace_back(names_.text(recs_[r].name));
    return out;
}

bool ZoneStore::lease_records_current(const LeaseRecords& q) const noexcept {
    const uint32_t o = find_owner(q.owner);
    if (o == kNil) return false;
    uint32_t a_name = kNil, ptr_name = kNil;
    for (uint32_t r = owners_.slots[o].first; r != kNil; r = recs_[r].owner_next) {
        const Rec& x = recs_[r];
        if (x.origin != Origin::Dhcp && x.origin != Origin::Reservation) return false;
        if (x.ttl != q.ttl || x.updated < q.fresh_since || x.updated > q.fresh_until) return false;
        if (x.origin != q.origin && x.origin != Origin::Reservation) return false;
        const std::string_view at = names_.text(x.name);
        if (a_name == kNil && x.type == q.type && at == q.name && x.rdata.equals(*q.addr))
            a_name = x.name;
        else if (q.ptr && ptr_name == kNil && x.type == dns::rrtype::PTR && at == q.rev &&
                 x.rdata.equals(q.name.data(), q.name.size()))
            ptr_name = x.name;
        else
            return false;  // a record the grant would take back
    }
    if (a_name == kNil || (q.ptr && ptr_name == kNil)) return false;
    // Alone at their names: nothing there for the grant to judge (an admin's record, another
    // binding's, the other family's address).
    for (const uint32_t n : {a_name, ptr_name})
        for (uint32_t r = n == kNil ? kNil : names_.slots[n].first; r != kNil; r = recs_[r].next)
            if (recs_[r].owner != o) return false;
    // No other binding's dhcp record at the address (a grant would take it back).
    const uint32_t h = hash(q.addr->data(), q.addr->size());
    for (uint32_t r = addrs_.at(h); r != kNil; r = recs_[r].addr_next) {
        const Rec& x = recs_[r];
        if (x.owner != o && x.origin == Origin::Dhcp && x.type == q.type && x.rdata.equals(*q.addr))
            return false;
    }
    return true;
}

std::vector<ZoneStore::Key> ZoneStore::names_owned_by(const std::string& owner) const {
    std::vector<Key> out;
    const uint32_t o = find_owner(owner);
    if (o == kNil) return out;
    // The records of an owner are linked newest first; the names are listed once each,
    // oldest record first.
    std::vector<uint32_t> chain;
    for (uint32_t r = owners_.slots[o].first; r != kNil; r = recs_[r].owner_next)
        chain.push_back(recs_[r].name);
    std::vector<uint32_t> names;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        if (std::find(names.begin(), names.end(), *it) == names.end()) names.push_back(*it);
    for (uint32_t n : names) out.emplace_back(names_.text(n));
    return out;
}

std::vector<dns::Record> ZoneStore::records_of(const Key& owner) const {
    return records_at(find_name(owner), owner);
}

std::vector<dns::Record> ZoneStore::records_at(uint32_t n, const Key& owner) const {
    std::vector<dns::Record> out;
    if (n == kNil || n >= names_.slots.size() || !names_.slots[n].used) return out;
    for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next)
        out.push_back(dns::Record{wire(owner), recs_[r].type, dns::rrclass::IN, recs_[r].ttl,
                                  recs_[r].rdata.to_vector()});
    return out;
}

std::vector<dataplane::dns::ZoneInput> ZoneStore::inputs() const {
    std::vector<dataplane::dns::ZoneInput> out(zones_.size());
    for (size_t i = 0; i < zones_.size(); ++i) out[i].name = zones_[i].apex;
    // Each zone's vector sized once: at a million records, growing them by doubling costs
    // as much as the copies themselves.
    std::vector<int> zone_at(names_.slots.size(), -1);
    std::vector<size_t> count(zones_.size(), 0);
    for (uint32_t n = 0; n < names_.slots.size(); ++n) {
        const Interned& name = names_.slots[n];
        if (!name.used || name.first == kNil) continue;
        zone_at[n] = zone_of(names_.text(n));
        if (zone_at[n] < 0) continue;
        for (uint32_t r = name.first; r != kNil; r = recs_[r].next)
            ++count[static_cast<size_t>(zone_at[n])];
    }
    for (size_t i = 0; i < zones_.size(); ++i) out[i].records.reserve(count[i]);
    for (uint32_t n = 0; n < names_.slots.size(); ++n) {
        if (zone_at[n] < 0) continue;
        const Interned& name = names_.slots[n];
        for (uint32_t r = name.first; r != kNil; r = recs_[r].next)
            out[static_cast<size_t>(zone_at[n])].records.push_back(
                dns::Record{wire(names_.text(n)), recs_[r].type, dns::rrclass::IN, recs_[r].ttl,
                            recs_[r].rdata.to_vector()});
    }
    return out;
}

void ZoneStore::bump_serial(ZoneInfo& z) {
    const uint32_t n = find_name(z.key);
    if (n == kNil) return;
    for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next) {
        if (recs_[r].type != dns::rrtype::SOA) continue;
        z.serial += 1;  // RFC 1982: wraps modulo 2^32
        if (z.serial == 0) z.serial = 1;
        std::vector<uint8_t> rd = recs_[r].rdata.to_vector();
        set_soa_serial(rd, z.serial);
        recs_[r].rdata.assign(rd.data(), rd.size());
        touch(n);
    }
    z.dirty = false;
    report_serial(z);
}

void ZoneStore::take_dirty(std::vector<Key>& out) {
    std::vector<uint32_t> ids;
    take_dirty(out, ids);
}

void ZoneStore::take_dirty(std::vector<Key>& out, std::vector<uint32_t>& ids) {
    for (auto& z : zones_)
        if (z.dirty) bump_serial(z);
    out.clear();
    out.reserve(dirty_.size());
    for (uint32_t n : dirty_) {
        out.emplace_back(names_.text(n));
        names_.slots[n].dirty = false;
        maybe_release_name(n);  // a released name reads as empty in records_at()
    }
    ids.swap(dirty_);
    dirty_.clear();
}

void ZoneStore::for_each(const std::function<void(const Key&, const Entry&)>& fn) const {
    Key k;
    Entry e;
    for (uint32_t n = 0; n < names_.slots.size(); ++n) {
        const Interned& name = names_.slots[n];
        if (!name.used || name.first == kNil) continue;
        k.assign(names_.text(n));
        for (uint32_t r = name.first; r != kNil; r = recs_[r].next) {
            fill(recs_[r], e);
            fn(k, e);
        }
    }
}

std::array<size_t, kOriginNames.size()> ZoneStore::count_by_origin() const {
    std::array<size_t, kOriginNames.size()> n{};
    for (const Rec& r : recs_)
        if (r.used) ++n[static_cast<size_t>(r.origin)];
    return n;
}

}  // namespace edgelease::control::zone
