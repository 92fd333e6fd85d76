#pragma once
// Control-plane logging: timestamped lines on stderr with a level filter. Never called from
// the worker hot path (workers count, they do not log).
#include <atomic>
#include <cstdarg>
#include <cstdint>

namespace edgelease::log {

enum class Level : uint8_t { Error = 0, Warning = 1, Info = 2, Debug = 3 };

void set_level(Level level) noexcept;
Level level() noexcept;
void write(Level level, const char* fmt, ...) noexcept __attribute__((format(printf, 2, 3)));

#define EL_LOG(lvl, ...)                                                          \
    do {                                                                          \
        if (static_cast<int>(lvl) <= static_cast<int>(::edgelease::log::level())) \
            ::edgelease::log::write(lvl, __VA_ARGS__);                            \
    } while (0)
#define LOG_ERROR(...) EL_LOG(::edgelease::log::Level::Error, __VA_ARGS__)
#define LOG_WARN(...) EL_LOG(::edgelease::log::Level::Warning, __VA_ARGS__)
#define LOG_INFO(...) EL_LOG(::edgelease::log::Level::Info, __VA_ARGS__)
#define LOG_DEBUG(...) EL_LOG(::edgelease::log::Level::Debug, __VA_ARGS__)

}  // namespace edgelease::log
