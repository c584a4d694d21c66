#pragma once
// The layer stack as a table: one row per layer, PyTorch's constructor arguments as columns,
// each editable in place where it applies, plus the per-layer init override and the output
// shape. Edits are not applied here: the model emits the edited stack (see LayerEditor), and
// the window applies it through the undo stack, which calls setStack().
#include "core/experiment.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <vector>

namespace initscope::ui {

class LayerModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Index, Kind, Output, In, Out, Kernel, Stride, Pad, Bias, Param, Init, ColumnCount };
  static constexpr int kKindRole = Qt::UserRole + 1;  // Kind column: the LayerKind as int; Init: the Scheme or -1

  explicit LayerModel(QObject* parent = nullptr);

  void setStack(const std::vector<LayerSpec>& layers, const InitSpec& networkInit);
  // shapes[0] is the input, shapes[i + 1] the output of layer i (shorter when a layer failed);
  // errorRow -1 when the stack is fine.
  void setShapes(const std::vector<Shape>& shapes, int errorRow, const QString& error);
  const std::vector<LayerSpec>& stack() const { return layers_; }
  // The shape going into row (the previous output), or an empty shape when unknown.
  Shape inputShapeOf(int row) const;
  int errorRow() const { return errorRow_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;

  // Whether a column means anything for this kind of layer.
  static bool applies(LayerKind k, int column);

 signals:
  void stackEdited(const std::vector<initscope::LayerSpec>& next, const QString& what);
  void editRejected(const QString& reason);

 private:
  std::vector<LayerSpec> layers_;
  std::vector<Shape> shapes_;
  InitSpec networkInit_;
  int errorRow_ = -1;
  QString error_;
};

// A layer of this kind with PyTorch-like defaults that fit the incoming shape.
LayerSpec defaultLayer(LayerKind kind, const Shape& input);

// Combo boxes for the Kind and Init columns; the default line edit elsewhere.
class LayerDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
};

}  // namespace initscope::ui
