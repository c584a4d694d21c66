#include "layer.h"

#include "activations.h"
#include "batchnorm2d.h"
#include "conv2d.h"
#include "flatten.h"
#include "linear.h"
#include "pooling.h"

#include "../parallel.h"

namespace initscope {

int slidingOutput(int in, int kernel, int stride, int pad, const char* dim) {
  const int padded = in + 2 * pad;
  if (kernel > padded)
    throw ShapeError("kernel " + std::string(dim) + " " + std::to_string(kernel) + " is larger than the padded input " +
                     dim + " " + std::to_string(padded) + " (input " + std::to_string(in) + " + 2 x padding " +
                     std::to_string(pad) + ")");
  return (padded - kernel) / stride + 1;
}

template <class T>
void Layer<T>::forward(const TensorT<T>& x, TensorT<T>& y) {
  y.resize(outputShape(x.shape));
  prepare(x.shape);
  if (!itemwise()) return forwardItems(x, y, 0, x.shape[0], 0);
  forEachSlot(x.shape[0], [&](int slot, int b, int e) { forwardItems(x, y, b, e, slot); }, kLanes);
}

template <class T>
void Layer<T>::backward(const TensorT<T>& x, const TensorT<T>& y, const TensorT<T>& dy, TensorT<T>& dx) {
  dx.resize(x.shape);
  prepare(x.shape);
  beginBackward();
  if (!itemwise()) {
    backwardItems(x, y, dy, &dx, 0, x.shape[0], 0);
  } else {
    forEachSlot(x.shape[0], [&](int slot, int b, int e) { backwardItems(x, y, dy, &dx, b, e, slot); }, kLanes);
  }
  finishBackward(x, dy);
}

template class Layer<float>;
template class Layer<double>;

template <class T>
std::unique_ptr<Layer<T>> makeLayer(const LayerSpec& spec) {
  switch (spec.kind) {
    case LayerKind::Conv2d: return std::make_unique<Conv2d<T>>(spec);
    case LayerKind::Linear: return std::make_unique<Linear<T>>(spec);
    case LayerKind::ReLU:
    case LayerKind::LeakyReLU:
    case LayerKind::Tanh:
    case LayerKind::Sigmoid:
    case LayerKind::GELU: return std::make_unique<Activation<T>>(spec);
    case LayerKind::MaxPool2d:
    case LayerKind::AvgPool2d:
    case LayerKind::AdaptiveAvgPool2d: return std::make_unique<Pool2d<T>>(spec);
    case LayerKind::Flatten: return std::make_unique<Flatten<T>>(spec);
    case LayerKind::BatchNorm2d: return std::make_unique<BatchNorm2d<T>>(spec);
  }
  throw ShapeError("unknown layer kind");
}

template std::unique_ptr<Layer<float>> makeLayer<float>(const LayerSpec&);
template std::unique_ptr<Layer<double>> makeLayer<double>(const LayerSpec&);

}  // namespace initscope
