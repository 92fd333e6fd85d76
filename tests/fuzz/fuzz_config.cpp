// libFuzzer target: TOML text through load_config_string (toml++ parse plus validation).
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)edgelease::config::load_config_string(text, "fuzz.toml");
    return 0;
}
