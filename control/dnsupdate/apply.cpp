// Applying an UPDATE (RFC 2136 §3.2-§3.4) to the zone store. The changes are first made on a
// working copy of the names they touch, in the message's order, with the RFC's rules (CNAME
// exclusivity, SOA and apex NS kept); only when every step was allowed does the store see
// them, so a refused or failed message changes nothing.
#include <algorithm>
#include <map>
#include <optional>

#include "control/dnsupdate/update.hpp"
#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::control::dnsupdate {

namespace {

using zone::AuditEvent;
using zone::AuditReason;
using zone::Origin;
using zone::ZoneStore;
using Entry = ZoneStore::Entry;

/// Meta and query types (RFC 6895 §3.1) that no update may add or name.
bool meta_type(uint16_t t) {
    return t == dns::rrtype::OPT || (t >= 128 && t <= 255);
}

/// Types no delete may name besides ANY (RFC 2136 §3.4.1.3: AXFR, MAILA, MAILB, ...).
bool meta_but_any(uint16_t t) {
    return meta_type(t) && t != dns::rrtype::ANY;
}

/// The names an update touches, as they are and as they will be.
struct Working {
    std::vector<Entry> before;
    std::vector<Entry> after;
};

class Applier {
  public:
    Applier(ZoneStore& zs, const UpdateMessage& m, const std::string& actor, int64_t now)
        : zs_(zs), m_(m), actor_(actor), now_(now), apex_(ZoneStore::key(m.zone)) {}

    ApplyResult run() {
        const int zi = zs_.zone_of(apex_);
        if (m_.zone_class != dns::rrclass::IN || zi < 0 ||
            zs_.zones()[static_cast<size_t>(zi)].key != apex_)
            return fail(rcode::kNotAuth, "not a zone hosted here");
        zone_index_ = zi;
        if (!prerequisites() || !prescan()) return std::move(res_);
        for (const auto& u : m_.updates)
            if (!update(u)) return std::move(res_);
        commit();
        return std::move(res_);
    }

  private:
    ApplyResult fail(uint8_t rc, std::string why) {
        res_.rcode = rc;
        res_.why = std::move(why);
        return std::move(res_);
    }
    bool failed(uint8_t rc, std::string why) {
        res_.rcode = rc;
        res_.why = std::move(why);
        return false;
    }

    bool in_zone(const dns::WireName& name) const {
        return zs_.zone_of(ZoneStore::key(name)) == zone_index_;
    }

    static std::vector<Entry> entries_of(const ZoneStore& zs, const ZoneStore::Key& k) {
        return zs.entries(k);
    }

    /// RFC 2136 §3.2.
    bool prerequisites() {
        // Value-dependent prerequisites, gathered by name and type (§3.2.3).
        std::map<std::pair<ZoneStore::Key, uint16_t>, std::vector<const UpdateRR*>> values;
        for (const auto& p : m_.prereqs) {
            if (p.ttl != 0) return failed(rcode::kFormErr, "a prerequisite with a TTL");
            if (!in_zone(p.name))
                return failed(rcode::kNotZone, dns::name_to_text(p.name) + " is outside the zone");
            const auto k = ZoneStore::key(p.name);
            const auto es = entries_of(zs_, k);
            const std::string what = dns::name_to_text(p.name);
            auto has_type = [&](uint16_t t) {
                return std::any_of(es.begin(), es.end(),
                                   [t](const Entry& e) { return e.type == t; });
            };
            if (p.klass == dns::rrclass::ANY || p.klass == kClassNone) {
                if (!p.rdata.empty())
                    return failed(rcode::kFormErr, "a prerequisite of class ANY/NONE with RDATA");
                const bool exists = p.type == dns::rrtype::ANY ? !es.empty() : has_type(p.type);
                const bool want = p.klass == dns::rrclass::ANY;
                if (exists == want) continue;
                if (p.type == dns::rrtype::ANY)
                    return failed(want ? rcode::kNxDomain : rcode::kYxDomain,
                                  what + (want ? " is not in use" : " is in use"));
                return failed(want ? rcode::kNxRrset : rcode::kYxRrset,
                              what + " " + dns::type_to_text(p.type) +
                                  (want ? " does not exist" : " exists"));
            }
            if (p.klass != m_.zone_class)
                return failed(rcode::kFormErr,
                              "a prerequisite of class " + std::to_string(p.klass));
            if (p.type == dns::rrtype::ANY || meta_type(p.type))
                return failed(rcode::kFormErr, "a value prerequisite of a meta type");
            values[{k, p.type}].push_back(&p);
        }
        for (const auto& [key, want] : values) {
            const uint16_t type = key.second;  // (a lambda may not capture a binding in clang 14)
            const auto es = entries_of(zs_, key.first);
            std::vector<const Entry*> have;
            for (const auto& e : es)
                if (e.type == type) have.push_back(&e);
            // RRset equality: the same records, duplicates in the prerequisite counted once.
            std::vector<const UpdateRR*> distinct;
            for (const UpdateRR* p : want)
                if (std::none_of(distinct.begin(), distinct.end(), [&](const UpdateRR* d) {
                        return rdata_equal(type, d->rdata, p->rdata);
                    }))
                    distinct.push_back(p);
            bool same = distinct.size() == have.size();
            for (const UpdateRR* p : distinct)
                same = same && std::any_of(have.begin(), have.end(), [&](const Entry* e) {
                           return rdata_equal(type, e->rdata, p->rdata);
                       });
            if (!same)
                return failed(rcode::kNxRrset, dns::name_to_text(ZoneStore::wire(key.first)) + " " +
                                                   dns::type_to_text(key.second) +
                                                   " is not the RRset the prerequisite names");
        }
        return true;
    }

