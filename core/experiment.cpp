#include "experiment.h"

#include "network.h"
#include "parallel.h"

#include <chrono>
#include <cmath>
#include <map>
#include <mutex>

namespace initscope {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct CachedSet {
  std::shared_ptr<const Dataset> data;
  Normalization norm;
};

// IDX files are parsed once per (images, labels) path pair; the embedded set once per process.
CachedSet cachedDataset(const DataConfig& d) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, CachedSet> cache;
  const auto key = d.source == DataSource::Mnist ? std::make_pair(std::string(), std::string())
                                                  : std::make_pair(d.imagesPath, d.labelsPath);
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    CachedSet s;
    s.data = d.source == DataSource::Mnist ? embeddedMnist()
                                           : std::make_shared<const Dataset>(loadIdx(d.imagesPath, d.labelsPath));
    s.norm = datasetNormalization(*s.data);
    if (cache.size() > 8) cache.clear();
    it = cache.emplace(key, std::move(s)).first;
  }
  return it->second;
}

Saturation saturationOf(LayerKind k) {
  if (k == LayerKind::Tanh) return Saturation::Tanh;
  if (k == LayerKind::Sigmoid) return Saturation::Sigmoid;
  return Saturation::None;
}

void checkLimits(const ExperimentConfig& c) {
  if (c.data.batch < 1 || c.data.batch > Limits::kMaxBatch)
    throw LimitError("batch " + std::to_string(c.data.batch) + " is outside 1.." + std::to_string(Limits::kMaxBatch));
  if (c.layers.size() > static_cast<std::size_t>(Limits::kMaxLayers))
    throw LimitError(std::to_string(c.layers.size()) + " layers is more than the limit of " +
                     std::to_string(Limits::kMaxLayers));
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const LayerSpec& s = c.layers[i];
    if (s.inChannels > Limits::kMaxChannels || s.outChannels > Limits::kMaxChannels)
      throw SpecError(static_cast<int>(i), "layer " + std::to_string(i + 1) + " (" + s.label() + "): more than " +
                                               std::to_string(Limits::kMaxChannels) + " channels or features");
  }
  if (c.histogram.bins < 1 || c.histogram.bins > Limits::kMaxHistogramBins)
    throw LimitError("histogram bins " + std::to_string(c.histogram.bins) + " is outside 1.." +
                     std::to_string(Limits::kMaxHistogramBins));
  if (c.threads < 0 || c.threads > 256) throw LimitError("threads must be 0 (default) to 256");
}

Shape inputShapeOf(const DataConfig& d, int rows, int cols);

// The batch's shape: IDX files give their own image size (read once, then cached).
Shape inputShapeOf(const DataConfig& d) {
  if (d.source != DataSource::Idx) return inputShapeOf(d, 28, 28);
  const CachedSet s = cachedDataset(d);
  return inputShapeOf(d, s.data->rows, s.data->cols);
}

// Bytes a run holds at its peak, from the stack's shapes: every activation and gradient, the
// batch, each conv's per-thread scratch (a chunk of padded, lane-interleaved inputs and output
// gradients: at most 16 groups of kLanes items, or the batch if smaller; the half-width buffers
// of a last group of 8 or fewer; the dW lane accumulators), its repacked weights and
// per-slot gradient partials (double), max-pool argmax indices, and linear weights and gradients.
std::uint64_t bytesFor(const std::vector<LayerSpec>& layers, const std::vector<Shape>& shapes) {
  std::uint64_t floats = 0;
  for (const Shape& s : shapes) floats += 2 * static_cast<std::uint64_t>(s.numel());  // activation + gradient
  floats += static_cast<std::uint64_t>(shapes.front().numel());                      // the batch itself
  const std::uint64_t threads = static_cast<std::uint64_t>(std::max(1, engineThreads()));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const Shape& in = shapes[i];
    const Shape& o = shapes[i + 1];
    if (l.kind == LayerKind::Conv2d) {
      const auto up4 = [](std::uint64_t n) { return (n + 3) / 4 * 4; };
      const std::uint64_t C = static_cast<std::uint64_t>(l.inChannels), OC = up4(static_cast<std::uint64_t>(l.outChannels));
      const std::uint64_t K = C * l.kernelH * l.kernelW;
      const std::uint64_t plane = static_cast<std::uint64_t>(in[2] + 2 * l.padH) * (in[3] + 2 * l.padW);
      const std::uint64_t P = static_cast<std::uint64_t>(o[2]) * o[3];
      const std::uint64_t groups = std::min<std::uint64_t>(16, (static_cast<std::uint64_t>(in[0]) + kLanes - 1) / kLanes);
      const std::uint64_t perGroup = (C * plane + OC * P) * kLanes;                 // input and dY
      floats += threads * (groups * perGroup + (OC * P + up4(C) * plane) * kLanes);  // + one y, one dX
      floats += threads * (perGroup + (OC * P + up4(C) * plane) * kLanes) / 2;      // a narrow last group's
      floats += threads * (K * OC + OC) * kLanes;                                    // dW and db lane sums
      floats += 2 * K * OC + 2 * static_cast<std::uint64_t>(kSlots) * K * OC;        // W, dW, packed W, partials
    } else if (l.kind == LayerKind::MaxPool2d) {
      floats += static_cast<std::uint64_t>(o.numel());  // argmax (int32)
    } else if (l.kind == LayerKind::Linear) {
      floats += 2ULL * static_cast<std::uint64_t>(l.inChannels) * l.outChannels;
    }
  }
  return floats * sizeof(float);
}

