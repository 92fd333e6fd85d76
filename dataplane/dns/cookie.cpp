#include "dataplane/dns/cookie.hpp"

#include <cstring>

namespace edgelease::dataplane::dns {

namespace {

constexpr uint8_t kVersion = 1;
constexpr uint32_t kValidFor = 3600;      // RFC 9018 §4.3: at most an hour old
constexpr uint32_t kAhead = 300;          // ... and at most 5 minutes in the future
constexpr uint32_t kRefreshAfter = 1800;  // ... replaced once half an hour old

uint32_t load32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

void make_server_cookie(const CookieCheck& c, const uint8_t* client, uint32_t ts,
                        uint8_t out[kServerCookieSize]) noexcept {
    uint8_t in[8 + 8 + 16];
    std::memcpy(in, client, 8);
    in[8] = kVersion;
    in[9] = in[10] = in[11] = 0;
    in[12] = static_cast<uint8_t>(ts >> 24);
    in[13] = static_cast<uint8_t>(ts >> 16);
    in[14] = static_cast<uint8_t>(ts >> 8);
    in[15] = static_cast<uint8_t>(ts);
    std::memcpy(in + 16, c.client_ip, c.ip_len);
    const uint64_t h = siphash<2, 4>(*c.secret, in, 16u + c.ip_len);
    std::memcpy(out, in + 8, 8);
    for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<uint8_t>(h >> (8 * i));  // as RFC 9018
}

bool answer_cookie(const CookieCheck& c, const uint8_t* cookie, uint8_t len,
                   uint8_t out[kCookieSize]) noexcept {
    std::memcpy(out, cookie, 8);
    bool valid = false;
    if (len == kCookieSize && cookie[8] == kVersion) {
        const uint32_t ts = load32(cookie + 12);
        const uint32_t age = c.now - ts;  // serial arithmetic: "ahead" wraps to a large age
        if (age <= kValidFor || ts - c.now <= kAhead) {
            uint8_t want[kServerCookieSize];
            make_server_cookie(c, cookie, ts, want);
            // Constant time: the comparison must not tell a prober how much matched.
            uint8_t diff = 0;
            for (int i = 0; i < kServerCookieSize; ++i) diff |= want[i] ^ cookie[8 + i];
            valid = diff == 0;
            if (valid && age <= kRefreshAfter) {
                std::memcpy(out + 8, cookie + 8, kServerCookieSize);
                return true;
            }
        }
    }
    make_server_cookie(c, cookie, c.now, out + 8);
    return valid;
}

}  // namespace edgelease::dataplane::dns
