#include "layermodel.h"

#include <QBrush>
#include <QColor>
#include <QComboBox>
#include <QRegularExpression>

#include <cmath>

namespace initscope::ui {
namespace {

QString str(std::string_view s) { return QString::fromLatin1(s.data(), static_cast<qsizetype>(s.size())); }

QString pairText(int a, int b) { return a == b ? QString::number(a) : QStringLiteral("%1x%2").arg(a).arg(b); }

// "3", "3x5", "3,5" or "3 x 5" -> (3, 3) or (3, 5).
bool parsePair(const QString& text, int lo, int* a, int* b) {
  static const QRegularExpression re(QStringLiteral("^\\s*(\\d+)\\s*(?:[x,×]\\s*(\\d+))?\\s*$"));
  const auto m = re.match(text);
  if (!m.hasMatch()) return false;
  *a = m.captured(1).toInt();
  *b = m.captured(2).isEmpty() ? *a : m.captured(2).toInt();
  return *a >= lo && *b >= lo && *a <= 100000 && *b <= 100000;
}

// The shape of one example: (8, 14, 14) for a batch shape (100, 8, 14, 14).
QString exampleShape(const Shape& s) {
  QStringList parts;
  for (int i = 1; i < s.rank; ++i) parts << QString::number(s[i]);
  return parts.join(QStringLiteral("×"));
}

bool isPool(LayerKind k) { return k == LayerKind::MaxPool2d || k == LayerKind::AvgPool2d; }

}  // namespace

LayerSpec defaultLayer(LayerKind kind, const Shape& input) {
  const int channels = input.rank == 4 ? input[1] : 1;
  const int features = input.rank >= 2 ? static_cast<int>(input.itemSize()) : 1;
  switch (kind) {
    case LayerKind::Conv2d: return LayerSpec::conv2d(channels, std::max(channels, 8), 3, 1, 1);
    case LayerKind::Linear: return LayerSpec::linear(features, 64);
    case LayerKind::ReLU: return LayerSpec::relu();
    case LayerKind::LeakyReLU: return LayerSpec::leakyRelu();
    case LayerKind::Tanh: return LayerSpec::tanh();
    case LayerKind::Sigmoid: return LayerSpec::sigmoid();
    case LayerKind::GELU: return LayerSpec::gelu();
    case LayerKind::MaxPool2d: return LayerSpec::maxPool2d(2);
    case LayerKind::AvgPool2d: return LayerSpec::avgPool2d(2);
    case LayerKind::AdaptiveAvgPool2d: return LayerSpec::adaptiveAvgPool2d(1, 1);
    case LayerKind::Flatten: return LayerSpec::flatten();
    case LayerKind::BatchNorm2d: return LayerSpec::batchNorm2d(channels);
  }
  return LayerSpec::relu();
}

LayerModel::LayerModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerModel::setStack(const std::vector<LayerSpec>& layers, const InitSpec& networkInit) {
  networkInit_ = networkInit;
  if (layers.size() == layers_.size()) {
    layers_ = layers;
    if (!layers_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    return;
  }
  beginResetModel();
  layers_ = layers;
  endResetModel();
}

void LayerModel::setShapes(const std::vector<Shape>& shapes, int errorRow, const QString& error) {
  shapes_ = shapes;
  errorRow_ = errorRow;
  error_ = error;
  if (!layers_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

Shape LayerModel::inputShapeOf(int row) const {
  return row >= 0 && row < static_cast<int>(shapes_.size()) ? shapes_[static_cast<std::size_t>(row)] : Shape();
}

int LayerModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(layers_.size());
}
int LayerModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

bool LayerModel::applies(LayerKind k, int column) {
  switch (column) {
    case Index:
    case Kind:
    case Output: return true;
    case In: return k == LayerKind::Conv2d || k == LayerKind::Linear || k == LayerKind::BatchNorm2d;
    case Out:
    case Bias:
    case Init: return k == LayerKind::Conv2d || k == LayerKind::Linear;
    case Kernel: return k == LayerKind::Conv2d || isPool(k) || k == LayerKind::AdaptiveAvgPool2d;
    case Stride:
    case Pad: return k == LayerKind::Conv2d || isPool(k);
    case Param: return k == LayerKind::LeakyReLU || k == LayerKind::BatchNorm2d;
    default: return false;
  }
}

QVariant LayerModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const int row = index.row(), col = index.column();
  const LayerSpec& l = layers_[static_cast<std::size_t>(row)];
  const bool bad = row == errorRow_;
  if (role == Qt::BackgroundRole && bad) return QBrush(QColor(255, 222, 222));
  if (role == Qt::ForegroundRole && col == Output && bad) return QBrush(QColor(180, 20, 20));
  if (role == Qt::ToolTipRole) {
    if (bad) return QStringLiteral("<b>This layer cannot run:</b><br>%1").arg(error_.toHtmlEscaped());
    if (col == Init)
      return tr("Per-layer weight init; 'network' uses the network-wide scheme.\n"
                "Choosing a scheme copies the network's a, fan mode and nonlinearity.");
    if (col == Kernel && l.kind == LayerKind::AdaptiveAvgPool2d) return tr("output size (H x W)");
    return QString::fromStdString(l.label());
  }
  if (role == Qt::TextAlignmentRole)
    return QVariant::fromValue(col == Kind || col == Init || col == Output ? Qt::AlignLeft | Qt::AlignVCenter
                                                                           : Qt::AlignCenter);
  if (role == kKindRole) {
    if (col == Kind) return static_cast<int>(l.kind);
    if (col == Init) return l.init ? static_cast<int>(l.init->scheme) : -1;
    return {};
  }
  if (col == Bias && role == Qt::CheckStateRole && applies(l.kind, Bias)) return l.bias ? Qt::Checked : Qt::Unchecked;
  if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
  if (!applies(l.kind, col)) return {};
  switch (col) {
    case Index: return row + 1;
    case Kind: return str(toString(l.kind));
    case In: return l.inChannels;
    case Out: return l.outChannels;
    case Kernel: return l.kind == LayerKind::AdaptiveAvgPool2d ? pairText(l.outH, l.outW) : pairText(l.kernelH, l.kernelW);
    case Stride: return pairText(l.strideH, l.strideW);
    case Pad: return pairText(l.padH, l.padW);
    case Param: return l.kind == LayerKind::LeakyReLU ? l.negativeSlope : l.eps;
    case Init: return l.init ? str(toString(l.init->scheme)) : QStringLiteral("—");
    case Output:
      if (bad) return QStringLiteral("✗ cannot run");
      if (row + 1 < static_cast<int>(shapes_.size())) return exampleShape(shapes_[static_cast<std::size_t>(row) + 1]);
      return QStringLiteral("?");
    default: return {};
  }
}

QVariant LayerModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal) return {};
  static const char* names[] = {"#", "layer", "output", "in", "out", "kernel", "stride", "pad", "bias", "param", "init"};
  static const char* tips[] = {"position in the stack",
                               "layer kind",
                               "output shape of one example (C × H × W or F)",
                               "in_channels / in_features / num_features",
                               "out_channels / out_features",
                               "kernel_size (adaptive pool: output_size); 3 or 3x5",
                               "stride; 2 or 2x1",
                               "padding; 1 or 1x2",
                               "bias parameter",
                               "leaky_relu negative_slope; batchnorm eps",
                               "per-layer weight init override"};
  if (section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) return tr(names[section]);
  if (role == Qt::ToolTipRole) return tr(tips[section]);
  return {};
}

