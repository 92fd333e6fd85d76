#pragma once
// The DHCP generator loop: drives a DhcpSwarm over the port. Open loop starts client
// actions (a DORA, a renewal or a release) at a rate, closed loop keeps a bounded number
// of clients in a transaction; the REQUEST that follows an OFFER goes out as soon as the
// OFFER is in. Runs on the calling (main) lcore.
#include <cstdint>

#include "loadgen/dhcp_swarm.hpp"
#include "loadgen/loop.hpp"
#include "loadgen/options.hpp"

namespace edgelease::loadgen {

class DhcpGenerator {
  public:
    /// The swarm and the port must outlive the generator.
    DhcpGenerator(const Options& o, DhcpSwarm& swarm, uint16_t port_id, rte_mempool* pool);

    /// Runs until the count, the duration or a signal ends new starts, then drains
    /// (pending exchanges may finish, retransmissions included); fills the DHCP part of
    /// `report`. Allocation-free inside.
    void run(RunControl& ctl, RunReport& report) noexcept;

    const LoopCounters& loop_counters() const noexcept { return loop_; }

  private:
    const Options& o_;
    DhcpSwarm& swarm_;
    uint16_t port_;
    MbufStash stash_;
    LoopCounters loop_;
    TxBatch tx_;
};

}  // namespace edgelease::loadgen
