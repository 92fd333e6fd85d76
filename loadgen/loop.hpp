#pragma once
// Pieces shared by the two generator loops: the run's phases and stop flags, the in-flight
// gauges the progress line reads, a stash of preallocated mbufs and the transmit batch.
// DPDK glue; everything here is noexcept and allocation-free.
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <atomic>
#include <cstdint>

#include "loadgen/report.hpp"

namespace edgelease::loadgen {

inline constexpr uint16_t kMaxBurst = 256;

/// Shared between the generator (main lcore) and the reporter thread.
struct RunControl {
    std::atomic<bool> stop{false};       // a signal: stop sending now (twice: stop draining too)
    std::atomic<bool> abort{false};      // second signal
    std::atomic<bool> finished{false};   // the generator returned
    std::atomic<uint64_t> start_tsc{0};  // first send; 0 until then
    std::atomic<uint32_t> in_flight{0};  // gauges for the progress line
    std::atomic<uint32_t> bound{0};
    std::atomic<bool> draining{false};
};

/// Mbufs allocated in bulk ahead of need (for frames written while handling a burst).
class MbufStash {
  public:
    explicit MbufStash(rte_mempool* pool) noexcept : pool_(pool) {}
    ~MbufStash() {
        if (n_ != 0) rte_pktmbuf_free_bulk(m_, n_);
    }
    MbufStash(const MbufStash&) = delete;
    MbufStash& operator=(const MbufStash&) = delete;

    /// Makes sure at least `want` (<= kMaxBurst) mbufs are ready; false when the pool ran
    /// dry (some may still be there).
    bool fill(uint16_t want) noexcept {
        if (n_ >= want) return true;
        const unsigned get = kCap - n_;
        if (rte_pktmbuf_alloc_bulk(pool_, m_ + n_, get) == 0) {
            n_ = kCap;
            return true;
        }
        // Bulk allocation is all or nothing; ask for just what is missing.
        if (rte_pktmbuf_alloc_bulk(pool_, m_ + n_, want - n_) == 0) {
            n_ = want;
            return true;
        }
        return false;
    }
    rte_mbuf* take() noexcept { return n_ == 0 ? nullptr : m_[--n_]; }
    /// Returns an unused mbuf taken a moment ago.
    void put_back(rte_mbuf* m) noexcept { m_[n_++] = m; }
    uint16_t size() const noexcept { return n_; }

  private:
    static constexpr unsigned kCap = 2 * kMaxBurst;
    rte_mempool* pool_;
    rte_mbuf* m_[kCap];
    uint16_t n_ = 0;
};

/// Frames queued for one rte_eth_tx_burst.
struct TxBatch {
    rte_mbuf* m[2 * kMaxBurst];
    uint16_t n = 0;

    /// Transmits what is queued. Frames the queue refused stay in m[sent..total) for the
    /// caller to look at through `refused` (called for each), then are freed.
    template <typename Refused>
    uint16_t flush(uint16_t port, LoopCounters& c, Refused&& refused) noexcept {
        if (n == 0) return 0;
        const uint16_t sent = rte_eth_tx_burst(port, 0, m, n);
        c.tx_frames.add(sent);
        if (sent != n) {
            c.tx_dropped.add(n - sent);
            for (uint16_t i = sent; i < n; ++i) refused(m[i]);
            rte_pktmbuf_free_bulk(m + sent, n - sent);
        }
        n = 0;
        return sent;
    }
};

/// Sets the length of a single-segment frame written at the start of m.
inline void set_frame_len(rte_mbuf* m, uint16_t len) noexcept {
    m->data_len = len;
    m->pkt_len = len;
}

}  // namespace edgelease::loadgen
