#include "dataplane/eal_args.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <string_view>

#include "dataplane/eal_cpus.hpp"

namespace edgelease::dataplane {

std::vector<std::string> build_eal_args(const std::vector<std::string>& config_args,
                                        const std::vector<std::string>& cli_args, unsigned workers,
                                        const std::vector<unsigned>& cpus) {
    const auto& chosen = cli_args.empty() ? config_args : cli_args;
    std::vector<std::string> argv{"edgelease"};
    bool has_lcores = false;
    for (const auto& a : chosen) {
        has_lcores = has_lcores || lcore_option(a).has_value();
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

void set_thread_cpus(const std::vector<unsigned>& cpus) {
    if (cpus.empty()) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned c : cpus)
        if (c < CPU_SETSIZE) CPU_SET(c, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

std::vector<std::string> memif_server_socket_files(const std::vector<std::string>& eal_args) {
    std::vector<std::string> out;
    for (size_t i = 0; i < eal_args.size(); ++i) {
        std::string_view a = eal_args[i];
        std::string_view dev;
        if (a.rfind("--vdev=", 0) == 0)
            dev = a.substr(7);
        else if (a == "--vdev" && i + 1 < eal_args.size())
            dev = eal_args[++i];
        else
            continue;
        if (dev.rfind("net_memif", 0) != 0) continue;
        bool server = false, abstract = true;
        std::string socket = "/run/memif.sock";  // the driver's default
        size_t at = dev.find(',');
        while (at != std::string_view::npos) {
            const size_t next = dev.find(',', at + 1);
            const std::string_view kv = dev.substr(
                at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1);
            const size_t eq = kv.find('=');
            const std::string_view k = kv.substr(0, eq), v = eq == std::string_view::npos
                                                                 ? std::string_view()
                                                                 : kv.substr(eq + 1);
            if (k == "role")
                server = v == "server";
            else if (k == "socket")
                socket = std::string(v);
            else if (k == "socket-abstract")
                abstract = !(v == "no" || v == "false" || v == "0");
            at = next;
        }
        if (server && !abstract) out.push_back(socket);
    }
    return out;
}

std::vector<std::string> remove_stale_memif_sockets(const std::vector<std::string>& paths) {
    std::vector<std::string> removed;
    for (const auto& path : paths) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
        sockaddr_un addr{};
        if (path.size() >= sizeof addr.sun_path) continue;
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
        if (fd < 0) continue;
        const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        const int err = errno;
        ::close(fd);
        if (rc != 0 && err == ECONNREFUSED && ::unlink(path.c_str()) == 0) removed.push_back(path);
    }
    return removed;
}

}  // namespace edgelease::dataplane
