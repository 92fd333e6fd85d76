#include "dataplane/eal_cpus.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <string_view>

namespace edgelease::dataplane {

namespace {

constexpr unsigned kMaxCpu = 4095;

bool parse_number(std::string_view s, unsigned& out) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && out <= kMaxCpu;
}

// "1,3-5" (optionally in parentheses) into `out`.
bool parse_list(std::string_view s, std::set<unsigned>& out) {
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = s.substr(1, s.size() - 2);
    if (s.empty()) return false;
    while (!s.empty()) {
        const size_t comma = s.find(',');
        const std::string_view item = s.substr(0, comma);
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
        if (comma != std::string_view::npos && s.empty()) return false;  // trailing comma
        const size_t dash = item.find('-');
        unsigned lo = 0, hi = 0;
        if (dash == std::string_view::npos) {
            if (!parse_number(item, lo)) return false;
            hi = lo;
        } else if (!parse_number(item.substr(0, dash), lo) ||
                   !parse_number(item.substr(dash + 1), hi) || hi < lo) {
            return false;
        }
        for (unsigned c = lo; c <= hi; ++c) out.insert(c);
    }
    return true;
}

// A hexadecimal core mask, "0x3c" or "3c".
bool parse_mask(std::string_view s, std::set<unsigned>& out) {
    if (s.starts_with("0x") || s.starts_with("0X")) s = s.substr(2);
    if (s.empty() || s.size() > (kMaxCpu + 1) / 4) return false;
    unsigned bit = 0;
    for (size_t i = s.size(); i-- > 0; bit += 4) {
        const char ch = s[i];
        unsigned v = 0;
        if (ch >= '0' && ch <= '9')
            v = static_cast<unsigned>(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            v = static_cast<unsigned>(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            v = static_cast<unsigned>(ch - 'A' + 10);
        else
            return false;
        for (unsigned b = 0; b < 4; ++b)
            if (v & (1u << b)) out.insert(bit + b);
    }
    return !out.empty();
}

// --lcores: elements split at the commas outside parentheses; each "LCORES@CPUS" adds CPUS,
// each "LCORES" adds its own numbers.
bool parse_lcores(std::string_view s, std::set<unsigned>& out) {
    if (s.empty()) return false;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        const char ch = i < s.size() ? s[i] : ',';
        if (ch == '(') ++depth;
        if (ch == ')' && --depth < 0) return false;
        if (ch != ',' || depth != 0) continue;
        const std::string_view item = s.substr(start, i - start);
        start = i + 1;
        const size_t at = item.find('@');
        if (!parse_list(at == std::string_view::npos ? item : item.substr(at + 1), out))
            return false;
        if (at != std::string_view::npos) {
            std::set<unsigned> ignored;  // the lcore ids themselves must still be well formed
            if (!parse_list(item.substr(0, at), ignored)) return false;
        }
    }
    return depth == 0;
}

}  // namespace

std::optional<LcoreOption> lcore_option(std::string_view a) {
    const size_t eq = a.find('=');
    const std::string_view name = a.substr(0, eq);
    if (name.size() >= 4 && std::string_view("--lcores").starts_with(name))
        return eq == std::string_view::npos ? LcoreOption{"--lcores", {}, true}
                                            : LcoreOption{"--lcores", a.substr(eq + 1), false};
    if (a == "-l" || a == "-c") return LcoreOption{a, {}, true};
    if (a.size() > 2 && (a.starts_with("-l") || a.starts_with("-c")) && a[2] != '-')
        return LcoreOption{a.substr(0, 2), a.substr(2), false};
    return std::nullopt;
}

std::optional<std::vector<unsigned>> eal_lcore_cpus(const std::vector<std::string>& eal_args,
                                                    std::string& error) {
    error.clear();
    std::set<unsigned> cpus;
    bool found = false;
    for (size_t i = 0; i < eal_args.size(); ++i) {
        const auto option = lcore_option(eal_args[i]);
        if (!option) continue;
        const std::string_view opt = option->name;
        std::string_view value = option->value;
        bool has_value = true;
        if (option->value_follows) {
            has_value = i + 1 < eal_args.size();
            if (has_value) value = eal_args[++i];
        }
        found = true;
        // EAL skips blanks in core lists, masks and lcore maps ("2, 4-6").
        std::string compact;
        for (char ch : value)
            if (ch != ' ' && ch != '\t') compact += ch;
        const std::string_view original = value;
        value = compact;
        bool ok = has_value;
        if (ok && opt == "-l") ok = parse_list(value, cpus);
        if (ok && opt == "-c") ok = parse_mask(value, cpus);
        if (ok && opt == "--lcores") ok = parse_lcores(value, cpus);
        if (!ok) {
            error = "cannot read the CPUs of " + std::string(opt) + " '" + std::string(original) +
                    "' in [dpdk].eal_args";
            return std::nullopt;
        }
    }
    if (!found) return std::nullopt;
    return std::vector<unsigned>(cpus.begin(), cpus.end());
}

std::string cpu_list_text(const std::vector<unsigned>& cpus) {
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(cpus[i]);
        if (j > i) out += '-' + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

}  // namespace edgelease::dataplane
