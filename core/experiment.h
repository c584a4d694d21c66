#pragma once
// One experiment: config (a plain value) -> run -> RunResult (a plain value). The GUI's worker,
// the CLI and the tests all call run(); nothing else touches the engine's tensors.
#include "data.h"
#include "init.h"
#include "layers/spec.h"
#include "loss.h"
#include "network.h"
#include "stats.h"

#include <atomic>
#include <memory>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace initscope {

enum class DataSource { Mnist, Idx, Synthetic };

struct DataConfig {
  DataSource source = DataSource::Mnist;
  std::string imagesPath, labelsPath;                  // Idx: gzip'd or plain IDX files
  int batch = 100;
  Sampling sampling = Sampling::First;
  bool normalize = true;                               // (x/255 - mean) / std
  std::optional<Normalization> normalization;          // nullopt: the loaded set's own mean and std
  std::vector<int> syntheticShape{1, 28, 28};          // Synthetic: one example's shape (C,H,W) or (F)
  bool operator==(const DataConfig&) const = default;
};

struct ExperimentConfig {
  std::string name;                 // a preset's name, or free text
  DataConfig data;
  std::vector<LayerSpec> layers;
  InitSpec init;                    // the network-wide weight scheme (layers may override)
  BiasSpec bias;                    // the network-wide bias scheme (layers may override)
  LossKind loss = LossKind::MSE;
  std::uint64_t seed = 0;           // weights draw from (seed, layer); random batches from seed
  HistogramOptions histogram;
  int threads = 0;                  // 0: OpenMP's default
  bool operator==(const ExperimentConfig&) const = default;
};

// Stated limits: past them run() refuses with a LimitError before allocating anything.
struct Limits {
  static constexpr int kMaxBatch = 60000;
  static constexpr int kMaxLayers = 500;
  static constexpr int kMaxChannels = 4096;
  static constexpr int kMaxHistogramBins = 1000;
  static constexpr std::uint64_t kDefaultMemoryBudget = 8ULL << 30;  // 8 GiB
};

class LimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes the run will hold at its peak (activations, gradients, parameters, per-thread conv scratch).
std::uint64_t estimateMemory(const ExperimentConfig& config);

struct ParamResult {
  Shape shape;
  TensorStats value;
  TensorStats grad;
};

struct LayerResult {
  int index = 0;
  std::string label;  // "conv2d 1->8 5x5 s2 p2"
  LayerKind kind = LayerKind::ReLU;
  Shape outputShape;
  TensorStats activation;  // the layer's output
  TensorStats gradient;    // dL/d(the layer's output)
  std::optional<ParamResult> weight;
  std::optional<ParamResult> bias;
  double gradDataRatio = 0.0;   // std(dW) / std(W); 0 without a weight
  std::optional<InitSpec> init; // the weight scheme this layer got
  std::optional<InitDescription> initDescription;
  double fanIn = 0.0, fanOut = 0.0;
  int lsuvIterations = 0;
};

struct Timings {
  double dataMs = 0, initMs = 0, forwardMs = 0, backwardMs = 0, statsMs = 0, totalMs = 0;
};

struct RunResult {
  ExperimentConfig config;
  std::string datasetName;
  Shape inputShape;
  TensorStats input;
  std::vector<LayerResult> layers;
  double loss = 0.0;
  TensorStats inputGradient;
  Timings timings;
  int threads = 0;
};

// Runs forward, loss and backward once and collects every statistic. Throws SpecError (bad
// stack), DataError (bad data), LimitError (over a limit), Cancelled (cancel became true),
// std::invalid_argument (bad option).
RunResult run(const ExperimentConfig& config, const std::atomic<bool>* cancel = nullptr);

// run() that keeps its network, batch and buffers between calls: while the stack, the batch and
// the data stay the same (only the init, seed or a change), a run allocates nothing. One Engine
// per thread; results are identical to run()'s.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  RunResult run(const ExperimentConfig& config, const std::atomic<bool>* cancel = nullptr);

  struct State;  // opaque: the cached network, batch and buffers

 private:
  std::unique_ptr<State> state_;
};

// Everything needed to check a run elsewhere: the resolved stack, every parameter and gradient,
// the batch, targets and output.
struct RunDump {
  RunResult result;
  Tensor input;
  std::vector<double> targets;
  std::vector<int> classes;
  Tensor output;
  std::vector<Tensor> activations;     // per layer
  std::vector<Tensor> weights, biases;  // per layer (empty tensors where none)
  std::vector<Tensor> weightGrads, biasGrads;
};
RunDump runWithDump(const ExperimentConfig& config);

// The batch a config selects (dataset loaded and cached per path, normalised, sampled).
Batch loadBatch(const DataConfig& data, std::uint64_t seed, std::string* datasetName = nullptr);

std::string_view toString(DataSource s);
std::optional<DataSource> parseDataSource(std::string_view s);

}  // namespace initscope
