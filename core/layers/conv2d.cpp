#include "conv2d.h"

#include "../parallel.h"

#include <Eigen/Core>

#include <cassert>

namespace initscope {

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <class T>
Conv2d<T>::Conv2d(const LayerSpec& s) : Layer<T>(s) {
  if (s.inChannels <= 0 || s.outChannels <= 0)
    throw ShapeError("conv2d needs in_channels and out_channels >= 1, got " + std::to_string(s.inChannels) + " and " +
                     std::to_string(s.outChannels));
  if (s.kernelH <= 0 || s.kernelW <= 0 || s.strideH <= 0 || s.strideW <= 0 || s.padH < 0 || s.padW < 0)
    throw ShapeError("conv2d needs kernel and stride >= 1 and padding >= 0");
  this->makeWeight(Shape{s.outChannels, s.inChannels, s.kernelH, s.kernelW});
  if (s.bias) this->makeBias(s.outChannels);
}

template <class T>
Shape Conv2d<T>::outputShape(const Shape& in) const {
  const LayerSpec& s = this->spec_;
  if (in.rank != 4)
    throw ShapeError("conv2d expects an input (N, C, H, W), got " + in.str() +
                     (in.rank == 2 ? ": a conv2d cannot follow a flatten or linear layer" : ""));
  if (in[1] != s.inChannels)
    throw ShapeError("conv2d expects " + std::to_string(s.inChannels) + " input channels, got " +
                     std::to_string(in[1]) + " (input " + in.str() + ")");
  return Shape{in[0], s.outChannels, slidingOutput(in[2], s.kernelH, s.strideH, s.padH, "height"),
               slidingOutput(in[3], s.kernelW, s.strideW, s.padW, "width")};
}

template <class T>
void Conv2d<T>::prepare(const Shape& in) {
  const Shape out = outputShape(in);
  const LayerSpec& s = this->spec_;
  const Shape item{in[1], in[2], in[3]};
  if (!(item == tableShape_)) {
    const int C = in[1], H = in[2], W = in[3], OH = out[2], OW = out[3];
    const int zero = C * H * W;  // the zero after the image
    K_ = C * s.kernelH * s.kernelW;
    P_ = OH * OW;
    table_.assign(static_cast<std::size_t>(K_) * P_, zero);
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < s.kernelH; ++i)
        for (int j = 0; j < s.kernelW; ++j) {
          const int k = (c * s.kernelH + i) * s.kernelW + j;
          for (int oh = 0; oh < OH; ++oh) {
            const int h = oh * s.strideH - s.padH + i;
            if (h < 0 || h >= H) continue;
            for (int ow = 0; ow < OW; ++ow) {
              const int w = ow * s.strideW - s.padW + j;
              if (w >= 0 && w < W) table_[static_cast<std::size_t>(k) * P_ + oh * OW + ow] = (c * H + h) * W + w;
            }
          }
        }
    tableShape_ = item;
  }
  cols_.resize(static_cast<std::size_t>(in[0]) * K_ * P_);
  chunkEnd_.assign(static_cast<std::size_t>(in[0]), -1);
  scratch_.resize(kSlots);
  for (auto& sc : scratch_) {
    sc.pad.resize(item.numel() + 1);
    sc.pad.back() = T(0);
  }
}

template <class T>
void Conv2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int slot) {
  const int OC = this->spec_.outChannels, K = K_, P = P_, B = n1 - n0, BP = B * P;
  const std::size_t itemIn = x.shape.itemSize();
  Scratch& sc = scratch_[static_cast<std::size_t>(slot)];
  chunkEnd_[static_cast<std::size_t>(n0)] = n1;
  T* cols = cols_.data() + static_cast<std::size_t>(n0) * K * P;
  const int* table = table_.data();
  T* pad = sc.pad.data();
  for (int b = 0; b < B; ++b) {
    std::copy(x.item(n0 + b), x.item(n0 + b) + itemIn, pad);
    for (int k = 0; k < K; ++k) {
      const int* tk = table + static_cast<std::size_t>(k) * P;
      T* dst = cols + static_cast<std::size_t>(k) * BP + static_cast<std::size_t>(b) * P;
      for (int p = 0; p < P; ++p) dst[p] = pad[tk[p]];
    }
  }
  sc.out.resize(static_cast<std::size_t>(OC) * BP);
  Eigen::Map<RowMat<T>> Y(sc.out.data(), OC, BP);
  Y.noalias() = Eigen::Map<const RowMat<T>>(this->weight_->value.ptr(), OC, K) *
                Eigen::Map<const RowMat<T>>(cols, K, BP);
  const T* bp = this->bias_ ? this->bias_->value.ptr() : nullptr;
  for (int b = 0; b < B; ++b) {
    T* yi = y.item(n0 + b);
    for (int o = 0; o < OC; ++o) {
      const T* src = sc.out.data() + static_cast<std::size_t>(o) * BP + static_cast<std::size_t>(b) * P;
      T* dst = yi + static_cast<std::size_t>(o) * P;
      const T bias = bp ? bp[o] : T(0);
      for (int p = 0; p < P; ++p) dst[p] = src[p] + bias;
    }
  }
}

