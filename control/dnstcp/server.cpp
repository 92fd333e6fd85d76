#include "control/dnstcp/server.hpp"

#include <pthread.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rte_rcu_qsbr.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "common/log.hpp"
#include "control/dnstcp/framing.hpp"
#include "control/dnsupdate/update.hpp"

namespace edgelease::control::dnstcp {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kStopId = 0;
constexpr uint64_t kUdpBase = uint64_t{1} << 30;      // + index: the UDP sockets
constexpr uint64_t kNotifyId = uint64_t{1} << 31;     // the notifier's sockets and doorbell
constexpr uint64_t kUpdateDoneId = kNotifyId + 1;     // the updater's answers
constexpr uint64_t kFirstConnId = uint64_t{1} << 32;  // below: listeners (1 + index)
constexpr int kBacklog = 1024;
constexpr int kMaxEvents = 64;
constexpr int kAcceptsPerWake = 64;
constexpr int kReadsPerWake = 4;  // then the next connection's turn
constexpr int kDatagramsPerWake = 64;
// Answers waiting for the client to read them: above the high mark the connection is not
// read (its queries wait in the kernel's buffer); below the low mark it is again.
constexpr size_t kOutHigh = 256 * 1024;
constexpr size_t kOutLow = 64 * 1024;
constexpr auto kSweepEvery = std::chrono::milliseconds(100);

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

std::string endpoint_text(const net::IfAddress& a, uint16_t port) {
    return a.is_v6 ? "[" + net::to_string(a.v6) + "]:" + std::to_string(port)
                   : net::to_string(a.v4) + ":" + std::to_string(port);
}

bool link_local(const net::IfAddress& a) {
    return a.is_v6 && a.v6.bytes[0] == 0xfe && (a.v6.bytes[1] & 0xc0) == 0x80;
}

/// A listening TCP socket, or with `udp` a bound UDP one.
int open_socket(const net::IfAddress& a, uint16_t port, bool udp) {
    const std::string where =
        (udp ? "DNS (UDP, for updates) on " : "DNS over TCP on ") + endpoint_text(a, port);
    const int fd = socket(a.is_v6 ? AF_INET6 : AF_INET,
                          (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          udp ? IPPROTO_UDP : IPPROTO_TCP);
    if (fd < 0) throw std::runtime_error(where + ": socket: " + strerror(errno));
    auto fail = [&](const char* what) {
        const int e = errno;
        close(fd);
        throw std::runtime_error(where + ": " + what + ": " + strerror(e));
    };
    const int one = 1;
    // An earlier run's connections in TIME_WAIT must not keep the port; the address may
    // still be on its way onto the interface.
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail("SO_REUSEADDR");
    if (a.is_v6) {
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) fail("IPV6_V6ONLY");
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one) != 0)
            fail("IPV6_FREEBIND");
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        std::memcpy(&sa.sin6_addr, a.v6.bytes.data(), 16);
        if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fail("bind");
    } else {
        if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) != 0) fail("IP_FREEBIND");
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(a.v4.value);
        if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fail("bind");
    }
    if (!udp && listen(fd, kBacklog) != 0) fail("listen");
    return fd;
}

/// A client address, the key of the per-client limit.
struct Peer {
    std::array<uint8_t, 17> key{};  // family, then the address
    friend bool operator==(const Peer&, const Peer&) = default;
};
struct PeerHash {
    size_t operator()(const Peer& p) const noexcept {
        uint64_t h = 1469598103934665603ull;
        for (uint8_t b : p.key) h = (h ^ b) * 1099511628211ull;
        return static_cast<size_t>(h);
    }
};

Peer peer_of(const sockaddr_storage& ss) {
    Peer p;
    p.key[0] = static_cast<uint8_t>(ss.ss_family);
    if (ss.ss_family == AF_INET6) {
        const auto& s6 = reinterpret_cast<const sockaddr_in6&>(ss);
        std::memcpy(p.key.data() + 1, &s6.sin6_addr, 16);
    } else if (ss.ss_family == AF_INET) {
        const auto& s4 = reinterpret_cast<const sockaddr_in&>(ss);
        std::memcpy(p.key.data() + 1, &s4.sin_addr, 4);
    }
    return p;
}

