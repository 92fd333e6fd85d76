#include "control/dnstcp/acl.hpp"

#include <cstring>

namespace edgelease::control::dnstcp {

namespace {

bool prefix_holds(const net::Prefix& p, const ClientAddress& a) {
    if (p.is_v6 != a.is_v6) return false;
    if (!a.is_v6) return net::in_prefix(a.v4, p.v4, p.prefix_len);
    const unsigned full = p.prefix_len / 8, rest = p.prefix_len % 8;
    if (std::memcmp(a.v6.bytes.data(), p.v6.bytes.data(), full) != 0) return false;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (a.v6.bytes[full] & mask) == (p.v6.bytes[full] & mask);
}

}  // namespace

std::string to_string(const ClientAddress& a) {
    return a.is_v6 ? net::to_string(a.v6) : net::to_string(a.v4);
}

bool acl_allows(std::span<const config::AclEntry> acl, const ClientAddress& client,
                const tsig::Checked& c) {
    for (const auto& e : acl) {
        if (e.is_key) {
            if (c.verdict == tsig::Verdict::Ok && c.key != nullptr &&
                dns::name_to_text(c.key->name) == e.key)
                return true;
        } else if (prefix_holds(e.prefix, client)) {
            return true;
        }
    }
    return false;
}

std::vector<tsig::Key> keys_of(const config::Config& cfg) {
    std::vector<tsig::Key> keys;
    for (const auto& k : cfg.dns.keys) {
        std::string why;
        auto name = dns::name_from_text(k.name, dns::WireName{0}, why);
        auto alg = tsig::algorithm_from_text(k.algorithm);
        if (name && alg) keys.push_back(tsig::Key{*name, *alg, k.secret});
    }
    return keys;
}

}  // namespace edgelease::control::dnstcp
