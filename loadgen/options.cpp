#include "loadgen/options.hpp"

#include <CLI/CLI.hpp>

#include <sstream>
#include <stdexcept>

namespace edgelease::loadgen {

namespace {

/// "k=v,k=v" with every key in `keys` (set to 0 first); returns the values by key order.
std::vector<uint32_t> parse_weights(const std::string& text, const std::vector<std::string>& keys) {
    std::vector<uint32_t> out(keys.size(), 0);
    std::vector<bool> seen(keys.size(), false);
    size_t pos = 0;
    uint64_t total = 0;
    while (pos <= text.size()) {
        const size_t comma = text.find(',', pos);
        const std::string item =
            text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
        const size_t eq = item.find('=');
        if (item.empty() || eq == std::string::npos)
            throw std::invalid_argument("expected key=weight, got '" + item + "'");
        const std::string key = item.substr(0, eq), num = item.substr(eq + 1);
        size_t k = 0;
        while (k < keys.size() && keys[k] != key) ++k;
        if (k == keys.size()) {
            std::string known;
            for (const auto& n : keys) known += (known.empty() ? "" : ", ") + n;
            throw std::invalid_argument("unknown key '" + key + "' (known: " + known + ")");
        }
        if (seen[k]) throw std::invalid_argument("'" + key + "' given twice");
        seen[k] = true;
        size_t used = 0;
        unsigned long v = 0;
        try {
            v = std::stoul(num, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (num.empty() || used != num.size() || v > 1000000)
            throw std::invalid_argument("bad weight '" + num + "' for " + key + " (0 to 1000000)");
        out[k] = static_cast<uint32_t>(v);
        total += v;
    }
    if (total == 0) throw std::invalid_argument("every weight is zero");
    return out;
}

net::Ipv4Addr ipv4_or_throw(const std::string& text, const char* what) {
    auto a = net::parse_ipv4(text);
    if (!a)
        throw std::invalid_argument(std::string(what) + ": '" + text + "' is not an IPv4 address");
    return *a;
}

net::Ipv6Addr ipv6_or_throw(const std::string& text, const char* what) {
    auto a = net::parse_ipv6(text);
    if (!a)
        throw std::invalid_argument(std::string(what) + ": '" + text + "' is not an IPv6 address");
    return *a;
}

net::MacAddr mac_or_throw(const std::string& text, const char* what) {
    auto m = net::parse_mac(text);
    if (!m)
        throw std::invalid_argument(std::string(what) + ": '" + text + "' is not a MAC address");
    return *m;
}

}  // namespace

DhcpMix parse_dhcp_mix(const std::string& text) {
    const auto w = parse_weights(text, {"renew", "release", "restart"});
    return DhcpMix{w[0], w[1], w[2]};
}

void parse_ia(const std::string& text, bool& na, bool& pd) {
    na = pd = false;
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = text.find(',', pos);
        const std::string item =
            text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
        if (item != "na" && item != "pd")
            throw std::invalid_argument("--ia: expected na, pd or na,pd, got '" + text + "'");
        bool& which = item == "na" ? na : pd;
        if (which) throw std::invalid_argument("--ia: '" + item + "' given twice");
        which = true;
    }
}

DnsMix parse_dns_mix(const std::string& text) {
    const auto w = parse_weights(text, {"hit", "nxdomain", "nodata"});
    return DnsMix{w[0], w[1], w[2]};
}

ParseOutcome parse_options(int argc, const char* const* argv) {
    ParseOutcome out;
    Options o;
    int own_argc = argc;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--") {
            own_argc = i;
            for (int j = i + 1; j < argc; ++j) o.eal_args.emplace_back(argv[j]);
            break;
        }
    }

    CLI::App cli{"edgelease-loadgen: DHCP and DNS load generator on DPDK"};
    cli.require_subcommand(1);
    cli.set_version_flag("--version", "edgelease-loadgen 0.1.0");
    cli.footer(
        "EAL arguments follow `--`, e.g.\n"
        "  edgelease-loadgen dns --zone lan.zone --origin lan. -- --no-huge --no-pci "
        "--vdev=net_memif0,role=client,socket=/run/el.sock,socket-abstract=no");
    auto* dhcp = cli.add_subcommand("dhcp", "Emulate DHCPv4 clients: DORA, then renew/release");
    auto* dhcp6 = cli.add_subcommand(
        "dhcp6", "Emulate DHCPv6 clients: Solicit to Reply (IA_NA, IA_PD), then renew/release");
    auto* dns = cli.add_subcommand("dns", "Send DNS queries from a dnsperf file or a zone");

