// Sweeps and seed ensembles: a sweep's point is exactly the run it stands for, bit for bit, on
// one thread or two, with the points side by side or one after another.
#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

namespace initscope {
namespace {

void expectIdentical(const TensorStats& a, const TensorStats& b, const std::string& what) {
  EXPECT_EQ(a.count, b.count) << what;
  EXPECT_EQ(a.mean, b.mean) << what;
  EXPECT_EQ(a.std, b.std) << what;
  EXPECT_EQ(a.min, b.min) << what;
  EXPECT_EQ(a.max, b.max) << what;
  EXPECT_EQ(a.rms, b.rms) << what;
  EXPECT_EQ(a.zeroFraction, b.zeroFraction) << what;
  EXPECT_EQ(a.histogram.low, b.histogram.low) << what;
  EXPECT_EQ(a.histogram.high, b.histogram.high) << what;
  EXPECT_EQ(a.histogram.counts, b.histogram.counts) << what;
}

void expectIdentical(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.loss, b.loss);
  expectIdentical(a.input, b.input, "input");
  expectIdentical(a.inputGradient, b.inputGradient, "input gradient");
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerResult &x = a.layers[i], &y = b.layers[i];
    const std::string l = "layer " + std::to_string(i) + " ";
    expectIdentical(x.activation, y.activation, l + "activation");
    expectIdentical(x.gradient, y.gradient, l + "gradient");
    ASSERT_EQ(x.weight.has_value(), y.weight.has_value());
    if (x.weight) {
      expectIdentical(x.weight->value, y.weight->value, l + "weight");
      expectIdentical(x.weight->grad, y.weight->grad, l + "weight grad");
    }
    ASSERT_EQ(x.bias.has_value(), y.bias.has_value());
    if (x.bias) {
      expectIdentical(x.bias->value, y.bias->value, l + "bias");
      expectIdentical(x.bias->grad, y.bias->grad, l + "bias grad");
    }
  }
}

ExperimentConfig fourConv() { return findPreset("fourconv_default")->config; }

// Restores OpenMP's thread count after a test changes it.
struct ThreadGuard {
  int saved = omp_get_max_threads();
  ~ThreadGuard() { omp_set_num_threads(saved); }
};

TEST(Sweep, Linspace) {
  EXPECT_EQ(linspace(0, 1, 5), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(linspace(2, 3, 1), (std::vector<double>{2}));
  EXPECT_EQ(linspace(0, 3, 4).back(), 3.0);
  EXPECT_THROW(linspace(0, 1, 0), std::invalid_argument);
  EXPECT_THROW(linspace(0, NAN, 3), std::invalid_argument);
}

TEST(Sweep, WithASetsEveryKaimingScheme) {
  ExperimentConfig c = fourConv();
  const ExperimentConfig d = withA(c, 0.5);
  EXPECT_EQ(d.init.scheme, Scheme::KaimingUniform);  // the default is kaiming_uniform(a = sqrt 5)
  EXPECT_EQ(d.init.nonlinearity, Nonlinearity::LeakyReLU);
  EXPECT_EQ(d.init.a, 0.5);
  EXPECT_EQ(d.bias, c.bias);

  // The default at a = sqrt 5 is the default itself.
  expectIdentical(run(withA(c, std::sqrt(5.0))), run(c));

  c.init.scheme = Scheme::XavierUniform;
  EXPECT_THROW(withA(c, 1.0), std::invalid_argument);
  c.layers[0].init = InitSpec{.scheme = Scheme::KaimingNormal};  // one overriding layer takes a
  const ExperimentConfig e = withA(c, 2.0);
  EXPECT_EQ(e.layers[0].init->a, 2.0);
  EXPECT_EQ(e.init.scheme, Scheme::XavierUniform);
}

TEST(Sweep, PointsAreTheIndividualRuns) {
  const ExperimentConfig base = fourConv();
  const std::vector<double> as{0.0, 1.0, std::sqrt(5.0)};
  const std::vector<RunResult> s = sweepA(base, as);
  ASSERT_EQ(s.size(), as.size());
  for (std::size_t i = 0; i < as.size(); ++i) {
    SCOPED_TRACE("a = " + std::to_string(as[i]));
    EXPECT_EQ(s[i].config, withA(base, as[i]));
    expectIdentical(s[i], run(withA(base, as[i])));
  }
  // The signal grows with smaller a: the lesson's point.
  EXPECT_GT(s[0].layers.back().activation.std, s[2].layers.back().activation.std);
}

TEST(Sweep, BitIdenticalWhateverTheThreads) {
  ThreadGuard guard;
  const ExperimentConfig base = fourConv();
  const std::vector<double> as = linspace(0.0, 3.0, 6);
  std::vector<std::vector<RunResult>> all;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (SweepParallelism p : {SweepParallelism::OverPoints, SweepParallelism::WithinRuns, SweepParallelism::Auto})
      all.push_back(sweepA(base, as, nullptr, SweepOptions{p, 0}));
  }
  for (std::size_t k = 1; k < all.size(); ++k) {
    SCOPED_TRACE("variant " + std::to_string(k));
    ASSERT_EQ(all[k].size(), as.size());
    for (std::size_t i = 0; i < as.size(); ++i) expectIdentical(all[k][i], all[0][i]);
  }
}

