#include "style.h"

#include <QApplication>

namespace initscope::ui::style {

Sizes sizes(bool presentation) {
  if (presentation) return {15.0, 16.0, 17.0, 3.5, 11.0, 12.0};
  return {9.0, 10.0, 11.5, 1.8, 7.0, 8.0};
}

QFont font(double pointSize, bool bold) {
  QFont f = QApplication::font();
  f.setPointSizeF(pointSize);
  f.setBold(bold);
  return f;
}

QPen pen(const QColor& c, double width, Qt::PenStyle s) {
  QPen p(c, width, s);
  p.setCapStyle(Qt::FlatCap);
  p.setJoinStyle(Qt::RoundJoin);
  return p;
}

QColor alpha(QColor c, int a) {
  c.setAlpha(a);
  return c;
}

}  // namespace initscope::ui::style
