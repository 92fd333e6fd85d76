#include "tests/unit/dataplane/dns/answer_harness.hpp"

#include <map>
#include <memory>
#include <utility>

#include "common/net.hpp"
#include "config/config.hpp"
#include "control/zone/rdata_text.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_file.hpp"

namespace edgelease::dataplane::dns::answer_test {

namespace wt = dataplane::wire::dns::test;

namespace {

// ---------------------------------------------------------------------------------------
// Zone texts. Addresses follow DESIGN.md (198.18.0.0/15, 2001:db8::/32).

/// lan.: negative TTL min(3600, 120) = 120.
std::string lan_zone() {
    std::string z = R"(
$ORIGIN lan.
$TTL 300
@            3600 IN SOA ns.lan. hostmaster.lan. 2024010101 3600 600 1209600 120
@            3600 IN NS  ns.lan.
@            3600 IN NS  ns.other.test.
ns                A     198.18.0.1
www               A     198.18.0.10
www               AAAA  2001:db8::10
multi             A     198.18.0.21
multi             A     198.18.0.22
multi        60   A     198.18.0.23        ; the RRset TTL is the smallest (RFC 2181 5.2)
dup               A     198.18.0.31
dup               A     198.18.0.32
dup               A     198.18.0.31        ; a duplicate RR, not next to its twin
txt               TXT   "hello world" "second"
mail              MX    10 mx1.lan.
mail              MX    20 mx.other.test.
mx1               A     198.18.0.25
_sip._udp         SRV   10 60 5060 sip.lan.
a.b.c             A     198.18.0.30        ; b.c.lan. and c.lan. are empty non-terminals
alias             CNAME www
chain1            CNAME chain2
chain2            CNAME chain3
chain3            CNAME www
long1             CNAME long2
long2             CNAME long3
long3             CNAME long4
long4             CNAME long5
long5             CNAME long6
long6             CNAME long7
long7             CNAME www                ; 7 CNAMEs, then the A: 8 lookups
long0             CNAME long1              ; 8 CNAMEs: the A would be the 9th lookup
ext               CNAME www.other.test.
out               CNAME www.example.com.
loop1             CNAME loop2
loop2             CNAME loop1
dangling          CNAME nothere.lan.
danglingx         CNAME nothere.other.test.
tobig             CNAME big
toref             CNAME host.sub.lan.
*.wild            A     198.18.0.40
*.wild            TXT   "wild"
exists.wild       A     198.18.0.41
*.wc              CNAME www
sub               NS    ns.sub.lan.
sub               NS    ns.other.test.
ns.sub            A     198.18.0.53
ds                NS    ns.other.test.
ds                DS    \# 4 01020304
bigref            NS    ns.bigref.lan.
)";
    for (int i = 1; i <= 40; ++i) z += "big A 198.18.2." + std::to_string(i) + "\n";
    for (int i = 1; i <= 40; ++i) z += "ns.bigref A 198.18.3." + std::to_string(i) + "\n";
    // A 255-octet owner (RFC 1035 §2.3.4: the longest name there is).
    z += name_of_length(255, "lan.", 63) + " A 198.18.0.99\n";
    z += "tolong CNAME " + name_of_length(255, "lan.", 63) + "\n";
    return z;
}

/// other.test.: negative TTL min(60, 300) = 60 (the SOA TTL is the smaller).
const char* kOtherZone = R"(
$ORIGIN other.test.
@    60 IN SOA ns.other.test. admin.other.test. 7 3600 600 86400 300
@    60 IN NS  ns.other.test.
ns   60 A 198.18.1.1
www  60 A 198.18.1.10
)";

const char* kReverseZone = R"(
$ORIGIN 18.198.in-addr.arpa.
$TTL 3600
@     SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 300
@     NS  ns.lan.
12.0  PTR www.lan.
)";

/// RFC 4592 §2.2.1, with the RFC's addresses moved to 198.18.0.0/15.
const char* kRfc4592Zone = R"(
$ORIGIN example.
$TTL 3600
example.                 SOA   ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
example.                 NS    ns.example.com.
example.                 NS    ns.example.net.
*.example.               TXT   "this is a wildcard"
*.example.               MX    10 host1.example.
sub.*.example.           TXT   "this is not a wildcard"
host1.example.           A     198.18.0.1
_ssh._tcp.host1.example. SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. SRV   0 0 22 host2.example.
subdel.example.          NS    ns.example.com.
subdel.example.          NS    ns.example.net.
)";

/// lan. delegating to child.lan. and kid.deep.lan., both of which we host too.
const char* kNestedParent = R"(
$ORIGIN lan.
$TTL 300
@            3600 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 120
@            3600 NS  ns.lan.
ns                A   198.18.0.1
child             NS  ns.child.lan.
child             DS  \# 4 01020304
ns.child          A   198.18.0.60
kid.deep          NS  ns.lan.
)";
const char* kNestedWildcard = "*.lan. 300 TXT \"parent wildcard\"\n";
const char* kNestedChild = R"(
$ORIGIN child.lan.
@    600 SOA ns.child.lan. hostmaster.child.lan. 1 3600 600 1209600 60
@    600 NS  ns.child.lan.
ns   600 A   198.18.0.60
www  600 A   198.18.0.61
)";
const char* kNestedKid = R"(
$ORIGIN kid.deep.lan.
@     600 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 60
@     600 NS  ns.lan.
host  600 A   198.18.0.70
)";

WireName wire_of(const std::string& text) {
    std::string why;
    auto n = name_from_text(text, WireName{0}, why);
    if (!n) ADD_FAILURE() << text << ": " << why;
    return n.value_or(WireName{0});
}

