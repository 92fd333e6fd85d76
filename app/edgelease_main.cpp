// edgelease: the appliance. Thin: parse the command line, load the config, hand over.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "app/appliance.hpp"
#include "config/config.hpp"

namespace {
int report_errors(const edgelease::config::LoadResult& r) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "%zu error(s); configuration not valid\n", r.errors.size());
    return 2;
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
    auto* run_opt = cli.add_option("-c,--config", config_path, "Run the appliance with this TOML file");
    auto* check_opt = cli.add_option("--check-config", check_path,
                                     "Validate a TOML file and exit (0 when valid)");
    run_opt->excludes(check_opt);
    cli.set_version_flag("--version", "edgelease 0.1.0");
    cli.footer("EAL arguments after `--` replace [dpdk].eal_args, e.g.\n"
               "  edgelease --config edge.toml -- --no-huge --no-pci --vdev=net_tap0");
    try {
        cli.parse(own_argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    if (!check_path.empty()) {
        auto r = edgelease::config::load_config_file(check_path);
        if (!r.errors.empty()) return report_errors(r);
        std::printf("%s: configuration valid\n", check_path.c_str());
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
