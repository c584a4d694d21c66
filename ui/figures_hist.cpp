// Small multiples: one histogram per layer, in a grid of axis rects aligned by a margin group.
#include "figures_p.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace initscope::ui {

using namespace detail;

namespace {

struct Panel {
  QString title;  // short, over the panel
  QString label;  // full, in tooltips
  const TensorStats* stats;
  const TensorStats* ghost;  // the pinned run's same panel, or null
};

const TensorStats* pick(const LayerResult& l, Figure f) {
  switch (f) {
    case Figure::HistActivations: return &l.activation;
    case Figure::HistGradients: return &l.gradient;
    case Figure::HistWeightGrads: return l.weight ? &l.weight->grad : nullptr;
    default: return nullptr;
  }
}

QString shortTitle(const LayerResult& l) {
  QString kind = QString::fromLatin1(toString(l.kind).data());
  kind.replace(QStringLiteral("adaptive_avg_pool2d"), QStringLiteral("adaptive_pool"))
      .replace(QStringLiteral("batchnorm2d"), QStringLiteral("batchnorm"))
      .replace(QStringLiteral("_pool2d"), QStringLiteral("_pool"));
  return QStringLiteral("%1 %2").arg(l.index + 1).arg(kind);
}

std::vector<Panel> panelsOf(Figure f, const RunResult& r, const RunResult* ghost) {
  std::vector<Panel> p;
  auto ghostOf = [&](int i) -> const TensorStats* {
    if (!ghost || i >= static_cast<int>(ghost->layers.size())) return nullptr;
    const LayerResult& g = ghost->layers[static_cast<std::size_t>(i)];
    return g.kind == r.layers[static_cast<std::size_t>(i)].kind ? pick(g, f) : nullptr;
  };
  if (f == Figure::HistActivations)
    p.push_back({QStringLiteral("input"), QStringLiteral("input ") + QString::fromStdString(r.inputShape.str()), &r.input,
                 ghost ? &ghost->input : nullptr});
  for (const LayerResult& l : r.layers)
    if (const TensorStats* t = pick(l, f))
      p.push_back({shortTitle(l), QStringLiteral("%1 %2").arg(l.index + 1).arg(QString::fromStdString(l.label)), t,
                   ghostOf(l.index)});
  return p;
}

// Columns for n panels in a w x h area, so that cells come out near 1.6 : 1.
int columnsFor(int n, double w, double h) {
  int best = 1;
  double bestErr = std::numeric_limits<double>::infinity();
  for (int c = 1; c <= n; ++c) {
    const int rows = (n + c - 1) / c;
    const double err = std::abs(std::log((w / c) / (h / rows) / 1.6));
    if (err < bestErr) best = c, bestErr = err;
  }
  return best;
}

QColor colourOf(Figure f) {
  switch (f) {
    case Figure::HistGradients: return style::kVermillion;
    case Figure::HistWeightGrads: return style::kGreen;
    default: return style::kBlue;
  }
}

// Counts as 500, 20k, 1.5M: short enough for small multiples.
QString countLabel(double v) {
  if (v >= 1e6) return QString::number(v / 1e6, 'g', 3) + QLatin1Char('M');
  if (v >= 1e3) return QString::number(v / 1e3, 'g', 3) + QLatin1Char('k');
  return QString::number(v, 'g', 3);
}
class CountTicker : public QCPAxisTicker {
 protected:
  QString getTickLabel(double tick, const QLocale&, QChar, int) override { return countLabel(tick); }
};
class LogCountTicker : public QCPAxisTickerLog {
 protected:
  QString getTickLabel(double tick, const QLocale&, QChar, int) override { return countLabel(tick); }
};

QCPItemText* cornerText(QCustomPlot& plot, QCPAxisRect* rect, double rx, double ry, Qt::Alignment align,
                        const QString& text, const QFont& font, const QColor& colour) {
  auto* t = new QCPItemText(&plot);
  t->setClipToAxisRect(false);
  t->position->setType(QCPItemPosition::ptAxisRectRatio);
  t->position->setAxisRect(rect);
  t->position->setCoords(rx, ry);
  t->setPositionAlignment(align);
  t->setFont(font);
  t->setColor(colour);
  t->setText(text);
  return t;
}

// Everything one panel shows, computed before any drawing: a full build and an in-place update
// (the same layout, new numbers) draw from the same values.
struct PanelView {
  QVector<double> keys, vals, ghostKeys, ghostVals;
  QStringList tips;
  double xlo = 0, xhi = 1, ylo = 0, yhi = 1, barWidth = 1;
  bool thinBars = false;  // bins narrower than 1.5 px: drawn 1.5 px wide
  QString title, sigma, outOfRange, nonFinite;
  bool withSigma = false, noFinite = false, hasGhost = false;
};

// The layout a set of views needs: equal keys mean the same axis rects, plottables and items,
// so only data, ranges and texts change.
QString layoutKey(Figure f, const FigureStyle& s, double w, double h, bool ghost, const std::vector<PanelView>& v) {
  QString k = QStringLiteral("%1|%2%3%4|%5x%6|%7").arg(int(f)).arg(s.presentation).arg(s.logCounts).arg(s.sharedRange)
                  .arg(w).arg(h).arg(ghost);
  for (const PanelView& p : v)
    k += QStringLiteral("|%1:%2%3%4%5%6").arg(p.title).arg(p.withSigma).arg(!p.outOfRange.isEmpty())
             .arg(!p.nonFinite.isEmpty()).arg(p.noFinite).arg(p.hasGhost);
  return k;
}

}  // namespace

