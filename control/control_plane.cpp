#include "control/control_plane.hpp"

#include <rte_rcu_qsbr.h>

#include <chrono>
#include <ctime>

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
        zone_store_->take_dirty(dirty_);
        bool rebuild = current_ == nullptr;
        for (size_t i = 0; i < dirty_.size() && !rebuild; ++i) {
            const auto& key = dirty_[i];
            auto res = current_->set_owner(zone::ZoneStore::wire(key), zone_store_->records_of(key),
                                           garbage);
            if (res == dataplane::dns::UpdateResult::NeedsRebuild)
                rebuild = true;
            else
                ++applied;
        }
        if (rebuild) {
            // A change the view cannot make in place (a new delegation, a zone added): build
            // the whole view again from the store. Rare; costs about 3 s per million records.
            auto* next = new dataplane::dns::ZoneView(zone_store_->inputs());
            const dataplane::dns::ZoneView* old = slot_.exchange(next);
            current_ = next;
            retire(old, std::move(garbage));
            garbage = dataplane::dns::ZoneGarbage();
            zone_stats_.rebuilds.fetch_add(1, std::memory_order_relaxed);
            LOG_INFO("zones: view rebuilt (%zu record(s), %zu name(s))", next->record_count(),
                     next->node_count());
            applied += static_cast<unsigned>(dirty_.size());
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

bool ControlPlane::has_work() const noexcept {
    return !commands_.empty() || inbox_.read_available() != 0 ||
           (dhcp_ != nullptr && dhcp_->has_work());
}

unsigned ControlPlane::poll() noexcept {
    unsigned done = commands_.drain(4);
    if (dhcp_ != nullptr) {
        timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO: no syscall
        done += dhcp_->poll(ts.tv_sec);
    }
    done += apply_zone_changes();
    if (records_ != nullptr) records_->flush_overflow();
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
    return done;
}

}  // namespace edgelease::control
