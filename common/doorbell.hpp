#pragma once
// A wake-up for a polling thread that sleeps when idle. The sleeper waits on a futex with a
// timeout instead of a plain nanosleep; whoever hands it work rings the bell, which costs a
// fence and one load while the sleeper is awake and a FUTEX_WAKE only while it is asleep.
// So a busy consumer costs its producers nothing, and an idle one answers at once instead of
// at the end of its back-off sleep.
//
// Sleeper:   uint32_t seen = bell.prepare();
//            if (work arrived meanwhile) bell.cancel(); else bell.wait(seen, timeout_us);
// Producer:  publish the work (a queue push, a release store), then bell.ring().
// Either the producer sees `sleeping` and bumps the word (a wait that has not started yet
// then returns at once: the futex word moved), or the sleeper's re-check sees the work.
// Without the re-check a ring that lands just before prepare() is missed, and the sleeper
// wakes at its timeout: never later than a plain sleep would have.
//
// A sleeper that waits in epoll (a worker blocking on its RX queues, dataplane/rx_wait.hpp)
// gives the bell an eventfd instead: ring() then writes to it rather than waking the futex,
// and the sleeper calls prepare() and done_waiting() around its own epoll_wait.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace edgelease {

class alignas(64) Doorbell {
  public:
    /// Sleeper: announces that it is about to sleep; returns the word to pass to wait().
    uint32_t prepare() noexcept {
        const uint32_t seen = word_.load(std::memory_order_acquire);
        sleeping_.store(true, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);  // before re-checking the work
        return seen;
    }
    /// Sleeper: found work after prepare(); does not sleep.
    void cancel() noexcept { sleeping_.store(false, std::memory_order_relaxed); }
    /// Sleeper: sleeps until rung or `timeout_us` passes. True when woken by a ring (or the
    /// word had moved already), false on timeout.
    bool wait(uint32_t seen, uint32_t timeout_us) noexcept {
        timespec ts{static_cast<time_t>(timeout_us / 1000000),
                    static_cast<long>(timeout_us % 1000000) * 1000};
        const long rc = syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAIT_PRIVATE,
                                seen, &ts, nullptr, 0);
        sleeping_.store(false, std::memory_order_relaxed);
        return rc == 0 || word_.load(std::memory_order_relaxed) != seen;
    }

    /// Sleeper with an eventfd (use_eventfd): back from its own wait, rung or not.
    void done_waiting() noexcept { sleeping_.store(false, std::memory_order_relaxed); }

    /// Rings write 1 to `fd` (an eventfd the sleeper waits on) instead of waking the futex;
    /// -1 goes back to the futex. Set before the sleeper and the producers start.
    void use_eventfd(int fd) noexcept { eventfd_ = fd; }

    /// Producer, after publishing work. Returns true when it had to wake the sleeper.
    bool ring() noexcept {
        std::atomic_thread_fence(std::memory_order_seq_cst);  // the work before the check
        if (!sleeping_.load(std::memory_order_relaxed)) return false;
        word_.fetch_add(1, std::memory_order_release);
        if (eventfd_ >= 0) {
            const uint64_t one = 1;
            [[maybe_unused]] const ssize_t n = write(eventfd_, &one, sizeof one);
        } else {
            syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word_), FUTEX_WAKE_PRIVATE, 1, nullptr,
                    nullptr, 0);
        }
        return true;
    }

    bool sleeping() const noexcept { return sleeping_.load(std::memory_order_relaxed); }

  private:
    static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
                      std::atomic<uint32_t>::is_always_lock_free,
                  "the futex word is the atomic itself");
    std::atomic<uint32_t> word_{0};
    std::atomic<bool> sleeping_{false};
    int eventfd_ = -1;
};

}  // namespace edgelease
