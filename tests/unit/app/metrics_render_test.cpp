// The appliance's /metrics document, rendered from counters built here (an Appliance needs
// EAL; the renderer only needs what it reads). Checks families, labels, values, and promtool.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/metrics.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "tests/unit/app/promtool.hpp"
#include "tests/unit/app/sources_fixture.hpp"

namespace edgelease::app {
namespace {

using dataplane::DropReason;
using test::Fixture;

struct Parsed {
    std::vector<std::string> families;           // in TYPE order
    std::map<std::string, std::string> types;    // family -> type
    std::map<std::string, std::string> samples;  // "name{labels}" -> value
    std::vector<std::string> errors;
};

/// A strict reader of what the renderer writes: HELP then TYPE per family, samples named
/// after the family they follow, no series twice.
Parsed parse(const std::string& doc) {
    Parsed p;
    std::istringstream in(doc);
    std::string family, type, pending_help;
    for (std::string l; std::getline(in, l);) {
        if (l.rfind("# HELP ", 0) == 0) {
            pending_help = l.substr(7, l.find(' ', 7) - 7);
            continue;
        }
        if (l.rfind("# TYPE ", 0) == 0) {
            std::istringstream t(l.substr(7));
            t >> family >> type;
            if (family != pending_help) p.errors.push_back("TYPE without HELP: " + l);
            if (p.types.count(family)) p.errors.push_back("family twice: " + family);
            p.types[family] = type;
            p.families.push_back(family);
            continue;
        }
        const size_t sp = l.rfind(' ');
        const std::string series = l.substr(0, sp), value = l.substr(sp + 1);
        const std::string name = series.substr(0, series.find('{'));
        bool ok = name == family;
        if (type == "histogram")
            ok = name == family + "_bucket" || name == family + "_sum" || name == family + "_count";
        if (!ok) p.errors.push_back("sample outside its family: " + l);
        if (!p.samples.emplace(series, value).second) p.errors.push_back("series twice: " + l);
    }
    return p;
}

TEST(RenderMetrics, EveryFamilyOnceWithHelpAndType) {
    Fixture f(2);
    const Parsed p = parse(render_metrics(f.sources()));
    EXPECT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    const std::map<std::string, std::string> expected{
        {"edgelease_build_info", "gauge"},
        {"edgelease_port_info", "gauge"},
        {"edgelease_lcore_info", "gauge"},
        {"edgelease_lcore_loops_total", "counter"},
        {"edgelease_lcore_idle_sleeps_total", "counter"},
        {"edgelease_lcore_idle_naps_total", "counter"},
        {"edgelease_rx_packets_total", "counter"},
        {"edgelease_tx_packets_total", "counter"},
        {"edgelease_rx_bytes_total", "counter"},
        {"edgelease_tx_bytes_total", "counter"},
        {"edgelease_drops_total", "counter"},
        {"edgelease_inline_answers_total", "counter"},
        {"edgelease_port_rx_packets_total", "counter"},
        {"edgelease_port_tx_packets_total", "counter"},
        {"edgelease_port_rx_nombuf_total", "counter"},
        {"edgelease_port_rx_missed_total", "counter"},
        {"edgelease_port_rx_errors_total", "counter"},
        {"edgelease_port_tx_errors_total", "counter"},
        {"edgelease_packet_pool_mbufs", "gauge"},
        {"edgelease_dns_queries_total", "counter"},
        {"edgelease_dns_responses_total", "counter"},
        {"edgelease_dns_queries_by_type_total", "counter"},
        {"edgelease_dns_truncated_total", "counter"},
        {"edgelease_dns_referrals_total", "counter"},
        {"edgelease_dns_cookies_invalid_total", "counter"},
        {"edgelease_dns_cookies_valid_total", "counter"},
        {"edgelease_dns_rrl_dropped_total", "counter"},
        {"edgelease_dns_rrl_exempt_total", "counter"},
        {"edgelease_dns_rrl_slipped_total", "counter"},
        {"edgelease_dns_dropped_total", "counter"},
        {"edgelease_dhcp_requests_received_total", "counter"},
        {"edgelease_dhcp_malformed_total", "counter"},
        {"edgelease_dhcp_parse_errors_total", "counter"},
        {"edgelease_dhcp_queue_full_total", "counter"},
        {"edgelease_dhcp_shed_total", "counter"},
        {"edgelease_dhcp_repeats_total", "counter"},
        {"edgelease_dhcp_queue_depth", "gauge"},
        {"edgelease_dhcp_queue_depth_peak", "gauge"},
        {"edgelease_lease_store_queue_depth", "gauge"},
        {"edgelease_lease_store_queue_depth_peak", "gauge"},
        {"edgelease_dhcp_replies_sent_total", "counter"},
        {"edgelease_dhcp_reply_alloc_failed_total", "counter"},
        {"edgelease_exception_to_kernel_total", "counter"},
        {"edgelease_exception_from_kernel_total", "counter"},
        {"edgelease_exception_filtered_total", "counter"},
        {"edgelease_dhcp6_requests_received_total", "counter"},
        {"edgelease_dhcp6_malformed_total", "counter"},
        {"edgelease_dhcp6_parse_errors_total", "counter"},
        {"edgelease_dhcp6_queue_full_total", "counter"},
        {"edgelease_dhcp6_shed_total", "counter"},
        {"edgelease_dhcp6_repeats_total", "counter"},
        {"edgelease_dhcp6_replies_sent_total", "counter"},
        {"edgelease_dhcp6_requests_processed_total", "counter"},
        {"edgelease_dhcp6_replies_total", "counter"},
        {"edgelease_dhcp6_outcomes_total", "counter"},
        {"edgelease_dhcp6_relay_limited_total", "counter"},
        {"edgelease_dhcp6_leases_expired_total", "counter"},
        {"edgelease_dhcp6_pool_size", "gauge"},
        {"edgelease_dhcp6_leases", "gauge"},
        {"edgelease_dhcp6_pool_free", "gauge"},
        {"edgelease_dhcp_requests_processed_total", "counter"},
        {"edgelease_dhcp_replies_total", "counter"},
        {"edgelease_dhcp_outcomes_total", "counter"},
        {"edgelease_dhcp_acks_held_total", "counter"},
        {"edgelease_dhcp_acks_dropped_storage_error_total", "counter"},
        {"edgelease_dhcp_reply_queue_full_total", "counter"},
        {"edgelease_dhcp_relay_limited_total", "counter"},
        {"edgelease_dhcp_leases_expired_total", "counter"},
        {"edgelease_dhcp_leases_expired_by_sweeper_total", "counter"},
        {"edgelease_dhcp_leases_expired_by_backstop_total", "counter"},
        {"edgelease_dhcp_expiry_entries_stale_total", "counter"},
        {"edgelease_dhcp_store_backpressure_total", "counter"},
        {"edgelease_dhcp_alloc_failures_total", "counter"},
        {"edgelease_dhcp_pool_size", "gauge"},
        {"edgelease_dhcp_leases", "gauge"},
        {"edgelease_dhcp_pool_utilisation", "gauge"},
        {"edgelease_lease_store_commits_total", "counter"},
        {"edgelease_lease_store_records_total", "counter"},
        {"edgelease_lease_store_failures_total", "counter"},
        {"edgelease_lease_store_map_resizes_total", "counter"},
        {"edgelease_lease_store_map_full_total", "counter"},
        {"edgelease_lease_store_writer_wakeups_total", "counter"},
        {"edgelease_lease_store_meta_syncs_total", "counter"},
        {"edgelease_lease_store_commit_duration_seconds", "histogram"},
        {"edgelease_lease_store_commit_duration_max_seconds", "gauge"},
    };
    EXPECT_EQ(p.types, expected);
    EXPECT_EQ(p.samples.at(R"(edgelease_build_info{version="0.1.0"})"), "1");
}

TEST(RenderMetrics, QueueDepthsPerWorkerAndReloads) {
    Fixture f(2);
    ReloadStats reloads;
    reloads.applied = 3;
    reloads.refused = 2;
    reloads.last_applied = 1700000000;
    reloads.leases_dropped = 7;
    auto src = f.sources();
    src.reloads = &reloads;
    const Parsed p = parse(render_metrics(src));
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_queue_depth{worker="0",queue="requests"})"), "3");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_queue_depth{worker="1",queue="replies"})"), "6");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_queue_depth_peak{worker="1",queue="requests"})"),
              "701");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_queue_depth_peak{worker="0",queue="replies"})"), "40");
    EXPECT_EQ(p.samples.at("edgelease_lease_store_queue_depth"), "12");
    EXPECT_EQ(p.samples.at("edgelease_lease_store_queue_depth_peak"), "900");
    EXPECT_EQ(p.samples.at(R"(edgelease_reloads_total{result="applied"})"), "3");
    EXPECT_EQ(p.samples.at(R"(edgelease_reloads_total{result="refused"})"), "2");
    EXPECT_EQ(p.samples.at(R"(edgelease_reloads_total{result="failed"})"), "0");
    EXPECT_EQ(p.samples.at("edgelease_reload_last_applied_timestamp_seconds"), "1700000000");
    EXPECT_EQ(p.samples.at("edgelease_reload_leases_dropped_total"), "7");
    EXPECT_EQ(p.types.at("edgelease_reloads_total"), "counter");
}

