#include "app/catalog.hpp"

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "app/appliance.hpp"
#include "app/catalog_declare.hpp"
#include "app/catalog_getters.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "dataplane/dhcp/frame.hpp"
#include "dataplane/dhcp/frame6.hpp"
#include "dataplane/dhcp/messages.hpp"
#include "dataplane/dhcp/messages6.hpp"

#ifndef EDGELEASE_VERSION
#define EDGELEASE_VERSION "0.1.0"
#endif

namespace edgelease::app {

namespace {

using dataplane::LcoreEntry;
using namespace getters;

using detail::Declare;
using detail::kCounter;
using detail::kGauge;
using detail::kHistogram;

// Label values for enums that have no name table of their own, indexed by the enum value.
using control::dhcp::kOutcomeNames;
using dataplane::dhcp::kMsgTypeNames;
static_assert(kMsgTypeNames.size() ==
              std::tuple_size_v<decltype(dataplane::dhcp::DhcpWorkerStats::by_type)>);
static_assert(kMsgTypeNames.size() ==
              std::tuple_size_v<decltype(control::dhcp::DhcpServiceStats::replies)>);
static_assert(kOutcomeNames.size() ==
              std::tuple_size_v<decltype(control::dhcp::DhcpServiceStats::outcomes)>);

using ParseError = edgelease::dataplane::dhcp::ParseError;
constexpr std::array<std::string_view, 10> kParseErrorNames{
    "none",           "truncated",  "not_request",     "bad_hardware",     "no_cookie",
    "option_overrun", "bad_option", "no_message_type", "bad_message_type", "client_id_too_long"};
static_assert(static_cast<size_t>(ParseError::ClientIdTooLong) + 1 == kParseErrorNames.size());
static_assert(kParseErrorNames.size() ==
              std::tuple_size_v<decltype(dataplane::dhcp::DhcpWorkerStats::parse_errors)>);

using dataplane::dhcp::kMsg6TypeNames;
using dataplane::dhcp::kParse6ErrorNames;
static_assert(kMsg6TypeNames.size() ==
              std::tuple_size_v<decltype(dataplane::dhcp::DhcpWorkerStats::by_type6)>);
static_assert(kParse6ErrorNames.size() ==
              std::tuple_size_v<decltype(dataplane::dhcp::DhcpWorkerStats::parse_errors6)>);

// The answers a worker builds inline, by kind.
constexpr std::array<std::string_view, 4> kInlineKinds{"arp", "icmp_echo", "nd", "icmp6_echo"};
constexpr std::array<edgelease::Counter dataplane::LcoreStats::*, 4> kInlineFields{
    &dataplane::LcoreStats::arp_replies, &dataplane::LcoreStats::icmp_echo_replies,
    &dataplane::LcoreStats::nd_adverts, &dataplane::LcoreStats::icmp6_echo_replies};

// Requests are counted by their type, which the parser accepts only for a client's messages
// (RFC 2131 §3.1); replies are the server's. The other slots stay zero: not series.
bool is_client_type(size_t i) {
    return dataplane::dhcp::is_client_message(static_cast<dataplane::dhcp::MsgType>(i));
}
bool is_server_type(size_t i) {
    switch (static_cast<dataplane::dhcp::MsgType>(i)) {
        case dataplane::dhcp::MsgType::Offer:
        case dataplane::dhcp::MsgType::Ack:
        case dataplane::dhcp::MsgType::Nak:
            return true;
        default:
            return false;
    }
}
// DHCPv6 requests and replies likewise (RFC 9915 §7.3).
bool is_client_type6(size_t i) {
    return dataplane::dhcp::is_client_message6(static_cast<dataplane::dhcp::Msg6Type>(i));
}
bool is_server_type6(size_t i) {
    using dataplane::dhcp::Msg6Type;
    const auto t = static_cast<Msg6Type>(i);
    return t == Msg6Type::Advertise || t == Msg6Type::Reply;
}
bool is_not_none(size_t i) {  // slot 0 of ParseError and Parse6Error: None
    return i != 0;
}

void declare_lcores_and_packets(Declare& d) {
    d.in(Section::Appliance);
    d("edgelease_build_info", kGauge, {"version"}, "edgelease build; always 1.",
      [](const MetricsSources&, SeriesSink& out) { out.sample({EDGELEASE_VERSION}, 1u); });

    d.in(Section::Ports);
    d("edgelease_port_info", kGauge, {"port", "port_id", "queues"},
      "A DPDK port in use and its RX/TX queue pairs; always 1.",
      [](const MetricsSources& s, SeriesSink& out) {
          for (const dataplane::PortState& p : s.ports)
              out.sample({p.name, std::to_string(p.port_id), std::to_string(p.queues)}, 1u);
      });

    d.in(Section::Lcores);
    d("edgelease_lcore_info", kGauge, {"lcore", "role", "lcore_id"},
      "An lcore of the appliance, its role and EAL lcore id; always 1.",
      [](const MetricsSources& s, SeriesSink& out) {
          each_lcore(s, false, [&](const LcoreEntry& e, std::string_view lcore) {
              out.sample({lcore, e.role, std::to_string(e.lcore_id)}, 1u);
          });
      });
    d("edgelease_lcore_loops_total", kCounter, {"lcore", "role"},
      "Poll-loop iterations of an lcore.", per_lcore(&dataplane::LcoreStats::loops));
    d("edgelease_lcore_idle_sleeps_total", kCounter, {"lcore", "role"},
      "Idle back-off sleeps taken by an lcore.", per_lcore(&dataplane::LcoreStats::idle_sleeps));
    d("edgelease_lcore_idle_naps_total", kCounter, {"lcore", "role"},
      "Timed naps an idle worker took before blocking, so that one wake-up gathers the frames "
      "that arrived meanwhile ([dpdk].coalesce_us).",
      per_lcore(&dataplane::LcoreStats::idle_naps));

    // Per worker lcore: each worker polls one queue of every port, and per-port counts are not
    // kept separately yet.
    d.in(Section::Packets);
    const auto lcore = &LcoreEntry::stats;
    d("edgelease_rx_packets_total", kCounter, {"lcore"},
      "Frames received by a worker lcore, all ports together (per-port counts are not tracked "
      "separately yet).",
      per_worker(lcore, &dataplane::LcoreStats::rx_packets))
        .summary = "rx";
    d("edgelease_tx_packets_total", kCounter, {"lcore"},
      "Frames sent by a worker lcore, all ports together (per-port counts are not tracked "
      "separately yet).",
      per_worker(lcore, &dataplane::LcoreStats::tx_packets))
        .summary = "tx";
    d("edgelease_rx_bytes_total", kCounter, {"lcore"},
      "Bytes received by a worker lcore, all ports together (per-port counts are not tracked "
      "separately yet).",
      per_worker(lcore, &dataplane::LcoreStats::rx_bytes));
    d("edgelease_tx_bytes_total", kCounter, {"lcore"},
      "Bytes sent by a worker lcore, all ports together (per-port counts are not tracked "
      "separately yet).",
      per_worker(lcore, &dataplane::LcoreStats::tx_bytes));
    d("edgelease_inline_answers_total", kCounter, {"lcore", "kind"},
      "Answers built inline by a worker lcore: ARP replies, ICMP echo replies, neighbor "
      "advertisements, ICMPv6 echo replies.",
      [](const MetricsSources& s, SeriesSink& out) {
          each_lcore(s, true, [&](const LcoreEntry& e, std::string_view l) {
              for (size_t i = 0; i < kInlineKinds.size(); ++i)
                  out.sample({l, kInlineKinds[i]}, (e.stats->*kInlineFields[i]).get());
          });
      }).summary = "answered";
    d("edgelease_drops_total", kCounter, {"lcore", "reason"},
      "Frames dropped by a worker lcore, by reason.",
      per_worker_by(lcore, &dataplane::LcoreStats::drops, dataplane::kDropReasonNames))
        .summary = "dropped";
    d("edgelease_exception_to_kernel_total", kCounter, {"lcore"},
      "Frames for the appliance's own addresses a worker lcore handed to the kernel through the "
      "exception path (TCP, ICMP errors, fragments, ARP replies, UDP to unserved ports).",
      per_worker(lcore, &dataplane::LcoreStats::to_kernel))
        .summary = "to_kernel";
    d("edgelease_exception_from_kernel_total", kCounter, {"lcore"},
      "Frames the kernel wrote to the exception path that a worker lcore sent out through the "
      "port (also counted in edgelease_tx_packets_total).",
      per_worker(lcore, &dataplane::LcoreStats::from_kernel))
        .summary = "from_kernel";
    d("edgelease_exception_filtered_total", kCounter, {"lcore"},
      "Kernel frames kept off the wire: ARP replies and Neighbor Advertisements (the workers "
      "answer), router solicitations, MLD and IGMP reports.",
      per_worker(lcore, &dataplane::LcoreStats::kernel_filtered));

    // What the ports' PMDs counted before any worker saw a frame, and the packet pool: where
    // mempool exhaustion shows (an empty pool makes the PMD fail RX allocations: rx_nombuf).
    d.in(Section::Ports);
    d("edgelease_port_rx_packets_total", kCounter, {"port"},
      "Frames a port received, from its PMD (before any worker saw them).",
      per_port(&dataplane::PortCounters::ipackets));
    d("edgelease_port_tx_packets_total", kCounter, {"port"}, "Frames a port sent, from its PMD.",
      per_port(&dataplane::PortCounters::opackets));
    d("edgelease_port_rx_nombuf_total", kCounter, {"port"},
      "RX mbuf allocation failures of a port (the packet pool was empty), from its PMD.",
      per_port(&dataplane::PortCounters::rx_nombuf));
    d("edgelease_port_rx_missed_total", kCounter, {"port"},
      "Frames a port dropped because its RX ring was full (workers behind), from its PMD.",
      per_port(&dataplane::PortCounters::imissed));
    d("edgelease_port_rx_errors_total", kCounter, {"port"},
      "Erroneous frames a port dropped, from its PMD.",
      per_port(&dataplane::PortCounters::ierrors));
    d("edgelease_port_tx_errors_total", kCounter, {"port"},
      "Failed transmissions of a port, from its PMD.", per_port(&dataplane::PortCounters::oerrors));
    d.in(Section::Packets, Source::Pool);
    d("edgelease_packet_pool_mbufs", kGauge, {"state"},
      "Mbufs of the packet pool: its size, and how many are free now.",
      [](const MetricsSources& s, SeriesSink& out) {
          out.sample({"size"}, s.pool.size);
          out.sample({"available"}, s.pool.available);
      });
}

void declare_worker_dns_and_dhcp(Declare& d) {
    d.in(Section::Dns);
    const auto of_dns = &LcoreEntry::dns;
    d("edgelease_dns_queries_total", kCounter, {"lcore"},
      "DNS messages received on port 53 by a worker lcore.",
      per_worker(of_dns, &dataplane::dns::DnsStats::queries))
        .summary = "dns_queries";
    d("edgelease_dns_responses_total", kCounter, {"lcore", "rcode"},
      "DNS answers sent by a worker lcore, by response code.",
      per_worker_by(of_dns, &dataplane::dns::DnsStats::rcode, dataplane::dns::kRcodeSlotNames))
        .summary = "dns_responses";
    d("edgelease_dns_queries_by_type_total", kCounter, {"lcore", "qtype"},
      "DNS queries received by a worker lcore, by query type (\"other\" for types not counted "
      "on their own).",
      per_worker_by(of_dns, &dataplane::dns::DnsStats::qtype, dataplane::dns::kQtypeSlotNames));
    d("edgelease_dns_truncated_total", kCounter, {"lcore"},
      "DNS answers sent with TC set (too large for UDP).",
      per_worker(of_dns, &dataplane::dns::DnsStats::truncated));
    d("edgelease_dns_referrals_total", kCounter, {"lcore"}, "DNS referrals sent.",
      per_worker(of_dns, &dataplane::dns::DnsStats::referrals));
    d("edgelease_dns_rrl_slipped_total", kCounter, {"lcore"},
      "DNS answers over the [dns.rrl] rate sent truncated (TC, the question alone) so that a "
      "real client retries over TCP.",
      per_worker(of_dns, &dataplane::dns::DnsStats::rrl_slipped));
    d("edgelease_dns_rrl_dropped_total", kCounter, {"lcore"},
      "DNS answers over the [dns.rrl] rate not sent (also packet drops, dns_rate_limited).",
      per_worker(of_dns, &dataplane::dns::DnsStats::rrl_dropped));
    d("edgelease_dns_cookies_valid_total", kCounter, {"lcore"},
      "DNS queries with a valid server cookie of ours ([dns] cookies; never rate limited).",
      per_worker(of_dns, &dataplane::dns::DnsStats::cookies_valid));
    d("edgelease_dns_cookies_invalid_total", kCounter, {"lcore"},
      "DNS queries with a server cookie that is not ours or too old: answered with a new one.",
      per_worker(of_dns, &dataplane::dns::DnsStats::cookies_invalid));
    d("edgelease_dns_rrl_exempt_total", kCounter, {"lcore"},
      "DNS answers over the [dns.rrl] rate sent anyway: the client is in an exempt prefix.",
      per_worker(of_dns, &dataplane::dns::DnsStats::rrl_exempt));
    d("edgelease_dns_dropped_total", kCounter, {"lcore"},
      "DNS messages not answered: shorter than a header, or a response.",
      per_worker(of_dns, &dataplane::dns::DnsStats::dropped));

    d.in(Section::Dhcp);
    const auto of_dhcp = &LcoreEntry::dhcp;
    d("edgelease_dhcp_requests_received_total", kCounter, {"lcore", "type"},
      "DHCP requests a worker lcore handed to the control lcore, by message type.",
      per_worker_by(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::by_type, kMsgTypeNames,
                    is_client_type))
        .summary = "dhcp_requests";
    d("edgelease_dhcp_malformed_total", kCounter, {"lcore"},
      "Datagrams to port 67 that failed to parse as a DHCP request (reasons in "
      "edgelease_dhcp_parse_errors_total).",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::malformed));
    d("edgelease_dhcp_parse_errors_total", kCounter, {"lcore", "error"},
      "Datagrams to port 67 not accepted as DHCP requests, by parse error.",
      per_worker_by(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::parse_errors, kParseErrorNames,
                    is_not_none));
    d("edgelease_dhcp_queue_full_total", kCounter, {"lcore"},
      "DHCP requests dropped because the queue to the control lcore was full.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::queue_full));
    d("edgelease_dhcp_shed_total", kCounter, {"lcore"},
      "DISCOVERs and INFORMs a worker lcore shed because its queue to the control lcore was "
      "deep (a storm: exchanges under way go first).",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::shed));
    d("edgelease_dhcp_repeats_total", kCounter, {"lcore"},
      "DHCP requests dropped because the client repeated itself faster than its retransmission "
      "timer (the same message again within 500 ms, or a new DISCOVER within 1 s while the "
      "queue fills).",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::repeats));
    d("edgelease_dhcp_replies_sent_total", kCounter, {"lcore"}, "DHCP replies a worker lcore sent.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::replies_sent))
        .summary = "dhcp_replies";
    d("edgelease_dhcp_reply_alloc_failed_total", kCounter, {"lcore"},
      "DHCP and DHCPv6 replies dropped by a worker lcore for want of an mbuf.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::reply_alloc_failed));

    d("edgelease_dhcp6_requests_received_total", kCounter, {"lcore", "type"},
      "DHCPv6 client messages a worker lcore handed to the control lcore, by message type "
      "(relayed ones by the client's message inside).",
      per_worker_by(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::by_type6, kMsg6TypeNames,
                    is_client_type6))
        .summary = "dhcp6_requests";
    d("edgelease_dhcp6_malformed_total", kCounter, {"lcore"},
      "Datagrams to port 547 that failed to parse as a DHCPv6 client message (reasons in "
      "edgelease_dhcp6_parse_errors_total).",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::malformed6));
    d("edgelease_dhcp6_parse_errors_total", kCounter, {"lcore", "error"},
      "Datagrams to port 547 not accepted as DHCPv6 client messages, by parse error.",
      per_worker_by(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::parse_errors6, kParse6ErrorNames,
                    is_not_none));
    d("edgelease_dhcp6_queue_full_total", kCounter, {"lcore"},
      "DHCPv6 requests dropped because the queue to the control lcore was full.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::queue_full6));
    d("edgelease_dhcp6_shed_total", kCounter, {"lcore"},
      "SOLICITs and INFORMATION-REQUESTs a worker lcore shed because its DHCPv6 queue to the "
      "control lcore was deep.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::shed6));
    d("edgelease_dhcp6_repeats_total", kCounter, {"lcore"},
      "DHCPv6 client messages dropped because the client repeated itself faster than its "
      "retransmission timer.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::repeats6));
    d("edgelease_dhcp6_replies_sent_total", kCounter, {"lcore"},
      "DHCPv6 replies a worker lcore sent.",
      per_worker(of_dhcp, &dataplane::dhcp::DhcpWorkerStats::replies_sent6))
        .summary = "dhcp6_replies";
}

void declare_dhcp_service(Declare& d) {
    d.in(Section::Dhcp, Source::Dhcp);
    const auto svc = &MetricsSources::dhcp;
    using Stats = control::dhcp::DhcpServiceStats;
    d("edgelease_dhcp_requests_processed_total", kCounter, {"type"},
      "DHCP requests the control lcore ran through the lease engine, by message type.",
      by(svc, &Stats::requests, kMsgTypeNames, is_client_type));
    d("edgelease_dhcp_replies_total", kCounter, {"type"},
      "DHCP replies the control lcore queued to the workers, by message type.",
      by(svc, &Stats::replies, kMsgTypeNames, is_server_type));
    d("edgelease_dhcp_outcomes_total", kCounter, {"outcome"},
      "DHCP requests by what the lease engine made of them.",
      by(svc, &Stats::outcomes, kOutcomeNames));
    d.counters<Stats, edgelease::Counter>(
        svc,
        {
            {"edgelease_dhcp_acks_held_total", &Stats::held,
             "DHCPACKs held until their lease change was durable."},
            {"edgelease_dhcp_acks_dropped_storage_error_total", &Stats::storage_failed,
             "DHCPACKs withheld (not sent) because their lease change could not be committed."},
            {"edgelease_dhcp_reply_queue_full_total", &Stats::reply_queue_full,
             "DHCP replies dropped because a worker's reply queue was full."},
            {"edgelease_dhcp_relay_limited_total", &Stats::relay_limited,
             "DHCPDISCOVERs dropped because their relay (giaddr) was over "
             "[dhcp].relay_discover_rate."},
            {"edgelease_dhcp_leases_expired_total", &Stats::expired,
             "Leases expired by the lease engine."},
            {"edgelease_dhcp_leases_expired_by_sweeper_total", &Stats::expired_by_sweeper,
             "Of the expired leases, those expired when the sweeper lcore handed their expiry "
             "back."},
            {"edgelease_dhcp_leases_expired_by_backstop_total", &Stats::expired_by_backstop,
             "Of the expired leases, those the lease engine's own heap found overdue (the backstop "
             "for expiries the sweeper could not take)."},
            {"edgelease_dhcp_expiry_entries_stale_total", &Stats::expiry_stale,
             "Expiries handed back by the sweeper for leases that had moved on (renewed, "
             "released)."},
            {"edgelease_dhcp_store_backpressure_total", &Stats::store_backpressure,
             "Control-lcore polls cut short because the lease store's queue was full."},
            {"edgelease_dhcp_alloc_failures_total", &Stats::alloc_failed,
             "Out of memory on the control lcore: a DHCP request dropped, or an expiry step cut "
             "short (resumed at the next poll)."},
            {"edgelease_dhcp6_relay_limited_total", &Stats::relay_limited6,
             "DHCPv6 Solicits dropped because their relay (the outermost Relay-Forward's source) "
             "was over [dhcp6].relay_solicit_rate."},
            {"edgelease_dhcp6_leases_expired_total", &Stats::expired6,
             "DHCPv6 leases expired (end of the valid lifetime, or of a declined address's "
             "probation)."},
        });
    d("edgelease_dhcp6_requests_processed_total", kCounter, {"type"},
      "DHCPv6 client messages the control lcore ran through the lease engine, by message type.",
      by(svc, &Stats::requests6, kMsg6TypeNames, is_client_type6));
    d("edgelease_dhcp6_replies_total", kCounter, {"type"},
      "DHCPv6 answers the control lcore queued to the workers, by message type (the client's "
      "answer inside any Relay-Reply).",
      by(svc, &Stats::replies6, kMsg6TypeNames, is_server_type6));
    d("edgelease_dhcp6_outcomes_total", kCounter, {"outcome"},
      "DHCPv6 client messages by what the lease engine made of them.",
      by(svc, &Stats::outcomes6, kOutcomeNames));

    using Scope = control::dhcp::DhcpService::ScopeGauge;
    d("edgelease_dhcp_pool_size", kGauge, {"scope"},
      "Addresses in a DHCP scope's pools (refreshed once a second).", per_scope(&Scope::pool_size));
    d("edgelease_dhcp_leases", kGauge, {"scope", "state"},
      "Leases of a DHCP scope by state (refreshed once a second).",
      [](const MetricsSources& s, SeriesSink& out) {
          for (const auto& g : s.scopes) {
              out.sample({g->name, "bound"}, value_of(g->bound));
              out.sample({g->name, "offered"}, value_of(g->offered));
              out.sample({g->name, "declined"}, value_of(g->declined));
          }
      });
    d("edgelease_dhcp_pool_utilisation", kGauge, {"scope"},
      "Bound leases / pool size of a DHCP scope (0 when the pool is empty).",
      [](const MetricsSources& s, SeriesSink& out) {
          for (const auto& g : s.scopes) {
              const uint32_t size = value_of(g->pool_size);
              out.sample({g->name},
                         size == 0 ? 0.0 : static_cast<double>(value_of(g->bound)) / size);
          }
      });
    d("edgelease_dhcp6_pool_size", kGauge, {"scope", "kind"},
      "What a DHCPv6 scope can hand out: addresses in its pools (kind=address) and delegable "
      "prefixes in its PD pools (kind=prefix); saturates at 2^64-1, printed as a float.",
      per_scope6([](const Scope6& g, SeriesSink& out) {
          out.sample({g.name, "address"}, static_cast<double>(value_of(g.addresses)));
          out.sample({g.name, "prefix"}, static_cast<double>(value_of(g.prefixes)));
      }));
    d("edgelease_dhcp6_leases", kGauge, {"scope", "kind", "state"},
      "DHCPv6 bindings of a scope: bound addresses and prefixes, and declined addresses in "
      "probation (refreshed once a second).",
      per_scope6([](const Scope6& g, SeriesSink& out) {
          out.sample({g.name, "address", "bound"}, value_of(g.addresses_bound));
          out.sample({g.name, "prefix", "bound"}, value_of(g.prefixes_bound));
          out.sample({g.name, "address", "declined"}, value_of(g.declined));
      }));
    d("edgelease_dhcp6_pool_free", kGauge, {"scope", "kind"},
      "Addresses and delegable prefixes of a DHCPv6 scope neither bound nor declined.",
      per_scope6([](const Scope6& g, SeriesSink& out) {
          const uint64_t a = value_of(g.addresses), p = value_of(g.prefixes);
          const uint64_t used_a = uint64_t{value_of(g.addresses_bound)} + value_of(g.declined);
          const uint64_t used_p = value_of(g.prefixes_bound);
          out.sample({g.name, "address"}, static_cast<double>(a > used_a ? a - used_a : 0));
          out.sample({g.name, "prefix"}, static_cast<double>(p > used_p ? p - used_p : 0));
      }));
    d("edgelease_dhcp_queue_depth", kGauge, {"worker", "queue"},
      "Entries waiting in a worker's DHCP queue to (requests) or from (replies) the control "
      "lcore, as the control lcore last saw them; capacity " +
          std::to_string(dataplane::dhcp::kQueueDepth) + ".",
      per_queue(&QueueGauge::requests, &QueueGauge::replies));
    d("edgelease_dhcp_queue_depth_peak", kGauge, {"worker", "queue"},
      "Deepest a worker's DHCP queue has been seen since start.",
      per_queue(&QueueGauge::requests_peak, &QueueGauge::replies_peak));

    // The lease store's queue as the control lcore sees it: shown with the DHCP service.
    d.in(Section::LeaseStore, Source::Dhcp);
    d("edgelease_lease_store_queue_depth", kGauge, {},
      "Lease changes waiting for the LMDB writer; capacity " +
          std::to_string(control::store::LeaseStore::kQueueDepth) + ".",
      [](const MetricsSources& s, SeriesSink& out) { out.sample({}, s.store_queue_depth); });
    d("edgelease_lease_store_queue_depth_peak", kGauge, {},
      "Deepest the lease store's queue has been seen since start.",
      [](const MetricsSources& s, SeriesSink& out) { out.sample({}, s.store_queue_peak); });
}

void declare_stores(Declare& d) {
    d.in(Section::LeaseStore, Source::LeaseStore);
    const auto st = &MetricsSources::store;
    using Store = control::store::StoreStats;
    d.counters<Store, std::atomic<uint64_t>>(
        st, {
                {"edgelease_lease_store_commits_total", &Store::commits,
                 "LMDB transactions committed by the lease store."},
                {"edgelease_lease_store_records_total", &Store::records,
                 "Lease records written (or deleted) in them."},
                {"edgelease_lease_store_failures_total", &Store::failures,
                 "Lease store batches that could not be committed (storage error)."},
                {"edgelease_lease_store_map_resizes_total", &Store::map_resizes,
                 "Times the LMDB map was grown."},
                {"edgelease_lease_store_map_full_total", &Store::map_full,
                 "Lease store batches refused because the LMDB map is at "
                 "[appliance].lease_store_max_mib "
                 "(their DHCPACKs are withheld)."},
                {"edgelease_lease_store_writer_wakeups_total", &Store::wakeups,
                 "Times the control lcore woke the idle lease writer for new changes."},
                {"edgelease_lease_store_meta_syncs_total", &Store::meta_syncs,
                 "Flushes of a last commit's meta page when the queue ran dry (under load the next "
                 "commit's flush carries it)."},
            });
    d("edgelease_lease_store_commit_duration_seconds", kHistogram, {},
      "Time to write and commit (fsync included) one batch of lease changes.",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.store == nullptr) return;
          std::array<uint64_t, control::store::kCommitBuckets.size() + 1> buckets{};
          for (size_t i = 0; i < buckets.size(); ++i)
              buckets[i] = value_of(s.store->commit_buckets[i]);
          out.histogram({}, control::store::kCommitBuckets, buckets,
                        seconds_of(s.store->commit_ns_total));
      });
    d("edgelease_lease_store_commit_duration_max_seconds", kGauge, {},
      "Longest commit since start.",
      one(st, [](const Store& s) { return seconds_of(s.commit_ns_max); }));

    d.in(Section::RecordStore, Source::RecordStore);
    const auto rs = &MetricsSources::records;
    using Records = control::store::RecordStoreStats;
    d.counters<Records, std::atomic<uint64_t>>(
        rs, {
                {"edgelease_record_store_commits_total", &Records::commits,
                 "LMDB transactions committed by the record store."},
                {"edgelease_record_store_writes_total", &Records::writes,
                 "Record and audit writes (and deletions) committed."},
                {"edgelease_record_store_failures_total", &Records::failures,
                 "Record store commits that failed."},
                {"edgelease_record_store_queue_full_total", &Records::queue_full,
                 "Record changes that waited because the writer queue was full."},
                {"edgelease_record_store_settled_marks_total", &Records::marks,
                 "Clean marks committed at settled moments (every lease change committed, "
                 "every record change before it): a crash before the next change restarts "
                 "without re-checking every lease's records."},
                {"edgelease_audit_trimmed_total", &Records::audit_trimmed,
                 "Oldest audit events dropped to keep [appliance].audit_entries."},
            });
    d("edgelease_record_store_marked", kGauge, {},
      "1 while the record store holds a settled moment's clean mark (nothing has changed "
      "since): a crash now restarts without re-checking every lease's records.",
      one(rs, [](const Records& r) { return static_cast<double>(r.marked.load()); }));
}

void declare_zones_and_sweeper(Declare& d) {
    d.in(Section::Dns, Source::LeaseDns);
    const auto ld = &MetricsSources::lease_dns;
    d("edgelease_dns_changes_total", kCounter, {"reason"},
      "DNS record changes made by DHCP, reservations and the API, by reason (conflict-skip: "
      "skipped).",
      by(ld, &control::ddns::LeaseDnsStats::changes, control::zone::kAuditReasonNames));
    d.counters<control::ddns::LeaseDnsStats, edgelease::Counter>(
        ld, {
                {"edgelease_dns_lease_names_outside_zones_total",
                 &control::ddns::LeaseDnsStats::no_zone,
                 "Lease names or reverse names that no hosted zone holds (nothing written)."},
                {"edgelease_dns_records_kept_total", &control::ddns::LeaseDnsStats::kept,
                 "Lease records that a release or expiry left in place (policy)."},
                {"edgelease_dns_update_opt_out_total", &control::ddns::LeaseDnsStats::opted_out,
                 "Grants without DNS records because the client set the N flag of its FQDN "
                 "option (DHCPv4 option 81, DHCPv6 option 39)."},
                {"edgelease_dns_lease_conflicts_other_device_total",
                 &control::ddns::LeaseDnsStats::other_device,
                 "Lease names skipped because the name's A or AAAA belongs to another device "
                 "(not the same reservation, MAC or DUID): counted among conflict-skip, never "
                 "a flap."},
                {"edgelease_dns_delegated_prefixes_total", &control::ddns::LeaseDnsStats::prefixes,
                 "DHCPv6 prefix delegations granted or renewed (they publish no DNS records)."},
            });

    d.in(Section::Zones, Source::ZoneUpdates);
    const auto zu = &MetricsSources::zone_updates;
    using Zone = control::ControlPlane::ZoneUpdateStats;
    d.counters<Zone, std::atomic<uint64_t>>(
        zu, {
                {"edgelease_zone_owners_applied_total", &Zone::owners_applied,
                 "Owner names rewritten in place in the published DNS view."},
                {"edgelease_zone_rebuilds_total", &Zone::rebuilds,
                 "Full rebuilds of the DNS view (a change that could not be made in place)."},
                {"edgelease_zone_rebuilds_off_lcore_total", &Zone::rebuilds_off_lcore,
                 "Of those, rebuilds of a view of over 65,536 records, built from the record "
                 "store by a thread while the control lcore kept serving."},
                {"edgelease_zone_update_batches_total", &Zone::batches,
                 "Control-lcore polls that applied zone changes."},
                {"edgelease_zone_update_failures_total", &Zone::failures,
                 "Zone change batches that failed (no memory); the view kept its previous data."},
            });
    d("edgelease_zone_update_last_batch_seconds", kGauge, {},
      "Time the last batch of zone changes took to reach the published view.",
      one(zu, [](const Zone& z) { return seconds_of(z.last_batch_ns); }));
    d("edgelease_zone_update_max_batch_seconds", kGauge, {},
      "Longest batch of zone changes so far.",
      one(zu, [](const Zone& z) { return seconds_of(z.max_batch_ns); }));

    d.in(Section::Sweeper, Source::Sweeper);
    using Control = control::sweeper::ControlSideStats;
    using Side = control::sweeper::SweeperSideStats;
    d("edgelease_sweeper_scheduled_total", kCounter, {},
      "Lease expiries the control lcore sent to the sweeper lcore.",
      control_side(&Control::scheduled));
    d("edgelease_sweeper_schedule_waits_total", kCounter, {},
      "Expiries that waited in the control lcore's buffer: the queue to the sweeper was full.",
      control_side(&Control::schedule_full));
    d("edgelease_sweeper_schedule_dropped_total", kCounter, {},
      "Expiries dropped (buffer over its cap); the engine's backstop still expires them.",
      control_side(&Control::schedule_dropped));
    d("edgelease_sweeper_schedule_pending", kGauge, {},
      "Expiries waiting for room in the queue to the sweeper.", control_side(&Control::pending));
    d("edgelease_sweeper_wheel_entries", kGauge, {}, "Expiries held by the sweeper's timing wheel.",
      sweeper_side(&Side::wheel_size));
    d("edgelease_sweeper_due_backlog", kGauge, {},
      "Due expiries the sweeper has not handed back yet.", sweeper_side(&Side::backlog));
    d("edgelease_sweeper_due_sent_total", kCounter, {},
      "Due expiries the sweeper handed back to the control lcore.", sweeper_side(&Side::due_sent));
    d("edgelease_sweeper_due_queue_full_total", kCounter, {},
      "Sweeper ticks that found the queue to the control lcore full.",
      sweeper_side(&Side::due_full));

    d.in(Section::Appliance, Source::Reloads);
    const auto rl = &MetricsSources::reloads;
    d("edgelease_reloads_total", kCounter, {"result"},
      "Configuration reloads (SIGHUP, POST /api/v1/reload) by result: applied, refused (invalid "
      "file, nothing changed), failed (not applied in time).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.reloads == nullptr) return;
          out.sample({"applied"}, value_of(s.reloads->applied));
          out.sample({"refused"}, value_of(s.reloads->refused));
          out.sample({"failed"}, value_of(s.reloads->failed));
      });
    d("edgelease_reload_last_applied_timestamp_seconds", kGauge, {},
      "Unix time of the last applied reload (0: none since start).",
      one(rl, [](const ReloadStats& r) {
          return static_cast<uint64_t>(r.last_applied.load(std::memory_order_relaxed));
      }));
    d("edgelease_reload_leases_dropped_total", kCounter, {},
      "Leases ended by a reload because no new scope or pool covered them.",
      field(rl, &ReloadStats::leases_dropped));
}

std::vector<Entry> make_catalog() {
    std::vector<Entry> c;
    Declare d(c);
    declare_lcores_and_packets(d);
    declare_worker_dns_and_dhcp(d);
    declare_dhcp_service(d);
    declare_stores(d);
    declare_zones_and_sweeper(d);
    detail::declare_dns_tcp(d);
    return c;
}

/// Sums the integer series whose labels match.
class TotalSink final : public SeriesSink {
  public:
    TotalSink(const Entry& e, std::initializer_list<Label> match) {
        for (const Label& m : match) {
            size_t i = 0;
            while (i < e.labels.size() && e.labels[i] != m.name) ++i;
            if (i == e.labels.size()) no_match_ = true;  // a label it does not have
            match_.emplace_back(i, m.value);
        }
    }
    uint64_t sum = 0;

