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
// Output channels go 4 at a time, the last 1 to 3 in narrower tiles (no padding: a conv with one
// output channel does a quarter of the work a padded tile of 4 would). Any chunks may be used; a
// backward of the chunk the thread just ran forward reuses its lane-interleaved input, otherwise
// backward gathers the input again. Weight gradients are summed per
// fixed slot: in each thread's lane accumulators while it works through a slot, then over the lanes.
// The batch's last group, when it holds 8 items or fewer, runs 8 wide (half the vector, half the cost).
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
  // Offsets into the lane-interleaved buffers for groups N items wide (in elements: they scale
  // with N). geo_[0] is for full groups (kLanes), geo_[1] for a narrow last group (kLanes / 2).
  struct Geometry {
    std::vector<std::ptrdiff_t> koff;    // k -> offset of weight k's input in X
    std::vector<std::ptrdiff_t> xoff;    // input element (c, h, w) -> its place in X
    std::vector<std::ptrdiff_t> pbase;   // output pixel p -> offset of its window's corner in X
    std::size_t xGroup = 0, yGroup = 0;  // elements of one group of X (C channels) and of Y / dY (OC)
  };
  // Lane-interleaved buffers of one width. Each width has its own, so the zero borders of X and
  // the zero rows past OC in dY, never written, stay zero.
  struct Buffers {
    AlignedVector<T> x;   // the chunk's input groups, side by side (narrow: its one short group)
    AlignedVector<T> dy;  // dY groups
    AlignedVector<T> y;   // one group's output
    AlignedVector<T> dx;  // one group's input gradient (padded like x)
  };
  struct Chunk {  // items [n0, n1) of the tensor at x
    const T* x = nullptr;
    int n0 = -1, n1 = -1;
    bool operator==(const Chunk&) const = default;
  };
  struct Scratch {  // one per thread
    Buffers wide, narrow;
    // The chunk whose input groups the last forwardItems left in wide.x (side by side) and
    // narrow.x: a backwardItems of the same chunk before the next beginBackward reuses them
    // instead of gathering again (the network's forwardBackward runs each chunk forward and
    // straight back).
    Chunk kept;
    // Lane accumulators of dW [k][OC][kLanes] and db [OC][kLanes] for slot `slot` (-1: none),
    // summed over the lanes into partial_[slot] once the thread moves on to another slot or at the end.
    AlignedVector<T> dW, db;
    int slot = -1;
  };

  template <int N>
  const Geometry& geometry() const;
  // One group of `count` items from item n, N wide: the input into the lane buffer at xp; forward
  // into y (its input gathered into xp); the input and dY into the lane buffers at xp, dyp; dX
  // from the lane buffer dyp into dx.
  template <int N>
  void gatherInput(const TensorT<T>& x, int n, int count, T* xp) const;
  template <int N>
  void forwardGroup(const TensorT<T>& x, TensorT<T>& y, int n, int count, T* xp, Buffers& buf) const;
  // gatherX false: the input is already in xp (kept from the forward), only dY is gathered.
  template <int N>
  void gatherGroup(const TensorT<T>& x, const TensorT<T>& dy, int n, int count, T* xp, T* dyp, bool gatherX) const;
  template <int N>
  void inputGradGroup(const T* dyp, TensorT<T>& dx, int n, int count, Buffers& buf) const;
  // Adds the dW of `groups` groups N wide (lane buffers at xs, dys) into the accumulators.
  template <int N>
  void weightGrads(const T* xs, const T* dys, int groups, T* acc, bool fresh) const;

  // Geometry of the item shape prepare() last saw.
  Shape itemShape_;
  int P_ = 0, K_ = 0;  // output pixels OH * OW; weights per output channel C * KH * KW
  Geometry geo_[2];

  // Repacked in prepare(): wf_[k][OC] for the forward tiles (dX reads W as it is); biasp_ the
  // bias, or zeros for a conv without one.
  AlignedVector<T> wf_, biasp_;

  std::vector<Scratch> scratch_;
  struct Partial {  // one per slot: weight and bias gradient sums of the slot's items
    std::vector<double> dW;  // [k][OC]
    std::vector<double> db;
    bool used = false;
  };
  std::vector<Partial> partial_;
  std::vector<double> sum_;  // finishBackward's slot sums: dW [k][OC], then db
  void flush(Scratch& sc);
};

}  // namespace initscope
