#include "control/dhcp/dhcp_service.hpp"

#include "common/log.hpp"

#include <algorithm>

namespace edgelease::control::dhcp {

namespace {
/// Message type of an encoded reply (option 53 is always first after the cookie).
size_t reply_type(const dhcp::DhcpReply& r) {
    return r.len > 242 && r.payload[240] == 53 ? r.payload[242] % dhcp::kMsgTypeNames.size() : 0;
}
/// yiaddr of an encoded reply (RFC 2131 §2: bytes 16..19), host order.
uint32_t reply_yiaddr(const dhcp::DhcpReply& r) {
    const uint8_t* p = r.payload + 16;
    return r.len >= 20 ? static_cast<uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3] : 0;
}
}  // namespace

DhcpService::DhcpService(const config::Config& cfg, std::vector<dhcp::DhcpChannel*> channels,
                         store::LeaseStore& store)
    : relay_limit6_(cfg.dhcp6.relay_solicit_rate),
      relay_limit_(cfg.dhcp.relay_discover_rate),
      engine_(std::make_unique<dhcp::LeaseEngine>(cfg)),
      channels_(std::move(channels)),
      store_(store) {
    result_.changed.reserve(4);
    expired_.reserve(4096);
    due_.resize(kMaxDuePerPoll);
    early_.reserve(kMaxDuePerPoll);
    replied_.assign(channels_.size(), 0);
    for (size_t i = 0; i < channels_.size(); ++i) queues_.push_back(std::make_unique<QueueGauge>());
    make_gauges();
    refresh_gauges();
}

void DhcpService::make_gauges() {
    auto list = std::make_shared<ScopeGauges>();
    scope_names_.clear();
    for (const auto& sc : engine_->scope_use()) {
        list->push_back(std::make_unique<ScopeGauge>());
        list->back()->name = sc.name;
        scope_names_.push_back(sc.name);
    }
    std::lock_guard lock(gauges_mu_);
    gauges_ = std::move(list);
}

std::shared_ptr<const DhcpService::ScopeGauges> DhcpService::scope_gauges() const {
    std::lock_guard lock(gauges_mu_);
    return gauges_;
}

void DhcpService::refresh_gauges() {
    auto use = engine_->scope_use();
    auto& g = *gauges_;  // the control lcore is the only one that replaces it
    for (size_t i = 0; i < use.size() && i < g.size(); ++i) {
        g[i]->pool_size.store(use[i].pool_size, std::memory_order_relaxed);
        g[i]->bound.store(use[i].bound, std::memory_order_relaxed);
        g[i]->offered.store(use[i].offered, std::memory_order_relaxed);
        g[i]->declined.store(use[i].declined, std::memory_order_relaxed);
    }
}

void DhcpService::sample_queues() noexcept {
    // Two atomic loads per queue: the control lcore is the consumer of `requests` and the
    // producer of `replies`, the side each read_available/write_available is valid on.
    auto note = [](std::atomic<uint32_t>& cur, std::atomic<uint32_t>& peak, size_t depth) {
        const auto d = static_cast<uint32_t>(depth);
        cur.store(d, std::memory_order_relaxed);
        if (d > peak.load(std::memory_order_relaxed)) peak.store(d, std::memory_order_relaxed);
    };
    for (size_t i = 0; i < channels_.size(); ++i) {
        note(queues_[i]->requests, queues_[i]->requests_peak,
             channels_[i]->requests.read_available());
        note(queues_[i]->replies, queues_[i]->replies_peak,
             dhcp::kQueueDepth - channels_[i]->replies.write_available());
    }
    note(store_depth_, store_peak_, store::LeaseStore::kQueueDepth - store_.write_available());
}

DhcpService::EngineSwap DhcpService::replace_engine(std::unique_ptr<dhcp::LeaseEngine> next,
                                                    int64_t now) {
    begin_engine_move(std::move(next));
    while (!move_engine_slice(SIZE_MAX)) {
    }
    const EngineSwap out = finish_engine_move();
    // In one piece: every lease that ended is deleted from the store when this returns.
    while (!ending_.empty()) {
        if (end_dropped(now, SIZE_MAX) == 0) {
            store_.wake();
            timespec ts{0, 200000};
            nanosleep(&ts, nullptr);  // a reload, not the packet path: the writer is draining
        }
    }
    return out;
}

