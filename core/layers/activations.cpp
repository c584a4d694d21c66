#include "activations.h"

#include <cmath>
#include <numbers>

namespace initscope {
namespace {

// out[i] = f(a[i]) over items [n0, n1).
template <class T, class F>
void map2(const TensorT<T>& a, TensorT<T>& out, int n0, int n1, F f) {
  const std::size_t item = a.shape.itemSize(), b = static_cast<std::size_t>(n0) * item,
                    e = static_cast<std::size_t>(n1) * item;
  const T* ap = a.ptr();
  T* op = out.ptr();
  for (std::size_t i = b; i < e; ++i) op[i] = f(ap[i]);
}

template <class T, class F>
void map3(const TensorT<T>& a, const TensorT<T>& g, TensorT<T>& out, int n0, int n1, F f) {
  const std::size_t item = a.shape.itemSize(), b = static_cast<std::size_t>(n0) * item,
                    e = static_cast<std::size_t>(n1) * item;
  const T* ap = a.ptr();
  const T* gp = g.ptr();
  T* op = out.ptr();
  for (std::size_t i = b; i < e; ++i) op[i] = f(ap[i], gp[i]);
}

}  // namespace

template <class T>
Activation<T>::Activation(const LayerSpec& s) : Layer<T>(s) {
  if (s.kind == LayerKind::LeakyReLU && !std::isfinite(s.negativeSlope))
    throw ShapeError("leaky_relu needs a finite negative_slope");
}

template <class T>
void Activation<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  const T slope = static_cast<T>(this->spec_.negativeSlope);
  switch (this->spec_.kind) {
    // NaN passes through, as in PyTorch (an exploding init must stay visible).
    case LayerKind::ReLU: map2(x, y, n0, n1, [](T v) { return v > T(0) || std::isnan(v) ? v : T(0); }); break;
    case LayerKind::LeakyReLU: map2(x, y, n0, n1, [slope](T v) { return v > T(0) || std::isnan(v) ? v : v * slope; }); break;
    case LayerKind::Tanh: map2(x, y, n0, n1, [](T v) { return std::tanh(v); }); break;
    case LayerKind::Sigmoid: map2(x, y, n0, n1, [](T v) { return T(1) / (T(1) + std::exp(-v)); }); break;
    case LayerKind::GELU:
      map2(x, y, n0, n1, [](T v) { return v * T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2))); });
      break;
    default: throw ShapeError("not an activation: " + std::string(toString(this->spec_.kind)));
  }
}

template <class T>
void Activation<T>::backwardItems(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>* dxp,
                                  int n0, int n1, int) {
  if (!dxp) return;
  TensorT<T>& dx = *dxp;
  const T slope = static_cast<T>(this->spec_.negativeSlope);
  switch (this->spec_.kind) {
    case LayerKind::ReLU: map3(x, dy, dx, n0, n1, [](T v, T g) { return v > T(0) ? g : T(0); }); break;
    case LayerKind::LeakyReLU: map3(x, dy, dx, n0, n1, [slope](T v, T g) { return v > T(0) ? g : g * slope; }); break;
    case LayerKind::Tanh: map3(y, dy, dx, n0, n1, [](T o, T g) { return g * (T(1) - o * o); }); break;
    case LayerKind::Sigmoid: map3(y, dy, dx, n0, n1, [](T o, T g) { return g * o * (T(1) - o); }); break;
    case LayerKind::GELU:
      map3(x, dy, dx, n0, n1, [](T v, T g) {
        const T cdf = T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2)));
        const T pdf = std::exp(T(-0.5) * v * v) * T(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
        return g * (cdf + v * pdf);
      });
      break;
    default: throw ShapeError("not an activation: " + std::string(toString(this->spec_.kind)));
  }
}

template class Activation<float>;
template class Activation<double>;

}  // namespace initscope
