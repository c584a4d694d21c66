// Finite-difference checks of every layer and loss, in double precision (dlib's test_layer idea):
// the output is reduced with a random dot product, inputs are kept away from kinks, and the
// analytic input, weight and bias gradients are compared with central differences.
#include "core/layers/layer.h"
#include "core/loss.h"
#include "core/network.h"
#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace initscope {
namespace {

void fillNormal(TensorD& t, std::uint64_t stream, double scale = 1.0) {
  Rng r(1234, stream);
  for (std::size_t i = 0; i < t.numel(); ++i) t.data[i] = scale * r.normal(i);
}

// Moves values off the kink at 0 (relu, leaky_relu) so a finite step never crosses it.
void avoidKinks(TensorD& t) {
  for (double& v : t.data)
    if (std::abs(v) < 0.05) v = v < 0 ? v - 0.05 : v + 0.05;
}

double dot(const TensorD& a, const TensorD& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.numel(); ++i) s += a.data[i] * b.data[i];
  return s;
}

// Max of |analytic - numeric| / max(1, |numeric|) over a tensor's entries.
double compare(const TensorD& analytic, const std::vector<double>& numeric) {
  double worst = 0;
  for (std::size_t i = 0; i < numeric.size(); ++i)
    worst = std::max(worst, std::abs(analytic.data[i] - numeric[i]) / std::max(1.0, std::abs(numeric[i])));
  return worst;
}

// Central differences of loss() with respect to every entry of t.
template <class F>
std::vector<double> numericGrad(TensorD& t, F loss) {
  const double h = 1e-6;
  std::vector<double> g(t.numel());
  for (std::size_t i = 0; i < t.numel(); ++i) {
    const double v = t.data[i];
    t.data[i] = v + h;
    const double lp = loss();
    t.data[i] = v - h;
    const double lm = loss();
    t.data[i] = v;
    g[i] = (lp - lm) / (2 * h);
  }
  return g;
}

struct LayerCase {
  const char* name;
  LayerSpec spec;
  Shape input;
};

class LayerGradient : public ::testing::TestWithParam<LayerCase> {};

TEST_P(LayerGradient, MatchesFiniteDifferences) {
  const LayerCase& c = GetParam();
  auto layer = makeLayer<double>(c.spec);
  TensorD x(c.input);
  fillNormal(x, 1);
  avoidKinks(x);
  if (Param<double>* w = layer->weight()) fillNormal(w->value, 2, 0.5);
  if (Param<double>* b = layer->bias()) fillNormal(b->value, 3, 0.5);
  TensorD y;
  layer->forward(x, y);
  ASSERT_EQ(y.shape, layer->outputShape(x.shape));
  TensorD r(y.shape);
  fillNormal(r, 4);
  auto loss = [&]() {
    TensorD out;
    layer->forward(x, out);
    return dot(out, r);
  };
  TensorD dx;
  layer->forward(x, y);
  layer->backward(x, y, r, dx);
  auto numeric = [&](TensorD& t) { return numericGrad(t, loss); };
  EXPECT_LT(compare(dx, numeric(x)), 1e-7) << "input gradient of " << c.name;
  if (Param<double>* w = layer->weight()) {
    const TensorD analytic = w->grad;
    EXPECT_LT(compare(analytic, numeric(w->value)), 1e-7) << "weight gradient of " << c.name;
  }
  if (Param<double>* b = layer->bias()) {
    const TensorD analytic = b->grad;
    EXPECT_LT(compare(analytic, numeric(b->value)), 1e-7) << "bias gradient of " << c.name;
  }
}

LayerSpec nonSquareConv() {
  LayerSpec s = LayerSpec::conv2d(2, 3, 3, 2, 1);
  s.kernelW = 2;
  s.strideW = 1;
  s.padW = 0;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Layers, LayerGradient,
    ::testing::Values(LayerCase{"conv2d", LayerSpec::conv2d(2, 3, 3), Shape{2, 2, 6, 5}},
                      LayerCase{"conv2d_s2p1", LayerSpec::conv2d(3, 4, 3, 2, 1), Shape{2, 3, 7, 7}},
                      LayerCase{"conv2d_nonsquare", nonSquareConv(), Shape{2, 2, 7, 5}},
                      LayerCase{"conv2d_nobias", LayerSpec::conv2d(2, 2, 2, 1, 0, false), Shape{3, 2, 4, 4}},
                      LayerCase{"linear", LayerSpec::linear(7, 5), Shape{4, 7}},
                      LayerCase{"linear_nobias", LayerSpec::linear(6, 3, false), Shape{3, 6}},
                      LayerCase{"relu", LayerSpec::relu(), Shape{2, 3, 4, 4}},
                      LayerCase{"leaky_relu", LayerSpec::leakyRelu(0.2), Shape{2, 3, 4, 4}},
                      LayerCase{"tanh", LayerSpec::tanh(), Shape{2, 3, 4, 4}},
                      LayerCase{"sigmoid", LayerSpec::sigmoid(), Shape{3, 5}},
                      LayerCase{"gelu", LayerSpec::gelu(), Shape{3, 5}},
                      LayerCase{"max_pool2d", LayerSpec::maxPool2d(2), Shape{2, 2, 6, 6}},
                      LayerCase{"max_pool2d_s2p1", LayerSpec::maxPool2d(3, 2, 1), Shape{2, 2, 7, 6}},
                      LayerCase{"avg_pool2d_s2p1", LayerSpec::avgPool2d(3, 2, 1), Shape{2, 2, 7, 6}},
                      LayerCase{"adaptive_avg_pool2d", LayerSpec::adaptiveAvgPool2d(3, 2), Shape{2, 2, 7, 5}},
                      LayerCase{"flatten", LayerSpec::flatten(), Shape{2, 3, 2, 2}},
                      LayerCase{"batchnorm2d", LayerSpec::batchNorm2d(3), Shape{4, 3, 3, 3}}),
    [](const ::testing::TestParamInfo<LayerCase>& i) { return std::string(i.param.name); });

