#include "stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace initscope {
namespace {

constexpr std::size_t kChunk = 8192;

struct Partial {
  std::uint64_t finite = 0, nan = 0, posInf = 0, negInf = 0, zeros = 0, saturated = 0;
  double mean = 0, m2 = 0, sumSq = 0;
  double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();

  // Chan's parallel update: merge another chunk's moments into this one.
  void merge(const Partial& o) {
    if (o.finite > 0) {
      const double n = static_cast<double>(finite), m = static_cast<double>(o.finite);
      const double delta = o.mean - mean;
      mean += delta * m / (n + m);
      m2 += o.m2 + delta * delta * n * m / (n + m);
      min = std::min(min, o.min);
      max = std::max(max, o.max);
      sumSq += o.sumSq;
      finite += o.finite;
    }
    nan += o.nan;
    posInf += o.posInf;
    negInf += o.negInf;
    zeros += o.zeros;
    saturated += o.saturated;
  }
};

bool saturated(double v, Saturation s) {
  switch (s) {
    case Saturation::Tanh: return std::abs(v) > 0.97;
    case Saturation::Sigmoid: return v < 0.03 || v > 0.97;
    case Saturation::None: return false;
  }
  return false;
}

// The careful path: value by value, NaN and Inf counted and left out.
template <class T>
Partial chunkMomentsSlow(const T* x, std::size_t n, Saturation sat) {
  Partial p;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    if (std::isnan(v)) {
      ++p.nan;
    } else if (std::isinf(v)) {
      ++(v > 0 ? p.posInf : p.negInf);
    } else {
      ++p.finite;
      sum += v;
      p.sumSq += v * v;
      p.min = std::min(p.min, v);
      p.max = std::max(p.max, v);
      p.zeros += v == 0.0;
      p.saturated += saturated(v, sat);
    }
  }
  if (p.finite > 0) {
    p.mean = sum / static_cast<double>(p.finite);
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[i];
      if (std::isfinite(v)) p.m2 += (v - p.mean) * (v - p.mean);
    }
  }
  return p;
}

// The usual path: two fused, vectorised passes over a chunk that sits in L1 (omp simd lets the
// compiler split the sums into lanes: the order is fixed by the build, not the thread count).
// A finite sum proves every value finite (NaN or Inf would poison it); otherwise the chunk takes
// the careful path.
template <class T>
Partial chunkMoments(const T* x, std::size_t n, Saturation sat) {
  double sum = 0, sumSq = 0;
  T mn = std::numeric_limits<T>::infinity(), mx = -std::numeric_limits<T>::infinity();
  std::uint64_t zeros = 0, satCount = 0;
  const T satHi = T(0.97), satLo = T(0.03);
  const bool tanhSat = sat == Saturation::Tanh, sigSat = sat == Saturation::Sigmoid;
#pragma omp simd reduction(+ : sum, sumSq, zeros, satCount) reduction(min : mn) reduction(max : mx)
  for (std::size_t i = 0; i < n; ++i) {
    const T v = x[i];
    const double d = v;
    sum += d;
    sumSq += d * d;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    zeros += v == T(0);
    satCount += (tanhSat && (v > satHi || v < -satHi)) || (sigSat && (v < satLo || v > satHi));
  }
  if (!std::isfinite(sum) || !std::isfinite(sumSq)) return chunkMomentsSlow(x, n, sat);
  Partial p;
  p.finite = n;
  p.sumSq = sumSq;
  p.mean = sum / static_cast<double>(n);
  p.min = mn;
  p.max = mx;
  p.zeros = zeros;
  p.saturated = satCount;
  double m2 = 0;
  const double mean = p.mean;
#pragma omp simd reduction(+ : m2)
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    m2 += d * d;
  }
  p.m2 = m2;
  return p;
}

// Histogram bin slots of a block: 0 underflow, 1..bins the bins (the last one closed), bins+1
// overflow, -1 not finite. Computed branch-free so the compiler vectorises it.
template <class T>
void binIndices(const T* x, std::size_t n, double low, double high, double scale, int bins, int* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    const double f = (v - low) * scale;
    const double fc = f == f ? f : 0.0;  // NaN must not reach the int conversion
    int k = static_cast<int>(std::clamp(fc, -1.0, static_cast<double>(bins - 1))) + 1;  // 0..bins
    k = v < low ? 0 : k;
    k = v > high ? bins + 1 : k;
    out[i] = v == v && v - v == 0 ? k : -1;  // NaN and Inf fail these
  }
}

