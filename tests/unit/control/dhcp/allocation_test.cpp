// Address choice: pools, affinity, requested addresses, reservations, offers on hold,
// DECLINE / RELEASE, expiry and the order in which freed addresses come back, restore().
#include <algorithm>

#include "tests/unit/control/dhcp/engine_fixture.hpp"

namespace edgelease::control::dhcp::test {
namespace {

// The "tiny" scope (3 addresses) is reached through a relay.
Req tiny(MsgType t, uint8_t who) {
    return std::move(Req(t, who).relay("198.18.3.1"));
}

TEST_F(EngineTest, NeverUsedAddressesGoFirstInAscendingOrder) {
    // The pools are configured out of order; allocation still starts at the lowest address.
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(dora(Req(MsgType::Discover, static_cast<uint8_t>(i + 1))),
                  "198.18.0." + std::to_string(100 + i));
}

TEST_F(EngineTest, DiscoverWhileBoundOffersTheSameAddressWithoutChange) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const uint64_t gen = lease("198.18.0.100")->generation;
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_TRUE(res_.changed.empty());
    EXPECT_EQ(res_.event, LeaseEvent::Offered);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
    EXPECT_EQ(lease("198.18.0.100")->generation, gen);
}

TEST_F(EngineTest, RequestedAddressHonouredWhenFreeAndInAPool) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1).requested("198.18.0.107")), "198.18.0.107");
    // Taken (on offer to client 1): the next client asking for it gets the pool's first.
    EXPECT_EQ(offer(Req(MsgType::Discover, 2).requested("198.18.0.107")), "198.18.0.100");
    // Outside every pool, or reserved for someone else: ignored.
    EXPECT_EQ(offer(Req(MsgType::Discover, 3).requested("198.18.0.20")), "198.18.0.101");
    EXPECT_EQ(offer(Req(MsgType::Discover, 4).requested("198.18.0.50")), "198.18.0.102");
    // The cursor skips the address handed out of order.
    for (uint8_t i = 5; i < 10; ++i) offer(Req(MsgType::Discover, i));
    EXPECT_EQ(ip_str(reply().yiaddr), "198.18.0.108");
}

TEST_F(EngineTest, ReleaseThenAffinity) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100").server("198.18.0.1"));
    EXPECT_EQ(res_.outcome, Outcome::Answered);
    EXPECT_FALSE(res_.has_reply);
    EXPECT_EQ(res_.event, LeaseEvent::Released);
    ASSERT_EQ(res_.changed.size(), 1u);
    EXPECT_EQ(res_.changed[0].state, LeaseState::Released);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Released);
    // Others get never-used addresses while there are any ...
    EXPECT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    // ... and the releasing client gets its address back.
    EXPECT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_EQ(res_.event, LeaseEvent::Granted);
}

TEST_F(EngineTest, ReleasedAddressGoesToSomeoneElseOnlyWhenNothingElseIsFree) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    for (uint8_t i = 2; i <= 10; ++i)  // the nine never-used addresses
        EXPECT_NE(dora(Req(MsgType::Discover, i)), "198.18.0.100");
    EXPECT_EQ(offer(Req(MsgType::Discover, 11)), "198.18.0.100");
    // Client 1's kept binding gives way: reported as Replaced before the new offer.
    ASSERT_EQ(res_.changed.size(), 2u);
    EXPECT_EQ(res_.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(res_.changed[0].state, LeaseState::Free);
    EXPECT_EQ(res_.changed[0].client, ClientKey::from_request(Req(MsgType::Discover, 1)));
    EXPECT_EQ(res_.events[1], LeaseEvent::Offered);
    EXPECT_EQ(res_.changed[1].client, ClientKey::from_request(Req(MsgType::Discover, 11)));
    // Client 1 has lost its affinity and nothing is left.
    run(Req(MsgType::Discover, 1));
    EXPECT_EQ(res_.outcome, Outcome::PoolExhausted);
}

TEST_F(EngineTest, ReleaseOfSomeoneElsesLeaseIsIgnored) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Release, 2).ciaddr("198.18.0.100"));
    EXPECT_EQ(res_.outcome, Outcome::Invalid);
    EXPECT_TRUE(res_.changed.empty());
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100").server("198.18.0.77"));
    EXPECT_EQ(res_.outcome, Outcome::NotForUs);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
}

