#include "datapanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QThread>

namespace initscope::ui {

DataPanel::DataPanel(QWidget* parent) : QWidget(parent) {
  form_ = new QFormLayout(this);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  source_ = new QComboBox;
  source_->setObjectName(QStringLiteral("dataSource"));
  source_->addItem(tr("MNIST (10,000 embedded digits)"), static_cast<int>(DataSource::Mnist));
  source_->addItem(tr("IDX files…"), static_cast<int>(DataSource::Idx));
  source_->addItem(tr("Synthetic N(0, 1)"), static_cast<int>(DataSource::Synthetic));
  form_->addRow(tr("Data"), source_);

  idxLabel_ = new QLabel;
  idxLabel_->setWordWrap(true);
  idxLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  idxButton_ = new QPushButton(tr("Choose IDX files…"));
  auto* idxRow = new QWidget;
  auto* idxLayout = new QHBoxLayout(idxRow);
  idxLayout->setContentsMargins(0, 0, 0, 0);
  idxLayout->addWidget(idxLabel_, 1);
  idxLayout->addWidget(idxButton_);
  form_->addRow(tr("Files"), idxRow);

  synthShape_ = new QLineEdit;
  synthShape_->setObjectName(QStringLiteral("syntheticShape"));
  synthShape_->setPlaceholderText(QStringLiteral("1, 28, 28"));
  synthShape_->setToolTip(tr("One example's shape: C, H, W (images) or F (features)"));
  synthShape_->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\s*\\d+(\\s*,\\s*\\d+){0,2}\\s*")), this));
  form_->addRow(tr("Shape"), synthShape_);

  batch_ = new QSpinBox;
  batch_->setObjectName(QStringLiteral("batch"));
  batch_->setRange(1, Limits::kMaxBatch);
  batch_->setKeyboardTracking(false);
  batch_->setAccelerated(true);
  batch_->setToolTip(tr("Examples per run (1..%1)").arg(Limits::kMaxBatch));
  form_->addRow(tr("Batch"), batch_);

  sampling_ = new QComboBox;
  sampling_->addItem(tr("first N"), static_cast<int>(Sampling::First));
  sampling_->addItem(tr("random N (seeded)"), static_cast<int>(Sampling::Random));
  normalize_ = new QCheckBox(tr("normalise"));
  normalize_->setToolTip(tr("(x/255 - mean) / std over the whole set, as the lesson does"));
  auto* sampleRow = new QWidget;
  auto* sampleLayout = new QHBoxLayout(sampleRow);
  sampleLayout->setContentsMargins(0, 0, 0, 0);
  sampleLayout->addWidget(sampling_, 1);
  sampleLayout->addWidget(normalize_);
  form_->addRow(tr("Sampling"), sampleRow);

  loss_ = new QComboBox;
  loss_->setObjectName(QStringLiteral("loss"));
  loss_->addItem(QStringLiteral("mse"), static_cast<int>(LossKind::MSE));
  loss_->addItem(QStringLiteral("cross_entropy"), static_cast<int>(LossKind::CrossEntropy));
  loss_->setToolTip(tr("mse: the output against the labels as floats (the lesson); cross_entropy: logits against classes"));
  form_->addRow(tr("Loss"), loss_);

  bins_ = new QSpinBox;
  bins_->setRange(5, 200);
  bins_->setKeyboardTracking(false);
  threads_ = new QSpinBox;
  threads_->setObjectName(QStringLiteral("threads"));
  threads_->setRange(0, std::max(1, QThread::idealThreadCount()));
  threads_->setSpecialValueText(tr("auto"));
  threads_->setKeyboardTracking(false);
  threads_->setToolTip(tr("Engine threads; auto: one for small runs, every core for large ones.\n"
                          "The results are identical for any count."));
  auto* binsRow = new QWidget;
  auto* binsLayout = new QHBoxLayout(binsRow);
  binsLayout->setContentsMargins(0, 0, 0, 0);
  binsLayout->addWidget(bins_);
  binsLayout->addWidget(new QLabel(tr("Threads")));
  binsLayout->addWidget(threads_);
  form_->addRow(tr("Hist. bins"), binsRow);

  connect(source_, &QComboBox::activated, this, [this] {
    const auto s = static_cast<DataSource>(source_->currentData().toInt());
    if (s == DataSource::Idx && cfg_.data.imagesPath.empty()) {
      chooseIdx();
      return;
    }
    cfg_.data.source = s;
    emitEdit(tr("data %1").arg(QString::fromLatin1(toString(s).data())));
  });
  connect(idxButton_, &QPushButton::clicked, this, &DataPanel::chooseIdx);
  connect(synthShape_, &QLineEdit::editingFinished, this, [this] {
    std::vector<int> dims;
    for (const QString& part : synthShape_->text().split(',', Qt::SkipEmptyParts)) dims.push_back(part.trimmed().toInt());
    if (dims.empty() || dims == cfg_.data.syntheticShape) return;
    cfg_.data.syntheticShape = dims;
    emitEdit(tr("synthetic shape"));
  });
  connect(batch_, &QSpinBox::valueChanged, this, [this](int v) {
    cfg_.data.batch = v;
    emitEdit(tr("batch %1").arg(v));
  });
  connect(sampling_, &QComboBox::activated, this, [this] {
    cfg_.data.sampling = static_cast<Sampling>(sampling_->currentData().toInt());
    emitEdit(tr("sampling"));
  });
  connect(normalize_, &QCheckBox::toggled, this, [this](bool on) {
    cfg_.data.normalize = on;
    emitEdit(on ? tr("normalise") : tr("raw pixels"));
  });
  connect(loss_, &QComboBox::activated, this, [this] {
    cfg_.loss = static_cast<LossKind>(loss_->currentData().toInt());
    emitEdit(tr("loss %1").arg(loss_->currentText()));
  });
  connect(bins_, &QSpinBox::valueChanged, this, [this](int v) {
    cfg_.histogram.bins = v;
    emitEdit(tr("%1 bins").arg(v));
  });
  connect(threads_, &QSpinBox::valueChanged, this, [this](int v) {
    cfg_.threads = v;
    emitEdit(tr("%1 threads").arg(v));
  });
}

void DataPanel::chooseIdx() {
  const QString images = QFileDialog::getOpenFileName(this, tr("IDX images (idx3-ubyte, plain or .gz)"), QString(),
                                                      tr("IDX images (*idx3* *.gz);;All files (*)"));
  if (images.isEmpty()) {
    setConfig(cfg_);
    return;
  }
  const QString labels = QFileDialog::getOpenFileName(this, tr("IDX labels (idx1-ubyte, plain or .gz)"),
                                                      QFileInfo(images).absolutePath(),
                                                      tr("IDX labels (*idx1* *.gz);;All files (*)"));
  if (labels.isEmpty()) {
    setConfig(cfg_);
    return;
  }
  cfg_.data.source = DataSource::Idx;
  cfg_.data.imagesPath = images.toStdString();
  cfg_.data.labelsPath = labels.toStdString();
  emitEdit(tr("IDX files"));
}

void DataPanel::emitEdit(const QString& what) {
  const ExperimentConfig next = cfg_;
  updateVisible();
  emit edited(next, what, -1, 0);
}

void DataPanel::setConfig(const ExperimentConfig& config) {
  cfg_ = config;
  const QSignalBlocker b1(source_), b2(batch_), b3(sampling_), b4(normalize_), b5(loss_), b6(bins_), b7(threads_);
  const DataConfig& d = config.data;
  source_->setCurrentIndex(source_->findData(static_cast<int>(d.source)));
  idxLabel_->setText(d.imagesPath.empty() ? tr("(none)")
                                          : QStringLiteral("%1\n%2").arg(QFileInfo(QString::fromStdString(d.imagesPath)).fileName(),
                                                                         QFileInfo(QString::fromStdString(d.labelsPath)).fileName()));
  idxLabel_->setToolTip(QString::fromStdString(d.imagesPath + "\n" + d.labelsPath));
  QStringList dims;
  for (int v : d.syntheticShape) dims << QString::number(v);
  if (!synthShape_->hasFocus()) synthShape_->setText(dims.join(QStringLiteral(", ")));
  if (batch_->value() != d.batch) batch_->setValue(d.batch);
  sampling_->setCurrentIndex(sampling_->findData(static_cast<int>(d.sampling)));
  normalize_->setChecked(d.normalize);
  loss_->setCurrentIndex(loss_->findData(static_cast<int>(config.loss)));
  if (bins_->value() != config.histogram.bins) bins_->setValue(config.histogram.bins);
  if (config.threads > threads_->maximum()) threads_->setMaximum(config.threads);
  if (threads_->value() != config.threads) threads_->setValue(config.threads);
  updateVisible();
}

void DataPanel::updateVisible() {
  form_->setRowVisible(idxButton_->parentWidget(), cfg_.data.source == DataSource::Idx);
  form_->setRowVisible(synthShape_, cfg_.data.source == DataSource::Synthetic);
  sampling_->parentWidget()->setEnabled(cfg_.data.source != DataSource::Synthetic);
}

}  // namespace initscope::ui
