#!/usr/bin/env bash
# cli_edit_bench.sh — the config-changing commands at fleet scale (issue 12: "a one-field edit from
# the CLI took 4.2 s at 2,000 mirrors"; DESIGN section 8: a one-field edit of 10,000 mirrors under
# 0.5 s, cost growing at most n log n). No network: the config and a full state per mirror.
#
# Usage: bench/cli_edit_bench.sh [SIZES="2000 10000"]
#   MIRRORDESK_BIN  the built CLI (default build/ci/app/mirrordesk)
#   BEFORE_BIN      optional: another build (e.g. of the commit before a change), measured in the
#                   same run, alternating with MIRRORDESK_BIN, and shown side by side with a ratio
#   BENCH_RUNS      runs per timing, median taken (default 5)
# Per size, bench/make_fleet.py writes N pull mirrors and three state files each (status, history,
# last check; stamped a minute ago, so `update --due` finds none due), then it times, each run from
# the same config: `edit NAME --interval-minutes 7`, `rename NAME NEW`, `add`, `remove`, `list`,
# `status` and `update --due`; and as a baseline the nearest thing git offers, `git config --file F
# mirror.NAME.interval 7` on a git-config file with one [mirror "NAME"] section of 4 keys per mirror
# (git rewrites the whole file too, under a lock, but validates nothing across entries). Prints wall
# and CPU seconds (median), peak RSS, the ratio to git config and, with BEFORE_BIN, before/after.
# Figures only: exit 0 after the table, 1 if a command failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -ra SIZES <<<"${1:-2000 10000}"
BENCH_RUNS=${BENCH_RUNS:-5}
# shellcheck source=common.sh
source "$HERE/common.sh" mdcliedit
BINS=("$BIN")
LABELS=(after)
if [[ -n ${BEFORE_BIN:-} ]]; then
    cp "$BEFORE_BIN" "$W/mirrordesk-before"
    BINS=("$W/mirrordesk-before" "$BIN")
    LABELS=(before after)
    echo "== before: $(realpath "$BEFORE_BIN") ($(date -u -r "$BEFORE_BIN" +%FT%TZ))"
fi
echo "== MirrorDesk CLI edit bench: sizes ${SIZES[*]}, runs=$RUNS (median), $(date -u +%FT%TZ)"
echo "== binary: $BIN_INFO"
echo "== machine: $(nproc) cores, load avg $(cut -d' ' -f1-3 /proc/loadavg); other sessions' runnable processes now: $(foreign_running)"

: >"$W/results"
# time_one LABEL SIZE NAME CMD…: one run; appends "SIZE NAME LABEL wall cpu rss" to $W/raw.
time_one() {
    local label=$1 size=$2 name=$3 start end; shift 3
    start=$EPOCHREALTIME # wall from the shell's clock: /usr/bin/time has 10 ms steps
    /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out" 2>"$W/err" || {
        echo "$name ($label) at $size failed:" >&2; tail -5 "$W/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    local e u s m
    read -r e u s m < <(tail -1 "$W/time")
    echo "$size $name $label $(awk "BEGIN{printf \"%.4f\", $end - $start}") $(awk "BEGIN{printf \"%.3f\", $u + $s}") $m" >>"$W/raw"
}

for n in "${SIZES[@]}"; do
    d=$W/n$n
    python3 "$HERE/make_fleet.py" "$n" "$d" --recent
    cp "$d/mirrors.json" "$d/pristine.json"
    target="org-$((n / 2 / 25 + 1))/repo-$((n / 2 % 25 + 1))"
    # The git baseline: the same mirrors as git-config sections.
    python3 - "$n" "$d/gitconfig" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for k in range(n):
        name = f"org-{k // 25 + 1}/repo-{k % 25 + 1}"
        f.write(f'[mirror "{name}"]\n\turl = git://127.0.0.1:9/r{k}.git\n\tshape = pull\n\tenabled = true\n\tinterval = 5\n')
