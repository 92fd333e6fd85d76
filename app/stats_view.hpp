#pragma once
// The counter catalog (catalog.hpp) rendered for GET /api/v1/stats, DPDK telemetry and the
// periodic log line. All three derive from an entry's declaration, mechanically:
//
// - Sections: an entry is shown under its section (kSections): the top-level object of that
//   name in the JSON, and the telemetry command /edgelease/<section>.
// - Keys: the canonical name without "edgelease_", the section's prefix and "_total":
//   edgelease_dns_queries_total in section dns is dns.queries.
// - Labels become nested objects, in the entry's label order: edgelease_dhcp_leases{scope,
//   state} is dhcp.leases.<scope>.<state>. A histogram is {count, sum, buckets: {le: n}}
//   (cumulative). An info metric (`*_info`, always 1) shows its labels as strings: with one
//   label {label: value}, with several {<first value>: {label: value, …}}.
// - The lcore label (and role, which comes with it) is summed away: sections hold totals over
//   the lcores. The per-lcore split is the lcores section, one object per lcore ("worker_0"):
//   the strings of edgelease_lcore_info (role, lcore_id), then every entry whose only labels
//   are lcore (and role), keyed by its name without "edgelease_", "lcore_" and "_total"
//   (loops, idle_sleeps, rx_packets, dns_queries, dhcp_malformed, …). Per-lcore splits by a
//   second label (drops by reason per lcore, …) are Prometheus's only.
// - Telemetry is that JSON with two DPDK 22.11 limits: one level of nesting, so deeper keys
//   are joined with "/" (dhcp.leases.lan.bound is "leases": {"lan/bound": n}), and names of
//   [A-Za-z0-9_/] only, so other characters become "_" ("+" is dropped: le "+Inf" is "Inf").
//   Fractional values (ratios, seconds) are strings there.
// - A section or key whose source is absent (catalog.hpp, Source) is left out.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/catalog.hpp"
#include "dataplane/telemetry.hpp"

namespace edgelease::app {

/// True for an info metric: a gauge named *_info whose value is always 1.
bool is_info(const Entry& e);
/// The key of `e` in its section: "queries" for edgelease_dns_queries_total.
std::string view_key(const Entry& e);
/// The key of `e` in an lcore's object of the lcores section: "dns_queries".
std::string row_key(const Entry& e);
/// True when `e` is shown per lcore in the lcores section.
bool in_lcore_rows(const Entry& e);

/// One section: its object in GET /api/v1/stats, the answer of /edgelease/<section>.
nlohmann::ordered_json render_section(const MetricsSources& src, Section section);
/// The body of GET /api/v1/stats: every section that has something, in kSections order.
nlohmann::ordered_json render_stats(const MetricsSources& src);

/// `key` as DPDK telemetry accepts a name: [A-Za-z0-9_/], "+" dropped, others "_".
std::string telemetry_name(std::string_view key);
/// Writes a section (render_section) into a telemetry reply, flattened to one level.
void fill_telemetry(const nlohmann::ordered_json& section, dataplane::TelemetryDict& out);
/// The commands /edgelease/<section> for every section, each rendering sources_of(app) when
/// asked. `app` must outlive the attachment (detach_telemetry before destroying it).
std::vector<dataplane::TelemetryCommand> telemetry_commands(const Appliance& app);

/// The periodic log line: "rx=… tx=… answered=… (arp=… …) dropped=… (reason=n …) …", one
/// `summary=total` per entry that has a summary name, in catalog order, with the non-zero
/// parts of the ones labelled beyond lcore.
std::string summary_line(const MetricsSources& src);

}  // namespace edgelease::app
