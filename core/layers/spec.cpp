#include "spec.h"

#include <array>
#include <sstream>

namespace initscope {
namespace {
constexpr std::array<std::pair<LayerKind, std::string_view>, 12> kKinds{{
    {LayerKind::Conv2d, "conv2d"},
    {LayerKind::Linear, "linear"},
    {LayerKind::ReLU, "relu"},
    {LayerKind::LeakyReLU, "leaky_relu"},
    {LayerKind::Tanh, "tanh"},
    {LayerKind::Sigmoid, "sigmoid"},
    {LayerKind::GELU, "gelu"},
    {LayerKind::MaxPool2d, "max_pool2d"},
    {LayerKind::AvgPool2d, "avg_pool2d"},
    {LayerKind::AdaptiveAvgPool2d, "adaptive_avg_pool2d"},
    {LayerKind::Flatten, "flatten"},
    {LayerKind::BatchNorm2d, "batchnorm2d"},
}};

std::string pair(int a, int b, char sep = 'x') {
  return a == b ? std::to_string(a) : std::to_string(a) + sep + std::to_string(b);
}
}  // namespace

std::string_view toString(LayerKind k) {
  for (const auto& [e, s] : kKinds)
    if (e == k) return s;
  return "?";
}

std::optional<LayerKind> parseLayerKind(std::string_view s) {
  for (const auto& [e, n] : kKinds)
    if (n == s) return e;
  return std::nullopt;
}

std::vector<LayerKind> allLayerKinds() {
  std::vector<LayerKind> v;
  for (const auto& [e, s] : kKinds) v.push_back(e);
  return v;
}

std::optional<Nonlinearity> activationNonlinearity(LayerKind k) {
  switch (k) {
    case LayerKind::ReLU: return Nonlinearity::ReLU;
    case LayerKind::LeakyReLU: return Nonlinearity::LeakyReLU;
    case LayerKind::Tanh: return Nonlinearity::Tanh;
    case LayerKind::Sigmoid: return Nonlinearity::Sigmoid;
    default: return std::nullopt;
  }
}

bool LayerSpec::hasParams() const {
  return kind == LayerKind::Conv2d || kind == LayerKind::Linear || kind == LayerKind::BatchNorm2d;
}

std::string LayerSpec::label() const {
  std::ostringstream os;
  os << toString(kind);
  switch (kind) {
    case LayerKind::Conv2d:
      os << ' ' << inChannels << "->" << outChannels << ' ' << kernelH << 'x' << kernelW;
      if (strideH != 1 || strideW != 1) os << " s" << pair(strideH, strideW, ',');
      if (padH != 0 || padW != 0) os << " p" << pair(padH, padW, ',');
      if (!bias) os << " no bias";
      break;
    case LayerKind::Linear:
      os << ' ' << inChannels << "->" << outChannels;
      if (!bias) os << " no bias";
      break;
    case LayerKind::LeakyReLU: os << ' ' << negativeSlope; break;
    case LayerKind::MaxPool2d:
    case LayerKind::AvgPool2d:
      os << ' ' << kernelH << 'x' << kernelW;
      if (strideH != kernelH || strideW != kernelW) os << " s" << pair(strideH, strideW, ',');
      if (padH != 0 || padW != 0) os << " p" << pair(padH, padW, ',');
      break;
    case LayerKind::AdaptiveAvgPool2d: os << ' ' << outH << 'x' << outW; break;
    case LayerKind::BatchNorm2d: os << ' ' << inChannels; break;
    default: break;
  }
  return os.str();
}

LayerSpec LayerSpec::conv2d(int in, int out, int k, int stride, int pad, bool bias) {
  LayerSpec s;
  s.kind = LayerKind::Conv2d;
  s.inChannels = in;
  s.outChannels = out;
  s.kernelH = s.kernelW = k;
  s.strideH = s.strideW = stride;
  s.padH = s.padW = pad;
  s.bias = bias;
  return s;
}

LayerSpec LayerSpec::linear(int in, int out, bool bias) {
  LayerSpec s;
  s.kind = LayerKind::Linear;
  s.inChannels = in;
  s.outChannels = out;
  s.bias = bias;
  return s;
}

static LayerSpec simple(LayerKind k) {
  LayerSpec s;
  s.kind = k;
  return s;
}
LayerSpec LayerSpec::relu() { return simple(LayerKind::ReLU); }
LayerSpec LayerSpec::leakyRelu(double slope) {
  LayerSpec s = simple(LayerKind::LeakyReLU);
  s.negativeSlope = slope;
  return s;
}
LayerSpec LayerSpec::tanh() { return simple(LayerKind::Tanh); }
LayerSpec LayerSpec::sigmoid() { return simple(LayerKind::Sigmoid); }
LayerSpec LayerSpec::gelu() { return simple(LayerKind::GELU); }
LayerSpec LayerSpec::flatten() { return simple(LayerKind::Flatten); }

static LayerSpec pool(LayerKind kind, int k, int stride, int pad) {
  LayerSpec s = simple(kind);
  s.kernelH = s.kernelW = k;
  s.strideH = s.strideW = stride > 0 ? stride : k;
  s.padH = s.padW = pad;
  return s;
}
LayerSpec LayerSpec::maxPool2d(int k, int stride, int pad) { return pool(LayerKind::MaxPool2d, k, stride, pad); }
LayerSpec LayerSpec::avgPool2d(int k, int stride, int pad) { return pool(LayerKind::AvgPool2d, k, stride, pad); }

LayerSpec LayerSpec::adaptiveAvgPool2d(int h, int w) {
  LayerSpec s = simple(LayerKind::AdaptiveAvgPool2d);
  s.outH = h;
  s.outW = w;
  return s;
}

LayerSpec LayerSpec::batchNorm2d(int channels, double eps) {
  LayerSpec s = simple(LayerKind::BatchNorm2d);
  s.inChannels = channels;
  s.eps = eps;
  return s;
}

}  // namespace initscope
