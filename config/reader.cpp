#include "config/reader.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

#include "config/text.hpp"

namespace edgelease::config::detail {

std::string join(std::string_view path, std::string_view key) {
    std::string out(path);
    if (!out.empty()) out += '.';
    out += key;
    return out;
}

std::string index(std::string_view path, size_t i) {
    return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string_view type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

Reader::Reader(std::string file, std::filesystem::path base_dir)
    : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

void Reader::error(toml::source_position where, std::string key, std::string why) {
    errors_.push_back(ConfigError{file_, where.line, where.column, std::move(key), std::move(why)});
}

SourceLoc Reader::loc(const toml::node& node) const {
    auto begin = node.source().begin;
    return SourceLoc{file_, begin.line, begin.column};
}

std::vector<ConfigError> Reader::take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const ConfigError& a, const ConfigError& b) {
                         auto key = [](const ConfigError& e) {
                             return std::tuple(e.line == 0, e.line, e.column);
                         };
                         return key(a) < key(b);
                     });
    return std::move(errors_);
}

void Reader::check_keys(const toml::table& table, std::string_view path,
                        std::span<const std::string_view> names) {
    for (auto&& [k, v] : table) {
        if (std::find(names.begin(), names.end(), k.str()) != names.end()) continue;
        std::string why =
            std::string(v.is_table() ? "unknown table " : "unknown key ") + squote(k.str());
        if (auto near = closest_match(k.str(), names)) {
            why += " (did you mean " + squote(*near) + "?)";
        } else {
            why += " (expected one of:";
            for (std::string_view n : names) why += " " + std::string(n);
            why += ")";
        }
        error(k.source().begin, join(path, k.str()), std::move(why));
    }
}

const toml::node* Reader::get(const toml::table& table, std::string_view key, std::string_view path,
                              Need need) {
    const toml::node* node = table.get(key);
    if (!node && need == Need::Required)
        error(table, join(path, key), "missing required key " + squote(key));
    return node;
}

void Reader::type_error(const toml::node& node, std::string_view path, std::string_view expected) {
    std::string why = "expected " + std::string(expected) + ", got " + std::string(type_name(node));
    if (expected.starts_with("an array") && node.is_string())
        why += " (write [\"...\"] for a list)";
    error(node, std::string(path), std::move(why));
}

const toml::table* Reader::table(const toml::table& parent, std::string_view key,
                                 std::string_view path) {
    const toml::node* node = get(parent, key, path);
    if (!node) return nullptr;
    return as_table(*node, join(path, key));
}

const toml::array* Reader::array(const toml::table& parent, std::string_view key,
                                 std::string_view path) {
    const toml::node* node = get(parent, key, path);
    if (!node) return nullptr;
    if (const toml::array* arr = node->as_array()) return arr;
    type_error(*node, join(path, key), "an array");
    return nullptr;
}

std::vector<const toml::table*> Reader::tables(const toml::table& parent, std::string_view key,
                                               std::string_view path) {
    std::vector<const toml::table*> out;
    const toml::node* node = get(parent, key, path);
    if (!node) return out;
    std::string full = join(path, key);
    const toml::array* arr = node->as_array();
    if (!arr) {
        type_error(*node, full, "an array of tables (write [[" + full + "]])");
        return out;
    }
    for (size_t i = 0; i < arr->size(); ++i) out.push_back(as_table(*arr->get(i), index(full, i)));
    return out;
}

const std::string* Reader::as_string(const toml::node& node, std::string_view path) {
    const auto* s = node.as_string();
    if (!s) {
        type_error(node, path, "a string");
        return nullptr;
    }
    // C-string based parsers (inet_pton) would silently stop at an embedded NUL.
    if (s->get().find('\0') != std::string::npos) {
        error(node, std::string(path), "contains a NUL character");
        return nullptr;
    }
    return &s->get();
}

const toml::table* Reader::as_table(const toml::node& node, std::string_view path) {
    if (const toml::table* t = node.as_table()) return t;
    type_error(node, path, "a table");
    return nullptr;
}