    /// RFC 2136 §3.4.1.
    bool prescan() {
        for (const auto& u : m_.updates) {
            if (!in_zone(u.name))
                return failed(rcode::kNotZone, dns::name_to_text(u.name) + " is outside the zone");
            if (u.klass == m_.zone_class) {
                if (meta_type(u.type))
                    return failed(rcode::kFormErr,
                                  "cannot add a record of type " + dns::type_to_text(u.type));
                if (u.ttl > zone::kMaxTtl)
                    return failed(rcode::kFormErr, "a TTL above 2147483647 (RFC 2181 §8)");
                std::string why;
                if (!zone::rdata_wire_valid(u.type, u.rdata.data(), u.rdata.size(), why))
                    return failed(rcode::kFormErr, dns::name_to_text(u.name) + " " +
                                                       dns::type_to_text(u.type) + ": " + why);
            } else if (u.klass == dns::rrclass::ANY) {
                if (u.ttl != 0 || !u.rdata.empty() || meta_but_any(u.type))
                    return failed(rcode::kFormErr,
                                  "a delete of class ANY with a TTL, RDATA or "
                                  "a meta type");
            } else if (u.klass == kClassNone) {
                if (u.ttl != 0 || meta_type(u.type))
                    return failed(rcode::kFormErr,
                                  "a delete of class NONE with a TTL or a meta type");
            } else {
                return failed(rcode::kFormErr, "an update of class " + std::to_string(u.klass));
            }
        }
        return true;
    }

    Working& work(const dns::WireName& name) {
        auto [it, fresh] = touched_.try_emplace(ZoneStore::key(name));
        if (fresh) it->second.after = it->second.before = entries_of(zs_, it->first);
        return it->second;
    }

    /// An update may not change `e` unless an update made it. Refuses the message otherwise.
    bool may_change(const dns::WireName& name, const Entry& e, const char* doing) {
        if (e.prov.origin == Origin::Update) return true;
        res_.provenance = true;
        AuditEvent ev = event(name, e.type, e, AuditReason::UpdateRefused);
        ev.old_data = zone::rdata_to_text(e.type, e.rdata);
        ev.applied = false;
        ev.detail = std::string("an UPDATE may not ") + doing + " a record of origin " +
                    std::string(zone::to_string(e.prov.origin)) +
                    (e.prov.owner.empty() ? "" : " (" + e.prov.owner + ")");
        res_.audit.push_back(std::move(ev));
        return failed(rcode::kRefused, dns::name_to_text(name) + " " + dns::type_to_text(e.type) +
                                           ": " + res_.audit.back().detail);
    }

    AuditEvent event(const dns::WireName& name, uint16_t type, const Entry& e,
                     AuditReason reason) const {
        AuditEvent ev;
        ev.time = now_;
        ev.name = dns::name_to_text(name);
        ev.type = type;
        ev.origin = e.prov.origin;
        ev.owner = actor_;
        ev.reason = reason;
        return ev;
    }

    /// RFC 2136 §3.4.2: one update record on the working copy.
    bool update(const UpdateRR& u) {
        Working& w = work(u.name);
        auto& rs = w.after;
        const bool apex = ZoneStore::key(u.name) == apex_;
        if (u.klass == m_.zone_class) return add(u, rs);
        auto remove_if = [&](auto&& pick) {
            for (const auto& e : rs)
                if (pick(e) && !may_change(u.name, e, "delete")) return false;
            rs.erase(std::remove_if(rs.begin(), rs.end(), pick), rs.end());
            return true;
        };
        if (u.klass == dns::rrclass::ANY) {
            if (u.type == dns::rrtype::ANY)  // the name's records; the apex keeps SOA and NS
                return remove_if([&](const Entry& e) {
                    return !(apex && (e.type == dns::rrtype::SOA || e.type == dns::rrtype::NS));
                });
            if (apex && (u.type == dns::rrtype::SOA || u.type == dns::rrtype::NS)) return true;
            return remove_if([&](const Entry& e) { return e.type == u.type; });
        }
        // Class NONE: one record. Never the SOA, nor the apex's last NS.
        if (u.type == dns::rrtype::SOA) return true;
        if (apex && u.type == dns::rrtype::NS &&
            std::count_if(rs.begin(), rs.end(),
                          [](const Entry& e) { return e.type == dns::rrtype::NS; }) <= 1)
            return true;
        return remove_if([&](const Entry& e) {
            return e.type == u.type && rdata_equal(u.type, e.rdata, u.rdata);
        });
    }

