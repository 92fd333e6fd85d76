#include "common/net.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace edgelease::net {

std::optional<Ipv4Addr> parse_ipv4(std::string_view text) {
    // inet_pton accepts exactly dotted-quad decimal, which is what operators write.
    if (text.size() > 15) return std::nullopt;
    char buf[16];
    text.copy(buf, text.size());
    buf[text.size()] = '\0';
    in_addr a{};
    if (inet_pton(AF_INET, buf, &a) != 1) return std::nullopt;
    return Ipv4Addr{ntohl(a.s_addr)};
}

std::optional<Ipv6Addr> parse_ipv6(std::string_view text) {
    if (text.size() > 45) return std::nullopt;
    char buf[46];
    text.copy(buf, text.size());
    buf[text.size()] = '\0';
    Ipv6Addr out;
    if (inet_pton(AF_INET6, buf, out.bytes.data()) != 1) return std::nullopt;
    return out;
}

std::optional<MacAddr> parse_mac(std::string_view text) {
    // Accept aa:bb:cc:dd:ee:ff and aa-bb-cc-dd-ee-ff.
    if (text.size() != 17) return std::nullopt;
    MacAddr m;
    for (size_t i = 0; i < 6; ++i) {
        const char* p = text.data() + i * 3;
        if (i < 5 && p[2] != ':' && p[2] != '-') return std::nullopt;
        auto [end, ec] = std::from_chars(p, p + 2, m.bytes[i], 16);
        if (ec != std::errc{} || end != p + 2) return std::nullopt;
    }
    return m;
}

std::optional<IfAddress> parse_if_address(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view addr = text.substr(0, slash), len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc{} || end != len_text.data() + len_text.size() || len_text.empty())
        return std::nullopt;
    IfAddress out;
    if (auto v4 = parse_ipv4(addr)) {
        if (len > 32) return std::nullopt;
        out.v4 = *v4;
    } else if (auto v6 = parse_ipv6(addr)) {
        if (len > 128) return std::nullopt;
        out.is_v6 = true;
        out.v6 = *v6;
    } else {
        return std::nullopt;
    }
    out.prefix_len = static_cast<uint8_t>(len);
    return out;
}

AddrText to_text(Ipv4Addr a) noexcept {
    AddrText t;
    std::snprintf(t.text, sizeof t.text, "%u.%u.%u.%u", a.value >> 24, (a.value >> 16) & 255,
                  (a.value >> 8) & 255, a.value & 255);
    return t;
}

AddrText to_text(const MacAddr& a) noexcept {
    AddrText t;
    std::snprintf(t.text, sizeof t.text, "%02x:%02x:%02x:%02x:%02x:%02x", a.bytes[0], a.bytes[1],
                  a.bytes[2], a.bytes[3], a.bytes[4], a.bytes[5]);
    return t;
}

std::string to_string(Ipv4Addr a) {
    return to_text(a).c_str();
}

std::string to_string(const Ipv6Addr& a) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string to_string(const MacAddr& a) {
    return to_text(a).c_str();
}

std::string to_string(const IfAddress& a) {
    return (a.is_v6 ? to_string(a.v6) : to_string(a.v4)) + "/" + std::to_string(a.prefix_len);
}

bool in_prefix(const Ipv6Addr& a, const Ipv6Addr& net, uint8_t len) {
    for (unsigned i = 0; i < 16 && len > 0; ++i) {
        uint8_t bits = len >= 8 ? 8 : len;
        uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
        if ((a.bytes[i] & mask) != (net.bytes[i] & mask)) return false;
        len = static_cast<uint8_t>(len - bits);
    }
    return true;
}

Ipv6Addr link_local_from_mac(const MacAddr& mac) {
    Ipv6Addr a;
    a.bytes[0] = 0xfe;
    a.bytes[1] = 0x80;
    a.bytes[8] = mac.bytes[0] ^ 0x02;  // flip the universal/local bit
    a.bytes[9] = mac.bytes[1];
    a.bytes[10] = mac.bytes[2];
    a.bytes[11] = 0xff;
    a.bytes[12] = 0xfe;
    a.bytes[13] = mac.bytes[3];
    a.bytes[14] = mac.bytes[4];
    a.bytes[15] = mac.bytes[5];
    return a;
}

}  // namespace edgelease::net
