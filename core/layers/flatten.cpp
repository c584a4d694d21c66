#include "flatten.h"

#include <algorithm>

namespace initscope {

template <class T>
Shape Flatten<T>::outputShape(const Shape& in) const {
  if (in.rank < 1) throw ShapeError("flatten needs an input with a batch dimension");
  return Shape{in[0], static_cast<int>(in.itemSize())};
}

template <class T>
void Flatten<T>::forward(const TensorT<T>& x, TensorT<T>& y) {
  y.resize(outputShape(x.shape));
  std::copy(x.data.begin(), x.data.end(), y.data.begin());
}

template <class T>
void Flatten<T>::backward(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>& dx) {
  dx.resize(x.shape);
  std::copy(dy.data.begin(), dy.data.end(), dx.data.begin());
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace initscope
