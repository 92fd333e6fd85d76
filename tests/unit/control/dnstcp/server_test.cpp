// The DNS over TCP server on loopback sockets: real kernel TCP, the real answer code over a
// zone view built from zone-file text, an RCU variable without EAL.
#include "control/dnstcp/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rte_rcu_qsbr.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "control/zone/zone_file.hpp"
#include "tests/unit/control/qsbr.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::control::dnstcp {
namespace {

namespace wt = dataplane::wire::dns::test;
using wt::Bytes;
using namespace std::chrono_literals;

std::unique_ptr<dataplane::dns::ZoneView> make_view() {
    std::string text = R"(
@     600 SOA ns.lan. hostmaster.lan. 1 3600 600 1209600 60
@     600 NS  ns.lan.
ns    600 A   198.18.0.1
www   600 A   198.18.0.10
)";
    // 60 TXT records of 200 octets: about 12 KB, far beyond any UDP answer.
    for (int i = 0; i < 60; ++i)
        text += "big 600 TXT \"" + std::to_string(100 + i) + std::string(197, 'x') + "\"\n";
    dataplane::dns::ZoneInput z;
    std::string why;
    z.name = *edgelease::dns::name_from_text("lan.", edgelease::dns::WireName{0}, why);
    auto r = zone::parse_zone_text(text, "lan.zone", z.name, 3600);
    EXPECT_TRUE(r.errors.empty());
    z.records = std::move(r.records);
    std::vector<dataplane::dns::ZoneInput> zones;
    zones.push_back(std::move(z));
    return std::make_unique<dataplane::dns::ZoneView>(zones);
}

Bytes query(uint16_t id, const std::string& name, uint16_t type, bool keepalive = false) {
    Bytes m = wt::header(id, 0x0100, 1, 0, 0, keepalive ? 1 : 0);
    Bytes q = wt::question(wt::name(name), type, 1);
    m.insert(m.end(), q.begin(), q.end());
    if (keepalive) {  // OPT, payload 1232, one option: edns-tcp-keepalive, empty
        for (uint8_t b : {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 11, 0, 0}) m.push_back(b);
    }
    return m;
}

Bytes framed(const Bytes& m) {
    Bytes b(2 + m.size());
    b[0] = static_cast<uint8_t>(m.size() >> 8);
    b[1] = static_cast<uint8_t>(m.size());
    std::copy(m.begin(), m.end(), b.begin() + 2);
    return b;
}

struct Server : ::testing::Test {
    test::Qsbr qsbr;
    dataplane::dns::ZoneViewSlot slot;
    std::unique_ptr<dataplane::dns::ZoneView> view = make_view();
    dataplane::kernel::Netns host;
    std::unique_ptr<DnsTcpServer> server;
    uint16_t port = 0;

    void start(TcpSettings s = {}) {
        slot.exchange(view.get());
        s.addresses = {*net::parse_if_address("127.0.0.1/8")};
        s.port = 0;
        ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr.v, 0), 0);
        server = std::make_unique<DnsTcpServer>(s, host, slot, qsbr.v, 0);
        ASSERT_EQ(server->endpoints().size(), 1u);
        const std::string& e = server->endpoints()[0];
        port = static_cast<uint16_t>(std::stoi(e.substr(e.rfind(':') + 1)));
        server->start();
    }
    void TearDown() override {
        if (server) server->stop();
    }
    const TcpStats& stats() const { return server->stats(); }
    uint64_t closed(CloseReason r) const { return stats().closed[static_cast<size_t>(r)].get(); }

    int connect_client(int rcvbuf = 0) const {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        return fd;
    }
};

void send_all(int fd, const Bytes& b) {
    size_t off = 0;
    while (off < b.size()) {
        const ssize_t n = send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
        ASSERT_GT(n, 0);
        off += static_cast<size_t>(n);
    }
}

/// Reads exactly n octets, or fewer if the connection ends or `timeout` passes.
Bytes read_n(int fd, size_t n, std::chrono::milliseconds timeout = 5s) {
    Bytes out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        uint8_t buf[65536];
        const ssize_t r = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
        if (r <= 0) break;
        out.insert(out.end(), buf, buf + r);
    }
    return out;
}

