#include "control/store/journal.hpp"

#include <algorithm>
#include <cstring>

#include "control/store/record_store.hpp"
#include "control/store/zone_state.hpp"

namespace edgelease::control::store {

namespace {

constexpr uint8_t kJournalVersion = 1;

void put_u16(std::string& o, uint16_t v) {
    o.push_back(static_cast<char>(v >> 8));
    o.push_back(static_cast<char>(v));
}
void put_u32(std::string& o, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) o.push_back(static_cast<char>(v >> s));
}
void put_rr(std::string& o, const dns::Record& r) {
    o.push_back(static_cast<char>(r.owner.size()));
    o.append(r.owner.begin(), r.owner.end());
    put_u16(o, r.type);
    put_u32(o, r.ttl);
    put_u16(o, static_cast<uint16_t>(r.rdata.size()));
    o.append(r.rdata.begin(), r.rdata.end());
}

struct In {
    const uint8_t* p;
    const uint8_t* end;
    bool ok = true;
    bool need(size_t n) {
        if (static_cast<size_t>(end - p) < n) ok = false;
        return ok;
    }
    uint32_t u(size_t n) {
        if (!need(n)) return 0;
        uint32_t v = 0;
        for (size_t i = 0; i < n; ++i) v = v << 8 | p[i];
        p += n;
        return v;
    }
    bool rr(dns::Record& r) {
        const size_t on = u(1);
        if (!need(on) || on == 0) return ok = false;
        r.owner.assign(p, p + on);
        p += on;
        r.type = static_cast<uint16_t>(u(2));
        r.ttl = u(4);
        const size_t rn = u(2);
        if (!need(rn)) return false;
        r.rdata.assign(p, p + rn);
        p += rn;
        return ok;
    }
};

std::string identity(const dns::Record& r) {
    return zone::record_identity(r.owner, r.type, r.rdata);
}

std::string entry_key(const std::string& apex, uint64_t seq) {
    std::string k = apex;
    for (int s = 56; s >= 0; s -= 8) k.push_back(static_cast<char>(seq >> s));
    return k;
}

bool in_zone_key(const MDB_val& k, const std::string& apex) {
    return k.mv_size == apex.size() + 8 && std::memcmp(k.mv_data, apex.data(), apex.size()) == 0;
}

}  // namespace

std::string encode_changeset(const Changeset& c) {
    std::string o;
    o.push_back(static_cast<char>(kJournalVersion));
    put_rr(o, c.soa_from);
    put_rr(o, c.soa_to);
    put_u32(o, static_cast<uint32_t>(c.deleted.size()));
    for (const auto& r : c.deleted) put_rr(o, r);
    put_u32(o, static_cast<uint32_t>(c.added.size()));
    for (const auto& r : c.added) put_rr(o, r);
    return o;
}

std::optional<Changeset> decode_changeset(const uint8_t* p, size_t n) {
    In in{p, p + n};
    if (in.u(1) != kJournalVersion) return std::nullopt;
    Changeset c;
    if (!in.rr(c.soa_from) || !in.rr(c.soa_to)) return std::nullopt;
    for (auto* list : {&c.deleted, &c.added}) {
        const uint32_t count = in.u(4);
        if (!in.ok || count > n) return std::nullopt;  // each record takes octets
        list->resize(count);
        for (auto& r : *list)
            if (!in.rr(r)) return std::nullopt;
    }
    if (!in.ok || in.p != in.end) return std::nullopt;
    return c;
}

void Journal::load(MDB_txn* txn, MDB_dbi zones, MDB_dbi journal) {
    MDB_cursor* cur = nullptr;
    MDB_val k, v;
    if (mdb_cursor_open(txn, zones, &cur) == 0) {
        for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
             r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            std::string apex(static_cast<const char*>(k.mv_data), k.mv_size);
            if (auto z = detail::decode_zone_state(v); z && z->dirty)
                broken_.insert(apex);  // stopped mid-change
            zones_.insert(std::move(apex));
        }
        mdb_cursor_close(cur);
    }
    if (mdb_cursor_open(txn, journal, &cur) == 0) {
        for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
             r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size < 8) continue;
            const auto* q = static_cast<const uint8_t*>(k.mv_data) + k.mv_size - 8;
            uint64_t seq = 0;
            for (int i = 0; i < 8; ++i) seq = seq << 8 | q[i];
            next_seq_ = std::max(next_seq_, seq + 1);
        }
        mdb_cursor_close(cur);
    }
}

const std::string* Journal::zone_of(const std::string& owner) const {
    const std::string* best = nullptr;
    for (const auto& z : zones_)
        if (dns::wire_at_or_below(owner, z) && (best == nullptr || z.size() > best->size()))
            best = &z;
    return best;
}

