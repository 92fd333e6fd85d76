#pragma once
// A swarm of emulated DHCPv6 clients (RFC 9915 §18): each acquires an address (IA_NA), a
// delegated prefix (IA_PD) or both, by Solicit → Advertise → Request → Reply or, with Rapid
// Commit, Solicit → Reply (§18.2.1); then renews (Renew → Reply), releases (Release → Reply,
// then a new acquisition) or starts over, in a configured mix, with timeouts and
// retransmissions of the same transaction. Clients sit on the generator's link (their
// link-local address to ff02::1:2) or behind emulated relay agents (Relay-Forward from the
// relay's address to the server, Relay-Reply back). Pure, like DhcpSwarm: the caller passes
// time in ticks and byte buffers to write frames into.
//
// Everything after construction is noexcept and allocation-free: one fixed array of client
// states, one ring of idle clients, a small table of server DUIDs, counters with a single
// writer.
#include <array>
#include <cstdint>
#include <vector>

#include "common/net.hpp"
#include "loadgen/dhcp6_msg.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/swarm_core.hpp"

namespace edgelease::loadgen {

/// How a client's DUID is made from its MAC (RFC 9915 §11).
enum class DuidKind : uint8_t {
    Ll,   // type 3: hardware type 1, the MAC (10 bytes)
    Llt,  // type 1: hardware type 1, a fixed time, the MAC (14 bytes)
};
/// The time field of the DUID-LLTs made (seconds since 2000-01-01: 2025-01-01).
inline constexpr uint32_t kDuidLltTime = 788918400;

struct Swarm6Config : SwarmCommonConfig {
    // Client i's link-local address is fe80::EUI-64(mac_base + i); direct clients multicast.
    net::Ipv6Addr server_ip;   // relays' destination
    net::Ipv6Addr relay_base;  // relay j sends from relay_base + j, also its link-address
    bool ia_na = true;
    bool ia_pd = false;
    bool rapid_commit = false;  // Solicit with option 14: the 2-message exchange
    DuidKind duid = DuidKind::Ll;
    bool fqdn = false;  // option 39 with the partial name "lg-<i>"
};

struct alignas(64) Dhcp6Counters : SwarmCounters {
    Counter solicits;  // acquisitions started
    Counter requests;  // Requests sent after an Advertise
    Counter advertises;
    Counter leases;           // acquisitions completed: a Reply that bound at least one IA
    Counter rapid_leases;     // ... of them by Rapid Commit (Reply to the Solicit)
    Counter addresses;        // IA_NAs bound by those Replies
    Counter prefixes;         // IA_PDs bound by those Replies
    Counter renew_replies;    // Replies to a Renew that kept at least one binding
    Counter release_replies;  // Replies to a Release
    Counter refused;          // Advertises or Replies (to a Solicit, Request or Renew) that
                              // bound none of the IAs asked for: the client starts over
    std::array<Counter, kStatusSlots> status;  // Status Code options met, by status_slot()
};

/// One client of a Dhcp6Swarm.
struct Dhcp6Client {
    enum class State : uint8_t { Init, Soliciting, Requesting, Bound, Renewing, Releasing };

    uint64_t sent_at = 0;    // first transmission of the pending message
    uint64_t acq_start = 0;  // the Solicit of the current acquisition
    uint64_t deadline = 0;   // of the current attempt; 0 when nothing is pending
    net::Ipv6Addr na;        // offered, then bound address
    net::Ipv6Addr pd;        // offered, then bound prefix
    uint32_t xid = 0;
    uint8_t pd_len = 0;  // 0: no prefix
    bool has_na = false;
    uint8_t server = 0;  // 1 + index into servers_; 0 = none
    State state = State::Init;
    uint8_t tries = 0;

    void settling(State next) noexcept {
        if (next == State::Init && state == State::Releasing) {
            has_na = false;  // given back (or, after a timeout, given up)
            pd_len = 0;
        }
    }
};

class Dhcp6Swarm : public SwarmCore<Swarm6Config, Dhcp6Client, Dhcp6Counters> {
  public:
    /// Allocates the client table and the idle ring; throws std::invalid_argument when the
    /// configuration cannot work (no clients, no IA, all mix weights zero, relays without a
    /// relay address, MACs past the end).
    explicit Dhcp6Swarm(const Swarm6Config& cfg);

    /// Starts the next action of the oldest idle client and writes its first frame into
    /// buf[0..cap): a Solicit for a client without bindings, else per the mix a Renew, a
    /// Release or a Solicit. Returns the frame length; 0 when no client is idle (or the frame
    /// does not fit).
    uint16_t start_next(uint64_t now, uint8_t* buf, uint16_t cap) noexcept;

    /// Handles a received frame. When it answers a client's pending message, the client
    /// moves on; an Advertise makes it write the Request into buf and return its length.
    /// Otherwise returns 0.
    uint16_t on_frame(uint64_t now, const uint8_t* frame, uint16_t len, uint8_t* buf,
                      uint16_t cap) noexcept;

    /// As DhcpSwarm::poll_timeouts: retransmissions (same transaction id, elapsed time
    /// updated) and timeouts, `budget` clients at a time.
    uint16_t poll_timeouts(uint64_t now, unsigned& budget, uint8_t* buf, uint16_t cap) noexcept;

    /// Client i's link-local address (modified EUI-64 of its MAC, RFC 4291 App. A).
    net::Ipv6Addr link_local_of(uint32_t i) const noexcept;
    /// Writes client i's DUID into out (at least 14 bytes); returns its length.
    uint8_t duid_of(uint32_t i, uint8_t* out) const noexcept;
    /// The IAID of client i's IA_NA and IA_PD: the low 32 bits of its MAC.
    uint32_t iaid_of(uint32_t i) const noexcept;

    /// What client i holds from its last Reply that bound it (cleared by a Release; kept by
    /// a restart or a timeout until another Reply replaces it).
    bool has_address(uint32_t i) const noexcept { return clients_[i].has_na; }
    const net::Ipv6Addr& address(uint32_t i) const noexcept { return clients_[i].na; }
    bool has_prefix(uint32_t i) const noexcept { return clients_[i].pd_len != 0; }
    const net::Ipv6Addr& prefix(uint32_t i) const noexcept { return clients_[i].pd; }
    uint8_t prefix_len(uint32_t i) const noexcept { return clients_[i].pd_len; }

    /// Solicit to the Reply that bound the client, per acquisition (4 or 2 messages).
    const LatencyHistogram& acquisition_latency() const noexcept { return acq_lat_; }

  private:
    using Client = Dhcp6Client;
    struct ServerId {
        uint8_t len = 0;
        uint8_t bytes[dataplane::dhcp::kMaxDuid];
    };
    static constexpr size_t kMaxServers = 4;

    /// Writes the frame for client i's pending message (by its state).
    uint16_t emit(uint32_t i, uint64_t now, uint8_t* buf, uint16_t cap) const noexcept;
    uint16_t begin(uint32_t i, State st, uint64_t now, uint8_t* buf, uint16_t cap) noexcept;
    uint32_t client_of(const Reply6Info& r) const noexcept;           // clients() when not ours
    uint8_t server_slot(const uint8_t* duid, uint16_t len) noexcept;  // 0 when the table is full
    /// Takes what the bound IAs of a Reply (or Advertise) say; false when none is bound.
    bool take_bindings(Client& c, const Reply6Info& r, uint32_t iaid, bool& na, bool& pd) noexcept;

    std::array<ServerId, kMaxServers> servers_{};
    LatencyHistogram acq_lat_;
};

}  // namespace edgelease::loadgen
