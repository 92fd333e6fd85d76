#pragma once
// Builds the EAL argument vector from config and the command line. Pure: unit-tested.
#include <string>
#include <vector>

namespace edgelease::dataplane {

/// Number of EAL lcores the appliance runs: the main lcore (signals, stats, telemetry),
/// `workers` poll-mode workers, one control lcore and one sweeper lcore.
constexpr unsigned lcores_needed(unsigned workers) {
    return workers + 3;
}

/// argv for rte_eal_init: program name, then `cli_args` when non-empty (arguments after
/// `--` on the command line replace [dpdk].eal_args), else `config_args`. When the user gave
/// no lcore option (-l, -c, --lcores) the lcores are laid out with --lcores so that every
/// one of them may float over `cpus` (the CPUs this process may run on): on a small machine
/// they share CPUs and rely on idle back-off.
std::vector<std::string> build_eal_args(const std::vector<std::string>& config_args,
                                        const std::vector<std::string>& cli_args, unsigned workers,
                                        const std::vector<unsigned>& cpus);

/// Filesystem socket paths of the net_memif devices that `eal_args` creates in the server
/// role (`--vdev=net_memif…,role=server,socket=PATH,socket-abstract=no`, or `--vdev X`).
/// Abstract sockets (the driver's default) and client ports are not listed. Pure.
std::vector<std::string> memif_server_socket_files(const std::vector<std::string>& eal_args);

/// Before EAL starts: removes each memif server socket file in `paths` that nobody listens
/// on (connect() is refused), as a killed appliance leaves behind; the driver would
/// otherwise fail with "Address already in use". A file someone still listens on, or that
/// is not a socket, is left alone (the driver then reports it). Returns the removed paths.
std::vector<std::string> remove_stale_memif_sockets(const std::vector<std::string>& paths);

/// The CPUs this process may run on (sched_getaffinity).
std::vector<unsigned> allowed_cpus();
/// Lets the calling thread run on `cpus` (none: leaves it as it is). Failures are ignored:
/// only where the thread runs changes.
void set_thread_cpus(const std::vector<unsigned>& cpus);

}  // namespace edgelease::dataplane
