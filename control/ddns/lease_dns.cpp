#include "control/ddns/lease_dns.hpp"

#include <unordered_set>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/log.hpp"
#include "control/dhcp/engine6.hpp"
#include "control/zone/rdata_text.hpp"

namespace edgelease::control::ddns {

using zone::AuditEvent;
using zone::AuditReason;
using zone::Origin;
using Key = zone::ZoneStore::Key;

namespace {

std::string base64(const uint8_t* p, size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
    out.resize(static_cast<size_t>(len));
    return out;
}

std::vector<uint8_t> a_rdata(uint32_t ip) {
    return {static_cast<uint8_t>(ip >> 24), static_cast<uint8_t>(ip >> 16),
            static_cast<uint8_t>(ip >> 8), static_cast<uint8_t>(ip)};
}

/// The `updated` times at which a lease record is left as it is by a renewal that changes
/// nothing in DNS. Younger than a sixteenth of `stale_after` (so a stale check is off by at
/// most that), from 1 s to an hour, an hour when the scope has no stale check; not in the
/// future (a clock stepped back: refreshed now). Any time at all while reconciling at start-up
/// (a restart is not a renewal).
struct FreshWindow {
    int64_t since;
    int64_t until;
    bool holds(int64_t t) const noexcept { return t >= since && t <= until; }
};

FreshWindow fresh_window(const config::ScopeDnsPolicy& pol, int64_t now, bool reconciling) {
    if (reconciling)
        return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
    constexpr int64_t kHour = 3600;
    const int64_t refresh =
        pol.stale_after ? std::clamp<int64_t>(pol.stale_after->count() / 16, 1, kHour) : kHour;
    return {now - refresh + 1, now};
}

uint32_t ttl_for(const config::ScopeConfig& sc) {
    // RFC 4702 §5: a third of the lease time, so that caches do not outlive the lease by much.
    auto t = static_cast<uint32_t>(sc.lease_time.count() / 3);
    return std::clamp<uint32_t>(t, 1, 86400);
}

uint32_t ttl_for6(const config::Scope6Config& sc) {
    // RFC 4704 §6 likewise: a third of the valid lifetime.
    auto t = static_cast<uint32_t>(sc.valid_lifetime.count() / 3);
    return std::clamp<uint32_t>(t, 1, 86400);
}

bool address_type(uint16_t t) {
    return t == dns::rrtype::A || t == dns::rrtype::AAAA;
}

std::string dhcid_owner(uint16_t ident_type, const uint8_t* ident, size_t n) {
    uint8_t rdata[3 + SHA256_DIGEST_LENGTH];
    rdata[0] = static_cast<uint8_t>(ident_type >> 8);
    rdata[1] = static_cast<uint8_t>(ident_type);
    rdata[2] = 1;  // SHA-256
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned int out_len = 0;
    if (sha256 == nullptr || EVP_Digest(ident, n, rdata + 3, &out_len, sha256, nullptr) != 1)
        SHA256(ident, n, rdata + 3);
    return "client:" + base64(rdata, sizeof rdata);
}

bool lease_origin(Origin o) {
    return o == Origin::Dhcp || o == Origin::Reservation;
}

}  // namespace

std::string client_owner(const dhcp::ClientKey& key, const net::MacAddr& hw) {
    // RFC 4701 §3.3: identifier-type (2 octets), digest-type (1 = SHA-256), digest.
    uint8_t rdata[3 + SHA256_DIGEST_LENGTH];
    uint8_t ident[1 + dhcp::kMaxClientId];
    size_t n = 0;
    if (key.kind == dhcp::ClientKey::ClientId) {
        rdata[0] = 0x00;
        rdata[1] = 0x01;  // the client identifier option's contents
        std::memcpy(ident, key.bytes, key.len);
        n = key.len;
    } else {
        rdata[0] = 0x00;
        rdata[1] = 0x00;  // htype (1 = Ethernet) then chaddr
        ident[0] = 1;
        std::memcpy(ident + 1, hw.bytes.data(), 6);
        n = 7;
    }
    rdata[2] = 1;
    // Fetched once: the one-shot SHA256() looks the algorithm up (locks, allocations) on
    // every call, and this runs on the control lcore for every lease change.
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned int out_len = 0;
    if (sha256 == nullptr || EVP_Digest(ident, n, rdata + 3, &out_len, sha256, nullptr) != 1)
        SHA256(ident, n, rdata + 3);
    return "client:" + base64(rdata, sizeof rdata);
}

std::string client_owner6(const std::vector<uint8_t>& duid) {
    // RFC 4701 §3.3: identifier type 2 = the DUID from the Client Identifier option.
    return dhcid_owner(2, duid.data(), duid.size());
}

std::string reservation_owner6(const std::string& scope, const net::Ipv6Addr& a) {
    return "reservation:" + scope + "/" + net::to_string(a);
}

dns::WireName reverse_name6(const net::Ipv6Addr& a) {
    static constexpr char kHex[] = "0123456789abcdef";
    dns::WireName n;
    for (size_t i = 16; i-- > 0;) {
        n.push_back(1);
        n.push_back(static_cast<uint8_t>(kHex[a.bytes[i] & 15]));
        n.push_back(1);
        n.push_back(static_cast<uint8_t>(kHex[a.bytes[i] >> 4]));
    }
    for (const char* l : {"ip6", "arpa"}) {
        n.push_back(static_cast<uint8_t>(std::strlen(l)));
        n.insert(n.end(), l, l + std::strlen(l));
    }
    n.push_back(0);
    return n;
}

bool same_device(const Device& a, const Device& b) {
    if (!a.reservation.empty() && a.reservation == b.reservation) return true;
    if (a.mac && b.mac && *a.mac == *b.mac) return true;
    return !a.duid.empty() && a.duid == b.duid;
}

std::string reservation_owner(const std::string& scope, uint32_t ip) {
    return "reservation:" + scope + "/" + net::to_string(net::Ipv4Addr{ip});
}

dns::WireName reverse_name(uint32_t ip) {
    dns::WireName n;
    for (int i = 0; i < 4; ++i) {
        std::string label = std::to_string((ip >> (8 * i)) & 0xff);
        n.push_back(static_cast<uint8_t>(label.size()));
        n.insert(n.end(), label.begin(), label.end());
    }
    for (const char* l : {"in-addr", "arpa"}) {
        n.push_back(static_cast<uint8_t>(std::strlen(l)));
        n.insert(n.end(), l, l + std::strlen(l));
    }
    n.push_back(0);
    return n;
}

LeaseDns::LeaseDns(const config::Config& cfg, zone::ZoneStore& zones, AuditSink audit)
    : zones_(zones), sink_(std::move(audit)) {
    set_config(cfg);
}

void LeaseDns::set_config(const config::Config& cfg) {
    cfg_ = cfg;
    stale_interval_ = 0;
    for (const auto& sc : cfg_.dhcp.scopes) {
        if (!sc.dns.stale_after) continue;
        // Look a few times per stale period, at least once a minute.
        int64_t every = std::clamp<int64_t>(sc.dns.stale_after->count() / 4, 1, 60);
        stale_interval_ = stale_interval_ == 0 ? every : std::min(stale_interval_, every);
    }
    for (const auto& sc : cfg_.dhcp6.scopes) {
        if (!sc.dns.stale_after) continue;
        int64_t every = std::clamp<int64_t>(sc.dns.stale_after->count() / 4, 1, 60);
        stale_interval_ = stale_interval_ == 0 ? every : std::min(stale_interval_, every);
    }
}

const config::ScopeConfig* LeaseDns::scope(uint32_t index) const {
    return index < cfg_.dhcp.scopes.size() ? &cfg_.dhcp.scopes[index] : nullptr;
}

const config::Scope6Config* LeaseDns::scope6(uint32_t index) const {
    return index < cfg_.dhcp6.scopes.size() ? &cfg_.dhcp6.scopes[index] : nullptr;
}

LeaseDns::Addr LeaseDns::addr4(uint32_t ip) {
    return Addr{dns::rrtype::A, a_rdata(ip), reverse_name(ip)};
}

LeaseDns::Addr LeaseDns::addr6(const net::Ipv6Addr& a) {
    return Addr{dns::rrtype::AAAA, std::vector<uint8_t>(a.bytes.begin(), a.bytes.end()),
                reverse_name6(a)};
}

std::string LeaseDns::Addr::text() const {
    return zone::rdata_to_text(type, rdata);
}

std::string LeaseDns::owner_of6(const dhcp::Lease6& l) const {
    const auto* sc = scope6(l.scope);
    if (l.reservation >= 0 && sc != nullptr) return reservation_owner6(sc->name, l.key.addr);
    return client_owner6(l.duid);
}

Device LeaseDns::device_of(const dhcp::Lease& l) const {
    Device d;
    d.mac = l.hw;
    // RFC 4361 §6.1: client identifier type 255, IAID (4 octets), then the DUID.
    if (l.client.kind == dhcp::ClientKey::ClientId && l.client.len > 5 && l.client.bytes[0] == 255)
        d.duid.assign(l.client.bytes + 5, l.client.bytes + l.client.len);
    const auto* sc = scope(l.scope);
    if (sc != nullptr && l.reservation >= 0 &&
        static_cast<size_t>(l.reservation) < sc->reservations.size())
        d.reservation = sc->reservations[static_cast<size_t>(l.reservation)].hostname;
    return d;
}

Device LeaseDns::device_of6(const dhcp::Lease6& l) const {
    Device d;
    if (l.has_hw) d.mac = l.hw;
    d.duid = l.duid;
    const auto* sc = scope6(l.scope);
    if (sc != nullptr && l.reservation >= 0 &&
        static_cast<size_t>(l.reservation) < sc->reservations.size())
        d.reservation = sc->reservations[static_cast<size_t>(l.reservation)].hostname;
    return d;
}

std::string LeaseDns::owner_of(const dhcp::Lease& l) const {
    const auto* sc = scope(l.scope);
    if (l.reservation >= 0 && sc != nullptr) return reservation_owner(sc->name, l.ip);
    return client_owner(l.client, l.hw);
}

std::optional<dns::WireName> LeaseDns::lease_name(const std::string& domain,
                                                  const std::string& host) const {
    if (host.empty() || domain.empty()) return std::nullopt;
    std::string why;
    auto dom = dns::name_from_text(domain, dns::WireName{0}, why);
    if (!dom) return std::nullopt;
    return dns::name_from_text(host, *dom, why);
}

void LeaseDns::audit(AuditEvent e) {
    if (e.applied)
        stats_.changes[static_cast<size_t>(e.reason)].add();
    else {
        stats_.skipped.add();
        stats_.changes[static_cast<size_t>(AuditReason::ConflictSkip)].add();
    }
    if (e.time != log_second_) {
        if (suppressed_ != 0)
            LOG_INFO(
                "dns: %llu more record change(s) in the last second not logged (see the audit "
                "trail)",
                static_cast<unsigned long long>(suppressed_));
        log_second_ = e.time;
        logged_this_second_ = 0;
        suppressed_ = 0;
    }
    if (logged_this_second_ < kLogsPerSecond) {
        ++logged_this_second_;
        e.complete();
        const std::string t = dns::type_to_text(e.type);
        if (e.applied)
            LOG_INFO("dns: %s %s %s %s -> %s (%s, owner %s)%s%s",
                     std::string(to_string(e.reason)).c_str(), e.name.c_str(), t.c_str(),
                     e.old_data.empty() ? "-" : e.old_data.c_str(),
                     e.new_data.empty() ? "-" : e.new_data.c_str(),
                     std::string(to_string(e.origin)).c_str(), e.owner.c_str(),
                     e.detail.empty() ? "" : ": ", e.detail.c_str());
        else
            LOG_WARN("dns: skipped %s %s for %s: %s", e.name.c_str(), t.c_str(), e.owner.c_str(),
                     e.detail.c_str());
    } else {
        ++suppressed_;
    }
    if (sink_) sink_(std::move(e));
}

AuditEvent LeaseDns::erasure_event(std::string_view k, const zone::ZoneStore::Entry& e,
                                   AuditReason reason, const std::string& actor,
                                   const std::string& detail, int64_t now) {
    AuditEvent ev;
    ev.time = now;
    ev.deferred = true;  // texts made where the event is read (complete())
    ev.name_wire = zone::ZoneStore::wire(k);
    ev.type = e.type;
    ev.old_rdata = e.rdata;
    ev.has_old = true;
    ev.origin = e.prov.origin;
    ev.owner = actor.empty() ? e.prov.owner : actor;
    ev.reason = reason;
    ev.detail = detail;
    return ev;
}

void LeaseDns::erase_logged(const Key& k, const zone::ZoneStore::Entry& e, AuditReason reason,
                            const std::string& actor, const std::string& detail, int64_t now) {
    AuditEvent ev = erasure_event(k, e, reason, actor, detail, now);
    zones_.erase(k, e.type, ev.old_rdata);  // `e` may live in the store: the event holds a copy
    audit(std::move(ev));
}

template <class Detail, class Pick>
zone::ZoneStore::OwnedErase LeaseDns::erase_owned_logged(const std::string& owner,
                                                         AuditReason reason, Detail&& detail,
                                                         int64_t now, Pick&& pick) {
    // The events are made while each record is still there, and told once the records are
    // gone (the store must not change under erase_owned()).
    pending_audit_.clear();
    const auto done =
        zones_.erase_owned(owner, [&](std::string_view k, const zone::ZoneStore::Entry& e) {
            if (!pick(k, e)) return false;
            pending_audit_.push_back(erasure_event(k, e, reason, owner, std::string(), now));
            return true;
        });
    if (!pending_audit_.empty()) {
        const std::string why = detail();
        for (auto& x : pending_audit_) {
            x.detail = why;
            audit(std::move(x));
        }
    }
    pending_audit_.clear();
    return done;
}

bool LeaseDns::write_one(const config::ScopeDnsPolicy& pol, RecordKind kind,
                         const dns::Record& want, const std::string& owner, Origin origin,
                         uint64_t generation, AuditReason reason, int64_t now) {
    const Key k = zone::ZoneStore::key(want.owner);
    const LeaseDnsEvent ev =
        reason == AuditReason::Renew ? LeaseDnsEvent::Renew : LeaseDnsEvent::Grant;
    // Made only for an audit event: most grants are renewals that change nothing.
    const auto name_text = [&] { return dns::name_to_text(want.owner); };
    // Anything at the name that is not the lease's own kind of record: the name is someone's.
    const auto entries = zones_.entries(k);
    const zone::ZoneStore::Entry* same = nullptr;
    std::vector<zone::ZoneStore::Entry> give_way;
    if (!entries.empty()) {
        for (const auto& e : entries) {
            const bool same_owner = e.prov.owner == owner && lease_origin(e.prov.origin);
            Decision d = decide(ev, kind, RecordState{e.prov.origin, same_owner}, pol);
            // Dual stack: the other family's address record of the same name is welcome when
            // it is the same device's, and a conflict when it is another's (never a flap).
            std::string other_device;
            if (d != Decision::Skip && d != Decision::Keep && kind == RecordKind::Forward &&
                address_type(e.type) && e.type != want.type && lease_origin(e.prov.origin) &&
                !same_owner) {
                const auto mine = device_known(owner, want.type, want.rdata);
                const auto theirs = device_known(e.prov.owner, e.type, e.rdata);
                if (!mine || !theirs || !same_device(*mine, *theirs)) {
                    d = Decision::Skip;
                    other_device = " (another device)";
                    stats_.other_device.add();
                }
            }
            // Records of other types only block when they are an admin's (a dhcp binding never
            // writes other types, and an old binding's record at a shared name gives way).
            if (d == Decision::Skip) {
                AuditEvent a;
                a.time = now;
                a.name = name_text();
                a.type = want.type;
                a.old_data = zone::rdata_to_text(e.type, e.rdata);
                a.new_data = zone::rdata_to_text(want.type, want.rdata);
                a.origin = e.prov.origin;
                a.owner = owner;
                a.reason = AuditReason::ConflictSkip;
                a.applied = false;
                a.detail = std::string(kLeaseDnsEventNames[static_cast<size_t>(ev)]) + ": " +
                           a.name + " holds a " + std::string(to_string(e.prov.origin)) + " " +
                           dns::type_to_text(e.type) + " record" +
                           (e.prov.owner.empty() ? "" : " of " + e.prov.owner) + other_device;
                audit(std::move(a));
                return false;
            }
            if (d == Decision::Keep) return false;  // update = false
            if (e.type != want.type) {
                if (e.prov.origin == Origin::Update)
                    give_way.push_back(e);  // on_conflict = overwrite
                continue;
            }
            if (e.rdata == want.rdata && same_owner)
                same = &e;
            else
                give_way.push_back(e);
        }
    }
    // `same` points into `entries`, a copy: it stays as it is while the store changes below.
    for (const auto& e : give_way)
        erase_logged(
            k, e, AuditReason::Supersede, owner,
            "now " +
                (kind == RecordKind::Ptr ? std::string("leased to ") : std::string("held by ")) +
                owner,
            now);
    zone::StoredRecord r{want, {}};
    r.prov.origin = origin;
    r.prov.owner = owner;
    r.prov.generation = generation;
    r.prov.updated = now;
    const bool existed = same != nullptr;
    r.prov.created = existed ? same->prov.created : now;
    if (existed) {
        // A renewal that changes nothing in DNS writes nothing (as Kea's default
        // ddns-update-on-renew = false), but for refreshing `updated` (and the generation) once
        // it leaves fresh_window(): a store write per renewal cost a record-store commit and a
        // view update each, for a timestamp. No new audit event either way.
        const bool same_origin =
            same->prov.origin == origin || same->prov.origin == Origin::Reservation;
        if (same->ttl == want.ttl && same_origin &&
            fresh_window(pol, now, reconciling_).holds(same->prov.updated))
            return true;
        // Publishing a reservation's records again (start-up, reload) is not a write by its
        // binding: what is there stays exactly as it was.
        if (reason == AuditReason::Reservation && same->ttl == want.ttl) return true;
        if (same->prov.origin == Origin::Reservation) r.prov.origin = Origin::Reservation;
    }
    zones_.put(r);
    if (!existed) {
        AuditEvent a;
        a.time = now;
        a.deferred = true;  // texts made where the event is read (complete())
        a.name_wire = want.owner;
        a.type = want.type;
        a.new_rdata = want.rdata;
        a.has_new = true;
        a.origin = r.prov.origin;
        a.owner = owner;
        a.reason = reason;
        audit(std::move(a));
    }
    return true;
}

void LeaseDns::grant(const config::ScopeDnsPolicy& pol, uint32_t ttl, const Addr& a,
                     const std::optional<dns::WireName>& name, const std::string& owner,
                     Origin origin, uint64_t generation, AuditReason reason, int64_t now) {
    if (!name && !zones_.owns_any(owner)) return;  // no name, and none to take back
    const dns::WireName& rev = a.reverse;
    // A renewal whose records are all in place, fresh and unchallenged: steps 1-3 below would
    // change nothing. One pass over the binding's records instead of five look-ups and copies.
    if (name) {
        zone::ZoneStore::LeaseRecords q;
        q.owner = owner;
        q.name = std::string_view(reinterpret_cast<const char*>(name->data()), name->size());
        q.type = a.type;
        q.addr = &a.rdata;
        q.rev = std::string_view(reinterpret_cast<const char*>(rev.data()), rev.size());
        q.ptr = zones_.zone_of(rev) >= 0;
        q.ttl = ttl;
        q.origin = origin;
        const FreshWindow fresh = fresh_window(pol, now, reconciling_);
        q.fresh_since = fresh.since;
        q.fresh_until = fresh.until;
        if (zones_.lease_records_current(q)) {
            if (!q.ptr) stats_.no_zone.add();  // as step 3 counts a PTR it cannot write
            return;
        }
    }
    const Key rev_key = zone::ZoneStore::key(rev);
    // 1. The binding's own records that no longer describe it (renamed, or it moved address),
    //    in one pass over its records (a renewal: one look-up, nothing erased).
    const Key name_key = name ? zone::ZoneStore::key(*name) : Key();
    erase_owned_logged(
        owner, AuditReason::Rename,
        [&] {
            return name ? "the binding is now " + dns::name_to_text(*name) + " at " + a.text()
                        : std::string("the binding has no name any more");
        },
        now,
        [&](std::string_view k, const zone::ZoneStore::Entry& e) {
            if (!lease_origin(e.prov.origin)) return false;
            const bool current_a = name && e.type == a.type && k == name_key && e.rdata == a.rdata;
            const bool current_ptr =
                name && e.type == dns::rrtype::PTR && k == rev_key && e.rdata == *name;
            return !current_a && !current_ptr;
        });
    if (!name) return;
    // 2. Lease records of other bindings pointing at this address give way (a kept record
    //    never points at someone else).
    for (const Key& k : zones_.lease_names_for(a.rdata)) {
        if (k == name_key) continue;  // judged by write_one below
        const auto entries = zones_.entries(k);
        std::vector<zone::ZoneStore::Entry> old;
        for (const auto& e : entries)
            if (e.type == a.type && e.rdata == a.rdata && e.prov.owner != owner &&
                e.prov.origin == Origin::Dhcp)
                old.push_back(e);
        for (const auto& e : old)
            erase_logged(k, e, AuditReason::Supersede, owner,
                         a.text() + " is now leased to " + owner, now);
    }
    // 3. A/AAAA and PTR. When the name is someone else's, no PTR claims it either.
    if (zones_.zone_of(*name) < 0) {
        stats_.no_zone.add();
    } else if (!write_one(pol, RecordKind::Forward,
                          dns::Record{*name, a.type, dns::rrclass::IN, ttl, a.rdata}, owner, origin,
                          generation, reason, now)) {
        return;
    }
    if (zones_.zone_of(rev) < 0) {
        stats_.no_zone.add();
    } else {
        write_one(pol, RecordKind::Ptr,
                  dns::Record{rev, dns::rrtype::PTR, dns::rrclass::IN, ttl, *name}, owner, origin,
                  generation, reason, now);
    }
}

void LeaseDns::remove(const config::ScopeDnsPolicy& pol, LeaseDnsEvent ev, const Addr& a,
                      const std::string& owner, AuditReason reason, int64_t now) {
    // One pass over the owner's records (most releases: none, one look-up).
    const std::string_view rev_key(reinterpret_cast<const char*>(a.reverse.data()),
                                   a.reverse.size());
    const auto done = erase_owned_logged(
        owner, reason, [] { return std::string(); }, now,
        [&](std::string_view k, const zone::ZoneStore::Entry& e) {
            RecordKind kind;
            if (e.type == a.type && e.rdata == a.rdata)
                kind = RecordKind::Forward;
            else if (e.type == dns::rrtype::PTR && k == rev_key)
                kind = RecordKind::Ptr;
            else
                return false;  // the binding's records for another address (or the other family)
            if (decide(ev, kind, RecordState{e.prov.origin, true}, pol) == Decision::Delete)
                return true;
            stats_.kept.add();
            return false;
        });
    if (done.erased != 0 && done.left == 0) devices_.erase(owner);
}

template <class Scope, class L, class AddrFn, class OwnerFn, class DeviceFn>
void LeaseDns::on_address_event(const Scope& sc, uint32_t ttl, const L& l, dhcp::LeaseEvent ev,
                                int64_t now, const AddrFn& addr, const OwnerFn& owner,
                                const DeviceFn& device) {
    switch (ev) {
        case dhcp::LeaseEvent::Granted:
        case dhcp::LeaseEvent::Renewed: {
            if (!sc.dns.update) return;
            if (l.no_dns) {
                stats_.opted_out.add();
                return;
            }
            const bool res_name =
                l.reservation >= 0 && static_cast<size_t>(l.reservation) < sc.reservations.size() &&
                !sc.reservations[static_cast<size_t>(l.reservation)].hostname.empty() &&
                sc.reservations[static_cast<size_t>(l.reservation)].hostname == l.hostname;
            auto name = lease_name(sc.domain, l.hostname);
            // Nothing to publish, and no binding owns a record that could need taking back:
            // the owner (a SHA-256 for a DHCID) is not worth computing.
            if (!name && zones_.no_owners()) return;
            const std::string o = owner();
            // The binding's device, for a dual-stack check of its name (nothing is kept: the
            // next check of this binding asks the engines, LeaseLookup).
            std::optional<Device> d;
            if (name) d = device();
            struct Current {
                LeaseDns& self;
                Current(LeaseDns& s, const std::string& owner, const Device* dev) : self(s) {
                    self.current_owner_ = &owner;
                    self.current_device_ = dev;
                }
                ~Current() {
                    self.current_owner_ = nullptr;
                    self.current_device_ = nullptr;
                }
            } current(*this, o, d ? &*d : nullptr);
            grant(sc.dns, ttl, addr(), name, o, res_name ? Origin::Reservation : Origin::Dhcp,
                  l.generation,
                  ev == dhcp::LeaseEvent::Granted ? AuditReason::Grant : AuditReason::Renew, now);
            return;
        }
        case dhcp::LeaseEvent::Released:
            if (zones_.no_owners()) return;
            remove(sc.dns, LeaseDnsEvent::Release, addr(), owner(), AuditReason::Release, now);
            return;
        case dhcp::LeaseEvent::Expired:
            if (zones_.no_owners()) return;
            remove(sc.dns, LeaseDnsEvent::Expiry, addr(), owner(), AuditReason::Expiry, now);
            return;
        default:
            return;
    }
}

void LeaseDns::on_lease(const dhcp::Lease& l, dhcp::LeaseEvent ev, int64_t now) {
    const auto* sc = scope(l.scope);
    if (sc == nullptr) return;
    // Other events than on_address_event's leave DNS alone. Offered/OfferExpired: never in
    // DNS. Replaced: the binding was replaced (same reservation under a new client id, or its
    // address reused): its records stay with the reservation, or give way to the new owner on
    // its grant. Declined: the address is out of service; the binding's records follow its
    // lease.
    on_address_event(
        *sc, ttl_for(*sc), l, ev, now, [&] { return addr4(l.ip); }, [&] { return owner_of(l); },
        [&] { return device_of(l); });
}

void LeaseDns::on_lease_dropped(const dhcp::Lease& l, int64_t now) {
    const auto* sc = scope(l.scope);
    if (sc == nullptr) return;
    remove(sc->dns, LeaseDnsEvent::Release, addr4(l.ip), owner_of(l), AuditReason::LeaseDropped,
           now);
}

void LeaseDns::on_lease6(const dhcp::Lease6& l, dhcp::LeaseEvent ev, int64_t now) {
    const auto* sc = scope6(l.scope);
    if (sc == nullptr) return;
    if (l.key.kind == dhcp::IaKind::Pd) {
        if (ev == dhcp::LeaseEvent::Granted) stats_.prefixes.add();
        return;  // delegated prefixes are listed and counted, never published
    }
    // Replaced leaves DNS alone: the reservation's records stay with it, or give way to the
    // new owner on its grant (a rebuilt VM's new DUID takes its name; nothing is deleted).
    on_address_event(
        *sc, ttl_for6(*sc), l, ev, now, [&] { return addr6(l.key.addr); },
        [&] { return owner_of6(l); }, [&] { return device_of6(l); });
}

void LeaseDns::on_lease6_dropped(const dhcp::Lease6& l, int64_t now) {
    const auto* sc = scope6(l.scope);
    if (sc == nullptr || l.key.kind != dhcp::IaKind::Na) return;
    remove(sc->dns, LeaseDnsEvent::Release, addr6(l.key.addr), owner_of6(l),
           AuditReason::LeaseDropped, now);
}

void LeaseDns::publish_reservations(int64_t now) {
    std::vector<std::string> wanted_owners;
    for (uint32_t si = 0; si < cfg_.dhcp.scopes.size(); ++si) {
        const auto& sc = cfg_.dhcp.scopes[si];
        if (!sc.dns.update || sc.dns.reservation_records != config::ReservationRecords::Permanent)
            continue;
        for (const auto& res : sc.reservations) {
            if (res.hostname.empty()) continue;
            const std::string owner = reservation_owner(sc.name, res.ip.value);
            wanted_owners.push_back(owner);
            Device& d = devices_[owner];
            d.reservation = res.hostname;
            if (res.hw_address) d.mac = *res.hw_address;
            grant(sc.dns, ttl_for(sc), addr4(res.ip.value), lease_name(sc.domain, res.hostname),
                  owner, Origin::Reservation, 0, AuditReason::Reservation, now);
        }
    }
    for (uint32_t si = 0; si < cfg_.dhcp6.scopes.size(); ++si) {
        const auto& sc = cfg_.dhcp6.scopes[si];
        if (!sc.dns.update || sc.dns.reservation_records != config::ReservationRecords::Permanent)
            continue;
        for (const auto& res : sc.reservations) {
            if (res.hostname.empty() || !res.ip) continue;
            const std::string owner = reservation_owner6(sc.name, *res.ip);
            wanted_owners.push_back(owner);
            Device& d = devices_[owner];
            d.reservation = res.hostname;
            if (res.hw_address) d.mac = *res.hw_address;
            d.duid = res.duid;
            grant(sc.dns, ttl_for6(sc), addr6(*res.ip), lease_name(sc.domain, res.hostname), owner,
                  Origin::Reservation, 0, AuditReason::Reservation, now);
        }
    }
    // Reservation records whose reservation is gone (or no longer publishes) go.
    std::vector<std::pair<Key, zone::ZoneStore::Entry>> gone;
    zones_.for_each([&](const Key& k, const zone::ZoneStore::Entry& e) {
        if (e.prov.origin != Origin::Reservation) return;
        if (std::find(wanted_owners.begin(), wanted_owners.end(), e.prov.owner) ==
            wanted_owners.end())
            gone.emplace_back(k, e);
    });
    for (const auto& [k, e] : gone)
        erase_logged(k, e, AuditReason::ReservationRemoved, e.prov.owner,
                     "no reservation publishes this record any more", now);
}

std::optional<Device> LeaseDns::device_known(const std::string& owner, uint16_t type,
                                             const std::vector<uint8_t>& rdata) const {
    if (current_device_ != nullptr && *current_owner_ == owner) return *current_device_;
    if (auto it = devices_.find(owner); it != devices_.end()) return it->second;
    if (type == dns::rrtype::A && rdata.size() == 4 && lookup_.v4) {
        const uint32_t ip = uint32_t{rdata[0]} << 24 | uint32_t{rdata[1]} << 16 |
                            uint32_t{rdata[2]} << 8 | rdata[3];
        const dhcp::Lease* l = lookup_.v4(ip);
        if (l != nullptr && l->state != dhcp::LeaseState::Free && owner_of(*l) == owner)
            return device_of(*l);
    } else if (type == dns::rrtype::AAAA && rdata.size() == 16 && lookup_.v6) {
        net::Ipv6Addr a;
        std::copy(rdata.begin(), rdata.end(), a.bytes.begin());
        const dhcp::Lease6* l = lookup_.v6(a);
        if (l != nullptr && l->state != dhcp::LeaseState::Free && owner_of6(*l) == owner)
            return device_of6(*l);
    }
    return std::nullopt;
}

}  // namespace edgelease::control::ddns
