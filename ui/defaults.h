#pragma once
// The window's starting config and its presets menu.
#include "core/experiment.h"

#include <QString>

#include <vector>

namespace initscope::ui {

// The lesson's 4-conv model on the first 100 embedded digits, kaiming_uniform with a = sqrt 5
// (what PyTorch's default does to the weights), PyTorch's default bias, mse.
ExperimentConfig defaultConfig();

struct UiPreset {
  QString name, description;
  ExperimentConfig config;
};
// The default config, then core's presets() (the lesson's experiments and a few deeper nets).
std::vector<UiPreset> uiPresets();

}  // namespace initscope::ui
