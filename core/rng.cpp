#include "rng.h"

#include <cmath>
#include <numbers>

namespace initscope {

double Rng::normal(std::uint64_t i) const {
  const double u1 = uniform01(2 * i);
  const double u2 = uniform01(2 * i + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace initscope
