// libFuzzer target: the UDP payload of a datagram to port 547 through parse_request6, on a
// heap copy of exactly the input's size so ASan catches any read past the datagram. What
// parses must hold together (counts within their arrays, offsets within relay_bytes, a client
// message type, a well-formed FQDN) and frame with build_reply_frame6.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "dataplane/dhcp/frame6.hpp"

namespace {

using namespace edgelease::dataplane::dhcp;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_invariants(const Dhcp6Request& r) {
    check(is_client_message6(r.msg_type));
    check(r.xid <= 0xffffff);
    check(r.relay_count <= kMaxRelays);
    check(r.relay_bytes_len <= kMaxRelayBytes);
    for (unsigned i = 0; i < r.relay_count; ++i) {
        const RelayHop& h = r.relays[i];
        check(h.hop_count <= edgelease::dataplane::wire::dhcp6::kHopCountLimit);
        if (h.has_interface_id)
            check(size_t{h.interface_id_off} + h.interface_id_len <= r.relay_bytes_len);
    }
    check(size_t{r.remote_id_off} + r.remote_id_len <= r.relay_bytes_len);
    check(size_t{r.subscriber_id_off} + r.subscriber_id_len <= r.relay_bytes_len);
    check(r.relay_count != 0 || (r.relay_bytes_len == 0 && !r.has_client_ll));
    check(r.client_id_len <= kMaxDuid && r.server_id_len <= kMaxDuid);
    check(r.msg_type == Msg6Type::InformationRequest || r.client_id_len != 0);
    check(r.ia_count <= kMaxIas);
    check(!r.ias_truncated || r.ia_count == kMaxIas);
    for (unsigned i = 0; i < r.ia_count; ++i) {
        const Ia6& ia = r.ias[i];
        check(ia.type == Ia6::kNa || ia.type == Ia6::kPd);
        check(ia.hint_count <= kMaxIaHints);
        for (unsigned k = 0; k < ia.hint_count; ++k)
            check(ia.hints[k].prefix_len <= 128 &&
                  (ia.type == Ia6::kPd || ia.hints[k].prefix_len == 128));
    }
    check(r.oro_len <= kMaxOro);
    check(r.fqdn_len <= kMaxFqdn6);
    if (r.has_fqdn) {
        size_t pos = 0;
        while (pos < r.fqdn_len && r.fqdn[pos] != 0) {
            check(r.fqdn[pos] <= 63);
            pos += 1u + r.fqdn[pos];
        }
        check(pos == r.fqdn_len || pos + 1 == r.fqdn_len);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 0xffff) return 0;
    std::unique_ptr<uint8_t[]> copy(new uint8_t[size == 0 ? 1 : size]);
    if (size != 0) std::memcpy(copy.get(), data, size);
    auto req = std::make_unique<Dhcp6Request>();
    if (parse_request6(copy.get(), static_cast<uint16_t>(size), *req) != Parse6Error::None)
        return 0;
    check_invariants(*req);

    // The input as a reply payload, framed into an exact-size buffer.
    auto reply = std::make_unique<Dhcp6Reply>();
    reply->len = static_cast<uint16_t>(size < kMaxPayload6 ? size : kMaxPayload6);
    std::memcpy(reply->payload, copy.get(), reply->len);
    reply->path.vlan_count = static_cast<uint8_t>(req->xid % 3);
    reply->src_ip.bytes[0] = 0xfe;  // a source the builder takes (:: it refuses)
    reply->src_ip.bytes[1] = 0x80;
    reply->src_ip.bytes[15] = 1;
    const auto cap = static_cast<uint16_t>(14 + 4 * reply->path.vlan_count + 48 + reply->len);
    std::unique_ptr<uint8_t[]> frame(new uint8_t[cap]);
    check(build_reply_frame6(edgelease::net::MacAddr{}, *reply, frame.get(), cap) == cap);
    return 0;
}
