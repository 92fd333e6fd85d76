#pragma once
// DNS Cookies (RFC 7873) with the interoperable server cookie of RFC 9018: a client that has
// been answered once from its own address gets a server cookie, and a query that brings it
// back proves that address is really the client's. Response rate limiting (rrl.hpp) does not
// limit such queries: spoofed sources cannot have a cookie.
//
// Server cookie, 16 octets: version 1, three reserved octets, a timestamp (Unix seconds,
// serial arithmetic) and SipHash-2-4 under the appliance's secret of the client cookie, the
// version, reserved, timestamp and the client's address. Valid for an hour (and up to 5
// minutes ahead); one older than half an hour is replaced in the answer. No allocation.
#include <cstdint>

#include "common/siphash.hpp"

namespace edgelease::dataplane::dns {

inline constexpr uint8_t kServerCookieSize = 16;
inline constexpr uint8_t kCookieSize = 8 + kServerCookieSize;  // what our answers carry

/// Per query: what answer_query needs to check and make cookies.
struct CookieCheck {
    const SipKey* secret = nullptr;  // nullptr: cookies off
    const uint8_t* client_ip = nullptr;
    uint8_t ip_len = 0;  // 4 or 16
    uint32_t now = 0;    // Unix seconds
    bool valid = false;  // set by answer_query: the query's server cookie is ours, in time
};

/// The server cookie for the 8-octet client cookie `client` at `ts`.
void make_server_cookie(const CookieCheck& c, const uint8_t* client, uint32_t ts,
                        uint8_t out[kServerCookieSize]) noexcept;

/// Fills out[0..24): the client cookie and our server cookie for this query's COOKIE option
/// cookie[0..len) (RFC 7873 §5.2), reusing a valid one that is less than half an hour old.
/// Returns whether the query's server cookie was valid.
bool answer_cookie(const CookieCheck& c, const uint8_t* cookie, uint8_t len,
                   uint8_t out[kCookieSize]) noexcept;

}  // namespace edgelease::dataplane::dns
