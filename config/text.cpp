#include "config/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace edgelease::config::detail {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    c = to_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_lower(c);
    return out;
}

// Label syntax shared by zone names, DHCP domains and record owner names: letters, digits,
// '-', '_' (service labels, RFC 2782) and '/' (classless in-addr.arpa, RFC 2317); no
// leading or trailing hyphen. `body` has no trailing dot. Sets `why` about `whole`.
bool check_labels(std::string_view body, std::string_view whole, bool allow_wildcard,
                  std::string& why) {
    size_t start = 0;
    bool first = true;
    while (true) {
        size_t dot = body.find('.', start);
        std::string_view label = body.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty()) {
            why = squote(whole) + " has an empty label";
            return false;
        }
        if (label.size() > 63) {
            why = squote(whole) + " has a label of " + std::to_string(label.size()) +
                  " characters; the limit is 63 (RFC 1035 §2.3.4)";
            return false;
        }
        bool wildcard = allow_wildcard && first && label == "*";
        if (!wildcard) {
            for (char c : label) {
                if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '/') {
                    why = squote(whole) + " contains " + squote(std::string_view(&c, 1)) +
                          "; labels are letters, digits, '-' and '_' (use the xn-- form "
                          "for international names)";
                    return false;
                }
            }
            if (label.front() == '-' || label.back() == '-') {
                why = squote(whole) + ": label " + squote(label) +
                      " must not start or end with a hyphen";
                return false;
            }
        }
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
        first = false;
    }
}

