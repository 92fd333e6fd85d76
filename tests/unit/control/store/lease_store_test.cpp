#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "control/store/lease_codec.hpp"
#include "control/store/lease_store.hpp"
#include "tests/unit/temp_dir.hpp"

using namespace edgelease;

namespace {

control::dhcp::Lease sample(uint32_t ip) {
    control::dhcp::Lease l;
    l.ip = ip;
    l.scope = 2;
    l.client.kind = control::dhcp::ClientKey::ClientId;
    l.client.len = 7;
    for (uint8_t i = 0; i < 7; ++i) l.client.bytes[i] = static_cast<uint8_t>(i + 1);
    l.hw = net::MacAddr{{0x02, 0, 0, 0, 0x12, static_cast<uint8_t>(ip)}};
    l.hostname = "host-" + std::to_string(ip & 0xff);
    l.state = control::dhcp::LeaseState::Bound;
    l.start = 1795000000;
    l.expires = 1795003600;
    l.generation = 42;
    l.reservation = -1;
    l.circuit_id = {'p', 'o', 'r', 't'};
    return l;
}

/// Queues `l` as write `seq`, wakes the writer as the control lcore does after a poll, and
/// waits (at most 30 s) until done_seq() reaches `seq`. The caller asserts on done_seq().
void write_and_wait(control::store::LeaseStore& s, const control::dhcp::Lease& l, uint64_t seq) {
    ASSERT_TRUE(s.enqueue(l, seq));
    s.wake();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (s.done_seq() < seq && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void expect_same(const control::dhcp::Lease& a, const control::dhcp::Lease& b) {
    EXPECT_EQ(a.ip, b.ip);
    EXPECT_EQ(a.scope, b.scope);
    EXPECT_TRUE(a.client == b.client);
    EXPECT_EQ(a.hw, b.hw);
    EXPECT_EQ(a.hostname, b.hostname);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.expires, b.expires);
    EXPECT_EQ(a.generation, b.generation);
    EXPECT_EQ(a.reservation, b.reservation);
    EXPECT_EQ(a.circuit_id, b.circuit_id);
    EXPECT_EQ(a.remote_id, b.remote_id);
}

using edgelease::test::TempDir;

}  // namespace

TEST(LeaseCodec, RoundTrips) {
    auto l = sample(0xC6120064);
    std::vector<uint8_t> bytes;
    control::store::encode_lease(l, bytes);
    auto back = control::store::decode_lease(bytes.data(), bytes.size());
    ASSERT_TRUE(back);
    expect_same(l, *back);
}

TEST(LeaseCodec, RejectsTruncatedTrailingAndUnknownVersions) {
    std::vector<uint8_t> bytes;
    control::store::encode_lease(sample(1), bytes);
    for (size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(control::store::decode_lease(bytes.data(), n)) << n;
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(control::store::decode_lease(longer.data(), longer.size()));
    auto other = bytes;
    other[0] = 99;
    EXPECT_FALSE(control::store::decode_lease(other.data(), other.size()));
}

TEST(LeaseStore, GroupCommitsAndSurvivesReopen) {
    TempDir dir;
    const uint32_t n = 5000;
    {
        control::store::LeaseStore s(dir.str(), true);
        s.start();
        uint64_t seq = 0;
        for (uint32_t i = 0; i < n; ++i) {
            while (!s.enqueue(sample(0xC6120000 + i), ++seq))
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            s.wake();  // as the control lcore does after each poll that queued something
        }
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < n && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(s.done_seq(), n);
        control::store::FailedRange none;
        EXPECT_FALSE(s.take_failed(none));
        EXPECT_EQ(s.stats().records.load(), n);
        // Grouped: far fewer commits than records.
        EXPECT_LT(s.stats().commits.load(), n);
        std::printf("%llu records in %llu commits\n",
                    static_cast<unsigned long long>(s.stats().records.load()),
                    static_cast<unsigned long long>(s.stats().commits.load()));
    }
    size_t skipped = 99;
    auto leases = control::store::read_leases(dir.str(), skipped);
    EXPECT_EQ(skipped, 0u);
    ASSERT_EQ(leases.size(), n);
    expect_same(leases[7], sample(0xC6120007));  // keys are big-endian addresses: sorted
    control::store::LeaseStore again(dir.str(), true);
    EXPECT_EQ(again.load(skipped).size(), n);
}

/// The process's resident file-backed memory (RssFile), in KiB.
size_t rss_file_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("RssFile:", 0) == 0) return std::stoul(line.substr(8));
    return 0;
}

