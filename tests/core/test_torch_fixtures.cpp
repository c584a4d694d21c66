// Agreement with PyTorch: every fixture in tests/fixtures/layers (written by make_fixtures.py with
// torch 1.13 in float64) is rebuilt from its spec and weights, run forward and backward in float64
// and in float32, and every output, the loss and every gradient compared as a scaled error
// max|ours - torch| / max|torch|.
#include "core/network.h"
#include "fixture_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

namespace initscope {
namespace {

using test::loadFixture;
using test::scaledError;

std::vector<std::string> fixtureNames() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(test::fixturePath("layers")))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Runs one fixture at precision T; returns the largest scaled error over every compared tensor.
template <class T>
double worstError(const Json& f, std::string* where) {
  const Shape inShape = test::shapeFrom(f["input_shape"]);
  Network<T> net(stackFromJson(f["layers"]), inShape);
  for (const Json& p : f["params"]) {
    Layer<T>& l = net.layer(p["layer"].get<int>());
    const Shape ws = test::shapeFrom(p["weight_shape"]);
    EXPECT_EQ(l.weight()->value.shape, ws);
    l.weight()->value = test::tensorFrom<T>(p["weight"], ws);
    if (p.contains("bias")) l.bias()->value = test::tensorFrom<T>(p["bias"], l.bias()->value.shape);
  }
  const TensorT<T> x = test::tensorFrom<T>(f["input"], inShape);
  net.forward(x);
  double worst = 0;
  auto note = [&](double e, const std::string& what) {
    if (e > worst) {
      worst = e;
      *where = what;
    }
  };
  for (int i = 0; i < net.size(); ++i) {
    EXPECT_EQ(net.activation(i).shape, test::shapeFrom(f["output_shapes"][static_cast<std::size_t>(i)]));
    note(scaledError(net.activation(i), f["outputs"][static_cast<std::size_t>(i)]), "output " + std::to_string(i));
  }
  TensorT<T> g;
  double loss;
  if (f["loss"] == "mse") {
    loss = mseLoss(net.output(), f["targets"].get<std::vector<double>>(), &g);
  } else {
    loss = crossEntropyLoss(net.output(), f["classes"].get<std::vector<int>>(), &g);
  }
  const double refLoss = f["loss_value"].get<double>();
  note(std::abs(loss - refLoss) / std::max(1e-300, std::abs(refLoss)), "loss");
  net.backward(g);
  note(scaledError(net.inputGradient(), f["grad_input"]), "grad_input");
  const bool ties = f["name"] == "mixed_relu_maxpool_ties";
  for (int i = 0; i < net.size(); ++i) {
    // With tied max-pool windows only the tie-broken relu gradient depends on the convention.
    note(scaledError(net.gradient(i), f["grad_outputs"][static_cast<std::size_t>(i)]),
         "grad_output " + std::to_string(i) + (ties ? " (ties)" : ""));
  }
  for (const Json& p : f["grad_params"]) {
    Layer<T>& l = net.layer(p["layer"].get<int>());
    note(scaledError(l.weight()->grad, p["weight"]), "dW layer " + p["layer"].dump());
    // Bias gradients on the scale of their layer's weight gradient (see scaledError).
    if (p.contains("bias"))
      note(scaledError(l.bias()->grad, p["bias"], test::maxAbs(p["weight"])), "db layer " + p["layer"].dump());
  }
  return worst;
}

class TorchFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchFixture, Float64MatchesTorch) {
  const Json f = loadFixture("layers/" + GetParam() + ".json");
  std::string where;
  const double e = worstError<double>(f, &where);
  RecordProperty("float64_scaled_error", std::to_string(e));
  std::cout << "[torch] " << GetParam() << " float64 worst scaled error " << e << " (" << where << ")\n";
  EXPECT_LT(e, 1e-10) << where;
}

TEST_P(TorchFixture, Float32MatchesTorch) {
  const Json f = loadFixture("layers/" + GetParam() + ".json");
  std::string where;
  const double e = worstError<float>(f, &where);
  RecordProperty("float32_scaled_error", std::to_string(e));
  std::cout << "[torch] " << GetParam() << " float32 worst scaled error " << e << " (" << where << ")\n";
  EXPECT_LT(e, 1e-5) << where;
}

INSTANTIATE_TEST_SUITE_P(Layers, TorchFixture, ::testing::ValuesIn(fixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace initscope
