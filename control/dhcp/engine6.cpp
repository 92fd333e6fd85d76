#include "control/dhcp/engine6.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <queue>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "control/dhcp/reply6.hpp"

namespace edgelease::control::dhcp {

namespace {

using U128 = unsigned __int128;

U128 to_u128(const net::Ipv6Addr& a) noexcept {
    U128 v = 0;
    for (uint8_t b : a.bytes) v = (v << 8) | b;
    return v;
}

net::Ipv6Addr from_u128(U128 v) noexcept {
    net::Ipv6Addr a;
    for (int i = 15; i >= 0; --i) {
        a.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(v & 0xff);
        v >>= 8;
    }
    return a;
}

U128 mask_of(uint8_t len) noexcept {
    return len == 0 ? 0 : ~U128{0} << (128 - len);
}

bool has_binding(LeaseState s) noexcept {
    return s == LeaseState::Bound || s == LeaseState::Released || s == LeaseState::Expired;
}

bool is_unspecified(const net::Ipv6Addr& a) noexcept {
    for (uint8_t b : a.bytes)
        if (b != 0) return false;
    return true;
}

bool is_link_local(const net::Ipv6Addr& a) noexcept {
    return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

/// A host name label from what the client sent: lower-cased letters, digits and inner
/// hyphens, 1..63 characters (RFC 1123 §2.1). Empty when it is not one.
std::string to_label(const uint8_t* p, size_t n) {
    if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-') return {};
    std::string out(n, '\0');
    for (size_t i = 0; i < n; ++i) {
        char c = static_cast<char>(p[i]);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return {};
        out[i] = c;
    }
    return out;
}

std::string bytes_key(const uint8_t* p, size_t n) {
    return std::string(reinterpret_cast<const char*>(p), n);
}

/// The reservation key of an (interface-id, remote-id) pair: the first one's length keeps
/// the two apart.
std::string relay_key(const uint8_t* iid, size_t iid_len, const uint8_t* rid, size_t rid_len) {
    std::string k;
    k.push_back(static_cast<char>(iid_len >> 8));
    k.push_back(static_cast<char>(iid_len));
    if (iid_len != 0) k.append(reinterpret_cast<const char*>(iid), iid_len);
    if (rid_len != 0) k.append(reinterpret_cast<const char*>(rid), rid_len);
    return k;
}

constexpr uint32_t kInfinite = 0xffffffff;

uint32_t clamp_lifetime(std::chrono::seconds s) noexcept {
    const auto v = s.count();
    return v <= 0 ? 0 : v >= kInfinite ? kInfinite - 1 : static_cast<uint32_t>(v);
}

}  // namespace

// ---- state ----------------------------------------------------------------------------------

namespace {

struct AddrPool {
    U128 first = 0, last = 0;
    U128 cursor = 0;  // next never-used candidate
    bool done = false;
    std::deque<std::pair<Lease6Key, uint64_t>> fifo;  // freed (key, generation), oldest first
    uint64_t size = 0;                                // saturating
};

struct PdPool {
    U128 base = 0;
    uint8_t plen = 0, dlen = 0;
    U128 count = 0;   // delegable prefixes
    U128 cursor = 0;  // next never-used index
    std::deque<std::pair<Lease6Key, uint64_t>> fifo;
};

struct Scope6 {
    const config::Scope6Config* cfg = nullptr;
    U128 net = 0;
    uint8_t plen = 0;
    std::vector<AddrPool> pools;
    std::vector<PdPool> pd_pools;
    std::unordered_map<std::string, int32_t> res_by_duid, res_by_hw;
    // (interface-id, remote-id) pairs, either may be empty, as v4's (circuit-id, remote-id).
    std::unordered_map<std::string, int32_t> res_by_relay;
    uint32_t preferred = 0, valid = 0, t1 = 0, t2 = 0, probation = 0;
    uint32_t addresses_bound = 0, prefixes_bound = 0, declined = 0;

    bool on_link(const net::Ipv6Addr& a) const noexcept {
        return (to_u128(a) & mask_of(plen)) == net;
    }
};

struct HeapEntry {
    int64_t at;
    uint32_t index;
    uint64_t generation;
    bool operator>(const HeapEntry& o) const noexcept { return at > o.at; }
};

/// Who a request is about, worked out once per request.
struct Who {
    const uint8_t* duid = nullptr;
    size_t duid_len = 0;
    bool has_hw = false;
    net::MacAddr hw;
    int32_t reservation = -1;
    uint32_t scope = 0;
};

}  // namespace

struct Engine6::Impl {
    config::Config cfg;
    std::vector<uint8_t> server_duid;
    std::vector<Scope6> scopes;
    std::vector<int32_t> iface_scope;  // by interface index: the scope on that link, -1
    std::vector<Lease6> leases;        // never shrinks: a lease is Free, not erased
    std::unordered_map<Lease6Key, uint32_t, Lease6KeyHash> by_key;
    std::unordered_map<std::string, std::vector<uint32_t>> by_binding;
    std::unordered_set<Lease6Key, Lease6KeyHash> reserved;
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap;
    uint64_t next_generation = kGeneration6Base + 1;
    bool restore_pending = false;
    ReplyWriter6 writer;

    explicit Impl(const config::Config& c, std::vector<uint8_t> duid);

    // ---- lookups ----
    int32_t select_scope(const Dhcp6Request& req) const noexcept;
    Who identify(const Dhcp6Request& req, uint32_t scope) const;
    static std::string binding_key(uint32_t scope, IaKind kind, uint32_t iaid, const uint8_t* duid,
                                   size_t len);
    std::string binding_of(const Lease6& l) const {
        return binding_key(l.scope, l.key.kind, l.iaid, l.duid.data(), l.duid.size());
    }
    uint32_t find(const Lease6Key& k) const noexcept {
        auto it = by_key.find(k);
        return it == by_key.end() ? UINT32_MAX : it->second;
    }
    bool in_pools(const Scope6& sc, const Lease6Key& k) const noexcept;

