// Sessions, recent files, settings, export of results and figures, drag and drop, screenshots.
#include "core/io.h"
#include "defaults.h"
#include "exportdialog.h"
#include "initpanel.h"
#include "layereditor.h"
#include "mainwindow.h"
#include "plotarea.h"
#include "sweeppanel.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

namespace initscope::ui {
namespace {

constexpr int kMaxRecent = 8;
const QString kFilter = QObject::tr("initscope sessions (*.json);;All files (*)");

QString documentsDir() {
  const QString d = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  return d.isEmpty() ? QDir::homePath() : d;
}

}  // namespace

Session MainWindow::session() const {
  Session s;
  s.config = config_;
  plotArea_->storeUiState(&s.ui);
  s.ui.selectedLayer = layerEditor_->selectedLayer();
  s.ui.sweepEnabled = sweepPanel_->sweepEnabled();
  s.ui.sweepMax = sweepPanel_->maxA();
  s.ui.sweepPoints = sweepPanel_->points();
  return s;
}

void MainWindow::applySession(const Session& s, const QString& path) {
  sweepPanel_->setSettings(s.ui.sweepEnabled, s.ui.sweepMax, s.ui.sweepPoints);
  lastSweepConfig_.reset();
  plotArea_->applyUiState(s.ui);
  if (s.ui.presentation != presentation()) setPresentation(s.ui.presentation);
  if (s.config == config_)
    applyConfig(s.config);  // the ui state may have changed: redraw
  else
    edit(s.config, tr("open %1").arg(path.isEmpty() ? tr("session") : QFileInfo(path).fileName()));
  layerEditor_->selectLayer(s.ui.selectedLayer >= 0 ? s.ui.selectedLayer : 0);
  setCurrentPath(path);
}

bool MainWindow::openSession(const QString& path, QString* error) {
  Session s;
  QString err;
  if (!loadSession(path, &s, &err)) {
    if (error) *error = err;
    return false;
  }
  applySession(s, path);
  undo_->setClean();
  addRecent(path);
  statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)), 4000);
  return true;
}

bool MainWindow::saveSessionAs(const QString& path, QString* error) {
  QString err;
  if (!saveSession(path, session(), &err)) {
    if (error) *error = err;
    return false;
  }
  setCurrentPath(path);
  undo_->setClean();
  addRecent(path);
  statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 4000);
  return true;
}

void MainWindow::newSession() {
  Session s;
  s.config = defaultConfig();
  s.ui.presentation = presentation();
  applySession(s, QString());
}

void MainWindow::openDialog() {
  const QString dir = currentPath_.isEmpty() ? documentsDir() : QFileInfo(currentPath_).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), dir, kFilter);
  if (path.isEmpty()) return;
  QString error;
  if (!openSession(path, &error)) QMessageBox::warning(this, tr("Cannot open the session"), error);
}

bool MainWindow::save() { return currentPath_.isEmpty() ? saveAsDialog() : saveSessionAs(currentPath_); }

bool MainWindow::saveAsDialog() {
  const QString suggestion = currentPath_.isEmpty()
                                 ? QDir(documentsDir()).filePath(QString::fromStdString(config_.name.empty() ? "session" : config_.name) + ".json")
                                 : currentPath_;
  QString path = QFileDialog::getSaveFileName(this, tr("Save session"), suggestion, kFilter);
  if (path.isEmpty()) return false;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
  QString error;
  if (!saveSessionAs(path, &error)) {
    QMessageBox::warning(this, tr("Cannot save the session"), error);
    return false;
  }
  return true;
}

void MainWindow::setCurrentPath(const QString& path) {
  currentPath_ = path;
  setWindowFilePath(path.isEmpty() ? tr("untitled") : path);
  setWindowTitle(QStringLiteral("%1[*] — initscope").arg(path.isEmpty() ? tr("untitled") : QFileInfo(path).fileName()));
}

void MainWindow::exportFigureDialog() {
  std::vector<ExportDialog::Target> targets{
      {tr("Forward figure"), plotArea_->forwardPlot(), nullptr},
      {tr("Backward figure"), plotArea_->backwardPlot(), nullptr},
      {tr("Histograms"), plotArea_->histogramPlot(), nullptr},
      {tr("Sweep over a"), sweepPanel_->plot(), nullptr},
      {tr("Plot area (all three figures, as shown)"), nullptr, plotArea_->figuresWidget()},
      {tr("Whole window (as shown)"), nullptr, this},
  };
  const QString dir = currentPath_.isEmpty() ? documentsDir() : QFileInfo(currentPath_).absolutePath();
  ExportDialog dialog(targets, dir, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!dialog.exportNow(&error))
    QMessageBox::warning(this, tr("Export failed"), error);
  else
    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(dialog.path())), 4000);
}

