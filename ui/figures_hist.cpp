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

}  // namespace

void drawHistograms(QCustomPlot& plot, Figure f, const RunResult& r, const RunResult* ghost, const FigureStyle& s) {
  const style::Sizes z = style::sizes(s.presentation);
  QString title = figureTitle(f) + (s.logCounts ? QStringLiteral(" (log count)") : QString());
  int row = resetPlot(plot, title, s);
  const std::vector<Panel> panels = panelsOf(f, r, ghost);
  if (panels.empty()) {
    showMessage(plot, QStringLiteral("No layer has a weight."), s);
    return;
  }
  QCPLegend* legend = ghost ? makeLegendRow(plot, row++, s) : nullptr;
  auto* grid = new QCPLayoutGrid;
  plot.plotLayout()->addElement(row, 0, grid);
  grid->setColumnSpacing(s.presentation ? 10 : 6);
  grid->setRowSpacing(2);

  const int n = static_cast<int>(panels.size());
  const double w = plot.width() > 50 ? plot.width() : 1000, h = plot.height() > 50 ? plot.height() : 600;
  const int cols = columnsFor(n, w, h);
  QCPMarginGroup* margins = makeMarginGroup(plot);
  const QColor colour = colourOf(f);
  const QFont titleFont = style::font(z.small + 1, true), smallFont = style::font(z.small);
  const int titleHeight = QFontMetrics(titleFont).height() + 4;

  // The shared value range: the union of every panel's. Counts stay per panel: the tensors
  // differ in size by orders of magnitude.
  double sharedLo = std::numeric_limits<double>::infinity(), sharedHi = -sharedLo;
  for (const Panel& p : panels) {
    const Histogram& hh = p.stats->histogram;
    if (hh.counts.empty()) continue;
    sharedLo = std::min(sharedLo, hh.low);
    sharedHi = std::max(sharedHi, hh.high);
  }

  for (int i = 0; i < n; ++i) {
    const Panel& p = panels[static_cast<std::size_t>(i)];
    const Histogram& hh = p.stats->histogram;
    QCPAxisRect* rect = makeAxisRect(plot, s, z.small);
    grid->addElement(i / cols, i % cols, rect);
    rect->setMarginGroup(QCP::msAll, margins);
    rect->setMinimumMargins(QMargins(0, titleHeight, 0, 0));
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    const double panelPx = std::max(60.0, w / cols - 60.0);
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

    const int nb = static_cast<int>(hh.counts.size());
    QVector<double> keys(nb), vals(nb);
    QStringList tips;
    double localMax = 1;
    for (int b = 0; b < nb; ++b) {
      keys[b] = hh.binCenter(b);
      vals[b] = double(hh.counts[static_cast<std::size_t>(b)]);
      localMax = std::max(localMax, vals[b]);
      const double lo = hh.low + b * hh.binWidth();
      tips << QStringLiteral("<b>%1</b><br>[%2, %3%4: %5 values")
                  .arg(p.label.toHtmlEscaped(), num(lo, 5), num(lo + hh.binWidth(), 5),
                       b == nb - 1 ? QStringLiteral("]") : QStringLiteral(")"))
                  .arg(hh.counts[static_cast<std::size_t>(b)]);
    }
    auto* bars = new QCPBars(x, y);
    bars->setObjectName(QStringLiteral("hist"));
    bars->setName(QStringLiteral("current"));
    bars->setWidth(hh.binWidth() > 0 ? hh.binWidth() : 1.0);
    bars->setPen(Qt::NoPen);
    bars->setBrush(colour);
    bars->setData(keys, vals, true);
    bars->setProperty("panelTitle", p.label);
    setTips(bars, tips);
    if (i > 0 || !ghost) bars->removeFromLegend();

    // The pinned run as a grey outline over the bars.
    if (p.ghost && !p.ghost->histogram.counts.empty()) {
      const Histogram& gh = p.ghost->histogram;
      QVector<double> gk, gv;
      for (int b = 0; b < static_cast<int>(gh.counts.size()); ++b) {
        gk << gh.binCenter(b);
        gv << double(gh.counts[static_cast<std::size_t>(b)]);
        localMax = std::max(localMax, gv.back());
      }
      auto* g = new QCPGraph(x, y);
      g->setName(QStringLiteral("pinned"));
      g->setLineStyle(QCPGraph::lsStepCenter);
      g->setPen(style::pen(QColor(80, 80, 80, 200), z.line * 0.7));
      g->setData(gk, gv, true);
      g->setProperty("ghost", true);
      if (i > 0) g->removeFromLegend();
    }
    // Ranges.
    double xlo = s.sharedRange && std::isfinite(sharedLo) ? sharedLo : hh.low;
    double xhi = s.sharedRange && std::isfinite(sharedLo) ? sharedHi : hh.high;
    if (!(xhi > xlo)) xlo -= 0.5, xhi += 0.5;
    const double xpad = 0.04 * (xhi - xlo);
    x->setRange(xlo - xpad, xhi + xpad);
    // A histogram far narrower than the shared range still shows: bins at least 1.5 px wide.
    if (hh.binWidth() / (xhi - xlo + 2 * xpad) * panelPx < 1.5) {
      bars->setWidthType(QCPBars::wtAbsolute);
      bars->setWidth(1.5);
    }
    const double ymax = localMax;
    if (s.logCounts)
      y->setRange(0.7, ymax * 3.0);
    else
      y->setRange(0, ymax * 1.08);

    // Over the panel: the layer on the left, its std on the right when both fit (the std is also
    // in the tooltips and the per-layer figures).
    const QString sigma = QStringLiteral("σ %1").arg(num(p.stats->std, 2));
    const QFontMetrics tfm(titleFont), sfm(smallFont);
    const int panelText = static_cast<int>(w / cols) - 50;
    const bool withSigma = tfm.horizontalAdvance(p.title) + sfm.horizontalAdvance(sigma) + 8 <= panelText;
    cornerText(plot, rect, 0.0, 0.0, Qt::AlignLeft | Qt::AlignBottom, tfm.elidedText(p.title, Qt::ElideRight, panelText),
               titleFont, QColor(30, 30, 30))
        ->setPadding(QMargins(0, 0, 0, 3));
    if (withSigma)
      cornerText(plot, rect, 1.0, 0.0, Qt::AlignRight | Qt::AlignBottom, sigma, smallFont, QColor(70, 70, 70))
          ->setPadding(QMargins(0, 0, 0, 3));
    if (hh.underflow || hh.overflow)
      cornerText(plot, rect, 0.99, 0.02, Qt::AlignRight | Qt::AlignTop,
                 QStringLiteral("out of range: %1 below, %2 above").arg(hh.underflow).arg(hh.overflow), smallFont,
                 QColor(90, 90, 90));
    const QString bad = nonFiniteText(*p.stats);
    if (!bad.isEmpty()) {
      QCPItemText* t = cornerText(plot, rect, 0.99, 0.02, Qt::AlignRight | Qt::AlignTop, bad,
                                  style::font(z.small + 1, true), Qt::white);
      t->setBrush(style::kError);
      t->setPadding(QMargins(3, 1, 3, 1));
      t->setObjectName(QStringLiteral("nonfinite"));
      if (hh.underflow || hh.overflow) t->position->setCoords(0.99, 0.2);
    }
    if (p.stats->finite == 0)
      cornerText(plot, rect, 0.5, 0.5, Qt::AlignCenter, QStringLiteral("no finite values"), smallFont, style::kError);
  }
  if (legend) fitLegend(plot, legend);
}

}  // namespace initscope::ui
