// The Prometheus text format 0.0.4 writer: escaping, family blocks, ordering, histograms, and
// the misuse it refuses. https://prometheus.io/docs/instrumenting/exposition_formats/
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/metrics_writer.hpp"
#include "tests/unit/app/promtool.hpp"

namespace edgelease::app {
namespace {

std::vector<std::string> lines_of(const std::string& doc) {
    std::vector<std::string> out;
    std::istringstream in(doc);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

size_t count_lines_starting(const std::string& doc, const std::string& prefix) {
    size_t n = 0;
    for (const auto& l : lines_of(doc)) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

TEST(MetricsWriter, FamilyIsHelpTypeThenSamples) {
    MetricsWriter w;
    w.family("edgelease_rx_packets_total", MetricType::Counter, "Frames received.");
    w.sample({{"lcore", "worker_0"}}, uint64_t{12});
    w.sample({{"lcore", "worker_1"}}, uint64_t{0});
    w.family("edgelease_up", MetricType::Gauge, "Up.");
    w.sample({}, 1u);
    EXPECT_EQ(w.text(),
              "# HELP edgelease_rx_packets_total Frames received.\n"
              "# TYPE edgelease_rx_packets_total counter\n"
              "edgelease_rx_packets_total{lcore=\"worker_0\"} 12\n"
              "edgelease_rx_packets_total{lcore=\"worker_1\"} 0\n"
              "# HELP edgelease_up Up.\n"
              "# TYPE edgelease_up gauge\n"
              "edgelease_up 1\n");
}

TEST(MetricsWriter, EscapesLabelValues) {
    MetricsWriter w;
    w.family("m", MetricType::Gauge, "h");
    w.sample({{"path", "C:\\dir"}, {"q", "say \"hi\""}, {"nl", "a\nb"}}, 1u);
    w.sample({{"path", "\\\"\n"}, {"q", ""}, {"nl", "\t{}=,é"}}, 2u);
    const auto l = lines_of(w.text());
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[2], R"(m{path="C:\\dir",q="say \"hi\"",nl="a\nb"} 1)");
    // Only \, " and newline are escaped; everything else (tabs, braces, UTF-8) passes as is.
    EXPECT_EQ(l[3], "m{path=\"\\\\\\\"\\n\",q=\"\",nl=\"\t{}=,é\"} 2");
}

TEST(MetricsWriter, EscapesHelpBackslashAndNewlineButNotQuotes) {
    MetricsWriter w;
    w.family("m", MetricType::Gauge, "a \"quoted\" C:\\path\nsecond line");
    EXPECT_EQ(lines_of(w.text())[0], R"(# HELP m a "quoted" C:\\path\nsecond line)");
    EXPECT_EQ(lines_of(w.text())[1], "# TYPE m gauge");
}

TEST(MetricsWriter, HelperEscapesAlone) {
    std::string s;
    append_label_value(s, "\\\"\n");
    EXPECT_EQ(s, R"(\\\"\n)");
    s.clear();
    append_help(s, "\\\"\n");
    EXPECT_EQ(s, R"(\\"\n)");
}

TEST(MetricsWriter, OneTypeLinePerFamily) {
    MetricsWriter w;
    w.family("a_total", MetricType::Counter, "a");
    w.sample({{"k", "1"}}, 1u);
    w.sample({{"k", "2"}}, 1u);
    w.family("b", MetricType::Gauge, "b");
    EXPECT_THROW(w.family("a_total", MetricType::Counter, "again"), std::logic_error);
    EXPECT_EQ(count_lines_starting(w.text(), "# TYPE a_total "), 1u);
    EXPECT_EQ(count_lines_starting(w.text(), "# HELP a_total "), 1u);
}

TEST(MetricsWriter, KeepsTheOrderGiven) {
    MetricsWriter w;
    w.family("z_total", MetricType::Counter, "z");
    w.sample({{"lcore", "worker_1"}, {"reason", "runt"}}, 1u);
    w.sample({{"lcore", "worker_0"}, {"reason", "runt"}}, 2u);
    w.family("a", MetricType::Gauge, "a");
    w.sample({{"b", "x"}, {"a", "y"}}, 3u);
    const auto l = lines_of(w.text());
    ASSERT_EQ(l.size(), 7u);
    EXPECT_EQ(l[0], "# HELP z_total z");
    EXPECT_EQ(l[2], R"(z_total{lcore="worker_1",reason="runt"} 1)");
    EXPECT_EQ(l[3], R"(z_total{lcore="worker_0",reason="runt"} 2)");
    EXPECT_EQ(l[4], "# HELP a a");
    EXPECT_EQ(l[6], R"(a{b="x",a="y"} 3)");
}

TEST(MetricsWriter, FormatsValues) {
    MetricsWriter w;
    w.family("g", MetricType::Gauge, "g");
    w.sample({{"v", "max"}}, std::numeric_limits<uint64_t>::max());
    w.sample({{"v", "u32"}}, uint32_t{7});
    w.sample({{"v", "quarter"}}, 0.25);
    w.sample({{"v", "one"}}, 1.0);
    w.sample({{"v", "small"}}, 0.0005);
    w.sample({{"v", "nan"}}, std::numeric_limits<double>::quiet_NaN());
    w.sample({{"v", "inf"}}, std::numeric_limits<double>::infinity());
    w.sample({{"v", "-inf"}}, -std::numeric_limits<double>::infinity());
    const auto l = lines_of(w.text());
    ASSERT_EQ(l.size(), 10u);
    EXPECT_EQ(l[2], R"(g{v="max"} 18446744073709551615)");
    EXPECT_EQ(l[3], R"(g{v="u32"} 7)");
    EXPECT_EQ(l[4], R"(g{v="quarter"} 0.25)");
    EXPECT_EQ(l[5], R"(g{v="one"} 1)");
    EXPECT_EQ(l[6], R"(g{v="small"} 0.0005)");
    EXPECT_EQ(l[7], R"(g{v="nan"} NaN)");
    EXPECT_EQ(l[8], R"(g{v="inf"} +Inf)");
    EXPECT_EQ(l[9], R"(g{v="-inf"} -Inf)");
}

TEST(MetricsWriter, HistogramBucketsSumAndCount) {
    MetricsWriter w;
    w.family("commit_seconds", MetricType::Histogram, "Commit time.");
    const std::array<double, 3> bounds{0.0005, 0.01, 1.0};
    const std::array<uint64_t, 4> counts{2, 5, 9, 10};
    w.histogram({{"db", "leases"}}, bounds, counts, 1.5);
    w.histogram({{"db", "zones"}}, bounds, std::array<uint64_t, 4>{}, 0.0);
    EXPECT_EQ(w.text(),
              "# HELP commit_seconds Commit time.\n"
              "# TYPE commit_seconds histogram\n"
              "commit_seconds_bucket{db=\"leases\",le=\"0.0005\"} 2\n"
              "commit_seconds_bucket{db=\"leases\",le=\"0.01\"} 5\n"
              "commit_seconds_bucket{db=\"leases\",le=\"1\"} 9\n"
              "commit_seconds_bucket{db=\"leases\",le=\"+Inf\"} 10\n"
              "commit_seconds_sum{db=\"leases\"} 1.5\n"
              "commit_seconds_count{db=\"leases\"} 10\n"
              "commit_seconds_bucket{db=\"zones\",le=\"0.0005\"} 0\n"
              "commit_seconds_bucket{db=\"zones\",le=\"0.01\"} 0\n"
              "commit_seconds_bucket{db=\"zones\",le=\"1\"} 0\n"
              "commit_seconds_bucket{db=\"zones\",le=\"+Inf\"} 0\n"
              "commit_seconds_sum{db=\"zones\"} 0\n"
              "commit_seconds_count{db=\"zones\"} 0\n");
}

TEST(MetricsWriter, HistogramWithoutLabelsAndWithNoBounds) {
    MetricsWriter w;
    w.family("h", MetricType::Histogram, "h");
    w.histogram({}, std::span<const double>{}, std::array<uint64_t, 1>{3}, 0.125);
    EXPECT_EQ(w.text(),
              "# HELP h h\n# TYPE h histogram\n"
              "h_bucket{le=\"+Inf\"} 3\nh_sum 0.125\nh_count 3\n");
}

TEST(MetricsWriter, HistogramBucketsNeverDecrease) {
    // Buckets read from separate atomics while the writer bumps them from the lowest up: a
    // lower bucket may be seen after its increment and a higher one before.
    MetricsWriter w;
    w.family("h", MetricType::Histogram, "h");
    w.histogram({}, std::array<double, 2>{0.1, 0.2}, std::array<uint64_t, 3>{5, 4, 4}, 1.0);
    EXPECT_EQ(w.text(),
              "# HELP h h\n# TYPE h histogram\n"
              "h_bucket{le=\"0.1\"} 5\nh_bucket{le=\"0.2\"} 5\nh_bucket{le=\"+Inf\"} 5\n"
              "h_sum 1\nh_count 5\n");
}

TEST(MetricsWriter, RefusesBadHistograms) {
    MetricsWriter w;
    w.family("h", MetricType::Histogram, "h");
    const std::array<double, 2> bounds{0.1, 0.2};
    EXPECT_THROW(w.histogram({}, bounds, std::array<uint64_t, 2>{1, 2}, 0), std::logic_error);
    EXPECT_THROW(w.histogram({}, std::array<double, 2>{0.2, 0.1}, std::array<uint64_t, 3>{}, 0),
                 std::logic_error);
    EXPECT_THROW(w.histogram({}, std::array<double, 2>{0.1, 0.1}, std::array<uint64_t, 3>{}, 0),
                 std::logic_error);
    EXPECT_THROW(w.histogram({}, std::array<double, 1>{std::numeric_limits<double>::infinity()},
                             std::array<uint64_t, 2>{}, 0),
                 std::logic_error);
    EXPECT_THROW(w.histogram({{"le", "1"}}, bounds, std::array<uint64_t, 3>{}, 0),
                 std::logic_error);
    EXPECT_THROW(w.sample({}, 1u), std::logic_error);  // a plain sample in a histogram family
    w.histogram({}, bounds, std::array<uint64_t, 3>{}, 0);
    EXPECT_THROW(w.histogram({}, bounds, std::array<uint64_t, 3>{}, 0), std::logic_error);

    w.family("g", MetricType::Gauge, "g");
    EXPECT_THROW(w.histogram({}, bounds, std::array<uint64_t, 3>{}, 0), std::logic_error);
}

TEST(MetricsWriter, RefusesBadNames) {
    MetricsWriter w;
    EXPECT_THROW(w.family("", MetricType::Gauge, "h"), std::logic_error);
    EXPECT_THROW(w.family("edge-lease", MetricType::Gauge, "h"), std::logic_error);
    EXPECT_THROW(w.family("1st", MetricType::Gauge, "h"), std::logic_error);
    EXPECT_THROW(w.family("rx packets", MetricType::Gauge, "h"), std::logic_error);
    w.family("ns:metric_1", MetricType::Gauge, "colons are allowed in metric names");
    EXPECT_THROW(w.sample({{"1abc", "v"}}, 1u), std::logic_error);
    EXPECT_THROW(w.sample({{"a:b", "v"}}, 1u), std::logic_error);
    EXPECT_THROW(w.sample({{"__reserved", "v"}}, 1u), std::logic_error);
    EXPECT_THROW(w.sample({{"", "v"}}, 1u), std::logic_error);
    w.sample({{"_ok9", "v"}}, 1u);
}

TEST(MetricsWriter, CountersAndOnlyCountersEndInTotal) {
    MetricsWriter w;
    EXPECT_THROW(w.family("edgelease_rx_packets", MetricType::Counter, "h"), std::logic_error);
    EXPECT_THROW(w.family("edgelease_leases_total", MetricType::Gauge, "h"), std::logic_error);
    EXPECT_THROW(w.family("edgelease_x_total", MetricType::Histogram, "h"), std::logic_error);
    w.family("edgelease_rx_packets_total", MetricType::Counter, "h");
}

TEST(MetricsWriter, RefusesSampleBeforeFamily) {
    MetricsWriter w;
    EXPECT_THROW(w.sample({}, 1u), std::logic_error);
    EXPECT_THROW(w.sample({}, 1.0), std::logic_error);
}

TEST(MetricsWriter, RefusesRepeatedSeriesAndLabels) {
    MetricsWriter w;
    w.family("d_total", MetricType::Counter, "d");
    w.sample({{"lcore", "worker_0"}, {"reason", "runt"}}, 1u);
    EXPECT_THROW(w.sample({{"lcore", "worker_0"}, {"reason", "runt"}}, 1u), std::logic_error);
    // The same label set in another order is the same series.
    EXPECT_THROW(w.sample({{"reason", "runt"}, {"lcore", "worker_0"}}, 1u), std::logic_error);
    EXPECT_THROW(w.sample({{"lcore", "worker_0"}, {"lcore", "worker_1"}}, 1u), std::logic_error);
    w.sample({{"lcore", "worker_0"}, {"reason", "tx_full"}}, 1u);
    w.sample({{"lcore", "worker_0"}}, 1u);  // a subset of labels is another series

    w.family("e", MetricType::Gauge, "e");
    w.sample({}, 1u);
    EXPECT_THROW(w.sample({}, 2u), std::logic_error);
    w.family("f", MetricType::Gauge, "f");
    w.sample({{"lcore", "worker_0"}, {"reason", "runt"}}, 1u);  // other family: fine
}

TEST(MetricsWriter, TakeEmptiesTheWriter) {
    MetricsWriter w;
    w.family("a", MetricType::Gauge, "a");
    w.sample({}, 1u);
    const std::string doc = w.take();
    EXPECT_EQ(doc, "# HELP a a\n# TYPE a gauge\na 1\n");
    EXPECT_TRUE(w.text().empty());
    w.family("a", MetricType::Gauge, "a");  // a new document may use the name again
    w.sample({}, 2u);
    EXPECT_EQ(w.text(), "# HELP a a\n# TYPE a gauge\na 2\n");
}

TEST(MetricsWriter, RealisticDocumentPassesPromtool) {
    ASSERT_TRUE(test::have_promtool())
        << "promtool is required (Debian package prometheus; scripts/setup.sh installs it)";
    MetricsWriter w;
    w.family("edgelease_build_info", MetricType::Gauge, "edgelease build; always 1.");
    w.sample({{"version", "0.1.0"}}, 1u);
    w.family("edgelease_port_info", MetricType::Gauge, "A DPDK port in use; always 1.");
    w.sample({{"port", "0000:3b:00.0"}, {"port_id", "0"}}, 1u);
    w.sample({{"port", "net_tap0 \"odd\\name\"\nline"}, {"port_id", "1"}}, 1u);
    w.family("edgelease_rx_packets_total", MetricType::Counter,
             "Frames received (per-port counts are not tracked separately yet).\nSecond line "
             "with a back\\slash.");
    w.sample({{"lcore", "worker_0"}}, uint64_t{123456789});
    w.sample({{"lcore", "worker_1"}}, uint64_t{0});
    w.family("edgelease_drops_total", MetricType::Counter, "Frames dropped, by reason.");
    for (const char* lcore : {"worker_0", "worker_1"})
        for (const char* reason : {"runt", "not_for_us", "tx_full"})
            w.sample({{"lcore", lcore}, {"reason", reason}}, 3u);
    w.family("edgelease_lcore_loops_total", MetricType::Counter, "Poll-loop iterations.");
    w.sample({{"lcore", "worker_0"}, {"role", "worker"}}, std::numeric_limits<uint64_t>::max());
    w.sample({{"lcore", "control_0"}, {"role", "control"}}, 1u);
    w.family("edgelease_dhcp_leases", MetricType::Gauge, "Leases by state.");
    w.sample({{"scope", "lan"}, {"state", "bound"}}, 42u);
    w.sample({{"scope", "lan"}, {"state", "offered"}}, 0u);
    w.family("edgelease_dhcp_pool_utilisation", MetricType::Gauge, "Bound / pool size.");
    w.sample({{"scope", "lan"}}, 0.42);
    w.sample({{"scope", "empty"}}, 0.0);
    w.family("edgelease_lease_store_commit_duration_seconds", MetricType::Histogram,
             "Commit time.");
    w.histogram({}, std::array<double, 4>{0.0005, 0.001, 0.25, 1.0},
                std::array<uint64_t, 5>{1, 10, 100, 100, 101}, 12.345678901);
    w.family("edgelease_empty_family", MetricType::Gauge, "A family with no series yet.");

    const auto r = test::promtool_check(w.text());
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n--- document ---\n" << w.text();
}

TEST(MetricsWriter, PromtoolCatchesWhatTheWriterWouldNotWrite) {
    // Guards the test above: a promtool that accepted everything would prove nothing.
    ASSERT_TRUE(test::have_promtool())
        << "promtool is required (Debian package prometheus; scripts/setup.sh installs it)";
    EXPECT_NE(
        test::promtool_check("# HELP m_total h\n# TYPE m_total counter\nm_total{a=\"x\ny\"} 1\n")
            .exit_code,
        0);
    EXPECT_NE(test::promtool_check("# HELP m h\n# TYPE m counter\nm 1\n").exit_code, 0);
}

}  // namespace
}  // namespace edgelease::app
