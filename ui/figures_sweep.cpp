// The a-sweep figure: final-layer activation std and first-layer weight-gradient std against a.
#include "figures_p.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace initscope::ui {

using namespace detail;

void drawSweep(QCustomPlot& plot, const std::vector<double>& aValues, const std::vector<RunResult>& results,
               double currentA, const FigureStyle& s) {
  const style::Sizes z = style::sizes(s.presentation);
  const int row = resetPlot(plot, figureTitle(Figure::SweepA), s);
  QCPAxisRect* rect = makeMainAxisRect(plot, s, z.base, row);
  QCPAxis* x = plot.xAxis;
  QCPAxis* y = plot.yAxis;
  setLogAxis(y, true);
  // Two legend entries in a row under the plot; the std = 1 line carries its own label.
  QCPLegend* legend = makeLegendRow(plot, row + 1, s);
  legend->setMargins(QMargins(6, 0, 6, 4));
  x->setLabel(QStringLiteral("a (negative slope)"));
  y->setLabel(QStringLiteral("std"));

  const std::size_t n = std::min(aValues.size(), results.size());
  QVector<double> keys, outStd, gradStd;
  QStringList outTips, gradTips;
  for (std::size_t i = 0; i < n; ++i) {
    const RunResult& r = results[i];
    if (r.layers.empty()) continue;
    const LayerResult* first = nullptr;
    for (const LayerResult& l : r.layers)
      if (l.weight) {
        first = &l;
        break;
      }
    keys << aValues[i];
    outStd << r.layers.back().activation.std;
    gradStd << (first ? first->weight->grad.std : std::numeric_limits<double>::quiet_NaN());
    outTips << QStringLiteral("a = %1<br>final-layer activation std = %2").arg(num(aValues[i], 5), num(outStd.back(), 6));
    gradTips << QStringLiteral("a = %1<br>first-layer weight-gradient std = %2").arg(num(aValues[i], 5), num(gradStd.back(), 6));
  }
  auto* g1 = new QCPGraph(x, y);
  g1->setObjectName(QStringLiteral("finalStd"));
  g1->setName(QStringLiteral("final-layer std"));
  g1->setPen(style::pen(style::kBlue, z.line));
  g1->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, style::kBlue, Qt::white, z.marker * 0.8));
  g1->setData(keys, outStd, true);
  setTips(g1, outTips);
  auto* g2 = new QCPGraph(x, y);
  g2->setObjectName(QStringLiteral("firstGradStd"));
  g2->setName(QStringLiteral("layer-1 dL/dW std"));
  g2->setPen(style::pen(style::kVermillion, z.line));
  g2->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, style::kVermillion, style::kVermillion, z.marker * 0.8));
  g2->setData(keys, gradStd, true);
  setTips(g2, gradTips);
  auto* ideal = new QCPGraph(x, y);
  ideal->setName(QStringLiteral("std = 1"));
  ideal->setPen(style::pen(style::kBlack, z.line * 0.7, Qt::DashLine));
  ideal->setSelectable(QCP::stNone);
  ideal->removeFromLegend();
  auto* idealLabel = new QCPItemText(&plot);
  idealLabel->setClipToAxisRect(true);
  idealLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  idealLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
  idealLabel->position->setAxisRect(rect);
  idealLabel->position->setAxes(x, y);
  idealLabel->position->setCoords(0.99, 1.0);
  idealLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
  idealLabel->setFont(style::font(z.base * 0.9));
  idealLabel->setText(QStringLiteral("std = 1"));
  idealLabel->setPadding(QMargins(0, 0, 2, 1));

  fitLegend(plot, legend);

  double lo = 1.0, hi = 1.0;
  for (double v : outStd + gradStd)
    if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  y->setRange(lo / 2.5, hi * 2.5);
  const double x0 = keys.isEmpty() ? 0.0 : keys.front(), x1 = keys.isEmpty() ? 1.0 : keys.back();
  const double pad = 0.03 * std::max(x1 - x0, 1e-9);
  x->setRange(x0 - pad, x1 + pad);
  ideal->setData(QVector<double>{x0 - 10 * pad, x1 + 10 * pad}, QVector<double>{1.0, 1.0}, true);

  // The current-a marker and its label on a layer with its own paint buffer: a slider move
  // redraws that layer alone (SweepPanel::setCurrentA), not the whole figure.
  QCPLayer* markerLayer = plot.layer(QStringLiteral("marker"));
  if (!markerLayer) {
    plot.addLayer(QStringLiteral("marker"), plot.layer(QStringLiteral("main")), QCustomPlot::limAbove);
    markerLayer = plot.layer(QStringLiteral("marker"));
    markerLayer->setMode(QCPLayer::lmBuffered);
  }
  auto* marker = new QCPItemStraightLine(&plot);
  marker->setLayer(markerLayer);
  marker->setObjectName(QStringLiteral("currentA"));
  marker->setClipAxisRect(rect);
  marker->point1->setAxes(x, y);
  marker->point2->setAxes(x, y);
  marker->point1->setCoords(currentA, 1.0);
  marker->point2->setCoords(currentA, 2.0);
  marker->setPen(style::pen(style::kGreen, z.line, Qt::DashDotLine));
  auto* label = addRectLabel(plot, rect, x, y, currentA, 0.98, Qt::AlignLeft | Qt::AlignBottom);
  label->setPadding(QMargins(4, 0, 0, 2));
  label->setFont(style::font(z.base, true));
  label->setColor(style::kGreen.darker(130));
  label->setText(QStringLiteral("a = %1").arg(num(currentA, 4)));
  label->setLayer(markerLayer);
}

}  // namespace initscope::ui
