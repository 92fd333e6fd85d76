#include "loadgen/dns_templates.hpp"

#include <cstring>
#include <stdexcept>

#include "dataplane/wire/checksum.hpp"
#include "dataplane/wire/cursor.hpp"

namespace edgelease::loadgen {

namespace {
constexpr uint16_t kMaxFrame = 512;
constexpr size_t kUdpChecksumAt = kUdpOff + wire::udp::kChecksumOff;
constexpr size_t kUdpSrcPortAt = kUdpOff + wire::udp::kSrcPortOff;
constexpr size_t kDnsIdAt = kPayloadOff;  // ID is the first field of the DNS header
}  // namespace

QueryTemplates::QueryTemplates(const std::vector<QuerySpec>& queries, const UdpEndpoints& e,
                               bool rd, uint16_t edns_size) {
    if (queries.empty()) throw std::invalid_argument("no queries to send");
    UdpEndpoints ep = e;
    ep.src_port = 0;
    uint8_t frame[kMaxFrame];
    for (const auto& q : queries) {
        const uint16_t n =
            encode_query(q, 0, rd, edns_size, frame + kPayloadOff, kMaxFrame - kPayloadOff);
        const uint16_t len = n == 0 ? 0 : finish_udp_frame(frame, kMaxFrame, ep, n);
        if (len == 0) throw std::invalid_argument("a query does not fit in a frame");
        // The partial sum the checksum was made from: undo the final complement. With ID
        // and source port zero, stamping adds them back (both sit at even offsets).
        const uint16_t stored = wire::load_be16(frame + kUdpChecksumAt);
        const uint16_t partial = static_cast<uint16_t>(~stored);
        off_.push_back(static_cast<uint32_t>(bytes_.size()));
        len_.push_back(len);
        partial_.push_back(partial == 0 ? 0xffff : partial);
        expect_.push_back(q.expect);
        qtype_.push_back(q.type);
        bytes_.insert(bytes_.end(), frame, frame + len);
    }
}

uint16_t QueryTemplates::stamp(uint32_t t, uint16_t id, uint16_t src_port, uint8_t* out,
                               uint16_t cap) const noexcept {
    const uint16_t len = len_[t];
    if (len > cap) return 0;
    std::memcpy(out, bytes_.data() + off_[t], len);
    wire::store_be16(out + kUdpSrcPortAt, src_port);
    wire::store_be16(out + kDnsIdAt, id);
    const uint32_t sum = wire::csum_fold(uint64_t{partial_[t]} + src_port + id);
    wire::store_be16(out + kUdpChecksumAt, udp_checksum_from_partial(sum));
    return len;
}

}  // namespace edgelease::loadgen
