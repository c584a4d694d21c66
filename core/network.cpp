#include "network.h"

#include "parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace initscope {

SpecError::SpecError(int layer, const std::string& message) : std::runtime_error(message), layer_(layer) {}

namespace {
std::string where(int i, const LayerSpec& s) { return "layer " + std::to_string(i + 1) + " (" + s.label() + "): "; }

// The weight values a layer would allocate when built. inferShapes builds each layer to ask its
// output shape, so an absurd spec (a billion channels, a huge kernel) is refused here, by name,
// before any allocation can fail.
double weightValues(const LayerSpec& s) {
  const auto pos = [](int v) { return v > 0 ? static_cast<double>(v) : 0.0; };
  switch (s.kind) {
    case LayerKind::Conv2d: return pos(s.inChannels) * pos(s.outChannels) * pos(s.kernelH) * pos(s.kernelW);
    case LayerKind::Linear: return pos(s.inChannels) * pos(s.outChannels);
    case LayerKind::BatchNorm2d: return pos(s.inChannels);
    default: return 0;
  }
}
}  // namespace

std::vector<Shape> inferShapes(const std::vector<LayerSpec>& specs, const Shape& input) {
  if (specs.empty()) throw SpecError(-1, "the layer stack is empty");
  if (input.rank < 2 || input.numel() == 0) throw SpecError(-1, "the input shape " + input.str() + " has no batch");
  std::vector<Shape> shapes{input};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (const double n = weightValues(specs[i]); n > static_cast<double>(kMaxLayerWeights)) {
      char count[32];
      std::snprintf(count, sizeof count, "%.3g", n);
      throw SpecError(static_cast<int>(i), where(static_cast<int>(i), specs[i]) + "its weight would hold " + count +
                                               " values, more than the limit of " + std::to_string(kMaxLayerWeights) +
                                               " (1 GiB)");
    }
    try {
      auto layer = makeLayer<float>(specs[i]);
      shapes.push_back(layer->outputShape(shapes.back()));
    } catch (const ShapeError& e) {
      throw SpecError(static_cast<int>(i), where(static_cast<int>(i), specs[i]) + e.what());
    }
  }
  return shapes;
}

template <class T>
Network<T>::Network(const std::vector<LayerSpec>& specs, const Shape& inputShape) {
  shapes_ = inferShapes(specs, inputShape);
  for (const LayerSpec& s : specs) layers_.push_back(makeLayer<T>(s));
  acts_.resize(layers_.size() + 1);
  grads_.resize(layers_.size() + 1);
}

template <class T>
InitSpec Network<T>::weightInitFor(int i, const InitSpec& network) const {
  const LayerSpec& s = layer(i).spec();
  if (s.init) return *s.init;
  if (s.kind == LayerKind::BatchNorm2d) return InitSpec{.scheme = Scheme::Ones};
  return network;
}

template <class T>
BiasSpec Network<T>::biasInitFor(int i, const BiasSpec& network) const {
  const LayerSpec& s = layer(i).spec();
  if (s.biasInit) return *s.biasInit;
  if (s.kind == LayerKind::BatchNorm2d) return BiasSpec{.scheme = BiasScheme::Zeros};
  return network;
}

template <class T>
void Network<T>::initialize(const InitSpec& weights, const BiasSpec& bias, std::uint64_t seed) {
  for (int i = 0; i < size(); ++i) {
    Layer<T>& l = layer(i);
    Param<T>* w = l.weight();
    if (!w) continue;
    const InitSpec ws = weightInitFor(i, weights);
    try {
      initWeight(w->value, ws, Rng(seed, 2 * static_cast<std::uint64_t>(i)));
      if (Param<T>* b = l.bias()) {
        const double fanIn = w->value.shape.rank >= 2 ? calculateFans(w->value.shape).fanIn : 0.0;
        initBias(b->value, biasInitFor(i, bias), fanIn, Rng(seed, 2 * static_cast<std::uint64_t>(i) + 1));
      }
    } catch (const std::invalid_argument& e) {
      throw SpecError(i, where(i, l.spec()) + e.what());
    }
  }
}

template <class T>
std::vector<int> Network<T>::applyLsuv(const TensorT<T>& x, const InitSpec& network) {
  std::vector<int> iterations(static_cast<std::size_t>(size()), 0);
  for (int i = 0; i < size(); ++i) {
    const InitSpec s = weightInitFor(i, network);
    Param<T>* w = layer(i).weight();
    if (s.scheme != Scheme::LSUV || !w) continue;
    for (int it = 0; it < s.lsuvMaxIterations; ++it) {
      forward(x);
      const TensorT<T>& y = activation(i);
      double sum = 0, ss = 0;
      for (T v : y.data) sum += v;
      const double mean = sum / static_cast<double>(y.numel());
      for (T v : y.data) ss += (v - mean) * (v - mean);
      const double sd = std::sqrt(ss / static_cast<double>(y.numel() - 1));
      if (!(sd > 0) || !std::isfinite(sd))
        throw SpecError(i, where(i, layer(i).spec()) + "LSUV cannot rescale: the output std is " + std::to_string(sd));
      if (std::abs(sd - 1.0) < s.lsuvTolerance) break;
      for (T& v : w->value.data) v = static_cast<T>(v / sd);
      iterations[static_cast<std::size_t>(i)] = it + 1;
    }
  }
  return iterations;
}