    // ---- state changes ----
    void bump(Lease6& l) noexcept { l.generation = next_generation++; }
    void index_binding(uint32_t i);
    void unindex_binding(uint32_t i);
    void to_fifo(uint32_t i);
    void schedule(uint32_t i);
    void record(Result6& out, const Lease6& l, LeaseEvent ev) {
        out.changed.push_back(l);
        out.events.push_back(ev);
    }
    void count(const Lease6& l, int delta) noexcept;
    void set_state(uint32_t i, LeaseState st) noexcept;
    void finish_restore();

    // ---- allocation ----
    bool available(const Lease6Key& k) const noexcept;
    bool next_free(Scope6& sc, IaKind kind, bool take, Lease6Key& out);
    /// The leases of the client's IA that it may renew (Bound or Expired).
    void held(const std::string& bkey, std::vector<uint32_t>& out) const;
    /// The reservation's address (kind Na) or prefixes (kind Pd), none without a reservation.
    void reserved_keys(const Scope6& sc, const Who& who, IaKind kind,
                       std::vector<Lease6Key>& out) const;
    /// What the client would get for a new IA now: its binding, reservation, hint or the
    /// allocator's next. `take` advances the allocator (a Request), else it only looks.
    bool choose(Scope6& sc, const Who& who, const Ia6& ia, bool take, std::vector<Lease6Key>& out);
    /// Binds `k` to the client's IA (Granted, or Renewed when it already was its binding).
    uint32_t bind(Scope6& sc, const Who& who, const Dhcp6Request& req, const Ia6& ia,
                  const Lease6Key& k, int64_t now, Result6& out);
    void fill(Lease6& l, const Scope6& sc, const Who& who, const Dhcp6Request& req);