void DhcpService::begin_engine_move(std::unique_ptr<dhcp::LeaseEngine> next) {
    auto m = std::make_unique<EngineMove>();
    // Old scope index -> new index of the scope with the same name (UINT32_MAX: none, and
    // restore() then looks for the scope whose subnet holds the address).
    m->remap.assign(scope_names_.size(), UINT32_MAX);
    const auto use = next->scope_use();
    for (size_t o = 0; o < scope_names_.size(); ++o)
        for (size_t n = 0; n < use.size(); ++n)
            if (use[n].name == scope_names_[o]) m->remap[o] = static_cast<uint32_t>(n);
    m->next = std::move(next);
    move_ = std::move(m);
}

bool DhcpService::move_engine_slice(size_t max) {
    EngineMove& m = *move_;
    dhcp::Lease moved;
    const auto cap = static_cast<uint32_t>(std::min<size_t>(max, UINT32_MAX));
    const uint32_t from = m.cursor;
    m.cursor = engine_->for_each_slice(from, cap, [&](const dhcp::Lease& l) {
        moved = l;  // one copy; assignment reuses moved's buffers
        moved.scope = l.scope < m.remap.size() ? m.remap[l.scope] : UINT32_MAX;
        if (m.next->restore(moved))
            ++m.kept;
        else
            m.dropped.push_back(l);
    });
    return m.cursor == from;
}

DhcpService::EngineSwap DhcpService::finish_engine_move(
    std::unique_ptr<dhcp::LeaseEngine>* retired) {
    EngineMove& m = *move_;
    while (!move_engine_slice(SIZE_MAX)) {  // slots the running engine added since the last
    }
    // Leases that changed after their copy (or after they were found not to fit): again,
    // from the running engine as it is now. Every one, should a note have been lost.
    if (m.recopy_all) {
        m.dirty.clear();
        engine_->for_each([&m](const dhcp::Lease& l) { m.dirty.push_back(l.ip); });
        for (const auto& l : m.dropped) m.dirty.push_back(l.ip);
        m.next->for_each([&m](const dhcp::Lease& l) { m.dirty.push_back(l.ip); });
    }
    if (!m.dirty.empty()) {
        std::sort(m.dirty.begin(), m.dirty.end());
        m.dirty.erase(std::unique(m.dirty.begin(), m.dirty.end()), m.dirty.end());
        std::erase_if(m.dropped, [&](const dhcp::Lease& l) {
            return std::binary_search(m.dirty.begin(), m.dirty.end(), l.ip);
        });
        dhcp::Lease moved;
        const auto held = [&m](uint32_t ip) {
            const dhcp::Lease* n = m.next->find(ip);
            return n != nullptr && n->state != dhcp::LeaseState::Free;
        };
        for (const uint32_t ip : m.dirty) {
            const bool had = held(ip);
            const dhcp::Lease* l = engine_->find(ip);
            if (l == nullptr || l->state == dhcp::LeaseState::Free) {
                moved = dhcp::Lease{};
                moved.ip = ip;
                moved.state = dhcp::LeaseState::Free;
                m.next->restore_over(moved);  // forgets it
            } else {
                moved = *l;
                moved.scope = l->scope < m.remap.size() ? m.remap[l->scope] : UINT32_MAX;
                if (!m.next->restore_over(moved)) m.dropped.push_back(*l);
            }
            m.kept = m.kept - (had ? 1 : 0) + (held(ip) ? 1 : 0);
        }
    }
    EngineSwap out;
    out.kept = m.kept;
    out.dropped = m.dropped.size();
    // The leases that end are out of every engine now; their DNS records and stored copies
    // go a slice per poll (end_dropped), not in this command.
    for (auto& l : m.dropped) ending_.push_back(std::move(l));
    std::swap(engine_, m.next);                            // m.next is the old engine now
    if (retired != nullptr) *retired = std::move(m.next);  // freed off the control lcore
    move_.reset();
    make_gauges();
    refresh_gauges();
    return out;
}

unsigned DhcpService::end_dropped(int64_t now, size_t max) noexcept {
    unsigned n = 0;
    // Only as far as the lease store's queue takes them: the rest wait for the next poll.
    while (!ending_.empty() && n < max && store_.write_available() >= 4) {
        dhcp::Lease& l = ending_.front();
        // DNS first, with the lease as it was (bound, in its old scope): the release policy.
        if (dns_ != nullptr && l.state == dhcp::LeaseState::Bound) {
            try {
                dns_->on_lease_dropped(l, now);
            } catch (const std::exception& e) {
                write_lost_ = true;
                LOG_ERROR("reload: DNS cleanup of dropped lease %s failed: %s",
                          net::to_string(net::Ipv4Addr{l.ip}).c_str(), e.what());
            }
        }
        l.state = dhcp::LeaseState::Free;  // deletes the stored record
        store_.enqueue(l, next_seq_++);
        stored_ = true;  // the writer is woken at the end of the poll
        ending_.pop_front();
        ++n;
    }
    return n;
}

