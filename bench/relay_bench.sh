#!/usr/bin/env bash
# relay_bench.sh — DESIGN.md section 8 for relay and push mirrors (issue 10), side by side with the
# cron loop admins run today (`git remote update -p && git push --mirror`, one repository after
# another, as in shared/reference 002), and the initial push of a large repository against
# `git push --mirror`.
#
# Usage: bench/relay_bench.sh [N=1000]
#   MIRRORDESK_BIN  the built CLI (default build/ci/app/mirrordesk; copied at start)
#   BENCH_RUNS      timed runs per client, median taken (default 3), clients alternating
#   COMMITS         commits of the large repository (default 100000; 0 skips the large step)
#   PACK_THREADS_VARIANTS  values of MIRRORDESK_PACK_THREADS also measured in the large step
#                   (default "0 1"; empty skips them). The engine may set libgit2's
#                   pb_parallelism from it; if it ignores it the rows just match the default.
# Steps:
#   1. N small source repositories (3 branches, 1 annotated tag, 5 commits on main: one
#      make_pr_repo.sh template and N hard-linked copies, each with its own fleet/rK branch) and
#      2×N empty target repositories (targets/md/rK.git for MirrorDesk, targets/cron/rK.git for the
#      cron loop: each tool starts from an empty target and pushes everything itself, and a change
#      pushed by one tool never makes the other's pass a no-op). Sources and targets are served by
#      two `git daemon --inetd` behind socat (backlog 128, DESIGN section 7) on two ports.
#   2. N relay mirrors (config written directly in the format `add` writes: one `add`, copied).
#      Initial `mirrordesk update`, then BENCH_RUNS × (no-op `mirrordesk -q update`, no-op cron
#      loop), then BENCH_RUNS × (1 % of the sources get one new commit on main; `mirrordesk -q
#      update`; cron loop). The change is made once per run and both tools sync that same change
#      into their own targets; the order of the two tools is reversed every other run.
#   3. The large repository (large_bench.sh's fast-import generator), pushed from a local path into a
#      fresh empty target each run: `git push --mirror` against `mirrordesk update` of a push-shape
#      mirror (fresh cache, state and target), the same with MIRRORDESK_PACK_THREADS set, and a
#      push-only row (cache kept from the run before, target fresh). Wall time and peak RSS.
# Columns: busy% = share of the samples that saw a runnable process of another session; drops =
# kernel TcpExt ListenOverflows during all runs of the row (should be 0 behind socat).
# Sanity (else exit 1): after the runs, a sample of 20 targets of each tool plus every changed one
# has the same refs/heads and refs/tags as its source; the large targets hold every ref and pass
# `git fsck --connectivity-only`.
# Needs git (git daemon), socat, python3, /usr/bin/time (package time). Temp dir removed at exit.
# Exit 0 after printing the table (MISS included); 1 if a step or a sanity check failed.
set -euo pipefail

N=${1:-1000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMMITS=${COMMITS:-100000}
PACK_THREADS_VARIANTS=${PACK_THREADS_VARIANTS-0 1}
for tool in git socat python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "relay_bench.sh: $tool is missing" >&2; exit 2; }
done
# shellcheck source=common.sh
source "$HERE/common.sh" mdrelay
fail() { echo "relay_bench.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $(date -u +%T) $*" >&2; }
# Neither the git client nor the servers read user or system config.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0 LC_ALL=C
start_noise_meter 0.5
listen_drops() {  # kernel count of connections dropped because a listen queue was full
    awk '/^TcpExt:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "ListenOverflows") c = i } else print $c }' /proc/net/netstat
}
T_START=$EPOCHREALTIME

# ---- 1. N sources (template + hard-linked copies), 2×N empty targets, two servers --------------
step "generating the template and $N sources"
PR_MAIN_COMMITS=5 "$HERE/make_pr_repo.sh" "$W/tmpl.git" 2 1 0 2>"$W/tmpl.log" || fail "make_pr_repo.sh: $(cat "$W/tmpl.log")"
# make_pr_repo.sh adds one refs/remotes/… ref a host may keep; `git clone --mirror` would copy it and
# MirrorDesk would not: drop it, so that both tools move the same refs.
git -C "$W/tmpl.git" update-ref -d refs/remotes/origin/x
"$HERE/make_pr_repo.sh" --fleet "$W/tmpl.git" "$W/src" "$N" r
SRC_INFO="$(git -C "$W/src/r1.git" for-each-ref refs/heads | wc -l) heads, $(git -C "$W/src/r1.git" for-each-ref refs/tags | wc -l) tag, $(git -C "$W/src/r1.git" rev-list --all | wc -l) commits"

