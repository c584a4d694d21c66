#pragma once
// Colours and sizes shared by every figure: the Okabe-Ito palette (safe for the common kinds of
// colour blindness) and the two styles, normal and presentation.
#include <QColor>
#include <QFont>
#include <QPen>

namespace initscope::ui::style {

// Okabe & Ito (2008), "Color Universal Design".
inline const QColor kBlack{0, 0, 0};
inline const QColor kOrange{230, 159, 0};
inline const QColor kSkyBlue{86, 180, 233};
inline const QColor kGreen{0, 158, 115};
inline const QColor kYellow{240, 228, 66};
inline const QColor kBlue{0, 114, 178};
inline const QColor kVermillion{213, 94, 0};
inline const QColor kPurple{204, 121, 167};
inline const QColor kGhost{150, 150, 150};
inline const QColor kError{200, 30, 30};

struct Sizes {
  double base;       // point size of tick labels
  double label;      // axis labels and legends
  double title;      // figure titles
  double line;       // data lines
  double marker;     // scatter markers
  double small;      // small multiples' tick labels
};
Sizes sizes(bool presentation);

QFont font(double pointSize, bool bold = false);
QPen pen(const QColor& c, double width, Qt::PenStyle s = Qt::SolidLine);
// The colour with this alpha (0..255).
QColor alpha(QColor c, int a);

}  // namespace initscope::ui::style
