#pragma once
// Encoding of DHCPv6 answers (RFC 9915 §21) on the control lcore: the Advertise or Reply, its
// IAs and options, wrapped in one Relay-Reply per Relay-Forward level (§19.3), and where the
// datagram goes. Internal to control/dhcp: Engine6 writes through it, one message at a time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/lease6.hpp"
#include "dataplane/dhcp/messages6.hpp"

namespace edgelease::control::dhcp {

struct Result6;

namespace wire6 {
// Status codes (RFC 9915 §21.13).
inline constexpr uint16_t kSuccess = 0;
inline constexpr uint16_t kUnspecFail = 1;
inline constexpr uint16_t kNoAddrsAvail = 2;
inline constexpr uint16_t kNoBinding = 3;
inline constexpr uint16_t kNotOnLink = 4;
inline constexpr uint16_t kNoPrefixAvail = 6;
}  // namespace wire6

class ReplyWriter6 {
  public:
    /// Starts a client message of `type` answering `req`: transaction id, Client Identifier
    /// (echoed) and our Server Identifier. Room is left in front for the relay wrapping.
    void begin(const Dhcp6Request& req, Msg6Type type, const std::vector<uint8_t>& server_duid);
    void rapid_commit();
    /// A Status Code option, in the IA when one is open, else in the message.
    void status(uint16_t code, const char* text);
    void begin_ia(const Ia6& ia, uint32_t t1, uint32_t t2);
    /// An IAADDR (key kind Na) or IAPREFIX (kind Pd) in the open IA.
    void lease(const Lease6Key& k, uint32_t preferred, uint32_t valid);
    void end_ia();
    /// DNS servers (23) and the domain search list (24) when the client asked for them (ORO).
    void options(const Dhcp6Request& req, const config::Scope6Config& sc);
    /// The Client FQDN answer (RFC 4704 §4.2): S when we update the AAAA, O when that
    /// overrides the client, N when it asked for no update; the name we use, if any.
    void fix_fqdn_flags(uint8_t& flags, bool update) const;
    void fqdn(const Dhcp6Request& req, std::string_view host, std::string_view domain, bool update);
    /// Wraps the message for the relays and sets out.reply (has_reply), or leaves has_reply
    /// false when it did not fit kMaxPayload6.
    void finish(const Dhcp6Request& req, Result6& out);

  private:
    void u8(uint8_t v);
    void u16(uint16_t v);
    void u32(uint32_t v);
    void bytes(const void* p, size_t n);
    /// "lan." in wire form (labels of at most 63 bytes; the root label when `root`).
    void name(std::string_view text, bool root);
    size_t open(uint16_t code);
    void close(size_t at);

    uint8_t buf_[kMaxPayload6];
    size_t start_ = 0;  // where the client message begins (after the relay headers)
    size_t pos_ = 0;
    size_t ia_at_ = SIZE_MAX;  // the open IA option's header, SIZE_MAX when none
    bool ok_ = true;
};

}  // namespace edgelease::control::dhcp
