#pragma once
// Per-tensor statistics: moments (unbiased std, as torch.std), extremes, zero and saturated
// fractions, NaN/Inf counts and a histogram. Sums run in double over fixed-size chunks combined
// in order (Chan et al.), so results do not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace initscope {

// Which values count as saturated: |tanh| > 0.97; sigmoid outside [0.03, 0.97].
enum class Saturation { None, Tanh, Sigmoid };

struct HistogramOptions {
  int bins = 40;
  bool autoRange = true;  // [min, max] of the finite values
  double low = -1.0, high = 1.0;  // the fixed range when autoRange is false
  bool operator==(const HistogramOptions&) const = default;
};

struct Histogram {
  double low = 0.0, high = 0.0;       // bin i covers [low + i w, low + (i + 1) w), the last one closed
  std::vector<std::uint64_t> counts;  // finite values in range
  std::uint64_t underflow = 0;        // finite values below low
  std::uint64_t overflow = 0;         // finite values above high
  double binWidth() const { return counts.empty() ? 0.0 : (high - low) / static_cast<double>(counts.size()); }
  double binCenter(int i) const { return low + (i + 0.5) * binWidth(); }
};

struct TensorStats {
  std::uint64_t count = 0;       // all values, finite or not
  std::uint64_t finite = 0;      // the moments below are over these
  std::uint64_t nanCount = 0;
  std::uint64_t posInfCount = 0;
  std::uint64_t negInfCount = 0;
  double mean = 0.0;
  double std = 0.0;  // unbiased (N - 1); 0 for fewer than 2 values
  double min = 0.0;
  double max = 0.0;
  double rms = 0.0;
  double zeroFraction = 0.0;       // exactly 0, of all values
  double saturatedFraction = 0.0;  // of all values, by the Saturation rule
  Histogram histogram;

  bool allFinite() const { return finite == count; }
  std::uint64_t nonFinite() const { return nanCount + posInfCount + negInfCount; }
};

TensorStats computeStats(const float* x, std::size_t n, Saturation sat = Saturation::None,
                         const HistogramOptions& hist = {});
TensorStats computeStats(const double* x, std::size_t n, Saturation sat = Saturation::None,
                         const HistogramOptions& hist = {});

// Many tensors at once, as the engine needs after each run: two OpenMP regions in all instead
// of two per tensor (short regions stall when a core is busy elsewhere). The results equal
// computeStats() on each tensor.
template <class T>
struct StatsJobT {
  const T* data;
  std::size_t size;
  Saturation saturation = Saturation::None;
};
using StatsJob = StatsJobT<float>;
std::vector<TensorStats> computeStatsMany(const std::vector<StatsJob>& jobs, const HistogramOptions& hist = {});

std::string_view toString(Saturation s);

}  // namespace initscope
