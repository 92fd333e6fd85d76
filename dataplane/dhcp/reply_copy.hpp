#pragma once
// Copying a DhcpReply (messages.hpp) or a Dhcp6Reply (messages6.hpp) into a queue slot.
#include <cstdint>
#include <cstring>

namespace edgelease::dataplane::dhcp {

/// Copies a reply without the unused part of its payload buffer (most replies are a few
/// hundred bytes of it). `Reply` is DhcpReply or Dhcp6Reply: the same fields, each family's
/// addresses and payload size; a `len` past the buffer is clamped to it.
template <class Reply>
inline void copy_reply(Reply& to, const Reply& from) noexcept {
    constexpr auto kCap = static_cast<uint16_t>(sizeof from.payload);
    to.path = from.path;
    to.dst_mac = from.dst_mac;
    to.dst_ip = from.dst_ip;
    to.src_ip = from.src_ip;
    to.dst_port = from.dst_port;
    to.len = from.len <= kCap ? from.len : kCap;
    std::memcpy(to.payload, from.payload, to.len);
}

}  // namespace edgelease::dataplane::dhcp
