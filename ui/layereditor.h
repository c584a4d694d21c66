#pragma once
// The layer-stack editor: a table (edit in place), add / remove / move, the output shape of
// every layer, and an impossible stack marked at the offending layer with the reason.
#include "core/experiment.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QToolButton;

namespace initscope::ui {

class LayerModel;

class LayerEditor : public QWidget {
  Q_OBJECT

 public:
  explicit LayerEditor(QWidget* parent = nullptr);

  void setStack(const std::vector<LayerSpec>& layers, const InitSpec& networkInit);
  // Infers the shapes from input; marks the first layer that cannot run. Returns true when the
  // whole stack runs; otherwise *errorLayer (-1: the stack as a whole) and *error say why.
  bool checkShapes(const Shape& input, int* errorLayer = nullptr, QString* error = nullptr);
  // An error found by the engine (e.g. the loss cannot use the output): marks layer (or none).
  void showRunError(int layer, const QString& message);
  void clearRunError();

  int selectedLayer() const;
  void selectLayer(int row);
  LayerModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QLabel* errorLabel() const { return error_; }
  // The presets box over the table (filled and wired by the window).
  QComboBox* presetBox() const { return presets_; }

  // The editing actions (also used by tests); each emits edited() with the new stack.
  void addLayer(LayerKind kind);
  void removeSelected();
  void moveSelected(int delta);

 signals:
  void edited(const std::vector<initscope::LayerSpec>& next, const QString& what);
  void layerSelected(int row);

 private:
  void showError(int row, const QString& text);
  void updateButtons();

  LayerModel* model_;
  QTableView* table_;
  QLabel* error_;
  QComboBox* presets_;
  QToolButton *add_, *remove_, *up_, *down_;
  std::vector<Shape> shapes_;
};

}  // namespace initscope::ui