template <class T>
void Network<T>::checkInput(const TensorT<T>& x) {
  if (x.shape != shapes_.front()) {
    Shape expect = shapes_.front();
    expect[0] = x.shape[0];
    if (x.shape != expect)
      throw SpecError(-1, "the input has shape " + x.shape.str() + " but the stack was built for " + shapes_.front().str());
    std::vector<LayerSpec> specs;
    for (const auto& l : layers_) specs.push_back(l->spec());
    shapes_ = inferShapes(specs, x.shape);
  }
  const int N = x.shape[0];
  std::size_t bytesPerItem = 0;
  for (std::size_t i = 1; i < shapes_.size(); ++i) bytesPerItem += 2 * shapes_[i].itemSize() * sizeof(T);
  // Chunks sized so one chunk's activations and gradients stay within about 1 MiB, in whole groups
  // of kLanes items (the conv kernels' unit; slots are cut in the same unit).
  const std::size_t fit = (std::size_t(1) << 20) / std::max<std::size_t>(bytesPerItem, 1);
  chunkItems_ = static_cast<int>(std::clamp<std::size_t>(fit / kLanes, 1, 16)) * kLanes;
  // A linear layer's weight is large next to one item's activations: small chunks would make
  // skinny GEMMs and stream each weight once per chunk. Stacks with one take whole slots (and
  // so never run in windows: its weight gradient is one GEMM over the whole batch).
  for (const auto& l : layers_)
    if (l->spec().kind == LayerKind::Linear) chunkItems_ = N;
}

template <class T>
void Network<T>::beginForward(const TensorT<T>& x, int rows) {
  windowed_ = rows < x.shape[0];
  const auto rowsOf = [rows](Shape s) {
    s[0] = rows;
    return s;
  };
  acts_[0].resize(rowsOf(x.shape));  // filled by copyInput, chunk by chunk where the first layer is itemwise
  input_ = &x;
  for (int i = 0; i < size(); ++i) {
    acts_[static_cast<std::size_t>(i) + 1].resize(rowsOf(shapes_[static_cast<std::size_t>(i) + 1]));
    layers_[static_cast<std::size_t>(i)]->prepare(rowsOf(shapes_[static_cast<std::size_t>(i)]));
  }
}

template <class T>
void Network<T>::beginBackward() {
  for (int i = 0; i <= size(); ++i) grads_[static_cast<std::size_t>(i)].resize(acts_[static_cast<std::size_t>(i)].shape);
  for (const auto& l : layers_) l->beginBackward();
}

template <class T>
void Network<T>::copyInput(int n0, int n1, int at) {
  const std::size_t item = input_->shape.itemSize();
  std::copy(input_->data.begin() + static_cast<std::ptrdiff_t>(n0 * item),
            input_->data.begin() + static_cast<std::ptrdiff_t>(n1 * item),
            acts_[0].data.begin() + static_cast<std::ptrdiff_t>(at * item));
}

template <class T>
void Network<T>::forwardChunk(int first, int end, int c0, int c1, int slot) {
  for (int k = first; k < end; ++k)
    layers_[static_cast<std::size_t>(k)]->forwardItems(acts_[static_cast<std::size_t>(k)],
                                                       acts_[static_cast<std::size_t>(k) + 1], c0, c1, slot);
}

template <class T>
void Network<T>::backwardChunk(int last, int first, int c0, int c1, int slot) {
  for (int k = last; k >= first; --k)
    layers_[static_cast<std::size_t>(k)]->backwardItems(acts_[static_cast<std::size_t>(k)],
                                                        acts_[static_cast<std::size_t>(k) + 1],
                                                        grads_[static_cast<std::size_t>(k) + 1], inputGradOf(k), c0,
                                                        c1, slot);
}

template <class T>
void Network<T>::finishBackward(int k) {
  layers_[static_cast<std::size_t>(k)]->finishBackward(acts_[static_cast<std::size_t>(k)],
                                                       grads_[static_cast<std::size_t>(k) + 1]);
}

// Calls chunk(slot, c0, c1) for the chunks of every slot (a slot's chunks in order, the slots in
// parallel) until the cancel flag is seen, then throws Cancelled if it was.
template <class T>
template <class F>
void Network<T>::forEachChunk(int N, F&& chunk) {
  std::atomic<bool> stop{false};
  forEachSlot(N, [&](int slot, int b, int e) {
    for (int c0 = b; c0 < e && !stop.load(std::memory_order_relaxed); c0 += chunkItems_) {
      if (cancel_ && cancel_->load(std::memory_order_relaxed)) stop = true;
      chunk(slot, c0, std::min(e, c0 + chunkItems_));
    }
  }, kLanes);
  checkCancel();
}