    // ---- messages ----
    void assign(const Dhcp6Request& req, Scope6& sc, const Who& who, bool commit, int64_t now,
                Result6& out);
    void extend(const Dhcp6Request& req, Scope6& sc, const Who& who, bool rebind, int64_t now,
                Result6& out);
    void release_or_decline(const Dhcp6Request& req, Scope6& sc, const Who& who, bool decline,
                            int64_t now, Result6& out);
    void confirm(const Dhcp6Request& req, const Scope6& sc, Result6& out);
    void information(const Dhcp6Request& req, const Scope6& sc, Result6& out);
    size_t expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                      std::vector<LeaseEvent>& events);
    LeaseEvent expire_lease(uint32_t i);
};

// ---- construction ---------------------------------------------------------------------------

Engine6::Impl::Impl(const config::Config& c, std::vector<uint8_t> duid)
    : cfg(c), server_duid(std::move(duid)) {
    scopes.resize(cfg.dhcp6.scopes.size());
    for (size_t i = 0; i < scopes.size(); ++i) {
        const config::Scope6Config& s = cfg.dhcp6.scopes[i];
        Scope6& sc = scopes[i];
        sc.cfg = &s;
        sc.plen = s.prefix.prefix_len;
        sc.net = to_u128(s.prefix.v6) & mask_of(sc.plen);
        for (const auto& p : s.pools) {
            AddrPool ap;
            ap.first = to_u128(p.first);
            ap.last = to_u128(p.last);
            if (ap.first > ap.last) throw std::invalid_argument("scope " + s.name + ": bad pool");
            ap.cursor = ap.first;
            const U128 n = ap.last - ap.first + 1;
            ap.size = n == 0 || n > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(n);
            sc.pools.push_back(std::move(ap));
        }
        for (const auto& p : s.pd_pools) {
            PdPool pp;
            pp.plen = p.prefix.prefix_len;
            pp.dlen = p.delegated_length;
            if (pp.dlen < pp.plen || pp.dlen > 128)
                throw std::invalid_argument("scope " + s.name + ": bad pd pool");
            pp.base = to_u128(p.prefix.v6) & mask_of(pp.plen);
            const unsigned bits = pp.dlen - pp.plen;
            pp.count = bits >= 127 ? ~U128{0} : U128{1} << bits;
            sc.pd_pools.push_back(std::move(pp));
        }
        sc.preferred = clamp_lifetime(s.preferred_lifetime);
        sc.valid = std::max(sc.preferred, clamp_lifetime(s.valid_lifetime));
        sc.t1 = s.t1 ? clamp_lifetime(*s.t1) : sc.preferred / 2;
        sc.t2 =
            s.t2 ? clamp_lifetime(*s.t2) : static_cast<uint32_t>(uint64_t{sc.preferred} * 4 / 5);
        sc.probation = clamp_lifetime(s.decline_probation);
        for (size_t r = 0; r < s.reservations.size(); ++r) {
            const auto& rc = s.reservations[r];
            const auto ri = static_cast<int32_t>(r);
            if (!rc.duid.empty())
                sc.res_by_duid.emplace(bytes_key(rc.duid.data(), rc.duid.size()), ri);
            if (rc.hw_address) sc.res_by_hw.emplace(bytes_key(rc.hw_address->bytes.data(), 6), ri);
            if (!rc.remote_id.empty() || !rc.interface_id.empty())
                sc.res_by_relay.emplace(relay_key(rc.interface_id.data(), rc.interface_id.size(),
                                                  rc.remote_id.data(), rc.remote_id.size()),
                                        ri);
            if (rc.ip) reserved.insert(Lease6Key{IaKind::Na, 128, *rc.ip});
            for (const auto& p : rc.prefixes)
                reserved.insert(Lease6Key{IaKind::Pd, p.prefix_len, p.v6});
        }
    }
    iface_scope.assign(cfg.interfaces.size(), -1);
    for (size_t i = 0; i < cfg.interfaces.size(); ++i)
        for (const auto& a : cfg.interfaces[i].addresses) {
            if (!a.is_v6 || is_link_local(a.v6)) continue;
            for (size_t s = 0; s < scopes.size() && iface_scope[i] < 0; ++s)
                if (scopes[s].on_link(a.v6)) iface_scope[i] = static_cast<int32_t>(s);
        }
}

Engine6::Engine6(const config::Config& cfg, std::vector<uint8_t> server_duid)
    : impl_(std::make_unique<Impl>(cfg, std::move(server_duid))) {}
Engine6::~Engine6() = default;

const std::vector<uint8_t>& Engine6::server_duid() const noexcept {
    return impl_->server_duid;
}
size_t Engine6::expiry_heap_size() const noexcept {
    return impl_->heap.size();
}
size_t Engine6::lease_count() const noexcept {
    return impl_->leases.size();
}
const Lease6* Engine6::lease_at(size_t i) const noexcept {
    return i < impl_->leases.size() ? &impl_->leases[i] : nullptr;
}
const Lease6* Engine6::find(const Lease6Key& key) const {
    const uint32_t i = impl_->find(key);
    return i == UINT32_MAX ? nullptr : &impl_->leases[i];
}

std::vector<Engine6::ScopeUse> Engine6::scope_use() const {
    std::vector<ScopeUse> out;
    for (const auto& sc : impl_->scopes) {
        ScopeUse u;
        u.name = sc.cfg->name;
        for (const auto& p : sc.pools)
            u.addresses = p.size > UINT64_MAX - u.addresses ? UINT64_MAX : u.addresses + p.size;
        for (const auto& p : sc.pd_pools) {
            const uint64_t n = p.count > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(p.count);
            u.prefixes = n > UINT64_MAX - u.prefixes ? UINT64_MAX : u.prefixes + n;
        }
        u.addresses_bound = sc.addresses_bound;
        u.prefixes_bound = sc.prefixes_bound;
        u.declined = sc.declined;
        out.push_back(std::move(u));
    }
    return out;
}

// ---- lookups --------------------------------------------------------------------------------

int32_t Engine6::Impl::select_scope(const Dhcp6Request& req) const noexcept {
    if (req.relay_count == 0)
        return req.path.iface_index < iface_scope.size() ? iface_scope[req.path.iface_index] : -1;
    // The relay next to the client names the link; a relay that leaves link-address
    // unspecified (it identifies the link by interface-id) defers to the one outside it.
    for (size_t i = req.relay_count; i-- > 0;) {
        const net::Ipv6Addr& link = req.relays[i].link_addr;
        if (is_unspecified(link)) continue;
        for (size_t s = 0; s < scopes.size(); ++s)
            if (scopes[s].on_link(link)) return static_cast<int32_t>(s);
        return -1;
    }
    return -1;
}

Who Engine6::Impl::identify(const Dhcp6Request& req, uint32_t scope) const {
    Who w;
    w.scope = scope;
    w.duid = req.client_id;
    w.duid_len = req.client_id_len;
    if (req.relay_count == 0) {
        w.has_hw = true;
        w.hw = req.path.src_mac;  // a direct client sends from its own interface
    } else if (req.has_client_ll && req.client_ll_type == 1) {
        w.has_hw = true;
        w.hw = req.client_ll;
    }
    if (!w.has_hw) w.has_hw = mac_from_duid(req.client_id, req.client_id_len, w.hw);
    const Scope6& sc = scopes[scope];
    auto look = [](const std::unordered_map<std::string, int32_t>& m, const uint8_t* p,
                   size_t n) -> int32_t {
        if (n == 0 || m.empty()) return -1;
        auto it = m.find(bytes_key(p, n));
        return it == m.end() ? -1 : it->second;
    };
    int32_t r = look(sc.res_by_duid, req.client_id, req.client_id_len);
    if (r < 0 && w.has_hw) r = look(sc.res_by_hw, w.hw.bytes.data(), 6);
    if (r < 0 && !sc.res_by_relay.empty() && req.relay_count != 0) {
        // Option 37 after its enterprise number; the interface-id of the relay next to the
        // client. Most specific first: both, then a reservation naming only one of them.
        const uint8_t* rid = nullptr;
        size_t rn = 0;
        if (req.remote_id_len > 4 &&
            size_t{req.remote_id_off} + req.remote_id_len <= req.relay_bytes_len) {
            rid = req.relay_bytes + req.remote_id_off + 4;
            rn = req.remote_id_len - 4u;
        }
        const RelayHop& inner = req.relays[req.relay_count - 1];
        const uint8_t* iid = nullptr;
        size_t in = 0;
        if (inner.has_interface_id && inner.interface_id_len != 0 &&
            size_t{inner.interface_id_off} + inner.interface_id_len <= req.relay_bytes_len) {
            iid = req.relay_bytes + inner.interface_id_off;
            in = inner.interface_id_len;
        }
        auto pair = [&](const uint8_t* i, size_t il, const uint8_t* rr, size_t rl) {
            auto it = sc.res_by_relay.find(relay_key(i, il, rr, rl));
            return it == sc.res_by_relay.end() ? -1 : it->second;
        };
        if (in != 0 && rn != 0) r = pair(iid, in, rid, rn);
        if (r < 0 && in != 0) r = pair(iid, in, nullptr, 0);
        if (r < 0 && rn != 0) r = pair(nullptr, 0, rid, rn);
    }
    w.reservation = r;
    return w;
}

std::string Engine6::Impl::binding_key(uint32_t scope, IaKind kind, uint32_t iaid,
                                       const uint8_t* duid, size_t len) {
    std::string k;
    k.reserve(9 + len);
    k.append(reinterpret_cast<const char*>(&scope), 4);
    k.push_back(static_cast<char>(kind));
    k.append(reinterpret_cast<const char*>(&iaid), 4);
    k.append(reinterpret_cast<const char*>(duid), len);
    return k;
}

bool Engine6::Impl::in_pools(const Scope6& sc, const Lease6Key& k) const noexcept {
    const U128 v = to_u128(k.addr);
    if (k.kind == IaKind::Na) {
        for (const auto& p : sc.pools)
            if (v >= p.first && v <= p.last) return true;
        return false;
    }
    for (const auto& p : sc.pd_pools)
        if (k.prefix_len == p.dlen && (v & mask_of(p.plen)) == p.base &&
            (v & ~mask_of(p.dlen)) == 0)
            return true;
    return false;
}

// ---- state changes --------------------------------------------------------------------------

void Engine6::Impl::index_binding(uint32_t i) {
    auto& v = by_binding[binding_of(leases[i])];
    if (std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
}

void Engine6::Impl::unindex_binding(uint32_t i) {
    auto it = by_binding.find(binding_of(leases[i]));
    if (it == by_binding.end()) return;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), i), v.end());
    if (v.empty()) by_binding.erase(it);
}

