#include "common/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace edgelease {

bool sd_notify(const std::string& state, std::string* error) noexcept {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0') return false;
    const size_t len = std::strlen(path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // A path needs its terminating NUL in sun_path; an abstract name has none.
    if ((path[0] != '/' && path[0] != '@') ||
        len > sizeof(addr.sun_path) - (path[0] == '@' ? 0 : 1)) {
        if (error != nullptr) *error = std::string("NOTIFY_SOCKET is not a socket path: ") + path;
        return false;
    }
    std::memcpy(addr.sun_path, path, len);
    if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace: no terminating NUL
    const auto addr_len =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1));
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (error != nullptr) *error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const ssize_t sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), addr_len);
    const int saved = errno;
    close(fd);
    if (sent != static_cast<ssize_t>(state.size())) {
        if (error != nullptr)
            *error = std::string("sendto ") + path + ": " +
                     (sent < 0 ? std::strerror(saved) : "short write");
        return false;
    }
    return true;
}

}  // namespace edgelease
