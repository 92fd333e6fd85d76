#include "loadgen/runner.hpp"

#include <signal.h>

#include <rte_cycles.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/log.hpp"
#include "control/zone/zone_file.hpp"
#include "dataplane/eal.hpp"
#include "loadgen/dhcp_gen.hpp"
#include "loadgen/dns_gen.hpp"
#include "loadgen/port.hpp"

namespace edgelease::loadgen {

namespace {
/// After the run (not on the packet path): the leases the generator saw ACKed, for tests
/// that check the appliance kept every one (crash safety).
void write_acked(const std::string& path, const DhcpSwarm& swarm) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw std::runtime_error("--acked-file " + path + ": cannot write it");
    for (uint32_t i = 0; i < swarm.clients(); ++i)
        if (const uint32_t a = swarm.acked_address(i); a != 0)
            std::fprintf(f, "%s %s\n", net::to_string(swarm.mac_of(i)).c_str(),
                         net::to_string(net::Ipv4Addr{a}).c_str());
    if (std::fclose(f) != 0) throw std::runtime_error("--acked-file " + path + ": write failed");
}
}  // namespace

namespace {

using Clock = std::chrono::steady_clock;
/// Builds one progress line; gets seconds since the start and since the last line.
using ProgressFn = std::function<std::string(double t, double dt)>;

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

/// Waits for signals and prints progress until the generator finishes. The first SIGINT or
/// SIGTERM ends sending (the summary still comes), a second one ends the drain too.
void report_progress(RunControl& ctl, const Options& o, const ProgressFn& line) {
    const sigset_t set = stop_signals();
    const auto period = std::chrono::milliseconds(o.progress_ms);
    auto last = Clock::now();
    const auto t0 = last;
    while (!ctl.finished.load()) {
        timespec tick{0, 50 * 1000 * 1000};
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            if (ctl.stop.exchange(true)) ctl.abort.store(true);
        }
        const auto now = Clock::now();
        if (!o.quiet && now - last >= period && ctl.start_tsc.load() != 0) {
            const double t = std::chrono::duration<double>(now - t0).count();
            const double dt = std::chrono::duration<double>(now - last).count();
            std::fprintf(stderr, "%s\n", line(t, dt).c_str());
            last = now;
        }
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<QuerySpec> load_queries(const Options& o) {
    if (!o.queries_file.empty()) {
        std::vector<ParseIssue> issues;
        auto q = parse_dnsperf(read_file(o.queries_file), issues);
        for (const auto& i : issues)
            LOG_WARN("%s:%u: %s", o.queries_file.c_str(), i.line, i.why.c_str());
        if (q.empty()) throw std::runtime_error(o.queries_file + ": no usable query");
        return q;
    }
    std::string why;
    auto origin = dns::name_from_text(o.zone_origin, dns::WireName{0}, why);
    if (!origin) throw std::runtime_error("--origin '" + o.zone_origin + "': " + why);
    auto zone = control::zone::parse_zone_file(o.zone_file, *origin, 3600);
    if (!zone.errors.empty()) {
        for (const auto& e : zone.errors) LOG_ERROR("%s", e.to_string().c_str());
        throw std::runtime_error(o.zone_file + ": " + std::to_string(zone.errors.size()) +
                                 " error(s)");
    }
    if (zone.records.empty()) throw std::runtime_error(o.zone_file + ": no records");
    return generate_queries(zone.records, *origin, o.dns_mix, parse_type_weights(o.types), o.pregen,
                            o.seed);
}

std::string dns_progress(const DnsCounters& c, const RunControl& ctl, double t, double dt,
                         uint64_t& last_sent, uint64_t& last_answered) {
    const uint64_t sent = c.sent.get(), answered = c.answered.get();
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "[%6.1fs] sent %s (%s/s)  answered %s (%s/s)  lost %llu  late %llu  in flight %u%s", t,
        si(static_cast<double>(sent)).c_str(), si((sent - last_sent) / dt).c_str(),
        si(static_cast<double>(answered)).c_str(), si((answered - last_answered) / dt).c_str(),
        static_cast<unsigned long long>(c.lost.get()),
        static_cast<unsigned long long>(c.late.get()),
        ctl.in_flight.load(std::memory_order_relaxed),
        ctl.draining.load(std::memory_order_relaxed) ? "  (draining)" : "");
    last_sent = sent;
    last_answered = answered;
    return buf;
}

/// A DHCP progress line's figures that each family counts its own way: completed
/// acquisitions, and the answers that refused one (`refused_what` names them).
struct Acquisitions {
    uint64_t leases;
    const char* refused_what;
    uint64_t refused;
};

Acquisitions acquisitions(const DhcpCounters& c) {
    return {c.acks.get(), "NAKs", c.naks.get()};
}

Acquisitions acquisitions(const Dhcp6Counters& c) {
    return {c.leases.get(), "refused", c.refused.get()};
}

std::string dhcp_progress(const SwarmCounters& c, const Acquisitions& a, const RunControl& ctl,
                          double t, double dt, uint64_t& last_leases, uint64_t& last_exchanges) {
    const uint64_t leases = a.leases, exchanges = c.exchanges.get();
    char buf[320];
    std::snprintf(
        buf, sizeof buf,
        "[%6.1fs] leases %s (%s/s)  exchanges %s (%s/s)  %s %llu  timeouts %llu  "
        "retransmitted %llu  in flight %u  bound %u%s",
        t, si(static_cast<double>(leases)).c_str(), si((leases - last_leases) / dt).c_str(),
        si(static_cast<double>(exchanges)).c_str(), si((exchanges - last_exchanges) / dt).c_str(),
        a.refused_what, static_cast<unsigned long long>(a.refused),
        static_cast<unsigned long long>(c.timeouts.get()),
        static_cast<unsigned long long>(c.retransmissions.get()),
        ctl.in_flight.load(std::memory_order_relaxed), ctl.bound.load(std::memory_order_relaxed),
        ctl.draining.load(std::memory_order_relaxed) ? "  (draining)" : "");
    last_leases = leases;
    last_exchanges = exchanges;
    return buf;
}

void fill_loop(const LoopCounters& l, RunReport& r) {
    r.tx_frames = l.tx_frames.get();
    r.tx_dropped = l.tx_dropped.get();
    r.rx_frames = l.rx_frames.get();
    r.alloc_failed = l.alloc_failed.get();
    r.window_full = l.window_full.get();
    r.no_idle_client = l.no_idle_client.get();
    r.loops = l.loops.get();
    r.idle_loops = l.idle_loops.get();
}

/// Runs `generate` on this (main) lcore while a reporter thread prints progress.
void run_with_reporter(RunControl& ctl, const Options& o, const ProgressFn& line,
                       const std::function<void()>& generate) {
    std::thread reporter([&] { report_progress(ctl, o, line); });
    generate();
    ctl.finished.store(true);
    reporter.join();
}

/// The settings both DHCP swarms take from the options.
void fill_swarm_config(const Options& o, const LoadgenPort& port, const net::MacAddr& server_mac,
                       SwarmCommonConfig& sc) {
    sc.clients = o.clients;
    sc.mac_base = o.mac_base;
    sc.port_mac = port.mac();
    sc.server_mac = server_mac;
    sc.relays = o.relays;
    sc.mix = o.dhcp_mix;
    sc.timeout_ticks = o.timeout_ms * rte_get_tsc_hz() / 1000;
    sc.retries = o.retries;
    sc.ns_per_tick = 1e9 / static_cast<double>(rte_get_tsc_hz());
    sc.seed = o.seed;
}

/// Drives `swarm` over the port with the DHCP generator, printing progress lines.
template <class Swarm>
void run_swarm(const Options& o, Swarm& swarm, const LoadgenPort& port, RunControl& ctl,
               RunReport& report) {
    DhcpGenerator<Swarm> gen(o, swarm, port.port_id(), port.pool());
    uint64_t ll = 0, le = 0;
    run_with_reporter(
        ctl, o,
        [&](double t, double dt) {
            const auto& c = swarm.counters();
            return dhcp_progress(c, acquisitions(c), ctl, t, dt, ll, le);
        },
        [&] { gen.run(ctl, report); });
    fill_loop(gen.loop_counters(), report);
}

}  // namespace

