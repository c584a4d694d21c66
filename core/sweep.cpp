#include "sweep.h"

#include "io.h"
#include "parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace initscope {
namespace {

int threadCount(const ExperimentConfig& c, const SweepOptions& o) {
  if (o.threads > 0) return o.threads;
  if (c.threads > 0) return c.threads;
  return engineThreads();
}

// Side-by-side runs hold this much at most together; past it the points run one after another.
constexpr std::uint64_t kSideBySideBytes = 4ULL << 30;

// Measured on 2 cores (README, "Sweeps"): side by side wins from batch 100 to 10000, because one
// run gains little from a second thread while two runs keep both cores busy.
bool overPoints(const std::vector<ExperimentConfig>& configs, int threads, const SweepOptions& o) {
  if (o.parallelism == SweepParallelism::OverPoints) return true;
  if (o.parallelism == SweepParallelism::WithinRuns || threads < 2 || configs.size() < 2) return false;
  std::uint64_t peak = 0;
  for (const ExperimentConfig& c : configs) {
    try {
      peak = std::max(peak, estimateMemory(c));
    } catch (const std::exception&) {
      return false;  // let the run itself report the problem, in point order
    }
  }
  const auto together = static_cast<std::uint64_t>(std::min<std::size_t>(static_cast<std::size_t>(threads), configs.size()));
  return peak * together <= kSideBySideBytes;
}

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(std::memory_order_relaxed); }

bool takesA(Scheme s) {
  return s == Scheme::PyTorchDefault || s == Scheme::KaimingUniform || s == Scheme::KaimingNormal;
}

InitSpec setA(InitSpec s, double a) {
  if (s.scheme == Scheme::PyTorchDefault) {
    s.scheme = Scheme::KaimingUniform;
    s.mode = FanMode::FanIn;
    s.nonlinearity = Nonlinearity::LeakyReLU;
  }
  s.a = a;
  return s;
}

EnsembleStat stat(std::string name, std::vector<double> values) {
  EnsembleStat s;
  s.name = std::move(name);
  s.summary = summarize(values);
  s.values = std::move(values);
  return s;
}

const EnsembleStat* findIn(const std::vector<EnsembleStat>& v, std::string_view name) {
  for (const EnsembleStat& s : v)
    if (s.name == name) return &s;
  return nullptr;
}

using Json = nlohmann::ordered_json;

Json summaryJson(const EnsembleStat& s, bool withValues) {
  Json j;
  j["mean"] = s.summary.mean;
  j["std"] = s.summary.std;
  j["q05"] = s.summary.q05;
  j["q95"] = s.summary.q95;
  j["min"] = s.summary.min;
  j["max"] = s.summary.max;
  if (withValues) j["values"] = s.values;
  return j;
}

Json statsJson(const std::vector<EnsembleStat>& v, bool withValues) {
  Json j = Json::object();
  for (const EnsembleStat& s : v) j[s.name] = summaryJson(s, withValues);
  return j;
}

}  // namespace

