#pragma once
// NOTIFY (RFC 1996) to a zone's secondaries ([[dns.zones]] notify) when its serial changes.
// Runs on the DNS over TCP thread: UDP sockets made in the exception path's namespace (the
// kernel sends from the appliance's own address), a retransmission timer per secondary, and
// coalescing: a zone whose serial changes again while a NOTIFY is out gets one more NOTIFY
// once that one is answered or given up (lease churn bumps serials many times a second; a
// secondary needs to hear only that there is something newer).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/dns_types.hpp"
#include "config/config.hpp"
#include "control/dnstcp/stats.hpp"
#include "dataplane/kernel_netns.hpp"

namespace edgelease::control::dnstcp {

class Notifier {
  public:
    static constexpr int kTries = 5;  // RFC 1996 §3.6: a few, with a timeout each
    static constexpr int64_t kRetryNs = 2'000'000'000;

    /// Opens one UDP socket per family in `ns`. Throws std::runtime_error saying why.
    Notifier(const dataplane::kernel::Netns& ns, NotifyStats& stats, PerZoneStats& zones);
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    /// Any thread: the zone at `apex` has a new serial, durable (RecordStore's listener).
    void zone_changed(const dns::WireName& apex);
    /// What to watch: the two sockets (answers) and the doorbell zone_changed() rings.
    std::array<int, 3> fds() const { return {fd4_, fd6_, wake_fd_}; }
    /// The serving thread: starts NOTIFYs for zones that changed (targets from `cfg`),
    /// retransmits what is due, reads answers. Returns the next time it needs to run
    /// (steady-clock ns), or 0 when nothing is pending.
    int64_t run(const config::Config* cfg, int64_t now);

    struct Target {
        config::NotifyTarget to;
        uint16_t id = 0;
        int tries = 0;
        int64_t due = 0;      // next (re)transmission
        bool again = false;   // the serial changed while this one was out
        bool active = false;  // a NOTIFY is out (awaiting an answer)
    };
    struct Zone {
        dns::WireName apex;
        std::vector<Target> targets;
        ZoneXfrStats* stats = nullptr;  // the zone's own counters
    };

  private:
    void send(const Zone& z, Target& t, int64_t now);
    void read_answers(int fd);

    NotifyStats& stats_;
    PerZoneStats& zone_stats_;
    int fd4_ = -1, fd6_ = -1, wake_fd_ = -1;
    std::mutex mu_;
    std::vector<dns::WireName> changed_;  // under mu_
    std::vector<Zone> zones_;             // the serving thread's
    uint16_t next_id_;
};

}  // namespace edgelease::control::dnstcp
