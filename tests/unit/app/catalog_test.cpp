// The counter catalog: each entry declared once and shown in every output. Walks the catalog
// and looks for every entry in the Prometheus document, the JSON of GET /api/v1/stats, the
// telemetry replies (rendered through the same code as the DPDK commands, into a dictionary
// that checks DPDK 22.11's rules instead of rte_tel_data) and, when marked, the log line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/catalog.hpp"
#include "app/metrics.hpp"
#include "app/stats_view.hpp"
#include "tests/unit/app/promtool.hpp"
#include "tests/unit/app/sources_fixture.hpp"

namespace edgelease::app {
namespace {

using dataplane::DropReason;
using nlohmann::ordered_json;
using test::Fixture;

/// A telemetry reply as DPDK 22.11 would hold it, with its rules checked: names of
/// [A-Za-z0-9_/] under 128 bytes, each once, at most 256 entries, one level of nesting.
struct FakeTelemetry final : dataplane::TelemetryDict {
    std::map<std::string, std::string> values;  // name -> value as text
    std::map<std::string, std::unique_ptr<FakeTelemetry>> dicts;
    std::vector<std::string> errors;
    bool nested = false;

    bool has(const std::string& name) const { return values.count(name) || dicts.count(name); }
    void add_u64(std::string_view name, uint64_t v) override {
        if (check(name)) values[std::string(name)] = std::to_string(v);
    }
    void add_string(std::string_view name, std::string_view v) override {
        if (check(name)) values[std::string(name)] = v;
    }
    void add_dict(std::string_view name, const std::function<void(TelemetryDict&)>& fill) override {
        if (nested) errors.push_back("a dict in a nested dict: " + std::string(name));
        auto d = std::make_unique<FakeTelemetry>();
        d->nested = true;
        fill(*d);
        errors.insert(errors.end(), d->errors.begin(), d->errors.end());
        if (check(name)) dicts[std::string(name)] = std::move(d);
    }

