// Zones, records (with provenance) and the DNS audit trail over the management API. Reads and
// changes of zone data run on the control lcore (on_control); the audit trail is read from
// LMDB directly (a read transaction never blocks the writer).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>

#include "app/api_common.hpp"
#include "common/log.hpp"
#include "common/time_text.hpp"
#include "config/text.hpp"
#include "control/dhcp/lease6.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::app::api {

using control::ControlPlane;
using control::zone::Origin;
using control::zone::StoredRecord;
using control::zone::ZoneStore;
using nlohmann::json;

namespace {

constexpr size_t kDefaultLimit = 1000;
constexpr size_t kMaxLimit = 100000;

json record_json(const StoredRecord& r) {
    return json{{"name", dns::name_to_text(r.rr.owner)},
                {"type", dns::type_to_text(r.rr.type)},
                {"ttl", r.rr.ttl},
                {"data", control::zone::rdata_to_text(r.rr.type, r.rr.rdata)},
                {"origin", std::string(to_string(r.prov.origin))},
                {"owner", r.prov.owner},
                {"created", iso_time(r.prov.created)},
                {"updated", iso_time(r.prov.updated)},
                {"generation", r.prov.generation}};
}

json audit_json(const control::zone::AuditEvent& e) {
    return json{{"seq", e.seq},
                {"time", iso_time(e.time)},
                {"name", e.name},
                {"type", dns::type_to_text(e.type)},
                {"old", e.old_data},
                {"new", e.new_data},
                {"origin", std::string(to_string(e.origin))},
                {"owner", e.owner},
                {"reason", std::string(to_string(e.reason))},
                {"applied", e.applied},
                {"detail", e.detail}};
}

std::optional<size_t> parse_limit(const Request& req, Response& res) {
    if (!req.has_param("limit")) return kDefaultLimit;
    try {
        long v = std::stol(req.get_param_value("limit"));
        if (v >= 1 && static_cast<size_t>(v) <= kMaxLimit) return static_cast<size_t>(v);
    } catch (...) {
    }
    error(res, 400, "limit must be 1.." + std::to_string(kMaxLimit), "limit");
    return std::nullopt;
}

/// The zone named in the path, as wire form (lower-case, absolute).
std::optional<dns::WireName> zone_from_path(const std::string& text, Response& res) {
    std::string why;
    std::string t = text;
    if (t.empty() || t.back() != '.') t += '.';
    auto w = dns::name_from_text(t, dns::WireName{0}, why);
    if (!w) error(res, 400, "bad zone name: " + why, "zone");
    return w;
}

bool is_lease_origin(Origin o) {
    return o == Origin::Dhcp || o == Origin::Reservation;
}

/// Filters for listing and deleting. `data` compares RDATA bytes.
struct Match {
    std::optional<dns::WireName> name;
    std::optional<uint16_t> type;
    std::optional<Origin> origin;
    std::optional<std::vector<uint8_t>> data;
    bool operator()(const ZoneStore::Key& k, const ZoneStore::Entry& e) const {
        if (name && k != ZoneStore::key(*name)) return false;
        if (type && e.type != *type) return false;
        if (origin && e.prov.origin != *origin) return false;
        if (data && e.rdata != *data) return false;
        return true;
    }
    bool operator()(const StoredRecord& r) const {
        if (name && r.rr.owner != *name) return false;
        if (type && r.rr.type != *type) return false;
        if (origin && r.prov.origin != *origin) return false;
        if (data && r.rr.rdata != *data) return false;
        return true;
    }
};

/// A records cursor: the last record's store key, as hex (opaque to clients). "" is the
/// first page.
std::string cursor_text(const std::string& key) {
    return control::dhcp::hex_colon(reinterpret_cast<const uint8_t*>(key.data()), key.size());
}

std::optional<std::string> cursor_key(const std::string& text) {
    if (text.empty()) return std::string();
    std::string why;
    const auto bytes = config::detail::parse_hex_bytes(text, why);
    if (!bytes) return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
}

/// Reads name/type/origin/data filters (query parameters or a JSON body's fields). False
/// (with the 400 sent) on a bad one.
bool parse_match(const std::function<std::string(const char*)>& get, const dns::WireName& zone,
                 Match& m, Response& res) {
    std::string why;
    if (auto n = get("name"); !n.empty()) {
        m.name = dns::name_from_text(n, zone, why);
        if (!m.name) return error(res, 400, "bad name: " + why, "name"), false;
    }
    if (auto t = get("type"); !t.empty()) {
        m.type = dns::type_from_text(t);
        if (!m.type) return error(res, 400, "unknown RR type '" + t + "'", "type"), false;
    }
    if (auto o = get("origin"); !o.empty()) {
        m.origin = control::zone::origin_from_text(o);
        if (!m.origin)
            return error(res, 400, "origin must be config, manual, reservation, dhcp or update",
                         "origin"),
                   false;
    }
    if (auto d = get("data"); !d.empty()) {
        if (!m.type) return error(res, 400, "data needs a type", "type"), false;
        std::vector<uint8_t> rd;
        if (!control::zone::rdata_from_text(*m.type, d, zone, rd, why))
            return error(res, 400, "bad data: " + why, "data"), false;
        m.data = std::move(rd);
    }
    return true;
}

control::zone::AuditEvent api_event(const StoredRecord& r, control::zone::AuditReason reason,
                                    const std::string& who, const std::string& detail,
                                    int64_t now) {
    control::zone::AuditEvent e;
    e.time = now;
    e.name = dns::name_to_text(r.rr.owner);
    e.type = r.rr.type;
    if (reason == control::zone::AuditReason::ApiAdd)
        e.new_data = control::zone::rdata_to_text(r.rr.type, r.rr.rdata);
    else
        e.old_data = control::zone::rdata_to_text(r.rr.type, r.rr.rdata);
    e.origin = r.prov.origin;
    e.owner = who;
    e.reason = reason;
    e.detail = detail;
    return e;
}

/// What an add or a delete did on the control lcore: an HTTP status and why, and the
/// records it wrote or removed.
struct Change {
    int status = 200;
    std::string why;
    std::vector<StoredRecord> records;
    uint64_t ticket = 0;    // the record store's ticket once the change was queued
    uint64_t failures = 0;  // its failed commits by then
};

/// Control lcore: the zone store's index of `name`'s zone when that zone is `zone`, else -1
/// (with `out` set to 404).
int zone_index_in(const ZoneStore& zs, const dns::WireName& name, const dns::WireName& zone,
                  Change& out) {
    const int zi = zs.zone_of(ZoneStore::key(name));
    if (zi >= 0 && zs.zones()[static_cast<size_t>(zi)].key == ZoneStore::key(zone)) return zi;
    out.status = 404;
    out.why = dns::name_to_text(name) + " is not in zone " + dns::name_to_text(zone);
    return -1;
}

/// Control lcore: adds the manual record `r` to `zone`, replacing lease-made records at its
/// name with `force`; refuses duplicates and CNAME clashes (409).
void add_record(ZoneStore& zs, ControlPlane& plane, control::store::RecordStore* rs,
                const dns::WireName& zone, StoredRecord r, bool force, Change& out) {
    if (zone_index_in(zs, r.rr.owner, zone, out) < 0) return;
    const auto k = ZoneStore::key(r.rr.owner);
    std::vector<ZoneStore::Entry> displaced;
    {
        for (const auto& e : zs.entries(k)) {
            if (e.type == r.rr.type && e.rdata == r.rr.rdata) {
                out.status = 409;
                out.why = "the record exists already (origin " +
                          std::string(to_string(e.prov.origin)) + ")";
                return;
            }
            const bool cname_clash =
                (r.rr.type == dns::rrtype::CNAME) != (e.type == dns::rrtype::CNAME);
            if (cname_clash && !is_lease_origin(e.prov.origin)) {
                out.status = 409;
                out.why = "a CNAME cannot share its name with other data (RFC 1034 §3.6.2): " +
                          dns::name_to_text(r.rr.owner) + " has " + dns::type_to_text(e.type);
                return;
            }
            if (is_lease_origin(e.prov.origin) && (e.type == r.rr.type || cname_clash)) {
                if (!force) {
                    out.status = 409;
                    out.why = dns::name_to_text(r.rr.owner) + " holds a " +
                              std::string(to_string(e.prov.origin)) + " " +
                              dns::type_to_text(e.type) + " record of " + e.prov.owner +
                              "; add with force to replace it";
                    return;
                }
                displaced.push_back(e);
            }
        }
    }
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& e : displaced) {
        StoredRecord old{dns::Record{r.rr.owner, e.type, dns::rrclass::IN, e.ttl, e.rdata}, e.prov};
        zs.erase(k, e.type, e.rdata);
        if (rs)
            rs->audit(api_event(old, control::zone::AuditReason::ApiDelete, r.prov.owner,
                                "replaced by a manual record (force)", now));
    }
    r.prov.created = r.prov.updated = now;
    zs.put(r);
    if (rs) rs->audit(api_event(r, control::zone::AuditReason::ApiAdd, r.prov.owner, "", now));
    plane.apply_zone_changes();
    out.status = 201;
    out.records.push_back(std::move(r));
}

