#include "control/zone/rdata_text.hpp"

#include "control/zone/audit.hpp"

#include <charconv>

#include "common/net.hpp"

namespace edgelease::control::zone {
namespace {

using dns::WireName;
namespace rrtype = dns::rrtype;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string squote(std::string_view text) {
    if (text.size() > 60) return "'" + std::string(text.substr(0, 57)) + "...'";
    return "'" + std::string(text) + "'";
}

std::string fields(size_t n) {
    return n == 1 ? "1 field" : std::to_string(n) + " fields";
}

void put16(std::vector<uint8_t>& out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xFFFF);
}
uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Decimal digits only (no sign, no spaces). `what` names the field for the message.
bool parse_uint(const RdataToken& tok, uint64_t max, std::string_view what, uint64_t& value,
                std::string& why) {
    if (tok.quoted) {
        why = std::string(what) + " must not be a quoted string";
        return false;
    }
    std::string_view t = tok.text;
    bool digits = !t.empty();
    for (char c : t) digits = digits && is_digit(c);
    if (!digits) {
        why = std::string(what) + " " + squote(t) + " is not a number";
        return false;
    }
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc{} || value > max) {
        std::string shown = t.size() > 40 ? std::string(t.substr(0, 37)) + "..." : std::string(t);
        why = std::string(what) + " " + shown + " is out of range 0.." + std::to_string(max);
        return false;
    }
    return true;
}

bool put_uint16(const RdataToken& tok, std::string_view what, std::vector<uint8_t>& out,
                std::string& why) {
    uint64_t v = 0;
    if (!parse_uint(tok, 0xFFFF, what, v, why)) return false;
    put16(out, static_cast<uint32_t>(v));
    return true;
}

bool put_name(const RdataToken& tok, std::string_view what, const WireName& origin,
              std::vector<uint8_t>& out, std::string& why) {
    if (tok.quoted) {
        why = std::string(what) + " must not be a quoted string";
        return false;
    }
    std::string name_why;
    auto name = dns::name_from_text(tok.text, origin, name_why, /*keep_case=*/true);
    if (!name) {
        why = std::string(what) + ": " + name_why;
        return false;
    }
    out.insert(out.end(), name->begin(), name->end());
    return true;
}

// A <character-string> (RFC 1035 §3.3, §5.1): escapes \X and \DDD resolved, quoted or not.
bool decode_string(std::string_view text, std::string_view what, std::vector<uint8_t>& out,
                   std::string& why) {
    for (size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c != '\\') {
            out.push_back(static_cast<uint8_t>(c));
            ++i;
            continue;
        }
        if (i + 1 >= text.size()) {
            why = std::string(what) + " ends with a lone backslash";
            return false;
        }
        if (!is_digit(text[i + 1])) {
            out.push_back(static_cast<uint8_t>(text[i + 1]));
            i += 2;
            continue;
        }
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
            why = std::string(what) + " has a bad escape; \\DDD needs three digits";
            return false;
        }
        unsigned v = (text[i + 1] - '0') * 100u + (text[i + 2] - '0') * 10u + (text[i + 3] - '0');
        if (v > 255) {
            why = std::string(what) + " has a bad escape \\" + std::string(text.substr(i + 1, 3)) +
                  "; the limit is \\255";
            return false;
        }
        out.push_back(static_cast<uint8_t>(v));
        i += 4;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 3597 §5: \# <length> <hex in any number of words>.
bool generic_from_tokens(std::span<const RdataToken> tokens, std::vector<uint8_t>& out,
                         std::string& why) {
    if (tokens.size() < 2) {
        why = "\\# needs a length (RFC 3597 §5)";
        return false;
    }
    uint64_t len = 0;
    if (!parse_uint(tokens[1], 0xFFFF, "\\# length", len, why)) return false;
    int high = -1;
    for (const auto& tok : tokens.subspan(2)) {
        if (tok.quoted) {
            why = "\\# data must be hex, not a quoted string";
            return false;
        }
        for (char c : tok.text) {
            int v = hex_value(c);
            if (v < 0) {
                why = "\\# data " + squote(tok.text) + " is not hex";
                return false;
            }
            if (high < 0) {
                high = v;
            } else {
                out.push_back(static_cast<uint8_t>(high << 4 | v));
                high = -1;
            }
        }
    }
    if (high >= 0) {
        why = "\\# data has an odd number of hex digits";
        return false;
    }
    if (out.size() != len) {
        why = "\\# says " + std::to_string(len) + " octets but the data has " +
              std::to_string(out.size());
        return false;
    }
    return true;
}