TEST(RenderMetrics, PacketCountersPerWorker) {
    Fixture f(2);
    f.lcore[0]->rx_packets.add(10);
    f.lcore[1]->rx_packets.add(20);
    f.lcore[1]->tx_bytes.add(1500);
    f.lcore[1]->drop(DropReason::TxFull);
    f.lcore[1]->drop(DropReason::TxFull);
    f.lcore[0]->nd_adverts.add(4);
    f.lcore[2]->loops.add(99);       // control
    f.lcore[3]->idle_sleeps.add(7);  // sweeper
    const Parsed p = parse(render_metrics(f.sources()));
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.at(R"(edgelease_rx_packets_total{lcore="worker_0"})"), "10");
    EXPECT_EQ(p.samples.at(R"(edgelease_rx_packets_total{lcore="worker_1"})"), "20");
    EXPECT_EQ(p.samples.at(R"(edgelease_tx_bytes_total{lcore="worker_1"})"), "1500");
    EXPECT_EQ(p.samples.at(R"(edgelease_drops_total{lcore="worker_1",reason="tx_full"})"), "2");
    EXPECT_EQ(p.samples.at(R"(edgelease_drops_total{lcore="worker_0",reason="tx_full"})"), "0");
    EXPECT_EQ(p.samples.at(R"(edgelease_inline_answers_total{lcore="worker_0",kind="nd"})"), "4");
    EXPECT_EQ(p.samples.at(R"(edgelease_lcore_loops_total{lcore="control_0",role="control"})"),
              "99");
    EXPECT_EQ(
        p.samples.at(R"(edgelease_lcore_idle_sleeps_total{lcore="sweeper_0",role="sweeper"})"),
        "7");
    EXPECT_EQ(p.samples.at(R"(edgelease_lcore_info{lcore="worker_1",role="worker",lcore_id="2"})"),
              "1");
    EXPECT_EQ(p.samples.at(R"(edgelease_port_info{port="0000:3b:00.0",port_id="1",queues="1"})"),
              "1");

    // Every drop reason for every worker, zeros included; none for the service lcores.
    size_t drops = 0;
    for (const auto& [series, value] : p.samples) {
        if (series.rfind("edgelease_drops_total{", 0) != 0) continue;
        ++drops;
        EXPECT_EQ(series.find("control"), std::string::npos) << series;
    }
    EXPECT_EQ(drops, 2 * dataplane::kDropReasonNames.size());
    for (const auto& reason : dataplane::kDropReasonNames)
        EXPECT_TRUE(p.samples.count("edgelease_drops_total{lcore=\"worker_0\",reason=\"" +
                                    std::string(reason) + "\"}"))
            << reason;
    EXPECT_FALSE(p.samples.count(R"(edgelease_rx_packets_total{lcore="control_0"})"));
}

