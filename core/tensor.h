#pragma once
// Dense NCHW tensors of float (the engine) or double (gradient checks and references).
// A Shape has rank 1..4; a batch of images is (N,C,H,W), a batch of feature vectors (N,F).
#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace initscope {

struct Shape {
  std::array<int, 4> dims{0, 0, 0, 0};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int> d);
  static Shape fromVector(const std::vector<int>& d);

  int operator[](int i) const { return dims.at(static_cast<std::size_t>(i)); }
  int& operator[](int i) { return dims.at(static_cast<std::size_t>(i)); }
  std::size_t numel() const;
  // Elements per batch item: numel() / dims[0].
  std::size_t itemSize() const;
  std::vector<int> toVector() const { return {dims.begin(), dims.begin() + rank}; }
  std::string str() const;  // "(100, 8, 14, 14)"
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// Storage is 64-byte aligned so vectorised loops and reductions take the same path whatever the
// allocation, which keeps results bit-identical from run to run.
template <class T>
using AlignedVector = std::vector<T, Eigen::aligned_allocator<T>>;

template <class T>
struct TensorT {
  Shape shape;
  AlignedVector<T> data;

  TensorT() = default;
  explicit TensorT(const Shape& s, T fill = T(0)) : shape(s), data(s.numel(), fill) {}

  // Reshapes, reallocating only when the element count grows (buffers are reused between runs).
  void resize(const Shape& s) {
    shape = s;
    data.resize(s.numel());
  }
  void setZero() { std::fill(data.begin(), data.end(), T(0)); }
  std::size_t numel() const { return data.size(); }
  T* ptr() { return data.data(); }
  const T* ptr() const { return data.data(); }
  T* item(int n) { return data.data() + static_cast<std::size_t>(n) * shape.itemSize(); }
  const T* item(int n) const { return data.data() + static_cast<std::size_t>(n) * shape.itemSize(); }

  // Element access for tests and small tools (bounds checked against the shape).
  T& at(std::initializer_list<int> idx);
  T at(std::initializer_list<int> idx) const { return const_cast<TensorT*>(this)->at(idx); }

  template <class U>
  TensorT<U> cast() const {
    TensorT<U> out;
    out.shape = shape;
    out.data.assign(data.begin(), data.end());
    return out;
  }
};

using Tensor = TensorT<float>;
using TensorD = TensorT<double>;

template <class T>
T& TensorT<T>::at(std::initializer_list<int> idx) {
  if (static_cast<int>(idx.size()) != shape.rank)
    throw std::out_of_range("tensor index rank " + std::to_string(idx.size()) + " for shape " + shape.str());
  std::size_t off = 0;
  int k = 0;
  for (int i : idx) {
    if (i < 0 || i >= shape[k])
      throw std::out_of_range("tensor index " + std::to_string(i) + " out of range in dim " + std::to_string(k) +
                              " of shape " + shape.str());
    off = off * static_cast<std::size_t>(shape[k]) + static_cast<std::size_t>(i);
    ++k;
  }
  return data[off];
}

}  // namespace initscope
