#include "activations.h"

#include <cmath>
#include <cstdint>
#include <numbers>

namespace initscope {
namespace {

template <class T, class F>
void map2(const TensorT<T>& a, TensorT<T>& out, F f) {
  const auto n = static_cast<std::int64_t>(a.numel());
  const T* ap = a.ptr();
  T* op = out.ptr();
#pragma omp parallel for schedule(static) if (n > 32768)
  for (std::int64_t i = 0; i < n; ++i) op[i] = f(ap[i]);
}

template <class T, class F>
void map3(const TensorT<T>& a, const TensorT<T>& b, TensorT<T>& out, F f) {
  const auto n = static_cast<std::int64_t>(a.numel());
  const T* ap = a.ptr();
  const T* bp = b.ptr();
  T* op = out.ptr();
#pragma omp parallel for schedule(static) if (n > 32768)
  for (std::int64_t i = 0; i < n; ++i) op[i] = f(ap[i], bp[i]);
}

}  // namespace

template <class T>
Activation<T>::Activation(const LayerSpec& s) : Layer<T>(s) {
  if (s.kind == LayerKind::LeakyReLU && !std::isfinite(s.negativeSlope))
    throw ShapeError("leaky_relu needs a finite negative_slope");
}

template <class T>
void Activation<T>::forward(const TensorT<T>& x, TensorT<T>& y) {
  y.resize(x.shape);
  const T slope = static_cast<T>(this->spec_.negativeSlope);
  switch (this->spec_.kind) {
    // NaN passes through, as in PyTorch (an exploding init must stay visible).
    case LayerKind::ReLU: map2(x, y, [](T v) { return v > T(0) || std::isnan(v) ? v : T(0); }); break;
    case LayerKind::LeakyReLU: map2(x, y, [slope](T v) { return v > T(0) || std::isnan(v) ? v : v * slope; }); break;
    case LayerKind::Tanh: map2(x, y, [](T v) { return std::tanh(v); }); break;
    case LayerKind::Sigmoid: map2(x, y, [](T v) { return T(1) / (T(1) + std::exp(-v)); }); break;
    case LayerKind::GELU:
      map2(x, y, [](T v) { return v * T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2))); });
      break;
    default: throw ShapeError("not an activation: " + std::string(toString(this->spec_.kind)));
  }
}

template <class T>
void Activation<T>::backward(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>& dx) {
  dx.resize(x.shape);
  const T slope = static_cast<T>(this->spec_.negativeSlope);
  switch (this->spec_.kind) {
    case LayerKind::ReLU: map3(x, dy, dx, [](T v, T g) { return v > T(0) ? g : T(0); }); break;
    case LayerKind::LeakyReLU: map3(x, dy, dx, [slope](T v, T g) { return v > T(0) ? g : g * slope; }); break;
    case LayerKind::Tanh: map3(y, dy, dx, [](T o, T g) { return g * (T(1) - o * o); }); break;
    case LayerKind::Sigmoid: map3(y, dy, dx, [](T o, T g) { return g * o * (T(1) - o); }); break;
    case LayerKind::GELU:
      map3(x, dy, dx, [](T v, T g) {
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
