#!/usr/bin/env bash
# Runs initscope's benchmarks and the same workloads in PyTorch (Debian's python3-torch, 2
# threads, medians) in one go, and prints ours/PyTorch ratios. The MLP is compared with PyTorch
# on OpenBLAS (libopenblas0-pthread, loaded through LD_LIBRARY_PATH for that run only).
# Usage: scripts/bench.sh [repeats, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-20}"
scripts/deps.sh
for p in python3-torch libopenblas0-pthread; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$p"; }
done
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target bench_engine >/dev/null
out=build/release/bench
mkdir -p "$out"
export OMP_NUM_THREADS=2
# The OpenMP settings the app starts with (app/main.cpp): sleeping idle workers after a short spin.
OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=20000 build/release/tests/bench/bench_engine --benchmark_repetitions="$repeats" \
  --benchmark_report_aggregates_only=true --benchmark_format=json --benchmark_out="$out/ours.json" \
  --benchmark_out_format=json >/dev/null
/usr/bin/python3 tests/bench/bench_torch.py --repeats "$repeats" --threads 2 --only four_conv_b100,four_conv_b1000,four_conv_b10000,sweep_a50 >"$out/torch.json"
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread
LD_LIBRARY_PATH="$openblas" /usr/bin/python3 tests/bench/bench_torch.py --repeats "$repeats" --threads 2 --only mlp20x512_b1000 >"$out/torch_openblas.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
ours, rate = {}, {}
for b in json.load(open(f"{out}/ours.json"))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        ours[b["run_name"]] = b["real_time"] if b["time_unit"] == "ms" else b["real_time"] / 1e6
        if "GFLOP/s" in b:
            rate[b["run_name"]] = b["GFLOP/s"]
torch = json.load(open(f"{out}/torch.json"))
torch.update({k: v for k, v in json.load(open(f"{out}/torch_openblas.json")).items() if k.startswith("mlp")})
rows = [("4-conv fwd+mse+bwd, batch 100", "BM_FourConvTrainStep/100/real_time", "four_conv_b100", 0.5),
        ("4-conv fwd+mse+bwd, batch 1000", "BM_FourConvTrainStep/1000/real_time", "four_conv_b1000", 0.5),
        ("4-conv fwd+mse+bwd, batch 10000", "BM_FourConvTrainStep/10000/real_time", "four_conv_b10000", 0.25),
        ("sweep: 50 values of a, batch 100", "BM_SweepA50/real_time", "sweep_a50", 0.3),
        ("20 x (linear 512 + relu), batch 1000", "BM_Mlp20x512/real_time", "mlp20x512_b1000", 0.75)]
print(f"{'workload':40} {'ours ms':>9} {'torch ms':>9} {'ratio':>7} {'goal':>6}")
for label, o, t, goal in rows:
    if o in ours and t in torch:
        r = ours[o] / torch[t]
        print(f"{label:40} {ours[o]:9.2f} {torch[t]:9.2f} {r:7.3f} {goal:6.2f} {'ok' if r <= goal else 'MISSED'}")
for k in ("BM_InteractiveRun/100/real_time", "BM_InteractiveRun/1000/real_time"):
    if k in ours:
        print(f"{'interactive run (all stats), ' + k.split('/')[1]:40} {ours[k]:9.2f}")
gemm = "BM_EigenGemm/1024/real_time"
if gemm in rate:
    print(f"the machine's reference, Eigen's float GEMM (n = 1024, 2 threads): {rate[gemm]:.0f} GFLOP/s; ours: " +
          ", ".join(f"{name} {rate[o]:.0f}" for name, (_, o, _, _) in zip(("batch 100", "batch 1000", "batch 10000", "sweep"), rows)
                    if o in rate))
print(f"torch {torch.get('torch')}; the MLP row against PyTorch on OpenBLAS (LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread)")
PY
