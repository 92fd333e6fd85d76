#pragma once
// A DHCPv6 lease (RFC 9915) as the control plane keeps it, in memory and, serialised, in
// LMDB: one address of an IA_NA, or one delegated prefix of an IA_PD, bound to a client's
// DUID and IAID. Shares LeaseState and LeaseEvent with DHCPv4 (lease.hpp, lease_engine.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "common/small_bytes.hpp"
#include "control/dhcp/lease.hpp"
#include "dataplane/dhcp/messages6.hpp"

namespace edgelease::control::dhcp {

/// What a v6 lease holds: an address (IA_NA) or a delegated prefix (IA_PD).
enum class IaKind : uint8_t { Na = 0, Pd = 1 };

const char* to_string(IaKind k);

/// A v6 lease's identity: the address (prefix_len 128) or the delegated prefix.
struct Lease6Key {
    IaKind kind = IaKind::Na;
    uint8_t prefix_len = 128;
    net::Ipv6Addr addr;
    friend bool operator==(const Lease6Key&, const Lease6Key&) = default;
};

struct Lease6KeyHash {
    size_t operator()(const Lease6Key& k) const noexcept;
};

struct Lease6 {
    Lease6Key key;
    LeaseState state = LeaseState::Offered;
    bool has_hw = false;  // hw known: frame source, option 79, or DUID-LL/LLT
    bool no_dns = false;  // option 39 with N set: the client asked for no DNS updates
    net::MacAddr hw;
    uint32_t scope = 0;      // index into Config::dhcp6.scopes
    uint32_t iaid = 0;       // of the IA the lease belongs to
    uint32_t preferred = 0;  // lifetimes granted at `start`
    uint32_t valid = 0;
    int32_t reservation = -1;     // index into the scope's reservations, -1 = dynamic
    int64_t start = 0;            // Unix seconds of the last grant or renewal
    int64_t expires = 0;          // Unix seconds: end of the valid lifetime (or hold, probation)
    uint64_t generation = 0;      // bumped on every change; expiry entries carry it
    SmallBytes<22> duid;          // the client's DUID (option 1): inline up to 22 bytes
    SmallBytes<14> remote_id;     // option 37 as last seen (enterprise number + id)
    SmallBytes<14> interface_id;  // option 18 of the relay next to the client
    std::string hostname;         // reservation hostname or the FQDN option's first label
};
// Packed for a million of them: 160 bytes, a short DUID and no relay options held inline.
static_assert(sizeof(Lease6) <= 160);

/// The link-layer address inside a DUID-LLT (type 1) or DUID-LL (type 3) with hardware type
/// 1 (Ethernet) and 6 bytes: true and `out` set; false for any other DUID.
bool mac_from_duid(const uint8_t* duid, size_t len, net::MacAddr& out) noexcept;

/// "00:01:00:01:…" for logs and the API.
std::string hex_colon(const uint8_t* p, size_t len);

/// "2001:db8::50" for an address, "2001:db8:8100::/56" for a prefix.
std::string to_string(const Lease6Key& k);

}  // namespace edgelease::control::dhcp
