#include "dataplane/telemetry.hpp"

#include <rte_telemetry.h>

#include <mutex>

namespace edgelease::dataplane {

namespace {
std::mutex g_mu;
const StatsRegistry* g_registry = nullptr;
bool g_registered = false;

void add_u64(rte_tel_data* d, const char* name, uint64_t v) {
    rte_tel_data_add_dict_u64(d, name, v);
}

int cmd_stats(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_registry == nullptr) return -1;
    StatsTotals t = g_registry->sum();
    rte_tel_data_start_dict(d);
    add_u64(d, "rx_packets", t.rx_packets);
    add_u64(d, "rx_bytes", t.rx_bytes);
    add_u64(d, "tx_packets", t.tx_packets);
    add_u64(d, "tx_bytes", t.tx_bytes);
    add_u64(d, "arp_replies", t.arp_replies);
    add_u64(d, "icmp_echo_replies", t.icmp_echo_replies);
    add_u64(d, "nd_adverts", t.nd_adverts);
    add_u64(d, "icmp6_echo_replies", t.icmp6_echo_replies);
    add_u64(d, "dropped", t.drops_total());
    for (size_t i = 0; i < t.drops.size(); ++i) {
        std::string key = "drop_" + std::string(kDropReasonNames[i]);
        add_u64(d, key.c_str(), t.drops[i]);
    }
    return 0;
}

int cmd_dns(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_registry == nullptr) return -1;
    const DnsTotals t = g_registry->sum().dns;
    rte_tel_data_start_dict(d);
    add_u64(d, "queries", t.queries);
    add_u64(d, "responses", t.responses);
    add_u64(d, "dropped", t.dropped);
    add_u64(d, "truncated", t.truncated);
    add_u64(d, "referrals", t.referrals);
    for (size_t i = 0; i < t.rcode.size(); ++i)
        add_u64(d, (std::string("rcode_") + dns::kRcodeSlotNames[i]).c_str(), t.rcode[i]);
    for (size_t i = 0; i < t.qtype.size(); ++i)
        add_u64(d, (std::string("qtype_") + dns::kQtypeSlotNames[i]).c_str(), t.qtype[i]);
    return 0;
}

int cmd_dhcp(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_registry == nullptr) return -1;
    rte_tel_data_start_dict(d);
    for (const auto& [name, value] : g_registry->dhcp()) add_u64(d, name.c_str(), value);
    return 0;
}

int cmd_lcores(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_registry == nullptr) return -1;
    rte_tel_data_start_dict(d);
    for (const auto& l : g_registry->lcores) {
        rte_tel_data* c = rte_tel_data_alloc();
        if (c == nullptr) return -1;
        rte_tel_data_start_dict(c);
        rte_tel_data_add_dict_string(c, "role", l.role.c_str());
        add_u64(c, "lcore_id", l.lcore_id);
        add_u64(c, "loops", l.stats->loops.get());
        add_u64(c, "idle_sleeps", l.stats->idle_sleeps.get());
        add_u64(c, "rx_packets", l.stats->rx_packets.get());
        add_u64(c, "tx_packets", l.stats->tx_packets.get());
        std::string key = l.role + "_" + std::to_string(l.index);
        rte_tel_data_add_dict_container(d, key.c_str(), c, 0);
    }
    return 0;
}
}  // namespace

void attach_telemetry(const StatsRegistry* registry) {
    std::lock_guard lock(g_mu);
    g_registry = registry;
    if (!g_registered) {
        rte_telemetry_register_cmd("/edgelease/stats", cmd_stats,
                                   "Packet counters and drops by reason, summed over lcores");
        rte_telemetry_register_cmd("/edgelease/dns", cmd_dns,
                                   "DNS queries, answers by rcode and queries by type");
        rte_telemetry_register_cmd(
            "/edgelease/dhcp", cmd_dhcp,
            "DHCP requests and replies by type, engine outcomes, lease store");
        rte_telemetry_register_cmd("/edgelease/lcores", cmd_lcores,
                                   "Per-lcore role, loop and idle counters");
        g_registered = true;
    }
}

void detach_telemetry() {
    std::lock_guard lock(g_mu);
    g_registry = nullptr;
}

}  // namespace edgelease::dataplane
