// What a clean stop leaves for the next start (control/store: LeaseStore::last_txn and stop,
// RecordStore's CleanStop mark): the lease store's transaction id moves with every commit and
// only then; the record store's mark is read once, and gone (durably) from then on.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "control/store/lease_store.hpp"
#include "control/store/record_store.hpp"
#include "tests/unit/temp_dir.hpp"

using namespace edgelease;
using edgelease::test::TempDir;

namespace {

control::dhcp::Lease bound(uint32_t ip) {
    control::dhcp::Lease l;
    l.ip = ip;
    l.client.kind = control::dhcp::ClientKey::ClientId;
    l.client.len = 2;
    l.client.bytes[0] = 1;
    l.client.bytes[1] = static_cast<uint8_t>(ip);
    l.state = control::dhcp::LeaseState::Bound;
    l.start = 1795000000;
    l.expires = 1795003600;
    return l;
}

bool wait_done(const control::store::LeaseStore& s, uint64_t seq) {
    return s.wait_done(seq, std::chrono::seconds(30));
}

}  // namespace

TEST(CleanStop, TheLeaseStoresTransactionMovesWithEveryCommitAndSurvivesReopening) {
    TempDir dir;
    uint64_t after_open = 0, after_write = 0;
    {
        control::store::LeaseStore s(dir.str(), true);
        after_open = s.last_txn();
        s.start();
        ASSERT_TRUE(s.enqueue(bound(0xC6120001), 1));
        s.wake();
        ASSERT_TRUE(wait_done(s, 1));
        after_write = s.last_txn();
        EXPECT_GT(after_write, after_open) << "a commit moves it";
        EXPECT_TRUE(s.stop()) << "everything queued is on disk, nothing failed";
        EXPECT_EQ(s.last_txn(), after_write) << "stopping commits nothing more";
        EXPECT_TRUE(s.stop()) << "idempotent";
    }
    control::store::LeaseStore again(dir.str(), true);
    EXPECT_EQ(again.last_txn(), after_write) << "the same stored leases, the same id";
}

TEST(CleanStop, TheMarkIsReadOnceAndIsGoneForTheNextStart) {
    TempDir dir;
    {
        control::store::RecordStore rs(dir.str(), true, 100);
        EXPECT_FALSE(rs.take_clean_stop().has_value()) << "a new store has no mark";
        rs.start();
        EXPECT_TRUE(rs.stop());
        rs.write_clean_stop({7, 0x1234567890abcdefULL});
    }
    {
        control::store::RecordStore rs(dir.str(), true, 100);
        auto mark = rs.take_clean_stop();
        ASSERT_TRUE(mark.has_value());
        EXPECT_EQ(mark->lease_txn, 7u);
        EXPECT_EQ(mark->config_hash, 0x1234567890abcdefULL);
        // This run crashes here: no stop, no new mark.
    }
    control::store::RecordStore rs(dir.str(), true, 100);
    EXPECT_FALSE(rs.take_clean_stop().has_value())
        << "taken at the last start: a crash after it must not find it";
}

TEST(CleanStop, ARecordStoreStopsCleanOnlyWithEveryChangeCommitted) {
    TempDir dir;
    control::store::RecordStore rs(dir.str(), false, 100);
    rs.start();
    control::zone::AuditEvent e;
    e.name = "x.lan.";
    for (int i = 0; i < 1000; ++i) rs.audit(e);
    EXPECT_TRUE(rs.stop()) << "stop drains the queue before it joins the writer";
    EXPECT_EQ(rs.read_audit(2000, "").size(), 100u) << "all written (the audit log keeps 100)";
    EXPECT_EQ(rs.stats().writes.load(), 1000u);
}

TEST(CleanStop, ARecordStoreThatNeverStartedDoesNotStopClean) {
    TempDir dir;
    control::store::RecordStore rs(dir.str(), false, 100);
    control::zone::AuditEvent e;
    rs.audit(e);
    EXPECT_FALSE(rs.stop()) << "a change was queued and no writer ever took it";
}

