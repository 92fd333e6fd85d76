// The DHCP service (control lcore side) when something runs out, driven through its real
// worker channel and a real LMDB lease store, without EAL: a full pool (no offer, counted,
// logged once, other scopes serve), a relay over [dhcp].relay_discover_rate, a lease store
// whose map is full (no ACK leaves that is not on disk), a flood of distinct clients
// (the engine's state stays bounded by the addresses it manages), and memory (a failed
// allocation on the control lcore is a counted drop, not std::terminate).
#include <gtest/gtest.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <thread>

#include "control/dhcp/dhcp_service.hpp"
#include "control/dhcp/relay_limit.hpp"
#include "control/store/lease_store.hpp"
#include "tests/unit/control/dhcp/engine_fixture.hpp"
#include "tests/unit/temp_dir.hpp"

namespace {
// Allocation failure on demand, for the calling thread only (the lease writer's thread keeps
// allocating normally): this binary's operator new throws while it is set.
thread_local bool t_fail_allocations = false;
}  // namespace

// The replacements below pair malloc with free; GCC sees free() inlined where a new-expression's
// pointer is deleted and warns about a mismatch that is not one.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
    if (t_fail_allocations) throw std::bad_alloc();
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every new of this
// binary must come from malloc, as every delete goes to free (ASan checks the pairing).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (t_fail_allocations) return nullptr;
    return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

using namespace edgelease;
using control::dhcp::test::decode;
using control::dhcp::test::Decoded;
using control::dhcp::test::ip;
using control::dhcp::test::Req;
using dataplane::dhcp::MsgType;

namespace {

constexpr const char* kNoLimit = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24"]

[[interfaces]]
port = "p1"
addresses = ["198.18.9.1/24"]

[[dhcp.scopes]]
name = "tiny"
subnet = "198.18.0.0/24"
pools = ["198.18.0.10-198.18.0.12"]

[[dhcp.scopes]]
name = "relayed"
subnet = "198.18.1.0/24"
pools = ["198.18.1.10-198.18.1.250"]

[[dhcp.scopes]]
name = "big"
subnet = "198.18.16.0/20"
pools = ["198.18.16.10-198.18.31.250"]
)";
const std::string kConfig = std::string("[dhcp]\nrelay_discover_rate = 5\n") + kNoLimit;

/// A distinct client per number: MAC 02:cc:00:nn:nn:nn.
Req client(MsgType t, uint32_t n) {
    Req r(t, 1);
    r.hw(net::MacAddr{{0x02, 0xcc, 0x00, static_cast<uint8_t>(n >> 16),
                       static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)}});
    r.raw().xid = 0x7e570000u + n;
    return r;
}

struct Harness {
    explicit Harness(size_t max_map = control::store::LeaseStore::kDefaultMaxMapSize,
                     const std::string& toml = kConfig)
        : tmp("edgelease-exhaustion"),
          dir(tmp.str()),
          cfg(control::dhcp::test::load(toml.c_str())),
          ch(std::make_unique<dataplane::dhcp::DhcpChannel>()) {
        cfg.appliance.state_dir = dir;
        store = std::make_unique<control::store::LeaseStore>(dir, false, max_map);
        store->start();
        svc = std::make_unique<control::dhcp::DhcpService>(
            cfg, std::vector<dataplane::dhcp::DhcpChannel*>{ch.get()}, *store);
    }
    ~Harness() {
        svc.reset();
        store.reset();  // before the directory goes
    }