Qt::ItemFlags LayerModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  const LayerKind k = layers_[static_cast<std::size_t>(index.row())].kind;
  if (index.column() == Index || index.column() == Output || !applies(k, index.column())) return f;
  if (index.column() == Bias) return f | Qt::ItemIsUserCheckable;
  return f | Qt::ItemIsEditable;
}

bool LayerModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || index.row() >= rowCount()) return false;
  const int row = index.row(), col = index.column();
  std::vector<LayerSpec> next = layers_;
  LayerSpec& l = next[static_cast<std::size_t>(row)];
  const QString layerName = QStringLiteral("layer %1").arg(row + 1);
  QString what;
  auto reject = [&](const QString& why) {
    emit editRejected(QStringLiteral("%1 %2: %3").arg(layerName, headerData(col, Qt::Horizontal, Qt::DisplayRole).toString(), why));
    return false;
  };
  if (col == Bias && role == Qt::CheckStateRole) {
    l.bias = value.toInt() == Qt::Checked;
    what = QStringLiteral("%1 bias %2").arg(layerName, l.bias ? "on" : "off");
  } else if (role == Qt::EditRole && col == Kind) {
    const auto kind = static_cast<LayerKind>(value.toInt());
    if (kind == l.kind) return false;
    l = defaultLayer(kind, inputShapeOf(row));
    what = QStringLiteral("%1 -> %2").arg(layerName, str(toString(kind)));
  } else if (role == Qt::EditRole && col == Init) {
    const int scheme = value.toInt();
    if (scheme < 0) {
      l.init.reset();
    } else {
      InitSpec s = networkInit_;
      s.scheme = static_cast<Scheme>(scheme);
      l.init = s;
    }
    what = QStringLiteral("%1 init %2").arg(layerName, scheme < 0 ? QStringLiteral("network") : str(toString(l.init->scheme)));
  } else if (role == Qt::EditRole) {
    const QString text = value.toString();
    bool ok = true;
    int a = 0, b = 0;
    switch (col) {
      case In:
      case Out: {
        const int v = text.trimmed().toInt(&ok);
        if (!ok || v < 1 || v > Limits::kMaxChannels) return reject(tr("expected a whole number 1..%1").arg(Limits::kMaxChannels));
        (col == In ? l.inChannels : l.outChannels) = v;
        break;
      }
      case Kernel:
        if (!parsePair(text, 1, &a, &b)) return reject(tr("expected a size such as 3 or 3x5"));
        if (l.kind == LayerKind::AdaptiveAvgPool2d) {
          l.outH = a, l.outW = b;
        } else {
          if (isPool(l.kind) && l.strideH == l.kernelH && l.strideW == l.kernelW) l.strideH = a, l.strideW = b;
          l.kernelH = a, l.kernelW = b;
        }
        break;
      case Stride:
        if (!parsePair(text, 1, &a, &b)) return reject(tr("expected a stride such as 2 or 2x1"));
        l.strideH = a, l.strideW = b;
        break;
      case Pad:
        if (!parsePair(text, 0, &a, &b)) return reject(tr("expected a padding such as 1 or 1x2"));
        l.padH = a, l.padW = b;
        break;
      case Param: {
        const double v = text.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v)) return reject(tr("expected a number"));
        if (l.kind == LayerKind::BatchNorm2d && !(v > 0)) return reject(tr("eps must be positive"));
        (l.kind == LayerKind::LeakyReLU ? l.negativeSlope : l.eps) = v;
        break;
      }
      default: return false;
    }
    what = QStringLiteral("%1 %2 = %3").arg(layerName, headerData(col, Qt::Horizontal, Qt::DisplayRole).toString(), text.trimmed());
  } else {
    return false;
  }
  if (next == layers_) return false;
  emit stackEdited(next, what);
  return true;
}

QWidget* LayerDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  if (index.column() == LayerModel::Kind) {
    auto* c = new QComboBox(parent);
    for (LayerKind k : allLayerKinds()) c->addItem(str(toString(k)), static_cast<int>(k));
    return c;
  }
  if (index.column() == LayerModel::Init) {
    auto* c = new QComboBox(parent);
    c->addItem(tr("network"), -1);
    for (Scheme s : allSchemes()) c->addItem(str(toString(s)), static_cast<int>(s));
    return c;
  }
  return QStyledItemDelegate::createEditor(parent, option, index);
}

void LayerDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  if (auto* c = qobject_cast<QComboBox*>(editor)) {
    c->setCurrentIndex(std::max(0, c->findData(index.data(LayerModel::kKindRole))));
    return;
  }
  QStyledItemDelegate::setEditorData(editor, index);
}

void LayerDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const {
  if (auto* c = qobject_cast<QComboBox*>(editor)) {
    model->setData(index, c->currentData(), Qt::EditRole);
    return;
  }
  QStyledItemDelegate::setModelData(editor, model, index);
}

}  // namespace initscope::ui