namespace {

control::zone::StoredRecord a_record(uint8_t last) {
    control::zone::StoredRecord r;
    r.rr.owner = {4, 'h', 'o', 's', 't', 3, 'l', 'a', 'n', 0};
    r.rr.type = dns::rrtype::A;
    r.rr.klass = dns::rrclass::IN;
    r.rr.ttl = 60;
    r.rr.rdata = {198, 18, 0, last};
    r.prov.origin = control::zone::Origin::Dhcp;
    return r;
}

/// Runs `fn` on a started store, stops it cleanly, and returns the mark the next start
/// finds (the store reopened).
template <class Fn>
std::optional<control::store::CleanStop> mark_after(const std::string& dir, Fn fn) {
    {
        control::store::RecordStore rs(dir, false, 100);
        (void)rs.take_clean_stop();
        rs.start();
        fn(rs);
        EXPECT_TRUE(rs.stop());
    }
    control::store::RecordStore rs(dir, false, 100);
    return rs.take_clean_stop();
}

}  // namespace

TEST(CleanStop, ASettledMomentsMarkLastsUntilTheNextChange) {
    TempDir dir;
    auto m = mark_after(dir.str(), [](control::store::RecordStore& rs) {
        rs.put(a_record(1));
        rs.mark_consistent({11, 22});
    });
    ASSERT_TRUE(m.has_value()) << "nothing changed after it";
    EXPECT_EQ(m->lease_txn, 11u);
    EXPECT_EQ(m->config_hash, 22u);

    m = mark_after(dir.str(), [](control::store::RecordStore& rs) {
        rs.mark_consistent({11, 22});
        rs.put(a_record(2));  // queued behind the mark: may even land in the same commit
    });
    EXPECT_FALSE(m.has_value()) << "a record written after the mark takes it away";

    m = mark_after(dir.str(), [](control::store::RecordStore& rs) {
        rs.mark_consistent({11, 22});
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(10)));
        rs.erase(a_record(1).rr);  // in a later commit
    });
    EXPECT_FALSE(m.has_value()) << "so does a deletion in a later commit";

    m = mark_after(dir.str(), [](control::store::RecordStore& rs) {
        rs.mark_consistent({12, 22});
        control::zone::AuditEvent e;
        e.name = "host.lan.";
        rs.audit(e);
    });
    ASSERT_TRUE(m.has_value()) << "audit events change no record";
    EXPECT_EQ(m->lease_txn, 12u);
}

TEST(CleanStop, TheSettledMarkOutlivesTheChangesAfterItUntilTheNextMark) {
    TempDir dir;
    {
        control::store::RecordStore rs(dir.str(), false, 100);
        EXPECT_FALSE(rs.settled_mark().has_value()) << "a new store has none";
        (void)rs.take_clean_stop();
        rs.start();
        rs.mark_consistent({11, 22, 100, (uint64_t{1} << 62) + 5});
        rs.put(a_record(3));  // a change after it: the clean-stop mark goes, this one stays
        ASSERT_TRUE(rs.wait_idle(std::chrono::seconds(10)));
        // A crash from here: no stop(), no clean-stop mark written.
    }
    {
        control::store::RecordStore rs(dir.str(), false, 100);
        EXPECT_FALSE(rs.take_clean_stop().has_value());
        auto s = rs.settled_mark();
        ASSERT_TRUE(s.has_value());
        EXPECT_EQ(s->lease_txn, 11u);
        EXPECT_EQ(s->config_hash, 22u);
        EXPECT_EQ(s->generation4, 100u);
        EXPECT_EQ(s->generation6, (uint64_t{1} << 62) + 5);
        EXPECT_TRUE(rs.settled_mark().has_value()) << "read, not taken";
        rs.start();
        rs.mark_consistent({12, 22, 140, (uint64_t{1} << 62) + 9});
        EXPECT_TRUE(rs.stop());
        rs.write_clean_stop({13, 22, 150, (uint64_t{1} << 62) + 9});
    }
    control::store::RecordStore rs(dir.str(), false, 100);
    auto c = rs.take_clean_stop();
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->generation4, 150u) << "a clean stop carries the generations too";
    EXPECT_EQ(rs.settled_mark()->generation4, 150u) << "and is the newest settled moment";
}
