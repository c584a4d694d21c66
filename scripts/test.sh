#!/usr/bin/env bash
# Installs what is missing, builds (release preset) and runs every test.
# Usage: scripts/test.sh [preset]   (release by default; debug and asan also work; tsan builds
# and runs the engine worker's test only, under ThreadSanitizer; tsan-omp the engine's tests on
# OpenMP threads under ThreadSanitizer, built with clang-14, LLVM's libomp and its Archer tool)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
extra=()
if [ "$preset" = tsan-omp ]; then
  extra=(clang-14 libomp-14-dev libclang-rt-14-dev)  # clang, libomp + libarcher, TSan runtime
fi
scripts/deps.sh "${extra[@]}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)"
