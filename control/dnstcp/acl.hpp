#pragma once
// Who may transfer or update a zone: [[dns.zones]] allow_transfer and allow_update list
// address prefixes and TSIG keys ("key:NAME"); a request is allowed when its client address
// lies in one of the prefixes or it was signed, and verified, with one of the keys.
#include <span>
#include <vector>

#include "common/net.hpp"
#include "config/config.hpp"
#include "control/tsig/tsig.hpp"

namespace edgelease::control::dnstcp {

/// A client's address.
struct ClientAddress {
    bool is_v6 = false;
    net::Ipv4Addr v4;
    net::Ipv6Addr v6;
};

/// "198.18.0.9" or "2001:db8::9".
std::string to_string(const ClientAddress& a);

/// Whether `acl` lets `client` in, its request checked as `checked` (a key entry counts only
/// for a request whose TSIG verified: tsig::Verdict::Ok).
bool acl_allows(std::span<const config::AclEntry> acl, const ClientAddress& client,
                const tsig::Checked& checked);

/// The configuration's [[dns.keys]] as TSIG keys (entries that do not parse are left out:
/// --check-config refuses them).
std::vector<tsig::Key> keys_of(const config::Config& cfg);

}  // namespace edgelease::control::dnstcp