template <class T>
TensorStats compute(const T* x, std::size_t n, Saturation sat, const HistogramOptions& opt) {
  if (opt.bins < 1 || opt.bins > 100000)
    throw std::invalid_argument("histogram bins must be 1 to 100000, got " + std::to_string(opt.bins));
  if (!opt.autoRange && !(std::isfinite(opt.low) && std::isfinite(opt.high) && opt.low < opt.high))
    throw std::invalid_argument("a fixed histogram range needs finite low < high");
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<Partial> parts(chunks);
#pragma omp parallel for schedule(static) if (chunks > 4)
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t b = c * kChunk;
    parts[c] = chunkMoments(x + b, std::min(kChunk, n - b), sat);
  }
  Partial all;
  for (const Partial& p : parts) all.merge(p);

  TensorStats s;
  s.count = n;
  s.finite = all.finite;
  s.nanCount = all.nan;
  s.posInfCount = all.posInf;
  s.negInfCount = all.negInf;
  if (all.finite > 0) {
    s.mean = all.mean;
    s.std = all.finite > 1 ? std::sqrt(all.m2 / static_cast<double>(all.finite - 1)) : 0.0;
    s.min = all.min;
    s.max = all.max;
    s.rms = std::sqrt(all.sumSq / static_cast<double>(all.finite));
  }
  if (n > 0) {
    s.zeroFraction = static_cast<double>(all.zeros) / static_cast<double>(n);
    s.saturatedFraction = static_cast<double>(all.saturated) / static_cast<double>(n);
  }

  // Histogram over the finite values.
  Histogram& h = s.histogram;
  if (opt.autoRange) {
    h.low = all.finite ? all.min : 0.0;
    h.high = all.finite ? all.max : 0.0;
    if (!(h.high > h.low)) {  // one distinct value (or none): a unit-wide range around it
      const double half = std::max(0.5, std::abs(h.low) * 0.5);
      h.low -= half;
      h.high += half;
    }
  } else {
    h.low = opt.low;
    h.high = opt.high;
  }
  const int bins = opt.bins;
  const double scale = bins / (h.high - h.low);
  // Four interleaved sub-histograms per chunk: after ReLU half the values land in one bin, and
  // counting them into one counter would serialise on it.
  const std::size_t stride = static_cast<std::size_t>(bins) + 2;
  std::vector<std::vector<std::uint64_t>> local(chunks, std::vector<std::uint64_t>(4 * stride));
#pragma omp parallel for schedule(static) if (chunks > 4)
  for (std::size_t c = 0; c < chunks; ++c) {
    auto& cnt = local[c];
    const std::size_t b = c * kChunk, e = std::min(n, b + kChunk);
    int idx[512];
    for (std::size_t i0 = b; i0 < e; i0 += 512) {
      const std::size_t m = std::min<std::size_t>(512, e - i0);
      binIndices(x + i0, m, h.low, h.high, scale, bins, idx);
      std::size_t i = 0;
      for (; i + 4 <= m; i += 4)
        for (std::size_t l = 0; l < 4; ++l)
          if (idx[i + l] >= 0) ++cnt[l * stride + static_cast<std::size_t>(idx[i + l])];
      for (; i < m; ++i)
        if (idx[i] >= 0) ++cnt[static_cast<std::size_t>(idx[i])];
    }
    for (std::size_t k = 0; k < stride; ++k) cnt[k] += cnt[stride + k] + cnt[2 * stride + k] + cnt[3 * stride + k];
  }
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  for (const auto& cnt : local) {
    h.underflow += cnt[0];
    h.overflow += cnt[static_cast<std::size_t>(bins) + 1];
    for (int k = 0; k < bins; ++k) h.counts[static_cast<std::size_t>(k)] += cnt[static_cast<std::size_t>(k) + 1];
  }
  return s;
}

}  // namespace

TensorStats computeStats(const float* x, std::size_t n, Saturation sat, const HistogramOptions& hist) {
  return compute(x, n, sat, hist);
}
TensorStats computeStats(const double* x, std::size_t n, Saturation sat, const HistogramOptions& hist) {
  return compute(x, n, sat, hist);
}

std::string_view toString(Saturation s) {
  switch (s) {
    case Saturation::Tanh: return "tanh";
    case Saturation::Sigmoid: return "sigmoid";
    case Saturation::None: break;
  }
  return "none";
}

}  // namespace initscope
