// libFuzzer target: zone file text through parse_zone_text (origin "fuzz."). $INCLUDE
// resolves relative to the working directory; scripts/fuzz.sh runs from an empty temp dir.
#include <cstdint>
#include <string_view>

#include "control/zone/zone_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const edgelease::dns::WireName kOrigin{4, 'f', 'u', 'z', 'z', 0};
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)edgelease::zone::parse_zone_text(text, "fuzz.zone", kOrigin, 3600);
    return 0;
}
