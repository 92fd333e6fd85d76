// CommandQueue: work handed to the control lcore, answered through a std::future, with a
// bounded wait (the API's 503) and failures reported, never thrown past the lcore.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "control/command.hpp"

namespace edgelease::control {
namespace {

using namespace std::chrono_literals;

/// Stands in for the control lcore: drains until told to stop.
class ControlThread {
  public:
    explicit ControlThread(CommandQueue& q)
        : thread_([this, &q] {
              while (!stop_.load()) {
                  if (q.drain(4) == 0) std::this_thread::sleep_for(100us);
              }
          }) {}
    ~ControlThread() {
        stop_ = true;
        thread_.join();
    }

  private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST(CommandQueue, WorkRunsOnTheDrainingThreadAndTheWaiterSeesIt) {
    CommandQueue q;
    ControlThread control(q);
    auto ran_on = std::make_shared<std::thread::id>();
    EXPECT_TRUE(run_on_control(
        q, [ran_on] { *ran_on = std::this_thread::get_id(); }, 2s));
    EXPECT_NE(*ran_on, std::this_thread::get_id());
}

TEST(CommandQueue, AnExceptionInTheWorkIsAFailureNotACrash) {
    CommandQueue q;
    ControlThread control(q);
    EXPECT_FALSE(run_on_control(
        q, [] { throw std::bad_alloc(); }, 2s));
    EXPECT_FALSE(run_on_control(
        q, [] { throw std::runtime_error("no"); }, 2s));
    EXPECT_TRUE(run_on_control(
        q, [] {}, 2s))
        << "the queue still serves afterwards";
}

TEST(CommandQueue, TheWaitIsBoundedAndALateRunIsStillSafe) {
    CommandQueue q;  // nobody drains yet
    auto ran = std::make_shared<std::atomic<bool>>(false);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(run_on_control(
        q, [ran] { *ran = true; }, 50ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.drain(4), 1u);  // the waiter has gone; the work owns what it uses
    EXPECT_TRUE(ran->load());
}

TEST(CommandQueue, AFullQueueRefusesAtOnce) {
    CommandQueue q;
    unsigned accepted = 0;
    while (q.submit([] {})) ++accepted;
    EXPECT_EQ(accepted, 64u);
    EXPECT_FALSE(run_on_control(
        q, [] {}, 2s));
    EXPECT_EQ(q.drain(100), 64u);
    EXPECT_TRUE(q.empty());
}

TEST(CommandQueue, WorkNeverRunBreaksItsPromise) {
    std::optional<std::future<void>> done;
    {
        CommandQueue q;
        done = q.submit([] {});
        ASSERT_TRUE(done.has_value());
    }
    ASSERT_EQ(done->wait_for(0s), std::future_status::ready);
    EXPECT_THROW(done->get(), std::future_error);
}

TEST(CommandQueue, SubmitRingsTheBell) {
    CommandQueue q;
    Doorbell bell;
    q.set_bell(&bell);
    const uint32_t seen = bell.prepare();
    ASSERT_TRUE(q.submit([] {}));
    EXPECT_TRUE(bell.wait(seen, 1000000));
}

}  // namespace
}  // namespace edgelease::control