    bool add(const UpdateRR& u, std::vector<Entry>& rs) {
        auto is = [&](uint16_t t) {
            return std::any_of(rs.begin(), rs.end(), [t](const Entry& e) { return e.type == t; });
        };
        // CNAME and other data exclude each other (RFC 2136 §3.4.2.2): the add is ignored.
        if (u.type != dns::rrtype::CNAME && is(dns::rrtype::CNAME)) return true;
        if (u.type == dns::rrtype::CNAME && std::any_of(rs.begin(), rs.end(), [](const Entry& e) {
                return e.type != dns::rrtype::CNAME;
            }))
            return true;
        // The SOA is the appliance's own: its serial follows every change.
        if (u.type == dns::rrtype::SOA) {
            for (const auto& e : rs)
                if (e.type == dns::rrtype::SOA && !may_change(u.name, e, "replace")) return false;
            return true;
        }
        // One CNAME per name: a new one replaces the old.
        if (u.type == dns::rrtype::CNAME) {
            for (const auto& e : rs)
                if (e.type == dns::rrtype::CNAME && !rdata_equal(u.type, e.rdata, u.rdata) &&
                    !may_change(u.name, e, "replace"))
                    return false;
            rs.erase(std::remove_if(rs.begin(), rs.end(),
                                    [&](const Entry& e) {
                                        return e.type == dns::rrtype::CNAME &&
                                               !rdata_equal(u.type, e.rdata, u.rdata);
                                    }),
                     rs.end());
        }
        Entry* same = nullptr;
        for (auto& e : rs) {
            if (e.type != u.type) continue;
            if (rdata_equal(u.type, e.rdata, u.rdata)) {
                same = &e;
                if (e.ttl == u.ttl) return true;  // a duplicate: ignored
            }
            // Adding to, or re-timing, an RRset answers for all of it: it must be ours.
            if (!may_change(u.name, e, "add to the RRset of")) return false;
        }
        // RFC 2181 §5.2: one TTL per RRset; the newest add sets it.
        for (auto& e : rs)
            if (e.type == u.type) e.ttl = u.ttl;
        if (same != nullptr) return true;
        Entry e;
        e.type = u.type;
        e.ttl = u.ttl;
        e.rdata = u.rdata;
        e.prov.origin = Origin::Update;
        e.prov.owner = actor_;
        e.prov.created = e.prov.updated = now_;
        rs.push_back(std::move(e));
        return true;
    }

    /// The working copy into the store: what went, what came, what changed TTL.
    void commit() {
        for (auto& [k, w] : touched_) {
            const dns::WireName name = ZoneStore::wire(k);
            auto find_in = [](const std::vector<Entry>& v, const Entry& e) -> const Entry* {
                for (const auto& x : v)
                    if (x.type == e.type && x.rdata == e.rdata) return &x;
                return nullptr;
            };
            for (const auto& e : w.before) {
                if (find_in(w.after, e) != nullptr) continue;
                zs_.erase(k, e.type, e.rdata);
                ++res_.deleted;
                AuditEvent ev = event(name, e.type, e, AuditReason::UpdateDelete);
                ev.old_data = zone::rdata_to_text(e.type, e.rdata);
                res_.audit.push_back(std::move(ev));
            }
            for (auto& e : w.after) {
                const Entry* old = find_in(w.before, e);
                if (old != nullptr && old->ttl == e.ttl) continue;
                if (old != nullptr) {
                    e.prov.owner = actor_;
                    e.prov.updated = now_;
                }
                zs_.put(zone::StoredRecord{
                    dns::Record{name, e.type, dns::rrclass::IN, e.ttl, e.rdata}, e.prov});
                ++res_.added;
                AuditEvent ev = event(name, e.type, e, AuditReason::UpdateAdd);
                ev.new_data = zone::rdata_to_text(e.type, e.rdata);
                if (old != nullptr) {
                    ev.old_data = ev.new_data;
                    ev.detail = "TTL " + std::to_string(old->ttl) + " -> " + std::to_string(e.ttl);
                }
                res_.audit.push_back(std::move(ev));
            }
        }
    }

    static constexpr uint16_t kClassNone = 254;  // RFC 2136 §1.3

    ZoneStore& zs_;
    const UpdateMessage& m_;
    const std::string& actor_;
    int64_t now_;
    ZoneStore::Key apex_;
    int zone_index_ = -1;
    std::map<ZoneStore::Key, Working> touched_;
    ApplyResult res_;
};

}  // namespace

ApplyResult apply_update(ZoneStore& zs, const UpdateMessage& m, const std::string& actor,
                         int64_t now) {
    return Applier(zs, m, actor, now).run();
}

}  // namespace edgelease::control::dnsupdate
