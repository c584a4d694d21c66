// Every experiment of fast.ai's lesson "02a_why_sqrt5", as a seed ensemble, against PyTorch's own
// 50-seed ensemble (tests/fixtures/notebook_reference.json, made by make_fixtures.py with torch 1.13).
// Our random numbers are not torch's, so single runs differ; what must agree is the distribution
// of every statistic over seeds: the ensemble means within their standard errors, the spreads
// within a factor of two.
#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace initscope {
namespace {

constexpr int kTorchSeeds = 50;
// Our seeds per experiment: 50, but 30 for the single convs, whose 1.8M-value outputs make a run
// about five times dearer than the 4-conv model's (the file then takes ~5 s on 2 idle cores).
int seedsFor(const Preset& p) { return p.outputLayer >= 0 ? 30 : 50; }

const Json& reference() {
  static const Json j = parseJson(readTextFile(INITSCOPE_FIXTURES "/notebook_reference.json"), "notebook_reference.json");
  return j;
}

// |ours - torch| <= 4 standard errors of the difference, plus a floor for exact zeros.
void expectSameDistribution(const std::string& what, const Summary& ours, int k, const Json& torch) {
  const double tm = torch.at("mean").get<double>(), ts = torch.at("std").get<double>();
  const double se = std::sqrt(ours.std * ours.std / k + ts * ts / kTorchSeeds);
  EXPECT_LE(std::abs(ours.mean - tm), 4.0 * se + 1e-9 + 1e-6 * std::abs(tm))
      << what << ": ours " << ours.mean << " +- " << ours.std << ", torch " << tm << " +- " << ts;
  if (ts > 0) {
    EXPECT_GT(ours.std, 0.5 * ts) << what << ": spread ours " << ours.std << ", torch " << ts;
    EXPECT_LT(ours.std, 2.0 * ts) << what << ": spread ours " << ours.std << ", torch " << ts;
  } else {
    EXPECT_LE(ours.std, 1e-12) << what;
  }
}

TEST(Notebook, BatchIsTheReferenceBatch) {
  const Json& data = reference().at("data");
  const Preset* p = findPreset("fourconv_default");
  ASSERT_NE(p, nullptr);
  const Batch b = loadBatch(p->config.data, 0);
  ASSERT_EQ(static_cast<int>(b.classes.size()), data.at("batch").get<int>());
  EXPECT_EQ(b.classes, data.at("labels").get<std::vector<int>>());
  const RunResult r = run(p->config);
  EXPECT_NEAR(r.input.mean, data.at("x_mean").get<double>(), 1e-6);
  EXPECT_NEAR(r.input.std, data.at("x_std").get<double>(), 1e-6);
}

TEST(Notebook, GainTable) {
  for (const Json& row : reference().at("gain_table")) {
    const double a = row.at("a").get<double>();
    EXPECT_NEAR(calculateGain(Nonlinearity::LeakyReLU, a), row.at("gain").get<double>(), 1e-12) << "a = " << a;
  }
}

class NotebookExperiment : public ::testing::TestWithParam<std::string> {};

TEST_P(NotebookExperiment, SeedEnsembleMatchesPyTorch) {
  const std::string name = GetParam();
  const Json& ref = reference().at("experiments").at(name);
  const Preset* p = findPreset(name);
  ASSERT_NE(p, nullptr) << name;
  ASSERT_TRUE(p->notebook);
  const int k = seedsFor(*p);
  const Ensemble e = seedEnsemble(p->config, k);
  ASSERT_EQ(static_cast<int>(e.seeds.size()), k);

  int compared = 0;
  for (const auto& [stat, torch] : ref.at("stats").items()) {
    const EnsembleStat* ours = e.findNotebook(stat);
    ASSERT_NE(ours, nullptr) << name << " has no statistic " << stat;
    expectSameDistribution(name + "." + stat, ours->summary, k, torch);
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(e.notebook.size())) << "statistics the reference does not have";

  if (ref.contains("layer_std")) {
    const Json& layers = ref.at("layer_std");
    ASSERT_EQ(layers.size(), e.layers.size());
    for (const Json& l : layers) {
      const auto i = l.at("index").get<std::size_t>();
      EXPECT_EQ(l.at("module").get<std::string>(), std::string(toString(e.layers[i].kind))) << "layer " << i;
      const EnsembleStat* s = e.layers[i].find("activation.std");
      ASSERT_NE(s, nullptr);
      expectSameDistribution(name + ".layer_std[" + std::to_string(i) + "]", s->summary, k, l);
    }
  }
}

std::vector<std::string> notebookNames() {
  std::vector<std::string> v;
  for (const Preset& p : presets())
    if (p.notebook) v.push_back(p.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Lesson, NotebookExperiment, ::testing::ValuesIn(notebookNames()),
                         [](const ::testing::TestParamInfo<std::string>& tp) { return tp.param; });

TEST(Notebook, EveryReferenceExperimentHasAPreset) {
  for (const auto& [name, _] : reference().at("experiments").items()) {
    const Preset* p = findPreset(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_TRUE(p->notebook) << name;
  }
  EXPECT_EQ(notebookNames().size(), reference().at("experiments").size());
}

}  // namespace
}  // namespace initscope
