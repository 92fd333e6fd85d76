#pragma once
// Zone transfers out (AXFR, RFC 5936; IXFR, RFC 1995) on the DNS over TCP server. A
// transfer reads the zone as one consistent snapshot of the record store
// (RecordStore::snapshot_zone: exactly one serial's records, read without the control lcore)
// and makes its messages as the connection drains, so a large zone never sits whole in the
// connection's buffer. Who may transfer: [[dns.zones]] allow_transfer (address prefixes and
// TSIG keys); requests may be TSIG-signed (RFC 8945), and then every answer is.
//
// IXFR (RFC 1995) is answered from the record store's journal of changesets; when the
// journal does not reach back to the client's serial, with the whole zone in AXFR form (§4
// allows it); with the SOA alone when the client's serial is already ours.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "control/dnstcp/acl.hpp"
#include "control/dnstcp/stats.hpp"
#include "control/store/record_store.hpp"
#include "control/tsig/tsig.hpp"

namespace edgelease::control::dnstcp {

/// What transfers read: the configuration in force (zones, ACLs, keys) and the record store.
struct TransferEnv {
    std::function<std::shared_ptr<const config::Config>()> config;
    const store::RecordStore* records = nullptr;  // nullptr: no zones hosted
};

/// True when msg is a QUERY for AXFR or IXFR (whatever else it holds).
bool is_transfer_request(std::span<const uint8_t> msg) noexcept;

/// A transfer being sent.
class Transfer {
  public:
    /// `records`: everything to send, in order (AXFR: SOA, the zone, SOA; IXFR: RFC 1995 §4).
    Transfer(std::vector<uint8_t> request, std::vector<dns::Record> records,
             std::optional<tsig::Key> key, tsig::Record request_tsig, TransferStats& stats);
    /// Appends framed messages to `out` until it has grown by at least `want` octets or the
    /// zone is all sent. False once it is (nothing more to make).
    bool produce(std::vector<uint8_t>& out, size_t want);

  private:
    std::vector<uint8_t> request_;  // header and question of the request
    uint16_t question_end_;
    std::vector<dns::Record> records_;
    std::optional<tsig::Key> key_;
    std::optional<tsig::Signer> signer_;
    TransferStats& stats_;
    size_t next_ = 0;  // index into records_
    bool first_ = true;
};

/// Starts answering the transfer request `msg` from `client`. Either appends one framed
/// answer to `out` (a refusal, an error, the SOA alone) and returns nullptr, or returns the
/// transfer to stream. Counts the outcome.
std::unique_ptr<Transfer> begin_transfer(const TransferEnv& env, std::span<const uint8_t> msg,
                                         const ClientAddress& client, std::vector<uint8_t>& out,
                                         TransferStats& stats, PerZoneStats& zones);

}  // namespace edgelease::control::dnstcp
