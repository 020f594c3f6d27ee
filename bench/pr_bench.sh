#!/usr/bin/env bash
# pr_bench.sh — DESIGN.md section 8 against repositories shaped like a busy GitHub one (146 branches,
# 124 tags, 6,736 refs/pull/*: bench/make_pr_repo.sh), over git:// and smart HTTP, side by side:
# bytes received by the client and wall time of checks and no-op updates against git's own
# listing, the size of one mirror's state after many runs, `status` of 1,000 mirrors, and the
# initial mirror of a large PR-shaped repository against `git clone --mirror`.
#
# Usage: bench/pr_bench.sh [N=200]
#   MIRRORDESK_BIN   the built CLI (default build/ci/app/mirrordesk; copied at start)
#   BENCH_RUNS       timed runs per client, median taken (default 3), clients alternating
#   PR_BRANCHES, PR_TAGS, PR_PULLS   shape of each of the N repositories (146, 124, 3368 pairs)
#   PR_MAIN_COMMITS  commits on main of those (default 1000)
#   STATE_RUNS       no-op updates and as many small runs of the state-size mirror (default 100 each)
#   STATUS_MIRRORS   mirrors of the status step (default 1000); each status run is bounded by
#                    STATUS_TIMEOUT s (60), STATUS_MEM_MB of address space (4096) and STATUS_OUT_MB of output (1024)
#   LARGE_COMMITS    commits on main of the large repository (default 20000; 0 skips that step)
# Needs git (git daemon, git http-backend), lighttpd, socat, python3; /usr/bin/time (package
# time) for peak memory, else a getrusage fallback. Everything lives in a temp dir, removed at exit.
# Exit 0 after printing the table (MISS included); 1 if a step or a sanity check failed.
set -euo pipefail

N=${1:-200}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BRANCHES=${PR_BRANCHES:-146} TAGS=${PR_TAGS:-124} PULLS=${PR_PULLS:-3368}
export PR_MAIN_COMMITS=${PR_MAIN_COMMITS:-1000}
STATE_RUNS=${STATE_RUNS:-100}
STATUS_MIRRORS=${STATUS_MIRRORS:-1000}
STATUS_TIMEOUT=${STATUS_TIMEOUT:-60} STATUS_MEM_MB=${STATUS_MEM_MB:-4096} STATUS_OUT_MB=${STATUS_OUT_MB:-1024}
LARGE_COMMITS=${LARGE_COMMITS:-20000}
HTTP_BACKEND=/usr/lib/git-core/git-http-backend
for tool in git socat lighttpd python3; do
    command -v "$tool" >/dev/null || { echo "pr_bench.sh: $tool is missing" >&2; exit 2; }
done
[[ -x $HTTP_BACKEND ]] || { echo "pr_bench.sh: $HTTP_BACKEND is missing (package git)" >&2; exit 2; }
# shellcheck source=common.sh
source "$HERE/common.sh" mdpr
fail() { echo "pr_bench.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $(date -u +%T) $*" >&2; }
# The git client and the servers read no user or system config (a protocol.version there would
# change what is measured).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0 LC_ALL=C
start_noise_meter 0.5

# ---- 1. N PR-shaped repositories: one by fast-import, N hard-linked copies ---------------------
step "generating the template ($BRANCHES branches, $TAGS tags, $PULLS pulls, $PR_MAIN_COMMITS commits on main)"
"$HERE/make_pr_repo.sh" "$W/tmpl.git" "$BRANCHES" "$TAGS" "$PULLS" 2>"$W/tmpl.log" || fail "make_pr_repo.sh: $(cat "$W/tmpl.log")"
TMPL_INFO=$(cat "$W/tmpl.log")
step "$N copies"
"$HERE/make_pr_repo.sh" --fleet "$W/tmpl.git" "$W/repos" "$N" r
# Per copy: BRANCHES+1 heads (its fleet/rK branch), TAGS tags, a peeled line per annotated tag.
ANNOTATED=$(git -C "$W/tmpl.git" for-each-ref --format='%(objecttype)' refs/tags | grep -c '^tag$' || true)
ALL_REFS=$(git -C "$W/tmpl.git" for-each-ref | wc -l)
V2_LINES=$((N * (BRANCHES + 1 + TAGS + ANNOTATED)))   # ls-remote --heads --tags
V0_LINES=$((N * (ALL_REFS + 1 + ANNOTATED + 1)))        # + fleet branch, peeled lines, HEAD

