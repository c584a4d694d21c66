#pragma once
// linear: in (N,F), w (OUT,F), b (OUT) -> out (N,OUT) = x w^T + b.
// Backward: dx = dy w; dW = dy^T x computed per fixed block of output rows over the whole batch.
#include "layer.h"

namespace initscope {

template <class T>
class Linear final : public Layer<T> {
 public:
  explicit Linear(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override;
  void forward(const TensorT<T>& x, TensorT<T>& y) override;
  void backward(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>& dx) override;
};

}  // namespace initscope
