// The window under stress (issue 6): 10,000 random control changes in a row, then no crash,
// memory flat, and the final plot equal to a direct run of the final config.
#include "ui/initpanel.h"
#include "ui/plotarea.h"
#include "ui_test_util.h"

#include <QDoubleSpinBox>
#include <QFile>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSlider>
#include <QSpinBox>
#include <QUndoStack>

#include <unistd.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (GCC ships no header for it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using namespace initscope;
using namespace initscope::ui;

namespace {

// Memory in use, in MiB. Under AddressSanitizer the resident size mostly measures ASan's
// quarantine of freed blocks (it grows by design), so ask its allocator for the live heap bytes
// instead; elsewhere the resident set size (Linux).
double rssMiB() {
#if defined(__SANITIZE_ADDRESS__)
  return static_cast<double>(__sanitizer_get_current_allocated_bytes()) / (1 << 20);
#endif
  QFile f(QStringLiteral("/proc/self/statm"));
  if (!f.open(QIODevice::ReadOnly)) return 0;
  const QList<QByteArray> parts = f.readAll().split(' ');
  return parts.size() > 1 ? parts[1].toDouble() * double(sysconf(_SC_PAGESIZE)) / (1 << 20) : 0;
}

}  // namespace

class StressTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { uitest::isolateSettings(); }

  void tenThousandChanges() {
    MainWindow::Options o;
    o.fresh = true;
    MainWindow w(o);
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(uitest::waitForDrawn(w));

    QRandomGenerator rng(12345);
    auto* spin = w.initPanel()->aSpin();
    auto* slider = w.initPanel()->aSlider();
    auto* fanIn = w.findChild<QRadioButton*>("fanIn");
    auto* fanOut = w.findChild<QRadioButton*>("fanOut");
    auto* uniform = w.findChild<QRadioButton*>("uniform");
    auto* normal = w.findChild<QRadioButton*>("normal");
    auto* seed = w.findChild<QSpinBox*>("seed");
    auto* batch = w.findChild<QSpinBox*>("batch");
    QVERIFY(spin && slider && fanIn && fanOut && uniform && normal && seed && batch);

    const int kChanges = 10000;
    double rssAtWarm = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < kChanges; ++i) {
      const int k = static_cast<int>(rng.bounded(100));
      if (k < 35) spin->setValue(rng.bounded(10.0));
      else if (k < 55) slider->setValue(static_cast<int>(rng.bounded(InitPanel::kSliderSteps + 1)));
      else if (k < 62) (rng.bounded(2) ? fanIn : fanOut)->click();
      else if (k < 69) (rng.bounded(2) ? uniform : normal)->click();
      else if (k < 80) seed->setValue(static_cast<int>(rng.bounded(1000)));
      else if (k < 90) batch->setValue(1 + static_cast<int>(rng.bounded(200)));
      else if (k < 95) w.undoStack()->undo();
      else w.undoStack()->redo();
      if (i % 8 == 0) QCoreApplication::processEvents();  // results arrive while the changes go on
      if (i == 1000) rssAtWarm = rssMiB();
    }
    const double changeSeconds = timer.elapsed() / 1000.0;
    QVERIFY(uitest::waitForDrawn(w, 60000));
    const double rssAtEnd = rssMiB();
    qInfo("%d changes in %.1f s; %llu runs submitted, RSS %.1f MiB after 1,000 changes, %.1f MiB after %d",
          kChanges, changeSeconds, static_cast<unsigned long long>(w.submittedSerial()), rssAtWarm, rssAtEnd, kChanges);

    const RunResult direct = run(w.config());
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPBars>(w.plotArea()->forwardPlot(), "std")),
             uitest::forwardStds(direct));
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPBars>(w.plotArea()->backwardPlot(), "std")),
             uitest::backwardStds(direct));
    QVERIFY(w.plotArea()->result()->config == w.config());
    QVERIFY2(rssAtEnd - rssAtWarm < 64.0, "memory grew by more than 64 MiB over 9,000 changes");
    QVERIFY(w.undoStack()->count() <= 500);
  }
};

QTEST_MAIN(StressTest)
#include "test_stress.moc"
