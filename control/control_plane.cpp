#include "control/control_plane.hpp"

#include <pthread.h>

#include <rte_rcu_qsbr.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "common/log.hpp"
#include "control/dhcp/dhcp_service.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_store.hpp"

namespace edgelease::control {

ControlPlane::ControlPlane(dataplane::dns::ZoneViewSlot& slot, rte_rcu_qsbr* qsbr)
    : slot_(slot), qsbr_(qsbr) {
    retired_.reserve(16);
    commands_.set_bell(&bell_);
}

ControlPlane::~ControlPlane() {
    if (rebuild_.thread.joinable()) rebuild_.thread.join();
    dataplane::dns::ZoneView* v = nullptr;
    while (inbox_.pop(v)) delete v;
    for (auto& r : retired_) {
        r.garbage.release();
        delete r.view;
    }
    slot_.exchange(nullptr);
    delete current_;
}

void ControlPlane::publish_initial(std::unique_ptr<dataplane::dns::ZoneView> view) {
    delete current_;
    current_ = view.release();
    slot_.exchange(current_);
    generation_.fetch_add(1, std::memory_order_release);
}

bool ControlPlane::submit(std::unique_ptr<dataplane::dns::ZoneView>& view) {
    dataplane::dns::ZoneView* raw = view.get();
    if (!inbox_.push(raw)) return false;
    view.release();
    bell_.ring();
    return true;
}

void ControlPlane::retire(const dataplane::dns::ZoneView* view,
                          dataplane::dns::ZoneGarbage&& garbage) noexcept {
    if (view == nullptr && garbage.empty()) return;
    try {
        retired_.push_back(Retired{view, std::move(garbage), rte_rcu_qsbr_start(qsbr_)});
    } catch (const std::bad_alloc&) {
        zone_stats_.failures.fetch_add(1, std::memory_order_relaxed);
        LOG_ERROR("zones: no memory to queue a replaced view for freeing: it is kept (leaked)");
        return;
    }
    retired_count_.store(retired_.size(), std::memory_order_relaxed);
}

void ControlPlane::replace_view(std::unique_ptr<dataplane::dns::ZoneView> view) noexcept {
    dataplane::dns::ZoneView* next = view.release();
    const dataplane::dns::ZoneView* old = slot_.exchange(next);
    current_ = next;
    retire(old, dataplane::dns::ZoneGarbage());
    generation_.fetch_add(1, std::memory_order_release);
}

unsigned ControlPlane::apply_zone_changes() noexcept {
    if (zone_store_ == nullptr || !zone_store_->has_dirty()) return 0;
    const auto t0 = std::chrono::steady_clock::now();
    unsigned applied = 0;
    dataplane::dns::ZoneGarbage garbage;
    try {
        zone_store_->take_dirty(dirty_, dirty_ids_);
        // While a rebuild runs, every changed name is written into the new view as well.
        if (rebuild_.active)
            rebuild_.since.insert(rebuild_.since.end(), dirty_.begin(), dirty_.end());
        bool rebuild = current_ == nullptr;
        if (current_ != nullptr)
            current_->write_prefetched(
                dirty_.size(), [&](size_t i) { return std::string_view(dirty_[i]); },
                [&](size_t i) {
                    const auto& key = dirty_[i];
                    auto res =
                        current_->set_owner(zone::ZoneStore::wire(key),
                                            zone_store_->records_at(dirty_ids_[i], key), garbage);
                    if (res == dataplane::dns::UpdateResult::NeedsRebuild)
                        rebuild = true;  // the others still go into the view readers see now
                    else
                        ++applied;
                });
        if (rebuild && !rebuild_.active) {
            // A change the view cannot make in place (a new delegation, a zone added).
            if (current_ != nullptr && current_->record_count() > inline_rebuild_max_ &&
                start_rebuild()) {
                rebuild_.since.assign(dirty_.begin(), dirty_.end());
            } else {
                rebuild_inline(garbage);
                applied += static_cast<unsigned>(dirty_.size());
            }
        }
    } catch (const std::exception& e) {
        zone_stats_.failures.fetch_add(1, std::memory_order_relaxed);
        LOG_ERROR("zones: applying %zu change(s) to the DNS view failed: %s", dirty_.size(),
                  e.what());
    }
    retire(nullptr, std::move(garbage));
    generation_.fetch_add(1, std::memory_order_release);
    const auto ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    zone_stats_.owners_applied.fetch_add(applied, std::memory_order_relaxed);
    zone_stats_.batches.fetch_add(1, std::memory_order_relaxed);
    zone_stats_.last_batch_ns.store(ns, std::memory_order_relaxed);
    if (ns > zone_stats_.max_batch_ns.load(std::memory_order_relaxed))
        zone_stats_.max_batch_ns.store(ns, std::memory_order_relaxed);
    return applied;
}

void ControlPlane::rebuild_inline(dataplane::dns::ZoneGarbage& garbage) {
    auto* next = new dataplane::dns::ZoneView(zone_store_->inputs());
    const dataplane::dns::ZoneView* old = slot_.exchange(next);
    current_ = next;
    retire(old, std::move(garbage));
    garbage = dataplane::dns::ZoneGarbage();
    zone_stats_.rebuilds.fetch_add(1, std::memory_order_relaxed);
    LOG_INFO("zones: view rebuilt (%zu record(s), %zu name(s))", next->record_count(),
             next->node_count());
}

bool ControlPlane::start_rebuild() noexcept {
    // The record store may lack changes after a failed write: then only the zone store is
    // the truth.
    if (records_ == nullptr || records_->stats().failures.load() != 0) return false;
    try {
        std::vector<dns::WireName> apexes;
        for (const auto& z : zone_store_->zones()) apexes.push_back(z.apex);
        const uint64_t ticket = records_->ticket();  // every change so far, serials included
        rebuild_.done.store(false);
        rebuild_.view.reset();
        rebuild_.error.clear();
        store::RecordStore* rs = records_;
        Doorbell* bell = &bell_;
        rebuild_.thread = std::thread([this, rs, bell, ticket, apexes = std::move(apexes)] {
            pthread_setname_np(pthread_self(), "el-zone-rebuild");
            try {
                if (!rs->wait_committed(ticket, std::chrono::seconds(60)))
                    throw std::runtime_error("the record store did not commit in 60 s");
                std::vector<dataplane::dns::ZoneInput> inputs;
                for (const auto& apex : apexes) {
                    auto snap = rs->snapshot_zone(apex, true);
                    if (snap.state == store::RecordStore::ZoneSnapshot::State::Failed)
                        throw std::runtime_error("cannot read zone " + dns::name_to_text(apex));
                    dataplane::dns::ZoneInput in;
                    in.name = apex;
                    if (snap.state == store::RecordStore::ZoneSnapshot::State::Ok) {
                        in.records = std::move(snap.records);
                        in.records.push_back(std::move(snap.soa));
                    }
                    inputs.push_back(std::move(in));
                }
                rebuild_.view = std::make_unique<dataplane::dns::ZoneView>(inputs);
            } catch (const std::exception& e) {
                rebuild_.error = e.what();
            }
            rebuild_.done.store(true, std::memory_order_release);
            bell->ring();
        });
    } catch (const std::exception& e) {
        LOG_WARN("zones: cannot start the rebuild thread (%s): rebuilding on the control lcore",
                 e.what());
        return false;
    }
    rebuild_.active = true;
    LOG_INFO(
        "zones: a change needs the view rebuilt (%zu record(s)): building it from the "
        "record store off the control lcore",
        current_->record_count());
    return true;
}

unsigned ControlPlane::finish_rebuild() noexcept {
    if (!rebuild_.active || !rebuild_.done.load(std::memory_order_acquire)) return 0;
    rebuild_.thread.join();
    rebuild_.active = false;
    dataplane::dns::ZoneGarbage garbage;
    try {
        if (!rebuild_.view) {
            LOG_ERROR("zones: the view rebuild failed (%s): rebuilding on the control lcore",
                      rebuild_.error.c_str());
            rebuild_inline(garbage);
        } else {
            dataplane::dns::ZoneView* next = rebuild_.view.release();
            // What changed since the rebuild started, from the zone store: the store's copy
            // may trail it or lead it by a few changes, never by one not listed here.
            // Zones added or removed by a reload while it was built: build again.
            const auto& zones = zone_store_->zones();
            bool again = next->zone_count() != zones.size();
            for (size_t i = 0; i < zones.size() && !again; ++i)
                again = next->zone_name(i) != zones[i].apex;
            for (const auto& key : rebuild_.since) {
                const auto name = zone::ZoneStore::wire(key);
                const auto records = zone_store_->records_of(key);
                // At or below a cut set_owner cannot write; the store's copy is usually right.
                if (next->set_owner(name, records, garbage) ==
                        dataplane::dns::UpdateResult::NeedsRebuild &&
                    !next->holds_exactly(name, records))
                    again = true;
            }
            const dataplane::dns::ZoneView* old = slot_.exchange(next);
            current_ = next;
            retire(old, std::move(garbage));
            garbage = dataplane::dns::ZoneGarbage();
            zone_stats_.rebuilds.fetch_add(1, std::memory_order_relaxed);
            zone_stats_.rebuilds_off_lcore.fetch_add(1, std::memory_order_relaxed);
            LOG_INFO(
                "zones: view rebuilt off the control lcore (%zu record(s), %zu name(s), %zu "
                "changed meanwhile)",
                next->record_count(), next->node_count(), rebuild_.since.size());
            if (again && !start_rebuild()) rebuild_inline(garbage);
            // A new round takes this round's changed names along; otherwise they are done.
            if (!rebuild_.active) rebuild_.since.clear();
        }
    } catch (const std::exception& e) {
        zone_stats_.failures.fetch_add(1, std::memory_order_relaxed);
        LOG_ERROR("zones: finishing the view rebuild failed: %s", e.what());
    }
    retire(nullptr, std::move(garbage));
    generation_.fetch_add(1, std::memory_order_release);
    return 1;
}

void ControlPlane::mark_if_settled(unsigned done) noexcept {
    if (done != 0) {
        changed_since_mark_ = true;
        return;
    }
    if (!changed_since_mark_ || dhcp_ == nullptr || records_ == nullptr) return;
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // vDSO: no syscall
    if (ts.tv_sec == last_mark_ || !dhcp_->settled() || !records_->settled()) return;
    try {
        records_->mark_consistent({dhcp_->lease_txn(), config_hash_.load(std::memory_order_relaxed),
                                   dhcp_->last_generation4(), dhcp_->last_generation6()});
    } catch (const std::bad_alloc&) {
        return;  // no mark: the next start checks everything
    }
    last_mark_ = ts.tv_sec;
    changed_since_mark_ = false;
}

bool ControlPlane::has_work() const noexcept {
    return !commands_.empty() || inbox_.read_available() != 0 ||
           (records_ != nullptr && records_->overflow_pending()) ||
           (rebuild_.active && rebuild_.done.load(std::memory_order_acquire)) ||
           (dhcp_ != nullptr && dhcp_->has_work());
}

unsigned ControlPlane::poll() noexcept {
    unsigned done = commands_.drain(4);
    if (dhcp_ != nullptr) {
        timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO: no syscall
        done += dhcp_->poll(ts.tv_sec);
    }
    done += finish_rebuild();
    done += apply_zone_changes();
    if (records_ != nullptr) done += static_cast<unsigned>(records_->flush_overflow());
    dataplane::dns::ZoneView* next = nullptr;
    // One view per poll is plenty: reloads are rare, and the grace period does the waiting.
    if (inbox_.pop(next)) {
        replace_view(std::unique_ptr<dataplane::dns::ZoneView>(next));
        ++done;
    }
    // An idle loop moves a table rehash along (bounded steps; set_owner() advances it too),
    // and once a second lets the view start one that gives memory back.
    if (done == 0 && current_ != nullptr && zone_store_ != nullptr) {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // vDSO: no syscall
        if (current_->rehash_in_progress() || ts.tv_sec != last_maintain_) {
            last_maintain_ = ts.tv_sec;
            dataplane::dns::ZoneGarbage garbage;
            if (current_->maintain(garbage)) ++done;
            retire(nullptr, std::move(garbage));
        }
    }
    // Free what every reader has stopped looking at (non-blocking check).
    for (size_t i = 0; i < retired_.size();) {
        if (rte_rcu_qsbr_check(qsbr_, retired_[i].token, false) == 1) {
            retired_[i].garbage.release();
            delete retired_[i].view;
            retired_[i] = std::move(retired_.back());
            retired_.pop_back();
            retired_count_.store(retired_.size(), std::memory_order_relaxed);
            ++done;
        } else {
            ++i;
        }
    }
    mark_if_settled(done);
    return done;
}

}  // namespace edgelease::control