// The text-or-hex form shared by relay identifiers: the string's bytes, or hex after "0x".
std::optional<std::vector<uint8_t>> parse_text_or_hex(std::string_view text, std::string& why) {
    if (text.starts_with("0x") || text.starts_with("0X")) {
        auto bytes = parse_hex_bytes(text.substr(2), why);
        if (!bytes) why = squote(text) + ": after \"0x\" write hex bytes, e.g. \"0x0a0b\"";
        return bytes;
    }
    return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace

std::string squote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text, std::string& why) {
    struct Unit {
        char symbol;
        int64_t seconds;
    };
    static constexpr std::array<Unit, 5> kUnits{
        {{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
    const std::string q = squote(text);
    const std::string too_long = q + " is too long; the maximum is " +
                                 std::to_string(kMaxDurationSeconds) + "s (about 136 years)";
    if (text.empty()) {
        why = "empty duration; write e.g. \"90s\", \"30m\" or \"1h30m\"";
        return std::nullopt;
    }
    if (text.front() == '-') {
        why = q + ": a duration cannot be negative";
        return std::nullopt;
    }
    int64_t total = 0;
    size_t i = 0;
    size_t next_unit = 0;  // units must appear largest first, each at most once
    while (i < text.size()) {
        if (!is_digit(text[i])) {
            why = q + " is not a duration; write e.g. \"90s\", \"30m\" or \"1h30m\"";
            return std::nullopt;
        }
        int64_t value = 0;
        while (i < text.size() && is_digit(text[i])) {
            value = value * 10 + (text[i] - '0');
            if (value > kMaxDurationSeconds) {
                why = too_long;
                return std::nullopt;
            }
            ++i;
        }
        if (i == text.size()) {
            if (next_unit == 0) return std::chrono::seconds{value};  // bare integer: seconds
            why = q + ": missing unit after " + std::to_string(value) + " (use s, m, h, d or w)";
            return std::nullopt;
        }
        char c = text[i];
        if (c == '.' || c == ',') {
            why = q + ": fractions are not supported; combine units instead, e.g. \"1h30m\"";
            return std::nullopt;
        }
        auto unit = std::find_if(kUnits.begin(), kUnits.end(),
                                 [c](const Unit& u) { return u.symbol == c; });
        if (unit == kUnits.end()) {
            why =
                q + ": unknown unit " + squote(std::string_view(&c, 1)) + " (use s, m, h, d or w)";
            return std::nullopt;
        }
        auto index = static_cast<size_t>(unit - kUnits.begin());
        if (index < next_unit) {
            why = q +
                  ": units must go from largest to smallest, each at most once, e.g. "
                  "\"1h30m\"";
            return std::nullopt;
        }
        next_unit = index + 1;
        // value <= 2^32 and seconds <= 604800, so the product cannot overflow int64.
        total += value * unit->seconds;
        if (total > kMaxDurationSeconds) {
            why = too_long;
            return std::nullopt;
        }
        ++i;
    }
    return std::chrono::seconds{total};
}

std::optional<net::IfAddress> parse_address_prefix(std::string_view text, std::string& why) {
    const std::string q = squote(text);
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        why = q + " has no prefix length; write address/length, e.g. 198.18.0.1/24";
        return std::nullopt;
    }
    std::string_view addr = text.substr(0, slash), len_text = text.substr(slash + 1);
    net::IfAddress out;
    if (auto v4 = net::parse_ipv4(addr)) {
        out.v4 = *v4;
    } else if (auto v6 = net::parse_ipv6(addr)) {
        out.is_v6 = true;
        out.v6 = *v6;
    } else {
        why = q + ": " + squote(addr) + " is not an IPv4 or IPv6 address";
        return std::nullopt;
    }
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (!all_digits(len_text) || ec != std::errc{} || end != len_text.data() + len_text.size()) {
        why = q + ": " + squote(len_text) + " is not a prefix length";
        return std::nullopt;
    }
    unsigned max = out.is_v6 ? 128 : 32;
    if (len > max) {
        why = q + ": prefix length " + std::to_string(len) + " is out of range for " +
              (out.is_v6 ? "IPv6 (0..128)" : "IPv4 (0..32)");
        return std::nullopt;
    }
    out.prefix_len = static_cast<uint8_t>(len);
    return out;
}

std::optional<net::Prefix> parse_ipv4_subnet(std::string_view text, std::string& why) {
    auto p = parse_address_prefix(text, why);
    if (!p) return std::nullopt;
    if (p->is_v6) {
        why = squote(text) + " is an IPv6 prefix; expected an IPv4 prefix such as 198.18.0.0/24";
        return std::nullopt;
    }
    uint32_t mask = net::v4_mask(p->prefix_len);
    if (uint32_t host = p->v4.value & ~mask; host != 0) {
        net::Prefix fixed = *p;
        fixed.v4.value &= mask;
        why = squote(text) + " has host bits set; did you mean " + net::to_string(fixed) +
              "? (host part " + net::to_string(net::Ipv4Addr{host}) + " is outside the /" +
              std::to_string(p->prefix_len) + " mask)";
        return std::nullopt;
    }
    return p;
}

std::optional<net::Ipv4Addr> parse_ipv4_addr(std::string_view text, std::string& why) {
    auto a = net::parse_ipv4(text);
    if (!a) why = squote(text) + " is not an IPv4 address";
    return a;
}

std::optional<PoolRange> parse_pool_range(std::string_view text, std::string& why) {
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        why = squote(text) + " is not a range; write first-last, e.g. 198.18.0.100-198.18.0.199";
        return std::nullopt;
    }
    auto first = net::parse_ipv4(trim(text.substr(0, dash)));
    auto last = net::parse_ipv4(trim(text.substr(dash + 1)));
    if (!first || !last) {
        why = squote(text) + ": " +
              squote(trim(first ? text.substr(dash + 1) : text.substr(0, dash))) +
              " is not an IPv4 address";
        return std::nullopt;
    }
    if (*first > *last) {
        why = squote(text) + " runs backwards; the first address must not be above the last";
        return std::nullopt;
    }
    return PoolRange{*first, *last};
}

std::optional<net::Prefix> parse_ipv6_prefix(std::string_view text, std::string& why) {
    if (text.find('/') == std::string_view::npos) {
        why = squote(text) + " has no prefix length; write address/length, e.g. 2001:db8::/64";
        return std::nullopt;
    }
    auto p = parse_address_prefix(text, why);
    if (!p) return std::nullopt;
    if (!p->is_v6) {
        why = squote(text) + " is an IPv4 prefix; expected an IPv6 prefix such as 2001:db8::/64";
        return std::nullopt;
    }
    net::Prefix fixed = *p;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned kept = p->prefix_len >= 8 * (i + 1) ? 8
                              : p->prefix_len > 8 * i      ? p->prefix_len - 8 * i
                                                           : 0;
        fixed.v6.bytes[i] &= static_cast<uint8_t>(0xff00u >> kept);
    }
    if (fixed.v6 != p->v6) {
        why = squote(text) + " has host bits set; did you mean " + net::to_string(fixed) + "?";
        return std::nullopt;
    }
    return p;
}

std::optional<net::Ipv6Addr> parse_ipv6_addr(std::string_view text, std::string& why) {
    auto a = net::parse_ipv6(text);
    if (!a) why = squote(text) + " is not an IPv6 address";
    return a;
}

