#include "app/lease_json.hpp"

#include <charconv>

#include "common/time_text.hpp"

namespace edgelease::app {

namespace {

std::string hex(const std::vector<uint8_t>& b) {
    return control::dhcp::hex_colon(b.data(), b.size());
}

std::string scope_name(uint32_t scope, const std::vector<std::string>& scopes) {
    return scope < scopes.size() ? scopes[scope] : std::to_string(scope);
}

}  // namespace

nlohmann::json lease_json(const control::dhcp::Lease& l, const std::vector<std::string>& scopes) {
    return nlohmann::json{{"family", 4},
                          {"address", net::to_string(net::Ipv4Addr{l.ip})},
                          {"state", control::dhcp::to_string(l.state)},
                          {"scope", scope_name(l.scope, scopes)},
                          {"client", l.client.to_string()},
                          {"hw_address", net::to_string(l.hw)},
                          {"hostname", l.hostname},
                          {"start", iso_time(l.start)},
                          {"expires", iso_time(l.expires)},
                          {"reservation", l.reservation >= 0},
                          {"circuit_id", hex(l.circuit_id)},
                          {"remote_id", hex(l.remote_id)},
                          {"generation", l.generation}};
}

nlohmann::json lease6_json(const control::dhcp::Lease6& l, const std::vector<std::string>& scopes) {
    nlohmann::json j{{"family", 6},
                     {"ia", control::dhcp::to_string(l.key.kind)},
                     {"address", net::to_string(l.key.addr)},
                     {"state", control::dhcp::to_string(l.state)},
                     {"scope", scope_name(l.scope, scopes)},
                     {"duid", hex(l.duid)},
                     {"iaid", l.iaid},
                     {"hostname", l.hostname},
                     {"start", iso_time(l.start)},
                     {"expires", iso_time(l.expires)},
                     {"preferred_lifetime", l.preferred},
                     {"valid_lifetime", l.valid},
                     {"reservation", l.reservation >= 0},
                     {"generation", l.generation}};
    if (l.key.kind == control::dhcp::IaKind::Pd) {
        j["prefix_length"] = l.key.prefix_len;
        j["prefix"] = control::dhcp::to_string(l.key);
    }
    // Absent rather than empty: a v6 client often shows no link-layer address at all (a
    // relayed request with a DUID-EN or DUID-UUID), and "" would read as a value.
    if (l.has_hw) j["hw_address"] = net::to_string(l.hw);
    if (!l.remote_id.empty()) j["remote_id"] = hex(l.remote_id);
    if (!l.interface_id.empty()) j["interface_id"] = hex(l.interface_id);
    return j;
}

std::optional<LeaseName> parse_lease_name(std::string_view text, std::string& why) {
    const std::string quoted = "'" + std::string(text) + "'";
    LeaseName out;
    if (text.find_first_of(":/") == std::string_view::npos) {
        auto ip = net::parse_ipv4(text);
        if (!ip) {
            why = "not an IPv4 address";
            return std::nullopt;
        }
        out.ip = ip->value;
        return out;
    }
    out.family = 6;
    const size_t slash = text.find('/');
    auto addr = net::parse_ipv6(text.substr(0, slash));
    if (!addr) {
        why = quoted + (slash == text.npos ? " is not an IPv6 address"
                                           : " is not an IPv6 prefix (address/length)");
        return std::nullopt;
    }
    if (slash == text.npos) {
        out.key = control::dhcp::Lease6Key{control::dhcp::IaKind::Na, 128, *addr};
        return out;
    }
    const std::string_view len_text = text.substr(slash + 1);
    unsigned len = 0;
    const auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (len_text.empty() || ec != std::errc{} || end != len_text.data() + len_text.size() ||
        len > 128) {
        why = quoted + " has no prefix length 0..128 after its '/'";
        return std::nullopt;
    }
    // A delegated prefix is named as its "prefix" field writes it, so host bits are a typo.
    net::Ipv6Addr masked = *addr;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned kept = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
        masked.bytes[i] &= static_cast<uint8_t>(0xff00u >> kept);
    }
    out.key =
        control::dhcp::Lease6Key{control::dhcp::IaKind::Pd, static_cast<uint8_t>(len), masked};
    if (masked != *addr) {
        why =
            quoted + " has host bits set; did you mean " + control::dhcp::to_string(out.key) + "?";
        return std::nullopt;
    }
    return out;
}

std::optional<uint8_t> parse_family(std::string_view text) {
    if (text.empty()) return uint8_t{0};
    if (text == "4") return uint8_t{4};
    if (text == "6") return uint8_t{6};
    return std::nullopt;
}

std::string dump_json(const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgelease::app