void DhcpService::load_stored() {
    if (loaded_) return;
    size_t skipped = 0, stored = 0, restored = 0;
    store_.load_each([&](const dhcp::Lease& l) { restored += engine_->restore(l) ? 1 : 0; },
                     skipped, stored);
    if (skipped != 0) LOG_WARN("lease store: %zu unreadable record(s) skipped", skipped);
    if (restored + skipped < stored)
        LOG_WARN("lease store: %zu lease(s) no longer fit the configuration and were dropped",
                 stored - skipped - restored);
    restored_ = restored;
    load_stored6();
    loaded_ = true;
}

size_t DhcpService::restore(int64_t now) {
    load_stored();
    const size_t restored = restored_;
    // Leases that expired while we were down go through expiry now, and are written back.
    size_t total_expired = 0;
    for (;;) {
        expired_.clear();
        expired_events_.clear();
        size_t n = engine_->expire_due(now, 4096, expired_, expired_events_);
        if (n == 0) break;
        total_expired += n;
        tell_dns(expired_, expired_events_, now);
        for (const auto& l : expired_) {
            while (!store_.enqueue(l, next_seq_)) {
                store_.wake();
                timespec ts{0, 1000000};
                nanosleep(&ts, nullptr);  // start-up only: the writer is draining
            }
            stored_ = true;
            ++next_seq_;
        }
    }
    expire_restored6(now);
    if (link_ != nullptr) {
        std::vector<sweeper::ExpiryEntry> seed;
        engine_->timed_entries(seed);
        if (engine6_ != nullptr) engine6_->timed_entries(seed);
        link_->schedule_all(std::move(seed));
    }
    refresh_gauges();
    LOG_INFO("lease store %s: %zu lease(s) restored, %zu expired while down", store_.path().c_str(),
             restored, total_expired);
    return restored;
}

void DhcpService::schedule(const std::vector<dhcp::Lease>& changed) noexcept {
    if (link_ == nullptr) return;
    sweeper::ExpiryEntry e;
    for (const auto& l : changed)
        if (dhcp::to_expiry_entry(l, e)) link_->schedule(e);  // full: waits in the link's buffer
}

unsigned DhcpService::take_due(int64_t now) {
    if (link_ == nullptr) return 0;
    link_->flush(kMaxDuePerPoll);
    // Never take more than the lease store can queue: every expiry is written.
    const size_t room = std::min<size_t>(kMaxDuePerPoll, store_.write_available() / 2);
    const size_t n = link_->take_due(due_.data(), room);
    if (n == 0) return 0;
    expired_.clear();
    expired_events_.clear();
    early_.clear();
    // One queue for both families: v6 entries (their generations are above v4's) go to the
    // v6 engine, compacted to the back of the buffer first.
    const auto v4_end =
        std::stable_partition(due_.begin(), due_.begin() + static_cast<std::ptrdiff_t>(n),
                              [](const sweeper::ExpiryEntry& e) { return !dhcp::is_v6_entry(e); });
    const size_t n4 = static_cast<size_t>(v4_end - due_.begin());
    auto c = engine_->expire_swept({due_.data(), n4}, now, expired_, expired_events_, early_);
    uint64_t seq = 0;
    persist(expired_, seq);
    tell_dns(expired_, expired_events_, now);
    stats_.expired.add(c.expired);
    stats_.expired_by_sweeper.add(c.expired);
    stats_.expiry_stale.add(c.stale);
    if (n4 != n) {
        expired6_.clear();
        expired6_events_.clear();
        if (engine6_ != nullptr) {
            auto c6 = engine6_->expire_swept({due_.data() + n4, n - n4}, now, expired6_,
                                             expired6_events_, early_);
            persist6(expired6_, seq);
            tell_dns6(expired6_, expired6_events_, now);
            stats_.expired6.add(c6.expired);
            stats_.expired_by_sweeper.add(c6.expired);
            stats_.expiry_stale.add(c6.stale);
        } else {
            stats_.expiry_stale.add(n - n4);
        }
    }
    for (const auto& e : early_) link_->schedule(e);
    return static_cast<unsigned>(n);
}

