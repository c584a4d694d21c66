#include "flatten.h"

#include <algorithm>

namespace initscope {

template <class T>
Shape Flatten<T>::outputShape(const Shape& in) const {
  if (in.rank < 1) throw ShapeError("flatten needs an input with a batch dimension");
  return Shape{in[0], static_cast<int>(in.itemSize())};
}

template <class T>
void Flatten<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  std::copy(x.item(n0), x.item(n1 - 1) + x.shape.itemSize(), y.item(n0));
}

template <class T>
void Flatten<T>::backwardItems(const TensorT<T>&, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                               int n1, int) {
  if (dx) std::copy(dy.item(n0), dy.item(n1 - 1) + dy.shape.itemSize(), dx->item(n0));
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace initscope
