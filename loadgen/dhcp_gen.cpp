#include "loadgen/dhcp_gen.hpp"

#include <rte_cycles.h>

#include <algorithm>

#include "common/idle.hpp"
#include "loadgen/admission.hpp"

namespace edgelease::loadgen {

namespace {
constexpr unsigned kTimeoutChecksPerLoop = 64;  // clients the timeout hand looks at per loop
}

template <class Swarm>
DhcpGenerator<Swarm>::DhcpGenerator(const Options& o, Swarm& swarm, uint16_t port_id,
                                    rte_mempool* pool)
    : o_(o), swarm_(swarm), port_(port_id), stash_(pool) {}

template <class Swarm>
void DhcpGenerator<Swarm>::run(RunControl& ctl, RunReport& report) noexcept {
    const uint64_t hz = rte_get_tsc_hz();
    const uint16_t burst = o_.burst;
    IdleBackoff backoff(o_.idle_sleep_us);
    rte_mbuf* rx[kMaxBurst];
    auto ignore_refused = [](rte_mbuf*) {};  // the swarm retransmits on its timeout

    const uint64_t start = rte_rdtsc();
    ctl.start_tsc.store(start, std::memory_order_relaxed);
    Admission admit(o_.rate, o_.count, o_.duration_s, burst, hz, start);
    uint64_t send_end = 0, drain_end = 0, last_answer = 0;
    bool sending = true;
    uint64_t exchanges_seen = 0;

    // Writes one frame into a stash mbuf with `write(buf, cap)`; queues it when non-empty.
    auto produce = [&](auto&& write) -> bool {
        rte_mbuf* m = stash_.take();
        if (m == nullptr) {
            loop_.alloc_failed.add();
            return false;
        }
        const uint16_t len =
            write(rte_pktmbuf_mtod(m, uint8_t*), static_cast<uint16_t>(rte_pktmbuf_tailroom(m)));
        if (len == 0) {
            stash_.put_back(m);
            return false;
        }
        set_frame_len(m, len);
        tx_.m[tx_.n++] = m;
        return true;
    };

    for (;;) {
        const uint64_t now = rte_rdtsc();
        const uint16_t n = rte_eth_rx_burst(port_, 0, rx, burst);
        if (n != 0) {
            loop_.rx_frames.add(n);
            stash_.fill(n);
            for (uint16_t i = 0; i < n; ++i) {
                const uint8_t* f = rte_pktmbuf_mtod(rx[i], const uint8_t*);
                const uint16_t flen = rx[i]->data_len;
                produce([&](uint8_t* buf, uint16_t cap) {
                    return swarm_.on_frame(now, f, flen, buf, cap);
                });
            }
            rte_pktmbuf_free_bulk(rx, n);
            const uint64_t answered = swarm_.counters().exchanges.get();
            if (answered != exchanges_seen) {
                exchanges_seen = answered;
                last_answer = now;
            }
        }

        if (sending) {
            if (ctl.stop.load(std::memory_order_relaxed) || admit.over(now)) {
                sending = false;
                send_end = now;
                // Long enough for a last DORA with every retransmission, unless told.
                const double drain =
                    o_.drain_s >= 0 ? o_.drain_s : o_.timeout_ms / 1000.0 * (o_.retries + 1) * 2;
                drain_end = now + static_cast<uint64_t>(drain * hz);
                ctl.draining.store(true, std::memory_order_relaxed);
            } else {
                const uint32_t room =
                    o_.outstanding > swarm_.in_flight() ? o_.outstanding - swarm_.in_flight() : 0;
                const uint32_t want = admit.allow(now, room, loop_);
                if (want != 0) stash_.fill(static_cast<uint16_t>(want));
                uint32_t made = 0;
                while (made < want && swarm_.idle() != 0 &&
                       produce([&](uint8_t* buf, uint16_t cap) {
                           return swarm_.start_next(now, buf, cap);
                       }))
                    ++made;
                admit.started(made);
                if (made < want && swarm_.idle() == 0) admit.no_client(want - made, loop_);
            }
        }
        // Retransmissions and timeouts.
        if (swarm_.in_flight() != 0) {
            unsigned budget = kTimeoutChecksPerLoop;
            while (budget != 0 && tx_.n < kMaxBurst && stash_.fill(1)) {
                bool more = false;
                produce([&](uint8_t* buf, uint16_t cap) {
                    const uint16_t len = swarm_.poll_timeouts(now, budget, buf, cap);
                    more = len != 0;
                    return len;
                });
                if (!more) break;
            }
        }
        const bool sent = tx_.n != 0;
        tx_.flush(port_, loop_, ignore_refused);
        ctl.in_flight.store(swarm_.in_flight(), std::memory_order_relaxed);
        ctl.bound.store(swarm_.bound(), std::memory_order_relaxed);

        if (!sending && (swarm_.in_flight() == 0 || now >= drain_end ||
                         ctl.abort.load(std::memory_order_relaxed)))
            break;
        if (n != 0 || sent) {
            backoff.on_work();
        } else {
            loop_.idle_loops.add();
            backoff.on_idle();
        }
        loop_.loops.add();
    }
    const uint64_t done = rte_rdtsc();
    ctl.in_flight.store(0, std::memory_order_relaxed);

    report.send_s = static_cast<double>(send_end - start) / static_cast<double>(hz);
    report.elapsed_s =
        static_cast<double>(std::max(send_end, last_answer) - start) / static_cast<double>(hz);
    report.drain_s = static_cast<double>(done - send_end) / static_cast<double>(hz);
    fill_report(swarm_, report);
}

template class DhcpGenerator<DhcpSwarm>;
template class DhcpGenerator<Dhcp6Swarm>;

}  // namespace edgelease::loadgen
