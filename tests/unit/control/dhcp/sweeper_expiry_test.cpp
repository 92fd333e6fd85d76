// Expiry through the sweeper lcore: expire_if_current() / expire_swept() apply a due entry only
// while it is the lease's current one, the heap backstop never expires a lease twice, and
// timed_entries() seeds the sweeper. The last tests run the whole path (engine -> link ->
// sweeper -> link -> engine) on one thread with a fake clock.
#include <span>

#include "control/sweeper/sweeper.hpp"
#include "control/sweeper/sweeper_link.hpp"
#include "tests/unit/control/dhcp/engine_fixture.hpp"

namespace edgelease::control::dhcp::test {
namespace {

using control::sweeper::ExpiryEntry;

Req tiny(MsgType t, uint8_t who) {
    return std::move(Req(t, who).relay("198.18.3.1"));
}

class SweeperExpiryTest : public EngineTest {
  public:
    /// The entry the control lcore would schedule for the lease at `a` as it is now.
    ExpiryEntry entry_for(std::string_view a) {
        const Lease* l = lease(a);
        EXPECT_NE(l, nullptr) << a;
        ExpiryEntry e{};
        if (l) {
            EXPECT_TRUE(to_expiry_entry(*l, e));
        }
        return e;
    }
    bool expiry(const ExpiryEntry& e, int64_t at) {
        return engine_.expire_if_current(e.lease_ip, e.generation, at, out_, ev_);
    }
    Lease out_;
    LeaseEvent ev_ = LeaseEvent::None;
};

TEST_F(SweeperExpiryTest, CurrentGenerationExpiresBoundToExpired) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry e = entry_for("198.18.0.100");
    EXPECT_EQ(e.lease_ip, ip("198.18.0.100"));
    EXPECT_EQ(e.expires, now_ + 3600);
    EXPECT_EQ(e.generation_lo, static_cast<uint32_t>(e.generation));
    ASSERT_TRUE(expiry(e, now_ + 3600));
    EXPECT_EQ(ev_, LeaseEvent::Expired);
    EXPECT_EQ(out_.state, LeaseState::Expired);
    EXPECT_EQ(out_.ip, e.lease_ip);
    EXPECT_GT(out_.generation, e.generation);
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Expired);
    EXPECT_EQ(engine_.scope_use()[0].bound, 0u);
    EXPECT_FALSE(expiry(e, now_ + 3600));  // a repeated entry is stale now
    // Affinity is kept exactly as after a heap expiry.
    EXPECT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
}

TEST_F(SweeperExpiryTest, NotYetDueIsSkipped) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry e = entry_for("198.18.0.100");
    EXPECT_FALSE(expiry(e, now_ + 3599));
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
    EXPECT_EQ(lease("198.18.0.100")->generation, e.generation);
}

TEST_F(SweeperExpiryTest, RenewedLeaseSkipsTheStaleEntry) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry old = entry_for("198.18.0.100");
    now_ += 1800;
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast());
    ASSERT_EQ(res_.event, LeaseEvent::Renewed);
    const ExpiryEntry renewed = entry_for("198.18.0.100");
    EXPECT_GT(renewed.generation, old.generation);
    EXPECT_EQ(renewed.expires, now_ + 3600);
    EXPECT_FALSE(expiry(old, old.expires));
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
    EXPECT_FALSE(expiry(renewed, renewed.expires - 1));
    EXPECT_TRUE(expiry(renewed, renewed.expires));
}

TEST_F(SweeperExpiryTest, ReleasedOrMissingLeaseIsSkipped) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry e = entry_for("198.18.0.100");
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    ASSERT_EQ(res_.event, LeaseEvent::Released);
    ExpiryEntry none{};
    EXPECT_FALSE(to_expiry_entry(res_.changed[0], none));  // Released: nothing to schedule
    EXPECT_FALSE(expiry(e, e.expires));
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Released);
    EXPECT_FALSE(engine_.expire_if_current(ip("198.18.0.108"), 1, now_ + 99999, out_, ev_));
}

TEST_F(SweeperExpiryTest, OfferExpiresToFree) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(res_.changed.size(), 1u);
    ExpiryEntry e{};
    ASSERT_TRUE(to_expiry_entry(res_.changed[0], e));  // offers are scheduled too
    EXPECT_EQ(e.expires, now_ + 30);
    EXPECT_FALSE(expiry(e, now_ + 29));
    ASSERT_TRUE(expiry(e, now_ + 30));
    EXPECT_EQ(ev_, LeaseEvent::OfferExpired);
    EXPECT_EQ(out_.state, LeaseState::Free);
    EXPECT_EQ(lease("198.18.0.100"), nullptr);
    EXPECT_EQ(engine_.scope_use()[0].offered, 0u);
}

