#include "control/zone/zone_store.hpp"

#include <algorithm>

namespace edgelease::control::zone {

namespace {

std::string a_address(const std::vector<uint8_t>& rd) {
    return std::string(rd.begin(), rd.end());
}

/// A lease's A or AAAA record: indexed by its address.
bool lease_a(const ZoneStore::Entry& e) {
    return ((e.type == dns::rrtype::A && e.rdata.size() == 4) ||
            (e.type == dns::rrtype::AAAA && e.rdata.size() == 16)) &&
           (e.prov.origin == Origin::Dhcp || e.prov.origin == Origin::Reservation);
}

using dns::set_soa_serial;
using dns::soa_serial;

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

const std::vector<ZoneStore::Entry>* ZoneStore::find(const Key& owner) const {
    auto it = owners_.find(owner);
    return it == owners_.end() ? nullptr : &it->second;
}

void ZoneStore::index_add(const Key& owner, const Entry& e) {
    if (lease_a(e)) a_index_.emplace(a_address(e.rdata), owner);
    if (!e.prov.owner.empty()) {
        auto& v = by_owner_[e.prov.owner];
        if (std::find(v.begin(), v.end(), owner) == v.end()) v.push_back(owner);
    }
}

void ZoneStore::index_remove(const Key& owner, const Entry& e) {
    if (lease_a(e)) {
        auto [b, end] = a_index_.equal_range(a_address(e.rdata));
        for (auto it = b; it != end; ++it)
            if (it->second == owner) {
                a_index_.erase(it);
                break;
            }
    }
    if (!e.prov.owner.empty()) {
        auto it = by_owner_.find(e.prov.owner);
        if (it == by_owner_.end()) return;
        // Still owns another record at this name? Then the name stays listed.
        auto rec = owners_.find(owner);
        if (rec != owners_.end())
            for (const Entry& other : rec->second)
                if (&other != &e && other.prov.owner == e.prov.owner) return;
        auto& v = it->second;
        v.erase(std::remove(v.begin(), v.end(), owner), v.end());
        if (v.empty()) by_owner_.erase(it);
    }
}

void ZoneStore::mark(const Key& owner) {
    dirty_.insert(owner);
    int z = zone_of(owner);
    if (z < 0) return;
    ZoneInfo& info = zones_[static_cast<size_t>(z)];
    if (!info.dirty && sink_ != nullptr) sink_->zone_dirty(info.apex);
    info.dirty = true;
}

void ZoneStore::report_serial(const ZoneInfo& z) {
    if (sink_ == nullptr) return;
    auto it = owners_.find(z.key);
    if (it == owners_.end()) return;
    for (const Entry& e : it->second)
        if (e.type == dns::rrtype::SOA)
            sink_->zone_serial(dns::Record{z.apex, e.type, dns::rrclass::IN, e.ttl, e.rdata});
}

bool ZoneStore::put(const StoredRecord& r) {
    Key k = key(r.rr.owner);
    if (zone_of(k) < 0) return false;
    auto& entries = owners_[k];
    for (Entry& e : entries) {
        if (e.type == r.rr.type && e.rdata == r.rr.rdata) {
            index_remove(k, e);
            e.ttl = r.rr.ttl;
            e.prov = r.prov;
            index_add(k, e);
            mark(k);
            if (sink_ != nullptr && r.rr.type != dns::rrtype::SOA) sink_->put(r);
            return true;
        }
    }
    entries.push_back(Entry{r.rr.type, r.rr.ttl, r.rr.rdata, r.prov});
    index_add(k, entries.back());
    ++records_;
    mark(k);
    if (sink_ != nullptr && r.rr.type != dns::rrtype::SOA) sink_->put(r);
    return true;
}

bool ZoneStore::erase(const Key& owner, uint16_t type, const std::vector<uint8_t>& rdata) {
    auto it = owners_.find(owner);
    if (it == owners_.end()) return false;
    auto& entries = it->second;
    for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].type != type || entries[i].rdata != rdata) continue;
        index_remove(owner, entries[i]);
        entries.erase(entries.begin() + static_cast<long>(i));
        --records_;
        mark(owner);
        if (sink_ != nullptr && type != dns::rrtype::SOA)
            sink_->erase(dns::Record{wire(owner), type, dns::rrclass::IN, 0, rdata});
        if (entries.empty()) owners_.erase(it);
        return true;
    }
    return false;
}

void ZoneStore::restore(StoredRecord r) {
    if (r.prov.origin == Origin::Config) {
        restored_created_[record_identity(r.rr.owner, r.rr.type, r.rr.rdata)] =
            RestoredTimes{r.prov.created, r.prov.updated, r.rr.ttl};
        return;
    }
    Key k = key(r.rr.owner);
    auto& entries = owners_[k];
    for (Entry& e : entries)
        if (e.type == r.rr.type && e.rdata == r.rr.rdata) return;  // duplicate in storage
    entries.push_back(Entry{r.rr.type, r.rr.ttl, std::move(r.rr.rdata), std::move(r.prov)});
    index_add(k, entries.back());
    ++records_;
}

