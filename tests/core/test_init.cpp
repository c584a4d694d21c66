// torch.nn.init semantics: calculate_gain and fans against torch's own values, every scheme's
// formula against the std/bound torch's script recorded, and the empirical moments of a large
// tensor within statistical tolerance.
#include "core/init.h"
#include "core/stats.h"
#include "fixture_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace initscope {
namespace {

const Json& reference() {
  static const Json j = test::loadFixture("init_reference.json");
  return j;
}

TEST(Init, CalculateGainMatchesTorchTable) {
  int checked = 0;
  for (const Json& g : reference()["gains"]) {
    const auto nl = parseNonlinearity(g["nonlinearity"].get<std::string>());
    ASSERT_TRUE(nl) << g["nonlinearity"];
    const std::optional<double> param =
        g["param"].is_null() ? std::nullopt : std::optional<double>(g["param"].get<double>());
    EXPECT_NEAR(calculateGain(*nl, param), g["gain"].get<double>(), 1e-15) << g.dump();
    ++checked;
  }
  EXPECT_GE(checked, 19);
}

TEST(Init, FansMatchTorch) {
  for (const Json& f : reference()["fans"]) {
    const Fans fans = calculateFans(test::shapeFrom(f["shape"]));
    EXPECT_EQ(fans.fanIn, f["fan_in"].get<double>()) << f.dump();
    EXPECT_EQ(fans.fanOut, f["fan_out"].get<double>()) << f.dump();
  }
  EXPECT_THROW(calculateFans(Shape{5}), std::invalid_argument);
}

// The InitSpec for a torch record's scheme and arguments.
InitSpec specFor(const Json& rec) {
  const std::string name = rec["scheme"];
  const Json& a = rec["args"];
  InitSpec s;
  if (name == "default_conv2d_weight") return s;  // PyTorchDefault
  s.scheme = *parseScheme(name);
  if (a.contains("gain")) s.gain = a["gain"];
  if (name == "uniform") s.low = a["a"], s.high = a["b"];
  if (name == "normal" || name == "trunc_normal") s.mean = a["mean"], s.std = a["std"];
  if (name == "trunc_normal") s.truncLow = a["a"], s.truncHigh = a["b"];
  if (name == "constant") s.value = a["val"];
  if (name.starts_with("kaiming")) {
    s.a = a["a"];
    s.mode = *parseFanMode(a["mode"].get<std::string>());
    s.nonlinearity = *parseNonlinearity(a["nonlinearity"].get<std::string>());
  }
  return s;
}

TEST(Init, FormulasMatchTorch) {
  int checked = 0;
  for (const Json& rec : reference()["schemes"]) {
    if (rec["scheme"] == "default_conv2d_bias") continue;
    const InitSpec s = specFor(rec);
    const InitDescription d = describeInit(s, test::shapeFrom(rec["shape"]));
    if (rec.contains("expected_std")) {
      EXPECT_NEAR(d.std, rec["expected_std"].get<double>(), 1e-12 * (1 + d.std)) << rec.dump();
      ++checked;
    }
    if (rec.contains("expected_bound")) {
      EXPECT_NEAR(d.bound, rec["expected_bound"].get<double>(), 1e-12) << rec.dump();
    }
    if (rec.contains("gain")) {
      EXPECT_NEAR(d.gain, rec["gain"].get<double>(), 1e-12) << rec.dump();
    }
    if (rec.contains("expected_mean_square")) {
      EXPECT_NEAR(d.std * d.std, rec["expected_mean_square"].get<double>(), 1e-12) << rec.dump();
    }
  }
  EXPECT_GE(checked, 30);
}

// The empirical mean and std of our draw against the formula, within about 5 standard errors;
// and against torch's own empirical std within the same tolerance.
TEST(Init, EmpiricalMomentsWithinTolerance) {
  for (const Json& rec : reference()["schemes"]) {
    const Shape shape = test::shapeFrom(rec["shape"]);
    Tensor w(shape);
    if (rec["scheme"] == "default_conv2d_bias") {
      w = Tensor(Shape{256});
      initBias(w, BiasSpec{}, 1152, Rng(3, 1));
      const double bound = 1.0 / std::sqrt(1152.0);
      for (float v : w.data) EXPECT_LE(std::abs(v), bound * (1 + 1e-6));
      continue;
    }
    const InitSpec s = specFor(rec);
    initWeight(w, s, Rng(rec["seed"].get<std::uint64_t>(), 0));
    const TensorStats st = computeStats(w.ptr(), w.numel());
    const double n = static_cast<double>(w.numel());
    const double torchStd = rec["empirical_std"].get<double>();
    if (rec.contains("expected_std") && rec["expected_std"].get<double>() == 0) {  // constants (torch's std is rounding)
      EXPECT_EQ(st.std, 0.0) << rec.dump();
      EXPECT_NEAR(st.mean, rec["empirical_mean"].get<double>(), 1e-7) << rec.dump();
      continue;
    }
    // Standard error of a std estimate is about std / sqrt(2n) (a bit more for heavy tails).
    const double tolStd = 6 * torchStd / std::sqrt(2 * n);
    EXPECT_NEAR(st.std, torchStd, 2 * tolStd) << rec.dump();
    if (rec.contains("expected_std")) {
      EXPECT_NEAR(st.std, rec["expected_std"].get<double>(), tolStd) << rec.dump();
    }
    const double expectMean = rec.contains("expected_mean") ? rec["expected_mean"].get<double>() : 0.0;
    EXPECT_NEAR(st.mean, expectMean, 6 * torchStd / std::sqrt(n)) << rec.dump();
    if (rec.contains("expected_bound")) {
      const double b = rec["expected_bound"];
      EXPECT_LE(st.max, b * (1 + 1e-6)) << rec.dump();
      EXPECT_GE(st.min, -b * (1 + 1e-6)) << rec.dump();
      EXPECT_GT(st.max, 0.99 * b) << rec.dump();
    }
    if (rec.contains("expected_min")) {
      EXPECT_GE(st.min, rec["expected_min"].get<double>() - 1e-6) << rec.dump();
      EXPECT_LE(st.max, rec["expected_max"].get<double>() + 1e-6) << rec.dump();
    }
  }
}

TEST(Init, OrthogonalRowsAreOrthonormalTimesGain) {
  for (const Shape& shape : {Shape{64, 128}, Shape{128, 64}, Shape{32, 16, 3, 3}}) {
    TensorD w(shape);
    InitSpec s;
    s.scheme = Scheme::Orthogonal;
    s.gain = 2.0;
    initWeight(w, s, Rng(1, 2));
    const int rows = shape[0], cols = static_cast<int>(w.numel()) / rows;
    const bool wide = rows <= cols;  // then W W^T = gain^2 I, else W^T W
    const int n = wide ? rows : cols;
    double worst = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double dot = 0;
        for (int k = 0; k < (wide ? cols : rows); ++k)
          dot += wide ? w.data[static_cast<std::size_t>(i * cols + k)] * w.data[static_cast<std::size_t>(j * cols + k)]
                      : w.data[static_cast<std::size_t>(k * cols + i)] * w.data[static_cast<std::size_t>(k * cols + j)];
        worst = std::max(worst, std::abs(dot / 4.0 - (i == j ? 1.0 : 0.0)));
      }
    EXPECT_LT(worst, 1e-12) << shape.str();
  }
}