EOF
    cp "$d/gitconfig" "$d/gitconfig.pristine"
    mkdir -p "$d/kept"
    cp "$d"/state/org-1%2Frepo-2* "$d/kept/" # the removed mirror's state, put back after each remove
    for ((r = 0; r < RUNS; r++)); do
        for b in "${!BINS[@]}"; do
            # Alternate the order of the builds from run to run.
            ((r % 2)) && b=$((${#BINS[@]} - 1 - b))
            bin=${BINS[$b]} label=${LABELS[$b]}
            md=("$bin" --config "$d/mirrors.json" --state-dir "$d/state")
            restore() { cp "$d/pristine.json" "$d/mirrors.json"; }
            restore; time_one "$label" "$n" edit "${md[@]}" edit "$target" --interval-minutes 7
            restore; time_one "$label" "$n" rename "${md[@]}" rename "$target" "$target-b"
            "${md[@]}" -q rename "$target-b" "$target" # the state back under its name
            restore; time_one "$label" "$n" add "${md[@]}" -q add new/one --source git://127.0.0.1:9/new.git
            restore; time_one "$label" "$n" remove "${md[@]}" -q remove org-1/repo-2
            cp "$d"/kept/* "$d/state/"
            restore; time_one "$label" "$n" list "${md[@]}" list
            time_one "$label" "$n" status "${md[@]}" status
            time_one "$label" "$n" update--due "${md[@]}" -q update --due
        done
        cp "$d/gitconfig.pristine" "$d/gitconfig"
        time_one git "$n" edit git config --file "$d/gitconfig" "mirror.$target.interval" 7
    done
    restore
done

python3 - "$W/raw" "${LABELS[@]}" <<'EOF'
import statistics, sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    size, name, label, wall, cpu, rss = line.split()
    rows[(int(size), name, label)].append((float(wall), float(cpu), int(rss)))
labels = sys.argv[2:]
med = {k: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v), max(r for _, _, r in v)) for k, v in rows.items()}
sizes = sorted({k[0] for k in med})
names = ["edit", "rename", "add", "remove", "list", "status", "update--due"]
head = f"{'mirrors':>8} {'command':12}" + "".join(f" {l + ' s':>10} {'cpu':>6} {'MB':>5}" for l in labels)
if "before" in labels:
    head += f" {'after/before':>13}"
head += f" {'vs git config':>14}"
print("\n" + head)
for size in sizes:
    git = med.get((size, "edit", "git"))
    for name in names:
        line = f"{size:>8} {name:12}"
        for l in labels:
            w, c, r = med.get((size, name, l), (float("nan"),) * 3)
            line += f" {w:>10.3f} {c:>6.2f} {r / 1024:>5.0f}"
        after = med.get((size, name, "after"))
        if "before" in labels and (size, name, "before") in med:
            line += f" {after[0] / max(med[(size, name, 'before')][0], 0.001):>12.2f}x"
        if name == "edit" and git:
            line += f" {after[0] / max(git[0], 0.001):>13.1f}x"
        print(line)
    if git:
        print(f"{size:>8} {'git config':12} {git[0]:>10.4f} {git[1]:>6.2f} {git[2] / 1024:>5.0f}   (one key of {size} sections)")
if len(sizes) > 1:
    a, b = sizes[0], sizes[-1]
    import math
    bound = b * math.log(b) / (a * math.log(a))
    print(f"\ngrowth {a} -> {b} mirrors (n log n would be {bound:.1f}x):")
    for name in names:
        x, y = med.get((a, name, "after")), med.get((b, name, "after"))
        if x and y:
            print(f"  {name:12} {y[0] / max(x[0], 0.001):.1f}x wall, {y[1] / max(x[1], 0.001):.1f}x cpu")
for name in ("edit", "list", "status"):
    v = med.get((10000, name, "after"))
    if v:
        print(f"DESIGN target: {name} of 10,000 mirrors < 0.5 s: {v[0]:.3f} s {'PASS' if v[0] < 0.5 else 'MISS'}")
EOF
