#pragma once
// A swarm of emulated DHCPv4 clients (RFC 2131 §4.4): each runs DISCOVER → OFFER →
// REQUEST → ACK, then renews or releases (or starts over) in a configured mix, with
// timeouts and retransmissions. Clients sit on the generator's link, or behind emulated
// relay agents (giaddr set, optional option 82). Pure: the caller passes time in ticks and
// byte buffers to write frames into, so the state machine is unit-tested without EAL.
//
// Everything after construction is noexcept and allocation-free: one fixed array of client
// states, one ring of idle clients, counters with a single writer.
#include <cstdint>

#include "common/net.hpp"
#include "loadgen/dhcp_msg.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/swarm_core.hpp"

namespace edgelease::loadgen {

struct SwarmConfig : SwarmCommonConfig {
    uint32_t server_ip = 0;   // unicast destination (relayed requests, renewals, releases)
    uint32_t relay_base = 0;  // giaddr of relay j is relay_base + j
    bool client_id = false;   // option 61: type 1 + MAC
    bool hostname = false;    // option 12: "lg-<i>"
    bool option82 =
        false;  // relays add option 82 (circuit "lg-circuit-<i>", remote "lg-relay-<j>")
    bool broadcast = false;  // ask for broadcast replies
};

struct alignas(64) DhcpCounters : SwarmCounters {
    Counter discovers;  // DORAs started
    Counter requests;   // REQUESTs in SELECTING (after an OFFER)
    Counter offers;
    Counter acks;  // ACKs to a SELECTING REQUEST: new leases
    Counter renew_acks;
    Counter naks;
};

/// One client of a DhcpSwarm.
struct DhcpClient {
    enum class State : uint8_t { Init, Selecting, Requesting, Bound, Renewing };

    uint64_t sent_at = 0;     // first transmission of the pending request
    uint64_t dora_start = 0;  // the DISCOVER of the current DORA
    uint64_t deadline = 0;    // of the current attempt; 0 when nothing is pending
    uint32_t xid = 0;
    uint32_t addr = 0;   // offered or bound address
    uint32_t acked = 0;  // address of the last ACK; 0 after a RELEASE
    uint32_t server_id = 0;
    State state = State::Init;
    uint8_t tries = 0;

    void settling(State) noexcept {}
};

class DhcpSwarm : public SwarmCore<SwarmConfig, DhcpClient, DhcpCounters> {
  public:
    /// Allocates the client table and the idle ring; throws std::invalid_argument when the
    /// configuration cannot work (no clients, all mix weights zero).
    explicit DhcpSwarm(const SwarmConfig& cfg);

    /// Starts the next action of the oldest idle client and writes its first frame into
    /// buf[0..cap): a DISCOVER for a client without a lease, else per the mix a renewal
    /// REQUEST, a RELEASE (the client then queues for a new DORA) or a DISCOVER. Returns the
    /// frame length; 0 when no client is idle (or the frame does not fit).
    uint16_t start_next(uint64_t now, uint8_t* buf, uint16_t cap) noexcept;

    /// Handles a received frame. When it answers a client's pending request, the client
    /// moves on; an OFFER makes it write the REQUEST into buf and return its length.
    /// Otherwise returns 0.
    uint16_t on_frame(uint64_t now, const uint8_t* frame, uint16_t len, uint8_t* buf,
                      uint16_t cap) noexcept;

    /// Checks up to `budget` clients (round robin; budget is decremented) for an attempt
    /// past its deadline: a retransmission is written into buf and its length returned
    /// (call again for more); after `retries` retransmissions the attempt is a timeout and
    /// the client starts over. Returns 0 once the budget is spent.
    uint16_t poll_timeouts(uint64_t now, unsigned& budget, uint8_t* buf, uint16_t cap) noexcept;

    uint32_t address(uint32_t i) const noexcept { return clients_[i].addr; }
    /// The address of client i's last DHCPACK (0: none, or released since). A client that
    /// starts over (restart, timeout, NAK) keeps it until another ACK replaces it.
    uint32_t acked_address(uint32_t i) const noexcept { return clients_[i].acked; }

    /// DISCOVER to ACK of each completed DORA.
    const LatencyHistogram& dora_latency() const noexcept { return dora_lat_; }

  private:
    using Client = DhcpClient;

    /// Writes the frame for client i's pending message (by its state), or a RELEASE.
    uint16_t emit(uint32_t i, bool release, uint8_t* buf, uint16_t cap) const noexcept;
    uint16_t begin_dora(uint32_t i, uint64_t now, uint8_t* buf, uint16_t cap) noexcept;

    LatencyHistogram dora_lat_;
};

}  // namespace edgelease::loadgen
