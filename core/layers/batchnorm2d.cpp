#include "batchnorm2d.h"

#include <cmath>

namespace initscope {

template <class T>
BatchNorm2d<T>::BatchNorm2d(const LayerSpec& s) : Layer<T>(s) {
  if (s.inChannels <= 0) throw ShapeError("batchnorm2d needs num_features >= 1");
  if (!(s.eps > 0)) throw ShapeError("batchnorm2d needs eps > 0");
  this->makeWeight(Shape{s.inChannels});
  this->makeBias(s.inChannels);
  std::fill(this->weight_->value.data.begin(), this->weight_->value.data.end(), T(1));
}

template <class T>
Shape BatchNorm2d<T>::outputShape(const Shape& in) const {
  if (in.rank != 4) throw ShapeError("batchnorm2d expects an input (N, C, H, W), got " + in.str());
  if (in[1] != this->spec_.inChannels)
    throw ShapeError("batchnorm2d expects " + std::to_string(this->spec_.inChannels) + " channels, got " +
                     std::to_string(in[1]) + " (input " + in.str() + ")");
  if (static_cast<long long>(in[0]) * in[2] * in[3] < 2)
    throw ShapeError("batchnorm2d needs more than 1 value per channel in training mode, got input " + in.str());
  return in;
}

template <class T>
void BatchNorm2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int, int, int) {
  const int N = x.shape[0], C = x.shape[1], HW = x.shape[2] * x.shape[3];
  const double count = static_cast<double>(N) * HW;
  mean_.assign(static_cast<std::size_t>(C), 0.0);
  invStd_.assign(static_cast<std::size_t>(C), 0.0);
  const T* gamma = this->weight_->value.ptr();
  const T* beta = this->bias_->value.ptr();
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int n = 0; n < N; ++n) {
      const T* p = x.item(n) + static_cast<std::size_t>(c) * HW;
      for (int i = 0; i < HW; ++i) sum += p[i];
    }
    const double mean = sum / count;
    double ss = 0;
    for (int n = 0; n < N; ++n) {
      const T* p = x.item(n) + static_cast<std::size_t>(c) * HW;
      for (int i = 0; i < HW; ++i) ss += (p[i] - mean) * (p[i] - mean);
    }
    const double inv = 1.0 / std::sqrt(ss / count + this->spec_.eps);
    mean_[static_cast<std::size_t>(c)] = mean;
    invStd_[static_cast<std::size_t>(c)] = inv;
    const double g = gamma[c], b = beta[c];
    for (int n = 0; n < N; ++n) {
      const T* p = x.item(n) + static_cast<std::size_t>(c) * HW;
      T* q = y.item(n) + static_cast<std::size_t>(c) * HW;
      for (int i = 0; i < HW; ++i) q[i] = static_cast<T>(g * (p[i] - mean) * inv + b);
    }
  }
}

template <class T>
void BatchNorm2d<T>::backwardItems(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dxp, int,
                                   int, int) {
  const int N = x.shape[0], C = x.shape[1], HW = x.shape[2] * x.shape[3];
  const double count = static_cast<double>(N) * HW;
  const T* gamma = this->weight_->value.ptr();
  T* dgamma = this->weight_->grad.ptr();
  T* dbeta = this->bias_->grad.ptr();
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; ++c) {
    const double mean = mean_[static_cast<std::size_t>(c)], inv = invStd_[static_cast<std::size_t>(c)];
    double sdy = 0, sdyx = 0;
    for (int n = 0; n < N; ++n) {
      const T* p = x.item(n) + static_cast<std::size_t>(c) * HW;
      const T* g = dy.item(n) + static_cast<std::size_t>(c) * HW;
      for (int i = 0; i < HW; ++i) {
        sdy += g[i];
        sdyx += g[i] * (p[i] - mean) * inv;
      }
    }
    dbeta[c] = static_cast<T>(sdy);
    dgamma[c] = static_cast<T>(sdyx);
    if (!dxp) continue;
    TensorT<T>& dx = *dxp;
    const double k = gamma[c] * inv, mdy = sdy / count, mdyx = sdyx / count;
    for (int n = 0; n < N; ++n) {
      const T* p = x.item(n) + static_cast<std::size_t>(c) * HW;
      const T* g = dy.item(n) + static_cast<std::size_t>(c) * HW;
      T* q = dx.item(n) + static_cast<std::size_t>(c) * HW;
      for (int i = 0; i < HW; ++i) q[i] = static_cast<T>(k * (g[i] - mdy - (p[i] - mean) * inv * mdyx));
    }
  }
}

template class BatchNorm2d<float>;
template class BatchNorm2d<double>;

}  // namespace initscope
