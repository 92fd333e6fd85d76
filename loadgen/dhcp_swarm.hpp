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
#include <vector>

#include "common/net.hpp"
#include "dataplane/stats.hpp"
#include "loadgen/dhcp_msg.hpp"
#include "loadgen/histogram.hpp"

namespace edgelease::loadgen {

using edgelease::Counter;

/// What a client does after each ACK: relative weights (all zero is invalid).
struct DhcpMix {
    uint32_t renew = 1;    // unicast REQUEST with ciaddr (RENEWING)
    uint32_t release = 1;  // RELEASE, then a new DORA
    uint32_t restart = 0;  // forget the lease and DISCOVER again (a reboot without INIT-REBOOT)
};

struct SwarmConfig {
    uint32_t clients = 1000;
    net::MacAddr mac_base;  // client i has mac_base + i
    net::MacAddr port_mac;  // the generator's own MAC: relays and the router use it
    net::MacAddr server_mac;
    uint32_t server_ip = 0;   // unicast destination (relayed requests, renewals, releases)
    uint32_t relays = 0;      // 0: clients on the link; else client i behind relay i % relays
    uint32_t relay_base = 0;  // giaddr of relay j is relay_base + j
    bool client_id = false;   // option 61: type 1 + MAC
    bool hostname = false;    // option 12: "lg-<i>"
    bool option82 =
        false;  // relays add option 82 (circuit "lg-circuit-<i>", remote "lg-relay-<j>")
    bool broadcast = false;  // ask for broadcast replies
    DhcpMix mix;
    uint64_t timeout_ticks = 1;  // per attempt
    uint8_t retries = 2;         // retransmissions before giving up
    double ns_per_tick = 1.0;
    uint64_t seed = 1;
};

struct alignas(64) DhcpCounters {
    Counter discovers;  // DORAs started
    Counter requests;   // REQUESTs in SELECTING (after an OFFER)
    Counter renews;     // renewals started
    Counter releases;   // RELEASEs sent
    Counter retransmissions;
    Counter offers;
    Counter acks;  // ACKs to a SELECTING REQUEST: new leases
    Counter renew_acks;
    Counter naks;
    Counter timeouts;    // attempts given up after the last retransmission
    Counter exchanges;   // requests answered (OFFER, ACK or NAK matched to its request)
    Counter unexpected;  // a reply for one of our clients that matches nothing pending
    Counter ignored;     // frames that are not DHCP replies for our clients
};

class DhcpSwarm {
  public:
    enum class State : uint8_t { Init, Selecting, Requesting, Bound, Renewing };

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

    uint32_t in_flight() const noexcept { return in_flight_; }
    uint32_t idle() const noexcept { return static_cast<uint32_t>(ready_tail_ - ready_head_); }
    uint32_t bound() const noexcept { return bound_; }
    uint32_t clients() const noexcept { return static_cast<uint32_t>(clients_.size()); }
    State state(uint32_t i) const noexcept { return clients_[i].state; }
    uint32_t address(uint32_t i) const noexcept { return clients_[i].addr; }
    /// The address of client i's last DHCPACK (0: none, or released since). A client that
    /// starts over (restart, timeout, NAK) keeps it until another ACK replaces it.
    uint32_t acked_address(uint32_t i) const noexcept { return clients_[i].acked; }
    net::MacAddr mac_of(uint32_t i) const noexcept;

    const DhcpCounters& counters() const noexcept { return counters_; }
    /// Request to reply, per exchange, from the first transmission (retransmissions count).
    const LatencyHistogram& exchange_latency() const noexcept { return exchange_lat_; }
    /// DISCOVER to ACK of each completed DORA.
    const LatencyHistogram& dora_latency() const noexcept { return dora_lat_; }

  private:
    struct Client {
        uint64_t sent_at = 0;     // first transmission of the pending request
        uint64_t dora_start = 0;  // the DISCOVER of the current DORA
        uint64_t deadline = 0;    // of the current attempt; 0 when nothing is pending
        uint32_t xid = 0;
        uint32_t addr = 0;   // offered or bound address
        uint32_t acked = 0;  // address of the last ACK; 0 after a RELEASE
        uint32_t server_id = 0;
        State state = State::Init;
        uint8_t tries = 0;
    };

    /// Writes the frame for client i's pending message (by its state), or a RELEASE.
    uint16_t emit(uint32_t i, bool release, uint8_t* buf, uint16_t cap) const noexcept;
    uint16_t begin_dora(uint32_t i, uint64_t now, uint8_t* buf, uint16_t cap) noexcept;
    void settle(uint32_t i, State next) noexcept;  // transaction over: idle again
    void push_ready(uint32_t i) noexcept;
    uint64_t rand() noexcept;
    uint32_t index_of(const net::MacAddr& mac) const noexcept;  // clients() when not ours
    void record(LatencyHistogram& h, uint64_t ticks) noexcept;

    SwarmConfig cfg_;
    uint64_t mac_base_ = 0;
    std::vector<Client> clients_;
    std::vector<uint32_t> ready_;  // ring of idle client indices
    uint64_t ready_head_ = 0, ready_tail_ = 0;
    uint32_t in_flight_ = 0;
    uint32_t bound_ = 0;
    uint32_t hand_ = 0;  // next client poll_timeouts looks at
    uint64_t rng_;
    uint32_t mix_total_;
    DhcpCounters counters_;
    LatencyHistogram exchange_lat_;
    LatencyHistogram dora_lat_;
};

}  // namespace edgelease::loadgen
