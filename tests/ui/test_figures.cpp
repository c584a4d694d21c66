// ui/figures.h: the plots carry exactly the engine's numbers; NaN/Inf are marked; exports are
// valid PNG, SVG and PDF files.
#include "ui/figures.h"
#include "ui_test_util.h"

#include <QFile>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtEndian>

#include <cmath>

using namespace initscope;
using namespace initscope::ui;

class FiguresTest : public QObject {
  Q_OBJECT

 private:
  RunResult r_, r0_;
  QTemporaryDir dir_;

  static int axisRectCount(QCustomPlot& p) { return static_cast<int>(p.axisRects().size()); }
  static QStringList nonFiniteTexts(QCustomPlot& p) {
    QStringList t;
    for (int i = 0; i < p.itemCount(); ++i)
      if (auto* item = qobject_cast<QCPItemText*>(p.item(i)); item && item->objectName() == QLatin1String("nonfinite"))
        t << item->text();
    return t;
  }

  // Everything a figure shows, as text: each plottable's data, bar width, ranges and tips, and
  // every text item with its panel or bar, role, place and text.
  static QStringList snapshot(QCustomPlot& p) {
    QStringList out;
    for (int i = 0; i < p.plottableCount(); ++i) {
      QCPAbstractPlottable* pl = p.plottable(i);
      QString line = pl->name() + QLatin1Char(':');
      if (auto* b = qobject_cast<QCPBars*>(pl)) {
        for (double v : uitest::values(b)) line += QString::number(v, 'g', 17) + QLatin1Char(',');
        line += QStringLiteral(" w %1 %2").arg(b->width(), 0, 'g', 17).arg(int(b->widthType()));
      }
      if (auto* g = qobject_cast<QCPGraph*>(pl))
        for (double v : uitest::values(g)) line += QString::number(v, 'g', 17) + QLatin1Char(',');
      const QCPRange kr = pl->keyAxis()->range(), vr = pl->valueAxis()->range();
      line += QStringLiteral(" x [%1, %2] y [%3, %4] ").arg(kr.lower, 0, 'g', 17).arg(kr.upper, 0, 'g', 17)
                  .arg(vr.lower, 0, 'g', 17).arg(vr.upper, 0, 'g', 17);
      line += pl->property("initscopeTips").toStringList().join(QLatin1Char('|'));
      out << line;
    }
    for (int i = 0; i < p.itemCount(); ++i)
      if (auto* t = qobject_cast<QCPItemText*>(p.item(i)))
        out << QStringLiteral("text %1 %2 %3 %4 (%5, %6)")
                   .arg(t->property("panel").toInt())
                   .arg(t->property("bar").toInt())
                   .arg(t->objectName(), t->text())
                   .arg(t->position->coords().x(), 0, 'g', 17)
                   .arg(t->position->coords().y(), 0, 'g', 17);
    out << QStringLiteral("y axis [%1, %2]").arg(p.yAxis->range().lower, 0, 'g', 17).arg(p.yAxis->range().upper, 0, 'g', 17);
    out.sort();
    return out;
  }

  // One redraw of f on plot, then the same draw on a fresh plot of the same size: both must show
  // the same, and the first must have kept plot's plottables exactly when inPlace.
  struct Redraw {
    const RunResult* r;
    const RunResult* ghost;
    FigureStyle style;
    bool inPlace;
  };
  static void redrawMatchesFresh(QCustomPlot& plot, Figure f, const Redraw& st) {
    if (plot.plottableCount()) plot.plottable(0)->setProperty("drawnBefore", true);  // survives only in place
    drawFigure(plot, f, *st.r, st.ghost, st.style);
    QCOMPARE(plot.plottableCount() > 0 && plot.plottable(0)->property("drawnBefore").toBool(), st.inPlace);
    QCustomPlot fresh;
    fresh.resize(plot.size());
    drawFigure(fresh, f, *st.r, st.ghost, st.style);
    QCOMPARE(snapshot(plot), snapshot(fresh));
  }

 private slots:
  void initTestCase() {
    uitest::isolateSettings();
    QVERIFY(dir_.isValid());
    ExperimentConfig c = defaultConfig();
    r_ = run(c);
    c.init.a = 0;
    r0_ = run(c);
  }

