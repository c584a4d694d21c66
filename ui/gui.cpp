#include "gui.h"

#include "engineworker.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

namespace initscope::ui {

int runGui(int argc, char** argv) {
  // OpenMP's idle-worker policy is set before main (app/main.cpp: restartWithQuietOpenMp).
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("initscope"));
  QApplication::setOrganizationName(QStringLiteral("initscope"));
  QApplication::setApplicationDisplayName(QStringLiteral("initscope"));
#ifdef INITSCOPE_VERSION
  QApplication::setApplicationVersion(QStringLiteral(INITSCOPE_VERSION));
#endif
  QApplication::setDesktopFileName(QStringLiteral("io.github.initscope"));
  registerMetaTypes();

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("initscope: see what weight initialisation does to a network."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("session"), QStringLiteral("A session or config JSON file to open."),
                               QStringLiteral("[session.json]"));
  const QCommandLineOption fresh(QStringLiteral("fresh"), QStringLiteral("Ignore the last session and window layout."));
  const QCommandLineOption presentation(QStringLiteral("presentation"), QStringLiteral("Start in presentation mode."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                     QStringLiteral("Save a PNG of the window after the first plot."),
                                     QStringLiteral("path"));
  const QCommandLineOption quit(QStringLiteral("quit-after-first-plot"),
                                QStringLiteral("Exit once the first result is drawn (after the screenshot)."));
  const QCommandLineOption setA(QStringLiteral("set-a"), QStringLiteral("Start with this kaiming a."),
                                QStringLiteral("value"));
  const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1600x1000."),
                                QStringLiteral("WxH"));
  parser.addOptions({fresh, presentation, screenshot, quit, setA, size});
  parser.process(app);

  MainWindow::Options o;
  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1) {
    std::fprintf(stderr, "initscope: at most one session file, got %lld\n", static_cast<long long>(positional.size()));
    return 2;
  }
  if (!positional.isEmpty()) o.sessionPath = positional.front();
  o.fresh = parser.isSet(fresh);
  o.presentation = parser.isSet(presentation);
  o.screenshotPath = parser.value(screenshot);
  o.quitAfterFirstPlot = parser.isSet(quit);
  if (parser.isSet(setA)) {
    bool ok = false;
    const double a = parser.value(setA).toDouble(&ok);
    if (!ok || a < 0 || a > 10) {
      std::fprintf(stderr, "initscope: --set-a expects a number in 0..10\n");
      return 2;
    }
    o.a = a;
  }

  MainWindow window(o);
  QApplication::setWindowIcon(window.windowIcon());
  if (parser.isSet(size)) {
    const QStringList wh = parser.value(size).split('x');
    if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0) window.resize(wh[0].toInt(), wh[1].toInt());
  }
  window.show();
  if (o.quitAfterFirstPlot) {
    // A run that never finishes must not hang an automated caller.
    QTimer::singleShot(120000, &app, [] {
      std::fprintf(stderr, "initscope: no plot within 120 s\n");
      QApplication::exit(3);
    });
  }
  return app.exec();
}

}  // namespace initscope::ui
