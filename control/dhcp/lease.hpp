#pragma once
// A DHCPv4 lease as the control plane keeps it (in memory and, serialised, in LMDB).
#include <cstdint>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "dataplane/dhcp/messages.hpp"

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

enum class LeaseState : uint8_t {
    Offered = 0,   // OFFER sent, held for the client for a short while
    Bound = 1,     // ACKed and not expired
    Released = 2,  // the client released it; kept for affinity until the address is reused
    Expired = 3,   // expired; kept for affinity until the address is reused
    Declined = 4,  // a client reported the address in use (DECLINE): out of service until `expires`
    Free = 5,      // no binding any more (an offer nobody took, a replaced binding, a declined
                   // address back in the pool): the stored record for this ip is deleted.
                   // Only ever seen in Result::changed / expire_due output, never restored.
};

const char* to_string(LeaseState s);

/// Who a lease belongs to: option 61 when the client sent one, else the hardware address
/// (RFC 2131 §4.2). Compared byte for byte.
struct ClientKey {
    enum Kind : uint8_t { HwAddress = 0, ClientId = 1 } kind = HwAddress;
    uint8_t len = 0;
    uint8_t bytes[kMaxClientId] = {};

    static ClientKey from_request(const DhcpRequest& r) noexcept;
    bool operator==(const ClientKey& o) const noexcept;
    /// "01:02:..." (client id) or the MAC, for logs and the API.
    std::string to_string() const;
};

struct ClientKeyHash {
    size_t operator()(const ClientKey& k) const noexcept;
};

struct Lease {
    uint32_t ip = 0;     // host order
    uint32_t scope = 0;  // index into Config::dhcp.scopes
    ClientKey client;
    net::MacAddr hw;       // chaddr of the last message
    std::string hostname;  // option 12 / 81 / reservation hostname as known, may be empty
    LeaseState state = LeaseState::Offered;
    int64_t start = 0;                // Unix seconds of the last grant or renewal
    int64_t expires = 0;              // Unix seconds
    uint64_t generation = 0;          // bumped on every change; expiry events carry it
    int32_t reservation = -1;         // index into the scope's reservations, -1 = dynamic
    std::vector<uint8_t> circuit_id;  // option 82 as last seen, for operators
    std::vector<uint8_t> remote_id;
    bool no_dns = false;  // option 81 with N set: the client asked for no DNS updates
};

}  // namespace edgelease::control::dhcp
