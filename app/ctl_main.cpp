// edgelease-ctl: the management CLI. Talks to the appliance's HTTP API (docs/api.md).
// Exit status (kExitStatus): 0 success, 1 the appliance refused (4xx/5xx; its error is
// printed) or no hosted zone holds the name, 2 usage, 3 the API could not be reached.
#include <httplib.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/ctl_args.hpp"
#include "app/lease_table.hpp"

using nlohmann::json;
namespace ctl = edgelease::app::ctl;

namespace {

constexpr const char* kExitStatus =
    "Options --api, --token-file and --json may stand before or after the subcommand.\n"
    "Exit status: 0 done; 1 refused by the appliance (HTTP 4xx/5xx, its error printed) or no\n"
    "hosted zone holds the name; 2 usage; 3 the API could not be reached.";

struct Options {
    std::string api = "http://127.0.0.1:8053";
    std::string token_file;
    bool json = false;
};

struct Response {
    int status = 0;  // 0 = no connection
    json body;
    std::string error;
};

Response call(const Options& o, const std::string& method, const std::string& path,
              const std::string& body = "") {
    httplib::Client cli(o.api);
    cli.set_connection_timeout(3, 0);
    cli.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!o.token_file.empty()) {
        std::ifstream in(o.token_file);
        std::string token;
        std::getline(in, token);
        headers.emplace("Authorization", "Bearer " + token);
    }
    httplib::Result r = method == "GET"      ? cli.Get(path, headers)
                        : method == "DELETE" ? cli.Delete(path, headers, body, "application/json")
                                             : cli.Post(path, headers, body, "application/json");
    Response out;
    if (!r) {
        out.error = "cannot reach the API at " + o.api + ": " + httplib::to_string(r.error());
        return out;
    }
    out.status = r->status;
    out.body = json::parse(r->body, nullptr, false);
    if (out.status >= 400)
        out.error = out.body.is_object() && out.body.contains("error")
                        ? out.body["error"].get<std::string>()
                        : "HTTP " + std::to_string(out.status);
    return out;
}

/// Prints the error and returns the exit status, or 0 when the call succeeded.
int failed(const Response& r, const Options& o) {
    if (r.status == 0) {
        std::fprintf(stderr, "edgelease-ctl: %s\n", r.error.c_str());
        return 3;
    }
    if (r.status >= 400) {
        if (o.json) {
            std::printf("%s\n", r.body.dump(2).c_str());
        } else {
            std::fprintf(stderr, "edgelease-ctl: %s (HTTP %d)\n", r.error.c_str(), r.status);
            if (r.body.is_object() && r.body.contains("errors"))
                for (const auto& e : r.body["errors"])
                    std::fprintf(stderr, "  %s\n", e.get<std::string>().c_str());
        }
        return 1;
    }
    return 0;
}

/// A positional that takes a varying number of words shows its option text ("[ZONE] NAME TYPE
/// DATA") in the usage line, where CLI11 would show "record(3x)".
class Formatter : public CLI::Formatter {
  public:
    std::string make_option_usage(const CLI::Option* opt) const override {
        return opt->get_option_text().empty() ? CLI::Formatter::make_option_usage(opt)
                                              : opt->get_option_text();
    }
};

/// Prints the API's answer (its JSON with --json, else the table `print` makes of it) and
/// returns the exit status.
int answer(const Response& r, const Options& o, const std::function<void(const json&)>& print) {
    if (int rc = failed(r, o)) return rc;
    if (o.json)
        std::printf("%s\n", r.body.dump(2).c_str());
    else
        print(r.body);
    return 0;
}

std::string str(const json& j, const char* key) {
    if (!j.contains(key)) return "-";
    const json& v = j[key];
    if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
    return v.dump();
}

void print_leases(const json& leases) {
    std::fputs(edgelease::app::lease_table(leases).c_str(), stdout);
}

