#pragma once
// The runtime layer interface. Each kind lives in its own file pair; makeLayer() builds one from
// a LayerSpec. Kernels are templates on the scalar: float for the engine, double for gradient
// checks and comparisons with PyTorch's float64 results.
#include "../tensor.h"
#include "spec.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace initscope {

// A stack that cannot run: the message names the problem and the shapes involved.
class ShapeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
struct Param {
  std::string name;  // "weight" or "bias"
  TensorT<T> value;
  TensorT<T> grad;
};

template <class T>
class Layer {
 public:
  explicit Layer(const LayerSpec& spec) : spec_(spec) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const LayerSpec& spec() const { return spec_; }

  // The output shape for an input shape (batch first); throws ShapeError when it cannot run.
  virtual Shape outputShape(const Shape& in) const = 0;

  // The engine's interface. Every layer but batchnorm works on each batch item on its own, so the
  // network runs a chunk of items through all layers while they are in cache, one chunk per
  // slot (see parallel.h). The order of calls for one run:
  //   prepare(x.shape)                                  sizes the scratch; y is sized by the caller
  //   forwardItems(x, y, n0, n1, slot)                  for chunks covering the batch
  //   beginBackward()                                   clears the per-slot gradient partials
  //   backwardItems(x, y, dy, dx, n0, n1, slot)         for the same chunks, in any order of slots
  //   finishBackward(x, dy)                             combines partials into the parameter grads
  // Within a slot, chunks come in increasing order, so slot partials sum items in a fixed order.
  // dx may be null: the input gradient is then not computed (the first layer's is not needed).
  virtual bool itemwise() const { return true; }
  virtual void prepare(const Shape& /*in*/) {}
  virtual void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) = 0;
  virtual void beginBackward() {}
  virtual void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                             int n1, int slot) = 0;
  virtual void finishBackward(const TensorT<T>& /*x*/, const TensorT<T>& /*dy*/) {}

  // Whole-batch convenience for tests and tools: x -> y, and dy -> dx with the parameter
  // gradients set (not added).
  void forward(const TensorT<T>& x, TensorT<T>& y);
  void backward(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>& dx);

  Param<T>* weight() { return weight_ ? &*weight_ : nullptr; }
  Param<T>* bias() { return bias_ ? &*bias_ : nullptr; }
  const Param<T>* weight() const { return weight_ ? &*weight_ : nullptr; }
  const Param<T>* bias() const { return bias_ ? &*bias_ : nullptr; }

 protected:
  void makeWeight(const Shape& s) { weight_ = Param<T>{"weight", TensorT<T>(s), TensorT<T>(s)}; }
  void makeBias(int n) { bias_ = Param<T>{"bias", TensorT<T>(Shape{n}), TensorT<T>(Shape{n})}; }

  LayerSpec spec_;
  std::optional<Param<T>> weight_;
  std::optional<Param<T>> bias_;
};

// Builds the runtime layer; throws ShapeError for a spec that is impossible on its own
// (non-positive channels, kernel, stride, ...).
template <class T>
std::unique_ptr<Layer<T>> makeLayer(const LayerSpec& spec);

// Output size of a sliding window (PyTorch's floor mode); throws ShapeError with dimension name.
int slidingOutput(int in, int kernel, int stride, int pad, const char* dim);

}  // namespace initscope
