#include "control/control_plane.hpp"

#include <rte_rcu_qsbr.h>

#include <ctime>

#include "control/dhcp_service.hpp"

namespace edgelease::control {

ControlPlane::ControlPlane(dns::ZoneViewSlot& slot, rte_rcu_qsbr* qsbr) : slot_(slot), qsbr_(qsbr) {
    retired_.reserve(16);
}

ControlPlane::~ControlPlane() {
    dns::ZoneView* v = nullptr;
    while (inbox_.pop(v)) delete v;
    for (auto& r : retired_) delete r.view;
    slot_.exchange(nullptr);
    delete current_;
}

void ControlPlane::publish_initial(std::unique_ptr<dns::ZoneView> view) {
    delete current_;
    current_ = view.release();
    slot_.exchange(current_);
    generation_.fetch_add(1, std::memory_order_release);
}

bool ControlPlane::submit(std::unique_ptr<dns::ZoneView>& view) {
    dns::ZoneView* raw = view.get();
    if (!inbox_.push(raw)) return false;
    view.release();
    return true;
}

unsigned ControlPlane::poll() noexcept {
    unsigned done = commands_.drain(4);
    if (dhcp_ != nullptr) {
        timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO: no syscall
        done += dhcp_->poll(ts.tv_sec);
    }
    dns::ZoneView* next = nullptr;
    // One view per poll is plenty: reloads are rare, and the grace period does the waiting.
    if (inbox_.pop(next)) {
        const dns::ZoneView* old = slot_.exchange(next);
        current_ = next;
        if (old != nullptr) {
            retired_.push_back({old, rte_rcu_qsbr_start(qsbr_)});
            retired_count_.store(retired_.size(), std::memory_order_relaxed);
        }
        generation_.fetch_add(1, std::memory_order_release);
        ++done;
    }
    // Free what every reader has stopped looking at (non-blocking check).
    for (size_t i = 0; i < retired_.size();) {
        if (rte_rcu_qsbr_check(qsbr_, retired_[i].token, false) == 1) {
            delete retired_[i].view;
            retired_[i] = retired_.back();
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
