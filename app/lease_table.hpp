#pragma once
// The lease table that `edgelease-ctl leases list|show|release|expire` and `edgelease
// --show-leases` print, made from the leases' JSON form (app/lease_json.hpp), both families in
// one table. Header-only over nlohmann::json: edgelease-ctl does not link the appliance.
#include <algorithm>
#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace edgelease::app {

/// The column headings, in order. The first three stay first, as before DHCPv6: scripts read
/// a row as `ADDRESS STATE SCOPE …` (awk '{print $1}', grep '^198.18.0.100 +bound').
inline constexpr std::array<const char*, 10> kLeaseColumns{
    "ADDRESS", "STATE",   "SCOPE",      "FAMILY",   "IA",
    "IAID",    "EXPIRES", "HW-ADDRESS", "HOSTNAME", "CLIENT/DUID"};

/// One row's cells, "-" for a field the lease lacks or leaves empty: ADDRESS is the `prefix`
/// of a delegated prefix, else the `address`; IA is na or pd (v6 only); CLIENT/DUID is a v4
/// lease's `client` or a v6 lease's `duid`.
inline std::array<std::string, kLeaseColumns.size()> lease_row(const nlohmann::json& l) {
    auto cell = [&l](const char* key) -> std::string {
        const auto it = l.find(key);
        if (it == l.end() || it->is_null()) return "-";
        if (!it->is_string()) return it->dump();
        const auto& s = it->get_ref<const std::string&>();
        return s.empty() ? "-" : s;
    };
    return {l.contains("prefix") ? cell("prefix") : cell("address"),
            cell("state"),
            cell("scope"),
            cell("family"),
            cell("ia"),
            cell("iaid"),
            cell("expires"),
            cell("hw_address"),
            cell("hostname"),
            l.contains("duid") ? cell("duid") : cell("client")};
}

/// Characters as a terminal counts them: UTF-8 continuation bytes take no column.
inline size_t text_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// The header and one line per lease of the array `leases`, each column as wide as its widest
/// cell, two spaces apart; no trailing blanks. Only the header for an empty array.
inline std::string lease_table(const nlohmann::json& leases) {
    using Row = std::array<std::string, kLeaseColumns.size()>;
    std::vector<Row> rows;
    Row header;
    for (size_t c = 0; c < header.size(); ++c) header[c] = kLeaseColumns[c];
    rows.push_back(header);
    for (const auto& l : leases) rows.push_back(lease_row(l));
    std::array<size_t, kLeaseColumns.size()> width{};
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], text_width(r[c]));
    std::string out;
    for (const auto& r : rows) {
        for (size_t c = 0; c < r.size(); ++c) {
            out += r[c];
            if (c + 1 < r.size()) out.append(width[c] - text_width(r[c]) + 2, ' ');
        }
        out += '\n';
    }
    return out;
}

}  // namespace edgelease::app
