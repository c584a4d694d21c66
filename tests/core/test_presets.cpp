// The named presets: every one runs, the notebook's are the lesson's experiments, and all of them
// survive a trip through the config JSON the GUI saves.
#include "core/io.h"
#include "core/presets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace initscope {
namespace {

TEST(Presets, NamesAreUniqueAndDescribed) {
  std::set<std::string> names;
  for (const Preset& p : presets()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
    EXPECT_EQ(p.description.find('\n'), std::string::npos) << p.name;
    EXPECT_EQ(p.config.name, p.name);
    EXPECT_EQ(findPreset(p.name), &p);
  }
  EXPECT_EQ(findPreset("no_such_preset"), nullptr);
  EXPECT_GE(presets().size(), 11u);
}

TEST(Presets, NotebookPresetsComeFirstInTheLessonsOrder) {
  const std::vector<std::string> lesson{"single_conv_default", "kaiming_normal_a1", "kaiming_normal_a0_leaky0",
                                        "default_leaky0",      "kaiming2_a0",       "kaiming2_a_sqrt5",
                                        "fourconv_default",    "fourconv_kaiming_uniform"};
  ASSERT_GE(presets().size(), lesson.size());
  for (std::size_t i = 0; i < lesson.size(); ++i) {
    EXPECT_EQ(presets()[i].name, lesson[i]);
    EXPECT_TRUE(presets()[i].notebook);
  }
  for (std::size_t i = lesson.size(); i < presets().size(); ++i) EXPECT_FALSE(presets()[i].notebook);
}

TEST(Presets, EveryPresetRuns) {
  for (const Preset& p : presets()) {
    SCOPED_TRACE(p.name);
    RunResult r;
    ASSERT_NO_THROW(r = run(p.config));
    EXPECT_EQ(r.layers.size(), p.config.layers.size());
    EXPECT_TRUE(std::isfinite(r.loss));
    for (const LayerResult& l : r.layers) {
      EXPECT_TRUE(l.activation.allFinite()) << l.label;
      EXPECT_TRUE(l.gradient.allFinite()) << l.label;
    }
    EXPECT_EQ(r.inputShape, (Shape{100, 1, 28, 28}));
  }
}

TEST(Presets, LessonStacks) {
  const auto& sc = findPreset("single_conv_default")->config;
  ASSERT_EQ(sc.layers.front(), LayerSpec::conv2d(1, 32, 5));
  EXPECT_EQ(sc.init.scheme, Scheme::PyTorchDefault);
  EXPECT_EQ(sc.bias.scheme, BiasScheme::PyTorchDefault);
  EXPECT_EQ(findPreset("single_conv_default")->outputLayer, 0);
  EXPECT_EQ(findPreset("default_leaky0")->outputLayer, 1);
  EXPECT_EQ(findPreset("default_leaky0")->config.layers[1], LayerSpec::leakyRelu(0.0));

  // kaiming2 is kaiming_uniform with the leaky_relu gain, fan_in.
  for (const auto& [name, a] : {std::pair<const char*, double>{"kaiming2_a0", 0.0}, {"kaiming2_a_sqrt5", std::sqrt(5.0)}}) {
    const InitSpec& s = findPreset(name)->config.init;
    EXPECT_EQ(s.scheme, Scheme::KaimingUniform) << name;
    EXPECT_EQ(s.nonlinearity, Nonlinearity::LeakyReLU) << name;
    EXPECT_EQ(s.mode, FanMode::FanIn) << name;
    EXPECT_EQ(s.a, a) << name;
  }
  EXPECT_EQ(findPreset("kaiming_normal_a1")->config.init.scheme, Scheme::KaimingNormal);
  EXPECT_EQ(findPreset("kaiming_normal_a1")->config.init.a, 1.0);

  const auto& fk = findPreset("fourconv_kaiming_uniform")->config;
  EXPECT_EQ(fk.layers, notebookFourConv());
  EXPECT_EQ(fk.init.scheme, Scheme::KaimingUniform);
  EXPECT_EQ(fk.init.a, 0.0);
  EXPECT_EQ(fk.bias.scheme, BiasScheme::Zeros);
  EXPECT_EQ(fk.loss, LossKind::MSE);
}

// The fixture's 4-conv stack, read by the project's own stack reader, is notebookFourConv().
TEST(Presets, FourConvIsTheFixturesStack) {
  const Json j = parseJson(readTextFile(INITSCOPE_FIXTURES "/layers/notebook_4conv.json"), "notebook_4conv.json");
  EXPECT_EQ(stackFromJson(j.at("layers")), notebookFourConv());
}

// The lesson's point: PyTorch's default is kaiming_uniform(a = sqrt 5), bit for bit.
TEST(Presets, DefaultIsKaimingUniformSqrt5) {
  const RunResult d = run(findPreset("default_leaky0")->config);
  const RunResult k = run(findPreset("kaiming2_a_sqrt5")->config);
  ASSERT_TRUE(d.layers[0].weight && k.layers[0].weight);
  EXPECT_EQ(d.layers[0].weight->value.mean, k.layers[0].weight->value.mean);
  EXPECT_EQ(d.layers[0].weight->value.std, k.layers[0].weight->value.std);
  EXPECT_EQ(d.layers[1].activation.std, k.layers[1].activation.std);
  const InitDescription desc = *d.layers[0].initDescription;
  EXPECT_NEAR(desc.std, 1.0 / std::sqrt(75.0), 1e-12);  // gain 1/sqrt(3), fan_in 25
  EXPECT_NEAR(desc.bound, 0.2, 1e-12);
}

TEST(Presets, NotebookStatsNames) {
  const RunResult sc = run(findPreset("default_leaky0")->config);
  std::vector<std::string> names;
  for (const auto& [n, v] : notebookStats(sc)) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"weight_mean", "weight_std", "bias_mean", "bias_std", "out_mean", "out_std"}));
  EXPECT_EQ(notebookStats(sc)[5].second, sc.layers[1].activation.std);

  const RunResult fc = run(findPreset("fourconv_default")->config);
  names.clear();
  for (const auto& [n, v] : notebookStats(fc)) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"weight_mean", "weight_std", "bias_mean", "bias_std", "out_mean", "out_std",
                                             "loss", "grad_w0_mean", "grad_w0_std"}));
  EXPECT_EQ(notebookStats(fc)[5].second, fc.layers.back().activation.std);
  EXPECT_EQ(notebookStats(fc)[8].second, fc.layers[0].weight->grad.std);
}