TEST(RenderMetrics, DnsAndWorkerDhcpCounters) {
    Fixture f(1);
    f.dns[0]->queries.add(100);
    f.dns[0]->rcode[3].add(5);   // NXDOMAIN
    f.dns[0]->qtype[1].add(9);   // AAAA
    f.dns[0]->qtype[11].add(2);  // other
    f.dns[0]->truncated.add(1);
    f.dhcp[0]->by_type[static_cast<size_t>(dataplane::dhcp::MsgType::Discover)].add(8);
    f.dhcp[0]
        ->parse_errors[static_cast<size_t>(edgelease::dataplane::dhcp::ParseError::NoCookie)]
        .add(3);
    f.dhcp[0]->replies_sent.add(6);
    const Parsed p = parse(render_metrics(f.sources()));
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.at(R"(edgelease_dns_queries_total{lcore="worker_0"})"), "100");
    EXPECT_EQ(p.samples.at(R"(edgelease_dns_responses_total{lcore="worker_0",rcode="NXDOMAIN"})"),
              "5");
    EXPECT_EQ(p.samples.at(R"(edgelease_dns_responses_total{lcore="worker_0",rcode="BADVERS"})"),
              "0");
    EXPECT_EQ(p.samples.at(R"(edgelease_dns_queries_by_type_total{lcore="worker_0",qtype="AAAA"})"),
              "9");
    EXPECT_EQ(
        p.samples.at(R"(edgelease_dns_queries_by_type_total{lcore="worker_0",qtype="other"})"),
        "2");
    EXPECT_EQ(p.samples.at(R"(edgelease_dns_truncated_total{lcore="worker_0"})"), "1");
    EXPECT_EQ(
        p.samples.at(R"(edgelease_dhcp_requests_received_total{lcore="worker_0",type="discover"})"),
        "8");
    EXPECT_EQ(
        p.samples.at(R"(edgelease_dhcp_parse_errors_total{lcore="worker_0",error="no_cookie"})"),
        "3");
    EXPECT_EQ(
        p.samples.at(
            R"(edgelease_dhcp_parse_errors_total{lcore="worker_0",error="client_id_too_long"})"),
        "0");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_replies_sent_total{lcore="worker_0"})"), "6");
    // The enums' "none" slots are not series.
    EXPECT_FALSE(
        p.samples.count(R"(edgelease_dhcp_parse_errors_total{lcore="worker_0",error="none"})"));
    EXPECT_FALSE(
        p.samples.count(R"(edgelease_dhcp_requests_received_total{lcore="worker_0",type="none"})"));
    // Requests are a client's message types only, replies a server's.
    EXPECT_FALSE(p.samples.count(
        R"(edgelease_dhcp_requests_received_total{lcore="worker_0",type="offer"})"));
    EXPECT_EQ(
        p.samples.at(R"(edgelease_dhcp_requests_received_total{lcore="worker_0",type="inform"})"),
        "0");
    EXPECT_FALSE(p.samples.count(R"(edgelease_dhcp_replies_total{type="discover"})"));
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_replies_total{type="nak"})"), "0");
    EXPECT_FALSE(p.samples.count(R"(edgelease_dhcp_requests_processed_total{type="ack"})"));
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_requests_processed_total{type="release"})"), "0");
}

