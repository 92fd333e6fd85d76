// The engine's expiry heap under load: stale entries (renewals, leases expired through the
// sweeper) are dropped in bounded steps, the heap stays bounded under renewal churn, and no
// live entry is ever lost or delayed while compaction removes entries from the middle.
#include <algorithm>
#include <random>
#include <span>

#include "tests/unit/control/dhcp/engine_fixture.hpp"

namespace edgelease::control::dhcp::test {
namespace {

// One scope with room for thousands of clients (a /16 inside 198.18.0.0/15).
constexpr const char* kBigConfig = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/16"]

[[dhcp.scopes]]
name = "big"
subnet = "198.18.0.0/16"
pools = ["198.18.1.0-198.18.255.250"]
lease_time = "1h"
offer_hold = "30s"
)";

net::MacAddr big_mac(uint32_t i) {
    return net::MacAddr{
        {0x02, 0x10, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)}};
}

constexpr int64_t kT0 = 1'700'000'000;

/// Restores `n` Bound leases, lease i expiring at `expires(i)`.
template <class F>
void restore_bound(LeaseEngine& e, uint32_t n, F expires) {
    for (uint32_t i = 0; i < n; ++i) {
        Lease l;
        l.ip = ip("198.18.1.0") + i;
        l.scope = 0;
        l.client.len = 6;
        const net::MacAddr m = big_mac(i);
        std::copy(m.bytes.begin(), m.bytes.end(), l.client.bytes);
        l.hw = m;
        l.state = LeaseState::Bound;
        l.start = kT0 - 100;
        l.expires = expires(i);
        l.generation = i + 1;
        ASSERT_TRUE(e.restore(l)) << i;
    }
}

TEST(ExpiryHeap, StaleEntriesAfterASweeperStormGoInBoundedSteps) {
    const config::Config cfg = load(kBigConfig);
    LeaseEngine engine(cfg);
    constexpr uint32_t kN = 20'000;
    restore_bound(engine, kN, [](uint32_t) { return kT0; });
    ASSERT_EQ(engine.expiry_heap_size(), kN);
    std::vector<control::sweeper::ExpiryEntry> due;
    engine.timed_entries(due);
    std::vector<Lease> changed;
    std::vector<LeaseEvent> events;
    std::vector<control::sweeper::ExpiryEntry> early;
    ASSERT_EQ(engine.expire_swept(due, kT0, changed, events, early).expired, kN);
    EXPECT_EQ(engine.expiry_heap_size(), kN);  // expiring does not touch the heap

    // The backstop: each call drops at most (max * 4 + 64) entries by popping and as many by
    // compaction, and expires nothing a second time.
    constexpr size_t kMax = 100;
    constexpr size_t kPerCall = 2 * (kMax * 4 + 64);
    std::vector<Lease> expired;
    size_t calls = 0;
    while (engine.expiry_heap_size() != 0 && calls < 1000) {
        const size_t before = engine.expiry_heap_size();
        EXPECT_EQ(engine.expire_due(kT0 + 10, kMax, expired), 0u);
        EXPECT_LE(before - engine.expiry_heap_size(), kPerCall);
        EXPECT_LT(engine.expiry_heap_size(), before);
        ++calls;
    }
    EXPECT_EQ(engine.expiry_heap_size(), 0u);
    EXPECT_GE(calls, kN / kPerCall);
    EXPECT_TRUE(expired.empty());
}

TEST(ExpiryHeap, StaleFutureEntriesAreCompactedAway) {
    // Leases expired early by the operator leave entries far in the future; popping never
    // reaches them, the compaction pass does, and it leaves every live entry in place.
    const config::Config cfg = load(kBigConfig);
    LeaseEngine engine(cfg);
    constexpr uint32_t kN = 10'000;
    restore_bound(engine, kN, [](uint32_t i) { return kT0 + 3600 + (i * 7919) % kN; });
    Lease out;
    for (uint32_t i = 0; i < kN; ++i)
        if (i % 10 != 0) {
            ASSERT_TRUE(engine.expire(ip("198.18.1.0") + i, kT0, out));
        }
    std::vector<Lease> expired;
    for (int k = 0; k < 50; ++k) EXPECT_EQ(engine.expire_due(kT0, 100, expired), 0u);
    EXPECT_EQ(engine.expiry_heap_size(), kN / 10);  // exactly the live ones are left
    // And they still expire at their second, in order.
    std::vector<uint32_t> live;
    for (uint32_t i = 0; i < kN; i += 10) live.push_back(i);
    std::sort(live.begin(), live.end(),
              [](uint32_t a, uint32_t b) { return (a * 7919) % kN < (b * 7919) % kN; });
    for (uint32_t i : live) {
        const int64_t at = kT0 + 3600 + (i * 7919) % kN;
        ASSERT_EQ(engine.expire_due(at - 1, 100, expired), 0u) << i;
        ASSERT_EQ(engine.expire_due(at, 100, expired), 1u) << i;
        EXPECT_EQ(expired.back().ip, ip("198.18.1.0") + i);
    }
    EXPECT_EQ(engine.expiry_heap_size(), 0u);
}

/// Drives the big scope with DHCP messages at a settable time.
class BigScope {
  public:
    BigScope() : cfg_(load(kBigConfig)), engine_(cfg_) {}

