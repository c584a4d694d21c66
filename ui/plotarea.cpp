#include "plotarea.h"

#include "figures_p.h"
#include "plottips.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace initscope::ui {

PlotArea::PlotArea(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);

  // A tool bar: when the window is narrow (presentation mode on a projector) the controls that do
  // not fit go into its overflow menu instead of widening the window.
  auto* bar = new QToolBar;
  bar->setObjectName(QStringLiteral("plotBar"));
  bar->setIconSize(QSize(16, 16));
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  auto tool = [&](const QString& text, const QString& tip, const char* name) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setToolTip(tip);
    b->setObjectName(QString::fromLatin1(name));
    bar->addWidget(b);
    return b;
  };
  auto spacer = [&](int w) {
    auto* s = new QWidget;
    s->setFixedWidth(w);
    bar->addWidget(s);
  };
  pin_ = tool(tr("Pin"), tr("Keep this run as a grey ghost to compare the next ones with (P)"), "pin");
  pin_->setShortcut(QKeySequence(Qt::Key_P));
  unpin_ = tool(tr("Unpin"), tr("Remove the ghost"), "unpin");
  unpin_->setEnabled(false);
  pinLabel_ = new QLabel;
  pinLabel_->setStyleSheet(QStringLiteral("color: #777;"));
  bar->addWidget(pinLabel_);
  auto* stretch = new QWidget;
  stretch->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  bar->addWidget(stretch);
  logGrad_ = new QCheckBox(tr("log gradients"));
  logGrad_->setObjectName(QStringLiteral("logGradients"));
  logGrad_->setChecked(true);
  logGrad_->setToolTip(tr("Log axis for the backward figure (|mean| instead of mean)"));
  bar->addWidget(logGrad_);
  spacer(12);
  bar->addWidget(new QLabel(tr("Histograms: ")));
  histKind_ = new QComboBox;
  histKind_->setObjectName(QStringLiteral("histogramKind"));
  histKind_->addItem(tr("activations"), QStringLiteral("activations"));
  histKind_->addItem(tr("dL/d(activation)"), QStringLiteral("gradients"));
  histKind_->addItem(tr("weight gradients dL/dW"), QStringLiteral("weight-grads"));
  bar->addWidget(histKind_);
  spacer(6);
  logCounts_ = new QCheckBox(tr("log counts"));
  logCounts_->setObjectName(QStringLiteral("logCounts"));
  shared_ = new QCheckBox(tr("shared range"));
  shared_->setObjectName(QStringLiteral("sharedRange"));
  shared_->setChecked(true);
  shared_->setToolTip(tr("One value range for every layer's histogram (off: each layer its own)"));
  bar->addWidget(logCounts_);
  spacer(6);
  bar->addWidget(shared_);
  spacer(12);
  reset_ = tool(tr("Reset view"), tr("Undo zoom and pan (or double-click a plot)"), "resetView");
  layout->addWidget(bar);

  figures_ = new QWidget;
  figures_->setObjectName(QStringLiteral("figures"));
  auto* figLayout = new QVBoxLayout(figures_);
  figLayout->setContentsMargins(0, 0, 0, 0);
  auto* vsplit = new QSplitter(Qt::Vertical);
  auto* hsplit = new QSplitter(Qt::Horizontal);
  auto makePlot = [this](const char* name) {
    auto* p = new QCustomPlot;
    p->setObjectName(QString::fromLatin1(name));
    p->setMinimumSize(200, 150);
    installPlotInteraction(p, [this] { redraw(); });
    connect(p, &QCustomPlot::afterReplot, this, &PlotArea::onAfterReplot);
    return p;
  };
  forward_ = makePlot("forwardPlot");
  backward_ = makePlot("backwardPlot");
  hist_ = makePlot("histogramPlot");
  hsplit->addWidget(forward_);
  hsplit->addWidget(backward_);
  vsplit->addWidget(hsplit);
  vsplit->addWidget(hist_);
  vsplit->setStretchFactor(0, 5);
  vsplit->setStretchFactor(1, 6);
  hsplit->setChildrenCollapsible(false);
  vsplit->setChildrenCollapsible(false);
  figLayout->addWidget(vsplit);
  layout->addWidget(figures_, 1);

  resizeTimer_ = new QTimer(this);
  resizeTimer_->setSingleShot(true);
  resizeTimer_->setInterval(80);
  connect(resizeTimer_, &QTimer::timeout, this, &PlotArea::redraw);
  for (QCustomPlot* p : {forward_, backward_, hist_}) {
    detail::resetPlot(*p, QString(), style_);
    detail::showMessage(*p, tr("Computing…"), style_);
    p->installEventFilter(this);
  }

  connect(pin_, &QToolButton::clicked, this, &PlotArea::pin);
  connect(unpin_, &QToolButton::clicked, this, &PlotArea::unpin);
  connect(reset_, &QToolButton::clicked, this, &PlotArea::redraw);
  connect(histKind_, &QComboBox::currentIndexChanged, this, &PlotArea::redraw);
  connect(logCounts_, &QCheckBox::toggled, this, &PlotArea::redraw);
  connect(shared_, &QCheckBox::toggled, this, &PlotArea::redraw);
  connect(logGrad_, &QCheckBox::toggled, this, &PlotArea::redraw);
}

