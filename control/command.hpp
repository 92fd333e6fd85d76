#pragma once
// Work that another thread (the management API) asks the control lcore to do. The control
// lcore is the only thread that touches leases and zones; everyone else sends a Command and
// waits (bounded) for it to run. Producers may be several API threads: they serialise on a
// mutex among themselves (not on the packet path); the control lcore pops lock-free.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include <boost/lockfree/spsc_queue.hpp>

#include "common/doorbell.hpp"

namespace edgelease::control {

class Command {
  public:
    explicit Command(std::function<void()> fn) : fn_(std::move(fn)) {}

    /// Control lcore: runs the work and wakes the waiter.
    void run() noexcept {
        try {
            fn_();
        } catch (...) {
            failed_ = true;  // control-plane work may throw (allocation); never past here
        }
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
    }
    /// Waiting thread: true when run() completed within `timeout`.
    bool wait(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [this] { return done_; });
    }
    bool failed() const { return failed_; }

  private:
    std::function<void()> fn_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    bool failed_ = false;
};

class CommandQueue {
  public:
    /// Any thread. False when the queue is full (the control lcore is behind): answer 503.
    bool submit(const std::shared_ptr<Command>& cmd) {
        auto* holder = new std::shared_ptr<Command>(cmd);  // keeps it alive until it has run
        std::lock_guard lock(push_mu_);
        if (!queue_.push(holder)) {
            delete holder;
            return false;
        }
        if (bell_ != nullptr) bell_->ring();  // the control lcore may be in its idle sleep
        return true;
    }
    /// The control lcore's doorbell, rung after each submit. Set before any submit.
    void set_bell(Doorbell* bell) noexcept { bell_ = bell; }
    /// Control lcore: whether a command waits.
    bool empty() const noexcept { return queue_.read_available() == 0; }
    /// Control lcore: runs up to `max` commands. Returns how many ran.
    unsigned drain(unsigned max) noexcept {
        unsigned n = 0;
        std::shared_ptr<Command>* holder = nullptr;
        while (n < max && queue_.pop(holder)) {
            (*holder)->run();
            delete holder;
            ++n;
        }
        return n;
    }
    ~CommandQueue() {
        std::shared_ptr<Command>* holder = nullptr;
        while (queue_.pop(holder)) delete holder;
    }

  private:
    Doorbell* bell_ = nullptr;
    std::mutex push_mu_;
    boost::lockfree::spsc_queue<std::shared_ptr<Command>*, boost::lockfree::capacity<64>> queue_;
};

}  // namespace edgelease::control
