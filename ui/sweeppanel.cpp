#include "sweeppanel.h"

#include "engineworker.h"
#include "figures_p.h"
#include "plottips.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace initscope::ui {

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  plot_ = new QCustomPlot;
  plot_->setObjectName(QStringLiteral("sweepPlot"));
  plot_->setMinimumSize(220, 180);
  installPlotInteraction(plot_, [this] { redraw(); });
  resizeTimer_ = new QTimer(this);
  resizeTimer_->setSingleShot(true);
  resizeTimer_->setInterval(80);
  connect(resizeTimer_, &QTimer::timeout, this, &SweepPanel::redraw);
  plot_->installEventFilter(this);
  layout->addWidget(plot_, 1);

  auto* controls = new QHBoxLayout;
  enabled_ = new QCheckBox(tr("Sweep"));
  enabled_->setObjectName(QStringLiteral("sweepEnabled"));
  enabled_->setChecked(true);
  enabled_->setToolTip(tr("Run the config at every value of a (in the background)"));
  max_ = new QDoubleSpinBox;
  max_->setRange(0.5, 100);
  max_->setDecimals(1);
  max_->setValue(6.0);
  max_->setPrefix(QStringLiteral("a ≤ "));
  max_->setKeyboardTracking(false);
  points_ = new QSpinBox;
  points_->setRange(2, 201);
  points_->setValue(31);
  points_->setSuffix(tr(" runs"));
  points_->setKeyboardTracking(false);
  controls->addWidget(enabled_);
  controls->addWidget(max_);
  controls->addWidget(points_);
  controls->addStretch(1);
  layout->addLayout(controls);
  status_ = new QLabel;
  status_->setObjectName(QStringLiteral("sweepStatus"));
  status_->setStyleSheet(QStringLiteral("color: #555;"));
  layout->addWidget(status_);

  connect(enabled_, &QCheckBox::toggled, this, &SweepPanel::settingsChanged);
  connect(max_, &QDoubleSpinBox::valueChanged, this, &SweepPanel::settingsChanged);
  connect(points_, &QSpinBox::valueChanged, this, &SweepPanel::settingsChanged);
  clear(tr("The sweep appears after the first run."));
}

bool SweepPanel::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Resize && !results_.empty()) resizeTimer_->start();
  return QWidget::eventFilter(watched, event);
}

bool SweepPanel::sweepEnabled() const { return enabled_->isChecked(); }
double SweepPanel::maxA() const { return max_->value(); }
int SweepPanel::points() const { return points_->value(); }
std::vector<double> SweepPanel::aValues() const { return sweepValues(0.0, maxA(), points()); }

void SweepPanel::setSettings(bool enabled, double maxA, int points) {
  const QSignalBlocker b1(enabled_), b2(max_), b3(points_);
  enabled_->setChecked(enabled);
  max_->setValue(maxA);
  points_->setValue(points);
}

void SweepPanel::setResults(const std::vector<double>& aValues, const std::vector<RunResult>& results) {
  a_ = aValues;
  results_ = results;
  redraw();
}

void SweepPanel::setCurrentA(double a) {
  if (currentA_ == a) return;
  currentA_ = a;
  // Only the marker moves: the sweep itself does not depend on the current a.
  if (auto* line = plot_->findChild<QCPItemStraightLine*>(QStringLiteral("currentA"))) {
    line->point1->setCoords(a, 1.0);
    line->point2->setCoords(a, 2.0);
    for (int i = 0; i < plot_->itemCount(); ++i)
      if (auto* t = qobject_cast<QCPItemText*>(plot_->item(i)); t && t->text().startsWith(QStringLiteral("a = "))) {
        t->position->setCoords(a, t->position->coords().y());
        t->setText(QStringLiteral("a = %1").arg(a, 0, 'g', 4));
      }
    // Only the marker's own buffered layer is redrawn (drawSweep puts it there).
    line->layer()->replot();
  }
}

void SweepPanel::setStyle(const FigureStyle& s) {
  style_ = s;
  redraw();
}

void SweepPanel::setStatus(const QString& text) { status_->setText(text); }

void SweepPanel::markStale() {
  if (results_.empty()) return;
  for (int i = 0; i < plot_->graphCount(); ++i) {
    QCPGraph* g = plot_->graph(i);
    QPen pen = g->pen();
    pen.setColor(style::alpha(pen.color(), 50));
    g->setPen(pen);
    QCPScatterStyle sc = g->scatterStyle();
    sc.setPen(QPen(style::alpha(sc.pen().color(), 50)));
    sc.setBrush(style::alpha(sc.brush().color(), 50));
    g->setScatterStyle(sc);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void SweepPanel::clear(const QString& message) {
  a_.clear();
  results_.clear();
  detail::resetPlot(*plot_, figureTitle(Figure::SweepA), style_);
  detail::showMessage(*plot_, message, style_);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void SweepPanel::redraw() {
  if (results_.empty()) return;
  drawSweep(*plot_, a_, results_, currentA_, style_);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace initscope::ui
