#include "defaults.h"

#include "core/presets.h"

#include <cmath>

namespace initscope::ui {

ExperimentConfig defaultConfig() {
  ExperimentConfig c;
  c.name = "fourconv_kaiming_uniform_sqrt5";
  c.data.source = DataSource::Mnist;
  c.data.batch = 100;
  c.data.sampling = Sampling::First;
  c.layers = notebookFourConv();
  c.init.scheme = Scheme::KaimingUniform;
  c.init.a = std::sqrt(5.0);
  c.init.mode = FanMode::FanIn;
  c.init.nonlinearity = Nonlinearity::LeakyReLU;
  c.bias.scheme = BiasScheme::PyTorchDefault;
  c.loss = LossKind::MSE;
  c.seed = 0;
  c.threads = 0;  // auto: see autoThreads()
  return c;
}

std::vector<UiPreset> uiPresets() {
  std::vector<UiPreset> v;
  v.push_back({QStringLiteral("fourconv_kaiming_uniform_sqrt5"),
               QStringLiteral("The lesson's 4-conv model, kaiming_uniform(a = sqrt 5): drag a to 0 and watch the std"),
               defaultConfig()});
  for (const Preset& p : presets())
    v.push_back(UiPreset{QString::fromStdString(p.name), QString::fromStdString(p.description), p.config});
  return v;
}

}  // namespace initscope::ui
