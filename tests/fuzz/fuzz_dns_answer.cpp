// libFuzzer target: a DNS message from the wire through parse_query and answer_query, the
// latter against a fixed zone set that has every answer path (A/AAAA, CNAME chains, a
// wildcard, a delegation with glue, MX, TXT, empty non-terminals). The message is copied
// into a 1500-byte buffer (one MTU, as on a worker) so answers are written in place, and
// answered once more as the DNS over TCP server does (stream settings).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "control/zone/zone_file.hpp"
#include "dataplane/dns/answer.hpp"
#include "dataplane/dns/zone_view.hpp"
#include "dataplane/wire/dns.hpp"

namespace {

using namespace edgelease;

constexpr const char* kZoneText = R"(
$ORIGIN fuzz.
$TTL 300
@          3600 IN SOA ns.fuzz. hostmaster.fuzz. 2024010101 3600 600 1209600 120
@          3600 IN NS  ns.fuzz.
@          3600 IN NS  ns.other.test.
@               MX    10 mail
@               TXT   "v=spf1 mx -all" "second string"
ns              A     198.18.0.1
ns              AAAA  2001:db8::1
www             A     198.18.0.10
www             AAAA  2001:db8::10
mail            A     198.18.0.25
alias           CNAME www
chain           CNAME alias
loop1           CNAME loop2
loop2           CNAME loop1
ext             CNAME www.example.com.
a.b.c           A     198.18.0.30
*.wild          A     198.18.0.40
*.wild          TXT   "wild"
exists.wild     A     198.18.0.41
*.wc            CNAME www
sub             NS    ns.sub.fuzz.
sub             NS    ns.other.test.
ns.sub          A     198.18.0.53
ns.sub          AAAA  2001:db8::53
_sip._udp       SRV   10 60 5060 sip.fuzz.
)";

/// Built once, before the first input: the fuzzer exercises the query side only. Owned by a
/// static unique_ptr, destroyed at exit before LeakSanitizer's final check: LSan cannot
/// follow the view's slots to its nodes (each slot carries a hash tag in the pointer's top
/// bits), so a view that is never destroyed would look leaked.
std::unique_ptr<dataplane::dns::ZoneView>& zone_holder() {
    static std::unique_ptr<dataplane::dns::ZoneView> view;
    return view;
}

const dataplane::dns::ZoneView& zones() {
    return *zone_holder();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    dataplane::dns::ZoneInput z;
    z.name = {4, 'f', 'u', 'z', 'z', 0};
    control::zone::ZoneFileResult r =
        control::zone::parse_zone_text(kZoneText, "fuzz.zone", z.name, 3600);
    if (!r.errors.empty()) {
        for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
        std::abort();
    }
    z.records = std::move(r.records);
    zone_holder() = std::make_unique<dataplane::dns::ZoneView>(
        std::vector<dataplane::dns::ZoneInput>{std::move(z)});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr size_t kMtu = 1500;
    if (size > kMtu) return 0;
    const auto len = static_cast<uint16_t>(size);

    // The parser on its own, on an exact-size copy so ASan sees any read past the message.
    {
        std::vector<uint8_t> exact(data, data + size);
        dataplane::wire::dns::Query q;
        (void)dataplane::wire::dns::parse_query(exact.data(), len, q);
        // The worker's prefetch hint reads the same bytes as a whole frame.
        uint64_t hash = 0;
        if (dataplane::dns::qname_hash_hint(exact.data(), len, hash)) zones().prefetch_node(hash);
    }

    uint8_t buf[kMtu];
    if (size != 0) std::memcpy(buf, data, size);
    dataplane::dns::DnsStats stats{};
    dataplane::dns::DnsSettings settings;
    uint16_t out = dataplane::dns::answer_query(&zones(), settings, buf, len, kMtu, stats);
    if (out > kMtu) std::abort();  // the contract: never past cap

    // No zones at all: every query is REFUSED.
    if (size != 0) std::memcpy(buf, data, size);
    out = dataplane::dns::answer_query(nullptr, settings, buf, len, kMtu, stats);
    if (out > kMtu) std::abort();

    // As the TCP server answers: no UDP limit, edns-tcp-keepalive heeded, in a buffer as
    // large as the cap so ASan sees any write past it.
    dataplane::dns::DnsSettings stream;
    stream.stream = true;
    stream.keepalive_100ms = 100;
    std::vector<uint8_t> big(kMtu);
    if (size != 0) std::memcpy(big.data(), data, size);
    out = dataplane::dns::answer_query(&zones(), stream, big.data(), len, kMtu, stats);
    if (out > kMtu) std::abort();

    // With DNS Cookies on (a COOKIE option answered, a server cookie checked), in a buffer
    // exactly as large as the cap.
    const edgelease::SipKey secret{1, 2};
    const uint8_t ip[4] = {198, 18, 0, 2};
    dataplane::dns::CookieCheck cookie;
    cookie.secret = &secret;
    cookie.client_ip = ip;
    cookie.ip_len = 4;
    cookie.now = 1'800'000'000;
    std::vector<uint8_t> exact_cap(kMtu);
    if (size != 0) std::memcpy(exact_cap.data(), data, size);
    out = dataplane::dns::answer_query(&zones(), settings, exact_cap.data(), len, kMtu, stats,
                                       nullptr, &cookie);
    if (out > kMtu) std::abort();
    return 0;
}
