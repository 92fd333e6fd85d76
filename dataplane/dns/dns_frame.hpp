#pragma once
// The worker's DNS step on a whole frame: answer the query in a UDP datagram that
// handle_frame accepted, in place, and turn the frame around. No DPDK: the worker calls it
// per packet, the frame benchmark (tests/bench) on plain buffers.
#include <cstdint>

#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/rrl.hpp"
#include "dataplane/packet.hpp"

namespace edgelease::dataplane::dns {

// The DNS vocabulary (RR types, names: common/dns_types.hpp) is spoken here too.
using namespace edgelease::dns;

/// `v` is a frame for which handle_frame returned Verdict::Udp to port 53. Answers it in
/// place (at most the link MTU of 1500, and the buffer's capacity) and turns it around to its
/// sender: Verdict::Reply, v.len the answer frame's length. Verdict::Kernel, the frame
/// untouched, for an UPDATE to hand to the kernel (DnsSettings::updates_to_kernel). Verdict::Drop
/// with `why` set when the query gets no answer (see answer_query) or the answer cannot be framed.
/// `qname_hash`: qname_hash_hint() of this same frame, or nullptr. With `rrl`, the answer is
/// rate limited (rrl.hpp) at second `now_s`: slipped answers go out truncated, dropped ones
/// are Verdict::Drop with DropReason::DnsRateLimited; a query with a valid server cookie
/// (DnsSettings::cookie_secret) is never limited. `now_s`: Unix seconds (cookies, RRL).
Verdict answer_dns_frame(const PortContext& port, const dns::ZoneView* zones,
                         const dns::DnsSettings& settings, dns::DnsStats& stats, PacketView& v,
                         const uint64_t* qname_hash, DropReason& why, RrlTable* rrl = nullptr,
                         uint32_t now_s = 0) noexcept;

}  // namespace edgelease::dataplane::dns
