# Sourced by scripts/compare.sh (not run on its own): DNS over TCP (--dns-tcp), edgelease,
# Knot and NSD under `dnsperf -m tcp`, each in the same CPU share as the UDP runs (the
# server's cgroup: cpuset CPU $server_cpu, CFS quota --quota), the same zone and query file.
# Uses compare.sh's variables and functions (start_server, edgelease_config, knot_conf,
# server_addr, wait_ready, cg_move_all, cg_usage_ns, record, ...).
#
# What the share limits. The kernel has no IRQ time accounting (CONFIG_IRQ_TIME_ACCOUNTING
# off on the machine measured; the script prints it): softirq work is charged to whichever
# task it interrupts or runs after (local_bh_enable), ksoftirqd's is charged to nobody's
# share. So, per server:
#  - Knot, NSD: their TCP receive (queries, ACKs) is processed when dnsperf's transmit on CPU
#    $gen_cpu hands the segment to cmp0: on the generator's CPU, outside the share. Their
#    transmit (and the client's receive of it, run from the veth's transmit) is in the share.
#  - edgelease: a worker lcore takes the segment from net_af_packet and writes it to its tap
#    (the exception path): the kernel's IP and TCP receive then run in that write, on CPU
#    $server_cpu, charged to the share; the TCP thread's send, the tap read, and the
#    af_packet send (with the client's receive run from it) too. Only cmp0's own receive
#    into the af_packet ring runs on CPU $gen_cpu.
# The runs print, besides the share's usage, both CPUs' user/system/softirq split
# (/proc/stat, tick-sampled) and ksoftirqd's time, so that what escaped the share shows.
# shellcheck shell=bash disable=SC2154  # the variables are compare.sh's

# /proc/stat line of one CPU: user nice system idle iowait irq softirq steal (ticks)
cpu_ticks() { awk -v c="cpu$1" '$1 == c {print $2, $3, $4, $5, $6, $7, $8, $9}' /proc/stat; }
# ksoftirqd/N's user+system ticks
ksoftirqd_ticks() {
    local p
    p=$(pgrep -x "ksoftirqd/$1" | head -n 1)
    [ -n "$p" ] || { echo 0; return; }
    awk '{print $14 + $15}' "/proc/$p/stat"
}
# cpu_split BEFORE AFTER : "usr X % sys Y % si Z % idle W %" of one CPU between two cpu_ticks
cpu_split() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); t = 0
        for (i = 1; i <= n; i++) { d[i] = y[i] - x[i]; t += d[i] }
        if (t <= 0) t = 1
        printf "usr %.0f %% sys %.0f %% si %.0f %% idle %.0f %% steal %.0f %%", 100 * (d[1] + d[2]) / t,
            100 * (d[3] + d[6]) / t, 100 * d[7] / t, 100 * (d[4] + d[5]) / t, 100 * d[8] / t }'
}
# thread_ticks : "TID COMM TICKS" of every thread in the server's cgroup
thread_ticks() {
    local t
    while read -r t; do
        # /proc/TID/stat would be the whole process's; the thread's own is under task/.
        [ -r "/proc/$t/task/$t/stat" ] || continue
        # comm may hold spaces: take what is between the parentheses
        sed -E 's/^[0-9]+ \((.*)\) [A-Za-z] (.*)$/\1\t\2/' "/proc/$t/task/$t/stat" |
            awk -F'\t' -v t="$t" '{split($2, f, " "); gsub(/ /, "_", $1); print t, $1, f[12] + f[13]}'
    done <"/sys/fs/cgroup/cpu/$cg_srv/tasks"
}
# thread_use BEFORE_FILE AFTER_FILE SECONDS : the threads that used CPU, busiest first
thread_use() {
    awk -v s="$3" -v hz="$(getconf CLK_TCK)" 'NR == FNR {b[$1] = $3; next}
        { d = $3 - ($1 in b ? b[$1] : 0); if (d > 0) printf "%s %.1f%%\n", $2, 100 * d / hz / s }' "$1" "$2" |
        sort -t' ' -k2 -rn | head -n 6 | paste -sd, | sed 's/,/, /g'
}

