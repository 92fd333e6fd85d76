// libFuzzer target: a DNS over TCP byte stream (RFC 7766 framing) cut into reads of sizes
// the input chooses, through control::dnstcp::Deframer, every message it yields answered as
// the TCP server answers (stream settings, no zones: the answer engine has its own target).
// Input: byte 0 picks the read size (1..256), the rest is the stream.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "control/dnstcp/framing.hpp"
#include "dataplane/dns/answer.hpp"

using edgelease::control::dnstcp::Deframer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t chunk = size_t{data[0]} + 1;
    const uint8_t* p = data + 1;
    size_t left = size - 1;
    Deframer d;
    edgelease::dataplane::dns::DnsSettings settings;
    settings.stream = true;
    settings.keepalive_100ms = 100;
    edgelease::dataplane::dns::DnsStats stats{};
    size_t taken = 0;  // octets of framed messages returned
    for (;;) {
        std::span<const uint8_t> msg;
        Deframer::Next next;
        while ((next = d.next(msg)) == Deframer::Next::Message) {
            if (msg.size() < Deframer::kMinMessage || msg.size() > Deframer::kMaxMessage)
                std::abort();
            taken += 2 + msg.size();
            std::vector<uint8_t> buf(msg.begin(), msg.end());
            buf.resize(Deframer::kMaxMessage);
            const uint16_t out = edgelease::dataplane::dns::answer_query(
                nullptr, settings, buf.data(), static_cast<uint16_t>(msg.size()),
                static_cast<uint16_t>(buf.size()), stats);
            if (out > buf.size()) std::abort();
        }
        if (next == Deframer::Next::Bad || left == 0) break;
        auto sp = d.space();
        if (sp.empty()) std::abort();  // nothing was left to take, so there must be room
        const size_t n = std::min<size_t>({chunk, left, sp.size()});
        std::memcpy(sp.data(), p, n);
        d.commit(n);
        p += n;
        left -= n;
        if (d.capacity() > Deframer::kMaxBuffered) std::abort();
    }
    if (taken + d.buffered() != size - 1 - left) std::abort();  // no octet lost or made up
    return 0;
}