/// One framed answer, decoded; nullopt when the stream ends first.
std::optional<wt::DecodedResponse> read_answer(int fd) {
    Bytes len = read_n(fd, 2);
    if (len.size() < 2) return std::nullopt;
    const size_t n = size_t{len[0]} << 8 | len[1];
    Bytes msg = read_n(fd, n);
    if (msg.size() != n) return std::nullopt;
    return wt::decode_response(msg.data(), static_cast<uint16_t>(n));
}

/// True once the server has closed fd (a read returns 0 or an error) within `timeout`.
bool closed_within(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        uint8_t buf[4096];
        if (recv(fd, buf, sizeof buf, 0) <= 0) return true;
    }
}

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

TEST_F(Server, AnswersAQueryFromTheZoneView) {
    start();
    const int fd = connect_client();
    send_all(fd, framed(query(0x1234, "www.lan", wt::type::A)));
    auto r = read_answer(fd);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0x1234);
    EXPECT_EQ(r->flags & 0x000f, 0);  // NOERROR
    EXPECT_NE(r->flags & 0x0400, 0);  // AA
    ASSERT_EQ(r->section[0].size(), 1u);
    EXPECT_EQ(r->section[0][0].rdata, (Bytes{198, 18, 0, 10}));
    close(fd);
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::ClientClosed) == 1; }));
    EXPECT_EQ(stats().accepted.get(), 1u);
    EXPECT_EQ(stats().messages.get(), 1u);
    EXPECT_EQ(stats().dns.rcode[0].get(), 1u);
}

TEST_F(Server, AnAnswerTooLargeForUdpComesWholeWithoutTc) {
    start();
    const int fd = connect_client();
    send_all(fd, framed(query(7, "big.lan", wt::type::TXT)));
    auto r = read_answer(fd);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->flags & 0x0200, 0);  // no TC
    EXPECT_EQ(r->section[0].size(), 60u);
    close(fd);
}

TEST_F(Server, PipelinedQueriesSentInOneWriteAreAllAnswered) {
    start();
    const int fd = connect_client();
    Bytes burst;
    for (uint16_t id = 1; id <= 20; ++id) {
        Bytes f = framed(query(id, id % 2 ? "www.lan" : "nope.lan", wt::type::A));
        burst.insert(burst.end(), f.begin(), f.end());
    }
    send_all(fd, burst);
    for (uint16_t id = 1; id <= 20; ++id) {
        auto r = read_answer(fd);
        ASSERT_TRUE(r) << id;
        EXPECT_EQ(r->id, id);
        EXPECT_EQ(r->flags & 0x000f, id % 2 ? 0 : 3);  // NOERROR / NXDOMAIN
    }
    close(fd);
}

TEST_F(Server, AQuerySentOneOctetAtATimeIsAnswered) {
    start();
    const int fd = connect_client();
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, 1 /*TCP_NODELAY*/, &one, sizeof one);
    Bytes f = framed(query(99, "www.lan", wt::type::A));
    for (uint8_t b : f) ASSERT_EQ(send(fd, &b, 1, MSG_NOSIGNAL), 1);
    auto r = read_answer(fd);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 99);
    close(fd);
}

TEST_F(Server, KeepaliveAskedIsAnsweredWithTheIdleTimeout) {
    TcpSettings s;
    s.idle_timeout = 7s;
    start(s);
    const int fd = connect_client();
    send_all(fd, framed(query(5, "www.lan", wt::type::A, true)));
    auto r = read_answer(fd);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->section[2].size(), 1u);  // the OPT
    const auto& opt = r->section[2][0];
    EXPECT_EQ(opt.type, wt::type::OPT);
    EXPECT_EQ(opt.rdata, (Bytes{0, 11, 0, 2, 0, 70}));  // 70 × 100 ms
    close(fd);
}

TEST_F(Server, ALengthBelowAHeaderClosesTheConnection) {
    start();
    const int fd = connect_client();
    send_all(fd, Bytes{0, 5, 1, 2, 3, 4, 5});
    EXPECT_TRUE(closed_within(fd, 2s));
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::Malformed) == 1; }));
    close(fd);
}