void ZoneStore::reserve(size_t records) {
    owners_.reserve(owners_.size() + records);
    a_index_.reserve(a_index_.size() + records);
    by_owner_.reserve(by_owner_.size() + records);
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
    for (const auto& [owner, entries] : owners_) {
        const bool hosted = zone_of(owner) >= 0;
        for (const Entry& e : entries) {
            if (e.prov.origin == Origin::Config) {
                auto id = record_identity(wire(owner), e.type, e.rdata);
                if (wanted.count(id) != 0 && hosted)
                    kept_created[id] = e.prov.created;
                else
                    to_remove.emplace_back(owner, e);
            } else if (!hosted) {
                to_remove.emplace_back(owner, e);
            }
        }
    }
    for (auto& [owner, e] : to_remove) {
        if (orphaned != nullptr && e.prov.origin != Origin::Config)
            orphaned->push_back(StoredRecord{
                dns::Record{wire(owner), e.type, dns::rrclass::IN, e.ttl, e.rdata}, e.prov});
        erase(owner, e.type, e.rdata);
        dirty_.insert(owner);
    }

    for (const auto& [id, rec] : wanted) {
        const dns::Record& r = *rec;
        Key k = key(r.owner);
        auto& entries = owners_[k];
        Entry* have = nullptr;
        for (Entry& e : entries)
            if (e.type == r.type && e.rdata == r.rdata) have = &e;
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
            for (const Entry& e : entries)
                if (e.type == dns::rrtype::SOA && e.rdata != sr.rr.rdata)
                    old_soas.push_back(e.rdata);
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
    auto [b, e] = a_index_.equal_range(a_address(addr));
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
}

std::vector<ZoneStore::Key> ZoneStore::names_owned_by(const std::string& owner) const {
    auto it = by_owner_.find(owner);
    return it == by_owner_.end() ? std::vector<Key>{} : it->second;
}

std::vector<dns::Record> ZoneStore::records_of(const Key& owner) const {
    std::vector<dns::Record> out;
    auto it = owners_.find(owner);
    if (it == owners_.end()) return out;
    out.reserve(it->second.size());
    for (const Entry& e : it->second)
        out.push_back(dns::Record{wire(owner), e.type, dns::rrclass::IN, e.ttl, e.rdata});
    return out;
}

std::vector<dataplane::dns::ZoneInput> ZoneStore::inputs() const {
    std::vector<dataplane::dns::ZoneInput> out(zones_.size());
    for (size_t i = 0; i < zones_.size(); ++i) out[i].name = zones_[i].apex;
    // Each zone's vector sized once: at a million records, growing them by doubling costs
    // as much as the copies themselves.
    std::vector<int> zone_at;
    zone_at.reserve(owners_.size());
    std::vector<size_t> count(zones_.size(), 0);
    for (const auto& [owner, entries] : owners_) {
        zone_at.push_back(zone_of(owner));
        if (zone_at.back() >= 0) count[static_cast<size_t>(zone_at.back())] += entries.size();
    }
    for (size_t i = 0; i < zones_.size(); ++i) out[i].records.reserve(count[i]);
    size_t at = 0;
    for (const auto& [owner, entries] : owners_) {
        const int z = zone_at[at++];
        if (z < 0) continue;
        for (const Entry& e : entries)
            out[static_cast<size_t>(z)].records.push_back(
                dns::Record{wire(owner), e.type, dns::rrclass::IN, e.ttl, e.rdata});
    }
    return out;
}

void ZoneStore::bump_serial(ZoneInfo& z) {
    auto it = owners_.find(z.key);
    if (it == owners_.end()) return;
    for (Entry& e : it->second) {
        if (e.type != dns::rrtype::SOA) continue;
        z.serial += 1;  // RFC 1982: wraps modulo 2^32
        if (z.serial == 0) z.serial = 1;
        set_soa_serial(e.rdata, z.serial);
        dirty_.insert(z.key);
    }
    z.dirty = false;
    report_serial(z);
}

void ZoneStore::take_dirty(std::vector<Key>& out) {
    for (auto& z : zones_)
        if (z.dirty) bump_serial(z);
    out.assign(dirty_.begin(), dirty_.end());
    dirty_.clear();
}

void ZoneStore::for_each(const std::function<void(const Key&, const Entry&)>& fn) const {
    for (const auto& [owner, entries] : owners_)
        for (const Entry& e : entries) fn(owner, e);
}

std::array<size_t, kOriginNames.size()> ZoneStore::count_by_origin() const {
    std::array<size_t, kOriginNames.size()> n{};
    for (const auto& [owner, entries] : owners_)
        for (const Entry& e : entries) ++n[static_cast<size_t>(e.prov.origin)];
    return n;
}

}  // namespace edgelease::control::zone
