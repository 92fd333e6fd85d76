#pragma once
// LeaseEngine internals shared by the engine's .cpp files (allocator.cpp: slots, pools, FIFO,
// expiry and restore; lease_engine.cpp: the RFC 2131 message handling; reply.cpp: options,
// destinations and encoding). Internal to control/dhcp.
//
// Model. Every address that has ever been handed out has a *slot* (a Lease plus bookkeeping)
// that lives as long as the engine; it is found by ip through `by_ip` and, while it carries a
// client binding (Offered, Bound, Released, Expired), by (scope, client) through `by_client`.
// Addresses never used have no slot: a per-scope cursor walks the pools in ascending order
// and hands them out first. Freed addresses (Released, Expired, Free) of a scope wait in an
// intrusive FIFO, oldest first; a Released/Expired one still belongs to its client (affinity)
// until the allocator reaches it and gives it to someone else. Reserved addresses never enter
// the cursor's or the FIFO's reach. Timed states (Offered, Bound, Declined) sit in a lazy
// min-heap by expiry; entries whose lease moved on (renewed, released, expired through the
// sweeper lcore) are skipped when they surface and dropped by an incremental compaction pass.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "control/dhcp/encode.hpp"
#include "control/dhcp/expiry_heap.hpp"
#include "control/dhcp/lease.hpp"
#include "control/dhcp/lease_engine.hpp"
#include "control/dhcp/reservation_index.hpp"
#include "control/dhcp/slot_table.hpp"

namespace edgelease::control::dhcp::detail {

using edgelease::control::dhcp::OptionSet;

struct Slot {
    Lease lease;
    uint32_t fifo_prev = kNil;
    uint32_t fifo_next = kNil;
    bool in_fifo = false;
    bool reserved = false;   // the ip is a reservation's address (never pooled)
    bool has_prior = false;  // Offered on top of the same client's Released/Expired binding
    LeaseState prior_state = LeaseState::Free;
    int64_t prior_start = 0;
    int64_t prior_expires = 0;
};

struct ScopeState {
    const config::ScopeConfig* cfg = nullptr;
    uint32_t index = 0;
    uint32_t network = 0;
    uint32_t mask = 0;
    std::vector<config::PoolRange> pools;  // as configured (non-overlapping)
    // Never-used addresses: the cursor walks pools in order; all addresses before it have been
    // considered once (and have a slot, or are reserved).
    size_t cursor_pool = 0;
    uint64_t cursor_ip = 0;  // next candidate (64-bit: may pass 255.255.255.255)
    uint32_t fifo_head = kNil;
    uint32_t fifo_tail = kNil;
    std::unordered_map<uint32_t, int32_t> reserved_ips;  // ip -> reservation index
    ReservationIndex res_by_client_id;
    ReservationIndex res_by_hw;
    ReservationIndex res_by_relay;  // (circuit_id, remote_id) pair, either may be empty
    OptionSet static_opts;          // 1, 3, 6, 15, 28, 42, 119, 121 and the `options` list
    uint32_t lease_time = 0;
    uint32_t t1 = 0;
    uint32_t t2 = 0;
    uint32_t offer_hold = 0;
    uint32_t probation = 0;
    bool dns_update = false;  // we perform the A update (RFC 4702 S bit)
    uint32_t pool_size = 0;
    uint32_t bound = 0;
    uint32_t offered = 0;
    uint32_t declined = 0;

    bool contains(uint32_t ip) const noexcept { return (ip & mask) == network; }
    bool in_pools(uint32_t ip) const noexcept {
        for (const auto& p : pools)
            if (ip >= p.first.value && ip <= p.last.value) return true;
        return false;
    }
};

/// Which client a request is about, worked out once per request.
struct Who {
    ClientKey key;
    int32_t reservation = -1;  // matched reservation in the selected scope
    uint32_t scope = 0;
};

/// Builds a scope's prebuilt reply options. Throws std::invalid_argument when they do not fit.
void build_static_options(const config::ScopeConfig& sc, OptionSet& out);
/// RFC 3397 option 119 body (uncompressed names) and RFC 3442 option 121 body.
std::vector<uint8_t> encode_domain_search(const std::vector<std::string>& names);
std::vector<uint8_t> encode_static_routes(const std::vector<config::StaticRouteConfig>& routes);

inline bool has_binding(LeaseState s) noexcept {
    return s == LeaseState::Offered || s == LeaseState::Bound || s == LeaseState::Released ||
           s == LeaseState::Expired;
}
inline bool is_timed(LeaseState s) noexcept {
    return s == LeaseState::Offered || s == LeaseState::Bound || s == LeaseState::Declined;
}

}  // namespace edgelease::control::dhcp::detail

namespace edgelease::control::dhcp {

// The worker<->control messages (dataplane/dhcp/) are this side's input and output.
using namespace edgelease::dataplane::dhcp;

struct LeaseEngine::Impl {
    explicit Impl(const config::Config& cfg);

    // ---- configuration-derived (lease_engine.cpp / reply.cpp) ----
    config::Config cfg;
    std::vector<detail::ScopeState> scopes;
    std::vector<std::pair<uint32_t, uint32_t>> scope_by_network;  // sorted (network, scope)
    std::vector<int32_t> iface_scope;                             // by interface index
    std::vector<uint32_t> our_addrs;                              // every interface IPv4, sorted

    int32_t scope_containing(uint32_t ip) const noexcept;
    int32_t select_scope(const DhcpRequest& req) const noexcept;
    uint32_t server_addr(uint32_t iface, const detail::ScopeState& sc) const noexcept;
    bool ours(uint32_t addr) const noexcept;
    int32_t match_reservation(const detail::ScopeState& sc, const DhcpRequest& req,
                              const ClientKey& key) const noexcept;

