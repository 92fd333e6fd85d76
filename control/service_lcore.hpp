#pragma once
// The two non-worker lcores: control (the one writer of leases and zones) and sweeper
// (lease expiry). Each runs a bounded-work polling loop with idle back-off and reports RCU
// quiescence like a worker.
#include <atomic>
#include <cstdint>

#include "common/doorbell.hpp"
#include "dataplane/stats.hpp"

struct rte_rcu_qsbr;

namespace edgelease::control {

class ControlPlane;
}
namespace edgelease::control::sweeper {
class SweeperLink;
}
namespace edgelease::control {

struct alignas(64) ServiceContext {
    unsigned lcore_id = 0;
    rte_rcu_qsbr* qsbr = nullptr;  // nullptr: this lcore reads no RCU-published data
    unsigned rcu_id = 0;
    const std::atomic<bool>* stop = nullptr;
    uint32_t idle_sleep_us = 100;
    Doorbell* bell = nullptr;       // idle sleeps on it (others ring it when they hand work over)
    dataplane::LcoreStats stats;    // loops and idle_sleeps; packet fields stay zero
    ControlPlane* plane = nullptr;  // control lcore only
    sweeper::SweeperLink* link = nullptr;  // sweeper lcore: nullptr = nothing to expire (no DHCP)
};

/// Entry points for rte_eal_remote_launch; arg is a ServiceContext*. Return 0.
int control_main(void* arg);
int sweeper_main(void* arg);

}  // namespace edgelease::control
