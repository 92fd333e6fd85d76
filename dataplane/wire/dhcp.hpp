#pragma once
// DHCPv4 wire codec (RFC 2131, RFC 2132, RFC 3046, RFC 3527, RFC 4702). parse_request runs on
// worker lcores: noexcept, no allocation, bounds-checked. The encoder runs on the control
// lcore. Both work on plain byte buffers.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/net.hpp"
#include "dataplane/dhcp/messages.hpp"

namespace edgelease::dataplane::wire::dhcp {

using edgelease::dhcp::DhcpReply;
using edgelease::dhcp::DhcpRequest;
using edgelease::dhcp::MsgType;

inline constexpr uint32_t kMagicCookie = 0x63825363;
inline constexpr uint16_t kBootpFixed = 236;  // op..file, before the magic cookie
/// Fixed header plus cookie: where the options field starts.
inline constexpr uint16_t kOptionsOff = kBootpFixed + 4;
/// RFC 2131 §2: every host takes 576-byte datagrams; smaller option 57 values are ignored.
inline constexpr uint16_t kMinMaxMsgSize = 576;
/// RFC 1542 §3.3: BOOTP messages are padded to at least this many bytes.
inline constexpr uint16_t kMinReply = 300;

/// Offsets in the BOOTP fixed header (RFC 2131 §2, figure 1).
namespace bootp {
inline constexpr size_t kOpOff = 0;
inline constexpr size_t kHtypeOff = 1;
inline constexpr size_t kHlenOff = 2;
inline constexpr size_t kHopsOff = 3;
inline constexpr size_t kXidOff = 4;
inline constexpr size_t kSecsOff = 8;
inline constexpr size_t kFlagsOff = 10;
inline constexpr size_t kCiaddrOff = 12;
inline constexpr size_t kYiaddrOff = 16;
inline constexpr size_t kSiaddrOff = 20;
inline constexpr size_t kGiaddrOff = 24;
inline constexpr size_t kChaddrOff = 28;
inline constexpr size_t kChaddrLen = 16;
inline constexpr size_t kSnameOff = 44;
inline constexpr size_t kSnameLen = 64;
inline constexpr size_t kFileOff = 108;
inline constexpr size_t kFileLen = 128;
inline constexpr size_t kCookieOff = 236;
inline constexpr uint8_t kBootRequest = 1;
inline constexpr uint8_t kBootReply = 2;
inline constexpr uint8_t kHtypeEthernet = 1;
inline constexpr uint8_t kHlenEthernet = 6;
inline constexpr uint16_t kFlagBroadcast = 0x8000;
}  // namespace bootp

/// Option codes this codec knows (RFC 2132 unless noted).
namespace opt {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouters = 3;
inline constexpr uint8_t kDnsServers = 6;
inline constexpr uint8_t kHostname = 12;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParamRequest = 55;
inline constexpr uint8_t kMessage = 56;
inline constexpr uint8_t kMaxMsgSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kClientFqdn = 81;  // RFC 4702
inline constexpr uint8_t kRelayInfo = 82;   // RFC 3046
inline constexpr uint8_t kEnd = 255;

/// Option 52 values (RFC 2132 §9.3).
inline constexpr uint8_t kOverloadFile = 1;
inline constexpr uint8_t kOverloadSname = 2;

/// Option 81 flags (RFC 4702 §2.1).
inline constexpr uint8_t kFqdnS = 0x01;  // server should do the A update
inline constexpr uint8_t kFqdnO = 0x02;  // server overrode S (server to client only)
inline constexpr uint8_t kFqdnE = 0x04;  // name in canonical wire format, else ASCII
inline constexpr uint8_t kFqdnN = 0x08;  // server should do no updates

/// Option 82 sub-options (RFC 3046 §2.0, RFC 3527 §3).
inline constexpr uint8_t kRelayCircuitId = 1;
inline constexpr uint8_t kRelayRemoteId = 2;
inline constexpr uint8_t kRelayLinkSelection = 5;
}  // namespace opt

/// Why a datagram to port 67 was not handed to the control plane.
enum class ParseError : uint8_t {
    None,
    Truncated,        // shorter than the fixed header + cookie
    NotRequest,       // op != BOOTREQUEST (1)
    BadHardware,      // htype != 1 (Ethernet) or hlen != 6
    NoCookie,         // magic cookie missing: plain BOOTP, not served
    OptionOverrun,    // an option runs past the end of its area, or no END where required
    BadOption,        // an option with a length its definition forbids (e.g. option 50 of 3 bytes)
    NoMessageType,    // option 53 missing
    BadMessageType,   // option 53 not 1..8, or a server-to-client type
    ClientIdTooLong,  // option 61 longer than kMaxClientId
};

/// Parses the UDP payload of a datagram sent to port 67 into `out` (all fields but `path`,
/// which the caller fills). Honours option overload (52) into `file` and `sname`, and
/// concatenates split options (RFC 3396) for 12, 55, 61, 81, 82.
/// Reads only p[0..len); writes only `out`. On an error `out` is partly filled and must not
/// be used. On success:
/// - the options field may lack END (the datagram's end closes it); `file` and `sname`, when
///   overloaded, must each hold an END (RFC 2131 §4.1).
/// - a fixed-size option (50, 51, 52, 53, 54, 57) with a wrong length, or appearing twice
///   (RFC 3396 would join the parts into a wrong length), is BadOption.
/// - 55 keeps its first kMaxPrl codes; 12 is cut to kMaxHostname bytes; 61 of 0 or 1 byte
///   is BadOption (RFC 2132 §9.14: at least 2); 82 over kMaxRelayInfo bytes is BadOption.
/// - 81: fewer than 3 bytes, or a name over kMaxFqdn bytes, is BadOption. With the E flag,
///   fqdn[] is checked to be labels of 1..63 bytes, optionally closed by the root label
///   (RFC 4702 §2.3 allows a partial name), no compression; without E it is raw ASCII,
///   unchecked.
/// - 82: sub-options must exactly fill the payload, and sub-option 5 be 4 bytes, else
///   BadOption. The first instance of sub-options 1 and 2 is indexed.
ParseError parse_request(const uint8_t* p, uint16_t len, DhcpRequest& out) noexcept;

/// Reply options as TLVs in a fixed buffer, indexed by code. Control plane.
class OptionSet {
  public:
    OptionSet() noexcept = default;
    /// Copies only the bytes in use (a scope's options are copied for every reply).
    OptionSet(const OptionSet& o) noexcept { *this = o; }
    OptionSet& operator=(const OptionSet& o) noexcept {
        if (this == &o) return *this;
        used_ = o.used_;
        std::memcpy(buf_.data(), o.buf_.data(), used_);
        offset_ = o.offset_;
        always_ = o.always_;
        return *this;
    }

