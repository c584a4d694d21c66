// ui/engineworker.h: runs off the GUI thread, newest config wins, stale results never arrive,
// cancel works, errors come back with their layer and kind.
#include "ui/engineworker.h"
#include "ui_test_util.h"

#include <atomic>
#include <memory>
#include <tuple>

using namespace initscope;
using namespace initscope::ui;

// What a worker sent back, received on the test's (GUI) thread through queued connections, as the
// window receives it. (QSignalSpy would record on the worker's thread.)
struct Received : QObject {
  std::vector<std::pair<RunResult, quint64>> finished;
  std::vector<std::vector<RunResult>> sweeps;
  std::vector<std::tuple<QString, int, QString>> failed;
  int cancelled = 0, started = 0;
  explicit Received(EngineWorker* w) {
    connect(w, &EngineWorker::finished, this, [this](const RunResult& r, quint64 s) { finished.emplace_back(r, s); });
    connect(w, &EngineWorker::sweepFinished, this,
            [this](const std::vector<double>&, const std::vector<RunResult>& r, quint64) { sweeps.push_back(r); });
    connect(w, &EngineWorker::failed, this,
            [this](const QString& m, int layer, const QString& kind, quint64) { failed.emplace_back(m, layer, kind); });
    connect(w, &EngineWorker::cancelled, this, [this] { ++cancelled; });
    connect(w, &EngineWorker::started, this, [this] { ++started; });
  }
};

// A run that takes seconds (more under ThreadSanitizer): 121 layers at batch 1000, one thread.
static ExperimentConfig longRun() {
  ExperimentConfig c;
  c.data.source = DataSource::Synthetic;
  c.data.syntheticShape = {256};
  c.data.batch = 1000;
  c.threads = 1;
  for (int i = 0; i < 60; ++i) {
    c.layers.push_back(LayerSpec::linear(256, 256));
    c.layers.push_back(LayerSpec::relu());
  }
  c.layers.push_back(LayerSpec::linear(256, 1));
  return c;
}

class EngineWorkerTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { uitest::isolateSettings(); }

  void runsOffTheGuiThread() {
    EngineThread t;
    Received got(t.worker());
    std::atomic<QThread*> seen{nullptr};
    connect(t.worker(), &EngineWorker::started, t.worker(), [&] { seen = QThread::currentThread(); },
            Qt::DirectConnection);
    const ExperimentConfig c = defaultConfig();
    const quint64 serial = t.worker()->submit(c);
    QTRY_VERIFY_WITH_TIMEOUT(got.finished.size() == 1, 20000);
    QVERIFY(seen.load() && seen.load() != QThread::currentThread());
    QCOMPARE(got.finished[0].second, serial);
    QVERIFY(got.finished[0].first.config == c);
    QCOMPARE(uitest::forwardStds(got.finished[0].first), uitest::forwardStds(run(c)));  // as a direct run
  }

  void newestWins() {
    EngineThread t;
    Received got(t.worker());
    ExperimentConfig c = defaultConfig();
    quint64 last = 0;
    for (int i = 0; i < 200; ++i) {
      c.init.a = i * 0.01;
      last = t.worker()->submit(c);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!got.finished.empty() && got.finished.back().second == last, 30000);
    QTest::qWait(100);
    // Far fewer runs than submissions came back, serials increasing, the last one the newest config.
    QVERIFY(got.finished.size() < 200);
    quint64 prev = 0;
    for (const auto& [r, serial] : got.finished) {
      QVERIFY(serial > prev);
      prev = serial;
    }
    QCOMPARE(got.finished.back().first.config.init.a, 199 * 0.01);
    QVERIFY(!t.worker()->busy());
  }

  void cancelStopsALongRun() {
    EngineThread t;
    Received got(t.worker());
    t.worker()->submit(longRun());
    QTRY_VERIFY_WITH_TIMEOUT(got.started == 1, 10000);
    t.worker()->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(got.cancelled == 1, 20000);
    QVERIFY(got.finished.empty());
  }

  // Destroying the thread mid-run (closing the window while it computes) cancels, joins and frees
  // the worker; nothing arrives afterwards.
  void destroyedWhileRunning() {
    auto t = std::make_unique<EngineThread>();
    Received got(t->worker());
    t->worker()->submit(longRun());
    QTRY_VERIFY_WITH_TIMEOUT(got.started == 1, 10000);
    t.reset();
    QTest::qWait(50);
    QVERIFY(got.finished.empty());
    QCOMPARE(got.cancelled, 0);
  }

  void errorsComeBackWithTheirLayer() {
    EngineThread t;
    Received got(t.worker());
    ExperimentConfig c = defaultConfig();
    c.layers[2].inChannels = 9;  // conv2d 9->16 after 8 channels
    t.worker()->submit(c);
    QTRY_VERIFY_WITH_TIMEOUT(got.failed.size() == 1, 10000);
    QCOMPARE(std::get<1>(got.failed[0]), 2);
    QCOMPARE(std::get<2>(got.failed[0]), QStringLiteral("spec"));

    c = defaultConfig();
    c.data.batch = Limits::kMaxBatch;  // 1024 channels at 28 x 28 for 60,000 images: far over the memory budget
    c.layers = {LayerSpec::conv2d(1, 1024, 3, 1, 1), LayerSpec::relu(), LayerSpec::conv2d(1024, 1, 3, 1, 1),
                LayerSpec::adaptiveAvgPool2d(1, 1), LayerSpec::flatten()};
    t.worker()->submit(c);
    QTRY_VERIFY_WITH_TIMEOUT(got.failed.size() == 2, 10000);
    QCOMPARE(std::get<2>(got.failed[1]), QStringLiteral("limit"));
    QVERIFY2(std::get<0>(got.failed[1]).contains("MiB"), qPrintable(std::get<0>(got.failed[1])));
  }

  void sweepRunsEveryA() {
    EngineThread t;
    Received got(t.worker());
    ExperimentConfig c = defaultConfig();
    const auto a = sweepValues(0.0, 3.0, 4);
    QCOMPARE(a, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
    t.worker()->submitSweep(c, a);
    QTRY_VERIFY_WITH_TIMEOUT(got.sweeps.size() == 1, 30000);
    QCOMPARE(got.sweeps[0].size(), std::size_t(4));
    c.init.a = 2.0;
    QCOMPARE(uitest::forwardStds(got.sweeps[0][2]), uitest::forwardStds(run(c)));
  }
};

QTEST_MAIN(EngineWorkerTest)
#include "test_engineworker.moc"
