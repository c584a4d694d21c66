// Drives the real window through the states the README shows and saves a PNG of each:
//   default.png       the lesson's 4-conv model, kaiming_uniform(a = sqrt 5)
//   a0.png            after dragging a to 0
//   broken-stack.png  layer 5 given the wrong in_channels: marked, the last good plots kept
//   presentation.png  presentation mode (large fonts, thick lines)
//   deep-mlp.png      a preset with a deep ReLU MLP, gradient histograms with log counts
// and then prints, on the lesson's model for engine threads auto, 1 and 2, the slider's change ->
// plot latency (median of 40 steps, each waited for) and a continuous drag's engine times.
// Usage (a real X server, as users see it):
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/gui/tests/ui/ui_screenshots /tmp/shots
// then, for the repository (256 colours keep each file under 100 KB, colours exact):
//   for f in /tmp/shots/*.png; do convert "$f" PNG8:docs/screenshots/$(basename "$f"); done
#include "core/parallel.h"
#include "ui/defaults.h"
#include "ui/initpanel.h"
#include "ui/layereditor.h"
#include "ui/layermodel.h"
#include "ui/mainwindow.h"
#include "ui/plotarea.h"
#include "ui/sweeppanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEventLoop>
#include <QTimer>
#include <QElapsedTimer>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace initscope;
using namespace initscope::ui;

namespace {

// Waiting in a real event loop, as the app runs: QTest::qWait and qWaitFor sleep up to 10 ms
// between event batches, which would add their own latency to a change -> plot measurement.
void spin(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

// Until the latest submitted run is drawn, or timeoutMs.
bool waitDrawn(MainWindow& w, int timeoutMs) {
  const auto done = [&] { return w.drawnSerial() == w.submittedSerial(); };
  if (done()) return true;
  QEventLoop loop;
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  const auto shown = QObject::connect(&w, &MainWindow::resultShown, &loop, [&] {
    if (done()) loop.quit();
  });
  loop.exec();
  QObject::disconnect(shown);
  return done();
}

bool settle(MainWindow& w) {
  spin(200);  // past the sweep's debounce
  QElapsedTimer t;
  t.start();
  while (!(w.drawnSerial() == w.submittedSerial() && w.sweepSettled())) {
    if (t.elapsed() > 120000) return false;
    spin(10);
  }
  spin(300);  // the queued replots and repaints
  return true;
}

bool save(MainWindow& w, const QDir& dir, const char* name) {
  const QString path = dir.filePath(QString::fromLatin1(name));
  const QImage image = w.grab().toImage().convertToFormat(QImage::Format_RGB888);
  if (!image.save(path, "PNG", 0)) {
    std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
    return false;
  }
  const Timings& t = w.plotArea()->result()->timings;
  std::printf("%s: %dx%d, %lld bytes; last change -> plot %.1f ms (run %.1f ms: data %.1f, init %.1f, forward %.1f, "
              "backward %.1f, stats %.1f; draw + replot %.1f ms)\n",
              qPrintable(path), image.width(), image.height(), static_cast<long long>(QFileInfo(path).size()),
              w.lastLatencyMs(), t.totalMs, t.dataMs, t.initMs, t.forwardMs, t.backwardMs, t.statsMs,
              w.plotArea()->lastReplotMs());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  initscope::restartWithQuietOpenMp(argv);  // the app's OpenMP settings, so the timings are the app's
  QApplication app(argc, argv);
  QStandardPaths::setTestModeEnabled(true);
  QApplication::setOrganizationName(QStringLiteral("initscope-tests"));
  if (argc < 2) {
    std::fprintf(stderr, "usage: ui_screenshots OUTPUT_DIR\n");
    return 2;
  }
  QDir dir(QString::fromLocal8Bit(argv[1]));
  if (!dir.mkpath(QStringLiteral("."))) return 1;

  MainWindow::Options o;
  o.fresh = true;
  MainWindow w(o);
  w.resize(1600, 1000);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w) || !settle(w)) return 1;
  bool ok = save(w, dir, "default.png");