void Engine6::Impl::to_fifo(uint32_t i) {
    const Lease6& l = leases[i];
    if (l.scope >= scopes.size() || reserved.count(l.key) != 0) return;
    Scope6& sc = scopes[l.scope];
    const U128 v = to_u128(l.key.addr);
    if (l.key.kind == IaKind::Na) {
        for (auto& p : sc.pools)
            if (v >= p.first && v <= p.last) {
                p.fifo.emplace_back(l.key, l.generation);
                return;
            }
    } else {
        for (auto& p : sc.pd_pools)
            if (l.key.prefix_len == p.dlen && (v & mask_of(p.plen)) == p.base) {
                p.fifo.emplace_back(l.key, l.generation);
                return;
            }
    }
}

void Engine6::Impl::schedule(uint32_t i) {
    const Lease6& l = leases[i];
    if (l.state == LeaseState::Bound || l.state == LeaseState::Declined)
        heap.push(HeapEntry{l.expires, i, l.generation});
}

void Engine6::Impl::count(const Lease6& l, int delta) noexcept {
    if (l.scope >= scopes.size()) return;
    Scope6& sc = scopes[l.scope];
    auto add = [delta](uint32_t& c) { c = static_cast<uint32_t>(static_cast<int64_t>(c) + delta); };
    if (l.state == LeaseState::Bound)
        add(l.key.kind == IaKind::Na ? sc.addresses_bound : sc.prefixes_bound);
    if (l.state == LeaseState::Declined) add(sc.declined);
}

void Engine6::Impl::set_state(uint32_t i, LeaseState st) noexcept {
    Lease6& l = leases[i];
    count(l, -1);
    l.state = st;
    count(l, +1);
}

bool Engine6::restore(const Lease6& lease) {
    auto& m = *impl_;
    if (lease.scope >= m.scopes.size() || lease.state == LeaseState::Free ||
        lease.state == LeaseState::Offered)
        return false;
    const Scope6& sc = m.scopes[lease.scope];
    const bool reserved = m.reserved.count(lease.key) != 0;
    if (!reserved && !m.in_pools(sc, lease.key)) return false;
    if (reserved) {
        // The reservation must still name this client (by any identifier it can be checked by
        // without a request): its index is kept only while it points at the same key.
        bool ok = false;
        for (const auto& rc : sc.cfg->reservations) {
            if (lease.key.kind == IaKind::Na && rc.ip && *rc.ip == lease.key.addr) ok = true;
            for (const auto& p : rc.prefixes)
                if (lease.key.kind == IaKind::Pd && p.v6 == lease.key.addr &&
                    p.prefix_len == lease.key.prefix_len)
                    ok = true;
        }
        if (!ok) return false;
    }
    if (m.find(lease.key) != UINT32_MAX) return false;  // a duplicate record: first one wins
    const auto i = static_cast<uint32_t>(m.leases.size());
    m.leases.push_back(lease);
    m.by_key.emplace(lease.key, i);
    m.count(m.leases[i], +1);
    if (has_binding(lease.state)) m.index_binding(i);
    m.schedule(i);
    m.next_generation = std::max(m.next_generation, lease.generation + 1);
    m.restore_pending = true;
    return true;
}

void Engine6::Impl::finish_restore() {
    restore_pending = false;
    // Freed leases wait in their pool's FIFO oldest first: the order their time ran out.
    std::vector<uint32_t> freed;
    for (uint32_t i = 0; i < leases.size(); ++i) {
        const auto st = leases[i].state;
        if (st == LeaseState::Released || st == LeaseState::Expired || st == LeaseState::Free)
            freed.push_back(i);
    }
    std::sort(freed.begin(), freed.end(),
              [&](uint32_t a, uint32_t b) { return leases[a].expires < leases[b].expires; });
    for (auto& sc : scopes) {
        for (auto& p : sc.pools) p.fifo.clear();
        for (auto& p : sc.pd_pools) p.fifo.clear();
    }
    for (uint32_t i : freed) to_fifo(i);
}

// ---- allocation -----------------------------------------------------------------------------

bool Engine6::Impl::available(const Lease6Key& k) const noexcept {
    if (reserved.count(k) != 0) return false;
    const uint32_t i = find(k);
    return i == UINT32_MAX || leases[i].state == LeaseState::Free;
}

