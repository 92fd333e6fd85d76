#pragma once
// Runs `promtool check metrics` (Debian package prometheus) over a document.
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace edgelease::app::test {

inline bool have_promtool() {
    return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

struct PromtoolResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

/// Writes `doc` to a temporary file and runs promtool on it (lint included: missing HELP,
/// counters without _total and the like fail).
inline PromtoolResult promtool_check(const std::string& doc) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("edgelease-metrics-" + std::to_string(::getpid()) + ".prom");
    std::ofstream(path, std::ios::binary) << doc;
    PromtoolResult r;
    const std::string cmd = "promtool check metrics < '" + path.string() + "' 2>&1";
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
        const int status = ::pclose(p);
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::filesystem::remove(path);
    return r;
}

}  // namespace edgelease::app::test
