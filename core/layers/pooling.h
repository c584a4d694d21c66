#pragma once
// Pooling over each (n, c) plane, PyTorch's floor mode:
//   max_pool2d / avg_pool2d (kernel, stride, padding; avg counts padding, count_include_pad=True)
//   adaptive_avg_pool2d(OH, OW): window [floor(i*H/OH), ceil((i+1)*H/OH))
// in (N,C,H,W) -> out (N,C,OH,OW). Max pool routes the gradient to the first maximum in a window.
#include "layer.h"

#include <vector>

namespace initscope {

template <class T>
class Pool2d final : public Layer<T> {
 public:
  explicit Pool2d(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override;
  void prepare(const Shape& in) override;
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;

 private:
  // Window [h0, h1) x [w0, w1) of output (oh, ow), clipped to the input, and the avg divisor.
  struct Window {
    int h0, h1, w0, w1;
    int divisor;
  };
  Window window(int oh, int ow, int H, int W, int OH, int OW) const;
  std::vector<int> argmax_;  // max pool: input offset within its plane, per output
};

}  // namespace initscope
