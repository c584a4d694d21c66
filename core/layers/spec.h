#pragma once
// A layer as the user describes it: a plain value, turned into a runtime layer by makeLayer().
// Field names follow PyTorch's constructor arguments.
#include "../init.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace initscope {

enum class LayerKind {
  Conv2d, Linear, ReLU, LeakyReLU, Tanh, Sigmoid, GELU,
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, BatchNorm2d
};

struct LayerSpec {
  LayerKind kind = LayerKind::ReLU;
  int inChannels = 0;    // conv2d in_channels, linear in_features, batchnorm2d num_features
  int outChannels = 0;   // conv2d out_channels, linear out_features
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int padH = 0, padW = 0;
  bool bias = true;            // conv2d, linear
  double negativeSlope = 0.01; // leaky_relu
  int outH = 1, outW = 1;      // adaptive_avg_pool2d output_size
  double eps = 1e-5;           // batchnorm2d
  std::optional<InitSpec> init;      // overrides the network-wide weight scheme for this layer
  std::optional<BiasSpec> biasInit;  // overrides the network-wide bias scheme for this layer

  bool hasParams() const;
  bool operator==(const LayerSpec&) const = default;
  std::string label() const;  // "conv2d 1->8 5x5 s2 p2", "relu", ...

  // Constructors for code and tests (pooling stride defaults to the kernel, as in PyTorch).
  static LayerSpec conv2d(int in, int out, int k, int stride = 1, int pad = 0, bool bias = true);
  static LayerSpec linear(int in, int out, bool bias = true);
  static LayerSpec relu();
  static LayerSpec leakyRelu(double slope = 0.01);
  static LayerSpec tanh();
  static LayerSpec sigmoid();
  static LayerSpec gelu();
  static LayerSpec maxPool2d(int k, int stride = 0, int pad = 0);
  static LayerSpec avgPool2d(int k, int stride = 0, int pad = 0);
  static LayerSpec adaptiveAvgPool2d(int h, int w);
  static LayerSpec flatten();
  static LayerSpec batchNorm2d(int channels, double eps = 1e-5);
};

std::string_view toString(LayerKind k);  // PyTorch-style snake case: "conv2d", "max_pool2d", ...
std::optional<LayerKind> parseLayerKind(std::string_view s);
std::vector<LayerKind> allLayerKinds();
// The nonlinearity a kind is (for choosing a gain); nullopt for non-activation layers.
std::optional<Nonlinearity> activationNonlinearity(LayerKind k);

}  // namespace initscope