/// Control lcore: deletes the records at `m.name` that `m` matches, on behalf of `who`;
/// lease-made ones only with `force`, never the zone's last apex NS (409).
void delete_matching(ZoneStore& zs, ControlPlane& plane, control::store::RecordStore* rs,
                     const dns::WireName& zone, const Match& m, bool force, const std::string& who,
                     Change& out) {
    if (zone_index_in(zs, *m.name, zone, out) < 0) return;
    const auto k = ZoneStore::key(*m.name);
    const auto es = zs.entries(k);
    std::vector<ZoneStore::Entry> hit;
    size_t same_type = 0;
    for (const auto& e : es) {
        if (e.type == *m.type) ++same_type;
        if (m(k, e)) hit.push_back(e);
    }
    if (hit.empty()) {
        out.status = 404;
        out.why = "no such record";
        return;
    }
    for (const auto& e : hit)
        if (is_lease_origin(e.prov.origin) && !force) {
            out.status = 409;
            out.why = "the record is " + std::string(to_string(e.prov.origin)) + "-owned (" +
                      e.prov.owner + "); delete with force to remove it anyway";
            return;
        }
    if (*m.type == dns::rrtype::NS && k == ZoneStore::key(zone) && hit.size() == same_type) {
        out.status = 409;
        out.why = "a zone keeps at least one NS record at its apex";
        return;
    }
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& e : hit) {
        StoredRecord old{dns::Record{*m.name, e.type, dns::rrclass::IN, e.ttl, e.rdata}, e.prov};
        zs.erase(k, e.type, e.rdata);
        if (rs)
            rs->audit(api_event(old, control::zone::AuditReason::ApiDelete, who,
                                e.prov.origin == Origin::Config
                                    ? "a configured record: it returns at the next reload or "
                                      "restart unless removed from the configuration"
                                    : "",
                                now));
        out.records.push_back(std::move(old));
    }
    plane.apply_zone_changes();
}