TEST_F(Server, IdleAndSlowConnectionsAreClosedAtTheIdleTimeout) {
    TcpSettings s;
    s.idle_timeout = 300ms;
    start(s);
    const int idle = connect_client();
    const int slow = connect_client();
    const auto t0 = std::chrono::steady_clock::now();
    // The slow one trickles a query that never completes: bytes alone do not keep it open.
    Bytes f = framed(query(1, "www.lan", wt::type::A));
    bool slow_closed = false;
    for (size_t i = 0; i + 1 < f.size() && !slow_closed; ++i) {
        if (send(slow, &f[i], 1, MSG_NOSIGNAL) <= 0) break;
        slow_closed = closed_within(slow, 50ms);
    }
    EXPECT_TRUE(slow_closed || closed_within(slow, 2s));
    EXPECT_TRUE(closed_within(idle, 2s));
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(took, 250ms);
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::Idle) == 2; }));
    close(idle);
    close(slow);
}

TEST_F(Server, AnsweredQueriesKeepTheConnectionOpenPastTheTimeout) {
    TcpSettings s;
    s.idle_timeout = 300ms;
    start(s);
    const int fd = connect_client();
    for (uint16_t i = 0; i < 6; ++i) {  // 6 × 100 ms: twice the timeout in all
        send_all(fd, framed(query(i, "www.lan", wt::type::A)));
        auto r = read_answer(fd);
        ASSERT_TRUE(r) << i;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(closed(CloseReason::Idle), 0u);
    close(fd);
}

TEST_F(Server, ConnectionsOverThePerClientLimitAreRefused) {
    TcpSettings s;
    s.max_per_client = 2;
    start(s);
    const int a = connect_client();
    const int b = connect_client();
    ASSERT_TRUE(wait_until([&] { return stats().open.load() == 2; }));
    const int c = connect_client();
    EXPECT_TRUE(closed_within(c, 2s));
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::LimitClient) == 1; }));
    // The two admitted still work.
    send_all(b, framed(query(2, "www.lan", wt::type::A)));
    EXPECT_TRUE(read_answer(b));
    close(a);
    close(b);
    close(c);
}

TEST_F(Server, ConnectionsOverTheTotalLimitAreRefused) {
    TcpSettings s;
    s.max_connections = 1;
    start(s);
    const int a = connect_client();
    ASSERT_TRUE(wait_until([&] { return stats().open.load() == 1; }));
    const int b = connect_client();
    EXPECT_TRUE(closed_within(b, 2s));
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::LimitTotal) == 1; }));
    close(a);
    ASSERT_TRUE(wait_until([&] { return stats().open.load() == 0; }));
    const int c = connect_client();  // room again
    send_all(c, framed(query(3, "www.lan", wt::type::A)));
    EXPECT_TRUE(read_answer(c));
    close(b);
    close(c);
}

TEST_F(Server, AClientThatNeverReadsIsClosedAsStalled) {
    TcpSettings s;
    s.idle_timeout = 500ms;
    start(s);
    const int fd = connect_client(4096);
    // 12 KB answers, asked for without reading any: the kernel's buffers fill, then the
    // server's own; the connection then makes no progress until the timeout ends it.
    Bytes f = framed(query(1, "big.lan", wt::type::TXT));
    for (int i = 0; i < 200; ++i) {
        if (send(fd, f.data(), f.size(), MSG_NOSIGNAL | MSG_DONTWAIT) <= 0) break;
    }
    EXPECT_TRUE(wait_until([&] { return closed(CloseReason::OutputStalled) == 1; }, 5s));
    EXPECT_TRUE(wait_until([&] { return stats().open.load() == 0; }));  // counted after the close
    close(fd);
}

TEST_F(Server, StopClosesEveryConnection) {
    start();
    const int a = connect_client();
    const int b = connect_client();
    ASSERT_TRUE(wait_until([&] { return stats().open.load() == 2; }));
    server->stop();
    EXPECT_EQ(closed(CloseReason::Shutdown), 2u);
    EXPECT_TRUE(closed_within(a, 1s));
    EXPECT_TRUE(closed_within(b, 1s));
    close(a);
    close(b);
}

TEST_F(Server, AResponseSentToUsIsNotAnswered) {
    start();
    const int fd = connect_client();
    Bytes resp = query(1, "www.lan", wt::type::A);
    resp[2] |= 0x80;  // QR
    send_all(fd, framed(resp));
    send_all(fd, framed(query(2, "www.lan", wt::type::A)));
    auto r = read_answer(fd);  // the next answer is the query's
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 2);
    EXPECT_EQ(stats().dns.dropped.get(), 1u);
    close(fd);
}

}  // namespace
}  // namespace edgelease::control::dnstcp
