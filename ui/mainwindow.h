#pragma once
// The window: panels in docks around the plot area, one ExperimentConfig as the single source
// of truth, every edit through the undo stack, every run on the engine thread.
#include "core/experiment.h"
#include "engineworker.h"
#include "session.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QStringList>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QTimer;
class QToolButton;
class QUndoStack;

namespace initscope::ui {

class DataPanel;
class ExplainPanel;
class InitPanel;
class LayerEditor;
class PlotArea;
class SweepPanel;

struct MainWindowOptions {
  QString sessionPath;      // open this instead of the last session
  bool fresh = false;       // ignore the saved layout and last session
  bool presentation = false;
  QString screenshotPath;   // saved once the first plot (and sweep) is drawn
  bool quitAfterFirstPlot = false;
  std::optional<double> a;  // start with this a
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  using Options = MainWindowOptions;
  explicit MainWindow(const Options& options = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  const ExperimentConfig& config() const { return config_; }
  // Applies an edit through the undo stack (what a control does).
  void edit(const ExperimentConfig& next, const QString& what, int id = -1, quint64 gesture = 0);
  Session session() const;
  bool openSession(const QString& path, QString* error = nullptr);
  bool saveSessionAs(const QString& path, QString* error = nullptr);
  void setPresentation(bool on);
  bool presentation() const;

  QUndoStack* undoStack() const { return undo_; }
  InitPanel* initPanel() const { return initPanel_; }
  DataPanel* dataPanel() const { return dataPanel_; }
  LayerEditor* layerEditor() const { return layerEditor_; }
  ExplainPanel* explainPanel() const { return explainPanel_; }
  SweepPanel* sweepPanel() const { return sweepPanel_; }
  PlotArea* plotArea() const { return plotArea_; }
  EngineWorker* engine() const { return engine_->worker(); }
  // Serial of the last result drawn (0 before the first), and the newest submitted.
  quint64 drawnSerial() const { return drawnSerial_; }
  quint64 submittedSerial() const { return submittedSerial_; }
  // The time from the last control change to the finished replot of its result (ms).
  double lastLatencyMs() const { return lastLatencyMs_; }
  QString runError() const;
  // True when the sweep shows (or has given up on) the current config, and no sweep is waiting.
  bool sweepSettled() const;

 signals:
  // A result has been drawn and replotted (serial of the run).
  void resultShown(quint64 serial);
  void sweepShown(quint64 serial);

 protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  // mainwindow.cpp
  void buildDocks();
  void buildStatusBar();
  void fitPanels();
  void applyConfig(const ExperimentConfig& c);
  void submit();
  Shape inputShapeFor(const ExperimentConfig& c, bool* known) const;
  void onFinished(const RunResult& r, quint64 serial);
  void onFailed(const QString& message, int layer, const QString& kind, quint64 serial);
  void onReplotted(double ms);
  void scheduleSweep();
  // The explain panel's text (a QTextBrowser layout, about 4 ms here) is written after the plots,
  // not in front of them: a change marks it due, and it is written once the run's result is
  // replotted or the run fails, or by explainTimer_ when no result comes soon.
  void scheduleExplain();
  void explainIfDue();
  void runSweep();
  void updateExplain();
  void setBusy(bool busy);
  void showRunError(const QString& text);
  // mainwindow_actions.cpp
  void createActions();
  void updatePresetsMenu();
  void about();
  void copyPlot();
  // mainwindow_files.cpp
  void newSession();
  void openDialog();
  bool save();
  bool saveAsDialog();
  void exportFigureDialog();
  void exportResult(bool csv);
  void addRecent(const QString& path);
  void updateRecentMenu();
  void readSettings();
  void writeSettings();
  void restoreLastSession();
  void applySession(const Session& s, const QString& path);
  void setCurrentPath(const QString& path);
  void takeScreenshotIfDue();

  Options options_;
  ExperimentConfig config_;
  QUndoStack* undo_;
  std::unique_ptr<EngineThread> engine_, sweepEngine_;
  InitPanel* initPanel_;
  DataPanel* dataPanel_;
  LayerEditor* layerEditor_;
  ExplainPanel* explainPanel_;
  SweepPanel* sweepPanel_;
  PlotArea* plotArea_;
  QLabel* runError_;
  QList<QDockWidget*> docks_;

  QLabel *computeLabel_, *replotLabel_, *latencyLabel_, *threadsLabel_;
  QProgressBar* busyBar_;
  QToolButton* cancelButton_;
  QTimer* busyTimer_;
  QTimer* sweepTimer_;
  QTimer* explainTimer_;
  bool explainDue_ = false;

  QMenu *recentMenu_ = nullptr, *presetsMenu_ = nullptr;
  QAction *presentationAction_ = nullptr, *cancelAction_ = nullptr;
  QString currentPath_;
  QStringList recent_;
  QFont baseFont_;
  QByteArray normalDockState_;  // the dock layout to return to after presentation mode

  quint64 submittedSerial_ = 0, drawnSerial_ = 0, pendingDrawSerial_ = 0, sweepSerial_ = 0, sweepShownSerial_ = 0;
  QElapsedTimer clock_;              // monotonic, started once
  qint64 submittedChangeNs_ = 0;     // when the control change of the newest submission happened
  qint64 pendingChangeNs_ = -1;      // the same for the result being replotted
  double lastLatencyMs_ = 0;
  std::optional<ExperimentConfig> lastSweepConfig_;
  bool firstPlotDone_ = false, firstSweepDone_ = false, screenshotTaken_ = false;
};

}  // namespace initscope::ui
