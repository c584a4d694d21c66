// run(): impossible stacks named before any work, limits, cancellation, NaN/Inf reporting, and
// bit-identical results whatever the thread count.
#include "core/experiment.h"
#include "core/loss.h"
#include "core/network.h"
#include "core/presets.h"
#include "core/rng.h"
#include "core/parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace initscope {
namespace {

std::vector<LayerSpec> fourConv() { return notebookFourConv(); }

ExperimentConfig fourConvConfig() {
  ExperimentConfig c;
  c.layers = fourConv();
  return c;
}

void expectSpecError(const std::vector<LayerSpec>& layers, int layer, const std::string& text,
                     Shape input = Shape{100, 1, 28, 28}) {
  try {
    inferShapes(layers, input);
    ADD_FAILURE() << "accepted";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.layer(), layer) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(Stack, ShapesFollowPyTorchArithmetic) {
  const auto shapes = inferShapes(fourConv(), Shape{100, 1, 28, 28});
  EXPECT_EQ(shapes[1], (Shape{100, 8, 14, 14}));
  EXPECT_EQ(shapes[3], (Shape{100, 16, 7, 7}));
  EXPECT_EQ(shapes[5], (Shape{100, 32, 4, 4}));
  EXPECT_EQ(shapes[7], (Shape{100, 1, 2, 2}));
  EXPECT_EQ(shapes[9], (Shape{100, 1}));
}

TEST(Stack, ImpossibleStacksNameTheLayerAndShapes) {
  expectSpecError({LayerSpec::conv2d(1, 8, 3), LayerSpec::conv2d(4, 8, 3)}, 1,
                  "layer 2 (conv2d 4->8 3x3): conv2d expects 4 input channels, got 8 (input (100, 8, 26, 26))");
  expectSpecError({LayerSpec::conv2d(1, 8, 29)}, 0, "kernel height 29 is larger than the padded input height 28");
  expectSpecError({LayerSpec::conv2d(1, 8, 3), LayerSpec::linear(100, 10)}, 1, "add a flatten layer before it");
  expectSpecError({LayerSpec::flatten(), LayerSpec::linear(100, 10)}, 1, "expects 100 input features, got 784");
  expectSpecError({LayerSpec::flatten(), LayerSpec::conv2d(1, 2, 3)}, 1, "cannot follow a flatten");
  expectSpecError({LayerSpec::maxPool2d(3, 1, 2)}, 0, "padding should be at most half");
  expectSpecError({LayerSpec::conv2d(1, 0, 3)}, 0, "out_channels >= 1");
  expectSpecError({}, -1, "empty");
}

TEST(Run, NotebookModelGivesFiniteStatsForEveryLayer) {
  const RunResult r = run(fourConvConfig());
  ASSERT_EQ(r.layers.size(), 9u);
  EXPECT_EQ(r.inputShape, (Shape{100, 1, 28, 28}));
  EXPECT_NEAR(r.input.mean, (0.127515 - 0.131126) / 0.308699, 1e-5);
  for (const LayerResult& l : r.layers) {
    EXPECT_TRUE(l.activation.allFinite());
    EXPECT_TRUE(l.gradient.allFinite());
  }
  // The lesson's point: under the default init the signal shrinks layer after layer.
  EXPECT_LT(r.layers[6].activation.std, 0.1 * r.layers[0].activation.std);
  ASSERT_TRUE(r.layers[0].weight);
  EXPECT_NEAR(r.layers[0].initDescription->bound, 1.0 / 5.0, 1e-12);
  EXPECT_EQ(r.layers[0].fanIn, 25);
  EXPECT_GT(r.layers[0].gradDataRatio, 0);
  EXPECT_NEAR(r.layers[1].activation.zeroFraction, 0.5, 0.2);  // relu
}

TEST(Run, KaimingKeepsTheSignalAlive) {
  ExperimentConfig c = fourConvConfig();
  c.init.scheme = Scheme::KaimingUniform;  // a = 0, fan_in, leaky_relu gain sqrt 2
  c.bias.scheme = BiasScheme::Zeros;
  const RunResult k = run(c);
  const RunResult d = run(fourConvConfig());
  EXPECT_GT(k.layers[5].activation.std, 3 * d.layers[5].activation.std);
}

TEST(Run, SameSeedSameBitsAcrossThreadCounts) {
  ExperimentConfig c = fourConvConfig();
  c.data.batch = 77;  // not a multiple of the slot count
  std::vector<RunResult> results;
  for (int t : {1, 2, 4}) {
    c.threads = t;
    results.push_back(run(c));
  }
  for (std::size_t k = 1; k < results.size(); ++k) {
    EXPECT_EQ(std::memcmp(&results[k].loss, &results[0].loss, sizeof(double)), 0);
    for (std::size_t i = 0; i < results[0].layers.size(); ++i) {
      const LayerResult &a = results[0].layers[i], &b = results[k].layers[i];
      EXPECT_EQ(a.activation.mean, b.activation.mean) << i;
      EXPECT_EQ(a.activation.std, b.activation.std) << i;
      EXPECT_EQ(a.gradient.std, b.gradient.std) << i;
      EXPECT_EQ(a.activation.histogram.counts, b.activation.histogram.counts) << i;
      if (a.weight) {
        EXPECT_EQ(a.weight->grad.mean, b.weight->grad.mean) << i;
        EXPECT_EQ(a.weight->grad.std, b.weight->grad.std) << i;
      }
    }
  }
  setEngineThreads(0);
}

// threads = 0 means OpenMP's default again after a run on an explicit count.
TEST(Run, ZeroThreadsRestoresTheDefault) {
  const int def = setEngineThreads(0);
  EXPECT_EQ(setEngineThreads(1), 1);
  EXPECT_EQ(setEngineThreads(0), def);
}

TEST(Run, DumpsAreBitIdenticalAcrossThreadCounts) {
  ExperimentConfig c;
  c.layers = {LayerSpec::flatten(), LayerSpec::linear(784, 64), LayerSpec::relu(), LayerSpec::linear(64, 10)};
  c.loss = LossKind::CrossEntropy;
  c.data.batch = 50;
  c.threads = 1;
  const RunDump a = runWithDump(c);
  c.threads = 2;
  const RunDump b = runWithDump(c);
  setEngineThreads(0);
  for (std::size_t i = 0; i < a.weightGrads.size(); ++i) EXPECT_EQ(a.weightGrads[i].data, b.weightGrads[i].data) << i;
  EXPECT_EQ(a.output.data, b.output.data);
}

// An Engine reuses its network and batch between runs; its results must equal fresh runs, also
// after a change of stack, batch, data or a failed run.
TEST(Run, EngineReuseGivesTheSameResultsAsFreshRuns) {
  Engine engine;
  ExperimentConfig c = fourConvConfig();
  auto same = [](const RunResult& a, const RunResult& b) {
    ASSERT_EQ(a.layers.size(), b.layers.size());
    EXPECT_EQ(a.loss, b.loss);
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
      EXPECT_EQ(a.layers[i].activation.std, b.layers[i].activation.std) << i;
      EXPECT_EQ(a.layers[i].gradient.std, b.layers[i].gradient.std) << i;
      EXPECT_EQ(a.layers[i].activation.histogram.counts, b.layers[i].activation.histogram.counts) << i;
    }
  };
  same(engine.run(c), run(c));
  c.init.scheme = Scheme::KaimingNormal;
  c.init.a = 0.3;
  same(engine.run(c), run(c));  // same network, new init
  c.data.batch = 33;
  same(engine.run(c), run(c));  // new batch shape
  c.data.sampling = Sampling::Random;
  c.seed = 5;
  same(engine.run(c), run(c));
  c.seed = 6;
  same(engine.run(c), run(c));  // a new seed draws a new sample
  ExperimentConfig bad = c;
  bad.layers.push_back(LayerSpec::linear(3, 3));
  EXPECT_THROW(engine.run(bad), SpecError);
  c.layers.insert(c.layers.begin() + 1, LayerSpec::batchNorm2d(8));
  same(engine.run(c), run(c));  // new stack after a failure
}

TEST(Run, DifferentSeedsDiffer) {
  ExperimentConfig c = fourConvConfig();
  const RunResult a = run(c);
  c.seed = 1;
  EXPECT_NE(run(c).layers[0].weight->value.mean, a.layers[0].weight->value.mean);
}

TEST(Run, ExplodingInitIsReportedNotHidden) {
  ExperimentConfig c;
  c.data.source = DataSource::Synthetic;
  c.data.syntheticShape = {64};
  c.data.batch = 16;
  for (int i = 0; i < 60; ++i) {
    c.layers.push_back(LayerSpec::linear(64, 64));
    c.layers.push_back(LayerSpec::relu());
  }
  c.layers.push_back(LayerSpec::linear(64, 1));
  c.init.scheme = Scheme::Normal;
  c.init.std = 10.0;  // each layer multiplies the scale by ~57
  const RunResult r = run(c);
  EXPECT_FALSE(std::isfinite(r.loss));
  std::uint64_t nonFinite = 0;
  for (const LayerResult& l : r.layers) nonFinite += l.activation.nonFinite();
  EXPECT_GT(nonFinite, 0u);
  for (const LayerResult& l : r.layers) {
    EXPECT_TRUE(std::isfinite(l.activation.histogram.low));
    EXPECT_TRUE(std::isfinite(l.activation.histogram.high));
  }
}

TEST(Run, LimitsRefuseBeforeWork) {
  ExperimentConfig c = fourConvConfig();
  c.data.batch = 1'000'000;
  EXPECT_THROW(run(c), LimitError);
  c = fourConvConfig();
  c.data.source = DataSource::Synthetic;
  c.data.syntheticShape = {1, 2000, 2000};
  c.data.batch = 1000;
  try {
    run(c);
    ADD_FAILURE();
  } catch (const LimitError& e) {
    EXPECT_NE(std::string(e.what()).find("MiB, over the budget"), std::string::npos) << e.what();
  }
  c = fourConvConfig();
  c.histogram.bins = 0;
  EXPECT_THROW(run(c), LimitError);
  c = fourConvConfig();
  c.data.batch = 20000;  // more images than the embedded set
  EXPECT_THROW(run(c), DataError);
}

// Found by fuzz_stack: shape inference builds each layer, and a conv with a billion input channels
// (or a huge kernel, or a huge linear) threw std::bad_alloc from its weight's allocation. Shape
// checks run before run()'s limits (the layer editor calls inferShapes on every edit).
TEST(Network, AbsurdWeightsAreRefusedByNameBeforeAllocation) {
  const Shape in{2, 1, 28, 28};
  LayerSpec wide = LayerSpec::conv2d(1'024'819'115, 8, 5, 2, 2);
  LayerSpec bigKernel = LayerSpec::conv2d(1, 8, 100'000);
  for (const LayerSpec& bad : {wide, bigKernel, LayerSpec::linear(1 << 20, 1 << 20)}) {
    try {
      inferShapes({LayerSpec::relu(), bad}, in);
      ADD_FAILURE() << bad.label();
    } catch (const SpecError& e) {
      EXPECT_EQ(e.layer(), 1) << e.what();
      EXPECT_NE(std::string(e.what()).find("more than the limit of 268435456"), std::string::npos) << e.what();
    }
  }
}

// forwardBackward runs each chunk forward and straight back; the activations, gradients and
// parameter gradients must be the same bits as forward, the loss gradient and backward in turn
// (where each conv gathers its input again for backward): the notebook's
// conv stack (mse; batches with a narrow last group and slots of several chunks), the same with
// leaky ReLU and with NaN in the input (which ReLU passes on), a linear stack (cross-entropy),
// and a stack with batchnorm, which takes the three steps. The same pass without retained
// tensors (each thread's chunks through one window of buffers) gives the same output and
// parameter gradients, and refuses to hand out the tensors it did not keep.
TEST(Network, ForwardBackwardGivesTheSameBitsAsTheSteps) {
  struct Case {
    std::vector<LayerSpec> layers;
    Shape input;
    bool mse;
    bool nan = false;
  };
  std::vector<LayerSpec> leaky = notebookFourConv();
  for (LayerSpec& l : leaky)
    if (l.kind == LayerKind::ReLU) l = LayerSpec::leakyRelu(0.1);
  const auto sameBits = [](const Tensor& a, const Tensor& b) {
    return a.data.size() == b.data.size() && std::memcmp(a.ptr(), b.ptr(), a.data.size() * sizeof(float)) == 0;
  };
  const std::vector<Case> cases{
      {leaky, Shape{70, 1, 28, 28}, true},
      {notebookFourConv(), Shape{40, 1, 28, 28}, true, true},
      {notebookFourConv(), Shape{100, 1, 28, 28}, true},
      {notebookFourConv(), Shape{77, 1, 28, 28}, true},
      {notebookFourConv(), Shape{24, 1, 28, 28}, true},  // windows on one thread, the whole batch on two
      {notebookFourConv(), Shape{600, 1, 28, 28}, true},
      {{LayerSpec::flatten(), LayerSpec::linear(784, 50), LayerSpec::relu(), LayerSpec::linear(50, 10)},
       Shape{130, 1, 28, 28},
       false},
      {{LayerSpec::conv2d(1, 4, 3, 2, 1), LayerSpec::batchNorm2d(4), LayerSpec::relu(), LayerSpec::flatten(),
        LayerSpec::linear(4 * 14 * 14, 10)},
       Shape{40, 1, 28, 28},
       false},
  };
  for (const Case& c : cases)
    for (int threads : {1, 2}) {
      SCOPED_TRACE(c.input.str() + (c.mse ? " mse, " : " cross-entropy, ") + std::to_string(threads) + " threads");
      setEngineThreads(threads);
      Tensor x(c.input);
      Rng r(5, 0);
      for (std::size_t i = 0; i < x.numel(); ++i) x.data[i] = static_cast<float>(r.normal(i));
      if (c.nan) x.data[3 * 784 + 400] = std::numeric_limits<float>::quiet_NaN();
      std::vector<double> targets(static_cast<std::size_t>(c.input[0]));
      std::vector<int> classes(targets.size());
      for (std::size_t i = 0; i < targets.size(); ++i) {
        targets[i] = static_cast<double>(i % 10);
        classes[i] = static_cast<int>(i * 7 % 10);
      }
      Network<float> steps(c.layers, c.input), fused(c.layers, c.input), lean(c.layers, c.input);
      steps.initialize(InitSpec{}, BiasSpec{}, 3);
      fused.initialize(InitSpec{}, BiasSpec{}, 3);
      lean.initialize(InitSpec{}, BiasSpec{}, 3);
      lean.setRetainTensors(false);
      steps.forward(x);
      Tensor g;
      if (c.mse)
        mseLoss(steps.output(), targets, &g);
      else
        crossEntropyLoss(steps.output(), classes, &g);
      steps.backward(g);
      const auto lossGradient = [&](const Tensor& out, Tensor& grad, int n0, int n1) {
        if (c.mse)
          mseGradient(out, targets, grad, n0, n1);
        else
          crossEntropyGradient(out, classes, grad, n0, n1);
      };
      fused.forwardBackward(x, lossGradient);
      lean.forwardBackward(x, lossGradient);
      EXPECT_TRUE(sameBits(steps.output(), lean.output()));
      // Windows for the conv stacks (one 16-item chunk per thread, when they do not hold the whole
      // batch); a stack with a linear or batchnorm layer needs the whole batch and keeps everything.
      bool windows = c.input[0] > 16 * threads;
      for (const LayerSpec& l : c.layers)
        windows = windows && l.kind != LayerKind::Linear && l.kind != LayerKind::BatchNorm2d;
      if (windows) {
        EXPECT_THROW(lean.activation(0), std::logic_error);
        EXPECT_THROW(lean.gradient(2), std::logic_error);
        EXPECT_THROW(lean.input(), std::logic_error);
        EXPECT_THROW(lean.backward(g), std::logic_error);
      } else {
        EXPECT_TRUE(sameBits(steps.activation(0), lean.activation(0)));
      }
      EXPECT_GT(fused.forwardShare(), 0.0);
      EXPECT_LT(fused.forwardShare(), 1.0);
      for (int i = 0; i < steps.size(); ++i) {
        EXPECT_TRUE(sameBits(steps.activation(i), fused.activation(i))) << "activation " << i;
        EXPECT_TRUE(sameBits(steps.gradient(i), fused.gradient(i))) << "gradient " << i;
        if (const Param<float>* w = steps.layer(i).weight()) {
          EXPECT_TRUE(sameBits(w->grad, fused.layer(i).weight()->grad)) << "weight gradient " << i;
          EXPECT_TRUE(sameBits(w->grad, lean.layer(i).weight()->grad)) << "weight gradient " << i << ", windows";
        }
        if (const Param<float>* b = steps.layer(i).bias()) {
          EXPECT_TRUE(sameBits(b->grad, fused.layer(i).bias()->grad)) << "bias gradient " << i;
          EXPECT_TRUE(sameBits(b->grad, lean.layer(i).bias()->grad)) << "bias gradient " << i << ", windows";
        }
      }
      EXPECT_TRUE(sameBits(steps.inputGradient(), fused.inputGradient()));
      EXPECT_TRUE(sameBits(steps.input(), x));  // copied chunk by chunk inside the pass
      EXPECT_TRUE(sameBits(fused.input(), x));
      if (c.nan) {
        const float* relu1 = fused.activation(1).item(3);  // the ReLU after conv 1 passes the NaN on
        EXPECT_TRUE(std::isnan(relu1[7 * 14 + 4]));              // output (7, 4) of channel 0 sees input (14, 8)
      }
      // A forward pass keeps everything again.
      lean.forward(x);
      EXPECT_TRUE(sameBits(steps.activation(2), lean.activation(2)));
    }
  setEngineThreads(0);
}

TEST(Run, LossThatCannotUseTheOutputIsAStackError) {
  ExperimentConfig c;
  c.layers = {LayerSpec::conv2d(1, 4, 3)};
  EXPECT_THROW(run(c), SpecError);
}

TEST(Run, CancelStopsTheRun) {
  std::atomic<bool> cancel{true};
  EXPECT_THROW(run(fourConvConfig(), &cancel), Cancelled);
}

TEST(Run, LsuvBringsEachOutputToUnitStd) {
  ExperimentConfig c = fourConvConfig();
  c.init.scheme = Scheme::LSUV;
  c.init.lsuvTolerance = 0.01;
  c.bias.scheme = BiasScheme::Zeros;
  const RunResult r = run(c);
  for (int i : {0, 2, 4, 6}) {
    EXPECT_NEAR(r.layers[static_cast<std::size_t>(i)].activation.std, 1.0, 0.011) << i;
    EXPECT_GT(r.layers[static_cast<std::size_t>(i)].lsuvIterations, 0) << i;
  }
}

TEST(Run, PerLayerOverrideWins) {
  ExperimentConfig c = fourConvConfig();
  c.layers[0].init = InitSpec{.scheme = Scheme::Constant, .value = 0.5};
  c.layers[0].biasInit = BiasSpec{BiasScheme::Constant, -1.0};
  const RunResult r = run(c);
  EXPECT_EQ(r.layers[0].weight->value.std, 0.0);
  EXPECT_DOUBLE_EQ(r.layers[0].weight->value.mean, 0.5);
  EXPECT_DOUBLE_EQ(r.layers[0].bias->value.mean, -1.0);
  EXPECT_GT(r.layers[2].weight->value.std, 0.0);  // the others keep the network-wide default
}

}  // namespace
}  // namespace initscope
