#pragma once
// The management API: HTTP/JSON on its own threads (cpp-httplib), bound to [api].listen.
// It reads counters directly (atomics) and sends everything that touches leases or zones to
// the control lcore as a command (control::CommandQueue), waiting at most 2 s for the answer
// (503 otherwise).
// See docs/api.md for the endpoints.
#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"

namespace httplib {
class Server;
}

namespace edgelease::app {

class Appliance;

class ApiServer {
  public:
    /// Reads the token file when one is configured and binds the listening socket. Throws
    /// std::runtime_error naming the address or file and the cause.
    ApiServer(Appliance& app, const config::ApiConfig& cfg);
    /// Stops serving and joins the listener.
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    /// Starts answering (listener thread).
    void start();
    int port() const { return port_; }

  private:
    void routes();

    Appliance& app_;
    std::unique_ptr<httplib::Server> srv_;
    std::string token_;
    std::string host_;
    int port_ = 0;
    std::thread thread_;
};

/// Splits "host:port" / "[v6]:port" (validated by the config loader).
bool split_listen(const std::string& listen, std::string& host, int& port);

}  // namespace edgelease::app
