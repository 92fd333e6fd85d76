// A reload applied by the control plane (control/reconcile.hpp), without EAL: the control
// lcore's command runs inline here. Zones change in the store and the view, restart-only
// settings keep their running values and are named, bad zone data changes nothing, an
// appliance without a zone store gets its new view in the same command, and a control lcore
// that does not answer is a timeout.
#include <gtest/gtest.h>

#include <rte_rcu_qsbr.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "control/control_plane.hpp"
#include "control/reconcile.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_store.hpp"
#include "tests/unit/control/qsbr.hpp"
#include "tests/unit/temp_dir.hpp"

namespace edgelease::control {
namespace {

config::Config load(const std::string& toml) {
    auto r = config::load_config_string(toml, "reload_test.toml");
    EXPECT_TRUE(r.config.has_value()) << (r.errors.empty() ? "" : r.errors[0].to_string());
    return r.config ? *r.config : config::Config{};
}

const std::string kBase = R"(
[[interfaces]]
port = "p0"
addresses = ["198.18.0.1/24"]
)";
const std::string kLan = R"(
[[dns.zones]]
name = "lan."
)";

control::zone::ZoneStore::Key key(const std::string& text) {
    std::string why;
    return control::zone::ZoneStore::key(*dns::name_from_text(text, dns::WireName{0}, why));
}

using test::Qsbr;

/// An appliance's control side as app/ wires it, minus DHCP and the lcores.
struct Plane {
    explicit Plane(const std::string& started_toml, bool with_zone_store = true)
        : started(load(started_toml)), plane(slot, q.v) {
        if (with_zone_store) {
            records = std::make_unique<control::store::RecordStore>(tmp.str(), false, 1000);
            zones = std::make_unique<control::zone::ZoneStore>();
            uint32_t serial = 0;
            auto inputs = load_zone_inputs(started, serial);
            EXPECT_TRUE(inputs.has_value());
            serial = restore_zones(*zones, *records, *inputs, 1000);
            publish_first_view(plane, *zones);
            plane.attach_zones(zones.get(), records.get());
        }
        reloader = std::make_unique<Reloader>(
            started, Reloader::Targets{&plane, nullptr, nullptr, zones.get(), records.get()}, 0,
            [this](std::function<void()> fn, std::chrono::milliseconds) {
                if (!control_answers) return false;
                fn();
                return true;
            });
    }
    ReloadResult reload(const std::string& toml) { return reloader->apply(started, load(toml)); }

    test::TempDir tmp{"edgelease-reload"};
    config::Config started;
    Qsbr q;
    dataplane::dns::ZoneViewSlot slot;
    ControlPlane plane;
    std::unique_ptr<control::store::RecordStore> records;
    std::unique_ptr<control::zone::ZoneStore> zones;
    std::unique_ptr<Reloader> reloader;
    bool control_answers = true;
};

TEST(Reload, ZonesChangeRestartOnlySettingsStayAndAreNamed) {
    Plane p(kBase + kLan);
    const uint64_t generation = p.plane.generation();
    auto r = p.reload(kBase + "[dpdk]\nworkers = 3\n" + kLan +
                      "[[dns.zones.records]]\nname = \"www\"\ntype = \"A\"\ndata = "
                      "\"198.18.0.5\"\n");
    ASSERT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0]);
    EXPECT_EQ(r.zones, 1u);
    EXPECT_EQ(r.warnings, std::vector<std::string>{
                              "[dpdk].workers changed: needs a restart; the running value stays"});
    ASSERT_TRUE(r.applied);
    EXPECT_EQ(r.applied->dpdk.workers, p.started.dpdk.workers);
    EXPECT_NE(p.zones->find(key("www.lan.")), nullptr);
    EXPECT_GT(p.plane.generation(), generation) << "the view took the change in the command";
}

TEST(Reload, BadZoneDataIsRefusedAndNothingChanges) {
    Plane p(kBase + kLan);
    // Zone files are read by the reload, not by the configuration loader.
    const std::string file = p.tmp.str() + "/lan.zone";
    std::ofstream(file) << "$TTL 300\n@ SOA ns.lan. hostmaster.lan. 1 3600 600 86400 60\n"
                           "@ NS ns\nwww A 198.18.0.300\n";
    auto r = p.reload(kBase + kLan + "file = \"" + file + "\"\n");
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.timed_out);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_NE(r.errors[0].find("198.18.0.300"), std::string::npos) << r.errors[0];
    EXPECT_EQ(p.zones->find(key("www.lan.")), nullptr);
}

TEST(Reload, WithoutAZoneStoreTheNewViewIsPublishedByTheSameCommand) {
    Plane p(kBase, false);
    EXPECT_EQ(p.slot.current(), nullptr);
    auto r = p.reload(kBase + kLan);
    ASSERT_TRUE(r.ok);
    ASSERT_NE(p.slot.current(), nullptr);
    EXPECT_EQ(p.slot.current()->zone_count(), 1u);
}