    /// DISCOVER + REQUEST for client i asking for `lease` seconds (option 51; 0: the scope's);
    /// returns the ACKed address (0 when none).
    uint32_t dora(uint32_t i, uint32_t lease = 0) {
        DhcpRequest d = Req(MsgType::Discover, 0).hw(big_mac(i));
        engine_.handle(d, now, res_);
        if (!res_.has_reply) return 0;
        const Decoded o = decode(res_.reply);
        DhcpRequest r = Req(MsgType::Request, 0).hw(big_mac(i));
        r.server_id = o.u32(54);
        r.requested_ip = o.yiaddr;
        r.lease_time = lease;
        engine_.handle(r, now, res_);
        return res_.event == LeaseEvent::Granted || res_.event == LeaseEvent::Renewed ? o.yiaddr
                                                                                      : 0;
    }
    void renew(uint32_t i, uint32_t addr, uint32_t lease = 0) {
        DhcpRequest r = Req(MsgType::Request, 0).hw(big_mac(i));
        r.lease_time = lease;
        r.ciaddr = addr;
        r.path.src_ip = addr;
        r.path.dst_ip = ip("198.18.0.1");
        engine_.handle(r, now, res_);
    }
    void release(uint32_t i, uint32_t addr) {
        DhcpRequest r = Req(MsgType::Release, 0).hw(big_mac(i));
        r.ciaddr = addr;
        engine_.handle(r, now, res_);
    }
    /// No lease in a timed state among `addrs` expired at or before `t` (the heap let none
    /// slip). Every timed lease of these tests is some client's latest address.
    bool none_overdue(const std::vector<uint32_t>& addrs, int64_t t) const {
        for (uint32_t a : addrs) {
            const Lease* l = a != 0 ? engine_.find(a) : nullptr;
            if (l &&
                (l->state == LeaseState::Bound || l->state == LeaseState::Offered ||
                 l->state == LeaseState::Declined) &&
                l->expires <= t)
                return false;
        }
        return true;
    }

    config::Config cfg_;
    LeaseEngine engine_;
    Result res_;
    int64_t now = kT0;
};

TEST(ExpiryHeap, RenewalChurnKeepsTheHeapBounded) {
    BigScope b;
    const uint32_t addr = b.dora(1);
    ASSERT_NE(addr, 0u);
    std::vector<Lease> expired;
    size_t peak = 0;
    for (int i = 0; i < 200'000; ++i) {
        ++b.now;
        b.renew(1, addr);
        ASSERT_EQ(b.res_.event, LeaseEvent::Renewed);
        if (i % 1000 == 0) b.engine_.expire_due(b.now, 1000, expired);
        peak = std::max(peak, b.engine_.expiry_heap_size());
    }
    EXPECT_TRUE(expired.empty());
    EXPECT_LE(peak, 2 * 4096u);  // trigger at 2 * timed + 4096, then 4 steps per push
}

TEST(ExpiryHeap, RandomChurnNeverLosesOrDelaysALiveEntry) {
    // Grants, renewals, releases, sweeper expires and heap expiry interleaved at random, with
    // small budgets so that compaction passes run while entries are pushed and popped. After
    // each second's expire_due with a large budget, no timed lease may be overdue.
    BigScope b;
    std::mt19937 rng(7);
    constexpr uint32_t kClients = 1000;
    std::vector<uint32_t> addr(kClients, 0);
    std::vector<Lease> expired;
    Lease out;
    LeaseEvent ev{};
    size_t expired_by_sweeper = 0, expired_by_heap = 0;
    // As recommended for the appliance, the heap runs 2 s behind the clock, the sweeper on time.
    constexpr int64_t kGrace = 2;
    for (int second = 0; second < 2400; ++second) {
        ++b.now;
        for (int k = 0; k < 60; ++k) {
            const uint32_t c = rng() % kClients;
            switch (rng() % 6) {
                case 0:
                case 1:
                    if (addr[c] == 0 || b.engine_.find(addr[c]) == nullptr ||
                        b.engine_.find(addr[c])->state != LeaseState::Bound)
                        addr[c] = b.dora(c, 30 + rng() % 600);  // short: many expire
                    else
                        b.renew(c, addr[c], 30 + rng() % 600);
                    break;
                case 2:
                    if (addr[c] != 0) b.release(c, addr[c]);
                    break;
                case 3:  // the sweeper delivers what is due among a run of clients
                    for (uint32_t j = c; j < std::min(kClients, c + 50); ++j) {
                        const Lease* l = addr[j] ? b.engine_.find(addr[j]) : nullptr;
                        if (l && l->expires <= b.now &&
                            b.engine_.expire_if_current(l->ip, l->generation, b.now, out, ev))
                            ++expired_by_sweeper;
                    }
                    break;
                default:
                    expired_by_heap += b.engine_.expire_due(b.now - kGrace, 3, expired);
                    break;
            }
        }
        size_t n;
        while ((n = b.engine_.expire_due(b.now - kGrace, 50, expired)) != 0) expired_by_heap += n;
        if (second % 5 == 0) {
            ASSERT_TRUE(b.none_overdue(addr, b.now - kGrace)) << "second " << second;
        }
    }
    EXPECT_GT(expired_by_heap, 0u);
    EXPECT_GT(expired_by_sweeper, 0u);
    // Everything left expires when its time comes, and the heap then holds nothing live.
    b.now += 7200;
    while (b.engine_.expire_due(b.now, 1000, expired) != 0) {
    }
    EXPECT_TRUE(b.none_overdue(addr, b.now));
    for (const auto& u : b.engine_.scope_use()) {
        EXPECT_EQ(u.bound + u.offered + u.declined, 0u);
    }
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