void DhcpService::tell_dns(const std::vector<dhcp::Lease>& changed,
                           const std::vector<dhcp::LeaseEvent>& events, int64_t now) noexcept {
    if (dns_ == nullptr) return;
    try {
        for (size_t i = 0; i < changed.size() && i < events.size(); ++i)
            dns_->on_lease(changed[i], events[i], now);
    } catch (const std::exception& e) {
        // Allocation failure in the zone store: the lease stands; DNS catches up on renewal.
        write_lost_ = true;
        LOG_ERROR("DHCP: DNS update for %zu lease change(s) failed: %s", changed.size(), e.what());
    }
}

bool DhcpService::persist(const std::vector<dhcp::Lease>& changed, uint64_t& seq) noexcept {
    seq = 0;
    // A reload copying leases in slices copies these again before it swaps.
    if (move_ != nullptr) {
        try {
            for (const auto& l : changed) move_->dirty.push_back(l.ip);
        } catch (const std::bad_alloc&) {
            move_->recopy_all = true;
        }
    }
    for (const auto& l : changed) {
        // An offer is a promise held in memory for a few seconds, not a lease: not written.
        if (l.state == dhcp::LeaseState::Offered) continue;
        seq = next_seq_++;
        if (!store_.enqueue(l, seq)) {
            write_lost_ = true;
            return false;
        }
        stored_ = true;
    }
    return true;
}

void DhcpService::wake() noexcept {
    if (stored_) {
        stored_ = false;
        store_.wake();
    }
    for (size_t i = 0; i < replied_.size(); ++i) {
        if (replied_[i] == 0) continue;
        replied_[i] = 0;
        channels_[i]->worker_bell.ring();
    }
}

void DhcpService::send(const dhcp::DhcpReply& r) noexcept {
    if (r.path.worker >= channels_.size() || !channels_[r.path.worker]->replies.push(r)) {
        stats_.reply_queue_full.add();
        return;
    }
    replied_[r.path.worker] = 1;
    stats_.replies[reply_type(r)].add();
}

void DhcpService::note_exhausted(const dhcp::DhcpRequest& req, int64_t now) noexcept {
    // Logged at most once a minute (the counter outcome_pool_exhausted has every one): a
    // flood of DISCOVERs into a full pool must not become a flood of log lines.
    exhausted_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_WARN(
            "DHCP: no free address for %llu request(s) in the last %llds (pool exhausted; last "
            "from %s via %s)",
            static_cast<unsigned long long>(n), secs, net::to_text(req.chaddr).c_str(),
            req.giaddr != 0 ? net::to_text(net::Ipv4Addr{req.giaddr}).c_str() : "direct");
    });
}

void DhcpService::note_relay_limited(const dhcp::DhcpRequest& req, int64_t now) noexcept {
    relay_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_WARN(
            "DHCP: %llu DISCOVER(s) over [dhcp].relay_discover_rate dropped in the last %llds "
            "(last from relay %s, client %s)",
            static_cast<unsigned long long>(n), secs,
            net::to_text(net::Ipv4Addr{req.giaddr}).c_str(), net::to_text(req.chaddr).c_str());
    });
}

bool DhcpService::admin_release(uint32_t ip, int64_t now, dhcp::Lease& out) {
    if (!engine_->release(ip, now, out)) return false;
    uint64_t seq = 0;
    persist({out}, seq);  // operator actions are rare: a one-element vector is fine
    tell_dns({out}, {dhcp::LeaseEvent::Released}, now);
    refresh_gauges();
    return true;
}

bool DhcpService::admin_expire(uint32_t ip, int64_t now, dhcp::Lease& out) {
    if (!engine_->expire(ip, now, out)) return false;
    uint64_t seq = 0;
    persist({out}, seq);
    tell_dns({out}, {dhcp::LeaseEvent::Expired}, now);
    stats_.expired.add();
    refresh_gauges();
    return true;
}

