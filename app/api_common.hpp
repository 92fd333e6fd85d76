#pragma once
// Helpers and handler declarations shared by the API route files (api_server.cpp,
// api_zones.cpp). Internal to app/. Every route is a named handler of this shape, listed
// once in the route table of api_server.cpp.
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/appliance.hpp"
#include "app/lease_json.hpp"
#include "control/command.hpp"

namespace edgelease::app::api {

using Request = httplib::Request;
using Response = httplib::Response;

/// One route's work: the shape of every handler below. `app` outlives the server; the
/// handler may block (bounded) on the control lcore. Errors are answered as JSON (error()),
/// never thrown past the handler except by a bug (the server's exception handler answers 500).
using HandlerFn = void(Appliance& app, const Request& req, Response& res);
using Handler = HandlerFn*;

inline constexpr auto kControlTimeout = std::chrono::seconds(2);

inline void reply(Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(dump_json(body) + "\n", "application/json");
}

inline void error(Response& res, int status, const std::string& why,
                  const std::string& field = "") {
    nlohmann::json body{{"error", why}};
    if (!field.empty()) body["field"] = field;
    reply(res, status, body);
}

/// Runs `fn` on the control lcore and waits at most kControlTimeout. False (answer 503) when
/// the queue was full, the time ran out or `fn` threw. State shared with `fn` must be owned by
/// the closure (shared_ptr): after a timeout the handler returns while `fn` may still run.
inline bool on_control(Appliance& app, std::function<void()> fn) {
    return control::run_on_control(app.control_plane().commands(), std::move(fn), kControlTimeout);
}

// Leases, stats, metrics and reload (api_server.cpp).
HandlerFn get_metrics, get_stats, get_leases, get_lease, post_lease_release, post_lease_expire,
    post_reload;
// Zones, records and the audit trail (api_zones.cpp).
HandlerFn get_zones, get_records, post_record, delete_records, get_audit;

}  // namespace edgelease::app::api
