#include "tensor.h"

#include <sstream>

namespace initscope {

Shape::Shape(std::initializer_list<int> d) {
  if (d.size() > 4) throw std::invalid_argument("a shape has at most 4 dimensions");
  for (int v : d) dims[static_cast<std::size_t>(rank++)] = v;
}

Shape Shape::fromVector(const std::vector<int>& d) {
  if (d.empty() || d.size() > 4)
    throw std::invalid_argument("a shape has 1 to 4 dimensions, got " + std::to_string(d.size()));
  Shape s;
  for (int v : d) {
    if (v <= 0) throw std::invalid_argument("shape dimensions must be positive, got " + std::to_string(v));
    s.dims[static_cast<std::size_t>(s.rank++)] = v;
  }
  return s;
}

std::size_t Shape::numel() const {
  if (rank == 0) return 0;
  std::size_t n = 1;
  for (int i = 0; i < rank; ++i) n *= static_cast<std::size_t>(dims[static_cast<std::size_t>(i)]);
  return n;
}

std::size_t Shape::itemSize() const {
  if (rank == 0 || dims[0] == 0) return 0;
  return numel() / static_cast<std::size_t>(dims[0]);
}

std::string Shape::str() const {
  std::ostringstream os;
  os << '(';
  for (int i = 0; i < rank; ++i) os << (i ? ", " : "") << dims[static_cast<std::size_t>(i)];
  os << ')';
  return os.str();
}

bool Shape::operator==(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i)
    if (dims[static_cast<std::size_t>(i)] != o.dims[static_cast<std::size_t>(i)]) return false;
  return true;
}

}  // namespace initscope
