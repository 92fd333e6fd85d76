#pragma once
// The command line of edgelease-loadgen: `edgelease-loadgen dhcp|dhcp6|dns [options] -- EAL
// args`.
// Parsed into a plain struct at start-up (may throw, never on the hot path); unit-tested
// without EAL.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "loadgen/dhcp6_swarm.hpp"
#include "loadgen/dhcp_swarm.hpp"
#include "loadgen/dns_queries.hpp"

namespace edgelease::loadgen {

enum class Mode : uint8_t { Dhcp, Dhcp6, Dns };

struct Options {
    Mode mode = Mode::Dns;
    // Port and EAL.
    std::string port;                   // DPDK port name; empty = the first port
    std::vector<std::string> eal_args;  // after `--`
    uint32_t mbufs = 8191;
    uint16_t rx_descriptors = 1024;
    uint16_t tx_descriptors = 1024;
    uint16_t burst = 32;
    uint32_t link_timeout_s = 10;
    uint32_t idle_sleep_us = 0;  // back-off when a loop iteration did nothing; 0 = busy poll

    // Addresses.
    net::Ipv4Addr server{0xc6120001};        // 198.18.0.1
    net::Ipv4Addr source{0xc6120002};        // our own address (DNS queries, ARP)
    std::optional<net::MacAddr> server_mac;  // else learnt by ARP (NS for dhcp6)
    net::Ipv6Addr server6{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    // dhcp6: where relays send (2001:db8::1)

    // Load shape and bounds.
    double rate = 0;             // starts per second; 0 = closed loop
    uint32_t outstanding = 256;  // most transactions in flight
    uint64_t count = 0;          // transactions to start; 0 = no limit
    double duration_s = 10;      // 0 = no limit (then count must be set)
    uint32_t timeout_ms = 1000;  // per attempt
    double drain_s = -1;         // wait for answers after the last send; < 0 = one timeout
    uint64_t seed = 1;

    // Output.
    bool json = false;       // final summary as JSON on stdout
    std::string acked_file;  // dhcp: at the end, "<mac> <address>" of every client's last ACK
    bool quiet = false;      // no progress lines
    uint32_t progress_ms = 1000;

    // DHCP (both families unless marked).
    uint32_t clients = 1000;
    net::MacAddr mac_base{{0x02, 0x4c, 0x47, 0x00, 0x00, 0x00}};
    bool client_id = false;
    bool hostname = false;
    uint32_t relays = 0;
    net::Ipv4Addr relay_base{0xc6130001};  // 198.19.0.1
    bool option82 = false;
    bool broadcast = false;
    uint8_t retries = 2;
    DhcpMix dhcp_mix;
    // DHCPv6 only.
    // Relay j's address and link-address: base + j (2001:db8:1::1).
    net::Ipv6Addr relay_base6{{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    bool ia_na = true;
    bool ia_pd = false;
    bool rapid_commit = false;
    DuidKind duid = DuidKind::Ll;

    // DNS.
    std::string queries_file;  // dnsperf format
    std::string zone_file;     // generate from this zone ...
    std::string zone_origin;   // ... whose origin is this
    DnsMix dns_mix;
    std::string types = "A";  // weights for generated queries
    uint32_t pregen = 65536;  // distinct generated queries
    uint16_t edns = 1232;     // 0 = no OPT record
    bool rd = false;
    uint16_t dns_port = 53;
    uint16_t src_port_base = 16384;  // source ports src_port_base .. +16383
};

/// Result of parsing: options, or an exit code with the text to print (help, version or
/// an error) when the program should stop.
struct ParseOutcome {
    std::optional<Options> options;
    int exit_code = 0;
    std::string message;
};

/// Parses argv (everything after `--` is EAL arguments) and checks the combination: a
/// bound (count or duration), a source of DNS queries, relays for option 82, mixes with a
/// non-zero weight.
ParseOutcome parse_options(int argc, const char* const* argv);

/// "na", "pd", "na,pd" (or "pd,na"): which IAs the DHCPv6 clients ask for. Throws
/// std::invalid_argument otherwise.
void parse_ia(const std::string& text, bool& na, bool& pd);

/// "renew=2,release=1,restart=0" (DHCP) or "hit=90,nxdomain=5,nodata=5" (DNS). Keys not
/// given are 0, so the string states the whole mix; at least one weight must be non-zero.
/// Throws std::invalid_argument naming the bad item or key.
DhcpMix parse_dhcp_mix(const std::string& text);
DnsMix parse_dns_mix(const std::string& text);

}  // namespace edgelease::loadgen
