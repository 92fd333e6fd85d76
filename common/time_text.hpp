#pragma once
// Time stamps as operators read them (logs, the API, edgelease-ctl).
#include <cstdint>
#include <ctime>
#include <string>

namespace edgelease {

/// Unix seconds -> "2026-11-23T23:00:00Z" (RFC 3339, UTC).
inline std::string iso_time(int64_t t) {
    char buf[32];
    time_t tt = static_cast<time_t>(t);
    tm utc{};
    gmtime_r(&tt, &utc);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

}  // namespace edgelease
