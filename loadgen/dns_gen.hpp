#pragma once
// The DNS generator loop: prebuilt query frames sent open loop at a rate or closed loop at
// a bounded number in flight; responses matched by ID and source port, latencies into a
// histogram, rcodes counted; bounded by count and time, then a drain for late answers.
// Runs on the calling (main) lcore; the reporter thread reads counters() meanwhile.
#include <cstdint>

#include "loadgen/dns_inflight.hpp"
#include "loadgen/dns_templates.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/loop.hpp"
#include "loadgen/options.hpp"

namespace edgelease::loadgen {

class DnsGenerator {
  public:
    /// `templates` and the port must outlive the generator.
    DnsGenerator(const Options& o, const QueryTemplates& templates, uint16_t port_id,
                 rte_mempool* pool);

    /// Runs until the count, the duration or a signal ends sending, then drains; fills the
    /// DNS part of `report`. Allocation-free inside.
    void run(RunControl& ctl, RunReport& report) noexcept;

    const DnsCounters& counters() const noexcept { return counters_; }
    const LoopCounters& loop_counters() const noexcept { return loop_; }

  private:
    void receive(uint64_t now, rte_mbuf** rx, uint16_t n) noexcept;
    uint16_t send(uint64_t now, uint16_t want) noexcept;

    const Options& o_;
    const QueryTemplates& templates_;
    uint16_t port_;
    rte_mempool* pool_;
    double ns_per_tick_;
    uint32_t dst_ip_;
    InflightTable inflight_;
    uint32_t next_tmpl_ = 0;
    uint64_t last_answer_ = 0;  // TSC of the last matched response
    DnsCounters counters_;
    LoopCounters loop_;
    LatencyHistogram latency_;
    TxBatch tx_;
};

}  // namespace edgelease::loadgen
