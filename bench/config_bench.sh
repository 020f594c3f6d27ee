#!/usr/bin/env bash
# config_bench.sh — DESIGN.md section 8: "Config, state and window cost grow at most n log n in
# the number of mirrors; `list`, `status` and a one-field `edit` of 10,000 mirrors each take under
# 0.5 s." No network, no git: only the config file and the state folder.
#
# Usage: bench/config_bench.sh [BINARY]
#   BINARY          the built CLI (default: $MIRRORDESK_BIN, else build/ci/app/mirrordesk)
#   BENCH_SIZES     mirror counts (default "1000 10000"; the ratio compares the last to the first)
#   BENCH_RUNS      runs per timing, median taken (default 3)
#   BENCH_TIMEOUT   seconds before a run is given up (default 120; it counts as a MISS)
# Generates mirrors.json directly (N pull mirrors org-K/repo-M from git://127.0.0.1:9/…, as
# `mirrordesk add` writes them) and a state folder with a status file and a short run history for
# every 10th mirror, then prints the median wall time, CPU time and peak RSS (/usr/bin/time) of
# `list`, `status` and `edit NAME --interval 7` at each size, the ratio last/first size and
# PASS/MISS against the 0.5 s target. Each edit starts from the generated file, so each one saves.
# busy% is the share of samples (every 0.25 s) during the runs that saw a runnable process of another
# session: other work on these 2 cores inflates wall time (CPU time much less).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # read by common.sh
if [[ $# -gt 0 ]]; then MIRRORDESK_BIN=$1; fi
read -ra SIZES <<<"${BENCH_SIZES:-1000 10000}"
TIMEOUT=${BENCH_TIMEOUT:-120}
# shellcheck source=common.sh
source "$HERE/common.sh" mdconfbench

# write_fixture N DIR: DIR/mirrors.json (N pull mirrors) and DIR/state (every 10th mirror).
write_fixture() {
    python3 - "$1" "$2" <<'EOF'
import json, os, sys, urllib.parse
n, d = int(sys.argv[1]), sys.argv[2]
per_org = 25
names = [f"org-{k // per_org + 1}/repo-{k % per_org + 1}" for k in range(n)]
# The fields and order of mirrorToJson as `mirrordesk add` writes them (QJsonDocument sorts keys).
mirrors = [{"enabled": True, "keep_divergent_refs": False, "min_update_interval_seconds": 60,
            "mirror_branch_regex": "", "mirror_overwrites_diverged_branches": True,
            "mirror_tags": "all", "name": name, "only_protected_branches": False,
            "protected_branches": [], "shape": "pull",
            "source": {"url": f"git://127.0.0.1:9/{name}.git"}} for name in names]
settings = {"attic_retention_days": 90, "cache_root": f"{d}/caches", "concurrency": 8,
            "connect_timeout": 30, "default_interval_minutes": 5, "mass_change_guard": True,
            "per_host_concurrency": 8, "run_timeout": 10800, "stall_timeout": 600}
with open(f"{d}/mirrors.json", "w") as f:
    json.dump({"credentials": [], "host_keys": {}, "mirrors": mirrors, "schema_version": 1,
               "settings": settings}, f, indent=4)
os.makedirs(f"{d}/state/.locks")
oid = "0123456789abcdef0123456789abcdef01234567"
for name in names[::10]:
    runs = [{"duration_ms": 120 + r, "error": "", "error_category": "", "outcome": "finished",
             "refs": [{"action": "fast_forward", "message": "", "new": oid, "old": oid[::-1],
                       "ref": "refs/heads/main", "result": "ok"}],
             "started_at": f"2026-12-01T{10 + r:02d}:00:00Z", "warnings": []} for r in range(5)]
    status = {"consecutive_failures": 0, "error_category": "", "last_error": "",
              "last_successful_update_at": "2026-12-01T14:00:01Z",
              "last_update_at": "2026-12-01T14:00:01Z",
              "last_update_started_at": "2026-12-01T14:00:00Z",
              "update_status": "finished", "warnings": []}
    path = f"{d}/state/{urllib.parse.quote(name, safe='._-')}.json"
    with open(path, "w") as f:
        json.dump({"history": runs, "status": status}, f, separators=(",", ":"))
EOF
}

# measure SIZE NAME SETUP OK_EXIT_CODES CMD…: RUNS runs of CMD under /usr/bin/time (SETUP runs
# untimed before each); appends "SIZE NAME wall cpu rss_kb busy%" (median wall and cpu, largest
# rss) to $W/results, wall "timeout" when a run outlived BENCH_TIMEOUT. The last run's output
# stays in $W/out.SIZE.NAME.
measure() {
    local size=$1 name=$2 setup=$3 ok=$4 i rc start=$EPOCHREALTIME; shift 4
    local walls=() cpus=() rss=0 line e u s m
    for ((i = 0; i < RUNS; i++)); do
        $setup
        rc=0
        /usr/bin/time -f '%e %U %S %M' -o "$W/time" timeout "$TIMEOUT" "$@" \
            >"$W/out.$size.$name" 2>"$W/err.$size.$name" || rc=$?
        if [[ $rc == 124 ]]; then
            echo "$size $name timeout - - $(busy_pct "$start" "$EPOCHREALTIME")" >>"$W/results"
            return
        fi
        [[ " $ok " == *" $rc "* ]] || { echo "$name at $size: exit $rc" >&2; tail -5 "$W/err.$size.$name" >&2; exit 1; }
        read -r line <"$W/time"  # a signal would add a "Command exited…" line before it
        [[ $line == Command* ]] && line=$(tail -1 "$W/time")
        read -r e u s m <<<"$line"
        walls+=("$e")
        cpus+=("$(awk "BEGIN{printf \"%.2f\", $u + $s}")")
        if ((m > rss)); then rss=$m; fi
    done
    local mid=$(((RUNS + 1) / 2))
    echo "$size $name $(printf '%s\n' "${walls[@]}" | sort -g | sed -n "${mid}p")" \
        "$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "${mid}p") $rss $(busy_pct "$start" "$EPOCHREALTIME")" >>"$W/results"
}
expect_lines() {  # expect_lines SIZE NAME COUNT: the last run printed COUNT lines
    local got; got=$(wc -l <"$W/out.$1.$2")
    [[ $got == "$3" ]] || { echo "$2 at $1: expected $3 lines of output, got $got" >&2; exit 1; }
}

echo "== MirrorDesk config bench: sizes ${SIZES[*]}, runs=$RUNS (median), timeout ${TIMEOUT}s, $(date -u +%FT%TZ)"
echo "== binary: $BIN_INFO"
echo "== machine: $(nproc) cores, $(uname -sr); load avg $(cut -d' ' -f1-3 /proc/loadavg);" \
     "other sessions' runnable processes now: $(foreign_running)"

: >"$W/results"
start_noise_meter 0.25
for n in "${SIZES[@]}"; do
    d=$W/n$n
    mkdir -p "$d"
    write_fixture "$n" "$d"
    cp "$d/mirrors.json" "$d/pristine.json"
    md=("$BIN" --config "$d/mirrors.json" --state-dir "$d/state")
    restore() { cp "$d/pristine.json" "$d/mirrors.json"; }
    target="org-$((n / 2 / 25 + 1))/repo-$((n / 2 % 25 + 1))"  # the mirror in the middle

    measure "$n" list true 0 "${md[@]}" list
    [[ $(tail -1 "$W/results") == *timeout* ]] || expect_lines "$n" list $((n + 1))
    measure "$n" status true "0 1" "${md[@]}" status
    [[ $(tail -1 "$W/results") == *timeout* ]] || expect_lines "$n" status $((n + 1))
    measure "$n" edit restore 0 "${md[@]}" edit "$target" --interval 7
    if [[ $(tail -1 "$W/results") != *timeout* ]]; then
        python3 - "$d/mirrors.json" "$target" "$n" <<'EOF' || { echo "edit at $n: the config is not as expected" >&2; exit 1; }
import json, sys
mirrors = json.load(open(sys.argv[1]))["mirrors"]
changed = [m["name"] for m in mirrors if m.get("interval_minutes") == 7]
sys.exit(0 if len(mirrors) == int(sys.argv[3]) and changed == [sys.argv[2]] else 1)
EOF
    fi
    restore
done

python3 - "$W/results" "${SIZES[0]}" "${SIZES[-1]}" <<'EOF'
import math, sys
rows = [line.split() for line in open(sys.argv[1])]
first, last = sys.argv[2], sys.argv[3]
res = {(r[0], r[1]): r[2:] for r in rows}
print(f"\n{'mirrors':>8} {'command':8} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12} {'busy%':>6}")
for size, name, wall, cpu, rss, busy in rows:
    rss = f"{int(rss) / 1024:.1f}" if rss != "-" else "-"
    print(f"{size:>8} {name:8} {wall:>8} {cpu:>8} {rss:>12} {busy:>6}")
# n log n from the first to the last size, for reference: 10x the mirrors -> 13.3x the cost.
if first != last:
    bound = int(last) * math.log(int(last)) / (int(first) * math.log(int(first)))
    print(f"\n{'command':8} {'wall ' + last + '/' + first:>14} {'cpu':>8} {'RSS':>8}   (n log n: {bound:.1f}x)")
    for name in ("list", "status", "edit"):
        a, b = res.get((first, name)), res.get((last, name))
        if not a or not b or "timeout" in (a[0], b[0]):
            print(f"{name:8} {'-':>14} {'-':>8} {'-':>8}")
            continue
        ratio = lambda i: f"{float(b[i]) / max(float(a[i]), 0.01):.1f}x"
        print(f"{name:8} {ratio(0):>14} {ratio(1):>8} {ratio(2):>8}")
if "10000" in (r[0] for r in rows):
    print(f"\n{'DESIGN target':40} {'seconds':>8} {'result':>7}")
for name in ("list", "status", "edit"):
    wall = res.get(("10000", name), [None])[0]
    if wall is None:
        continue
    ok = wall != "timeout" and float(wall) < 0.5
    print(f"{name + ' of 10,000 mirrors < 0.5 s':40} {wall:>8} {'PASS' if ok else 'MISS':>7}")
EOF
