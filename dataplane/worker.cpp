#include "dataplane/worker.hpp"

#include <sys/prctl.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "common/idle.hpp"

namespace edgelease::dataplane {

namespace {
constexpr uint16_t kBurst = 32;
constexpr uint16_t kUdpDns = 53;
constexpr uint16_t kMtu = 1500;

/// Answers a DNS query in place. Verdict::Reply when the frame now holds the answer.
Verdict handle_dns(WorkerContext& w, const PortContext& port, const dns::ZoneView* zones,
                   PacketView& v, DropReason& why) noexcept {
    // Largest answer that still fits the link MTU once the IP and UDP headers are rebuilt
    // (without IP options or IPv6 extension headers), and the buffer.
    const uint16_t ip_hdr = v.is_v6 ? 40 : 20;
    uint16_t cap = static_cast<uint16_t>(kMtu - ip_hdr - 8);
    const uint16_t room = static_cast<uint16_t>(v.cap - v.payload_off);
    if (room < cap) cap = room;
    uint16_t n = dns::answer_query(zones, w.dns, v.data + v.payload_off, v.payload_len, cap,
                                   w.dns_stats);
    if (n == 0) {
        why = DropReason::DnsUnanswerable;
        return Verdict::Drop;
    }
    return turn_around_udp(port, v, n, why) ? Verdict::Reply : Verdict::Drop;
}
}  // namespace

void process_burst(WorkerContext& w, const WorkerQueue& q, const dns::ZoneView* zones,
                   rte_mbuf** pkts, uint16_t n) noexcept {
    rte_mbuf* out[kBurst];
    uint16_t nout = 0;
    uint64_t rx_bytes = 0;
    for (uint16_t i = 0; i < n; ++i) {
        if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
        rte_mbuf* m = pkts[i];
        rx_bytes += m->pkt_len;
        if (m->nb_segs != 1) {
            w.stats.drop(DropReason::MultiSegment);
            rte_pktmbuf_free(m);
            continue;
        }
        PacketView v;
        v.data = rte_pktmbuf_mtod(m, uint8_t*);
        v.len = m->data_len;
        v.cap = static_cast<uint16_t>(m->data_len + rte_pktmbuf_tailroom(m));
        DropReason why = DropReason::Runt;
        Verdict verdict = handle_frame(*q.port, v, why, w.stats);
        if (verdict == Verdict::Udp) {
            if (udp_dst_port(v) == kUdpDns) {
                verdict = handle_dns(w, *q.port, zones, v, why);
            } else {
                why = DropReason::UdpNoService;
                verdict = Verdict::Drop;
            }
        }
        if (verdict == Verdict::Reply) {
            m->data_len = v.len;
            m->pkt_len = v.len;
            m->ol_flags = 0;  // nothing offloaded: checksums were written in software
            out[nout++] = m;
        } else {
            w.stats.drop(why);
            rte_pktmbuf_free(m);
        }
    }
    w.stats.rx_packets.add(n);
    w.stats.rx_bytes.add(rx_bytes);
    if (nout == 0) return;
    uint64_t tx_bytes = 0;
    uint16_t sent = rte_eth_tx_burst(q.port_id, q.queue, out, nout);
    for (uint16_t i = 0; i < sent; ++i) tx_bytes += out[i]->pkt_len;
    w.stats.tx_packets.add(sent);
    w.stats.tx_bytes.add(tx_bytes);
    for (uint16_t i = sent; i < nout; ++i) {
        w.stats.drop(DropReason::TxFull);
        rte_pktmbuf_free(out[i]);
    }
}

int worker_main(void* arg) {
    auto& w = *static_cast<WorkerContext*>(arg);
    // Short idle sleeps must really be short: the default 50 us timer slack would dominate.
    prctl(PR_SET_TIMERSLACK, 1UL);
    IdleBackoff backoff(w.idle_sleep_us);
    rte_mbuf* pkts[kBurst];
    rte_rcu_qsbr_thread_online(w.qsbr, w.index);
    while (!w.stop->load(std::memory_order_relaxed)) {
        uint32_t got = 0;
        // Valid until the quiescent report below: the control lcore frees a replaced view
        // only after every worker has reported once since the swap.
        const dns::ZoneView* zones = w.zones != nullptr ? w.zones->current() : nullptr;
        for (const auto& q : w.queues) {
            uint16_t n = rte_eth_rx_burst(q.port_id, q.queue, pkts, kBurst);
            if (n == 0) continue;
            got += n;
            process_burst(w, q, zones, pkts, n);
        }
        rte_rcu_qsbr_quiescent(w.qsbr, w.index);
        w.stats.loops.add();
        if (got != 0) {
            backoff.on_work();
        } else if (backoff.on_idle()) {
            w.stats.idle_sleeps.add();
        }
    }
    rte_rcu_qsbr_thread_offline(w.qsbr, w.index);
    return 0;
}

}  // namespace edgelease::dataplane
