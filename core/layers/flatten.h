#pragma once
// flatten (torch.nn.Flatten, start_dim=1): in (N,C,H,W) -> out (N,C*H*W); a copy both ways.
#include "layer.h"

namespace initscope {

template <class T>
class Flatten final : public Layer<T> {
 public:
  explicit Flatten(const LayerSpec& spec) : Layer<T>(spec) {}
  Shape outputShape(const Shape& in) const override;
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;
};

}  // namespace initscope