Shape inputShapeOf(const DataConfig& d, int rows, int cols) {
  if (d.source != DataSource::Synthetic) return Shape{d.batch, 1, rows, cols};
  std::vector<int> dims{d.batch};
  dims.insert(dims.end(), d.syntheticShape.begin(), d.syntheticShape.end());
  if (dims.size() < 2 || dims.size() > 4)
    throw std::invalid_argument("a synthetic example's shape needs 1 to 3 dimensions, e.g. [1, 28, 28] or [784]");
  return Shape::fromVector(dims);
}


}  // namespace

struct Engine::State {
  // The network is rebuilt only when the stack or the input shape changes.
  std::vector<LayerSpec> layers;
  Shape inputShape;
  std::unique_ptr<Network<float>> net;
  // The batch is reloaded only when the data config (or, for seeded sampling, the seed) changes.
  std::optional<DataConfig> data;
  std::uint64_t dataSeed = 0;
  std::string datasetName;
  Batch batch;
};

namespace {

RunResult runImpl(Engine::State& st, const ExperimentConfig& config, const std::atomic<bool>* cancel, RunDump* dump) {
  const auto t0 = Clock::now();
  checkLimits(config);
  RunResult r;
  r.config = config;
  r.threads = setEngineThreads(config.threads);

  // Shapes and memory first: a stack that cannot run or would not fit is refused before work.
  const std::uint64_t bytes = bytesFor(config.layers, inferShapes(config.layers, inputShapeOf(config.data)));
  if (bytes > Limits::kDefaultMemoryBudget)
    throw LimitError("this run needs about " + std::to_string(bytes >> 20) + " MiB, over the budget of " +
                     std::to_string(Limits::kDefaultMemoryBudget >> 20) + " MiB; use a smaller batch or stack");

  auto t = Clock::now();
  const bool seeded = config.data.sampling == Sampling::Random || config.data.source == DataSource::Synthetic;
  if (!st.data || !(*st.data == config.data) || (seeded && st.dataSeed != config.seed)) {
    st.data.reset();  // stays empty if loading throws
    st.batch = loadBatch(config.data, config.seed, &st.datasetName);
    st.data = config.data;
    st.dataSeed = config.seed;
  }
  const Batch& batch = st.batch;
  r.datasetName = st.datasetName;
  r.timings.dataMs = msSince(t);

  t = Clock::now();
  if (!st.net || st.layers != config.layers || st.inputShape != batch.x.shape) {
    st.net.reset();
    st.net = std::make_unique<Network<float>>(config.layers, batch.x.shape);
    st.layers = config.layers;
    st.inputShape = batch.x.shape;
  }
  Network<float>& net = *st.net;
  net.setCancelFlag(cancel);
  net.initialize(config.init, config.bias, config.seed);
  const std::vector<int> lsuv = net.applyLsuv(batch.x, config.init);
  r.timings.initMs = msSince(t);

  // Forward, the loss gradient and backward in one pass over the batch (see forwardBackward); the
  // pass's time is split between forward and backward by the thread time each took.
  t = Clock::now();
  const bool mse = config.loss == LossKind::MSE;
  try {
    if (mse)
      checkMse(net.shapes().back(), batch.targets.size());
    else
      checkCrossEntropy(net.shapes().back(), batch.classes);
  } catch (const std::invalid_argument& e) {
    throw SpecError(net.size() - 1, std::string("the loss cannot use this output: ") + e.what());
  }
  net.forwardBackward(batch.x, [&](const Tensor& out, Tensor& grad, int n0, int n1) {
    if (mse)
      mseGradient(out, batch.targets, grad, n0, n1);
    else
      crossEntropyGradient(out, batch.classes, grad, n0, n1);
  });
  r.loss = mse ? mseLoss<float>(net.output(), batch.targets, nullptr)
               : crossEntropyLoss<float>(net.output(), batch.classes, nullptr);
  const double stepMs = msSince(t);
  r.timings.forwardMs = stepMs * net.forwardShare();
  r.timings.backwardMs = stepMs - r.timings.forwardMs;

  t = Clock::now();
  if (cancel && cancel->load(std::memory_order_relaxed)) throw Cancelled();
  // Every tensor's statistics in one batch (two OpenMP regions), then assembled per layer.
  std::vector<StatsJob> jobs;
  auto add = [&jobs](const Tensor& x, Saturation sat = Saturation::None) {
    jobs.push_back({x.ptr(), x.numel(), sat});
    return jobs.size() - 1;
  };
  add(batch.x);
  add(net.inputGradient());
  for (int i = 0; i < net.size(); ++i) {
    const Layer<float>& l = net.layer(i);
    add(net.activation(i), saturationOf(l.spec().kind));
    add(net.gradient(i));
    for (const Param<float>* p : {l.weight(), l.bias()})
      if (p) {
        add(p->value);
        add(p->grad);
      }
  }
  std::vector<TensorStats> stats = computeStatsMany(jobs, config.histogram);
  std::size_t next = 0;
  auto take = [&] { return std::move(stats[next++]); };
  r.inputShape = batch.x.shape;
  r.input = take();
  r.inputGradient = take();
  for (int i = 0; i < net.size(); ++i) {
    const Layer<float>& l = net.layer(i);
    LayerResult lr;
    lr.index = i;
    lr.label = l.spec().label();
    lr.kind = l.spec().kind;
    lr.outputShape = net.activation(i).shape;
    lr.activation = take();
    lr.gradient = take();
    if (const Param<float>* w = l.weight()) {
      lr.weight = ParamResult{w->value.shape, take(), take()};
      lr.gradDataRatio = lr.weight->value.std > 0 ? lr.weight->grad.std / lr.weight->value.std : 0.0;
      lr.init = net.weightInitFor(i, config.init);
      if (w->value.shape.rank >= 2) {
        const Fans f = calculateFans(w->value.shape);
        lr.fanIn = f.fanIn;
        lr.fanOut = f.fanOut;
        lr.initDescription = describeInit(*lr.init, w->value.shape);
      }
      lr.lsuvIterations = lsuv[static_cast<std::size_t>(i)];
    }
    if (const Param<float>* b = l.bias()) lr.bias = ParamResult{b->value.shape, take(), take()};
    r.layers.push_back(std::move(lr));
  }
  r.timings.statsMs = msSince(t);
  r.timings.totalMs = msSince(t0);

  if (dump) {
    dump->input = batch.x;
    dump->targets = batch.targets;
    dump->classes = batch.classes;
    dump->output = net.output();
    for (int i = 0; i < net.size(); ++i) {
      Layer<float>& l = net.layer(i);
      dump->activations.push_back(net.activation(i));
      dump->weights.push_back(l.weight() ? l.weight()->value : Tensor());
      dump->weightGrads.push_back(l.weight() ? l.weight()->grad : Tensor());
      dump->biases.push_back(l.bias() ? l.bias()->value : Tensor());
      dump->biasGrads.push_back(l.bias() ? l.bias()->grad : Tensor());
    }
  }
  return r;
}

}  // namespace

