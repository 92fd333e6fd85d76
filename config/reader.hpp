#pragma once
// Typed, error-collecting access to a parsed toml++ document. Internal to config/.
//
// Every getter either yields a value or records a ConfigError (file:line:col, dotted key
// path, reason) and yields nothing; loading goes on so that one run reports every problem.
// Absent optional keys yield nothing without an error, leaving the caller's default.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"

namespace edgelease::config::detail {

enum class Need : uint8_t { Optional, Required };

/// One accepted spelling of an enumerated setting.
template <class E>
struct Choice {
    std::string_view name;
    E value;
};

/// "a.b" / "a[3]" building for key paths.
std::string join(std::string_view path, std::string_view key);
std::string index(std::string_view path, size_t i);

/// Article + TOML type name for "expected ..., got <this>".
std::string_view type_name(const toml::node& node);

class Reader {
  public:
    /// `file` names the document in errors; relative paths in it resolve against `base_dir`.
    Reader(std::string file, std::filesystem::path base_dir);

    void error(toml::source_position where, std::string key, std::string why);
    void error(const toml::node& where, std::string key, std::string why) {
        error(where.source().begin, std::move(key), std::move(why));
    }
    /// An error with no single place in the file (line 0).
    void error(std::string key, std::string why) {
        error(toml::source_position{}, std::move(key), std::move(why));
    }

    SourceLoc loc(const toml::node& node) const;
    const std::string& file() const { return file_; }
    bool has_errors() const { return !errors_.empty(); }
    /// The errors found so far, ordered by position; errors without one come last.
    std::vector<ConfigError> take_errors();

    /// Reports every key of `table` not in `allowed`, suggesting the closest allowed one.
    void check_keys(const toml::table& table, std::string_view path,
                    std::span<const std::string_view> allowed);
    void check_keys(const toml::table& table, std::string_view path,
                    std::initializer_list<std::string_view> allowed) {
        check_keys(table, path, std::span<const std::string_view>(allowed.begin(), allowed.size()));
    }

    /// The value node for `key`, or nullptr (reporting it when required).
    const toml::node* get(const toml::table& table, std::string_view key, std::string_view path,
                          Need need = Need::Optional);

    const toml::table* table(const toml::table& parent, std::string_view key,
                             std::string_view path);
    const toml::array* array(const toml::table& parent, std::string_view key,
                             std::string_view path);
    /// An array whose elements are all tables ([[key]] or inline tables); bad elements are
    /// reported and replaced by nullptr so indexes stay aligned with the file.
    std::vector<const toml::table*> tables(const toml::table& parent, std::string_view key,
                                           std::string_view path);

    /// Type checks on a node already found (array elements, etc.).
    const std::string* as_string(const toml::node& node, std::string_view path);
    const toml::table* as_table(const toml::node& node, std::string_view path);

    std::optional<std::string> string(const toml::table& t, std::string_view key,
                                      std::string_view path, Need need = Need::Optional);
    std::optional<int64_t> integer(const toml::table& t, std::string_view key,
                                   std::string_view path, int64_t lo, int64_t hi,
                                   Need need = Need::Optional);
    std::optional<bool> boolean(const toml::table& t, std::string_view key, std::string_view path);
    /// A duration string (see parse_duration) or an integer number of seconds, in [lo, hi].
    std::optional<std::chrono::seconds> duration(const toml::table& t, std::string_view key,
                                                 std::string_view path, int64_t lo, int64_t hi);
    /// Every element of an optional array of strings, as (text, node, element path).
    template <class F>
    void each_string(const toml::table& t, std::string_view key, std::string_view path, F&& f) {
        const toml::array* arr = array(t, key, path);
        if (!arr) return;
        std::string arr_path = join(path, key);
        for (size_t i = 0; i < arr->size(); ++i) {
            std::string elem_path = index(arr_path, i);
            if (const std::string* s = as_string(*arr->get(i), elem_path))
                f(*s, *arr->get(i), elem_path);
        }
    }

    /// Assign-if-present helpers: `out` keeps its default when the key is absent or bad.
    template <class T>
    void integer_into(const toml::table& t, std::string_view key, std::string_view path, int64_t lo,
                      int64_t hi, T& out) {
        if (auto v = integer(t, key, path, lo, hi)) out = static_cast<T>(*v);
    }
    void boolean_into(const toml::table& t, std::string_view key, std::string_view path,
                      bool& out) {
        if (auto v = boolean(t, key, path)) out = *v;
    }
    template <class E, size_t N>
    void choice_into(const toml::table& t, std::string_view key, std::string_view path,
                     const Choice<E> (&choices)[N], E& out) {
        std::vector<std::string_view> names;
        for (const auto& c : choices) names.push_back(c.name);
        if (auto i = choice_index(t, key, path, names)) out = choices[*i].value;
    }

    /// `p` resolved against the configuration file's directory when relative.
    std::string resolve_path(std::string_view p) const;

  private:
    std::optional<size_t> choice_index(const toml::table& t, std::string_view key,
                                       std::string_view path,
                                       std::span<const std::string_view> names);
    void type_error(const toml::node& node, std::string_view path, std::string_view expected);

    std::string file_;
    std::filesystem::path base_dir_;
    std::vector<ConfigError> errors_;
};

}  // namespace edgelease::config::detail
