#include "control/dhcp/lease6.hpp"

#include <cstring>

#include "control/dhcp/hash.hpp"

namespace edgelease::control::dhcp {

const char* to_string(IaKind k) {
    return k == IaKind::Pd ? "pd" : "na";
}

size_t Lease6KeyHash::operator()(const Lease6Key& k) const noexcept {
    return static_cast<size_t>(
        detail::hash_bytes(k.addr.bytes.data(), k.addr.bytes.size(),
                           (uint64_t{static_cast<uint8_t>(k.kind)} << 8) | k.prefix_len));
}

bool mac_from_duid(const uint8_t* duid, size_t len, net::MacAddr& out) noexcept {
    // RFC 9915 §11.2 DUID-LLT: type 1, hardware type, time (4), address.
    // RFC 9915 §11.4 DUID-LL: type 3, hardware type, address.
    if (len < 4) return false;
    const uint16_t type = static_cast<uint16_t>(duid[0] << 8 | duid[1]);
    const uint16_t htype = static_cast<uint16_t>(duid[2] << 8 | duid[3]);
    if (htype != 1) return false;
    size_t at = 0;
    if (type == 1)
        at = 8;
    else if (type == 3)
        at = 4;
    else
        return false;
    if (len != at + 6) return false;
    std::memcpy(out.bytes.data(), duid + at, 6);
    return true;
}

std::string hex_colon(const uint8_t* p, size_t len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 3);
    for (size_t i = 0; i < len; ++i) {
        if (i) out += ':';
        out += kHex[p[i] >> 4];
        out += kHex[p[i] & 15];
    }
    return out;
}

std::string to_string(const Lease6Key& k) {
    std::string s = net::to_string(k.addr);
    if (k.kind == IaKind::Pd) s += "/" + std::to_string(k.prefix_len);
    return s;
}

}  // namespace edgelease::control::dhcp