TEST(LeaseStore, AStartUpScanLeavesTheStorePagesUnmapped) {
    TempDir dir;
    const uint32_t n = 30000;
    {
        control::store::LeaseStore s(dir.str(), false);
        s.start();
        for (uint32_t i = 0; i < n; ++i) {
            while (!s.enqueue(sample(0xC6120000 + i), i + 1))
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            s.wake();
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < n && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_EQ(s.done_seq(), n);
    }
    const auto data = std::filesystem::file_size(std::filesystem::path(dir.str()) / "data.mdb");
    ASSERT_GT(data, size_t{2} << 20) << "the store must be larger than the slack allowed below";
    control::store::LeaseStore again(dir.str(), false);
    size_t skipped = 9;
    size_t count = 0;
    size_t stored = 0;
    // A first scan maps this program's own code for it (file pages too); the second is measured.
    again.load_each([&](const control::dhcp::Lease&) { ++count; }, skipped, stored);
    ASSERT_EQ(count, n);
    count = 0;
    const size_t before = rss_file_kib();
    again.load_each([&](const control::dhcp::Lease&) { ++count; }, skipped, stored);
    const size_t after = rss_file_kib();
    EXPECT_EQ(count, n);
    // Every page was read through the map; they stay in the page cache, not in this process.
    EXPECT_LT(after, before + 1024) << "RssFile " << before << " -> " << after << " KiB after "
                                    << (data >> 10) << " KiB were read";
}

TEST(LeaseStore, ALoneWriteIsDoneOnlyAfterItsMetaPageIsFlushed) {
    // Durability fsync runs LMDB with MDB_NOMETASYNC: a commit leaves its meta page to the
    // next flush. With nothing behind it, the writer flushes it itself before done_seq()
    // passes the write, and the write is on disk when done_seq() says so.
    TempDir dir;
    control::store::LeaseStore s(dir.str(), true);
    s.start();
    write_and_wait(s, sample(0xC6120001), 1);
    ASSERT_EQ(s.done_seq(), 1u);
    EXPECT_EQ(s.stats().commits.load(), 1u);
    EXPECT_EQ(s.stats().meta_syncs.load(), 1u);
    size_t skipped = 0;
    auto leases = control::store::read_leases(dir.str(), skipped);
    ASSERT_EQ(leases.size(), 1u);
    EXPECT_EQ(leases[0].ip, 0xC6120001u);
}

TEST(LeaseStore, WaitDoneReturnsOnceTheWriteIsDurableAndTimesOutOtherwise) {
    // What an operator's release through the API waits for before it answers.
    TempDir dir;
    control::store::LeaseStore s(dir.str(), true);
    s.start();
    EXPECT_FALSE(s.wait_done(1, std::chrono::milliseconds(20))) << "nothing queued yet";
    ASSERT_TRUE(s.enqueue(sample(0xC6120001), 1));
    s.wake();
    ASSERT_TRUE(s.wait_done(1, std::chrono::seconds(5)));
    size_t skipped = 0;
    EXPECT_EQ(control::store::read_leases(dir.str(), skipped).size(), 1u) << "on disk by then";
    EXPECT_FALSE(s.wait_done(2, std::chrono::milliseconds(20)));
}

TEST(LeaseStore, ABatchThatChangesNothingIsDoneWithoutAFlushOrACommit) {
    // A expired offer queues a delete of a key that was never stored. LMDB commits such a
    // transaction without writing or flushing anything, so it must not count as the flush
    // that makes an earlier commit durable; on its own it is done at once.
    TempDir dir;
    control::store::LeaseStore s(dir.str(), true);
    s.start();
    auto gone = sample(0xC6120009);
    gone.state = control::dhcp::LeaseState::Free;
    write_and_wait(s, gone, 1);
    ASSERT_EQ(s.done_seq(), 1u);
    EXPECT_EQ(s.stats().commits.load(), 0u);
    EXPECT_EQ(s.stats().meta_syncs.load(), 0u);
    control::store::FailedRange none;
    EXPECT_FALSE(s.take_failed(none));
    // A real write after it still gets its flush.
    write_and_wait(s, sample(0xC612000A), 2);
    ASSERT_EQ(s.done_seq(), 2u);
    EXPECT_EQ(s.stats().commits.load(), 1u);
    EXPECT_EQ(s.stats().meta_syncs.load(), 1u);
}

TEST(LeaseStore, DurabilityOsNeedsNoMetaFlush) {
    TempDir dir;
    control::store::LeaseStore s(dir.str(), false);
    s.start();
    write_and_wait(s, sample(0xC6120001), 1);
    ASSERT_EQ(s.done_seq(), 1u);
    EXPECT_EQ(s.stats().meta_syncs.load(), 0u);
}

TEST(LeaseStore, WakeIsCountedOnlyWhenTheWriterSlept) {
    TempDir dir;
    control::store::LeaseStore s(dir.str(), false);
    s.start();
    // The writer goes to sleep on its bell once the queue is empty (it starts empty).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    uint64_t seq = 0;
    while (s.stats().wakeups.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        ASSERT_NO_FATAL_FAILURE(write_and_wait(s, sample(0xC6120001), ++seq));
    }
    EXPECT_GE(s.stats().wakeups.load(), 1u);
    EXPECT_EQ(s.done_seq(), seq);
}

TEST(LeaseStore, LaterWriteOfTheSameAddressWins) {
    TempDir dir;
    {
        control::store::LeaseStore s(dir.str(), false);
        s.start();
        auto l = sample(0xC6120010);
        ASSERT_TRUE(s.enqueue(l, 1));
        l.state = control::dhcp::LeaseState::Released;
        l.generation = 43;
        ASSERT_TRUE(s.enqueue(l, 2));
    }  // the destructor drains and commits
    size_t skipped = 0;
    auto leases = control::store::read_leases(dir.str(), skipped);
    ASSERT_EQ(leases.size(), 1u);
    EXPECT_EQ(leases[0].state, control::dhcp::LeaseState::Released);
    EXPECT_EQ(leases[0].generation, 43u);
}

TEST(LeaseStore, FullMapFailsBatchesAndReportsEveryFailedRange) {
    TempDir dir;
    constexpr uint32_t n = 4000;
    std::vector<control::store::FailedRange> failed;
    {
        // 64 KiB: a few hundred records fit; the rest must fail, each batch reported once.
        control::store::LeaseStore s(dir.str(), false, 64 * 1024);
        s.start();
        uint64_t seq = 0;
        for (uint32_t i = 0; i < n; ++i) {
            // Slowly enough that the writer makes many batches, several of them failing.
            if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            while (!s.enqueue(sample(0xC6120000 + i), ++seq))
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            s.wake();  // as the control lcore does after each poll that queued something
        }
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < n && std::chrono::steady_clock::now() < deadline) {
            for (control::store::FailedRange r; s.take_failed(r);) failed.push_back(r);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_EQ(s.done_seq(), n);
        for (control::store::FailedRange r; s.take_failed(r);) failed.push_back(r);
        EXPECT_GT(s.stats().map_full.load(), 1u);
        EXPECT_EQ(s.stats().failures.load(), failed.size());
        EXPECT_EQ(s.stats().map_resizes.load(), 0u);  // already at its maximum
    }
    ASSERT_GT(failed.size(), 1u);
    auto in_failed = [&](uint64_t seq) {
        for (const auto& r : failed)
            if (seq >= r.from && seq <= r.to) return true;
        return false;
    };
    for (size_t i = 1; i < failed.size(); ++i) EXPECT_GT(failed[i].from, failed[i - 1].to);
    // Exactly the writes outside the failed ranges are on disk (seq i+1 wrote lease i).
    size_t skipped = 0;
    std::set<uint32_t> stored;
    for (const auto& l : control::store::read_leases(dir.str(), skipped)) stored.insert(l.ip);
    size_t ok = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const bool on_disk = stored.count(0xC6120000 + i) != 0;
        EXPECT_EQ(on_disk, !in_failed(i + 1)) << i;
        ok += on_disk ? 1 : 0;
    }
    EXPECT_GT(ok, 0u);
    EXPECT_LT(ok, n);
}

