#pragma once
// The explain panel: for the selected layer, where its weights' std comes from (fan_in,
// fan_out, gain(a), std and bound, the formula, the PyTorch call) next to what the last run
// measured. Updated live with every change.
#include "core/experiment.h"

#include <QWidget>

class QTextBrowser;

namespace initscope::ui {

class ExplainPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ExplainPanel(QWidget* parent = nullptr);
  // layer: 0-based index into config.layers, or -1. last: the newest result (may be null or
  // from an older config; its measurements are shown only when its stack matches).
  void explain(const ExperimentConfig& config, int layer, const RunResult* last);
  QString text() const;

 private:
  QTextBrowser* view_;
  QString html_;
};

// The torch.nn.init call for a scheme, e.g. "nn.init.kaiming_uniform_(w, a=2.236, mode='fan_in', nonlinearity='leaky_relu')".
QString pytorchCall(const InitSpec& s);

}  // namespace initscope::ui
