// sd_notify: the datagram reaches a socket named by NOTIFY_SOCKET, by path and in the
// abstract namespace; without NOTIFY_SOCKET, or with a bad one, nothing is sent.
#include "common/sd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using edgelease::sd_notify;

// A datagram socket bound to `name` ('@' first: abstract). Closed and unlinked on exit.
class Listener {
  public:
    explicit Listener(const std::string& name) : name_(name) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, name.data(), name.size());
        socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        if (name[0] == '@')
            a.sun_path[0] = '\0';
        else
            len += 1;
        bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0;
        timeval tv{2, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Listener() {
        close(fd_);
        if (name_[0] == '/') unlink(name_.c_str());
    }
    bool bound() const { return bound_; }
    std::string receive() {
        char buf[512];
        const ssize_t n = recv(fd_, buf, sizeof buf, 0);
        return n < 0 ? std::string("<nothing>") : std::string(buf, static_cast<size_t>(n));
    }

  private:
    std::string name_;
    int fd_ = -1;
    bool bound_ = false;
};

struct EnvGuard {
    ~EnvGuard() { unsetenv("NOTIFY_SOCKET"); }
};

TEST(SdNotify, ReachesASocketByPath) {
    EnvGuard env;
    const std::string path = "/tmp/edgelease-sd-notify-" + std::to_string(getpid());
    Listener l(path);
    ASSERT_TRUE(l.bound());
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
    std::string err;
    EXPECT_TRUE(sd_notify("READY=1\nSTATUS=serving", &err)) << err;
    EXPECT_EQ(l.receive(), "READY=1\nSTATUS=serving");
}

TEST(SdNotify, ReachesAnAbstractSocket) {
    EnvGuard env;
    const std::string name = "@edgelease-sd-notify-" + std::to_string(getpid());
    Listener l(name);
    ASSERT_TRUE(l.bound());
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
    std::string err;
    EXPECT_TRUE(sd_notify("STOPPING=1", &err)) << err;
    EXPECT_EQ(l.receive(), "STOPPING=1");
}

TEST(SdNotify, NothingWithoutASocketOrWithABadOne) {
    EnvGuard env;
    unsetenv("NOTIFY_SOCKET");
    EXPECT_FALSE(sd_notify("READY=1"));
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    std::string err;
    EXPECT_FALSE(sd_notify("READY=1", &err));
    EXPECT_NE(err.find("not a socket path"), std::string::npos) << err;
    setenv("NOTIFY_SOCKET", "/nonexistent-dir/edgelease-notify", 1);
    err.clear();
    EXPECT_FALSE(sd_notify("READY=1", &err));
    EXPECT_NE(err.find("/nonexistent-dir/edgelease-notify"), std::string::npos) << err;
}

}  // namespace
