#pragma once
// DHCP under a storm (a town's CPEs rebooting together after a power cut): which parsed
// requests a worker hands to the control lcore when more arrive than it completes. Work that
// finishes an exchange goes before work that starts one, and nobody gets a share by repeating
// himself:
//
//   - A message that starts an exchange (DISCOVER, SOLICIT) or asks for configuration only
//     (INFORM, INFORMATION-REQUEST) is shed while the worker's request queue to the control
//     lcore holds `shed_depth` or more: an OFFER whose REQUEST is then lost for want of room
//     is work wasted. REQUEST, RENEW, REBIND, CONFIRM, RELEASE and DECLINE are never shed;
//     only a full queue drops them.
//   - A retransmission faster than any client's timer (the same client, message type and
//     transaction id within `retransmit_ms` of the one queued) is dropped as a repeat: the
//     answer to the first is on its way. RFC 2131 §4.1 retransmits after 4 s ± 1 s, RFC 8415
//     §15 after SOL_TIMEOUT 1 s - 10 %, so no conforming client is ever caught.
//   - While the queue holds half of `shed_depth` or more (it is filling), a client that
//     starts an exchange again within `restart_ms` of its last queued start, under any
//     transaction id, is dropped as a repeat too: new clients go first.
//
// One table per worker (no locks): a client's frames arrive on one worker (RSS hashes the
// relay's or the client's addresses). Direct-mapped, indexed by a keyed hash (SipHash-1-3,
// key drawn per table) of the client's identity, so a flood cannot choose identities that
// evict a given client's entry. Two clients on one slot only make it forget the first one's
// last message; a message is taken for another's only if 32 more bits of the hash agree too.
// Nothing here allocates after construction.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/siphash.hpp"
#include "dataplane/dhcp/messages.hpp"
#include "dataplane/dhcp/messages6.hpp"

namespace edgelease::dataplane::dhcp {

struct AdmissionSettings {
    uint32_t shed_depth = 512;     // of the 1024 request slots (at most that: a start that finds
                                   // the queue full is shed, not dropped as queue-full)
    uint32_t retransmit_ms = 500;  // a retransmission sooner than this is a repeat
    uint32_t restart_ms = 1000;    // a new start sooner than this is a repeat when filling
};

class DhcpAdmission {
  public:
    static constexpr size_t kEntries = size_t{1} << 14;

    enum class Verdict : uint8_t {
        Queue,   // hand it to the control lcore
        Shed,    // starts an exchange and the queue is deep
        Repeat,  // the client repeats itself faster than its retransmission timer
    };

    /// Allocates the table (start-up, before the worker runs).
    explicit DhcpAdmission(AdmissionSettings s = {});

    /// One parsed message. `starts` is whether it starts an exchange or asks for configuration
    /// only (is_start / is_start6); `type` its message type; `id` the client's identity
    /// (client identifier or chaddr and relay, DUID); `depth` the request queue's depth now.
    Verdict check(bool starts, uint8_t type, const uint8_t* id, size_t id_len, uint32_t xid,
                  size_t depth, uint64_t now_ms) noexcept;

    const AdmissionSettings& settings() const noexcept { return s_; }

  private:
    struct Entry {
        uint32_t tag = 0;  // high half of the hash; 0 = empty
        uint32_t xid = 0;
        uint64_t at_ms = 0;  // when its last message was queued
    };

    AdmissionSettings s_;
    SipKey key_;
    std::vector<Entry> entries_;
};

/// Whether a DHCPv4 / DHCPv6 client message may be shed: it starts an exchange or asks for
/// configuration only.
constexpr bool is_start(MsgType t) noexcept {
    return t == MsgType::Discover || t == MsgType::Inform;
}
constexpr bool is_start6(Msg6Type t) noexcept {
    return t == Msg6Type::Solicit || t == Msg6Type::InformationRequest;
}

/// What tells one DHCPv4 transaction of a client from the next: the transaction id, and
/// since RFC 2131 does not require a new one for every exchange, the addresses a REQUEST is
/// about (a REQUEST in SELECTING and the RENEW that may follow it at once under the same id
/// differ there). A retransmission has them all the same.
constexpr uint32_t transaction_of(const DhcpRequest& r) noexcept {
    return r.xid ^ (r.ciaddr * 0x9E3779B1u) ^ (r.requested_ip * 0x85EBCA77u) ^
           (r.server_id * 0xC2B2AE3Du);
}

/// Room for a client's identity (admission_id, admission_id6).
inline constexpr size_t kMaxAdmissionId = 4 + (kMaxClientId > kMaxDuid ? kMaxClientId : kMaxDuid);

/// The identity a DHCPv4 client is known by here: the relay's giaddr, then the client
/// identifier (option 61) when present, else chaddr. Returns its length in out.
inline size_t admission_id(const DhcpRequest& r, uint8_t (&out)[kMaxAdmissionId]) noexcept {
    out[0] = static_cast<uint8_t>(r.giaddr >> 24);
    out[1] = static_cast<uint8_t>(r.giaddr >> 16);
    out[2] = static_cast<uint8_t>(r.giaddr >> 8);
    out[3] = static_cast<uint8_t>(r.giaddr);
    if (r.client_id_len != 0) {
        std::memcpy(out + 4, r.client_id, r.client_id_len);
        return 4 + size_t{r.client_id_len};
    }
    std::memcpy(out + 4, r.chaddr.bytes.data(), r.chaddr.bytes.size());
    return 4 + r.chaddr.bytes.size();
}

/// A DHCPv6 client's identity: its DUID (option 1); empty when it sent none (Information-
/// Request may omit it: such messages are never taken for repeats).
inline size_t admission_id6(const Dhcp6Request& r, uint8_t (&out)[kMaxAdmissionId]) noexcept {
    std::memcpy(out, r.client_id, r.client_id_len);
    return r.client_id_len;
}

}  // namespace edgelease::dataplane::dhcp
