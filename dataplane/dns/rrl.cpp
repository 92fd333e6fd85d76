#include "dataplane/dns/rrl.hpp"

#include <cstring>

#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"

namespace edgelease::dataplane::dns {

namespace {

namespace wdns = wire::dns;

uint64_t top_bits(const uint8_t* a, size_t octets, unsigned bits) {
    uint64_t v = 0;
    for (size_t i = 0; i < octets && i < 8; ++i) v = v << 8 | a[i];
    const unsigned have = static_cast<unsigned>(octets < 8 ? octets : 8) * 8;
    return bits >= have ? v : v >> (have - bits);
}

bool in_prefix(const net::IfAddress& p, bool v6, const uint8_t* src) {
    if (p.is_v6 != v6) return false;
    const uint8_t* want = v6 ? p.v6.bytes.data() : nullptr;
    uint8_t v4[4];
    if (!v6) {
        const uint32_t a = p.v4.value;
        v4[0] = static_cast<uint8_t>(a >> 24);
        v4[1] = static_cast<uint8_t>(a >> 16);
        v4[2] = static_cast<uint8_t>(a >> 8);
        v4[3] = static_cast<uint8_t>(a);
        want = v4;
    }
    const unsigned full = p.prefix_len / 8, rest = p.prefix_len % 8;
    if (std::memcmp(src, want, full) != 0) return false;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (src[full] & mask) == (want[full] & mask);
}

}  // namespace

RrlTable::RrlTable(RrlSettings settings) : s_(std::move(settings)), entries_(kEntries) {
    key_ = random_sip_key();
    if (s_.ipv6_prefix > 56) s_.ipv6_prefix = 56;
}

bool RrlTable::exempt(bool v6, const uint8_t* src) const noexcept {
    for (const auto& p : s_.exempt)
        if (in_prefix(p, v6, src)) return true;
    return false;
}

RrlTable::Action RrlTable::check(bool v6, const uint8_t* src, RrlClass cls,
                                 uint32_t now_s) noexcept {
    // prefix | family | class: never 0 (the class is at least 1).
    const uint64_t prefix =
        v6 ? top_bits(src, 16, s_.ipv6_prefix) : top_bits(src, 4, s_.ipv4_prefix);
    const uint64_t key = prefix << 8 | (v6 ? 0x80u : 0u) | static_cast<uint8_t>(cls);
    uint8_t kb[8];
    std::memcpy(kb, &key, 8);
    Entry& e = entries_[siphash<1, 3>(key_, kb, 8) & (kEntries - 1)];
    if (e.key != key) e = Entry{key, now_s, 0, 0, 0};
    if (e.second != now_s) {
        e.second = now_s;
        e.count = 0;
    }
    if (++e.count <= s_.rate) return Action::Send;
    if (!s_.exempt.empty() && exempt(v6, src)) return Action::Exempt;
    ++e.limited;
    return s_.slip != 0 && e.limited % s_.slip == 0 ? Action::Slip : Action::Drop;
}

RrlClass rrl_class(const uint8_t* msg, uint16_t len) noexcept {
    const uint16_t flags = wire::load_be16(msg + wdns::hdr::kFlagsOff);
    const uint16_t rcode = flags & wdns::flag::kRcodeMask;
    if (rcode == wdns::rcode::kNxDomain) return RrlClass::NxDomain;
    if (rcode != wdns::rcode::kNoError) return RrlClass::Error;
    if (wire::load_be16(msg + wdns::hdr::kAnCountOff) != 0)
        return len > RrlTable::kLargeAnswer ? RrlClass::Large : RrlClass::Answer;
    return (flags & wdns::flag::kAa) != 0 ? RrlClass::NoData : RrlClass::Referral;
}

uint16_t truncate_answer(uint8_t* msg, uint16_t len) noexcept {
    if (len < wdns::kHeaderSize) return len;
    size_t at = wdns::kHeaderSize;
    if (wire::load_be16(msg + wdns::hdr::kQdCountOff) == 1) {
        // Our own answer: the question's name is written whole (no pointer).
        while (at < len && msg[at] != 0) {
            if ((msg[at] & 0xc0) != 0) return len;
            at += msg[at] + 1u;
        }
        at += 1 + 4;
        if (at > len) return len;
    }
    msg[2] |= static_cast<uint8_t>(wdns::flag::kTc >> 8);
    std::memset(msg + wdns::hdr::kAnCountOff, 0, 6);
    return static_cast<uint16_t>(at);
}

}  // namespace edgelease::dataplane::dns
