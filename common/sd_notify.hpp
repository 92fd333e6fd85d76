#pragma once
// systemd's readiness protocol (sd_notify(3)), without libsystemd: one datagram of
// newline-separated assignments ("READY=1", "STATUS=...") to the AF_UNIX socket named by
// $NOTIFY_SOCKET. A path starting with '@' is in the abstract namespace. Outside systemd
// (no NOTIFY_SOCKET) every call does nothing and returns false.
#include <string>

namespace edgelease {

/// Sends `state` to $NOTIFY_SOCKET. True when it was sent; false when there is no socket to
/// send to or the send failed (`error`, when given, says why; nothing is logged here).
bool sd_notify(const std::string& state, std::string* error = nullptr) noexcept;

}  // namespace edgelease
