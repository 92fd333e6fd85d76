// The control plane applying zone-store changes to the published view: growth through
// in-place updates makes the view rehash its table in steps; the control lcore's idle polls
// finish that rehash (ZoneView::maintain) and retire the old table through RCU. Here with no
// registered RCU reader, so retired memory is freed on the next poll.
#include <gtest/gtest.h>

#include <rte_rcu_qsbr.h>

#include <cstdlib>
#include <string>

#include "config/config.hpp"
#include "control/control_plane.hpp"
#include "control/zone/zone_builder.hpp"
#include "control/zone/zone_store.hpp"
#include "tests/unit/control/qsbr.hpp"

namespace edgelease::control {
namespace {

dns::WireName name(const std::string& s) {
    std::string why;
    return *dns::name_from_text(s, dns::WireName{0}, why);
}

std::vector<dataplane::dns::ZoneInput> lan_zone() {
    auto r = config::load_config_string(
        "[[interfaces]]\nport = \"p0\"\n[[dns.zones]]\nname = \"lan.\"\n", "z.toml");
    EXPECT_TRUE(r.config);
    auto z = control::zone::load_zones(*r.config, 100);
    EXPECT_TRUE(z.errors.empty());
    return z.zones;
}

using test::Qsbr;

TEST(ControlPlane, IdlePollsFinishATableRehashStartedByGrowth) {
    Qsbr q;
    dataplane::dns::ZoneViewSlot slot;
    control::zone::ZoneStore store;
    store.set_config(lan_zone(), 1000, nullptr);
    std::vector<control::zone::ZoneStore::Key> discard;
    store.take_dirty(discard);
    ControlPlane plane(slot, q.v);
    plane.publish_initial(std::make_unique<dataplane::dns::ZoneView>(store.inputs()));
    plane.attach_zones(&store, nullptr);

    // Grow name by name as DHCP grants would, one batch per poll, until a rehash is under way.
    const auto* view = slot.current();
    const size_t start_capacity = view->slot_capacity();
    int added = 0;
    for (; added < 20000 && (added < 2000 || !view->rehash_in_progress()); ++added) {
        control::zone::StoredRecord r;
        r.rr =
            dns::Record{name("h" + std::to_string(added) + ".lan."),
                        dns::rrtype::A,
                        dns::rrclass::IN,
                        60,
                        {198, 18, static_cast<uint8_t>(added >> 8), static_cast<uint8_t>(added)}};
        r.prov.origin = control::zone::Origin::Dhcp;
        ASSERT_TRUE(store.put(r));
        plane.poll();
    }
    ASSERT_TRUE(view->rehash_in_progress()) << "no rehash after " << added << " names";
    RecordProperty("names_before_rehash", added);
    EXPECT_EQ(slot.current(), view) << "in place: the view itself is never replaced";

    // No more changes: idle polls alone must finish it (bounded: each moves a step of a table
    // of thousands of slots, so this takes many polls).
    const size_t rehashes = view->rehash_count();
    for (int i = 0; i < 100000 && view->rehash_in_progress(); ++i) plane.poll();
    EXPECT_FALSE(view->rehash_in_progress());
    EXPECT_EQ(view->rehash_count(), rehashes + 1);
    EXPECT_GT(view->slot_capacity(), start_capacity);
    // Every name is still there, and the replaced table was freed after its grace period.
    for (int i = 0; i < added; ++i) {
        const auto w = name("h" + std::to_string(i) + ".lan.");
        ASSERT_NE(view->find(w.data(), static_cast<uint8_t>(w.size())), nullptr) << i;
    }
    for (int i = 0; i < 10 && plane.retired_pending() != 0; ++i) plane.poll();
    EXPECT_EQ(plane.retired_pending(), 0u);
}

}  // namespace
}  // namespace edgelease::control
