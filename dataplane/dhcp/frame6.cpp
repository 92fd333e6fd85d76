#include "dataplane/dhcp/frame6.hpp"

#include <algorithm>
#include <cstring>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"
#include "dataplane/wire/ether.hpp"
#include "dataplane/wire/ip.hpp"
#include "dataplane/wire/udp_writer.hpp"

namespace edgelease::dataplane::dhcp {

namespace {

using wire::Cursor;
using wire::load_be16;
using wire::load_be32;
namespace d6 = wire::dhcp6;
namespace opt = wire::dhcp6::opt;

static_assert(d6::kServerPort == kServerPort6 && d6::kClientPort == kClientPort6);
static_assert(d6::duid::kMaxLen == kMaxDuid);
static_assert(d6::kHopCountLimit == kMaxRelays);
static_assert(kMaxRelayBytes <= UINT16_MAX && kMaxFqdn6 <= UINT8_MAX && kMaxOro <= UINT8_MAX);

// ---- parsing ----------------------------------------------------------------------------

/// One option: its code and value. A walk yields them in order and fails (OptionOverrun) when
/// an option header or value does not fit in what is left of its area (RFC 9915 §21.1).
struct Option {
    uint16_t code = 0;
    uint16_t len = 0;
    const uint8_t* v = nullptr;
};

/// Next option of area `c`; false at the end of the area or, with `err` set, on an overrun.
bool next_option(Cursor& c, Option& o, Parse6Error& err) noexcept {
    if (c.remaining() == 0) return false;
    if (c.remaining() < d6::kOptionHeaderLen) {
        err = Parse6Error::OptionOverrun;
        return false;
    }
    o.code = c.u16();
    o.len = c.u16();
    o.v = c.bytes(o.len);
    if (!c.ok()) {
        err = Parse6Error::OptionOverrun;
        return false;
    }
    return true;
}

/// Options that may appear once in their message (RFC 9915 §21: "only one ... in a message"
/// for each of these), one bit each. A second instance is BadOption.
class Once {
  public:
    /// True the first time `bit` is seen.
    bool first(uint32_t bit) noexcept {
        const bool was = (seen_ & bit) != 0;
        seen_ |= bit;
        return !was;
    }
    bool has(uint32_t bit) const noexcept { return (seen_ & bit) != 0; }

