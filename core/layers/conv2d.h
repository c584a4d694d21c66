#pragma once
// conv2d: in (N,C,H,W), w (OC,C,KH,KW), b (OC) -> out (N,OC,OH,OW).
//
// Direct convolution with kLanes (16) batch items side by side, one item per SIMD lane: a group
// of items is copied into a zero-padded, lane-interleaved buffer X[c][h][w][lane], and every
// multiply-add then works on whole vectors of 16 items, whatever the kernel, stride or padding
// (no gathers, masks or im2col copies; the channel counts of small nets, 1 to 32, would make
// skinny GEMMs). Register tiles of 4 output channels x 4 output pixels (forward), 4 channels x
// 4 weights (dW) and 4 weights x 4 pixels (dX) keep 16 accumulators in registers:
//   forward  Y[o][p] = b[o] + sum_k W[o][k] X[p + off(k)]               (k = c, kh, kw)
//   dW       dW[o][k] += sum_p dY[o][p] X[p + off(k)]      summed over the chunk's groups
//   dX       dX[p + off(k)] += sum_o W[o][k] dY[o][p]
// Output channels are padded to a multiple of 4 with zero weights. Nothing is kept between forward and
// backward (backward re-reads the input), so any chunks may be used. Weight gradients are summed per
// fixed slot: in each thread's lane accumulators while it works through a slot, then over the lanes.
#include "layer.h"

#include <cstddef>
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
  // Copies items [n, n + count) of x into one group of the padded, lane-interleaved input (lanes
  // past count are zero), and back from such a buffer (dX) into dx.
  void gatherInput(const TensorT<T>& x, int n, int count, T* xp) const;
  void scatterInputGrad(const T* dxp, TensorT<T>& dx, int n, int count) const;

  // Geometry of the item shape prepare() last saw.
  Shape itemShape_;
  int P_ = 0, K_ = 0;                    // output pixels OH * OW; weights per output channel C * KH * KW
  int OCp_ = 0;                          // output channels rounded up to a multiple of 4
  std::vector<std::ptrdiff_t> koff_;     // k -> offset of weight k's input in X (elements)
  std::vector<std::ptrdiff_t> xoff_;     // input element (c, h, w) -> its place in X
  std::vector<std::ptrdiff_t> pbase_;    // output pixel p -> offset of its window's corner in X
  std::size_t xGroup_ = 0, yGroup_ = 0;  // elements of one group of X (C channels) and of Y / dY (OCp)

  // Weights repacked in prepare(): wf_[k][OCp] for the forward tiles (dX reads W as it is); bias padded.
  AlignedVector<T> wf_, biasp_;

  struct Scratch {        // one per thread, used within one call
    AlignedVector<T> x;   // the chunk's input groups (forward: one)
    AlignedVector<T> dy;  // the chunk's dY groups
    AlignedVector<T> y;   // one group's output
    AlignedVector<T> dx;  // one group's input gradient (padded like x)
    // Lane accumulators of dW [k][OCp][lane] and db [OCp][lane] for slot `slot` (-1: none), summed
    // over the lanes into partial_[slot] once the thread moves on to another slot or at the end.
    AlignedVector<T> dW, db;
    int slot = -1;
  };
  std::vector<Scratch> scratch_;
  struct Partial {  // one per slot: weight and bias gradient sums of the slot's items
    std::vector<double> dW;  // [k][OCp]
    std::vector<double> db;
    bool used = false;
  };
  std::vector<Partial> partial_;
  std::vector<double> sum_;  // finishBackward's slot sums: dW [k][OCp], then db
  void flush(Scratch& sc);
};

}  // namespace initscope
