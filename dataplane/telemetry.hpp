#pragma once
// DPDK telemetry commands (/edgelease/…, readable with dpdk-telemetry.py). This file routes
// the commands; what they answer is filled in by whoever attaches them: the appliance renders
// its counter catalog (app/stats_view.cpp) into a TelemetryDict, so that dataplane/ does not
// depend on app/ and only this file includes rte_telemetry.h.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edgelease::dataplane {

/// A telemetry reply being filled: a dictionary of numbers, strings and dictionaries. DPDK
/// 22.11 keeps a dictionary to 256 entries, its names to [A-Za-z0-9_/] and 127 bytes, and
/// allows one level of nesting (a nested dictionary holds no dictionary): an entry that breaks
/// these is left out.
class TelemetryDict {
  public:
    virtual void add_u64(std::string_view name, uint64_t value) = 0;
    virtual void add_string(std::string_view name, std::string_view value) = 0;
    /// A dictionary under `name`, filled by `fill` (with the nested dictionary) right away.
    virtual void add_dict(std::string_view name,
                          const std::function<void(TelemetryDict&)>& fill) = 0;

  protected:
    ~TelemetryDict() = default;
};

struct TelemetryCommand {
    std::string path;  // "/edgelease/…": [a-z0-9_/], at most 63 bytes
    std::string help;
    std::function<void(TelemetryDict&)> fill;  // runs on DPDK's telemetry thread
};

/// Registers `commands` with DPDK telemetry (a path is registered the first time it is seen:
/// DPDK cannot unregister) and answers them with their `fill` until detach_telemetry(). What
/// a fill reads must outlive the attachment. DPDK 22.11 callbacks take no user data, so the
/// commands are held in a file-local table guarded by a mutex (the telemetry thread is not on
/// the packet path).
void attach_telemetry(std::vector<TelemetryCommand> commands);
/// After it returns no fill runs any more: the commands answer an error.
void detach_telemetry();

}  // namespace edgelease::dataplane