TEST(LeaseStore, UnwritableDirectoryIsAClearError) {
    try {
        control::store::LeaseStore s("/proc/edgelease-cannot-be-here", true);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/edgelease-cannot-be-here"), std::string::npos)
            << e.what();
    }
}

namespace {

control::dhcp::Lease6 sample6(uint8_t last, control::dhcp::IaKind kind) {
    control::dhcp::Lease6 l;
    l.key.kind = kind;
    l.key.prefix_len = kind == control::dhcp::IaKind::Na ? 128 : 56;
    l.key.addr =
        *net::parse_ipv6(kind == control::dhcp::IaKind::Na ? "2001:db8::1000" : "2001:db8:8000::");
    l.key.addr.bytes[kind == control::dhcp::IaKind::Na ? 15 : 6] = last;
    l.scope = 1;
    l.duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, last};
    l.iaid = 7;
    l.has_hw = true;
    l.hw = net::MacAddr{{2, 0, 0, 0, 0, last}};
    l.hostname = kind == control::dhcp::IaKind::Na ? "vm-" + std::to_string(last) : "";
    l.state = control::dhcp::LeaseState::Bound;
    l.start = 1795000000;
    l.expires = 1795003600;
    l.preferred = 1800;
    l.valid = 3600;
    l.generation = (uint64_t{1} << 62) + last;
    l.remote_id = {0, 0, 0, 9, 'r'};
    l.interface_id = {'e', 't', 'h', '0'};
    l.no_dns = true;
    return l;
}

