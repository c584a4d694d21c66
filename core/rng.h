#pragma once
// Seeded, counter-based random numbers: value i of stream s under seed k is a pure function of
// (k, s, i), so tensors can be filled in parallel and still be bit-identical for any thread count.
// The generator is SplitMix64's finaliser applied to a mixed counter (Steele, Lea, Flood 2014).
#include <cstdint>

namespace initscope {

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) : key_(mix(seed ^ mix(stream + 0x632be59bd9b4e019ULL))) {}

  // 64 random bits for counter i.
  std::uint64_t bits(std::uint64_t i) const { return mix(key_ + 0x9e3779b97f4a7c15ULL * (i + 1)); }
  // Uniform in the open interval (0, 1), 53 bits.
  double uniform01(std::uint64_t i) const { return (static_cast<double>(bits(i) >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal for counter i (Box-Muller on counters 2i and 2i+1, cosine branch).
  double normal(std::uint64_t i) const;

  // Sequential use: each call advances this object's own counter.
  double nextUniform01() { return uniform01(counter_++); }
  double nextNormal() { return normal(counter_++); }
  std::uint64_t nextBits() { return bits(counter_++); }
  std::uint64_t counter() const { return counter_; }

  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

}  // namespace initscope