std::vector<RunResult> runAll(const std::vector<ExperimentConfig>& configs, const std::atomic<bool>* cancel,
                              const SweepOptions& options) {
  std::vector<RunResult> results(configs.size());
  if (configs.empty()) return results;
  const int threads = threadCount(configs.front(), options);
  if (!overPoints(configs, threads, options)) {
    Engine engine;  // one network and batch for all points while the stack stays the same
    for (std::size_t i = 0; i < configs.size(); ++i) {
      if (cancelled(cancel)) throw Cancelled();
      ExperimentConfig c = configs[i];
      c.threads = threads;
      results[i] = engine.run(c, cancel);
      results[i].config.threads = configs[i].threads;
    }
    return results;
  }
  // One single-threaded run per point; an error is kept with its point and the first one (in
  // point order) rethrown after the loop, since exceptions may not leave an OpenMP region.
  std::vector<std::exception_ptr> errors(configs.size());
  std::vector<Engine> engines(static_cast<std::size_t>(threads));  // one per thread, reused across its points
  const auto n = static_cast<std::int64_t>(configs.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (cancelled(cancel)) {
      errors[k] = std::make_exception_ptr(Cancelled());
      continue;
    }
    try {
      ExperimentConfig c = configs[k];
      c.threads = 1;  // this thread's own setting; other points run on the other threads
      results[k] = engines[static_cast<std::size_t>(engineThreadIndex())].run(c, cancel);
      results[k].config.threads = configs[k].threads;
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

std::vector<double> linspace(double from, double to, int steps) {
  if (steps < 1) throw std::invalid_argument("a sweep needs at least 1 step, got " + std::to_string(steps));
  if (!std::isfinite(from) || !std::isfinite(to)) throw std::invalid_argument("a sweep's range must be finite");
  std::vector<double> v(static_cast<std::size_t>(steps));
  for (int i = 0; i < steps; ++i)
    v[static_cast<std::size_t>(i)] = steps == 1 ? from : from + (to - from) * i / (steps - 1);
  if (steps > 1) v.back() = to;
  return v;
}

ExperimentConfig withA(const ExperimentConfig& base, double a) {
  if (!std::isfinite(a)) throw std::invalid_argument("a must be finite");
  ExperimentConfig c = base;
  bool any = false;
  bool networkUsed = false;
  for (LayerSpec& l : c.layers) {
    if (l.kind != LayerKind::Conv2d && l.kind != LayerKind::Linear) continue;
    if (l.init) {
      if (takesA(l.init->scheme)) {
        l.init = setA(*l.init, a);
        any = true;
      }
    } else {
      networkUsed = true;
    }
  }
  if (takesA(c.init.scheme)) {
    c.init = setA(c.init, a);
    any = any || networkUsed;
  }
  if (!any)
    throw std::invalid_argument("no layer's weight scheme takes a (sweeping a needs kaiming_uniform, kaiming_normal "
                                "or pytorch_default; the scheme is " + std::string(toString(base.init.scheme)) + ")");
  return c;
}

std::vector<RunResult> sweepA(const ExperimentConfig& base, const std::vector<double>& values,
                              const std::atomic<bool>* cancel) {
  return sweepA(base, values, cancel, SweepOptions{});
}

std::vector<RunResult> sweepA(const ExperimentConfig& base, const std::vector<double>& values,
                              const std::atomic<bool>* cancel, const SweepOptions& options) {
  std::vector<ExperimentConfig> configs;
  configs.reserve(values.size());
  for (double a : values) configs.push_back(withA(base, a));
  return runAll(configs, cancel, options);
}

ExperimentConfig withDepth(const ExperimentConfig& base, int depth, const DepthStack& stack) {
  ExperimentConfig c = base;
  const int outputs = base.loss == LossKind::MSE ? 1 : 10;
  int features = 784, channels = 1;
  if (base.data.source == DataSource::Synthetic) {
    const std::vector<int>& s = base.data.syntheticShape;
    features = 1;
    for (int d : s) features *= d;
    channels = s.size() == 3 ? s[0] : 1;
    if (stack.kind == StackKind::Conv && s.size() != 3)
      throw std::invalid_argument("a conv stack needs image inputs (C, H, W); the synthetic shape has " +
                                  std::to_string(s.size()) + " dimensions");
  } else if (base.data.source == DataSource::Idx) {
    DataConfig one = base.data;
    one.batch = 1;
    one.sampling = Sampling::First;
    const Batch b = loadBatch(one, 0);
    features = static_cast<int>(b.x.shape.itemSize());
  }
  c.layers = deepStack(stack.kind, depth, stack.width, stack.activation, outputs, features, channels);
  return c;
}

std::vector<RunResult> sweepDepth(const ExperimentConfig& base, const std::vector<int>& depths,
                                  const DepthStack& stack, const std::atomic<bool>* cancel,
                                  const SweepOptions& options) {
  std::vector<ExperimentConfig> configs;
  for (int d : depths) configs.push_back(withDepth(base, d, stack));
  return runAll(configs, cancel, options);
}

std::vector<RunResult> sweepSeeds(const ExperimentConfig& base, const std::vector<std::uint64_t>& seeds,
                                  const std::atomic<bool>* cancel, const SweepOptions& options) {
  std::vector<ExperimentConfig> configs;
  for (std::uint64_t s : seeds) {
    configs.push_back(base);
    configs.back().seed = s;
  }
  return runAll(configs, cancel, options);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

Summary summarize(const std::vector<double>& v) {
  Summary s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  s.q05 = quantile(v, 0.05);
  s.q95 = quantile(v, 0.95);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

const EnsembleStat* LayerEnsemble::find(std::string_view name) const { return findIn(stats, name); }
const EnsembleStat* Ensemble::findGlobal(std::string_view name) const { return findIn(global, name); }
const EnsembleStat* Ensemble::findNotebook(std::string_view name) const { return findIn(notebook, name); }

Ensemble summarizeSeeds(const std::vector<RunResult>& runs) {
  if (runs.empty()) throw std::invalid_argument("an ensemble needs at least one run");
  const RunResult& r0 = runs.front();
  for (const RunResult& r : runs)
    if (r.config.layers != r0.config.layers)
      throw std::invalid_argument("an ensemble's runs must share one layer stack");
  Ensemble e;
  e.config = r0.config;
  for (const RunResult& r : runs) {
    e.seeds.push_back(r.config.seed);
    e.totalMs += r.timings.totalMs;
  }
  const auto collect = [&](auto&& get) {
    std::vector<double> v;
    v.reserve(runs.size());
    for (const RunResult& r : runs) v.push_back(get(r));
    return v;
  };
  e.global.push_back(stat("loss", collect([](const RunResult& r) { return r.loss; })));
  e.global.push_back(stat("input.mean", collect([](const RunResult& r) { return r.input.mean; })));
  e.global.push_back(stat("input.std", collect([](const RunResult& r) { return r.input.std; })));
  e.global.push_back(stat("input_gradient.mean", collect([](const RunResult& r) { return r.inputGradient.mean; })));
  e.global.push_back(stat("input_gradient.std", collect([](const RunResult& r) { return r.inputGradient.std; })));

  const auto nb0 = notebookStats(r0);
  for (std::size_t k = 0; k < nb0.size(); ++k)
    e.notebook.push_back(stat(nb0[k].first, collect([&](const RunResult& r) { return notebookStats(r)[k].second; })));

  for (std::size_t i = 0; i < r0.layers.size(); ++i) {
    const LayerResult& l0 = r0.layers[i];
    LayerEnsemble le;
    le.index = l0.index;
    le.label = l0.label;
    le.kind = l0.kind;
    const auto layerStat = [&](std::string name, auto&& get) {
      le.stats.push_back(stat(std::move(name), collect([&](const RunResult& r) { return get(r.layers[i]); })));
    };
    layerStat("activation.mean", [](const LayerResult& l) { return l.activation.mean; });
    layerStat("activation.std", [](const LayerResult& l) { return l.activation.std; });
    layerStat("activation.zero_fraction", [](const LayerResult& l) { return l.activation.zeroFraction; });
    layerStat("activation.saturated_fraction", [](const LayerResult& l) { return l.activation.saturatedFraction; });
    layerStat("gradient.mean", [](const LayerResult& l) { return l.gradient.mean; });
    layerStat("gradient.std", [](const LayerResult& l) { return l.gradient.std; });
    if (l0.weight) {
      layerStat("weight.mean", [](const LayerResult& l) { return l.weight->value.mean; });
      layerStat("weight.std", [](const LayerResult& l) { return l.weight->value.std; });
      layerStat("weight_grad.mean", [](const LayerResult& l) { return l.weight->grad.mean; });
      layerStat("weight_grad.std", [](const LayerResult& l) { return l.weight->grad.std; });
      layerStat("grad_data_ratio", [](const LayerResult& l) { return l.gradDataRatio; });
    }
    if (l0.bias) {
      layerStat("bias.mean", [](const LayerResult& l) { return l.bias->value.mean; });
      layerStat("bias.std", [](const LayerResult& l) { return l.bias->value.std; });
      layerStat("bias_grad.mean", [](const LayerResult& l) { return l.bias->grad.mean; });
      layerStat("bias_grad.std", [](const LayerResult& l) { return l.bias->grad.std; });
    }
    e.layers.push_back(std::move(le));
  }
  return e;
}

Ensemble seedEnsemble(const ExperimentConfig& base, int k, const std::atomic<bool>* cancel,
                      const SweepOptions& options) {
  if (k < 1) throw std::invalid_argument("an ensemble needs at least 1 seed, got " + std::to_string(k));
  std::vector<std::uint64_t> seeds;
  for (int i = 0; i < k; ++i) seeds.push_back(base.seed + static_cast<std::uint64_t>(i));
  const auto t0 = std::chrono::steady_clock::now();
  Ensemble e = summarizeSeeds(sweepSeeds(base, seeds, cancel, options));
  e.totalMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return e;
}

Json toJson(const Ensemble& e, bool withValues) {
  Json j;
  j["schema"] = "initscope.ensemble";
  j["version"] = kResultVersion;
  j["config"] = toJson(e.config);
  j["seeds"] = e.seeds;
  j["notebook"] = statsJson(e.notebook, withValues);
  j["global"] = statsJson(e.global, withValues);
  Json layers = Json::array();
  for (const LayerEnsemble& l : e.layers) {
    Json lj;
    lj["index"] = l.index;
    lj["label"] = l.label;
    lj["type"] = toString(l.kind);
    lj["stats"] = statsJson(l.stats, withValues);
    layers.push_back(std::move(lj));
  }
  j["layers"] = std::move(layers);
  j["total_ms"] = e.totalMs;
  return j;
}

std::string toCsv(const Ensemble& e) {
  std::ostringstream os;
  os.precision(9);
  os << "layer,label,stat,mean,std,q05,q95,min,max\n";
  const auto row = [&](const std::string& layer, const std::string& label, const EnsembleStat& s) {
    os << layer << ",\"" << label << "\"," << s.name << ',' << s.summary.mean << ',' << s.summary.std << ','
       << s.summary.q05 << ',' << s.summary.q95 << ',' << s.summary.min << ',' << s.summary.max << '\n';
  };
  for (const EnsembleStat& s : e.notebook) row("", "notebook", s);
  for (const EnsembleStat& s : e.global) row("", "network", s);
  for (const LayerEnsemble& l : e.layers)
    for (const EnsembleStat& s : l.stats) row(std::to_string(l.index + 1), l.label, s);
  return os.str();
}

std::string_view toString(SweepOver o) {
  switch (o) {
    case SweepOver::A: return "a";
    case SweepOver::Depth: return "depth";
    case SweepOver::Seed: return "seed";
  }
  return "?";
}

std::optional<SweepOver> parseSweepOver(std::string_view s) {
  if (s == "a") return SweepOver::A;
  if (s == "depth") return SweepOver::Depth;
  if (s == "seed" || s == "seeds") return SweepOver::Seed;
  return std::nullopt;
}

Json sweepToJson(SweepOver over, const std::vector<double>& values, const std::vector<RunResult>& results,
                 bool withHistograms) {
  if (values.size() != results.size()) throw std::invalid_argument("a sweep needs one value per result");
  Json j;
  j["schema"] = "initscope.sweep";
  j["version"] = kResultVersion;
  j["over"] = toString(over);
  j["values"] = values;
  Json points = Json::array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    Json p;
    p["value"] = values[i];
    p["result"] = toJson(results[i], withHistograms);
    points.push_back(std::move(p));
  }
  j["points"] = std::move(points);
  return j;
}

std::string sweepToCsv(const std::vector<double>& values, const std::vector<RunResult>& results) {
  if (values.size() != results.size()) throw std::invalid_argument("a sweep needs one value per result");
  std::ostringstream os;
  os.precision(17);
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::istringstream csv(toCsv(results[i]));
    std::string line;
    bool header = true;
    while (std::getline(csv, line)) {
      if (header) {
        if (i == 0) os << "value," << line << '\n';
        header = false;
        continue;
      }
      os << values[i] << ',' << line << '\n';
    }
  }
  return os.str();
}

}  // namespace initscope