/// The sum of the numbers under `j`: a counter split by labels in GET /api/v1/stats is an
/// object ({"runt": 1, …}), its total is the sum of its parts.
uint64_t sum(const json& j) {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    uint64_t n = 0;
    if (j.is_object())
        for (const auto& [k, v] : j.items()) n += sum(v);
    return n;
}

std::string total(const json& section, const char* key) {
    return section.contains(key) ? std::to_string(sum(section[key])) : "-";
}

/// One line per non-zero number (or non-empty string) under `j`, named by its path.
void print_figures(const json& j, const std::string& path) {
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) print_figures(v, path.empty() ? k : path + "." + k);
        return;
    }
    if ((j.is_number() && j != 0) || (j.is_string() && !j.get<std::string>().empty()))
        std::printf("  %-44s %s\n", path.c_str(),
                    j.is_string() ? j.get<std::string>().c_str() : j.dump().c_str());
}

void print_stats(const json& s) {
    const json p = s.value("packets", json::object());
    const json answered = p.value("inline_answers", json::object());
    std::printf("packets   rx %s  tx %s  dropped %s\n", total(p, "rx_packets").c_str(),
                total(p, "tx_packets").c_str(), total(p, "drops").c_str());
    std::printf("answered  arp %s  icmp echo %s  nd %s  icmp6 echo %s\n",
                total(answered, "arp").c_str(), total(answered, "icmp_echo").c_str(),
                total(answered, "nd").c_str(), total(answered, "icmp6_echo").c_str());
    const json drops = p.value("drops", json::object());  // named: items() borrows it
    for (const auto& [reason, n] : drops.items())
        if (sum(n) != 0) std::printf("  drop %-20s %s\n", reason.c_str(), n.dump().c_str());
    const json d = s.value("dns", json::object());
    std::printf("dns       queries %s  responses %s  truncated %s  referrals %s\n",
                total(d, "queries").c_str(), total(d, "responses").c_str(),
                total(d, "truncated").c_str(), total(d, "referrals").c_str());
    const json responses = d.value("responses", json::object());
    for (const auto& [rcode, n] : responses.items())
        if (sum(n) != 0) std::printf("  rcode %-10s %s\n", rcode.c_str(), n.dump().c_str());
    // The other sections as they come, non-zero figures only.
    for (const auto& [section, figures] : s.items()) {
        if (section == "packets" || section == "dns" || section == "lcores") continue;
        std::printf("%s\n", section.c_str());
        print_figures(figures, "");
    }
    std::printf("lcores\n");
    const json lcores = s.value("lcores", json::object());
    for (const auto& [lcore, l] : lcores.items()) {
        const std::string index = lcore.substr(lcore.rfind('_') + 1);  // "worker_0"
        std::printf("  %-8s %s (lcore %s): loops %s, idle sleeps %s\n", str(l, "role").c_str(),
                    index.c_str(), str(l, "lcore_id").c_str(), str(l, "loops").c_str(),
                    str(l, "idle_sleeps").c_str());
    }
}

void print_records(const json& records) {
    std::printf("%-32s %-6s %-6s %-28s %-11s %-20s %-20s %s\n", "NAME", "TYPE", "TTL", "DATA",
                "ORIGIN", "CREATED", "UPDATED", "OWNER");
    for (const auto& r : records)
        std::printf("%-32s %-6s %-6s %-28s %-11s %-20s %-20s %s\n", str(r, "name").c_str(),
                    str(r, "type").c_str(), str(r, "ttl").c_str(), str(r, "data").c_str(),
                    str(r, "origin").c_str(), str(r, "created").c_str(), str(r, "updated").c_str(),
                    str(r, "owner").c_str());
}

