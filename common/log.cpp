#include "common/log.hpp"

#include <cstdio>
#include <ctime>

namespace edgelease::log {
namespace {
// The one process-wide setting: the level is chosen from config before any lcore starts.
std::atomic<Level> g_level{Level::Info};
constexpr const char* kNames[] = {"error", "warning", "info", "debug"};
}  // namespace

void set_level(Level l) noexcept {
    g_level.store(l, std::memory_order_relaxed);
}
Level level() noexcept {
    return g_level.load(std::memory_order_relaxed);
}

void write(Level l, const char* fmt, ...) noexcept {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    // One fprintf per line so that lines from different threads do not interleave.
    std::fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ edgelease %s: %s\n",
                 t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                 ts.tv_nsec / 1000000, kNames[static_cast<int>(l)], msg);
}

}  // namespace edgelease::log
