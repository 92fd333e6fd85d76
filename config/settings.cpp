#include "config/settings.hpp"

#include <array>

namespace edgelease::config {

namespace {

/// A setting a reload applies.
constexpr Setting live(std::string_view section, std::string_view key, Shape shape = Shape::Value) {
    return Setting{section, key, shape, Apply::Live, nullptr, nullptr};
}

/// A restart-only value: Config::*Section's field *Field, compared with ==.
template <auto Section, auto Field>
constexpr Setting restart(std::string_view section, std::string_view key) {
    return Setting{
        section,
        key,
        Shape::Value,
        Apply::Restart,
        [](const Config& a, const Config& b) {
            return !((a.*Section).*Field == (b.*Section).*Field);
        },
        [](const Config& from, Config& to) { (to.*Section).*Field = (from.*Section).*Field; }};
}

/// Interfaces compare by what the ports are built from; `where` (the file position) does not
/// count.
bool interfaces_differ(const Config& a, const Config& b) {
    const auto& x = a.interfaces;
    const auto& y = b.interfaces;
    if (x.size() != y.size()) return true;
    for (size_t i = 0; i < x.size(); ++i) {
        if (x[i].port != y[i].port || x[i].vlan != y[i].vlan ||
            x[i].inner_vlan != y[i].inner_vlan || x[i].addresses.size() != y[i].addresses.size())
            return true;
        for (size_t k = 0; k < x[i].addresses.size(); ++k)
            if (net::to_string(x[i].addresses[k]) != net::to_string(y[i].addresses[k])) return true;
    }
    return false;
}

using C = Config;
using AppC = ApplianceConfig;

constexpr std::array kSettings{
    restart<&C::appliance, &AppC::state_dir>("appliance", "state_dir"),
    restart<&C::appliance, &AppC::durability>("appliance", "durability"),
    live("appliance", "log_level"),
    live("appliance", "stats_interval"),
    restart<&C::appliance, &AppC::audit_entries>("appliance", "audit_entries"),
    restart<&C::appliance, &AppC::lease_store_max_mib>("appliance", "lease_store_max_mib"),

    restart<&C::dpdk, &DpdkConfig::eal_args>("dpdk", "eal_args"),
    restart<&C::dpdk, &DpdkConfig::workers>("dpdk", "workers"),
    restart<&C::dpdk, &DpdkConfig::idle_sleep_us>("dpdk", "idle_sleep_us"),
    restart<&C::dpdk, &DpdkConfig::coalesce_us>("dpdk", "coalesce_us"),
    restart<&C::dpdk, &DpdkConfig::idle>("dpdk", "idle"),
    restart<&C::dpdk, &DpdkConfig::mbufs>("dpdk", "mbufs"),
    restart<&C::dpdk, &DpdkConfig::rx_descriptors>("dpdk", "rx_descriptors"),
    restart<&C::dpdk, &DpdkConfig::tx_descriptors>("dpdk", "tx_descriptors"),

    Setting{"", "interfaces", Shape::Tables, Apply::Restart, interfaces_differ,
            [](const Config& from, Config& to) { to.interfaces = from.interfaces; }},

    restart<&C::api, &ApiConfig::listen>("api", "listen"),
    restart<&C::api, &ApiConfig::token_file>("api", "token_file"),

    restart<&C::exception, &ExceptionConfig::enabled>("exception", "enabled"),
    restart<&C::exception, &ExceptionConfig::netns>("exception", "namespace"),

    live("dns", "zones", Shape::Tables),
    live("dns", "keys", Shape::Tables),
    restart<&C::dns, &DnsConfig::udp_payload_size>("dns", "udp_payload_size"),
    restart<&C::dns, &DnsConfig::tcp>("dns", "tcp"),
    restart<&C::dns, &DnsConfig::tcp_idle_timeout>("dns", "tcp_idle_timeout"),
    restart<&C::dns, &DnsConfig::tcp_max_connections>("dns", "tcp_max_connections"),
    restart<&C::dns, &DnsConfig::tcp_max_per_client>("dns", "tcp_max_per_client"),
    live("dns", "server_name"),
    restart<&C::dns, &DnsConfig::rrl>("dns", "rrl"),
    restart<&C::dns, &DnsConfig::cookies>("dns", "cookies"),

    // Live, except on an appliance started without any scope: the reload decides that, as it
    // depends on what runs rather than on the setting.
    live("dhcp", "scopes", Shape::Tables),
    restart<&C::dhcp, &DhcpConfig::relay_discover_rate>("dhcp", "relay_discover_rate"),

    // Applied on reload like the DHCPv4 scopes: each one whole, with its pools, PD pools,
    // reservations and DNS policy.
    live("dhcp6", "scopes", Shape::Tables),
    restart<&C::dhcp6, &Dhcp6Config::relay_solicit_rate>("dhcp6", "relay_solicit_rate"),
};

}  // namespace

std::string Setting::name() const {
    if (shape == Shape::Tables)
        return "[[" + (section.empty() ? std::string() : std::string(section) + ".") +
               std::string(key) + "]]";
    return "[" + std::string(section) + "]." + std::string(key);
}

std::span<const Setting> settings() noexcept {
    return kSettings;
}

std::vector<std::string> keep_restart_only(const Config& running, Config& next) {
    std::vector<std::string> out;
    for (const Setting& s : kSettings) {
        if (s.apply != Apply::Restart || !s.differs(running, next)) continue;
        out.push_back(s.name() + " changed: needs a restart; the running value stays");
        s.keep(running, next);
    }
    return out;
}

}  // namespace edgelease::config
