#pragma once
// Helpers shared by the window's tests.
#include "core/experiment.h"
#include "ui/defaults.h"
#include "ui/mainwindow.h"

#include <qcustomplot.h>

#include <QCoreApplication>
#include <QStandardPaths>
#include <QTest>

#include <vector>

namespace uitest {

// Settings and standard paths of the tests never touch the user's.
inline void isolateSettings() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("initscope-tests"));
  QCoreApplication::setApplicationName(QStringLiteral("initscope-tests"));
}

template <class T>
T* plottableNamed(QCustomPlot* plot, const QString& objectName) {
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (auto* p = qobject_cast<T*>(plot->plottable(i)); p && p->objectName() == objectName) return p;
  return nullptr;
}

inline std::vector<double> values(QCPBars* b) {
  std::vector<double> v;
  if (b)
    for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) v.push_back(it->value);
  return v;
}

inline std::vector<double> values(QCPGraph* g) {
  std::vector<double> v;
  if (g)
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) v.push_back(it->value);
  return v;
}

// What the forward figure must show for a result: the input's std, then every layer's.
inline std::vector<double> forwardStds(const initscope::RunResult& r) {
  std::vector<double> v{r.input.std};
  for (const auto& l : r.layers) v.push_back(l.activation.std);
  return v;
}

inline std::vector<double> backwardStds(const initscope::RunResult& r) {
  std::vector<double> v{r.inputGradient.std};
  for (const auto& l : r.layers) v.push_back(l.gradient.std);
  return v;
}

// Waits until the newest submitted run has been drawn (or failed / been refused).
inline bool waitForDrawn(initscope::ui::MainWindow& w, int timeoutMs = 20000) {
  return QTest::qWaitFor([&] { return w.drawnSerial() == w.submittedSerial() && w.drawnSerial() != 0; }, timeoutMs);
}

}  // namespace uitest
