#pragma once
// The centre of the window: forward and backward figures side by side, the histogram small
// multiples below, and the controls for them (pin, histogram kind, log counts, shared range,
// log gradients, reset view).
#include "figures.h"
#include "session.h"

#include <QElapsedTimer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QToolButton;
class QLabel;

namespace initscope::ui {

class PlotArea : public QWidget {
  Q_OBJECT

 public:
  explicit PlotArea(QWidget* parent = nullptr);

  // Draws every figure of r (kept as the current result) and queues the replots.
  void showResult(const RunResult& r);
  const RunResult* result() const { return result_ ? &*result_ : nullptr; }
  const RunResult* pinned() const { return pinned_ ? &*pinned_ : nullptr; }
  void pin();
  void unpin();

  void setPresentation(bool on);
  bool presentation() const { return style_.presentation; }
  // While a control is dragged the figures are drawn without antialiasing (about 2 of a 9-11 ms
  // replot here, QCustomPlot's own trade for axis drags); the release redraws them smooth.
  void setDragging(bool on);
  bool dragging() const { return dragging_; }
  // Histogram kind, log counts, shared range and the backward log axis, as sessions store them.
  void applyUiState(const UiState& ui);
  void storeUiState(UiState* ui) const;

  QCustomPlot* forwardPlot() const { return forward_; }
  QCustomPlot* backwardPlot() const { return backward_; }
  QCustomPlot* histogramPlot() const { return hist_; }
  QWidget* figuresWidget() const { return figures_; }  // the three plots (for export and copy)
  Figure histogramFigure() const;
  // Replot time (ms) of the last showResult: draw + all three replots.
  double lastReplotMs() const { return lastReplotMs_; }

 public slots:
  void redraw();

 signals:
  // All three plots have replotted after showResult(); ms = draw + replot time.
  void replotted(double ms);
  void pinChanged(bool pinned);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void onAfterReplot();

  QWidget* figures_;
  QCustomPlot *forward_, *backward_, *hist_;
  QToolButton *pin_, *unpin_, *reset_;
  QComboBox* histKind_;
  QCheckBox *logCounts_, *shared_, *logGrad_;
  QLabel* pinLabel_;
  std::optional<RunResult> result_, pinned_;
  FigureStyle style_;
  QElapsedTimer drawTimer_;
  class QTimer* resizeTimer_;  // the figures' layout depends on their size: redraw after a resize
  int pendingReplots_ = 0;
  double lastReplotMs_ = 0;
  bool dragging_ = false;
};

}  // namespace initscope::ui
