#pragma once
// Builds the EAL argument vector from config and the command line. Pure: unit-tested.
#include <string>
#include <vector>

namespace edgelease::dataplane {

/// Number of EAL lcores the appliance runs: the main lcore (signals, stats, telemetry),
/// `workers` poll-mode workers, one control lcore and one sweeper lcore.
constexpr unsigned lcores_needed(unsigned workers) { return workers + 3; }

/// argv for rte_eal_init: program name, then `cli_args` when non-empty (arguments after
/// `--` on the command line replace [dpdk].eal_args), else `config_args`. When the user gave
/// no lcore option (-l, -c, --lcores) the lcores are laid out with --lcores so that every
/// one of them may float over `cpus` (the CPUs this process may run on): on a small machine
/// they share CPUs and rely on idle back-off.
std::vector<std::string> build_eal_args(const std::vector<std::string>& config_args,
                                        const std::vector<std::string>& cli_args,
                                        unsigned workers, const std::vector<unsigned>& cpus);

/// The CPUs this process may run on (sched_getaffinity).
std::vector<unsigned> allowed_cpus();

}  // namespace edgelease::dataplane