TEST(Presets, OutputLayerFollowsTheStack) {
  ExperimentConfig c = findPreset("default_leaky0")->config;
  EXPECT_EQ(notebookOutputLayer(c), 1);
  c.init.a = 3.0;  // options changed, stack kept: still the preset's
  EXPECT_EQ(notebookOutputLayer(c), 1);
  c.layers.push_back(LayerSpec::relu());  // another stack: the last layer
  EXPECT_EQ(notebookOutputLayer(c), static_cast<int>(c.layers.size()) - 1);
}

TEST(Presets, SurviveTheConfigJson) {
  for (const Preset& p : presets()) {
    SCOPED_TRACE(p.name);
    const Json j = toJson(p.config);
    EXPECT_EQ(j.at("schema"), "initscope.config");
    EXPECT_EQ(configFromJson(parseJson(j.dump(), p.name)), p.config);
  }
}

TEST(DeepStack, Shapes) {
  const auto mlp = deepStack(StackKind::Mlp, 3, 64, LayerKind::Tanh, 10);
  ASSERT_EQ(mlp.size(), 1u + 2 * 3 + 1);
  EXPECT_EQ(mlp[0].kind, LayerKind::Flatten);
  EXPECT_EQ(mlp[1], LayerSpec::linear(784, 64));
  EXPECT_EQ(mlp[2].kind, LayerKind::Tanh);
  EXPECT_EQ(mlp[3], LayerSpec::linear(64, 64));
  EXPECT_EQ(mlp.back(), LayerSpec::linear(64, 10));
  const auto shapes = inferShapes(mlp, Shape{2, 1, 28, 28});
  EXPECT_EQ(shapes.back(), (Shape{2, 10}));

  const auto conv = deepStack(StackKind::Conv, 4, 8, LayerKind::ReLU, 1);
  ASSERT_EQ(conv.size(), 2u * 4 + 3);
  EXPECT_EQ(conv[0], LayerSpec::conv2d(1, 8, 3, 2, 1));
  EXPECT_EQ(conv[2], LayerSpec::conv2d(8, 8, 3, 1, 1));
  EXPECT_EQ(inferShapes(conv, Shape{2, 1, 28, 28}).back(), (Shape{2, 1}));

  EXPECT_THROW(deepStack(StackKind::Mlp, 0, 8, LayerKind::ReLU, 1), std::invalid_argument);
  EXPECT_THROW(deepStack(StackKind::Mlp, 2, 8, LayerKind::Flatten, 1), std::invalid_argument);
  EXPECT_EQ(parseStackKind("conv"), StackKind::Conv);
  EXPECT_EQ(parseStackKind("cnn"), std::nullopt);
}

}  // namespace
}  // namespace initscope
