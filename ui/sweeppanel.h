#pragma once
// The a-sweep: the config run at evenly spaced values of a (in the background, newest wins),
// final-layer activation std and first-layer weight-gradient std against a, the current a marked.
#include "figures.h"

#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace initscope::ui {

class SweepPanel : public QWidget {
  Q_OBJECT

 public:
  explicit SweepPanel(QWidget* parent = nullptr);

  bool sweepEnabled() const;
  double maxA() const;
  int points() const;
  void setSettings(bool enabled, double maxA, int points);
  std::vector<double> aValues() const;

  void setResults(const std::vector<double>& aValues, const std::vector<RunResult>& results);
  void setCurrentA(double a);
  void setStyle(const FigureStyle& s);
  void setStatus(const QString& text);
  // A newer sweep is on its way: the curves fade until it arrives.
  void markStale();
  void clear(const QString& message);
  QCustomPlot* plot() const { return plot_; }
  const std::vector<RunResult>& results() const { return results_; }

 signals:
  void settingsChanged();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void redraw();

  QCustomPlot* plot_;
  QCheckBox* enabled_;
  QDoubleSpinBox* max_;
  QSpinBox* points_;
  QLabel* status_;
  std::vector<double> a_;
  std::vector<RunResult> results_;
  double currentA_ = 0;
  FigureStyle style_;
  class QTimer* resizeTimer_;
};

}  // namespace initscope::ui
