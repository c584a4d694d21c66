#pragma once
// Helpers for tests that read the committed PyTorch fixtures in tests/fixtures/.
#include "core/io.h"

#include <string>
#include <vector>

namespace initscope::test {

inline std::string fixturePath(const std::string& rel) { return std::string(INITSCOPE_FIXTURES) + "/" + rel; }

inline Json loadFixture(const std::string& rel) {
  const std::string p = fixturePath(rel);
  return parseJson(readTextFile(p), p);
}

template <class T>
TensorT<T> tensorFrom(const Json& data, const Shape& shape) {
  TensorT<T> t(shape);
  if (data.size() != t.numel()) throw std::runtime_error("fixture tensor size mismatch for shape " + shape.str());
  for (std::size_t i = 0; i < t.numel(); ++i) t.data[i] = static_cast<T>(data[i].get<double>());
  return t;
}

inline Shape shapeFrom(const Json& j) { return Shape::fromVector(j.get<std::vector<int>>()); }

// max |a - ref| / max(max |ref|, floor): the error scaled by the reference's magnitude. The floor
// gives a scale to tensors that are zero in exact arithmetic (a conv bias's gradient before a
// batchnorm is 1e-17 in torch): pass the magnitude of a related tensor.
template <class T>
double scaledError(const TensorT<T>& a, const Json& ref, double floor = 0.0) {
  double diff = 0, mag = floor;
  for (std::size_t i = 0; i < a.numel(); ++i) {
    const double r = ref[i].get<double>();
    diff = std::max(diff, std::abs(static_cast<double>(a.data[i]) - r));
    mag = std::max(mag, std::abs(r));
  }
  return mag > 0 ? diff / mag : diff;
}

inline double maxAbs(const Json& ref) {
  double m = 0;
  for (const Json& v : ref) m = std::max(m, std::abs(v.get<double>()));
  return m;
}

}  // namespace initscope::test
