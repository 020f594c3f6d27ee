# common.sh — sourced by the bench scripts: the binary snapshot, a temp dir cleaned on exit with
# the background processes, free ports and waiting for one. Expects HERE (the bench folder) and
# takes the temp dir's prefix as $1.
BIN=${MIRRORDESK_BIN:-$HERE/../build/ci/app/mirrordesk}
RUNS=${BENCH_RUNS:-3}
[[ -x $BIN ]] || { echo "no mirrordesk binary at $BIN (set MIRRORDESK_BIN)" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
# Snapshot the binary: a rebuild during the run must not swap it under us.
cp "$BIN" "$W/mirrordesk"
BIN_INFO="$(realpath "$BIN") ($(date -u -r "$BIN" +%FT%TZ))"
BIN=$W/mirrordesk

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait until something listens on 127.0.0.1:$1
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    echo "nothing listens on port $1" >&2; exit 1
}

# Noise meter: runnable processes of other sessions (other engineers' builds and tests share
# these 2 cores). start_noise_meter [SECONDS=1] samples that often into $W/busy; busy_pct T0 T1 is
# the share of the samples between two $EPOCHREALTIME stamps that saw one ("-" without a sample).
BENCH_SID=$(ps -o sid= -p $$ | tr -d ' ')
foreign_running() { ps -eo sid=,stat= | awk -v me="$BENCH_SID" '$1 != 0 && $1 != me && $2 ~ /^R/ {n++} END {print n + 0}'; }
start_noise_meter() {
    (while :; do echo "$EPOCHREALTIME $(foreign_running)"; sleep "${1:-1}"; done) >"$W/busy" &
    PIDS+=($!)
}
busy_pct() { awk -v a="$1" -v b="$2" '$1>=a && $1<=b {n++; if ($2>0) k++} END {if (n) printf "%d", 100*k/n; else printf "-"}' "$W/busy"; }
