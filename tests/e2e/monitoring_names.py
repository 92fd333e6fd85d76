#!/usr/bin/env python3
"""Checks for packaging/monitoring (used by monitoring_test.sh).

  monitoring_names.py selftest
      the PromQL name extractor against expressions with known answers.
  monitoring_names.py dashboard DASHBOARD.json
      the dashboard parses, every panel id is unique, every query names the templated data
      source, the instance variable exists.
  monitoring_names.py dashboard-rules DASHBOARD.json OUT.yml
      writes every dashboard query as a recording rule (Grafana variables replaced by values),
      so that `promtool check rules OUT.yml` parses each one as PromQL.
  monitoring_names.py names METRICS.txt RULE_COUNT RULES.yml DASHBOARD.json
      every metric name in every rule and dashboard expression is in METRICS.txt (a scrape of
      GET /metrics); RULE_COUNT is promtool's count of rules, checked against the expressions
      read here so that none is skipped. Prints each missing name with where it is used.
"""
import json
import re
import sys

# Metrics that Prometheus records itself for every target (not exported by the appliance).
PROMETHEUS_OWN = {"up"}

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "inf", "nan", "atan2"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

TOKEN = re.compile(r"""
    (?P<num>(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:[smhdwy]|ms)?
            (?:\d+(?:[smhdwy]|ms))*)        # numbers and durations (1h30m)
  | (?P<id>[A-Za-z_:][A-Za-z0-9_:]*)
""", re.X)


def metric_names(expr):
    """The metric names a PromQL expression selects."""
    names = set(re.findall(r'__name__\s*=\s*"([A-Za-z_:][A-Za-z0-9_:]*)"', expr))
    e = re.sub(r'\$\{[^}]*\}|\$[A-Za-z_]\w*', "1m", expr)             # Grafana variables
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', e)  # strings
    e = re.sub(r"\{[^{}]*\}", " ", e)                                   # label matchers
    e = re.sub(r"\[[^\[\]]*\]", " ", e)                                 # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", e)
    e = re.sub(r"#[^\n]*", " ", e)                                      # comments
    for m in TOKEN.finditer(e):
        word = m.group("id")
        if word is None or word.lower() in KEYWORDS:
            continue
        if re.match(r"\s*\(", e[m.end():]):                             # a function call
            continue
        names.add(word)
    return names


def selftest():
    cases = {
        'sum by (instance, le) (rate(a_bucket{x="y{z}",le!="1"}[5m] offset 1h))': {"a_bucket"},
        'histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))': {"h_bucket"},
        'a / ignoring (state) b{state="size"} < 0.1': {"a", "b"},
        'x > 3 * sum without (lcore) (rate(y[1h30m] offset 10m)) and on (job) z == 0': {"x", "y", "z"},
        'absent(up{job="edgelease"})': {"up"},
        'time() - ts_seconds{instance=~"$instance"} > 1e3': {"ts_seconds"},
        'max_over_time(q[1h:5m]) or vector(0) unless bool_gauge': {"q", "bool_gauge"},
        'sum (rate({__name__="by_name_total", a="sum(b)"}[5m]))': {"by_name_total"},
        'topk(5, sum by (reason) (rate(drops_total[5m]))) > 0x10': {"drops_total"},
    }
    bad = 0
    for expr, want in cases.items():
        got = metric_names(expr)
        if got != want:
            print(f"selftest: {expr!r}: got {sorted(got)}, want {sorted(want)}")
            bad += 1
    print(f"selftest: {len(cases) - bad} of {len(cases)} expressions read right")
    return bad == 0