/// Runs `change(zones, plane, records, out)` on the control lcore. nullptr, with the answer
/// sent, when no zone is hosted (404) or the control plane did not answer in time (503).
template <class F>
std::shared_ptr<Change> change_on_control(Appliance& app, const dns::WireName& zone, Response& res,
                                          F change) {
    auto* zs = app.control_plane().zone_store();
    if (zs == nullptr) {
        error(res, 404, "no zone " + dns::name_to_text(zone));
        return nullptr;
    }
    auto out = std::make_shared<Change>();
    auto* plane = &app.control_plane();
    auto* rs = app.record_store();
    if (!on_control(app, [zs, plane, rs, out, change] {
            change(*zs, *plane, rs, *out);
            if (rs) {
                out->ticket = rs->ticket();
                out->failures = rs->stats().failures.load();
            }
        })) {
        error(res, 503, "the control plane did not answer in time");
        return nullptr;
    }
    // Acknowledge only what is on disk: a crash after the answer must not lose the change.
    if (rs && out->status < 300) {
        if (!rs->wait_committed(out->ticket, std::chrono::seconds(5))) {
            error(res, 503,
                  "the change is made and serving, but the record store has not written it yet "
                  "(check the disk); it is lost if the appliance stops before it does");
            return nullptr;
        }
        if (rs->stats().failures.load() != out->failures) {
            error(res, 500,
                  "the change is made and serving, but the record store failed to write it "
                  "(see the log); it is lost at the next restart");
            return nullptr;
        }
    }
    return out;
}

}  // namespace

