// libFuzzer target: a DNS message through the dynamic update path a server runs after the
// TSIG and allow_update checks: parse_update (on a heap copy of exactly the input's size, so
// ASan catches any read past the message), then apply_update on a small zone holding records
// of every origin. An update must never change a record it did not make, and a message it
// does not answer NOERROR must change nothing at all.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "control/dnsupdate/update.hpp"
#include "control/zone/zone_file.hpp"
#include "control/zone/zone_store.hpp"

namespace {

using namespace edgelease;
using namespace edgelease::control;

void check(bool ok) {
    if (!ok) std::abort();
}

dns::WireName wname(const char* s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

/// lan. with config records, a dhcp and a manual one, and two update-made ones.
void fill(zone::ZoneStore& zs) {
    static const char* kText = R"(
@     600 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 60
@     600 NS  ns.lan.
ns    600 A   198.18.0.1
cfg   600 A   198.18.0.10
cfg   600 TXT "admin"
al    600 CNAME cfg.lan.
)";
    dataplane::dns::ZoneInput z;
    z.name = wname("lan.");
    auto r = zone::parse_zone_text(kText, "lan.zone", z.name, 3600);
    z.records = std::move(r.records);
    zs.set_config({z}, 1000);
    auto put = [&](const char* n, uint16_t type, std::vector<uint8_t> rd, zone::Origin o) {
        zs.put(zone::StoredRecord{dns::Record{wname(n), type, dns::rrclass::IN, 300, std::move(rd)},
                                  zone::Provenance{o, "x", 1000, 1000, 0}});
    };
    put("pc.lan.", dns::rrtype::A, {198, 18, 0, 50}, zone::Origin::Dhcp);
    put("m.lan.", dns::rrtype::A, {198, 18, 0, 51}, zone::Origin::Manual);
    put("u.lan.", dns::rrtype::A, {198, 18, 5, 1}, zone::Origin::Update);
    put("u.lan.", dns::rrtype::TXT, {2, 'h', 'i'}, zone::Origin::Update);
    std::vector<zone::ZoneStore::Key> drop;
    zs.take_dirty(drop);
}

/// Every record not made by an update, as (owner|type|rdata, ttl).
std::vector<std::pair<std::string, uint32_t>> others(const zone::ZoneStore& zs) {
    std::vector<std::pair<std::string, uint32_t>> out;
    zs.for_each([&](const zone::ZoneStore::Key& k, const zone::ZoneStore::Entry& e) {
        if (e.prov.origin != zone::Origin::Update)
            out.emplace_back(zone::record_identity(zone::ZoneStore::wire(k), e.type, e.rdata),
                             e.ttl);
    });
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto buf = std::make_unique<uint8_t[]>(size == 0 ? 1 : size);
    if (size != 0) std::memcpy(buf.get(), data, size);
    const std::span<const uint8_t> msg(buf.get(), size);
    check(dnsupdate::echo_length(msg) <= size);
    dnsupdate::UpdateMessage m;
    std::string why;
    if (!dnsupdate::parse_update(msg, size, false, m, why)) {
        check(!why.empty());
        return 0;
    }
    zone::ZoneStore zs;
    fill(zs);
    const auto before = others(zs);
    const size_t count = zs.record_count();
    const auto r = dnsupdate::apply_update(zs, m, "key:fuzz", 2000);
    check(others(zs) == before);
    if (r.rcode != dnsupdate::rcode::kNoError) {
        check(zs.record_count() == count && !zs.has_dirty());
        check(r.added == 0 && r.deleted == 0);
        check(r.provenance == (r.rcode == dnsupdate::rcode::kRefused));
    }
    check(zs.has_dirty() == (r.added + r.deleted != 0));
    return 0;
}