void print_zones(const json& zones) {
    std::printf("%-32s %-10s %-8s %-6s %-6s %-8s %-9s %s\n", "ZONE", "SERIAL", "RECORDS", "XFR",
                "DENIED", "NOTIFY", "UPDATES", "BY ORIGIN");
    for (const auto& z : zones) {
        std::string by;
        for (const auto& [origin, n] : z["by_origin"].items())
            if (n.get<uint64_t>() != 0) by += (by.empty() ? "" : ", ") + origin + " " + n.dump();
        // Transfers sent (whole zone or SOA), refused or not authorised, NOTIFY answered/sent,
        // dynamic updates applied/refused.
        const json t = z.value("transfers", json::object());
        const json n = z.value("notify", json::object());
        auto num = [](const json& j, const char* k) { return j.value(k, uint64_t{0}); };
        const std::string xfr = std::to_string(num(t, "axfr") + num(t, "ixfr") +
                                               num(t, "ixfr_full") + num(t, "ixfr_up_to_date"));
        const std::string denied = std::to_string(num(t, "refused") + num(t, "notauth"));
        const std::string notify =
            std::to_string(num(n, "answered")) + "/" + std::to_string(num(n, "sent"));
        const json u = z.value("updates", json::object());
        const std::string updates =
            std::to_string(num(u, "applied")) + "/" + std::to_string(num(u, "refused"));
        std::printf("%-32s %-10s %-8s %-6s %-6s %-8s %-9s %s\n", str(z, "name").c_str(),
                    str(z, "serial").c_str(), str(z, "records").c_str(), xfr.c_str(),
                    denied.c_str(), notify.c_str(), updates.c_str(), by.c_str());
    }
}

void print_audit(const json& events) {
    std::printf("%-6s %-20s %-19s %-28s %-5s %-18s %-18s %-11s %s\n", "SEQ", "TIME", "REASON",
                "NAME", "TYPE", "OLD", "NEW", "ORIGIN", "OWNER / DETAIL");
    for (const auto& e : events) {
        std::string reason = str(e, "reason");
        if (e.contains("applied") && !e["applied"].get<bool>()) reason += " (skipped)";
        std::string tail = str(e, "owner");
        if (e.contains("detail") && !e["detail"].get<std::string>().empty())
            tail += ": " + e["detail"].get<std::string>();
        std::printf("%-6s %-20s %-19s %-28s %-5s %-18s %-18s %-11s %s\n", str(e, "seq").c_str(),
                    str(e, "time").c_str(), reason.c_str(), str(e, "name").c_str(),
                    str(e, "type").c_str(), str(e, "old").c_str(), str(e, "new").c_str(),
                    str(e, "origin").c_str(), tail.c_str());
    }
}

void print_reload(const json& b) {
    std::printf(
        "reloaded: %s zone(s), %s record(s); %s DHCP scope(s), %s lease(s) kept, %s ended\n",
        str(b, "zones").c_str(), str(b, "records").c_str(), str(b, "scopes").c_str(),
        str(b, "leases_kept").c_str(), str(b, "leases_dropped").c_str());
    if (b.contains("warnings"))
        for (const auto& w : b["warnings"])
            std::printf("  warning: %s\n", w.get<std::string>().c_str());
}

std::string query(std::initializer_list<std::pair<const char*, std::string>> params) {
    std::string q;
    for (const auto& [k, v] : params)
        if (!v.empty())
            q += std::string(q.empty() ? "?" : "&") + k + "=" +
                 httplib::detail::encode_query_param(v);
    return q;
}

std::string limit_param(size_t limit) {
    return limit == 0 ? std::string() : std::to_string(limit);
}

