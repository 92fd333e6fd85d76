#!/usr/bin/env python3
"""The table scripts/compare.sh prints, and its JSON.

usage: compare_report.py META.json RESULTS.tsv [OUT.json]

RESULTS.tsv has one line per measurement: round service run server version mode durability
rate cpu_used gen_cpu_used answered avg_ms sd_ms notes. Service DHCP (DHCPv6) is a DHCP server's
best offered rate in a round, DHCP-rate (DHCPv6-rate) every offered rate. With several rounds each run shows its
median round (and the range).
"""
import json
import statistics
import sys

KEYS = ["round", "service", "run", "server", "version", "mode", "durability", "rate",
        "cpu_used_percent", "generator_cpu_percent", "answered_per_s", "latency_avg_ms",
        "latency_sd_ms", "notes"]
TARGETS = (("DNS", 2, ("knot", "nsd")), ("DNS-TCP", None, ("knot", "nsd")), ("DHCP", 5, ("kea",)),
           ("DHCPv6", 5, ("kea",)))
SERVICES = ("DNS", "DNS-TCP", "DHCP", "DHCPv6")


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                r = dict(zip(KEYS, line.rstrip("\n").split("\t")))
                r["round"] = int(r["round"])
                r["answered_per_s"] = int(r["answered_per_s"])
                rows.append(r)
    return rows