    std::string server = "198.18.0.1", server6 = "2001:db8::1", source = "198.18.0.2", server_mac,
                mac_base = "02:4c:47:00:00:00", relay_base = "198.19.0.1",
                relay_base6 = "2001:db8:1::1", dhcp_mix = "renew=1,release=1",
                dns_mix = "hit=90,nxdomain=10", ia = "na", duid = "ll";
    unsigned retries = o.retries;
    auto add_common = [&](CLI::App* a) {
        const bool v6 = a == dhcp6;
        a->add_option("--port", o.port, "DPDK port name (default: the first port)");
        if (v6) {
            a->add_option("--server", server6,
                          "Server IPv6 address (where relays send; learnt by NS)")
                ->capture_default_str();
            a->add_option("--server-mac", server_mac,
                          "Server MAC (default: learnt by Neighbor Solicitation when relaying)");
        } else {
            a->add_option("--server", server, "Server IPv4 address")->capture_default_str();
            a->add_option("--source", source, "Our IPv4 address (DNS queries, ARP)")
                ->capture_default_str();
            a->add_option("--server-mac", server_mac, "Server MAC (default: learnt by ARP)");
        }
        a->add_option("--rate", o.rate,
                      "Transactions started per second; 0 = closed loop at maximum")
            ->check(CLI::Range(0.0, 1e9))
            ->capture_default_str();
        a->add_option("--outstanding", o.outstanding, "Most transactions in flight")
            ->check(CLI::Range(1u, 65536u))
            ->capture_default_str();
        a->add_option("--count", o.count,
                      "Stop after starting this many transactions (0 = no limit)")
            ->capture_default_str();
        a->add_option("--duration", o.duration_s, "Stop after this many seconds (0 = no limit)")
            ->check(CLI::Range(0.0, 86400.0))
            ->capture_default_str();
        a->add_option("--timeout", o.timeout_ms, "Milliseconds to wait for an answer")
            ->check(CLI::Range(1u, 600000u))
            ->capture_default_str();
        a->add_option("--drain", o.drain_s,
                      "Seconds to wait for answers after the last send (default: one timeout)")
            ->check(CLI::Range(0.0, 600.0));
        a->add_option("--seed", o.seed, "Seed of the random choices")->capture_default_str();
        a->add_flag("--json", o.json, "Print the final summary as JSON on stdout");
        a->add_flag("--quiet", o.quiet, "No progress lines");
        a->add_option("--progress-ms", o.progress_ms, "Milliseconds between progress lines")
            ->check(CLI::Range(100u, 3600000u))
            ->capture_default_str();
        a->add_option("--mbufs", o.mbufs, "Mbufs in the packet pool")
            ->check(CLI::Range(1023u, 1u << 24))
            ->capture_default_str();
        a->add_option("--rxd", o.rx_descriptors, "RX descriptors")
            ->check(CLI::Range(64, 16384))
            ->capture_default_str();
        a->add_option("--txd", o.tx_descriptors, "TX descriptors")
            ->check(CLI::Range(64, 16384))
            ->capture_default_str();
        a->add_option("--burst", o.burst, "Packets per RX/TX burst")
            ->check(CLI::Range(1, 256))
            ->capture_default_str();
        a->add_option("--link-timeout", o.link_timeout_s, "Seconds to wait for the link to come up")
            ->check(CLI::Range(0u, 3600u))
            ->capture_default_str();
        a->add_option("--idle-sleep-us", o.idle_sleep_us,
                      "Longest back-off sleep when idle, in microseconds; 0 = busy poll")
            ->check(CLI::Range(0u, 100000u))
            ->capture_default_str();
    };
    add_common(dhcp);
    add_common(dhcp6);
    add_common(dns);

    // Options both DHCP families have.
    for (CLI::App* a : {dhcp, dhcp6}) {
        a->add_option("--clients", o.clients, "Emulated clients (distinct MACs)")
            ->check(CLI::Range(1u, 1u << 24))
            ->capture_default_str();
        a->add_option("--mac-base", mac_base, "MAC of client 0; client i has base + i")
            ->capture_default_str();
        a->add_option("--relays", o.relays, "Emulated relay agents (0 = clients on the link)")
            ->check(CLI::Range(0u, 65535u))
            ->capture_default_str();
        a->add_option("--retries", retries, "Retransmissions before a timeout")
            ->check(CLI::Range(0u, 10u))
            ->capture_default_str();
    }
    dhcp6
        ->add_option("--relay-base", relay_base6,
                     "Address of relay 0 (its source and link-address); relay j has base + j")
        ->capture_default_str();
    dhcp6->add_option("--ia", ia, "IAs each client asks for: na, pd or na,pd")
        ->capture_default_str();
    dhcp6->add_flag("--rapid-commit", o.rapid_commit,
                    "Solicit with Rapid Commit: the 2-message exchange (the scope must allow it)");
    dhcp6->add_option("--duid", duid, "DUID made from the MAC: ll (DUID-LL) or llt (DUID-LLT)")
        ->capture_default_str();
    dhcp6->add_flag("--hostname", o.hostname, "Send option 39 (Client FQDN) \"lg-<i>\"");
    dhcp6
        ->add_option("--mix", dhcp_mix,
                     "After each binding Reply: weights of renew, release, restart")
        ->capture_default_str();

