// ui/session.h: sessions round-trip, the CLI reads them, newer versions and bad fields are refused.
#include "core/io.h"
#include "ui/session.h"
#include "ui_test_util.h"

#include <QFile>
#include <QTemporaryDir>

using namespace initscope;
using namespace initscope::ui;

namespace {

Session sample() {
  Session s;
  s.config = defaultConfig();
  s.config.init.a = 0.5;
  s.config.init.mode = FanMode::FanOut;
  s.config.seed = 42;
  s.config.layers.insert(s.config.layers.begin() + 2, LayerSpec::batchNorm2d(8));
  s.config.layers[0].init = InitSpec{.scheme = Scheme::XavierNormal, .gain = 2.0};
  s.ui.selectedLayer = 3;
  s.ui.histogram = QStringLiteral("weight-grads");
  s.ui.logCounts = true;
  s.ui.sharedRange = false;
  s.ui.presentation = true;
  s.ui.sweepMax = 4.5;
  s.ui.sweepPoints = 11;
  return s;
}

QString errorOf(const QByteArray& json) {
  try {
    sessionFromJson(json, QStringLiteral("test"));
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class SessionTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { uitest::isolateSettings(); }

  void roundTripsInMemory() {
    const Session s = sample();
    const Session back = sessionFromJson(sessionToJson(s), QStringLiteral("memory"));
    QVERIFY(back.config == s.config);
    QVERIFY(back.ui == s.ui);
  }

  void roundTripsThroughAFileTheCliReads() {
    QTemporaryDir dir;
    const QString path = dir.filePath("s.json");
    const Session s = sample();
    QString error;
    QVERIFY2(saveSession(path, s, &error), qPrintable(error));
    Session back;
    QVERIFY2(loadSession(path, &back, &error), qPrintable(error));
    QVERIFY(back.config == s.config);
    QVERIFY(back.ui == s.ui);
    // The CLI's reader takes the session's config member.
    QVERIFY(loadConfigFile(path.toStdString()) == s.config);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const Json j = Json::parse(f.readAll().toStdString());
    QCOMPARE(QString::fromStdString(j["schema"].get<std::string>()), QStringLiteral("initscope.session"));
    QCOMPARE(j["version"].get<int>(), 1);
  }

  void acceptsABareConfig() {
    const ExperimentConfig c = sample().config;
    const Session s = sessionFromJson(QByteArray::fromStdString(toJson(c).dump()), QStringLiteral("config"));
    QVERIFY(s.config == c);
    QVERIFY(s.ui == UiState{});
  }

  void refusesWhatItCannotRead() {
    Json j = Json::parse(sessionToJson(sample()).toStdString());
    j["version"] = 2;
    QVERIFY(errorOf(QByteArray::fromStdString(j.dump())).contains("newer"));
    j["version"] = 1;
    j["ui"]["histogram"] = "pie";
    QVERIFY(errorOf(QByteArray::fromStdString(j.dump())).contains("ui.histogram"));
    j["ui"]["histogram"] = "activations";
    j["ui"]["log_counts"] = "yes";
    QVERIFY(errorOf(QByteArray::fromStdString(j.dump())).contains("ui.log_counts"));
    j["ui"].erase("log_counts");
    j["config"]["layers"][0]["type"] = "conv9d";
    QVERIFY(!errorOf(QByteArray::fromStdString(j.dump())).isEmpty());
    QVERIFY(errorOf("{\"schema\": \"initscope.result\", \"version\": 1}").contains("schema"));
    QVERIFY(errorOf("{ not json").contains("line 1"));
    // Unknown ui members are ignored (newer builds may add some within version 1).
    Json k = Json::parse(sessionToJson(sample()).toStdString());
    k["ui"]["future_option"] = 3;
    QVERIFY(errorOf(QByteArray::fromStdString(k.dump())).isEmpty());
  }

  void reportsMissingFiles() {
    Session s;
    QString error;
    QVERIFY(!loadSession(QStringLiteral("/nonexistent/x.json"), &s, &error));
    QVERIFY(error.contains("/nonexistent/x.json"));
    QVERIFY(!saveSession(QStringLiteral("/nonexistent/dir/x.json"), sample(), &error));
    QVERIFY(!error.isEmpty());
  }
};

QTEST_MAIN(SessionTest)
#include "test_session.moc"
