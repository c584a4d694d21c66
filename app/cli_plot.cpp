// initscope plot: the window's figures rendered to PNG, SVG or PDF without a display. The only
// verb that starts Qt (an offscreen QApplication, unless QT_QPA_PLATFORM says otherwise).
#include "app/cli_common.h"

#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"
#include "ui/figures.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace initscope::cli {
namespace {

using ui::Figure;

constexpr Figure kAllFigures[] = {Figure::Forward, Figure::Backward, Figure::HistActivations, Figure::HistGradients,
                                  Figure::HistWeightGrads, Figure::SweepA};

std::string figureChoices() {
  std::string s;
  for (Figure f : kAllFigures) s += ui::figureKey(f).toStdString() + "|";
  return s + "all";
}

const std::vector<FlagSpec>& plotFlags() {
  static const std::vector<FlagSpec> f = [] {
    std::vector<FlagSpec> v = experimentFlags();
    v.push_back({"figure", "NAME", figureChoices() + " (default forward)"});
    v.push_back({"out", "FILE", "the image: .png, .svg or .pdf (with --figure all: FILE-<figure>.ext each)"});
    v.push_back({"width", "PX", "width in pixels (default 1200)"});
    v.push_back({"height", "PX", "height in pixels (default 800)"});
    v.push_back({"scale", "S", "PNG pixel scale, e.g. 2 for a high-DPI image (default 1)"});
    v.push_back({"presentation", "", "large fonts and thick lines"});
    v.push_back({"log-counts", "", "histograms: log count axis"});
    v.push_back({"log-y", "", "forward/backward: log value axis"});
    v.push_back({"own-ranges", "", "histograms: each layer its own value and count range"});
    v.push_back({"ghost", "PRESET", "draw this preset's run faintly underneath (forward, backward, histograms)"});
    v.push_back({"from", "A", "sweep-a: first a (default 0)"});
    v.push_back({"to", "A", "sweep-a: last a (default 3)"});
    v.push_back({"steps", "N", "sweep-a: points (default 31)"});
    return v;
  }();
  return f;
}

constexpr const char* kUsage =
    "Usage: initscope plot PRESET|--config FILE --out FILE.png|.svg|.pdf [--figure NAME] [options]\n\n"
    "Runs the experiment and renders one of the window's figures without a display:\n"
    "  forward             per-layer activation std (bars) and mean (line), ideal std 1 dashed\n"
    "  backward            per-layer std and mean of dL/d(activation)\n"
    "  hist-activations    one histogram per layer output\n"
    "  hist-gradients      one histogram of dL/d(output) per layer\n"
    "  hist-weight-grads   one histogram of dL/dW per layer with a weight\n"
    "  sweep-a             output std and first weight-gradient std against a (runs a sweep)\n"
    "  all                 every figure, to FILE-<figure>.ext\n";

// The a to mark on the sweep: the config's kaiming a, or sqrt 5 for PyTorch's default.
double currentA(const ExperimentConfig& c) {
  if (c.init.scheme == Scheme::KaimingUniform || c.init.scheme == Scheme::KaimingNormal) return c.init.a;
  return std::sqrt(5.0);
}

std::string outPath(const std::string& out, Figure f, bool many) {
  if (!many) return out;
  const QFileInfo info(QString::fromStdString(out));
  const std::string dir = info.path() == "." && out.find('/') == std::string::npos ? "" : info.path().toStdString() + "/";
  return dir + info.completeBaseName().toStdString() + "-" + ui::figureKey(f).toStdString() + "." +
         info.suffix().toStdString();
}

}  // namespace