int run_loadgen(const Options& o) {
    // Signals are taken by the reporter thread with sigtimedwait; every other thread
    // (EAL's included, created below) inherits the blocked mask.
    const sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    try {
        std::vector<std::string> args{"edgelease-loadgen"};
        args.insert(args.end(), o.eal_args.begin(), o.eal_args.end());
        dataplane::Eal eal(args);
        std::optional<LoadgenPort> port;
        port.emplace(
            PortOptions{o.port, o.mbufs, o.rx_descriptors, o.tx_descriptors, o.link_timeout_s});
        net::MacAddr server_mac;
        if (o.server_mac) {
            server_mac = *o.server_mac;
        } else if (o.mode != Mode::Dhcp6) {
            server_mac = port->resolve(o.source, o.server, 5.0);
            LOG_INFO("server %s is at %s (ARP)", net::to_string(o.server).c_str(),
                     net::to_string(server_mac).c_str());
        } else if (o.relays != 0) {
            // Direct DHCPv6 clients multicast to ff02::1:2; only relays unicast to the server.
            server_mac = port->resolve6(o.server6, 5.0);
            LOG_INFO("server %s is at %s (Neighbor Discovery)", net::to_string(o.server6).c_str(),
                     net::to_string(server_mac).c_str());
        }
        LOG_INFO("port %s (id %u) up, mac %s; TSC %.3f GHz", port->name().c_str(), port->port_id(),
                 net::to_string(port->mac()).c_str(), static_cast<double>(rte_get_tsc_hz()) / 1e9);

        RunReport report;
        report.port = port->name();
        report.closed_loop = o.rate == 0;
        report.target_rate = o.rate;
        report.outstanding = o.outstanding;
        RunControl ctl;
        if (o.mode == Mode::Dns) {
            report.mode = "dns";
            const auto queries = load_queries(o);
            const UdpEndpoints ep{port->mac(),    server_mac, o.source.value,
                                  o.server.value, 0,          o.dns_port};
            const QueryTemplates templates(queries, ep, o.rd, o.edns);
            LOG_INFO("%zu distinct queries ready", templates.size());
            DnsGenerator gen(o, templates, port->port_id(), port->pool());
            uint64_t ls = 0, la = 0;
            run_with_reporter(
                ctl, o,
                [&](double t, double dt) {
                    return dns_progress(gen.counters(), ctl, t, dt, ls, la);
                },
                [&] { gen.run(ctl, report); });
            fill_loop(gen.loop_counters(), report);
        } else if (o.mode == Mode::Dhcp6) {
            report.mode = "dhcp6";
            report.ia = o.ia_na && o.ia_pd ? "na,pd" : o.ia_na ? "na" : "pd";
            Swarm6Config sc;
            fill_swarm_config(o, *port, server_mac, sc);
            sc.server_ip = o.server6;
            sc.relay_base = o.relay_base6;
            sc.ia_na = o.ia_na;
            sc.ia_pd = o.ia_pd;
            sc.rapid_commit = o.rapid_commit;
            sc.duid = o.duid;
            sc.fqdn = o.hostname;
            Dhcp6Swarm swarm(sc);
            run_swarm(o, swarm, *port, ctl, report);
        } else {
            report.mode = "dhcp";
            SwarmConfig sc;
            fill_swarm_config(o, *port, server_mac, sc);
            sc.server_ip = o.server.value;
            sc.relay_base = o.relay_base.value;
            sc.client_id = o.client_id;
            sc.hostname = o.hostname;
            sc.option82 = o.option82;
            sc.broadcast = o.broadcast;
            DhcpSwarm swarm(sc);
            run_swarm(o, swarm, *port, ctl, report);
            if (!o.acked_file.empty()) write_acked(o.acked_file, swarm);
        }
        report.interrupted = ctl.stop.load();
        port.reset();
        if (o.json) {
            std::printf("%s\n", to_json(report).dump(2).c_str());
        } else {
            std::printf("%s", to_text(report).c_str());
        }
        std::fflush(stdout);
        return 0;
    } catch (const std::exception& e) {
        LOG_ERROR("%s", e.what());
        return 1;
    }
}

}  // namespace edgelease::loadgen
