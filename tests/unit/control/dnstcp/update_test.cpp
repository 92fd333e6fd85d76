// Dynamic updates as the DNS server takes them: TSIG (RFC 8945) and allow_update decide who
// may, the answer echoes the zone and is signed with the request's key, and the server
// takes UPDATE over TCP and over UDP on loopback sockets. The control lcore is this test's
// updater thread itself (on_control runs the task where it is called).
#include "control/dnstcp/update.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rte_rcu_qsbr.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "control/dnstcp/server.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "tests/unit/control/qsbr.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::control::dnstcp {
namespace {

namespace wt = dataplane::wire::dns::test;
using wt::Bytes;

// "ddns-key", hmac-sha256, 32 octets of 0x01..0x20.
constexpr const char* kSecret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

const char* kConfig = R"([[interfaces]]
port = "p0"
[[dns.keys]]
name = "ddns-key"
algorithm = "hmac-sha256"
secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
[[dns.keys]]
name = "other-key"
algorithm = "hmac-sha512"
secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
[[dns.zones]]
name = "lan."
allow_update = ["key:ddns-key", "127.0.0.2"]
records = [ { name = "cfg", type = "A", data = "198.18.0.10" } ]
[[dns.zones]]
name = "closed."
)";

dns::WireName wname(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

tsig::Key key(const std::string& name, tsig::Algorithm alg) {
    return tsig::Key{wname(name), alg, *tsig::decode_base64(kSecret)};
}

/// An UPDATE of `zone` adding `owner` A 198.18.5.1 (or deleting the name `cfg` with `del_cfg`).
Bytes update_msg(const std::string& zone, const std::string& owner, bool del_cfg = false) {
    Bytes m = wt::header(0x5151, 5 << 11, 1, 0, 1, 0);
    Bytes z = wt::question(wt::name(zone), dns::rrtype::SOA, 1);
    m.insert(m.end(), z.begin(), z.end());
    Bytes r = del_cfg ? wt::rr(wt::name("cfg." + zone), dns::rrtype::ANY, 255, 0, {})
                      : wt::rr(wt::name(owner), dns::rrtype::A, 1, 300, Bytes{198, 18, 5, 1});
    m.insert(m.end(), r.begin(), r.end());
    return m;
}

struct Updates : ::testing::Test {
    std::shared_ptr<const config::Config> cfg;
    zone::ZoneStore zs;
    UpdateEnv env;
    UpdateStats stats;
    PerZoneStats zones;
    ClientAddress client;  // 127.0.0.1: not in allow_update by address

    void SetUp() override {
        auto r = config::load_config_string(kConfig, "u.toml");
        ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].why);
        cfg = std::make_shared<const config::Config>(*r.config);
        auto z = zone::load_zones(*cfg, 100);
        ASSERT_TRUE(z.errors.empty());
        zs.set_config(z.zones, 1000);
        env.config = [this] { return cfg; };
        env.on_control = [](std::function<void()> fn, std::chrono::milliseconds) {
            fn();
            return true;
        };
        env.zones = &zs;
        client.v4 = *net::parse_ipv4("127.0.0.1");
    }

    uint8_t rcode_of(const Bytes& a) const { return a.size() >= 4 ? a[3] & 0x0f : 0xff; }
    uint64_t outcome(UpdateOutcome o) const { return stats.outcomes[static_cast<size_t>(o)].get(); }
    const std::vector<zone::ZoneStore::Entry>* at(const std::string& n) {
        return zs.find(zone::ZoneStore::key(wname(n)));
    }
};

