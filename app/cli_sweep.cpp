// initscope sweep: a preset or config over a range of a, depths or seeds; one row per point.
#include "app/cli_common.h"

#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"

#include <chrono>
#include <cmath>
#include <iostream>

namespace initscope::cli {
namespace {

const std::vector<FlagSpec>& sweepFlags() {
  static const std::vector<FlagSpec> f = [] {
    std::vector<FlagSpec> v = experimentFlags();
    v.push_back({"over", "a|depth|seed", "what to sweep (default a)"});
    v.push_back({"from", "X", "first value (a: 0; depth: 1; seed: --seed)"});
    v.push_back({"to", "Y", "last value (a: 3; depth: 10; seed: from + steps - 1)"});
    v.push_back({"steps", "N", "number of points, ends included (a: 13; depth: to - from + 1; seed: 10)"});
    v.push_back({"values", "V1,V2,...", "the points themselves, instead of --from/--to/--steps"});
    v.push_back({"stack", "mlp|conv", "depth: the blocks (linear or 3x3 conv, each + activation; default mlp)"});
    v.push_back({"width", "W", "depth: features (mlp) or channels (conv) per block (default 256 / 16)"});
    v.push_back({"activation", "NAME", "depth: relu|leaky_relu|tanh|sigmoid|gelu (default relu)"});
    v.push_back({"parallel", "auto|points|runs", "points side by side (one thread each) or one by one (all threads)"});
    v.push_back({"json", "FILE", "write every point's full result as JSON; - for stdout"});
    v.push_back({"csv", "FILE", "write the result CSV of every point, prefixed by its value; - for stdout"});
    v.push_back({"histograms", "", "keep the histograms in --json (large)"});
    return v;
  }();
  return f;
}

constexpr const char* kUsage =
    "Usage: initscope sweep PRESET|--config FILE [--over a|depth|seed] [--from X --to Y --steps N | --values ...]\n\n"
    "Runs the experiment at every point and prints one row per point: the loss, the output's mean and\n"
    "std, the std after the first and the last activation layer, the first weight's gradient std and\n"
    "the input gradient's std.\n"
    "  --over a      sets the kaiming slope a (PyTorch's default becomes kaiming_uniform(a))\n"
    "  --over depth  replaces the stack by L identical blocks (--stack, --width, --activation) and a\n"
    "                final linear layer (1 output for mse, 10 for cross_entropy)\n"
    "  --over seed   the same experiment under different seeds\n"
    "The points run in parallel; results do not depend on the thread count.\n";

// The output std after the first and the last activation layer (relu, tanh, ...).
std::pair<const LayerResult*, const LayerResult*> activationEnds(const RunResult& r) {
  const LayerResult *first = nullptr, *last = nullptr;
  for (const LayerResult& l : r.layers)
    if (activationNonlinearity(l.kind) || l.kind == LayerKind::GELU) {
      if (!first) first = &l;
      last = &l;
    }
  return {first, last};
}

}  // namespace

int sweepVerb(int argc, char** argv) {
  const Args a = parseArgs(argc, argv, sweepFlags());
  if (a.has("help")) {
    std::cout << helpText(kUsage, sweepFlags());
    return 0;
  }
  const ExperimentConfig base = buildConfig(a);
  SweepOver over = SweepOver::A;
  if (a.has("over")) {
    const auto o = parseSweepOver(*a.get("over"));
    if (!o) throw UsageError("--over: unknown value '" + *a.get("over") + "' (choose a|depth|seed)");
    over = *o;
  }
  const bool isDepth = over == SweepOver::Depth, isSeed = over == SweepOver::Seed;
  for (const char* f : {"stack", "width", "activation"})
    if (a.has(f) && !isDepth) throw UsageError(std::string("--") + f + " is for --over depth");

  // The points.
  std::vector<double> values;
  if (a.has("values")) {
    for (const char* f : {"from", "to", "steps"})
      if (a.has(f)) throw UsageError(std::string("--values and --") + f + " contradict");
    for (const std::string& s : split(*a.get("values"), ',')) values.push_back(parseNumber(s, "values"));
  } else {
    const double from = a.has("from") ? parseNumber(*a.get("from"), "from")
                        : isDepth     ? 1.0
                        : isSeed      ? static_cast<double>(base.seed)
                                      : 0.0;
    int steps = 0;
    if (a.has("steps")) steps = static_cast<int>(parseInteger(*a.get("steps"), "steps", 1, 100000));
    double to = 0;
    if (a.has("to")) {
      to = parseNumber(*a.get("to"), "to");
    } else {
      to = isDepth ? 10.0 : isSeed ? from + (steps > 0 ? steps : 10) - 1 : 3.0;
    }
    if (steps == 0) steps = isDepth ? static_cast<int>(std::abs(to - from)) + 1 : isSeed ? static_cast<int>(std::abs(to - from)) + 1 : 13;
    try {
      values = linspace(from, to, steps);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  if (values.empty()) throw UsageError("no points to sweep");
  if (isDepth || isSeed)
    for (double& v : values) {
      if (v != std::round(v) || v < (isDepth ? 1 : 0) || v > (isDepth ? Limits::kMaxLayers / 2 - 2 : 9.0e15))
        throw UsageError(std::string(isDepth ? "depths" : "seeds") + " must be whole numbers" +
                         (isDepth ? " from 1 to " + std::to_string(Limits::kMaxLayers / 2 - 2) : " from 0") +
                         ", got " + num(v, 10));
    }

  SweepOptions options;
  if (a.has("parallel")) {
    const std::string p = *a.get("parallel");
    if (p == "auto") options.parallelism = SweepParallelism::Auto;
    else if (p == "points") options.parallelism = SweepParallelism::OverPoints;
    else if (p == "runs") options.parallelism = SweepParallelism::WithinRuns;
    else throw UsageError("--parallel: unknown value '" + p + "' (choose auto|points|runs)");
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<RunResult> results;
  if (over == SweepOver::A) {
    try {
      withA(base, values.front());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--over a: ") + e.what());
    }
    results = sweepA(base, values, nullptr, options);
  } else if (isDepth) {
    DepthStack stack;
    if (a.has("stack")) {
      const auto k = parseStackKind(*a.get("stack"));
      if (!k) throw UsageError("--stack: unknown value '" + *a.get("stack") + "' (choose mlp|conv)");
      stack.kind = *k;
    }
    stack.width = stack.kind == StackKind::Mlp ? 256 : 16;
    if (a.has("width")) stack.width = static_cast<int>(parseInteger(*a.get("width"), "width", 1, Limits::kMaxChannels));
    if (a.has("activation")) {
      const auto k = parseLayerKind(*a.get("activation"));
      if (!k || !(activationNonlinearity(*k) || *k == LayerKind::GELU))
        throw UsageError("--activation: unknown value '" + *a.get("activation") + "' (choose relu|leaky_relu|tanh|sigmoid|gelu)");
      stack.activation = *k;
    }
    std::vector<int> depths;
    for (double v : values) depths.push_back(static_cast<int>(v));
    results = sweepDepth(base, depths, stack, nullptr, options);
  } else {
    std::vector<std::uint64_t> seeds;
    for (double v : values) seeds.push_back(static_cast<std::uint64_t>(v));
    results = sweepSeeds(base, seeds, nullptr, options);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  if (a.get("json") == "-" && a.get("csv") == "-") throw UsageError("only one of --json and --csv can write to stdout");
  if (a.has("json")) writeOutput(*a.get("json"), sweepToJson(over, values, results, a.has("histograms")).dump(2) + "\n");
  if (a.has("csv")) writeOutput(*a.get("csv"), sweepToCsv(values, results));
  if (writesStdout(a, {"json", "csv"})) return 0;

  std::cout << (base.name.empty() ? "(unnamed config)" : base.name) << ": sweep over " << toString(over) << ", "
            << values.size() << " points in " << num(ms, 4) << " ms\n";
  if (!isDepth) std::cout << "stack  " << base.layers.size() << " layers; init " << initText(results.front().config.init) << "\n";
  std::cout << "\n"
            << pad(std::string(toString(over)), 10, true) << pad("layers", 8, true) << pad("loss", 11, true)
            << pad("out mean", 11, true) << pad("out std", 11, true) << pad("1st act std", 13, true)
            << pad("last act std", 14, true) << pad("dW1 std", 11, true) << pad("dL/dx std", 11, true)
            << pad("ms", 8, true) << "\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RunResult& r = results[i];
    const auto [first, last] = activationEnds(r);
    const auto nb = notebookStats(r);
    double outMean = 0, outStd = 0;
    for (const auto& [n, v] : nb) {
      if (n == "out_mean") outMean = v;
      if (n == "out_std") outStd = v;
    }
    const LayerResult* w1 = nullptr;
    for (const LayerResult& l : r.layers)
      if (l.weight && !w1) w1 = &l;
    std::cout << pad(num(values[i], isDepth || isSeed ? 16 : 4), 10, true)
              << pad(std::to_string(r.layers.size()), 8, true) << pad(num(r.loss), 11, true)
              << pad(num(outMean), 11, true) << pad(num(outStd), 11, true)
              << pad(first ? num(first->activation.std) : "-", 13, true)
              << pad(last ? num(last->activation.std) : "-", 14, true)
              << pad(w1 ? num(w1->weight->grad.std) : "-", 11, true) << pad(num(r.inputGradient.std), 11, true)
              << pad(num(r.timings.totalMs, 3), 8, true) << "\n";
  }
  return 0;
}

}  // namespace initscope::cli
