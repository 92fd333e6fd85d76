#pragma once
// Typed, validated appliance configuration. Loaded once at start-up (and on reload) from
// TOML; nothing in here is touched by worker lcores except through structures the
// data plane builds from it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net.hpp"

namespace edgelease::config {

/// Where a value came from, for error messages raised after loading (zone data, reload).
struct SourceLoc {
    std::string file;
    uint32_t line = 0;
    uint32_t column = 0;
};

/// One problem found in a configuration: file:line:col, the dotted key path, and why.
struct ConfigError {
    std::string file;
    uint32_t line = 0;  // 0 when the problem has no single place (e.g. a missing section)
    uint32_t column = 0;
    std::string key;  // e.g. "dhcp.scopes[1].pools[0]"
    std::string why;
    /// "file:line:col: key: why" (line/col omitted when 0).
    std::string to_string() const;
};

enum class Durability : uint8_t { Fsync, Os };
enum class LogLevel : uint8_t { Error, Warning, Info, Debug };

struct ApplianceConfig {
    std::string state_dir = "/var/lib/edgelease";
    Durability durability = Durability::Fsync;
    LogLevel log_level = LogLevel::Info;
    std::chrono::seconds stats_interval{60};  // periodic counter log line; 0 = off
    uint32_t audit_entries = 100000;          // DNS audit events kept in LMDB (oldest dropped)
    uint32_t lease_store_max_mib = 65536;     // largest the lease LMDB map may grow to
};

/// [dpdk].idle: what a worker with nothing to do does. Interrupt: sleeps in the kernel until
/// a frame or a doorbell comes (where its PMD allows; the back-off elsewhere). Backoff:
/// yields, then sleeps ever longer up to idle_sleep_us. Poll: never sleeps.
enum class IdleMode : uint8_t { Interrupt, Backoff, Poll };

struct DpdkConfig {
    std::vector<std::string> eal_args;
    uint32_t workers = 1;          // worker lcores; control and sweeper get their own
    uint32_t idle_sleep_us = 100;  // longest back-off sleep of an idle lcore; 0 = busy poll
    /// Unset: Interrupt, or Poll when idle_sleep_us is 0 (a file from before the key meant
    /// busy polling by it). idle_mode() resolves it.
    std::optional<IdleMode> idle;
    IdleMode idle_mode() const noexcept {
        return idle ? *idle : idle_sleep_us == 0 ? IdleMode::Poll : IdleMode::Interrupt;
    }
    /// Interrupt mode: an idle worker first naps this long on a timer, then polls once more,
    /// and only then waits to be woken by a frame: under load a wake-up gathers what came in
    /// the meantime (as a NIC's interrupt moderation does) instead of one per frame. 0: block
    /// at once. A frame that arrives during the nap waits for its end; an idle worker's first
    /// frame wakes it at once.
    uint32_t coalesce_us = 100;
    uint32_t mbufs = 8191;  // mbufs in the packet pool (per NUMA socket)
    uint32_t rx_descriptors = 1024;
    uint32_t tx_descriptors = 1024;
};

struct InterfaceConfig {
    std::string port;                       // DPDK port name (vdev name or PCI address)
    std::vector<net::IfAddress> addresses;  // host address + prefix length
    uint16_t vlan = 0;                      // outer 802.1Q/802.1ad tag, 0 = untagged
    uint16_t inner_vlan = 0;                // inner tag for QinQ, 0 = none
    SourceLoc where;
};

/// [exception]: frames for the appliance's own addresses that the workers do not answer (TCP
/// and the rest) go to the Linux kernel through a tap interface per port that holds the
/// port's untagged addresses, and the kernel's frames go out through the port.
struct ExceptionConfig {
    bool enabled = true;
    /// Where the kernel side lives: "private" (a network namespace of the appliance's own),
    /// "host" (the namespace the appliance runs in), or the name of one under /run/netns.
    std::string netns = "private";
};

struct ApiConfig {
    std::string listen = "127.0.0.1:8053";  // host:port; [v6]:port for IPv6
    std::string token_file;                 // required when listen is not loopback
};

struct RecordConfig {
    std::string name;  // relative to the zone or absolute (ending in '.')
    std::string type;  // upper-cased mnemonic, e.g. "A", "TYPE65534"
    std::string data;  // presentation-format RDATA, parsed by the DNS module
    uint32_t ttl = 0;  // 0 = zone default
    SourceLoc where;
};

/// Who may transfer or update a zone: a client address prefix, or a TSIG key by name.
struct AclEntry {
    bool is_key = false;
    net::Prefix prefix;  // when !is_key; a bare address is a /32 or /128
    std::string key;     // when is_key: a [[dns.keys]] name, normalised like a domain name
};

/// A secondary to NOTIFY (RFC 1996) when a zone's serial changes.
struct NotifyTarget {
    bool is_v6 = false;
    net::Ipv4Addr v4;
    net::Ipv6Addr v6;
    uint16_t port = 53;
};

struct ZoneConfig {
    std::string name;  // absolute, lower-case, ending in '.'
    std::string file;  // RFC 1035 zone file, resolved relative to the TOML file; may be empty
    uint32_t default_ttl = 3600;
    std::vector<RecordConfig> records;
    std::vector<AclEntry> allow_transfer;  // empty: no zone transfers (REFUSED)
    std::vector<AclEntry> allow_update;    // empty: no dynamic updates (REFUSED)
    std::vector<NotifyTarget> notify;
    SourceLoc where;
};

/// A TSIG key (RFC 8945) for zone transfers and dynamic updates.
struct TsigKeyConfig {
    std::string name;       // normalised like a domain name ("ddns-key.")
    std::string algorithm;  // "hmac-sha256", lower case
    std::vector<uint8_t> secret;
    SourceLoc where;
    friend bool operator==(const TsigKeyConfig& a, const TsigKeyConfig& b) {
        return a.name == b.name && a.algorithm == b.algorithm && a.secret == b.secret;
    }
};

/// [dns.rrl]: response rate limiting on the workers (dataplane/dns/rrl.hpp).
struct RrlConfig {
    uint32_t rate = 0;  // answers/s per client prefix and response class; 0 = off
    uint32_t slip = 2;  // every slip-th limited answer sent truncated; 0 = none
    uint8_t ipv4_prefix = 24;
    uint8_t ipv6_prefix = 56;
    std::vector<net::IfAddress> exempt;  // prefixes never limited
    bool operator==(const RrlConfig& o) const {
        if (rate != o.rate || slip != o.slip || ipv4_prefix != o.ipv4_prefix ||
            ipv6_prefix != o.ipv6_prefix || exempt.size() != o.exempt.size())
            return false;
        for (size_t i = 0; i < exempt.size(); ++i)
            if (net::to_string(exempt[i]) != net::to_string(o.exempt[i])) return false;
        return true;
    }
};

struct DnsConfig {
    std::vector<ZoneConfig> zones;
    std::vector<TsigKeyConfig> keys;
    uint16_t udp_payload_size = 1232;  // EDNS0 size we advertise (RFC 6891 / DNS flag day 2020)
    std::string server_name;           // our name in generated SOA MNAME / NS; empty = "ns.<zone>"
    // DNS over TCP (RFC 7766) on the kernel's sockets, through the exception path.
    bool tcp = true;
    std::chrono::seconds tcp_idle_timeout{10};  // a connection without a complete query is closed
    uint32_t tcp_max_connections = 1024;        // in all
    uint32_t tcp_max_per_client = 32;           // from one client address
    RrlConfig rrl;
    bool cookies = false;  // DNS Cookies (RFC 7873/9018) on the workers
};

enum class ReservationRecords : uint8_t { Permanent, FollowLease };
enum class OnConflict : uint8_t { Skip, Overwrite };

struct ScopeDnsPolicy {
    bool update = true;
    bool delete_on_release = true;
    bool delete_on_expiry = false;
    bool ptr_delete_on_release = true;
    bool ptr_delete_on_expiry = false;
    ReservationRecords reservation_records = ReservationRecords::Permanent;
    std::optional<std::chrono::seconds> stale_after;  // nullopt = "off"
    OnConflict on_conflict = OnConflict::Skip;
    bool operator==(const ScopeDnsPolicy&) const = default;
};

struct ReservationConfig {
    std::optional<net::MacAddr> hw_address;
    std::vector<uint8_t> client_id;   // empty = not matched on
    std::vector<uint8_t> circuit_id;  // option 82 sub-option 1
    std::vector<uint8_t> remote_id;   // option 82 sub-option 2
    net::Ipv4Addr ip;
    std::string hostname;  // single label, may be empty
    SourceLoc where;
};

struct PoolRange {
    net::Ipv4Addr first;
    net::Ipv4Addr last;  // inclusive
};

/// A classless static route for option 121 (RFC 3442).
struct StaticRouteConfig {
    net::Ipv4Addr destination;  // no host bits
    uint8_t prefix_len = 0;     // 0..32
    net::Ipv4Addr router;       // 0.0.0.0 = on-link
    SourceLoc where;
};

/// How an `options` entry's value is written in TOML and encoded on the wire.
enum class DhcpOptionType : uint8_t { Ipv4, Ipv4List, U8, U16, U32, String, Hex, Bool };

/// An option sent by code (RFC 2132 and later), value already in wire form.
struct DhcpOptionConfig {
    uint8_t code = 0;  // 1..254, never one the server manages itself
    DhcpOptionType type = DhcpOptionType::Hex;
    std::vector<uint8_t> data;  // 1..255 bytes, wire form of the value
    bool always = false;        // send even when the client did not list it in option 55
    SourceLoc where;
};

struct ScopeConfig {
    std::string name;
    net::Prefix subnet;  // IPv4, no host bits
    std::vector<PoolRange> pools;
    std::chrono::seconds lease_time{3600};
    std::vector<net::Ipv4Addr> routers;
    std::vector<net::Ipv4Addr> dns_servers;
    std::string domain;  // absolute, lower-case, ending in '.'; empty = no lease names
    ScopeDnsPolicy dns;
    std::vector<ReservationConfig> reservations;
    SourceLoc where;
    // Appended for the lease engine (all optional in TOML).
    std::optional<std::chrono::seconds> t1;  // renewal time (58); nullopt = 50% of lease_time
    std::optional<std::chrono::seconds> t2;  // rebinding time (59); nullopt = 87.5%
    std::chrono::seconds offer_hold{30};     // how long an OFFER keeps its address for the client
    std::chrono::seconds decline_probation{600};   // a DECLINEd address stays out of use this long
    std::vector<net::Ipv4Addr> ntp_servers;        // option 42
    std::vector<std::string> domain_search;        // option 119; absolute, lower-case, ending '.'
    std::vector<StaticRouteConfig> static_routes;  // option 121
    std::vector<DhcpOptionConfig> options;         // any other option by code
};

struct DhcpConfig {
    std::vector<ScopeConfig> scopes;
    uint32_t relay_discover_rate = 0;  // DISCOVERs per second taken from one giaddr; 0 = no limit
};

/// A DHCPv6 address pool: an inclusive range inside the scope's prefix.
struct Pool6Range {
    net::Ipv6Addr first;
    net::Ipv6Addr last;  // inclusive
    SourceLoc where;
};

/// A prefix-delegation pool: `prefix` cut into prefixes of `delegated_length` (RFC 9915 §6.3).
struct PdPoolConfig {
    net::Prefix prefix;  // IPv6, no host bits
    uint8_t delegated_length = 56;
    SourceLoc where;
};

/// A DHCPv6 reservation, matched by DUID, then MAC, then the (interface_id, remote_id) pair
/// (either may be empty), as the v4 reservations match.
struct Reservation6Config {
    std::vector<uint8_t> duid;               // option 1 as sent, empty = not matched on
    std::optional<net::MacAddr> hw_address;  // frame source, option 79, or DUID-LL/LLT
    std::vector<uint8_t> remote_id;          // option 37 after its enterprise number
    std::vector<uint8_t> interface_id;       // option 18 of the relay next to the client
    std::optional<net::Ipv6Addr> ip;         // IA_NA address, inside the scope's prefix
    std::vector<net::Prefix> prefixes;       // IA_PD prefixes
    std::string hostname;                    // single label, may be empty
    SourceLoc where;
};

struct Scope6Config {
    std::string name;
    net::Prefix prefix;  // the link's prefix (IPv6, no host bits); selects the scope
    std::vector<Pool6Range> pools;
    std::vector<PdPoolConfig> pd_pools;
    std::chrono::seconds preferred_lifetime{1800};
    std::chrono::seconds valid_lifetime{3600};
    std::optional<std::chrono::seconds> t1;  // nullopt = 0.5 x preferred_lifetime
    std::optional<std::chrono::seconds> t2;  // nullopt = 0.8 x preferred_lifetime
    std::vector<net::Ipv6Addr> dns_servers;  // option 23
    std::string domain;  // absolute, lower-case, ending in '.'; empty = no lease names
    std::vector<std::string> domain_search;  // option 24; absolute, lower-case, ending '.'
    bool rapid_commit = false;               // answer Solicit + Rapid Commit with a Reply
    std::chrono::seconds offer_hold{30};     // how long an Advertise keeps its address
    std::chrono::seconds decline_probation{600};
    ScopeDnsPolicy dns;
    std::vector<Reservation6Config> reservations;
    SourceLoc where;
};

struct Dhcp6Config {
    std::vector<Scope6Config> scopes;
    uint32_t relay_solicit_rate = 0;  // Solicits per second taken from one relay; 0 = no limit
};

struct Config {
    std::string source_file;  // path the config was loaded from
    // FNV-1a of the text it was parsed from: a restart compares it with the one the last run
    // stopped under (control::restore_leases) to know whether lease DNS needs re-checking.
    uint64_t source_hash = 0;
    ApplianceConfig appliance;
    DpdkConfig dpdk;
    std::vector<InterfaceConfig> interfaces;
    ApiConfig api;
    ExceptionConfig exception;
    DnsConfig dns;
    DhcpConfig dhcp;
    Dhcp6Config dhcp6;
};

struct LoadResult {
    std::optional<Config> config;     // set only when errors is empty
    std::vector<ConfigError> errors;  // every problem found, in file order
};

/// Reads and validates a TOML file. Never throws; all problems are in errors.
LoadResult load_config_file(const std::string& path);
/// Same, from text; `name` is used as the file name in errors and for relative paths.
LoadResult load_config_string(std::string_view toml_text, std::string_view name);

/// Parses "90", "90s", "30m", "1h", "7d", "1h30m". nullopt on error.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace edgelease::config
