#include "pooling.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace initscope {

template <class T>
Pool2d<T>::Pool2d(const LayerSpec& s) : Layer<T>(s) {
  if (s.kind == LayerKind::AdaptiveAvgPool2d) {
    if (s.outH <= 0 || s.outW <= 0) throw ShapeError("adaptive_avg_pool2d needs an output size >= 1");
    return;
  }
  if (s.kernelH <= 0 || s.kernelW <= 0 || s.strideH <= 0 || s.strideW <= 0 || s.padH < 0 || s.padW < 0)
    throw ShapeError(std::string(toString(s.kind)) + " needs kernel and stride >= 1 and padding >= 0");
  if (s.padH * 2 > s.kernelH || s.padW * 2 > s.kernelW)
    throw ShapeError(std::string(toString(s.kind)) + ": padding should be at most half of the kernel size, got kernel " +
                     std::to_string(s.kernelH) + "x" + std::to_string(s.kernelW) + " and padding " +
                     std::to_string(s.padH) + "," + std::to_string(s.padW));
}

template <class T>
Shape Pool2d<T>::outputShape(const Shape& in) const {
  const LayerSpec& s = this->spec_;
  if (in.rank != 4)
    throw ShapeError(std::string(toString(s.kind)) + " expects an input (N, C, H, W), got " + in.str());
  if (s.kind == LayerKind::AdaptiveAvgPool2d) return Shape{in[0], in[1], s.outH, s.outW};
  return Shape{in[0], in[1], slidingOutput(in[2], s.kernelH, s.strideH, s.padH, "height"),
               slidingOutput(in[3], s.kernelW, s.strideW, s.padW, "width")};
}

template <class T>
typename Pool2d<T>::Window Pool2d<T>::window(int oh, int ow, int H, int W, int OH, int OW) const {
  const LayerSpec& s = this->spec_;
  if (s.kind == LayerKind::AdaptiveAvgPool2d) {
    const int h0 = static_cast<int>(std::floor(static_cast<double>(oh) * H / OH));
    const int h1 = static_cast<int>(std::ceil(static_cast<double>(oh + 1) * H / OH));
    const int w0 = static_cast<int>(std::floor(static_cast<double>(ow) * W / OW));
    const int w1 = static_cast<int>(std::ceil(static_cast<double>(ow + 1) * W / OW));
    return {h0, h1, w0, w1, (h1 - h0) * (w1 - w0)};
  }
  const int hs = oh * s.strideH - s.padH, ws = ow * s.strideW - s.padW;
  const int he = std::min(hs + s.kernelH, H + s.padH), we = std::min(ws + s.kernelW, W + s.padW);
  const int divisor = (he - hs) * (we - ws);  // count_include_pad=True
  return {std::max(hs, 0), std::min(he, H), std::max(ws, 0), std::min(we, W), divisor};
}

template <class T>
void Pool2d<T>::prepare(const Shape& in) {
  if (this->spec_.kind == LayerKind::MaxPool2d) argmax_.resize(outputShape(in).numel());
}

template <class T>
void Pool2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  const int C = x.shape[1], H = x.shape[2], W = x.shape[3], OH = y.shape[2], OW = y.shape[3];
  const bool isMax = this->spec_.kind == LayerKind::MaxPool2d;
  for (int p = n0 * C; p < n1 * C; ++p) {
    const T* xp = x.ptr() + static_cast<std::size_t>(p) * H * W;
    T* yp = y.ptr() + static_cast<std::size_t>(p) * OH * OW;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        const Window w = window(oh, ow, H, W, OH, OW);
        if (isMax) {
          T best = -std::numeric_limits<T>::infinity();
          int arg = w.h0 * W + w.w0;
          for (int h = w.h0; h < w.h1; ++h)
            for (int c = w.w0; c < w.w1; ++c) {
              const T v = xp[h * W + c];
              if (v > best || std::isnan(v)) {
                best = v;
                arg = h * W + c;
                if (std::isnan(v)) h = w.h1, c = w.w1;  // NaN wins, as in PyTorch
              }
            }
          yp[oh * OW + ow] = best;
          argmax_[static_cast<std::size_t>(p) * OH * OW + oh * OW + ow] = arg;
        } else {
          T sum = 0;
          for (int h = w.h0; h < w.h1; ++h)
            for (int c = w.w0; c < w.w1; ++c) sum += xp[h * W + c];
          yp[oh * OW + ow] = sum / static_cast<T>(w.divisor);
        }
      }
  }
}

template <class T>
void Pool2d<T>::backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dxt, int n0,
                              int n1, int) {
  if (!dxt) return;
  const int C = x.shape[1], H = x.shape[2], W = x.shape[3], OH = y.shape[2], OW = y.shape[3];
  const bool isMax = this->spec_.kind == LayerKind::MaxPool2d;
  std::fill(dxt->item(n0), dxt->item(n0) + static_cast<std::size_t>(n1 - n0) * x.shape.itemSize(), T(0));
  for (int p = n0 * C; p < n1 * C; ++p) {
    T* dxp = dxt->ptr() + static_cast<std::size_t>(p) * H * W;
    const T* dyp = dy.ptr() + static_cast<std::size_t>(p) * OH * OW;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        const T g = dyp[oh * OW + ow];
        if (isMax) {
          dxp[argmax_[static_cast<std::size_t>(p) * OH * OW + oh * OW + ow]] += g;
          continue;
        }
        const Window w = window(oh, ow, H, W, OH, OW);
        const T share = g / static_cast<T>(w.divisor);
        for (int h = w.h0; h < w.h1; ++h)
          for (int c = w.w0; c < w.w1; ++c) dxp[h * W + c] += share;
      }
  }
}

template class Pool2d<float>;
template class Pool2d<double>;

}  // namespace initscope
