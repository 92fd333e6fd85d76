// A large AXFR through the real server on loopback: a zone of 60,000 records read from a real
// record store (LMDB in a temporary directory) must arrive whole, however fast the client
// reads. A client that keeps up lets the kernel take every message the server makes in one
// wake-up; the server must then still come back for the rest (it once waited for a read
// that never came, and the idle sweep closed the transfer mid-zone).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rte_rcu_qsbr.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "control/dnstcp/server.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "tests/unit/control/qsbr.hpp"
#include "tests/unit/dataplane/wire/dns_builder.hpp"

namespace edgelease::control::dnstcp {
namespace {

namespace wt = dataplane::wire::dns::test;
using wt::Bytes;

constexpr int kNames = 60000;

struct Dir {
    std::filesystem::path p =
        std::filesystem::temp_directory_path() / ("edgelease-xfr-" + std::to_string(getpid()));
    Dir() {
        std::filesystem::remove_all(p);
        std::filesystem::create_directories(p);
    }
    ~Dir() { std::filesystem::remove_all(p); }
};

/// Reads exactly n octets; false when the connection ends or nothing comes for 3 s.
bool read_exact(int fd, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 3000) != 1) return false;
        const ssize_t r = recv(fd, out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

TEST(Transfer, ALargeZoneArrivesWholeToAClientThatKeepsUp) {
    Dir dir;
    const auto zone_file = dir.p / "big.zone";
    {
        std::ofstream z(zone_file);
        for (int i = 0; i < kNames; ++i)
            z << "h" << i << " A 198.19." << i / 250 << "." << i % 250 << "\n";
    }
    auto loaded = config::load_config_string(
        "[[interfaces]]\nport = \"p0\"\n[[dns.zones]]\nname = \"big.test.\"\nfile = \"" +
            zone_file.string() + "\"\nallow_transfer = [\"127.0.0.0/8\"]\n",
        (dir.p / "x.toml").string());
    ASSERT_TRUE(loaded.config) << (loaded.errors.empty() ? "" : loaded.errors[0].why);
    auto cfg = std::make_shared<const config::Config>(*loaded.config);
    auto zones = zone::load_zones(*cfg, 1000);
    ASSERT_TRUE(zones.errors.empty());
    store::RecordStore rs((dir.p / "dns").string(), false, 10);
    zone::ZoneStore zs(&rs);
    zs.set_config(zones.zones, 1000);
    rs.start();
    ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(30)));
    const size_t expected = rs.snapshot_zone(zones.zones[0].name).records.size() + 2;  // + SOAs
    ASSERT_GE(expected, static_cast<size_t>(kNames));

    test::Qsbr qsbr;
    dataplane::dns::ZoneViewSlot slot;
    dataplane::kernel::Netns host;
    TcpSettings s;
    s.addresses = {*net::parse_if_address("127.0.0.1/8")};
    s.port = 0;
    s.idle_timeout = std::chrono::milliseconds(1500);  // a stalled transfer ends quickly
    s.transfers.config = [cfg] { return cfg; };
    s.transfers.records = &rs;
    ASSERT_EQ(rte_rcu_qsbr_thread_register(qsbr.v, 0), 0);
    DnsTcpServer server(s, host, slot, qsbr.v, 0);
    const std::string& e = server.endpoints()[0];
    const auto port = static_cast<uint16_t>(std::stoi(e.substr(e.rfind(':') + 1)));
    server.start();

    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    const Bytes q = wt::query("big.test", dns::rrtype::AXFR, 0x7777);
    Bytes framed(q.size() + 2);
    framed[0] = static_cast<uint8_t>(q.size() >> 8);
    framed[1] = static_cast<uint8_t>(q.size());
    std::copy(q.begin(), q.end(), framed.begin() + 2);
    ASSERT_EQ(send(fd, framed.data(), framed.size(), 0), static_cast<ssize_t>(framed.size()));
    size_t records = 0, messages = 0;
    std::vector<uint8_t> msg(65536);
    while (records < expected) {
        uint8_t len[2];
        if (!read_exact(fd, len, 2)) break;
        const size_t n = size_t{len[0]} << 8 | len[1];
        ASSERT_GE(n, 12u);
        ASSERT_TRUE(read_exact(fd, msg.data(), n));
        ASSERT_EQ(msg[3] & 0x0f, 0) << "rcode of message " << messages;
        records += size_t{msg[6]} << 8 | msg[7];
        ++messages;
    }
    close(fd);
    server.stop();
    EXPECT_EQ(records, expected) << "after " << messages << " messages";
    EXPECT_GT(messages, 48u) << "more than one wake-up's worth of messages";
    EXPECT_EQ(server.stats().transfers.outcomes[static_cast<size_t>(TransferOutcome::Axfr)].get(),
              1u);
}

}  // namespace
}  // namespace edgelease::control::dnstcp
