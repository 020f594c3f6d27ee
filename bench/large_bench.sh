#!/usr/bin/env bash
# large_bench.sh — DESIGN.md section 8: initial mirror of a large repository, MirrorDesk against
# `git clone --mirror`, wall time and peak memory, side by side in one run.
#
# Usage: bench/large_bench.sh [COMMITS=100000]
#   MIRRORDESK_BIN  path to the built CLI (default: build/ci/app/mirrordesk)
#   BENCH_RUNS      runs per timing, median taken (default 3)
# Builds a COMMITS-commit repository with git fast-import (each commit edits one of 200 small
# files, a tag every 1,000 commits), serves it with git daemon on loopback, then alternates
# `git clone --mirror` and `mirrordesk update` of a pull mirror into fresh folders. Peak memory
# is the largest resident set of the measured process tree (getrusage RUSAGE_CHILDREN: for git
# that is its index-pack child). Prints seconds, MB, ratios and PASS/MISS per DESIGN target.
set -euo pipefail

COMMITS=${1:-100000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
source "$HERE/common.sh" mdlarge

# ---- 1. the repository -------------------------------------------------------------------------
echo "== generating $COMMITS commits with git fast-import" >&2
mkdir -p "$W/repos"
"$HERE/make_big_repo.sh" "$W/repos/big.git" "$COMMITS"
REFS=$(git -C "$W/repos/big.git" for-each-ref | wc -l)
PACK_MB=$(du -sm "$W/repos/big.git/objects/pack" | cut -f1)

PORT=$(free_port)
git daemon --base-path="$W/repos" --export-all --listen=127.0.0.1 --port="$PORT" --reuseaddr 2>"$W/daemon.log" &
PIDS+=($!)
wait_port "$PORT"
URL="git://127.0.0.1:$PORT/big.git"

cat >"$W/config.json" <<EOF
{"schema_version": 1, "settings": {"cache_root": "$W/caches"}, "credentials": [], "host_keys": {},
 "mirrors": [{"name": "big", "shape": "pull", "source": {"url": "$URL"}}]}
EOF

# measure NAME CMD…: one run; appends "NAME seconds peak_MB" to $W/times.
measure() {
    local name=$1; shift
    python3 - "$name" "$@" >>"$W/times" <<'EOF'
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.monotonic() - t0
if rc.returncode != 0:
    sys.stderr.write(f"{name}: exit {rc.returncode}: {rc.stderr.decode()[-500:]}\n")
    sys.exit(1)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{name} {dt:.3f} {peak_kb / 1024:.1f}")
EOF
}

echo "== MirrorDesk large-repository bench: $COMMITS commits, $REFS refs, pack ${PACK_MB} MB, runs=$RUNS (median), $(date -u +%FT%TZ)"
echo "== binary: $BIN_INFO"
echo "== machine: $(nproc) cores, $(uname -sr), $(git --version); load avg $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 2. alternate the two clients, fresh folders each time --------------------------------------
for ((i = 0; i < RUNS; i++)); do
    rm -rf "$W/clone.git" "$W/caches" "$W/state"
    measure git_clone git clone -q --mirror "$URL" "$W/clone.git"
    measure md_update "$BIN" --config "$W/config.json" --state-dir "$W/state" -q update big
done

# Sanity: the cache holds every ref and is complete.
got=$(git -C "$W/caches/big.git" for-each-ref refs/heads refs/tags | wc -l)
[[ $got == "$REFS" ]] || { echo "cache has $got refs, expected $REFS" >&2; exit 1; }
git -C "$W/caches/big.git" fsck --connectivity-only --no-progress 2>"$W/fsck.log" \
    || { echo "cache fails git fsck:" >&2; cat "$W/fsck.log" >&2; exit 1; }
CACHE_MB=$(du -sm "$W/caches/big.git" | cut -f1)
CLONE_MB=$(du -sm "$W/clone.git" | cut -f1)

# ---- 3. table ----------------------------------------------------------------------------------
python3 - "$W/times" "$CACHE_MB" "$CLONE_MB" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, secs, mb = line.split()
    rows.setdefault(name, []).append((float(secs), float(mb)))
med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in rows.items()}
g, m = med["git_clone"], med["md_update"]
print(f"\n{'benchmark':38} {'seconds':>8} {'peak MB':>8} {'on disk MB':>10}  all runs (s)")
print(f"{'git clone --mirror':38} {g[0]:8.2f} {g[1]:8.1f} {sys.argv[3]:>10}  " + " ".join(f"{s:.2f}" for s, _ in rows['git_clone']))
print(f"{'mirrordesk update (initial mirror)':38} {m[0]:8.2f} {m[1]:8.1f} {sys.argv[2]:>10}  " + " ".join(f"{s:.2f}" for s, _ in rows['md_update']))
targets = [("initial mirror <= 1.0x git clone --mirror", m[0] / g[0], 1.0),
           ("peak memory <= 2x git's", m[1] / g[1], 2.0)]
print(f"\n{'DESIGN target':42} {'ratio':>8} {'result':>7}")
for label, r, goal in targets:
    print(f"{label:42} {r:7.2f}x {'PASS' if r <= goal else 'MISS':>7}")
EOF