def medians(rows):
    """One row per run (first-seen order): the median round, with min and max added."""
    runs = {}
    for r in rows:
        runs.setdefault(r["run"], []).append(r)
    out = []
    for group in runs.values():
        by = sorted(group, key=lambda r: r["answered_per_s"])
        m = dict(by[(len(by) - 1) // 2])
        m["rounds"] = len(by)
        m["min_per_s"], m["max_per_s"] = by[0]["answered_per_s"], by[-1]["answered_per_s"]
        m["median_per_s"] = int(statistics.median(r["answered_per_s"] for r in by))
        out.append(m)
    return out


def pct(v):
    return v if v == "-" else v + " %"


def print_table(rows, left):
    w = [max(len(t[i]) for t in rows) for i in range(len(rows[0]))]
    for t in rows:
        print("  ".join(c.ljust(w[j]) if j < left else c.rjust(w[j]) for j, c in enumerate(t)).rstrip())


def main():
    meta = json.load(open(sys.argv[1]))
    rows = load(sys.argv[2])
    out_json = sys.argv[3] if len(sys.argv) > 3 else ""
    summary = medians([r for r in rows if r["service"] in SERVICES])
    for r in summary:
        base = next((b for b in summary if b["service"] == r["service"] and b["server"] == "edgelease"), None)
        r["edgelease_ratio"] = (round(base["median_per_s"] / r["median_per_s"], 2)
                                if base and r["median_per_s"] > 0 else None)
    rounds = max((r["rounds"] for r in summary), default=1)

    period = meta["cfs_period_us"]
    dhcp_share = meta.get("dhcp_quota_percent", meta["quota_percent"])
    share = {"DNS": meta["quota_percent"], "DNS-TCP": meta["quota_percent"], "DHCP": dhcp_share,
             "DHCPv6": dhcp_share}
    print()
    print("compare.sh %s: %s, %d CPUs (%s); edgelease %s" % (
        meta["date"], meta["kernel"], meta["cpus"], meta["cpu_model"], meta["edgelease_commit"]))
    services = {r["service"] for r in summary}
    quotas = ", ".join("%s %d %% (%d of every %d us)" % (s, share[s], period * share[s] // 100, period)
                       for s in SERVICES if s in services)
    print("CPU share: each server alone in a cgroup, cpuset CPU %d, CFS quota %s; "
          "generators on CPU %d (taskset); namespaces joined by one veth pair" % (
              meta["server_cpu"], quotas or "-", meta["generator_cpu"]))
    if meta.get("client_napi"):
        print("--client-napi: the client's veth end receives in a NAPI thread on CPU %d" % meta["generator_cpu"])
    if "DNS" in services:
        print("DNS:  bench.test. with %d A records; 4 queries in 5 hit, 1 is NXDOMAIN; dnsperf -l %d -q %d" % (
            meta["records"], meta["seconds"], meta["dnsperf_outstanding"]))
    if "DNS-TCP" in services:
        print("DNS-TCP: the same zone and queries; dnsperf -m tcp -T 1 -c %d connections, -q %d in flight, -l %d" % (
            meta["tcp_clients"], meta["tcp_outstanding"], meta["seconds"]))
    if "DHCP" in services:
        print("DHCP: perfdhcp (a relay), -R %d clients, -p %d, at -r %s exchanges/s: each server's best" % (
            meta["dhcp_clients"], meta["seconds"], ", ".join(str(x) for x in meta["dhcp_rates"])))
    if "DHCPv6" in services:
        d6 = meta["dhcp6"]
        print("DHCPv6: perfdhcp -6 -A 1 (a relay, link-address in %s) -e address-and-prefix, -R %d clients, "
              "-p %d, at -r %s exchanges/s (Solicit-Advertise-Request-Reply): each server's best; "
              "pool %s, PD pool %s by /%d" % (
                  d6["prefix"], meta["dhcp_clients"], meta["seconds"],
                  ", ".join(str(x) for x in meta["dhcp6_rates"]), d6["pool"], d6["pd_pool"],
                  d6["delegated_length"]))
    print("edgelease: [dpdk].idle = %s, coalesce_us = %s, idle_sleep_us = %d, "
          "[appliance].durability = %s%s" % (
        meta.get("edgelease_idle", "backoff"), meta.get("edgelease_coalesce_us", 0),
        meta["edgelease_idle_sleep_us"],
        meta["edgelease_durability"],
        "; %d rounds, median round shown" % rounds if rounds > 1 else ""))
    print()
    hdr = ["service", "server", "mode", "CPU share", "CPU used", "gen. CPU", "answered/s"]
    if rounds > 1:
        hdr.append("range")
    hdr += ["avg ms", "sd ms", "edgelease ÷"]
    table = [hdr]
    for r in summary:
        mode = r["mode"]
        if r["service"] in ("DHCP", "DHCPv6") and r["rate"] != "-":
            mode += ", best at -r " + r["rate"]
        line = [r["service"], r["server"] + " " + r["version"], mode, "%d %%" % share[r["service"]],
                pct(r["cpu_used_percent"]), pct(r["generator_cpu_percent"]), str(r["median_per_s"])]
        if rounds > 1:
            line.append("%d-%d" % (r["min_per_s"], r["max_per_s"]))
        rt = r["edgelease_ratio"]
        line += [r["latency_avg_ms"], r["latency_sd_ms"], "-" if rt is None else "%.2f" % rt]
        table.append(line)
    print_table(table, 3)

    for svc in ("DHCP", "DHCPv6"):
        per_rate = [r for r in rows if r["service"] == svc + "-rate"]
        rates = sorted({int(r["rate"]) for r in per_rate})
        if len(rates) < 2:
            continue
        print()
        print("%s exchanges/s by offered rate%s:" % (svc, " (median of the rounds)" if rounds > 1 else ""))
        runs = list(dict.fromkeys(r["run"] for r in per_rate))
        t = [["run"] + ["-r %d" % x for x in rates]]
        for run in runs:
            line = [run]
            for x in rates:
                v = [r["answered_per_s"] for r in per_rate if r["run"] == run and int(r["rate"]) == x]
                line.append(str(int(statistics.median(v))) if v else "-")
            t.append(line)
        print_table(t, 1)

    for svc in ("DHCP", "DHCPv6"):
        storm = [r for r in rows if r["service"] == svc + "-storm"]
        if not storm:
            continue
        print()
        print("%s storm: completed/s offered 2x and 4x the best (ratio to the best)%s:" % (
            svc, ", median of the rounds" if rounds > 1 else ""))
        t = [["run", "best", "2x offered", "2x completed", "4x offered", "4x completed"]]
        for run in dict.fromkeys(r["run"] for r in storm):
            mine = [r for r in storm if r["run"] == run]
            best = [int(r["notes"].rsplit("best ", 1)[1].split("/")[0]) for r in mine]
            line = [run, str(int(statistics.median(best)))]
            for k in range(2):
                v = [r for i, r in enumerate(mine) if i % 2 == k]
                if not v:
                    line += ["-", "-"]
                    continue
                done = statistics.median(r["answered_per_s"] for r in v)
                line += [str(int(statistics.median(int(r["rate"]) for r in v))),
                         "%d (%.2f)" % (done, done / max(statistics.median(best), 1))]
            t.append(line)
        print_table(t, 1)

    user = [r for r in rows if r["service"] == "DNS-user"]
    if user:
        print()
        print("Own user-space time per DNS answer (--profile: the server's samples outside the kernel,")
        print("times the CPU it used, over its answers) and sleeps (voluntary context switches of")
        print("all its threads) per 1000 answers%s:" % (", median of the rounds" if rounds > 1 else ""))
        t = [["run", "ns per answer", "user-space share", "sleeps per 1000 answers"]]

        def note(r, key):  # "user share 0.27 sleeps 132": the value after `key`, or None
            words = r["notes"].split()
            i = words.index(key) + 1 if key in words else len(words)
            try:
                return float(words[i]) if i < len(words) else None
            except ValueError:
                return None

        for run in dict.fromkeys(r["run"] for r in user):
            mine = [r for r in user if r["run"] == run]
            sleeps = [v for v in (note(r, "sleeps") for r in mine) if v is not None]
            t.append([run, str(int(statistics.median(r["answered_per_s"] for r in mine))),
                      "%.1f %%" % (100 * statistics.median(note(r, "share") for r in mine)),
                      "%.0f" % statistics.median(sleeps) if sleeps else "-"])
        print_table(t, 1)

    print()
    print("CPU used: the server's cgroup (cpuacct) over the generator's run; gen. CPU: the generator's.")
    print("'edgelease ÷': edgelease's first run of the service divided by the row. Latency: dnsperf's")
    print("average and standard deviation; for DHCP perfdhcp's REQUEST-ACK ones, for DHCPv6 its")
    print("REQUEST-REPLY ones (neither tool reports a p99).")
    for r in summary:
        if r["service"] == "DNS-TCP":
            print("DNS-TCP %s (median round): %s" % (r["run"], r["notes"]))
    for r in summary:
        if r["service"] in ("DHCP", "DHCPv6"):
            print("durability, %s %s (%s): %s" % (r["service"], r["server"], r["mode"], r["durability"]))
    for svc, target, peers in TARGETS:
        best = max((r for r in summary if r["service"] == svc and r["server"] in peers),
                   key=lambda r: r["median_per_s"], default=None)
        if not best or best["median_per_s"] == 0:
            continue
        for el in (r for r in summary if r["service"] == svc and r["server"] == "edgelease"):
            print("%s: edgelease (%s) / best peer (%s, %s) = %.2f%s" % (
                svc, el["mode"], best["server"], best["mode"], el["median_per_s"] / best["median_per_s"],
                "" if target is None else "; DESIGN target >= %g" % target))
    if out_json:
        doc = dict(meta, summary=summary, measurements=rows)
        with open(out_json, "w") as f:
            json.dump(doc, f, indent=2)
        print("json: %s" % out_json)


if __name__ == "__main__":
    main()