TEST_F(Updates, SignedWithAnAllowedKeyIsAppliedAndTheAnswerSigned) {
    Bytes m = update_msg("lan.", "host.lan.");
    const auto k = key("ddns-key.", tsig::Algorithm::HmacSha256);
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    const auto mac = tsig::sign_request(m, k, now);
    const Bytes a = handle_update(env, m, client, stats, zones);
    ASSERT_GE(a.size(), 12u);
    EXPECT_EQ(a[0] << 8 | a[1], 0x5151);
    EXPECT_EQ(a[2] & 0x80, 0x80);      // QR
    EXPECT_EQ((a[2] >> 3) & 0x0f, 5);  // opcode UPDATE
    EXPECT_EQ(rcode_of(a), 0);         // NOERROR
    EXPECT_EQ(a[5], 1);                // the zone echoed
    EXPECT_EQ(a[7] | a[9], 0);         // nothing else but
    EXPECT_EQ(a[11], 1);               // the TSIG
    EXPECT_EQ(tsig::verify_answer(a.data(), a.size(), k, mac, now), tsig::Verdict::Ok);
    ASSERT_NE(at("host.lan."), nullptr);
    EXPECT_EQ(at("host.lan.")->front().prov.origin, zone::Origin::Update);
    EXPECT_EQ(at("host.lan.")->front().prov.owner, "key:ddns-key");
    EXPECT_EQ(outcome(UpdateOutcome::Applied), 1u);
    EXPECT_EQ(stats.records_added.get(), 1u);
    EXPECT_EQ(zones.of("lan.").updates_applied.get(), 1u);
}