TEST(Reload, ScopesAddedToAnApplianceWithoutDhcpNeedARestart) {
    Plane p(kBase, false);
    auto r = p.reload(kBase +
                      "[[dhcp.scopes]]\nname = \"lan\"\nsubnet = \"198.18.0.0/24\"\npools = "
                      "[\"198.18.0.10-198.18.0.20\"]\n");
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("[[dhcp.scopes]] added to an appliance started without DHCP"),
              std::string::npos);
    EXPECT_TRUE(r.applied->dhcp.scopes.empty());
}

TEST(Reload, AControlLcoreThatDoesNotAnswerIsATimeoutNotARefusal) {
    Plane p(kBase + kLan);
    p.control_answers = false;
    auto r = p.reload(kBase + kLan);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.applied);
}

}  // namespace
}  // namespace edgelease::control

namespace edgelease::control {
namespace {

const dataplane::dns::Node* view_find(const dataplane::dns::ZoneView* v, const std::string& name) {
    std::string why;
    auto w = dns::name_from_text(name, dns::WireName{0}, why);
    return v->find(w->data(), static_cast<uint8_t>(w->size()));
}

TEST(Reload, ALargeViewIsRebuiltOffTheControlLcoreWithTheChangesMadeMeanwhile) {
    Plane p(kBase + kLan +
            "records = [ { name = \"www\", type = \"A\", data = \"198.18.0.5\" } ]\n");
    p.records->start();  // the rebuild reads what the record store's writer committed
    p.plane.set_inline_rebuild_max(0);  // every view counts as large
    const auto* before = p.slot.current();
    // A zone added is a change the view cannot make in place.
    auto r = p.reload(kBase + kLan +
                      "records = [ { name = \"www\", type = \"A\", data = \"198.18.0.5\" } ]\n"
                      "[[dns.zones]]\nname = \"corp.\"\n"
                      "records = [ { name = \"intra\", type = \"A\", data = \"198.18.0.7\" } ]\n");
    ASSERT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0]);
    EXPECT_TRUE(p.plane.rebuilding()) << "the command did not build the view itself";
    EXPECT_EQ(p.slot.current(), before) << "readers keep the old view meanwhile";
    // A change while the thread builds: it must be in the new view too.
    control::zone::StoredRecord late;
    std::string why;
    late.rr = dns::Record{*dns::name_from_text("late.lan.", dns::WireName{0}, why),
                          dns::rrtype::A,
                          dns::rrclass::IN,
                          60,
                          {198, 18, 0, 9}};
    late.prov.origin = control::zone::Origin::Manual;
    ASSERT_TRUE(p.zones->put(late));
    p.plane.apply_zone_changes();
    for (int i = 0; i < 10000 && p.plane.rebuilding(); ++i) {
        p.plane.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_FALSE(p.plane.rebuilding()) << "the rebuild finished within 10 s";
    const auto* now = p.slot.current();
    ASSERT_NE(now, before);
    EXPECT_EQ(now->zone_count(), 2u);
    EXPECT_NE(view_find(now, "intra.corp."), nullptr) << "the added zone's records";
    EXPECT_NE(view_find(now, "www.lan."), nullptr) << "what was there";
    EXPECT_NE(view_find(now, "late.lan."), nullptr) << "what changed during the rebuild";
    EXPECT_EQ(p.plane.zone_update_stats().rebuilds_off_lcore.load(), 1u);
    EXPECT_EQ(now->record_count(),
              p.zones->inputs()[0].records.size() + p.zones->inputs()[1].records.size())
        << "the same records as the zone store holds";
}

TEST(Reload, ADelegationAddedToALargeViewIsRebuiltOnceOffTheLcore) {
    Plane p(kBase + kLan);
    p.records->start();
    p.plane.set_inline_rebuild_max(0);
    // NS below the apex: a new cut, which set_owner never writes in place, in the old view
    // nor (as one of the names changed meanwhile) in the new one, which already has it.
    control::zone::StoredRecord ns;
    std::string why;
    const auto target = *dns::name_from_text("ns.example.", dns::WireName{0}, why);
    ns.rr = dns::Record{*dns::name_from_text("branch.lan.", dns::WireName{0}, why), dns::rrtype::NS,
                        dns::rrclass::IN, 60, target};
    ns.prov.origin = control::zone::Origin::Manual;
    ASSERT_TRUE(p.zones->put(ns));
    p.plane.apply_zone_changes();
    ASSERT_TRUE(p.plane.rebuilding());
    for (int i = 0; i < 10000 && p.plane.rebuilding(); ++i) {
        p.plane.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_FALSE(p.plane.rebuilding());
    for (int i = 0; i < 10; ++i) p.plane.poll();
    EXPECT_FALSE(p.plane.rebuilding()) << "no second rebuild for a name the new view has right";
    EXPECT_EQ(p.plane.zone_update_stats().rebuilds_off_lcore.load(), 1u);
    const auto* cut = view_find(p.slot.current(), "branch.lan.");
    ASSERT_NE(cut, nullptr);
    EXPECT_EQ(cut->rrset_count, 1u);
}

}  // namespace
}  // namespace edgelease::control
