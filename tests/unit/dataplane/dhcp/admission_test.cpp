// DhcpAdmission: what a worker hands the control lcore in a storm (dataplane/dhcp/admission.hpp).
#include "dataplane/dhcp/admission.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace edgelease::dataplane::dhcp {
namespace {

using V = DhcpAdmission::Verdict;
constexpr uint8_t kDiscover = static_cast<uint8_t>(MsgType::Discover);
constexpr uint8_t kRequest = static_cast<uint8_t>(MsgType::Request);

std::array<uint8_t, 10> client(uint32_t n) {
    return {198,
            18,
            0,
            2,
            0x02,
            0,
            static_cast<uint8_t>(n >> 16),
            static_cast<uint8_t>(n >> 8),
            static_cast<uint8_t>(n),
            1};
}

TEST(DhcpAdmission, ShedsOnlyStartsWhenTheQueueIsDeep) {
    DhcpAdmission a;
    const auto c = client(1);
    const size_t deep = a.settings().shed_depth;
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 1, deep, 0), V::Shed);
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 1, 1023, 0), V::Shed);
    // The REQUEST that finishes an exchange is never shed, however deep the queue.
    EXPECT_EQ(a.check(false, kRequest, c.data(), c.size(), 1, 1023, 0), V::Queue);
    // Just below the mark, a new client's DISCOVER goes.
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 2, deep - 1, 0), V::Queue);
    // So does one with no identity.
    EXPECT_EQ(a.check(true, kDiscover, nullptr, 0, 2, 0, 0), V::Queue);
    EXPECT_EQ(a.check(true, kDiscover, nullptr, 0, 2, deep, 0), V::Shed);
}

TEST(DhcpAdmission, ARetransmissionFasterThanAnyTimerIsARepeat) {
    DhcpAdmission a;
    const auto c = client(2);
    const uint32_t rt = a.settings().retransmit_ms;
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 77, 0, 10'000), V::Queue);
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 77, 0, 10'000 + rt - 1), V::Repeat);
    // The REQUEST carries the DISCOVER's transaction id: another type, not a repeat.
    EXPECT_EQ(a.check(false, kRequest, c.data(), c.size(), 77, 0, 10'001), V::Queue);
    EXPECT_EQ(a.check(false, kRequest, c.data(), c.size(), 77, 0, 10'002), V::Repeat);
    // At the client's timer it goes again (and the time restarts from there).
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 77, 0, 10'000 + rt), V::Queue);
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 77, 0, 10'000 + rt + 1), V::Repeat);
    // Another client is not held back by this one.
    const auto d = client(3);
    EXPECT_EQ(a.check(true, kDiscover, d.data(), d.size(), 77, 0, 10'001), V::Queue);
    // A new transaction is a new exchange while the queue is shallow.
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 78, 0, 10'000 + rt + 2), V::Queue);
}

TEST(DhcpAdmission, WhileTheQueueFillsAClientRestartsAtMostOnceASecond) {
    DhcpAdmission a;
    const auto c = client(4);
    const size_t filling = a.settings().shed_depth / 2;
    const uint32_t rs = a.settings().restart_ms;
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 1, filling, 5'000), V::Queue);
    // New transaction ids every time do not get it a bigger share.
    for (uint32_t xid = 2; xid < 50; ++xid)
        EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), xid, filling, 5'000 + xid * 10),
                  V::Repeat);
    EXPECT_EQ(a.check(true, kDiscover, c.data(), c.size(), 50, filling, 5'000 + rs), V::Queue);
    // Its REQUEST still goes, and new clients too.
    EXPECT_EQ(a.check(false, kRequest, c.data(), c.size(), 50, filling, 5'000 + rs), V::Queue);
    for (uint32_t n = 100; n < 200; ++n) {
        const auto other = client(n);
        EXPECT_EQ(a.check(true, kDiscover, other.data(), other.size(), n, filling, 5'000 + rs),
                  V::Queue);
    }
}

TEST(DhcpAdmission, IdentitiesFromTheMessages) {
    DhcpRequest r{};
    r.giaddr = 0xC6120002;  // 198.18.0.2
    r.chaddr = net::MacAddr{{0x02, 0, 0, 0, 0, 9}};
    uint8_t id[kMaxAdmissionId];
    ASSERT_EQ(admission_id(r, id), 10u);
    EXPECT_EQ(id[0], 198);
    EXPECT_EQ(id[3], 2);
    EXPECT_EQ(id[9], 9);
    // The client identifier, when sent, is the identity instead of chaddr.
    r.client_id_len = 3;
    r.client_id[0] = 0xff;
    r.client_id[1] = 1;
    r.client_id[2] = 2;
    ASSERT_EQ(admission_id(r, id), 7u);
    EXPECT_EQ(id[4], 0xff);
    EXPECT_EQ(id[6], 2);

    Dhcp6Request r6{};
    EXPECT_EQ(admission_id6(r6, id), 0u);
    r6.client_id_len = 4;
    r6.client_id[3] = 42;
    ASSERT_EQ(admission_id6(r6, id), 4u);
    EXPECT_EQ(id[3], 42);

    EXPECT_TRUE(is_start(MsgType::Discover));
    EXPECT_TRUE(is_start(MsgType::Inform));
    EXPECT_FALSE(is_start(MsgType::Request));
    EXPECT_FALSE(is_start(MsgType::Release));
    EXPECT_TRUE(is_start6(Msg6Type::Solicit));
    EXPECT_TRUE(is_start6(Msg6Type::InformationRequest));
    EXPECT_FALSE(is_start6(Msg6Type::Renew));
    EXPECT_FALSE(is_start6(Msg6Type::Confirm));
}

}  // namespace
}  // namespace edgelease::dataplane::dhcp
