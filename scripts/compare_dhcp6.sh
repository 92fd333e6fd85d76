# Sourced by scripts/compare.sh (not run on its own): its DHCPv6 runs, edgelease and kea-dhcp6
# under perfdhcp -6. Uses compare.sh's variables and functions (namespaces $SRV and $CLI, the
# veth cmp0/cmp1, start_server, measure_dhcp, edgelease_config, server_addr, wait_for).
# shellcheck shell=bash disable=SC2154  # the variables are compare.sh's
# ---- DHCPv6 ------------------------------------------------------------------------------------
# The other runs keep IPv6 off the veth; the DHCPv6 runs need it. The client end gets its
# link-local address and 2001:db8::2/64 at once (no DAD: nothing else is on this link) and
# sends no router solicitations. perfdhcp -6 -l cmp1 binds the first IPv6 address of cmp1,
# the global one, which makes it the link-address of its Relay-Forwards: the link
# 2001:db8::/64 is what both servers' scope (subnet) is selected by.
prefix6=2001:db8::/64 server_ip6=2001:db8::1 client_ip6=2001:db8::2
pool6_first=2001:db8::1:0 pool6_last=2001:db8::1:ffff
pd6_prefix=2001:db8:8000:: pd6_len=40 pd6_delegated=56
link6_client() {  # on|off
    local k=net.ipv6.conf.cmp1
    if [ "$1" = on ]; then
        ip netns exec "$CLI" sysctl -qw "$k.accept_dad=0" "$k.accept_ra=0" "$k.router_solicitations=0" \
            "$k.disable_ipv6=0"
        ip -n "$CLI" addr add "$client_ip6/64" dev cmp1 nodad
    else
        ip netns exec "$CLI" sysctl -qw "$k.disable_ipv6=1"
    fi
}
# server_addr6 on|off : as server_addr. Kea listens on the kernel end (its link-local address
# and ff02::1:2); for edgelease, which holds the end through DPDK, the kernel end has no IPv6
# at all (no address, no multicast listener reports, no neighbour answers of its own).
server_addr6() {
    local k=net.ipv6.conf.cmp0
    if [ "$1" = on ]; then
        ip netns exec "$SRV" sysctl -qw "$k.accept_dad=0" "$k.accept_ra=0" "$k.router_solicitations=0" \
            "$k.disable_ipv6=0"
        ip -n "$SRV" addr add "$server_ip6/64" dev cmp0 nodad
        # Kea binds the link-local address: it must be there before Kea starts.
        wait_for 10 sh -c "ip -n $SRV -6 addr show dev cmp0 scope link | grep -q inet6" ||
            log "cmp0 has no IPv6 link-local address"
    else
        ip netns exec "$SRV" sysctl -qw "$k.disable_ipv6=1"
    fi
    ip -n "$CLI" neigh flush all
}

# The same link, address pool (65,536 addresses) and prefix-delegation pool (65,536 /56s)
# for both servers; lifetimes 30 min preferred, 1 h valid.
dhcp6_edgelease() {  # PMD
    local name="edgelease-$1-dhcp6" dur
    server_addr off
    server_addr6 off
    edgelease_config "$name" "$1" "[[dhcp6.scopes]]
name = \"bench6\"
prefix = \"$prefix6\"
pools = [\"$pool6_first-$pool6_last\"]
pd_pools = [ { prefix = \"$pd6_prefix/$pd6_len\", delegated_length = $pd6_delegated } ]
preferred_lifetime = \"30m\"
valid_lifetime = \"1h\"" "\"$server_ip/15\", \"$server_ip6/64\""
    start_server "$name" "$bin" --config "$work/$name/edge.toml"
    if [ "$durability" = fsync ]; then dur="LMDB, group commit, fsync before each Reply that binds"
    else dur="LMDB, group commit, no fsync (durability = os)"; fi
    measure_dhcp 6 "$name" edgelease "$el_version" "DPDK net_$1" "$dur"
}

# kea-dhcp6 with memfile, persisted as kea-dhcp4's; relayed traffic selects the subnet by the
# relay's link-address. Its server DUID file goes to the scratch directory too.
dhcp6_kea() {
    server_addr off
    server_addr6 on
    mkdir -p "$work/kea6"
    cat >"$work/kea6.json" <<JSON
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "cmp0" ] },
    "data-directory": "$work/kea6",
    "lease-database": { "type": "memfile", "persist": true, "name": "$work/kea6/leases6.csv" },
    "preferred-lifetime": 1800,
    "valid-lifetime": 3600,
    "subnet6": [ { "id": 1, "subnet": "$prefix6",
        "pools": [ { "pool": "$pool6_first - $pool6_last" } ],
        "pd-pools": [ { "prefix": "$pd6_prefix", "prefix-len": $pd6_len, "delegated-len": $pd6_delegated } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "WARN",
        "output_options": [ { "output": "$work/kea6/kea.log" } ] } ]
} }
JSON
    start_server kea6 env KEA_LOCKFILE_DIR="$work/kea6" KEA_PIDFILE_DIR="$work/kea6" kea-dhcp6 -c "$work/kea6.json"
    measure_dhcp 6 kea6 kea "$kea6_version" "UDP sockets, 1 thread" "memfile CSV, a write per lease, no fsync"
    server_addr6 off
}