bool want_fields(std::string_view type_name, std::span<const RdataToken> tokens, size_t n,
                 std::string& why) {
    if (tokens.size() == n) return true;
    why = std::string(type_name) + " needs " + fields(n) + ", got " + std::to_string(tokens.size());
    return false;
}

bool soa_timer(const RdataToken& tok, std::string_view what, std::vector<uint8_t>& out,
               std::string& why) {
    auto v = tok.quoted ? std::nullopt : ttl_from_text(tok.text);
    if (!v) {
        why = "SOA " + std::string(what) + " " + squote(tok.text) +
              " is not a time value such as 3600 or 1h";
        return false;
    }
    put32(out, *v);
    return true;
}

bool typed_from_tokens(uint16_t type, std::span<const RdataToken> t, const WireName& origin,
                       std::vector<uint8_t>& out, std::string& why) {
    switch (type) {
        case rrtype::A: {
            if (!want_fields("A", t, 1, why)) return false;
            auto a = t[0].quoted ? std::nullopt : net::parse_ipv4(t[0].text);
            if (!a) {
                why = squote(t[0].text) + " is not an IPv4 address";
                return false;
            }
            put32(out, a->value);
            return true;
        }
        case rrtype::AAAA: {
            if (!want_fields("AAAA", t, 1, why)) return false;
            auto a = t[0].quoted ? std::nullopt : net::parse_ipv6(t[0].text);
            if (!a) {
                why = squote(t[0].text) + " is not an IPv6 address";
                return false;
            }
            out.insert(out.end(), a->bytes.begin(), a->bytes.end());
            return true;
        }
        case rrtype::NS:
            return want_fields("NS", t, 1, why) && put_name(t[0], "NS name", origin, out, why);
        case rrtype::CNAME:
            return want_fields("CNAME", t, 1, why) &&
                   put_name(t[0], "CNAME target", origin, out, why);
        case rrtype::PTR:
            return want_fields("PTR", t, 1, why) && put_name(t[0], "PTR name", origin, out, why);
        case rrtype::MX:
            return want_fields("MX", t, 2, why) && put_uint16(t[0], "MX preference", out, why) &&
                   put_name(t[1], "MX exchange", origin, out, why);
        case rrtype::SRV:
            // RFC 2782: priority weight port target; the target "." means no service.
            return want_fields("SRV", t, 4, why) && put_uint16(t[0], "SRV priority", out, why) &&
                   put_uint16(t[1], "SRV weight", out, why) &&
                   put_uint16(t[2], "SRV port", out, why) &&
                   put_name(t[3], "SRV target", origin, out, why);
        case rrtype::SOA: {
            // RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM.
            if (!want_fields("SOA", t, 7, why)) return false;
            if (!put_name(t[0], "SOA primary server", origin, out, why) ||
                !put_name(t[1], "SOA mailbox", origin, out, why))
                return false;
            uint64_t serial = 0;
            if (!parse_uint(t[2], 0xFFFFFFFF, "SOA serial", serial, why)) return false;
            put32(out, static_cast<uint32_t>(serial));
            return soa_timer(t[3], "refresh", out, why) && soa_timer(t[4], "retry", out, why) &&
                   soa_timer(t[5], "expire", out, why) && soa_timer(t[6], "minimum", out, why);
        }
        case rrtype::TXT: {
            // RFC 1035 §3.3.14: one or more <character-string>s, each at most 255 octets.
            if (t.empty()) {
                why = "TXT needs at least one string";
                return false;
            }
            for (size_t i = 0; i < t.size(); ++i) {
                const std::string what = "TXT string " + std::to_string(i + 1);
                size_t len_at = out.size();
                out.push_back(0);
                if (!decode_string(t[i].text, what, out, why)) return false;
                size_t len = out.size() - len_at - 1;
                if (len > 255) {
                    why = what + " is " + std::to_string(len) +
                          " octets; the limit is 255 (RFC 1035 §3.3)";
                    return false;
                }
                out[len_at] = static_cast<uint8_t>(len);
            }
            return true;
        }
        case rrtype::CAA: {
            // RFC 8659 §4.1: flags (0..255), tag (1..15 ASCII letters and digits), value (the
            // rest of the RDATA, no length octet).
            if (t.size() != 3) {
                why = "CAA needs 3 fields (flags tag value), got " + std::to_string(t.size());
                return false;
            }
            uint64_t flags = 0;
            if (!parse_uint(t[0], 255, "CAA flags", flags, why)) return false;
            out.push_back(static_cast<uint8_t>(flags));
            std::string_view tag = t[1].text;
            bool ok = !t[1].quoted && !tag.empty() && tag.size() <= 15;
            for (char c : tag) ok = ok && is_alnum(static_cast<uint8_t>(c));
            if (!ok) {
                why = "CAA tag " + squote(tag) +
                      " must be 1 to 15 ASCII letters and digits (RFC 8659 §4.1)";
                return false;
            }
            out.push_back(static_cast<uint8_t>(tag.size()));
            out.insert(out.end(), tag.begin(), tag.end());
            return decode_string(t[2].text, "CAA value", out, why);
        }
        default:
            why = "type " + dns::type_to_text(type) +
                  " has no presentation format here; write it as \\# <length> <hex> (RFC 3597 §5)";
            return false;
    }
}

