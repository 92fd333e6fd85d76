#pragma once
// Helpers shared by the zone tests: wire names and byte strings written out by hand.
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace edgelease::control::zone::test {

/// Wire form of a name from its labels: wire({"www", "lan"}) is 3 w w w 3 l a n 0.
inline std::vector<uint8_t> wire(std::initializer_list<std::string_view> labels) {
    std::vector<uint8_t> out;
    for (auto l : labels) {
        out.push_back(static_cast<uint8_t>(l.size()));
        out.insert(out.end(), l.begin(), l.end());
    }
    out.push_back(0);
    return out;
}

/// Concatenation of byte strings.
inline std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline std::vector<uint8_t> ascii(std::string_view s) {
    return {s.begin(), s.end()};
}

}  // namespace edgelease::control::zone::test
