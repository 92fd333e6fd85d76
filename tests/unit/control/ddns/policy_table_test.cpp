// The retention policy as a table: origin of the record already there x whether it is the
// acting binding's x lease event x scope settings -> decision. Every row is a rule from
// DESIGN "Provenance and retention"; a change to the policy shows up here first.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "control/ddns/policy.hpp"

namespace edgelease::control::ddns {
namespace {

using control::zone::Origin;
using E = LeaseDnsEvent;
using K = RecordKind;
using D = Decision;

struct Settings {
    bool update = true;
    bool del_release = true;
    bool del_expiry = false;
    bool ptr_release = true;
    bool ptr_expiry = false;
    bool permanent = true;
    bool stale = false;
    bool overwrite = false;
};

config::ScopeDnsPolicy policy(const Settings& s) {
    config::ScopeDnsPolicy p;
    p.update = s.update;
    p.delete_on_release = s.del_release;
    p.delete_on_expiry = s.del_expiry;
    p.ptr_delete_on_release = s.ptr_release;
    p.ptr_delete_on_expiry = s.ptr_expiry;
    p.reservation_records = s.permanent ? config::ReservationRecords::Permanent
                                        : config::ReservationRecords::FollowLease;
    if (s.stale) p.stale_after = std::chrono::seconds(3600);
    p.on_conflict = s.overwrite ? config::OnConflict::Overwrite : config::OnConflict::Skip;
    return p;
}

struct Row {
    const char* why;
    E event;
    K kind;
    std::optional<Origin> origin;
    bool same_owner;
    Settings settings;
    D want;
};

const Settings kDefaults{};
Settings with(void (*f)(Settings&)) {
    Settings s;
    f(s);
    return s;
}

const Row kRows[] = {
    // ---- grant / renew: writing ----
    {"nothing there: write", E::Grant, K::Forward, std::nullopt, false, kDefaults, D::Write},
    {"nothing there, PTR: write", E::Grant, K::Ptr, std::nullopt, false, kDefaults, D::Write},
    {"own dhcp record: refresh", E::Renew, K::Forward, Origin::Dhcp, true, kDefaults, D::Write},
    {"another binding's dhcp record: it gives way", E::Grant, K::Forward, Origin::Dhcp, false,
     kDefaults, D::Write},
    {"another binding's PTR for our address: it gives way", E::Grant, K::Ptr, Origin::Dhcp, false,
     kDefaults, D::Write},
    {"config record: never touched", E::Grant, K::Forward, Origin::Config, false, kDefaults,
     D::Skip},
    {"config PTR: never touched", E::Grant, K::Ptr, Origin::Config, false, kDefaults, D::Skip},
    {"manual record: never touched", E::Grant, K::Forward, Origin::Manual, false, kDefaults,
     D::Skip},
    {"manual record on renew: never touched", E::Renew, K::Forward, Origin::Manual, false,
     kDefaults, D::Skip},
    {"update record: skipped by default", E::Grant, K::Forward, Origin::Update, false, kDefaults,
     D::Skip},
    {"update record, on_conflict overwrite: written", E::Grant, K::Forward, Origin::Update, false,
     with([](Settings& s) { s.overwrite = true; }), D::Write},
    {"config record even with on_conflict overwrite: never", E::Grant, K::Forward, Origin::Config,
     false, with([](Settings& s) { s.overwrite = true; }), D::Skip},
    {"manual record even with on_conflict overwrite: never", E::Renew, K::Ptr, Origin::Manual,
     false, with([](Settings& s) { s.overwrite = true; }), D::Skip},
    {"own reservation record: refresh", E::Grant, K::Forward, Origin::Reservation, true, kDefaults,
     D::Write},
    {"another reservation's record: skip", E::Grant, K::Forward, Origin::Reservation, false,
     kDefaults, D::Skip},
    {"update = false: nothing written", E::Grant, K::Forward, std::nullopt, false,
     with([](Settings& s) { s.update = false; }), D::Keep},
    {"update = false on renew: nothing written", E::Renew, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.update = false; }), D::Keep},
    // ---- release ----
    {"release, own A, default: delete", E::Release, K::Forward, Origin::Dhcp, true, kDefaults,
     D::Delete},
    {"release, own PTR, default: delete", E::Release, K::Ptr, Origin::Dhcp, true, kDefaults,
     D::Delete},
    {"release, own A, delete_on_release=false: keep", E::Release, K::Forward, Origin::Dhcp, true,
     with([](Settings& s) { s.del_release = false; }), D::Keep},
    {"release, own PTR, ptr_delete_on_release=false: keep", E::Release, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.ptr_release = false; }), D::Keep},
    {"release, PTR flag independent of A flag", E::Release, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.del_release = false; }), D::Delete},
    {"release, not the owner any more: keep", E::Release, K::Forward, Origin::Dhcp, false,
     kDefaults, D::Keep},
    {"release, config record: keep", E::Release, K::Forward, Origin::Config, false, kDefaults,
     D::Keep},
    {"release, manual record: keep", E::Release, K::Forward, Origin::Manual, false, kDefaults,
     D::Keep},
    {"release, update record: keep", E::Release, K::Forward, Origin::Update, false, kDefaults,
     D::Keep},
    {"release, permanent reservation record: keep", E::Release, K::Forward, Origin::Reservation,
     true, kDefaults, D::Keep},
    {"release, permanent reservation PTR: keep", E::Release, K::Ptr, Origin::Reservation, true,
     kDefaults, D::Keep},
    {"release, follow-lease reservation record: follows delete_on_release", E::Release, K::Forward,
     Origin::Reservation, true, with([](Settings& s) { s.permanent = false; }), D::Delete},
    {"release, nothing there: keep", E::Release, K::Forward, std::nullopt, true, kDefaults,
     D::Keep},
    // ---- expiry ----
    {"expiry, own A, default: keep", E::Expiry, K::Forward, Origin::Dhcp, true, kDefaults, D::Keep},
    {"expiry, own PTR, default: keep", E::Expiry, K::Ptr, Origin::Dhcp, true, kDefaults, D::Keep},
    {"expiry, own A, delete_on_expiry: delete", E::Expiry, K::Forward, Origin::Dhcp, true,
     with([](Settings& s) { s.del_expiry = true; }), D::Delete},
    {"expiry, own PTR, ptr_delete_on_expiry: delete", E::Expiry, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.ptr_expiry = true; }), D::Delete},
    {"expiry, ptr_delete_on_expiry does not delete the A", E::Expiry, K::Forward, Origin::Dhcp,
     true, with([](Settings& s) { s.ptr_expiry = true; }), D::Keep},
    {"expiry, delete_on_expiry does not delete the PTR", E::Expiry, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.del_expiry = true; }), D::Keep},
    {"expiry, not the owner (client came back as someone else): keep", E::Expiry, K::Forward,
     Origin::Dhcp, false, with([](Settings& s) { s.del_expiry = true; }), D::Keep},
    {"expiry, config record with delete_on_expiry: keep", E::Expiry, K::Forward, Origin::Config,
     false, with([](Settings& s) { s.del_expiry = true; }), D::Keep},
    {"expiry, manual record with delete_on_expiry: keep", E::Expiry, K::Forward, Origin::Manual,
     false, with([](Settings& s) { s.del_expiry = true; }), D::Keep},
    {"expiry, permanent reservation with delete_on_expiry: keep", E::Expiry, K::Forward,
     Origin::Reservation, true, with([](Settings& s) { s.del_expiry = true; }), D::Keep},
    {"expiry, follow-lease reservation with delete_on_expiry: delete", E::Expiry, K::Forward,
     Origin::Reservation, true, with([](Settings& s) {
         s.del_expiry = true;
         s.permanent = false;
     }),
     D::Delete},
    {"expiry, follow-lease reservation, default: keep", E::Expiry, K::Forward, Origin::Reservation,
     true, with([](Settings& s) { s.permanent = false; }), D::Keep},
    // ---- stale ----
    {"stale, own dhcp record, stale_after set: delete", E::Stale, K::Forward, Origin::Dhcp, true,
     with([](Settings& s) { s.stale = true; }), D::Delete},
    {"stale, own dhcp PTR, stale_after set: delete", E::Stale, K::Ptr, Origin::Dhcp, true,
     with([](Settings& s) { s.stale = true; }), D::Delete},
    {"stale, stale_after off: keep", E::Stale, K::Forward, Origin::Dhcp, true, kDefaults, D::Keep},
    {"stale, permanent reservation: keep", E::Stale, K::Forward, Origin::Reservation, true,
     with([](Settings& s) { s.stale = true; }), D::Keep},
    {"stale, manual: keep", E::Stale, K::Forward, Origin::Manual, false,
     with([](Settings& s) { s.stale = true; }), D::Keep},
    {"stale, config: keep", E::Stale, K::Forward, Origin::Config, false,
     with([](Settings& s) { s.stale = true; }), D::Keep},
};

