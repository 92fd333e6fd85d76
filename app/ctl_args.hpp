#pragma once
// edgelease-ctl's reading of its words. `records add` and `records delete`: the zone may be
// left out when the owner name is absolute, and then the longest hosted zone that holds the
// name is meant (as nsupdate finds it). `leases`: the --family filter and the path a lease's
// address or delegated prefix names. Pure functions, so the shapes can be tested without an API.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_types.hpp"

namespace edgelease::app::ctl {

/// True when the character at `pos` is escaped by an odd run of backslashes before it.
inline bool escaped_at(std::string_view text, size_t pos) {
    size_t backslashes = 0;
    while (pos > backslashes && text[pos - 1 - backslashes] == '\\') ++backslashes;
    return backslashes % 2 == 1;
}

/// "t1.lan." is absolute, "t1.lan", "t1" and "t1\." are not (RFC 1035 §5.1).
inline bool is_absolute(std::string_view name) {
    return !name.empty() && name.back() == '.' && !escaped_at(name, name.size() - 1);
}

/// An RR type mnemonic the appliance knows: "A", "aaaa", "CAA", "TYPE65534" (RFC 3597).
inline bool is_rr_type(std::string_view word) {
    return dns::type_from_text(word).has_value();
}

/// True when the absolute `zone` holds the absolute `name`: it is the name or its suffix on a
/// label boundary, ASCII case ignored ("lan." holds "lan." and "t1.lan.", not "xlan.").
inline bool zone_holds(std::string_view zone, std::string_view name) {
    if (zone == ".") return true;
    if (zone.size() > name.size()) return false;
    const size_t at = name.size() - zone.size();
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    for (size_t i = 0; i < zone.size(); ++i)
        if (lower(name[at + i]) != lower(zone[i])) return false;
    return at == 0 || (name[at - 1] == '.' && !escaped_at(name, at - 1));
}

/// The longest of `zones` that holds the absolute `name`; empty when none does.
inline std::string longest_zone(std::string_view name, const std::vector<std::string>& zones) {
    std::string best;
    for (const auto& z : zones)
        if (zone_holds(z, name) && (best.empty() || z.size() > best.size())) best = z;
    return best;
}

/// The words of `records add` or `records delete`, sorted into their fields.
struct RecordWords {
    std::string zone;  // empty: left out, to be found from the (absolute) name
    std::string name;
    std::string type;
    std::string data;
};

enum class RecordVerb { add, remove };

/// Sorts the words by their shape:
///   add:    ZONE NAME TYPE DATA (4 words) or NAME. TYPE DATA (3 words, the zone left out);
///   delete: ZONE NAME TYPE [DATA] or NAME. TYPE [DATA]. Two words leave the zone out; three
///           leave it out when the second is an RR type and the third is not (so `lan. ns A`
///           stays the explicit form); four are explicit.
/// Usage errors (nullopt, with `why` set): a word count that fits neither form, and with the
/// zone left out a TYPE that is no RR type or a relative name. The explicit form is passed on
/// as it is: the appliance judges its fields.
inline std::optional<RecordWords> record_words(RecordVerb verb, const std::vector<std::string>& w,
                                               std::string& why) {
    const bool add = verb == RecordVerb::add;
    const std::string usage = add ? "records add takes [ZONE] NAME TYPE DATA"
                                  : "records delete takes [ZONE] NAME TYPE [DATA]";
    if (w.size() < (add ? 3u : 2u) || w.size() > 4) {
        why = usage;
        return std::nullopt;
    }
    const bool zone_left_out =
        add ? w.size() == 3
            : w.size() == 2 || (w.size() == 3 && is_rr_type(w[1]) && !is_rr_type(w[2]));
    if (!zone_left_out) return RecordWords{w[0], w[1], w[2], w.size() == 4 ? w[3] : ""};
    if (!is_rr_type(w[1]))
        why = usage + "; with the zone left out, '" + w[1] + "' is no RR type";
    else if (!is_absolute(w[0]))
        why = "the zone can be left out only when the name is absolute (ends in \".\"): '" + w[0] +
              "'";
    else
        return RecordWords{"", w[0], w[1], w.size() == 3 ? w[2] : ""};
    return std::nullopt;
}

/// `leases list --family`: why `word` is no family (CLI11 prints it after "--family: "), or
/// "" for 4 and 6.
inline std::string family_error(const std::string& word) {
    return word == "4" || word == "6" ? "" : "takes 4 or 6 (the DHCP family), not '" + word + "'";
}

/// The API path of the lease `address` names, plus `action` ("", "/release", "/expire"). The
/// address goes as it is (an IPv4 or IPv6 address, or a delegated prefix with its one slash,
/// "2001:db8:8000::/56", or that slash written %2F): the appliance judges it, and answers 400
/// for text that names no lease. Bytes no address holds are percent-encoded, so that a '?' or
/// '#' typed by mistake stays in the path instead of starting a query or a fragment.
inline std::string lease_path(std::string_view address, std::string_view action) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string path = "/api/v1/leases/";
    for (unsigned char c : address) {
        const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                           (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '/' || c == '%' ||
                           c == '-' || c == '_';
        if (plain) {
            path += static_cast<char>(c);
        } else {
            path += '%';
            path += kHex[c >> 4];
            path += kHex[c & 15];
        }
    }
    path += action;
    return path;
}

}  // namespace edgelease::app::ctl
