#pragma once
// Reload outcomes (SIGHUP and POST /api/v1/reload), for /metrics and /api/v1/stats.
#include <atomic>
#include <cstdint>

namespace edgelease::app {

struct ReloadStats {
    std::atomic<uint64_t> applied{0};      // reloads applied (possibly with restart-only warnings)
    std::atomic<uint64_t> refused{0};      // invalid file: nothing changed
    std::atomic<uint64_t> failed{0};       // valid, but the control lcore did not apply it in time
    std::atomic<int64_t> last_applied{0};  // Unix seconds of the last applied reload, 0 = none
    std::atomic<uint64_t> leases_dropped{
        0};  // leases ended because a reload no longer covered them
};

}  // namespace edgelease::app