void MainWindow::exportResult(bool csv) {
  const RunResult* r = plotArea_->result();
  if (!r) {
    QMessageBox::information(this, tr("Nothing to export"), tr("No run has finished yet."));
    return;
  }
  const QString dir = currentPath_.isEmpty() ? documentsDir() : QFileInfo(currentPath_).absolutePath();
  const QString ext = csv ? QStringLiteral("csv") : QStringLiteral("json");
  const QString path = QFileDialog::getSaveFileName(this, csv ? tr("Export result as CSV") : tr("Export result as JSON"),
                                                    QDir(dir).filePath(QStringLiteral("result.") + ext),
                                                    csv ? tr("CSV (*.csv)") : tr("JSON (*.json)"));
  if (path.isEmpty()) return;
  const std::string text = csv ? toCsv(*r) : toJson(*r).dump(2) + "\n";
  QSaveFile f(path);
  const QByteArray bytes = QByteArray::fromStdString(text);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
    QMessageBox::warning(this, tr("Export failed"), tr("%1: %2").arg(path, f.errorString()));
  else
    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 4000);
}

void MainWindow::addRecent(const QString& path) {
  const QString abs = QFileInfo(path).absoluteFilePath();
  recent_.removeAll(abs);
  recent_.prepend(abs);
  while (recent_.size() > kMaxRecent) recent_.removeLast();
  updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
  if (!recentMenu_) return;
  recentMenu_->clear();
  for (const QString& p : recent_)
    recentMenu_->addAction(QFileInfo(p).fileName(), this, [this, p] {
      QString error;
      if (!openSession(p, &error)) {
        recent_.removeAll(p);
        updateRecentMenu();
        QMessageBox::warning(this, tr("Cannot open the session"), error);
      }
    })->setStatusTip(p);
  recentMenu_->setEnabled(!recent_.isEmpty());
  if (!recent_.isEmpty()) {
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear list"), this, [this] {
      recent_.clear();
      updateRecentMenu();
    });
  }
}

void MainWindow::readSettings() {
  QSettings settings;
  recent_ = settings.value(QStringLiteral("recentFiles")).toStringList();
  updateRecentMenu();
  if (options_.fresh) {
    resize(1600, 1000);
    return;
  }
  if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray())) resize(1600, 1000);
  restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
}

void MainWindow::restoreLastSession() {
  QSettings settings;
  const QByteArray last = settings.value(QStringLiteral("lastSession")).toByteArray();
  if (last.isEmpty()) return;
  try {
    const Session s = sessionFromJson(last, tr("the last session"));
    applySession(s, settings.value(QStringLiteral("lastSessionPath")).toString());
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("The last session could not be restored: %1").arg(QString::fromStdString(e.what())), 10000);
  }
}

void MainWindow::writeSettings() {
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  settings.setValue(QStringLiteral("recentFiles"), recent_);
  settings.setValue(QStringLiteral("lastSession"), sessionToJson(session()));
  settings.setValue(QStringLiteral("lastSessionPath"), currentPath_);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (options_.screenshotPath.isEmpty()) writeSettings();  // automated runs leave the user's settings alone
  engine_->worker()->cancel();
  sweepEngine_->worker()->cancel();
  e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (urls.size() == 1 && urls.front().isLocalFile()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const QList<QUrl> urls = e->mimeData()->urls();
  if (urls.isEmpty()) return;
  QString error;
  if (!openSession(urls.front().toLocalFile(), &error)) QMessageBox::warning(this, tr("Cannot open the session"), error);
  e->acceptProposedAction();
}

void MainWindow::takeScreenshotIfDue() {
  if (screenshotTaken_ || !firstPlotDone_) return;
  if (options_.screenshotPath.isEmpty() && !options_.quitAfterFirstPlot) return;
  if (!options_.screenshotPath.isEmpty() && sweepPanel_->sweepEnabled() && !firstSweepDone_) return;
  screenshotTaken_ = true;
  // Let the queued replots and the layout settle before grabbing.
  QTimer::singleShot(400, this, [this] {
    int code = 0;
    if (!options_.screenshotPath.isEmpty()) {
      const QString error = [&] {
        QString err;
        return exportWidget(*this, options_.screenshotPath, 1.0, &err) ? QString() : err;
      }();
      if (!error.isEmpty()) {
        qWarning("initscope: %s", qPrintable(error));
        code = 1;
      } else {
        qInfo("initscope: screenshot saved to %s (change -> plot %.1f ms)", qPrintable(options_.screenshotPath),
              lastLatencyMs_);
      }
    }
    if (options_.quitAfterFirstPlot) QApplication::exit(code);
  });
}

}  // namespace initscope::ui