ZoneInput parse(const std::string& origin, const std::string& text) {
    ZoneInput z;
    z.name = wire_of(origin);
    control::zone::ZoneFileResult r =
        control::zone::parse_zone_text(text, origin + "zone", z.name, 3600);
    for (const auto& e : r.errors) ADD_FAILURE() << "zone " << origin << ": " << e.to_string();
    z.records = std::move(r.records);
    return z;
}

/// [[dns.zones]] name = "gen.test." with one inline record; the SOA, NS and the name
/// server's addresses are generated by load_zones from the first interface.
std::vector<ZoneInput> generated_zones() {
    config::Config cfg;
    config::InterfaceConfig ifc;
    ifc.port = "net_tap0";
    for (const char* a : {"198.18.0.1/24", "2001:db8::1/64"}) {
        auto addr = net::parse_if_address(a);
        if (!addr)
            ADD_FAILURE() << a;
        else
            ifc.addresses.push_back(*addr);
    }
    cfg.interfaces.push_back(ifc);
    config::ZoneConfig zc;
    zc.name = "gen.test.";
    zc.default_ttl = 3600;
    config::RecordConfig rc;
    rc.name = "host";
    rc.type = "A";
    rc.data = "198.18.0.77";
    rc.ttl = 0;  // the zone default
    zc.records.push_back(rc);
    cfg.dns.zones.push_back(zc);
    control::zone::LoadedZones lz = control::zone::load_zones(cfg, 7);
    for (const auto& e : lz.errors) ADD_FAILURE() << "load_zones: " << e.to_string();
    return std::move(lz.zones);
}

std::vector<ZoneInput> build_set(const std::string& name, bool& known) {
    known = true;
    if (name == "main")
        return {parse("lan.", lan_zone()), parse("other.test.", kOtherZone),
                parse("18.198.in-addr.arpa.", kReverseZone)};
    if (name == "rfc4592") return {parse("example.", kRfc4592Zone)};
    if (name == "nested")
        return {parse("lan.", kNestedParent), parse("child.lan.", kNestedChild),
                parse("kid.deep.lan.", kNestedKid)};
    if (name == "nested_rev")  // the same zones, children listed first
        return {parse("kid.deep.lan.", kNestedKid), parse("child.lan.", kNestedChild),
                parse("lan.", kNestedParent)};
    if (name == "nested_wild")
        return {parse("lan.", std::string(kNestedParent) + kNestedWildcard),
                parse("child.lan.", kNestedChild), parse("kid.deep.lan.", kNestedKid)};
    if (name == "generated") return generated_zones();
    known = false;
    return {};
}

}  // namespace

const ZoneView* zone_set(const std::string& name) {
    static std::map<std::string, std::unique_ptr<ZoneView>> built;
    if (name == "none") return nullptr;
    auto it = built.find(name);
    if (it != built.end()) return it->second.get();
    bool known = false;
    std::vector<ZoneInput> zones = build_set(name, known);
    if (!known) {
        ADD_FAILURE() << "unknown zone set " << name;
        return nullptr;
    }
    auto view = std::make_unique<ZoneView>(zones);
    return built.emplace(name, std::move(view)).first->second.get();
}

wt::Bytes build_query(const Q& q) {
    const uint16_t flags = static_cast<uint16_t>(q.opcode << 11 | (q.opcode == 0 ? 0x0100 : 0));
    const uint16_t ar = static_cast<uint16_t>((q.edns ? 1 : 0) + (q.extra_rr ? 1 : 0));
    wt::Bytes m = wt::header(0x5a5a, flags, q.qdcount, 0, 0, ar);
    for (uint16_t i = 0; i < q.qdcount; ++i) {
        wt::Bytes question = wt::question(wt::name(q.name), q.type, q.klass);
        m.insert(m.end(), question.begin(), question.end());
    }
    if (q.extra_rr) {
        wt::Bytes r = wt::rr(wt::name("x.lan."), rrtype::A, rrclass::IN, 0, {198, 18, 0, 1});
        m.insert(m.end(), r.begin(), r.end());
    }
    if (q.edns) {
        wt::Bytes o = wt::opt(*q.edns, 0, q.version, q.do_bit);
        m.insert(m.end(), o.begin(), o.end());
    }
    return m;
}

std::string render(const wt::DecodedRr& rr) {
    return name_to_text(rr.owner) + " " + std::to_string(rr.ttl) + " " + type_to_text(rr.type) +
           " " + control::zone::rdata_to_text(rr.type, rr.rdata);
}

std::string name_of_length(size_t wire_len, const std::string& suffix, size_t label) {
    // Octets to fill before the suffix (whose wire form is its text length + 1), with labels
    // of `label` octets (each costing label + 1) and one remainder label first.
    const size_t left = wire_len - (suffix.size() + 1);
    std::vector<size_t> sizes(left / (label + 1), label);
    const size_t rem = left % (label + 1);
    if (rem == 1) {
        // A label needs 2 octets: grow one label, or split one when it is already 63 long.
        if (label < 63) {
            sizes.back() += 1;
        } else {
            sizes.back() -= 1;
            sizes.push_back(1);
        }
    } else if (rem > 1) {
        sizes.push_back(rem - 1);
    }
    std::string out;
    for (auto it = sizes.rbegin(); it != sizes.rend(); ++it) {
        for (size_t i = 0; i < *it; ++i) out += static_cast<char>('a' + (i % 26));
        out += '.';
    }
    return out + suffix;
}

std::vector<std::string> a_records(const std::string& owner, uint32_t ttl,
                                   const std::string& prefix, unsigned first, unsigned count) {
    std::vector<std::string> out;
    for (unsigned i = 0; i < count; ++i)
        out.push_back(owner + " " + std::to_string(ttl) + " A " + prefix +
                      std::to_string(first + i));
    return out;
}

}  // namespace edgelease::dataplane::dns::answer_test
