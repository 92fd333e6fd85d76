#include "dataplane/dhcp/admission.hpp"

namespace edgelease::dataplane::dhcp {

DhcpAdmission::DhcpAdmission(AdmissionSettings s)
    : s_(s), key_(random_sip_key()), entries_(kEntries) {}

DhcpAdmission::Verdict DhcpAdmission::check(bool starts, uint8_t type, const uint8_t* id,
                                            size_t id_len, uint32_t xid, size_t depth,
                                            uint64_t now_ms) noexcept {
    if (starts && depth >= s_.shed_depth) return Verdict::Shed;
    if (id_len == 0) return Verdict::Queue;
    // The message type goes into the hash: a REQUEST carries its DISCOVER's transaction id.
    uint8_t buf[1 + kMaxAdmissionId];
    buf[0] = type;
    const size_t n = id_len < kMaxAdmissionId ? id_len : kMaxAdmissionId;
    std::memcpy(buf + 1, id, n);
    const uint64_t h = siphash<1, 3>(key_, buf, n + 1);
    Entry& e = entries_[h & (kEntries - 1)];
    const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;  // never 0 (empty)
    if (e.tag == tag) {
        const uint64_t since = now_ms - e.at_ms;
        if (e.xid == xid && since < s_.retransmit_ms) return Verdict::Repeat;
        if (starts && since < s_.restart_ms && depth >= s_.shed_depth / 2) return Verdict::Repeat;
    }
    e.tag = tag;
    e.xid = xid;
    e.at_ms = now_ms;
    return Verdict::Queue;
}

}  // namespace edgelease::dataplane::dhcp
