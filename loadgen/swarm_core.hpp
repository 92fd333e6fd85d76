#pragma once
// What the DHCPv4 and DHCPv6 client swarms (dhcp_swarm.hpp, dhcp6_swarm.hpp) share: the
// settings and counters common to both, and SwarmCore, the bookkeeping around each family's
// own state machine (the client table, the ring of idle clients, the in-flight and bound
// gauges, the action mix, timeouts and retransmissions, the random source). Each family
// keeps only its messages, its client fields and its answers.
//
// Everything after construction is noexcept and allocation-free.
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common/counter.hpp"
#include "common/net.hpp"
#include "loadgen/histogram.hpp"

namespace edgelease::loadgen {

using edgelease::Counter;

/// What a client does after each ACK: relative weights (all zero is invalid).
struct DhcpMix {
    uint32_t renew = 1;    // unicast REQUEST with ciaddr (RENEWING)
    uint32_t release = 1;  // RELEASE, then a new DORA
    uint32_t restart = 0;  // forget the lease and DISCOVER again (a reboot without INIT-REBOOT)
};

/// The settings of either swarm; SwarmConfig and Swarm6Config add the family's own.
struct SwarmCommonConfig {
    uint32_t clients = 1000;
    net::MacAddr mac_base;    // client i has mac_base + i
    net::MacAddr port_mac;    // the generator's own MAC: relays send from it
    net::MacAddr server_mac;  // relays' destination (and bound DHCPv4 clients')
    uint32_t relays = 0;      // 0: clients on the link; else client i behind relay i % relays
    DhcpMix mix;
    uint64_t timeout_ticks = 1;  // per attempt
    uint8_t retries = 2;         // retransmissions before giving up
    double ns_per_tick = 1.0;
    uint64_t seed = 1;
};

/// The counters of either swarm; DhcpCounters and Dhcp6Counters add the family's own.
struct SwarmCounters {
    Counter renews;    // renewals started
    Counter releases;  // releases started
    Counter retransmissions;
    Counter timeouts;    // attempts given up after the last retransmission
    Counter exchanges;   // client messages answered (a reply matched to its request)
    Counter unexpected;  // a reply for one of our clients that matches nothing pending
    Counter ignored;     // frames that are not DHCP replies for our clients
};

/// The MAC as a 48-bit number.
inline uint64_t mac_to_u64(const net::MacAddr& m) noexcept {
    uint64_t v = 0;
    for (uint8_t b : m.bytes) v = v << 8 | b;
    return v;
}

/// Writes "prefix" followed by n in decimal; returns the length (at most 32 bytes are
/// written).
uint8_t with_number(char* out, const char* prefix, uint32_t n) noexcept;

/// The bookkeeping of a swarm around the family's state machine. `Config` derives from
/// SwarmCommonConfig, `Counters` from SwarmCounters. `Client` is the family's client record:
/// a `State` enum with Init, Bound and Renewing; the fields sent_at, deadline (0 when nothing
/// is pending), xid, state and tries; and settling(next), called when a transaction ends just
/// before the state becomes `next`.
template <class Config, class Client, class Counters>
class SwarmCore {
  public:
    using State = typename Client::State;

    uint32_t in_flight() const noexcept { return in_flight_; }
    uint32_t idle() const noexcept { return static_cast<uint32_t>(ready_tail_ - ready_head_); }
    uint32_t bound() const noexcept { return bound_; }
    uint32_t clients() const noexcept { return static_cast<uint32_t>(clients_.size()); }
    State state(uint32_t i) const noexcept { return clients_[i].state; }
    net::MacAddr mac_of(uint32_t i) const noexcept {
        net::MacAddr m;
        uint64_t v = mac_base_ + i;
        for (int b = 5; b >= 0; --b, v >>= 8)
            m.bytes[static_cast<size_t>(b)] = static_cast<uint8_t>(v);
        return m;
    }

    const Config& config() const noexcept { return cfg_; }
    const Counters& counters() const noexcept { return counters_; }
    /// Request to reply, per exchange, from the first transmission (retransmissions count).
    const LatencyHistogram& exchange_latency() const noexcept { return exchange_lat_; }

  protected:
    /// What the oldest idle client does next (next_action).
    enum class Action : uint8_t {
        None,     // no client is idle
        Acquire,  // a new acquisition: no lease, or the mix restarts it (the lease forgotten)
        Renew,
        Release,
    };

