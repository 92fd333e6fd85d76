#include "dataplane/rx_wait.hpp"

#include <dirent.h>
#include <linux/if_packet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace edgelease::dataplane {

namespace {

constexpr uint32_t kBellId = UINT32_MAX;  // epoll data of the bell's eventfd
constexpr int kMaxEvents = 16;
constexpr uint32_t kMaxSocketErrors = 1000;  // errors a socket source may report in a row

std::string port_name(uint16_t port_id) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    if (rte_eth_dev_get_name_by_port(port_id, name) != 0) return "port " + std::to_string(port_id);
    return name;
}

std::string driver_of(uint16_t port_id) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port_id, &info) != 0 || info.driver_name == nullptr) return "?";
    return info.driver_name;
}

}  // namespace

bool wants_rx_interrupts(const char* driver) noexcept {
    if (driver == nullptr) return false;
    for (const char* none :
         {"net_af_xdp", "net_af_packet", "net_memif", "net_ring", "net_pcap", "net_null"})
        if (std::strcmp(driver, none) == 0) return false;
    return true;
}

std::vector<int> sockets_of(int domain) {
    std::vector<int> fds;
    DIR* d = opendir("/proc/self/fd");
    if (d == nullptr) return fds;
    const int own = dirfd(d);
    while (const dirent* e = readdir(d)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd == own) continue;
        int dom = 0;
        socklen_t len = sizeof dom;
        if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 &&
            dom == domain)
            fds.push_back(static_cast<int>(fd));
    }
    closedir(d);
    std::sort(fds.begin(), fds.end());
    return fds;
}

int packet_socket_ifindex(int fd) noexcept {
    sockaddr_ll sa{};
    socklen_t len = sizeof sa;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0 || sa.sll_family != AF_PACKET)
        return -1;
    return sa.sll_ifindex;
}

std::unique_ptr<RxWaiter> RxWaiter::make(const std::vector<Queue>& queues, Doorbell* bell,
                                         std::string& why) {
    std::unique_ptr<RxWaiter> w(new RxWaiter());
    w->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (w->epoll_fd_ < 0) {
        why = std::string("epoll_create1: ") + std::strerror(errno);
        return nullptr;
    }
    for (const Queue& q : queues) {
        Source s;
        s.port_id = q.port_id;
        s.queue = q.queue;
        epoll_event ev{};
        ev.data.u32 = static_cast<uint32_t>(w->sources_.size());
        const char* kind = "socket";
        if (q.socket_fd >= 0) {
            // Level-triggered: readable for as long as the PMD's ring holds frames; the PMD
            // reads the ring itself, never the socket.
            s.fd = q.socket_fd;
            ev.events = EPOLLIN;
        } else {
            s.fd = rte_eth_dev_rx_intr_ctl_q_get_fd(q.port_id, q.queue);
            if (s.fd < 0) {
                why = "port '" + port_name(q.port_id) + "' (driver " + driver_of(q.port_id) +
                      ") queue " + std::to_string(q.queue) +
                      ": no Rx interrupt and no socket to wait on";
                return nullptr;
            }
            const int rc = rte_eth_dev_rx_intr_enable(q.port_id, q.queue);
            s.arm = rc == 0;  // -ENOTSUP: nothing to arm (net_tap)
            if (s.arm) rte_eth_dev_rx_intr_disable(q.port_id, q.queue);
            // An interrupt the PMD arms (an MSI-X eventfd under vfio) is edge-triggered, as in
            // DPDK's own wait: the eventfd is then never read. A tap's fd is the queue itself,
            // readable while the kernel holds frames for it, and must not be read here: it is
            // level-triggered, because net_tap's rx_burst returns nothing until its SIGIO
            // handler has run on some other thread, and an edge used up before that would
            // leave the frame waiting for the timeout.
            ev.events = s.arm ? EPOLLIN | EPOLLET : EPOLLIN;
            kind = "rx interrupt";
        }
        if (epoll_ctl(w->epoll_fd_, EPOLL_CTL_ADD, s.fd, &ev) != 0) {
            why = "port '" + port_name(q.port_id) + "' queue " + std::to_string(q.queue) +
                  ": epoll_ctl: " + std::strerror(errno);
            return nullptr;
        }
        if (!w->described_.empty()) w->described_ += ", ";
        w->described_ += port_name(q.port_id) + " q" + std::to_string(q.queue) + " (" + kind + ")";
        w->sources_.push_back(s);
    }
    // The eventfd: the bell writes to it (DHCP replies queued), and so does wake().
    w->event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = kBellId;
    if (w->event_fd_ < 0 || epoll_ctl(w->epoll_fd_, EPOLL_CTL_ADD, w->event_fd_, &ev) != 0) {
        why = std::string("wake-up eventfd: ") + std::strerror(errno);
        return nullptr;
    }
    if (bell != nullptr) {
        w->bell_ = bell;
        bell->use_eventfd(w->event_fd_);
        w->described_ += w->described_.empty() ? "doorbell" : ", doorbell";
    }
    return w;
}

RxWaiter::~RxWaiter() {
    if (bell_ != nullptr) bell_->use_eventfd(-1);
    if (event_fd_ >= 0) close(event_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
}

void RxWaiter::wake() noexcept {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(event_fd_, &one, sizeof one);
}

bool RxWaiter::arm() noexcept {
    bool armed = false;
    for (const Source& s : sources_) {
        if (!s.arm) continue;
        rte_eth_dev_rx_intr_enable(s.port_id, s.queue);
        armed = true;
    }
    return armed;
}

void RxWaiter::disarm() noexcept {
    for (const Source& s : sources_)
        if (s.arm) rte_eth_dev_rx_intr_disable(s.port_id, s.queue);
}

bool RxWaiter::wait(int timeout_ms) noexcept {
    epoll_event events[kMaxEvents];
    // A socket that went bad and stays so (kept out of the set below) leaves only polling
    // for its queue: then sleep no longer than the back-off would.
    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, degraded_ ? 1 : timeout_ms);
    for (int i = 0; i < n; ++i) {
        const uint32_t id = events[i].data.u32;
        if (id == kBellId) {
            uint64_t count = 0;  // level-triggered: empty it, or every wait returns at once
            [[maybe_unused]] const ssize_t r = read(event_fd_, &count, sizeof count);
            continue;
        }
        if ((events[i].events & (EPOLLERR | EPOLLHUP)) == 0 || id >= sources_.size()) continue;
        // A PMD's socket with a pending error (a packet socket whose interface went down and
        // up again: ENETDOWN) reports it until someone reads it, and the PMD never does:
        // take it here. One that keeps failing leaves the set rather than spin the worker.
        Source& s = sources_[id];
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if ((events[i].events & EPOLLHUP) != 0 || ++s.errors > kMaxSocketErrors) {
            epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.fd, nullptr);
            degraded_ = true;
        }
    }
    return n > 0;
}

}  // namespace edgelease::dataplane
