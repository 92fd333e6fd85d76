#include "control/dnstcp/transfer.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "common/dns_types.hpp"
#include "common/log.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/dns_writer.hpp"

namespace edgelease::control::dnstcp {

namespace {

namespace wdns = dataplane::wire::dns;
using dataplane::wire::load_be16;
using wdns::DnsWriter;

constexpr size_t kHeader = wdns::kHeaderSize;
// A message is closed once it holds this much (RFC 5936 §2.2: as full as is sensible; 16 KB
// keeps the first octets moving on a slow link). The writer's limit leaves room for a TSIG.
constexpr size_t kTargetSize = 16384;
constexpr uint16_t kWriterLimit = 65535 - 600;

/// What the light parse of a transfer request found.
struct Request {
    uint16_t qtype = 0;
    uint16_t qclass = 0;
    uint16_t question_end = 0;
    dns::WireName qname;                  // lower-cased
    std::optional<uint32_t> ixfr_serial;  // the client's SOA serial (IXFR)
};

std::optional<Request> read_request(std::span<const uint8_t> m) {
    if (m.size() < kHeader || m.size() > 65535) return std::nullopt;
    const auto len = static_cast<uint16_t>(m.size());
    if (load_be16(m.data() + wdns::hdr::kQdCountOff) != 1) return std::nullopt;
    Request r;
    uint8_t name[wdns::kMaxName];
    uint16_t next = 0;
    const int n = wdns::decode_name(m.data(), len, kHeader, name, next);
    if (n < 0 || next != kHeader + static_cast<uint16_t>(n) || next + 4 > len) return std::nullopt;
    r.qname.assign(name, name + n);
    for (size_t i = 0; i < r.qname.size(); i += r.qname[i] + 1u)
        for (size_t j = i + 1; j <= i + r.qname[i] && j < r.qname.size(); ++j)
            if (r.qname[j] >= 'A' && r.qname[j] <= 'Z') r.qname[j] |= 0x20;
    r.qtype = load_be16(m.data() + next);
    r.qclass = load_be16(m.data() + next + 2);
    r.question_end = static_cast<uint16_t>(next + 4);
    if (r.qtype == dns::rrtype::IXFR && load_be16(m.data() + wdns::hdr::kNsCountOff) >= 1) {
        // RFC 1995 §3: the authority section holds the client's SOA.
        uint16_t at = r.question_end;
        if (wdns::decode_name(m.data(), len, at, name, next) < 0 || next + 10 > len)
            return std::nullopt;
        const uint16_t type = load_be16(m.data() + next);
        const uint16_t rdlen = load_be16(m.data() + next + 8);
        at = static_cast<uint16_t>(next + 10);
        if (type != dns::rrtype::SOA || rdlen < 22 || at + rdlen > len) return std::nullopt;
        const uint8_t* s = m.data() + at + rdlen - 20;
        r.ixfr_serial = uint32_t{s[0]} << 24 | uint32_t{s[1]} << 16 | uint32_t{s[2]} << 8 | s[3];
    }
    return r;
}

/// RFC 1982: a >= b in serial number arithmetic.
bool serial_at_least(uint32_t a, uint32_t b) {
    return a == b || static_cast<int32_t>(a - b) > 0;
}

void append_framed(std::vector<uint8_t>& out, const std::vector<uint8_t>& msg) {
    out.push_back(static_cast<uint8_t>(msg.size() >> 8));
    out.push_back(static_cast<uint8_t>(msg.size()));
    out.insert(out.end(), msg.begin(), msg.end());
}

bool add(DnsWriter& w, const dns::Record& r) {
    return w.add_rr(DnsWriter::Section::Answer, r.owner.data(),
                    static_cast<uint8_t>(r.owner.size()), r.type, dns::rrclass::IN, r.ttl,
                    r.rdata.data(), static_cast<uint16_t>(r.rdata.size()));
}

/// One answer: the request's header and question, `soa` (if any) as the answer, `rcode`;
/// signed when the request's TSIG asks for it.
void single(std::span<const uint8_t> msg, uint16_t question_end, uint16_t rcode,
            const dns::Record* soa, const tsig::Checked& checked, std::vector<uint8_t>& out) {
    std::vector<uint8_t> buf(msg.begin(), msg.begin() + question_end);
    buf.resize(kWriterLimit);
    DnsWriter w(buf.data(), kWriterLimit, question_end);
    if (soa != nullptr) add(w, *soa);
    w.finish(static_cast<uint8_t>(rcode & 0x0f), soa != nullptr, false);
    buf.resize(w.size());
    (void)tsig::sign_answer(buf, checked, static_cast<uint64_t>(std::time(nullptr)));
    append_framed(out, buf);
}

}  // namespace

bool is_transfer_request(std::span<const uint8_t> m) noexcept {
    if (m.size() < kHeader + 5) return false;
    const uint16_t flags = load_be16(m.data() + wdns::hdr::kFlagsOff);
    if ((flags & wdns::flag::kQr) != 0 ||
        ((flags & wdns::flag::kOpcodeMask) >> wdns::flag::kOpcodeShift) != wdns::opcode::kQuery)
        return false;
    // The question's QTYPE follows its (uncompressed) name.
    size_t i = kHeader;
    while (i < m.size() && m[i] != 0) {
        if ((m[i] & 0xc0) != 0) return false;
        i += m[i] + 1u;
    }
    if (i + 3 > m.size()) return false;
    const uint16_t qtype = load_be16(m.data() + i + 1);
    return qtype == dns::rrtype::AXFR || qtype == dns::rrtype::IXFR;
}

std::unique_ptr<Transfer> begin_transfer(const TransferEnv& env, std::span<const uint8_t> msg,
                                         const ClientAddress& client, std::vector<uint8_t>& out,
                                         TransferStats& stats, PerZoneStats& zones) {
    ZoneXfrStats* mine = nullptr;  // the zone's own, once it is known to be hosted here
    auto count = [&](TransferOutcome o) {
        stats.outcomes[static_cast<size_t>(o)].add();
        if (mine != nullptr) mine->outcomes[static_cast<size_t>(o)].add();
    };
    const auto req = read_request(msg);
    tsig::Checked unsigned_request;
    if (!req) {
        single(msg, kHeader, wdns::rcode::kFormErr, nullptr, unsigned_request, out);
        count(TransferOutcome::FormErr);
        return nullptr;
    }
    const auto cfg = env.config ? env.config() : nullptr;
    const std::vector<tsig::Key> keys = cfg ? keys_of(*cfg) : std::vector<tsig::Key>{};
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    tsig::Checked checked = tsig::verify_request(msg.data(), msg.size(), keys, now);
    switch (checked.verdict) {
        case tsig::Verdict::Unsigned:
        case tsig::Verdict::Ok:
            break;
        case tsig::Verdict::FormErr:
            single(msg, req->question_end, wdns::rcode::kFormErr, nullptr, checked, out);
            count(TransferOutcome::FormErr);
            return nullptr;
        default:  // BADKEY, BADSIG, BADTIME, BADTRUNC: NOTAUTH with the error in the TSIG
            single(msg, req->question_end, wdns::rcode::kNotAuth, nullptr, checked, out);
            count(TransferOutcome::NotAuth);
            return nullptr;
    }
    const config::ZoneConfig* zone = nullptr;
    const std::string qname = dns::name_to_text(req->qname);
    if (cfg)
        for (const auto& z : cfg->dns.zones)
            if (z.name == qname) zone = &z;
    if (zone != nullptr) mine = &zones.of(zone->name);
    if (zone == nullptr || req->qclass != dns::rrclass::IN || env.records == nullptr) {
        single(msg, req->question_end, wdns::rcode::kNotAuth, nullptr, checked, out);
        count(TransferOutcome::NotAuth);
        return nullptr;
    }
    if (!acl_allows(zone->allow_transfer, client, checked)) {
        single(msg, req->question_end, wdns::rcode::kRefused, nullptr, checked, out);
        count(TransferOutcome::Refused);
        return nullptr;
    }
    // The zone as of one serial. "Changing": the next serial's records are being written and
    // its serial follows within one publication of the control lcore.
    store::RecordStore::ZoneSnapshot snap;
    for (int attempt = 0; attempt < 50; ++attempt) {
        snap = env.records->snapshot_zone(req->qname);
        if (snap.state != store::RecordStore::ZoneSnapshot::State::Changing) break;
        timespec ts{0, 2'000'000};
        nanosleep(&ts, nullptr);
    }
    if (snap.state != store::RecordStore::ZoneSnapshot::State::Ok) {
        const bool gone = snap.state == store::RecordStore::ZoneSnapshot::State::NotHosted;
        single(msg, req->question_end, gone ? wdns::rcode::kNotAuth : wdns::rcode::kServFail,
               nullptr, checked, out);
        count(gone ? TransferOutcome::NotAuth : TransferOutcome::ServFail);
        return nullptr;
    }
    std::vector<dns::Record> records;
    if (req->qtype == dns::rrtype::IXFR && req->ixfr_serial) {
        if (serial_at_least(*req->ixfr_serial, dns::soa_serial(snap.soa.rdata))) {
            single(msg, req->question_end, wdns::rcode::kNoError, &snap.soa, checked, out);
            count(TransferOutcome::IxfrUpToDate);
            return nullptr;
        }
        // The changes since the client's serial, if the journal still has them all.
        auto changes = env.records->zone_changes(req->qname, *req->ixfr_serial);
        using State = store::RecordStore::ZoneChanges::State;
        if (changes.state == State::Ok &&
            dns::soa_serial(changes.soa.rdata) == dns::soa_serial(snap.soa.rdata)) {
            records.push_back(changes.soa);
            for (auto& c : changes.chain) {
                records.push_back(std::move(c.soa_from));
                for (auto& r : c.deleted) records.push_back(std::move(r));
                records.push_back(std::move(c.soa_to));
                for (auto& r : c.added) records.push_back(std::move(r));
            }
            records.push_back(changes.soa);
            count(TransferOutcome::Ixfr);
        }
    }
    if (records.empty()) {
        count(req->qtype == dns::rrtype::AXFR ? TransferOutcome::Axfr : TransferOutcome::IxfrFull);
        records.reserve(snap.records.size() + 2);
        records.push_back(snap.soa);
        for (auto& r : snap.records) records.push_back(std::move(r));
        records.push_back(snap.soa);
    }
    std::optional<tsig::Key> key;
    if (checked.verdict == tsig::Verdict::Ok && checked.key != nullptr) key = *checked.key;
    std::vector<uint8_t> request(msg.begin(), msg.begin() + req->question_end);
    return std::make_unique<Transfer>(std::move(request), std::move(records), std::move(key),
                                      std::move(checked.tsig), stats);
}

Transfer::Transfer(std::vector<uint8_t> request, std::vector<dns::Record> records,
                   std::optional<tsig::Key> key, tsig::Record request_tsig, TransferStats& stats)
    : request_(std::move(request)),
      question_end_(static_cast<uint16_t>(request_.size())),
      records_(std::move(records)),
      key_(std::move(key)),
      stats_(stats) {
    if (key_) signer_.emplace(*key_, request_tsig);
}

bool Transfer::produce(std::vector<uint8_t>& out, size_t want) {
    const size_t n = records_.size();
    const size_t start = out.size();
    std::vector<uint8_t> buf;
    while (next_ < n && out.size() - start < want) {
        const uint16_t qend = first_ ? question_end_ : static_cast<uint16_t>(kHeader);
        buf.assign(request_.begin(), request_.begin() + qend);
        buf.resize(kWriterLimit);
        DnsWriter w(buf.data(), kWriterLimit, qend);
        size_t added = 0;
        while (next_ < n && w.size() < kTargetSize) {
            const dns::Record& r = records_[next_];
            if (!add(w, r)) {
                if (added != 0) break;  // the next message takes it
                ++next_;                // cannot fit any message: left out, and said
                LOG_WARN("zone transfer: a record of %s too large for a message, left out",
                         dns::name_to_text(r.owner).c_str());
                continue;
            }
            ++added;
            ++next_;
        }
        w.finish(0, true, false);
        buf.resize(w.size());
        if (signer_) signer_->sign(buf, static_cast<uint64_t>(std::time(nullptr)));
        append_framed(out, buf);
        first_ = false;
        stats_.messages.add();
        stats_.records.add(added);
    }
    return next_ < n;
}

}  // namespace edgelease::control::dnstcp
