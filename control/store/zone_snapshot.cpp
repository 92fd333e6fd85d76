// The record store's zone states (the "zones" database: apex -> serial, SOA and whether
// changes of the next serial are already stored) and consistent snapshots of a zone for
// zone transfers. Part of RecordStore (record_store.hpp).
#include <lmdb.h>

#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "common/log.hpp"
#include "control/store/record_store.hpp"
#include "control/store/zone_state.hpp"

namespace edgelease::control::store {

namespace {

using detail::decode_zone_state;
using detail::encode_zone_state;
using detail::ZoneState;

/// A read transaction, held with the resize lock shared (the writer grows the map only
/// while no transaction is open). Aborted when it goes.
class ReadTxn {
  public:
    ReadTxn(MDB_env* env, std::shared_mutex& resize) : lock_(resize) {
        rc_ = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_);
    }
    ~ReadTxn() {
        if (rc_ == 0) mdb_txn_abort(txn_);
    }
    ReadTxn(const ReadTxn&) = delete;
    ReadTxn& operator=(const ReadTxn&) = delete;
    int rc() const { return rc_; }
    MDB_txn* get() const { return txn_; }

  private:
    std::shared_lock<std::shared_mutex> lock_;
    MDB_txn* txn_ = nullptr;
    int rc_ = 0;
};

std::string_view view_of(const dns::WireName& n) {
    return {reinterpret_cast<const char*>(n.data()), n.size()};
}

/// What the zones database says of the zone at `apex`: its state (none: not hosted) and
/// every hosted zone below it, whose records are not this zone's.
struct ZoneLayout {
    std::optional<ZoneState> mine;
    std::vector<std::string> deeper;
};

int read_layout(MDB_txn* txn, MDB_dbi zones, const dns::WireName& apex, ZoneLayout& out) {
    MDB_cursor* cur = nullptr;
    const int rc = mdb_cursor_open(txn, zones, &cur);
    if (rc != 0) return rc;
    MDB_val k, v;
    for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
         r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        std::string name(static_cast<const char*>(k.mv_data), k.mv_size);
        if (name == view_of(apex))
            out.mine = decode_zone_state(v);
        else if (name.size() > apex.size() && dns::wire_at_or_below(name, view_of(apex)))
            out.deeper.push_back(std::move(name));
    }
    mdb_cursor_close(cur);
    return 0;
}

/// Whether a stored record is one the zone lists: not its SOA (kept in the zone's state), at
/// or below its apex, in no deeper hosted zone.
bool listed(const dns::Record& rr, const dns::WireName& apex, const ZoneLayout& layout) {
    if (rr.type == dns::rrtype::SOA) return false;
    const std::string_view owner = view_of(rr.owner);
    if (!dns::wire_at_or_below(owner, view_of(apex))) return false;
    return std::none_of(layout.deeper.begin(), layout.deeper.end(),
                        [&](const std::string& d) { return dns::wire_at_or_below(owner, d); });
}

}  // namespace

void RecordStore::zone_dirty(const dns::WireName& apex) {
    push(new Op{Op::ZoneDirty, std::string(apex.begin(), apex.end()), {}});
}

void RecordStore::zone_serial(const dns::Record& soa) {
    push(new Op{Op::ZoneSerial, std::string(soa.owner.begin(), soa.owner.end()),
                encode_zone_state(false, soa.ttl, soa.rdata)});
}

void RecordStore::zone_removed(const dns::WireName& apex) {
    push(new Op{Op::ZoneRemoved, std::string(apex.begin(), apex.end()), {}});
}

int RecordStore::apply_zone_op(void* txn_, const Op& op) {
    auto* txn = static_cast<MDB_txn*>(txn_);
    MDB_val k{op.key.size(), const_cast<char*>(op.key.data())};
    if (op.kind == Op::ZoneRemoved) {
        const int rc = mdb_del(txn, zones_dbi_, &k, nullptr);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    std::string value = op.value;
    if (op.kind == Op::ZoneDirty) {
        // Keep the serial and SOA; only say that changes of the next one are here.
        MDB_val cur;
        ZoneState z;
        if (mdb_get(txn, zones_dbi_, &k, &cur) == 0)
            if (auto d = decode_zone_state(cur)) z = std::move(*d);
        value = encode_zone_state(true, z.ttl, z.soa_rdata);
    }
    MDB_val v{value.size(), value.data()};
    return mdb_put(txn, zones_dbi_, &k, &v, 0);
}

int RecordStore::journal_op(void* txn_, const Op& op) {
    auto* txn = static_cast<MDB_txn*>(txn_);
    if (op.kind == Op::ZoneRemoved) return journal_.on_removed(txn, journal_dbi_, op.key);
    if (op.kind != Op::ZoneSerial) return 0;
    MDB_val v{op.value.size(), const_cast<char*>(op.value.data())};
    auto z = decode_zone_state(v);
    if (!z) return 0;
    return journal_.on_serial(txn, zones_dbi_, journal_dbi_, op.key,
                              z->soa(dns::WireName(op.key.begin(), op.key.end())));
}

RecordStore::ZoneChanges RecordStore::zone_changes(const dns::WireName& apex, uint32_t from) const {
    ZoneChanges out;
    const ReadTxn read(env_, resize_mu_);
    MDB_txn* txn = read.get();
    if (read.rc() != 0) {
        LOG_WARN("record store %s: zone changes: %s", dir_.c_str(), mdb_strerror(read.rc()));
        out.state = ZoneChanges::State::Failed;
        return out;
    }
    MDB_val k{apex.size(), const_cast<uint8_t*>(apex.data())}, v;
    std::optional<ZoneState> z;
    if (mdb_get(txn, zones_dbi_, &k, &v) == 0) z = decode_zone_state(v);
    if (!z || z->soa_rdata.empty()) {
        out.state = ZoneChanges::State::NotHosted;
    } else if (z->dirty) {
        out.state = ZoneChanges::State::Changing;
    } else {
        out.soa = z->soa(apex);
        const uint32_t now = dns::soa_serial(z->soa_rdata);
        if (from == now || static_cast<int32_t>(from - now) > 0) {  // RFC 1982: not older
            out.state = ZoneChanges::State::UpToDate;
        } else if (auto chain = journal_chain(txn, journal_dbi_, apex, from, now)) {
            out.chain = std::move(*chain);
            out.state = ZoneChanges::State::Ok;
        } else {
            out.state = ZoneChanges::State::NoJournal;
        }
    }
    return out;
}

std::vector<std::pair<dns::WireName, uint32_t>> RecordStore::load_serials() const {
    std::vector<std::pair<dns::WireName, uint32_t>> out;
    const ReadTxn read(env_, resize_mu_);
    if (read.rc() != 0) return out;
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(read.get(), zones_dbi_, &cur) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            auto z = decode_zone_state(v);
            if (!z || z->soa_rdata.empty()) continue;
            const auto* p = static_cast<const uint8_t*>(k.mv_data);
            out.emplace_back(dns::WireName(p, p + k.mv_size), dns::soa_serial(z->soa_rdata));
        }
        mdb_cursor_close(cur);
    }
    return out;
}