bool Engine6::Impl::next_free(Scope6& sc, IaKind kind, bool take, Lease6Key& out) {
    // Never-used first (ascending), then the longest-freed.
    if (kind == IaKind::Na) {
        for (auto& p : sc.pools) {
            while (!p.done) {
                Lease6Key k{IaKind::Na, 128, from_u128(p.cursor)};
                const bool ok = reserved.count(k) == 0 && find(k) == UINT32_MAX;
                if (ok && !take) {
                    out = k;
                    return true;
                }
                if (p.cursor == p.last)
                    p.done = true;
                else
                    ++p.cursor;
                if (ok) {
                    out = k;
                    return true;
                }
            }
        }
        for (auto& p : sc.pools) {
            while (!p.fifo.empty()) {
                auto [k, gen] = p.fifo.front();
                const uint32_t i = find(k);
                const bool ok =
                    i != UINT32_MAX && leases[i].generation == gen &&
                    (leases[i].state == LeaseState::Released ||
                     leases[i].state == LeaseState::Expired || leases[i].state == LeaseState::Free);
                if (!ok) {
                    p.fifo.pop_front();  // moved on since it was queued
                    continue;
                }
                if (take) p.fifo.pop_front();
                out = k;
                return true;
            }
        }
        return false;
    }
    for (auto& p : sc.pd_pools) {
        while (p.cursor < p.count) {
            Lease6Key k{IaKind::Pd, p.dlen, from_u128(p.base | (p.cursor << (128 - p.dlen)))};
            const bool ok = reserved.count(k) == 0 && find(k) == UINT32_MAX;
            if (ok && !take) {
                out = k;
                return true;
            }
            ++p.cursor;
            if (ok) {
                out = k;
                return true;
            }
        }
    }
    for (auto& p : sc.pd_pools) {
        while (!p.fifo.empty()) {
            auto [k, gen] = p.fifo.front();
            const uint32_t i = find(k);
            const bool ok =
                i != UINT32_MAX && leases[i].generation == gen &&
                (leases[i].state == LeaseState::Released ||
                 leases[i].state == LeaseState::Expired || leases[i].state == LeaseState::Free);
            if (!ok) {
                p.fifo.pop_front();
                continue;
            }
            if (take) p.fifo.pop_front();
            out = k;
            return true;
        }
    }
    return false;
}

void Engine6::Impl::held(const std::string& bkey, std::vector<uint32_t>& out) const {
    out.clear();
    auto it = by_binding.find(bkey);
    if (it == by_binding.end()) return;
    for (uint32_t i : it->second)
        if (leases[i].state == LeaseState::Bound || leases[i].state == LeaseState::Expired ||
            leases[i].state == LeaseState::Released)
            out.push_back(i);
}

void Engine6::Impl::reserved_keys(const Scope6& sc, const Who& who, IaKind kind,
                                  std::vector<Lease6Key>& out) const {
    out.clear();
    if (who.reservation < 0) return;
    const auto& rc = sc.cfg->reservations[static_cast<size_t>(who.reservation)];
    if (kind == IaKind::Na && rc.ip) out.push_back(Lease6Key{IaKind::Na, 128, *rc.ip});
    if (kind == IaKind::Pd)
        for (const auto& p : rc.prefixes) out.push_back(Lease6Key{IaKind::Pd, p.prefix_len, p.v6});
}

bool Engine6::Impl::choose(Scope6& sc, const Who& who, const Ia6& ia, bool take,
                           std::vector<Lease6Key>& out) {
    out.clear();
    const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
    // 1. The reservation: its address, or all its prefixes.
    reserved_keys(sc, who, kind, out);
    if (!out.empty()) return true;
    // 2. What the IA already holds (affinity).
    std::vector<uint32_t> mine;
    held(binding_key(who.scope, kind, ia.iaid, who.duid, who.duid_len), mine);
    for (uint32_t i : mine)
        if (reserved.count(leases[i].key) == 0) out.push_back(leases[i].key);
    if (!out.empty()) return true;
    // 3. The client's hint, when it is ours to give and free.
    for (uint8_t h = 0; h < ia.hint_count; ++h) {
        Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                    ia.hints[h].addr};
        if (is_unspecified(k.addr)) continue;
        if (in_pools(sc, k) && available(k)) {
            out.push_back(k);
            return true;
        }
    }
    // 4. The allocator.
    Lease6Key k;
    if (next_free(sc, kind, take, k)) {
        out.push_back(k);
        return true;
    }
    return false;
}

void Engine6::Impl::fill(Lease6& l, const Scope6& sc, const Who& who, const Dhcp6Request& req) {
    l.duid.assign(who.duid, who.duid + who.duid_len);
    l.has_hw = who.has_hw;
    l.hw = who.has_hw ? who.hw : net::MacAddr{};
    l.no_dns = req.has_fqdn && (req.fqdn_flags & 0x04) != 0;  // RFC 4704 §4.1 N
    if (who.reservation >= 0 &&
        !sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname.empty()) {
        l.hostname = sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname;
    } else if (req.has_fqdn && req.fqdn_len > 1 && req.fqdn[0] != 0 &&
               size_t{req.fqdn[0]} < req.fqdn_len) {
        std::string label = to_label(req.fqdn + 1, req.fqdn[0]);
        if (!label.empty()) l.hostname = std::move(label);
    }
    if (l.key.kind == IaKind::Pd) l.hostname.clear();  // delegated prefixes publish no names
    auto keep = [&](uint16_t off, uint16_t len, std::vector<uint8_t>& v) {
        len = std::min<uint16_t>(len, 128);
        if (len == 0 || size_t{off} + len > req.relay_bytes_len)
            v.clear();
        else
            v.assign(req.relay_bytes + off, req.relay_bytes + off + len);
    };
    keep(req.remote_id_off, req.remote_id_len, l.remote_id);
    if (req.relay_count != 0 && req.relays[req.relay_count - 1].has_interface_id) {
        const RelayHop& h = req.relays[req.relay_count - 1];
        keep(h.interface_id_off, h.interface_id_len, l.interface_id);
    } else {
        l.interface_id.clear();
    }
}

