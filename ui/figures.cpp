// The per-layer figures (forward, backward) and the figure names; histograms are in
// figures_hist.cpp, the a-sweep in figures_sweep.cpp, shared helpers in figures_common.cpp.
#include "figures_p.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace initscope::ui {

using namespace detail;

namespace {

// One point of a per-layer figure: the input (x = 0) or layer i (x = i + 1).
struct Point {
  QString name, tick;
  const TensorStats* stats;
};

std::vector<Point> forwardPoints(const RunResult& r) {
  std::vector<Point> p{{QStringLiteral("input %1").arg(QString::fromStdString(r.inputShape.str())), "in", &r.input}};
  for (const LayerResult& l : r.layers)
    p.push_back({QStringLiteral("%1 %2 -> %3").arg(l.index + 1).arg(QString::fromStdString(l.label),
                                                                        QString::fromStdString(l.outputShape.str())),
                 shortLayerName(l), &l.activation});
  return p;
}

std::vector<Point> backwardPoints(const RunResult& r) {
  std::vector<Point> p{{QStringLiteral("dL/d(input)"), "in", &r.inputGradient}};
  for (const LayerResult& l : r.layers)
    p.push_back({QStringLiteral("dL/d(output of %1 %2)").arg(l.index + 1).arg(QString::fromStdString(l.label)),
                 shortLayerName(l), &l.gradient});
  return p;
}

QString tipFor(const Point& p, const char* quantity, double value) {
  const TensorStats& t = *p.stats;
  QString s = QStringLiteral("<b>%1</b><br>%2 = %3<br>mean %4, std %5<br>min %6, max %7")
                  .arg(p.name.toHtmlEscaped(), QString::fromLatin1(quantity), num(value, 6), num(t.mean, 6),
                       num(t.std, 6), num(t.min, 4), num(t.max, 4));
  if (t.zeroFraction > 0) s += QStringLiteral("<br>zeros %1%").arg(num(100 * t.zeroFraction, 3));
  if (t.saturatedFraction > 0) s += QStringLiteral("<br>saturated %1%").arg(num(100 * t.saturatedFraction, 3));
  const QString bad = nonFiniteText(t);
  if (!bad.isEmpty()) s += QStringLiteral("<br><font color=#c81e1e>%1</font>").arg(bad);
  return s;
}

// Tick labels for the layers: "3\nconv" when they fit the slot, else "3 conv" rotated, and only
// the index past 24 layers (the kinds are in the tooltips and the stack table).
void setLayerTicks(QCPAxis* axis, const std::vector<Point>& pts, double axisPx) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const int n = static_cast<int>(pts.size());
  const QFontMetrics fm(axis->tickLabelFont());
  const double slot = axisPx / std::max(1, n);
  int widest = 0;
  for (const Point& p : pts)
    for (const QString& line : p.tick.split(QLatin1Char('\n'))) widest = std::max(widest, fm.horizontalAdvance(line));
  axis->setTickLabelRotation(0);
  if (n <= 24 && widest + 4 <= slot) {
    for (int i = 0; i < n; ++i) ticker->addTick(i, i == 0 ? QStringLiteral("in") : pts[i].tick);
  } else if (n <= 24) {
    for (int i = 0; i < n; ++i) ticker->addTick(i, i == 0 ? QStringLiteral("input") : QString(pts[i].tick).replace(QLatin1Char('\n'), QLatin1Char(' ')));
    axis->setTickLabelRotation(-50);
  } else {
    const int step = static_cast<int>(std::ceil(n * (fm.horizontalAdvance(QStringLiteral("000")) + 8) / std::max(1.0, axisPx)));
    for (int i = 0; i < n; i += std::max(1, step)) ticker->addTick(i, i == 0 ? QStringLiteral("in") : QString::number(i));
  }
  axis->setTicker(ticker);
  axis->setSubTicks(false);
  axis->grid()->setVisible(false);
  axis->setRange(-0.6, n - 0.4);
}

