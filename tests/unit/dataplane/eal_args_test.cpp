#include <gtest/gtest.h>

#include "dataplane/eal_args.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include "dataplane/port_context.hpp"

using namespace edgelease;
using dataplane::build_eal_args;

TEST(EalArgs, AddsFloatingLcoresWhenNoneGiven) {
    auto a = build_eal_args({"--no-huge", "--vdev=net_tap0"}, {}, 2, {0, 1});
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0], "edgelease");
    EXPECT_EQ(a[1], "--no-huge");
    EXPECT_EQ(a[3], "--lcores=(0-4)@(0,1)");  // main + 2 workers + control + sweeper
}

TEST(EalArgs, KeepsTheOperatorsLcoreLayout) {
    // The same options the systemd generator reads (eal_cpus.hpp), abbreviations included.
    for (const char* opt :
         {"-l", "-l0-3", "--lcores=0@0,1@1,2@1,3@0", "-c", "-c0xf", "--lco=0@0", "--lc"}) {
        auto a = build_eal_args({"--no-huge", opt}, {}, 1, {0, 1});
        EXPECT_EQ(a.back(), opt) << opt;
    }
    // --log-level must not be mistaken for -l.
    auto a = build_eal_args({"--log-level=8"}, {}, 1, {3});
    EXPECT_EQ(a.back(), "--lcores=(0-3)@(3)");
}

TEST(EalArgs, CommandLineReplacesConfig) {
    auto a = build_eal_args({"--vdev=net_tap0"}, {"--vdev=net_ring0", "-l", "0-3"}, 1, {0});
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[1], "--vdev=net_ring0");
}

TEST(PortContext, GroupsInterfacesOfOnePortAndAddsLinkLocal) {
    config::Config cfg;
    config::InterfaceConfig a, b, other;
    a.port = "net_tap0";
    a.addresses = {*net::parse_if_address("198.18.0.1/24"),
                   *net::parse_if_address("2001:db8::1/64")};
    b.port = "net_tap0";
    b.vlan = 10;
    b.addresses = {*net::parse_if_address("198.18.10.1/24")};
    other.port = "net_tap1";
    cfg.interfaces = {a, other, b};
    auto mac = *net::parse_mac("02:00:00:00:00:01");
    auto ctx = dataplane::make_port_context(cfg, "net_tap0", 3, mac);
    EXPECT_EQ(ctx.port_id, 3);
    ASSERT_EQ(ctx.interfaces.size(), 2u);
    EXPECT_EQ(ctx.interfaces[0].index, 0u);
    EXPECT_EQ(ctx.interfaces[1].index, 2u);
    EXPECT_EQ(ctx.interfaces[1].vlan, 10);
    ASSERT_EQ(ctx.interfaces[0].v4.size(), 1u);
    ASSERT_EQ(ctx.interfaces[0].v6.size(), 2u);  // configured + link-local
    EXPECT_EQ(net::to_string(ctx.interfaces[0].v6[1].v6), "fe80::ff:fe00:1");
    EXPECT_EQ(ctx.interfaces[1].v6.size(), 1u);  // link-local only
}

namespace edgelease::dataplane {
namespace {

TEST(EalArgs, MemifServerSocketFilesAreFoundInBothVdevForms) {
    const std::vector<std::string> args{
        "edgelease",
        "--no-huge",
        "--vdev=net_memif0,role=server,socket=/tmp/a.sock,socket-abstract=no,mac=02:00:00:00:00:01",
        "--vdev",
        "net_memif1,socket-abstract=no,socket=/tmp/b.sock,role=server",
        "--vdev=net_memif2,role=client,socket=/tmp/c.sock,socket-abstract=no",  // client: not ours
        "--vdev=net_memif3,role=server,socket=/tmp/d.sock",                     // abstract: no file
        "--vdev=net_tap0,iface=edge0"};
    EXPECT_EQ(memif_server_socket_files(args),
              (std::vector<std::string>{"/tmp/a.sock", "/tmp/b.sock"}));
}

TEST(EalArgs, OnlyAStaleMemifSocketIsRemoved) {
    const std::string dir =
        std::filesystem::temp_directory_path() / ("edgelease-memif-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto bound = [](const std::string& path, bool listen_on_it) {
        const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << path;
        if (listen_on_it) {
            EXPECT_EQ(::listen(fd, 1), 0);
        }
        return fd;
    };
    const std::string stale = dir + "/stale.sock", live = dir + "/live.sock",
                      plain = dir + "/plain";
    ::close(bound(stale, false));  // what a killed process leaves: the file, no listener
    const int live_fd = bound(live, true);
    { std::ofstream(plain) << "not a socket"; }
    const auto removed = remove_stale_memif_sockets({stale, live, plain, dir + "/missing.sock"});
    EXPECT_EQ(removed, std::vector<std::string>{stale});
    EXPECT_FALSE(std::filesystem::exists(stale));
    EXPECT_TRUE(std::filesystem::exists(live)) << "someone listens: left alone";
    EXPECT_TRUE(std::filesystem::exists(plain)) << "not a socket: left alone";
    ::close(live_fd);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace edgelease::dataplane
