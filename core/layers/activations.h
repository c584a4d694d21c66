#pragma once
// Elementwise activations: relu, leaky_relu(slope), tanh, sigmoid, gelu (exact, erf form).
// in (N,...) -> out (N,...), same shape. Backward from x (relu, leaky, gelu) or y (tanh, sigmoid).
#include "layer.h"

namespace initscope {

template <class T>
class Activation final : public Layer<T> {
 public:
  explicit Activation(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override { return in; }
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;
};

}  // namespace initscope
