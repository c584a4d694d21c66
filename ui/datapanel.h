#pragma once
// The data and the run: dataset (embedded MNIST, IDX files, synthetic), batch, sampling,
// loss, histogram bins and the engine's thread count.
#include "core/experiment.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QCheckBox;
class QFormLayout;

namespace initscope::ui {

class DataPanel : public QWidget {
  Q_OBJECT

 public:
  explicit DataPanel(QWidget* parent = nullptr);
  void setConfig(const ExperimentConfig& config);
  QSpinBox* batchSpin() const { return batch_; }

 signals:
  void edited(const initscope::ExperimentConfig& next, const QString& what, int id, quint64 gesture);

 private:
  void emitEdit(const QString& what);
  void chooseIdx();
  void updateVisible();

  ExperimentConfig cfg_;
  QFormLayout* form_;
  QComboBox* source_;
  QLabel* idxLabel_;
  QPushButton* idxButton_;
  QLineEdit* synthShape_;
  QSpinBox* batch_;
  QComboBox* sampling_;
  QCheckBox* normalize_;
  QComboBox* loss_;
  QSpinBox* bins_;
  QSpinBox* threads_;
};

}  // namespace initscope::ui