bool PlotArea::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Resize && result_) resizeTimer_->start();
  return QWidget::eventFilter(watched, event);
}

Figure PlotArea::histogramFigure() const {
  const QString k = histKind_->currentData().toString();
  if (k == QLatin1String("gradients")) return Figure::HistGradients;
  if (k == QLatin1String("weight-grads")) return Figure::HistWeightGrads;
  return Figure::HistActivations;
}

void PlotArea::showResult(const RunResult& r) {
  result_ = r;
  redraw();
}

void PlotArea::redraw() {
  if (!result_) return;
  drawTimer_.start();
  const RunResult* ghost = pinned();
  FigureStyle fs = style_;
  fs.logY = false;
  drawFigure(*forward_, Figure::Forward, *result_, ghost, fs);
  fs.logY = logGrad_->isChecked();
  drawFigure(*backward_, Figure::Backward, *result_, ghost, fs);
  fs.logY = false;
  fs.logCounts = logCounts_->isChecked();
  fs.sharedRange = shared_->isChecked();
  drawFigure(*hist_, histogramFigure(), *result_, ghost, fs);
  pendingReplots_ = 3;
  // Replot now (the result is complete: nothing to coalesce); the widgets repaint on the next update.
  for (QCustomPlot* p : {forward_, backward_, hist_}) p->replot(QCustomPlot::rpRefreshHint);
}

void PlotArea::setDragging(bool on) {
  if (on == dragging_) return;
  dragging_ = on;
  for (QCustomPlot* p : {forward_, backward_, hist_}) p->setNotAntialiasedElements(on ? QCP::aeAll : QCP::aeNone);
  if (!on) redraw();
}

void PlotArea::onAfterReplot() {
  if (pendingReplots_ <= 0) return;
  if (--pendingReplots_ == 0) {
    lastReplotMs_ = drawTimer_.nsecsElapsed() / 1e6;
    emit replotted(lastReplotMs_);
  }
}

void PlotArea::pin() {
  if (!result_) return;
  pinned_ = result_;
  unpin_->setEnabled(true);
  const InitSpec& s = pinned_->config.init;
  pinLabel_->setText(tr("pinned: %1, a = %2").arg(QString::fromLatin1(toString(s.scheme).data())).arg(s.a, 0, 'g', 4));
  redraw();
  emit pinChanged(true);
}

void PlotArea::unpin() {
  pinned_.reset();
  unpin_->setEnabled(false);
  pinLabel_->clear();
  redraw();
  emit pinChanged(false);
}

void PlotArea::setPresentation(bool on) {
  style_.presentation = on;
  redraw();
}

void PlotArea::applyUiState(const UiState& ui) {
  const QSignalBlocker b1(histKind_), b2(logCounts_), b3(shared_), b4(logGrad_);
  histKind_->setCurrentIndex(std::max(0, histKind_->findData(ui.histogram)));
  logCounts_->setChecked(ui.logCounts);
  shared_->setChecked(ui.sharedRange);
  logGrad_->setChecked(ui.logGradients);
  style_.presentation = ui.presentation;
  redraw();
}

void PlotArea::storeUiState(UiState* ui) const {
  ui->histogram = histKind_->currentData().toString();
  ui->logCounts = logCounts_->isChecked();
  ui->sharedRange = shared_->isChecked();
  ui->logGradients = logGrad_->isChecked();
  ui->presentation = style_.presentation;
}

}  // namespace initscope::ui
