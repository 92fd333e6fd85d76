#include "control/dnstcp/update.hpp"

#include <pthread.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "common/log.hpp"
#include "common/log_throttle.hpp"
#include "control/dnsupdate/update.hpp"
#include "control/store/record_store.hpp"
#include "control/zone/zone_store.hpp"
#include "dataplane/wire/cursor.hpp"
#include "dataplane/wire/dns.hpp"

namespace edgelease::control::dnstcp {

namespace {

namespace wdns = dataplane::wire::dns;
namespace urc = dnsupdate::rcode;
using dataplane::wire::load_be16;

constexpr auto kControlTimeout = std::chrono::milliseconds(2000);
constexpr auto kCommitTimeout = std::chrono::milliseconds(5000);

/// The answer: the request's header and zone section (RFC 2136 §3.8), `rc`, signed as the
/// request's TSIG check asks.
std::vector<uint8_t> answer(std::span<const uint8_t> msg, size_t signed_end, uint8_t rc,
                            const tsig::Checked& checked) {
    const size_t echo = std::min(dnsupdate::echo_length(msg), signed_end);
    std::vector<uint8_t> out(msg.begin(), msg.begin() + static_cast<ptrdiff_t>(echo));
    if (out.size() < wdns::kHeaderSize) return {};
    const uint16_t flags = load_be16(out.data() + wdns::hdr::kFlagsOff);
    const uint16_t f = static_cast<uint16_t>(wdns::flag::kQr | (flags & wdns::flag::kOpcodeMask) |
                                             (rc & wdns::flag::kRcodeMask));
    out[2] = static_cast<uint8_t>(f >> 8);
    out[3] = static_cast<uint8_t>(f);
    const uint16_t zocount = out.size() > wdns::kHeaderSize ? 1 : 0;
    out[4] = 0;
    out[5] = static_cast<uint8_t>(zocount);
    std::memset(out.data() + 6, 0, 6);
    (void)tsig::sign_answer(out, checked, static_cast<uint64_t>(std::time(nullptr)));
    return out;
}

/// "key:ddns-key" for a key's name.
std::string key_actor(const tsig::Key& k) {
    std::string n = dns::name_to_text(k.name);
    if (n.size() > 1 && n.back() == '.') n.pop_back();
    return "key:" + n;
}

struct Throttles {
    LogThrottle refused, tsig, failed;
};
Throttles& throttles() {
    static thread_local Throttles t;
    return t;
}

}  // namespace

bool is_update(std::span<const uint8_t> m) noexcept {
    if (m.size() < wdns::kHeaderSize) return false;
    const uint16_t flags = load_be16(m.data() + wdns::hdr::kFlagsOff);
    return (flags & wdns::flag::kQr) == 0 &&
           ((flags & wdns::flag::kOpcodeMask) >> wdns::flag::kOpcodeShift) == wdns::opcode::kUpdate;
}

std::vector<uint8_t> update_error(std::span<const uint8_t> msg, uint8_t rc) {
    return answer(msg, msg.size(), rc, tsig::Checked{});
}

std::vector<uint8_t> handle_update(const UpdateEnv& env, std::span<const uint8_t> msg,
                                   const ClientAddress& client, UpdateStats& stats,
                                   PerZoneStats& zones) {
    if (!is_update(msg)) return {};
    auto count = [&](UpdateOutcome o) { stats.outcomes[static_cast<size_t>(o)].add(); };
    const auto cfg = env.config ? env.config() : nullptr;
    const std::vector<tsig::Key> keys = cfg ? keys_of(*cfg) : std::vector<tsig::Key>{};
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    const std::string from = to_string(client);
    tsig::Checked checked =
        tsig::verify_request(msg.data(), msg.size(), keys, static_cast<uint64_t>(now));
    switch (checked.verdict) {
        case tsig::Verdict::Unsigned:
        case tsig::Verdict::Ok:
            break;
        case tsig::Verdict::FormErr:
            count(UpdateOutcome::FormErr);
            return answer(msg, msg.size(), urc::kFormErr, checked);
        default:  // BADKEY, BADSIG, BADTIME, BADTRUNC: NOTAUTH, the error in the TSIG
            count(UpdateOutcome::TsigFailed);
            throttles().tsig.note(now, [&](uint64_t n, long long secs) {
                LOG_WARN(
                    "dynamic update from %s: TSIG %s (key %s); answered NOTAUTH (%llu such "
                    "in %llds)",
                    from.c_str(), std::string(tsig::verdict_text(checked.verdict)).c_str(),
                    dns::name_to_text(checked.tsig.key_name).c_str(),
                    static_cast<unsigned long long>(n), secs);
            });
            return answer(msg, checked.tsig.offset, urc::kNotAuth, checked);
    }
    const bool is_signed = checked.verdict == tsig::Verdict::Ok;
    const size_t end = is_signed ? checked.tsig.offset : msg.size();
    dnsupdate::UpdateMessage m;
    std::string why;
    if (!dnsupdate::parse_update(msg, end, is_signed, m, why)) {
        count(UpdateOutcome::FormErr);
        LOG_DEBUG("dynamic update from %s: FORMERR: %s", from.c_str(), why.c_str());
        return answer(msg, end, urc::kFormErr, checked);
    }
    const std::string zone_name = dns::name_to_text(m.zone);
    const config::ZoneConfig* zone = nullptr;
    if (cfg)
        for (const auto& z : cfg->dns.zones)
            if (z.name == zone_name) zone = &z;
    if (zone == nullptr || env.zones == nullptr || !env.on_control) {
        count(UpdateOutcome::NotAuth);
        return answer(msg, end, urc::kNotAuth, checked);
    }
    ZoneXfrStats& mine = zones.of(zone->name);
    if (!acl_allows(zone->allow_update, client, checked)) {
        count(UpdateOutcome::Refused);
        mine.updates_refused.add();
        throttles().refused.note(now, [&](uint64_t n, long long secs) {
            LOG_WARN(
                "dynamic update of %s from %s (%s): not allowed by allow_update; answered "
                "REFUSED (%llu such in %llds)",
                zone_name.c_str(), from.c_str(),
                is_signed ? key_actor(*checked.key).c_str() : "unsigned",
                static_cast<unsigned long long>(n), secs);
        });
        return answer(msg, end, urc::kRefused, checked);
    }
    const std::string actor = is_signed ? key_actor(*checked.key) : from;

    // On the control lcore: apply, publish, audit. Shared with the task, which may outlive a
    // wait that timed out.
    struct Outcome {
        dnsupdate::ApplyResult res;
        uint64_t ticket = 0;
        uint64_t failures = 0;
    };
    auto out = std::make_shared<Outcome>();
    auto shared_msg = std::make_shared<dnsupdate::UpdateMessage>(std::move(m));
    zone::ZoneStore* zs = env.zones;
    store::RecordStore* rs = env.records;
    auto publish = env.publish;
    const bool ran = env.on_control(
        [out, shared_msg, zs, rs, publish, actor, now] {
            out->res = dnsupdate::apply_update(*zs, *shared_msg, actor, now);
            if (out->res.added + out->res.deleted != 0 && publish) publish();
            if (rs) {
                for (auto& e : out->res.audit) rs->audit(std::move(e));
                out->ticket = rs->ticket();
                out->failures = rs->stats().failures.load();
            }
        },
        kControlTimeout);
    auto servfail = [&](const char* what) {
        count(UpdateOutcome::ServFail);
        throttles().failed.note(now, [&](uint64_t n, long long secs) {
            LOG_ERROR("dynamic update of %s by %s: %s; answered SERVFAIL (%llu such in %llds)",
                      zone_name.c_str(), actor.c_str(), what, static_cast<unsigned long long>(n),
                      secs);
        });
        return answer(msg, end, urc::kServFail, checked);
    };
    if (!ran)
        return servfail("the control plane did not take it in time (it may still be applied)");
    const auto& res = out->res;
    const size_t changed = res.added + res.deleted;
    // RFC 2136 §3.5: answered once the change is on stable storage.
    if (changed != 0 && rs != nullptr) {
        if (!rs->wait_committed(out->ticket, kCommitTimeout))
            return servfail(
                "the record store has not written it yet (it is serving; check the "
                "disk)");
        if (rs->stats().failures.load() != out->failures)
            return servfail(
                "the record store failed to write it (it is serving, and lost at "
                "the next restart)");
    }
    switch (res.rcode) {
        case urc::kNoError:
            count(UpdateOutcome::Applied);
            mine.updates_applied.add();
            stats.records_added.add(res.added);
            stats.records_deleted.add(res.deleted);
            if (changed != 0)
                LOG_INFO("dynamic update of %s by %s from %s: %zu record(s) written, %zu deleted",
                         zone_name.c_str(), actor.c_str(), from.c_str(), res.added, res.deleted);
            break;
        case urc::kRefused:
            count(UpdateOutcome::RefusedProvenance);
            mine.updates_refused.add();
            LOG_WARN("dynamic update of %s by %s from %s refused: %s", zone_name.c_str(),
                     actor.c_str(), from.c_str(), res.why.c_str());
            break;
        case urc::kYxDomain:
        case urc::kNxDomain:
        case urc::kYxRrset:
        case urc::kNxRrset:
            count(UpdateOutcome::PrereqFailed);
            break;
        case urc::kNotZone:
            count(UpdateOutcome::NotZone);
            break;
        case urc::kNotAuth:
            count(UpdateOutcome::NotAuth);
            break;
        default:
            count(UpdateOutcome::FormErr);
            break;
    }
    return answer(msg, end, res.rcode, checked);
}

Updater::Updater(UpdateEnv env, UpdateStats& stats, PerZoneStats& zones)
    : env_(std::move(env)), stats_(stats), zones_(zones) {
    done_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (done_fd_ < 0)
        throw std::runtime_error(std::string("dynamic updates: eventfd: ") + strerror(errno));
}

Updater::~Updater() {
    stop();
    close(done_fd_);
}

void Updater::start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(mu_);
        stop_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void Updater::stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
        waiting_.clear();
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

bool Updater::submit(Job&& job) {
    {
        std::lock_guard lock(mu_);
        if (stop_ || waiting_.size() >= kMaxWaiting) return false;
        waiting_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

void Updater::take_done(std::vector<Job>& out) {
    uint64_t drain = 0;
    (void)!read(done_fd_, &drain, sizeof drain);
    std::lock_guard lock(mu_);
    for (auto& j : done_) out.push_back(std::move(j));
    done_.clear();
}

void Updater::run() {
    pthread_setname_np(pthread_self(), "el-dns-update");
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !waiting_.empty(); });
            if (stop_) return;  // a message still waiting is not answered: the client retries
            job = std::move(waiting_.front());
            waiting_.pop_front();
        }
        try {
            job.answer = handle_update(env_, job.msg, job.client, stats_, zones_);
        } catch (const std::exception& e) {
            stats_.outcomes[static_cast<size_t>(UpdateOutcome::ServFail)].add();
            LOG_ERROR("dynamic update: %s; answered SERVFAIL", e.what());
            job.answer = update_error(job.msg, urc::kServFail);
        }
        {
            std::lock_guard lock(mu_);
            done_.push_back(std::move(job));
        }
        const uint64_t one = 1;
        (void)!write(done_fd_, &one, sizeof one);
    }
}

}  // namespace edgelease::control::dnstcp
