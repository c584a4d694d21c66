#include "exportdialog.h"

#include "figures.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSvgGenerator>

namespace initscope::ui {
namespace {

bool fail(QString* error, const QString& message) {
  if (error) *error = message;
  return false;
}

}  // namespace

bool exportWidget(QWidget& widget, const QString& path, double scale, QString* error) {
  const QString ext = QFileInfo(path).suffix().toLower();
  const QSize size = widget.size();
  if (size.isEmpty()) return fail(error, QStringLiteral("%1: the widget has no size").arg(path));
  if (!(scale > 0.0) || scale > 8.0) return fail(error, QStringLiteral("%1: scale must be in (0, 8]").arg(path));
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  if (ext == QLatin1String("png")) {
    QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    widget.render(&painter);
    painter.end();
    if (!image.save(&buffer, "PNG")) return fail(error, QStringLiteral("%1: PNG encoding failed").arg(path));
  } else if (ext == QLatin1String("svg")) {
    QSvgGenerator gen;
    gen.setOutputDevice(&buffer);
    gen.setSize(size);
    gen.setViewBox(QRect(QPoint(0, 0), size));
    gen.setTitle(QStringLiteral("initscope"));
    QPainter painter(&gen);
    widget.render(&painter);
  } else if (ext == QLatin1String("pdf")) {
    QPdfWriter pdf(&buffer);
    pdf.setCreator(QStringLiteral("initscope"));
    pdf.setTitle(QStringLiteral("initscope"));
    pdf.setResolution(96);
    pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter painter(&pdf);
    const double s = std::min(pdf.width() / double(size.width()), pdf.height() / double(size.height()));
    painter.scale(s, s);
    widget.render(&painter);
  } else {
    return fail(error, QStringLiteral("%1: unknown extension '%2' (use .png, .svg or .pdf)").arg(path, ext));
  }
  buffer.close();
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
    return fail(error, QStringLiteral("%1: cannot save (%2)").arg(path, f.errorString()));
  return true;
}

ExportDialog::ExportDialog(const std::vector<Target>& targets, const QString& directory, QWidget* parent)
    : QDialog(parent), targets_(targets) {
  setWindowTitle(tr("Export figure"));
  auto* form = new QFormLayout(this);
  target_ = new QComboBox;
  for (const Target& t : targets_) target_->addItem(t.name);
  form->addRow(tr("What"), target_);
  width_ = new QSpinBox;
  height_ = new QSpinBox;
  for (QSpinBox* s : {width_, height_}) {
    s->setRange(100, 10000);
    s->setSuffix(tr(" px"));
  }
  width_->setValue(1600);
  height_->setValue(1000);
  auto* sizeRow = new QWidget;
  auto* sizeLayout = new QHBoxLayout(sizeRow);
  sizeLayout->setContentsMargins(0, 0, 0, 0);
  sizeLayout->addWidget(width_);
  sizeLayout->addWidget(new QLabel(QStringLiteral("×")));
  sizeLayout->addWidget(height_);
  form->addRow(tr("Size"), sizeRow);
  scale_ = new QDoubleSpinBox;
  scale_->setRange(0.5, 4.0);
  scale_->setSingleStep(0.5);
  scale_->setValue(1.0);
  scale_->setToolTip(tr("PNG: pixels per point (2 = a sharp image for slides)"));
  form->addRow(tr("Scale"), scale_);
  path_ = new QLineEdit(QDir(directory).filePath(QStringLiteral("initscope.png")));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* pathRow = new QWidget;
  auto* pathLayout = new QHBoxLayout(pathRow);
  pathLayout->setContentsMargins(0, 0, 0, 0);
  pathLayout->addWidget(path_, 1);
  pathLayout->addWidget(browse);
  form->addRow(tr("File"), pathRow);
  note_ = new QLabel;
  note_->setWordWrap(true);
  note_->setStyleSheet(QStringLiteral("color: #555;"));
  form->addRow(note_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
  connect(target_, &QComboBox::currentIndexChanged, this, &ExportDialog::updateFields);
  connect(path_, &QLineEdit::textChanged, this, &ExportDialog::updateFields);
  updateFields();
}

QString ExportDialog::path() const { return path_->text(); }

void ExportDialog::browse() {
  const QString p = QFileDialog::getSaveFileName(this, tr("Export"), path_->text(),
                                                 tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
  if (!p.isEmpty()) path_->setText(p);
}

void ExportDialog::updateFields() {
  const int i = target_->currentIndex();
  const bool single = i >= 0 && targets_[static_cast<std::size_t>(i)].plot;
  width_->setEnabled(single);
  height_->setEnabled(single);
  const QString ext = QFileInfo(path_->text()).suffix().toLower();
  scale_->setEnabled(ext == QLatin1String("png"));
  note_->setText(single ? tr("The figure is laid out again at this size; .png, .svg or .pdf by the file name.")
                        : tr("Exported as shown on screen; .png, .svg or .pdf by the file name."));
}

bool ExportDialog::exportNow(QString* error) {
  const int i = target_->currentIndex();
  if (i < 0) return fail(error, tr("nothing to export"));
  const Target& t = targets_[static_cast<std::size_t>(i)];
  if (t.plot) return exportPlot(*t.plot, path(), width_->value(), height_->value(), scale_->value(), error);
  return exportWidget(*t.widget, path(), scale_->value(), error);
}

}  // namespace initscope::ui