std::optional<std::string> Reader::string(const toml::table& t, std::string_view key,
                                          std::string_view path, Need need) {
    const toml::node* node = get(t, key, path, need);
    if (!node) return std::nullopt;
    const std::string* s = as_string(*node, join(path, key));
    if (!s) return std::nullopt;
    return *s;
}

std::optional<int64_t> Reader::integer(const toml::table& t, std::string_view key,
                                       std::string_view path, int64_t lo, int64_t hi, Need need) {
    const toml::node* node = get(t, key, path, need);
    if (!node) return std::nullopt;
    const auto* v = node->as_integer();
    if (!v) {
        type_error(*node, join(path, key), "an integer");
        return std::nullopt;
    }
    int64_t value = v->get();
    if (value < lo || value > hi) {
        // Upper bounds that only mirror the field's width are not worth mentioning.
        bool open_ended = hi >= int64_t{std::numeric_limits<uint32_t>::max()};
        std::string why = value < lo && open_ended ? "must be at least " + std::to_string(lo)
                                                   : "must be between " + std::to_string(lo) +
                                                         " and " + std::to_string(hi);
        error(*node, join(path, key), why + ", got " + std::to_string(value));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> Reader::boolean(const toml::table& t, std::string_view key,
                                    std::string_view path) {
    const toml::node* node = get(t, key, path);
    if (!node) return std::nullopt;
    if (const auto* v = node->as_boolean()) return v->get();
    type_error(*node, join(path, key), "a boolean (true or false)");
    return std::nullopt;
}

std::optional<std::chrono::seconds> Reader::duration(const toml::table& t, std::string_view key,
                                                     std::string_view path, int64_t lo,
                                                     int64_t hi) {
    const toml::node* node = get(t, key, path);
    if (!node) return std::nullopt;
    std::string full = join(path, key);
    int64_t seconds = 0;
    std::string shown;
    if (const auto* i = node->as_integer()) {
        seconds = i->get();
        shown = std::to_string(seconds);
        if (seconds < 0) {
            error(*node, full, "a duration cannot be negative, got " + shown);
            return std::nullopt;
        }
    } else if (const std::string* s = node->is_string() ? as_string(*node, full) : nullptr) {
        std::string why;
        auto d = parse_duration(*s, why);
        if (!d) {
            error(*node, full, std::move(why));
            return std::nullopt;
        }
        seconds = d->count();
        shown = squote(*s);
    } else {
        if (!node->is_string())
            type_error(*node, full,
                       "a duration such as \"90s\" or \"1h30m\", or an integer number of seconds");
        return std::nullopt;
    }
    if (seconds < lo) {
        error(*node, full, shown + " is shorter than the minimum of " + std::to_string(lo) + "s");
        return std::nullopt;
    }
    if (seconds > hi) {
        error(*node, full, shown + " is longer than the maximum of " + std::to_string(hi) + "s");
        return std::nullopt;
    }
    return std::chrono::seconds{seconds};
}

std::optional<size_t> Reader::choice_index(const toml::table& t, std::string_view key,
                                           std::string_view path,
                                           std::span<const std::string_view> names) {
    const toml::node* node = get(t, key, path);
    if (!node) return std::nullopt;
    std::string full = join(path, key);
    const std::string* s = as_string(*node, full);
    if (!s) return std::nullopt;
    auto it = std::find(names.begin(), names.end(), *s);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());
    std::string why = "must be one of";
    for (size_t i = 0; i < names.size(); ++i)
        why += (i ? ", \"" : " \"") + std::string(names[i]) + "\"";
    why += "; got " + squote(*s);
    if (auto near = closest_match(*s, names)) why += " (did you mean " + squote(*near) + "?)";
    error(*node, full, std::move(why));
    return std::nullopt;
}

std::string Reader::resolve_path(std::string_view p) const {
    std::filesystem::path fp(p);
    if (p.empty() || fp.is_absolute() || base_dir_.empty()) return std::string(p);
    return (base_dir_ / fp).lexically_normal().string();
}

}  // namespace edgelease::config::detail
