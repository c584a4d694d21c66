#!/usr/bin/env bash
# Installs what is missing, builds (release preset) and starts the app on its embedded MNIST digits.
# Arguments are passed to initscope (try: scripts/run.sh --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
exec build/release/app/initscope "$@"
