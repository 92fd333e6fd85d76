#pragma once
// Binary form of a Lease in LMDB: versioned, explicit little-endian-free (big-endian) layout,
// no padding, so files survive compiler and struct changes.
#include <cstdint>
#include <optional>
#include <vector>

#include "control/dhcp/lease.hpp"
#include "control/dhcp/lease6.hpp"

namespace edgelease::control::store {

inline constexpr size_t kMaxEncodedLease = 600;

/// Appends the encoding of `l` to `out` (at most kMaxEncodedLease bytes).
void encode_lease(const dhcp::Lease& l, std::vector<uint8_t>& out);
/// Encodes into a fixed buffer; returns the length (0 if it does not fit).
size_t encode_lease(const dhcp::Lease& l, uint8_t* out, size_t cap);
/// nullopt when the bytes are not a lease of a version we read.
std::optional<dhcp::Lease> decode_lease(const uint8_t* p, size_t len);

/// The same for a DHCPv6 lease (its own versioned layout).
size_t encode_lease6(const dhcp::Lease6& l, uint8_t* out, size_t cap);
std::optional<dhcp::Lease6> decode_lease6(const uint8_t* p, size_t len);

/// The LMDB key of a v6 lease: the address or prefix (16), its length, the IA kind, so that
/// leases sort by address.
inline constexpr size_t kLease6KeyLen = 18;
void lease6_key(const dhcp::Lease6Key& k, uint8_t out[kLease6KeyLen]);

}  // namespace edgelease::control::store