struct Conn {
    int fd = -1;
    uint64_t id = 0;
    Peer peer;
    Deframer in;
    std::vector<uint8_t> out;
    size_t out_off = 0;
    int64_t deadline_ns = 0;  // idle until then: closed
    uint32_t events = 0;      // what epoll watches for it now
    bool peer_closed = false;
    std::unique_ptr<Transfer> xfr;  // a zone transfer being sent: later queries wait for it
    uint32_t updates = 0;           // UPDATE messages with the updater: their answers follow

    size_t pending_out() const { return out.size() - out_off; }
};

}  // namespace

/// The serving thread's state: everything here is touched by that thread only.
struct DnsTcpServer::Loop {
    DnsTcpServer& s;
    std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns;
    std::unordered_map<Peer, uint32_t, PeerHash> per_peer;
    uint64_t next_id = kFirstConnId;
    int64_t idle_ns;
    dataplane::dns::DnsSettings dns;
    std::vector<uint8_t> scratch = std::vector<uint8_t>(Deframer::kMaxMessage);

    explicit Loop(DnsTcpServer& server) : s(server) {
        idle_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(s.settings_.idle_timeout).count();
        dns.udp_payload_size = s.settings_.udp_payload_size;
        dns.stream = true;
        dns.keepalive_100ms = static_cast<uint16_t>(
            std::min<int64_t>(s.settings_.idle_timeout.count() / 100, 0xffff));
    }

    void count_open(int delta) {
        const uint32_t n = s.stats_.open.load(std::memory_order_relaxed) + delta;
        s.stats_.open.store(n, std::memory_order_relaxed);
        if (n > s.stats_.open_peak.load(std::memory_order_relaxed))
            s.stats_.open_peak.store(n, std::memory_order_relaxed);
    }

