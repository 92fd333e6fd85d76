// Listing leases in pages (app/lease_pages.hpp) while they change: 100,000 leases in pages of
// 1,000, with leases released, expired and added between pages. Every lease that lives
// throughout comes back exactly once, every page is in address order and follows its cursor.
#include "app/lease_pages.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config/config.hpp"
#include "control/dhcp/lease_engine.hpp"

namespace edgelease::app {
namespace {

using control::dhcp::Lease;
using control::dhcp::LeaseEngine;
using control::dhcp::LeaseState;

constexpr const char* kConfig = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/15"]

[[dhcp.scopes]]
name = "big"
subnet = "198.18.0.0/15"
pools = ["198.18.0.10-198.19.255.250"]
lease_time = "1h"
)";

/// Family4 of the API, over an engine instead of the DHCP service.
struct EngineFamily {
    using Lease = control::dhcp::Lease;
    static const void* engine(const LeaseEngine& e) { return &e; }
    template <class Fn>
    static size_t slice(const LeaseEngine& e, size_t from, size_t max, Fn&& fn) {
        return e.for_each_slice(static_cast<uint32_t>(from), static_cast<uint32_t>(max), fn);
    }
    static uint32_t key(const Lease& l) { return l.ip; }
    static std::vector<std::string> names(const LeaseEngine&) { return {"big"}; }
};

config::Config load() {
    auto r = config::load_config_string(kConfig, "pages-test.toml");
    EXPECT_TRUE(r.config);
    return r.config ? *r.config : config::Config{};
}

Lease bound(uint32_t ip, int64_t now) {
    Lease l;
    l.ip = ip;
    l.scope = 0;
    l.client.len = 6;
    for (int i = 0; i < 4; ++i) l.client.bytes[2 + i] = static_cast<uint8_t>(ip >> (24 - 8 * i));
    l.client.bytes[0] = 0x02;
    std::copy(l.client.bytes, l.client.bytes + 6, l.hw.bytes.begin());
    l.state = LeaseState::Bound;
    l.start = now;
    l.expires = now + 3600;
    l.generation = ip;
    return l;
}

TEST(LeasePages, HundredThousandLeasesInPagesEachExactlyOnceWhileTheyChange) {
    const auto cfg = load();
    LeaseEngine engine(cfg);
    const int64_t now = 1'800'000'000;
    constexpr uint32_t kFirst = 0xC6120010;  // 198.18.0.16
    constexpr uint32_t kLeases = 100'000;
    // Four addresses of every five, restored in a shuffled order, so that slot order is not
    // address order.
    std::vector<uint32_t> ips;
    for (uint32_t i = 0; i < kLeases; ++i) ips.push_back(kFirst + i + i / 4);
    for (size_t i = ips.size() - 1; i > 0; --i) std::swap(ips[i], ips[(i * 7919 + 13) % (i + 1)]);
    for (uint32_t ip : ips) ASSERT_TRUE(engine.restore(bound(ip, now)));

    std::set<uint32_t> touched;  // released, expired or added during the listing
    std::map<uint32_t, int> seen;
    std::optional<uint32_t> cursor;
    uint32_t last = 0, pages = 0, added = 0;
    for (;;) {
        FamilyScan<EngineFamily> scan;
        scan.limit = 1000;
        scan.after = cursor;
        while (!scan.done) scan.step(engine);
        scan.finish();
        ++pages;
        ASSERT_LE(scan.kept.size(), 1000u);
        for (const auto& l : scan.kept) {
            if (cursor) {
                EXPECT_GT(l.ip, *cursor);
            }
            EXPECT_GT(l.ip, last) << "pages out of order";
            last = l.ip;
            ++seen[l.ip];
        }
        if (scan.kept.size() < 1000) break;
        cursor = scan.kept.back().ip;
        // Between pages: release a lease ahead of the cursor, expire one behind it, and bind
        // new ones at free addresses on both sides.
        Lease out;
        const uint32_t ahead = *cursor + 37, behind = *cursor - 300;
        if (engine.release(ahead, now, out)) touched.insert(ahead);
        if (engine.expire(behind, now, out)) touched.insert(behind);
        for (const uint32_t from : {*cursor + 1000, *cursor - 1000}) {
            for (uint32_t ip = from; ip < from + 8; ++ip) {
                if (ip < kFirst || engine.find(ip) != nullptr) continue;
                if (engine.restore(bound(ip, now))) {
                    touched.insert(ip);
                    ++added;
                }
                break;
            }
        }
        ASSERT_LT(pages, 1000u);
    }
    std::printf("%u pages, %zu leases listed, %zu touched, %u added\n", pages, seen.size(),
                touched.size(), added);
    EXPECT_GE(pages, 100u);
    EXPECT_GT(added, 100u);
    for (const auto& [ip, n] : seen) EXPECT_EQ(n, 1) << "listed more than once";
    size_t steady = 0;
    for (uint32_t ip : ips) {
        if (touched.count(ip) != 0) continue;
        ++steady;
        EXPECT_EQ(seen.count(ip), 1u) << "a lease that lived throughout was missed";
    }
    EXPECT_GT(steady, 99'000u);
}

TEST(LeasePages, FiltersApplyBeforeTheCutAndAnUnknownScopeListsNothing) {
    const auto cfg = load();
    LeaseEngine engine(cfg);
    const int64_t now = 1'800'000'000;
    for (uint32_t i = 0; i < 50; ++i) ASSERT_TRUE(engine.restore(bound(0xC6120100 + i, now)));
    Lease out;
    for (uint32_t i = 0; i < 50; i += 2) ASSERT_TRUE(engine.release(0xC6120100 + i, now, out));
    FamilyScan<EngineFamily> scan;
    scan.limit = 10;
    scan.state = "bound";
    while (!scan.done) scan.step(engine);
    scan.finish();
    ASSERT_EQ(scan.kept.size(), 10u);  // a full page of bound ones, not the bound among 10
    for (size_t i = 0; i < scan.kept.size(); ++i) EXPECT_EQ(scan.kept[i].ip, 0xC6120101 + 2 * i);

    FamilyScan<EngineFamily> none;
    none.scope = "nowhere";
    while (!none.done) none.step(engine);
    EXPECT_TRUE(none.kept.empty());

    FamilyScan<EngineFamily> all;  // no limit: everything, in order
    while (!all.done) all.step(engine);
    all.finish();
    ASSERT_EQ(all.kept.size(), 50u);
    EXPECT_TRUE(std::is_sorted(all.kept.begin(), all.kept.end(), FamilyScan<EngineFamily>::before));
}

}  // namespace
}  // namespace edgelease::app
