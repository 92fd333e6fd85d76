#include "dataplane/port_context.hpp"

namespace edgelease::dataplane {

PortContext make_port_context(const config::Config& cfg, std::string_view port_name,
                              uint16_t port_id, const net::MacAddr& mac) {
    PortContext ctx;
    ctx.port_id = port_id;
    ctx.mac = mac;
    net::IfAddress ll;
    ll.is_v6 = true;
    ll.v6 = net::link_local_from_mac(mac);
    ll.prefix_len = 64;
    for (size_t i = 0; i < cfg.interfaces.size(); ++i) {
        const auto& ic = cfg.interfaces[i];
        if (ic.port != port_name) continue;
        L3Interface l3;
        l3.vlan = ic.vlan;
        l3.inner_vlan = ic.inner_vlan;
        l3.index = static_cast<uint32_t>(i);
        bool has_ll = false;
        for (const auto& a : ic.addresses) {
            (a.is_v6 ? l3.v6 : l3.v4).push_back(a);
            has_ll = has_ll || (a.is_v6 && a.v6.bytes[0] == 0xfe && (a.v6.bytes[1] & 0xc0) == 0x80);
        }
        if (!has_ll) l3.v6.push_back(ll);
        ctx.interfaces.push_back(std::move(l3));
    }
    return ctx;
}

}  // namespace edgelease::dataplane