/// Fills in the zone left out of `records add/delete`: the longest hosted zone that holds the
/// name (GET /api/v1/zones). Returns the exit status: 0 found, 1 refused or no zone holds the
/// name, 3 unreachable.
int find_zone(const Options& o, ctl::RecordWords& w) {
    Response r = call(o, "GET", "/api/v1/zones");
    if (int rc = failed(r, o)) return rc;
    std::vector<std::string> zones;
    for (const auto& z : r.body) zones.push_back(str(z, "name"));
    w.zone = ctl::longest_zone(w.name, zones);
    if (!w.zone.empty()) return 0;
    std::fprintf(stderr, "edgelease-ctl: no hosted zone holds %s\n", w.name.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"edgelease-ctl: manage an edgelease appliance through its HTTP API"};
    // Inherited by every subcommand created below, at any depth: an option a subcommand does
    // not know (--json, --api, --token-file) is handed up to the main command.
    app.fallthrough();
    app.footer(kExitStatus);
    app.formatter(std::make_shared<Formatter>());
    Options o;
    app.add_option("--api", o.api, "API base URL")->capture_default_str();
    app.add_option("--token-file", o.token_file, "File holding the bearer token");
    app.add_flag("--json", o.json, "Print the API's JSON instead of tables");
    app.require_subcommand(1);

    auto* stats = app.add_subcommand("stats", "Packet, DNS, DHCP and lcore counters");
    auto* reload = app.add_subcommand(
        "reload", "Re-read the configuration: zones, DHCP scopes, pools, reservations, DNS policy");
    auto* leases = app.add_subcommand("leases", "DHCP leases (DHCPv4 and DHCPv6)");
    leases->require_subcommand(1);
    std::string scope, state, family, ip;
    auto* list = leases->add_subcommand("list", "List leases, DHCPv4 first, then DHCPv6");
    list->add_option("--scope", scope, "Only this scope");
    list->add_option("--state", state,
                     "Only this state (bound, released, expired, declined, offered)");
    list->add_option("--family", family, "Only DHCPv4 (4) or DHCPv6 (6) leases")
        ->check(CLI::Validator(ctl::family_error, "4|6"));
    size_t page = 10000;
    list->add_option("--page-size", page, "Leases fetched per request (default 10000)")
        ->check(CLI::Range(size_t{1}, size_t{100000}));
    auto* show = leases->add_subcommand("show", "Show one lease");
    auto* release = leases->add_subcommand(
        "release", "Release a lease, as the client's DHCPRELEASE (DHCPv6: Release)");
    auto* expire = leases->add_subcommand("expire", "Expire a lease, as if it had expired");
    for (auto* c : {show, release, expire})
        c->add_option("address", ip,
                      "The lease's address (198.18.0.100, 2001:db8::50) or delegated prefix "
                      "(2001:db8:8000::/56)")
            ->required();

    auto* zones = app.add_subcommand("zones", "Hosted zones");
    zones->require_subcommand(1);
    auto* zones_list = zones->add_subcommand(
        "list", "List zones: serial, record counts by origin, transfers, NOTIFY, updates");

    auto* records = app.add_subcommand("records", "DNS records with their provenance");
    records->require_subcommand(1);
    std::string zone, rname, rtype, origin, owner_note;
    std::vector<std::string> words;
    uint32_t ttl = 0;
    bool force = false;
    size_t limit = 0;
    auto* rec_list =
        records->add_subcommand("list", "List a zone's records (origin, owner, created, updated)");
    rec_list->add_option("zone", zone, "Zone name, e.g. lan.")->required();
    rec_list->add_option("--name", rname,
                         "Only this owner name (relative to the zone or absolute)");
    rec_list->add_option("--type", rtype, "Only this RR type");
    rec_list->add_option("--origin", origin,
                         "Only this origin (config, manual, reservation, dhcp, update)");
    rec_list->add_option("--limit", limit, "At most this many records (default 1000)");
    auto* rec_add = records->add_subcommand(
        "add",
        "Add a record (origin manual): ZONE NAME TYPE DATA, or NAME. TYPE DATA with an absolute "
        "name, in the longest hosted zone that holds it");
    rec_add
        ->add_option("record", words,
                     "NAME relative to ZONE or absolute; DATA in presentation format, e.g. "
                     "198.18.0.50")
        ->required()
        ->expected(3, 4)
        ->option_text("[ZONE] NAME TYPE DATA");
    rec_add->add_option("--ttl", ttl, "TTL (default: the zone's)");
    rec_add->add_option("--owner", owner_note,
                        "Who is adding it (kept as the record's owner; default api)");
    rec_add->add_flag("--force", force, "Replace a DHCP- or reservation-owned record in the way");
    auto* rec_del = records->add_subcommand(
        "delete",
        "Delete a config or manual record (DHCP-owned only with --force): ZONE NAME TYPE [DATA], "
        "or NAME. TYPE [DATA] with an absolute name, in the longest hosted zone that holds it");
    rec_del->add_option("record", words, "Without DATA: every record of that type at the name")
        ->required()
        ->expected(2, 4)
        ->option_text("[ZONE] NAME TYPE [DATA]");
    rec_del->add_flag("--force", force, "Also delete DHCP- or reservation-owned records");

    auto* audit = app.add_subcommand("audit", "The DNS audit trail, newest first");
    std::string before;
    audit->add_option("--name", rname, "Only events whose name contains this");
    audit->add_option("--limit", limit, "At most this many events (default 1000)");
    audit->add_option("--before", before, "Only events older than this sequence number");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    if (*stats) return answer(call(o, "GET", "/api/v1/stats"), o, print_stats);
    if (*reload) return answer(call(o, "POST", "/api/v1/reload"), o, print_reload);
    if (*zones_list) return answer(call(o, "GET", "/api/v1/zones"), o, print_zones);
    if (*rec_list)
        return answer(call(o, "GET",
                           "/api/v1/zones/" + zone + "/records" +
                               query({{"name", rname},
                                      {"type", rtype},
                                      {"origin", origin},
                                      {"limit", limit_param(limit)}})),
                      o, print_records);
    if (*rec_add || *rec_del) {
        std::string why;
        auto w = ctl::record_words(*rec_add ? ctl::RecordVerb::add : ctl::RecordVerb::remove, words,
                                   why);
        if (!w) {
            std::fprintf(stderr, "edgelease-ctl: %s\nRun with --help for more information.\n",
                         why.c_str());
            return 2;
        }
        if (w->zone.empty())
            if (int rc = find_zone(o, *w)) return rc;
        json body{{"name", w->name}, {"type", w->type}, {"force", force}};
        if (*rec_add || !w->data.empty()) body["data"] = w->data;
        const std::string path = "/api/v1/zones/" + w->zone + "/records";
        if (*rec_del)
            return answer(call(o, "DELETE", path, body.dump()), o,
                          [](const json& b) { print_records(b["deleted"]); });
        if (ttl != 0) body["ttl"] = ttl;
        if (!owner_note.empty()) body["owner"] = owner_note;
        return answer(call(o, "POST", path, body.dump()), o,
                      [](const json& b) { print_records(json::array({b})); });
    }
    if (*audit)
        return answer(
            call(o, "GET",
                 "/api/v1/audit" +
                     query({{"name", rname}, {"before", before}, {"limit", limit_param(limit)}})),
            o, print_audit);
    if (*list) {
        // A page at a time (the API's cursor), so that no one answer holds a million leases;
        // printed as one table, or as one JSON array as before.
        json all = json::array();
        std::string cursor;
        for (;;) {
            Response r = call(o, "GET",
                              "/api/v1/leases" + query({{"scope", scope},
                                                        {"state", state},
                                                        {"family", family},
                                                        {"limit", std::to_string(page)},
                                                        {"cursor", cursor}}));
            if (int rc = failed(r, o)) return rc;
            if (r.body.is_array()) {  // an appliance from before paging: the whole table
                all = std::move(r.body);
                break;
            }
            if (!r.body.is_object() || !r.body["leases"].is_array()) {
                std::fprintf(stderr, "edgelease-ctl: unexpected answer from the API\n");
                return 1;
            }
            for (auto& l : r.body["leases"]) all.push_back(std::move(l));
            if (!r.body["next"].is_string()) break;
            cursor = r.body["next"].get<std::string>();
        }
        Response whole;
        whole.status = 200;
        whole.body = std::move(all);
        return answer(whole, o, print_leases);
    }
    const char* action = *show ? "" : *release ? "/release" : "/expire";
    return answer(call(o, *show ? "GET" : "POST", ctl::lease_path(ip, action)), o,
                  [](const json& b) { print_leases(json::array({b})); });
}