    // ---- slots and indexes (allocator.cpp) ----
    std::vector<std::unique_ptr<detail::Slot[]>> chunks;
    uint32_t slot_count = 0;
    detail::SlotTable by_ip;
    detail::SlotTable by_client;
    detail::ExpiryHeap heap;
    uint64_t next_generation = 1;
    size_t timed = 0;              // leases in a timed state (heap compaction threshold)
    bool restore_pending = false;  // FIFOs need ordering after restore()

    static constexpr uint32_t kChunkBits = 12;
    detail::Slot& slot(uint32_t i) noexcept {
        return chunks[i >> kChunkBits][i & ((1u << kChunkBits) - 1)];
    }
    const detail::Slot& slot(uint32_t i) const noexcept {
        return chunks[i >> kChunkBits][i & ((1u << kChunkBits) - 1)];
    }
    uint32_t new_slot(uint32_t ip);
    uint32_t find_ip(uint32_t ip) const noexcept;
    uint32_t find_client(uint32_t scope, const ClientKey& key) const noexcept;
    static uint32_t client_hash(uint32_t scope, const ClientKey& key) noexcept;
    void index_client(uint32_t s);
    void unindex_client(uint32_t s);
    void fifo_push_back(uint32_t s);
    void fifo_remove(uint32_t s);
    void set_state(uint32_t s, LeaseState st);
    void schedule(uint32_t s);
    /// Moves `s` to a timed state ending at `expires`, keeping the expiry heap in step.
    void set_timed(uint32_t s, LeaseState st, int64_t expires);
    void bump(Lease& l) noexcept { l.generation = next_generation++; }
    void finish_restore();
    /// The slot of the lease at `ip` (kNil when none), for a caller about to change its state:
    /// a pending restore is finished first, since state changes put addresses on the FIFO
    /// that the restore builds.
    uint32_t slot_to_change(uint32_t ip) {
        if (restore_pending) finish_restore();
        return find_ip(ip);
    }
    /// A heap entry whose lease has moved on (renewed, released, expired by the sweeper...).
    bool heap_stale(const detail::ExpiryHeap::Entry& e) const noexcept;

    /// Next never-used or longest-free address of the scope, 0 when the pool is exhausted.
    uint32_t next_free(detail::ScopeState& sc);
    /// Whether `ip` may be handed to a client that asked for it (option 50) without taking it
    /// from anyone: in a pool, not reserved, never used or Free.
    bool available(const detail::ScopeState& sc, uint32_t ip) const noexcept;
    /// The slot for `ip`, ready to be given to `key`: out of the FIFO, and any other client's
    /// binding on it replaced (recorded in `out`).
    uint32_t claim(detail::ScopeState& sc, uint32_t ip, const ClientKey& key, Result& out);
    /// Ends `s`'s binding: recorded in `out` as Replaced (state Free); `requeue` puts the address
    /// at the back of the FIFO (otherwise the caller reuses it at once).
    void replace_binding(uint32_t s, Result& out, bool requeue);
    /// Time-driven transition of a timed lease (expiry, end of hold or probation).
    LeaseEvent expire_slot(uint32_t s);
    size_t expire_due(int64_t now, size_t max, std::vector<Lease>& expired,
                      std::vector<LeaseEvent>* events);

    // ---- per-request output (lease_engine.cpp) ----
    size_t n_changed = 0;
    void begin(Result& out) noexcept;
    void record(Result& out, const Lease& l, LeaseEvent ev);
    void finish(Result& out);

    // ---- message handling (lease_engine.cpp) ----
    void discover(const DhcpRequest& req, detail::ScopeState& sc, const detail::Who& who,
                  int64_t now, Result& out);
    void request(const DhcpRequest& req, detail::ScopeState& sc, const detail::Who& who,
                 int64_t now, Result& out);
    void decline(const DhcpRequest& req, int64_t now, Result& out);
    void release_msg(const DhcpRequest& req, int64_t now, Result& out);
    void inform(const DhcpRequest& req, detail::ScopeState& sc, const detail::Who& who,
                Result& out);
    /// The address `who` is entitled to in `sc`, 0 when none (reservation, else own binding).
    uint32_t entitled(const detail::ScopeState& sc, const detail::Who& who) const noexcept;
    /// Binds `ip` to the client (ACK): Granted or Renewed.
    void grant(const DhcpRequest& req, detail::ScopeState& sc, const detail::Who& who, uint32_t ip,
               int64_t now, Result& out);
    void fill_binding(Lease& l, const DhcpRequest& req, const detail::ScopeState& sc,
                      const detail::Who& who);
    void drop_offer(detail::ScopeState& sc, const detail::Who& who, Result& out);
    /// Lease time for this request: the scope's, shortened by the client's option 51.
    void lease_times(const detail::ScopeState& sc, const DhcpRequest& req, uint32_t& lease,
                     uint32_t& t1, uint32_t& t2) const noexcept;

    // ---- replies (reply.cpp) ----
    detail::OptionSet opts;  // scratch, reused per reply
    /// OFFER or ACK (`with_lease`: with 51/58/59; INFORM's ACK without), options per scope.
    void reply(const DhcpRequest& req, const detail::ScopeState& sc, const detail::Who& who,
               MsgType type, uint32_t yiaddr, bool with_lease, Result& out);
    void nak(const DhcpRequest& req, const detail::ScopeState& sc, const char* why, Result& out);
    void emit(const DhcpRequest& req, const detail::ScopeState& sc, MsgType type, uint32_t yiaddr,
              const detail::OptionSet& o, Result& out);
};

}  // namespace edgelease::control::dhcp
