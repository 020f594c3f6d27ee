#!/bin/sh
# Saves the README's screenshots (PNG) into resources/screenshots/ (or the folder given), from a
# real X server (xvfb-run) so fonts and styles render as on a desktop. Needs a build with tests
# (cmake --preset ci && cmake --build --preset ci); installer/bootstrap.sh test installs xvfb.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$here/resources/screenshots}
bin=${MIRRORDESK_SCREENSHOTS_BIN:-$here/build/ci/tests/mirrordesk_screenshots}
[ -x "$bin" ] || { echo "make-screenshots: build first: $bin is missing" >&2; exit 2; }
mkdir -p "$out"
LANG=${SCREENSHOT_LANG:-C.UTF-8} xvfb-run -a -s "-screen 0 1400x900x24" "$bin" "$out"
