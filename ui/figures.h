#pragma once
// The figures of a RunResult drawn into a QCustomPlot, shared by the window and the CLI's
// `initscope plot` verb. Stable API: add options at the end of FigureStyle only.
#include "core/experiment.h"

#include <QString>

#include <vector>

class QCustomPlot;

namespace initscope::ui {

enum class Figure {
  Forward,          // per-layer activation std (bars) and mean (line), ideal std = 1 dashed
  Backward,         // per-layer std and mean of dL/d(activation)
  HistActivations,  // small multiples: one histogram per layer output
  HistGradients,    // small multiples: dL/d(activation) per layer
  HistWeightGrads,  // small multiples: dL/dW per layer with a weight
  SweepA            // needs several results: use drawSweep
};

struct FigureStyle {
  bool presentation = false;  // large fonts, thick lines
  bool logCounts = false;     // histograms: log count axis
  bool sharedRange = true;    // histograms: one value (x) range for every layer; counts stay per layer
  bool logY = false;          // Forward/Backward: log value axis (std as bars, |mean| as the line)
};

// Clears plot and fills it with one figure of r. ghost (may be null) is a pinned earlier run,
// drawn faintly underneath. NaN/Inf counts are marked in red on their layer, never dropped.
void drawFigure(QCustomPlot& plot, Figure f, const RunResult& r, const RunResult* ghost, const FigureStyle& s);

// The a-sweep: x = values of a, y = final-layer activation std and first-layer weight-gradient
// std (log y), the current a marked by a vertical line. results[i] is the run at aValues[i].
void drawSweep(QCustomPlot& plot, const std::vector<double>& aValues, const std::vector<RunResult>& results,
               double currentA, const FigureStyle& s);

// Writes the plot by the path's extension: .png (width x height px times scale), .svg
// (QSvgGenerator) or .pdf. width/height 0 = the widget's size. Every write goes through a
// temporary file and a rename. Returns false and sets *error (may be null) on failure.
bool exportPlot(QCustomPlot& plot, const QString& path, int width, int height, double scale, QString* error);

// Display names ("Forward: activations per layer", ...) and the file-name stems the CLI uses.
QString figureTitle(Figure f);
QString figureKey(Figure f);  // "forward", "backward", "hist-activations", "hist-gradients", "hist-weight-grads", "sweep-a"
bool parseFigureKey(const QString& key, Figure* f);

// A short tick label for a layer: "3\nconv" (index over kind).
QString shortLayerName(const LayerResult& l);

}  // namespace initscope::ui
