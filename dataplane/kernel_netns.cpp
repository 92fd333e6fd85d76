#include "dataplane/kernel_netns.hpp"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace edgelease::dataplane::kernel {

namespace {

std::string errno_text(int e) {
    return std::strerror(e);
}

int open_ns_fd(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + errno_text(errno));
    return fd;
}

/// A socket closed at scope exit.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Netns::~Netns() {
    if (fd_ >= 0) ::close(fd_);
}

Netns& Netns::operator=(Netns&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

Netns Netns::open(std::string_view spec) {
    if (spec == "host") return Netns();
    if (spec == "private") {
        // A new namespace for this thread, kept by its fd; the thread goes straight back.
        const int home = open_ns_fd("/proc/thread-self/ns/net");
        if (::unshare(CLONE_NEWNET) != 0) {
            const int e = errno;
            ::close(home);
            throw std::runtime_error("cannot create a network namespace (unshare): " +
                                     errno_text(e));
        }
        int fd = -1;
        try {
            fd = open_ns_fd("/proc/thread-self/ns/net");
        } catch (...) {
            (void)::setns(home, CLONE_NEWNET);
            ::close(home);
            throw;
        }
        const int rc = ::setns(home, CLONE_NEWNET);
        const int e = errno;
        ::close(home);
        if (rc != 0) {
            ::close(fd);
            throw std::runtime_error("cannot return to the original network namespace: " +
                                     errno_text(e));
        }
        return Netns(fd);
    }
    return Netns(open_ns_fd("/run/netns/" + std::string(spec)));
}

EnterNetns::EnterNetns(const Netns& ns) {
    if (ns.is_host()) return;
    home_ = open_ns_fd("/proc/thread-self/ns/net");
    if (::setns(ns.fd(), CLONE_NEWNET) != 0) {
        const int e = errno;
        ::close(home_);
        home_ = -1;
        throw std::runtime_error("cannot enter the exception path's network namespace: " +
                                 errno_text(e));
    }
}

EnterNetns::~EnterNetns() {
    if (home_ < 0) return;
    (void)::setns(home_, CLONE_NEWNET);  // the namespace we came from exists: it is ours
    ::close(home_);
}

unsigned if_index(const std::string& ifname) {
    return ::if_nametoindex(ifname.c_str());
}

void link_up(const std::string& ifname) {
    Fd s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0) throw std::runtime_error("socket: " + errno_text(errno));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (::ioctl(s.fd, SIOCGIFFLAGS, &ifr) != 0)
        throw std::runtime_error("interface " + ifname + ": " + errno_text(errno));
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(s.fd, SIOCSIFFLAGS, &ifr) != 0)
        throw std::runtime_error("cannot set " + ifname + " up: " + errno_text(errno));
}

void add_address(const std::string& ifname, const net::IfAddress& addr) {
    const unsigned index = if_index(ifname);
    if (index == 0) throw std::runtime_error("no interface " + ifname);
    Fd s{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)};
    if (s.fd < 0) throw std::runtime_error("netlink socket: " + errno_text(errno));
    struct {
        nlmsghdr nh;
        ifaddrmsg ifa;
        char attrs[64];
    } req{};
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
    req.nh.nlmsg_type = RTM_NEWADDR;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
    req.nh.nlmsg_seq = 1;
    req.ifa.ifa_family = addr.is_v6 ? AF_INET6 : AF_INET;
    req.ifa.ifa_prefixlen = addr.prefix_len;
    req.ifa.ifa_flags = addr.is_v6 ? IFA_F_NODAD : 0;
    req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    req.ifa.ifa_index = index;
    uint8_t bytes[16];
    size_t n = 4;
    if (addr.is_v6) {
        std::memcpy(bytes, addr.v6.bytes.data(), 16);
        n = 16;
    } else {
        const uint32_t be = htonl(addr.v4.value);
        std::memcpy(bytes, &be, 4);
    }
    auto put = [&](uint16_t type) {
        auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) +
                                              NLMSG_ALIGN(req.nh.nlmsg_len));
        rta->rta_type = type;
        rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(n));
        std::memcpy(RTA_DATA(rta), bytes, n);
        req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
    };
    put(IFA_LOCAL);
    put(IFA_ADDRESS);
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    if (::sendto(s.fd, &req, req.nh.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        throw std::runtime_error("netlink send: " + errno_text(errno));
    char buf[512];
    const ssize_t got = ::recv(s.fd, buf, sizeof buf, 0);
    if (got < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))))
        throw std::runtime_error("netlink: no answer adding an address to " + ifname);
    const auto* nh = reinterpret_cast<const nlmsghdr*>(buf);
    if (nh->nlmsg_type == NLMSG_ERROR) {
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nh));
        if (err->error != 0 && err->error != -EEXIST)
            throw std::runtime_error("cannot add " + net::to_string(addr) + " to " + ifname + ": " +
                                     errno_text(-err->error));
    }
}

bool write_sysctl(const std::string& path, std::string_view value) {
    const int fd = ::open(("/proc/sys/" + path).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
    ::close(fd);
    return ok;
}

}  // namespace edgelease::dataplane::kernel
