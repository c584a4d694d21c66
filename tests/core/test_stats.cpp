// Statistics: moments against a direct two-pass computation, torch.std's unbiased convention,
// histogram edges, NaN/Inf accounting and saturation rules.
#include "core/rng.h"
#include "core/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

namespace initscope {
namespace {

TEST(Stats, MomentsMatchTwoPassInDouble) {
  std::vector<float> x(100003);
  Rng r(9, 9);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(3.0 + 0.01 * r.normal(i));
  double mean = 0;
  for (float v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0, sq = 0;
  for (float v : x) ss += (v - mean) * (v - mean), sq += double(v) * v;
  const TensorStats s = computeStats(x.data(), x.size());
  EXPECT_NEAR(s.mean, mean, 1e-12);
  EXPECT_NEAR(s.std, std::sqrt(ss / static_cast<double>(x.size() - 1)), 1e-12);
  EXPECT_NEAR(s.rms, std::sqrt(sq / static_cast<double>(x.size())), 1e-12);
  EXPECT_EQ(s.count, x.size());
  EXPECT_TRUE(s.allFinite());
}

TEST(Stats, UnbiasedStdOfSmallSample) {
  const float x[] = {1, 2, 3, 4};
  const TensorStats s = computeStats(x, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(5.0 / 3.0));  // torch.tensor([1.,2,3,4]).std() = 1.2910
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 4);
  const float one[] = {7};
  EXPECT_EQ(computeStats(one, 1).std, 0.0);
}

TEST(Stats, HistogramCountsEveryFiniteValueOnce) {
  const float x[] = {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.0f};
  HistogramOptions o;
  o.bins = 4;
  const TensorStats s = computeStats(x, 6, Saturation::None, o);
  EXPECT_EQ(s.histogram.low, 0.0);
  EXPECT_EQ(s.histogram.high, 1.0);
  EXPECT_EQ(s.histogram.counts, (std::vector<std::uint64_t>{1, 1, 1, 3}));  // the last bin is closed
  EXPECT_DOUBLE_EQ(s.histogram.binCenter(0), 0.125);
}

TEST(Stats, FixedRangeCountsUnderAndOverflow) {
  const float x[] = {-5, -1, 0, 0.5f, 1, 9, 10};
  HistogramOptions o;
  o.bins = 2;
  o.autoRange = false;
  o.low = -1;
  o.high = 1;
  const TensorStats s = computeStats(x, 7, Saturation::None, o);
  EXPECT_EQ(s.histogram.underflow, 1u);
  EXPECT_EQ(s.histogram.overflow, 2u);
  EXPECT_EQ(s.histogram.counts, (std::vector<std::uint64_t>{1, 3}));
}

// Floats are binned in float: the range ends must still compare as the double ends do, also
// when an end is not a float (0.1) and for values one float step either side of it.
TEST(Stats, FixedRangeEndsThatAreNotFloats) {
  const double lo = 0.1, hi = 0.3;
  const float below = std::nextafter(static_cast<float>(lo), 0.0f);
  const float justIn = static_cast<float>(lo) < lo ? std::nextafter(static_cast<float>(lo), 1.0f) : static_cast<float>(lo);
  const float top = static_cast<float>(hi) > hi ? std::nextafter(static_cast<float>(hi), 0.0f) : static_cast<float>(hi);
  const float above = std::nextafter(top, 1.0f);
  ASSERT_LT(below, lo);
  ASSERT_GE(justIn, lo);
  ASSERT_LE(top, hi);
  ASSERT_GT(above, hi);
  const float x[] = {below, justIn, 0.2f, top, above};
  HistogramOptions o;
  o.bins = 4;
  o.autoRange = false;
  o.low = lo;
  o.high = hi;
  const TensorStats s = computeStats(x, 5, Saturation::None, o);
  EXPECT_EQ(s.histogram.underflow, 1u);
  EXPECT_EQ(s.histogram.overflow, 1u);
  EXPECT_EQ(s.histogram.counts.front(), 1u);  // justIn
  EXPECT_EQ(s.histogram.counts.back(), 1u);   // top: the last bin is closed
  EXPECT_EQ(std::accumulate(s.histogram.counts.begin(), s.histogram.counts.end(), std::uint64_t{0}), 3u);
}

TEST(Stats, NanAndInfAreCountedNotMixedIn) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const float x[] = {1, nan, 3, inf, -inf, nan};
  const TensorStats s = computeStats(x, 6);
  EXPECT_EQ(s.nanCount, 2u);
  EXPECT_EQ(s.posInfCount, 1u);
  EXPECT_EQ(s.negInfCount, 1u);
  EXPECT_EQ(s.finite, 2u);
  EXPECT_FALSE(s.allFinite());
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_TRUE(std::isfinite(s.histogram.low) && std::isfinite(s.histogram.high));
  std::uint64_t total = 0;
  for (auto c : s.histogram.counts) total += c;
  EXPECT_EQ(total, 2u);
}

TEST(Stats, AllNanGivesZeroMomentsAndFiniteRange) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float x[] = {nan, nan};
  const TensorStats s = computeStats(x, 2);
  EXPECT_EQ(s.finite, 0u);
  EXPECT_EQ(s.mean, 0.0);
  EXPECT_TRUE(std::isfinite(s.histogram.low) && s.histogram.high > s.histogram.low);
}

TEST(Stats, ConstantTensorGetsAUsableRange) {
  const float x[] = {2, 2, 2};
  const TensorStats s = computeStats(x, 3);
  EXPECT_LT(s.histogram.low, 2.0);
  EXPECT_GT(s.histogram.high, 2.0);
  std::uint64_t total = std::accumulate(s.histogram.counts.begin(), s.histogram.counts.end(), std::uint64_t{0});
  EXPECT_EQ(total, 3u);
}

TEST(Stats, ZeroAndSaturatedFractions) {
  const float x[] = {0, 0, 0.98f, -0.99f, 0.5f, 0.02f, 0.975f, 0.1f};
  EXPECT_DOUBLE_EQ(computeStats(x, 8).zeroFraction, 0.25);
  EXPECT_DOUBLE_EQ(computeStats(x, 8, Saturation::Tanh).saturatedFraction, 3.0 / 8);  // |x| > 0.97
  // sigmoid: outside [0.03, 0.97]: 0, 0, 0.98, -0.99, 0.02, 0.975
  EXPECT_DOUBLE_EQ(computeStats(x, 8, Saturation::Sigmoid).saturatedFraction, 6.0 / 8);
  EXPECT_DOUBLE_EQ(computeStats(x, 8, Saturation::None).saturatedFraction, 0.0);
}

TEST(Stats, RejectsBadHistogramOptions) {
  const float x[] = {1};
  HistogramOptions o;
  o.bins = 0;
  EXPECT_THROW(computeStats(x, 1, Saturation::None, o), std::invalid_argument);
  o.bins = 10;
  o.autoRange = false;
  o.low = 1;
  o.high = 1;
  EXPECT_THROW(computeStats(x, 1, Saturation::None, o), std::invalid_argument);
}

}  // namespace
}  // namespace initscope