  private:
    bool matches(std::span<const std::string_view> labels) const {
        if (no_match_) return false;
        for (const auto& [i, value] : match_)
            if (i >= labels.size() || labels[i] != value) return false;
        return true;
    }
    void on_u64(std::span<const std::string_view> labels, uint64_t v) override {
        if (matches(labels)) sum += v;
    }
    void on_double(std::span<const std::string_view>, double) override {}
    void on_histogram(std::span<const std::string_view> labels, std::span<const double>,
                      std::span<const uint64_t> cumulative, double) override {
        if (matches(labels) && !cumulative.empty()) sum += cumulative.back();
    }
    std::vector<std::pair<size_t, std::string_view>> match_;
    bool no_match_ = false;
};

}  // namespace

bool present(const MetricsSources& s, Source source) {
    switch (source) {
        case Source::Always:
            return true;
        case Source::Pool:
            return s.pool.size != 0;  // not known (renderer tests, before start-up)
        case Source::Dhcp:
            return s.dhcp != nullptr;
        case Source::LeaseStore:
            return s.store != nullptr;
        case Source::LeaseDns:
            return s.lease_dns != nullptr;
        case Source::ZoneUpdates:
            return s.zone_updates != nullptr;
        case Source::Sweeper:
            return s.sweeper != nullptr;
        case Source::RecordStore:
            return s.records != nullptr;
        case Source::Reloads:
            return s.reloads != nullptr;
        case Source::DnsTcp:
            return s.dns_tcp != nullptr;
    }
    return false;
}