uint32_t Engine6::Impl::bind(Scope6& sc, const Who& who, const Dhcp6Request& req, const Ia6& ia,
                             const Lease6Key& k, int64_t now, Result6& out) {
    const std::string mine = binding_key(who.scope, k.kind, ia.iaid, who.duid, who.duid_len);
    uint32_t i = find(k);
    LeaseEvent ev = LeaseEvent::Granted;
    if (i == UINT32_MAX) {
        i = static_cast<uint32_t>(leases.size());
        Lease6 l;
        l.key = k;
        l.scope = who.scope;
        l.state = LeaseState::Free;
        leases.push_back(std::move(l));
        by_key.emplace(k, i);
    } else {
        Lease6& l = leases[i];
        const bool same = has_binding(l.state) && binding_of(l) == mine;
        if (same) {
            ev = l.state == LeaseState::Bound ? LeaseEvent::Renewed : LeaseEvent::Granted;
        } else if (has_binding(l.state) || l.state == LeaseState::Declined) {
            // Someone else's binding (a reservation now naming this client, or an address
            // reached by the allocator): it ends here, recorded before the new one.
            unindex_binding(i);
            Lease6 old = l;
            count(l, -1);
            l.state = LeaseState::Free;
            bump(l);
            old.state = LeaseState::Free;
            old.generation = l.generation;
            record(out, old, LeaseEvent::Replaced);
        }
        if (!same) unindex_binding(i);
    }
    Lease6& l = leases[i];
    count(l, -1);
    l.scope = who.scope;
    l.iaid = ia.iaid;
    fill(l, sc, who, req);
    l.reservation = reserved.count(k) != 0 ? who.reservation : -1;
    l.state = LeaseState::Bound;
    l.start = now;
    l.preferred = sc.preferred;
    l.valid = sc.valid;
    l.expires = now + sc.valid;
    bump(l);
    count(l, +1);
    index_binding(i);
    schedule(i);
    record(out, l, ev);
    return i;
}

// ---- messages -------------------------------------------------------------------------------

void Engine6::handle(const Dhcp6Request& req, int64_t now, Result6& out) {
    auto& m = *impl_;
    out.outcome = Outcome::Answered;
    out.has_reply = false;
    out.changed.clear();
    out.events.clear();
    if (m.restore_pending) m.finish_restore();

    const bool has_sid = req.server_id_len != 0;
    const bool sid_ours =
        has_sid && req.server_id_len == m.server_duid.size() &&
        std::memcmp(req.server_id, m.server_duid.data(), m.server_duid.size()) == 0;
    // RFC 9915 §16: which messages need, forbid, or check the Server Identifier.
    switch (req.msg_type) {
        case Msg6Type::Solicit:
        case Msg6Type::Rebind:
        case Msg6Type::Confirm:
            if (has_sid || req.client_id_len == 0) {
                out.outcome = Outcome::Invalid;
                return;
            }
            break;
        case Msg6Type::Request:
        case Msg6Type::Renew:
        case Msg6Type::Release:
        case Msg6Type::Decline:
            if (req.client_id_len == 0 || !has_sid) {
                out.outcome = Outcome::Invalid;
                return;
            }
            if (!sid_ours) {
                out.outcome = Outcome::NotForUs;
                return;
            }
            break;
        case Msg6Type::InformationRequest:
            if (has_sid && !sid_ours) {
                out.outcome = Outcome::NotForUs;
                return;
            }
            break;
        default:
            out.outcome = Outcome::Invalid;
            return;
    }
    const int32_t si = m.select_scope(req);
    if (si < 0) {
        out.outcome = Outcome::NoScope;
        return;
    }
    Scope6& sc = m.scopes[static_cast<size_t>(si)];
    const Who who = m.identify(req, static_cast<uint32_t>(si));
    switch (req.msg_type) {
        case Msg6Type::Solicit:
            m.assign(req, sc, who, req.rapid_commit && sc.cfg->rapid_commit, now, out);
            break;
        case Msg6Type::Request:
            m.assign(req, sc, who, true, now, out);
            break;
        case Msg6Type::Renew:
        case Msg6Type::Rebind:
            m.extend(req, sc, who, req.msg_type == Msg6Type::Rebind, now, out);
            break;
        case Msg6Type::Release:
        case Msg6Type::Decline:
            m.release_or_decline(req, sc, who, req.msg_type == Msg6Type::Decline, now, out);
            break;
        case Msg6Type::Confirm:
            m.confirm(req, sc, out);
            break;
        default:
            m.information(req, sc, out);
            break;
    }
}

