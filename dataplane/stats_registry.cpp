#include "dataplane/stats_registry.hpp"

#include <cinttypes>
#include <cstdio>

namespace edgelease::dataplane {

uint64_t StatsTotals::drops_total() const {
    uint64_t n = 0;
    for (auto d : drops) n += d;
    return n;
}

StatsTotals StatsRegistry::sum() const {
    StatsTotals t;
    for (const auto& l : lcores) {
        const LcoreStats& s = *l.stats;
        t.rx_packets += s.rx_packets.get();
        t.rx_bytes += s.rx_bytes.get();
        t.tx_packets += s.tx_packets.get();
        t.tx_bytes += s.tx_bytes.get();
        t.arp_replies += s.arp_replies.get();
        t.icmp_echo_replies += s.icmp_echo_replies.get();
        t.nd_adverts += s.nd_adverts.get();
        t.icmp6_echo_replies += s.icmp6_echo_replies.get();
        for (size_t i = 0; i < t.drops.size(); ++i) t.drops[i] += s.drops[i].get();
        if (l.dns != nullptr) {
            const dns::DnsStats& d = *l.dns;
            t.dns.queries += d.queries.get();
            t.dns.responses += d.responses.get();
            t.dns.dropped += d.dropped.get();
            t.dns.truncated += d.truncated.get();
            t.dns.referrals += d.referrals.get();
            for (size_t i = 0; i < t.dns.rcode.size(); ++i) t.dns.rcode[i] += d.rcode[i].get();
            for (size_t i = 0; i < t.dns.qtype.size(); ++i) t.dns.qtype[i] += d.qtype[i].get();
        }
    }
    return t;
}

NamedCounters StatsRegistry::dhcp() const {
    uint64_t received = 0, malformed = 0, queue_full = 0, sent = 0, alloc_failed = 0;
    std::array<uint64_t, 9> by_type{};
    for (const auto& l : lcores) {
        if (l.dhcp == nullptr) continue;
        received += l.dhcp->received.get();
        malformed += l.dhcp->malformed.get();
        queue_full += l.dhcp->queue_full.get();
        sent += l.dhcp->replies_sent.get();
        alloc_failed += l.dhcp->reply_alloc_failed.get();
        for (size_t i = 0; i < by_type.size(); ++i) by_type[i] += l.dhcp->by_type[i].get();
    }
    NamedCounters out{{"rx_requests", received},
                      {"rx_malformed", malformed},
                      {"rx_queue_full", queue_full},
                      {"tx_replies", sent},
                      {"tx_no_mbuf", alloc_failed}};
    for (size_t i = 1; i < by_type.size(); ++i)
        out.emplace_back("rx_" + std::string(dhcp::kMsgTypeNames[i]), by_type[i]);
    if (control_counters) control_counters(out);
    return out;
}

std::string format_totals(const StatsTotals& t) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "rx=%" PRIu64 " tx=%" PRIu64 " arp=%" PRIu64 " icmp_echo=%" PRIu64 " nd=%" PRIu64
                  " icmp6_echo=%" PRIu64 " dns=%" PRIu64 "/%" PRIu64 " dropped=%" PRIu64,
                  t.rx_packets, t.tx_packets, t.arp_replies, t.icmp_echo_replies, t.nd_adverts,
                  t.icmp6_echo_replies, t.dns.queries, t.dns.responses, t.drops_total());
    std::string out = buf;
    bool first = true;
    for (size_t i = 0; i < t.drops.size(); ++i) {
        if (t.drops[i] == 0) continue;
        out += first ? " (" : " ";
        first = false;
        out += std::string(kDropReasonNames[i]) + "=" + std::to_string(t.drops[i]);
    }
    if (!first) out += ")";
    return out;
}

}  // namespace edgelease::dataplane
