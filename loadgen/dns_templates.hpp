#pragma once
// Prebuilt query frames. Every query of a run is built once at start-up as a complete frame
// (Ethernet, IPv4, UDP, DNS) with ID 0 and source port 0, plus the partial checksum of its
// UDP datagram; sending one is a copy and three 16-bit stores. Pure; noexcept after
// construction.
#include <cstdint>
#include <vector>

#include "loadgen/dns_queries.hpp"
#include "loadgen/frame.hpp"

namespace edgelease::loadgen {

class QueryTemplates {
  public:
    /// Builds one frame per query from `e` (its src_port is ignored; dst_port is the DNS
    /// port). Throws std::invalid_argument when a query does not fit a frame or the list is
    /// empty.
    QueryTemplates(const std::vector<QuerySpec>& queries, const UdpEndpoints& e, bool rd,
                   uint16_t edns_size);

    size_t size() const noexcept { return len_.size(); }
    uint16_t frame_len(uint32_t t) const noexcept { return len_[t]; }
    Expect expect(uint32_t t) const noexcept { return expect_[t]; }
    uint16_t qtype(uint32_t t) const noexcept { return qtype_[t]; }

    /// Writes template t with this DNS ID and UDP source port into out[0..cap), checksum
    /// fixed up. Returns the frame length, 0 when cap is too small.
    uint16_t stamp(uint32_t t, uint16_t id, uint16_t src_port, uint8_t* out,
                   uint16_t cap) const noexcept;

  private:
    std::vector<uint8_t> bytes_;
    std::vector<uint32_t> off_;
    std::vector<uint16_t> len_;
    std::vector<uint32_t> partial_;  // UDP datagram + pseudo-header with ID and port zero
    std::vector<Expect> expect_;
    std::vector<uint16_t> qtype_;
};

}  // namespace edgelease::loadgen