void expect_same6(const control::dhcp::Lease6& a, const control::dhcp::Lease6& b) {
    EXPECT_TRUE(a.key == b.key);
    EXPECT_EQ(a.scope, b.scope);
    EXPECT_EQ(a.duid, b.duid);
    EXPECT_EQ(a.iaid, b.iaid);
    EXPECT_EQ(a.has_hw, b.has_hw);
    EXPECT_EQ(a.hw, b.hw);
    EXPECT_EQ(a.hostname, b.hostname);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.start, b.start);
    EXPECT_EQ(a.expires, b.expires);
    EXPECT_EQ(a.preferred, b.preferred);
    EXPECT_EQ(a.valid, b.valid);
    EXPECT_EQ(a.generation, b.generation);
    EXPECT_EQ(a.reservation, b.reservation);
    EXPECT_EQ(a.remote_id, b.remote_id);
    EXPECT_EQ(a.interface_id, b.interface_id);
    EXPECT_EQ(a.no_dns, b.no_dns);
}

}  // namespace

TEST(LeaseCodec, V6RoundTripsAndRejectsDamage) {
    for (auto kind : {control::dhcp::IaKind::Na, control::dhcp::IaKind::Pd}) {
        const auto l = sample6(5, kind);
        uint8_t buf[control::store::kMaxEncodedLease];
        const size_t n = control::store::encode_lease6(l, buf, sizeof buf);
        ASSERT_GT(n, 0u);
        auto back = control::store::decode_lease6(buf, n);
        ASSERT_TRUE(back);
        expect_same6(l, *back);
        for (size_t cut = 0; cut < n; ++cut)
            EXPECT_FALSE(control::store::decode_lease6(buf, cut)) << "truncated at " << cut;
        buf[0] = 99;
        EXPECT_FALSE(control::store::decode_lease6(buf, n)) << "unknown version";
    }
    // The largest lease the engine makes fits the fixed buffer of a queued write.
    auto big = sample6(1, control::dhcp::IaKind::Na);
    big.duid = std::vector<uint8_t>(control::dhcp::kMaxDuid, 0xab);
    big.hostname.assign(63, 'h');
    big.remote_id = std::vector<uint8_t>(128, 1);
    big.interface_id = std::vector<uint8_t>(128, 2);
    uint8_t buf[control::store::kMaxEncodedLease];
    EXPECT_GT(control::store::encode_lease6(big, buf, sizeof buf), 0u);
}

TEST(LeaseStore, V6LeasesShareTheGroupCommitAndSurviveReopen) {
    TempDir dir;
    std::vector<uint8_t> duid;
    {
        control::store::LeaseStore s(dir.path(), true);
        duid = s.server_duid(net::MacAddr{{2, 0, 0, 0, 0, 1}}, 1795000000);
        ASSERT_EQ(duid.size(), 14u);
        EXPECT_EQ(duid[1], 1) << "DUID-LLT";
        EXPECT_EQ(duid[13], 1);
        s.start();
        ASSERT_TRUE(s.enqueue6(sample6(1, control::dhcp::IaKind::Na), 1));
        ASSERT_TRUE(s.enqueue(sample(0xc6120001), 2));
        ASSERT_TRUE(s.enqueue6(sample6(1, control::dhcp::IaKind::Pd), 3));
        ASSERT_TRUE(s.enqueue6(sample6(2, control::dhcp::IaKind::Na), 4));
        auto gone = sample6(2, control::dhcp::IaKind::Na);
        gone.state = control::dhcp::LeaseState::Free;  // deletes the record
        ASSERT_TRUE(s.enqueue6(gone, 5));
        s.wake();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (s.done_seq() < 5 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_EQ(s.done_seq(), 5u);
    }
    control::store::LeaseStore s(dir.path(), true);
    EXPECT_EQ(s.server_duid(net::MacAddr{{2, 0, 0, 0, 0, 9}}, 1999999999), duid)
        << "made once, then kept: another MAC or time changes nothing";
    size_t skipped = 9;
    auto v6 = s.load6(skipped);
    EXPECT_EQ(skipped, 0u);
    ASSERT_EQ(v6.size(), 2u);
    // Sorted by key: the address (2001:db8::…) before the prefix (2001:db8:8000::…).
    expect_same6(v6[0], sample6(1, control::dhcp::IaKind::Na));
    expect_same6(v6[1], sample6(1, control::dhcp::IaKind::Pd));
    EXPECT_EQ(s.load(skipped).size(), 1u) << "v4 and v6 leases live side by side";
    EXPECT_EQ(control::store::read_leases6(dir.path(), skipped).size(), 2u);
}
