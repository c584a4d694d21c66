#pragma once
// Named experiments: every experiment of fast.ai's lesson "02a_why_sqrt5", plus a few deeper
// stacks for the window. Each is a plain ExperimentConfig; the CLI, the GUI and the tests run
// them through the same core::run.
#include "experiment.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace initscope {

struct Preset {
  std::string name, description;
  ExperimentConfig config;
  bool notebook = false;  // reproduces an experiment of the lesson (tests/fixtures/notebook_reference.json)
  int outputLayer = -1;   // the layer whose output the lesson calls "out" (-1: the last)
  // What the lesson's notebook printed for this experiment (fastai course-v3, nbs/dl2/
  // 02a_why_sqrt5.ipynb: one torch draw on its own validation digits), by notebookStats() name.
  std::vector<std::pair<std::string, double>> printed;
};

// All presets, the notebook's first, in the lesson's order.
const std::vector<Preset>& presets();
// nullptr when no preset has this name.
const Preset* findPreset(std::string_view name);

// The lesson's 4-conv model: Conv2d(1,8,5,s2,p2) ReLU Conv2d(8,16,3,s2,p1) ReLU
// Conv2d(16,32,3,s2,p1) ReLU Conv2d(32,1,3,s2,p1) AdaptiveAvgPool2d(1) Flatten.
std::vector<LayerSpec> notebookFourConv();

// Deep stacks of `depth` identical blocks, for presets and depth sweeps. `outputs` is the final
// linear layer's width (1 for mse against the labels, 10 for cross_entropy).
//   mlp:  flatten, linear(inFeatures, width) act, (depth - 1) x [linear(width, width) act], linear(width, outputs)
//   conv: conv(inChannels, width, 3, s2, p1) act, (depth - 1) x [conv(width, width, 3, p1) act],
//         adaptive_avg_pool2d 1, flatten, linear(width, outputs)
enum class StackKind { Mlp, Conv };
std::vector<LayerSpec> deepStack(StackKind kind, int depth, int width, LayerKind activation, int outputs,
                                 int inFeatures = 784, int inChannels = 1);
std::string_view toString(StackKind k);  // "mlp", "conv"
std::optional<StackKind> parseStackKind(std::string_view s);

// The layer whose output the lesson calls "out": the preset's outputLayer when the config has a
// preset's name and layer stack, else the last layer.
int notebookOutputLayer(const ExperimentConfig& c);

// The numbers the lesson prints, taken from a result the way tests/fixtures/make_fixtures.py takes
// them from PyTorch: weight_mean/std and bias_mean/std of the first layer, out_mean/std of the
// notebookOutputLayer(), and for mse runs the loss and grad_w0_mean/std (the first layer's weight
// gradient). Names as in notebook_reference.json.
std::vector<std::pair<std::string, double>> notebookStats(const RunResult& r);

}  // namespace initscope