// RFC 6895 §3.1: OPT and 128..255 are meta/query types, never data in a zone; 0 is reserved.
bool is_data_type(uint16_t type) {
    return type != 0 && type != rrtype::OPT && !(type >= 128 && type <= 255);
}

// Walks an uncompressed wire name at rdata[pos..len); advances pos past it.
bool wire_name_ok(const uint8_t* rdata, size_t len, size_t& pos, std::string_view what,
                  std::string& why) {
    size_t start = pos;
    while (true) {
        if (pos >= len) {
            why = std::string(what) + " runs past the end of the RDATA";
            return false;
        }
        uint8_t l = rdata[pos];
        if (l > dns::kMaxLabel) {
            why = std::string(what) + " has a compressed or invalid label";
            return false;
        }
        pos += 1 + l;
        if (pos - start > dns::kMaxNameWire) {
            why = std::string(what) + " is longer than 255 octets";
            return false;
        }
        if (l == 0) return true;
    }
}

bool exact_length(std::string_view type_name, size_t len, size_t want, std::string& why) {
    if (len == want) return true;
    why = std::string(type_name) + " RDATA is " + std::to_string(len) + " octets; it must be " +
          std::to_string(want);
    return false;
}

bool names_then_end(const uint8_t* rdata, size_t len, size_t pos, std::string_view what,
                    std::string& why) {
    if (!wire_name_ok(rdata, len, pos, what, why)) return false;
    if (pos != len) {
        why = std::string(what) + " is followed by " + std::to_string(len - pos) + " stray octets";
        return false;
    }
    return true;
}

void append_char_string(std::string& out, const uint8_t* p, size_t n) {
    out += '"';
    for (size_t i = 0; i < n; ++i) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            out += '\\';
            out += static_cast<char>('0' + c / 100);
            out += static_cast<char>('0' + c / 10 % 10);
            out += static_cast<char>('0' + c % 10);
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

std::string generic_to_text(const uint8_t* rdata, size_t len) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "\\# " + std::to_string(len);
    if (len > 0) out += ' ';
    for (size_t i = 0; i < len; ++i) {
        out += kHex[rdata[i] >> 4];
        out += kHex[rdata[i] & 15];
    }
    return out;
}

size_t name_len(const uint8_t* p) {
    size_t n = 0;
    while (p[n] != 0) n += 1 + p[n];
    return n + 1;
}

}  // namespace