template <class T>
void Conv2d<T>::beginBackward() {
  const std::size_t OC = static_cast<std::size_t>(this->spec_.outChannels);
  for (auto& sc : scratch_) {
    sc.dW.assign(OC * static_cast<std::size_t>(K_), T(0));
    sc.db.assign(OC, 0.0);
  }
}

template <class T>
void Conv2d<T>::backwardItems(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                              int n1, int slot) {
  const int OC = this->spec_.outChannels, K = K_, P = P_, B = n1 - n0, BP = B * P;
  const std::size_t itemIn = x.shape.itemSize();
  assert(chunkEnd_[static_cast<std::size_t>(n0)] == n1 && "backward chunks must match forward chunks");
  Scratch& sc = scratch_[static_cast<std::size_t>(slot)];
  const T* cols = cols_.data() + static_cast<std::size_t>(n0) * K * P;
  sc.dY.resize(static_cast<std::size_t>(OC) * BP);
  for (int b = 0; b < B; ++b)
    for (int o = 0; o < OC; ++o) {
      const T* src = dy.item(n0 + b) + static_cast<std::size_t>(o) * P;
      std::copy(src, src + P, sc.dY.data() + static_cast<std::size_t>(o) * BP + static_cast<std::size_t>(b) * P);
    }
  Eigen::Map<const RowMat<T>> dY(sc.dY.data(), OC, BP);
  Eigen::Map<RowMat<T>>(sc.dW.data(), OC, K).noalias() += dY * Eigen::Map<const RowMat<T>>(cols, K, BP).transpose();
  if (this->bias_)
    for (int o = 0; o < OC; ++o) sc.db[static_cast<std::size_t>(o)] += static_cast<double>(dY.row(o).sum());
  if (!dx) return;
  sc.dcols.resize(static_cast<std::size_t>(K) * BP);
  Eigen::Map<RowMat<T>>(sc.dcols.data(), K, BP).noalias() =
      Eigen::Map<const RowMat<T>>(this->weight_->value.ptr(), OC, K).transpose() * dY;
  const int* table = table_.data();
  T* pad = sc.pad.data();
  for (int b = 0; b < B; ++b) {
    std::fill(pad, pad + itemIn + 1, T(0));
    for (int k = 0; k < K; ++k) {
      const int* tk = table + static_cast<std::size_t>(k) * P;
      const T* src = sc.dcols.data() + static_cast<std::size_t>(k) * BP + static_cast<std::size_t>(b) * P;
      for (int p = 0; p < P; ++p) pad[tk[p]] += src[p];
    }
    std::copy(pad, pad + itemIn, dx->item(n0 + b));
  }
  pad[itemIn] = T(0);  // the zero forward reads for padding
}

template <class T>
void Conv2d<T>::finishBackward(const TensorT<T>&, const TensorT<T>&) {
  // Combine the slots in slot order.
  auto& gW = this->weight_->grad;
  for (std::size_t i = 0; i < gW.numel(); ++i) {
    double acc = 0;
    for (const auto& sc : scratch_) acc += static_cast<double>(sc.dW[i]);
    gW.data[i] = static_cast<T>(acc);
  }
  if (this->bias_) {
    auto& gb = this->bias_->grad;
    for (std::size_t o = 0; o < gb.numel(); ++o) {
      double acc = 0;
      for (const auto& sc : scratch_) acc += sc.db[o];
      gb.data[o] = static_cast<T>(acc);
    }
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace initscope
