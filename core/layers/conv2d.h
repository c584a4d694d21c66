#pragma once
// conv2d: in (N,C,H,W), w (OC,C,KH,KW), b (OC) -> out (N,OC,OH,OW).
// im2col through a precomputed index table (a branch-free gather: padding reads a zero placed
// after the image), then one GEMM per chunk of B images, COLS being K x (B*P):
//   forward  Y (OC x B*P) = W (OC x K) * COLS + b, scattered to NCHW
//   backward dY gathered to OC x B*P; dW += dY COLS^T; db += rowsum(dY); dCOLS = W^T dY, col2im -> dx
// with K = C*KH*KW and P = OH*OW. Each chunk's COLS is kept from forward to backward, so
// backwardItems must see the same [n0, n1) chunks as forwardItems did (the network's do).
// Weight gradients are summed per fixed slot of chunks.
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
  std::vector<int> table_;  // K*P source offsets into one image; padding points past the image
  AlignedVector<T> cols_;   // chunk [n0, n1)'s COLS (K x B*P) at n0*K*P, kept for the weight gradient
  std::vector<int> chunkEnd_;  // chunkEnd_[n0] = n1 for each forward chunk
  struct Scratch {
    AlignedVector<T> pad, out, dY, dcols, dW;  // pad: one image (or its gradient) plus a zero
    std::vector<double> db;
  };
  std::vector<Scratch> scratch_;  // one per slot
};

}  // namespace initscope