unsigned DhcpService::release_durable(int64_t now) noexcept {
    unsigned n = 0;
    const uint64_t done = store_.done_seq();  // before the failed ranges: see take_failed()
    store::FailedRange r;
    while (store_.take_failed(r)) {
        if (failed_count_ < failed_.size())
            failed_[failed_count_++] = r;
        else
            failed_[failed_count_ - 1].to = r.to;  // merged: withholds more, never less
    }
    // v4 ACKs and v6 Replies in one sequence order: the failed ranges are dropped as the
    // merged walk passes them.
    for (;;) {
        const bool h4 = !held_.empty() && held_.front().seq <= done;
        const bool h6 = !held6_.empty() && held6_.front().seq <= done;
        if (!h4 && !h6) break;
        const bool v6 = h6 && (!h4 || held6_.front().seq < held_.front().seq);
        const uint64_t seq = v6 ? held6_.front().seq : held_.front().seq;
        // Ranges come in sequence order, as do held ACKs: drop ranges wholly behind this one.
        size_t skip = 0;
        while (skip < failed_count_ && failed_[skip].to < seq) ++skip;
        if (skip != 0) {
            std::copy(failed_.begin() + static_cast<std::ptrdiff_t>(skip),
                      failed_.begin() + static_cast<std::ptrdiff_t>(failed_count_),
                      failed_.begin());
            failed_count_ -= skip;
        }
        const bool failed = failed_count_ != 0 && failed_[0].from <= seq;
        if (failed) stats_.storage_failed.add();
        if (v6) {
            // RFC 9915 §18.3.2 likewise: a Reply that grants is sent after the binding is
            // recorded; silence otherwise, and the client retransmits.
            if (failed)
                note_storage_failed6(now);
            else
                send6(held6_.front().reply);
            held6_.pop_front();
        } else {
            // Never ACK what is not on disk (RFC 2131 §3.1 step 4: the binding is committed to
            // persistent storage before the DHCPACK). Silence, not a NAK: the lease may be
            // fine once storage recovers, and the client's retransmission gets it then.
            if (failed)
                note_storage_failed(held_.front().reply, now);
            else
                send(held_.front().reply);
            held_.pop_front();
        }
        ++n;
    }
    return n;
}

void DhcpService::note_storage_failed(const dhcp::DhcpReply& r, int64_t now) noexcept {
    storage_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_ERROR(
            "DHCP: %llu DHCPACK(s) withheld in the last %llds: their lease could not be stored "
            "(last for %s; see the lease store's error)",
            static_cast<unsigned long long>(n), secs,
            net::to_text(net::Ipv4Addr{reply_yiaddr(r)}).c_str());
    });
}

bool DhcpService::has_work() const noexcept {
    if (!ending_.empty() && store_.write_available() >= 4) return true;
    if (!held_.empty() && held_.front().seq <= store_.done_seq()) return true;
    if (!held6_.empty() && held6_.front().seq <= store_.done_seq()) return true;
    // With the lease queue nearly full, poll() leaves requests waiting: not work until the
    // writer has made room (it rings the control lcore after each batch).
    if (store_.write_available() < 4) return false;
    for (const auto* ch : channels_)
        if (ch->requests.read_available() != 0 || ch->requests6.read_available() != 0) return true;
    return false;
}

void DhcpService::note_alloc_failed(int64_t now) noexcept {
    stats_.alloc_failed.add();
    alloc_log_.note(now, [&](uint64_t n, long long secs) {
        LOG_ERROR(
            "DHCP: out of memory %llu time(s) in the last %llds: requests dropped (clients "
            "retransmit) or expiry steps deferred",
            static_cast<unsigned long long>(n), secs);
    });
}

template <class Step>
unsigned DhcpService::guarded(int64_t now, Step&& step) noexcept {
    try {
        return step();
    } catch (const std::bad_alloc&) {
        note_alloc_failed(now);
        return 0;
    }
}

void DhcpService::handle_request(const dhcp::DhcpRequest& req, int64_t now) noexcept {
    guarded(now, [&] {
        serve(req, now);
        return 0u;
    });
}

void DhcpService::serve(const dhcp::DhcpRequest& req, int64_t now) {
    stats_.requests[static_cast<size_t>(req.msg_type) % dhcp::kMsgTypeNames.size()].add();
    // Only new clients are held back; renewals and the REQUEST after an OFFER pass.
    if (req.msg_type == dhcp::MsgType::Discover && req.giaddr != 0 &&
        !relay_limit_.allow(req.giaddr, now)) {
        stats_.relay_limited.add();
        note_relay_limited(req, now);
        return;
    }
    engine_->handle(req, now, result_);
    stats_.outcomes[static_cast<size_t>(result_.outcome) % dhcp::kOutcomeNames.size()].add();
    if (result_.outcome == dhcp::Outcome::PoolExhausted) note_exhausted(req, now);
    uint64_t seq = 0;
    if (!result_.changed.empty() && !persist(result_.changed, seq)) {
        stats_.storage_failed.add();
        if (result_.has_reply) note_storage_failed(result_.reply, now);
        return;
    }
    tell_dns(result_.changed, result_.events, now);
    schedule(result_.changed);
    if (!result_.has_reply) return;
    if (seq != 0 && reply_type(result_.reply) == static_cast<size_t>(dhcp::MsgType::Ack)) {
        Held& h = held_.append();
        h.seq = seq;
        dhcp::copy_reply(h.reply, result_.reply);
        stats_.held.add();
    } else {
        send(result_.reply);
    }
}

