#pragma once
// conv2d: in (N,C,H,W), w (OC,C,KH,KW), b (OC) -> out (N,OC,OH,OW).
// im2col through a precomputed index table, then one GEMM per image:
//   forward  Y_n (OC x P) = W (OC x K) * cols_n (K x P) + b
//   backward dW += dY_n cols_n^T, db += rowsum(dY_n), dcols = W^T dY_n, col2im -> dx_n
// with K = C*KH*KW and P = OH*OW. The im2col of every image is kept from forward to backward;
// weight gradients are summed per fixed slot of images.
#include "layer.h"

#include <vector>

namespace initscope {

template <class T>
class Conv2d final : public Layer<T> {
 public:
  explicit Conv2d(const LayerSpec& spec);
  Shape outputShape(const Shape& in) const override;
  void prepare(const Shape& in) override;
  void forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) override;
  void beginBackward() override;
  void backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dx, int n0, int n1,
                     int slot) override;
  void finishBackward(const TensorT<T>& x, const TensorT<T>& dy) override;

 private:
  int K_ = 0, P_ = 0;
  Shape tableShape_;
  std::vector<int> table_;  // K*P source offsets into one image, -1 for padding
  AlignedVector<T> cols_;   // every item's im2col (K x P), kept from forward for the weight gradient
  struct Scratch {
    AlignedVector<T> dcols, dW;
    std::vector<double> db;
  };
  std::vector<Scratch> scratch_;  // one per slot
};

}  // namespace initscope