void drawHistograms(QCustomPlot& plot, Figure f, const RunResult& r, const RunResult* ghost, const FigureStyle& s) {
  const style::Sizes z = style::sizes(s.presentation);
  const std::vector<Panel> panels = panelsOf(f, r, ghost);
  const int n = static_cast<int>(panels.size());
  const double w = plot.width() > 50 ? plot.width() : 1000, h = plot.height() > 50 ? plot.height() : 600;
  const int cols = std::max(1, columnsFor(n, w, h));
  const QFont titleFont = style::font(z.small + 1, true), smallFont = style::font(z.small);
  const double panelPx = std::max(60.0, w / cols - 60.0);

  // The shared value range: the union of every panel's. Counts stay per panel: the tensors
  // differ in size by orders of magnitude.
  double sharedLo = std::numeric_limits<double>::infinity(), sharedHi = -sharedLo;
  for (const Panel& p : panels) {
    const Histogram& hh = p.stats->histogram;
    if (hh.counts.empty()) continue;
    sharedLo = std::min(sharedLo, hh.low);
    sharedHi = std::max(sharedHi, hh.high);
  }

  std::vector<PanelView> views(panels.size());
  for (int i = 0; i < n; ++i) {
    const Panel& p = panels[static_cast<std::size_t>(i)];
    PanelView& v = views[static_cast<std::size_t>(i)];
    const Histogram& hh = p.stats->histogram;
    const int nb = static_cast<int>(hh.counts.size());
    v.keys.resize(nb);
    v.vals.resize(nb);
    double localMax = 1;
    for (int b = 0; b < nb; ++b) {
      v.keys[b] = hh.binCenter(b);
      v.vals[b] = double(hh.counts[static_cast<std::size_t>(b)]);
      localMax = std::max(localMax, v.vals[b]);
      const double lo = hh.low + b * hh.binWidth();
      v.tips << QStringLiteral("<b>%1</b><br>[%2, %3%4: %5 values")
                    .arg(p.label.toHtmlEscaped(), num(lo, 5), num(lo + hh.binWidth(), 5),
                         b == nb - 1 ? QStringLiteral("]") : QStringLiteral(")"))
                    .arg(hh.counts[static_cast<std::size_t>(b)]);
    }
    // The pinned run as a grey outline over the bars.
    v.hasGhost = p.ghost && !p.ghost->histogram.counts.empty();
    if (v.hasGhost) {
      const Histogram& gh = p.ghost->histogram;
      for (int b = 0; b < static_cast<int>(gh.counts.size()); ++b) {
        v.ghostKeys << gh.binCenter(b);
        v.ghostVals << double(gh.counts[static_cast<std::size_t>(b)]);
        localMax = std::max(localMax, v.ghostVals.back());
      }
    }
    double xlo = s.sharedRange && std::isfinite(sharedLo) ? sharedLo : hh.low;
    double xhi = s.sharedRange && std::isfinite(sharedLo) ? sharedHi : hh.high;
    if (!(xhi > xlo)) xlo -= 0.5, xhi += 0.5;
    const double xpad = 0.04 * (xhi - xlo);
    v.xlo = xlo - xpad;
    v.xhi = xhi + xpad;
    v.barWidth = hh.binWidth() > 0 ? hh.binWidth() : 1.0;
    // A histogram far narrower than the shared range still shows: bins at least 1.5 px wide.
    v.thinBars = hh.binWidth() / (v.xhi - v.xlo) * panelPx < 1.5;
    v.ylo = s.logCounts ? 0.7 : 0.0;
    v.yhi = s.logCounts ? localMax * 3.0 : localMax * 1.08;
    // Over the panel: the layer on the left, its std on the right when both fit (the std is also
    // in the tooltips and the per-layer figures).
    v.sigma = QStringLiteral("σ %1").arg(num(p.stats->std, 2));
    const QFontMetrics tfm(titleFont), sfm(smallFont);
    const int panelText = static_cast<int>(w / cols) - 50;
    v.withSigma = tfm.horizontalAdvance(p.title) + sfm.horizontalAdvance(v.sigma) + 8 <= panelText;
    v.title = tfm.elidedText(p.title, Qt::ElideRight, panelText);
    if (hh.underflow || hh.overflow)
      v.outOfRange = QStringLiteral("out of range: %1 below, %2 above").arg(hh.underflow).arg(hh.overflow);
    v.nonFinite = nonFiniteText(*p.stats);
    v.noFinite = p.stats->finite == 0;
  }

  const auto setBars = [](QCPBars* bars, const PanelView& v) {
    bars->setWidthType(v.thinBars ? QCPBars::wtAbsolute : QCPBars::wtPlotCoords);
    bars->setWidth(v.thinBars ? 1.5 : v.barWidth);
    bars->setData(v.keys, v.vals, true);
    setTips(bars, v.tips);
  };

  // The same layout as the last draw (a slider move): new data, ranges and texts in the existing
  // axis rects. Keeping the axes keeps their tick-label caches: a replot here costs half.
  const QString key = layoutKey(f, s, w, h, ghost != nullptr, views);
  if (!views.empty() && plot.property(kLayoutKeyProperty).toString() == key) {
    std::vector<QCPBars*> bars;
    std::vector<QCPGraph*> ghosts;
    for (int i = 0; i < plot.plottableCount(); ++i) {
      if (auto* b = qobject_cast<QCPBars*>(plot.plottable(i)); b && b->objectName() == QLatin1String("hist"))
        bars.push_back(b);
      if (auto* g = qobject_cast<QCPGraph*>(plot.plottable(i)); g && g->property("ghost").toBool()) ghosts.push_back(g);
    }
    if (bars.size() == views.size()) {
      std::size_t g = 0;
      for (std::size_t i = 0; i < views.size(); ++i) {
        const PanelView& v = views[i];
        setBars(bars[i], v);
        if (v.hasGhost && g < ghosts.size()) ghosts[g++]->setData(v.ghostKeys, v.ghostVals, true);
        bars[i]->keyAxis()->setRange(v.xlo, v.xhi);
        bars[i]->valueAxis()->setRange(v.ylo, v.yhi);
      }
      for (int i = 0; i < plot.itemCount(); ++i) {
        auto* t = qobject_cast<QCPItemText*>(plot.item(i));
        if (!t) continue;
        const int panel = t->property("panel").toInt();
        if (panel < 0 || panel >= n) continue;
        const PanelView& v = views[static_cast<std::size_t>(panel)];
        const QString role = t->objectName();
        if (role == QLatin1String("sigma")) t->setText(v.sigma);
        else if (role == QLatin1String("outOfRange")) t->setText(v.outOfRange);
        else if (role == QLatin1String("nonfinite")) t->setText(v.nonFinite);
      }
      return;
    }
  }

  QString title = figureTitle(f) + (s.logCounts ? QStringLiteral(" (log count)") : QString());
  int row = resetPlot(plot, title, s);
  if (panels.empty()) {
    showMessage(plot, QStringLiteral("No layer has a weight."), s);
    return;
  }
  QCPLegend* legend = ghost ? makeLegendRow(plot, row++, s) : nullptr;
  auto* grid = new QCPLayoutGrid;
  plot.plotLayout()->addElement(row, 0, grid);
  grid->setColumnSpacing(s.presentation ? 10 : 6);
  grid->setRowSpacing(2);
  QCPMarginGroup* margins = makeMarginGroup(plot);
  const QColor colour = colourOf(f);
  const int titleHeight = QFontMetrics(titleFont).height() + 4;

  for (int i = 0; i < n; ++i) {
    const Panel& p = panels[static_cast<std::size_t>(i)];
    const PanelView& v = views[static_cast<std::size_t>(i)];
    QCPAxisRect* rect = makeAxisRect(plot, s, z.small);
    grid->addElement(i / cols, i % cols, rect);
    rect->setMarginGroup(QCP::msAll, margins);
    rect->setMinimumMargins(QMargins(0, titleHeight, 0, 0));
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    x->ticker()->setTickCount(panelPx > 220 ? 4 : panelPx > 140 ? 3 : 2);
    x->setNumberPrecision(2);
    setLogAxis(y, s.logCounts);
    if (s.logCounts) {
      auto t = QSharedPointer<LogCountTicker>::create();
      t->setSubTickCount(0);
      y->setTicker(t);
    } else {
      auto t = QSharedPointer<CountTicker>::create();
      t->setTickCount(3);
      y->setTicker(t);
    }
    x->grid()->setVisible(false);

    auto* bars = new QCPBars(x, y);
    bars->setObjectName(QStringLiteral("hist"));
    bars->setName(QStringLiteral("current"));
    bars->setPen(Qt::NoPen);
    bars->setBrush(colour);
    bars->setProperty("panelTitle", p.label);
    setBars(bars, v);
    if (i > 0 || !ghost) bars->removeFromLegend();
    if (v.hasGhost) {
      auto* g = new QCPGraph(x, y);
      g->setName(QStringLiteral("pinned"));
      g->setLineStyle(QCPGraph::lsStepCenter);
      g->setPen(style::pen(QColor(80, 80, 80, 200), z.line * 0.7));
      g->setData(v.ghostKeys, v.ghostVals, true);
      g->setProperty("ghost", true);
      if (i > 0) g->removeFromLegend();
    }
    x->setRange(v.xlo, v.xhi);
    y->setRange(v.ylo, v.yhi);

    // Texts carry their panel and role, for the in-place update above.
    const auto text = [&](double rx, double ry, Qt::Alignment align, const QString& t, const QFont& font,
                          const QColor& ink, const char* role) {
      QCPItemText* item = cornerText(plot, rect, rx, ry, align, t, font, ink);
      item->setProperty("panel", i);
      item->setObjectName(QString::fromLatin1(role));
      return item;
    };
    text(0.0, 0.0, Qt::AlignLeft | Qt::AlignBottom, v.title, titleFont, QColor(30, 30, 30), "title")
        ->setPadding(QMargins(0, 0, 0, 3));
    if (v.withSigma)
      text(1.0, 0.0, Qt::AlignRight | Qt::AlignBottom, v.sigma, smallFont, QColor(70, 70, 70), "sigma")
          ->setPadding(QMargins(0, 0, 0, 3));
    if (!v.outOfRange.isEmpty())
      text(0.99, 0.02, Qt::AlignRight | Qt::AlignTop, v.outOfRange, smallFont, QColor(90, 90, 90), "outOfRange");
    if (!v.nonFinite.isEmpty()) {
      QCPItemText* t = text(0.99, 0.02, Qt::AlignRight | Qt::AlignTop, v.nonFinite, style::font(z.small + 1, true),
                            Qt::white, "nonfinite");
      t->setBrush(style::kError);
      t->setPadding(QMargins(3, 1, 3, 1));
      if (!v.outOfRange.isEmpty()) t->position->setCoords(0.99, 0.2);
    }
    if (v.noFinite)
      text(0.5, 0.5, Qt::AlignCenter, QStringLiteral("no finite values"), smallFont, style::kError, "noFinite");
  }
  if (legend) fitLegend(plot, legend);
  plot.setProperty(kLayoutKeyProperty, key);
}

}  // namespace initscope::ui
