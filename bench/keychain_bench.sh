#!/usr/bin/env bash
# What reading secrets from the OS keychain costs a batch: `check` of N mirrors, each with a
# credential of its own (the worst case: shared credentials are read once per batch), once with
# every secret in env:, once in the keychain (gnome-keyring in a private D-Bus session). The
# sources refuse connections at once, so the difference is the keychain's.
#
#   bench/keychain_bench.sh [N] [MIRRORDESK_BIN]     (default 300, build/ci/app/mirrordesk)
# Needs dbus, gnome-keyring, libsecret-tools, python3.
set -euo pipefail
n=${1:-300}
bin=$(realpath "${2:-build/ci/app/mirrordesk}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/run"
chmod 700 "$work/run"
cat > "$work/inner.sh" <<'INNER'
set -euo pipefail
printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
for _ in $(seq 100); do
    dbus-send --session --dest=org.freedesktop.DBus --print-reply /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
    sleep 0.1
done
for mode in env keychain; do
    python3 - "$mode" "$N" "$WORK/$mode.json" <<'PY'
import json, sys
mode, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
source = "keychain" if mode == "keychain" else "env:TOK"
json.dump({"schema_version": 1, "host_keys": {}, "settings": {"concurrency": 8, "per_host_concurrency": 8},
           "credentials": [{"name": "c%d" % i, "kind": "token", "secret_source": source} for i in range(n)],
           "mirrors": [{"name": "m%d" % i, "shape": "pull",
                        "source": {"url": "https://127.0.0.1:1/r%d.git" % i, "credential": "c%d" % i}} for i in range(n)]},
          open(path, "w"))
PY
    if [[ $mode == keychain ]]; then
        for i in $(seq 0 $((N - 1))); do
            printf 'tok%d' "$i" | secret-tool store --label=mirrordesk server mirrordesk user "mirrordesk/c$i" type plaintext
        done
    fi
    TOK=x /usr/bin/time -f "$mode: %e s elapsed, %M KB max RSS ($N mirrors, $N credentials)" \
        "$BIN" --config "$WORK/$mode.json" --state-dir "$WORK/state-$mode" check --json >"$WORK/out-$mode.json" 2>"$WORK/err" || true
    # Every mirror must have failed on the network (connection refused), none on its secret.
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["mirrors"]; bad=[x["name"] for x in m if x["error_category"]!="network"]; print("  %d mirrors checked, %d not failing on the network" % (len(m), len(bad)))' "$WORK/out-$mode.json"
    tail -1 "$WORK/err"
done
INNER
HOME="$work/home" XDG_RUNTIME_DIR="$work/run" N="$n" BIN="$bin" WORK="$work" \
    dbus-run-session -- bash "$work/inner.sh" 2> >(grep -v "fd limit" >&2)
