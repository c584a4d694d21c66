#!/bin/sh
# Smoke test: the real app under a virtual X server draws its first plot and saves a screenshot.
# Usage: smoke.sh /path/to/initscope out.png     (exit 77 = skipped: no xvfb-run)
set -u
app="$1"
out="$2"
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "xvfb-run not found: skipped"
  exit 77
fi
rm -f "$out"
# Keep the user's settings (last session, window layout) out of it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/runtime" HOME="$tmp"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --fresh --size 1600x1000 --screenshot "$out" --quit-after-first-plot
rc=$?
if [ $rc -ne 0 ]; then
  echo "initscope exited with $rc"
  exit 1
fi
if [ ! -s "$out" ]; then
  echo "no screenshot at $out"
  exit 1
fi
magic=$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')
if [ "$magic" != "89504e470d0a1a0a" ]; then
  echo "not a PNG: $magic"
  exit 1
fi
size=$(wc -c < "$out")
if [ "$size" -lt 20000 ]; then
  echo "screenshot suspiciously small: $size bytes"
  exit 1
fi
echo "screenshot $out: $size bytes"