unsigned DhcpService::poll(int64_t now) noexcept {
    sample_queues();
    unsigned done = release_durable(now);
    done += guarded(now, [&] { return take_due(now); });
    if (!ending_.empty()) done += end_dropped(now, kEndPerPoll);
    // Each request changes at most a few leases; stop early rather than fail to queue them.
    for (unsigned handled = 0; handled < kMaxPerPoll;) {
        bool any = false;
        for (auto* ch : channels_) {
            if (store_.write_available() < 4) {
                stats_.store_backpressure.add();
                handled = kMaxPerPoll;
                break;
            }
            // Handled in the queue's slot: no copy of the request.
            if (ch->requests.consume_one(
                    [&](const dhcp::DhcpRequest& req) { handle_request(req, now); })) {
                any = true;
                ++handled;
            }
            if (ch->requests6.consume_one(
                    [&](const dhcp::Dhcp6Request& req) { handle_request6(req, now); })) {
                any = true;
                ++handled;
            }
        }
        done += any ? 1 : 0;
        if (!any) break;
    }
    // Expiry: at most once a second, bounded (the sweeper lcore takes this over).
    if (now != last_expiry_run_) {
        last_expiry_run_ = now;
        done += guarded(now, [&] { return run_expiry(now); });
        done += guarded(now, [&] { return expire6(now); });
    }
    done += release_durable(now);
    wake();
    return done;
}

void DhcpService::attach_dns(ddns::LeaseDns* dns) {
    dns_ = dns;
    if (dns_ == nullptr) return;
    dns_->set_lease_lookup(
        {[this](uint32_t ip) { return engine_->find(ip); },
         [this](const net::Ipv6Addr& a) -> const dhcp::Lease6* {
             return engine6_ ? engine6_->find(dhcp::Lease6Key{dhcp::IaKind::Na, 128, a}) : nullptr;
         }});
}

unsigned DhcpService::run_expiry(int64_t now) {
    unsigned done = 0;
    refresh_gauges();
    refresh_gauges6();
    // With the sweeper attached the engine's heap is only a backstop for entries the
    // sweeper should have returned by now (2 s of slack), with a smaller budget.
    expired_.clear();
    expired_events_.clear();
    size_t n = link_ != nullptr ? engine_->expire_due(now - 2, 1024, expired_, expired_events_)
                                : engine_->expire_due(now, 4096, expired_, expired_events_);
    uint64_t seq = 0;
    if (n != 0) {
        persist(expired_, seq);
        tell_dns(expired_, expired_events_, now);
        stats_.expired.add(n);
        if (link_ != nullptr) stats_.expired_by_backstop.add(n);
        done += static_cast<unsigned>(n);
    }
    if (dns_ != nullptr && dns_->stale_interval() != 0 &&
        now - last_stale_run_ >= dns_->stale_interval()) {
        last_stale_run_ = now;
        try {
            done += static_cast<unsigned>(dns_->sweep_stale(
                now,
                [this](uint32_t ip) {
                    const dhcp::Lease* l = engine_->find(ip);
                    return l != nullptr && l->state == dhcp::LeaseState::Bound ? dns_->owner_of(*l)
                                                                               : std::string();
                },
                [this](const net::Ipv6Addr& a) {
                    const dhcp::Lease6* l =
                        engine6_ ? engine6_->find(dhcp::Lease6Key{dhcp::IaKind::Na, 128, a})
                                 : nullptr;
                    return l != nullptr && l->state == dhcp::LeaseState::Bound ? dns_->owner_of6(*l)
                                                                               : std::string();
                }));
        } catch (const std::exception& e) {
            LOG_ERROR("DNS: stale sweep failed: %s", e.what());
        }
    }
    return done;
}

}  // namespace edgelease::control::dhcp
