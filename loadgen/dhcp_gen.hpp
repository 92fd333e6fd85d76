#pragma once
// The DHCP generator loop: drives a DhcpSwarm (DHCPv4) or a Dhcp6Swarm (DHCPv6) over the
// port. Open loop starts client actions (an acquisition, a renewal or a release) at a rate,
// closed loop keeps a bounded number of clients in a transaction; the REQUEST that follows an
// OFFER (the Request that follows an Advertise) goes out as soon as it is in. Runs on the
// calling (main) lcore.
#include <cstdint>

#include "loadgen/dhcp6_swarm.hpp"
#include "loadgen/dhcp_swarm.hpp"
#include "loadgen/loop.hpp"
#include "loadgen/options.hpp"

namespace edgelease::loadgen {

template <class Swarm>
class DhcpGenerator {
  public:
    /// The swarm and the port must outlive the generator.
    DhcpGenerator(const Options& o, Swarm& swarm, uint16_t port_id, rte_mempool* pool);

    /// Runs until the count, the duration or a signal ends new starts, then drains
    /// (pending exchanges may finish, retransmissions included); fills the timing of
    /// `report` and, through fill_report(swarm, report), its DHCP part. Allocation-free
    /// inside.
    void run(RunControl& ctl, RunReport& report) noexcept;

    const LoopCounters& loop_counters() const noexcept { return loop_; }

  private:
    const Options& o_;
    Swarm& swarm_;
    uint16_t port_;
    MbufStash stash_;
    LoopCounters loop_;
    TxBatch tx_;
};

extern template class DhcpGenerator<DhcpSwarm>;
extern template class DhcpGenerator<Dhcp6Swarm>;

}  // namespace edgelease::loadgen
