#include "presets.h"

#include <cmath>
#include <stdexcept>

namespace initscope {
namespace {

// The lesson's data: the first 100 digits, normalised by the whole set's mean and std.
ExperimentConfig mnistBase(std::string name) {
  ExperimentConfig c;
  c.name = std::move(name);
  c.data.source = DataSource::Mnist;
  c.data.batch = 100;
  c.data.sampling = Sampling::First;
  return c;
}

InitSpec kaiming(Scheme scheme, double a) {
  InitSpec s;
  s.scheme = scheme;
  s.a = a;
  s.mode = FanMode::FanIn;
  s.nonlinearity = Nonlinearity::LeakyReLU;
  return s;
}

// The lesson's single Conv2d(1, 32, 5) stops at the forward pass. run() always does a backward
// pass, so the stack ends with a small tail, adaptive_avg_pool2d(1) and flatten, whose (N, 32)
// output cross_entropy takes as logits: the tail does not touch the conv's (or the leaky_relu's)
// output, the statistics the lesson prints, and costs next to nothing.
ExperimentConfig singleConv(std::string name, InitSpec init, bool leaky0) {
  ExperimentConfig c = mnistBase(std::move(name));
  c.layers = {LayerSpec::conv2d(1, 32, 5)};
  if (leaky0) c.layers.push_back(LayerSpec::leakyRelu(0.0));
  c.layers.push_back(LayerSpec::adaptiveAvgPool2d(1, 1));
  c.layers.push_back(LayerSpec::flatten());
  c.init = init;
  c.loss = LossKind::CrossEntropy;
  return c;
}

ExperimentConfig fourConv(std::string name, InitSpec init, BiasSpec bias) {
  ExperimentConfig c = mnistBase(std::move(name));
  c.layers = notebookFourConv();
  c.init = init;
  c.bias = bias;
  c.loss = LossKind::MSE;
  return c;
}

std::vector<Preset> makePresets() {
  const double sqrt5 = std::sqrt(5.0);
  std::vector<Preset> p;
  using Printed = std::vector<std::pair<std::string, double>>;
  const auto nb = [&](std::string name, std::string description, ExperimentConfig c, Printed printed) {
    c.name = name;
    // "out" is the conv's output, or the leaky_relu's after it, ahead of the single convs' tail.
    const int out = c.loss == LossKind::CrossEntropy ? static_cast<int>(c.layers.size()) - 3 : -1;
    p.push_back(Preset{std::move(name), std::move(description), std::move(c), true, out, std::move(printed)});
  };
  nb("single_conv_default", "Conv2d(1,32,5), PyTorch's default init: weight std 1/sqrt(3*25), output std ~0.6",
     singleConv("", InitSpec{}, false),
     {{"weight_mean", -0.0043}, {"weight_std", 0.1156}, {"bias_mean", 0.0212}, {"bias_std", 0.1176},
      {"out_mean", 0.0107}, {"out_std", 0.5978}});
  nb("kaiming_normal_a1", "Conv2d(1,32,5), kaiming_normal(a=1): gain 1, output std ~1.1",
     singleConv("", kaiming(Scheme::KaimingNormal, 1.0), false), {{"out_mean", 0.0267}, {"out_std", 1.1067}});
  nb("kaiming_normal_a0_leaky0", "Conv2d(1,32,5), kaiming_normal(a=0), then leaky_relu(0): std ~1",
     singleConv("", kaiming(Scheme::KaimingNormal, 0.0), true), {{"out_mean", 0.5547}, {"out_std", 1.0199}});
  nb("default_leaky0", "Conv2d(1,32,5), default init, then leaky_relu(0): std shrinks to ~0.4",
     singleConv("", InitSpec{}, true), {{"out_mean", 0.2219}, {"out_std", 0.3653}});
  nb("kaiming2_a0", "the lesson's kaiming2 (kaiming_uniform, leaky_relu gain) with a=0, then leaky_relu(0): std ~1",
     singleConv("", kaiming(Scheme::KaimingUniform, 0.0), true), {{"out_mean", 0.5603}, {"out_std", 1.0921}});
  nb("kaiming2_a_sqrt5", "kaiming2 with a=sqrt(5) (what the default does), then leaky_relu(0): std ~0.4",
     singleConv("", kaiming(Scheme::KaimingUniform, sqrt5), true), {{"out_mean", 0.2186}, {"out_std", 0.3437}});
  nb("fourconv_default", "the lesson's 4-conv model, default init, mse vs labels: output std ~0.009",
     fourConv("", InitSpec{}, BiasSpec{}),
     {{"out_mean", 0.0875}, {"out_std", 0.0065}, {"grad_w0_mean", 0.0054}, {"grad_w0_std", 0.0333}});
  nb("fourconv_kaiming_uniform", "the 4-conv model after kaiming_uniform(a=0) and zero biases: output std ~0.3",
     fourConv("", kaiming(Scheme::KaimingUniform, 0.0), BiasSpec{.scheme = BiasScheme::Zeros}),
     {{"out_mean", -0.0352}, {"out_std", 0.4043}, {"grad_w0_mean", 0.0093}, {"grad_w0_std", 0.4231}});

  const auto extra = [&](std::string name, std::string description, ExperimentConfig c) {
    c.name = name;
    p.push_back(Preset{std::move(name), std::move(description), std::move(c), false, -1, {}});
  };
  {
    ExperimentConfig c = mnistBase("");
    c.layers = deepStack(StackKind::Mlp, 10, 256, LayerKind::ReLU, 10);
    c.loss = LossKind::CrossEntropy;
    extra("deep_mlp_relu", "10 x (linear 256 + relu) on flattened digits, default init: the signal fades layer by layer",
          std::move(c));
  }
  {
    ExperimentConfig c = mnistBase("");
    c.layers = deepStack(StackKind::Conv, 8, 16, LayerKind::ReLU, 10);
    c.loss = LossKind::CrossEntropy;
    extra("deep_conv_relu", "8 x (conv 3x3, 16 channels + relu; the first with stride 2), pool, linear: the default init in a deeper conv net",
          std::move(c));
  }
  {
    ExperimentConfig c = mnistBase("");
    c.layers = deepStack(StackKind::Mlp, 6, 256, LayerKind::Tanh, 10);
    c.loss = LossKind::CrossEntropy;
    extra("mlp_tanh", "6 x (linear 256 + tanh), default init: try xavier_uniform (gain 5/3) to keep the std",
          std::move(c));
  }
  return p;
}

LayerSpec activationLayer(LayerKind k) {
  switch (k) {
    case LayerKind::ReLU: return LayerSpec::relu();
    case LayerKind::LeakyReLU: return LayerSpec::leakyRelu();
    case LayerKind::Tanh: return LayerSpec::tanh();
    case LayerKind::Sigmoid: return LayerSpec::sigmoid();
    case LayerKind::GELU: return LayerSpec::gelu();
    default: throw std::invalid_argument("a deep stack's activation must be relu, leaky_relu, tanh, sigmoid or gelu");
  }
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = makePresets();
  return p;
}

const Preset* findPreset(std::string_view name) {
  for (const Preset& p : presets())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<LayerSpec> notebookFourConv() {
  return {LayerSpec::conv2d(1, 8, 5, 2, 2),   LayerSpec::relu(),
          LayerSpec::conv2d(8, 16, 3, 2, 1),  LayerSpec::relu(),
          LayerSpec::conv2d(16, 32, 3, 2, 1), LayerSpec::relu(),
          LayerSpec::conv2d(32, 1, 3, 2, 1),  LayerSpec::adaptiveAvgPool2d(1, 1),
          LayerSpec::flatten()};
}

std::vector<LayerSpec> deepStack(StackKind kind, int depth, int width, LayerKind activation, int outputs,
                                 int inFeatures, int inChannels) {
  if (depth < 1) throw std::invalid_argument("a deep stack needs a depth of at least 1, got " + std::to_string(depth));
  if (width < 1 || outputs < 1) throw std::invalid_argument("a deep stack needs a positive width and output count");
  const LayerSpec act = activationLayer(activation);
  std::vector<LayerSpec> s;
  if (kind == StackKind::Mlp) {
    s.push_back(LayerSpec::flatten());
    for (int i = 0; i < depth; ++i) {
      s.push_back(LayerSpec::linear(i == 0 ? inFeatures : width, width));
      s.push_back(act);
    }
    s.push_back(LayerSpec::linear(width, outputs));
  } else {
    for (int i = 0; i < depth; ++i) {
      s.push_back(i == 0 ? LayerSpec::conv2d(inChannels, width, 3, 2, 1) : LayerSpec::conv2d(width, width, 3, 1, 1));
      s.push_back(act);
    }
    s.push_back(LayerSpec::adaptiveAvgPool2d(1, 1));
    s.push_back(LayerSpec::flatten());
    s.push_back(LayerSpec::linear(width, outputs));
  }
  return s;
}

std::string_view toString(StackKind k) { return k == StackKind::Mlp ? "mlp" : "conv"; }

std::optional<StackKind> parseStackKind(std::string_view s) {
  if (s == "mlp") return StackKind::Mlp;
  if (s == "conv") return StackKind::Conv;
  return std::nullopt;
}

int notebookOutputLayer(const ExperimentConfig& c) {
  const Preset* p = findPreset(c.name);
  if (p && p->outputLayer >= 0 && p->config.layers == c.layers) return p->outputLayer;
  return static_cast<int>(c.layers.size()) - 1;
}

std::vector<std::pair<std::string, double>> notebookStats(const RunResult& r) {
  std::vector<std::pair<std::string, double>> s;
  if (r.layers.empty()) return s;
  const LayerResult& first = r.layers.front();
  if (first.weight) {
    s.emplace_back("weight_mean", first.weight->value.mean);
    s.emplace_back("weight_std", first.weight->value.std);
  }
  if (first.bias) {
    s.emplace_back("bias_mean", first.bias->value.mean);
    s.emplace_back("bias_std", first.bias->value.std);
  }
  const int out = notebookOutputLayer(r.config);
  const LayerResult& o = out >= 0 && out < static_cast<int>(r.layers.size()) ? r.layers[static_cast<std::size_t>(out)]
                                                                            : r.layers.back();
  s.emplace_back("out_mean", o.activation.mean);
  s.emplace_back("out_std", o.activation.std);
  if (r.config.loss == LossKind::MSE) {
    s.emplace_back("loss", r.loss);
    if (first.weight) {
      s.emplace_back("grad_w0_mean", first.weight->grad.mean);
      s.emplace_back("grad_w0_std", first.weight->grad.std);
    }
  }
  return s;
}

}  // namespace initscope