# ---- 2. servers: git daemon behind socat, lighttpd + git http-backend, a counting relay each ---
GPORT=$(free_port)
# socat listens with a backlog of 128 (git daemon's own is 5, DESIGN section 7) and runs one
# `git daemon --inetd` per connection.
socat "TCP-LISTEN:$GPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128" \
    "EXEC:git daemon --inetd --base-path=$W/repos --export-all --log-destination=stderr" 2>"$W/daemon.log" &
PIDS+=($!)
mkdir -p "$W/http/htdocs" "$W/http/upload"
HPORT=$(free_port)
cat >"$W/http/lighttpd.conf" <<EOF
server.modules = ( "mod_alias", "mod_setenv", "mod_cgi" )
server.document-root = "$W/http/htdocs"
server.upload-dirs = ( "$W/http/upload" )
server.bind = "127.0.0.1"
server.port = $HPORT
server.errorlog = "$W/http/error.log"
server.max-request-size = 0
server.max-connections = 256
server.listen-backlog = 128
alias.url = ( "/git" => "$HTTP_BACKEND" )
\$HTTP["url"] =~ "^/git" {
    cgi.assign = ( "" => "" )
    setenv.add-environment = ( "GIT_PROJECT_ROOT" => "$W/repos", "GIT_HTTP_EXPORT_ALL" => "1",
                               "GIT_CONFIG_NOSYSTEM" => "1", "GIT_CONFIG_GLOBAL" => "/dev/null" )
}
EOF
lighttpd -D -f "$W/http/lighttpd.conf" 2>"$W/http/stderr.log" &
PIDS+=($!)
declare -A SPORT=([git]=$GPORT [http]=$HPORT) RPORT=() RELAY=()
for t in git http; do
    RPORT[$t]=$(free_port)
    python3 "$HERE/count_relay.py" "${RPORT[$t]}" "${SPORT[$t]}" "$W/count.$t" 2>"$W/relay.$t.log" &
    RELAY[$t]=$!
    PIDS+=($!)
done
for p in "$GPORT" "$HPORT" "${RPORT[git]}" "${RPORT[http]}"; do wait_port "$p"; done
url_of() {  # url_of git|http PORT REPO
    if [[ $1 == git ]]; then echo "git://127.0.0.1:$2/$3"; else echo "http://127.0.0.1:$2/git/$3"; fi
}
relay_count() {  # relay_count git|http: prints "DOWN UP CONNECTIONS", totals since the relay started
    local f=$W/count.$1 seq0 seq=
    seq0=$(cut -d' ' -f1 "$f")
    kill -USR1 "${RELAY[$1]}"
    for _ in $(seq 250); do
        seq=$(cut -d' ' -f1 "$f")
        [[ $seq != "$seq0" ]] && break
        sleep 0.02
    done
    [[ $seq != "$seq0" ]] || fail "the $1 relay does not answer"
    cut -d' ' -f2- "$f"
}

# ---- 3. mirrors: N per transport, added once with `add` ---------------------------------------
md() { "$BIN" --config "$1" --state-dir "$W/state" "${@:2}"; }
mkdir -p "$W/cfg"
for t in git http; do
    step "adding $N $t mirrors"
    for ((k = 1; k <= N; k++)); do
        md "$W/cfg/$t.json" add "$t$k" --source "$(url_of "$t" "${SPORT[$t]}" "r$k.git")" \
            --cache "$W/caches/$t$k.git" >/dev/null 2>>"$W/add.log" || fail "add $t$k: $(tail -3 "$W/add.log")"
        url_of "$t" "${SPORT[$t]}" "r$k.git" >>"$W/urls.$t"
        url_of "$t" "${RPORT[$t]}" "r$k.git" >>"$W/rurls.$t"
    done
    # The same mirrors (same names, caches and state) reached through the counting relay.
    sed "s|127\.0\.0\.1:${SPORT[$t]}/|127.0.0.1:${RPORT[$t]}/|" "$W/cfg/$t.json" >"$W/cfg/$t.relay.json"
    grep -q "127.0.0.1:${RPORT[$t]}/" "$W/cfg/$t.relay.json" || fail "could not point the $t config at the relay"