bool tokenize_rdata(std::string_view text, std::vector<RdataToken>& out, std::string& why) {
    size_t i = 0, n = text.size();
    int depth = 0;
    while (i < n) {
        char c = text[i];
        if (is_blank(c)) {
            ++i;
        } else if (c == '(') {
            ++depth;
            ++i;
        } else if (c == ')') {
            if (depth == 0) {
                why = "')' without '('";
                return false;
            }
            --depth;
            ++i;
        } else if (c == '"') {
            size_t j = i + 1;
            while (j < n && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            if (j >= n) {
                why = "unterminated quoted string";
                return false;
            }
            out.push_back({text.substr(i + 1, j - i - 1), true});
            i = j + 1;
        } else {
            size_t j = i;
            while (j < n && !is_blank(text[j]) && text[j] != '(' && text[j] != ')')
                j += text[j] == '\\' ? 2 : 1;
            j = std::min(j, n);
            out.push_back({text.substr(i, j - i), false});
            i = j;
        }
    }
    if (depth > 0) {
        why = "'(' without ')'";
        return false;
    }
    return true;
}

bool rdata_from_tokens(uint16_t type, std::span<const RdataToken> tokens, const WireName& origin,
                       std::vector<uint8_t>& out, std::string& why) {
    out.clear();
    if (!is_data_type(type)) {
        why = "type " + dns::type_to_text(type) +
              " is a meta or query type and cannot be a record (RFC 6895 §3.1)";
        return false;
    }
    if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
        if (!generic_from_tokens(tokens, out, why)) return false;
        std::string wire_why;
        if (!rdata_wire_valid(type, out.data(), out.size(), wire_why)) {
            why = "\\# data is not valid " + dns::type_to_text(type) + " RDATA: " + wire_why;
            return false;
        }
        return true;
    }
    if (!typed_from_tokens(type, tokens, origin, out, why)) return false;
    if (out.size() > 0xFFFF) {
        why = "RDATA is " + std::to_string(out.size()) + " octets; the limit is 65535";
        return false;
    }
    return true;
}

bool rdata_from_text(uint16_t type, std::string_view text, const WireName& origin,
                     std::vector<uint8_t>& out, std::string& why) {
    std::vector<RdataToken> tokens;
    if (!tokenize_rdata(text, tokens, why)) return false;
    return rdata_from_tokens(type, tokens, origin, out, why);
}

bool rdata_wire_valid(uint16_t type, const uint8_t* rdata, size_t len, std::string& why) {
    switch (type) {
        case rrtype::A:
            return exact_length("A", len, 4, why);
        case rrtype::AAAA:
            return exact_length("AAAA", len, 16, why);
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::PTR:
            return names_then_end(rdata, len, 0, "name", why);
        case rrtype::MX:
            if (len < 3) {
                why = "MX RDATA is " + std::to_string(len) + " octets; it needs at least 3";
                return false;
            }
            return names_then_end(rdata, len, 2, "MX exchange", why);
        case rrtype::SRV:
            if (len < 7) {
                why = "SRV RDATA is " + std::to_string(len) + " octets; it needs at least 7";
                return false;
            }
            return names_then_end(rdata, len, 6, "SRV target", why);
        case rrtype::SOA: {
            size_t pos = 0;
            if (!wire_name_ok(rdata, len, pos, "SOA primary server", why) ||
                !wire_name_ok(rdata, len, pos, "SOA mailbox", why))
                return false;
            if (len - pos != 20) {
                why = "SOA has " + std::to_string(len - pos) +
                      " octets after its names; it must have 20";
                return false;
            }
            return true;
        }
        case rrtype::TXT: {
            if (len == 0) {
                why = "TXT RDATA is empty; it needs at least one string";
                return false;
            }
            for (size_t pos = 0; pos < len; pos += 1 + rdata[pos]) {
                if (pos + 1 + rdata[pos] > len) {
                    why = "TXT string runs past the end of the RDATA";
                    return false;
                }
            }
            return true;
        }
        case rrtype::CAA: {
            if (len < 2 || rdata[1] == 0 || rdata[1] > 15 || 2u + rdata[1] > len) {
                why = "CAA RDATA has no valid tag (RFC 8659 §4.1)";
                return false;
            }
            for (size_t i = 0; i < rdata[1]; ++i) {
                if (!is_alnum(rdata[2 + i])) {
                    why = "CAA tag must be ASCII letters and digits (RFC 8659 §4.1)";
                    return false;
                }
            }
            return true;
        }
        default:
            return true;
    }
}

