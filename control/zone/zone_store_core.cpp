// The zone store's tables: interned names and owners, the record pool and the address index
// (see zone_store.hpp, "Layout"). The operations on records are in zone_store.cpp.
#include <algorithm>
#include <stdexcept>

#include "control/zone/zone_store.hpp"

namespace edgelease::control::zone {

namespace {

/// The smallest power of two holding `n` (at least 16).
size_t pow2_at_least(size_t n) {
    size_t b = 16;
    while (b < n) b <<= 1;
    return b;
}

}  // namespace

void ZoneStore::Bytes::clear() noexcept {
    if (len_ > kInline) delete[] heap();
    len_ = 0;
}

void ZoneStore::Bytes::assign(const uint8_t* p, size_t n) {
    if (n > UINT16_MAX) throw std::length_error("RDATA longer than 65535 octets");
    clear();
    if (n > kInline) {
        auto* h = new uint8_t[n];
        std::memcpy(h, p, n);
        std::memcpy(in_, &h, sizeof h);
    } else if (n != 0) {
        std::memcpy(in_, p, n);
    }
    len_ = static_cast<uint16_t>(n);
}

uint32_t ZoneStore::lookup(const Table& t, std::string_view s) const noexcept {
    if (t.index.size() == 0) return kNil;
    const uint32_t id =
        t.index.find(hash(s.data(), s.size()), [&](uint32_t i) { return t.text(i) == s; });
    return id == detail::kNil ? kNil : id;
}

uint32_t ZoneStore::intern(Table& t, std::string_view s, uint32_t h) {
    const uint32_t found = t.index.find(h, [&](uint32_t i) { return t.text(i) == s; });
    if (found != detail::kNil) return found;
    const detail::TextArena::Ref text = t.arena.add(s);  // may throw: before a slot is taken
    uint32_t id;
    if (!t.free.empty()) {
        id = t.free.back();
        t.free.pop_back();
    } else {
        id = static_cast<uint32_t>(t.slots.size());
        t.slots.emplace_back();
    }
    Interned& x = t.slots[id];
    x.text = text;
    x.len = static_cast<uint16_t>(s.size());
    x.hash = h;
    x.first = kNil;
    x.used = true;
    x.dirty = false;
    t.index.insert(h, id);
    return id;
}

void ZoneStore::release(Table& t, uint32_t id) {
    Interned& x = t.slots[id];
    t.index.erase(x.hash, id);
    t.arena.free(x.text, x.len);
    x.text = 0;
    x.len = 0;
    x.used = false;
    x.dirty = false;
    x.first = kNil;
    t.free.push_back(id);
}

void ZoneStore::maybe_release_name(uint32_t id) {
    const Interned& x = names_.slots[id];
    if (x.used && x.first == kNil && !x.dirty) release(names_, id);
}

void ZoneStore::grow_addrs(size_t want) {
    const size_t n = pow2_at_least(want);
    if (n <= addrs_.head.size()) return;
    addrs_.head.assign(n, kNil);
    for (uint32_t r = 0; r < recs_.size(); ++r) {
        Rec& x = recs_[r];
        if (!x.used || !x.in_addrs) continue;
        uint32_t& head = addrs_.at(addr_hash(x));
        x.addr_next = head;
        head = r;
    }
}

uint32_t ZoneStore::new_rec() {
    if (free_rec_ != kNil) {
        const uint32_t r = free_rec_;
        free_rec_ = recs_[r].next;
        recs_[r] = Rec{};
        recs_[r].used = true;
        return r;
    }
    recs_.emplace_back();
    recs_.back().used = true;
    return static_cast<uint32_t>(recs_.size() - 1);
}

void ZoneStore::free_rec(uint32_t r) {
    recs_[r] = Rec{};
    recs_[r].next = free_rec_;
    free_rec_ = r;
}

void ZoneStore::link_at_name(uint32_t n, uint32_t r) {
    recs_[r].name = n;
    recs_[r].next = kNil;
    uint32_t* link = &names_.slots[n].first;
    while (*link != kNil) link = &recs_[*link].next;
    *link = r;
}

void ZoneStore::unlink(uint32_t n, uint32_t r) {
    for (uint32_t* link = &names_.slots[n].first; *link != kNil; link = &recs_[*link].next) {
        if (*link == r) {
            *link = recs_[r].next;
            break;
        }
    }
    index_remove(r);
    free_rec(r);
}

uint32_t ZoneStore::rec_at(uint32_t n, uint16_t type,
                           const std::vector<uint8_t>& rdata) const noexcept {
    for (uint32_t r = names_.slots[n].first; r != kNil; r = recs_[r].next)
        if (recs_[r].type == type && recs_[r].rdata.equals(rdata)) return r;
    return kNil;
}

/// A lease's A or AAAA record: indexed by its address.
bool ZoneStore::lease_a(const Rec& r) const noexcept {
    return ((r.type == dns::rrtype::A && r.rdata.size() == 4) ||
            (r.type == dns::rrtype::AAAA && r.rdata.size() == 16)) &&
           (r.origin == Origin::Dhcp || r.origin == Origin::Reservation);
}

void ZoneStore::index_add(uint32_t r, std::string_view prov_owner) {
    index_add(r, prov_owner, prov_owner.empty() ? 0u : hash(prov_owner.data(), prov_owner.size()));
}

void ZoneStore::index_add(uint32_t r, std::string_view prov_owner, uint32_t owner_hash) {
    Rec& x = recs_[r];
    if (lease_a(x)) {
        if (addrs_.count + 1 > addrs_.head.size()) grow_addrs(2 * (addrs_.count + 1));
        uint32_t& head = addrs_.at(addr_hash(x));
        x.addr_next = head;
        head = r;
        x.in_addrs = true;
        ++addrs_.count;
    }
    if (!prov_owner.empty()) {
        const uint32_t o = intern(owners_, prov_owner, owner_hash);
        Interned& own = owners_.slots[o];
        if (own.first == kNil) ++owners_used_;
        x.owner = o;
        x.owner_next = own.first;
        own.first = r;
    }
}

void ZoneStore::index_remove(uint32_t r) {
    Rec& x = recs_[r];
    if (x.in_addrs) {
        for (uint32_t* link = &addrs_.at(addr_hash(x)); *link != kNil;
             link = &recs_[*link].addr_next) {
            if (*link == r) {
                *link = x.addr_next;
                --addrs_.count;
                break;
            }
        }
        x.addr_next = kNil;
        x.in_addrs = false;
    }
    if (x.owner != kNil) {
        Interned& own = owners_.slots[x.owner];
        for (uint32_t* link = &own.first; *link != kNil; link = &recs_[*link].owner_next) {
            if (*link == r) {
                *link = x.owner_next;
                break;
            }
        }
        if (own.first == kNil) {
            --owners_used_;
            release(owners_, x.owner);
        }
        x.owner = kNil;
        x.owner_next = kNil;
    }
}

void ZoneStore::set_prov(Rec& r, const Provenance& p) {
    r.origin = p.origin;
    r.created = p.created;
    r.updated = p.updated;
    r.generation = p.generation;
}

void ZoneStore::fill(const Rec& r, Entry& e) const {
    e.type = r.type;
    e.ttl = r.ttl;
    e.rdata.assign(r.rdata.data(), r.rdata.data() + r.rdata.size());
    e.prov.origin = r.origin;
    if (r.owner != kNil)
        e.prov.owner = owners_.text(r.owner);
    else
        e.prov.owner.clear();
    e.prov.created = r.created;
    e.prov.updated = r.updated;
    e.prov.generation = r.generation;
}

ZoneStore::Entry ZoneStore::entry_of(const Rec& r) const {
    Entry e;
    fill(r, e);
    return e;
}

void ZoneStore::reserve(size_t records) {
    recs_.reserve(recs_.size() + records);
    names_.slots.reserve(names_.slots.size() + records);
    owners_.slots.reserve(owners_.slots.size() + records);
    names_.index.reserve(names_.index.size() + records);
    owners_.index.reserve(owners_.index.size() + records);
    grow_addrs(addrs_.count + records);
}

}  // namespace edgelease::control::zone
