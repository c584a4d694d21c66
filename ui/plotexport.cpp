// exportPlot: PNG, SVG and PDF of one QCustomPlot, each written through a temporary file.
#include "figures.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTemporaryFile>

#include <filesystem>

namespace initscope::ui {
namespace {

bool fail(QString* error, const QString& message) {
  if (error) *error = message;
  return false;
}

bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return fail(error, QStringLiteral("%1: cannot write (%2)").arg(path, f.errorString()));
  if (f.write(bytes) != bytes.size()) {
    f.cancelWriting();
    return fail(error, QStringLiteral("%1: write failed (%2)").arg(path, f.errorString()));
  }
  if (!f.commit()) return fail(error, QStringLiteral("%1: cannot save (%2)").arg(path, f.errorString()));
  return true;
}

}  // namespace

bool exportPlot(QCustomPlot& plot, const QString& path, int width, int height, double scale, QString* error) {
  const QString ext = QFileInfo(path).suffix().toLower();
  const int w = width > 0 ? width : plot.width();
  const int h = height > 0 ? height : plot.height();
  if (w <= 0 || h <= 0 || w > 20000 || h > 20000)
    return fail(error, QStringLiteral("%1: size %2 x %3 is outside 1..20000 px").arg(path).arg(w).arg(h));
  if (!(scale > 0.0) || scale > 8.0) return fail(error, QStringLiteral("%1: scale must be in (0, 8]").arg(path));
  // The plot lays itself out at the export size; replot afterwards so the widget shows its own size again.
  struct Restore {
    QCustomPlot& p;
    ~Restore() { p.replot(QCustomPlot::rpQueuedReplot); }
  } restore{plot};

  if (ext == QLatin1String("png")) {
    const QImage image = plot.toPixmap(w, h, scale).toImage();
    if (image.isNull()) return fail(error, QStringLiteral("%1: could not render the plot").arg(path));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) return fail(error, QStringLiteral("%1: PNG encoding failed").arg(path));
    return writeAtomically(path, bytes, error);
  }
  if (ext == QLatin1String("svg")) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator gen;
    gen.setOutputDevice(&buffer);
    gen.setSize(QSize(w, h));
    gen.setViewBox(QRect(0, 0, w, h));
    gen.setTitle(QStringLiteral("initscope"));
    gen.setDescription(QStringLiteral("initscope figure"));
    QCPPainter painter;
    if (!painter.begin(&gen)) return fail(error, QStringLiteral("%1: cannot start the SVG painter").arg(path));
    plot.toPainter(&painter, w, h);
    painter.end();
    buffer.close();
    return writeAtomically(path, bytes, error);
  }
  if (ext == QLatin1String("pdf")) {
    const QFileInfo info(path);
    QTemporaryFile tmp(info.absolutePath() + QStringLiteral("/.%1.XXXXXX.pdf").arg(info.completeBaseName()));
    if (!tmp.open()) return fail(error, QStringLiteral("%1: cannot write (%2)").arg(path, tmp.errorString()));
    const QString tmpName = tmp.fileName();
    tmp.close();
    if (!plot.savePdf(tmpName, w, h, QCP::epNoCosmetic, QStringLiteral("initscope"), QStringLiteral("initscope figure")))
      return fail(error, QStringLiteral("%1: PDF export failed").arg(path));
    std::error_code ec;
    std::filesystem::rename(tmpName.toStdString(), path.toStdString(), ec);
    if (ec) return fail(error, QStringLiteral("%1: cannot replace (%2)").arg(path, QString::fromStdString(ec.message())));
    tmp.setAutoRemove(false);
    return true;
  }
  return fail(error, QStringLiteral("%1: unknown extension '%2' (use .png, .svg or .pdf)").arg(path, ext));
}

}  // namespace initscope::ui