TEST_F(EngineTest, DeclineThenProbation) {
    ASSERT_EQ(dora(tiny(MsgType::Discover, 1)), "198.18.3.10");
    run(tiny(MsgType::Decline, 1).requested("198.18.3.10").server("198.18.9.1"));
    EXPECT_EQ(res_.outcome, Outcome::Answered);
    EXPECT_FALSE(res_.has_reply);  // the client gets nothing
    EXPECT_EQ(res_.event, LeaseEvent::Declined);
    ASSERT_EQ(res_.changed.size(), 1u);
    const Lease* l = lease("198.18.3.10");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->state, LeaseState::Declined);
    EXPECT_EQ(l->expires, now_ + 300);  // decline_probation = 5m
    // The client starts over and gets another address; the declined one is out of use.
    EXPECT_EQ(dora(tiny(MsgType::Discover, 1)), "198.18.3.11");
    EXPECT_EQ(dora(tiny(MsgType::Discover, 2)), "198.18.3.12");
    run(tiny(MsgType::Discover, 3));
    EXPECT_EQ(res_.outcome, Outcome::PoolExhausted);
    EXPECT_FALSE(res_.has_reply);
    // Probation ends: the address is back in the pool.
    EXPECT_TRUE(expire(now_ + 299).empty());
    auto back = expire(now_ + 300);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(ip_str(back[0].ip), "198.18.3.10");
    EXPECT_EQ(back[0].state, LeaseState::Free);
    EXPECT_EQ(lease("198.18.3.10"), nullptr);
    EXPECT_EQ(offer(tiny(MsgType::Discover, 3)), "198.18.3.10");
}

TEST_F(EngineTest, DeclineOfAnAddressNotTheClientsIsIgnored) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Decline, 2).requested("198.18.0.100"));
    EXPECT_EQ(res_.outcome, Outcome::Invalid);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
}

TEST_F(EngineTest, OffersAreHeldThenExpire) {
    // Two clients discovering at once get different addresses.
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_EQ(res_.event, LeaseEvent::Offered);
    ASSERT_EQ(res_.changed.size(), 1u);
    EXPECT_EQ(res_.changed[0].state, LeaseState::Offered);
    EXPECT_EQ(res_.changed[0].expires, now_ + 30);  // offer_hold default 30s
    EXPECT_EQ(offer(Req(MsgType::Discover, 2)), "198.18.0.101");
    // A repeated DISCOVER gets the same offer.
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_TRUE(expire(now_ + 29).empty());
    std::vector<Lease> expired;
    std::vector<LeaseEvent> events;
    EXPECT_EQ(engine_.expire_due(now_ + 30, 10, expired, events), 2u);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], LeaseEvent::OfferExpired);
    EXPECT_EQ(expired[0].state, LeaseState::Free);
    EXPECT_EQ(lease("198.18.0.100"), nullptr);
    EXPECT_EQ(engine_.scope_use()[0].offered, 0u);
}

TEST_F(EngineTest, OfferOverOwnReleasedBindingExpiresBackToIt) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    std::vector<Lease> expired;
    std::vector<LeaseEvent> events;
    engine_.expire_due(now_ + 30, 10, expired, events);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(events[0], LeaseEvent::OfferExpired);
    EXPECT_EQ(expired[0].state, LeaseState::Released);  // affinity kept
    EXPECT_EQ(offer(Req(MsgType::Discover, 2)), "198.18.0.101");
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
}

TEST_F(EngineTest, PoolExhaustion) {
    for (uint8_t i = 1; i <= 3; ++i) EXPECT_NE(offer(tiny(MsgType::Discover, i)), "");
    run(tiny(MsgType::Discover, 4));
    EXPECT_EQ(res_.outcome, Outcome::PoolExhausted);
    EXPECT_FALSE(res_.has_reply);
    EXPECT_TRUE(res_.changed.empty());
    EXPECT_EQ(res_.event, LeaseEvent::None);
}