done

# Every mirrored ref of every source present in its cache, with the same oid.
same_refs() {  # same_refs SOURCE CACHE
    diff <(git -C "$1" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) \
         <(git -C "$2" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags) >"$W/refs.diff"
}

# ---- 4. measurements: each client once through the relay (bytes), then BENCH_RUNS direct (time) --
# run_client TRANSPORT CLIENT VIA(relay|direct): one run; output kept in $W/out.T.C for the checks.
run_client() {
    local t=$1 c=$2 via=$3 urls=$W/urls.$1 cfg=$W/cfg/$1.json rc=0 ok=0
    [[ $via == relay ]] && { urls=$W/rurls.$t; cfg=$W/cfg/$t.relay.json; }
    case $c in
        v2) xargs -P8 -n1 -a "$urls" git ls-remote --heads --tags ;;
        v0) xargs -P8 -n1 -a "$urls" git -c protocol.version=0 ls-remote ;;
        check) md "$cfg" check --json ;;
        noop) md "$cfg" update ;;
        initial) md "$cfg" update ;;
    esac >"$W/out.$t.$c" 2>"$W/err.$t.$c" || rc=$?
    [[ $rc == "$ok" ]] || fail "$t $c ($via): exit $rc: $(tail -5 "$W/err.$t.$c")"
}
# measure TRANSPORT CLIENT VIA RUN: appends "T C VIA RUN seconds down up conns busy%" to $W/rows.
measure() {
    local before after t0 t1 b a
    before=$(relay_count "$1")
    t0=$EPOCHREALTIME
    run_client "$1" "$2" "$3"
    t1=$EPOCHREALTIME
    after=$(relay_count "$1")
    read -r -a b <<<"$before"
    read -r -a a <<<"$after"
    echo "$1 $2 $3 $4 $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") $((a[0] - b[0])) $((a[1] - b[1])) $((a[2] - b[2]))" \
        "$(busy_pct "$t0" "$t1")" | tee -a "$W/rows" | sed 's/^/   /' >&2
}
check_outputs() {  # the last run of each client listed what it should
    local t=$1 got
    got=$(wc -l <"$W/out.$t.v2");  [[ $got == "$V2_LINES" ]] || fail "$t v2 ls-remote: $got lines, expected $V2_LINES"
    got=$(wc -l <"$W/out.$t.v0");  [[ $got == "$V0_LINES" ]] || fail "$t v0 ls-remote: $got lines, expected $V0_LINES"
    got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["in_sync"])' "$W/out.$t.check") \
        || fail "$t check: no JSON summary"
    [[ $got == "$N" ]] || fail "$t check: $got of $N mirrors in sync"
}

CLIENTS=(v2 v0 check noop)
for t in git http; do
    step "$t: initial update of $N mirrors (through the relay)"
    measure "$t" initial relay 0
    for ((k = 1; k <= N; k++)); do
        same_refs "$W/repos/r$k.git" "$W/caches/$t$k.git" \
            || fail "$t$k: the cache's heads and tags differ from the source's: $(head -5 "$W/refs.diff")"
    done
    step "$t: bytes (one run each through the relay), then $RUNS timed runs each, alternating"
    for c in "${CLIENTS[@]}"; do measure "$t" "$c" relay 0; done
    check_outputs "$t"
    for ((r = 1; r <= RUNS; r++)); do
        order=("${CLIENTS[@]}")
        ((r % 2)) || order=(noop check v0 v2)
        for c in "${order[@]}"; do measure "$t" "$c" direct "$r"; done
    done
    check_outputs "$t"
done

