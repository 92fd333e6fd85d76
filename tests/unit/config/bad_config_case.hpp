#pragma once
// The shape of the bad-configuration tables: each case names the file, line, column, key
// path and reason that the loader must report. Shared by the table files.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "config/config.hpp"

namespace edgelease::config::test {

inline std::string dump(const LoadResult& r) {
    std::string out;
    for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
    return out;
}

struct BadCase {
    const char* name;
    const char* toml;
    const char* key;       // expected key path
    uint32_t line;         // expected line (0 = no place)
    uint32_t column;       // expected column, 0 = not checked
    const char* fragment;  // must appear in why
    size_t errors = 1;     // total number of errors expected
};

inline void PrintTo(const BadCase& c, std::ostream* os) {
    *os << c.name;
}

/// Loads the case's text and checks the error it must produce.
inline void expect_bad_case(const BadCase& c) {
    auto r = load_config_string(c.toml, "t.toml");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), c.errors) << dump(r);
    const ConfigError* hit = nullptr;
    for (const auto& e : r.errors)
        if (e.key == c.key) hit = &e;
    ASSERT_NE(hit, nullptr) << "no error for key '" << c.key << "' in\n" << dump(r);
    EXPECT_EQ(hit->file, "t.toml");
    EXPECT_EQ(hit->line, c.line) << hit->to_string();
    if (c.column != 0) {
        EXPECT_EQ(hit->column, c.column) << hit->to_string();
    }
    EXPECT_NE(hit->why.find(c.fragment), std::string::npos)
        << "expected '" << c.fragment << "' in: " << hit->to_string();
}

inline std::string case_name(const testing::TestParamInfo<BadCase>& info) {
    return info.param.name;
}

}  // namespace edgelease::config::test
