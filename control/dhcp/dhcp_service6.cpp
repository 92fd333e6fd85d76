// The DHCPv6 half of the DHCP service (RFC 9915): requests from the workers' requests6
// queues through Engine6, leases through the same lease store queue and sequence numbers as
// DHCPv4, Replies that bind held until their leases are durable.
#include <algorithm>

#include "common/log.hpp"
#include "control/dhcp/dhcp_service.hpp"

namespace edgelease::control::dhcp {

namespace {
/// Message type of an encoded v6 answer, inside its Relay-Reply wrapping if any.
size_t reply6_type(const dhcp::Dhcp6Reply& r) {
    const uint8_t* p = r.payload;
    size_t n = std::min<size_t>(r.len, sizeof r.payload);
    for (int depth = 0; n != 0 && p[0] == static_cast<uint8_t>(Msg6Type::RelayReply) &&
                        depth <= static_cast<int>(kMaxRelays);
         ++depth) {
        size_t at = 34;
        const uint8_t* inner = nullptr;
        size_t inner_len = 0;
        while (at + 4 <= n) {
            const size_t code = size_t{p[at]} << 8 | p[at + 1];
            const size_t len = size_t{p[at + 2]} << 8 | p[at + 3];
            if (at + 4 + len > n) break;
            if (code == 9) {
                inner = p + at + 4;
                inner_len = len;
            }
            at += 4 + len;
        }
        if (inner == nullptr) return 0;
        p = inner;
        n = inner_len;
    }
    return n != 0 && p[0] < kMsg6TypeNames.size() ? p[0] : 0;
}

bool binds(const Dhcp6Request& req) {
    return req.msg_type == Msg6Type::Request || req.msg_type == Msg6Type::Renew ||
           req.msg_type == Msg6Type::Rebind || req.msg_type == Msg6Type::Solicit;
}
}  // namespace

void DhcpService::enable_v6(const config::Config& cfg, std::vector<uint8_t> server_duid) {
    server_duid_ = std::move(server_duid);
    if (cfg.dhcp6.scopes.empty()) return;
    engine6_ = std::make_unique<dhcp::Engine6>(cfg, server_duid_);
    scope6_names_.clear();
    for (const auto& sc : cfg.dhcp6.scopes) scope6_names_.push_back(sc.name);
    result6_.changed.reserve(8);
    expired6_.reserve(4096);
    make_gauges6();
    refresh_gauges6();
    LOG_INFO(
        "DHCPv6: %zu scope(s), server DUID %s", cfg.dhcp6.scopes.size(),
        dhcp::hex_colon(engine6_->server_duid().data(), engine6_->server_duid().size()).c_str());
}

DhcpService::EngineSwap DhcpService::replace_engine6(std::unique_ptr<dhcp::Engine6> next,
                                                     int64_t now) {
    EngineSwap out;
    std::vector<std::string> next_names;
    if (next)
        for (const auto& u : next->scope_use()) next_names.push_back(u.name);
    std::vector<dhcp::Lease6> dropped;
    if (engine6_) {
        dhcp::Lease6 moved;
        engine6_->for_each([&](const dhcp::Lease6& l) {
            moved = l;
            moved.scope = UINT32_MAX;
            if (l.scope < scope6_names_.size())
                for (size_t n = 0; n < next_names.size(); ++n)
                    if (next_names[n] == scope6_names_[l.scope])
                        moved.scope = static_cast<uint32_t>(n);
            if (next && moved.scope != UINT32_MAX && next->restore(moved))
                ++out.kept;
            else
                dropped.push_back(l);
        });
    }
    for (auto& l : dropped) {
        if (dns_ != nullptr && l.state == dhcp::LeaseState::Bound) {
            try {
                dns_->on_lease6_dropped(l, now);
            } catch (const std::exception& e) {
                write_lost_ = true;
                LOG_ERROR("reload: DNS cleanup of dropped lease %s failed: %s",
                          dhcp::to_string(l.key).c_str(), e.what());
            }
        }
        l.state = dhcp::LeaseState::Free;  // deletes the stored record
        while (!store_.enqueue6(l, next_seq_)) {
            store_.wake();
            timespec ts{0, 200000};
            nanosleep(&ts, nullptr);  // a reload, not the packet path: the writer is draining
        }
        stored_ = true;
        ++next_seq_;
        ++out.dropped;
    }
    engine6_ = std::move(next);
    scope6_names_ = std::move(next_names);
    make_gauges6();
    refresh_gauges6();
    // The new engine numbers its leases afresh: the sweeper's entries of the old one are stale
    // now, so every timed lease is scheduled again.
    if (link_ != nullptr && engine6_ != nullptr) {
        std::vector<sweeper::ExpiryEntry> seed;
        engine6_->timed_entries(seed);
        for (const auto& e : seed) link_->schedule(e);
    }
    return out;
}

void DhcpService::load_stored6() {
    if (engine6_ == nullptr) return;
    size_t skipped = 0, count = 0, read = 0, restored = 0;
    // Straight into the engine as they are read: no table of a million copies first.
    store_.load_each6(
        [&](const dhcp::Lease6& l) {
            if (read++ == 0) engine6_->reserve(count);
            restored += engine6_->restore(l) ? 1 : 0;
        },
        skipped, count);
    if (skipped != 0) LOG_WARN("lease store: %zu unreadable DHCPv6 record(s) skipped", skipped);
    if (restored != read)
        LOG_WARN(
            "lease store: %zu DHCPv6 lease(s) no longer fit the configuration and were dropped",
            read - restored);
    restored6_ = restored;
}

void DhcpService::expire_restored6(int64_t now) {
    if (engine6_ == nullptr) return;
    const size_t restored = restored6_;
    size_t expired = 0;
    for (;;) {
        expired6_.clear();
        expired6_events_.clear();
        const size_t n = engine6_->expire_due(now, 4096, expired6_, expired6_events_);
        if (n == 0) break;
        expired += n;
        tell_dns6(expired6_, expired6_events_, now);
        for (const auto& l : expired6_) {
            while (!store_.enqueue6(l, next_seq_)) {
                store_.wake();
                timespec ts{0, 1000000};
                nanosleep(&ts, nullptr);  // start-up only: the writer is draining
            }
            stored_ = true;
            ++next_seq_;
        }
    }
    LOG_INFO("lease store %s: %zu DHCPv6 lease(s) restored, %zu expired while down",
             store_.path().c_str(), restored, expired);
}

bool DhcpService::persist6(std::span<const dhcp::Lease6> changed, uint64_t& seq) noexcept {
    seq = 0;
    for (const auto& l : changed) {
        seq = next_seq_++;
        if (!store_.enqueue6(l, seq)) {
            write_lost_ = true;
            return false;
        }
        stored_ = true;
    }
    return true;
}

void DhcpService::schedule6(std::span<const dhcp::Lease6> changed,
                            std::span<const uint32_t> slots) noexcept {
    if (link_ == nullptr || engine6_ == nullptr) return;
    sweeper::ExpiryEntry e;
    for (size_t i = 0; i < changed.size(); ++i) {
        const dhcp::Lease6& l = changed[i];
        const uint32_t slot = i < slots.size() ? slots[i] : UINT32_MAX;
        if (engine6_->expiry_entry(slot, l.key, e) && e.generation == l.generation)
            link_->schedule(e);
    }
}

void DhcpService::tell_dns6(std::span<const dhcp::Lease6> changed,
                            const std::vector<dhcp::LeaseEvent>& events, int64_t now) noexcept {
    if (dns_ == nullptr) return;
    try {
        for (size_t i = 0; i < changed.size() && i < events.size(); ++i)
            dns_->on_lease6(changed[i], events[i], now);
    } catch (const std::exception& e) {
        write_lost_ = true;
        LOG_ERROR("DHCPv6: DNS update for %zu lease change(s) failed: %s", changed.size(),
                  e.what());
    }
}

void DhcpService::send6(const dhcp::Dhcp6Reply& r) noexcept {
    if (r.path.worker >= channels_.size() || !channels_[r.path.worker]->replies6.push(r)) {
        stats_.reply_queue_full.add();
        return;
    }
    replied_[r.path.worker] = 1;
    stats_.replies6[reply6_type(r)].add();
}

void DhcpService::handle_request6(const dhcp::Dhcp6Request& req, int64_t now) noexcept {
    try {
        serve6(req, now);
    } catch (const std::bad_alloc&) {
        note_alloc_failed(now);
    }
}

void DhcpService::serve6(const dhcp::Dhcp6Request& req, int64_t now) {
    stats_.requests6[static_cast<size_t>(req.msg_type) % dhcp::kMsg6TypeNames.size()].add();
    if (engine6_ == nullptr) {
        stats_.outcomes6[static_cast<size_t>(dhcp::Outcome::NoScope)].add();
        return;
    }
    // As for DHCPDISCOVERs: only new clients are held back, per relay (the outermost one, the
    // datagram's source). A Solicit costs no lease write, but a flood of made-up DUIDs behind
    // one relay would otherwise take the control lcore's time from every other relay.
    if (req.msg_type == Msg6Type::Solicit && req.relay_count != 0 &&
        !relay_limit6_.allow(req.path.src_ip, now)) {
        stats_.relay_limited6.add();
        relay6_log_.note(now, [&](uint64_t n, long long secs) {
            LOG_WARN(
                "DHCPv6: %llu Solicit(s) over [dhcp6].relay_solicit_rate dropped in the last "
                "%llds (last from relay %s)",
                static_cast<unsigned long long>(n), secs, net::to_string(req.path.src_ip).c_str());
        });
        return;
    }
    engine6_->handle(req, now, result6_);
    stats_.outcomes6[static_cast<size_t>(result6_.outcome) % dhcp::kOutcomeNames.size()].add();
    if (result6_.outcome == dhcp::Outcome::PoolExhausted) note_exhausted6(req, now);
    uint64_t seq = 0;
    if (!result6_.changed.empty() && !persist6(result6_.changed, seq)) {
        stats_.storage_failed.add();
        note_storage_failed6(now);
        return;
    }
    tell_dns6(result6_.changed, result6_.events, now);
    schedule6(result6_.changed, result6_.slots);
    if (!result6_.has_reply) return;
    if (seq != 0 && binds(req)) {
        Held6& h = held6_.append();
        h.seq = seq;
        dhcp::copy_reply(h.reply, result6_.reply);
        stats_.held.add();
    } else {
        // Release and Decline answers confirm what is already done in memory; their writes
        // are queued, and a crash before them only brings back a binding the client gave up.
        send6(result6_.reply);
    }
}

unsigned DhcpService::expire6(int64_t now) {
    if (engine6_ == nullptr) return 0;
    expired6_.clear();
    expired6_events_.clear();
    const size_t room = store_.write_available() / 2;
    // With the sweeper attached this is the backstop for entries it should have returned by
    // now (2 s of slack), as for v4.
    const size_t n = link_ != nullptr ? engine6_->expire_due(now - 2, std::min<size_t>(1024, room),
                                                             expired6_, expired6_events_)
                                      : engine6_->expire_due(now, std::min<size_t>(4096, room),
                                                             expired6_, expired6_events_);
    if (n == 0) return 0;
    uint64_t seq = 0;
    persist6(expired6_, seq);
    tell_dns6(expired6_, expired6_events_, now);
    stats_.expired6.add(n);
    if (link_ != nullptr) stats_.expired_by_backstop.add(n);
    return static_cast<unsigned>(n);
}

void DhcpService::make_gauges6() {
    auto list = std::make_shared<ScopeGauges6>();
    for (const auto& name : scope6_names_) {
        list->push_back(std::make_unique<ScopeGauge6>());
        list->back()->name = name;
    }
    std::lock_guard lock(gauges_mu_);
    gauges6_ = std::move(list);
}

std::shared_ptr<const DhcpService::ScopeGauges6> DhcpService::scope_gauges6() const {
    std::lock_guard lock(gauges_mu_);
    return gauges6_;
}

void DhcpService::refresh_gauges6() {
    if (engine6_ == nullptr || gauges6_ == nullptr) return;
    const auto use = engine6_->scope_use();
    auto& g = *gauges6_;  // the control lcore is the only one that replaces it
    for (size_t i = 0; i < use.size() && i < g.size(); ++i) {
        g[i]->addresses.store(use[i].addresses, std::memory_order_relaxed);
        g[i]->prefixes.store(use[i].prefixes, std::memory_order_relaxed);
        g[i]->addresses_bound.store(use[i].addresses_bound, std::memory_order_relaxed);
        g[i]->prefixes_bound.store(use[i].prefixes_bound, std::memory_order_relaxed);
        g[i]->declined.store(use[i].declined, std::memory_order_relaxed);
    }
}

bool DhcpService::admin_release6(const dhcp::Lease6Key& key, int64_t now, dhcp::Lease6& out) {
    if (engine6_ == nullptr || !engine6_->release(key, now, out)) return false;
    uint64_t seq = 0;
    persist6({&out, 1}, seq);
    tell_dns6({&out, 1}, {dhcp::LeaseEvent::Released}, now);
    return true;
}

bool DhcpService::admin_expire6(const dhcp::Lease6Key& key, int64_t now, dhcp::Lease6& out) {
    if (engine6_ == nullptr || !engine6_->expire(key, now, out)) return false;
    uint64_t seq = 0;
    persist6({&out, 1}, seq);
    tell_dns6({&out, 1}, {dhcp::LeaseEvent::Expired}, now);
    stats_.expired6.add();
    return true;
}

void DhcpService::note_exhausted6(const dhcp::Dhcp6Request& req, int64_t now) noexcept {
    exhausted6_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_WARN(
            "DHCPv6: %llu request(s) in the last %llds found a pool exhausted (last from DUID "
            "%s, %s)",
            static_cast<unsigned long long>(n), secs,
            dhcp::hex_colon(req.client_id, req.client_id_len).c_str(),
            req.relay_count != 0 ? "relayed" : "direct");
    });
}

void DhcpService::note_storage_failed6(int64_t now) noexcept {
    storage_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_ERROR(
            "DHCP: %llu answer(s) withheld in the last %llds: their lease could not be stored "
            "(see the lease store's error)",
            static_cast<unsigned long long>(n), secs);
    });
}

}  // namespace edgelease::control::dhcp
