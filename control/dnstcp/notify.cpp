#include "control/dnstcp/notify.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include "common/log.hpp"

namespace edgelease::control::dnstcp {

namespace {

constexpr uint16_t kOpcodeNotify = 4;

int udp_socket(int family) {
    const int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && family == AF_INET6 && errno == EAFNOSUPPORT) return -1;  // no IPv6 here
    if (fd < 0) throw std::runtime_error(std::string("NOTIFY: UDP socket: ") + strerror(errno));
    if (family == AF_INET6) {
        const int one = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    return fd;
}

std::vector<uint8_t> notify_message(uint16_t id, const dns::WireName& apex) {
    std::vector<uint8_t> m(12, 0);
    m[0] = static_cast<uint8_t>(id >> 8);
    m[1] = static_cast<uint8_t>(id);
    const uint16_t flags = kOpcodeNotify << 11 | 0x0400;  // NOTIFY, AA (RFC 1996 §3.7)
    m[2] = static_cast<uint8_t>(flags >> 8);
    m[3] = static_cast<uint8_t>(flags);
    m[5] = 1;  // QDCOUNT
    m.insert(m.end(), apex.begin(), apex.end());
    for (uint8_t b : {0, 6, 0, 1}) m.push_back(b);  // SOA, IN
    return m;
}

bool same_peer(const config::NotifyTarget& t, const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET && !t.is_v6) {
        const auto& s4 = reinterpret_cast<const sockaddr_in&>(ss);
        return ntohl(s4.sin_addr.s_addr) == t.v4.value && ntohs(s4.sin_port) == t.port;
    }
    if (ss.ss_family == AF_INET6 && t.is_v6) {
        const auto& s6 = reinterpret_cast<const sockaddr_in6&>(ss);
        return std::memcmp(&s6.sin6_addr, t.v6.bytes.data(), 16) == 0 &&
               ntohs(s6.sin6_port) == t.port;
    }
    return false;
}

bool same_targets(const std::vector<config::NotifyTarget>& want,
                  const std::vector<Notifier::Target>& have) {
    if (want.size() != have.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
        const auto& a = want[i];
        const auto& b = have[i].to;
        if (a.is_v6 != b.is_v6 || a.port != b.port || (a.is_v6 ? a.v6 != b.v6 : a.v4 != b.v4))
            return false;
    }
    return true;
}

}  // namespace

Notifier::Notifier(const dataplane::kernel::Netns& ns, NotifyStats& stats, PerZoneStats& zones)
    : stats_(stats), zone_stats_(zones), next_id_(static_cast<uint16_t>(std::random_device{}())) {
    {
        dataplane::kernel::EnterNetns in(ns);
        fd4_ = udp_socket(AF_INET);
        try {
            fd6_ = udp_socket(AF_INET6);
        } catch (...) {
            close(fd4_);
            throw;
        }
    }
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        close(fd4_);
        if (fd6_ >= 0) close(fd6_);
        throw std::runtime_error(std::string("NOTIFY: eventfd: ") + strerror(errno));
    }
}

Notifier::~Notifier() {
    for (int fd : {fd4_, fd6_, wake_fd_})
        if (fd >= 0) close(fd);
}

void Notifier::zone_changed(const dns::WireName& apex) {
    {
        std::lock_guard lock(mu_);
        if (std::find(changed_.begin(), changed_.end(), apex) == changed_.end())
            changed_.push_back(apex);
    }
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
}

void Notifier::send(const Zone& z, Target& t, int64_t now) {
    if (t.tries == 0) t.id = next_id_++;
    const auto m = notify_message(t.id, z.apex);
    ssize_t n = -1;
    if (t.to.is_v6 && fd6_ >= 0) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(t.to.port);
        std::memcpy(&sa.sin6_addr, t.to.v6.bytes.data(), 16);
        n = sendto(fd6_, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else if (!t.to.is_v6) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(t.to.port);
        sa.sin_addr.s_addr = htonl(t.to.v4.value);
        n = sendto(fd4_, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    if (n < 0) {
        stats_.send_errors.add();
    } else {
        stats_.sent.add();
        z.stats->notify_sent.add();
    }
    ++t.tries;
    t.due = now + kRetryNs;
}

void Notifier::read_answers(int fd) {
    if (fd < 0) return;
    for (int i = 0; i < 64; ++i) {
        uint8_t buf[512];
        sockaddr_storage ss{};
        socklen_t sl = sizeof ss;
        const ssize_t n = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&ss), &sl);
        if (n < 0) return;
        if (n < 12 || (buf[2] & 0x80) == 0 || ((buf[2] >> 3) & 0x0f) != kOpcodeNotify) continue;
        const uint16_t id = static_cast<uint16_t>(buf[0] << 8 | buf[1]);
        for (Zone& z : zones_)
            for (Target& t : z.targets) {
                if (!t.active || t.id != id || !same_peer(t.to, ss)) continue;
                stats_.answered.add();
                z.stats->notify_answered.add();
                if ((buf[3] & 0x0f) != 0) stats_.refused.add();
                t.active = false;
                t.tries = 0;
                if (t.again) {  // the serial moved meanwhile: tell it once more, now
                    t.again = false;
                    t.active = true;
                    t.due = 0;
                }
            }
    }
}

int64_t Notifier::run(const config::Config* cfg, int64_t now) {
    uint64_t drain = 0;
    (void)!read(wake_fd_, &drain, sizeof drain);
    std::vector<dns::WireName> changed;
    {
        std::lock_guard lock(mu_);
        changed.swap(changed_);
    }
    for (const auto& apex : changed) {
        const config::ZoneConfig* zc = nullptr;
        const std::string name = dns::name_to_text(apex);
        if (cfg != nullptr)
            for (const auto& z : cfg->dns.zones)
                if (z.name == name) zc = &z;
        auto it = std::find_if(zones_.begin(), zones_.end(),
                               [&](const Zone& z) { return z.apex == apex; });
        if (zc == nullptr || zc->notify.empty()) {
            if (it != zones_.end()) zones_.erase(it);
            continue;
        }
        if (it == zones_.end()) {
            zones_.push_back(Zone{apex, {}, &zone_stats_.of(name)});
            it = zones_.end() - 1;
        }
        if (!same_targets(zc->notify, it->targets)) {
            it->targets.clear();
            for (const auto& to : zc->notify) it->targets.push_back(Target{to});
        }
        for (Target& t : it->targets) {
            if (t.active) {
                t.again = true;
            } else {
                t.active = true;
                t.tries = 0;
                t.due = 0;
            }
        }
    }
    read_answers(fd4_);
    read_answers(fd6_);
    int64_t next = 0;
    for (Zone& z : zones_)
        for (Target& t : z.targets) {
            if (!t.active) continue;
            if (t.due <= now) {
                if (t.tries >= kTries) {
                    stats_.gave_up.add();
                    z.stats->notify_gave_up.add();
                    t.active = false;
                    t.tries = 0;
                    if (!t.again) continue;
                    t.again = false;
                    t.active = true;
                }
                send(z, t, now);
            }
            next = next == 0 ? t.due : std::min(next, t.due);
        }
    return next;
}

}  // namespace edgelease::control::dnstcp
