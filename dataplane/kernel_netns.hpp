#pragma once
// The Linux side of the exception path: network namespaces and the few interface settings
// the appliance makes itself (rtnetlink and /proc/sys), so that it needs no `ip` command.
// Start-up only; every call is a system call. No DPDK.
#include <string>
#include <string_view>

#include "common/net.hpp"

namespace edgelease::dataplane::kernel {

/// A network namespace held open by a file descriptor (-1: the one this process started in).
class Netns {
  public:
    Netns() = default;
    ~Netns();
    Netns(Netns&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Netns& operator=(Netns&& o) noexcept;
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;

    /// "host": the current one (fd -1); "private": a new namespace of this process's own,
    /// gone when the process ends; any other text names /run/netns/<name> (as `ip netns add`
    /// makes it), which must exist. Throws std::runtime_error saying why.
    static Netns open(std::string_view spec);
    int fd() const noexcept { return fd_; }
    bool is_host() const noexcept { return fd_ < 0; }

  private:
    explicit Netns(int fd) : fd_(fd) {}
    int fd_ = -1;
};

/// Moves the calling thread into `ns` until destroyed, then back (a no-op for the host's).
/// Throws std::runtime_error when setns fails.
class EnterNetns {
  public:
    explicit EnterNetns(const Netns& ns);
    ~EnterNetns();
    EnterNetns(const EnterNetns&) = delete;
    EnterNetns& operator=(const EnterNetns&) = delete;

  private:
    int home_ = -1;
};

/// In the calling thread's namespace: the interface's index (0 when there is none).
unsigned if_index(const std::string& ifname);
/// Sets the interface up. Throws std::runtime_error naming it and the cause.
void link_up(const std::string& ifname);
/// Adds an address with its prefix length (IPv6 without duplicate address detection: the
/// appliance already owns it on the wire). An address already there is not an error.
void add_address(const std::string& ifname, const net::IfAddress& addr);
/// Writes `value` to /proc/sys/<path> (e.g. "net/ipv6/conf/elx0/accept_ra"). False when the
/// file cannot be written (a kernel without that setting).
bool write_sysctl(const std::string& path, std::string_view value);

}  // namespace edgelease::dataplane::kernel
