#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for a bounded time (default 60 s each, one after the
# other) and prints its executions per second and coverage. Builds nothing: it takes the fuzz
# binaries of an existing asan build (cmake --preset asan && cmake --build --preset asan).
#
#   tests/fuzz/run.sh [SECONDS]        FUZZ_BUILD_DIR=DIR overrides build/asan
#
# Each fuzzer starts from a copy of tests/fuzz/corpus/<target>/ in a temp folder (the checked-in
# seed corpus never grows), with the tokens of tests/fuzz/<corpus>.dict. Exits non-zero when a fuzzer found a crash, a sanitizer report, a
# leak, a timeout (-timeout=10 s for one input) or ran out of memory (-rss_limit_mb=2048); the
# input that did it is copied to <build>/fuzz-artifacts/ and shown here.
set -euo pipefail

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/fuzz/run.sh [SECONDS]" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/asan}
targets=(fuzz_config fuzz_git_url fuzz_state fuzz_v2_listing fuzz_ssh_key)
declare -A corpus_of=([fuzz_config]=config [fuzz_git_url]=url [fuzz_state]=state [fuzz_v2_listing]=v2 [fuzz_ssh_key]=sshkey)

for target in "${targets[@]}"; do
    [[ -x $build/tests/fuzz/$target ]] \
        || { echo "fuzz: $build/tests/fuzz/$target is missing: build the asan preset first" >&2; exit 2; }
done

# The same sanitizer settings as the asan test preset (CMakePresets.json).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d "${TMPDIR:-/tmp}/mirrordesk-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts

final_stat() { # final_stat NAME LOG: the value of libFuzzer's final "stat::NAME: value" line
    awk -v key="stat::$1:" '$1 == key { value = $2 } END { print value }' "$2"
}

failed=()
summary=()
for target in "${targets[@]}"; do
    dir=$work/$target
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -R "$here/corpus/${corpus_of[$target]}/." "$dir/corpus/"
    seeds=$(find "$dir/corpus" -type f | wc -l)
    echo "fuzz: $target for $seconds s from $seeds seeds" >&2
    status=0
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -dict="$here/${corpus_of[$target]}.dict" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
        "$dir/corpus" >"$dir/log" 2>&1 || status=$?

    # The last status line ("#N DONE cov: C ft: F corp: …") and the final stats.
    last=$(grep -E '^#[0-9]+' "$dir/log" | grep -F ' cov: ' | tail -n 1 || true)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[^ ]+).*/\1/p' <<<"$last")
    execs=$(final_stat number_of_executed_units "$dir/log")
    rate=$(final_stat average_exec_per_sec "$dir/log")
    rss=$(final_stat peak_rss_mb "$dir/log")
    shopt -s nullglob
    found=("$dir"/artifacts/*)
    shopt -u nullglob
    result=ok
    if [[ $status -ne 0 || ${#found[@]} -gt 0 ]]; then
        result="FAILED (exit $status)"
        failed+=("$target")
        echo "fuzz: $target failed (exit $status); the end of its log:" >&2
        tail -n 60 "$dir/log" >&2
        mkdir -p "$artifacts"
        for input in "${found[@]}"; do
            cp "$input" "$artifacts/$target-$(basename "$input")"
            echo "fuzz: input kept as $artifacts/$target-$(basename "$input") ($(wc -c <"$input") bytes), base64:" >&2
            head -c 4096 "$input" | base64 >&2
        done
    fi
    summary+=("$(printf '%-13s %7s %10s %8s %6s %6s %12s %7s  %s' "$target" "${seconds}s" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}MB" "$result")")
done

printf '%-13s %7s %10s %8s %6s %6s %12s %7s  %s\n' target time execs exec/s cov ft corpus rss result
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: ${#failed[@]} fuzzer(s) found a problem: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: every fuzzer ran $seconds s without a crash" >&2
