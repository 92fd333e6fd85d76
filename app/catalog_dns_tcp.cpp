// The counter catalog's entries of the DNS server on kernel sockets (control/dnstcp): TCP,
// zone transfers, NOTIFY, dynamic updates.
#include "app/catalog_declare.hpp"

namespace edgelease::app::detail {

namespace {

using control::dnstcp::TcpStats;

/// A counter array of the TCP server's answers: {<label>=names[i]}.
template <size_t N, class Names>
Read answers_by(std::array<edgelease::Counter, N> dataplane::dns::DnsStats::*slots,
                const Names& names) {
    return [=, &names](const MetricsSources& s, SeriesSink& out) {
        if (s.dns_tcp == nullptr) return;
        for (size_t i = 0; i < N; ++i) out.sample({names[i]}, ((s.dns_tcp->dns).*slots)[i].get());
    };
}

Read answers(edgelease::Counter dataplane::dns::DnsStats::*member) {
    return [=](const MetricsSources& s, SeriesSink& out) {
        if (s.dns_tcp != nullptr) out.sample({}, ((s.dns_tcp->dns).*member).get());
    };
}

}  // namespace

void declare_dns_tcp(Declare& d) {
    d.in(Section::Dns, Source::DnsTcp);
    const auto tcp = &MetricsSources::dns_tcp;
    d("edgelease_dns_tcp_connections_accepted_total", kCounter, {},
      "DNS over TCP connections accepted.", field(tcp, &TcpStats::accepted))
        .summary = "tcp_conns";
    d("edgelease_dns_tcp_connections_closed_total", kCounter, {"reason"},
      "DNS over TCP connections closed, by reason: client_closed, idle (no complete message "
      "for tcp_idle_timeout), malformed (a length below a DNS header), output_stalled (answers "
      "unread for tcp_idle_timeout), limit_total and limit_client (refused at accept), error, "
      "shutdown.",
      by(tcp, &TcpStats::closed, control::dnstcp::kCloseReasonNames));
    d("edgelease_dns_tcp_connections_open", kGauge, {}, "DNS over TCP connections open now.",
      field(tcp, &TcpStats::open));
    d("edgelease_dns_tcp_connections_open_peak", kGauge, {},
      "The most DNS over TCP connections open at once since start.",
      field(tcp, &TcpStats::open_peak));
    d("edgelease_dns_tcp_messages_total", kCounter, {}, "DNS messages received over TCP.",
      field(tcp, &TcpStats::messages));
    d("edgelease_dns_tcp_bytes_total", kCounter, {"direction"},
      "Octets of DNS over TCP, length prefixes included: in (read) and out (written).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          out.sample({"in"}, s.dns_tcp->bytes_in.get());
          out.sample({"out"}, s.dns_tcp->bytes_out.get());
      });
    d("edgelease_dns_tcp_responses_total", kCounter, {"rcode"},
      "DNS answers sent over TCP, by response code.",
      answers_by(&dataplane::dns::DnsStats::rcode, dataplane::dns::kRcodeSlotNames))
        .summary = "tcp_responses";
    d("edgelease_dns_tcp_queries_by_type_total", kCounter, {"qtype"},
      "DNS queries received over TCP, by query type (\"other\" for types not counted on their "
      "own).",
      answers_by(&dataplane::dns::DnsStats::qtype, dataplane::dns::kQtypeSlotNames));
    d("edgelease_dns_tcp_transfers_total", kCounter, {"outcome"},
      "Zone transfer requests (AXFR, IXFR) by outcome: axfr and ixfr_full (the whole zone "
      "sent), ixfr (the changes since the client's serial, from the journal), ixfr_up_to_date "
      "(the SOA alone), refused (allow_transfer), notauth (not a zone "
      "hosted here, or a TSIG check failed), formerr, servfail.",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          for (size_t i = 0; i < control::dnstcp::kTransferOutcomeNames.size(); ++i)
              out.sample({control::dnstcp::kTransferOutcomeNames[i]},
                         s.dns_tcp->transfers.outcomes[i].get());
      });
    d("edgelease_dns_tcp_transfer_messages_total", kCounter, {},
      "DNS messages of zone transfers sent.", [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp != nullptr) out.sample({}, s.dns_tcp->transfers.messages.get());
      });
    d("edgelease_dns_tcp_transfer_records_total", kCounter, {},
      "Records in zone transfers sent (each transfer's SOA counted twice).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp != nullptr) out.sample({}, s.dns_tcp->transfers.records.get());
      });
    d("edgelease_dns_notify_total", kCounter, {"result"},
      "NOTIFY (RFC 1996) to secondaries: sent (retransmissions included), answered, refused "
      "(answered with an error), gave_up (no answer after every retransmission), send_error.",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          const auto& n = s.dns_tcp->notify;
          out.sample({"sent"}, n.sent.get());
          out.sample({"answered"}, n.answered.get());
          out.sample({"refused"}, n.refused.get());
          out.sample({"gave_up"}, n.gave_up.get());
          out.sample({"send_error"}, n.send_errors.get());
      });
    d("edgelease_dns_zone_transfers_total", kCounter, {"zone", "outcome"},
      "Zone transfer requests for a hosted zone, by outcome (as "
      "edgelease_dns_tcp_transfers_total).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          s.dns_tcp->zones.each(
              [&](const std::string& zone, const control::dnstcp::ZoneXfrStats& z) {
                  for (size_t i = 0; i < control::dnstcp::kTransferOutcomeNames.size(); ++i)
                      out.sample({zone, control::dnstcp::kTransferOutcomeNames[i]},
                                 z.outcomes[i].get());
              });
      });
    d("edgelease_dns_zone_notify_total", kCounter, {"zone", "result"},
      "NOTIFY for a hosted zone: sent (retransmissions included), answered, gave_up.",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          s.dns_tcp->zones.each(
              [&](const std::string& zone, const control::dnstcp::ZoneXfrStats& z) {
                  out.sample({zone, "sent"}, z.notify_sent.get());
                  out.sample({zone, "answered"}, z.notify_answered.get());
                  out.sample({zone, "gave_up"}, z.notify_gave_up.get());
              });
      });
    d("edgelease_dns_updates_total", kCounter, {"outcome"},
      "Dynamic updates (RFC 2136, over TCP and UDP) by outcome: applied (NOERROR, durable "
      "before the answer), prereq_failed (YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET), refused "
      "(allow_update), refused_provenance (it would change a record of another origin; "
      "audited), tsig_failed (NOTAUTH: BADKEY, BADSIG, BADTIME, BADTRUNC), notauth (not a "
      "zone hosted here), notzone, formerr, servfail (the control plane or the record store "
      "did not take it in time), overload (too many waiting: SERVFAIL at once).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          for (size_t i = 0; i < control::dnstcp::kUpdateOutcomeNames.size(); ++i)
              out.sample({control::dnstcp::kUpdateOutcomeNames[i]},
                         s.dns_tcp->updates.outcomes[i].get());
      }).summary = "updates";
    d("edgelease_dns_update_records_total", kCounter, {"change"},
      "Records dynamic updates wrote (added, a changed TTL included) and deleted.",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          out.sample({"added"}, s.dns_tcp->updates.records_added.get());
          out.sample({"deleted"}, s.dns_tcp->updates.records_deleted.get());
      });
    d("edgelease_dns_updates_udp_total", kCounter, {},
      "Dynamic updates that arrived over UDP (handed to the kernel by the workers).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp != nullptr) out.sample({}, s.dns_tcp->updates.udp.get());
      });
    d("edgelease_dns_zone_updates_total", kCounter, {"zone", "result"},
      "Dynamic updates of a hosted zone: applied, refused (allow_update, or another origin's "
      "record).",
      [](const MetricsSources& s, SeriesSink& out) {
          if (s.dns_tcp == nullptr) return;
          s.dns_tcp->zones.each(
              [&](const std::string& zone, const control::dnstcp::ZoneXfrStats& z) {
                  out.sample({zone, "applied"}, z.updates_applied.get());
                  out.sample({zone, "refused"}, z.updates_refused.get());
              });
      });
    d("edgelease_dns_tcp_dropped_total", kCounter, {},
      "DNS messages over TCP not answered (responses sent to us).",
      answers(&dataplane::dns::DnsStats::dropped));
}

}  // namespace edgelease::app::detail
