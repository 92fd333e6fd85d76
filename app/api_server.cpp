#include "app/api_server.hpp"

#include <pthread.h>

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "app/api_common.hpp"
#include "app/appliance.hpp"
#include "app/lease_json.hpp"
#include "app/lease_pages.hpp"
#include "app/metrics.hpp"
#include "app/stats_view.hpp"
#include "common/log.hpp"
#include "control/dhcp/dhcp_service.hpp"

namespace edgelease::app {

using api::error;
using api::on_control;
using api::reply;
using api::Request;
using api::Response;
using nlohmann::json;

namespace {

using control::dhcp::DhcpService;

/// What the lease handlers need of one DHCP family, so that each handler is written once for
/// both. Every member runs on the control lcore (the engines are its alone).
struct Family4 {
    using Lease = control::dhcp::Lease;
    using Key = uint32_t;
    static const Lease* find(const DhcpService& s, Key ip) { return s.engine().find(ip); }
    static bool act(DhcpService& s, Key ip, int64_t now, bool release, Lease& out) {
        return release ? s.admin_release(ip, now, out) : s.admin_expire(ip, now, out);
    }
    static const void* engine(const DhcpService& s) { return &s.engine(); }
    template <class Fn>
    static size_t slice(const DhcpService& s, size_t from, size_t max, Fn&& fn) {
        return s.engine().for_each_slice(static_cast<uint32_t>(from), static_cast<uint32_t>(max),
                                         fn);
    }
    static Key key(const Lease& l) { return l.ip; }
    static const std::vector<std::string>& names(const DhcpService& s) { return s.scope_names(); }
    static json to_json(const Lease& l, const std::vector<std::string>& names) {
        return lease_json(l, names);
    }
};

struct Family6 {
    using Lease = control::dhcp::Lease6;
    using Key = control::dhcp::Lease6Key;
    static const Lease* find(const DhcpService& s, const Key& key) {
        return s.engine6() != nullptr ? s.engine6()->find(key) : nullptr;
    }
    static bool act(DhcpService& s, const Key& key, int64_t now, bool release, Lease& out) {
        return release ? s.admin_release6(key, now, out) : s.admin_expire6(key, now, out);
    }
    static const void* engine(const DhcpService& s) { return s.engine6(); }
    template <class Fn>
    static size_t slice(const DhcpService& s, size_t from, size_t max, Fn&& fn) {
        return s.engine6() != nullptr ? s.engine6()->for_each_slice(from, max, fn) : from;
    }
    // Addresses, then prefixes, each by address (the engine keeps allocation order).
    static auto key_of(const Key& k) { return std::make_tuple(k.kind, k.addr, k.prefix_len); }
    static auto key(const Lease& l) { return key_of(l.key); }
    static const std::vector<std::string>& names(const DhcpService& s) { return s.scope6_names(); }
    static json to_json(const Lease& l, const std::vector<std::string>& names) {
        return lease6_json(l, names);
    }
};

/// GET /api/v1/leases/{name}: the lease `name` (the path's text) names, or 404.
template <class F>
void get_one(Appliance& app, const std::string& name, typename F::Key key, Response& res) {
    if (app.dhcp() == nullptr) return error(res, 404, "no lease for " + name);
    auto found = std::make_shared<std::optional<typename F::Lease>>();
    auto names = std::make_shared<std::vector<std::string>>();
    auto* service = app.dhcp();
    if (!on_control(app, [service, found, names, key] {
            if (const auto* l = F::find(*service, key)) *found = *l;
            *names = F::names(*service);
        }))
        return error(res, 503, "the control plane did not answer in time");
    if (!*found || (*found)->state == control::dhcp::LeaseState::Free)
        return error(res, 404, "no lease for " + name);
    reply(res, 200, F::to_json(**found, *names));
}

/// POST .../release and .../expire: the operator's release or expiry of a bound lease.
template <class F>
void act_on_one(Appliance& app, const std::string& name, typename F::Key key, Response& res,
                bool release) {
    if (app.dhcp() == nullptr) return error(res, 404, "no lease for " + name);
    struct Out {
        bool ok = false;
        bool exists = false;
        typename F::Lease lease;
        std::vector<std::string> names;
        uint64_t seq = 0;       // the lease change's place in the lease store's queue
        uint64_t failures = 0;  // the store's failed batches when it was queued
    };
    auto out = std::make_shared<Out>();
    auto* service = app.dhcp();
    const auto* store = app.lease_store();
    if (!on_control(app, [service, store, out, key, release] {
            const auto* l = F::find(*service, key);
            out->exists = l != nullptr && l->state != control::dhcp::LeaseState::Free;
            int64_t now = static_cast<int64_t>(std::time(nullptr));
            out->ok = F::act(*service, key, now, release, out->lease);
            out->names = F::names(*service);
            out->seq = service->last_queued_seq();
            if (store != nullptr) out->failures = store->stats().failures.load();
        }))
        return error(res, 503, "the control plane did not answer in time");
    if (!out->exists) return error(res, 404, "no lease for " + name);
    if (!out->ok) return error(res, 409, "the lease at " + name + " is not bound");
    // As a client's RELEASE: done in memory and DNS at once; answered once it is on disk, so
    // that a crash after the answer cannot bring the lease back.
    if (store != nullptr) {
        if (!store->wait_done(out->seq, std::chrono::seconds(5)))
            return error(res, 503,
                         "the lease at " + name + " is " + (release ? "released" : "expired") +
                             ", but the lease store has not written it yet (check the disk); it "
                             "comes back if the appliance stops before it does");
        if (store->stats().failures.load() != out->failures)
            return error(res, 500,
                         "the lease at " + name + " is " + (release ? "released" : "expired") +
                             ", but the lease store failed to write it (see the log); it comes "
                             "back at the next restart");
    }
    LOG_INFO("API: lease %s %s", name.c_str(), release ? "released" : "expired");
    reply(res, 200, F::to_json(out->lease, out->names));
}

/// The lease named in the path: a DHCPv4 or DHCPv6 address, or a delegated prefix.
void lease_action(Appliance& app, const Request& req, Response& res, bool release) {
    const std::string name = req.matches[1].str();
    std::string why;
    auto n = parse_lease_name(name, why);
    if (!n) return error(res, 400, why, "address");
    if (n->family == 6) return act_on_one<Family6>(app, name, n->key, res, release);
    act_on_one<Family4>(app, name, n->ip, res, release);
}

enum class Method : uint8_t { Get, Post, Delete };

struct Route {
    Method method;
    const char* pattern;
    api::Handler handler;
};

/// Every endpoint (docs/api.md), matched in this order within a method.
constexpr Route kRoutes[] = {
    {Method::Get, "/metrics", api::get_metrics},
    {Method::Get, "/api/v1/stats", api::get_stats},
    {Method::Get, "/api/v1/leases", api::get_leases},
    // A lease's name (parse_lease_name): an IPv4 address, or IPv6 text (it holds a ':') with
    // an optional "/len" for a delegated prefix: the prefix's one slash, written as it is or
    // as %2F (the server decodes the path before it matches).
    {Method::Get, R"(/api/v1/leases/([0-9.]+|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:/[0-9]+)?))",
     api::get_lease},
    {Method::Post, R"(/api/v1/leases/([0-9.]+|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:/[0-9]+)?)/release)",
     api::post_lease_release},
    {Method::Post, R"(/api/v1/leases/([0-9.]+|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:/[0-9]+)?)/expire)",
     api::post_lease_expire},
    {Method::Get, "/api/v1/zones", api::get_zones},
    {Method::Get, R"(/api/v1/zones/([^/]+)/records)", api::get_records},
    {Method::Post, R"(/api/v1/zones/([^/]+)/records)", api::post_record},
    {Method::Delete, R"(/api/v1/zones/([^/]+)/records)", api::delete_records},
    {Method::Get, "/api/v1/audit", api::get_audit},
    {Method::Post, "/api/v1/reload", api::post_reload},
};

}  // namespace

namespace api {

void get_metrics(Appliance& app, const Request&, Response& res) {
    res.set_content(render_metrics(app), "text/plain; version=0.0.4; charset=utf-8");
}

void get_stats(Appliance& app, const Request&, Response& res) {
    // In catalog order (ordered_json), so related figures stay together.
    res.status = 200;
    res.set_content(render_stats(sources_of(app)).dump(2) + "\n", "application/json");
}

/// Runs `scan` to its end, one control command per slice; false if the control plane did not
/// answer. Then its `kept` is sorted. Shared: a command that timed out may still run.
template <class F>
bool run_scan(Appliance& app, const DhcpService* s, const std::shared_ptr<FamilyScan<F>>& scan) {
    while (!scan->done)
        if (!on_control(app, [s, scan] { scan->step(*s); })) return false;
    scan->finish();
    return true;
}

/// GET /api/v1/leases[?family=&scope=&state=&limit=&cursor=]: both families (DHCPv4 first),
/// each in address order. With `limit` or `cursor` a page: {"leases": [...], "next": the
/// cursor for the next page, or null after the last}; without, the whole array as always.
void get_leases(Appliance& app, const Request& req, Response& res) {
    const auto family = parse_family(req.get_param_value("family"));
    if (!family) return error(res, 400, "family must be 4 or 6", "family");
    const bool paged = req.has_param("limit") || req.has_param("cursor");
    size_t limit = SIZE_MAX;
    if (req.has_param("limit")) {
        const std::string t = req.get_param_value("limit");
        unsigned long long v = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc{} || end != t.data() + t.size() || v == 0 || v > kMaxPage)
            return error(res, 400, "limit must be a number from 1 to " + std::to_string(kMaxPage),
                         "limit");
        limit = static_cast<size_t>(v);
    } else if (paged) {
        limit = kDefaultPage;
    }
    std::optional<LeaseName> cursor;
    if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
        std::string why;
        cursor = parse_lease_name(req.get_param_value("cursor"), why);
        if (!cursor) return error(res, 400, "cursor: " + why, "cursor");
    }
    json out = json::array();
    std::string next;
    if (app.dhcp() != nullptr) {
        const std::string scope = req.get_param_value("scope"),
                          state = req.get_param_value("state");
        const auto* service = app.dhcp();
        size_t room = limit;
        // A v6 cursor: the v4 part is behind it.
        if (*family != 6 && !(cursor && cursor->family == 6)) {
            auto scan = std::make_shared<FamilyScan<Family4>>();
            auto& v4 = *scan;
            v4.limit = room;
            v4.scope = scope;
            v4.state = state;
            if (cursor) v4.after = cursor->ip;
            if (!run_scan(app, service, scan))
                return error(res, 503, "the control plane did not answer in time");
            for (const auto& l : v4.kept) out.push_back(lease_json(l, v4.names));
            room -= std::min(room, v4.kept.size());
            if (paged && room == 0 && !v4.kept.empty())
                next = net::to_string(net::Ipv4Addr{v4.kept.back().ip});
        }
        if (*family != 4 && room != 0) {
            auto scan = std::make_shared<FamilyScan<Family6>>();
            auto& v6 = *scan;
            v6.limit = room;
            v6.scope = scope;
            v6.state = state;
            if (cursor && cursor->family == 6) v6.after = Family6::key_of(cursor->key);
            if (!run_scan(app, service, scan))
                return error(res, 503, "the control plane did not answer in time");
            for (const auto& l : v6.kept) out.push_back(lease6_json(l, v6.names));
            room -= std::min(room, v6.kept.size());
            if (paged && room == 0 && !v6.kept.empty())
                next = control::dhcp::to_string(v6.kept.back().key);
        }
    }
    if (!paged) return reply(res, 200, out);
    reply(res, 200,
          json{{"leases", std::move(out)}, {"next", next.empty() ? json(nullptr) : json(next)}});
}