TEST_F(SweeperExpiryTest, OfferOverOwnReleasedBindingExpiresBackToIt) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    run(Req(MsgType::Release, 1).ciaddr("198.18.0.100"));
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry e = entry_for("198.18.0.100");
    ASSERT_TRUE(expiry(e, e.expires));
    EXPECT_EQ(ev_, LeaseEvent::OfferExpired);
    EXPECT_EQ(out_.state, LeaseState::Released);  // affinity kept
    EXPECT_EQ(offer(Req(MsgType::Discover, 2)), "198.18.0.101");
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
}

TEST_F(SweeperExpiryTest, OfferTakenUpMakesTheOfferEntryStale) {
    EXPECT_EQ(offer(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry offered = entry_for("198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_FALSE(expiry(offered, offered.expires));
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
}

TEST_F(SweeperExpiryTest, DeclinedAddressIsFreedAtTheEndOfProbation) {
    ASSERT_EQ(dora(tiny(MsgType::Discover, 1)), "198.18.3.10");
    run(tiny(MsgType::Decline, 1).requested("198.18.3.10").server("198.18.9.1"));
    ASSERT_EQ(res_.event, LeaseEvent::Declined);
    ExpiryEntry e{};
    ASSERT_TRUE(to_expiry_entry(res_.changed[0], e));
    EXPECT_EQ(e.expires, now_ + 300);
    EXPECT_FALSE(expiry(e, now_ + 299));
    ASSERT_TRUE(expiry(e, now_ + 300));
    EXPECT_EQ(ev_, LeaseEvent::Expired);
    EXPECT_EQ(out_.state, LeaseState::Free);
    EXPECT_EQ(lease("198.18.3.10"), nullptr);
    EXPECT_EQ(engine_.scope_use()[3].declined, 0u);
    EXPECT_EQ(offer(tiny(MsgType::Discover, 3)), "198.18.3.11");
}

TEST_F(SweeperExpiryTest, AlreadyExpiredByTheHeapIsSkipped) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    const ExpiryEntry e = entry_for("198.18.0.100");
    ASSERT_EQ(expire(e.expires).size(), 1u);
    EXPECT_FALSE(expiry(e, e.expires));
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Expired);
}

TEST_F(SweeperExpiryTest, HeapDoesNotExpireAgainWhatTheSweeperExpired) {
    // One of each timed state, all expired through the sweeper path; then the heap backstop,
    // run long after, finds nothing (its entries are stale) and the counts stay right.
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");   // Bound
    EXPECT_EQ(offer(Req(MsgType::Discover, 2)), "198.18.0.101");  // Offered
    ASSERT_EQ(dora(Req(MsgType::Discover, 3)), "198.18.0.102");
    run(Req(MsgType::Release, 3).ciaddr("198.18.0.102"));
    EXPECT_EQ(offer(Req(MsgType::Discover, 3)), "198.18.0.102");  // Offered over Released
    ASSERT_EQ(dora(tiny(MsgType::Discover, 4)), "198.18.3.10");
    run(tiny(MsgType::Decline, 4).requested("198.18.3.10"));  // Declined
    std::vector<ExpiryEntry> seed;
    engine_.timed_entries(seed);
    ASSERT_EQ(seed.size(), 4u);
    std::vector<Lease> changed;
    std::vector<LeaseEvent> events;
    std::vector<ExpiryEntry> early;
    auto c = engine_.expire_swept(seed, now_ + 3600, changed, events, early);
    EXPECT_EQ(c.expired, 4u);
    EXPECT_EQ(c.stale, 0u);
    EXPECT_EQ(c.early, 0u);
    ASSERT_EQ(changed.size(), 4u);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_TRUE(expire(now_ + 100000).empty());
    for (const auto& u : engine_.scope_use()) {
        EXPECT_EQ(u.bound, 0u) << u.name;
        EXPECT_EQ(u.offered, 0u) << u.name;
        EXPECT_EQ(u.declined, 0u) << u.name;
    }
    EXPECT_EQ(lease("198.18.0.102")->state, LeaseState::Released);
    // A lease expired by the sweeper and bound again is timed by the heap anew.
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    EXPECT_TRUE(expire(now_ + 3599).empty());
    EXPECT_EQ(expire(now_ + 3600).size(), 1u);
}

TEST_F(SweeperExpiryTest, ExpireSweptSortsStaleEarlyAndDue) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    ASSERT_EQ(dora(Req(MsgType::Discover, 3)), "198.18.0.102");
    const ExpiryEntry a = entry_for("198.18.0.100");
    const ExpiryEntry stale = entry_for("198.18.0.101");
    now_ += 10;
    run(Req(MsgType::Request, 2).ciaddr("198.18.0.101").unicast());
    run(Req(MsgType::Request, 3).ciaddr("198.18.0.102").unicast());
    const ExpiryEntry late = entry_for("198.18.0.102");  // expires 10 s after `a`
    const ExpiryEntry due[] = {a, stale, late, ExpiryEntry{ip("198.18.0.150"), 1, 0, 1}};
    std::vector<Lease> changed;
    std::vector<LeaseEvent> events;
    std::vector<ExpiryEntry> early;
    auto c =
        engine_.expire_swept(std::span<const ExpiryEntry>(due), a.expires, changed, events, early);
    EXPECT_EQ(c.expired, 1u);
    EXPECT_EQ(c.stale, 2u);
    EXPECT_EQ(c.early, 1u);
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].ip, a.lease_ip);
    EXPECT_EQ(changed[0].state, LeaseState::Expired);
    EXPECT_EQ(events[0], LeaseEvent::Expired);
    ASSERT_EQ(early.size(), 1u);
    EXPECT_EQ(early[0].lease_ip, late.lease_ip);
}