# ---- 5. state size of one mirror after STATE_RUNS no-op updates and STATE_RUNS small runs -------
step "state size: $STATE_RUNS no-op updates and $STATE_RUNS small runs of one mirror"
"$HERE/make_pr_repo.sh" --fleet "$W/tmpl.git" "$W/repos" 1 one
ONE_SRC=$W/repos/one1.git
one() { "$BIN" --config "$W/cfg/one.json" --state-dir "$W/state-one" "$@"; }
one add one --source "$(url_of git "$GPORT" one1.git)" --cache "$W/caches/one.git" >/dev/null
one -q update one || fail "initial update of the state-size mirror"
move_branch() {  # one new commit on maint/v0.1 of the source (a fast-forward), fixed identity and date
    local ref=refs/heads/maint/v0.1 c
    c=$(GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench \
        GIT_COMMITTER_EMAIL=bench@example.com GIT_AUTHOR_DATE="@$((1800000000 + $1)) +0000" \
        GIT_COMMITTER_DATE="@$((1800000000 + $1)) +0000" \
        git -C "$ONE_SRC" commit-tree "$ref^{tree}" -p "$ref" -m "move $1")
    git -C "$ONE_SRC" update-ref "$ref" "$c"
}
t0=$EPOCHREALTIME
for ((i = 1; i <= STATE_RUNS; i++)); do
    one -q update one || fail "no-op update $i of the state-size mirror"
    move_branch "$i"
    one -q update one || fail "small run $i of the state-size mirror"
