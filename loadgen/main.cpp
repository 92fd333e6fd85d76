// edgelease-loadgen: DHCP and DNS load generator. Thin: parse the command line, hand over.
#include <cstdio>

#include "loadgen/options.hpp"
#include "loadgen/runner.hpp"

int main(int argc, char** argv) {
    auto parsed = edgelease::loadgen::parse_options(argc, argv);
    if (!parsed.options) {
        std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
        return parsed.exit_code;
    }
    return edgelease::loadgen::run_loadgen(*parsed.options);
}
