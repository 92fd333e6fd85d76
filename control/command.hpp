#pragma once
// Work that another thread (the management API, a reload) asks the control lcore to do. The
// control lcore is the only thread that touches leases and zones; everyone else submits a
// task and waits (bounded) on its std::future. Producers may be several API threads: they
// serialise on a mutex among themselves (not on the packet path); the control lcore pops
// lock-free.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/lockfree/spsc_queue.hpp>

#include "common/doorbell.hpp"

namespace edgelease::control {

class CommandQueue {
  public:
    /// Any thread. The future becomes ready once the control lcore has run `fn`; it holds
    /// the exception `fn` threw, if any. nullopt when the queue is full (the control lcore is
    /// behind): answer 503. The task owns `fn` until it has run, so a waiter that gives up
    /// may go away; whatever `fn` shares with it must be owned by `fn` (shared_ptr).
    std::optional<std::future<void>> submit(std::function<void()> fn) {
        auto task = std::make_unique<std::packaged_task<void()>>(std::move(fn));
        std::future<void> done = task->get_future();
        {
            std::lock_guard lock(push_mu_);
            if (!queue_.push(task.get())) return std::nullopt;
        }
        task.release();  // the queue owns it now; drain() or the destructor deletes it
        if (bell_ != nullptr) bell_->ring();  // the control lcore may be in its idle sleep
        return done;
    }
    /// The control lcore's doorbell, rung after each submit. Set before any submit.
    void set_bell(Doorbell* bell) noexcept { bell_ = bell; }
    /// Control lcore: whether a command waits.
    bool empty() const noexcept { return queue_.read_available() == 0; }
    /// Control lcore: runs up to `max` commands. Returns how many ran. An exception in one
    /// (control-plane work may throw, e.g. on allocation) goes to its future, never past here.
    unsigned drain(unsigned max) noexcept {
        unsigned n = 0;
        std::packaged_task<void()>* raw = nullptr;
        while (n < max && queue_.pop(raw)) {
            std::unique_ptr<std::packaged_task<void()>> task(raw);
            (*task)();
            ++n;
        }
        return n;
    }
    /// Commands never run break their promise: a late waiter sees a failure.
    ~CommandQueue() {
        std::packaged_task<void()>* raw = nullptr;
        while (queue_.pop(raw)) delete raw;
    }

  private:
    Doorbell* bell_ = nullptr;
    std::mutex push_mu_;
    boost::lockfree::spsc_queue<std::packaged_task<void()>*, boost::lockfree::capacity<64>> queue_;
};

/// Any thread: submits `fn` and waits at most `timeout` for it to run. True when it ran
/// without throwing; false when the queue was full, the time ran out (`fn` may still run
/// later) or `fn` threw.
inline bool run_on_control(CommandQueue& commands, std::function<void()> fn,
                           std::chrono::milliseconds timeout) {
    auto done = commands.submit(std::move(fn));
    if (!done || done->wait_for(timeout) != std::future_status::ready) return false;
    try {
        done->get();
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace edgelease::control
