#include "app/lease_json.hpp"

#include <cstdio>

#include "common/time_text.hpp"

namespace edgelease::app {

namespace {

std::string hex(const std::vector<uint8_t>& b) {
    std::string out;
    char buf[4];
    for (size_t i = 0; i < b.size(); ++i) {
        std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : ":%02x", b[i]);
        out += buf;
    }
    return out;
}

}  // namespace

nlohmann::json lease_json(const control::dhcp::Lease& l, const std::vector<std::string>& scopes) {
    return nlohmann::json{
        {"address", net::to_string(net::Ipv4Addr{l.ip})},
        {"state", control::dhcp::to_string(l.state)},
        {"scope", l.scope < scopes.size() ? scopes[l.scope] : std::to_string(l.scope)},
        {"client", l.client.to_string()},
        {"hw_address", net::to_string(l.hw)},
        {"hostname", l.hostname},
        {"start", iso_time(l.start)},
        {"expires", iso_time(l.expires)},
        {"reservation", l.reservation >= 0},
        {"circuit_id", hex(l.circuit_id)},
        {"remote_id", hex(l.remote_id)},
        {"generation", l.generation}};
}

std::string dump_json(const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgelease::app
