#pragma once
// Many runs of one experiment: sweeps over the kaiming slope a, over depth and over seeds, and
// seed ensembles (the mean, std and 5-95% band of every statistic over K seeds). Points run in
// parallel; every result is bit-identical whatever the thread count, because each point is one
// ordinary run() (itself thread-count independent) and results are kept in point order.
#include "experiment.h"
#include "presets.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace initscope {

// How the points share the machine.
//   OverPoints: the points are spread over the threads, each run single-threaded.
//   WithinRuns: one point after the other, each run using every thread.
//   Auto:       OverPoints unless there is one point, one thread, or the side-by-side runs would
//               together need more than 4 GiB. Measured on 2 cores, OverPoints is 1.1-1.6x faster
//               for the lesson's runs at batch 100 to 10000 (README, "Sweeps").
enum class SweepParallelism { Auto, OverPoints, WithinRuns };

struct SweepOptions {
  SweepParallelism parallelism = SweepParallelism::Auto;
  int threads = 0;  // 0: the base config's threads, else OpenMP's default
};

// Runs every config; results in the configs' order. Throws what run() throws (the first failing
// point in order), Cancelled when cancel becomes true.
std::vector<RunResult> runAll(const std::vector<ExperimentConfig>& configs, const std::atomic<bool>* cancel = nullptr,
                              const SweepOptions& options = {});

// `steps` evenly spaced values from `from` to `to` inclusive (one value when steps is 1).
std::vector<double> linspace(double from, double to, int steps);

// --- over a -----------------------------------------------------------------------------------
// The config with the kaiming slope set to a: in the network-wide scheme and in every layer
// override that is a kaiming scheme or PyTorch's default. PyTorch's default *is*
// kaiming_uniform(a=sqrt 5, fan_in, leaky_relu), so it becomes kaiming_uniform(a); biases keep
// their scheme. Throws std::invalid_argument when no weight scheme of the stack takes an a.
ExperimentConfig withA(const ExperimentConfig& base, double a);
std::vector<RunResult> sweepA(const ExperimentConfig& base, const std::vector<double>& values,
                              const std::atomic<bool>* cancel = nullptr);
std::vector<RunResult> sweepA(const ExperimentConfig& base, const std::vector<double>& values,
                              const std::atomic<bool>* cancel, const SweepOptions& options);

// --- over depth -------------------------------------------------------------------------------
// L identical blocks (see deepStack()); the final layer has 1 output for mse, 10 for cross_entropy.
// Everything but the layers comes from the base config.
struct DepthStack {
  StackKind kind = StackKind::Mlp;
  int width = 256;  // features (mlp) or channels (conv)
  LayerKind activation = LayerKind::ReLU;
};
ExperimentConfig withDepth(const ExperimentConfig& base, int depth, const DepthStack& stack);
std::vector<RunResult> sweepDepth(const ExperimentConfig& base, const std::vector<int>& depths,
                                  const DepthStack& stack, const std::atomic<bool>* cancel = nullptr,
                                  const SweepOptions& options = {});

// --- over seeds -------------------------------------------------------------------------------
std::vector<RunResult> sweepSeeds(const ExperimentConfig& base, const std::vector<std::uint64_t>& seeds,
                                  const std::atomic<bool>* cancel = nullptr, const SweepOptions& options = {});

// --- seed ensembles ---------------------------------------------------------------------------
// Summary of one statistic over the seeds: std is unbiased, quantiles interpolate linearly
// between order statistics (torch.quantile's default).
struct Summary {
  double mean = 0, std = 0, q05 = 0, q95 = 0, min = 0, max = 0;
};
Summary summarize(const std::vector<double>& values);
double quantile(std::vector<double> values, double q);

struct EnsembleStat {
  std::string name;            // "activation.std", "loss", "out_std", ...
  Summary summary;
  std::vector<double> values;  // one per seed, in seed order
};

struct LayerEnsemble {
  int index = 0;
  std::string label;
  LayerKind kind = LayerKind::ReLU;
  // activation.{mean,std,zero_fraction,saturated_fraction}, gradient.{mean,std}; with a weight:
  // weight.{mean,std}, weight_grad.{mean,std}, grad_data_ratio; with a bias: bias.{mean,std},
  // bias_grad.{mean,std}
  std::vector<EnsembleStat> stats;
  const EnsembleStat* find(std::string_view name) const;
};

struct Ensemble {
  ExperimentConfig config;                // the first seed's config
  std::vector<std::uint64_t> seeds;
  std::vector<EnsembleStat> global;       // loss, input.{mean,std}, input_gradient.{mean,std}
  std::vector<EnsembleStat> notebook;     // notebookStats(): weight_mean ... grad_w0_std
  std::vector<LayerEnsemble> layers;
  double totalMs = 0;                     // wall time of all the runs
  const EnsembleStat* findGlobal(std::string_view name) const;
  const EnsembleStat* findNotebook(std::string_view name) const;
};

// Summarises runs of one stack under different seeds (throws std::invalid_argument when the
// runs' stacks differ or there are none).
Ensemble summarizeSeeds(const std::vector<RunResult>& runs);
// K runs with seeds base.seed, base.seed + 1, ..., base.seed + K - 1.
Ensemble seedEnsemble(const ExperimentConfig& base, int k, const std::atomic<bool>* cancel = nullptr,
                      const SweepOptions& options = {});

// --- documents (schemas in README.md) ---------------------------------------------------------
// {"schema": "initscope.ensemble", "version": 1, "config", "seeds", "notebook", "global", "layers"}
nlohmann::ordered_json toJson(const Ensemble& e, bool withValues = true);
// One row per statistic: layer,label,stat,mean,std,q05,q95,min,max (layer empty for global ones).
std::string toCsv(const Ensemble& e);

enum class SweepOver { A, Depth, Seed };
std::string_view toString(SweepOver o);  // "a", "depth", "seed"
std::optional<SweepOver> parseSweepOver(std::string_view s);
// {"schema": "initscope.sweep", "version": 1, "over", "values", "points": [{"value", "result"}]}
nlohmann::ordered_json sweepToJson(SweepOver over, const std::vector<double>& values,
                                   const std::vector<RunResult>& results, bool withHistograms = false);
// The result CSV (io.h toCsv) of every point, each row prefixed with the point's value.
std::string sweepToCsv(const std::vector<double>& values, const std::vector<RunResult>& results);

}  // namespace initscope
