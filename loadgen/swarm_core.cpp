#include "loadgen/swarm_core.hpp"

namespace edgelease::loadgen {

uint8_t with_number(char* out, const char* prefix, uint32_t n) noexcept {
    uint8_t len = 0;
    while (*prefix != '\0') out[len++] = *prefix++;
    char digits[10];
    uint8_t d = 0;
    do {
        digits[d++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    while (d != 0) out[len++] = digits[--d];
    return len;
}

}  // namespace edgelease::loadgen