void get_zones(Appliance& app, const Request&, Response& res) {
    auto* zs = app.control_plane().zone_store();
    if (zs == nullptr) return reply(res, 200, json::array());
    struct Row {
        std::string name;
        uint32_t serial;
        std::array<size_t, control::zone::kOriginNames.size()> by_origin{};
    };
    auto rows = std::make_shared<std::vector<Row>>();
    if (!on_control(app, [zs, rows] {
            for (const auto& z : zs->zones())
                rows->push_back(Row{dns::name_to_text(z.apex), z.serial, {}});
            zs->for_each([&](const ZoneStore::Key& k, const ZoneStore::Entry& e) {
                int zi = zs->zone_of(k);
                if (zi >= 0)
                    ++(*rows)[static_cast<size_t>(zi)]
                          .by_origin[static_cast<size_t>(e.prov.origin)];
            });
        }))
        return error(res, 503, "the control plane did not answer in time");
    // Transfer and NOTIFY counters (DNS over TCP): zero for a zone that has had none.
    std::map<std::string, json> xfr;
    if (const auto* tcp = app.dns_tcp())
        tcp->stats().zones.each(
            [&](const std::string& zone, const control::dnstcp::ZoneXfrStats& z) {
                json t = json::object();
                for (size_t i = 0; i < control::dnstcp::kTransferOutcomeNames.size(); ++i)
                    t[control::dnstcp::kTransferOutcomeNames[i]] = z.outcomes[i].get();
                xfr[zone] = json{
                    {"transfers", t},
                    {"notify",
                     {{"sent", z.notify_sent.get()},
                      {"answered", z.notify_answered.get()},
                      {"gave_up", z.notify_gave_up.get()}}},
                    {"updates",
                     {{"applied", z.updates_applied.get()}, {"refused", z.updates_refused.get()}}}};
            });
    json out = json::array();
    for (const auto& r : *rows) {
        json by = json::object();
        size_t total = 0;
        for (size_t i = 0; i < r.by_origin.size(); ++i) {
            by[std::string(control::zone::kOriginNames[i])] = r.by_origin[i];
            total += r.by_origin[i];
        }
        json z{{"name", r.name}, {"serial", r.serial}, {"records", total}, {"by_origin", by}};
        json t = json::object();
        for (const char* o : control::dnstcp::kTransferOutcomeNames) t[o] = 0;
        z["transfers"] = t;
        z["notify"] = json{{"sent", 0}, {"answered", 0}, {"gave_up", 0}};
        z["updates"] = json{{"applied", 0}, {"refused", 0}};
        if (auto it = xfr.find(r.name); it != xfr.end()) z.update(it->second);
        out.push_back(std::move(z));
    }
    reply(res, 200, out);
}