// The layers' std as bars, mean (or |mean| on a log axis) as a line with markers. Everything is
// computed first; a redraw whose layout (title, style, size, ticks, ghost, label placement,
// marks) equals the last one's updates data, ranges and texts in place: a slider move keeps the
// axes and their tick-label caches instead of rebuilding the figure.
void drawPerLayer(QCustomPlot& plot, const QString& title, const QString& yLabel, const std::vector<Point>& pts,
                  const std::vector<Point>* ghost, bool idealLine, const FigureStyle& s) {
  const style::Sizes z = style::sizes(s.presentation);
  const double plotPx = plot.width() > 50 ? plot.width() : 800;
  const int n = static_cast<int>(pts.size());
  const double barWidth = n > 40 ? 0.8 : 0.62;

  QVector<double> keys(n), stds(n), means(n);
  QStringList stdTips, meanTips;
  for (int i = 0; i < n; ++i) {
    keys[i] = i;
    stds[i] = pts[i].stats->std;
    means[i] = s.logY ? std::abs(pts[i].stats->mean) : pts[i].stats->mean;
    stdTips << tipFor(pts[i], "std", stds[i]);
    meanTips << tipFor(pts[i], s.logY ? "|mean|" : "mean", means[i]);
  }
  const bool withGhost = ghost && !ghost->empty();
  const int gn = withGhost ? static_cast<int>(ghost->size()) : 0;
  QVector<double> gk(gn), gs(gn), gm(gn);
  QStringList gTips;
  for (int i = 0; i < gn; ++i) {
    gk[i] = i;
    gs[i] = (*ghost)[i].stats->std;
    gm[i] = s.logY ? std::abs((*ghost)[i].stats->mean) : (*ghost)[i].stats->mean;
    gTips << QStringLiteral("<i>pinned</i> ") + tipFor((*ghost)[i], "std", gs[i]);
  }

  // Value labels over the bars (a projector's audience cannot hover): horizontal when they fit
  // the bar's slot, else rotated; none past 24 layers.
  const QFont labelFont = style::font(z.base * 0.9);
  const QFontMetrics fm(labelFont);
  const double slotPx = std::max(1.0, plotPx - 100.0) / n;
  const bool labels = n <= 24;
  bool rotate = false;
  for (int i = 0; i < n && labels; ++i) rotate |= fm.horizontalAdvance(num(stds[i], 2)) + 4 > slotPx;

  // Value range: everything visible, the ideal line and the labels included.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto take = [&](double v) {
    if (!std::isfinite(v) || (s.logY && v <= 0)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (int i = 0; i < n; ++i) {
    take(stds[i]);
    take(means[i]);
  }
  if (ghost)
    for (const Point& p : *ghost) take(p.stats->std);
  if (idealLine) take(1.0);
  if (!std::isfinite(lo)) lo = s.logY ? 1e-3 : 0.0, hi = 1.0;
  // Headroom for the value labels: the fraction of the axis height the longest one needs.
  int labelPx = fm.height();
  if (rotate)
    for (int i = 0; i < n; ++i) labelPx = std::max(labelPx, fm.horizontalAdvance(num(stds[i], 2)));
  const double axisPx = std::max(100.0, (plot.height() > 50 ? plot.height() : 500) - (s.presentation ? 200.0 : 140.0));
  const double f = labels ? std::clamp((labelPx + 8) / axisPx, 0.08, 0.45) : 0.06;
  QCPRange yRange;
  if (s.logY) {
    const double l0 = std::log10(lo / 2.5), l1 = std::log10(hi);
    yRange = QCPRange(std::pow(10.0, l0), std::pow(10.0, l1 + (l1 - l0) * f / (1 - f)));
  } else {
    lo = std::min(lo, 0.0);
    const double span = std::max(hi - lo, 1e-12);
    yRange = QCPRange(lo - (lo < 0 ? 0.06 * span : 0.0), hi + span * f / (1 - f));
  }
  std::vector<QString> bad(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    bad[static_cast<std::size_t>(i)] = nonFiniteText(*pts[i].stats).replace(QStringLiteral(", "), QStringLiteral("\n"));

  QString key = QStringLiteral("perLayer|%1|%2|%3%4|%5x%6|%7|%8|%9%10")
                    .arg(title, yLabel)
                    .arg(s.presentation)
                    .arg(s.logY)
                    .arg(plot.width())
                    .arg(plot.height())
                    .arg(gn)
                    .arg(idealLine)
                    .arg(labels)
                    .arg(rotate);
  for (int i = 0; i < n; ++i) key += QLatin1Char('|') + pts[i].tick + (bad[static_cast<std::size_t>(i)].isEmpty() ? "" : "!");

  if (plot.property(kLayoutKeyProperty).toString() == key) {
    for (int i = 0; i < plot.plottableCount(); ++i) {
      QCPAbstractPlottable* pl = plot.plottable(i);
      const bool isGhost = pl->property("ghost").toBool();
      if (auto* b = qobject_cast<QCPBars*>(pl)) {
        b->setData(isGhost ? gk : keys, isGhost ? gs : stds, true);
        setTips(b, isGhost ? gTips : stdTips);
      } else if (auto* g = qobject_cast<QCPGraph*>(pl)) {
        if (isGhost) {
          g->setData(gk, gm, true);
        } else if (g->objectName() == QLatin1String("mean")) {
          g->setData(keys, means, true);
          setTips(g, meanTips);
        }
      }
    }
    for (int i = 0; i < plot.itemCount(); ++i) {
      auto* t = qobject_cast<QCPItemText*>(plot.item(i));
      const int bar = t ? t->property("bar").toInt() : -1;
      if (bar < 0 || bar >= n) continue;
      if (t->objectName() == QLatin1String("value")) {
        t->position->setCoords(bar, stds[bar]);
        t->setText(num(stds[bar], 2));
      } else if (t->objectName() == QLatin1String("nonfinite")) {
        t->setText(bad[static_cast<std::size_t>(bar)]);
      }
    }
    plot.yAxis->setRange(yRange);
    return;
  }

  const int row = resetPlot(plot, title, s);
  QCPLegend* legend = makeLegendRow(plot, row, s);
  QCPAxisRect* rect = makeMainAxisRect(plot, s, z.base, row + 1);
  QCPAxis* x = plot.xAxis;
  QCPAxis* y = plot.yAxis;
  setLogAxis(y, s.logY);
  y->setLabel(yLabel);
  x->setLabel(QStringLiteral("layer"));
  setLayerTicks(x, pts, plotPx - (s.presentation ? 160.0 : 110.0));

  if (withGhost) {
    auto* gb = new QCPBars(x, y);
    gb->setName(QStringLiteral("pinned std"));
    gb->setWidth(barWidth + 0.16);
    gb->setPen(style::pen(style::kGhost, z.line * 0.8, Qt::DashLine));
    gb->setBrush(style::alpha(style::kGhost, 40));
    gb->setData(gk, gs, true);
    gb->setProperty("ghost", true);
    setTips(gb, gTips);
    auto* gg = new QCPGraph(x, y);
    gg->setName(s.logY ? QStringLiteral("pinned |mean|") : QStringLiteral("pinned mean"));
    gg->setPen(style::pen(style::kGhost, z.line, Qt::DashLine));
    gg->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, style::kGhost, Qt::white, z.marker * 0.8));
    gg->setData(gk, gm, true);
    gg->setProperty("ghost", true);
  }

  auto* bars = new QCPBars(x, y);
  bars->setObjectName(QStringLiteral("std"));
  bars->setName(QStringLiteral("std"));
  bars->setWidth(barWidth);
  bars->setPen(Qt::NoPen);
  bars->setBrush(style::kBlue);
  bars->setData(keys, stds, true);
  setTips(bars, stdTips);

  if (idealLine) {
    auto* ideal = new QCPGraph(x, y);
    ideal->setName(QStringLiteral("ideal std = 1"));
    ideal->setPen(style::pen(style::kBlack, z.line * 0.8, Qt::DashLine));
    ideal->setData(QVector<double>{-1.0, double(n)}, QVector<double>{1.0, 1.0}, true);
    ideal->setSelectable(QCP::stNone);
  }

  auto* meanGraph = new QCPGraph(x, y);
  meanGraph->setObjectName(QStringLiteral("mean"));
  meanGraph->setName(s.logY ? QStringLiteral("|mean|") : QStringLiteral("mean"));
  meanGraph->setPen(style::pen(style::kVermillion, z.line));
  meanGraph->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssDiamond, style::kVermillion, style::kVermillion, z.marker));
  meanGraph->setData(keys, means, true);
  setTips(meanGraph, meanTips);

  fitLegend(plot, legend);
  y->setRange(yRange);

  // Texts carry their bar, for the in-place update above.
  for (int i = 0; i < n; ++i) {
    if (labels) {
      auto* t = new QCPItemText(&plot);
      t->setObjectName(QStringLiteral("value"));
      t->setProperty("bar", i);
      t->setClipToAxisRect(true);
      t->position->setAxes(x, y);
      t->position->setCoords(i, stds[i]);
      t->setFont(labelFont);
      t->setColor(QColor(40, 40, 40));
      t->setText(num(stds[i], 2));
      if (rotate) {
        t->setRotation(-90);
        t->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        t->setPadding(QMargins(3, 0, 0, 0));
      } else {
        t->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        t->setPadding(QMargins(0, 0, 0, 2));
      }
    }
    if (!bad[static_cast<std::size_t>(i)].isEmpty()) {
      auto* t = addRectLabel(plot, rect, x, y, i, 0.03, Qt::AlignHCenter | Qt::AlignTop);
      t->setFont(style::font(z.base, true));
      t->setColor(Qt::white);
      t->setBrush(style::kError);
      t->setPadding(QMargins(3, 1, 3, 1));
      t->setText(bad[static_cast<std::size_t>(i)]);
      t->setObjectName(QStringLiteral("nonfinite"));
      t->setProperty("bar", i);
    }
  }
  plot.setProperty(kLayoutKeyProperty, key);
}

}  // namespace