void Engine6::Impl::assign(const Dhcp6Request& req, Scope6& sc, const Who& who, bool commit,
                           int64_t now, Result6& out) {
    const bool solicit = req.msg_type == Msg6Type::Solicit;
    ReplyWriter6& w = writer;
    w.begin(req, solicit && !commit ? Msg6Type::Advertise : Msg6Type::Reply, server_duid);
    if (solicit && commit) w.rapid_commit();
    std::vector<Lease6Key> keys;
    bool short_of_any = false;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const bool pd = ia.type == Ia6::kPd;
        // A Request naming addresses not on this link gets them back as NotOnLink (§18.3.2).
        bool off_link = false;
        if (!pd && req.msg_type == Msg6Type::Request)
            for (uint8_t h = 0; h < ia.hint_count; ++h)
                if (!is_unspecified(ia.hints[h].addr) && !sc.on_link(ia.hints[h].addr))
                    off_link = true;
        if (off_link) {
            w.begin_ia(ia, 0, 0);
            w.status(wire6::kNotOnLink, "not on this link");
            w.end_ia();
            continue;
        }
        if (!choose(sc, who, ia, commit, keys)) {
            short_of_any = true;
            w.begin_ia(ia, 0, 0);
            w.status(pd ? wire6::kNoPrefixAvail : wire6::kNoAddrsAvail,
                     pd ? "no prefix available" : "no address available");
            w.end_ia();
            continue;
        }
        w.begin_ia(ia, sc.t1, sc.t2);
        for (const auto& k : keys) {
            if (commit) bind(sc, who, req, ia, k, now, out);
            w.lease(k, sc.preferred, sc.valid);
        }
        w.end_ia();
    }
    if (short_of_any) out.outcome = Outcome::PoolExhausted;
    w.options(req, *sc.cfg);
    if (req.has_fqdn) {
        std::string host;
        for (const auto& l : out.changed)
            if (l.key.kind == IaKind::Na && !l.hostname.empty()) host = l.hostname;
        if (host.empty() && who.reservation >= 0)
            host = sc.cfg->reservations[static_cast<size_t>(who.reservation)].hostname;
        w.fqdn(req, host, sc.cfg->domain, sc.cfg->dns.update);
    }
    w.finish(req, out);
}

void Engine6::Impl::extend(const Dhcp6Request& req, Scope6& sc, const Who& who, bool rebind,
                           int64_t now, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    std::vector<uint32_t> mine;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
        held(binding_key(who.scope, kind, ia.iaid, who.duid, who.duid_len), mine);
        // What the reservation gives now replaces what the IA held (a reservation added or
        // changed since): the new one is bound, the old one is returned with lifetime 0.
        std::vector<Lease6Key> want;
        reserved_keys(sc, who, kind, want);
        if (want.empty())
            for (uint32_t i : mine)
                if (leases[i].state != LeaseState::Released) want.push_back(leases[i].key);
        if (want.empty() && rebind) {
            // §18.3.5: no binding, but the addresses are ours to give on this link: bind them
            // (a server that lost its state keeps its clients).
            for (uint8_t h = 0; h < ia.hint_count; ++h) {
                Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                            ia.hints[h].addr};
                if (in_pools(sc, k) && available(k)) want.push_back(k);
            }
        }
        if (want.empty()) {
            w.begin_ia(ia, 0, 0);
            // Hints not on this link are returned with lifetime 0 (§18.3.4, §18.3.5).
            for (uint8_t h = 0; h < ia.hint_count; ++h)
                if (kind == IaKind::Na && !sc.on_link(ia.hints[h].addr))
                    w.lease(Lease6Key{kind, 128, ia.hints[h].addr}, 0, 0);
            w.status(wire6::kNoBinding, "no binding for this IA");
            w.end_ia();
            continue;
        }
        w.begin_ia(ia, sc.t1, sc.t2);
        for (const auto& k : want) {
            bind(sc, who, req, ia, k, now, out);
            w.lease(k, sc.preferred, sc.valid);
        }
        // What the client listed and no longer has: lifetime 0, so it stops using it.
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                        ia.hints[h].addr};
            if (is_unspecified(k.addr) || std::find(want.begin(), want.end(), k) != want.end())
                continue;
            w.lease(k, 0, 0);
        }
        // Leases the IA held but no longer gets (its reservation moved) end now.
        for (uint32_t i : mine) {
            if (std::find(want.begin(), want.end(), leases[i].key) != want.end()) continue;
            unindex_binding(i);
            Lease6 old = leases[i];
            set_state(i, LeaseState::Free);
            bump(leases[i]);
            old.state = LeaseState::Free;
            old.generation = leases[i].generation;
            to_fifo(i);
            record(out, old, LeaseEvent::Replaced);
            w.lease(leases[i].key, 0, 0);
        }
        w.end_ia();
    }
    w.options(req, *sc.cfg);
    if (req.has_fqdn) {
        std::string host;
        for (const auto& l : out.changed)
            if (l.key.kind == IaKind::Na && !l.hostname.empty()) host = l.hostname;
        w.fqdn(req, host, sc.cfg->domain, sc.cfg->dns.update);
    }
    w.finish(req, out);
}

void Engine6::Impl::release_or_decline(const Dhcp6Request& req, Scope6& sc, const Who& who,
                                       bool decline, int64_t now, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    w.status(wire6::kSuccess, decline ? "declined" : "released");
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        const IaKind kind = ia.type == Ia6::kPd ? IaKind::Pd : IaKind::Na;
        const std::string bkey = binding_key(who.scope, kind, ia.iaid, who.duid, who.duid_len);
        bool any = false;
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            Lease6Key k{kind, kind == IaKind::Na ? uint8_t{128} : ia.hints[h].prefix_len,
                        ia.hints[h].addr};
            const uint32_t i = find(k);
            if (i == UINT32_MAX) continue;
            Lease6& l = leases[i];
            if (!(l.state == LeaseState::Bound || l.state == LeaseState::Expired) ||
                binding_of(l) != bkey)
                continue;
            any = true;
            if (decline) {
                // §18.3.8: the address is in use by someone else: out of service a while.
                unindex_binding(i);
                set_state(i, LeaseState::Declined);
                l.expires = now + sc.probation;
                bump(l);
                schedule(i);
                record(out, l, LeaseEvent::Declined);
            } else {
                set_state(i, LeaseState::Released);
                l.expires = now;
                bump(l);
                to_fifo(i);
                record(out, l, LeaseEvent::Released);
            }
        }
        if (!any) {
            w.begin_ia(ia, 0, 0);
            w.status(wire6::kNoBinding, "no binding for this IA");
            w.end_ia();
        }
    }
    w.finish(req, out);
}

