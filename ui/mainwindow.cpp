#include "mainwindow.h"

#include "configcommand.h"
#include "datapanel.h"
#include "defaults.h"
#include "explainpanel.h"
#include "initpanel.h"
#include "layereditor.h"
#include "layermodel.h"
#include "plotarea.h"
#include "sweeppanel.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace {
const std::vector<initscope::ui::UiPreset>& presetList() {
  static const std::vector<initscope::ui::UiPreset> p = initscope::ui::uiPresets();
  return p;
}
}  // namespace

// The icon and other compiled-in resources of this static library.
static void initUiResources() { Q_INIT_RESOURCE(initscope); }

namespace initscope::ui {

MainWindow::MainWindow(const Options& options, QWidget* parent)
    : QMainWindow(parent), options_(options), undo_(new QUndoStack(this)),
      engine_(std::make_unique<EngineThread>()), sweepEngine_(std::make_unique<EngineThread>()) {
  initUiResources();
  setObjectName(QStringLiteral("MainWindow"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/initscope.svg")));
  setAcceptDrops(true);
  setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
  baseFont_ = QApplication::font();
  clock_.start();
  undo_->setUndoLimit(500);  // bounded memory however long a lesson runs

  auto* centre = new QWidget;
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->setContentsMargins(0, 0, 0, 0);
  centreLayout->setSpacing(0);
  runError_ = new QLabel;
  runError_->setObjectName(QStringLiteral("runError"));
  runError_->setWordWrap(true);
  runError_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  runError_->setStyleSheet(QStringLiteral("QLabel { color: #a01010; background: #ffe6e6; padding: 6px;"
                                          " border-bottom: 1px solid #e0a0a0; }"));
  runError_->hide();
  plotArea_ = new PlotArea;
  centreLayout->addWidget(runError_);
  centreLayout->addWidget(plotArea_, 1);
  setCentralWidget(centre);

  buildDocks();
  buildStatusBar();
  createActions();

  connect(engine_->worker(), &EngineWorker::finished, this, &MainWindow::onFinished);
  connect(engine_->worker(), &EngineWorker::failed, this, &MainWindow::onFailed);
  connect(engine_->worker(), &EngineWorker::cancelled, this, [this](quint64 serial) {
    if (serial != submittedSerial_) return;
    setBusy(false);
    statusBar()->showMessage(tr("Cancelled: the plots show the last finished run."), 5000);
  });
  connect(sweepEngine_->worker(), &EngineWorker::sweepFinished, this,
          [this](const std::vector<double>& a, const std::vector<RunResult>& results, quint64 serial) {
            if (serial != sweepSerial_) return;
            sweepPanel_->setCurrentA(config_.init.scheme == Scheme::PyTorchDefault ? std::sqrt(5.0) : config_.init.a);
            sweepPanel_->setResults(a, results);
            double ms = 0;
            for (const RunResult& r : results) ms += r.timings.totalMs;
            sweepPanel_->setStatus(tr("%1 runs in %2 ms").arg(results.size()).arg(ms, 0, 'f', 0));
            firstSweepDone_ = true;
            sweepShownSerial_ = serial;
            emit sweepShown(serial);
            takeScreenshotIfDue();
          });
  connect(sweepEngine_->worker(), &EngineWorker::failed, this,
          [this](const QString& message, int, const QString&, quint64 serial) {
            if (serial != sweepSerial_) return;
            sweepPanel_->clear(tr("No sweep: %1").arg(message));
            sweepPanel_->setStatus(QString());
            firstSweepDone_ = true;
            sweepShownSerial_ = serial;
            takeScreenshotIfDue();
          });
  connect(plotArea_, &PlotArea::replotted, this, &MainWindow::onReplotted);
  connect(sweepPanel_, &SweepPanel::settingsChanged, this, [this] {
    lastSweepConfig_.reset();
    scheduleSweep();
  });
  connect(undo_, &QUndoStack::cleanChanged, this, [this](bool clean) { setWindowModified(!clean); });

  auto onEdit = [this](const ExperimentConfig& next, const QString& what, int id, quint64 gesture) {
    edit(next, what, id, gesture);
  };
  connect(initPanel_, &InitPanel::edited, this, onEdit);
  connect(initPanel_->aSlider(), &QSlider::sliderPressed, plotArea_, [this] { plotArea_->setDragging(true); });
  connect(initPanel_->aSlider(), &QSlider::sliderReleased, plotArea_, [this] { plotArea_->setDragging(false); });
  connect(dataPanel_, &DataPanel::edited, this, onEdit);
  connect(layerEditor_, &LayerEditor::edited, this, [this](const std::vector<LayerSpec>& layers, const QString& what) {
    ExperimentConfig next = config_;
    next.layers = layers;
    edit(next, what);
  });
  connect(layerEditor_, &LayerEditor::layerSelected, this, [this] { updateExplain(); });
  QComboBox* presets = layerEditor_->presetBox();
  presets->addItem(tr("(custom)"));
  for (const UiPreset& p : presetList()) {
    presets->addItem(p.name);
    presets->setItemData(presets->count() - 1, p.description, Qt::ToolTipRole);
  }
  connect(presets, &QComboBox::activated, this, [this](int index) {
    const std::vector<UiPreset>& all = presetList();
    if (index < 1 || index > static_cast<int>(all.size())) return;
    edit(all[static_cast<std::size_t>(index - 1)].config, tr("preset %1").arg(all[static_cast<std::size_t>(index - 1)].name));
    layerEditor_->selectLayer(0);
  });

  readSettings();
  applyConfig(defaultConfig());
  QString error;
  if (!options_.sessionPath.isEmpty()) {
    if (!openSession(options_.sessionPath, &error)) statusBar()->showMessage(error, 15000);
  } else if (!options_.fresh) {
    restoreLastSession();
  }
  if (options_.a) {
    ExperimentConfig c = config_;
    if (c.init.scheme == Scheme::PyTorchDefault) c.init.scheme = Scheme::KaimingUniform;
    c.init.a = std::clamp(*options_.a, 0.0, InitPanel::kMaxA);
    applyConfig(c);
  }
  if (options_.presentation) setPresentation(true);
  undo_->clear();
  undo_->setClean();
  if (windowTitle().isEmpty()) setCurrentPath(QString());
  if (layerEditor_->selectedLayer() < 0) layerEditor_->selectLayer(0);
}

MainWindow::~MainWindow() {
  // Stop the engines before the widgets their results would go to.
  engine_.reset();
  sweepEngine_.reset();
}

void MainWindow::buildDocks() {
  auto dock = [this](QWidget* w, const QString& title, const char* name, Qt::DockWidgetArea area, bool scroll) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(QString::fromLatin1(name));
    if (scroll) {
      auto* s = new QScrollArea;
      s->setWidget(w);
      s->setWidgetResizable(true);
      s->setFrameShape(QFrame::NoFrame);
      s->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
      d->setWidget(s);
    } else {
      d->setWidget(w);
    }
    addDockWidget(area, d);
    docks_ << d;
    return d;
  };
  initPanel_ = new InitPanel;
  dataPanel_ = new DataPanel;
  layerEditor_ = new LayerEditor;
  explainPanel_ = new ExplainPanel;
  sweepPanel_ = new SweepPanel;
  dock(initPanel_, tr("Initialisation"), "initDock", Qt::LeftDockWidgetArea, true);
  dock(dataPanel_, tr("Data and loss"), "dataDock", Qt::LeftDockWidgetArea, true);
  fitPanels();
  dock(layerEditor_, tr("Layers"), "layersDock", Qt::RightDockWidgetArea, false);
  dock(explainPanel_, tr("Explain the selected layer"), "explainDock", Qt::RightDockWidgetArea, false);
  dock(sweepPanel_, tr("Sweep"), "sweepDock", Qt::LeftDockWidgetArea, false);
  resizeDocks({docks_[0], docks_[2]}, {320, 520}, Qt::Horizontal);
  resizeDocks({docks_[2], docks_[3]}, {370, 480}, Qt::Vertical);
  resizeDocks({docks_[0], docks_[1], docks_[4]}, {300, 220, 420}, Qt::Vertical);
}

void MainWindow::fitPanels() {
  // The scrolling side panels never clip their controls: each is at least as wide as it wants to be.
  for (QWidget* panel : {static_cast<QWidget*>(initPanel_), static_cast<QWidget*>(dataPanel_)}) {
    panel->adjustSize();
    if (auto* scroll = qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget()))
      scroll->setMinimumWidth(panel->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
  }
}

void MainWindow::buildStatusBar() {
  auto label = [this](const char* name, const QString& tip) {
    auto* l = new QLabel;
    l->setObjectName(QString::fromLatin1(name));
    l->setToolTip(tip);
    l->setContentsMargins(6, 0, 6, 0);
    statusBar()->addPermanentWidget(l);
    return l;
  };
  computeLabel_ = label("computeLabel", tr("Engine time of the last run: data, init, forward, backward, statistics"));
  replotLabel_ = label("replotLabel", tr("Time to draw and replot the three figures"));
  latencyLabel_ = label("latencyLabel", tr("From the last control change to its finished replot"));
  threadsLabel_ = label("threadsLabel", tr("Engine threads"));
  busyBar_ = new QProgressBar;
  busyBar_->setObjectName(QStringLiteral("busy"));
  busyBar_->setRange(0, 0);
  busyBar_->setMaximumWidth(110);
  busyBar_->setMaximumHeight(14);
  busyBar_->setTextVisible(false);
  busyBar_->hide();
  statusBar()->addPermanentWidget(busyBar_);
  cancelButton_ = new QToolButton;
  cancelButton_->setObjectName(QStringLiteral("cancelRun"));
  cancelButton_->setText(tr("Cancel"));
  cancelButton_->setToolTip(tr("Stop the running computation (Esc)"));
  cancelButton_->hide();
  statusBar()->addPermanentWidget(cancelButton_);
  connect(cancelButton_, &QToolButton::clicked, this, [this] { engine_->worker()->cancel(); });
  busyTimer_ = new QTimer(this);
  busyTimer_->setSingleShot(true);
  busyTimer_->setInterval(200);  // short runs never flash the indicator
  connect(busyTimer_, &QTimer::timeout, this, [this] {
    busyBar_->show();
    cancelButton_->show();
  });
  sweepTimer_ = new QTimer(this);
  sweepTimer_->setSingleShot(true);
  sweepTimer_->setInterval(120);
  connect(sweepTimer_, &QTimer::timeout, this, &MainWindow::runSweep);
  explainTimer_ = new QTimer(this);
  explainTimer_->setSingleShot(true);
  explainTimer_->setInterval(50);  // a run that takes longer: explain the init without its result
  connect(explainTimer_, &QTimer::timeout, this, &MainWindow::explainIfDue);
}

void MainWindow::edit(const ExperimentConfig& next, const QString& what, int id, quint64 gesture) {
  if (next == config_) return;
  undo_->push(new ConfigCommand(config_, next, what, id, gesture, [this](const ExperimentConfig& c) { applyConfig(c); }));
}

void MainWindow::applyConfig(const ExperimentConfig& c) {
  submittedChangeNs_ = clock_.nsecsElapsed();
  config_ = c;
  initPanel_->setConfig(c);
  dataPanel_->setConfig(c);
  layerEditor_->setStack(c.layers, c.init);
  {
    // The presets box names the preset this config is, or "(custom)".
    int match = 0;
    const std::vector<UiPreset>& all = presetList();
    for (std::size_t i = 0; i < all.size() && !match; ++i)
      if (all[i].config == c) match = static_cast<int>(i) + 1;
    const QSignalBlocker block(layerEditor_->presetBox());
    layerEditor_->presetBox()->setCurrentIndex(match);
  }
  sweepPanel_->setCurrentA(c.init.scheme == Scheme::PyTorchDefault ? std::sqrt(5.0) : c.init.a);
  submit();
  scheduleExplain();
  scheduleSweep();
}

Shape MainWindow::inputShapeFor(const ExperimentConfig& c, bool* known) const {
  *known = true;
  if (c.data.source == DataSource::Synthetic) {
    std::vector<int> dims{c.data.batch};
    dims.insert(dims.end(), c.data.syntheticShape.begin(), c.data.syntheticShape.end());
    try {
      return Shape::fromVector(dims);
    } catch (const std::exception&) {
      *known = false;
      return {};
    }
  }
  if (c.data.source == DataSource::Idx) {
    const RunResult* r = plotArea_->result();
    if (r && r->config.data.imagesPath == c.data.imagesPath && r->inputShape.rank == 4)
      return Shape{c.data.batch, 1, r->inputShape[2], r->inputShape[3]};
    *known = false;
    return {};
  }
  return Shape{c.data.batch, 1, 28, 28};
}

void MainWindow::submit() {
  bool known = false;
  const Shape input = inputShapeFor(config_, &known);
  if (known && !layerEditor_->checkShapes(input)) {
    // An impossible stack: the editor marks it; the last good plots stay.
    engine_->worker()->cancel();
    setBusy(false);
    statusBar()->showMessage(tr("The stack cannot run: see the marked layer."), 4000);
    return;
  }
  submittedSerial_ = engine_->worker()->submit(config_);
  setBusy(true);
}

void MainWindow::onFinished(const RunResult& r, quint64 serial) {
  if (serial != submittedSerial_) return;  // an older run: a newer one is on its way
  setBusy(false);
  showRunError(QString());
  layerEditor_->clearRunError();
  statusBar()->clearMessage();
  if (r.config.data.source == DataSource::Idx) {
    bool known = false;
    const Shape input = inputShapeFor(config_, &known);
    if (known) layerEditor_->checkShapes(input);
  }
  pendingDrawSerial_ = serial;
  pendingChangeNs_ = submittedChangeNs_;
  plotArea_->showResult(r);
  computeLabel_->setText(tr("compute %1 ms").arg(r.timings.totalMs, 0, 'f', 1));
  threadsLabel_->setText(r.threads == 1 ? tr("1 thread") : tr("%1 threads").arg(r.threads));
  explainDue_ = true;  // with the measured statistics, once replotted
}

void MainWindow::onReplotted(double ms) {
  replotLabel_->setText(tr("replot %1 ms").arg(ms, 0, 'f', 1));
  if (pendingDrawSerial_ == 0) return;
  if (pendingChangeNs_ >= 0) {
    lastLatencyMs_ = (clock_.nsecsElapsed() - pendingChangeNs_) / 1e6;
    latencyLabel_->setText(tr("change → plot %1 ms").arg(lastLatencyMs_, 0, 'f', 1));
    pendingChangeNs_ = -1;
  }
  drawnSerial_ = pendingDrawSerial_;
  pendingDrawSerial_ = 0;
  firstPlotDone_ = true;
  // Queued behind the plot's repaint, which the replot has just asked for.
  if (explainDue_) QTimer::singleShot(0, this, &MainWindow::explainIfDue);
  emit resultShown(drawnSerial_);
  takeScreenshotIfDue();
}

void MainWindow::onFailed(const QString& message, int layer, const QString& kind, quint64 serial) {
  if (serial != submittedSerial_) return;
  setBusy(false);
  if (kind == QLatin1String("spec")) {
    layerEditor_->showRunError(layer, message);
    showRunError(tr("The stack cannot run: %1").arg(message));
  } else if (kind == QLatin1String("limit")) {
    showRunError(tr("Refused: %1").arg(message));
  } else {
    showRunError(message);
  }
  statusBar()->showMessage(tr("Run failed: the plots show the last run that worked."), 5000);
  firstPlotDone_ = true;
  explainIfDue();
  takeScreenshotIfDue();
}

bool MainWindow::sweepSettled() const {
  return !sweepTimer_->isActive() && (sweepSerial_ == 0 || sweepShownSerial_ == sweepSerial_);
}

QString MainWindow::runError() const { return runError_->isVisible() ? runError_->text() : QString(); }

void MainWindow::showRunError(const QString& text) {
  runError_->setText(text);
  runError_->setVisible(!text.isEmpty());
}

void MainWindow::setBusy(bool busy) {
  if (busy) {
    if (!busyTimer_->isActive() && !busyBar_->isVisible()) busyTimer_->start();
  } else {
    busyTimer_->stop();
    busyBar_->hide();
    cancelButton_->hide();
  }
  if (cancelAction_) cancelAction_->setEnabled(busy);
}

void MainWindow::scheduleSweep() { sweepTimer_->start(); }

void MainWindow::runSweep() {
  if (!sweepPanel_->sweepEnabled()) {
    sweepEngine_->worker()->cancel();
    sweepPanel_->clear(tr("The sweep is off."));
    lastSweepConfig_.reset();
    firstSweepDone_ = true;
    sweepShownSerial_ = sweepSerial_;
    return;
  }
  ExperimentConfig c = config_;
  c.init.a = 0;   // the sweep does not depend on the current a (sweepA sets it)
  c.threads = 1;  // leave the other core to the live run and the window
  if (lastSweepConfig_ && *lastSweepConfig_ == c) return;
  bool known = false;
  const Shape input = inputShapeFor(c, &known);
  if (known) {
    try {
      inferShapes(c.layers, input);
    } catch (const std::exception&) {
      return;  // the stack cannot run: keep the last sweep
    }
  }
  lastSweepConfig_ = c;
  sweepPanel_->setStatus(tr("running %1 values of a…").arg(sweepPanel_->points()));
  sweepPanel_->markStale();
  sweepSerial_ = sweepEngine_->worker()->submitSweep(c, sweepPanel_->aValues());
}

void MainWindow::scheduleExplain() {
  explainDue_ = true;
  explainTimer_->start();
}

void MainWindow::explainIfDue() {
  if (explainDue_) updateExplain();
}

void MainWindow::updateExplain() {
  explainDue_ = false;
  explainTimer_->stop();
  explainPanel_->explain(config_, layerEditor_->selectedLayer(), plotArea_->result());
}

}  // namespace initscope::ui
