#include "linear.h"

#include "../parallel.h"

#include <Eigen/Core>

namespace initscope {

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;

template <class T>
Linear<T>::Linear(const LayerSpec& s) : Layer<T>(s) {
  if (s.inChannels <= 0 || s.outChannels <= 0)
    throw ShapeError("linear needs in_features and out_features >= 1, got " + std::to_string(s.inChannels) + " and " +
                     std::to_string(s.outChannels));
  this->makeWeight(Shape{s.outChannels, s.inChannels});
  if (s.bias) this->makeBias(s.outChannels);
}

template <class T>
Shape Linear<T>::outputShape(const Shape& in) const {
  const LayerSpec& s = this->spec_;
  if (in.rank != 2)
    throw ShapeError("linear expects an input (N, " + std::to_string(s.inChannels) + "), got " + in.str() +
                     (in.rank == 4 ? ": add a flatten layer before it" : ""));
  if (in[1] != s.inChannels)
    throw ShapeError("linear expects " + std::to_string(s.inChannels) + " input features, got " +
                     std::to_string(in[1]) + " (input " + in.str() + ")");
  return Shape{in[0], s.outChannels};
}

template <class T>
void Linear<T>::forward(const TensorT<T>& x, TensorT<T>& y) {
  y.resize(outputShape(x.shape));
  const int F = this->spec_.inChannels, O = this->spec_.outChannels;
  Eigen::Map<const RowMat<T>> W(this->weight_->value.ptr(), O, F);
  const T* bp = this->bias_ ? this->bias_->value.ptr() : nullptr;
  forEachSlot(x.shape[0], [&](int, int b, int e) {
    Eigen::Map<const RowMat<T>> X(x.item(b), e - b, F);
    Eigen::Map<RowMat<T>> Y(y.item(b), e - b, O);
    Y.noalias() = X * W.transpose();
    if (bp) Y.rowwise() += Eigen::Map<const RowVec<T>>(bp, O);
  });
}

template <class T>
void Linear<T>::backward(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>& dx) {
  dx.resize(x.shape);
  const int N = x.shape[0], F = this->spec_.inChannels, O = this->spec_.outChannels;
  Eigen::Map<const RowMat<T>> W(this->weight_->value.ptr(), O, F);
  Eigen::Map<const RowMat<T>> X(x.ptr(), N, F);
  Eigen::Map<const RowMat<T>> dY(dy.ptr(), N, O);
  Eigen::Map<RowMat<T>> dW(this->weight_->grad.ptr(), O, F);
  T* db = this->bias_ ? this->bias_->grad.ptr() : nullptr;
  forEachSlot(N, [&](int, int b, int e) {
    Eigen::Map<RowMat<T>>(dx.item(b), e - b, F).noalias() = dY.middleRows(b, e - b) * W;
  });
  // Each block of output rows sums over the whole batch in one GEMM: no cross-thread reduction.
  forEachSlot(O, [&](int, int r0, int r1) {
    dW.middleRows(r0, r1 - r0).noalias() = dY.middleCols(r0, r1 - r0).transpose() * X;
    if (db)
      for (int r = r0; r < r1; ++r) {
        double acc = 0;
        for (int n = 0; n < N; ++n) acc += static_cast<double>(dY(n, r));
        db[r] = static_cast<T>(acc);
      }
  });
}

template class Linear<float>;
template class Linear<double>;

}  // namespace initscope