  private:
    uint32_t seen_ = 0;
};
// Client message options.
constexpr uint32_t kSeenClientId = 1u << 0;
constexpr uint32_t kSeenServerId = 1u << 1;
constexpr uint32_t kSeenOro = 1u << 2;
constexpr uint32_t kSeenElapsed = 1u << 3;
constexpr uint32_t kSeenRapidCommit = 1u << 4;
constexpr uint32_t kSeenReconfAccept = 1u << 5;
constexpr uint32_t kSeenFqdn = 1u << 6;
// Relay-Forward options, per level.
constexpr uint32_t kSeenRelayMsg = 1u << 0;
constexpr uint32_t kSeenInterfaceId = 1u << 1;
constexpr uint32_t kSeenRemoteId = 1u << 2;
constexpr uint32_t kSeenSubscriberId = 1u << 3;
constexpr uint32_t kSeenClientLl = 1u << 4;
constexpr uint32_t kSeenSourcePort = 1u << 5;

/// What the relay walk carries to its end: where in the datagram the innermost remote-id
/// and subscriber-id are, copied into relay_bytes once the whole chain is known.
struct RelayIds {
    const uint8_t* remote = nullptr;
    uint16_t remote_len = 0;
    const uint8_t* subscriber = nullptr;
    uint16_t subscriber_len = 0;
};

/// Appends v[0..n) to relay_bytes; sets off to where it went. False when it does not fit.
bool keep_relay_bytes(Dhcp6Request& out, const uint8_t* v, uint16_t n, uint16_t& off) noexcept {
    if (n > kMaxRelayBytes - out.relay_bytes_len) return false;
    off = out.relay_bytes_len;
    if (n != 0) std::memcpy(out.relay_bytes + off, v, n);
    out.relay_bytes_len = static_cast<uint16_t>(off + n);
    return true;
}

/// The options of one Relay-Forward level (RFC 9915 §9, §21.10, §21.18; RFC 4649, RFC 4580,
/// RFC 6939, RFC 8357). `inner`/`inner_len` receive the Relay Message option's value.
Parse6Error walk_relay(Cursor c, bool outermost, RelayHop& hop, RelayIds& ids, Dhcp6Request& out,
                       const uint8_t*& inner, uint16_t& inner_len) noexcept {
    Once once;
    Option o;
    Parse6Error err = Parse6Error::None;
    while (next_option(c, o, err)) {
        switch (o.code) {
            case opt::kRelayMsg:
                if (!once.first(kSeenRelayMsg)) return Parse6Error::BadOption;
                inner = o.v;
                inner_len = o.len;
                break;
            case opt::kInterfaceId:  // opaque, echoed in the Relay-Reply (§21.18)
                if (!once.first(kSeenInterfaceId)) return Parse6Error::BadOption;
                if (!keep_relay_bytes(out, o.v, o.len, hop.interface_id_off))
                    return Parse6Error::RelayOptionsTooLong;
                hop.has_interface_id = true;
                hop.interface_id_len = o.len;
                break;
            case opt::kRemoteId:  // enterprise number, then the id (RFC 4649 §3)
                if (!once.first(kSeenRemoteId) || o.len < opt::kRemoteIdEnterpriseLen)
                    return Parse6Error::BadOption;
                ids.remote = o.v;
                ids.remote_len = o.len;
                break;
            case opt::kSubscriberId:  // RFC 4580 §2: an empty identity names no one
                if (!once.first(kSeenSubscriberId) || o.len == 0) return Parse6Error::BadOption;
                ids.subscriber = o.v;
                ids.subscriber_len = o.len;
                break;
            case opt::kClientLinkLayer: {  // hardware type, then the address (RFC 6939 §4)
                if (!once.first(kSeenClientLl) || o.len <= opt::kLinkLayerTypeLen)
                    return Parse6Error::BadOption;
                const uint16_t type = load_be16(o.v);
                const size_t alen = o.len - opt::kLinkLayerTypeLen;
                const bool ethernet = type == d6::kHwTypeEthernet;
                if (ethernet && alen != out.client_ll.bytes.size()) return Parse6Error::BadOption;
                out.has_client_ll = true;
                out.client_ll_type = type;
                out.client_ll = {};
                if (ethernet)
                    std::memcpy(out.client_ll.bytes.data(), o.v + opt::kLinkLayerTypeLen, alen);
                break;
            }
            case opt::kRelaySourcePort:  // RFC 8357 §5: the downstream source port
                if (!once.first(kSeenSourcePort) || o.len != opt::kRelaySourcePortLen)
                    return Parse6Error::BadOption;
                if (outermost) out.relay_source_port = true;
                break;
            default:
                break;
        }
    }
    if (err != Parse6Error::None) return err;
    if (!once.has(kSeenRelayMsg)) return Parse6Error::NoRelayMessage;
    return Parse6Error::None;
}

/// IA_NA (§21.4) or IA_PD (§21.21) with its IAADDR (§21.6) or IAPREFIX (§21.22) options.
Parse6Error on_ia(const Option& o, Dhcp6Request& out) noexcept {
    const bool pd = o.code == opt::kIaPd;
    static_assert(opt::kIaNaFixedLen == opt::kIaPdFixedLen);
    if (o.len < opt::kIaNaFixedLen) return Parse6Error::BadOption;
    Cursor c(o.v, o.len);
    Ia6* ia = nullptr;
    if (out.ia_count < kMaxIas) {
        ia = &out.ias[out.ia_count++];
        ia->type = o.code;
        ia->iaid = c.u32();
        ia->t1 = c.u32();
        ia->t2 = c.u32();
        ia->hint_count = 0;
    } else {
        out.ias_truncated = true;  // still checked below, not kept
        c.skip(opt::kIaNaFixedLen);
    }
    Option s;
    Parse6Error err = Parse6Error::None;
    while (next_option(c, s, err)) {
        const bool addr = !pd && s.code == opt::kIaAddr;
        const bool prefix = pd && s.code == opt::kIaPrefix;
        if (!addr && !prefix) continue;  // status codes and the like: not the client's to set
        Ia6::Hint h;
        Cursor f(s.v, s.len);
        if (addr) {
            if (s.len < opt::kIaAddrFixedLen) return Parse6Error::BadOption;
            std::memcpy(h.addr.bytes.data(), f.bytes(h.addr.bytes.size()), h.addr.bytes.size());
            h.prefix_len = opt::kMaxPrefixLen;
            h.preferred = f.u32();
            h.valid = f.u32();
        } else {
            if (s.len < opt::kIaPrefixFixedLen) return Parse6Error::BadOption;
            h.preferred = f.u32();
            h.valid = f.u32();
            h.prefix_len = f.u8();
            if (h.prefix_len > opt::kMaxPrefixLen) return Parse6Error::BadOption;
            std::memcpy(h.addr.bytes.data(), f.bytes(h.addr.bytes.size()), h.addr.bytes.size());
        }
        if (ia != nullptr && ia->hint_count < kMaxIaHints) ia->hints[ia->hint_count++] = h;
    }
    return err;
}

/// A DUID option (§21.2, §21.3): 1..kMaxDuid bytes, copied whole.
Parse6Error on_duid(const Option& o, uint8_t* to, uint8_t& to_len) noexcept {
    if (o.len == 0) return Parse6Error::BadOption;
    if (o.len > kMaxDuid) return Parse6Error::DuidTooLong;
    std::memcpy(to, o.v, o.len);
    to_len = static_cast<uint8_t>(o.len);
    return Parse6Error::None;
}

/// The options of the client message (§21).
Parse6Error walk_client(Cursor c, Once& once, Dhcp6Request& out) noexcept {
    Option o;
    Parse6Error err = Parse6Error::None;
    while (next_option(c, o, err)) {
        Parse6Error e = Parse6Error::None;
        switch (o.code) {
            case opt::kClientId:
                if (!once.first(kSeenClientId)) return Parse6Error::BadOption;
                e = on_duid(o, out.client_id, out.client_id_len);
                break;
            case opt::kServerId:
                if (!once.first(kSeenServerId)) return Parse6Error::BadOption;
                e = on_duid(o, out.server_id, out.server_id_len);
                break;
            case opt::kIaNa:
            case opt::kIaPd:
                e = on_ia(o, out);
                break;
            case opt::kOro: {  // §21.7: a list of 2-byte codes
                if (!once.first(kSeenOro) || o.len % 2 != 0) return Parse6Error::BadOption;
                const size_t n = std::min<size_t>(o.len / 2, kMaxOro);
                for (size_t i = 0; i < n; ++i) out.oro[i] = load_be16(o.v + 2 * i);
                out.oro_len = static_cast<uint8_t>(n);
                break;
            }
            case opt::kElapsedTime:  // §21.9
                if (!once.first(kSeenElapsed) || o.len != opt::kElapsedTimeLen)
                    return Parse6Error::BadOption;
                out.has_elapsed = true;
                out.elapsed = load_be16(o.v);
                break;
            case opt::kRapidCommit:  // §21.14
                if (!once.first(kSeenRapidCommit) || o.len != 0) return Parse6Error::BadOption;
                out.rapid_commit = true;
                break;
            case opt::kReconfigureAccept:  // §21.20
                if (!once.first(kSeenReconfAccept) || o.len != 0) return Parse6Error::BadOption;
                out.reconfigure_accept = true;
                break;
            case opt::kClientFqdn: {  // RFC 4704 §4.1: flags, then the (partial) name
                if (!once.first(kSeenFqdn) || o.len < 1 || o.len - 1u > kMaxFqdn6)
                    return Parse6Error::BadOption;
                const auto name_len = static_cast<uint8_t>(o.len - 1);
                if (!wire::dns::partial_wire_name_ok(o.v + 1, name_len))
                    return Parse6Error::BadOption;
                out.has_fqdn = true;
                out.fqdn_flags = o.v[0];
                out.fqdn_len = name_len;
                if (name_len != 0) std::memcpy(out.fqdn, o.v + 1, name_len);
                break;
            }
            default:
                break;  // not needed by the lease engine
        }
        if (e != Parse6Error::None) return e;
    }
    return err;
}

/// §16: what each client message must and must not carry besides a well-formed body.
Parse6Error validate(Msg6Type t, const Once& once) noexcept {
    if (t == Msg6Type::InformationRequest) return Parse6Error::None;  // §16.12: either way
    if (!once.has(kSeenClientId)) return Parse6Error::NoClientId;
    const bool server_id = once.has(kSeenServerId);
    switch (t) {
        case Msg6Type::Request:  // §16.4, §16.6, §16.8, §16.10
        case Msg6Type::Renew:
        case Msg6Type::Decline:
        case Msg6Type::Release:
            return server_id ? Parse6Error::None : Parse6Error::NoServerId;
        default:  // Solicit §16.2, Confirm §16.5, Rebind §16.7
            return server_id ? Parse6Error::UnexpectedServerId : Parse6Error::None;
    }
}

void reset(Dhcp6Request& out) noexcept {
    out.msg_type = Msg6Type::None;
    out.xid = 0;
    out.relay_count = 0;
    out.relay_source_port = false;
    out.remote_id_off = out.remote_id_len = 0;
    out.subscriber_id_off = out.subscriber_id_len = 0;
    out.has_client_ll = false;
    out.client_ll_type = 0;
    out.client_ll = {};
    out.relay_bytes_len = 0;
    out.client_id_len = 0;
    out.server_id_len = 0;
    out.ia_count = 0;
    out.ias_truncated = false;
    out.rapid_commit = false;
    out.has_elapsed = false;
    out.elapsed = 0;
    out.reconfigure_accept = false;
    out.oro_len = 0;
    out.has_fqdn = false;
    out.fqdn_flags = 0;
    out.fqdn_len = 0;
}

}  // namespace

Parse6Error parse_request6(const uint8_t* p, uint16_t len, Dhcp6Request& out) noexcept {
    reset(out);
    const uint8_t* msg = p;
    uint16_t n = len;
    RelayIds ids;
    // §9, §19.1.1: unwrap the Relay-Forward levels, outermost first. Each turn moves `msg`
    // strictly inside the previous one and there are at most kMaxRelays turns.
    while (n != 0 && msg[0] == static_cast<uint8_t>(Msg6Type::RelayForward)) {
        if (out.relay_count == kMaxRelays) return Parse6Error::TooManyRelays;
        if (n < d6::kRelayHeaderLen) return Parse6Error::Truncated;
        RelayHop& hop = out.relays[out.relay_count++];
        hop.hop_count = msg[d6::kHopCountOff];
        if (hop.hop_count > d6::kHopCountLimit) return Parse6Error::TooManyRelays;
        std::memcpy(hop.link_addr.bytes.data(), msg + d6::kLinkAddrOff, hop.link_addr.bytes.size());
        std::memcpy(hop.peer_addr.bytes.data(), msg + d6::kPeerAddrOff, hop.peer_addr.bytes.size());
        hop.has_interface_id = false;
        hop.interface_id_off = hop.interface_id_len = 0;
        const uint8_t* inner = nullptr;
        uint16_t inner_len = 0;
        const Parse6Error e = walk_relay(Cursor(msg + d6::kRelayHeaderLen, n - d6::kRelayHeaderLen),
                                         out.relay_count == 1, hop, ids, out, inner, inner_len);
        if (e != Parse6Error::None) return e;
        msg = inner;
        n = inner_len;
    }

    // §8: the client message.
    if (n < d6::kClientHeaderLen) return Parse6Error::Truncated;
    const auto type = static_cast<Msg6Type>(msg[d6::kMsgTypeOff]);
    if (!is_client_message6(type)) return Parse6Error::NotClientMessage;
    out.msg_type = type;
    out.xid = load_be32(msg) & 0x00ffffffu;
    Once once;
    Parse6Error e =
        walk_client(Cursor(msg + d6::kClientHeaderLen, n - d6::kClientHeaderLen), once, out);
    if (e != Parse6Error::None) return e;
    e = validate(out.msg_type, once);
    if (e != Parse6Error::None) return e;

    // The innermost remote-id and subscriber-id, after every interface-id.
    if (ids.remote != nullptr &&
        !keep_relay_bytes(out, ids.remote, ids.remote_len, out.remote_id_off))
        return Parse6Error::RelayOptionsTooLong;
    out.remote_id_len = ids.remote_len;
    if (ids.subscriber != nullptr &&
        !keep_relay_bytes(out, ids.subscriber, ids.subscriber_len, out.subscriber_id_off))
        return Parse6Error::RelayOptionsTooLong;
    out.subscriber_id_len = ids.subscriber_len;
    return Parse6Error::None;
}

// ---- build_reply_frame6 -----------------------------------------------------------------

uint16_t build_reply_frame6(const net::MacAddr& port_mac, const Dhcp6Reply& r, uint8_t* buf,
                            uint16_t cap, const net::Ipv6Addr* src_if_unspecified) noexcept {
    namespace eth = wire::eth;
    namespace vlan = wire::vlan;
    namespace ipv6 = wire::ipv6;
    namespace udp = wire::udp;
    if (r.len > kMaxPayload6 || r.path.vlan_count > vlan::kMaxTags) return 0;
    const net::Ipv6Addr* src = &r.src_ip;
    if (r.src_ip == net::Ipv6Addr{}) {
        if (src_if_unspecified == nullptr || *src_if_unspecified == net::Ipv6Addr{}) return 0;
        src = src_if_unspecified;
    }
    const size_t l2 = eth::kHeaderLen + vlan::kTagLen * r.path.vlan_count;
    const size_t total = l2 + ipv6::kHeaderLen + udp::kHeaderLen + r.len;
    if (total > cap) return 0;

    uint8_t* ip = buf + wire::write_ether_header(buf, r.dst_mac.bytes.data(), port_mac.bytes.data(),
                                                 r.path.vlan_tpid, r.path.vlan_tci,
                                                 r.path.vlan_count, eth::kTypeIpv6);
    std::memcpy(ip + ipv6::kHeaderLen + udp::kHeaderLen, r.payload, r.len);
    wire::write_ipv6_udp(ip, src->bytes.data(), r.dst_ip.bytes.data(), d6::kServerPort, r.dst_port,
                         r.len);
    return static_cast<uint16_t>(total);
}

}  // namespace edgelease::dataplane::dhcp