QString shortLayerName(const LayerResult& l) {
  QString k;
  switch (l.kind) {
    case LayerKind::Conv2d: k = "conv"; break;
    case LayerKind::Linear: k = "linear"; break;
    case LayerKind::ReLU: k = "relu"; break;
    case LayerKind::LeakyReLU: k = "lrelu"; break;
    case LayerKind::Tanh: k = "tanh"; break;
    case LayerKind::Sigmoid: k = "sigm"; break;
    case LayerKind::GELU: k = "gelu"; break;
    case LayerKind::MaxPool2d: k = "max"; break;
    case LayerKind::AvgPool2d: k = "avg"; break;
    case LayerKind::AdaptiveAvgPool2d: k = "gap"; break;
    case LayerKind::Flatten: k = "flat"; break;
    case LayerKind::BatchNorm2d: k = "bn"; break;
  }
  return QStringLiteral("%1\n%2").arg(l.index + 1).arg(k);
}

QString figureTitle(Figure f) {
  switch (f) {
    case Figure::Forward: return QStringLiteral("Forward: activations");
    case Figure::Backward: return QStringLiteral("Backward: gradients");
    case Figure::HistActivations: return QStringLiteral("Histograms: activations");
    case Figure::HistGradients: return QStringLiteral("Histograms: dL/d(activation)");
    case Figure::HistWeightGrads: return QStringLiteral("Histograms: weight gradients dL/dW");
    case Figure::SweepA: return QStringLiteral("Sweep over a");
  }
  return {};
}