tcp_probe() {
    ip netns exec "$CLI" dnsperf -m tcp -s "$server_ip" -d "$work/probe.txt" -n 1 -t 2 2>/dev/null |
        grep -qE 'Queries completed: +1 '
}

# measure_dns_tcp NAME SERVER VERSION MODE : as measure_dns, over TCP (dnsperf -m tcp -c
# $tcp_clients connections, -q $tcp_outstanding queries in flight over them, -T 1).
measure_dns_tcp() {
    local name=$1 server=$2 version=$3 mode=$4
    attempted=$((attempted + 1))
    if ! wait_ready tcp_probe; then
        log "$name: no answer over TCP"
        tail -n 20 "$work/$name.log" >&2
        failures+=("$name: did not answer")
        record DNS-TCP "$name" "$server" "$version" "$mode" - - - - 0 - - "no answer"
        stop_server
        return 0
    fi
    local threads u0 g0 t0 u1 g1 t1 c0a c0b c1a c1b k0a k0b k1a k1b out="$work/$name.dnsperf"
    threads=$(cg_move_all)
    log "$name: $threads thread(s) in the CPU share; dnsperf -m tcp -c $tcp_clients -q $tcp_outstanding for $seconds s"
    thread_ticks >"$work/$name.threads0"
    profile_start "$name"
    c0a=$(cpu_ticks "$gen_cpu") c1a=$(cpu_ticks "$server_cpu") k0a=$(ksoftirqd_ticks "$gen_cpu") k1a=$(ksoftirqd_ticks "$server_cpu")
    u0=$(cg_usage_ns) g0=$(cg_usage_ns "$cg_gen") t0=$(now_ns)
    in_cgroup "$cg_gen" ip netns exec "$CLI" taskset -c "$gen_cpu" \
        dnsperf -m tcp -s "$server_ip" -d "$queryfile" -l "$seconds" -c "$tcp_clients" -q "$tcp_outstanding" \
        -T 1 -t 2 >"$out" 2>&1 || true
    u1=$(cg_usage_ns) g1=$(cg_usage_ns "$cg_gen") t1=$(now_ns)
    c0b=$(cpu_ticks "$gen_cpu") c1b=$(cpu_ticks "$server_cpu") k0b=$(ksoftirqd_ticks "$gen_cpu") k1b=$(ksoftirqd_ticks "$server_cpu")
    thread_ticks >"$work/$name.threads1"
    profile_stop "$name"
    local qps avg sd lost codes cpu gcpu split0 split1 ksi hz busy
    hz=$(getconf CLK_TCK)
    qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$out")
    # The query latency: the first of the two (the second is dnsperf's connection latency).
    avg=$(awk '/Average Latency \(s\):/ {printf "%.3f", $4 * 1000; exit}' "$out")
    sd=$(awk '/Latency StdDev \(s\):/ {printf "%.3f", $4 * 1000; exit}' "$out")
    lost=$(awk '/Queries lost:/ {print $3}' "$out")
    codes=$(sed -n 's/^ *Response codes: *//p' "$out")
    local reconn
    reconn=$(awk '/Reconnections:/ {print $2; exit}' "$out")
    cpu=$(cpu_percent "$u0" "$u1" "$t0" "$t1")
    gcpu=$(cpu_percent "$g0" "$g1" "$t0" "$t1")
    split0=$(cpu_split "$c0a" "$c0b") split1=$(cpu_split "$c1a" "$c1b")
    ksi=$(awk -v a=$((k0b - k0a)) -v b=$((k1b - k1a)) -v hz="$hz" -v s="$seconds" \
        'BEGIN {printf "ksoftirqd/0 %.1f %%, ksoftirqd/1 %.1f %%", 100 * a / hz / s, 100 * b / hz / s}')
    busy=$(thread_use "$work/$name.threads0" "$work/$name.threads1" "$seconds")
    [ -n "$qps" ] || { qps=0; tail -n 20 "$out" >&2; }
    log "$name: $qps answered/s over TCP, avg ${avg:-?} ms, lost ${lost:-?}, server CPU $cpu %, dnsperf CPU $gcpu %, ${codes:-no responses}"
    log "$name: CPU $gen_cpu: $split0; CPU $server_cpu: $split1; $ksi"
    log "$name: busiest threads of the share: ${busy:-none}"
    record DNS-TCP "$name" "$server" "$version" "$mode" - - "$cpu" "$gcpu" "$qps" "${avg:--}" "${sd:--}" \
        "lost ${lost:-?}, reconnections ${reconn:-?}; ${codes:-no responses}; CPU $gen_cpu: $split0; CPU $server_cpu: $split1; $ksi; threads: ${busy:-none}"
    [ "$qps" -gt 0 ] || failures+=("$name: 0 answered/s over TCP")
    if [ "$server" = edgelease ]; then ip netns exec "$SRV" "$ctl" stats >"$work/$name.stats" 2>&1 || true; fi
    stop_server
}