std::string rdata_to_text(uint16_t type, const uint8_t* rdata, size_t len) {
    std::string why;
    bool known = false;
    for (const auto& t : dns::kKnownTypes) known = known || t.type == type;
    if (!known || !rdata_wire_valid(type, rdata, len, why)) return generic_to_text(rdata, len);
    switch (type) {
        case rrtype::A:
            return net::to_string(net::Ipv4Addr{get32(rdata)});
        case rrtype::AAAA: {
            net::Ipv6Addr a;
            std::copy(rdata, rdata + 16, a.bytes.begin());
            return net::to_string(a);
        }
        case rrtype::NS:
        case rrtype::CNAME:
        case rrtype::PTR:
            return dns::name_to_text(rdata, len);
        case rrtype::MX:
            return std::to_string(get16(rdata)) + " " + dns::name_to_text(rdata + 2, len - 2);
        case rrtype::SRV:
            return std::to_string(get16(rdata)) + " " + std::to_string(get16(rdata + 2)) + " " +
                   std::to_string(get16(rdata + 4)) + " " + dns::name_to_text(rdata + 6, len - 6);
        case rrtype::SOA: {
            size_t m = name_len(rdata);
            size_t r = name_len(rdata + m);
            std::string out = dns::name_to_text(rdata, m) + " " + dns::name_to_text(rdata + m, r);
            for (size_t i = 0; i < 5; ++i)
                out += " " + std::to_string(get32(rdata + m + r + 4 * i));
            return out;
        }
        case rrtype::TXT: {
            std::string out;
            for (size_t pos = 0; pos < len; pos += 1 + rdata[pos]) {
                if (!out.empty()) out += ' ';
                append_char_string(out, rdata + pos + 1, rdata[pos]);
            }
            return out;
        }
        case rrtype::CAA: {
            size_t tag_len = rdata[1];
            std::string out = std::to_string(rdata[0]) + " " +
                              std::string(reinterpret_cast<const char*>(rdata + 2), tag_len) + " ";
            append_char_string(out, rdata + 2 + tag_len, len - 2 - tag_len);
            return out;
        }
        default:
            return generic_to_text(rdata, len);
    }
}

std::optional<uint32_t> ttl_from_text(std::string_view text) {
    // BIND's rules (lib/dns/ttl.c): a plain number, or number+unit segments in any order;
    // a number without a unit is only allowed on its own.
    if (text.empty()) return std::nullopt;
    uint64_t total = 0;
    size_t i = 0;
    bool first = true;
    while (i < text.size()) {
        size_t start = i;
        uint64_t n = 0;
        while (i < text.size() && is_digit(text[i])) {
            n = n * 10 + static_cast<uint64_t>(text[i] - '0');
            if (n > 0xFFFFFFFF) return std::nullopt;
            ++i;
        }
        if (i == start) return std::nullopt;
        if (i == text.size()) {
            if (!first) return std::nullopt;
            return static_cast<uint32_t>(n);
        }
        uint64_t unit = 0;
        switch (text[i]) {
            case 'w':
            case 'W':
                unit = 7 * 86400;
                break;
            case 'd':
            case 'D':
                unit = 86400;
                break;
            case 'h':
            case 'H':
                unit = 3600;
                break;
            case 'm':
            case 'M':
                unit = 60;
                break;
            case 's':
            case 'S':
                unit = 1;
                break;
            default:
                return std::nullopt;
        }
        ++i;
        total += n * unit;
        if (total > 0xFFFFFFFF) return std::nullopt;
        first = false;
    }
    return static_cast<uint32_t>(total);
}

}  // namespace edgelease::control::zone

namespace edgelease::control::zone {

void AuditEvent::complete() {
    if (!deferred) return;
    name = dns::name_to_text(name_wire);
    if (has_old) old_data = rdata_to_text(type, old_rdata);
    if (has_new) new_data = rdata_to_text(type, new_rdata);
    deferred = false;
}

}  // namespace edgelease::control::zone
