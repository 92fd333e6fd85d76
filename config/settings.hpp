#pragma once
// Every setting of the configuration, declared once: its key path, whether a reload applies
// it (live) or only a restart does, and for a restart-only one how to compare and keep its
// value. The reload's restart-only check and its warnings are derived from this table, and a
// unit test keeps its keys equal to the keys the reader accepts (keys.hpp), so no setting can
// be forgotten and silently applied live.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace edgelease::config {

enum class Apply : uint8_t {
    Live,     // a reload applies it
    Restart,  // shapes ports, lcores, stores or the API socket: a reload keeps the running value
};

enum class Shape : uint8_t {
    Value,   // one key: [section].key
    Tables,  // an array of tables: [[section.key]]
};

struct Setting {
    std::string_view section;  // "" = the top level
    std::string_view key;
    Shape shape = Shape::Value;
    Apply apply = Apply::Live;
    /// Restart-only settings (nullptr for live ones): whether `a` and `b` hold different
    /// values, and `to` given `from`'s value.
    bool (*differs)(const Config& a, const Config& b) = nullptr;
    void (*keep)(const Config& from, Config& to) = nullptr;

    /// As the operator writes it: "[dpdk].workers", "[[interfaces]]", "[[dhcp.scopes]]".
    std::string name() const;
};

/// The table, section by section in the order of keys.hpp.
std::span<const Setting> settings() noexcept;

/// Reload: every restart-only setting that differs between the running configuration and
/// `next` gets its running value back in `next`, so that what is applied is exactly the live
/// rest. Returns one warning per setting kept ("[dpdk].workers changed: needs a restart; the
/// running value stays"), in table order.
std::vector<std::string> keep_restart_only(const Config& running, Config& next);

}  // namespace edgelease::config