# edgelease: UDP by its workers as in dns_edgelease, TCP through its exception path (a tap in
# a private namespace of its own, [exception] defaults) and its TCP thread.
dns_tcp_edgelease() {  # PMD
    local name="edgelease-$1-tcp" per=$((tcp_clients > 32 ? tcp_clients : 32))
    server_addr off
    edgelease_config "$name" "$1" "[dns]
tcp = true
tcp_max_per_client = $per

[exception]
enabled = true

[[dns.zones]]
name = \"bench.test.\"
file = \"$zone\""
    start_server "$name" "$bin" --config "$work/$name/edge.toml"
    measure_dns_tcp "$name" edgelease "$el_version" "DPDK net_$1, TCP: exception tap + kernel sockets, 1 thread"
}

# Knot with the configuration of its UDP-sockets run (it listens on TCP too; tcp-workers by
# default one per CPU it sees).
dns_tcp_knot() {
    server_addr on
    knot_conf knot-tcp "    listen: $server_ip@53" >"$work/knot-tcp.conf"
    start_server knot-tcp knotd -c "$work/knot-tcp.conf"
    measure_dns_tcp knot-tcp knot "$knot_version" "TCP sockets"
}

# NSD with the configuration of its UDP run (tcp-count 100 by default).
dns_tcp_nsd() {
    dns_nsd_conf
    start_server nsd-tcp nsd -d -c "$work/nsd.conf"
    measure_dns_tcp nsd-tcp nsd "$nsd_version" "TCP sockets"
}

# Whether the kernel accounts IRQ time apart (then softirq is charged to no task's share).
irq_time_accounting() {
    local v
    v=$({ zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } |
        sed -n 's/^\(CONFIG_IRQ_TIME_ACCOUNTING=.*\|# CONFIG_IRQ_TIME_ACCOUNTING is not set\)$/\1/p')
    echo "${v:-CONFIG_IRQ_TIME_ACCOUNTING unknown (no kernel config found)}"
}
tcp_logged_kernel=0

# The TCP runs of one round, those --only selects.
dns_tcp_runs() {
    local p
    if [ "$tcp_logged_kernel" = 0 ]; then
        log "DNS over TCP: kernel $(uname -r), $(irq_time_accounting)"
        tcp_logged_kernel=1
    fi
    for p in ${pmds//,/ }; do
        if [ "$p" = af_xdp ]; then
            # net_af_xdp's frames to the tap work as af_packet's; one edgelease TCP row is enough
            # unless asked for by name.
            if [ -z "$only" ] || ! wanted "edgelease-$p-tcp"; then continue; fi
        fi
        wanted "edgelease-$p-tcp" && dns_tcp_edgelease "$p"
    done
    wanted knot-tcp && dns_tcp_knot
    wanted nsd-tcp && dns_tcp_nsd
    return 0
}
