#include "stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// The usual path: two vectorised passes over a chunk that sits in L1, written with explicit
// vectors (16 floats, sums in two halves of 8 doubles) so the order of the sums is fixed by this
// code, not by the compiler or the thread count. A finite sum proves every value finite (NaN or
// Inf would poison it); otherwise the chunk takes the careful path.
template <class T>
Partial chunkMoments(const T* x, std::size_t n, Saturation sat) {
  typedef double D8 __attribute__((vector_size(64), aligned(alignof(double))));
  typedef T TV __attribute__((vector_size(8 * sizeof(T)), aligned(alignof(T))));
  typedef std::int64_t I8 __attribute__((vector_size(64), aligned(alignof(std::int64_t))));
  D8 sumV{}, sqV{}, sumV2{}, sqV2{};
  TV mnV = TV{} + std::numeric_limits<T>::infinity(), mxV = TV{} - std::numeric_limits<T>::infinity();
  I8 zeroV{};
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    TV a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, x + i + 8, sizeof b);
    const D8 da = __builtin_convertvector(a, D8), db = __builtin_convertvector(b, D8);
    sumV += da;
    sqV += da * da;
    sumV2 += db;
    sqV2 += db * db;
    mnV = a < mnV ? a : mnV;
    mnV = b < mnV ? b : mnV;
    mxV = a > mxV ? a : mxV;
    mxV = b > mxV ? b : mxV;
    zeroV -= __builtin_convertvector(a == TV{}, I8) + __builtin_convertvector(b == TV{}, I8);  // true is -1
  }
  sumV += sumV2;
  sqV += sqV2;
  double sum = 0, sumSq = 0;
  T mn = std::numeric_limits<T>::infinity(), mx = -std::numeric_limits<T>::infinity();
  std::uint64_t zeros = 0;
  for (int l = 0; l < 8; ++l) {
    sum += sumV[l];
    sumSq += sqV[l];
    mn = mnV[l] < mn ? mnV[l] : mn;
    mx = mxV[l] > mx ? mxV[l] : mx;
    zeros += static_cast<std::uint64_t>(zeroV[l]);
  }
  for (; i < n; ++i) {
    const T v = x[i];
    sum += static_cast<double>(v);
    sumSq += static_cast<double>(v) * static_cast<double>(v);
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    zeros += v == T(0);
  }
  if (!std::isfinite(sum) || !std::isfinite(sumSq)) return chunkMomentsSlow(x, n, sat);
  std::uint64_t satCount = 0;
  const T satHi = T(0.97), satLo = T(0.03);
  if (sat == Saturation::Tanh) {
    for (std::size_t k = 0; k < n; ++k) satCount += x[k] > satHi || x[k] < -satHi;
  } else if (sat == Saturation::Sigmoid) {
    for (std::size_t k = 0; k < n; ++k) satCount += x[k] < satLo || x[k] > satHi;
  }
  Partial p;
  p.finite = n;
  p.sumSq = sumSq;
  p.mean = sum / static_cast<double>(n);
  p.min = mn;
  p.max = mx;
  p.zeros = zeros;
  p.saturated = satCount;
  const double mean = p.mean;
  D8 m2V{};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    TV a;
    std::memcpy(&a, x + k, sizeof a);
    const D8 d = __builtin_convertvector(a, D8) - mean;
    m2V += d * d;
  }
  double m2 = 0;
  for (int l = 0; l < 8; ++l) m2 += m2V[l];
  for (; k < n; ++k) {
    const double d = static_cast<double>(x[k]) - mean;
    m2 += d * d;
  }
  p.m2 = m2;
  return p;
}

// d rounded to T towards +inf (dir > 0) or -inf (dir < 0).
template <class T>
T roundTo(double d, int dir) {
  T t = static_cast<T>(d);
  if (dir > 0 && static_cast<double>(t) < d) t = std::nextafter(t, std::numeric_limits<T>::infinity());
  if (dir < 0 && static_cast<double>(t) > d) t = std::nextafter(t, -std::numeric_limits<T>::infinity());
  return t;
}

// Histogram bin slots of a block: 0 underflow, 1..bins the bins (the last one closed), bins+1
// overflow, bins+2 not finite (counted elsewhere, dropped). Computed branch-free so the compiler
// vectorises it; a value within rounding of an inner bin edge may land on either side.
template <class T>
void binIndices(const T* x, std::size_t n, T low, T high, T scale, int bins, int* out) {
  const T top = static_cast<T>(bins - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const T v = x[i];
    T f = (v - low) * scale;
    f = f >= T(0) ? f : T(0);  // NaN too: it must not reach the int conversion
    f = f <= top ? f : top;
    int k = static_cast<int>(f) + 1;  // 1..bins
    k = v < low ? 0 : k;
    k = v > high ? bins + 1 : k;
    out[i] = v - v == T(0) ? k : bins + 2;  // NaN and Inf fail this
  }
}

void checkOptions(const HistogramOptions& opt) {
  if (opt.bins < 1 || opt.bins > 100000)
    throw std::invalid_argument("histogram bins must be 1 to 100000, got " + std::to_string(opt.bins));
  if (!opt.autoRange && !(std::isfinite(opt.low) && std::isfinite(opt.high) && opt.low < opt.high))
    throw std::invalid_argument("a fixed histogram range needs finite low < high");
}