step "$((2 * N)) empty targets"
git init -q --bare --template= -b main "$W/empty.git"
mkdir -p "$W/targets/md" "$W/targets/cron"
for ((k = 1; k <= N; k++)); do
    cp -r "$W/empty.git" "$W/targets/md/r$k.git"
    cp -r "$W/empty.git" "$W/targets/cron/r$k.git"
done

SPORT=$(free_port)
socat "TCP-LISTEN:$SPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128" \
    "EXEC:git daemon --inetd --base-path=$W/src --export-all --log-destination=stderr" 2>"$W/daemon.src.log" &
PIDS+=($!)
TPORT=$(free_port)
socat "TCP-LISTEN:$TPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128" \
    "EXEC:git daemon --inetd --base-path=$W/targets --export-all --enable=receive-pack --log-destination=stderr" 2>"$W/daemon.tgt.log" &
PIDS+=($!)
wait_port "$SPORT"
wait_port "$TPORT"
SRC_URL=git://127.0.0.1:$SPORT
TGT_URL=git://127.0.0.1:$TPORT

# ---- 2. MirrorDesk: N relay mirrors; the cron loop's N `git clone --mirror` copies ------------------
md() { "$BIN" --config "$W/relay.json" --state-dir "$W/state" "$@"; }
step "config of $N relay mirrors"
md add r1 --shape relay --source "$SRC_URL/r1.git" --target "$TGT_URL/md/r1.git" \
    --cache "$W/caches/r1.git" >/dev/null 2>"$W/add.log" || fail "add r1: $(cat "$W/add.log")"
# The other N-1 as copies of the one `add` wrote (same fields and order), names, URLs and cache swapped.
python3 - "$W/relay.json" "$N" <<'EOF' || fail "writing the config"
import copy, json, sys
path, n = sys.argv[1], int(sys.argv[2])
config = json.load(open(path))
(one,) = config["mirrors"]
def swap(s, k):
    assert "/r1.git" in s, s
    return s.replace("/r1.git", f"/r{k}.git")
mirrors = []
for k in range(1, n + 1):
    m = copy.deepcopy(one)
    m["name"] = f"r{k}"
    m["source"]["url"] = swap(one["source"]["url"], k)
    m["target"]["url"] = swap(one["target"]["url"], k)
    m["cache_path"] = swap(one["cache_path"], k)
    mirrors.append(m)
config["mirrors"] = mirrors
config["settings"]["concurrency"] = config["settings"]["per_host_concurrency"] = 8
json.dump(config, open(path + ".new", "w"), indent=4, sort_keys=True)
EOF
mv "$W/relay.json.new" "$W/relay.json"
[[ $(md list | wc -l) -ge $N ]] || fail "mirrordesk list does not show the $N generated mirrors: $(md list 2>&1 | tail -3)"

step "cron set-up: $N x git clone --mirror (xargs -P8)"
mkdir -p "$W/cron"
seq 1 "$N" | xargs -P8 -I{} git clone -q --mirror "$SRC_URL/r{}.git" "$W/cron/r{}.git" 2>"$W/clone.log" \
    || fail "git clone --mirror: $(tail -3 "$W/clone.log")"
cron_loop() {  # the admins' cron job: one repository after another
    local k
    for ((k = 1; k <= N; k++)); do
        if ! { git -C "$W/cron/r$k.git" remote update -p >/dev/null && git -C "$W/cron/r$k.git" push -q --mirror "$TGT_URL/cron/r$k.git"; }; then
            echo "cron loop: r$k failed" >&2
            return 1
        fi
    done
}

# measure NAME CMD…: one run; appends "NAME seconds busy% drops" to $W/times; output in $W/out.NAME.
measure() {
    local name=$1 t0 t1 d0 rc=0; shift
    d0=$(listen_drops)
    t0=$EPOCHREALTIME
    "$@" >"$W/out.$name" 2>"$W/err.$name" || rc=$?
    t1=$EPOCHREALTIME
    ((rc == 0)) || fail "$name: exit $rc: $(tail -20 "$W/err.$name"; tail -5 "$W/out.$name")"
    echo "$name $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") $(busy_pct "$t0" "$t1") $(($(listen_drops) - d0))" \
        | tee -a "$W/times" | sed 's/^/   /' >&2
}

