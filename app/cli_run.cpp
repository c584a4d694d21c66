// initscope run: one run (or a seed ensemble) of a preset or a config file, as a table, JSON,
// CSV or a full dump; "run notebook" prints the lesson's table.
#include "app/cli_common.h"

#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"

#include <chrono>
#include <iostream>
#include <sstream>

namespace initscope::cli {
namespace {

const std::vector<FlagSpec>& runFlags() {
  static const std::vector<FlagSpec> f = [] {
    std::vector<FlagSpec> v = experimentFlags();
    v.push_back({"seeds", "K", "run K seeds (seed, seed+1, ...) and summarise every statistic: mean, sd, 5-95% "
                               "(run notebook: default 50)"});
    v.push_back({"json", "FILE", "write the result (or the ensemble) as JSON; - for stdout"});
    v.push_back({"csv", "FILE", "write one row per layer (or per statistic of an ensemble) as CSV; - for stdout"});
    v.push_back({"dump", "FILE", "write everything needed to check the run elsewhere: spec, weights, batch, "
                                 "output, loss, statistics and every gradient (JSON); with --seeds: the first seed"});
    v.push_back({"no-histograms", "", "leave the histograms out of --json"});
    v.push_back({"reference", "FILE", "run notebook: add PyTorch's ensemble from notebook_reference.json"});
    return v;
  }();
  return f;
}

constexpr const char* kUsage =
    "Usage: initscope run PRESET [options]\n"
    "       initscope run --config FILE [options]\n"
    "       initscope run notebook [--seeds K] [--reference FILE] [options]\n\n"
    "Runs forward, loss and backward once on a batch and prints every layer's statistics: the output's\n"
    "mean and std, the fraction of exact zeros, the std of dL/d(output), of the weight and of its\n"
    "gradient. With --seeds K it runs K seeds and prints the mean, sd and 5-95% band of each.\n"
    "\"notebook\" runs every experiment of the lesson and prints its numbers next to the lesson's.\n"
    "Presets: initscope presets. Numbers may be written as sqrt5 or a fraction (--a sqrt5, --gain 5/3).\n";

void printHeader(std::ostream& os, const RunResult& r) {
  const ExperimentConfig& c = r.config;
  os << (c.name.empty() ? "(unnamed config)" : c.name);
  if (const Preset* p = findPreset(c.name); p && p->config == c) os << ": " << p->description;
  os << "\n";
  os << "data   " << r.datasetName << ", batch " << c.data.batch
     << (c.data.source == DataSource::Synthetic ? "" : c.data.sampling == Sampling::First ? " (first)" : " (random)")
     << ", input " << shapeText(r.inputShape) << " mean " << num(r.input.mean) << " std " << num(r.input.std) << "\n";
  os << "init   " << initText(c.init) << ", bias " << toString(c.bias.scheme);
  if (c.bias.scheme == BiasScheme::Constant) os << "(" << num(c.bias.value) << ")";
  os << ", seed " << c.seed << "\n";
  os << "loss   " << toString(c.loss) << " = " << num(r.loss, 6) << "; " << r.threads << " thread"
     << (r.threads == 1 ? "" : "s") << ", " << num(r.timings.totalMs, 3) << " ms (forward "
     << num(r.timings.forwardMs, 3) << ", backward " << num(r.timings.backwardMs, 3) << ", stats "
     << num(r.timings.statsMs, 3) << ")\n\n";
}

void printTable(std::ostream& os, const RunResult& r) {
  printHeader(os, r);
  os << pad("#", 3, true) << "  " << pad("layer", 26) << pad("output", 17) << pad("act mean", 11, true)
     << pad("act std", 11, true) << pad("zero%", 7, true) << pad("grad std", 11, true) << pad("W std", 10, true)
     << pad("dW std", 11, true) << pad("dW/W", 10, true) << pad("init std", 10, true) << "\n";
  os << pad("0", 3, true) << "  " << pad("input", 26) << pad(shapeText(r.inputShape), 17)
     << pad(num(r.input.mean), 11, true) << pad(num(r.input.std), 11, true)
     << pad(num(100 * r.input.zeroFraction, 3), 7, true) << pad(num(r.inputGradient.std), 11, true) << "\n";
  for (const LayerResult& l : r.layers) {
    os << pad(std::to_string(l.index + 1), 3, true) << "  " << pad(l.label, 26) << pad(shapeText(l.outputShape), 17)
       << pad(num(l.activation.mean), 11, true) << pad(num(l.activation.std), 11, true)
       << pad(num(100 * l.activation.zeroFraction, 3), 7, true) << pad(num(l.gradient.std), 11, true);
    if (l.weight)
      os << pad(num(l.weight->value.std), 10, true) << pad(num(l.weight->grad.std), 11, true)
         << pad(num(l.gradDataRatio), 10, true)
         << pad(l.initDescription ? num(l.initDescription->std) : "", 10, true);
    if (!l.activation.allFinite() || !l.gradient.allFinite())
      os << "  ! " << l.activation.nonFinite() + l.gradient.nonFinite() << " NaN/Inf";
    os << "\n";
  }
  const Preset* preset = findPreset(r.config.name);
  const auto nb = notebookStats(r);
  if (preset && preset->notebook && !nb.empty()) {
    os << "\nthe lesson's statistics:";
    for (const auto& [name, v] : nb) os << "  " << name << " " << num(v);
    os << "\n";
  }
}

std::string band(const Summary& s) {
  return num(s.mean) + " ± " + num(s.std, 2) + " [" + num(s.q05, 3) + ", " + num(s.q95, 3) + "]";
}

void printEnsemble(std::ostream& os, const Ensemble& e, const RunResult& first) {
  printHeader(os, first);
  os << e.seeds.size() << " seeds (" << e.seeds.front() << ".." << e.seeds.back() << "), " << num(e.totalMs, 3)
     << " ms in all; each cell: mean ± sd [5%, 95%] over the seeds\n\n";
  os << pad("#", 3, true) << "  " << pad("layer", 26) << pad("act std", 32) << pad("grad std", 32) << "dW std\n";
  for (const LayerEnsemble& l : e.layers) {
    os << pad(std::to_string(l.index + 1), 3, true) << "  " << pad(l.label, 26)
       << pad(band(l.find("activation.std")->summary), 32) << pad(band(l.find("gradient.std")->summary), 32);
    if (const EnsembleStat* w = l.find("weight_grad.std")) os << band(w->summary);
    os << "\n";
  }
  os << "\n" << pad("statistic", 16) << band(e.findGlobal("loss")->summary) << "  (loss)\n";
  os << "the lesson's statistics:\n";
  for (const EnsembleStat& s : e.notebook) os << "  " << pad(s.name, 14) << band(s.summary) << "\n";
}

int seedCount(const Args& a) {
  return a.has("seeds") ? static_cast<int>(parseInteger(*a.get("seeds"), "seeds", 1, 100000)) : 1;
}

// ---- run notebook ------------------------------------------------------------------------------

int runNotebook(const Args& a) {
  if (a.has("config") || a.has("layers") || a.has("dump") || a.has("csv"))
    throw UsageError("run notebook takes run options and --json, not --config, --layers, --dump or --csv");
  const int k = a.has("seeds") ? seedCount(a) : 50;
  const std::uint64_t firstSeed =
      a.has("seed") ? static_cast<std::uint64_t>(parseInteger(*a.get("seed"), "seed", 0, 1LL << 62)) : 0;
  Json reference;
  if (a.has("reference")) reference = parseJson(readTextFile(*a.get("reference")), *a.get("reference"));

  Json doc;
  doc["schema"] = "initscope.notebook";
  doc["version"] = kResultVersion;
  doc["seeds"] = k;
  Json experiments = Json::array();
  std::ostringstream table;
  table << "fast.ai lesson 02a_why_sqrt5, reproduced: " << k << " seed" << (k == 1 ? "" : "s")
        << " per experiment, the first 100 embedded digits\n"
        << "lesson = the value the notebook printed (one torch draw, its own digits); seed N = this run;\n"
        << "mean ± sd [5%, 95%] = over the seeds" << (a.has("reference") ? "; PyTorch = torch 1.13's 50-seed ensemble" : "")
        << "\n\n";
  table << pad("experiment", 26) << pad("stat", 13) << pad("lesson", 9, true)
        << pad("seed " + std::to_string(firstSeed), 11, true) << "   " << pad("initscope mean ± sd [5%, 95%]", 44) << (a.has("reference") ? "PyTorch mean ± sd" : "") << "\n";

  for (const Preset& p : presets()) {
    if (!p.notebook) continue;
    Args one = a;
    one.positional = {p.name};
    one.values.erase("reference");
    const ExperimentConfig c = buildConfig(one);
    const Ensemble e = seedEnsemble(c, k);
    Json ej;
    ej["name"] = p.name;
    ej["description"] = p.description;
    Json stats = Json::object();
    const Json* ref = reference.is_object() && reference.contains("experiments") &&
                              reference["experiments"].contains(p.name)
                          ? &reference["experiments"][p.name]["stats"]
                          : nullptr;
    for (const EnsembleStat& s : e.notebook) {
      std::string printed;
      Json sj;
      for (const auto& [n, v] : p.printed)
        if (n == s.name) {
          printed = num(v);
          sj["lesson"] = v;
        }
      sj["seed"] = s.values.front();
      sj["mean"] = s.summary.mean;
      sj["std"] = s.summary.std;
      sj["q05"] = s.summary.q05;
      sj["q95"] = s.summary.q95;
      std::string torch;
      if (ref && ref->contains(s.name)) {
        const Json& t = (*ref)[s.name];
        torch = num(t["mean"].get<double>()) + " ± " + num(t["std"].get<double>(), 2);
        sj["pytorch"] = {{"mean", t["mean"]}, {"std", t["std"]}, {"q05", t["q05"]}, {"q95", t["q95"]}};
      }
      stats[s.name] = sj;
      table << pad(p.name, 26) << pad(s.name, 13) << pad(printed, 9, true) << pad(num(s.values.front()), 11, true)
            << "   " << pad(band(s.summary), 44) << torch << "\n";
    }
    ej["stats"] = stats;
    experiments.push_back(ej);
  }
  doc["experiments"] = experiments;

  // The gain table and U(-1, 1), as the lesson prints them.
  table << "\ngain(a) = calculate_gain('leaky_relu', a):";
  for (double av : {1.0, 0.0, 0.01, 0.1, std::sqrt(5.0)})
    table << "  a=" << num(av) << ": " << num(calculateGain(Nonlinearity::LeakyReLU, av), 6);
  table << "\nstd of U(-1, 1) = 1/sqrt(3) = " << num(1 / std::sqrt(3.0), 6) << " (see initscope gains)\n";

  if (a.has("json")) writeOutput(*a.get("json"), doc.dump(2) + "\n");
  if (!writesStdout(a, {"json"})) std::cout << table.str();
  return 0;
}

}  // namespace

int runVerb(int argc, char** argv) {
  const Args a = parseArgs(argc, argv, runFlags());
  if (a.has("help")) {
    std::cout << helpText(kUsage, runFlags());
    return 0;
  }
  if (!a.positional.empty() && a.positional.front() == "notebook") return runNotebook(a);
  if (a.has("reference")) throw UsageError("--reference is for run notebook");
  const ExperimentConfig c = buildConfig(a);
  const int k = seedCount(a);
  int onStdout = 0;
  for (const char* f : {"json", "csv", "dump"}) onStdout += a.get(f) == "-" ? 1 : 0;
  if (onStdout > 1) throw UsageError("only one of --json, --csv and --dump can write to stdout");
  const bool hist = !a.has("no-histograms");

  RunResult first;
  if (a.has("dump")) {
    const RunDump dump = runWithDump(c);
    first = dump.result;
    writeOutput(*a.get("dump"), toJson(dump).dump() + "\n");
  }
  if (k == 1) {
    if (!a.has("dump")) first = run(c);
    if (a.has("json")) writeOutput(*a.get("json"), toJson(first, hist).dump(2) + "\n");
    if (a.has("csv")) writeOutput(*a.get("csv"), toCsv(first));
    if (onStdout == 0) printTable(std::cout, first);
    return 0;
  }
  std::vector<std::uint64_t> seeds;
  for (int i = 0; i < k; ++i) seeds.push_back(c.seed + static_cast<std::uint64_t>(i));
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<RunResult> runs = sweepSeeds(c, seeds);
  Ensemble e = summarizeSeeds(runs);
  e.totalMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (a.has("json")) writeOutput(*a.get("json"), toJson(e).dump(2) + "\n");
  if (a.has("csv")) writeOutput(*a.get("csv"), toCsv(e));
  if (onStdout == 0) printEnsemble(std::cout, e, runs.front());
  return 0;
}

}  // namespace initscope::cli
