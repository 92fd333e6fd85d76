// libFuzzer target: zone file text through parse_zone_text (origin "fuzz.").
// Inputs with a $INCLUDE directive are skipped: it opens any path the input names
// ("$INCLUDE /dev/zero" reads forever), which is the operator's choice, not a parser bug;
// $INCLUDE is covered by tests/unit/zone. The directive is matched on its raw token,
// case-insensitively (zone_file.cpp), so a case-insensitive search is enough here.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string_view>

#include "control/zone/zone_file.hpp"

namespace {

bool has_include(std::string_view text) {
    constexpr std::string_view kDirective = "$include";
    auto it = std::search(
        text.begin(), text.end(), kDirective.begin(), kDirective.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != text.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const edgelease::dns::WireName kOrigin{4, 'f', 'u', 'z', 'z', 0};
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (has_include(text)) return 0;
    (void)edgelease::control::zone::parse_zone_text(text, "fuzz.zone", kOrigin, 3600);
    return 0;
}
