#pragma once
// An RCU quiescent-state variable for one reader, without EAL: enough for the control plane's
// grace periods in unit tests (with no registered reader they end at once).
#include <gtest/gtest.h>

#include <rte_rcu_qsbr.h>

#include <cstdlib>

namespace edgelease::test {

struct Qsbr {
    Qsbr() {
        const size_t sz = rte_rcu_qsbr_get_memsize(1);
        v = static_cast<rte_rcu_qsbr*>(std::aligned_alloc(64, (sz + 63) / 64 * 64));
        EXPECT_EQ(rte_rcu_qsbr_init(v, 1), 0);
    }
    ~Qsbr() { std::free(v); }
    Qsbr(const Qsbr&) = delete;
    Qsbr& operator=(const Qsbr&) = delete;
    rte_rcu_qsbr* v = nullptr;
};

}  // namespace edgelease::test