def rule_exprs(path):
    """(alert name, expr) of every rule: `expr:` inline or as a `|` block (anything else is an
    error, not a skipped rule)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, name, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*-?\s*(alert|record):\s*(\S+)", line)
        if m:
            name = m.group(2)
        m = re.match(r"(\s*)expr:\s*(.*)$", line)
        if m:
            indent, rest = len(m.group(1)), m.group(2).strip()
            if rest in ("|", "|-", "|+"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                out.append((name, "\n".join(block).strip()))
                continue
            if rest.startswith((">", "'", '"')) or not rest:
                sys.exit(f"{path}:{i + 1}: expr form not read by this check: {rest!r}")
            out.append((name, rest))
        i += 1
    return out


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def dashboard_exprs(dash):
    return [(f'panel {p["id"]} "{p.get("title", "")}"', t["expr"])
            for p in all_panels(dash["panels"]) for t in p.get("targets", []) if "expr" in t]


def load_dashboard(path):
    try:
        return json.load(open(path, encoding="utf-8"))
    except ValueError as e:
        sys.exit(f"{path}: not valid JSON: {e}")


def check_dashboard(path):
    dash = load_dashboard(path)
    errors = []
    ids = [p.get("id") for p in all_panels(dash.get("panels", []))]
    dups = sorted({i for i in ids if ids.count(i) > 1 or i is None}, key=str)
    if dups:
        errors.append(f"panel ids not unique (or missing): {dups}")
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    if variables.get("DS_PROMETHEUS", {}).get("type") != "datasource":
        errors.append("no data source variable DS_PROMETHEUS")
    if "instance" not in variables:
        errors.append("no instance variable")
    for p in all_panels(dash.get("panels", [])):
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            errors.append(f'panel {p["id"]} "{p.get("title")}": data source not ${{DS_PROMETHEUS}}')
        if not p.get("targets"):
            errors.append(f'panel {p["id"]} "{p.get("title")}": no query')
        for t in p.get("targets", []):
            if not t.get("expr", "").strip():
                errors.append(f'panel {p["id"]} "{p.get("title")}": a target without expr')
            elif 'instance=~"$instance"' not in t["expr"]:
                errors.append(f'panel {p["id"]} "{p.get("title")}": not filtered by $instance: {t["expr"]}')
    for e in errors:
        print(f"{path}: {e}")
    print(f"dashboard: {len(ids)} panels, {len(dashboard_exprs(dash))} queries, "
          f"schemaVersion {dash.get('schemaVersion')}")
    return not errors


def dashboard_rules(path, out):
    dash = load_dashboard(path)
    with open(out, "w", encoding="utf-8") as f:
        f.write("groups:\n  - name: dashboard\n    rules:\n")
        for n, (_, expr) in enumerate(dashboard_exprs(dash)):
            e = expr.replace("$__rate_interval", "5m").replace("$__range", "1h")
            e = e.replace("$instance", ".*")
            if "$" in e:
                sys.exit(f"{path}: a Grafana variable this check does not know: {expr}")
            f.write(f"      - record: dashboard:query_{n}\n        expr: {json.dumps(e)}\n")
    return True


def parse_scrape(path):
    """Names the scrape has: families from # TYPE lines (with their type) and sample names."""
    families, samples = {}, set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            families[m.group(1)] = m.group(2)
        elif line.strip() and not line.startswith("#"):
            samples.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return families, samples


def exported(name, families, samples):
    if name in families or name in samples or name in PROMETHEUS_OWN:
        return True
    for suffix in HISTOGRAM_SUFFIXES:
        base = name[: -len(suffix)]
        if name.endswith(suffix) and families.get(base) in ("histogram", "summary"):
            return True
    return False


def check_names(metrics, rule_count, rules, dashboard):
    families, samples = parse_scrape(metrics)
    if not families:
        sys.exit(f"{metrics}: no # TYPE lines: not a scrape of /metrics")
    exprs = rule_exprs(rules)
    if len(exprs) != rule_count:
        sys.exit(f"{rules}: read {len(exprs)} expressions, promtool counted {rule_count} rules")
    used = [(f"{rules}: {n}", e) for n, e in exprs]
    used += [(f"{dashboard}: {w}", e) for w, e in dashboard_exprs(load_dashboard(dashboard))]
    missing, names = {}, set()
    for where, expr in used:
        found = metric_names(expr)
        if not found:
            missing.setdefault("(no metric at all)", []).append(f"{where}: {expr}")
        for n in found:
            names.add(n)
            if not exported(n, families, samples):
                missing.setdefault(n, []).append(where)
    for n, wheres in sorted(missing.items()):
        print(f"not exported by the appliance: {n}  (used in {'; '.join(wheres)})")
    print(f"names: {len(used)} expressions, {len(names)} distinct metric names, "
          f"{len(missing)} missing; the scrape has {len(families)} families")
    return not missing


def main(argv):
    if argv[1:2] == ["selftest"]:
        return selftest()
    if argv[1:2] == ["dashboard"] and len(argv) == 3:
        return check_dashboard(argv[2])
    if argv[1:2] == ["dashboard-rules"] and len(argv) == 4:
        return dashboard_rules(argv[2], argv[3])
    if argv[1:2] == ["names"] and len(argv) == 6:
        return check_names(argv[2], int(argv[3]), argv[4], argv[5])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv) else 1)