// Moments of a whole tensor from its chunks' partials (merged in chunk order), and the
// histogram's range.
TensorStats finishMoments(const Partial* parts, std::size_t chunks, std::size_t n, const HistogramOptions& opt) {
  Partial all;
  for (std::size_t c = 0; c < chunks; ++c) all.merge(parts[c]);
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
  h.counts.assign(static_cast<std::size_t>(opt.bins), 0);
  return s;
}

// A chunk's counts: kSub interleaved sub-histograms of countStride(bins) slots each (underflow,
// bins, overflow, not finite).
constexpr int kSub = 4;
std::size_t countStride(int bins) { return static_cast<std::size_t>(bins) + 3; }

// Counts one chunk into cnt (kSub * countStride(bins) values, zeroed by the caller). After ReLU half the values land in one bin;
// counting them into one counter would serialise on it. Every value is counted somewhere, so the
// loop has no branch.
template <class T>
void countChunk(const T* x, std::size_t n, const Histogram& h, int bins, std::uint32_t* cnt) {
  static_assert(kSub == 4, "the counting loop below is written out for four sub-histograms");
  const std::size_t stride = countStride(bins);
  std::uint32_t* c0 = cnt;
  std::uint32_t* c1 = cnt + stride;
  std::uint32_t* c2 = cnt + 2 * stride;
  std::uint32_t* c3 = cnt + 3 * stride;
  // In T's precision (twice the lanes for float). The range ends become the T values that
  // compare with every T exactly as the double ends do: v < low iff v < low rounded up.
  const T low = roundTo<T>(h.low, +1), high = roundTo<T>(h.high, -1);
  const T scale = static_cast<T>(bins / (h.high - h.low));
  int idx[512];
  for (std::size_t i0 = 0; i0 < n; i0 += 512) {
    const std::size_t m = std::min<std::size_t>(512, n - i0);
    binIndices(x + i0, m, low, high, scale, bins, idx);
    std::size_t i = 0;
    for (; i + 4 <= m; i += 4) {
      ++c0[idx[i]];
      ++c1[idx[i + 1]];
      ++c2[idx[i + 2]];
      ++c3[idx[i + 3]];
    }
    for (; i < m; ++i) ++c0[idx[i]];
  }
}

void addCounts(Histogram& h, const std::uint32_t* cnt) {
  const std::size_t bins = h.counts.size(), stride = countStride(static_cast<int>(bins));
  for (int l = 0; l < kSub; ++l, cnt += stride) {
    h.underflow += cnt[0];
    h.overflow += cnt[bins + 1];
    for (std::size_t k = 0; k < bins; ++k) h.counts[k] += cnt[k + 1];
  }
}

// Every tensor's statistics in two OpenMP regions in all (moments, then histograms), the work
// split into fixed chunks of kChunk values whatever the thread count.
template <class T>
std::vector<TensorStats> computeMany(const std::vector<StatsJobT<T>>& jobs, const HistogramOptions& opt) {
  checkOptions(opt);
  struct Task {
    std::size_t job, begin, size;
  };
  std::vector<Task> tasks;
  std::vector<std::size_t> firstTask(jobs.size() + 1);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    firstTask[j] = tasks.size();
    for (std::size_t b = 0; b < jobs[j].size; b += kChunk) tasks.push_back({j, b, std::min(kChunk, jobs[j].size - b)});
  }
  firstTask[jobs.size()] = tasks.size();
  const auto nt = static_cast<std::int64_t>(tasks.size());
  std::vector<Partial> parts(tasks.size());
#pragma omp parallel for schedule(static) if (nt > 4)
  for (std::int64_t t = 0; t < nt; ++t) {
    const Task& k = tasks[static_cast<std::size_t>(t)];
    parts[static_cast<std::size_t>(t)] = chunkMoments(jobs[k.job].data + k.begin, k.size, jobs[k.job].saturation);
  }
  std::vector<TensorStats> out(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j)
    out[j] = finishMoments(parts.data() + firstTask[j], firstTask[j + 1] - firstTask[j], jobs[j].size, opt);
  const std::size_t perTask = kSub * countStride(opt.bins);
  std::vector<std::uint32_t> counts(tasks.size() * perTask, 0);  // a chunk has < 2^32 values
#pragma omp parallel for schedule(static) if (nt > 4)
  for (std::int64_t t = 0; t < nt; ++t) {
    const Task& k = tasks[static_cast<std::size_t>(t)];
    countChunk(jobs[k.job].data + k.begin, k.size, out[k.job].histogram, opt.bins,
               counts.data() + static_cast<std::size_t>(t) * perTask);
  }
  for (std::size_t t = 0; t < tasks.size(); ++t) addCounts(out[tasks[t].job].histogram, counts.data() + t * perTask);
  return out;
}

}  // namespace

TensorStats computeStats(const float* x, std::size_t n, Saturation sat, const HistogramOptions& hist) {
  return computeMany<float>({{x, n, sat}}, hist).front();
}
TensorStats computeStats(const double* x, std::size_t n, Saturation sat, const HistogramOptions& hist) {
  return computeMany<double>({{x, n, sat}}, hist).front();
}
std::vector<TensorStats> computeStatsMany(const std::vector<StatsJob>& jobs, const HistogramOptions& hist) {
  return computeMany(jobs, hist);
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
