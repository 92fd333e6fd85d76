#include "control/service_lcore.hpp"

#include <sys/prctl.h>

#include <rte_rcu_qsbr.h>

#include "common/idle.hpp"
#include "control/control_plane.hpp"
#include "control/sweeper/sweeper.hpp"

namespace edgelease::control {

namespace {
/// Shared loop shape: do up to a bounded amount of work, report quiescence, back off when
/// idle. `step` returns how many items it handled.
template <typename Step>
int service_loop(ServiceContext& c, Step step) {
    prctl(PR_SET_TIMERSLACK, 1UL);
    IdleBackoff backoff(c.idle_sleep_us);
    if (c.qsbr != nullptr) rte_rcu_qsbr_thread_online(c.qsbr, c.rcu_id);
    while (!c.stop->load(std::memory_order_relaxed)) {
        unsigned done = step();
        if (c.qsbr != nullptr) rte_rcu_qsbr_quiescent(c.qsbr, c.rcu_id);
        c.stats.loops.add();
        if (done != 0) {
            backoff.on_work();
        } else if (backoff.on_idle()) {
            c.stats.idle_sleeps.add();
        }
    }
    if (c.qsbr != nullptr) rte_rcu_qsbr_thread_offline(c.qsbr, c.rcu_id);
    return 0;
}
}  // namespace

int control_main(void* arg) {
    auto& c = *static_cast<ServiceContext*>(arg);
    // The control lcore is the RCU writer; it never reports quiescence itself.
    return service_loop(c, [&c] { return c.plane->poll(); });
}

int sweeper_main(void* arg) {
    auto& c = *static_cast<ServiceContext*>(arg);
    if (c.link == nullptr) return service_loop(c, [] { return 0u; });
    // The timing wheel lives on this lcore's stack frame for as long as the loop runs; the
    // control lcore only ever sees it through the link's two SPSC rings.
    sweeper::Sweeper sw(*c.link, sweeper::Sweeper::wall_clock_now());
    return service_loop(c, [&sw] { return sw.poll(); });
}

}  // namespace edgelease::control
