#pragma once
// Counters as a running appliance holds them, built without EAL (an Appliance needs it; the
// catalog's getters only need what they read). Shared by the renderer tests.
#include <memory>
#include <string>
#include <vector>

#include "app/catalog.hpp"

namespace edgelease::app::test {

/// What a running appliance with `workers` workers, two ports, DHCP and a lease store has.
struct Fixture {
    explicit Fixture(unsigned workers) {
        for (unsigned w = 0; w < workers; ++w) {
            lcore.push_back(std::make_unique<dataplane::LcoreStats>());
            dns.push_back(std::make_unique<dataplane::dns::DnsStats>());
            dhcp.push_back(std::make_unique<dataplane::dhcp::DhcpWorkerStats>());
            registry.lcores.push_back(
                {"worker", w, w + 1, lcore.back().get(), dns.back().get(), dhcp.back().get()});
        }
        lcore.push_back(std::make_unique<dataplane::LcoreStats>());
        registry.lcores.push_back(
            {"control", 0, workers + 1, lcore.back().get(), nullptr, nullptr});
        lcore.push_back(std::make_unique<dataplane::LcoreStats>());
        registry.lcores.push_back(
            {"sweeper", 0, workers + 2, lcore.back().get(), nullptr, nullptr});

        ports.resize(2);
        ports[0].name = "net_tap0";
        ports[0].port_id = 0;
        ports[0].queues = static_cast<uint16_t>(workers);
        ports[1].name = "0000:3b:00.0";
        ports[1].port_id = 1;
        ports[1].queues = 1;

        add_scope("lan", 100, 50, 3, 1);
        add_scope("empty", 0, 0, 0, 0);
        auto g6 = std::make_unique<control::dhcp::DhcpService::ScopeGauge6>();
        g6->name = "lan6";
        g6->addresses = 4096;
        g6->prefixes = UINT64_MAX;  // a /48 of /112s: saturated
        g6->addresses_bound = 10;
        g6->prefixes_bound = 7;
        g6->declined = 2;
        scopes6.push_back(std::move(g6));
    }

    void add_scope(const std::string& name, uint32_t size, uint32_t bound, uint32_t offered,
                   uint32_t declined) {
        auto g = std::make_unique<control::dhcp::DhcpService::ScopeGauge>();
        g->name = name;
        g->pool_size = size;
        g->bound = bound;
        g->offered = offered;
        g->declined = declined;
        scopes.push_back(std::move(g));
    }

    /// The lcores, ports, pool, and (unless told otherwise) the DHCP service and lease store.
    MetricsSources sources(bool with_dhcp = true, bool with_store = true) const {
        MetricsSources s;
        s.stats = &registry;
        s.ports = ports;
        if (with_dhcp) {
            s.dhcp = dhcp_service.get();
            s.scopes = scopes;
            s.scopes6 = scopes6;
            s.queues = queues;
            s.store_queue_depth = 12;
            s.store_queue_peak = 900;
        }
        if (with_store) s.store = store.get();
        s.port_counters = port_counters;
        s.pool = pool;
        return s;
    }
    /// sources() and every other subsystem: lease DNS, zone updates, sweeper, record store,
    /// reloads, DNS over TCP.
    MetricsSources all_sources() const {
        MetricsSources s = sources();
        s.lease_dns = &lease_dns;
        s.zone_updates = &zone_updates;
        s.sweeper = sweeper.get();
        s.records = &records;
        s.reloads = &reloads;
        s.dns_tcp = &dns_tcp;
        return s;
    }
    std::vector<dataplane::PortCounters> port_counters{2};
    dataplane::PoolCounters pool{8191, 8000};
    control::dnstcp::TcpStats dns_tcp;
    // One AXFR of lan., so that the per-zone series have a row.
    bool zone_counted = (dns_tcp.zones.of("lan.").outcomes[0].add(), true);

    std::vector<std::unique_ptr<dataplane::LcoreStats>> lcore;
    std::vector<std::unique_ptr<dataplane::dns::DnsStats>> dns;
    std::vector<std::unique_ptr<dataplane::dhcp::DhcpWorkerStats>> dhcp;
    dataplane::StatsRegistry registry;
    std::vector<dataplane::PortState> ports;
    std::unique_ptr<control::dhcp::DhcpServiceStats> dhcp_service =
        std::make_unique<control::dhcp::DhcpServiceStats>();
    std::vector<std::unique_ptr<control::dhcp::DhcpService::ScopeGauge>> scopes;
    std::vector<std::unique_ptr<control::dhcp::DhcpService::ScopeGauge6>> scopes6;
    std::vector<std::unique_ptr<control::dhcp::DhcpService::QueueGauge>> queues = [] {
        std::vector<std::unique_ptr<control::dhcp::DhcpService::QueueGauge>> q;
        for (uint32_t i = 0; i < 2; ++i) {
            q.push_back(std::make_unique<control::dhcp::DhcpService::QueueGauge>());
            q.back()->requests = 3 + i;
            q.back()->requests_peak = 700 + i;
            q.back()->replies = 5 + i;
            q.back()->replies_peak = 40 + i;
        }
        return q;
    }();
    std::unique_ptr<control::store::StoreStats> store =
        std::make_unique<control::store::StoreStats>();
    control::ddns::LeaseDnsStats lease_dns;
    control::ControlPlane::ZoneUpdateStats zone_updates;
    std::unique_ptr<control::sweeper::SweeperLink> sweeper =
        std::make_unique<control::sweeper::SweeperLink>(16, 16);
    control::store::RecordStoreStats records;
    ReloadStats reloads;
};

}  // namespace edgelease::app::test
