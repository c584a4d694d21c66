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
void Linear<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  const int F = this->spec_.inChannels, O = this->spec_.outChannels;
  Eigen::Map<const RowMat<T>> W(this->weight_->value.ptr(), O, F);
  Eigen::Map<const RowMat<T>> X(x.item(n0), n1 - n0, F);
  Eigen::Map<RowMat<T>> Y(y.item(n0), n1 - n0, O);
  Y.noalias() = X * W.transpose();
  if (this->bias_) Y.rowwise() += Eigen::Map<const RowVec<T>>(this->bias_->value.ptr(), O);
}

template <class T>
void Linear<T>::backwardItems(const TensorT<T>&, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                              int n1, int) {
  if (!dx) return;
  const int F = this->spec_.inChannels, O = this->spec_.outChannels;
  Eigen::Map<const RowMat<T>> W(this->weight_->value.ptr(), O, F);
  Eigen::Map<RowMat<T>>(dx->item(n0), n1 - n0, F).noalias() =
      Eigen::Map<const RowMat<T>>(dy.item(n0), n1 - n0, O) * W;
}

template <class T>
void Linear<T>::finishBackward(const TensorT<T>& x, const TensorT<T>& dy) {
  const int N = x.shape[0], F = this->spec_.inChannels, O = this->spec_.outChannels;
  Eigen::Map<const RowMat<T>> X(x.ptr(), N, F);
  Eigen::Map<const RowMat<T>> dY(dy.ptr(), N, O);
  Eigen::Map<RowMat<T>> dW(this->weight_->grad.ptr(), O, F);
  T* db = this->bias_ ? this->bias_->grad.ptr() : nullptr;
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
