#pragma once
// DHCPv4 reply encoding on the control lcore: the scope's reply options (OptionSet) and the
// BOOTP message the lease engine's decision becomes (encode_reply). The worker puts the
// encoded payload in a frame (dataplane/dhcp/frame.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/dhcp/messages.hpp"
#include "dataplane/wire/dhcp.hpp"

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

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

}  // namespace edgelease::control::dhcp