    /// Sets (or replaces) option `code`. `always`: send it even when the client did not ask
    /// (option 55). False when it does not fit (total 1200 bytes), code is 0/255 or len > 255
    /// (no RFC 3396 splitting on output); then the set is unchanged. `data` may point into
    /// this set.
    bool set(uint8_t code, const uint8_t* data, size_t len, bool always = false);
    bool set_u32(uint8_t code, uint32_t v, bool always = false);
    bool set_addr(uint8_t code, uint32_t addr, bool always = false);
    /// Host-order addresses, 4 bytes each; false when empty or more than 63.
    bool set_addrs(uint8_t code, const std::vector<uint32_t>& addrs, bool always = false);
    void erase(uint8_t code);
    bool has(uint8_t code) const { return offset_[code] != 0; }
    /// Pointer to the value and its length; nullptr when absent.
    const uint8_t* get(uint8_t code, uint8_t& len) const;
    bool always(uint8_t code) const { return (always_[code >> 6] >> (code & 63)) & 1u; }
    /// Calls f(code) for every `always` option and for `also` (if set), in ascending code.
    template <class F>
    void for_each_always(uint8_t also, F&& f) const {
        for (unsigned w = 0; w < always_.size(); ++w) {
            uint64_t bits = always_[w];
            if ((also >> 6) == w && has(also)) bits |= uint64_t{1} << (also & 63);
            while (bits != 0) {
                f(static_cast<uint8_t>(w * 64 + static_cast<unsigned>(__builtin_ctzll(bits))));
                bits &= bits - 1;
            }
        }
    }
    /// Bytes of buf_ in use (2 + length per option).
    uint16_t used() const { return used_; }

  private:
    void set_always(uint8_t code, bool on) noexcept {
        const uint64_t bit = uint64_t{1} << (code & 63);
        always_[code >> 6] = on ? (always_[code >> 6] | bit) : (always_[code >> 6] & ~bit);
    }

    std::array<uint8_t, 1200> buf_;  // [0, used_) holds the TLVs; the rest is never read
    uint16_t used_ = 0;
    std::array<uint16_t, 256> offset_{};  // 1 + offset of the TLV in buf_; 0 = absent
    std::array<uint64_t, 4> always_{};    // bit per code: sent even when not asked for
};

/// The fixed part of a reply that the engine decides.
struct ReplyHeader {
    MsgType type = MsgType::Offer;
    uint32_t ciaddr = 0;  // host order; copied from the request where §4.3.1 says so
    uint32_t yiaddr = 0;
    uint32_t siaddr = 0;
    uint32_t server_id = 0;  // option 54
};

/// Encodes a reply BOOTP message into out[0..cap): op=2, htype/hlen/hops=0/xid/secs=0/flags/
/// giaddr/chaddr from the request; options in this order: 53, 54, then 51, 58, 59 (when in
/// `opts`), then every option the client listed in 55 that `opts` has, in the client's order,
/// then the other `always` options in ascending code, then 61 echoed from the request
/// (RFC 6842), then 82 echoed verbatim from the request (RFC 3046 §2.2), then END; padded
/// to 300 bytes (RFC 1542 §3.3). Stays within max(576, option 57) minus IP and UDP headers:
/// optional options that do not fit are left out. Returns the length, or 0 when even the
/// mandatory part does not fit (or cap < 300).
/// Mandatory: 53, 54, 51, 58, 59, 1 (whenever `opts` has it, asked for or not) and 82. Each
/// code is sent at most once. Codes the encoder owns are never taken from `opts`: 0, 50, 52,
/// 53, 54, 55, 57, 61, 82, 255. RFC 2131 table 3 is enforced: a NAK carries only 53, 54, 56
/// (from `opts`, asked for or not), 61, 82 and gets the broadcast flag when giaddr is set
/// (§4.3.2); an ACK to an INFORM carries no 51, 58, 59 (§4.3.5).
uint16_t encode_reply(const DhcpRequest& req, const ReplyHeader& hdr, const OptionSet& opts,
                      uint8_t* out, uint16_t cap) noexcept;

/// Builds the complete frame for a reply: Ethernet (dst = r.dst_mac, src = port_mac), the
/// request's VLAN tags, IPv4 (r.src_ip -> r.dst_ip, TTL 64, DF clear, checksum), UDP
/// (67 -> r.dst_port, checksum), payload. Returns the frame length, 0 if it exceeds cap
/// (or r.len > kMaxPayload, or more than 2 tags). A recorded TPID of 0 is sent as 0x8100.
uint16_t build_reply_frame(const net::MacAddr& port_mac, const DhcpReply& r, uint8_t* buf,
                           uint16_t cap) noexcept;

}  // namespace edgelease::dataplane::wire::dhcp