    dhcp->add_flag("--client-id", o.client_id, "Send option 61 (type 1 + MAC)");
    dhcp->add_flag("--hostname", o.hostname, "Send option 12 \"lg-<i>\"");
    dhcp->add_option("--relay-base", relay_base, "giaddr of relay 0; relay j has base + j")
        ->capture_default_str();
    dhcp->add_flag("--option82", o.option82, "Relays add option 82 (circuit and remote ID)");
    dhcp->add_flag("--broadcast", o.broadcast, "Set the BOOTP broadcast flag");
    dhcp->add_option(
        "--acked-file", o.acked_file,
        "At the end, write \"<mac> <address>\" per client whose last ACK stands (not released)");
    dhcp->add_option("--mix", dhcp_mix, "After each ACK: weights of renew, release, restart")
        ->capture_default_str();

    dns->add_option("--queries", o.queries_file, "dnsperf query file: \"name TYPE\" per line");
    dns->add_option("--zone", o.zone_file, "Generate queries from this zone file");
    dns->add_option("--origin", o.zone_origin, "Origin of --zone (e.g. lan.)");
    dns->add_option("--mix", dns_mix, "Generated queries: weights of hit, nxdomain, nodata")
        ->capture_default_str();
    dns->add_option("--types", o.types,
                    "Generated query types and weights, e.g. A=70,AAAA=20,MX=10")
        ->capture_default_str();
    dns->add_option("--pregen", o.pregen, "Distinct queries generated from the zone")
        ->check(CLI::Range(1u, 1u << 24))
        ->capture_default_str();
    dns->add_option("--edns", o.edns, "EDNS0 UDP payload size to advertise; 0 = no OPT record")
        ->capture_default_str();
    dns->add_flag("--rd", o.rd, "Set RD in queries");
    dns->add_option("--dns-port", o.dns_port, "Server UDP port")->capture_default_str();

    try {
        cli.parse(own_argc, argv);
    } catch (const CLI::ParseError& e) {
        std::ostringstream os, es;
        out.exit_code = cli.exit(e, os, es);
        out.message = os.str() + es.str();
        return out;
    }
    try {
        o.mode = dhcp->parsed() ? Mode::Dhcp : dhcp6->parsed() ? Mode::Dhcp6 : Mode::Dns;
        if (o.mode == Mode::Dhcp6) {
            o.server6 = ipv6_or_throw(server6, "--server");
            if (o.server6.bytes[0] == 0xff || o.server6 == net::Ipv6Addr{})
                throw std::invalid_argument("--server: a unicast IPv6 address, please");
        } else {
            o.server = ipv4_or_throw(server, "--server");
            o.source = ipv4_or_throw(source, "--source");
        }
        if (!server_mac.empty()) o.server_mac = mac_or_throw(server_mac, "--server-mac");
        o.retries = static_cast<uint8_t>(retries);
        if (o.count == 0 && o.duration_s == 0)
            throw std::invalid_argument("give --count or --duration: the run must end by itself");
        if (o.mode == Mode::Dhcp || o.mode == Mode::Dhcp6) {
            o.mac_base = mac_or_throw(mac_base, "--mac-base");
            if (o.mac_base.bytes[0] & 1)
                throw std::invalid_argument(
                    "--mac-base: a group (multicast) address cannot be a client's");
            o.dhcp_mix = parse_dhcp_mix(dhcp_mix);
        }
        if (o.mode == Mode::Dhcp) {
            o.relay_base = ipv4_or_throw(relay_base, "--relay-base");
            if (o.option82 && o.relays == 0)
                throw std::invalid_argument(
                    "--option82 is added by relay agents: give --relays too");
        } else if (o.mode == Mode::Dhcp6) {
            o.relay_base6 = ipv6_or_throw(relay_base6, "--relay-base");
            if (o.relay_base6.bytes[0] == 0xff || o.relay_base6 == net::Ipv6Addr{} ||
                (o.relay_base6.bytes[0] == 0xfe && (o.relay_base6.bytes[1] & 0xc0) == 0x80))
                throw std::invalid_argument(
                    "--relay-base: a global unicast address (it names the clients' link)");
            parse_ia(ia, o.ia_na, o.ia_pd);
            if (duid == "ll")
                o.duid = DuidKind::Ll;
            else if (duid == "llt")
                o.duid = DuidKind::Llt;
            else
                throw std::invalid_argument("--duid: ll or llt, got '" + duid + "'");
        } else {
            o.dns_mix = parse_dns_mix(dns_mix);
            parse_type_weights(o.types);  // checked now, used when the zone is read
            const bool have_file = !o.queries_file.empty(), have_zone = !o.zone_file.empty();
            if (have_file == have_zone)
                throw std::invalid_argument("give exactly one of --queries FILE or --zone FILE");
            if (have_zone && o.zone_origin.empty())
                throw std::invalid_argument("--zone needs --origin (the zone's name)");
            if (o.edns != 0 && o.edns < 512)
                throw std::invalid_argument("--edns: 0, or 512 to 65535 (RFC 6891 §6.2.5)");
            if (o.src_port_base < 1024 || o.src_port_base > 65535 - 16383)
                throw std::invalid_argument("source port base out of range");
        }
    } catch (const std::invalid_argument& e) {
        out.exit_code = 2;
        out.message = std::string("edgelease-loadgen: ") + e.what() + "\n";
        return out;
    }
    out.options = std::move(o);
    return out;
}

}  // namespace edgelease::loadgen
