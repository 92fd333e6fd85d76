#include "loadgen/dns_gen.hpp"

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "common/idle.hpp"
#include "dataplane/wire/cursor.hpp"
#include "loadgen/admission.hpp"

namespace edgelease::loadgen {

namespace {
constexpr unsigned kExpirePerLoop = 32;  // in-flight slots the timeout hand looks at per loop

/// Whether an answer is what a generated query expected (RFC 1035 §4.1.1, RFC 2308).
bool as_expected(Expect e, const ResponseInfo& r) noexcept {
    switch (e) {
        case Expect::Hit:
            return r.rcode == 0 && r.ancount != 0;
        case Expect::NoData:
            return r.rcode == 0 && r.ancount == 0;
        case Expect::NxDomain:
            return r.rcode == 3;
        case Expect::Unknown:
            return true;
    }
    return true;
}
}  // namespace

DnsGenerator::DnsGenerator(const Options& o, const QueryTemplates& templates, uint16_t port_id,
                           rte_mempool* pool)
    : o_(o),
      templates_(templates),
      port_(port_id),
      pool_(pool),
      ns_per_tick_(1e9 / static_cast<double>(rte_get_tsc_hz())),
      dst_ip_(o.source.value),
      inflight_(o.outstanding) {}

void DnsGenerator::receive(uint64_t now, rte_mbuf** rx, uint16_t n) noexcept {
    loop_.rx_frames.add(n);
    for (uint16_t i = 0; i < n; ++i) {
        if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(rx[i + 1], void*));
        RxUdp u;
        ResponseInfo r;
        if (!parse_udp_frame(rte_pktmbuf_mtod(rx[i], const uint8_t*), rx[i]->data_len, u) ||
            u.dst_ip != dst_ip_ || u.src_port != o_.dns_port || u.dst_port < o_.src_port_base ||
            u.dst_port - o_.src_port_base >= InflightTable::kGenerations ||
            !parse_response(u.payload, u.payload_len, r)) {
            counters_.ignored.add();
            continue;
        }
        uint64_t sent_at = 0;
        uint32_t tmpl = 0;
        if (!inflight_.complete(r.id, static_cast<uint16_t>(u.dst_port - o_.src_port_base), sent_at,
                                tmpl)) {
            counters_.late.add();
            continue;
        }
        counters_.answered.add();
        last_answer_ = now;
        counters_.rcode[r.rcode & 0x0f].add();
        if (r.tc) counters_.truncated.add();
        if (!as_expected(templates_.expect(tmpl), r)) counters_.mismatched.add();
        latency_.record(static_cast<uint64_t>(static_cast<double>(now - sent_at) * ns_per_tick_));
    }
    rte_pktmbuf_free_bulk(rx, n);
}

uint16_t DnsGenerator::send(uint64_t now, uint16_t want) noexcept {
    if (want == 0) return 0;
    rte_mbuf* m[kMaxBurst];
    if (rte_pktmbuf_alloc_bulk(pool_, m, want) != 0) {
        loop_.alloc_failed.add();
        return 0;
    }
    const auto ntmpl = static_cast<uint32_t>(templates_.size());
    uint16_t made = 0;
    for (uint16_t i = 0; i < want; ++i) {
        const uint32_t t = next_tmpl_;
        uint16_t id = 0, gen = 0;
        if (!inflight_.acquire(now, t, id, gen)) break;
        next_tmpl_ = t + 1 == ntmpl ? 0 : t + 1;
        const uint16_t len = templates_.stamp(t, id, static_cast<uint16_t>(o_.src_port_base + gen),
                                              rte_pktmbuf_mtod(m[i], uint8_t*),
                                              static_cast<uint16_t>(rte_pktmbuf_tailroom(m[i])));
        set_frame_len(m[i], len);
        tx_.m[tx_.n++] = m[i];
        ++made;
    }
    if (made != want) rte_pktmbuf_free_bulk(m + made, want - made);
    const uint16_t sent = tx_.flush(port_, loop_, [this](rte_mbuf* r) {
        // Never on the wire: the slot goes back (its ID is the DNS ID of the frame).
        inflight_.cancel(wire::load_be16(rte_pktmbuf_mtod(r, const uint8_t*) + kPayloadOff));
    });
    counters_.sent.add(sent);
    return sent;
}

void DnsGenerator::run(RunControl& ctl, RunReport& report) noexcept {
    const uint64_t hz = rte_get_tsc_hz();
    const uint64_t timeout = o_.timeout_ms * hz / 1000;
    const uint16_t burst = o_.burst;
    IdleBackoff backoff(o_.idle_sleep_us);
    rte_mbuf* rx[kMaxBurst];

    const uint64_t start = rte_rdtsc();
    ctl.start_tsc.store(start, std::memory_order_relaxed);
    Admission admit(o_.rate, o_.count, o_.duration_s, burst, hz, start);
    uint64_t send_end = 0, drain_end = 0;
    bool sending = true;

    for (;;) {
        const uint64_t now = rte_rdtsc();
        const uint16_t n = rte_eth_rx_burst(port_, 0, rx, burst);
        if (n != 0) receive(now, rx, n);

        uint16_t sent = 0;
        if (sending) {
            if (ctl.stop.load(std::memory_order_relaxed) || admit.over(now)) {
                sending = false;
                send_end = now;
                const double drain = o_.drain_s >= 0 ? o_.drain_s : o_.timeout_ms / 1000.0;
                drain_end = now + static_cast<uint64_t>(drain * hz);
                ctl.draining.store(true, std::memory_order_relaxed);
            } else {
                const uint32_t room = inflight_.capacity() - inflight_.in_use();
                sent = send(now, static_cast<uint16_t>(admit.allow(now, room, loop_)));
                admit.started(sent);
            }
        }
        if (inflight_.in_use() != 0)
            counters_.lost.add(inflight_.expire(now > timeout ? now - timeout : 0, kExpirePerLoop));
        ctl.in_flight.store(inflight_.in_use(), std::memory_order_relaxed);

        if (!sending && (inflight_.in_use() == 0 || now >= drain_end ||
                         ctl.abort.load(std::memory_order_relaxed)))
            break;
        if (n != 0 || sent != 0) {
            backoff.on_work();
        } else {
            loop_.idle_loops.add();
            backoff.on_idle();
        }
        loop_.loops.add();
    }
    const uint64_t done = rte_rdtsc();
    const uint64_t last_answer = last_answer_;
    counters_.lost.add(inflight_.expire_all());
    ctl.in_flight.store(0, std::memory_order_relaxed);

    report.send_s = static_cast<double>(send_end - start) / static_cast<double>(hz);
    report.elapsed_s =
        static_cast<double>(std::max(send_end, last_answer) - start) / static_cast<double>(hz);
    report.drain_s = static_cast<double>(done - send_end) / static_cast<double>(hz);
    report.sent = counters_.sent.get();
    report.answered = counters_.answered.get();
    report.lost = counters_.lost.get();
    report.late = counters_.late.get();
    report.ignored = counters_.ignored.get();
    report.truncated = counters_.truncated.get();
    report.mismatched = counters_.mismatched.get();
    for (size_t i = 0; i < report.rcode.size(); ++i) report.rcode[i] = counters_.rcode[i].get();
    report.distinct_queries = templates_.size();
    report.latency = summarize(latency_);
}

}  // namespace edgelease::loadgen