    /// Queues `reqs` (in pieces that fit the channel), polls at `now` until every one has
    /// been handled and no ACK is still waiting for its commit (bounded), returns the replies.
    std::vector<Decoded> run(const std::vector<dataplane::dhcp::DhcpRequest>& reqs, int64_t now) {
        std::vector<Decoded> out;
        size_t next = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (;;) {
            while (next < reqs.size() && ch->requests.push(reqs[next])) ++next;
            svc->poll(now);
            ch->replies.consume_all(
                [&](const dataplane::dhcp::DhcpReply& r) { out.push_back(decode(r)); });
            const auto& s = svc->stats();
            const uint64_t acks = s.replies[static_cast<size_t>(MsgType::Ack)].get();
            const bool settled = s.held.get() == acks + s.storage_failed.get();
            if (next == reqs.size() && ch->requests.empty() && settled) break;
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << "requests not settled: " << next << "/" << reqs.size();
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        return out;
    }
    uint64_t outcome(control::dhcp::Outcome o) const {
        return svc->stats().outcomes[static_cast<size_t>(o)].get();
    }

    test::TempDir tmp;
    std::string dir;
    config::Config cfg;
    std::unique_ptr<dataplane::dhcp::DhcpChannel> ch;
    std::unique_ptr<control::store::LeaseStore> store;
    std::unique_ptr<control::dhcp::DhcpService> svc;
};

size_t count_lines(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

TEST(DhcpExhaustion, FullPoolGivesNoOfferCountsLogsOnceAndOtherScopesServe) {
    Harness h;
    const int64_t now = 1'800'000'000;
    std::vector<dataplane::dhcp::DhcpRequest> fill;
    for (uint32_t i = 0; i < 3; ++i) fill.push_back(client(MsgType::Discover, i));
    auto offers = h.run(fill, now);
    ASSERT_EQ(offers.size(), 3u);  // the tiny pool is now held by three offers

    std::vector<dataplane::dhcp::DhcpRequest> more;
    for (uint32_t i = 100; i < 150; ++i) more.push_back(client(MsgType::Discover, i));
    testing::internal::CaptureStderr();
    auto none = h.run(more, now);
    auto later = h.run({client(MsgType::Discover, 200)}, now + 5);  // inside the log interval
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(none.empty());
    EXPECT_TRUE(later.empty());
    EXPECT_EQ(h.outcome(control::dhcp::Outcome::PoolExhausted), 51u);
    EXPECT_EQ(count_lines(log, "pool exhausted"), 1u) << log;  // rate-limited: once a minute

    // Another scope (through a relay) is untouched by it.
    auto relayed = h.run({client(MsgType::Discover, 300).relay("198.18.1.1")}, now + 5);
    ASSERT_EQ(relayed.size(), 1u);
    EXPECT_EQ(relayed[0].type(), MsgType::Offer);
    EXPECT_EQ(relayed[0].yiaddr & 0xFFFFFF00u, ip("198.18.1.0"));
}

TEST(DhcpExhaustion, RelayOverItsDiscoverRateIsHeldBackOthersAreNot) {
    Harness h;
    const int64_t now = 1'800'000'000;
    std::vector<dataplane::dhcp::DhcpRequest> burst;
    for (uint32_t i = 0; i < 20; ++i)
        burst.push_back(client(MsgType::Discover, i).relay("198.18.1.1"));
    testing::internal::CaptureStderr();
    auto offers = h.run(burst, now);
    // Another relay in the same second has its own allowance.
    auto other = h.run({client(MsgType::Discover, 500).relay("198.18.16.1")}, now);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_EQ(offers.size(), 5u);
    EXPECT_EQ(other.size(), 1u);
    EXPECT_EQ(h.svc->stats().relay_limited.get(), 15u);
    EXPECT_EQ(count_lines(log, "relay_discover_rate"), 1u) << log;

    // The REQUEST that follows an OFFER is not a DISCOVER: never held back.
    Decoded o = offers[0];
    ASSERT_EQ(o.xid, 0x7e570000u);
    auto ack = h.run({client(MsgType::Request, 0)
                          .relay("198.18.1.1")
                          .server(net::to_string(net::Ipv4Addr{o.u32(54)}))
                          .requested(net::to_string(net::Ipv4Addr{o.yiaddr}))},
                     now);
    ASSERT_EQ(ack.size(), 1u);
    EXPECT_EQ(ack[0].type(), MsgType::Ack);

    // The next second brings a new allowance.
    auto next = h.run(burst, now + 1);
    EXPECT_EQ(next.size(), 5u);
    EXPECT_EQ(h.svc->stats().relay_limited.get(), 30u);
}

TEST(RelayLimiter, ZeroMeansNoLimitAndTheTableIsBounded) {
    control::dhcp::RelayLimiter off(0);
    for (int i = 0; i < 10000; ++i) EXPECT_TRUE(off.allow(0xC6120101, 1));
    control::dhcp::RelayLimiter lim(2);
    // Many relays in one second: each tracked one gets its own window; memory is fixed.
    size_t limited = 0;
    for (uint32_t r = 1; r <= 20000; ++r)
        for (int k = 0; k < 3; ++k) limited += lim.allow(0xC6130000 + r, 7) ? 0 : 1;
    EXPECT_GT(limited, 0u);
    EXPECT_LE(limited, 20000u);  // at most the third DISCOVER of each relay
    EXPECT_TRUE(lim.allow(0xC6130001, 8));
}

TEST(DhcpExhaustion, FullLeaseMapWithholdsEveryAckThatWasNotStored) {
    // 64 KiB of map: a few hundred leases fit, 3000 clients do not.
    Harness h(64 * 1024, kNoLimit);
    const int64_t now = 1'800'000'000;
    constexpr uint32_t kClients = 3000;
    std::vector<dataplane::dhcp::DhcpRequest> discovers, requests;
    for (uint32_t i = 0; i < kClients; ++i)
        discovers.push_back(client(MsgType::Discover, i).relay("198.18.16.1"));
    testing::internal::CaptureStderr();
    auto offers = h.run(discovers, now);
    ASSERT_EQ(offers.size(), kClients);
    for (const Decoded& o : offers)
        requests.push_back(client(MsgType::Request, o.xid - 0x7e570000u)
                               .relay("198.18.16.1")
                               .server(net::to_string(net::Ipv4Addr{o.u32(54)}))
                               .requested(net::to_string(net::Ipv4Addr{o.yiaddr})));
    // All REQUESTs at once: the writer fails several batches in a row before the service
    // looks, and none of their ACKs may slip through.
    auto acks = h.run(requests, now);
    const std::string log = testing::internal::GetCapturedStderr();

    const auto& st = h.store->stats();
    std::printf("64 KiB map, %u REQUESTs: %zu ACKed, %llu withheld, %llu failed batches\n",
                kClients, acks.size(),
                static_cast<unsigned long long>(h.svc->stats().storage_failed.get()),
                static_cast<unsigned long long>(st.failures.load()));
    EXPECT_GT(st.failures.load(), 1u);
    EXPECT_GT(st.map_full.load(), 0u);
    EXPECT_GT(acks.size(), 0u);
    EXPECT_LT(acks.size(), kClients);
    EXPECT_EQ(acks.size() + h.svc->stats().storage_failed.get(), kClients);
    size_t skipped = 0;
    std::set<uint32_t> stored;
    for (const auto& l : control::store::read_leases(h.dir, skipped))
        if (l.state == control::dhcp::LeaseState::Bound) stored.insert(l.ip);
    for (const auto& a : acks) {
        EXPECT_EQ(a.type(), MsgType::Ack);
        EXPECT_TRUE(stored.count(a.yiaddr)) << "ACKed but not stored: " << a.yiaddr;
    }
    // Logged, but not once per failed batch.
    EXPECT_GE(count_lines(log, "withheld"), 1u) << log;
    EXPECT_LE(count_lines(log, "withheld"), 3u) << log;

    // Still serving: a new client is offered an address (offers are not written).
    auto after = h.run({client(MsgType::Discover, 9999).relay("198.18.16.1")}, now + 1);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].type(), MsgType::Offer);
}

