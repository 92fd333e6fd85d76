#include "dataplane/eal_args.hpp"

#include <sched.h>

#include <string_view>

namespace edgelease::dataplane {

namespace {
bool names_lcores(std::string_view a) {
    return a == "-l" || a == "-c" || a.starts_with("--lcores") || a.starts_with("-l") ||
           (a.starts_with("-c") && a.size() > 2);
}
}  // namespace

std::vector<std::string> build_eal_args(const std::vector<std::string>& config_args,
                                        const std::vector<std::string>& cli_args,
                                        unsigned workers, const std::vector<unsigned>& cpus) {
    const auto& chosen = cli_args.empty() ? config_args : cli_args;
    std::vector<std::string> argv{"edgelease"};
    bool has_lcores = false;
    for (const auto& a : chosen) {
        has_lcores = has_lcores || names_lcores(a);
        argv.push_back(a);
    }
    if (!has_lcores && !cpus.empty()) {
        // "(0-N)@(c0,c1,...)": every lcore thread is allowed on every CPU we have.
        std::string set;
        for (unsigned c : cpus) set += (set.empty() ? "" : ",") + std::to_string(c);
        argv.push_back("--lcores=(0-" + std::to_string(lcores_needed(workers) - 1) + ")@(" + set +
                       ")");
    }
    return argv;
}

std::vector<unsigned> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<unsigned> out;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (unsigned c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) out.push_back(c);
    return out;
}

}  // namespace edgelease::dataplane