std::optional<Pool6Range> parse_pool6_range(std::string_view text, std::string& why) {
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        why =
            squote(text) + " is not a range; write first-last, e.g. 2001:db8::1000-2001:db8::1fff";
        return std::nullopt;
    }
    auto first = net::parse_ipv6(trim(text.substr(0, dash)));
    auto last = net::parse_ipv6(trim(text.substr(dash + 1)));
    if (!first || !last) {
        why = squote(text) + ": " +
              squote(trim(first ? text.substr(dash + 1) : text.substr(0, dash))) +
              " is not an IPv6 address";
        return std::nullopt;
    }
    if (*first > *last) {
        why = squote(text) + " runs backwards; the first address must not be above the last";
        return std::nullopt;
    }
    return Pool6Range{*first, *last, {}};
}

std::optional<std::string> parse_domain_name(std::string_view text, std::string& why) {
    if (text.empty()) {
        why = "empty domain name";
        return std::nullopt;
    }
    if (text == ".") {
        why = "the root '.' is not allowed here";
        return std::nullopt;
    }
    std::string_view body = text.back() == '.' ? text.substr(0, text.size() - 1) : text;
    if (!check_labels(body, text, false, why)) return std::nullopt;
    // Wire form: one length octet per label plus the root octet = text length + 2.
    if (body.size() + 2 > 255) {
        why = squote(text) + " is " + std::to_string(body.size() + 2) +
              " octets in wire form; the limit is 255 (RFC 1035 §2.3.4)";
        return std::nullopt;
    }
    return lower(body) + ".";
}

bool check_hostname_label(std::string_view text, std::string& why) {
    const std::string q = squote(text);
    if (text.empty()) {
        why = "empty hostname; leave the key out instead";
        return false;
    }
    if (text.find('.') != std::string_view::npos) {
        why = q + " must be a single label without dots; the scope's domain is appended";
        return false;
    }
    if (text.size() > 63) {
        why = q + " is " + std::to_string(text.size()) +
              " characters long; a label is at most 63 (RFC 1035 §2.3.4)";
        return false;
    }
    for (char c : text) {
        if (!is_alpha(c) && !is_digit(c) && c != '-') {
            why = q + " contains " + squote(std::string_view(&c, 1)) +
                  "; a hostname is letters, digits and hyphens (RFC 1123 §2.1)";
            return false;
        }
    }
    if (text.front() == '-' || text.back() == '-') {
        why = q + " must not start or end with a hyphen (RFC 952)";
        return false;
    }
    return true;
}

bool check_record_name(std::string_view name, std::string_view zone, std::string& why) {
    if (name == "@") return true;
    if (name.empty()) {
        why = "empty record name; use \"@\" for the zone apex";
        return false;
    }
    bool absolute = name.back() == '.';
    std::string_view body = absolute ? name.substr(0, name.size() - 1) : name;
    if (!check_labels(body, name, true, why)) return false;
    // Wire length of the full owner name: relative names get the zone appended.
    size_t wire = absolute ? body.size() + 2 : body.size() + 1 + zone.size() + 1;
    if (wire > 255) {
        why = squote(name) + " is " + std::to_string(wire) +
              " octets in wire form with the zone; the limit is 255 (RFC 1035 §2.3.4)";
        return false;
    }
    if (absolute) {
        std::string full = lower(name);
        bool inside = full == zone || (full.size() > zone.size() && full.ends_with(zone) &&
                                       full[full.size() - zone.size() - 1] == '.');
        if (!inside) {
            why = squote(name) + " is outside the zone " + squote(zone) +
                  " (a name ending in '.' is absolute)";
            return false;
        }
    }
    return true;
}

std::optional<std::string> parse_rr_type(std::string_view text, std::string& why) {
    std::string up(text);
    for (char& c : up) c = to_upper(c);
    if (up.size() > 4 && up.starts_with("TYPE") && all_digits(std::string_view(up).substr(4))) {
        if (up.size() > 9 || std::stoul(up.substr(4)) > 65535) {
            why = squote(text) + " is out of range (TYPE0..TYPE65535, RFC 3597 §5)";
            return std::nullopt;
        }
        return up;
    }
    // "TYPE" followed by anything but digits is neither form (RFC 3597 §5 reserves it).
    bool ok = !up.empty() && up.size() <= 20 && is_alpha(up.front()) && !up.starts_with("TYPE") &&
              std::all_of(up.begin(), up.end(), [](char c) { return is_alpha(c) || is_digit(c); });
    if (!ok) {
        why = squote(text) +
              " is not a record type; write a mnemonic such as \"AAAA\" or "
              "TYPEnnn (RFC 3597)";
        return std::nullopt;
    }
    return up;
}