  void forwardShowsTheEngineStats() {
    QCustomPlot plot;
    plot.resize(800, 500);
    drawFigure(plot, Figure::Forward, r_, nullptr, {});
    auto* bars = uitest::plottableNamed<QCPBars>(&plot, "std");
    auto* mean = uitest::plottableNamed<QCPGraph>(&plot, "mean");
    QVERIFY(bars && mean);
    QCOMPARE(uitest::values(bars), uitest::forwardStds(r_));
    std::vector<double> means{r_.input.mean};
    for (const auto& l : r_.layers) means.push_back(l.activation.mean);
    QCOMPARE(uitest::values(mean), means);
    // The ideal line is there, and the std really decays with a = sqrt 5 (the lesson's point).
    bool ideal = false;
    for (int i = 0; i < plot.plottableCount(); ++i) ideal |= plot.plottable(i)->name() == QLatin1String("ideal std = 1");
    QVERIFY(ideal);
    QVERIFY(r_.layers[6].activation.std < 0.1 * r_.layers[0].activation.std);
  }

  void backwardShowsGradientStats() {
    QCustomPlot plot;
    plot.resize(800, 500);
    FigureStyle s;
    s.logY = true;
    drawFigure(plot, Figure::Backward, r_, nullptr, s);
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPBars>(&plot, "std")), uitest::backwardStds(r_));
    const auto absMean = uitest::values(uitest::plottableNamed<QCPGraph>(&plot, "mean"));
    QCOMPARE(absMean.size(), r_.layers.size() + 1);
    QCOMPARE(absMean.back(), std::abs(r_.layers.back().gradient.mean));
    QCOMPARE(plot.yAxis->scaleType(), QCPAxis::stLogarithmic);
  }

  void histogramsAreSmallMultiples() {
    QCustomPlot plot;
    plot.resize(1000, 700);
    drawFigure(plot, Figure::HistActivations, r_, nullptr, {});
    QCOMPARE(axisRectCount(plot), static_cast<int>(r_.layers.size()) + 1);  // the input and every layer
    std::vector<const TensorStats*> expected{&r_.input};
    for (const auto& l : r_.layers) expected.push_back(&l.activation);
    int k = 0;
    for (int i = 0; i < plot.plottableCount(); ++i) {
      auto* bars = qobject_cast<QCPBars*>(plot.plottable(i));
      if (!bars || bars->objectName() != QLatin1String("hist")) continue;
      const auto& counts = expected[static_cast<std::size_t>(k++)]->histogram.counts;
      const auto v = uitest::values(bars);
      QCOMPARE(v.size(), counts.size());
      for (std::size_t b = 0; b < v.size(); ++b) QCOMPARE(v[b], double(counts[b]));
    }
    QCOMPARE(k, static_cast<int>(expected.size()));

    // Weight gradients: one panel per layer with a weight (the four convs), log counts on request.
    FigureStyle s;
    s.logCounts = true;
    s.sharedRange = false;
    drawFigure(plot, Figure::HistWeightGrads, r_, nullptr, s);
    QCOMPARE(axisRectCount(plot), 4);
    QCOMPARE(plot.axisRects().front()->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
    drawFigure(plot, Figure::HistGradients, r_, &r0_, {});
    QCOMPARE(axisRectCount(plot), static_cast<int>(r_.layers.size()));
  }

  void ghostIsDrawnUnderneath() {
    QCustomPlot plot;
    drawFigure(plot, Figure::Forward, r_, &r0_, {});
    QCPBars* ghost = nullptr;
    for (int i = 0; i < plot.plottableCount(); ++i)
      if (plot.plottable(i)->name() == QLatin1String("pinned std")) ghost = qobject_cast<QCPBars*>(plot.plottable(i));
    QVERIFY(ghost);
    QCOMPARE(uitest::values(ghost), uitest::forwardStds(r0_));
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPBars>(&plot, "std")), uitest::forwardStds(r_));
  }

  void nonFiniteCountsAreMarked() {
    RunResult bad = r_;
    bad.layers[2].activation.nanCount = 3;
    bad.layers[2].activation.posInfCount = 2;
    QCustomPlot plot;
    drawFigure(plot, Figure::Forward, bad, nullptr, {});
    QCOMPARE(nonFiniteTexts(plot), QStringList{QStringLiteral("3 NaN\n2 +Inf")});
    drawFigure(plot, Figure::HistActivations, bad, nullptr, {});
    QCOMPARE(nonFiniteTexts(plot), QStringList{QStringLiteral("3 NaN, 2 +Inf")});
  }

  void aRealExplosionIsShown() {
    // Constant weights of 1e20 overflow float32 within two linear layers.
    ExperimentConfig c;
    c.data.source = DataSource::Synthetic;
    c.data.syntheticShape = {64};
    c.data.batch = 8;
    c.layers = {LayerSpec::linear(64, 64), LayerSpec::tanh(), LayerSpec::linear(64, 64), LayerSpec::linear(64, 1)};
    c.init.scheme = Scheme::Constant;
    c.init.value = 1e20;
    const RunResult r = run(c);
    std::uint64_t bad = 0;
    for (const auto& l : r.layers) bad += l.activation.nonFinite();
    QVERIFY2(bad > 0, "the config was meant to overflow");
    QCustomPlot plot;
    drawFigure(plot, Figure::Forward, r, nullptr, {});
    QVERIFY(!nonFiniteTexts(plot).isEmpty());
  }

  // A redraw with the same layout (a slider move) updates the plottables in place; what it shows
  // must be exactly what a fresh draw of the same result shows, and a layout change rebuilds.
  void histogramsUpdatedInPlaceMatchAFreshDraw() {
    QCustomPlot plot;
    plot.resize(900, 380);
    RunResult bad = r0_;
    bad.layers[2].activation.nanCount = 3;
    FigureStyle logCounts;
    logCounts.logCounts = true;
    const std::vector<Redraw> steps{{&r_, nullptr, {}, false},     {&r0_, nullptr, {}, true},  {&r_, nullptr, {}, true},
                                    {&bad, nullptr, {}, false},    {&r0_, nullptr, {}, false}, {&r_, &r0_, {}, false},
                                    {&r0_, &r_, {}, true},         {&r0_, &r_, logCounts, false},
                                    {&r_, &r0_, logCounts, true}};
    for (const Redraw& st : steps) {
      redrawMatchesFresh(plot, Figure::HistActivations, st);
      if (QTest::currentTestFailed()) return;
    }
    // Any other figure on the plot clears the layout: the next histogram is built afresh.
    drawFigure(plot, Figure::Forward, r_, nullptr, {});
    redrawMatchesFresh(plot, Figure::HistActivations, {&r_, &r0_, logCounts, false});
  }

  // The same for the per-layer figures: value labels, NaN marks, ghosts and the log axis.
  void perLayerFiguresUpdatedInPlaceMatchAFreshDraw() {
    RunResult bad = r0_;
    bad.layers[2].activation.nanCount = 3;
    bad.layers[2].gradient.posInfCount = 1;
    FigureStyle logY;
    logY.logY = true;
    const std::vector<Redraw> steps{{&r_, nullptr, {}, false}, {&r0_, nullptr, {}, true}, {&r_, nullptr, {}, true},
                                    {&bad, nullptr, {}, false}, {&bad, nullptr, {}, true}, {&r0_, nullptr, {}, false},
                                    {&r_, &r0_, {}, false},     {&r0_, &r_, {}, true},     {&r0_, &r_, logY, false},
                                    {&r_, &r0_, logY, true}};
    for (Figure f : {Figure::Forward, Figure::Backward}) {
      QCustomPlot plot;
      plot.resize(450, 380);
      for (const Redraw& st : steps) {
        redrawMatchesFresh(plot, f, st);
        if (QTest::currentTestFailed()) return;
      }
    }
  }

  void sweepMarksTheCurrentA() {
    ExperimentConfig c = defaultConfig();
    const std::vector<double> a{0.0, 1.0, 2.0, 3.0};
    std::vector<RunResult> results;
    for (double v : a) {
      c.init.a = v;
      results.push_back(run(c));
    }
    QCustomPlot plot;
    drawSweep(plot, a, results, 2.2360679, {});
    std::vector<double> finals;
    for (const auto& r : results) finals.push_back(r.layers.back().activation.std);
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPGraph>(&plot, "finalStd")), finals);
    QCOMPARE(uitest::values(uitest::plottableNamed<QCPGraph>(&plot, "firstGradStd")).front(),
             results.front().layers.front().weight->grad.std);
    auto* line = plot.findChild<QCPItemStraightLine*>(QStringLiteral("currentA"));
    QVERIFY(line);
    QCOMPARE(line->point1->coords().x(), 2.2360679);
    // The std falls as a grows (gain sqrt(2 / (1 + a^2))).
    QVERIFY(finals.front() > finals.back());
  }

  void exportsPng() {
    QCustomPlot plot;
    plot.resize(640, 400);
    drawFigure(plot, Figure::Forward, r_, nullptr, {});
    const QString path = dir_.filePath("forward.png");
    QString error;
    QVERIFY2(exportPlot(plot, path, 800, 500, 2.0, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray head = f.read(24);
    QVERIFY(head.startsWith(QByteArray("\x89PNG\r\n\x1a\n", 8)));
    QCOMPARE(head.mid(12, 4), QByteArray("IHDR"));
    QCOMPARE(qFromBigEndian<quint32>(head.constData() + 16), 1600u);  // 800 px at scale 2
    QCOMPARE(qFromBigEndian<quint32>(head.constData() + 20), 1000u);
    QVERIFY(QImage(path).size() == QSize(1600, 1000));
  }

  void exportsSvg() {
    QCustomPlot plot;
    drawFigure(plot, Figure::HistActivations, r_, nullptr, {});
    const QString path = dir_.filePath("hist.svg");
    QString error;
    QVERIFY2(exportPlot(plot, path, 900, 600, 1.0, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&f);
    QString root;
    int elements = 0;
    while (!xml.atEnd()) {
      if (xml.readNext() == QXmlStreamReader::StartElement) {
        if (root.isEmpty()) root = xml.name().toString();
        ++elements;
      }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(root, QStringLiteral("svg"));
    QVERIFY(elements > 50);
  }

  void exportsPdf() {
    QCustomPlot plot;
    drawFigure(plot, Figure::Backward, r_, nullptr, {});
    const QString path = dir_.filePath("backward.pdf");
    QString error;
    QVERIFY2(exportPlot(plot, path, 800, 500, 1.0, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    QVERIFY(all.startsWith("%PDF-"));
    QVERIFY(all.trimmed().endsWith("%%EOF"));
    // No temporary file left next to it.
    QCOMPARE(QDir(dir_.path()).entryList({"*.pdf*"}, QDir::Files | QDir::Hidden).size(), 1);
  }

  void exportRefusesWhatItCannotWrite() {
    QCustomPlot plot;
    drawFigure(plot, Figure::Forward, r_, nullptr, {});
    QString error;
    QVERIFY(!exportPlot(plot, dir_.filePath("x.bmp"), 100, 100, 1.0, &error));
    QVERIFY(error.contains("extension"));
    QVERIFY(!exportPlot(plot, dir_.filePath("no/such/dir/x.png"), 100, 100, 1.0, &error));
    QVERIFY(!error.isEmpty());
    // An old file survives a failed write untouched.
    const QString keep = dir_.filePath("keep.png");
    QVERIFY(exportPlot(plot, keep, 200, 100, 1.0, &error));
    const qint64 size = QFileInfo(keep).size();
    QVERIFY(!exportPlot(plot, keep, 0, 100000, 1.0, &error));
    QCOMPARE(QFileInfo(keep).size(), size);
  }

  void figureKeysRoundTrip() {
    for (Figure f : {Figure::Forward, Figure::Backward, Figure::HistActivations, Figure::HistGradients,
                     Figure::HistWeightGrads, Figure::SweepA}) {
      Figure g{};
      QVERIFY(parseFigureKey(figureKey(f), &g));
      QCOMPARE(g, f);
      QVERIFY(!figureTitle(f).isEmpty());
    }
    QVERIFY(!parseFigureKey("nope", nullptr));
  }
};

QTEST_MAIN(FiguresTest)
#include "test_figures.moc"
