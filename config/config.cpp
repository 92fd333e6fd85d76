// Configuration loading: the TOML document, [appliance], [dpdk], [[interfaces]], [api]
// and the public entry points. [dns], [dhcp] and [dhcp6] live in dns_section.cpp,
// dhcp_section.cpp and dhcp6_section.cpp.
#include "config/config.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include <toml++/toml.h>

#include "config/keys.hpp"
#include "config/reader.hpp"
#include "config/sections.hpp"
#include "config/text.hpp"

namespace edgelease::config {
namespace {

using detail::Choice;
using detail::Need;
using detail::Reader;
using detail::squote;

constexpr Choice<Durability> kDurability[] = {{"fsync", Durability::Fsync}, {"os", Durability::Os}};
constexpr Choice<IdleMode> kIdleMode[] = {
    {"interrupt", IdleMode::Interrupt}, {"backoff", IdleMode::Backoff}, {"poll", IdleMode::Poll}};
constexpr Choice<LogLevel> kLogLevel[] = {{"error", LogLevel::Error},
                                          {"warning", LogLevel::Warning},
                                          {"info", LogLevel::Info},
                                          {"debug", LogLevel::Debug}};

void load_appliance(Reader& r, const toml::table& t, ApplianceConfig& out) {
    const std::string_view path = "appliance";
    r.check_keys(t, path, kApplianceKeys);
    if (auto dir = r.string(t, "state_dir", path)) {
        if (dir->empty())
            r.error(*t.get("state_dir"), "appliance.state_dir", "must not be empty");
        else
            out.state_dir = r.resolve_path(*dir);
    }
    r.choice_into(t, "durability", path, kDurability, out.durability);
    r.choice_into(t, "log_level", path, kLogLevel, out.log_level);
    if (auto d = r.duration(t, "stats_interval", path, 0, detail::kMaxDurationSeconds))
        out.stats_interval = *d;
    r.integer_into(t, "audit_entries", path, 1, 100000000, out.audit_entries);
    r.integer_into(t, "lease_store_max_mib", path, 1, 1048576, out.lease_store_max_mib);
}

void load_dpdk(Reader& r, const toml::table& t, DpdkConfig& out) {
    const std::string_view path = "dpdk";
    r.check_keys(t, path, kDpdkKeys);
    r.each_string(t, "eal_args", path,
                  [&](const std::string& s, const toml::node&, const std::string&) {
                      out.eal_args.push_back(s);
                  });
    r.integer_into(t, "workers", path, 1, 64, out.workers);
    r.integer_into(t, "idle_sleep_us", path, 0, 100000, out.idle_sleep_us);
    r.integer_into(t, "coalesce_us", path, 0, 10000, out.coalesce_us);
    if (t.contains("idle")) {
        IdleMode mode = IdleMode::Interrupt;
        r.choice_into(t, "idle", path, kIdleMode, mode);
        out.idle = mode;  // a bad value is an error already: the file is refused
    }
    r.integer_into(t, "mbufs", path, 1023, std::numeric_limits<uint32_t>::max(), out.mbufs);
    // Descriptor rings are sized in powers of two by most PMDs (rte_eth_rx_queue_setup
    // rejects or rounds other values depending on the driver), so insist on one.
    for (auto [key, field] : {std::pair{"rx_descriptors", &out.rx_descriptors},
                              std::pair{"tx_descriptors", &out.tx_descriptors}}) {
        auto v = r.integer(t, key, path, 64, 16384);
        if (!v) continue;
        if ((*v & (*v - 1)) != 0)
            r.error(*t.get(key), detail::join(path, key),
                    "must be a power of two, got " + std::to_string(*v));
        else
            *field = static_cast<uint32_t>(*v);
    }
}

// An interface address must name this host: not the network or broadcast address of its
// IPv4 prefix, not unspecified, not multicast.
bool check_host_address(const net::IfAddress& a, std::string_view text, std::string& why) {
    if (a.is_v6) {
        if (a.v6 == net::Ipv6Addr{} || a.v6.bytes[0] == 0xff) {
            why = squote(text) + " is not a unicast address";
            return false;
        }
        return true;
    }
    uint32_t v = a.v4.value;
    if (v == 0 || v >= 0xE0000000u) {  // 0.0.0.0, multicast 224/4, reserved 240/4
        why = squote(text) + " is not a unicast address";
        return false;
    }
    if (a.prefix_len <= 30) {
        uint32_t mask = net::v4_mask(a.prefix_len);
        uint32_t host = v & ~mask;
        if (host == 0 || host == ~mask) {
            net::IfAddress first = a;
            first.v4.value = (v & mask) + 1;
            why = squote(text) + " is the " + (host == 0 ? "network" : "broadcast") +
                  " address of its prefix; an interface needs a host address such as " +
                  net::to_string(first);
            return false;
        }
    }
    return true;
}

bool same_address(const net::IfAddress& a, const net::IfAddress& b) {
    return a.is_v6 == b.is_v6 && (a.is_v6 ? a.v6 == b.v6 : a.v4 == b.v4);
}

void load_interfaces(Reader& r, const toml::table& root, std::vector<InterfaceConfig>& out) {
    if (!root.contains("interfaces")) {
        r.error("interfaces", "no [[interfaces]] entry; at least one port must be configured");
        return;
    }
    auto tables = r.tables(root, "interfaces", "");
    if (tables.empty() && root.get("interfaces")->is_array())
        r.error(*root.get("interfaces"), "interfaces",
                "empty; at least one [[interfaces]] entry is required");

    std::vector<std::string> paths;  // parallel to out, for duplicate messages
    for (size_t i = 0; i < tables.size(); ++i) {
        if (!tables[i]) continue;
        const toml::table& t = *tables[i];
        const std::string path = detail::index("interfaces", i);
        r.check_keys(t, path, {"port", "addresses", "vlan", "inner_vlan"});
        InterfaceConfig ic;
        ic.where = r.loc(t);
        bool port_ok = false;
        if (auto port = r.string(t, "port", path, Need::Required)) {
            if (port->empty()) {
                r.error(*t.get("port"), path + ".port", "must not be empty");
            } else {
                ic.port = *port;
                port_ok = true;
            }
        }
        r.each_string(t, "addresses", path,
                      [&](const std::string& s, const toml::node& node, const std::string& ep) {
                          std::string why;
                          auto a = detail::parse_address_prefix(s, why);
                          if (!a || !check_host_address(*a, s, why)) {
                              r.error(node, ep, why);
                              return;
                          }
                          for (const auto& prev : ic.addresses) {
                              if (same_address(prev, *a)) {
                                  r.error(node, ep, "address " + squote(s) + " is listed twice");
                                  return;
                              }
                          }
                          ic.addresses.push_back(*a);
                      });
        auto vlan = r.integer(t, "vlan", path, 0, 4094);
        if (vlan) ic.vlan = static_cast<uint16_t>(*vlan);
        r.integer_into(t, "inner_vlan", path, 0, 4094, ic.inner_vlan);
        bool vlan_ok = vlan || !t.contains("vlan");
        if (vlan_ok && ic.inner_vlan != 0 && ic.vlan == 0) {
            r.error(*t.get("inner_vlan"), path + ".inner_vlan",
                    "inner_vlan needs an outer tag: set vlan (QinQ) as well");
            ic.inner_vlan = 0;
        }
        if (port_ok) {
            for (size_t j = 0; j < out.size(); ++j) {
                if (out[j].port == ic.port && out[j].vlan == ic.vlan &&
                    out[j].inner_vlan == ic.inner_vlan) {
                    r.error(t, path,
                            "port " + squote(ic.port) + " with vlan " + std::to_string(ic.vlan) +
                                (ic.inner_vlan ? "." + std::to_string(ic.inner_vlan) : "") +
                                " is already configured by " + paths[j] + " (line " +
                                std::to_string(out[j].where.line) + ")");
                    break;
                }
            }
        }
        out.push_back(std::move(ic));
        paths.push_back(path);
    }
}

void load_api(Reader& r, const toml::table& t, ApiConfig& out) {
    const std::string_view path = "api";
    r.check_keys(t, path, kApiKeys);
    std::optional<detail::ListenAddr> listen;
    if (auto s = r.string(t, "listen", path)) {
        std::string why;
        listen = detail::parse_listen(*s, why);
        if (listen)
            out.listen = *s;
        else
            r.error(*t.get("listen"), "api.listen", why);
    }
    if (auto s = r.string(t, "token_file", path)) {
        if (s->empty())
            r.error(*t.get("token_file"), "api.token_file", "must not be empty");
        else
            out.token_file = r.resolve_path(*s);
    }
    // The API can release leases and edit zones: off loopback it must authenticate.
    if (listen && !listen->loopback && out.token_file.empty())
        r.error(*t.get("listen"), "api.listen",
                squote(out.listen) +
                    " is not a loopback address; set api.token_file so clients must authenticate");
}

void load_exception(Reader& r, const toml::table& t, ExceptionConfig& out) {
    r.check_keys(t, "exception", kExceptionKeys);
    r.boolean_into(t, "enabled", "exception", out.enabled);
    if (auto s = r.string(t, "namespace", "exception")) {
        // "host", "private", or a name `ip netns` would accept (a file under /run/netns).
        bool ok = !s->empty() && s->size() <= 64 && *s != "." && *s != "..";
        for (char c : *s)
            ok = ok &&
                 (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
        if (ok)
            out.netns = *s;
        else
            r.error(*t.get("namespace"), "exception.namespace",
                    squote(*s) +
                        " is not a namespace name: use \"private\", \"host\" or the name of "
                        "one under /run/netns (letters, digits, '-', '_', '.')");
    }
}

LoadResult load_document(const toml::table& root, const std::string& file) {
    Reader r(file, std::filesystem::path(file).parent_path());
    r.check_keys(root, "", kRootKeys);
    Config cfg;
    cfg.source_file = file;
    if (const auto* t = r.table(root, "appliance", "")) load_appliance(r, *t, cfg.appliance);
    if (const auto* t = r.table(root, "dpdk", "")) load_dpdk(r, *t, cfg.dpdk);
    load_interfaces(r, root, cfg.interfaces);
    if (const auto* t = r.table(root, "api", "")) load_api(r, *t, cfg.api);
    if (const auto* t = r.table(root, "dns", "")) detail::load_dns(r, *t, cfg.dns);
    if (const auto* t = r.table(root, "dhcp", "")) detail::load_dhcp(r, *t, cfg.dhcp);
    if (const auto* t = r.table(root, "dhcp6", "")) detail::load_dhcp6(r, *t, cfg.dhcp6);
    if (const auto* t = r.table(root, "exception", "")) load_exception(r, *t, cfg.exception);

    LoadResult result;
    result.errors = r.take_errors();
    if (result.errors.empty()) result.config = std::move(cfg);
    return result;
}

LoadResult single_error(std::string file, uint32_t line, uint32_t column, std::string why) {
    LoadResult result;
    result.errors.push_back(ConfigError{std::move(file), line, column, "", std::move(why)});
    return result;
}

}  // namespace

std::string ConfigError::to_string() const {
    std::string out = file;
    if (line != 0) {
        out += ":" + std::to_string(line);
        if (column != 0) out += ":" + std::to_string(column);
    }
    out += ": ";
    if (!key.empty()) out += key + ": ";
    out += why;
    return out;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    std::string why;
    return detail::parse_duration(text, why);
}

LoadResult load_config_string(std::string_view toml_text, std::string_view name) {
    std::string file(name);
    try {
        toml::table root;
        try {
            root = toml::parse(toml_text, std::string_view(file));
        } catch (const toml::parse_error& e) {
            auto begin = e.source().begin;
            return single_error(file, begin.line, begin.column,
                                "TOML syntax error: " + std::string(e.description()));
        }
        LoadResult out = load_document(root, file);
        if (out.config) {
            uint64_t h = 0xcbf29ce484222325ULL;
            for (char c : toml_text) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
            out.config->source_hash = h;
        }
        return out;
    } catch (const std::exception& e) {  // std::bad_alloc and the like: report, don't throw
        return single_error(file, 0, 0, std::string("internal error while loading: ") + e.what());
    }
}

LoadResult load_config_file(const std::string& path) {
    try {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec))
            return single_error(path, 0, 0, "cannot read configuration: is a directory");
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            int err = errno;
            return single_error(path, 0, 0,
                                "cannot read configuration: " +
                                    std::generic_category().message(err ? err : ENOENT));
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) return single_error(path, 0, 0, "cannot read configuration: I/O error");
        return load_config_string(text.str(), path);
    } catch (const std::exception& e) {
        return single_error(path, 0, 0, std::string("internal error while loading: ") + e.what());
    }
}

}  // namespace edgelease::config
