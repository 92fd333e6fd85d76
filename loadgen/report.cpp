#include "loadgen/report.hpp"

#include <cstdarg>
#include <cstdio>

namespace edgelease::loadgen {

namespace {

double per_s(uint64_t n, double s) {
    return s > 0 ? static_cast<double>(n) / s : 0.0;
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string latency_line(const char* what, const LatencySummary& l) {
    if (l.count == 0) return fmt("  %-18s none\n", what);
    return fmt(
        "  %-18s p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  "
        "(mean %.1f us, %llu samples)\n",
        what, l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us, l.mean_us,
        static_cast<unsigned long long>(l.count));
}

nlohmann::ordered_json latency_json(const LatencySummary& l) {
    return {{"samples", l.count},   {"min_us", l.min_us}, {"mean_us", l.mean_us},
            {"p50_us", l.p50_us},   {"p90_us", l.p90_us}, {"p99_us", l.p99_us},
            {"p999_us", l.p999_us}, {"max_us", l.max_us}};
}

}  // namespace

std::string si(double v) {
    if (v >= 1e9) return fmt("%.2fG", v / 1e9);
    if (v >= 1e6) return fmt("%.2fM", v / 1e6);
    if (v >= 1e4) return fmt("%.1fk", v / 1e3);
    return fmt("%.0f", v);
}

std::string rcode_name(unsigned rcode) {
    static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                             "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                             "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < sizeof kNames / sizeof kNames[0]) return kNames[rcode];
    return "RCODE" + std::to_string(rcode);
}

LatencySummary summarize(const LatencyHistogram& h) {
    LatencySummary s;
    s.count = h.count();
    if (s.count == 0) return s;
    auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
    s.min_us = us(h.min());
    s.mean_us = h.mean() / 1000.0;
    s.p50_us = us(h.percentile(50));
    s.p90_us = us(h.percentile(90));
    s.p99_us = us(h.percentile(99));
    s.p999_us = us(h.percentile(99.9));
    s.max_us = us(h.max());
    return s;
}

void fill_report(const DhcpSwarm& swarm, RunReport& r) noexcept {
    const DhcpCounters& c = swarm.counters();
    r.family = 4;
    r.clients = swarm.clients();
    r.bound_at_end = swarm.bound();
    r.unfinished = swarm.in_flight();
    r.dora_started = c.discovers.get();
    r.leases = c.acks.get();
    r.exchanges = c.exchanges.get();
    r.offers = c.offers.get();
    r.renews = c.renews.get();
    r.renew_acks = c.renew_acks.get();
    r.releases = c.releases.get();
    r.naks = c.naks.get();
    r.timeouts = c.timeouts.get();
    r.retransmissions = c.retransmissions.get();
    r.unexpected = c.unexpected.get();
    r.ignored = c.ignored.get();
    r.latency = summarize(swarm.exchange_latency());
    r.dora_latency = summarize(swarm.dora_latency());
}

void fill_report(const Dhcp6Swarm& swarm, RunReport& r) noexcept {
    const Dhcp6Counters& c = swarm.counters();
    r.family = 6;
    r.clients = swarm.clients();
    r.relays = swarm.config().relays;
    r.rapid_commit = swarm.config().rapid_commit;
    r.bound_at_end = swarm.bound();
    r.unfinished = swarm.in_flight();
    r.dora_started = c.solicits.get();
    r.leases = c.leases.get();
    r.rapid_leases = c.rapid_leases.get();
    r.addresses = c.addresses.get();
    r.prefixes = c.prefixes.get();
    r.exchanges = c.exchanges.get();
    r.offers = c.advertises.get();
    r.renews = c.renews.get();
    r.renew_acks = c.renew_replies.get();
    r.releases = c.releases.get();
    r.release_replies = c.release_replies.get();
    r.refused = c.refused.get();
    r.timeouts = c.timeouts.get();
    r.retransmissions = c.retransmissions.get();
    r.unexpected = c.unexpected.get();
    r.ignored = c.ignored.get();
    for (unsigned s = 0; s < kStatusSlots; ++s) r.status_codes[s] = c.status[s].get();
    r.latency = summarize(swarm.exchange_latency());
    r.dora_latency = summarize(swarm.acquisition_latency());
}

std::string to_text(const RunReport& r) {
    std::string out;
    const std::string load = r.closed_loop ? fmt("closed loop, %u outstanding", r.outstanding)
                                           : fmt("open loop at %s/s, at most %u outstanding",
                                                 si(r.target_rate).c_str(), r.outstanding);
    out +=
        fmt("edgelease-loadgen %s on %s: %.2f s sending, last answer at %.2f s, %.2f s "
            "draining; %s%s\n",
            r.mode.c_str(), r.port.c_str(), r.send_s, r.elapsed_s, r.drain_s, load.c_str(),
            r.interrupted ? " (interrupted)" : "");
    const double t = r.elapsed_s;
    if (r.mode == "dns") {
        const double loss = r.sent == 0 ? 0.0 : 100.0 * static_cast<double>(r.lost) / r.sent;
        out += fmt("  queries sent       %llu (%s/s) from %zu distinct queries\n",
                   static_cast<unsigned long long>(r.sent), si(per_s(r.sent, t)).c_str(),
                   r.distinct_queries);
        out += fmt("  answered           %llu (%s/s)\n",
                   static_cast<unsigned long long>(r.answered), si(per_s(r.answered, t)).c_str());
        out += fmt("  lost               %llu (%.3f %%), late answers %llu\n",
                   static_cast<unsigned long long>(r.lost), loss,
                   static_cast<unsigned long long>(r.late));
        std::string rc;
        for (unsigned i = 0; i < r.rcode.size(); ++i)
            if (r.rcode[i] != 0)
                rc += fmt(" %s %llu", rcode_name(i).c_str(),
                          static_cast<unsigned long long>(r.rcode[i]));
        out += "  rcodes            " + (rc.empty() ? std::string(" none") : rc) + "\n";
        out += fmt("  truncated          %llu, not as expected %llu\n",
                   static_cast<unsigned long long>(r.truncated),
                   static_cast<unsigned long long>(r.mismatched));
        out += latency_line("latency", r.latency);
    } else if (r.mode == "dhcp6") {
        const char* how =
            r.rapid_commit ? "Solicit-Reply (Rapid Commit)" : "Solicit-Advertise-Request-Reply";
        out += fmt("  clients            %u (%u bound at the end, %u unfinished), %s, IA %s, %s\n",
                   r.clients, r.bound_at_end, r.unfinished,
                   r.relays != 0 ? fmt("behind %u relays", r.relays).c_str() : "on the link",
                   r.ia.c_str(), how);
        out +=
            fmt("  acquisitions       %llu started, %llu leases (%s/s; %llu by Rapid Commit), "
                "%llu addresses, %llu prefixes\n",
                static_cast<unsigned long long>(r.dora_started),
                static_cast<unsigned long long>(r.leases), si(per_s(r.leases, t)).c_str(),
                static_cast<unsigned long long>(r.rapid_leases),
                static_cast<unsigned long long>(r.addresses),
                static_cast<unsigned long long>(r.prefixes));
        out += fmt("  exchanges          %llu (%s/s), %llu Advertises\n",
                   static_cast<unsigned long long>(r.exchanges), si(per_s(r.exchanges, t)).c_str(),
                   static_cast<unsigned long long>(r.offers));
        out +=
            fmt("  renewals           %llu started, %llu renewed; releases %llu, %llu answered\n",
                static_cast<unsigned long long>(r.renews),
                static_cast<unsigned long long>(r.renew_acks),
                static_cast<unsigned long long>(r.releases),
                static_cast<unsigned long long>(r.release_replies));
        out += fmt("  refused %llu, timeouts %llu, retransmissions %llu, unexpected replies %llu\n",
                   static_cast<unsigned long long>(r.refused),
                   static_cast<unsigned long long>(r.timeouts),
                   static_cast<unsigned long long>(r.retransmissions),
                   static_cast<unsigned long long>(r.unexpected));
        std::string st;
        for (unsigned i = 0; i < r.status_codes.size(); ++i)
            if (r.status_codes[i] != 0)
                st += fmt(" %s %llu", status_slot_name(i),
                          static_cast<unsigned long long>(r.status_codes[i]));
        out += "  status codes      " + (st.empty() ? std::string(" none") : st) + "\n";
        out += latency_line("exchange latency", r.latency);
        out += latency_line("acquisition lat.", r.dora_latency);
    } else {
        out += fmt("  clients            %u (%u bound at the end, %u unfinished)\n", r.clients,
                   r.bound_at_end, r.unfinished);
        out += fmt("  DORA               %llu started, %llu leases (%s/s)\n",
                   static_cast<unsigned long long>(r.dora_started),
                   static_cast<unsigned long long>(r.leases), si(per_s(r.leases, t)).c_str());
        out += fmt("  exchanges          %llu (%s/s)\n",
                   static_cast<unsigned long long>(r.exchanges), si(per_s(r.exchanges, t)).c_str());
        out += fmt("  renewals           %llu started, %llu acked; releases %llu\n",
                   static_cast<unsigned long long>(r.renews),
                   static_cast<unsigned long long>(r.renew_acks),
                   static_cast<unsigned long long>(r.releases));
        out += fmt("  NAKs %llu, timeouts %llu, retransmissions %llu, unexpected replies %llu\n",
                   static_cast<unsigned long long>(r.naks),
                   static_cast<unsigned long long>(r.timeouts),
                   static_cast<unsigned long long>(r.retransmissions),
                   static_cast<unsigned long long>(r.unexpected));
        out += latency_line("exchange latency", r.latency);
        out += latency_line("DORA latency", r.dora_latency);
    }
    const double idle = r.loops == 0 ? 0.0 : 100.0 * static_cast<double>(r.idle_loops) / r.loops;
    out += fmt("  generator          %.1f %% of %llu loops idle (waiting for the server)\n", idle,
               static_cast<unsigned long long>(r.loops));
    out += fmt(
        "  frames             tx %llu, rx %llu (not for us %llu), tx refused %llu, no mbuf %llu, "
        "skipped (window full %llu, no idle client %llu)\n",
        static_cast<unsigned long long>(r.tx_frames), static_cast<unsigned long long>(r.rx_frames),
        static_cast<unsigned long long>(r.ignored), static_cast<unsigned long long>(r.tx_dropped),
        static_cast<unsigned long long>(r.alloc_failed),
        static_cast<unsigned long long>(r.window_full),
        static_cast<unsigned long long>(r.no_idle_client));
    return out;
}

nlohmann::ordered_json to_json(const RunReport& r) {
    const double t = r.elapsed_s;
    nlohmann::ordered_json j;
    j["mode"] = r.mode;
    if (r.mode != "dns") j["family"] = r.family;
    j["port"] = r.port;
    j["send_s"] = r.send_s;
    j["elapsed_s"] = r.elapsed_s;
    j["drain_s"] = r.drain_s;
    j["closed_loop"] = r.closed_loop;
    j["target_rate"] = r.target_rate;
    j["outstanding"] = r.outstanding;
    j["interrupted"] = r.interrupted;
    if (r.mode == "dns") {
        j["distinct_queries"] = r.distinct_queries;
        j["sent"] = r.sent;
        j["answered"] = r.answered;
        j["lost"] = r.lost;
        j["late"] = r.late;
        j["loss_ratio"] = r.sent == 0 ? 0.0 : static_cast<double>(r.lost) / r.sent;
        j["qps_sent"] = per_s(r.sent, t);
        j["qps_answered"] = per_s(r.answered, t);
        nlohmann::ordered_json rc = nlohmann::ordered_json::object();
        for (unsigned i = 0; i < r.rcode.size(); ++i)
            if (r.rcode[i] != 0) rc[rcode_name(i)] = r.rcode[i];
        j["rcodes"] = rc;
        j["truncated"] = r.truncated;
        j["mismatched"] = r.mismatched;
        j["latency"] = latency_json(r.latency);
    } else if (r.mode == "dhcp6") {
        j["ia"] = r.ia;
        j["rapid_commit"] = r.rapid_commit;
        j["relays"] = r.relays;
        j["clients"] = r.clients;
        j["bound_at_end"] = r.bound_at_end;
        j["unfinished"] = r.unfinished;
        j["acquisitions_started"] = r.dora_started;
        j["leases"] = r.leases;
        j["leases_per_s"] = per_s(r.leases, t);
        j["rapid_commit_leases"] = r.rapid_leases;
        j["addresses"] = r.addresses;
        j["prefixes"] = r.prefixes;
        j["exchanges"] = r.exchanges;
        j["exchanges_per_s"] = per_s(r.exchanges, t);
        j["advertises"] = r.offers;
        j["renews"] = r.renews;
        j["renew_replies"] = r.renew_acks;
        j["releases"] = r.releases;
        j["release_replies"] = r.release_replies;
        j["refused"] = r.refused;
        j["timeouts"] = r.timeouts;
        j["retransmissions"] = r.retransmissions;
        j["unexpected"] = r.unexpected;
        nlohmann::ordered_json st = nlohmann::ordered_json::object();
        for (unsigned i = 0; i < r.status_codes.size(); ++i)
            if (r.status_codes[i] != 0) st[status_slot_name(i)] = r.status_codes[i];
        j["status_codes"] = st;
        j["latency"] = latency_json(r.latency);
        j["acquisition_latency"] = latency_json(r.dora_latency);
    } else {
        j["clients"] = r.clients;
        j["bound_at_end"] = r.bound_at_end;
        j["unfinished"] = r.unfinished;
        j["dora_started"] = r.dora_started;
        j["leases"] = r.leases;
        j["leases_per_s"] = per_s(r.leases, t);
        j["exchanges"] = r.exchanges;
        j["exchanges_per_s"] = per_s(r.exchanges, t);
        j["offers"] = r.offers;
        j["renews"] = r.renews;
        j["renew_acks"] = r.renew_acks;
        j["releases"] = r.releases;
        j["naks"] = r.naks;
        j["timeouts"] = r.timeouts;
        j["retransmissions"] = r.retransmissions;
        j["unexpected"] = r.unexpected;
        j["latency"] = latency_json(r.latency);
        j["dora_latency"] = latency_json(r.dora_latency);
    }
    j["frames"] = {{"tx", r.tx_frames},
                   {"rx", r.rx_frames},
                   {"tx_refused", r.tx_dropped},
                   {"no_mbuf", r.alloc_failed},
                   {"window_full", r.window_full},
                   {"no_idle_client", r.no_idle_client},
                   {"ignored", r.ignored}};
    j["generator"] = {{"loops", r.loops}, {"idle_loops", r.idle_loops}};
    return j;
}

}  // namespace edgelease::loadgen
