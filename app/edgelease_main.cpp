// edgelease: the appliance. Thin: parse the command line, load the config, hand over.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "app/appliance.hpp"
#include "app/lease_json.hpp"
#include "app/lease_table.hpp"
#include "config/config.hpp"
#include "control/store/lease_store.hpp"
#include "control/zone/zone_builder.hpp"
#include "dataplane/eal_cpus.hpp"

namespace {
int report_errors(const edgelease::config::LoadResult& r) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "%zu error(s); configuration not valid\n", r.errors.size());
    return 2;
}
/// Offline (or live, read-only) view of the lease database: the DHCPv4 leases, then the
/// DHCPv6 ones, in the API's lease form (as JSON, or as edgelease-ctl's lease table).
int show_leases(const std::string& dir, bool json) {
    size_t skipped = 0, skipped6 = 0;
    std::vector<edgelease::control::dhcp::Lease> leases;
    std::vector<edgelease::control::dhcp::Lease6> leases6;
    try {
        leases = edgelease::control::store::read_leases(dir, skipped);
        leases6 = edgelease::control::store::read_leases6(dir, skipped6);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    // Scope names are not in the database, so scopes show as their index.
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : leases) out.push_back(edgelease::app::lease_json(l, {}));
    for (const auto& l : leases6) out.push_back(edgelease::app::lease6_json(l, {}));
    if (json)
        std::printf("%s\n", edgelease::app::dump_json(out).c_str());
    else
        std::fputs(edgelease::app::lease_table(out).c_str(), stdout);
    if (skipped + skipped6 != 0)
        std::fprintf(stderr, "%zu unreadable record(s) skipped\n", skipped + skipped6);
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    edgelease::app::block_signals();
    // Everything after "--" goes to the EAL untouched and replaces [dpdk].eal_args.
    std::vector<std::string> eal_cli;
    int own_argc = argc;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--") {
            own_argc = i;
            for (int j = i + 1; j < argc; ++j) eal_cli.emplace_back(argv[j]);
            break;
        }
    }

    CLI::App cli{"edgelease: DHCP and authoritative DNS appliance on DPDK"};
    std::string config_path, check_path;
    auto* run_opt =
        cli.add_option("-c,--config", config_path, "Run the appliance with this TOML file");
    auto* check_opt =
        cli.add_option("--check-config", check_path,
                       "Validate a TOML file and the zone data it names, and exit (0 when valid)");
    std::string leases_dir;
    bool json = false;
    auto* leases_opt =
        cli.add_option("--show-leases", leases_dir,
                       "Print the leases stored in this state directory (read-only) and exit");
    cli.add_flag("--json", json, "With --show-leases: JSON instead of a table");
    std::string affinity_path;
    auto* affinity_opt = cli.add_option(
        "--print-cpu-affinity", affinity_path,
        "Print the CPUs this TOML file's [dpdk].eal_args pin the lcores to (-l, -c, --lcores) "
        "as a CPU list for systemd's CPUAffinity=, or nothing when it pins none, and exit");
    run_opt->excludes(check_opt);
    affinity_opt->excludes(run_opt);
    leases_opt->excludes(run_opt);
    cli.set_version_flag("--version", "edgelease 0.1.0");
    cli.footer(
        "EAL arguments after `--` replace [dpdk].eal_args, e.g.\n"
        "  edgelease --config edge.toml -- --no-huge --no-pci --vdev=net_tap0");
    try {
        cli.parse(own_argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    if (!leases_dir.empty()) return show_leases(leases_dir, json);
    if (!affinity_path.empty()) {
        auto r = edgelease::config::load_config_file(affinity_path);
        if (!r.errors.empty()) return report_errors(r);
        std::string error;
        const auto cpus = edgelease::dataplane::eal_lcore_cpus(r.config->dpdk.eal_args, error);
        if (!error.empty()) {
            std::fprintf(stderr, "%s: %s\n", affinity_path.c_str(), error.c_str());
            return 1;
        }
        std::printf("%s\n", cpus ? edgelease::dataplane::cpu_list_text(*cpus).c_str() : "");
        return 0;
    }
    if (!check_path.empty()) {
        auto r = edgelease::config::load_config_file(check_path);
        if (!r.errors.empty()) return report_errors(r);
        // Everything start-up would refuse: zone files and record data too.
        auto zones = edgelease::control::zone::load_zones(*r.config, 1);
        if (!zones.errors.empty()) {
            r.errors = zones.errors;
            return report_errors(r);
        }
        // The CPUs of the lcore options, as the systemd generator reads them (CPUAffinity=):
        // an option it cannot read would silently leave the service unpinned.
        std::string lcore_error;
        edgelease::dataplane::eal_lcore_cpus(r.config->dpdk.eal_args, lcore_error);
        if (!lcore_error.empty()) {
            std::fprintf(stderr, "%s: %s\n", check_path.c_str(), lcore_error.c_str());
            return 2;
        }
        size_t records = 0;
        for (const auto& z : zones.zones) records += z.records.size();
        std::printf("%s: configuration valid (%zu zone(s), %zu record(s), %zu DHCP scope(s)",
                    check_path.c_str(), zones.zones.size(), records, r.config->dhcp.scopes.size());
        // A file without [[dhcp6.scopes]] prints what it printed before DHCPv6 existed.
        if (!r.config->dhcp6.scopes.empty())
            std::printf(", %zu DHCPv6 scope(s)", r.config->dhcp6.scopes.size());
        std::printf(")\n");
        return 0;
    }
    if (config_path.empty()) {
        std::fprintf(stderr, "edgelease: --config FILE is required (or --check-config FILE)\n%s",
                     cli.help().c_str());
        return 2;
    }
    auto r = edgelease::config::load_config_file(config_path);
    if (!r.errors.empty()) return report_errors(r);
    return edgelease::app::run(*r.config, eal_cli);
}
