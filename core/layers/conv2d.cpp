#include "conv2d.h"

#include "../parallel.h"

#include <Eigen/Core>

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
    K_ = C * s.kernelH * s.kernelW;
    P_ = OH * OW;
    table_.assign(static_cast<std::size_t>(K_) * P_, -1);
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
  scratch_.resize(kSlots);
  for (auto& sc : scratch_) sc.dcols.resize(static_cast<std::size_t>(K_) * P_);
}

template <class T>
void Conv2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  const int OC = this->spec_.outChannels, K = K_, P = P_;
  const std::size_t KP = static_cast<std::size_t>(K) * P;
  const T* bp = this->bias_ ? this->bias_->value.ptr() : nullptr;
  Eigen::Map<const RowMat<T>> Wm(this->weight_->value.ptr(), OC, K);
  const int* table = table_.data();
  for (int n = n0; n < n1; ++n) {
    const T* xi = x.item(n);
    T* cols = cols_.data() + static_cast<std::size_t>(n) * KP;
    for (std::size_t t = 0; t < KP; ++t) {
      const int src = table[t];
      cols[t] = src >= 0 ? xi[src] : T(0);
    }
    Eigen::Map<RowMat<T>> Y(y.item(n), OC, P);
    Y.noalias() = Wm * Eigen::Map<const RowMat<T>>(cols, K, P);
    if (bp) Y.colwise() += Eigen::Map<const Vec<T>>(bp, OC);
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
  const int OC = this->spec_.outChannels, K = K_, P = P_;
  const std::size_t KP = static_cast<std::size_t>(K) * P, itemIn = x.shape.itemSize();
  Scratch& sc = scratch_[static_cast<std::size_t>(slot)];
  Eigen::Map<const RowMat<T>> Wm(this->weight_->value.ptr(), OC, K);
  Eigen::Map<RowMat<T>> dW(sc.dW.data(), OC, K);
  Eigen::Map<RowMat<T>> dcols(sc.dcols.data(), K, P);
  const bool hasBias = this->bias_.has_value();
  const int* table = table_.data();
  for (int n = n0; n < n1; ++n) {
    Eigen::Map<const RowMat<T>> dY(dy.item(n), OC, P);
    dW.noalias() += dY * Eigen::Map<const RowMat<T>>(cols_.data() + static_cast<std::size_t>(n) * KP, K, P).transpose();
    if (hasBias)
      for (int o = 0; o < OC; ++o) sc.db[static_cast<std::size_t>(o)] += static_cast<double>(dY.row(o).sum());
    if (!dx) continue;
    dcols.noalias() = Wm.transpose() * dY;
    T* dxi = dx->item(n);
    std::fill(dxi, dxi + itemIn, T(0));
    const T* dc = sc.dcols.data();
    for (std::size_t t = 0; t < KP; ++t) {
      const int src = table[t];
      if (src >= 0) dxi[src] += dc[t];
    }
  }
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
