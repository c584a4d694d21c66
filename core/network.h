#pragma once
// A runtime Sequential: layers built from specs, shapes inferred (and impossible stacks rejected)
// before any work, forward and backward keeping every activation and gradient for the statistics.
#include "init.h"
#include "layers/layer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

namespace initscope {

// A stack that cannot run; layer() is the 0-based index of the offending layer (-1: the stack).
class SpecError : public std::runtime_error {
 public:
  SpecError(int layer, const std::string& message);
  int layer() const { return layer_; }

 private:
  int layer_;
};

// Thrown when a run's cancel flag becomes true; checked between layers.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

// The most weight values one layer may have (2^28 floats, 1 GiB).
inline constexpr std::uint64_t kMaxLayerWeights = std::uint64_t(1) << 28;

// Shapes through the stack: result[0] is the input, result[i + 1] the output of layer i. Throws
// SpecError naming the layer that cannot run, or whose weight would exceed kMaxLayerWeights.
std::vector<Shape> inferShapes(const std::vector<LayerSpec>& specs, const Shape& input);

template <class T>
class Network {
 public:
  // Throws SpecError naming the first layer that cannot run on this input shape.
  Network(const std::vector<LayerSpec>& specs, const Shape& inputShape);

  int size() const { return static_cast<int>(layers_.size()); }
  Layer<T>& layer(int i) { return *layers_.at(static_cast<std::size_t>(i)); }
  const Layer<T>& layer(int i) const { return *layers_.at(static_cast<std::size_t>(i)); }
  const std::vector<Shape>& shapes() const { return shapes_; }

  // The scheme a layer's weight gets: its own override, else the network-wide one. BatchNorm's
  // affine parameters default to ones and zeros, as in PyTorch.
  InitSpec weightInitFor(int i, const InitSpec& network) const;
  BiasSpec biasInitFor(int i, const BiasSpec& network) const;
  // Initialises every parameter; layer i draws from its own stream of `seed`, so one layer's
  // change leaves the others' draws alone.
  void initialize(const InitSpec& weights, const BiasSpec& bias, std::uint64_t seed);
  // LSUV (Mishkin & Matas 2016): for each layer whose scheme is LSUV, in order, scale its weight
  // until its output std on x is 1 within the tolerance. Returns the iterations used per layer.
  std::vector<int> applyLsuv(const TensorT<T>& x, const InitSpec& network);

  // Checked between chunks by forward() and backward(); nullptr for none.
  void setCancelFlag(const std::atomic<bool>* cancel) { cancel_ = cancel; }
  // dL/d(input) is only computed when asked for (it costs the first layer a col2im).
  void setComputeInputGradient(bool on) { inputGradient_ = on; }
  // Whether forwardBackward keeps every activation and gradient of the batch (the default: the
  // statistics need them all). Off, it keeps, as PyTorch's autograd does for a training step,
  // only what it returns: the output, the loss gradient and the parameter gradients (the same
  // bits). Each thread's chunk then runs through one small window of buffers that stays in
  // cache, instead of writing every tensor of the batch to memory; activation(), gradient(),
  // input() and inputGradient() throw std::logic_error until a pass that keeps them. Stacks
  // with a layer that needs the whole batch (batchnorm, linear) keep everything regardless.
  void setRetainTensors(bool on) { retain_ = on; }

  // Layers that work item by item run chunk by chunk through the whole run of such layers, one
  // OpenMP region per run, so each chunk stays in cache; batchnorm runs on the whole batch.
  void forward(const TensorT<T>& x);
  void backward(const TensorT<T>& gradOutput);
  // forward(x), the output gradient, backward() in one pass when every layer works item by item:
  // each chunk runs forward, gets its rows of the output gradient from outputGrad(output, grad,
  // n0, n1) (a loss whose gradient is item by item, as mse's and cross-entropy's with mean
  // reduction are), and runs straight back while its activations are still in cache, instead of
  // a second pass that reads them back from memory. Same chunks, slots and order, so the same
  // bits as the three steps one after another (which it falls back to when a layer is not itemwise).
  using OutputGradient = std::function<void(const TensorT<T>& output, TensorT<T>& grad, int n0, int n1)>;
  void forwardBackward(const TensorT<T>& x, const OutputGradient& outputGrad);
  // The share of the last forwardBackward's thread time spent on forward and the output gradient.
  double forwardShare() const { return forwardShare_; }

  const TensorT<T>& output() const { return windowed_ ? output_ : acts_.back(); }
  const TensorT<T>& activation(int i) const { return kept(acts_, i + 1); }
  const TensorT<T>& gradient(int i) const { return kept(grads_, i + 1); }
  const TensorT<T>& input() const { return kept(acts_, 0); }
  const TensorT<T>& inputGradient() const { return kept(grads_, 0); }

 private:
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<Shape> shapes_;
  std::vector<TensorT<T>> acts_;   // acts_[0] = input copy, acts_[i + 1] = output of layer i
  std::vector<TensorT<T>> grads_;  // grads_[i + 1] = dL/d(output of layer i), grads_[0] = dL/dx
  // Without retain_, a fused pass's acts_ and grads_ hold one window of chunkItems_ rows per
  // thread (windowed_); the output and its gradient are then gathered in output_/outputGrad_.
  TensorT<T> output_, outputGrad_;
  // Checks x and sets shapes_ and chunkItems_; then sizes the activations to `rows` items (the
  // batch, or the windows) and prepares the layers for them.
  void checkInput(const TensorT<T>& x);
  void beginForward(const TensorT<T>& x, int rows);
  void copyInput(int n0, int n1, int at);  // items [n0, n1) of the forward's x into acts_[0] from row `at`
  void beginBackward();                    // sizes the gradients as the activations, clears the layers' partials
  void forwardChunk(int first, int end, int c0, int c1, int slot);    // layers [first, end)
  void backwardChunk(int last, int first, int c0, int c1, int slot);  // layers last down to first
  void finishBackward(int k);
  template <class F>
  void forEachChunk(int N, F&& chunk);
  TensorT<T>* inputGradOf(int k) {
    return k == 0 && !inputGradient_ ? nullptr : &grads_[static_cast<std::size_t>(k)];
  }
  const TensorT<T>* input_ = nullptr;  // the x of the forward pass under way (copied chunk by chunk)
  const std::atomic<bool>* cancel_ = nullptr;
  bool inputGradient_ = true;
  bool retain_ = true;
  bool windowed_ = false;
  const TensorT<T>& kept(const std::vector<TensorT<T>>& v, int i) const {
    if (windowed_)
      throw std::logic_error("the network's tensors were not kept: the last forwardBackward ran with "
                             "setRetainTensors(false)");
    return v.at(static_cast<std::size_t>(i));
  }
  int chunkItems_ = 1;          // items per chunk of the chunked passes; a function of the shapes only
  double forwardShare_ = 0.5;
  void checkCancel() const {
    if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw Cancelled();
  }
};

}  // namespace initscope
