#pragma once
// Export: one figure (exportPlot) or a whole widget (the plot area, the window) as PNG, SVG or
// PDF, and the dialog that asks which, where and how large.
#include <QDialog>
#include <QString>

#include <vector>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace initscope::ui {

// A widget as it is on screen, by the path's extension (.png at scale x its size, .svg, .pdf);
// written through QSaveFile. False + *error on failure.
bool exportWidget(QWidget& widget, const QString& path, double scale, QString* error);

class ExportDialog : public QDialog {
  Q_OBJECT

 public:
  struct Target {
    QString name;
    QCustomPlot* plot = nullptr;  // a single figure, or
    QWidget* widget = nullptr;    // a composite as shown
  };
  ExportDialog(const std::vector<Target>& targets, const QString& directory, QWidget* parent = nullptr);
  // Runs the export chosen; false + *error on failure. The path used is in path().
  bool exportNow(QString* error);
  QString path() const;

 private:
  void updateFields();
  void browse();

  std::vector<Target> targets_;
  QComboBox* target_;
  QSpinBox *width_, *height_;
  QDoubleSpinBox* scale_;
  QLineEdit* path_;
  QLabel* note_;
};

}  // namespace initscope::ui
