#include "layereditor.h"

#include "layermodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QShortcut>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/network.h"

#include <algorithm>

namespace initscope::ui {

LayerEditor::LayerEditor(QWidget* parent) : QWidget(parent), model_(new LayerModel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Preset")));
  presets_ = new QComboBox;
  presets_->setObjectName(QStringLiteral("presets"));
  presets_->setToolTip(tr("The lesson's experiments and a few deeper nets (the whole config, not only the stack)"));
  presets_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  presets_->setMinimumContentsLength(16);
  top->addWidget(presets_, 1);
  layout->addLayout(top);

  table_ = new QTableView;
  table_->setObjectName(QStringLiteral("layerTable"));
  table_->setModel(model_);
  table_->setItemDelegate(new LayerDelegate(table_));
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                          QAbstractItemView::SelectedClicked | QAbstractItemView::AnyKeyPressed);
  table_->verticalHeader()->hide();
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setHighlightSections(false);
  layout->addWidget(table_, 1);

  auto* buttons = new QHBoxLayout;
  auto tool = [&](const QString& text, const QString& tip, const char* name) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setToolTip(tip);
    b->setObjectName(QString::fromLatin1(name));
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    buttons->addWidget(b);
    return b;
  };
  add_ = tool(tr("+ Add"), tr("Add a layer after the selected one (Insert)"), "addLayer");
  auto* menu = new QMenu(add_);
  for (LayerKind k : allLayerKinds())
    menu->addAction(QString::fromLatin1(toString(k).data()), this, [this, k] { addLayer(k); });
  add_->setMenu(menu);
  add_->setPopupMode(QToolButton::InstantPopup);
  remove_ = tool(tr("− Remove"), tr("Remove the selected layer (Delete)"), "removeLayer");
  up_ = tool(tr("▲"), tr("Move the selected layer up (Ctrl+Up)"), "moveUp");
  down_ = tool(tr("▼"), tr("Move the selected layer down (Ctrl+Down)"), "moveDown");
  buttons->addStretch(1);
  layout->addLayout(buttons);

  error_ = new QLabel;
  error_->setObjectName(QStringLiteral("stackError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet(QStringLiteral("QLabel { color: #a01010; background: #ffe6e6; border: 1px solid #e0a0a0;"
                                       " border-radius: 3px; padding: 4px; }"));
  error_->hide();
  layout->addWidget(error_);

  connect(remove_, &QToolButton::clicked, this, &LayerEditor::removeSelected);
  connect(up_, &QToolButton::clicked, this, [this] { moveSelected(-1); });
  connect(down_, &QToolButton::clicked, this, [this] { moveSelected(+1); });
  auto shortcut = [this](QKeySequence k, auto f) {
    auto* s = new QShortcut(k, table_, nullptr, nullptr, Qt::WidgetShortcut);
    connect(s, &QShortcut::activated, this, f);
  };
  shortcut(QKeySequence::Delete, [this] { removeSelected(); });
  shortcut(QKeySequence(Qt::Key_Insert), [this] { add_->showMenu(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveSelected(-1); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveSelected(+1); });
  connect(model_, &LayerModel::stackEdited, this, &LayerEditor::edited);
  connect(model_, &LayerModel::editRejected, this, [this](const QString& why) { showError(-1, why); });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& cur) {
    updateButtons();
    emit layerSelected(cur.isValid() ? cur.row() : -1);
  });
  connect(model_, &QAbstractItemModel::modelReset, this, &LayerEditor::updateButtons);
  updateButtons();
}

void LayerEditor::setStack(const std::vector<LayerSpec>& layers, const InitSpec& networkInit) {
  const int sel = selectedLayer();
  model_->setStack(layers, networkInit);
  // The param column (leaky_relu slope, batchnorm eps) only when a layer has one.
  const bool param = std::any_of(layers.begin(), layers.end(), [](const LayerSpec& l) {
    return LayerModel::applies(l.kind, LayerModel::Param);
  });
  table_->setColumnHidden(LayerModel::Param, !param);
  if (sel >= 0 && selectedLayer() < 0) selectLayer(std::min(sel, model_->rowCount() - 1));
  updateButtons();
}