TEST(PolicyTable, EveryRow) {
    for (const Row& r : kRows) {
        D got = decide(r.event, r.kind, RecordState{r.origin, r.same_owner}, policy(r.settings));
        EXPECT_EQ(kDecisionNames[static_cast<size_t>(got)],
                  kDecisionNames[static_cast<size_t>(r.want)])
            << r.why;
    }
}

// Exhaustive invariants over every combination: whatever the settings, DHCP never writes or
// deletes an admin's record, and removal events never write.
TEST(PolicyTable, AdminRecordsAreNeverTouched) {
    for (int bits = 0; bits < 256; ++bits) {
        Settings s{(bits & 1) != 0,  (bits & 2) != 0,  (bits & 4) != 0,  (bits & 8) != 0,
                   (bits & 16) != 0, (bits & 32) != 0, (bits & 64) != 0, (bits & 128) != 0};
        for (E ev : {E::Grant, E::Renew, E::Release, E::Expiry, E::Stale})
            for (K k : {K::Forward, K::Ptr})
                for (Origin o : {Origin::Config, Origin::Manual})
                    for (bool same : {false, true}) {
                        D d = decide(ev, k, RecordState{o, same}, policy(s));
                        EXPECT_TRUE(d == D::Skip || d == D::Keep) << "bits " << bits;
                    }
        for (E ev : {E::Release, E::Expiry, E::Stale})
            for (K k : {K::Forward, K::Ptr})
                for (int o = 0; o < 5; ++o)
                    EXPECT_NE(decide(ev, k, RecordState{static_cast<Origin>(o), true}, policy(s)),
                              D::Write);
    }
}

}  // namespace
}  // namespace edgelease::control::ddns