    /// Allocates the client table and the idle ring; throws std::invalid_argument when the
    /// settings cannot work (no clients, all mix weights zero, MACs past the end).
    explicit SwarmCore(const Config& cfg)
        : cfg_(cfg),
          rng_(cfg.seed * 0x9e3779b97f4a7c15ull + 1),
          mix_total_(cfg.mix.renew + cfg.mix.release + cfg.mix.restart) {
        if (cfg.clients == 0) throw std::invalid_argument("the swarm needs at least one client");
        if (mix_total_ == 0) throw std::invalid_argument("the mix needs a non-zero weight");
        mac_base_ = mac_to_u64(cfg.mac_base);
        if (mac_base_ + cfg.clients > (uint64_t{1} << 48))
            throw std::invalid_argument("client MACs would run past ff:ff:ff:ff:ff:ff");
        clients_.resize(cfg.clients);
        ready_.resize(cfg.clients);
        for (uint32_t i = 0; i < cfg.clients; ++i) push_ready(i);
    }

    /// Takes the oldest idle client into `i` and picks its action: Acquire for a client that
    /// is not Bound, else one by the mix, counted in renews or releases. A Release or a
    /// restart gives the lease up now (bound() drops).
    Action next_action(uint32_t& i) noexcept {
        if (ready_head_ == ready_tail_) return Action::None;
        i = ready_[ready_head_ % ready_.size()];
        ++ready_head_;
        if (clients_[i].state != State::Bound) return Action::Acquire;
        const auto pick = static_cast<uint32_t>(rand() % mix_total_);
        if (pick < cfg_.mix.renew) {
            counters_.renews.add();
            return Action::Renew;
        }
        --bound_;
        if (pick < cfg_.mix.renew + cfg_.mix.release) {
            counters_.releases.add();
            return Action::Release;
        }
        return Action::Acquire;
    }

    /// A new message of client c goes out now: its first attempt, timed from now.
    void arm(Client& c, uint64_t now) noexcept {
        c.tries = 0;
        c.sent_at = now;
        c.deadline = now + cfg_.timeout_ticks;
    }

    /// Transaction over: nothing pending, the bound gauge follows, the client is idle again.
    void settle(uint32_t i, State next) noexcept {
        Client& c = clients_[i];
        if (c.deadline != 0) {
            c.deadline = 0;
            --in_flight_;
        }
        if (next == State::Bound && c.state != State::Renewing) ++bound_;
        if (next == State::Init && c.state == State::Renewing) --bound_;
        c.settling(next);
        c.state = next;
        push_ready(i);
    }

    /// poll_timeouts of either family: checks up to `budget` clients (round robin; budget is
    /// decremented) for an attempt past its deadline. A retransmission is written by
    /// `retransmit(i)` and its length returned; after `retries` retransmissions the attempt is
    /// a timeout and the client starts over. Returns 0 once the budget is spent.
    template <class Retransmit>
    uint16_t next_timeout(uint64_t now, unsigned& budget, const Retransmit& retransmit) noexcept {
        const auto n = static_cast<uint32_t>(clients_.size());
        while (budget != 0) {
            --budget;
            const uint32_t i = hand_;
            hand_ = hand_ + 1 == n ? 0 : hand_ + 1;
            Client& c = clients_[i];
            if (c.deadline == 0 || c.deadline > now) continue;
            if (c.tries < cfg_.retries) {
                ++c.tries;
                c.deadline = now + cfg_.timeout_ticks;
                counters_.retransmissions.add();
                return retransmit(i);
            }
            counters_.timeouts.add();
            settle(i, State::Init);
        }
        return 0;
    }

    void push_ready(uint32_t i) noexcept {
        ready_[ready_tail_ % ready_.size()] = i;
        ++ready_tail_;
    }

    uint64_t rand() noexcept {
        // xorshift64* (Vigna): plenty for picking actions and transaction IDs.
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545f4914f6cdd1dull;
    }

    /// The client with this MAC; clients() when it is not one of ours.
    uint32_t index_of(const net::MacAddr& mac) const noexcept {
        const uint64_t v = mac_to_u64(mac);
        if (v < mac_base_ || v - mac_base_ >= clients_.size()) return clients();
        return static_cast<uint32_t>(v - mac_base_);
    }

    void record(LatencyHistogram& h, uint64_t ticks) noexcept {
        h.record(static_cast<uint64_t>(static_cast<double>(ticks) * cfg_.ns_per_tick));
    }

    Config cfg_;
    uint64_t mac_base_ = 0;
    std::vector<Client> clients_;
    uint32_t in_flight_ = 0;
    uint32_t bound_ = 0;
    Counters counters_;
    LatencyHistogram exchange_lat_;

  private:
    std::vector<uint32_t> ready_;  // ring of idle client indices
    uint64_t ready_head_ = 0, ready_tail_ = 0;
    uint32_t hand_ = 0;  // next client next_timeout looks at
    uint64_t rng_;
    uint32_t mix_total_;
};

}  // namespace edgelease::loadgen
