#pragma once
// linear: in (N,F), w (OUT,F), b (OUT) -> out (N,OUT) = x w^T + b.
// Backward: dx = dy w per chunk of rows; dW = dy^T x afterwards, per fixed block of output rows
// over the whole batch (one GEMM each, no cross-thread reduction).
#include "layer.h"

namespace initscope {

template <class T>
class Linear final : public Layer<T> {
 public:
  explicit Linear(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override;
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;
  void finishBackward(const TensorT<T>& x, const TensorT<T>& dy) override;
};

}  // namespace initscope
