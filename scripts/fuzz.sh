#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time on a
# copy of its committed seed corpus. Exits non-zero when a fuzzer finds a crash; the input that
# crashed is left in build/fuzz/artifacts/ (turn it into a regression test).
# Usage: scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
pkgs=(clang-14 libclang-rt-14-dev libfuzzer-14-dev libomp-14-dev ninja-build cmake libeigen3-dev nlohmann-json3-dev zlib1g-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINITSCOPE_FUZZ=ON >/dev/null
cmake --build build/fuzz -j"$(nproc)"
mkdir -p build/fuzz/artifacts
status=0
for target in config idx stack; do
  work="build/fuzz/corpus-$target"
  rm -rf "$work" && mkdir -p "$work"
  cp tests/fuzz/corpus/"$target"/* "$work"/
  log="build/fuzz/$target.log"
  if ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 OMP_NUM_THREADS=1 \
     build/fuzz/tests/fuzz/fuzz_"$target" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
       -timeout=10 -artifact_prefix=build/fuzz/artifacts/"$target"- -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=CRASH; status=1; tail -40 "$log"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz_$target: $result, $runs executions in ${seconds}s, corpus $(ls "$work" | wc -l) inputs"
done
exit $status
