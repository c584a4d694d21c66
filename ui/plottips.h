#pragma once
// Interaction shared by every plot: tooltips with exact values (the text each plottable carries,
// see figures_p.h), drag to pan, wheel to zoom, double-click to reset the view.
#include <QPointF>
#include <QString>

#include <functional>

class QCustomPlot;

namespace initscope::ui {

// resetView is called on a double-click (it should redraw the figure with its own ranges).
void installPlotInteraction(QCustomPlot* plot, std::function<void()> resetView);

// The tooltip text at a widget position, or an empty string (also used by tests).
QString plotTipAt(QCustomPlot* plot, const QPointF& pos);

}  // namespace initscope::ui
