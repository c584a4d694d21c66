#pragma once
// Helpers shared by figures.cpp and figures_hist.cpp (not part of the public API).
#include "figures.h"
#include "style.h"

#include <qcustomplot.h>

#include <QStringList>

namespace initscope::ui::detail {

// Empties the plot (plottables, items, layout, margin groups) and, when title is not empty,
// puts a title row on top. Returns the layout row index where content may start.
int resetPlot(QCustomPlot& plot, const QString& title, const FigureStyle& s);
// A new axis rect with the figure's look (fonts, grid, pens).
QCPAxisRect* makeAxisRect(QCustomPlot& plot, const FigureStyle& s, double tickPt);
// A single figure's axis rect, placed in layout row `row` and made the plot's default axes
// (plot.xAxis and friends), so tooltips and zoom act on it.
QCPAxisRect* makeMainAxisRect(QCustomPlot& plot, const FigureStyle& s, double tickPt, int row);
// A legend laid out in one row, placed in its own layout row (never over the data).
QCPLegend* makeLegendRow(QCustomPlot& plot, int row, const FigureStyle& s);
// Wraps a one-row legend so that each row fits the plot's width (call after adding the plottables).
void fitLegend(QCustomPlot& plot, QCPLegend* legend);
// A margin group owned by the plot, deleted by the next resetPlot.
QCPMarginGroup* makeMarginGroup(QCustomPlot& plot);
// A centred message instead of data ("no weights", "needs drawSweep", ...).
void showMessage(QCustomPlot& plot, const QString& text, const FigureStyle& s);

// Tooltips: one text per data index, read by plottips.cpp.
void setTips(QCPAbstractPlottable* p, const QStringList& tips);
inline constexpr const char* kTipsProperty = "initscopeTips";
// The layout key of the figure last drawn on a plot (per-layer figures and histograms), cleared
// by resetPlot: a redraw with an equal key updates the existing plottables and items in place.
inline constexpr const char* kLayoutKeyProperty = "initscopeLayout";

QString num(double v, int digits = 4);
// "3 NaN, 1 +Inf" or an empty string when every value is finite.
QString nonFiniteText(const TensorStats& t);
// Sets a value axis to log scale with a log ticker, or back to linear.
void setLogAxis(QCPAxis* axis, bool log);

// A text item at plot coordinate xCoord on x and at fraction yRatio of the axis rect's height,
// clipped to the rect.
QCPItemText* addRectLabel(QCustomPlot& plot, QCPAxisRect* rect, QCPAxis* x, QCPAxis* y, double xCoord, double yRatio,
                          Qt::Alignment align);

}  // namespace initscope::ui::detail

namespace initscope::ui {
// The small multiples of HistActivations, HistGradients and HistWeightGrads (figures_hist.cpp).
void drawHistograms(QCustomPlot& plot, Figure f, const RunResult& r, const RunResult* ghost, const FigureStyle& s);
}  // namespace initscope::ui