bool LayerEditor::checkShapes(const Shape& input, int* errorLayer, QString* error) {
  const std::vector<LayerSpec>& layers = model_->stack();
  try {
    shapes_ = inferShapes(layers, input);
    model_->setShapes(shapes_, -1, QString());
    showError(-1, QString());
    return true;
  } catch (const SpecError& e) {
    const int bad = e.layer();
    // The shapes up to the offending layer are still worth showing.
    std::vector<Shape> partial{input};
    try {
      if (bad > 0) partial = inferShapes({layers.begin(), layers.begin() + bad}, input);
    } catch (const std::exception&) {
    }
    shapes_ = partial;
    const QString msg = QString::fromStdString(e.what());
    model_->setShapes(shapes_, bad, msg);
    showError(bad, msg);
    if (errorLayer) *errorLayer = bad;
    if (error) *error = msg;
    return false;
  } catch (const std::exception& e) {
    const QString msg = QString::fromStdString(e.what());
    shapes_ = {input};
    model_->setShapes(shapes_, -1, msg);
    showError(-1, msg);
    if (errorLayer) *errorLayer = -1;
    if (error) *error = msg;
    return false;
  }
}

void LayerEditor::showRunError(int layer, const QString& message) {
  model_->setShapes(shapes_, layer, message);
  showError(layer, message);
}

void LayerEditor::clearRunError() {
  if (model_->errorRow() >= 0 || error_->isVisible()) {
    model_->setShapes(shapes_, -1, QString());
    showError(-1, QString());
  }
}

void LayerEditor::showError(int row, const QString& text) {
  if (text.isEmpty()) {
    error_->clear();
    error_->hide();
    return;
  }
  error_->setText(row >= 0 ? tr("<b>Cannot run:</b> %1 <i>The plots show the last stack that ran.</i>")
                                 .arg(text.toHtmlEscaped())
                           : QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped()));
  error_->show();
  if (row >= 0) table_->scrollTo(model_->index(row, 0));
}

int LayerEditor::selectedLayer() const {
  const QModelIndex cur = table_->selectionModel()->currentIndex();
  return cur.isValid() && table_->selectionModel()->isRowSelected(cur.row(), {}) ? cur.row() : -1;
}

void LayerEditor::selectLayer(int row) {
  if (row < 0 || row >= model_->rowCount()) {
    table_->clearSelection();
    return;
  }
  table_->selectionModel()->setCurrentIndex(model_->index(row, LayerModel::Kind),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void LayerEditor::addLayer(LayerKind kind) {
  std::vector<LayerSpec> next = model_->stack();
  const int sel = selectedLayer();
  const int at = sel >= 0 ? sel + 1 : static_cast<int>(next.size());
  next.insert(next.begin() + at, defaultLayer(kind, model_->inputShapeOf(at)));
  emit edited(next, tr("add %1 at %2").arg(QString::fromLatin1(toString(kind).data())).arg(at + 1));
  selectLayer(at);
}

void LayerEditor::removeSelected() {
  const int sel = selectedLayer();
  if (sel < 0) return;
  std::vector<LayerSpec> next = model_->stack();
  const QString label = QString::fromStdString(next[static_cast<std::size_t>(sel)].label());
  next.erase(next.begin() + sel);
  emit edited(next, tr("remove %1 (%2)").arg(sel + 1).arg(label));
  selectLayer(std::min(sel, static_cast<int>(next.size()) - 1));
}

void LayerEditor::moveSelected(int delta) {
  const int sel = selectedLayer();
  const int to = sel + delta;
  std::vector<LayerSpec> next = model_->stack();
  if (sel < 0 || to < 0 || to >= static_cast<int>(next.size())) return;
  std::swap(next[static_cast<std::size_t>(sel)], next[static_cast<std::size_t>(to)]);
  emit edited(next, tr("move layer %1 to %2").arg(sel + 1).arg(to + 1));
  selectLayer(to);
}

void LayerEditor::updateButtons() {
  const int sel = selectedLayer();
  const int n = model_->rowCount();
  remove_->setEnabled(sel >= 0);
  up_->setEnabled(sel > 0);
  down_->setEnabled(sel >= 0 && sel + 1 < n);
}

}  // namespace initscope::ui