TEST(DhcpExhaustion, FloodOfDistinctClientsKeepsStateBoundedByTheAddresses) {
    Harness h;
    int64_t now = 1'800'000'000;
    // 60,000 distinct client identifiers into the 3-address pool, a DISCOVER each, time
    // moving on 1 s per 1,000 so that offers expiry (offer_hold 30 s) and the pool cycles.
    constexpr uint32_t kClients = 60000;
    size_t offered = 0;
    std::vector<dataplane::dhcp::DhcpRequest> batch;
    for (uint32_t i = 0; i < kClients; ++i) {
        batch.push_back(client(MsgType::Discover, 1000 + i));
        if (batch.size() == 1000) {
            testing::internal::CaptureStderr();
            offered += h.run(batch, now).size();
            testing::internal::GetCapturedStderr();
            batch.clear();
            now += 1;
            const auto leases = h.svc->engine().leases();
            ASSERT_LE(leases.size(), 3u);  // one slot per address ever handed out, no more
            ASSERT_LE(h.svc->engine().expiry_heap_size(), 2 * 3 + 4096u);
        }
    }
    // The pool turned over (offers expired and were given to newcomers), yet only 3 slots.
    EXPECT_GE(offered, 3u * (kClients / 1000 / 31));
    EXPECT_EQ(h.outcome(control::dhcp::Outcome::PoolExhausted), kClients - offered);
    EXPECT_LE(h.svc->engine().leases().size(), 3u);
}

}  // namespace

TEST(DhcpExhaustion, OutOfMemoryOnTheControlLcoreIsACountedDropAndServingResumes) {
    Harness h;
    const int64_t now = 1'800'000'000;
    ASSERT_TRUE(h.ch->requests.push(client(MsgType::Discover, 1)));
    testing::internal::CaptureStderr();
    t_fail_allocations = true;
    const unsigned done = h.svc->poll(now);  // noexcept: a throw past it would terminate
    t_fail_allocations = false;
    const std::string log = testing::internal::GetCapturedStderr();
    (void)done;
    const auto& s = h.svc->stats();
    EXPECT_EQ(s.requests[static_cast<size_t>(MsgType::Discover)].get(), 1u);
    EXPECT_EQ(s.replies[static_cast<size_t>(MsgType::Offer)].get(), 0u) << "the request dropped";
    EXPECT_GE(s.alloc_failed.get(), 1u);
    EXPECT_NE(log.find("out of memory"), std::string::npos) << log;
    EXPECT_TRUE(h.ch->replies.empty());

    // Memory back: the client's retransmission is served.
    auto offers = h.run({client(MsgType::Discover, 1)}, now + 1);
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_EQ(offers[0].type(), MsgType::Offer);
}