void get_records(Appliance& app, const Request& req, Response& res) {
    auto zone = zone_from_path(req.matches[1].str(), res);
    if (!zone) return;
    auto* zs = app.control_plane().zone_store();
    Match m;
    if (!parse_match([&](const char* k) { return req.get_param_value(k); }, *zone, m, res)) return;
    auto limit = parse_limit(req, res);
    if (!limit) return;
    if (zs == nullptr) return error(res, 404, "no zone " + dns::name_to_text(*zone));
    if (req.has_param("cursor")) {
        // Paged: from the record store, off the control lcore, a page at a time in key order.
        const auto after = cursor_key(req.get_param_value("cursor"));
        if (!after) return error(res, 400, "cursor: not one this API gave", "cursor");
        const auto* store = app.record_store();
        if (store == nullptr) return error(res, 404, "no zone " + dns::name_to_text(*zone));
        auto page =
            store->page_zone(*zone, *after, *limit, [&m](const StoredRecord& r) { return m(r); });
        using State = control::store::RecordStore::ZonePage::State;
        if (page.state == State::NotHosted)
            return error(res, 404, "no zone " + dns::name_to_text(*zone));
        if (page.state == State::Failed)
            return error(res, 500, "the record store could not be read (see the log)");
        json arr = json::array();
        for (const auto& r : page.records) arr.push_back(record_json(r));
        return reply(
            res, 200,
            json{{"records", std::move(arr)},
                 {"next", page.next.empty() ? json(nullptr) : json(cursor_text(page.next))}});
    }
    struct Out {
        bool hosted = false;
        bool truncated = false;
        std::vector<StoredRecord> records;
    };
    auto out = std::make_shared<Out>();
    const dns::WireName zw = *zone;
    const size_t max = *limit;
    if (!on_control(app, [zs, out, zw, m, max] {
            const auto zkey = ZoneStore::key(zw);
            int zi = -1;
            for (size_t i = 0; i < zs->zones().size(); ++i)
                if (zs->zones()[i].key == zkey) zi = static_cast<int>(i);
            if (zi < 0) return;
            out->hosted = true;
            auto visit = [&](const ZoneStore::Key& k, const ZoneStore::Entry& e) {
                if (!m(k, e) || zs->zone_of(k) != zi) return;
                if (out->records.size() >= max) {
                    out->truncated = true;
                    return;
                }
                out->records.push_back(StoredRecord{
                    dns::Record{ZoneStore::wire(k), e.type, dns::rrclass::IN, e.ttl, e.rdata},
                    e.prov});
            };
            if (m.name) {  // one name: no scan
                if (const auto* es = zs->find(ZoneStore::key(*m.name)))
                    for (const auto& e : *es) visit(ZoneStore::key(*m.name), e);
            } else {
                zs->for_each(visit);
            }
        }))
        return error(res, 503, "the control plane did not answer in time");
    if (!out->hosted) return error(res, 404, "no zone " + dns::name_to_text(*zone));
    std::sort(out->records.begin(), out->records.end(),
              [](const StoredRecord& x, const StoredRecord& y) {
                  return std::tie(x.rr.owner, x.rr.type, x.rr.rdata) <
                         std::tie(y.rr.owner, y.rr.type, y.rr.rdata);
              });
    json arr = json::array();
    for (const auto& r : out->records) arr.push_back(record_json(r));
    if (out->truncated) res.set_header("X-Edgelease-Truncated", "true");
    reply(res, 200, arr);
}

