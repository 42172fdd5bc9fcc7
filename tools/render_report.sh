#!/usr/bin/env bash
# Renders a ptqc-compare HTML report to a PNG with headless Chromium (Debian's `chromium`
# package, installed with apt-get when missing), to check or share the plots.
#
#   tools/render_report.sh REPORT_DIR/compare.html OUT.png [WIDTH,HEIGHT]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 compare.html out.png [width,height (default 1280,2400)]" >&2
  exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
size=${3:-1280,2400}
[[ -f "$html" ]] || { echo "no such file: $html" >&2; exit 3; }

if ! command -v chromium >/dev/null; then
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y chromium >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network, no first-run or background work: the page is self-contained.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --screenshot="$out" \
  --window-size="$size" "file://$html" 2>/dev/null
[[ -s "$out" ]] || { echo "chromium wrote no screenshot to $out" >&2; exit 1; }
echo "wrote $out"