    void watch(Conn& c, uint32_t events) {
        if (c.events == events) return;
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = c.id;
        epoll_ctl(s.epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
        c.events = events;
    }

    void close_conn(Conn& c, CloseReason why) {
        s.stats_.closed[static_cast<size_t>(why)].add();
        close(c.fd);  // also leaves the epoll set
        if (auto it = per_peer.find(c.peer); it != per_peer.end() && --it->second == 0)
            per_peer.erase(it);
        count_open(-1);
        conns.erase(c.id);  // c is gone from here
    }

    void accept_from(int lfd) {
        for (int i = 0; i < kAcceptsPerWake; ++i) {
            sockaddr_storage ss{};
            socklen_t sl = sizeof ss;
            const int fd =
                accept4(lfd, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;  // EAGAIN, or a connection that died in the backlog
            const Peer peer = peer_of(ss);
            const auto open = s.stats_.open.load(std::memory_order_relaxed);
            if (open >= s.settings_.max_connections) {
                s.stats_.closed[static_cast<size_t>(CloseReason::LimitTotal)].add();
                close(fd);
                continue;
            }
            auto known = per_peer.find(peer);
            if (known != per_peer.end() && known->second >= s.settings_.max_per_client) {
                s.stats_.closed[static_cast<size_t>(CloseReason::LimitClient)].add();
                close(fd);
                continue;
            }
            const int one = 1;
            // Pipelined answers go out as they are made, not held for the previous one's ACK.
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Conn>();
            c->fd = fd;
            c->id = next_id++;
            c->peer = peer;
            c->deadline_ns = now_ns() + idle_ns;
            c->events = EPOLLIN;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = c->id;
            if (epoll_ctl(s.epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
                s.stats_.closed[static_cast<size_t>(CloseReason::Error)].add();
                close(fd);
                continue;
            }
            ++per_peer[peer];
            s.stats_.accepted.add();
            count_open(+1);
            conns.emplace(c->id, std::move(c));
        }
    }

    static ClientAddress address_of(const Peer& p) {
        ClientAddress a;
        if (p.key[0] == AF_INET6) {
            a.is_v6 = true;
            std::memcpy(a.v6.bytes.data(), p.key.data() + 1, 16);
        } else {
            a.v4.value = uint32_t{p.key[1]} << 24 | uint32_t{p.key[2]} << 16 |
                         uint32_t{p.key[3]} << 8 | p.key[4];
        }
        return a;
    }

    /// More of c's transfer while its answers run low; drops it once it is all made.
    void feed_transfer(Conn& c) {
        if (!c.xfr || c.pending_out() >= kOutLow) return;
        // What was written goes first, so the buffer holds at most kOutHigh-ish octets.
        c.out.erase(c.out.begin(), c.out.begin() + static_cast<ptrdiff_t>(c.out_off));
        c.out_off = 0;
        if (!c.xfr->produce(c.out, kOutHigh - kOutLow)) c.xfr.reset();
    }

    /// Answers one message into c.out.
    void answer(Conn& c, std::span<const uint8_t> msg) {
        s.stats_.messages.add();
        if (is_update(msg)) {
            Updater::Job job;
            job.conn = c.id;
            job.client = address_of(c.peer);
            job.msg.assign(msg.begin(), msg.end());
            if (s.updater_->submit(std::move(job))) {
                ++c.updates;  // answered when done (RFC 7766 §7: answers may come out of order)
                return;
            }
            s.stats_.updates.outcomes[static_cast<size_t>(UpdateOutcome::Overload)].add();
            append(c, update_error(msg, dnsupdate::rcode::kServFail));
            return;
        }
        if (is_transfer_request(msg)) {
            s.stats_.dns.queries.add();
            c.xfr = begin_transfer(s.settings_.transfers, msg, address_of(c.peer), c.out,
                                   s.stats_.transfers, s.stats_.zones);
            feed_transfer(c);
            return;
        }
        std::memcpy(scratch.data(), msg.data(), msg.size());
        const uint16_t n = dataplane::dns::answer_query(
            s.zones_.current(), dns, scratch.data(), static_cast<uint16_t>(msg.size()),
            static_cast<uint16_t>(scratch.size()), s.stats_.dns);
        if (n == 0) return;  // not to be answered (a response): counted as dropped
        append(c, std::span<const uint8_t>(scratch.data(), n));
    }

    /// One framed answer into c.out.
    static void append(Conn& c, std::span<const uint8_t> a) {
        if (a.empty()) return;
        if (c.out_off == c.out.size()) {
            c.out.clear();
            c.out_off = 0;
        }
        c.out.push_back(static_cast<uint8_t>(a.size() >> 8));
        c.out.push_back(static_cast<uint8_t>(a.size()));
        c.out.insert(c.out.end(), a.begin(), a.end());
    }

    /// Answers from the updater: onto their connections, or sent as datagrams.
    void updates_done(int64_t now) {
        std::vector<Updater::Job> done;
        s.updater_->take_done(done);
        for (auto& j : done) {
            if (j.conn == 0) {
                if (!j.answer.empty())
                    (void)sendto(j.udp_fd, j.answer.data(), j.answer.size(), MSG_DONTWAIT,
                                 reinterpret_cast<const sockaddr*>(&j.peer), j.peer_len);
                continue;
            }
            auto it = conns.find(j.conn);
            if (it == conns.end()) continue;  // closed meanwhile (reset, shutdown)
            Conn& c = *it->second;
            --c.updates;
            append(c, j.answer);
            serve(c, now);
        }
    }

    /// Datagrams on a UDP socket: UPDATEs to the updater, anything else answered here.
    void read_udp(int fd) {
        dataplane::dns::DnsSettings udp = dns;
        udp.stream = false;
        udp.keepalive_100ms = 0;
        for (int i = 0; i < kDatagramsPerWake; ++i) {
            sockaddr_storage ss{};
            socklen_t sl = sizeof ss;
            const ssize_t n = recvfrom(fd, scratch.data(), scratch.size(), MSG_DONTWAIT,
                                       reinterpret_cast<sockaddr*>(&ss), &sl);
            if (n < 0) return;
            const std::span<const uint8_t> msg(scratch.data(), static_cast<size_t>(n));
            if (is_update(msg)) {
                s.stats_.updates.udp.add();
                Updater::Job job;
                job.udp_fd = fd;
                job.peer = ss;
                job.peer_len = sl;
                job.client = address_of(peer_of(ss));
                job.msg.assign(msg.begin(), msg.end());
                if (!s.updater_->submit(std::move(job))) {
                    s.stats_.updates.outcomes[static_cast<size_t>(UpdateOutcome::Overload)].add();
                    const auto a = update_error(msg, dnsupdate::rcode::kServFail);
                    (void)sendto(fd, a.data(), a.size(), MSG_DONTWAIT,
                                 reinterpret_cast<const sockaddr*>(&ss), sl);
                }
                continue;
            }
            const uint16_t len = dataplane::dns::answer_query(
                s.zones_.current(), udp, scratch.data(), static_cast<uint16_t>(n),
                static_cast<uint16_t>(std::min<size_t>(scratch.size(), udp.udp_payload_size)),
                s.stats_.dns);
            if (len != 0)
                (void)sendto(fd, scratch.data(), len, MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&ss), sl);
        }
    }

    /// Answers the complete messages buffered, while the answers fit. False: c was closed.
    bool work(Conn& c, int64_t now) {
        while (c.pending_out() < kOutHigh && !c.xfr) {
            std::span<const uint8_t> msg;
            const auto next = c.in.next(msg);
            if (next == Deframer::Next::NeedMore) break;
            if (next == Deframer::Next::Bad) {
                close_conn(c, CloseReason::Malformed);
                return false;
            }
            c.deadline_ns = now + idle_ns;
            answer(c, msg);
        }
        return true;
    }

    /// Writes what it can. False: c was closed.
    bool flush(Conn& c, int64_t now) {
        const bool had_output = c.pending_out() > 0;
        while (c.pending_out() > 0) {
            const ssize_t n =
                send(c.fd, c.out.data() + c.out_off, c.pending_out(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c.out_off += static_cast<size_t>(n);
                s.stats_.bytes_out.add(static_cast<uint64_t>(n));
                // A transfer the client keeps reading is not idle, however long it takes.
                if (c.xfr) c.deadline_ns = now + idle_ns;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0 && errno == EINTR) continue;
            close_conn(c, errno == EPIPE || errno == ECONNRESET ? CloseReason::ClientClosed
                                                                : CloseReason::Error);
            return false;
        }
        if (had_output && c.pending_out() == 0) {
            // Every answer is out: the client is keeping up, and the idle time starts again.
            c.out.clear();
            c.out_off = 0;
            c.deadline_ns = std::max(c.deadline_ns, now + idle_ns);
        }
        return true;
    }

    /// Reads, answers and writes until the socket has nothing more for now.
    void serve(Conn& c, int64_t now) {
        for (int r = 0; r < kReadsPerWake && !c.peer_closed; ++r) {
            if (!work(c, now)) return;
            if (c.pending_out() >= kOutHigh) break;
            const auto sp = c.in.space();
            if (sp.empty()) break;  // a full buffer of messages waits for output room
            const ssize_t n = recv(c.fd, sp.data(), sp.size(), MSG_DONTWAIT);
            if (n > 0) {
                c.in.commit(static_cast<size_t>(n));
                s.stats_.bytes_in.add(static_cast<uint64_t>(n));
                continue;
            }
            if (n == 0) {
                c.peer_closed = true;  // half-close: the answers still go out
                break;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            close_conn(c, errno == ECONNRESET ? CloseReason::ClientClosed : CloseReason::Error);
            return;
        }
        // Write, make more of a transfer as it drains, and take the queries that waited for it.
        for (int round = 0; round < kReadsPerWake; ++round) {
            if (!work(c, now)) return;
            feed_transfer(c);
            const size_t before = c.pending_out();
            if (!flush(c, now)) return;
            if (c.pending_out() == before || (!c.xfr && c.pending_out() == 0)) break;
        }
        if (c.peer_closed && c.pending_out() == 0 && !c.xfr && c.updates == 0) {
            close_conn(c, CloseReason::ClientClosed);  // anything left is an unfinished message
            return;
        }
        uint32_t want = 0;
        if (!c.peer_closed && c.pending_out() < kOutLow) want |= EPOLLIN;
        // A transfer not yet all made needs a wake-up when the socket has room again, even
        // when everything made so far was sent: the kernel took it all, and no read comes.
        if (c.pending_out() > 0 || c.xfr) want |= EPOLLOUT;
        watch(c, want);
    }

    void sweep(int64_t now) {
        std::vector<Conn*> late;
        for (auto& [id, c] : conns)
            if (now >= c->deadline_ns && c->updates == 0) late.push_back(c.get());
        for (Conn* c : late)
            close_conn(*c, stalled(*c) ? CloseReason::OutputStalled : CloseReason::Idle);
    }

    /// Answers not read by the client: in our buffer, or still in the kernel's send queue.
    static bool stalled(const Conn& c) {
        int unsent = 0;
        return c.pending_out() > 0 || (ioctl(c.fd, SIOCOUTQ, &unsent) == 0 && unsent > 0);
    }

    void close_all() {
        std::vector<Conn*> all;
        for (auto& [id, c] : conns) all.push_back(c.get());
        for (Conn* c : all) close_conn(*c, CloseReason::Shutdown);
    }
};

DnsTcpServer::DnsTcpServer(TcpSettings settings, const dataplane::kernel::Netns& ns,
                           const dataplane::dns::ZoneViewSlot& zones, rte_rcu_qsbr* qsbr,
                           unsigned rcu_id)
    : settings_(std::move(settings)), zones_(zones), qsbr_(qsbr), rcu_id_(rcu_id) {
    try {
        {
            // Sockets belong to the namespace they are made in, whichever thread uses them.
            dataplane::kernel::EnterNetns in(ns);
            for (const auto& a : settings_.addresses) {
                if (link_local(a)) continue;
                const int fd = open_socket(a, settings_.port, false);
                listeners_.push_back(fd);
                // The port bound (the one asked for, or the kernel's pick for 0).
                sockaddr_storage ss{};
                socklen_t sl = sizeof ss;
                getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl);
                const uint16_t port =
                    ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(ss).sin6_port
                                                   : reinterpret_cast<sockaddr_in&>(ss).sin_port);
                endpoints_.push_back(endpoint_text(a, port));
                if (!settings_.udp) continue;
                // UDP on the same port (with port 0, the TCP socket's pick).
                const int ufd = open_socket(a, port, true);
                udp_.push_back(ufd);
                udp_endpoints_.push_back(endpoint_text(a, port));
            }
        }
        epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
        stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (epoll_fd_ < 0 || stop_fd_ < 0)
            throw std::runtime_error(std::string("DNS over TCP: epoll/eventfd: ") +
                                     strerror(errno));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kStopId;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
        notifier_ = std::make_unique<Notifier>(ns, stats_.notify, stats_.zones);
        ev.data.u64 = kNotifyId;
        for (int fd : notifier_->fds())
            if (fd >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
        updater_ = std::make_unique<Updater>(settings_.updates, stats_.updates, stats_.zones);
        ev.data.u64 = kUpdateDoneId;
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, updater_->done_fd(), &ev);
        for (size_t i = 0; i < udp_.size(); ++i) {
            ev.data.u64 = kUdpBase + i;
            if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, udp_[i], &ev) != 0)
                throw std::runtime_error("DNS (UDP) on " + udp_endpoints_[i] +
                                         ": epoll: " + strerror(errno));
        }
        for (size_t i = 0; i < listeners_.size(); ++i) {
            ev.data.u64 = 1 + i;
            if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i], &ev) != 0)
                throw std::runtime_error("DNS over TCP on " + endpoints_[i] +
                                         ": epoll: " + strerror(errno));
        }
    } catch (...) {
        updater_.reset();
        for (int fd : listeners_) close(fd);
        for (int fd : udp_) close(fd);
        if (epoll_fd_ >= 0) close(epoll_fd_);
        if (stop_fd_ >= 0) close(stop_fd_);
        throw;
    }
}

