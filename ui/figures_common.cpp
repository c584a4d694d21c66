// Helpers shared by the figures: plot reset, axis rects, legends, messages, number formats.
#include "figures_p.h"

#include <algorithm>
#include <cmath>

namespace initscope::ui {
namespace detail {

int resetPlot(QCustomPlot& plot, const QString& title, const FigureStyle& s) {
  plot.setProperty(kLayoutKeyProperty, QVariant());  // whatever drew last, its layout is gone
  plot.clearItems();
  plot.clearPlottables();
  plot.plotLayout()->clear();
  for (QCPMarginGroup* g : plot.findChildren<QCPMarginGroup*>(QString(), Qt::FindDirectChildrenOnly)) delete g;
  plot.plotLayout()->simplify();
  plot.setBackground(Qt::white);
  plot.legend = nullptr;
  if (title.isEmpty()) return 0;
  const style::Sizes z = style::sizes(s.presentation);
  const QFont font = style::font(z.title, true);
  const int width = plot.width() > 50 ? plot.width() : 800;
  auto* t = new QCPTextElement(&plot, QFontMetrics(font).elidedText(title, Qt::ElideRight, width - 12), font);
  t->setTextColor(QColor(30, 30, 30));
  t->setMargins(QMargins(0, 4, 0, 0));
  plot.plotLayout()->addElement(0, 0, t);
  return 1;
}

QCPAxisRect* makeAxisRect(QCustomPlot& plot, const FigureStyle& s, double tickPt) {
  const style::Sizes z = style::sizes(s.presentation);
  auto* rect = new QCPAxisRect(&plot, true);
  rect->setupFullAxesBox(false);
  const QPen axisPen = style::pen(QColor(70, 70, 70), s.presentation ? 1.6 : 1.0);
  for (QCPAxis* a : rect->axes()) {
    a->setBasePen(axisPen);
    a->setTickPen(axisPen);
    a->setSubTickPen(axisPen);
    a->setTickLabelFont(style::font(tickPt));
    a->setLabelFont(style::font(z.label));
    a->setTickLabelColor(QColor(40, 40, 40));
    a->setLabelColor(QColor(30, 30, 30));
    a->grid()->setPen(style::pen(QColor(225, 225, 225), 1.0, Qt::SolidLine));
    a->grid()->setZeroLinePen(style::pen(QColor(160, 160, 160), 1.0));
  }
  for (QCPAxis* a : {rect->axis(QCPAxis::atTop), rect->axis(QCPAxis::atRight)}) {
    a->setTickLabels(false);
    a->grid()->setVisible(false);
  }
  // Keep the box's top and right axes in step with the data axes.
  QObject::connect(rect->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
                   rect->axis(QCPAxis::atTop), qOverload<const QCPRange&>(&QCPAxis::setRange));
  QObject::connect(rect->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
                   rect->axis(QCPAxis::atRight), qOverload<const QCPRange&>(&QCPAxis::setRange));
  rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
  rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
  return rect;
}

QCPLegend* makeLegendRow(QCustomPlot& plot, int row, const FigureStyle& s) {
  const style::Sizes z = style::sizes(s.presentation);
  // [stretch | legend | stretch]: the legend keeps its own width (fitLegend) and sits centred.
  auto* strip = new QCPLayoutGrid;
  plot.plotLayout()->addElement(row, 0, strip);
  auto* legend = new QCPLegend;
  strip->addElement(0, 0, new QCPLayoutElement(&plot));
  strip->addElement(0, 1, legend);
  strip->addElement(0, 2, new QCPLayoutElement(&plot));
  strip->setColumnSpacing(0);
  legend->setLayer("legend");
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend->setFont(style::font(z.label));
  legend->setBorderPen(Qt::NoPen);
  legend->setBrush(Qt::NoBrush);
  legend->setIconSize(s.presentation ? QSize(34, 20) : QSize(24, 13));
  legend->setColumnSpacing(s.presentation ? 26 : 16);
  legend->setMargins(QMargins(6, 0, 6, 0));
  legend->setVisible(true);
  plot.plotLayout()->setRowStretchFactor(row, 0.001);
  plot.legend = legend;
  return legend;
}

void fitLegend(QCustomPlot& plot, QCPLegend* legend) {
  const int width = (plot.width() > 50 ? plot.width() : 800) - legend->margins().left() - legend->margins().right() - 8;
  const int n = legend->itemCount();
  // Take as many items per row as fit, in order (the items report their own size).
  int perRow = n, used = 0;
  for (int i = 0; i < n; ++i) {
    used += legend->item(i)->minimumOuterSizeHint().width() + (i ? legend->columnSpacing() : 0);
    if (used > width) {
      perRow = std::max(1, i);
      break;
    }
  }
  legend->setWrap(std::max(1, perRow));
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // re-arranges the items already there
  legend->setMaximumSize(legend->minimumOuterSizeHint().width(), QWIDGETSIZE_MAX);
}

QCPMarginGroup* makeMarginGroup(QCustomPlot& plot) { return new QCPMarginGroup(&plot); }

void showMessage(QCustomPlot& plot, const QString& text, const FigureStyle& s) {
  // Word-wrapped to the plot's width (a text element does not wrap by itself).
  const QFont font = style::font(style::sizes(s.presentation).label);
  const QFontMetrics fm(font);
  const int width = (plot.width() > 50 ? plot.width() : 800) - 30;
  QStringList lines;
  for (const QString& paragraph : text.split(QLatin1Char('\n'))) {
    QString line;
    for (const QString& word : paragraph.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
      const QString next = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
      if (!line.isEmpty() && fm.horizontalAdvance(next) > width) {
        lines << line;
        line = word;
      } else {
        line = next;
      }
    }
    lines << line;
  }
  auto* msg = new QCPTextElement(&plot, lines.join(QLatin1Char('\n')), font);
  msg->setTextColor(QColor(90, 90, 90));
  plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, msg);
  plot.plotLayout()->setRowStretchFactor(plot.plotLayout()->rowCount() - 1, 1.0);
}

void setTips(QCPAbstractPlottable* p, const QStringList& tips) { p->setProperty(kTipsProperty, tips); }

QString num(double v, int digits) {
  if (std::isnan(v)) return QStringLiteral("NaN");
  if (std::isinf(v)) return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
  return QString::number(v, 'g', digits);
}

QString nonFiniteText(const TensorStats& t) {
  QStringList parts;
  if (t.nanCount) parts << QStringLiteral("%1 NaN").arg(t.nanCount);
  if (t.posInfCount) parts << QStringLiteral("%1 +Inf").arg(t.posInfCount);
  if (t.negInfCount) parts << QStringLiteral("%1 -Inf").arg(t.negInfCount);
  return parts.join(QStringLiteral(", "));
}

void setLogAxis(QCPAxis* axis, bool log) {
  if (log) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    auto t = QSharedPointer<QCPAxisTickerLog>::create();
    t->setSubTickCount(8);
    axis->setTicker(t);
    axis->setNumberFormat("eb");
    axis->setNumberPrecision(0);
  } else {
    axis->setScaleType(QCPAxis::stLinear);
    axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    axis->setNumberFormat("g");
    axis->setNumberPrecision(3);
  }
}

QCPItemText* addRectLabel(QCustomPlot& plot, QCPAxisRect* rect, QCPAxis* x, QCPAxis* y, double xCoord, double yRatio,
                          Qt::Alignment align) {
  auto* t = new QCPItemText(&plot);
  t->setClipToAxisRect(true);
  t->setClipAxisRect(rect);
  t->position->setTypeX(QCPItemPosition::ptPlotCoords);
  t->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  t->position->setAxes(x, y);
  t->position->setAxisRect(rect);
  t->position->setCoords(xCoord, yRatio);
  t->setPositionAlignment(align);
  return t;
}

QCPAxisRect* makeMainAxisRect(QCustomPlot& plot, const FigureStyle& s, double tickPt, int row) {
  QCPAxisRect* rect = makeAxisRect(plot, s, tickPt);
  plot.plotLayout()->addElement(row, 0, rect);
  plot.xAxis = rect->axis(QCPAxis::atBottom);
  plot.yAxis = rect->axis(QCPAxis::atLeft);
  plot.xAxis2 = rect->axis(QCPAxis::atTop);
  plot.yAxis2 = rect->axis(QCPAxis::atRight);
  return rect;
}

}  // namespace detail

}  // namespace initscope::ui