std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view text, std::string& why) {
    const std::string q = squote(text);
    if (text.empty()) {
        why = "empty hex string";
        return std::nullopt;
    }
    std::vector<uint8_t> out;
    bool colons = text.find(':') != std::string_view::npos;
    size_t i = 0;
    while (i < text.size()) {
        if (i + 1 >= text.size() || hex_value(text[i]) < 0 || hex_value(text[i + 1]) < 0) {
            why = q +
                  " is not hex bytes; write e.g. \"01:02:00:00:00:00:00:50\" or "
                  "\"0102000000000050\"";
            return std::nullopt;
        }
        out.push_back(static_cast<uint8_t>(hex_value(text[i]) * 16 + hex_value(text[i + 1])));
        i += 2;
        if (colons && i < text.size()) {
            if (text[i] != ':' || i + 1 == text.size()) {
                why = q + ": each byte must be two hex digits, separated by ':'";
                return std::nullopt;
            }
            ++i;
        }
    }
    return out;
}

std::optional<std::vector<uint8_t>> parse_client_id(std::string_view text, std::string& why) {
    auto bytes = parse_hex_bytes(text, why);
    if (bytes && (bytes->size() < 2 || bytes->size() > 255)) {
        why = squote(text) + " is " + std::to_string(bytes->size()) +
              " bytes; a client identifier is 2 to 255 bytes (RFC 2132 §9.14)";
        return std::nullopt;
    }
    return bytes;
}

std::optional<std::vector<uint8_t>> parse_relay_id(std::string_view text, std::string& why) {
    auto bytes = parse_text_or_hex(text, why);
    if (bytes && (bytes->empty() || bytes->size() > 255)) {
        why = squote(text) + " is " + std::to_string(bytes->size()) +
              " bytes; a relay agent sub-option holds 1 to 255 (RFC 3046 §2.0)";
        return std::nullopt;
    }
    return bytes;
}

std::optional<std::vector<uint8_t>> parse_duid(std::string_view text, std::string& why) {
    auto bytes = parse_hex_bytes(text, why);
    if (bytes && (bytes->size() < 3 || bytes->size() > 130)) {
        why = squote(text) + " is " + std::to_string(bytes->size()) +
              " bytes; a DUID is a 2-byte type and 1 to 128 bytes more, 3 to 130 in all (RFC "
              "9915 §11.1)";
        return std::nullopt;
    }
    return bytes;
}

std::optional<std::vector<uint8_t>> parse_relay6_id(std::string_view text, std::string& why) {
    auto bytes = parse_text_or_hex(text, why);
    if (bytes && (bytes->empty() || bytes->size() > 255)) {
        why = squote(text) + " is " + std::to_string(bytes->size()) +
              " bytes; a DHCPv6 relay identifier here is 1 to 255 bytes";
        return std::nullopt;
    }
    return bytes;
}

std::optional<ListenAddr> parse_listen(std::string_view text, std::string& why) {
    const std::string q = squote(text);
    ListenAddr out;
    std::string_view host, port_text;
    if (text.starts_with("[")) {
        size_t close = text.find(']');
        if (close == std::string_view::npos) {
            why = q + ": missing ']' after the IPv6 address";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') {
            why = q + ": missing ':port' after ']', e.g. [::1]:8053";
            return std::nullopt;
        }
        port_text = text.substr(close + 2);
        auto v6 = net::parse_ipv6(host);
        if (!v6) {
            why = q + ": " + squote(host) + " is not an IPv6 address";
            return std::nullopt;
        }
        out.loopback = *v6 == net::parse_ipv6("::1");
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            why = q + " has no port; write host:port, e.g. 127.0.0.1:8053";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            why = q + ": put an IPv6 address in brackets, e.g. [::1]:8053";
            return std::nullopt;
        }
        if (host == "localhost") {
            out.loopback = true;
        } else if (auto v4 = net::parse_ipv4(host)) {
            out.loopback = (v4->value >> 24) == 127;
        } else {
            why = q + ": " + squote(host) +
                  " is not an IPv4 address, a bracketed IPv6 address or \"localhost\"";
            return std::nullopt;
        }
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (!all_digits(port_text) || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port < 1 || port > 65535) {
        why = q + ": port " + squote(port_text) + " is not a number in 1..65535";
        return std::nullopt;
    }
    out.host = std::string(host);
    out.port = static_cast<uint16_t>(port);
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rolling rows are enough for the transposition case.
    std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = to_lower(a[i - 1]) == to_lower(b[j - 1]) ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && to_lower(a[i - 1]) == to_lower(b[j - 2]) &&
                to_lower(a[i - 2]) == to_lower(b[j - 1]))
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
    // Roughly one edit per three characters, at least one and at most three.
    size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
    std::optional<std::string_view> best;
    size_t best_distance = limit + 1;
    for (std::string_view c : candidates) {
        size_t d = edit_distance(word, c);
        if (d < best_distance && d < std::max(word.size(), c.size())) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

}  // namespace edgelease::config::detail