QString figureKey(Figure f) {
  switch (f) {
    case Figure::Forward: return QStringLiteral("forward");
    case Figure::Backward: return QStringLiteral("backward");
    case Figure::HistActivations: return QStringLiteral("hist-activations");
    case Figure::HistGradients: return QStringLiteral("hist-gradients");
    case Figure::HistWeightGrads: return QStringLiteral("hist-weight-grads");
    case Figure::SweepA: return QStringLiteral("sweep-a");
  }
  return {};
}

bool parseFigureKey(const QString& key, Figure* f) {
  for (Figure g : {Figure::Forward, Figure::Backward, Figure::HistActivations, Figure::HistGradients,
                   Figure::HistWeightGrads, Figure::SweepA})
    if (figureKey(g) == key) {
      if (f) *f = g;
      return true;
    }
  return false;
}

void drawFigure(QCustomPlot& plot, Figure f, const RunResult& r, const RunResult* ghost, const FigureStyle& s) {
  switch (f) {
    case Figure::Forward: {
      const auto pts = forwardPoints(r);
      const auto gpts = ghost ? forwardPoints(*ghost) : std::vector<Point>{};
      drawPerLayer(plot, figureTitle(f), QStringLiteral("activation"), pts, ghost ? &gpts : nullptr, true, s);
      break;
    }
    case Figure::Backward: {
      const auto pts = backwardPoints(r);
      const auto gpts = ghost ? backwardPoints(*ghost) : std::vector<Point>{};
      drawPerLayer(plot, figureTitle(f), QStringLiteral("dL/d(activation)"), pts, ghost ? &gpts : nullptr, false, s);
      break;
    }
    case Figure::HistActivations:
    case Figure::HistGradients:
    case Figure::HistWeightGrads: drawHistograms(plot, f, r, ghost, s); break;
    case Figure::SweepA:
      resetPlot(plot, figureTitle(f), s);
      showMessage(plot, QStringLiteral("The a-sweep needs several runs (drawSweep)."), s);
      break;
  }
}

}  // namespace initscope::ui