void Engine6::Impl::confirm(const Dhcp6Request& req, const Scope6& sc, Result6& out) {
    // §18.3.3: Success when every address is on the client's link, NotOnLink otherwise; no
    // answer when the client named no address.
    size_t n = 0;
    bool all_on_link = true;
    for (uint8_t a = 0; a < req.ia_count; ++a) {
        const Ia6& ia = req.ias[a];
        if (ia.type != Ia6::kNa) continue;
        for (uint8_t h = 0; h < ia.hint_count; ++h) {
            ++n;
            all_on_link = all_on_link && sc.on_link(ia.hints[h].addr);
        }
    }
    if (n == 0) {
        out.outcome = Outcome::Invalid;
        return;
    }
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    if (all_on_link)
        w.status(wire6::kSuccess, "all addresses on link");
    else
        w.status(wire6::kNotOnLink, "not on this link");
    w.finish(req, out);
}

void Engine6::Impl::information(const Dhcp6Request& req, const Scope6& sc, Result6& out) {
    ReplyWriter6& w = writer;
    w.begin(req, Msg6Type::Reply, server_duid);
    w.options(req, *sc.cfg);
    w.finish(req, out);
}

// ---- expiry and operator actions -------------------------------------------------------------

LeaseEvent Engine6::Impl::expire_lease(uint32_t i) {
    Lease6& l = leases[i];
    if (l.state == LeaseState::Declined) {
        set_state(i, LeaseState::Free);
        bump(l);
        to_fifo(i);
        return LeaseEvent::Expired;
    }
    set_state(i, LeaseState::Expired);
    bump(l);
    to_fifo(i);
    return LeaseEvent::Expired;
}

size_t Engine6::Impl::expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                                 std::vector<LeaseEvent>& events) {
    if (restore_pending) finish_restore();
    size_t n = 0;
    size_t budget = max * 4 + 64;  // stale entries skipped count against it
    while (n < max && budget-- > 0 && !heap.empty() && heap.top().at <= now) {
        const HeapEntry e = heap.top();
        heap.pop();
        Lease6& l = leases[e.index];
        if (l.generation != e.generation ||
            !(l.state == LeaseState::Bound || l.state == LeaseState::Declined) || l.expires > now)
            continue;
        const LeaseEvent ev = expire_lease(e.index);
        changed.push_back(l);
        events.push_back(ev);
        ++n;
    }
    return n;
}

size_t Engine6::expire_due(int64_t now, size_t max, std::vector<Lease6>& changed,
                           std::vector<LeaseEvent>& events) {
    return impl_->expire_due(now, max, changed, events);
}

bool Engine6::expiry_entry(const Lease6Key& key, sweeper::ExpiryEntry& out) const {
    const uint32_t i = impl_->find(key);
    if (i == UINT32_MAX) return false;
    const Lease6& l = impl_->leases[i];
    if (l.state != LeaseState::Bound && l.state != LeaseState::Declined) return false;
    out = sweeper::ExpiryEntry{i, static_cast<uint32_t>(l.generation), l.expires, l.generation};
    return true;
}

void Engine6::timed_entries(std::vector<sweeper::ExpiryEntry>& out) const {
    for (uint32_t i = 0; i < impl_->leases.size(); ++i) {
        const Lease6& l = impl_->leases[i];
        if (l.state == LeaseState::Bound || l.state == LeaseState::Declined)
            out.push_back(sweeper::ExpiryEntry{i, static_cast<uint32_t>(l.generation), l.expires,
                                               l.generation});
    }
}

LeaseEngine::SweptCounts Engine6::expire_swept(std::span<const sweeper::ExpiryEntry> due,
                                               int64_t now, std::vector<Lease6>& changed,
                                               std::vector<LeaseEvent>& events,
                                               std::vector<sweeper::ExpiryEntry>& early) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    LeaseEngine::SweptCounts c;
    for (const auto& e : due) {
        const Lease6* l = e.lease_ip < m.leases.size() ? &m.leases[e.lease_ip] : nullptr;
        if (l == nullptr || l->generation != e.generation ||
            (l->state != LeaseState::Bound && l->state != LeaseState::Declined)) {
            ++c.stale;
        } else if (l->expires > now) {
            early.push_back(e);
            ++c.early;
        } else {
            events.push_back(m.expire_lease(e.lease_ip));
            changed.push_back(*l);
            ++c.expired;
        }
    }
    return c;
}

bool Engine6::release(const Lease6Key& key, int64_t now, Lease6& changed) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    const uint32_t i = m.find(key);
    if (i == UINT32_MAX || m.leases[i].state != LeaseState::Bound) return false;
    m.set_state(i, LeaseState::Released);
    m.leases[i].expires = now;
    m.bump(m.leases[i]);
    m.to_fifo(i);
    changed = m.leases[i];
    return true;
}

bool Engine6::expire(const Lease6Key& key, int64_t now, Lease6& changed) {
    auto& m = *impl_;
    if (m.restore_pending) m.finish_restore();
    const uint32_t i = m.find(key);
    if (i == UINT32_MAX || m.leases[i].state != LeaseState::Bound) return false;
    m.leases[i].expires = now;
    m.expire_lease(i);
    changed = m.leases[i];
    return true;
}

}  // namespace edgelease::control::dhcp
