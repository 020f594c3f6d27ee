#!/usr/bin/env bash
# MirrorDesk bootstrap for Debian 12: installs every dependency, builds, and runs the app or the
# tests. Needs nothing but sudo (or root) and git on a fresh machine.
#
#   installer/bootstrap.sh run [APP ARGS...]     build the release preset and start build/release/app/mirrordesk
#   installer/bootstrap.sh test [CTEST ARGS...]  build the ci preset and run the whole test suite
#   installer/bootstrap.sh asan [CTEST ARGS...]  build the asan preset (clang, ASan + UBSan), run the
#                                                test suite under it, then each fuzzer for 60 s
#   installer/bootstrap.sh deps [--test]         install the build (and test) dependencies only
#   installer/bootstrap.sh package [--reuse-ci]  build a .deb into build/release
#
# Progress lines go to stderr, prefixed "bootstrap:". For `run`, build output goes to stderr too,
# so the app's own stdout stays clean (e.g. `installer/bootstrap.sh run list --json | jq`).
set -euo pipefail

# ---- Dependencies: the one place to add Debian packages ------------------------------------------
# Build and run the app.
BUILD_DEPS=(
    build-essential cmake ninja-build pkg-config dpkg-dev file git ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6
    libgit2-dev qtkeychain-qt6-dev libssl-dev libre2-dev
    libssh2-1-dev  # hostkeys detect and the SSH key passphrase check talk to libssh2 directly
    libxkbcommon-dev  # lets Qt6Gui's CMake config find XKB (silences a configure warning)
    # runtime: SVG icon plugins, X11 platform plugin deps, a font for Qt to draw text with
    libqt6svg6 qt6-qpa-plugins fonts-dejavu-core
)
# Run the tests: real git servers (git daemon, git http-backend behind lighttpd, sshd), the
# keychain (dbus session + gnome-keyring), GUI screenshots (xvfb + ImageMagick's import).
TEST_DEPS=(
    git openssl lighttpd lighttpd-mod-openssl openssh-server openssh-client
    dbus gnome-keyring libsecret-tools
    xvfb xauth imagemagick
    procps python3 socat tinyproxy-bin
    # the forge REST API fixture (tests/fixtures/ProviderServer); Qt6HttpServer's CMake config needs
    # Qt6WebSockets', which Debian's qt6-httpserver-dev does not pull in
    qt6-httpserver-dev libqt6httpserver6 qt6-websockets-dev
)
# The sanitizer build (preset asan) and the fuzzers (tests/fuzz): clang; its runtimes (ASan, UBSan,
# libFuzzer: libclang_rt.*.a, only recommended by clang); llvm-symbolizer for readable reports.
ASAN_DEPS=(
    clang libclang-rt-14-dev llvm
)

# ---- helpers ---------------------------------------------------------------------------------------
say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
Usage: installer/bootstrap.sh COMMAND [ARGS...]

Commands:
  run [APP ARGS...]      install build dependencies, build the release preset, start the app
                         (arguments go to mirrordesk, e.g. `run --version` or `run list`)
  test [CTEST ARGS...]   install build and test dependencies, build the ci preset, run ctest
                         (arguments go to ctest, e.g. `test -R MirrorStore`)
  asan [CTEST ARGS...]   install build, test and sanitizer dependencies, build the asan preset
                         (clang, AddressSanitizer + UBSan, fuzz targets), run ctest under it,
                         then each fuzzer (tests/fuzz/run.sh) for FUZZ_SECONDS (60) seconds
  deps [--test]          install the build dependencies (and the test dependencies) only
  package [--reuse-ci]   build the release preset and make build/release/mirrordesk_<ver>_<arch>.deb;
                         --reuse-ci packages the existing build/ci tree instead of building again
  help                   show this text

Debian 12 only. Runs apt-get as root directly, otherwise through sudo.
EOF
}

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to install packages: run as root or install sudo"
    fi
}

# Packages from the arguments that are not installed yet.
missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
        [[ $status == ii* ]] || printf '%s\n' "$pkg"
    done
}

ensure_packages() {
    command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12 only"
    local -a missing
    mapfile -t missing < <(missing_packages "$@" | sort -u)
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "dependencies already installed"
        return 0
    fi
    say "installing ${#missing[@]} package(s): ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >&2
    mapfile -t missing < <(missing_packages "$@" | sort -u)
    [[ ${#missing[@]} -eq 0 ]] || die "still not installed after apt-get: ${missing[*]}"
}

build_preset() {
    local preset=$1
    say "configuring (preset $preset)"
    cmake --preset "$preset" >&2
    say "building (preset $preset)"
    cmake --build --preset "$preset" >&2
}

# ---- commands --------------------------------------------------------------------------------------
cmd_deps() {
    if [[ ${1:-} == --test ]]; then
        ensure_packages "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
    elif [[ $# -eq 0 ]]; then
        ensure_packages "${BUILD_DEPS[@]}"
    else
        usage; exit 2
    fi
}

cmd_run() {
    ensure_packages "${BUILD_DEPS[@]}"
    build_preset release
    local app="$repo_root/build/release/app/mirrordesk"
    [[ -x $app ]] || die "build finished but $app is missing"
    say "starting $app $*"
    exec "$app" "$@"
}

cmd_test() {
    ensure_packages "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"
    build_preset ci
    say "running tests (ctest --preset ci $*)"
    exec ctest --preset ci "$@"
}

cmd_asan() {
    local start=$SECONDS step
    ensure_packages "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}" "${ASAN_DEPS[@]}"
    step=$SECONDS
    build_preset asan
    say "asan build took $((SECONDS - step)) s"
    step=$SECONDS
    say "running tests under ASan/UBSan (ctest --preset asan $*)"
    ctest --preset asan "$@"
    say "asan tests took $((SECONDS - step)) s"
    step=$SECONDS
    "$repo_root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-60}"
    say "fuzzing took $((SECONDS - step)) s; asan total $((SECONDS - start)) s"
}

cmd_package() {
    local build_dir
    ensure_packages "${BUILD_DEPS[@]}"
    case ${1:-} in
        --reuse-ci)
            [[ -f $repo_root/build/ci/CPackConfig.cmake ]] \
                || die "no build/ci tree to reuse: run 'installer/bootstrap.sh test' first"
            say "building (preset ci, reused for packaging)"
            cmake --build --preset ci >&2
            build_dir=build/ci
            ;;
        "")
            build_preset release
            build_dir=build/release
            ;;
        *) usage; exit 2 ;;
    esac
    say "packaging $build_dir with cpack"
    mkdir -p build/release
    rm -f "$repo_root"/build/release/mirrordesk_*.deb
    cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$repo_root/build/release" >&2
    rm -rf "$repo_root/build/release/_CPack_Packages"
    local deb
    for deb in "$repo_root"/build/release/mirrordesk_*.deb; do
        [[ -f $deb ]] && say "package: ${deb#"$repo_root"/}"
    done
}

main() {
    [[ $# -ge 1 ]] || { usage; exit 2; }
    local cmd=$1; shift
    cd "$repo_root"
    case $cmd in
        run)     cmd_run "$@" ;;
        test)    cmd_test "$@" ;;
        asan)    cmd_asan "$@" ;;
        deps)    cmd_deps "$@" ;;
        package) cmd_package "$@" ;;
        help|-h|--help) usage ;;
        *) printf 'bootstrap: unknown command: %s\n' "$cmd" >&2; usage; exit 2 ;;
    esac
}

main "$@"