TEST_F(Updates, TsigFailuresAreNotAuthWithTheErrorInTheTsig) {
    struct Case {
        tsig::Key k;
        uint16_t error;
    };
    auto wrong = key("ddns-key.", tsig::Algorithm::HmacSha256);
    wrong.secret[0] ^= 1;
    const std::vector<Case> cases{
        {wrong, tsig::error::kBadSig},
        {key("nobody.", tsig::Algorithm::HmacSha256), tsig::error::kBadKey},
        // A known name with another algorithm is another key (RFC 8945 §5.2.1).
        {key("ddns-key.", tsig::Algorithm::HmacSha512), tsig::error::kBadKey},
    };
    for (const auto& c : cases) {
        Bytes m = update_msg("lan.", "x.lan.");
        tsig::sign_request(m, c.k, static_cast<uint64_t>(std::time(nullptr)));
        const Bytes a = handle_update(env, m, client, stats, zones);
        EXPECT_EQ(rcode_of(a), 9);  // NOTAUTH
        tsig::Record t;
        ASSERT_EQ(tsig::find(a.data(), a.size(), t), tsig::Found::Found);
        EXPECT_EQ(t.error, c.error);
        EXPECT_TRUE(t.mac.empty());  // unsigned: the server does not know the key
    }
    // Signed too long ago: BADTIME, signed, with the server's time.
    Bytes m = update_msg("lan.", "x.lan.");
    tsig::sign_request(m, key("ddns-key.", tsig::Algorithm::HmacSha256), 1'000'000'000);
    const Bytes a = handle_update(env, m, client, stats, zones);
    EXPECT_EQ(rcode_of(a), 9);
    tsig::Record t;
    ASSERT_EQ(tsig::find(a.data(), a.size(), t), tsig::Found::Found);
    EXPECT_EQ(t.error, tsig::error::kBadTime);
    EXPECT_EQ(outcome(UpdateOutcome::TsigFailed), 4u);
    EXPECT_EQ(at("x.lan."), nullptr);
}

TEST_F(Updates, WhoMayUpdate) {
    // Unsigned from an address not listed: REFUSED.
    EXPECT_EQ(rcode_of(handle_update(env, update_msg("lan.", "a.lan."), client, stats, zones)), 5);
    // Signed with a key the zone does not list: REFUSED.
    Bytes m = update_msg("lan.", "a.lan.");
    tsig::sign_request(m, key("other-key.", tsig::Algorithm::HmacSha512),
                       static_cast<uint64_t>(std::time(nullptr)));
    EXPECT_EQ(rcode_of(handle_update(env, m, client, stats, zones)), 5);
    // A zone without allow_update: REFUSED to everyone.
    ClientAddress listed;
    listed.v4 = *net::parse_ipv4("127.0.0.2");
    EXPECT_EQ(
        rcode_of(handle_update(env, update_msg("closed.", "a.closed."), listed, stats, zones)), 5);
    EXPECT_EQ(outcome(UpdateOutcome::Refused), 3u);
    EXPECT_EQ(at("a.lan."), nullptr);
    // Unsigned from a listed address: applied, owned by the address.
    EXPECT_EQ(rcode_of(handle_update(env, update_msg("lan.", "a.lan."), listed, stats, zones)), 0);
    ASSERT_NE(at("a.lan."), nullptr);
    EXPECT_EQ(at("a.lan.")->front().prov.owner, "127.0.0.2");
    // A zone not hosted here: NOTAUTH.
    EXPECT_EQ(rcode_of(handle_update(env, update_msg("elsewhere.", "a.elsewhere."), listed, stats,
                                     zones)),
              9);
}

TEST_F(Updates, AnotherOriginsRecordIsRefusedAndCounted) {
    ClientAddress listed;
    listed.v4 = *net::parse_ipv4("127.0.0.2");
    const Bytes a = handle_update(env, update_msg("lan.", "", true), listed, stats, zones);
    EXPECT_EQ(rcode_of(a), 5);
    EXPECT_EQ(outcome(UpdateOutcome::RefusedProvenance), 1u);
    EXPECT_EQ(zones.of("lan.").updates_refused.get(), 1u);
    EXPECT_NE(at("cfg.lan."), nullptr);
}

TEST_F(Updates, GarbageIsFormErrAndResponsesAreIgnored) {
    Bytes m = update_msg("lan.", "a.lan.");
    m.resize(m.size() - 2);
    EXPECT_EQ(rcode_of(handle_update(env, m, client, stats, zones)), 1);
    Bytes response = update_msg("lan.", "a.lan.");
    response[2] |= 0x80;
    EXPECT_TRUE(handle_update(env, response, client, stats, zones).empty());
    EXPECT_EQ(outcome(UpdateOutcome::FormErr), 1u);
}

// Through the server: over TCP, and over UDP (as the workers hand UPDATE datagrams to the
// kernel), from 127.0.0.2, which allow_update lists.
TEST_F(Updates, TheServerTakesUpdatesOverTcpAndUdp) {
    test::Qsbr qsbr;
    dataplane::dns::ZoneViewSlot slot;
    dataplane::kernel::Netns host;
    TcpSettings s;
    s.addresses = {*net::parse_if_address("127.0.0.1/8")};
    s.port = 0;
    s.updates = env;
    ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr.v, 0), 0);
    DnsTcpServer server(s, host, slot, qsbr.v, 0);
    ASSERT_EQ(server.udp_endpoints().size(), 1u);
    const std::string& e = server.endpoints()[0];
    const auto port = static_cast<uint16_t>(std::stoi(e.substr(e.rfind(':') + 1)));
    server.start();
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sockaddr_in from = to;
    from.sin_port = 0;
    from.sin_addr.s_addr = inet_addr("127.0.0.2");
    auto recv_one = [](int fd, Bytes& out) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 5000) != 1) return false;
        out.resize(65536);
        const ssize_t n = recv(fd, out.data(), out.size(), 0);
        if (n <= 0) return false;
        out.resize(static_cast<size_t>(n));
        return true;
    };
    // UDP.
    const int u = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_EQ(bind(u, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
    const Bytes m = update_msg("lan.", "udp.lan.");
    ASSERT_EQ(sendto(u, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(m.size()));
    Bytes a;
    ASSERT_TRUE(recv_one(u, a));
    EXPECT_EQ(rcode_of(a), 0);
    close(u);
    // TCP: the answer framed, the connection still usable.
    const int t = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(bind(t, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
    ASSERT_EQ(connect(t, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    Bytes framed = update_msg("lan.", "tcp.lan.");
    framed.insert(framed.begin(), {0, static_cast<uint8_t>(framed.size())});
    ASSERT_EQ(send(t, framed.data(), framed.size(), 0), static_cast<ssize_t>(framed.size()));
    // Half-closed right away: the answer still comes.
    shutdown(t, SHUT_WR);
    ASSERT_TRUE(recv_one(t, a));
    ASSERT_GE(a.size(), 14u);
    EXPECT_EQ(size_t{a[0]} << 8 | a[1], a.size() - 2);
    EXPECT_EQ(a[5] & 0x0f, 0);
    close(t);
    server.stop();
    EXPECT_NE(at("udp.lan."), nullptr);
    EXPECT_NE(at("tcp.lan."), nullptr);
    EXPECT_EQ(server.stats().updates.udp.get(), 1u);
    EXPECT_EQ(server.stats().updates.outcomes[static_cast<size_t>(UpdateOutcome::Applied)].get(),
              2u);
}

}  // namespace
}  // namespace edgelease::control::dnstcp
