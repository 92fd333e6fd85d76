#include "control/service_lcore.hpp"

#include <sys/prctl.h>

#include <rte_rcu_qsbr.h>
#include <time.h>

#include <algorithm>

#include "common/idle.hpp"
#include "control/control_plane.hpp"
#include "control/sweeper/sweeper.hpp"

namespace edgelease::control {

namespace {
/// Shared loop shape: do up to a bounded amount of work, report quiescence, then let `rest`
/// decide whether to sleep. `step` returns how many items it handled; `rest(done)` returns
/// true when it slept.
template <typename Step, typename Rest>
int service_loop(ServiceContext& c, Step step, Rest rest) {
    prctl(PR_SET_TIMERSLACK, 1UL);
    if (c.qsbr != nullptr) rte_rcu_qsbr_thread_online(c.qsbr, c.rcu_id);
    while (!c.stop->load(std::memory_order_relaxed)) {
        const unsigned done = step();
        if (c.qsbr != nullptr) rte_rcu_qsbr_quiescent(c.qsbr, c.rcu_id);
        c.stats.loops.add();
        if (rest(done)) c.stats.idle_sleeps.add();
    }
    if (c.qsbr != nullptr) rte_rcu_qsbr_thread_offline(c.qsbr, c.rcu_id);
    return 0;
}
}  // namespace

int control_main(void* arg) {
    auto& c = *static_cast<ServiceContext*>(arg);
    // The control lcore is the RCU writer; it never reports quiescence itself. Idle, it backs
    // off on its doorbell; has_work() re-checks what rings it before each sleep.
    IdleBackoff backoff(c.idle_sleep_us, c.bell);
    auto pending = [&c]() noexcept { return c.plane->has_work(); };
    return service_loop(
        c, [&c] { return c.plane->poll(); },
        [&](unsigned done) {
            if (done == 0) return backoff.on_idle(pending);
            backoff.on_work();
            return false;
        });
}

int sweeper_main(void* arg) {
    auto& c = *static_cast<ServiceContext*>(arg);
    // Paced rather than backed off: schedule entries arrive with every lease change, so under
    // DHCP load a back-off would reset on each of them and the lcore would wake thousands of
    // times a second (each wake-up a timer, about 12 us of a virtual machine's CPU). Expiry is
    // due by the second and the link's rings hold 65536 entries, so unless a tick filled half
    // its batch (a backlog, e.g. a mass expiry: then no pause), it waits idle_sleep_us
    // before the next.
    const sweeper::SweeperLimits limits;
    const size_t busy = std::min(limits.max_scheduled_per_tick, limits.max_due_per_tick) / 2;
    const timespec pause{static_cast<time_t>(c.idle_sleep_us / 1000000),
                         static_cast<long>(c.idle_sleep_us % 1000000) * 1000};
    auto pace = [&](unsigned moved) {
        if (moved >= busy || c.idle_sleep_us == 0) return false;
        // Offline while it sleeps (up to 20 ms): grace periods do not wait for it.
        if (c.qsbr != nullptr) rte_rcu_qsbr_thread_offline(c.qsbr, c.rcu_id);
        nanosleep(&pause, nullptr);
        if (c.qsbr != nullptr) rte_rcu_qsbr_thread_online(c.qsbr, c.rcu_id);
        return true;
    };
    if (c.link == nullptr)
        return service_loop(
            c, [] { return 0u; }, pace);
    // The timing wheel lives on this lcore's stack frame for as long as the loop runs; the
    // control lcore only ever sees it through the link's two SPSC rings.
    sweeper::Sweeper sw(*c.link, sweeper::Sweeper::wall_clock_now(), limits);
    return service_loop(
        c, [&sw] { return sw.poll(); }, pace);
}

}  // namespace edgelease::control