done
STATE_SECS=$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")
same_refs "$ONE_SRC" "$W/caches/one.git" || fail "state-size mirror: cache differs from source: $(head -5 "$W/refs.diff")"
STATE_BYTES=$(find "$W/state-one" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
(cd "$W/state-one" && find . -type f -printf '%10s  %P\n' | sort -k2) >"$W/state-files"

# ---- 6. status of STATUS_MIRRORS mirrors sharing that mirror's state --------------------------
step "status of $STATUS_MIRRORS mirrors"
# The mirror's state files: one.json and any one+PART.json beside it (not .damaged-* copies set aside).
ONE_FILES=()
for f in "$W/state-one/one.json" "$W/state-one"/one+*.json; do [[ -f $f ]] && ONE_FILES+=("$f"); done
((${#ONE_FILES[@]})) || fail "no state file one.json in the state folder (layout changed?): $(cat "$W/state-files")"
mkdir -p "$W/state-many"
python3 - "$W/cfg/one.json" "$W/cfg/many.json" "$STATUS_MIRRORS" "$W/caches-many" <<'EOF'
import copy, json, sys
src, dst, n, caches = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
config = json.load(open(src))
(one,) = config["mirrors"]
mirrors = []
for k in range(1, n + 1):
    m = copy.deepcopy(one)
    m["name"] = f"s{k:05d}"
    m["cache_path"] = f"{caches}/s{k:05d}.git"
    mirrors.append(m)
config["mirrors"] = mirrors
json.dump(config, open(dst, "w"), indent=4, sort_keys=True)
EOF
for ((k = 1; k <= STATUS_MIRRORS; k++)); do
    printf -v name "s%05d" "$k"
    for f in "${ONE_FILES[@]}"; do b=$(basename "$f"); cp -l "$f" "$W/state-many/$name${b#one}"; done
done
many() { "$BIN" --config "$W/cfg/many.json" --state-dir "$W/state-many" "$@"; }
"$BIN" --config "$W/cfg/many.json" list --json >"$W/list.many" || fail "list of the generated $STATUS_MIRRORS-mirror config"
# A status that reads big state files 1,000 times can take minutes and gigabytes: each run is
# bounded (time, address space, output size); one past a bound is a MISS with the reason, and
# that mode is not run again.
: >"$W/status-summary"
for mode in text json; do
    times=() note=
    for ((r = 0; r < RUNS; r++)); do
        args=(status); [[ $mode == json ]] && args+=(--json)
        t0=$EPOCHREALTIME rc=0
        (ulimit -v $((STATUS_MEM_MB * 1024)) -f $((STATUS_OUT_MB * 1024)); exec timeout "$STATUS_TIMEOUT" "$BIN" \
            --config "$W/cfg/many.json" --state-dir "$W/state-many" "${args[@]}") >"$W/status.$mode" 2>"$W/status.$mode.err" || rc=$?
        times+=("$(awk "BEGIN{printf \"%.3f\", $EPOCHREALTIME - $t0}")")
        if ((rc == 124)); then
            note="killed after ${STATUS_TIMEOUT} s (STATUS_TIMEOUT)"
        elif ((rc != 0)); then
            note="exit $rc within ${STATUS_MEM_MB} MB of address space and ${STATUS_OUT_MB} MB of output (STATUS_MEM_MB, STATUS_OUT_MB): $(tail -1 "$W/status.$mode.err" | cut -c1-200)"
        fi
        [[ -z $note ]] || break
    done
    secs=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((${#times[@]} + 1) / 2))p")
    echo "$mode $secs $(wc -c <"$W/status.$mode") ${note:--}" >>"$W/status-summary"
    step "  status ($mode): ${times[*]} s${note:+, $note}"
done
# Sanity, when the JSON is whole and small enough to parse here.
if [[ $(awk '$1 == "json" {print $4}' "$W/status-summary") == - ]] && (($(wc -c <"$W/status.json") < 300000000)); then
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for m in d["mirrors"] if m.get("last_successful_update_at")))' "$W/status.json")
    [[ $got == "$STATUS_MIRRORS" ]] || fail "status --json: $got of $STATUS_MIRRORS mirrors show their last successful update"
fi
rm -f "$W/status.text" "$W/status.json"

# ---- 7. initial mirror of a large PR-shaped repository against git clone --mirror --------------
if ((LARGE_COMMITS > 0)); then
    step "large: generating $LARGE_COMMITS commits on main (plus the PR shape)"
    PR_MAIN_COMMITS=$LARGE_COMMITS "$HERE/make_pr_repo.sh" "$W/repos/big.git" "$BRANCHES" "$TAGS" "$PULLS" 2>"$W/big.log" \
        || fail "make_pr_repo.sh (large): $(cat "$W/big.log")"
    BIG_INFO=$(cat "$W/big.log")
    BIG_URL=$(url_of git "$GPORT" big.git)
    "$BIN" --config "$W/cfg/big.json" --state-dir "$W/state-big" add big --source "$BIG_URL" --cache "$W/big-cache/big.git" >/dev/null
    # peak NAME CMD…: one run; appends "NAME seconds peak_MB" to $W/large (peak = largest
    # resident set of the process tree: GNU time's, or getrusage(RUSAGE_CHILDREN) without it).
    peak() {
        local name=$1; shift
        if [[ -x /usr/bin/time ]]; then
            local t0=$EPOCHREALTIME t1
            /usr/bin/time -v -o "$W/time.$name" "$@" >/dev/null 2>"$W/err.$name" || fail "$name: $(tail -3 "$W/err.$name")"
            t1=$EPOCHREALTIME
            echo "$name $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")" \
                "$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$W/time.$name")" >>"$W/large"
        else
            python3 - "$name" "$@" >>"$W/large" <<'EOF' || fail "$name"
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.monotonic() - t0
if rc.returncode:
    sys.stderr.write(f"{name}: exit {rc.returncode}: {rc.stderr.decode()[-500:]}\n"); sys.exit(1)
print(f"{name} {dt:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f}")
EOF
        fi
    }
    step "large: $RUNS x (git clone --mirror, mirrordesk update), alternating"
    for ((r = 0; r < RUNS; r++)); do
        rm -rf "$W/clone.git" "$W/big-cache" "$W/state-big"
        peak git_clone git clone -q --mirror "$BIG_URL" "$W/clone.git"
        peak md_update "$BIN" --config "$W/cfg/big.json" --state-dir "$W/state-big" -q update big
    done
    same_refs "$W/repos/big.git" "$W/big-cache/big.git" || fail "large: the cache's heads and tags differ: $(head -5 "$W/refs.diff")"
fi

# ---- 8. report ---------------------------------------------------------------------------------
BUSY=$(foreign_running)
echo "== MirrorDesk PR-shaped bench: N=$N, runs=$RUNS (median), $(date -u +%FT%TZ)"
echo "== binary: $BIN_INFO"
echo "== machine: $(nproc) cores, $(uname -sr), $(git --version), $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1), $(socat -V | sed -n 2p | cut -d' ' -f1-3); load avg $(cut -d' ' -f1-3 /proc/loadavg); other sessions' runnable processes now: $BUSY"
echo "== each repository: $TMPL_INFO (+1 branch per copy)"
if [[ -n ${BIG_INFO:-} ]]; then echo "== large: $BIG_INFO"; fi
python3 - "$W" "$N" "$RUNS" "$STATE_BYTES" "$STATE_RUNS" "$STATE_SECS" "$STATUS_MIRRORS" <<'EOF'
import os, statistics, sys
w, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
state_bytes, state_runs, state_secs = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
status_n = int(sys.argv[7])
status = {}
for line in open(f"{w}/status-summary"):
    mode, s, size, note = line.rstrip("\n").split(" ", 3)
    status[mode] = (float(s), int(size), "" if note == "-" else note)
rows = [l.split() for l in open(f"{w}/rows")]
bytes_, secs, allruns, busy = {}, {}, {}, {}
for t, c, via, r, s, down, up, conns, b in rows:
    if via == "relay":
        bytes_[t, c] = (int(down), int(up), int(conns), float(s))
    else:
        allruns.setdefault((t, c), []).append(float(s))
        busy.setdefault((t, c), []).append(b)
for k, v in allruns.items():
    secs[k] = statistics.median(v)
label = {"v2": "xargs -P8 git ls-remote --heads --tags (v2)", "v0": "xargs -P8 git -c protocol.version=0 ls-remote",
         "check": "mirrordesk check", "noop": "mirrordesk update (no-op)", "initial": "mirrordesk update (initial)"}
print(f"\n{'client (N=%d repositories)' % n:52} {'KB recv':>9} {'KB/repo':>8} {'KB sent':>8} {'conns':>6} {'seconds':>8} {'/v2':>6}  runs (s), busy%")
targets = []
for t in ("git", "http"):
    print(f"-- {t}://" if t == "git" else "-- http:// (lighttpd + git http-backend)")
    for c in ("v2", "v0", "check", "noop", "initial"):
        down, up, conns, s_relay = bytes_[t, c]
        if c == "initial":
            sec, ratio, runs_s = s_relay, "", f"1 run, through the relay"
        else:
            sec = secs[t, c]
            ratio = f"{sec / secs[t, 'v2']:5.2f}x"
            runs_s = " ".join(f"{x:.2f}" for x in allruns[t, c]) + ", busy " + "/".join(busy[t, c])
        print(f"{label[c]:52} {down / 1024:9.0f} {down / 1024 / n:8.1f} {up / 1024:8.0f} {conns:6d} {sec:8.2f} {ratio:>6}  {runs_s}")
    v2b = bytes_[t, "v2"][0]
    targets += [(f"{t}: check bytes <= 1.2x git v2", bytes_[t, "check"][0] / v2b, 1.2, "x"),
                (f"{t}: no-op update bytes <= 1.2x git v2", bytes_[t, "noop"][0] / v2b, 1.2, "x"),
                (f"{t}: check time <= 1.15x git v2", secs[t, "check"] / secs[t, "v2"], 1.15, "x"),
                (f"{t}: no-op update time <= 1.15x git v2", secs[t, "noop"] / secs[t, "v2"], 1.15, "x")]
print(f"\nstate of one mirror after {state_runs} no-op updates + {state_runs} small runs ({state_secs} s): {state_bytes} bytes")
for line in open(f"{w}/state-files"):
    print(f"    {line.rstrip()}")
for mode, what in (("text", "status"), ("json", "status --json")):
    s, size, note = status[mode]
    print(f"{what} of {status_n} mirrors: {s:.3f} s, {size} bytes of output" + (f" [{note}]" if note else ""))
targets += [("state of one mirror < 1 MB", state_bytes / 1e6, 1.0, " MB"),
            (f"status of {status_n} mirrors < 1 s", status["text"][0] if not status["text"][2] else float("inf"), 1.0, " s"),
            (f"status --json of {status_n} mirrors < 1 s", status["json"][0] if not status["json"][2] else float("inf"), 1.0, " s")]
if os.path.exists(f"{w}/large"):
    lr = {}
    for line in open(f"{w}/large"):
        name, s, mb = line.split()
        lr.setdefault(name, []).append((float(s), float(mb)))
    med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in lr.items()}
    g, m = med["git_clone"], med["md_update"]
    print(f"\n{'initial mirror of the large repository':52} {'seconds':>8} {'peak MB':>8}  runs (s)")
    print(f"{'git clone --mirror':52} {g[0]:8.2f} {g[1]:8.1f}  " + " ".join(f"{s:.2f}" for s, _ in lr["git_clone"]))
    print(f"{'mirrordesk update (fresh mirror)':52} {m[0]:8.2f} {m[1]:8.1f}  " + " ".join(f"{s:.2f}" for s, _ in lr["md_update"]))
    targets += [("initial mirror time <= 1.0x git clone --mirror", m[0] / g[0], 1.0, "x"),
                ("initial mirror peak memory <= 2x git's", m[1] / g[1], 2.0, "x")]
print(f"\n{'DESIGN target':52} {'measured':>9} {'result':>7}")
for name, value, goal, unit in targets:
    print(f"{name:52} {value:8.2f}{unit:<2}{'PASS' if value <= goal else 'MISS':>6}")
EOF
cat <<EOF

Commands (W=$W, removed at exit; bytes counted by bench/count_relay.py in front of each server,
timed runs go straight to the server):
  repositories:  bench/make_pr_repo.sh \$W/tmpl.git $BRANCHES $TAGS $PULLS   (PR_MAIN_COMMITS=$PR_MAIN_COMMITS)
                 bench/make_pr_repo.sh --fleet \$W/tmpl.git \$W/repos $N r
  git://:        socat TCP-LISTEN:$GPORT,bind=127.0.0.1,fork,reuseaddr,backlog=128 EXEC:'git daemon --inetd --base-path=\$W/repos --export-all --log-destination=stderr'
  http://:       lighttpd -D -f \$W/http/lighttpd.conf   (alias.url /git => $HTTP_BACKEND, GIT_PROJECT_ROOT=\$W/repos, GIT_HTTP_EXPORT_ALL=1)
  relays:        python3 bench/count_relay.py RELAY_PORT SERVER_PORT \$W/count.T   (git ${RPORT[git]}->$GPORT, http ${RPORT[http]}->$HPORT)
  mirrors:       mirrordesk --config \$W/cfg/T.json --state-dir \$W/state add TK --source URL_K --cache \$W/caches/TK.git   (T = git|http, K = 1..$N)
  v2:            xargs -P8 -n1 -a \$W/urls.T git ls-remote --heads --tags
  v0:            xargs -P8 -n1 -a \$W/urls.T git -c protocol.version=0 ls-remote
  check:         mirrordesk --config \$W/cfg/T.json --state-dir \$W/state check --json
  no-op update:  mirrordesk --config \$W/cfg/T.json --state-dir \$W/state update   (after one initial update)
  state size:    mirrordesk --config \$W/cfg/one.json --state-dir \$W/state-one -q update one   ($((2 * STATE_RUNS)) times, a branch moved before every other)
  status:        mirrordesk --config \$W/cfg/many.json --state-dir \$W/state-many status [--json]   ($STATUS_MIRRORS hard-linked copies of $(cd "$W/state-one" && echo "${ONE_FILES[@]##*/}"))
EOF
if ((LARGE_COMMITS > 0)); then
    cat <<EOF
  large:         PR_MAIN_COMMITS=$LARGE_COMMITS bench/make_pr_repo.sh \$W/repos/big.git $BRANCHES $TAGS $PULLS
                 /usr/bin/time -v git clone -q --mirror git://127.0.0.1:$GPORT/big.git \$W/clone.git
                 /usr/bin/time -v mirrordesk --config \$W/cfg/big.json --state-dir \$W/state-big -q update big   (fresh cache and state each run)
EOF
fi