TEST_F(EngineTest, ExpiryFreesInOrderAndTheLongestGoneIsReusedFirst) {
    EXPECT_EQ(dora(tiny(MsgType::Discover, 1)), "198.18.3.10");
    now_ += 10;
    EXPECT_EQ(dora(tiny(MsgType::Discover, 2)), "198.18.3.11");
    now_ += 10;
    EXPECT_EQ(dora(tiny(MsgType::Discover, 3)), "198.18.3.12");
    // Client 2 renews, so it now expires last.
    now_ += 10;
    run(tiny(MsgType::Request, 2).ciaddr("198.18.3.11"));
    ASSERT_EQ(res_.event, LeaseEvent::Renewed);
    const int64_t t0 = now_ - 30;
    // Bounded work: one at a time.
    auto first = expire(t0 + 600 + 100, 1);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(ip_str(first[0].ip), "198.18.3.10");
    EXPECT_EQ(first[0].state, LeaseState::Expired);
    auto rest = expire(t0 + 600 + 100);
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(ip_str(rest[0].ip), "198.18.3.12");
    EXPECT_EQ(ip_str(rest[1].ip), "198.18.3.11");
    EXPECT_GT(rest[1].generation, rest[0].generation);
    EXPECT_EQ(lease("198.18.3.10")->state, LeaseState::Expired);  // kept for affinity
    // New clients get the addresses in the order they were freed.
    now_ = t0 + 700;
    EXPECT_EQ(offer(tiny(MsgType::Discover, 7)), "198.18.3.10");
    EXPECT_EQ(offer(tiny(MsgType::Discover, 8)), "198.18.3.12");
    // Client 2 still has its expired address to come back to.
    EXPECT_EQ(offer(tiny(MsgType::Discover, 2)), "198.18.3.11");
}

TEST_F(EngineTest, ReservationByHardwareAddressOutsideThePool) {
    Req q(MsgType::Discover, 0x50);
    q.prl({1, 3, 12});
    EXPECT_EQ(dora(q), "198.18.0.50");
    const Lease* l = lease("198.18.0.50");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->reservation, 0);
    EXPECT_EQ(l->hostname, "my-server");
    EXPECT_EQ(reply().str(12), "my-server");
}

TEST_F(EngineTest, ReservationByClientId) {
    EXPECT_EQ(dora(Req(MsgType::Discover, 9).client_id({1, 2, 0, 0, 0, 0, 0, 0x51})),
              "198.18.0.51");
    EXPECT_EQ(lease("198.18.0.51")->reservation, 1);
    EXPECT_EQ(lease("198.18.0.51")->client.kind, ClientKey::ClientId);
}

TEST_F(EngineTest, ReservationByCircuitId) {
    EXPECT_EQ(dora(Req(MsgType::Discover, 9).relay("198.18.1.1", "eth0/1/3", "other")),
              "198.18.1.52");
    const Lease* l = lease("198.18.1.52");
    EXPECT_EQ(l->reservation, 0);
    EXPECT_EQ(std::string(l->circuit_id.begin(), l->circuit_id.end()), "eth0/1/3");
    EXPECT_EQ(std::string(l->remote_id.begin(), l->remote_id.end()), "other");
}

TEST_F(EngineTest, ReservationByRemoteId) {
    EXPECT_EQ(dora(Req(MsgType::Discover, 9).relay("198.18.1.1", "eth9", "\x0a\x0b\x0c\x0d")),
              "198.18.1.53");
    EXPECT_EQ(lease("198.18.1.53")->reservation, 1);
}

TEST_F(EngineTest, ClientIdBeatsHardwareAddress) {
    // MAC matches reservation 0, client id matches reservation 1: the client id wins.
    EXPECT_EQ(offer(Req(MsgType::Discover, 0x50).client_id({1, 2, 0, 0, 0, 0, 0, 0x51})),
              "198.18.0.51");
}

TEST_F(EngineTest, ReservedAddressNeverGoesToAnyoneElse) {
    for (uint8_t i = 1; i <= 10; ++i) {
        std::string a = offer(Req(MsgType::Discover, i).requested("198.18.0.50"));
        EXPECT_NE(a, "198.18.0.50");
        EXPECT_NE(a, "198.18.0.51");
    }
    run(Req(MsgType::Discover, 11));
    EXPECT_EQ(res_.outcome, Outcome::PoolExhausted);
    // Its owner still gets it.
    EXPECT_EQ(offer(Req(MsgType::Discover, 0x50)), "198.18.0.50");
    // And a reserved address released is not pooled either.
    run(Req(MsgType::Request, 0x50).server("198.18.0.1").requested("198.18.0.50"));
    run(Req(MsgType::Release, 0x50).ciaddr("198.18.0.50"));
    for (uint8_t i = 1; i <= 10; ++i)
        run(Req(MsgType::Release, i).ciaddr("198.18.0." + std::to_string(99 + i)));
    std::vector<Lease> all;
    engine_.expire_due(now_ + 3600, 100, all);
    for (uint8_t i = 20; i < 30; ++i) EXPECT_NE(offer(Req(MsgType::Discover, i)), "198.18.0.50");
}

