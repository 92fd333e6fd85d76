#include "dataplane/worker.hpp"

#include <sys/prctl.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include <cstring>

#include "common/idle.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "dataplane/dhcp/frame6.hpp"
#include "dataplane/dns/dns_frame.hpp"
#include "dataplane/exception.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"

namespace edgelease::dataplane {

namespace {

/// An ARP request or an IPv6 Neighbor Solicitation, untagged. The workers answer those for
/// the appliance's addresses; the kernel behind the exception path also gets a copy, so
/// that its neighbour entry for the sender follows a client whose MAC changed (a host learns
/// from requests for its own addresses: RFC 826, RFC 4861 §7.2.3). Without it the kernel
/// would keep sending TCP to the old MAC until its entry went stale. Its own answers to them
/// are kept off the wire (keep_from_wire).
bool neighbour_solicitation(const uint8_t* f, uint16_t len) noexcept {
    if (len < 14) return false;
    const uint16_t type = static_cast<uint16_t>(f[12] << 8 | f[13]);
    if (type == 0x0806) return len >= 14 + 8 && f[14 + 6] == 0 && f[14 + 7] == 1;
    return type == 0x86dd && len >= 14 + 40 + 1 && f[14 + 6] == 58 && f[14 + 40] == 135;
}

constexpr uint16_t kBurst = 32;
/// The longest an idle worker blocks without an event ([dpdk].idle = "interrupt"): a safety
/// net only, since frames, doorbells and stop all wake it.
constexpr int kWaitTimeoutMs = 100;
constexpr uint16_t kUdpDns = 53;
constexpr uint16_t kUdpDhcp = 67;
constexpr uint16_t kUdpDhcp6 = dhcp::kServerPort6;

/// The L2 part of a reply path, common to DHCPv4 and DHCPv6: port, worker, interface, VLAN
/// tags as received (PCP and DEI kept), source MAC and UDP source port.
template <class Path>
void fill_path(Path& p, const WorkerContext& w, const WorkerQueue& q,
               const PacketView& v) noexcept {
    namespace eth = wire::eth;
    namespace vlan = wire::vlan;
    p.port_id = q.port_id;
    p.worker = static_cast<uint16_t>(w.index);
    p.iface_index = v.iface->index;
    p.vlan_count = v.vlan_count;
    for (uint8_t i = 0; i < v.vlan_count && i < vlan::kMaxTags; ++i) {
        const uint8_t* tag = v.data + eth::kTypeOff + vlan::kTagLen * i;
        p.vlan_tpid[i] = wire::load_be16(tag);
        p.vlan_tci[i] = wire::load_be16(tag + 2);
    }
    std::memcpy(p.src_mac.bytes.data(), v.data + eth::kSrcOff, eth::kAddrLen);
    p.src_port = wire::load_be16(v.data + v.l4_off + wire::udp::kSrcPortOff);
}

/// Milliseconds on the worker's clock (the TSC): for DHCP admission, which only compares them.
uint64_t now_ms(const WorkerContext& w) noexcept {
    return rte_rdtsc() / w.tsc_per_ms;
}

/// Parses a DHCPv4 request and hands it to the control lcore. True when queued (the mbuf is
/// then done with); false with `why` set otherwise.
bool handle_dhcp(WorkerContext& w, const WorkerQueue& q, const PacketView& v,
                 DropReason& why) noexcept {
    if (w.dhcp == nullptr || v.is_v6) {
        why = DropReason::UdpNoService;
        return false;
    }
    // Build in place in the queue's next slot would save a copy; requests are rare next to
    // DNS, so parse into a stack struct and push.
    dhcp::DhcpRequest req;
    auto err =
        edgelease::dataplane::dhcp::parse_request(v.data + v.payload_off, v.payload_len, req);
    if (err != edgelease::dataplane::dhcp::ParseError::None) {
        w.dhcp_stats.malformed.add();
        w.dhcp_stats.parse_errors[static_cast<size_t>(err)].add();
        why = DropReason::DhcpMalformed;
        return false;
    }
    // Only this worker pushes: room now is room at the push. A full queue drops what would
    // not be shed anyway; what starts an exchange is shed (counted as such) first.
    const size_t room = w.dhcp->requests.write_available();
    const bool starts = dhcp::is_start(req.msg_type);
    if (room == 0 && (!starts || !w.admission)) {
        w.dhcp_stats.queue_full.add();
        why = DropReason::DhcpQueueFull;
        return false;
    }
    if (w.admission) {
        uint8_t id[dhcp::kMaxAdmissionId];
        const size_t id_len = dhcp::admission_id(req, id);
        const auto verdict =
            w.admission->check(starts, static_cast<uint8_t>(req.msg_type), id, id_len,
                               dhcp::transaction_of(req), dhcp::kQueueDepth - room, now_ms(w));
        if (verdict != dhcp::DhcpAdmission::Verdict::Queue) {
            const bool shed = verdict == dhcp::DhcpAdmission::Verdict::Shed;
            (shed ? w.dhcp_stats.shed : w.dhcp_stats.repeats).add();
            why = shed ? DropReason::DhcpShed : DropReason::DhcpRepeat;
            return false;
        }
    }
    dhcp::ReplyPath& p = req.path;
    fill_path(p, w, q, v);
    p.src_ip = wire::load_be32(v.data + v.l3_off + wire::ipv4::kSrcOff);
    p.dst_ip = wire::load_be32(v.data + v.l3_off + wire::ipv4::kDstOff);
    w.dhcp->requests.push(req);
    w.dhcp_stats.received.add();
    w.dhcp_stats.by_type[static_cast<size_t>(req.msg_type)].add();
    return true;
}

/// Parses a DHCPv6 client message (relayed or direct; handle_frame let it through only to one
/// of our addresses or a DHCPv6 group) and hands it to the control lcore. True when queued;
/// false with `why` set otherwise.
bool handle_dhcp6(WorkerContext& w, const WorkerQueue& q, const PacketView& v,
                  DropReason& why) noexcept {
    if (w.dhcp == nullptr || !v.is_v6) {
        why = DropReason::UdpNoService;
        return false;
    }
    dhcp::Dhcp6Request req;  // about 2 KiB of stack, copied once into the queue
    const auto err = dhcp::parse_request6(v.data + v.payload_off, v.payload_len, req);
    if (err != dhcp::Parse6Error::None) {
        w.dhcp_stats.malformed6.add();
        w.dhcp_stats.parse_errors6[static_cast<size_t>(err)].add();
        why = DropReason::Dhcp6Malformed;
        return false;
    }
    // Only this worker pushes: room now is room at the push. A full queue drops what would
    // not be shed anyway; what starts an exchange is shed (counted as such) first.
    const size_t room = w.dhcp->requests6.write_available();
    const bool starts = dhcp::is_start6(req.msg_type);
    if (room == 0 && (!starts || !w.admission)) {
        w.dhcp_stats.queue_full6.add();
        why = DropReason::Dhcp6QueueFull;
        return false;
    }
    if (w.admission) {
        uint8_t id[dhcp::kMaxAdmissionId];
        const size_t id_len = dhcp::admission_id6(req, id);
        const auto verdict =
            w.admission->check(starts, static_cast<uint8_t>(req.msg_type), id, id_len, req.xid,
                               dhcp::kQueueDepth - room, now_ms(w));
        if (verdict != dhcp::DhcpAdmission::Verdict::Queue) {
            const bool shed = verdict == dhcp::DhcpAdmission::Verdict::Shed;
            (shed ? w.dhcp_stats.shed6 : w.dhcp_stats.repeats6).add();
            why = shed ? DropReason::Dhcp6Shed : DropReason::Dhcp6Repeat;
            return false;
        }
    }
    dhcp::ReplyPath6& p = req.path;
    fill_path(p, w, q, v);
    const uint8_t* ip6 = v.data + v.l3_off;
    std::memcpy(p.src_ip.bytes.data(), ip6 + wire::ipv6::kSrcOff, wire::ipv6::kAddrLen);
    std::memcpy(p.dst_ip.bytes.data(), ip6 + wire::ipv6::kDstOff, wire::ipv6::kAddrLen);
    w.dhcp->requests6.push(req);
    w.dhcp_stats.received6.add();
    w.dhcp_stats.by_type6[static_cast<size_t>(req.msg_type)].add();
    return true;
}

/// Frames up to one burst of replies from one of the channel's reply queues (of DhcpReply
/// or Dhcp6Reply; `build(port, reply, buf, cap)` builds a frame) and sends them;
/// `sent_counter` counts what the port took. Returns how many replies were taken off the
/// queue.
template <class Queue, class Build>
unsigned send_replies(WorkerContext& w, Queue& queue, Build build,
                      edgelease::Counter& sent_counter) noexcept {
    if (queue.read_available() == 0) return 0;
    rte_mbuf* out[kBurst];
    uint16_t n = 0, port = 0;
    auto flush = [&] {
        if (n == 0) return;
        uint16_t sent = rte_eth_tx_burst(port, static_cast<uint16_t>(w.index), out, n);
        w.stats.tx_packets.add(sent);
        sent_counter.add(sent);
        for (uint16_t i = sent; i < n; ++i) {
            w.stats.drop(DropReason::TxFull);
            rte_pktmbuf_free(out[i]);
        }
        n = 0;
    };
    unsigned handled = 0;
    while (handled < kBurst) {
        bool got = queue.consume_one([&](const auto& r) {
            const PortContext* ctx = nullptr;
            for (const auto& q : w.queues)
                if (q.port_id == r.path.port_id) ctx = q.port;
            rte_mbuf* m = ctx != nullptr ? rte_pktmbuf_alloc(w.pool) : nullptr;
            if (m == nullptr) {
                w.dhcp_stats.reply_alloc_failed.add();
                return;
            }
            uint16_t room = static_cast<uint16_t>(rte_pktmbuf_tailroom(m));
            uint16_t len = build(*ctx, r, rte_pktmbuf_mtod(m, uint8_t*), room);
            if (len == 0) {
                w.stats.drop(DropReason::NoRoom);
                rte_pktmbuf_free(m);
                return;
            }
            m->data_len = len;
            m->pkt_len = len;
            if (n != 0 && port != r.path.port_id) flush();
            port = r.path.port_id;
            out[n++] = m;
        });
        if (!got) break;
        ++handled;
    }
    flush();
    return handled;
}

}  // namespace

unsigned send_dhcp_replies(WorkerContext& w) noexcept {
    if (w.dhcp == nullptr) return 0;
    // A burst from each queue, so that neither family waits behind the other.
    const auto build4 = [](const PortContext& port, const dhcp::DhcpReply& r, uint8_t* buf,
                           uint16_t cap) noexcept {
        return dhcp::build_reply_frame(port.mac, r, buf, cap);
    };
    // A reply to a request sent to a DHCPv6 group may come with source ::, the worker's to fill
    // (every interface has a link-local address, port_context.cpp, so there is one).
    const auto build6 = [](const PortContext& port, const dhcp::Dhcp6Reply& r, uint8_t* buf,
                           uint16_t cap) noexcept {
        const net::Ipv6Addr* src = r.src_ip == net::Ipv6Addr{}
                                       ? reply_source_v6(port, r.path.iface_index, r.dst_ip)
                                       : nullptr;
        return dhcp::build_reply_frame6(port.mac, r, buf, cap, src);
    };
    return send_replies(w, w.dhcp->replies, build4, w.dhcp_stats.replies_sent) +
           send_replies(w, w.dhcp->replies6, build6, w.dhcp_stats.replies_sent6);
}

void process_burst(WorkerContext& w, const WorkerQueue& q, const dns::ZoneView* zones,
                   rte_mbuf** pkts, uint16_t n) noexcept {
    if (n > kBurst) {
        // The worker loop never passes more; other callers get it in kBurst pieces (`out`
        // and the prefetch bookkeeping below hold one burst).
        for (uint16_t at = 0; at < n; at = static_cast<uint16_t>(at + kBurst))
            process_burst(w, q, zones, pkts + at,
                          static_cast<uint16_t>(n - at < kBurst ? n - at : kBurst));
        return;
    }
    rte_mbuf* out[kBurst];
    uint16_t nout = 0;
    rte_mbuf* to_kernel[kBurst];  // for the exception path, unchanged
    uint16_t nkernel = 0;
    uint64_t rx_bytes = 0;
    bool queued_dhcp = false;
    // The name lookups of a burst, started early: each slot is requested here, and each
    // node two packets ahead of its query (its slot in cache by then), so find() mostly hits
    // the cache instead of waiting on memory twice per query.
    uint64_t hashes[kBurst];
    uint32_t hinted = 0;  // bit i: hashes[i] is valid
    static_assert(kBurst <= 32, "one bit per packet in `hinted`");
    if (zones != nullptr) {
        for (uint16_t i = 0; i < n; ++i) {
            if (dns::qname_hash_hint(rte_pktmbuf_mtod(pkts[i], const uint8_t*), pkts[i]->data_len,
                                     hashes[i])) {
                hinted |= 1u << i;
                zones->prefetch_slot(hashes[i]);
            }
        }
        for (uint16_t i = 0; i < n && i < 2; ++i)
            if (hinted & (1u << i)) zones->prefetch_node(hashes[i]);
    }
    for (uint16_t i = 0; i < n; ++i) {
        if (i + 1 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void*));
        if (i + 2 < n && (hinted & (1u << (i + 2)))) zones->prefetch_node(hashes[i + 2]);
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
        // A solicitation the worker answers goes to the kernel too, copied before the answer
        // overwrites it (neighbour_solicitation()). Rare: ARP and ND only.
        rte_mbuf* copy = q.tap_id != kNoTap && neighbour_solicitation(v.data, v.len)
                             ? rte_pktmbuf_copy(m, w.pool, 0, UINT32_MAX)
                             : nullptr;
        DropReason why = DropReason::Runt;
        Verdict verdict = handle_frame(*q.port, v, why, w.stats);
        if (copy != nullptr) {
            if (verdict == Verdict::Reply)
                to_kernel[nkernel++] = copy;  // one entry per frame at most: m is the reply
            else
                rte_pktmbuf_free(copy);
        }
        if (verdict == Verdict::Udp) {
            const uint16_t dport = udp_dst_port(v);
            if (dport == kUdpDns) {
                // The hint read the question where this payload holds it (same frame, no VLAN
                // tag, the IP header's own length), so its hash is the question's.
                verdict = answer_dns_frame(*q.port, zones, w.dns, w.dns_stats, v,
                                           (hinted & (1u << i)) ? &hashes[i] : nullptr, why,
                                           w.rrl.get(), w.now_s);
            } else if (dport == kUdpDhcp) {
                if (handle_dhcp(w, q, v, why)) {
                    rte_pktmbuf_free(m);  // handed over as a DhcpRequest
                    queued_dhcp = true;
                    continue;
                }
                verdict = Verdict::Drop;
            } else if (dport == kUdpDhcp6) {
                if (handle_dhcp6(w, q, v, why)) {
                    rte_pktmbuf_free(m);  // handed over as a Dhcp6Request
                    queued_dhcp = true;
                    continue;
                }
                verdict = Verdict::Drop;
            } else {
                why = DropReason::UdpNoService;
                verdict = v.to_us ? Verdict::Kernel : Verdict::Drop;
            }
        }
        // The kernel's: untagged only (the exception interface has no VLANs).
        if (verdict == Verdict::Kernel && q.tap_id != kNoTap && v.vlan_count == 0) {
            to_kernel[nkernel++] = m;
            continue;
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
    if (queued_dhcp && w.dhcp->control_bell != nullptr) w.dhcp->control_bell->ring();
    if (nkernel != 0) {
        const uint16_t handed = rte_eth_tx_burst(q.tap_id, q.queue, to_kernel, nkernel);
        w.stats.to_kernel.add(handed);
        for (uint16_t i = handed; i < nkernel; ++i) {
            w.stats.drop(DropReason::KernelQueueFull);  // never a stall of the worker
            rte_pktmbuf_free(to_kernel[i]);
        }
    }
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

unsigned forward_from_kernel(WorkerContext& w, const WorkerQueue& q) noexcept {
    if (q.tap_id == kNoTap) return 0;
    rte_mbuf* pkts[kBurst];
    const uint16_t n = rte_eth_rx_burst(q.tap_id, q.queue, pkts, kBurst);
    if (n == 0) return 0;
    rte_mbuf* out[kBurst];
    uint16_t nout = 0;
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        if (keep_from_wire(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len)) {
            w.stats.kernel_filtered.add();
            rte_pktmbuf_free(m);
            continue;
        }
        bytes += m->pkt_len;
        out[nout++] = m;
    }
    const uint16_t sent = nout == 0 ? 0 : rte_eth_tx_burst(q.port_id, q.queue, out, nout);
    w.stats.from_kernel.add(sent);
    w.stats.tx_packets.add(sent);
    uint64_t unsent_bytes = 0;
    for (uint16_t i = sent; i < nout; ++i) {
        unsent_bytes += out[i]->pkt_len;
        w.stats.drop(DropReason::TxFull);
        rte_pktmbuf_free(out[i]);
    }
    w.stats.tx_bytes.add(bytes - unsent_bytes);
    return n;
}

int worker_main(void* arg) {
    auto& w = *static_cast<WorkerContext*>(arg);
    // Short idle sleeps must really be short: the default 50 us timer slack would dominate.
    prctl(PR_SET_TIMERSLACK, 1UL);
    Doorbell* bell = w.dhcp != nullptr ? &w.dhcp->worker_bell : nullptr;
    IdleBackoff backoff(w.waiter ? 1 : w.idle_sleep_us, w.waiter ? nullptr : bell);
    // Work the control lcore handed over since the last poll: re-checked after announcing a
    // sleep, so that a ring racing the announcement is never lost (Doorbell).
    auto replies_pending = [&w]() noexcept {
        return w.dhcp != nullptr &&
               (w.dhcp->replies.read_available() != 0 || w.dhcp->replies6.read_available() != 0);
    };
    rte_mbuf* pkts[kBurst];
    bool armed = false;   // the waiter's Rx interrupts are armed (RxWaiter::arm)
    bool napped = false;  // this idle stretch had its coalescing nap ([dpdk].coalesce_us)
    const timespec nap{0, static_cast<long>(w.coalesce_us) * 1000};
    rte_rcu_qsbr_thread_online(w.qsbr, w.index);
    while (!w.stop->load(std::memory_order_relaxed)) {
        uint32_t got = 0;
        // Valid until the quiescent report below: the control lcore frees a replaced view
        // only after every worker has reported once since the swap.
        const dns::ZoneView* zones = w.zones != nullptr ? w.zones->current() : nullptr;
        // Rate limiting and cookies count in whole Unix seconds: one division per loop, only
        // when one of them is on.
        if (w.rrl || w.dns.cookie_secret != nullptr)
            w.now_s = static_cast<uint32_t>(w.unix_base + rte_rdtsc() / w.tsc_hz);
        for (const auto& q : w.queues) {
            uint16_t n = rte_eth_rx_burst(q.port_id, q.queue, pkts, kBurst);
            if (n == 0) continue;
            got += n;
            process_burst(w, q, zones, pkts, n);
        }
        if (w.has_tap) {
            const uint64_t now = rte_rdtsc();
            if (now >= w.next_kernel_poll) {
                unsigned took = 0;
                for (const auto& q : w.queues) took += forward_from_kernel(w, q);
                w.next_kernel_poll = took != 0 ? now : now + w.kernel_poll_cycles;
                got += took;
            }
        }
        got += send_dhcp_replies(w);
        rte_rcu_qsbr_quiescent(w.qsbr, w.index);
        w.stats.loops.add();
        if (got != 0) {
            backoff.on_work();
            napped = false;
            if (armed) {
                w.waiter->disarm();
                armed = false;
            }
        } else if (w.waiter) {
            if (!backoff.ready_to_block()) continue;
            if (w.coalesce_us != 0 && !napped) {
                // Interrupt moderation: a timed nap, then one more poll, before blocking. Under
                // load the poll after it finds what arrived meanwhile, one wake-up for many
                // frames instead of one per frame (in a CPU share each wake-up is paid for:
                // docs/benchmarks.md). Not offline for RCU: grace periods wait one nap at most.
                napped = true;
                nanosleep(&nap, nullptr);
                w.stats.idle_naps.add();
                continue;
            }
            if (!armed) {
                armed = true;
                // What the PMD had before it was armed raised no interrupt: poll once more.
                if (w.waiter->arm()) continue;
            }
            if (bell != nullptr) bell->prepare();
            if (replies_pending()) {
                bell->cancel();
                backoff.on_work();
                w.waiter->disarm();
                armed = false;
                continue;
            }
            // Offline while asleep: the control lcore's grace periods do not wait for it.
            rte_rcu_qsbr_thread_offline(w.qsbr, w.index);
            w.waiter->wait(kWaitTimeoutMs);
            if (bell != nullptr) bell->done_waiting();
            rte_rcu_qsbr_thread_online(w.qsbr, w.index);
            w.waiter->disarm();
            armed = false;
            w.next_kernel_poll = 0;  // the tap's queue may be what woke it
            w.stats.idle_sleeps.add();
        } else if (backoff.on_idle(replies_pending)) {
            w.stats.idle_sleeps.add();
        }
    }
    rte_rcu_qsbr_thread_offline(w.qsbr, w.index);
    return 0;
}

}  // namespace edgelease::dataplane