void get_lease(Appliance& app, const Request& req, Response& res) {
    const std::string name = req.matches[1].str();
    std::string why;
    auto n = parse_lease_name(name, why);
    if (!n) return error(res, 400, why, "address");
    if (n->family == 6) return get_one<Family6>(app, name, n->key, res);
    get_one<Family4>(app, name, n->ip, res);
}

void post_lease_release(Appliance& app, const Request& req, Response& res) {
    lease_action(app, req, res, true);
}

void post_lease_expire(Appliance& app, const Request& req, Response& res) {
    lease_action(app, req, res, false);
}

void post_reload(Appliance& app, const Request&, Response& res) {
    auto r = app.reload(app.config()->source_file);
    if (!r.ok) {
        const bool invalid = !r.timed_out;
        return reply(res, invalid ? 400 : 503,
                     json{{"error", invalid ? "configuration not valid"
                                            : "the control plane did not apply it in time"},
                          {"errors", r.errors},
                          {"warnings", r.warnings}});
    }
    reply(res, 200,
          json{{"zones", r.zones},
               {"records", r.records},
               {"scopes", r.scopes},
               {"leases_kept", r.leases_kept},
               {"leases_dropped", r.leases_dropped},
               {"warnings", r.warnings}});
}

}  // namespace api

bool split_listen(const std::string& listen, std::string& host, int& port) {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    try {
        port = std::stoi(listen.substr(colon + 1));
    } catch (...) {
        return false;
    }
    return port > 0 && port < 65536;
}