TEST_F(SweeperExpiryTest, TimedEntriesAfterRestore) {
    ASSERT_EQ(dora(Req(MsgType::Discover, 1)), "198.18.0.100");
    ASSERT_EQ(dora(Req(MsgType::Discover, 2)), "198.18.0.101");
    run(Req(MsgType::Release, 2).ciaddr("198.18.0.101"));
    std::vector<Lease> stored = engine_.leases();
    LeaseEngine fresh(cfg_);
    for (const auto& l : stored) ASSERT_TRUE(fresh.restore(l));
    std::vector<ExpiryEntry> seed;
    fresh.timed_entries(seed);
    ASSERT_EQ(seed.size(), 1u);  // the Released one has nothing to time
    EXPECT_EQ(seed[0].lease_ip, ip("198.18.0.100"));
    EXPECT_EQ(seed[0].generation, lease("198.18.0.100")->generation);
    Lease out;
    LeaseEvent ev{};
    EXPECT_TRUE(
        fresh.expire_if_current(seed[0].lease_ip, seed[0].generation, seed[0].expires, out, ev));
    EXPECT_EQ(out.state, LeaseState::Expired);
}

// ---- the whole path, one thread, fake clock ------------------------------------------------

/// Runs what the two lcores would: the control side schedules every timed change and applies
/// due entries; the sweeper ticks. Returns the leases expired at `t`.
class Pipeline {
  public:
    Pipeline(LeaseEngine& engine, int64_t t0) : engine_(engine), link_(64), sweeper_(link_, t0) {}

    void schedule(const std::vector<Lease>& changed) {
        ExpiryEntry e{};
        for (const auto& l : changed)
            if (to_expiry_entry(l, e)) link_.schedule(e);
    }
    std::vector<Lease> run(int64_t t) {
        std::vector<Lease> changed;
        std::vector<LeaseEvent> events;
        std::vector<ExpiryEntry> early;
        ExpiryEntry buf[16];
        for (int i = 0; i < 100; ++i) {  // a few rounds of both loops, small batches
            link_.flush(16);
            sweeper_.tick(t);
            const size_t n = link_.take_due(buf, 16);
            engine_.expire_swept(std::span<const ExpiryEntry>(buf, n), t, changed, events, early);
        }
        EXPECT_TRUE(early.empty());
        return changed;
    }

  private:
    LeaseEngine& engine_;
    control::sweeper::SweeperLink link_;
    control::sweeper::Sweeper sweeper_;
};

TEST_F(SweeperExpiryTest, PipelineExpiresOnlyTheCurrentBinding) {
    Pipeline p(engine_, now_);
    const int64_t t0 = now_;
    for (uint8_t i = 1; i <= 5; ++i) {
        DhcpRequest d = Req(MsgType::Discover, i);
        run(d);
        p.schedule(res_.changed);
        const Decoded o = reply();
        DhcpRequest r = Req(MsgType::Request, i);
        r.server_id = o.u32(54);
        r.requested_ip = o.yiaddr;
        run(r);
        p.schedule(res_.changed);
    }
    // Client 1 renews half-way; client 2 releases.
    now_ = t0 + 1800;
    run(Req(MsgType::Request, 1).ciaddr("198.18.0.100").unicast());
    p.schedule(res_.changed);
    run(Req(MsgType::Release, 2).ciaddr("198.18.0.101"));
    p.schedule(res_.changed);

    EXPECT_TRUE(p.run(t0 + 29).empty());
    EXPECT_TRUE(p.run(t0 + 30).empty());  // the offers' entries: all stale (taken up)
    EXPECT_TRUE(p.run(t0 + 3599).empty());
    auto expired = p.run(t0 + 3600);
    ASSERT_EQ(expired.size(), 3u);  // clients 3, 4, 5
    for (const auto& l : expired) {
        EXPECT_EQ(l.state, LeaseState::Expired);
        EXPECT_NE(ip_str(l.ip), "198.18.0.100");
        EXPECT_NE(ip_str(l.ip), "198.18.0.101");
    }
    EXPECT_EQ(lease("198.18.0.100")->state, LeaseState::Bound);
    auto renewed = p.run(t0 + 1800 + 3600);
    ASSERT_EQ(renewed.size(), 1u);
    EXPECT_EQ(ip_str(renewed[0].ip), "198.18.0.100");
    EXPECT_TRUE(expire(t0 + 100000).empty());  // the heap backstop has nothing left to do
}

}  // namespace
}  // namespace edgelease::control::dhcp::test
