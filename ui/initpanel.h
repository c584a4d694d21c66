#pragma once
// The network-wide weight and bias init: scheme, kaiming a (slider, spin box, 0 / 1 / sqrt 5),
// fan mode, distribution, the nonlinearity for the gain, bias init and seed.
#include "core/experiment.h"

#include <QWidget>

class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QRadioButton;
class QSlider;
class QSpinBox;
class QFormLayout;

namespace initscope::ui {

class InitPanel : public QWidget {
  Q_OBJECT

 public:
  explicit InitPanel(QWidget* parent = nullptr);
  // Shows config without emitting edited().
  void setConfig(const ExperimentConfig& config);
  QSlider* aSlider() const { return aSlider_; }
  QDoubleSpinBox* aSpin() const { return aSpin_; }

  static constexpr int kSliderSteps = 1000;  // the slider moves a in steps of 0.01 over 0..10
  static constexpr double kMaxA = 10.0;

 signals:
  // next is the whole config after the edit; id/gesture drive undo merging (see ConfigCommand).
  void edited(const initscope::ExperimentConfig& next, const QString& what, int id, quint64 gesture);

 private:
  void emitEdit(const QString& what, int id = -1, quint64 gesture = 0);
  void setA(double a, quint64 gesture);
  void updateEnabled();

  ExperimentConfig cfg_;
  quint64 gesture_ = 0, gestureCounter_ = 0;
  QComboBox* scheme_;
  QSlider* aSlider_;
  QDoubleSpinBox* aSpin_;
  QPushButton *a0_, *a1_, *aSqrt5_;
  QRadioButton *fanIn_, *fanOut_, *uniform_, *normal_;
  QComboBox* nonlinearity_;
  QLabel* gainLabel_;
  QLabel* aHint_;
  QDoubleSpinBox *gain_, *low_, *high_, *mean_, *std_, *value_;
  QComboBox* bias_;
  QDoubleSpinBox* biasValue_;
  QSpinBox* seed_;
  QPushButton* reroll_;
  QFormLayout* form_;
};

}  // namespace initscope::ui
