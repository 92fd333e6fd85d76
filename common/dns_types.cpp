#include "common/dns_types.hpp"

#include <charconv>

namespace edgelease::dns {
namespace {

// Mnemonics from the IANA "Resource Record (RR) TYPEs" registry beyond kKnownTypes. They are
// only names: RDATA of these types is read and written in the RFC 3597 generic form.
// clang-format off
constexpr TypeName kOtherTypeNames[] = {
    {3, "MD"}, {4, "MF"}, {7, "MB"}, {8, "MG"}, {9, "MR"}, {10, "NULL"}, {11, "WKS"},
    {rrtype::HINFO, "HINFO"}, {14, "MINFO"}, {17, "RP"}, {18, "AFSDB"}, {19, "X25"},
    {20, "ISDN"}, {21, "RT"}, {22, "NSAP"}, {23, "NSAP-PTR"}, {24, "SIG"}, {25, "KEY"},
    {26, "PX"}, {27, "GPOS"}, {29, "LOC"}, {30, "NXT"}, {35, "NAPTR"}, {36, "KX"},
    {37, "CERT"}, {rrtype::DNAME, "DNAME"}, {rrtype::OPT, "OPT"}, {42, "APL"},
    {rrtype::DS, "DS"}, {44, "SSHFP"}, {45, "IPSECKEY"}, {rrtype::RRSIG, "RRSIG"},
    {rrtype::NSEC, "NSEC"}, {rrtype::DNSKEY, "DNSKEY"}, {49, "DHCID"}, {50, "NSEC3"},
    {51, "NSEC3PARAM"}, {52, "TLSA"}, {53, "SMIMEA"}, {55, "HIP"}, {59, "CDS"},
    {60, "CDNSKEY"}, {61, "OPENPGPKEY"}, {62, "CSYNC"}, {63, "ZONEMD"}, {64, "SVCB"},
    {65, "HTTPS"}, {99, "SPF"}, {104, "NID"}, {105, "L32"}, {106, "L64"}, {107, "LP"},
    {108, "EUI48"}, {109, "EUI64"}, {249, "TKEY"}, {250, "TSIG"}, {rrtype::IXFR, "IXFR"},
    {rrtype::AXFR, "AXFR"}, {253, "MAILB"}, {254, "MAILA"}, {rrtype::ANY, "ANY"},
    {256, "URI"},
};
// clang-format on

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
constexpr uint8_t ascii_lower(uint8_t c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Shortens a name for an error message; a 300-character name repeated back is no help.
std::string quoted(std::string_view text) {
    if (text.size() > 80) return "'" + std::string(text.substr(0, 77)) + "...'";
    return "'" + std::string(text) + "'";
}

}  // namespace

std::optional<uint16_t> type_from_text(std::string_view text) {
    for (const auto& t : kKnownTypes)
        if (iequals(text, t.name)) return t.type;
    for (const auto& t : kOtherTypeNames)
        if (iequals(text, t.name)) return t.type;
    // RFC 3597 §5: "TYPE" immediately followed by the decimal type number.
    if (text.size() > 4 && text.size() <= 9 && iequals(text.substr(0, 4), "TYPE")) {
        std::string_view digits = text.substr(4);
        for (char c : digits)
            if (!is_digit(c)) return std::nullopt;
        unsigned value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc{} || end != digits.data() + digits.size() || value > 65535)
            return std::nullopt;
        return static_cast<uint16_t>(value);
    }
    return std::nullopt;
}

std::string type_to_text(uint16_t type) {
    for (const auto& t : kKnownTypes)
        if (t.type == type) return std::string(t.name);
    for (const auto& t : kOtherTypeNames)
        if (t.type == type) return std::string(t.name);
    return "TYPE" + std::to_string(type);
}

std::optional<WireName> name_from_text(std::string_view text, const WireName& origin,
                                       std::string& why, bool keep_case) {
    if (text.empty()) {
        why = "empty name";
        return std::nullopt;
    }
    WireName out;
    bool absolute = false;
    if (text == "@") {
        if (origin.empty()) {
            why = "'@' used with no origin";
            return std::nullopt;
        }
        out = origin;
        absolute = true;
    } else if (text == ".") {
        out.push_back(0);
        absolute = true;
    } else {
        out.reserve(text.size() + 2 + origin.size());
        size_t label_start = out.size();
        out.push_back(0);  // length byte of the first label, patched when the label ends
        size_t i = 0;
        auto end_label = [&](size_t pos_for_error) -> bool {
            size_t len = out.size() - label_start - 1;
            if (len == 0) {
                why = quoted(text) + " has an empty label";
                if (pos_for_error == 0) why = quoted(text) + " starts with an empty label";
                return false;
            }
            if (len > kMaxLabel) {
                why = quoted(text) + " has a label of " + std::to_string(len) +
                      " octets; the limit is 63 (RFC 1035 §2.3.4)";
                return false;
            }
            out[label_start] = static_cast<uint8_t>(len);
            return true;
        };
        while (i < text.size()) {
            char c = text[i];
            if (c == '.') {
                if (!end_label(i)) return std::nullopt;
                ++i;
                if (i == text.size()) {
                    absolute = true;
                    out.push_back(0);
                    break;
                }
                label_start = out.size();
                out.push_back(0);
                continue;
            }
            uint8_t byte = static_cast<uint8_t>(c);
            if (c == '\\') {
                // RFC 1035 §5.1: \X is X literally, \DDD is the octet with decimal value DDD.
                if (i + 1 >= text.size()) {
                    why = quoted(text) + " ends with a lone backslash";
                    return std::nullopt;
                }
                if (is_digit(text[i + 1])) {
                    if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
                        why = quoted(text) + " has a bad escape; \\DDD needs three digits";
                        return std::nullopt;
                    }
                    unsigned v = (text[i + 1] - '0') * 100u + (text[i + 2] - '0') * 10u +
                                 (text[i + 3] - '0');
                    if (v > 255) {
                        why = quoted(text) + " has a bad escape \\" +
                              std::string(text.substr(i + 1, 3)) + "; the limit is \\255";
                        return std::nullopt;
                    }
                    byte = static_cast<uint8_t>(v);
                    i += 4;
                } else {
                    byte = static_cast<uint8_t>(text[i + 1]);
                    i += 2;
                }
            } else {
                ++i;
            }
            out.push_back(keep_case ? byte : ascii_lower(byte));
            if (out.size() - label_start - 1 > kMaxLabel) {
                // Keep going to the end of the label so the message gives its full length.
                size_t len = out.size() - label_start - 1;
                while (i < text.size() && text[i] != '.') {
                    if (text[i] == '\\' && i + 1 < text.size())
                        i += is_digit(text[i + 1]) ? 4 : 2;
                    else
                        ++i;
                    ++len;
                }
                why = quoted(text) + " has a label of " + std::to_string(len) +
                      " octets; the limit is 63 (RFC 1035 §2.3.4)";
                return std::nullopt;
            }
        }
        if (!absolute && !end_label(i)) return std::nullopt;
    }
    if (!absolute) {
        if (origin.empty()) {
            why = quoted(text) + " is relative and there is no origin";
            return std::nullopt;
        }
        out.insert(out.end(), origin.begin(), origin.end());
    }
    if (out.size() > kMaxNameWire) {
        why = quoted(text) + (absolute ? "" : " completed with the origin") + " is " +
              std::to_string(out.size()) +
              " octets in wire form; the limit is 255 (RFC 1035 §2.3.4)";
        return std::nullopt;
    }
    if (!keep_case)
        for (auto& b : out) b = ascii_lower(b);
    return out;
}

std::string name_to_text(const uint8_t* wire, size_t len) {
    std::string out;
    size_t i = 0;
    while (i < len) {
        uint8_t l = wire[i];
        if (l == 0) {
            if (out.empty()) out = ".";
            return out;
        }
        // A compression pointer or a label running past the buffer: not a name we made.
        // Render what was valid and mark the break, so a log line still says something.
        if (l > kMaxLabel || i + 1 + l > len) break;
        for (size_t k = i + 1; k <= i + l; ++k) {
            uint8_t c = wire[k];
            switch (c) {
                case '.':
                case '\\':
                case '"':
                case '(':
                case ')':
                case ';':
                case '@':
                case '$':
                    out += '\\';
                    out += static_cast<char>(c);
                    break;
                default:
                    if (c <= 0x20 || c >= 0x7f) {
                        char buf[5] = {'\\', static_cast<char>('0' + c / 100),
                                       static_cast<char>('0' + c / 10 % 10),
                                       static_cast<char>('0' + c % 10), 0};
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
        }
        out += '.';
        i += 1 + l;
    }
    out += "<malformed>";
    return out;
}

}  // namespace edgelease::dns
