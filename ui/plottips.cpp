#include "plottips.h"

#include "figures_p.h"

#include <QToolTip>

#include <limits>

namespace initscope::ui {

QString plotTipAt(QCustomPlot* plot, const QPointF& pos) {
  double best = std::numeric_limits<double>::infinity();
  QString tip;
  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    const QStringList tips = p->property(detail::kTipsProperty).toStringList();
    if (tips.isEmpty() || !p->visible() || !p->keyAxis() || !p->keyAxis()->axisRect()->rect().contains(pos.toPoint()))
      continue;
    QVariant details;
    const double d = p->selectTest(pos, false, &details);
    if (d < 0 || d > plot->selectionTolerance() || d >= best) continue;
    const auto sel = details.value<QCPDataSelection>();
    if (sel.isEmpty()) continue;
    const int index = sel.dataRange(0).begin();
    if (index < 0 || index >= tips.size()) continue;
    // Ghosts yield to the current run when both are under the cursor.
    const double penalty = p->property("ghost").toBool() ? 0.5 : 0.0;
    if (d + penalty >= best) continue;
    best = d + penalty;
    tip = tips[index];
  }
  return tip;
}

void installPlotInteraction(QCustomPlot* plot, std::function<void()> resetView) {
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->setMouseTracking(true);
  plot->setNoAntialiasingOnDrag(false);
  QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot](QMouseEvent* e) {
    if (e->buttons() != Qt::NoButton) return;
    const QString tip = plotTipAt(plot, e->position());
    if (tip.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(e->globalPosition().toPoint(), tip, plot);
  });
  QObject::connect(plot, &QCustomPlot::mouseDoubleClick, plot, [reset = std::move(resetView)](QMouseEvent*) {
    if (reset) reset();
  });
}

}  // namespace initscope::ui