void post_record(Appliance& app, const Request& req, Response& res) {
    auto zone = zone_from_path(req.matches[1].str(), res);
    if (!zone) return;
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return error(res, 400, "the body must be a JSON object");
    auto field = [&](const char* k) -> std::string {
        return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
    };
    for (const char* k : {"name", "type", "data"})
        if (field(k).empty()) return error(res, 400, std::string(k) + " is required (a string)", k);
    std::string why;
    auto owner = dns::name_from_text(field("name"), *zone, why);
    if (!owner) return error(res, 400, "bad name: " + why, "name");
    auto type = dns::type_from_text(field("type"));
    if (!type) return error(res, 400, "unknown RR type '" + field("type") + "'", "type");
    if (*type == dns::rrtype::SOA)
        return error(res, 400, "the SOA is managed by the appliance", "type");
    StoredRecord r;
    r.rr = dns::Record{*owner, *type, dns::rrclass::IN, 0, {}};
    if (!control::zone::rdata_from_text(*type, field("data"), *zone, r.rr.rdata, why))
        return error(res, 400, "bad data: " + why, "data");
    uint32_t ttl = 0;
    for (const auto& zc : app.config()->dns.zones)
        if (dns::name_from_text(zc.name, dns::WireName{0}, why) == *zone) ttl = zc.default_ttl;
    if (body.contains("ttl")) {
        if (!body["ttl"].is_number_unsigned() ||
            body["ttl"].get<uint64_t>() > control::zone::kMaxTtl)
            return error(res, 400, "ttl must be 0..2147483647", "ttl");
        ttl = body["ttl"].get<uint32_t>();
    }
    r.rr.ttl = ttl == 0 ? 3600 : ttl;
    const bool force =
        body.contains("force") && body["force"].is_boolean() && body["force"].get<bool>();
    r.prov.origin = Origin::Manual;
    r.prov.owner = field("owner").empty() ? "api" : field("owner");
    auto out = change_on_control(
        app, *zone, res,
        [zw = *zone, r, force](ZoneStore& zs, ControlPlane& plane, control::store::RecordStore* rs,
                               Change& out) { add_record(zs, plane, rs, zw, r, force, out); });
    if (!out) return;
    if (out->status != 201) return error(res, out->status, out->why);
    const StoredRecord& added = out->records.front();
    LOG_INFO("API: record added: %s %s %s", dns::name_to_text(added.rr.owner).c_str(),
             dns::type_to_text(added.rr.type).c_str(),
             control::zone::rdata_to_text(added.rr.type, added.rr.rdata).c_str());
    reply(res, 201, record_json(added));
}

void delete_records(Appliance& app, const Request& req, Response& res) {
    auto zone = zone_from_path(req.matches[1].str(), res);
    if (!zone) return;
    json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (!body.is_object()) return error(res, 400, "the body must be a JSON object");
    auto get = [&](const char* k) -> std::string {
        if (req.has_param(k)) return req.get_param_value(k);
        return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
    };
    Match m;
    if (!parse_match(get, *zone, m, res)) return;
    if (!m.name) return error(res, 400, "name is required", "name");
    if (!m.type) return error(res, 400, "type is required", "type");
    if (*m.type == dns::rrtype::SOA)
        return error(res, 400, "the SOA is managed by the appliance", "type");
    const bool force =
        get("force") == "true" ||
        (body.contains("force") && body["force"].is_boolean() && body["force"].get<bool>());
    auto out = change_on_control(
        app, *zone, res,
        [zw = *zone, m, force, who = get("owner").empty() ? "api" : get("owner")](
            ZoneStore& zs, ControlPlane& plane, control::store::RecordStore* rs, Change& out) {
            delete_matching(zs, plane, rs, zw, m, force, who, out);
        });
    if (!out) return;
    if (out->status != 200) return error(res, out->status, out->why);
    json arr = json::array();
    for (const auto& r : out->records) arr.push_back(record_json(r));
    LOG_INFO("API: %zu record(s) deleted at %s", out->records.size(),
             dns::name_to_text(*m.name).c_str());
    reply(res, 200, json{{"deleted", arr}});
}

void get_audit(Appliance& app, const Request& req, Response& res) {
    auto limit = parse_limit(req, res);
    if (!limit) return;
    uint64_t before = 0;
    if (req.has_param("before")) {
        try {
            before = std::stoull(req.get_param_value("before"));
        } catch (...) {
            return error(res, 400, "before must be an audit sequence number", "before");
        }
    }
    auto* rs = app.record_store();
    json arr = json::array();
    if (rs != nullptr)
        for (const auto& e : rs->read_audit(*limit, req.get_param_value("name"), before))
            arr.push_back(audit_json(e));
    reply(res, 200, arr);
}

}  // namespace edgelease::app::api