template <class T>
void Network<T>::forward(const TensorT<T>& x) {
  checkInput(x);
  beginForward(x, x.shape[0]);
  const int N = x.shape[0], L = size();
  for (int i = 0; i < L;) {
    checkCancel();
    Layer<T>& first = *layers_[static_cast<std::size_t>(i)];
    if (!first.itemwise()) {
      if (i == 0) copyInput(0, N, 0);
      first.forwardItems(acts_[static_cast<std::size_t>(i)], acts_[static_cast<std::size_t>(i) + 1], 0, N, 0);
      ++i;
      continue;
    }
    int j = i;
    while (j < L && layers_[static_cast<std::size_t>(j)]->itemwise()) ++j;
    forEachChunk(N, [&](int slot, int c0, int c1) {
      if (i == 0) copyInput(c0, c1, c0);
      forwardChunk(i, j, c0, c1, slot);
    });
    i = j;
  }
  checkCancel();
}

template <class T>
void Network<T>::backward(const TensorT<T>& gradOutput) {
  if (windowed_) throw std::logic_error("backward needs the activations of a forward pass");
  if (gradOutput.shape != acts_.back().shape)
    throw std::invalid_argument("output gradient has shape " + gradOutput.shape.str() + ", the output " +
                                acts_.back().shape.str());
  const int N = gradOutput.shape[0], L = size();
  beginBackward();
  std::copy(gradOutput.data.begin(), gradOutput.data.end(), grads_.back().data.begin());
  for (int i = L - 1; i >= 0;) {
    checkCancel();
    Layer<T>& last = *layers_[static_cast<std::size_t>(i)];
    if (!last.itemwise()) {
      last.backwardItems(acts_[static_cast<std::size_t>(i)], acts_[static_cast<std::size_t>(i) + 1],
                         grads_[static_cast<std::size_t>(i) + 1], inputGradOf(i), 0, N, 0);
      finishBackward(i);
      --i;
      continue;
    }
    int j = i;
    while (j > 0 && layers_[static_cast<std::size_t>(j) - 1]->itemwise()) --j;
    forEachChunk(N, [&](int slot, int c0, int c1) { backwardChunk(i, j, c0, c1, slot); });
    for (int k = i; k >= j; --k) finishBackward(k);
    i = j - 1;
  }
}

template <class T>
void Network<T>::forwardBackward(const TensorT<T>& x, const OutputGradient& outputGrad) {
  const int L = size();
  bool itemwise = true;
  for (const auto& l : layers_) itemwise = itemwise && l->itemwise();
  if (!itemwise) {
    const auto t0 = std::chrono::steady_clock::now();
    forward(x);
    const double forward = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    TensorT<T> g(acts_.back().shape);
    outputGrad(acts_.back(), g, 0, x.shape[0]);
    backward(g);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    forwardShare_ = total > 0 ? forward / total : 0.5;
    return;
  }
  checkInput(x);
  const int N = x.shape[0];
  // Without retain_, one window of chunkItems_ rows per thread (each thread runs its chunks one
  // after another); not worth it when the windows would hold the batch.
  const int windowRows = chunkItems_ * std::max(1, engineThreads());
  beginForward(x, retain_ || windowRows >= N ? N : windowRows);
  beginBackward();
  if (windowed_) {
    output_.resize(shapes_.back());
    outputGrad_.resize(shapes_.back());
  }
  checkCancel();
  using Clock = std::chrono::steady_clock;
  double seconds[kSlots][2] = {};  // forward (with the output gradient) and backward, per slot
  const std::size_t outItem = shapes_.back().itemSize();
  forEachChunk(N, [&](int slot, int c0, int c1) {
    const Clock::time_point t0 = Clock::now();
    // The rows the chunk's items take in acts_ and grads_: their own, or the thread's window.
    const int at = windowed_ ? engineThreadIndex() * chunkItems_ : c0, end = at + (c1 - c0);
    copyInput(c0, c1, at);
    forwardChunk(0, L, at, end, slot);
    if (windowed_) {
      std::copy_n(acts_.back().item(at), (c1 - c0) * outItem, output_.item(c0));
      outputGrad(output_, outputGrad_, c0, c1);
      std::copy_n(outputGrad_.item(c0), (c1 - c0) * outItem, grads_.back().item(at));
    } else {
      outputGrad(acts_.back(), grads_.back(), c0, c1);
    }
    const Clock::time_point t1 = Clock::now();
    backwardChunk(L - 1, 0, at, end, slot);
    seconds[slot][0] += std::chrono::duration<double>(t1 - t0).count();
    seconds[slot][1] += std::chrono::duration<double>(Clock::now() - t1).count();
  });
  for (int k = L - 1; k >= 0; --k) finishBackward(k);
  double forward = 0, total = 0;
  for (const auto& s : seconds) {
    forward += s[0];
    total += s[0] + s[1];
  }
  forwardShare_ = total > 0 ? forward / total : 0.5;
}

template class Network<float>;
template class Network<double>;

}  // namespace initscope
