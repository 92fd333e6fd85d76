#include "dataplane/telemetry.hpp"

#include <rte_telemetry.h>

#include <mutex>
#include <set>
#include <string>

namespace edgelease::dataplane {

namespace {
std::mutex g_mu;
std::vector<TelemetryCommand> g_commands;  // under g_mu
std::set<std::string> g_registered;        // paths registered with DPDK, under g_mu

/// A TelemetryDict over an rte_tel_data dictionary.
class RteDict final : public TelemetryDict {
  public:
    RteDict(rte_tel_data* d, bool nested) : d_(d), nested_(nested) {}

    void add_u64(std::string_view name, uint64_t value) override {
        rte_tel_data_add_dict_u64(d_, std::string(name).c_str(), value);
    }
    void add_string(std::string_view name, std::string_view value) override {
        rte_tel_data_add_dict_string(d_, std::string(name).c_str(), std::string(value).c_str());
    }
    void add_dict(std::string_view name, const std::function<void(TelemetryDict&)>& fill) override {
        if (nested_) return;  // DPDK: a nested container holds no container
        rte_tel_data* c = rte_tel_data_alloc();
        if (c == nullptr) return;
        rte_tel_data_start_dict(c);
        RteDict child(c, true);
        try {
            fill(child);
        } catch (...) {
            rte_tel_data_free(c);
            throw;
        }
        if (rte_tel_data_add_dict_container(d_, std::string(name).c_str(), c, 0) != 0)
            rte_tel_data_free(c);
    }

  private:
    rte_tel_data* d_;
    bool nested_;
};

int answer(const char* cmd, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    for (const TelemetryCommand& c : g_commands) {
        if (c.path != cmd || !c.fill) continue;
        rte_tel_data_start_dict(d);
        RteDict dict(d, false);
        try {
            c.fill(dict);
        } catch (...) {  // std::bad_alloc: no answer rather than a dead telemetry thread
            return -1;
        }
        return 0;
    }
    return -1;
}
}  // namespace

void attach_telemetry(std::vector<TelemetryCommand> commands) {
    std::lock_guard lock(g_mu);
    g_commands = std::move(commands);
    for (const TelemetryCommand& c : g_commands)
        if (g_registered.insert(c.path).second)
            rte_telemetry_register_cmd(c.path.c_str(), answer, c.help.c_str());  // copied
}

void detach_telemetry() {
    std::lock_guard lock(g_mu);
    g_commands.clear();
}

}  // namespace edgelease::dataplane