TEST_F(EngineTest, ClientIdDriftOnAReservationRetiresTheOldLease) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x50).client_id({0xff, 0xaa, 1})), "198.18.0.50");
    const Lease old = *lease("198.18.0.50");
    // The rebuilt machine comes back with the same MAC and a new client identifier.
    EXPECT_EQ(offer(Req(MsgType::Discover, 0x50).client_id({0xff, 0xbb, 2})), "198.18.0.50");
    ASSERT_EQ(res_.changed.size(), 2u);
    EXPECT_EQ(res_.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(res_.changed[0].client, old.client);
    EXPECT_EQ(res_.changed[0].reservation, 0);  // ownership stays with the reservation
    EXPECT_EQ(res_.changed[0].state, LeaseState::Free);
    EXPECT_EQ(res_.events[1], LeaseEvent::Offered);
    EXPECT_EQ(res_.changed[1].reservation, 0);
    run(Req(MsgType::Request, 0x50)
            .client_id({0xff, 0xbb, 2})
            .server("198.18.0.1")
            .requested("198.18.0.50"));
    EXPECT_EQ(res_.event, LeaseEvent::Granted);
    const Lease* now_bound = lease("198.18.0.50");
    EXPECT_EQ(now_bound->state, LeaseState::Bound);
    EXPECT_EQ(now_bound->hostname, "my-server");
    EXPECT_EQ(now_bound->client,
              ClientKey::from_request(Req(MsgType::Discover, 0x50).client_id({0xff, 0xbb, 2})));
    // Both identities match the reservation by MAC: whichever asks last holds it, and each
    // hand-over replaces the other binding rather than leaving two on one address.
    run(Req(MsgType::Request, 0x50).client_id({0xff, 0xaa, 1}).ciaddr("198.18.0.50"));
    EXPECT_EQ(res_.outcome, Outcome::Answered);
    ASSERT_EQ(res_.changed.size(), 2u);
    EXPECT_EQ(res_.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(res_.events[1], LeaseEvent::Granted);
}

TEST_F(EngineTest, NewReservationRetiresTheClientsDynamicLease) {
    // Client 0x50 has a dynamic lease under a client id no reservation names ...
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x51).client_id({7, 7})), "198.18.0.100");
    // ... then shows up with a MAC that is reserved (same client id): it gets the reservation
    // and its dynamic lease goes back to the pool.
    EXPECT_EQ(offer(Req(MsgType::Discover, 0x50).client_id({7, 7})), "198.18.0.50");
    ASSERT_EQ(res_.changed.size(), 2u);
    EXPECT_EQ(res_.events[0], LeaseEvent::Replaced);
    EXPECT_EQ(ip_str(res_.changed[0].ip), "198.18.0.100");
    EXPECT_EQ(lease("198.18.0.100"), nullptr);
}

TEST_F(EngineTest, DeclinedReservationFallsBackToThePool) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x50)), "198.18.0.50");
    run(Req(MsgType::Decline, 0x50).requested("198.18.0.50"));
    ASSERT_EQ(res_.event, LeaseEvent::Declined);
    EXPECT_EQ(dora(Req(MsgType::Discover, 0x50)), "198.18.0.100");
    expire(now_ + 600);
    // Probation over: the reservation applies again; the dynamic lease is replaced.
    EXPECT_EQ(offer(Req(MsgType::Discover, 0x50)), "198.18.0.50");
    EXPECT_EQ(res_.events.front(), LeaseEvent::Replaced);
}

TEST_F(EngineTest, OperatorReleaseAndExpire) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    Lease changed;
    EXPECT_TRUE(engine_.release(ip("198.18.0.100"), now_, changed));
    EXPECT_EQ(changed.state, LeaseState::Released);
    EXPECT_FALSE(engine_.release(ip("198.18.0.100"), now_, changed));
    EXPECT_TRUE(engine_.expire(ip("198.18.0.101"), now_ + 5, changed));
    EXPECT_EQ(changed.state, LeaseState::Expired);
    EXPECT_EQ(changed.expires, now_ + 5);
    EXPECT_FALSE(engine_.expire(ip("198.18.0.102"), now_, changed));
    // The stale heap entry of the expired lease does nothing later.
    EXPECT_TRUE(expire(now_ + 7200).empty());
}

