#pragma once
// batchnorm2d in training mode: in (N,C,H,W), gamma (C), beta (C) -> out (N,C,H,W).
//   mean_c, var_c (biased) over N,H,W;  xhat = (x - mean_c) / sqrt(var_c + eps);  y = gamma xhat + beta
//   backward: dbeta = sum dy, dgamma = sum dy xhat,
//             dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat mean(dy xhat))
// Per-channel sums run in double, one channel per task, in a fixed order.
#include "layer.h"

#include <vector>

namespace initscope {

template <class T>
class BatchNorm2d final : public Layer<T> {
 public:
  explicit BatchNorm2d(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override;
  // Batch statistics couple the items: the network runs this layer on the whole batch at once.
  bool itemwise() const override { return false; }
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;

 private:
  std::vector<double> mean_, invStd_;
};

}  // namespace initscope