int Journal::on_put(MDB_txn* txn, MDB_dbi records, const std::string& key,
                    const std::string& value) {
    auto now = decode_record(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    if (!now) return 0;
    const std::string owner(now->rr.owner.begin(), now->rr.owner.end());
    const std::string* zone = zone_of(owner);
    if (zone == nullptr) return 0;
    MDB_val k{key.size(), const_cast<char*>(key.data())}, v;
    std::optional<zone::StoredRecord> before;
    if (int rc = mdb_get(txn, records, &k, &v); rc == 0)
        before = decode_record(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
    else if (rc != MDB_NOTFOUND)
        return rc;
    if (before && before->rr.ttl == now->rr.ttl) return 0;  // provenance only: no DNS change
    PendingChanges& p = pending_[*zone];
    const std::string id = identity(now->rr);
    if (before) {
        // A TTL change is a delete of the old record and an add of the new (RFC 1995 §4).
        if (p.added.erase(id) == 0) p.deleted.emplace(id, before->rr);
    }
    auto del = p.deleted.find(id);
    if (del != p.deleted.end() && del->second.ttl == now->rr.ttl)
        p.deleted.erase(del);  // back as it was at the last serial
    else
        p.added[id] = now->rr;
    return 0;
}

int Journal::on_del(MDB_txn* txn, MDB_dbi records, const std::string& key) {
    MDB_val k{key.size(), const_cast<char*>(key.data())}, v;
    const int rc = mdb_get(txn, records, &k, &v);
    if (rc == MDB_NOTFOUND) return 0;
    if (rc != 0) return rc;
    auto before = decode_record(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
    if (!before) return 0;
    const std::string owner(before->rr.owner.begin(), before->rr.owner.end());
    const std::string* zone = zone_of(owner);
    if (zone == nullptr) return 0;
    PendingChanges& p = pending_[*zone];
    const std::string id = identity(before->rr);
    if (p.added.erase(id) != 0 && p.deleted.count(id) == 0) return 0;  // added since: gone again
    if (p.deleted.count(id) == 0) p.deleted.emplace(id, before->rr);
    return 0;
}

int Journal::on_serial(MDB_txn* txn, MDB_dbi zones, MDB_dbi journal, const std::string& apex,
                       const dns::Record& new_soa) {
    MDB_val k{apex.size(), const_cast<char*>(apex.data())}, v;
    std::optional<dns::Record> old_soa;
    if (int rc = mdb_get(txn, zones, &k, &v); rc == 0) {
        if (auto z = detail::decode_zone_state(v); z && !z->soa_rdata.empty())
            old_soa = z->soa(dns::WireName(apex.begin(), apex.end()));
    } else if (rc != MDB_NOTFOUND)
        return rc;
    zones_.insert(apex);
    PendingChanges p;
    if (auto it = pending_.find(apex); it != pending_.end()) {
        p = std::move(it->second);
        pending_.erase(it);
    }
    const bool broken = broken_.erase(apex) != 0;
    if (!old_soa || broken || dns::soa_serial(old_soa->rdata) == dns::soa_serial(new_soa.rdata))
        return 0;
    Changeset c;
    c.soa_from = *old_soa;
    c.soa_to = new_soa;
    for (auto& [id, r] : p.deleted) c.deleted.push_back(std::move(r));
    for (auto& [id, r] : p.added) c.added.push_back(std::move(r));
    const std::string key = entry_key(apex, next_seq_++);
    const std::string value = encode_changeset(c);
    MDB_val ek{key.size(), const_cast<char*>(key.data())};
    MDB_val ev{value.size(), const_cast<char*>(value.data())};
    if (int rc = mdb_put(txn, journal, &ek, &ev, 0); rc != 0) return rc;
    return trim(txn, journal, apex);
}

int Journal::on_removed(MDB_txn* txn, MDB_dbi journal, const std::string& apex) {
    zones_.erase(apex);
    pending_.erase(apex);
    broken_.erase(apex);
    MDB_cursor* cur = nullptr;
    if (int rc = mdb_cursor_open(txn, journal, &cur); rc != 0) return rc;
    MDB_val k{apex.size(), const_cast<char*>(apex.data())}, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && in_zone_key(k, apex)) {
        if ((rc = mdb_cursor_del(cur, 0)) != 0) break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == EINVAL ? 0 : rc;
}

int Journal::trim(MDB_txn* txn, MDB_dbi journal, const std::string& apex) {
    MDB_cursor* cur = nullptr;
    if (int rc = mdb_cursor_open(txn, journal, &cur); rc != 0) return rc;
    // Count first (newest at the end), then delete from the oldest while over either bound.
    size_t entries = 0, bytes = 0;
    MDB_val k{apex.size(), const_cast<char*>(apex.data())}, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && in_zone_key(k, apex);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        ++entries;
        bytes += v.mv_size;
    }
    k = MDB_val{apex.size(), const_cast<char*>(apex.data())};
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && in_zone_key(k, apex) && entries > 1 &&
           (entries > kMaxEntries || bytes > kMaxBytes)) {
        bytes -= v.mv_size;
        --entries;
        if ((rc = mdb_cursor_del(cur, 0)) != 0) break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == EINVAL || rc == 0 ? 0 : rc;
}

std::optional<std::vector<Changeset>> journal_chain(MDB_txn* txn, MDB_dbi journal,
                                                    const dns::WireName& apex_w, uint32_t from,
                                                    uint32_t to) {
    const std::string apex(apex_w.begin(), apex_w.end());
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn, journal, &cur) != 0) return std::nullopt;
    std::vector<Changeset> chain;
    uint32_t at = from;
    MDB_val k{apex.size(), const_cast<char*>(apex.data())}, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && in_zone_key(k, apex);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        auto c = decode_changeset(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
        if (!c) {
            chain.clear();
            at = from;
            continue;
        }
        const uint32_t s_from = dns::soa_serial(c->soa_from.rdata),
                       s_to = dns::soa_serial(c->soa_to.rdata);
        if (s_from != at) {
            // Not the next link: a chain starting here, if it starts at `from`, replaces any.
            if (s_from != from) continue;
            chain.clear();
        }
        chain.push_back(std::move(*c));
        at = s_to;
        if (at == to) break;
    }
    mdb_cursor_close(cur);
    if (chain.empty() || at != to) return std::nullopt;
    return chain;
}

}  // namespace edgelease::control::store