ApiServer::ApiServer(Appliance& app, const config::ApiConfig& cfg)
    : app_(app), srv_(std::make_unique<httplib::Server>()) {
    if (!split_listen(cfg.listen, host_, port_))
        throw std::runtime_error("[api].listen '" + cfg.listen + "' is not host:port");
    if (!cfg.token_file.empty()) {
        std::ifstream in(cfg.token_file);
        if (!in)
            throw std::runtime_error("[api].token_file " + cfg.token_file + ": cannot read it");
        std::getline(in, token_);
        while (!token_.empty() && (token_.back() == '\r' || token_.back() == ' '))
            token_.pop_back();
        if (token_.size() < 16)
            throw std::runtime_error("[api].token_file " + cfg.token_file +
                                     ": the token must be at least 16 characters");
    }
    // Few threads: management traffic is light, and the machine belongs to the lcores.
    srv_->new_task_queue = [] { return new httplib::ThreadPool(2); };
    srv_->set_read_timeout(5, 0);
    srv_->set_write_timeout(5, 0);
    routes();
    if (!srv_->bind_to_port(host_, port_))
        throw std::runtime_error("management API: cannot listen on " + cfg.listen +
                                 " (address in use or not local?)");
}

ApiServer::~ApiServer() {
    srv_->stop();
    if (thread_.joinable()) thread_.join();
}

void ApiServer::start() {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "el-api");
        srv_->listen_after_bind();
    });
    LOG_INFO("management API listening on %s:%d%s", host_.c_str(), port_,
             token_.empty() ? "" : " (bearer token required)");
}

void ApiServer::routes() {
    auto& s = *srv_;
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (token_.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (req.get_header_value("Authorization") == "Bearer " + token_)
            return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        error(res, 401, "missing or wrong bearer token");
        return httplib::Server::HandlerResponse::Handled;
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                               std::exception_ptr) { error(res, 500, "internal error"); });
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty())
            error(res, res.status, res.status == 404 ? "no such endpoint: " + req.path : "error");
    });

    for (const Route& r : kRoutes) {
        auto handler = [app = &app_, h = r.handler](const Request& req, Response& res) {
            h(*app, req, res);
        };
        switch (r.method) {
            case Method::Get:
                s.Get(r.pattern, handler);
                break;
            case Method::Post:
                s.Post(r.pattern, handler);
                break;
            case Method::Delete:
                s.Delete(r.pattern, handler);
                break;
        }
    }
}

}  // namespace edgelease::app