TEST(RenderMetrics, ControlDhcpScopesAndStore) {
    Fixture f(1);
    f.dhcp_service->replies[static_cast<size_t>(dataplane::dhcp::MsgType::Ack)].add(11);
    f.dhcp_service->outcomes[static_cast<size_t>(control::dhcp::Outcome::PoolExhausted)].add(2);
    f.dhcp_service->held.add(11);
    f.dhcp_service->expired.add(4);
    f.add_scope("odd \"name\"\\", 4, 1, 0, 0);
    // Three commits: 0.3 ms, 4 ms, 2 s.
    const std::array<uint64_t, 12> buckets{1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3};
    for (size_t i = 0; i < buckets.size(); ++i) f.store->commit_buckets[i] = buckets[i];
    f.store->commits = 3;
    f.store->records = 30;
    f.store->commit_ns_total = 2'004'300'000;
    f.store->commit_ns_max = 2'000'000'000;
    const std::string doc = render_metrics(f.sources());
    const Parsed p = parse(doc);
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_replies_total{type="ack"})"), "11");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_outcomes_total{outcome="pool_exhausted"})"), "2");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_outcomes_total{outcome="answered"})"), "0");
    EXPECT_EQ(p.samples.at("edgelease_dhcp_acks_held_total"), "11");
    EXPECT_EQ(p.samples.at("edgelease_dhcp_leases_expired_total"), "4");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_pool_size{scope="lan"})"), "100");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_leases{scope="lan",state="bound"})"), "50");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_leases{scope="lan",state="offered"})"), "3");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_leases{scope="lan",state="declined"})"), "1");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_pool_utilisation{scope="lan"})"), "0.5");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_pool_utilisation{scope="empty"})"), "0");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp6_pool_size{scope="lan6",kind="address"})"), "4096");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp6_leases{scope="lan6",kind="address",state="bound"})"),
              "10");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp6_leases{scope="lan6",kind="prefix",state="bound"})"),
              "7");
    EXPECT_EQ(
        p.samples.at(R"(edgelease_dhcp6_leases{scope="lan6",kind="address",state="declined"})"),
        "2");
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp6_pool_free{scope="lan6",kind="address"})"), "4084");
    EXPECT_EQ(p.samples.count(R"(edgelease_dhcp6_pool_free{scope="lan6",kind="prefix"})"), 1u);
    EXPECT_EQ(p.samples.at(R"(edgelease_dhcp_pool_utilisation{scope="odd \"name\"\\"})"), "0.25");

    EXPECT_EQ(p.samples.at("edgelease_lease_store_commits_total"), "3");
    EXPECT_EQ(p.samples.at("edgelease_lease_store_records_total"), "30");
    const std::string h = "edgelease_lease_store_commit_duration_seconds";
    EXPECT_EQ(p.samples.at(h + R"(_bucket{le="0.0005"})"), "1");
    EXPECT_EQ(p.samples.at(h + R"(_bucket{le="0.005"})"), "2");
    EXPECT_EQ(p.samples.at(h + R"(_bucket{le="1"})"), "2");
    EXPECT_EQ(p.samples.at(h + R"(_bucket{le="+Inf"})"), "3");
    EXPECT_EQ(p.samples.at(h + "_sum"), "2.0043");
    EXPECT_EQ(p.samples.at(h + "_count"), "3");
    EXPECT_EQ(p.samples.at("edgelease_lease_store_commit_duration_max_seconds"), "2");
    size_t bucket_lines = 0;
    for (const auto& [series, value] : p.samples)
        bucket_lines += series.rfind(h + "_bucket", 0) == 0;
    EXPECT_EQ(bucket_lines, control::store::kCommitBuckets.size() + 1);
}

