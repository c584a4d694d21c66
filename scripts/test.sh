#!/usr/bin/env bash
# Installs what is missing, builds (release preset) and runs every test.
# Usage: scripts/test.sh [preset]   (release by default; debug and asan also work; tsan builds
# and runs the engine worker's test only, under ThreadSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)"