RecordStore::ZoneSnapshot RecordStore::snapshot_zone(const dns::WireName& apex,
                                                     bool changing_ok) const {
    ZoneSnapshot out;
    const ReadTxn read(env_, resize_mu_);
    MDB_txn* txn = read.get();
    if (read.rc() != 0) {
        LOG_WARN("record store %s: zone snapshot: %s", dir_.c_str(), mdb_strerror(read.rc()));
        out.state = ZoneSnapshot::State::Failed;
        return out;
    }
    // Every hosted zone as of this snapshot: records of a deeper one are not this zone's.
    ZoneLayout layout;
    int rc = read_layout(txn, zones_dbi_, apex, layout);
    const auto& mine = layout.mine;
    MDB_cursor* cur = nullptr;
    if (rc == 0 && (!mine || mine->soa_rdata.empty())) {
        out.state = ZoneSnapshot::State::NotHosted;
    } else if (rc == 0 && mine->dirty && !changing_ok) {
        out.state = ZoneSnapshot::State::Changing;
    } else if (rc == 0 && (rc = mdb_cursor_open(txn, records_dbi_, &cur)) == 0) {
        out.soa = mine->soa(apex);
        MDB_val k, v;
        for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
             r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            auto rec = decode_record(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
            if (rec && listed(rec->rr, apex, layout)) out.records.push_back(std::move(rec->rr));
        }
        mdb_cursor_close(cur);
        out.state = ZoneSnapshot::State::Ok;
    }
    if (rc != 0) {
        LOG_WARN("record store %s: zone snapshot: %s", dir_.c_str(), mdb_strerror(rc));
        out.state = ZoneSnapshot::State::Failed;
        out.records.clear();
    }
    return out;
}

RecordStore::ZonePage RecordStore::page_zone(
    const dns::WireName& apex, const std::string& after, size_t limit,
    const std::function<bool(const zone::StoredRecord&)>& want) const {
    ZonePage out;
    const ReadTxn read(env_, resize_mu_);
    MDB_txn* txn = read.get();
    int rc = read.rc();
    ZoneLayout layout;
    if (rc == 0) rc = read_layout(txn, zones_dbi_, apex, layout);
    const bool hosted = layout.mine && !layout.mine->soa_rdata.empty();
    MDB_cursor* cur = nullptr;
    if (rc == 0 && hosted && (rc = mdb_cursor_open(txn, records_dbi_, &cur)) == 0) {
        out.state = ZonePage::State::Ok;
        std::string from = after;
        MDB_val k{from.size(), from.data()}, v;
        int r = from.empty() ? mdb_cursor_get(cur, &k, &v, MDB_FIRST)
                             : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        // The cursor's own record was on the last page.
        if (r == 0 && !from.empty() &&
            std::string_view(static_cast<const char*>(k.mv_data), k.mv_size) == from)
            r = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        for (; r == 0 && out.records.size() < limit; r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            auto rec = decode_record(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
            if (!rec || !listed(rec->rr, apex, layout) || !want(*rec)) continue;
            out.records.push_back(std::move(*rec));
            if (out.records.size() == limit)
                out.next.assign(static_cast<const char*>(k.mv_data), k.mv_size);
        }
        if (r != 0 && r != MDB_NOTFOUND) rc = r;
        mdb_cursor_close(cur);
    }
    if (rc != 0) {
        LOG_WARN("record store %s: zone page: %s", dir_.c_str(), mdb_strerror(rc));
        out.state = ZonePage::State::Failed;
        out.records.clear();
        out.next.clear();
    }
    return out;
}

}  // namespace edgelease::control::store