TEST_F(EngineTest, GenerationGrowsWithEveryChange) {
    uint64_t last = 0;
    auto check = [&] {
        for (const Lease& l : res_.changed) {
            EXPECT_GT(l.generation, last);
            last = l.generation;
        }
    };
    run(Req(MsgType::Discover, 1));
    check();
    run(Req(MsgType::Request, 1).server("198.18.0.1").requested("198.18.0.100"));
    check();
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100"));
    check();
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    check();
    EXPECT_GE(last, 4u);
}

TEST_F(EngineTest, ScopeUseCounts) {
    dora(Req(MsgType::Discover, 1));
    dora(Req(MsgType::Discover, 2));
    offer(Req(MsgType::Discover, 3));
    run(Req(MsgType::Decline, 2).requested("198.18.0.101"));
    auto use = engine_.scope_use();
    ASSERT_EQ(use.size(), 4u);
    EXPECT_EQ(use[0].name, "lan");
    EXPECT_EQ(use[0].pool_size, 10u);
    EXPECT_EQ(use[0].bound, 1u);
    EXPECT_EQ(use[0].offered, 1u);
    EXPECT_EQ(use[0].declined, 1u);
    EXPECT_EQ(use[3].pool_size, 3u);
    EXPECT_EQ(engine_.leases().size(), 3u);
}

TEST_F(EngineTest, ResultCapacityIsReused) {
    dora(Req(MsgType::Discover, 1).hostname("a-rather-long-host-name-beyond-sso"));
    const Lease* before = res_.changed.data();
    for (uint8_t i = 2; i < 8; ++i)
        dora(Req(MsgType::Discover, i).hostname("another-long-host-name-x"));
    EXPECT_EQ(res_.changed.data(), before);
}

TEST_F(EngineTest, ManyRenewalsLeaveOneExpiry) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    // Each renewal moves the expiry; the old heap entries are stale and get compacted away.
    for (int i = 0; i < 10000; ++i) {
        ++now_;
        run(Req(MsgType::Request, 1).ciaddr("198.18.0.100"));
        run(Req(MsgType::Request, 1).ciaddr("198.18.0.100"));  // a retransmission, same second
        ASSERT_EQ(res_.event, LeaseEvent::Renewed);
        if (i % 1000 == 0) {
            EXPECT_TRUE(expire(now_).empty());
        }
    }
    EXPECT_TRUE(expire(now_ + 3599).empty());
    auto out = expire(now_ + 3600);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].state, LeaseState::Expired);
    EXPECT_TRUE(expire(now_ + 100000).empty());
}

// ---- restore --------------------------------------------------------------------------------