DnsTcpServer::~DnsTcpServer() {
    stop();
    updater_.reset();
    for (int fd : listeners_) close(fd);
    for (int fd : udp_) close(fd);
    close(epoll_fd_);
    close(stop_fd_);
}

void DnsTcpServer::start() {
    if (thread_.joinable()) return;
    uint64_t drain = 0;
    (void)!read(stop_fd_, &drain, sizeof drain);
    updater_->start();
    thread_ = std::thread([this] { run(); });
}

void DnsTcpServer::stop() {
    if (!thread_.joinable()) return;
    const uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
    updater_->stop();  // before the control plane goes (it applies updates there)
}

void DnsTcpServer::run() noexcept {
    pthread_setname_np(pthread_self(), "el-dns-tcp");
    try {
        Loop loop(*this);
        epoll_event events[kMaxEvents];
        const int64_t sweep_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(kSweepEvery).count();
        int64_t next_sweep = now_ns() + sweep_ns;
        int64_t notify_due = 0;  // when the notifier must run again (0: on its events only)
        for (;;) {
            int wait_ms = loop.conns.empty() ? -1 : static_cast<int>(kSweepEvery.count());
            if (notify_due != 0) {
                const int64_t ms = std::max<int64_t>(0, (notify_due - now_ns()) / 1'000'000 + 1);
                wait_ms = wait_ms < 0 ? static_cast<int>(ms) : std::min<int>(wait_ms, ms);
            }
            const int n = epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms);
            if (n < 0 && errno != EINTR) {
                LOG_ERROR("DNS over TCP: epoll_wait: %s; the server stops", strerror(errno));
                break;
            }
            // Online while it reads the zone view; offline while it waits.
            rte_rcu_qsbr_thread_online(qsbr_, rcu_id_);
            const int64_t now = now_ns();
            bool stopping = false;
            bool notify_now = notify_due != 0 && now >= notify_due;
            for (int i = 0; i < n; ++i) {
                const uint64_t id = events[i].data.u64;
                if (id == kStopId) {
                    stopping = true;
                } else if (id == kNotifyId) {
                    notify_now = true;
                } else if (id == kUpdateDoneId) {
                    loop.updates_done(now);
                } else if (id >= kUdpBase && id < kUdpBase + udp_.size()) {
                    loop.read_udp(udp_[id - kUdpBase]);
                } else if (id < kFirstConnId) {
                    loop.accept_from(listeners_[id - 1]);
                } else if (auto it = loop.conns.find(id); it != loop.conns.end()) {
                    Conn& c = *it->second;
                    if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0 &&
                        (events[i].events & EPOLLIN) == 0) {
                        loop.close_conn(c, CloseReason::ClientClosed);
                        continue;
                    }
                    loop.serve(c, now);
                }
            }
            if (now >= next_sweep) {
                loop.sweep(now);
                next_sweep = now + sweep_ns;
            }
            if (notify_now) {
                const auto cfg =
                    settings_.transfers.config ? settings_.transfers.config() : nullptr;
                notify_due = notifier_->run(cfg.get(), now);
            }
            rte_rcu_qsbr_thread_offline(qsbr_, rcu_id_);
            if (stopping) break;
        }
        loop.close_all();
    } catch (const std::exception& e) {
        rte_rcu_qsbr_thread_offline(qsbr_, rcu_id_);
        LOG_ERROR("DNS over TCP: %s; the server stops", e.what());
    }
}

}  // namespace edgelease::control::dnstcp
