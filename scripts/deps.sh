#!/usr/bin/env bash
# Installs the Debian 12 packages initscope needs to build, test and run; does nothing when all are there.
# Usage: scripts/deps.sh [extra packages]   (scripts/test.sh tsan-omp adds clang's)
set -euo pipefail
pkgs=(cmake ninja-build g++ qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqcustomplot-dev libeigen3-dev
      nlohmann-json3-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev libgl-dev xvfb xauth
      desktop-file-utils appstream "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