TEST(LossGradient, MseMatchesFiniteDifferences) {
  TensorD out(Shape{6, 1});
  fillNormal(out, 5);
  const std::vector<double> t{1, 0, 3, 2, 9, 4};
  TensorD g;
  const double l = mseLoss(out, t, &g);
  double expect = 0;
  for (std::size_t i = 0; i < t.size(); ++i) expect += (out.data[i] - t[i]) * (out.data[i] - t[i]) / 6.0;
  EXPECT_NEAR(l, expect, 1e-12);
  EXPECT_LT(compare(g, numericGrad(out, [&] { return mseLoss<double>(out, t, nullptr); })), 1e-8);
}

TEST(LossGradient, CrossEntropyMatchesFiniteDifferences) {
  TensorD z(Shape{4, 5});
  fillNormal(z, 6, 3.0);
  const std::vector<int> c{0, 4, 2, 2};
  TensorD g;
  crossEntropyLoss(z, c, &g);
  EXPECT_LT(compare(g, numericGrad(z, [&] { return crossEntropyLoss<double>(z, c, nullptr); })), 1e-8);
}

TEST(LossGradient, CrossEntropyOfUniformLogitsIsLogK) {
  TensorD z(Shape{3, 10});
  EXPECT_NEAR(crossEntropyLoss<double>(z, {1, 2, 3}, nullptr), std::log(10.0), 1e-12);
}

TEST(LossGradient, RejectsMismatchedTargets) {
  TensorD out(Shape{4, 2});
  EXPECT_THROW(mseLoss<double>(out, {1, 2, 3, 4}, nullptr), std::invalid_argument);
  EXPECT_THROW(crossEntropyLoss<double>(out, {0, 1, 2, 1}, nullptr), std::invalid_argument);
  EXPECT_THROW(crossEntropyLoss<double>(out, {0, 1}, nullptr), std::invalid_argument);
}

// A whole stack, every layer kind chained, against finite differences of the loss.
TEST(NetworkGradient, StackMatchesFiniteDifferences) {
  const std::vector<LayerSpec> specs{LayerSpec::conv2d(1, 3, 3, 1, 1), LayerSpec::batchNorm2d(3),
                                     LayerSpec::tanh(),                LayerSpec::maxPool2d(2),
                                     LayerSpec::conv2d(3, 4, 3, 2, 1), LayerSpec::gelu(),
                                     LayerSpec::avgPool2d(2),          LayerSpec::flatten(),
                                     LayerSpec::linear(4, 3),          LayerSpec::sigmoid(),
                                     LayerSpec::linear(3, 5)};
  Network<double> net(specs, Shape{3, 1, 8, 8});
  net.initialize(InitSpec{}, BiasSpec{}, 7);
  TensorD x(Shape{3, 1, 8, 8});
  fillNormal(x, 8);
  const std::vector<int> cls{1, 4, 0};
  auto loss = [&] {
    net.forward(x);
    return crossEntropyLoss<double>(net.output(), cls, nullptr);
  };
  net.forward(x);
  TensorD g;
  crossEntropyLoss(net.output(), cls, &g);
  net.backward(g);
  const TensorD dx = net.inputGradient();
  std::vector<TensorD> dws;
  for (int i = 0; i < net.size(); ++i)
    if (net.layer(i).weight()) dws.push_back(net.layer(i).weight()->grad);
  EXPECT_LT(compare(dx, numericGrad(x, loss)), 1e-7);
  std::size_t k = 0;
  for (int i = 0; i < net.size(); ++i)
    if (Param<double>* w = net.layer(i).weight()) {
      EXPECT_LT(compare(dws[k++], numericGrad(w->value, loss)), 1e-7) << "layer " << i;
    }
}

}  // namespace
}  // namespace initscope