  private:
    bool check(std::string_view name) {
        const std::string n(name);
        const size_t before = errors.size();
        if (n.empty() || n.size() >= 128 ||
            n.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/") !=
                std::string::npos)
            errors.push_back("name DPDK refuses: " + n);
        if (has(n)) errors.push_back("name twice: " + n);
        if (values.size() + dicts.size() >= 256) errors.push_back("over 256 entries at " + n);
        return errors.size() == before;
    }
};

FakeTelemetry telemetry(const MetricsSources& src, Section s) {
    FakeTelemetry t;
    fill_telemetry(render_section(src, s), t);
    return t;
}

/// A fixture with every subsystem and a few figures that are not zero.
struct Busy : Fixture {
    Busy() : Fixture(2) {
        lcore[0]->rx_packets.add(10);
        lcore[1]->rx_packets.add(20);
        lcore[0]->nd_adverts.add(4);
        lcore[1]->drop(DropReason::TxFull);
        lcore[1]->drop(DropReason::TxFull);
        lcore[0]->drop(DropReason::Runt);
        lcore[2]->loops.add(99);  // control
        dns[1]->rcode[3].add(5);  // NXDOMAIN
        dns[0]->queries.add(5);
        store->commit_buckets.back() = 3;
        store->commit_ns_total = 2'004'300'000;
        lease_dns.changes[static_cast<size_t>(control::zone::AuditReason::ConflictSkip)].add(1);
        reloads.applied = 2;
        dns_tcp.accepted.add(3);
        dns_tcp.dns.rcode[0].add(7);     // NOERROR over TCP
        add_scope("a b+c", 4, 1, 0, 0);  // a name DPDK telemetry would refuse as it is
    }
};

TEST(Catalog, NamesUniqueHelpTextsNonEmpty) {
    std::set<std::string_view> names, summaries;
    std::set<std::pair<Section, std::string>> keys;
    std::set<std::string> row_keys;
    for (const Entry& e : catalog()) {
        SCOPED_TRACE(std::string(e.name));
        EXPECT_TRUE(names.insert(e.name).second) << "declared twice";
        EXPECT_FALSE(e.help.empty());
        EXPECT_TRUE(e.name.starts_with("edgelease_"));
        EXPECT_EQ(e.type == MetricType::Counter, e.name.ends_with("_total"));
        EXPECT_TRUE(e.read) << "no getter";
        EXPECT_TRUE(std::set<std::string_view>(e.labels.begin(), e.labels.end()).size() ==
                    e.labels.size())
            << "a label twice";
        if (e.section != Section::Lcores) {
            EXPECT_TRUE(keys.insert({e.section, view_key(e)}).second) << "key taken";
        }
        if (in_lcore_rows(e) && !is_info(e)) {
            EXPECT_TRUE(row_keys.insert(row_key(e)).second) << "lcore row key taken";
        }
        if (!e.summary.empty()) {
            EXPECT_TRUE(summaries.insert(e.summary).second);
        }
        // The lcores section shows per-lcore rows only: its entries must have an lcore label.
        if (e.section == Section::Lcores) {
            EXPECT_TRUE(in_lcore_rows(e));
        }
        if (e.type == MetricType::Histogram) {
            EXPECT_FALSE(in_lcore_rows(e)) << "histograms are not kept per lcore";
        }
    }
    EXPECT_THROW(find_entry("edgelease_nothing_total"), std::out_of_range);
}

TEST(Catalog, EveryEntryInEveryOutput) {
    Busy f;
    const MetricsSources src = f.all_sources();
    const std::string doc = render_metrics(src);
    const ordered_json json = render_stats(src);
    std::map<Section, FakeTelemetry> tel;
    for (size_t s = 0; s < kSections.size(); ++s) {
        tel[static_cast<Section>(s)] = telemetry(src, static_cast<Section>(s));
        EXPECT_TRUE(tel[static_cast<Section>(s)].errors.empty())
            << kSections[s].name << ": "
            << ::testing::PrintToString(tel[static_cast<Section>(s)].errors);
    }
    const std::string line = " " + summary_line(src);
    const ordered_json& rows = json.at("lcores");
    const FakeTelemetry& tel_rows = tel[Section::Lcores];
    ASSERT_EQ(rows.size(), 4u);  // two workers, control, sweeper
    ASSERT_EQ(tel_rows.dicts.size(), 4u);

    for (const Entry& e : catalog()) {
        SCOPED_TRACE(std::string(e.name));
        EXPECT_NE(doc.find("# TYPE " + std::string(e.name) + " "), std::string::npos)
            << "not in /metrics";
        if (in_lcore_rows(e)) {
            // Shown in the rows of the lcores it has series for: all (info, loops) or the
            // workers (packet, DNS and DHCP counters).
            std::vector<std::string> keys;
            if (is_info(e)) {
                for (std::string_view l : e.labels)
                    if (l != "lcore") keys.emplace_back(l);
            } else {
                keys.push_back(row_key(e));
            }
            const bool all = e.section == Section::Lcores;
            for (const std::string lcore : {"worker_0", "worker_1", "control_0", "sweeper_0"}) {
                if (!all && lcore.rfind("worker", 0) != 0) continue;
                for (const std::string& k : keys) {
                    EXPECT_TRUE(rows.at(lcore).contains(k)) << lcore << " JSON row: " << k;
                    EXPECT_TRUE(tel_rows.dicts.at(lcore)->has(telemetry_name(k)))
                        << lcore << " telemetry row: " << k;
                }
            }
        }
        if (e.section != Section::Lcores) {
            const std::string section(section_info(e.section).name);
            ASSERT_TRUE(json.contains(section)) << section;
            EXPECT_TRUE(json.at(section).contains(view_key(e)))
                << "not in the JSON: " << section << "." << view_key(e);
            EXPECT_TRUE(tel[e.section].has(telemetry_name(view_key(e))))
                << "not in /edgelease/" << section << ": " << view_key(e);
        }
        if (!e.summary.empty()) {
            EXPECT_NE(line.find(" " + std::string(e.summary) + "="), std::string::npos)
                << "not in the log line: " << line;
        }
    }

    const auto r = test::promtool_check(doc);
    EXPECT_EQ(r.exit_code, 0) << r.output << "\n--- document ---\n" << doc;
}

TEST(Catalog, PromtoolIsThere) {
    ASSERT_TRUE(test::have_promtool())
        << "promtool is required (Debian package prometheus; scripts/setup.sh installs it)";
}

TEST(Catalog, JsonSumsOverLcoresAndNestsByLabel) {
    Busy f;
    ordered_json j = render_stats(f.all_sources());  // not const: [] of a missing key fails
    EXPECT_EQ(j["packets"]["rx_packets"], 30u);
    EXPECT_EQ(j["packets"]["drops"]["tx_full"], 2u);
    EXPECT_EQ(j["packets"]["drops"]["runt"], 1u);
    EXPECT_EQ(j["packets"]["inline_answers"]["nd"], 4u);
    EXPECT_EQ(j["packets"]["packet_pool_mbufs"]["available"], 8000u);
    EXPECT_EQ(j["dns"]["responses"]["NXDOMAIN"], 5u);
    EXPECT_EQ(j["dns"]["changes"]["conflict-skip"], 1u);
    EXPECT_EQ(j["dhcp"]["leases"]["lan"]["bound"], 50u);
    EXPECT_EQ(j["dhcp"]["pool_utilisation"]["lan"], 0.5);
    EXPECT_EQ(j["dhcp"]["queue_depth"]["1"]["replies"], 6u);
    EXPECT_EQ(j["dhcp"]["replies"]["ack"], 0u);
    EXPECT_FALSE(j["dhcp"]["replies"].contains("discover"));  // a client's type
    EXPECT_EQ(j["lease_store"]["queue_depth"], 12u);
    EXPECT_EQ(j["lease_store"]["commit_duration_seconds"]["count"], 3u);
    EXPECT_EQ(j["lease_store"]["commit_duration_seconds"]["buckets"]["+Inf"], 3u);
    EXPECT_EQ(j["lease_store"]["commit_duration_seconds"]["sum"], 2.0043);
    EXPECT_EQ(j["appliance"]["reloads"]["applied"], 2u);
    EXPECT_EQ(j["appliance"]["build_info"]["version"], "0.1.0");
    EXPECT_EQ(j["ports"]["info"]["0000:3b:00.0"]["queues"], "1");
    EXPECT_EQ(j["ports"]["rx_nombuf"]["net_tap0"], 0u);
    EXPECT_EQ(j["record_store"]["audit_trimmed"], 0u);
    EXPECT_EQ(j["sweeper"]["wheel_entries"], 0u);
    EXPECT_EQ(j["zones"]["update_max_batch_seconds"], 0.0);
    ordered_json& w1 = j["lcores"]["worker_1"];
    EXPECT_EQ(w1["role"], "worker");
    EXPECT_EQ(w1["lcore_id"], "2");
    EXPECT_EQ(w1["rx_packets"], 20u);
    EXPECT_FALSE(w1.contains("drops"));  // by reason per lcore: Prometheus only
    EXPECT_EQ(j["lcores"]["control_0"]["loops"], 99u);
    EXPECT_FALSE(j["lcores"]["control_0"].contains("rx_packets"));  // workers only
}

TEST(Catalog, TelemetryFlattensBelowOneLevel) {
    Busy f;
    const MetricsSources src = f.all_sources();
    const FakeTelemetry p = telemetry(src, Section::Packets);
    EXPECT_EQ(p.values.at("rx_packets"), "30");
    EXPECT_EQ(p.dicts.at("drops")->values.at("tx_full"), "2");
    const FakeTelemetry d = telemetry(src, Section::Dhcp);
    EXPECT_EQ(d.dicts.at("leases")->values.at("lan/bound"), "50");
    EXPECT_EQ(d.dicts.at("pool_utilisation")->values.at("lan"), "0.5");  // a string
    EXPECT_EQ(d.dicts.at("pool_size")->values.at("a_bc"), "4");          // from "a b+c"
    const FakeTelemetry s = telemetry(src, Section::LeaseStore);
    EXPECT_EQ(s.dicts.at("commit_duration_seconds")->values.at("buckets/Inf"), "3");
    EXPECT_EQ(s.dicts.at("commit_duration_seconds")->values.at("buckets/0_0005"), "0");
    EXPECT_EQ(telemetry(src, Section::Dns).dicts.at("changes")->values.at("conflict_skip"), "1");
    const FakeTelemetry l = telemetry(src, Section::Lcores);
    EXPECT_EQ(l.dicts.at("worker_0")->values.at("rx_packets"), "10");
    EXPECT_EQ(l.dicts.at("sweeper_0")->values.at("role"), "sweeper");
    EXPECT_EQ(telemetry_name("0000:3b:00.0/queues"), "0000_3b_00_0/queues");
    EXPECT_EQ(telemetry_name("+Inf"), "Inf");
}

TEST(Catalog, LogLineTotalsAndNonZeroParts) {
    Busy f;
    EXPECT_EQ(summary_line(f.all_sources()),
              "rx=30 tx=0 answered=4 (nd=4) dropped=3 (runt=1 tx_full=2) to_kernel=0 "
              "from_kernel=0 dns_queries=5 "
              "dns_responses=5 (NXDOMAIN=5) dhcp_requests=0 dhcp_replies=0 dhcp6_requests=0 "
              "dhcp6_replies=0 tcp_conns=3 tcp_responses=7 (NOERROR=7) updates=0");
}

TEST(Catalog, AbsentSourcesAreLeftOut) {
    Fixture f(1);
    ordered_json j = render_stats(f.sources(false, false));
    EXPECT_FALSE(j.contains("lease_store"));
    EXPECT_FALSE(j.contains("sweeper"));
    EXPECT_FALSE(j.contains("zones"));
    EXPECT_FALSE(j.contains("record_store"));
    EXPECT_FALSE(j["dhcp"].contains("replies"));
    EXPECT_TRUE(j["dhcp"].contains("malformed"));  // the workers count port 67 either way
    EXPECT_FALSE(j["appliance"].contains("reloads"));
    // Nothing at all: the build, and keys without series.
    ordered_json empty = render_stats(MetricsSources{});
    EXPECT_EQ(empty["appliance"]["build_info"]["version"], "0.1.0");
    EXPECT_EQ(empty["packets"]["rx_packets"], 0u);
    EXPECT_EQ(empty["packets"]["drops"], ordered_json::object());
    EXPECT_FALSE(empty.contains("lcores"));
}

TEST(Catalog, TotalMatchesLabels) {
    Busy f;
    const MetricsSources src = f.all_sources();
    const Entry& drops = find_entry("edgelease_drops_total");
    EXPECT_EQ(total(drops, src), 3u);
    EXPECT_EQ(total(drops, src, {{"reason", "tx_full"}}), 2u);
    EXPECT_EQ(total(drops, src, {{"reason", "tx_full"}, {"lcore", "worker_0"}}), 0u);
    EXPECT_EQ(total(drops, src, {{"nothing", "x"}}), 0u);
    EXPECT_EQ(total(find_entry("edgelease_lease_store_commit_duration_seconds"), src), 3u);
    EXPECT_EQ(total(find_entry("edgelease_sweeper_wheel_entries"), f.sources()), 0u);  // absent
}

/// The table of docs/operations.md, from the catalog: one row per entry.
std::string docs_table() {
    auto cell = [](std::string_view text) {
        std::string out;
        for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
        return out;
    };
    std::string t =
        "| Prometheus family | type | labels | `/api/v1/stats`, telemetry | log line | help |\n"
        "|---|---|---|---|---|---|\n";
    for (const Entry& e : catalog()) {
        static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
        std::string labels, where, tail;  // tail: what the labels nest
        for (std::string_view l : e.labels) labels += (labels.empty() ? "" : ", ") + std::string(l);
        std::vector<std::string> nest;
        for (std::string_view l : e.labels)
            if (l != "lcore" && l != "role") nest.emplace_back(l);
        if (is_info(e) && nest.size() > 1) {
            tail = ".<" + nest[0] + ">.{";
            for (size_t i = 1; i < nest.size(); ++i) tail += (i > 1 ? "," : "") + nest[i];
            tail += "}";
        } else if (is_info(e)) {
            tail = "." + (nest.empty() ? std::string() : nest[0]);
        } else {
            for (const std::string& l : nest) tail += ".<" + l + ">";
            if (e.type == MetricType::Histogram) tail += ".{count,sum,buckets.<le>}";
        }
        if (e.section != Section::Lcores)
            where =
                "`" + std::string(section_info(e.section).name) + "." + view_key(e) + tail + "`";
        if (in_lcore_rows(e) && is_info(e)) {
            std::string fields;  // every label but the lcore, role included
            for (std::string_view l : e.labels)
                if (l != "lcore") fields += (fields.empty() ? "" : ",") + std::string(l);
            where += "`lcores.<lcore>.{" + fields + "}`";
        } else if (in_lcore_rows(e)) {
            where += (where.empty() ? "" : ", ") + ("`lcores.<lcore>." + row_key(e) + "`");
        }
        t += "| `" + std::string(e.name) + "` | " + kTypes[static_cast<int>(e.type)] + " | " +
             labels + " | " + where + " | " + std::string(e.summary) + " | " + cell(e.help) +
             " |\n";
    }
    return t;
}

// docs/operations.md lists the catalog between two markers; EDGELEASE_UPDATE_DOCS=1 rewrites
// it from the catalog.
TEST(Catalog, OperationsDocListsTheCatalog) {
    const std::string path = std::string(EDGELEASE_SOURCE_DIR) + "/docs/operations.md";
    std::stringstream buf;
    buf << std::ifstream(path).rdbuf();
    std::string doc = buf.str();
    const std::string begin = "<!-- catalog table: begin -->\n",
                      end = "<!-- catalog table: end -->";
    const size_t b = doc.find(begin), e = doc.find(end);
    ASSERT_NE(b, std::string::npos) << path;
    ASSERT_NE(e, std::string::npos) << path;
    const std::string want = docs_table();
    if (std::getenv("EDGELEASE_UPDATE_DOCS") != nullptr) {
        doc.replace(b + begin.size(), e - b - begin.size(), want);
        std::ofstream(path) << doc;
        return;
    }
    EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), want)
        << "run with EDGELEASE_UPDATE_DOCS=1 to write the table into " << path;
}

}  // namespace
}  // namespace edgelease::app