TEST(Sweep, Depth) {
  ExperimentConfig base = fourConv();
  base.data.batch = 20;
  const DepthStack mlp{StackKind::Mlp, 32, LayerKind::ReLU};
  const std::vector<RunResult> r = sweepDepth(base, {1, 4, 8}, mlp);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].layers.size(), 1u + 2 + 1);
  EXPECT_EQ(r[2].layers.size(), 1u + 16 + 1);
  EXPECT_EQ(r[2].layers.back().outputShape, (Shape{20, 1}));  // mse: one output per example
  expectIdentical(r[1], run(withDepth(base, 4, mlp)));
  // PyTorch's default shrinks the signal block by block.
  EXPECT_LT(r[2].layers[15].activation.std, r[2].layers[1].activation.std);

  base.loss = LossKind::CrossEntropy;
  const auto conv = sweepDepth(base, {2}, DepthStack{StackKind::Conv, 4, LayerKind::Tanh});
  EXPECT_EQ(conv[0].layers.back().outputShape, (Shape{20, 10}));
}

TEST(Sweep, Seeds) {
  ExperimentConfig base = fourConv();
  base.seed = 7;
  const std::vector<RunResult> r = sweepSeeds(base, {7, 3});
  expectIdentical(r[0], run(base));
  EXPECT_EQ(r[1].config.seed, 3u);
  EXPECT_NE(r[0].loss, r[1].loss);
}

TEST(Sweep, ErrorsNameTheFirstBadPoint) {
  ExperimentConfig base = fourConv();
  base.data.batch = 0;
  for (SweepParallelism p : {SweepParallelism::OverPoints, SweepParallelism::WithinRuns})
    EXPECT_THROW(sweepSeeds(base, {0, 1, 2}, nullptr, SweepOptions{p, 2}), LimitError);
}

TEST(Sweep, Cancel) {
  const std::atomic<bool> cancel{true};
  for (SweepParallelism p : {SweepParallelism::OverPoints, SweepParallelism::WithinRuns})
    EXPECT_THROW(sweepA(fourConv(), {0.0, 1.0, 2.0}, &cancel, SweepOptions{p, 2}), Cancelled);
}

TEST(Ensemble, QuantilesAsTorch) {
  // torch.quantile(torch.tensor([1., 2, 3, 4, 5]), 0.05) == 1.2; 0.95 -> 4.8
  const Summary s = summarize({5, 1, 4, 2, 3});
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(s.q05, 1.2);
  EXPECT_DOUBLE_EQ(s.q95, 4.8);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 5.0);
  EXPECT_DOUBLE_EQ(quantile({10}, 0.95), 10.0);
  const Summary one = summarize({2.5});
  EXPECT_EQ(one.std, 0.0);
}

TEST(Ensemble, SummarisesEveryStatistic) {
  ExperimentConfig base = fourConv();
  base.seed = 10;
  const Ensemble e = seedEnsemble(base, 5);
  EXPECT_EQ(e.seeds, (std::vector<std::uint64_t>{10, 11, 12, 13, 14}));
  ASSERT_EQ(e.layers.size(), base.layers.size());
  const RunResult r12 = run([&] { auto c = base; c.seed = 12; return c; }());
  const EnsembleStat* wstd = e.layers[0].find("weight_grad.std");
  ASSERT_NE(wstd, nullptr);
  EXPECT_EQ(wstd->values[2], r12.layers[0].weight->grad.std);
  EXPECT_EQ(e.layers[1].find("weight.std"), nullptr);  // relu has no weight
  const EnsembleStat* loss = e.findGlobal("loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->values[2], r12.loss);
  EXPECT_LE(loss->summary.q05, loss->summary.mean);
  EXPECT_GE(loss->summary.q95, loss->summary.mean);
  ASSERT_NE(e.findNotebook("grad_w0_std"), nullptr);
  EXPECT_EQ(e.findNotebook("grad_w0_std")->summary.mean, wstd->summary.mean);

  const Json j = toJson(e);
  EXPECT_EQ(j.at("schema"), "initscope.ensemble");
  EXPECT_EQ(j.at("layers").size(), base.layers.size());
  EXPECT_EQ(j.at("notebook").at("out_std").at("values").size(), 5u);
  const std::string csv = toCsv(e);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "layer,label,stat,mean,std,q05,q95,min,max");
  EXPECT_THROW(seedEnsemble(base, 0), std::invalid_argument);
}

TEST(SweepDocuments, JsonAndCsv) {
  const std::vector<double> as{0.0, 1.0};
  const auto r = sweepA(fourConv(), as);
  const Json j = sweepToJson(SweepOver::A, as, r);
  EXPECT_EQ(j.at("schema"), "initscope.sweep");
  EXPECT_EQ(j.at("over"), "a");
  ASSERT_EQ(j.at("points").size(), 2u);
  EXPECT_EQ(j.at("points")[1].at("value"), 1.0);
  EXPECT_EQ(j.at("points")[1].at("result").at("schema"), "initscope.result");
  const std::string csv = sweepToCsv(as, r);
  EXPECT_EQ(csv.rfind("value,layer,", 0), 0u);
  // a header, then (input + 9 layers) rows per point
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 10);
  EXPECT_EQ(parseSweepOver("depth"), SweepOver::Depth);
  EXPECT_EQ(parseSweepOver("b"), std::nullopt);
}

}  // namespace
}  // namespace initscope
