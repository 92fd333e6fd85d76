#pragma once
// A zone's state in the record store's "zones" database: {version, dirty, TTL, SOA RDATA}.
// Written and read by zone_snapshot.cpp, read by the journal (journal.cpp). Private to
// control/store.
#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::control::store::detail {

inline constexpr uint8_t kZoneStateVersion = 1;
inline constexpr size_t kZoneStateHeader = 1 + 1 + 4;  // version, dirty, TTL; then SOA RDATA

struct ZoneState {
    bool dirty = false;  // changes of the next serial are already stored
    uint32_t ttl = 0;
    std::vector<uint8_t> soa_rdata;  // empty: no SOA stored yet

    /// The SOA record itself, owned by `apex` (wire).
    dns::Record soa(const dns::WireName& apex) const {
        return dns::Record{apex, dns::rrtype::SOA, dns::rrclass::IN, ttl, soa_rdata};
    }
};

inline std::string encode_zone_state(bool dirty, uint32_t ttl, const std::vector<uint8_t>& rdata) {
    std::string v;
    v.push_back(static_cast<char>(kZoneStateVersion));
    v.push_back(dirty ? 1 : 0);
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<char>(ttl >> s));
    v.append(rdata.begin(), rdata.end());
    return v;
}

inline std::optional<ZoneState> decode_zone_state(const MDB_val& v) {
    const auto* p = static_cast<const uint8_t*>(v.mv_data);
    if (v.mv_size < kZoneStateHeader || p[0] != kZoneStateVersion) return std::nullopt;
    ZoneState z;
    z.dirty = p[1] != 0;
    z.ttl = uint32_t{p[2]} << 24 | uint32_t{p[3]} << 16 | uint32_t{p[4]} << 8 | p[5];
    z.soa_rdata.assign(p + kZoneStateHeader, p + v.mv_size);
    return z;
}

}  // namespace edgelease::control::store::detail