TEST_F(EngineTest, RestoreRebuildsTheIndexes) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    ASSERT_EQ(dora(Req(MsgType::Discover, 3)), "198.18.0.102");
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x50)), "198.18.0.50");
    ASSERT_EQ(offer(Req(MsgType::Discover, 4)), "198.18.0.103");
    now_ += 5;
    run(Req(MsgType::Release, 2).ciaddr("198.18.0.101"));
    now_ += 5;
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    run(Req(MsgType::Decline, 3).requested("198.18.0.102"));
    std::vector<Lease> stored = engine_.leases();
    ASSERT_EQ(stored.size(), 5u);
    uint64_t max_gen = 0;
    for (const auto& l : stored) max_gen = std::max(max_gen, l.generation);

    LeaseEngine fresh(cfg_);
    // Storage order is not freeing order: restore newest-first.
    std::reverse(stored.begin(), stored.end());
    for (const auto& l : stored) EXPECT_TRUE(fresh.restore(l)) << ip_str(l.ip);
    for (const auto& l : stored) {
        const Lease* r = fresh.find(l.ip);
        ASSERT_NE(r, nullptr);
        EXPECT_EQ(r->state, l.state);
        EXPECT_EQ(r->client, l.client);
        EXPECT_EQ(r->generation, l.generation);
    }
    auto use = fresh.scope_use();
    EXPECT_EQ(use[0].bound, 1u);
    EXPECT_EQ(use[0].offered, 1u);
    EXPECT_EQ(use[0].declined, 1u);

    Result r;
    auto offer_in = [&](LeaseEngine& e, Req q) {
        e.handle(q, now_, r);
        return r.has_reply ? ip_str(decode(r.reply).yiaddr) : std::string();
    };
    // Affinity survives; the restored offer is held; never-used addresses skip restored ones.
    EXPECT_EQ(offer_in(fresh, Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_FALSE(r.changed.empty());
    EXPECT_GT(r.changed.back().generation, max_gen);
    EXPECT_EQ(offer_in(fresh, Req(MsgType::Discover, 4)), "198.18.0.103");
    EXPECT_EQ(offer_in(fresh, Req(MsgType::Discover, 0x50)), "198.18.0.50");
    for (int i = 104; i <= 109; ++i)
        EXPECT_EQ(offer_in(fresh, Req(MsgType::Discover, static_cast<uint8_t>(i))),
                  "198.18.0." + std::to_string(i));
    // Pool used up: the freed address of client 2 (released first) comes next.
    EXPECT_EQ(offer_in(fresh, Req(MsgType::Discover, 77)), "198.18.0.101");
    // Declined and bound addresses are not handed out.
    fresh.handle(Req(MsgType::Discover, 78), now_, r);
    EXPECT_EQ(r.outcome, Outcome::PoolExhausted);
}

TEST_F(EngineTest, RestoreFindsTheScopeByAddressWhenTheStoredIndexNoLongerFits) {
    // Scopes reordered, added or removed since the lease was written: the stored index is a
    // hint, the address (subnets never overlap) decides.
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    Lease stale_index = *lease("198.18.0.100");
    for (uint32_t idx : {1u, 9u, UINT32_MAX}) {
        LeaseEngine fresh(cfg_);
        stale_index.scope = idx;
        ASSERT_TRUE(fresh.restore(stale_index)) << idx;
        const Lease* got = fresh.find(ip("198.18.0.100"));
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(got->scope, 0u);
        EXPECT_EQ(got->state, LeaseState::Bound);
        EXPECT_EQ(got->generation, stale_index.generation);
        // The client keeps its address on renewal in the scope it landed in.
        Result r;
        fresh.handle(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast(), 1000, r);
        EXPECT_EQ(r.outcome, Outcome::Answered) << idx;
        ASSERT_EQ(r.changed.size(), 1u);
        EXPECT_EQ(r.events[0], LeaseEvent::Renewed);
    }
}

TEST_F(EngineTest, RestoreRejectsLeasesThatNoLongerFit) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 0x50)), "198.18.0.50");
    const Lease good = *lease("198.18.0.100");
    const Lease reserved = *lease("198.18.0.50");
    LeaseEngine fresh(cfg_);

    Lease no_subnet = good;
    no_subnet.ip = ip("203.0.113.5");  // in no configured subnet, whatever the stored index says
    no_subnet.scope = 9;
    EXPECT_FALSE(fresh.restore(no_subnet));
    no_subnet.scope = 0;
    EXPECT_FALSE(fresh.restore(no_subnet));
    Lease outside_pools = good;
    outside_pools.ip = ip("198.18.0.20");
    EXPECT_FALSE(fresh.restore(outside_pools));
    Lease reserved_for_other = reserved;
    reserved_for_other.hw = mac(0x66);
    reserved_for_other.client = ClientKey::from_request(Req(MsgType::Discover, 0x66));
    EXPECT_FALSE(fresh.restore(reserved_for_other));
    Lease free_state = good;
    free_state.state = LeaseState::Free;
    EXPECT_FALSE(fresh.restore(free_state));

    EXPECT_TRUE(fresh.restore(good));
    EXPECT_FALSE(fresh.restore(good));  // duplicate address
    EXPECT_TRUE(fresh.restore(reserved));
    EXPECT_EQ(fresh.find(ip("198.18.0.50"))->reservation, 0);
    // Same client twice in one scope: the newer binding wins.
    Lease older = good;
    older.ip = ip("198.18.0.105");
    older.generation = good.generation - 1;
    EXPECT_FALSE(fresh.restore(older));
    Lease newer = good;
    newer.ip = ip("198.18.0.106");
    newer.generation = good.generation + 100;
    EXPECT_TRUE(fresh.restore(newer));
    EXPECT_EQ(fresh.find(ip("198.18.0.100")), nullptr);
    ASSERT_NE(fresh.find(ip("198.18.0.106")), nullptr);
}

TEST_F(EngineTest, RestoredLeasesExpire) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const Lease l = *lease("198.18.0.100");
    LeaseEngine fresh(cfg_);
    ASSERT_TRUE(fresh.restore(l));
    std::vector<Lease> out;
    EXPECT_EQ(fresh.expire_due(now_ + 3599, 10, out), 0u);
    EXPECT_EQ(fresh.expire_due(now_ + 3600, 10, out), 1u);
    EXPECT_EQ(out[0].state, LeaseState::Expired);
    EXPECT_GT(out[0].generation, l.generation);
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