# The changed 1 %: CHANGED sources spread over 1..N; change_sources RUN gives each one new commit on
# main (a new file, fixed identity and date), so every run has one fresh commit per changed repo.
CHANGED=$(((N + 99) / 100))
CHANGED_K=()
for ((i = 0; i < CHANGED; i++)); do CHANGED_K+=($((1 + i * N / CHANGED))); done
change_sources() {
    local r=$1 k msg body
    for k in "${CHANGED_K[@]}"; do
        msg="change $r of r$k"
        body="run $r changed repository r$k"
        printf 'commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\nfrom refs/heads/main^0\nM 100644 inline changes/run%d.txt\ndata %d\n%s\n\n' \
            $((1800000000 + r * 1000 + k)) ${#msg} "$msg" "$r" ${#body} "$body" \
            | git -C "$W/src/r$k.git" fast-import --quiet || fail "new commit in r$k"
    done
}

step "initial: mirrordesk update of $N relays, cron loop's first pass (push into empty targets)"
measure md_initial md update
measure cron_initial cron_loop
step "no-op: $RUNS runs each, alternating"
for ((r = 1; r <= RUNS; r++)); do
    if ((r % 2)); then measure md_noop md -q update; measure cron_noop cron_loop
    else measure cron_noop cron_loop; measure md_noop md -q update; fi
done
step "1 % changed ($CHANGED of $N sources get a new commit before each run): $RUNS runs each, alternating"
for ((r = 1; r <= RUNS; r++)); do
    change_sources "$r"
    if ((r % 2)); then measure md_changed md -q update; measure cron_changed cron_loop
    else measure cron_changed cron_loop; measure md_changed md -q update; fi
done

same_refs() {  # same_refs SOURCE TARGET
    diff <(git -C "$1" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) \
         <(git -C "$2" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) >"$W/refs.diff"
}
step "sanity: sample of targets against their sources"
SAMPLE=()
for ((i = 0; i < 20 && i < N; i++)); do SAMPLE+=($((1 + i * N / (N < 20 ? N : 20)))); done
SAMPLE+=("${CHANGED_K[@]}")
for k in $(printf '%s\n' "${SAMPLE[@]}" | sort -nu); do
    for tool in md cron; do
        same_refs "$W/src/r$k.git" "$W/targets/$tool/r$k.git" \
            || fail "$tool target r$k differs from its source: $(head -6 "$W/refs.diff")"
    done
done
for k in "${CHANGED_K[@]}"; do
    [[ $(git -C "$W/targets/md/r$k.git" log -1 --format=%s refs/heads/main) == "change $RUNS of r$k" ]] \
        || fail "md target r$k lacks the last change"
done
CHECKED=$(printf '%s\n' "${SAMPLE[@]}" | sort -nu | wc -l)
T_RELAY=$EPOCHREALTIME

# ---- 3. initial push of a large repository: git push --mirror against a push mirror --------------
if ((COMMITS > 0)); then
    step "large: generating $COMMITS commits with git fast-import"
    "$HERE/make_big_repo.sh" "$W/big.git" "$COMMITS"
    BIG_REFS=$(git -C "$W/big.git" for-each-ref | wc -l)
    BIG_INFO="$COMMITS commits, $BIG_REFS refs, pack $(du -sm "$W/big.git/objects/pack" | cut -f1) MB"
    mkdir -p "$W/targets/big"
    big() { "$BIN" --config "$W/big.json" --state-dir "$W/state-big" "$@"; }
    big add big --shape push --source "$W/big.git" --target "$TGT_URL/big/md.git" --cache "$W/big-cache/big.git" \
        >/dev/null 2>"$W/add.log" || fail "add big: $(cat "$W/add.log")"
    fresh_target() { rm -rf "$W/targets/big/$1.git"; cp -r "$W/empty.git" "$W/targets/big/$1.git"; }
    # peak NAME CMD…: one run; appends "NAME seconds peak_MB busy% drops" to $W/large (GNU time's
    # largest resident set of the process tree: for git push that of git or its pack-objects child).
    peak() {
        local name=$1 t0 t1 d0; shift
        d0=$(listen_drops)
        t0=$EPOCHREALTIME
        /usr/bin/time -v -o "$W/time.$name" "$@" >"$W/out.$name" 2>"$W/err.$name" \
            || fail "$name: $(tail -20 "$W/err.$name"; tail -5 "$W/out.$name")"
        t1=$EPOCHREALTIME
        echo "$name $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")" \
            "$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$W/time.$name")" \
            "$(busy_pct "$t0" "$t1") $(($(listen_drops) - d0))" | tee -a "$W/large" | sed 's/^/   /' >&2
    }
    check_big() {  # check_big TARGET: every ref of big.git, same oids, objects complete
        same_refs "$W/big.git" "$W/targets/big/$1.git" || fail "large target $1 differs: $(head -5 "$W/refs.diff")"
        git -C "$W/targets/big/$1.git" fsck --connectivity-only --no-progress 2>"$W/fsck.log" \
            || fail "large target $1 fails git fsck: $(head -5 "$W/fsck.log")"
    }
    BIG=("$BIN" --config "$W/big.json" --state-dir "$W/state-big" -q update big)
    fresh_md() { rm -rf "$W/big-cache" "$W/state-big"; fresh_target md; }  # no cache, no state, an empty target
    ROWS=(git md)
    for p in $PACK_THREADS_VARIANTS; do ROWS+=("md$p"); done
    ROWS+=(mdwarm)
    step "large: $RUNS x (${ROWS[*]}), order reversed every other run"
    for ((r = 1; r <= RUNS; r++)); do
        order=("${ROWS[@]}")
        if ((r % 2 == 0)); then
            order=()
            for ((i = ${#ROWS[@]} - 2; i >= 0; i--)); do order+=("${ROWS[i]}"); done
            order+=(mdwarm)   # needs the cache of a run just before
        fi
        for row in "${order[@]}"; do
            case $row in
                git) fresh_target git; peak git_push git -C "$W/big.git" push -q --mirror "$TGT_URL/big/git.git"; check_big git ;;
                md) fresh_md; peak md_push "${BIG[@]}"; check_big md ;;
                mdwarm) fresh_target md; peak md_push_only "${BIG[@]}"; check_big md ;;  # cache and state kept
                md*) fresh_md; peak "md_push_t${row#md}" env MIRRORDESK_PACK_THREADS="${row#md}" "${BIG[@]}"; check_big md ;;
            esac
        done
    done
