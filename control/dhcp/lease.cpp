#include "control/dhcp/lease.hpp"

#include <algorithm>
#include <cstring>

#include "control/dhcp/hash.hpp"

namespace edgelease::control::dhcp {

const char* to_string(LeaseState s) {
    switch (s) {
        case LeaseState::Offered:
            return "offered";
        case LeaseState::Bound:
            return "bound";
        case LeaseState::Released:
            return "released";
        case LeaseState::Expired:
            return "expired";
        case LeaseState::Declined:
            return "declined";
        case LeaseState::Free:
            return "free";
    }
    return "unknown";
}

ClientKey ClientKey::from_request(const DhcpRequest& r) noexcept {
    ClientKey k;
    if (r.client_id_len != 0) {
        k.kind = ClientId;
        k.len = static_cast<uint8_t>(std::min<size_t>(r.client_id_len, kMaxClientId));
        std::memcpy(k.bytes, r.client_id, k.len);
    } else {
        k.kind = HwAddress;
        k.len = static_cast<uint8_t>(r.chaddr.bytes.size());
        std::memcpy(k.bytes, r.chaddr.bytes.data(), k.len);
    }
    return k;
}

bool ClientKey::operator==(const ClientKey& o) const noexcept {
    return kind == o.kind && len == o.len && std::memcmp(bytes, o.bytes, len) == 0;
}

std::string ClientKey::to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 3);
    for (size_t i = 0; i < len; ++i) {
        if (i) out += ':';
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 15];
    }
    return out;
}

size_t ClientKeyHash::operator()(const ClientKey& k) const noexcept {
    return static_cast<size_t>(detail::hash_bytes(k.bytes, k.len, k.kind));
}

}  // namespace edgelease::control::dhcp
