#pragma once
// Helpers shared by the API route files (api_server.cpp, api_zones.cpp). Internal to app/.
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/appliance.hpp"
#include "control/command.hpp"

namespace edgelease::app::api {

inline constexpr auto kControlTimeout = std::chrono::seconds(2);

inline void reply(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(2) + "\n", "application/json");
}

inline void error(httplib::Response& res, int status, const std::string& why,
                  const std::string& field = "") {
    nlohmann::json body{{"error", why}};
    if (!field.empty()) body["field"] = field;
    reply(res, status, body);
}

/// Runs `fn` on the control lcore and waits. State shared with `fn` must be owned by the
/// closure (shared_ptr): after a timeout the handler returns while the command may still run.
inline bool on_control(Appliance& app, std::function<void()> fn) {
    auto cmd = std::make_shared<control::Command>(std::move(fn));
    if (!app.control_plane().commands().submit(cmd)) return false;
    return cmd->wait(kControlTimeout) && !cmd->failed();
}

/// The zone, record and audit endpoints (api_zones.cpp).
void add_zone_routes(httplib::Server& s, Appliance& app);

}  // namespace edgelease::app::api