Batch loadBatch(const DataConfig& d, std::uint64_t seed, std::string* datasetName) {
  if (d.source == DataSource::Synthetic) {
    if (datasetName) *datasetName = "synthetic N(0, 1)";
    return syntheticBatch(inputShapeOf(d), seed);
  }
  const CachedSet s = cachedDataset(d);
  if (datasetName) *datasetName = s.data->name;
  const Normalization norm = !d.normalize ? Normalization{0.0, 1.0 / 255.0} : d.normalization.value_or(s.norm);
  return makeBatch(*s.data, d.batch, d.sampling, seed, norm);
}

std::uint64_t estimateMemory(const ExperimentConfig& c) {
  return bytesFor(c.layers, inferShapes(c.layers, inputShapeOf(c.data)));
}

Engine::Engine() : state_(std::make_unique<State>()) {}
Engine::~Engine() = default;

RunResult Engine::run(const ExperimentConfig& config, const std::atomic<bool>* cancel) {
  try {
    return runImpl(*state_, config, cancel, nullptr);
  } catch (...) {
    state_->net.reset();  // a run that stopped half way leaves nothing half-initialised behind
    throw;
  }
}

RunResult run(const ExperimentConfig& config, const std::atomic<bool>* cancel) {
  Engine::State st;
  return runImpl(st, config, cancel, nullptr);
}

RunDump runWithDump(const ExperimentConfig& config) {
  Engine::State st;
  RunDump d;
  d.result = runImpl(st, config, nullptr, &d);
  return d;
}

std::string_view toString(DataSource s) {
  switch (s) {
    case DataSource::Mnist: return "mnist";
    case DataSource::Idx: return "idx";
    case DataSource::Synthetic: return "synthetic";
  }
  return "?";
}

std::optional<DataSource> parseDataSource(std::string_view s) {
  if (s == "mnist") return DataSource::Mnist;
  if (s == "idx") return DataSource::Idx;
  if (s == "synthetic") return DataSource::Synthetic;
  return std::nullopt;
}

}  // namespace initscope