TEST(RenderMetrics, WithoutDhcpOrStoreTheirFamiliesAreAbsent) {
    Fixture f(1);
    const Parsed p = parse(render_metrics(f.sources(false, false)));
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_FALSE(p.types.count("edgelease_dhcp_replies_total"));
    EXPECT_FALSE(p.types.count("edgelease_dhcp_pool_size"));
    EXPECT_FALSE(p.types.count("edgelease_lease_store_commits_total"));
    // The workers' side of DHCP is there: port 67 traffic is counted either way.
    EXPECT_TRUE(p.types.count("edgelease_dhcp_malformed_total"));
}

TEST(RenderMetrics, FullAndMinimalDocumentsPassPromtool) {
    ASSERT_TRUE(test::have_promtool())
        << "promtool is required (Debian package prometheus; scripts/setup.sh installs it)";
    Fixture f(2);
    f.lcore[0]->rx_packets.add(12345);
    f.lcore[1]->drop(DropReason::Runt);
    f.store->commit_buckets.back() = 1;
    f.store->commit_ns_total = 123'456'789;
    f.add_scope("we\"ird\\scope\nname", 10, 10, 0, 0);
    for (bool dhcp : {true, false}) {
        for (bool store : {true, false}) {
            const std::string doc = render_metrics(f.sources(dhcp, store));
            const auto r = test::promtool_check(doc);
            EXPECT_EQ(r.exit_code, 0) << "dhcp=" << dhcp << " store=" << store << "\n"
                                      << r.output << "\n--- document ---\n"
                                      << doc;
        }
    }
}

TEST(RenderMetrics, PortCountersFromThePmdAndThePacketPool) {
    Fixture f(1);
    f.port_counters[0].rx_nombuf = 17;
    f.port_counters[1].imissed = 5;
    f.pool = {1023, 0};
    const Parsed p = parse(render_metrics(f.sources()));
    ASSERT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.at(R"(edgelease_port_rx_nombuf_total{port="net_tap0"})"), "17");
    EXPECT_EQ(p.samples.at(R"(edgelease_port_rx_nombuf_total{port="0000:3b:00.0"})"), "0");
    EXPECT_EQ(p.samples.at(R"(edgelease_port_rx_missed_total{port="0000:3b:00.0"})"), "5");
    EXPECT_EQ(p.samples.at(R"(edgelease_packet_pool_mbufs{state="size"})"), "1023");
    EXPECT_EQ(p.samples.at(R"(edgelease_packet_pool_mbufs{state="available"})"), "0");
}

TEST(RenderMetrics, EmptyRegistryStillRenders) {
    const Parsed p = parse(render_metrics(MetricsSources{}));
    EXPECT_TRUE(p.errors.empty()) << ::testing::PrintToString(p.errors);
    EXPECT_EQ(p.samples.size(), 1u);  // build_info only
}

}  // namespace
}  // namespace edgelease::app