  // Drag a from sqrt 5 to 0, the way a teacher does.
  QSlider* slider = w.initPanel()->aSlider();
  slider->setSliderDown(true);
  for (int v = slider->value(); v >= 0; v -= 8) {
    slider->setValue(v);
    spin(15);
  }
  slider->setValue(0);
  slider->setSliderDown(false);
  settle(w);
  ok &= save(w, dir, "a0.png");

  // A stack that cannot run: layer 5 (conv2d 16->32) told it gets 7 channels.
  LayerModel* model = w.layerEditor()->model();
  w.layerEditor()->selectLayer(4);
  model->setData(model->index(4, LayerModel::In), QStringLiteral("7"), Qt::EditRole);
  spin(800);
  ok &= save(w, dir, "broken-stack.png");
  w.undoStack()->undo();
  settle(w);

  w.setPresentation(true);
  w.layerEditor()->selectLayer(0);
  settle(w);
  ok &= save(w, dir, "presentation.png");
  w.setPresentation(false);

  // A deeper net: the gradients' histograms, log counts.
  for (const UiPreset& p : uiPresets())
    if (p.name == QLatin1String("deep_mlp_relu")) {
      w.edit(p.config, QStringLiteral("preset"));
      w.layerEditor()->selectLayer(1);
    }
  auto* kind = w.findChild<QComboBox*>(QStringLiteral("histogramKind"));
  kind->setCurrentIndex(kind->findData(QStringLiteral("gradients")));
  w.findChild<QCheckBox*>(QStringLiteral("logCounts"))->setChecked(true);
  settle(w);
  ok &= save(w, dir, "deep-mlp.png");

  // Latency, back on the lesson's model: 40 slider steps, each waited for, for each engine
  // thread setting; the sweep's debounce (120 ms) never fires between steps 40 ms apart.
  w.edit(defaultConfig(), QStringLiteral("latency"));
  w.layerEditor()->selectLayer(0);
  settle(w);
  auto* threads = w.findChild<QSpinBox*>(QStringLiteral("threads"));
  for (int t : {0, 1, 2}) {
    const std::string name = t == 0 ? "auto" : std::to_string(t);
    threads->setValue(t);
    settle(w);
    std::vector<double> change, run, replot;
    slider->setSliderDown(true);
    for (int i = 0; i < 40; ++i) {
      slider->setValue(slider->value() + (i % 2 ? -8 : 8));
      ok &= waitDrawn(w, 10000);
      spin(40);
      change.push_back(w.lastLatencyMs());
      run.push_back(w.plotArea()->result()->timings.totalMs);
      replot.push_back(w.plotArea()->lastReplotMs());
    }
    // A continuous drag: a step every 15 ms, whether or not the last one has been drawn (runs
    // overlap the GUI's replots); the engine times of the results that reach the screen.
    std::vector<double> dragRuns;
    auto shown = QObject::connect(&w, &MainWindow::resultShown,
                                  [&] { dragRuns.push_back(w.plotArea()->result()->timings.totalMs); });
    QElapsedTimer drag;
    drag.start();
    for (int i = 0; i < 60; ++i) {
      slider->setValue(slider->value() + (i % 10 < 5 ? 8 : -8));
      spin(15);
    }
    ok &= waitDrawn(w, 10000);
    const double dragMs = drag.nsecsElapsed() / 1e6;
    QObject::disconnect(shown);
    slider->setSliderDown(false);
    settle(w);
    const auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.empty() ? 0.0 : v[v.size() / 2];
    };
    std::printf("threads %s: drag of 60 steps 15 ms apart: %zu results drawn in %.0f ms, run median %.1f ms, max %.1f ms\n",
                name.c_str(), dragRuns.size(), dragMs, median(dragRuns),
                dragRuns.empty() ? 0.0 : *std::max_element(dragRuns.begin(), dragRuns.end()));
    std::printf("threads %s: change -> plot median %.1f ms (min %.1f, max %.1f); run %.1f ms, replot %.1f ms (medians of %zu)\n",
                name.c_str(), median(change),
                *std::min_element(change.begin(), change.end()), *std::max_element(change.begin(), change.end()),
                median(run), median(replot), change.size());
  }
  return ok ? 0 : 1;
}