const std::vector<Entry>& catalog() {
    static const std::vector<Entry> entries = make_catalog();
    return entries;
}

const Entry& find_entry(std::string_view name) {
    for (const Entry& e : catalog())
        if (e.name == name) return e;
    throw std::out_of_range("no catalog entry " + std::string(name));
}

uint64_t total(const Entry& entry, const MetricsSources& src, std::initializer_list<Label> match) {
    if (!present(src, entry.source)) return 0;
    TotalSink sink(entry, match);
    entry.read(src, sink);
    return sink.sum;
}

MetricsSources sources_of(const Appliance& app) {
    MetricsSources src;
    src.stats = &app.stats();
    src.ports = app.ports().ports();
    for (const dataplane::PortState& p : src.ports) {
        dataplane::PortCounters c;
        dataplane::read_port_counters(p.port_id, c);
        src.port_counters.push_back(c);
    }
    src.pool = dataplane::read_pool_counters(app.ports().pool());
    if (const control::dhcp::DhcpService* d = app.dhcp()) {
        src.dhcp = &d->stats();
        src.scopes_owner = d->scope_gauges();
        src.scopes = *src.scopes_owner;
        src.scopes6_owner = d->scope_gauges6();
        if (src.scopes6_owner) src.scopes6 = *src.scopes6_owner;
        src.queues = d->queue_gauges();
        src.store_queue_depth = d->store_queue_depth();
        src.store_queue_peak = d->store_queue_peak();
    }
    if (const control::store::LeaseStore* s = app.lease_store()) src.store = &s->stats();
    if (const control::ddns::LeaseDns* d = app.lease_dns()) src.lease_dns = &d->stats();
    if (app.control_plane().zone_store() != nullptr)
        src.zone_updates = &app.control_plane().zone_update_stats();
    if (const control::store::RecordStore* r = app.record_store()) src.records = &r->stats();
    src.sweeper = app.sweeper_link();
    src.reloads = &app.reload_stats();
    if (const control::dnstcp::DnsTcpServer* t = app.dns_tcp()) src.dns_tcp = &t->stats();
    return src;
}

}  // namespace edgelease::app