TEST(Init, DefaultIsKaimingUniformSqrt5) {
  // gain(sqrt 5) = 1/sqrt(3), so bound = sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in).
  const InitDescription d = describeInit(InitSpec{}, Shape{32, 1, 5, 5});
  EXPECT_NEAR(d.gain, 1.0 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(d.bound, 1.0 / 5.0, 1e-15);
  EXPECT_EQ(d.distribution, "uniform");
  EXPECT_NE(d.formula.find("fan_in"), std::string::npos);
}

TEST(Init, UniformPlusMinusOneStd) {
  const Json& u = reference()["uniform_pm1_std"];
  InitSpec s;
  s.scheme = Scheme::Uniform;
  s.low = -1;
  s.high = 1;
  EXPECT_NEAR(describeInit(s, Shape{10, 10}).std, u["analytic"].get<double>(), 1e-15);
  Tensor w(Shape{1000, 1000});
  initWeight(w, s, Rng(0, 0));
  EXPECT_NEAR(computeStats(w.ptr(), w.numel()).std, u["empirical"].get<double>(), 3e-3);
}

TEST(Init, SameSeedSameBitsDifferentSeedDifferentBits) {
  Tensor a(Shape{64, 32, 3, 3}), b(Shape{64, 32, 3, 3}), c(Shape{64, 32, 3, 3});
  InitSpec s;
  s.scheme = Scheme::KaimingNormal;
  initWeight(a, s, Rng(5, 1));
  initWeight(b, s, Rng(5, 1));
  initWeight(c, s, Rng(6, 1));
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
}

TEST(Init, RejectsImpossibleArguments) {
  Tensor w(Shape{4, 4});
  InitSpec s;
  s.scheme = Scheme::TruncNormal;
  s.truncLow = 1;
  s.truncHigh = -1;
  EXPECT_THROW(initWeight(w, s, Rng(0, 0)), std::invalid_argument);
  Tensor v(Shape{4});
  EXPECT_THROW(initWeight(v, InitSpec{}, Rng(0, 0)), std::invalid_argument);  // fans need rank >= 2
}

TEST(Init, NamesRoundTrip) {
  for (Scheme s : allSchemes()) EXPECT_EQ(parseScheme(toString(s)), s);
  for (Nonlinearity n : allNonlinearities()) EXPECT_EQ(parseNonlinearity(toString(n)), n);
  EXPECT_FALSE(parseScheme("kaiming"));
}

}  // namespace
}  // namespace initscope