int plotVerb(int argc, char** argv) {
  const Args a = parseArgs(argc, argv, plotFlags());
  if (a.has("help")) {
    std::cout << helpText(kUsage, plotFlags());
    return 0;
  }
  const ExperimentConfig c = buildConfig(a);
  if (!a.has("out")) throw UsageError("plot needs --out FILE (.png, .svg or .pdf)");
  const std::string out = *a.get("out");
  const std::string ext = QFileInfo(QString::fromStdString(out)).suffix().toLower().toStdString();
  if (ext != "png" && ext != "svg" && ext != "pdf")
    throw UsageError("--out: '" + out + "' must end in .png, .svg or .pdf");
  const int width = a.has("width") ? static_cast<int>(parseInteger(*a.get("width"), "width", 16, 20000)) : 1200;
  const int height = a.has("height") ? static_cast<int>(parseInteger(*a.get("height"), "height", 16, 20000)) : 800;
  const double scale = a.has("scale") ? parseNumber(*a.get("scale"), "scale") : 1.0;
  if (!(scale > 0) || scale > 8) throw UsageError("--scale must be in (0, 8]");

  std::vector<Figure> figures;
  const std::string name = a.has("figure") ? *a.get("figure") : "forward";
  if (name == "all") {
    figures.assign(std::begin(kAllFigures), std::end(kAllFigures));
  } else {
    Figure f{};
    if (!ui::parseFigureKey(QString::fromStdString(name), &f))
      throw UsageError("--figure: unknown figure '" + name + "' (choose " + figureChoices() + ")");
    figures.push_back(f);
  }
  const bool wantsSweep = std::find(figures.begin(), figures.end(), Figure::SweepA) != figures.end();
  for (const char* f : {"from", "to", "steps"})
    if (a.has(f) && !wantsSweep) throw UsageError(std::string("--") + f + " is for --figure sweep-a");
  std::vector<double> as;
  if (wantsSweep) {
    const double from = a.has("from") ? parseNumber(*a.get("from"), "from") : 0.0;
    const double to = a.has("to") ? parseNumber(*a.get("to"), "to") : 3.0;
    const int steps = a.has("steps") ? static_cast<int>(parseInteger(*a.get("steps"), "steps", 2, 10000)) : 31;
    as = linspace(from, to, steps);
    try {
      withA(c, as.front());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--figure sweep-a: ") + e.what());
    }
  }
  std::optional<ExperimentConfig> ghostConfig;
  if (a.has("ghost")) {
    const Preset* p = findPreset(*a.get("ghost"));
    if (!p) throw UsageError("--ghost: no preset named '" + *a.get("ghost") + "'");
    ghostConfig = p->config;
  }

  // The engine's work first: a bad config fails before Qt starts.
  const RunResult r = run(c);
  std::optional<RunResult> ghost;
  if (ghostConfig) ghost = run(*ghostConfig);
  std::vector<RunResult> sweep;
  if (wantsSweep) sweep = sweepA(c, as);

  // No display needed: Qt's offscreen platform renders widgets and plots in memory. Qt's chatter
  // about the session (no XDG_RUNTIME_DIR on a server, debug output) is no business of a CLI.
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& msg) {
    if (type == QtDebugMsg || type == QtInfoMsg || msg.startsWith(QLatin1String("QStandardPaths:"))) return;
    std::cerr << "initscope: qt: " << msg.toStdString() << '\n';
  });
  int qtArgc = 1;
  char* qtArgv[] = {argv[0], nullptr};
  QApplication app(qtArgc, qtArgv);

  ui::FigureStyle style;
  style.presentation = a.has("presentation");
  style.logCounts = a.has("log-counts");
  style.logY = a.has("log-y");
  style.sharedRange = !a.has("own-ranges");
  const bool many = figures.size() > 1;
  for (Figure f : figures) {
    QCustomPlot plot;
    plot.resize(width, height);
    if (f == Figure::SweepA)
      ui::drawSweep(plot, as, sweep, currentA(c), style);
    else
      ui::drawFigure(plot, f, r, ghost ? &*ghost : nullptr, style);
    const std::string path = outPath(out, f, many);
    QString error;
    if (!ui::exportPlot(plot, QString::fromStdString(path), width, height, scale, &error))
      throw std::runtime_error(error.toStdString());
    if (many) std::cout << path << "\n";
  }
  return 0;
}

}  // namespace initscope::cli