fi

# ---- 4. report -----------------------------------------------------------------------------------
echo "== MirrorDesk relay/push bench: N=$N relays, runs=$RUNS (median), $(date -u +%FT%TZ)"
echo "== binary: $BIN_INFO"
echo "== machine: $(nproc) cores, $(uname -sr), $(git --version), $(socat -V | sed -n 2p | cut -d' ' -f1-3); load avg $(cut -d' ' -f1-3 /proc/loadavg); other sessions' runnable processes now: $(foreign_running)"
echo "== each source: $SRC_INFO (template + fleet/rK branch); $CHANGED changed per run (r${CHANGED_K[0]}, every $((N / CHANGED))th); sanity: $CHECKED targets of each tool checked"
if [[ -n ${BIG_INFO:-} ]]; then echo "== large: $BIG_INFO"; fi
python3 - "$W" "$N" <<'EOF'
import os, statistics, sys
w, n = sys.argv[1], int(sys.argv[2])
runs = {}
for line in open(f"{w}/times"):
    name, s, busy, drops = line.split()
    runs.setdefault(name, []).append((float(s), busy, int(drops)))
med = {k: statistics.median(s for s, _, _ in v) for k, v in runs.items()}
label = {"md_initial": "mirrordesk update (initial: push all)", "cron_initial": "cron loop (first pass: push all)",
         "md_noop": "mirrordesk -q update (no-op)", "cron_noop": "cron loop (no-op)",
         "md_changed": "mirrordesk -q update (1 % changed)", "cron_changed": "cron loop (1 % changed)"}
print(f"\n{'relay mirrors (N=%d)' % n:44} {'seconds':>8} {'cron/it':>8} {'drops':>6}  runs (s), busy%")
for k in ("md_initial", "cron_initial", "md_noop", "cron_noop", "md_changed", "cron_changed"):
    cron = "cron_" + k.split("_")[1]
    print(f"{label[k]:44} {med[k]:8.2f} {med[cron] / med[k]:7.2f}x {sum(d for _, _, d in runs[k]):6d}  "
          + " ".join(f"{s:.2f}" for s, _, _ in runs[k]) + ", busy " + "/".join(b for _, b, _ in runs[k]))
