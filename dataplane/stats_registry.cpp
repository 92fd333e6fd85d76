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

std::string format_totals(const StatsTotals& t) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "rx=%" PRIu64 " tx=%" PRIu64 " arp=%" PRIu64 " icmp_echo=%" PRIu64
                  " nd=%" PRIu64 " icmp6_echo=%" PRIu64 " dns=%" PRIu64 "/%" PRIu64
                  " dropped=%" PRIu64,
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