targets = [("no-op relay update >= 10x faster than cron", med["cron_noop"] / med["md_noop"], ">=", 10.0)]
info = [("1 % changed: cron / mirrordesk", med["cron_changed"] / med["md_changed"])]
if os.path.exists(f"{w}/large"):
    lr = {}
    for line in open(f"{w}/large"):
        name, s, mb, busy, drops = line.split()
        lr.setdefault(name, []).append((float(s), float(mb), busy, int(drops)))
    lm = {k: (statistics.median(s for s, _, _, _ in v), max(m for _, m, _, _ in v)) for k, v in lr.items()}
    llabel = {"git_push": "git push --mirror (empty target)", "md_push": "mirrordesk update (push mirror, fresh)",
              "md_push_only": "mirrordesk update (cache kept: push only)"}
    order = ["git_push", "md_push"] + sorted(k for k in lr if k.startswith("md_push_t")) + ["md_push_only"]
    print(f"\n{'initial push of the large repository':44} {'seconds':>8} {'/git':>8} {'peak MB':>8} {'drops':>6}  runs (s), busy%")
    g = lm["git_push"]
    for k in order:
        lab = llabel.get(k, f"  same, MIRRORDESK_PACK_THREADS={k[len('md_push_t'):]}")
        s, mb = lm[k]
        print(f"{lab:44} {s:8.2f} {s / g[0]:7.2f}x {mb:8.1f} {sum(d for *_, d in lr[k]):6d}  "
              + " ".join(f"{x[0]:.2f}" for x in lr[k]) + ", busy " + "/".join(x[2] for x in lr[k]))
    targets.append(("initial push <= 1.5x git push --mirror", lm["md_push"][0] / g[0], "<=", 1.5))
    for k in order[2:-1]:
        targets.append((f"  same, MIRRORDESK_PACK_THREADS={k[len('md_push_t'):]}", lm[k][0] / g[0], "<=", 1.5))
    info += [("push only (cache kept) / git push --mirror", lm["md_push_only"][0] / g[0]),
              ("initial push peak memory / git's", lm["md_push"][1] / g[1])]
print(f"\n{'DESIGN target':44} {'ratio':>8} {'result':>7}")
for label_, r, op, goal in targets:
    ok = r <= goal if op == "<=" else r >= goal
    print(f"{label_:44} {r:7.2f}x {'PASS' if ok else 'MISS':>7}")
for label_, r in info:
    print(f"{label_:44} {r:7.2f}x {'(info)':>7}")
EOF
cat <<EOF

Commands (W=$W, removed at exit):
  sources:  PR_MAIN_COMMITS=5 bench/make_pr_repo.sh \$W/tmpl.git 2 1 0; git update-ref -d refs/remotes/origin/x
            bench/make_pr_repo.sh --fleet \$W/tmpl.git \$W/src $N r
  servers:  socat TCP-LISTEN:$SPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128 EXEC:'git daemon --inetd --base-path=\$W/src --export-all'
            socat TCP-LISTEN:$TPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128 EXEC:'git daemon --inetd --base-path=\$W/targets --export-all --enable=receive-pack'
  config:   mirrordesk --config \$W/relay.json --state-dir \$W/state add r1 --shape relay --source $SRC_URL/r1.git --target $TGT_URL/md/r1.git --cache \$W/caches/r1.git
            (+ r2..r$N copied from it in the JSON, concurrency 8, per_host_concurrency 8)
  relay:    mirrordesk --config \$W/relay.json --state-dir \$W/state [-q] update
  cron:     git clone --mirror $SRC_URL/rK.git \$W/cron/rK.git   (once, xargs -P8)
            for K in 1..$N: git -C \$W/cron/rK.git remote update -p && git -C \$W/cron/rK.git push -q --mirror $TGT_URL/cron/rK.git
  change:   git fast-import into \$W/src/rK.git: one commit on main adding changes/runR.txt (K = ${CHANGED_K[*]})
EOF
if ((COMMITS > 0)); then
    cat <<EOF
  large:    /usr/bin/time -v git -C \$W/big.git push -q --mirror $TGT_URL/big/git.git   (fresh empty target)
            mirrordesk --config \$W/big.json --state-dir \$W/state-big add big --shape push --source \$W/big.git --target $TGT_URL/big/md.git --cache \$W/big-cache/big.git
            /usr/bin/time -v [env MIRRORDESK_PACK_THREADS=T] mirrordesk --config \$W/big.json --state-dir \$W/state-big -q update big   (fresh cache, state, target)
            push only: the same with cache and state kept, target fresh
EOF
fi
echo "== total $(awk "BEGIN{printf \"%.0f\", $EPOCHREALTIME - $T_START}") s (relay part $(awk "BEGIN{printf \"%.0f\", $T_RELAY - $T_START}") s)"
