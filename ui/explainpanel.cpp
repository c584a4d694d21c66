#include "explainpanel.h"

#include <QApplication>
#include <QScrollBar>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <cmath>

namespace initscope::ui {
namespace {

QString str(std::string_view s) { return QString::fromLatin1(s.data(), static_cast<qsizetype>(s.size())); }
QString num(double v, int digits = 4) { return QString::number(v, 'g', digits); }

QString row(const QString& name, const QString& value) {
  return QStringLiteral("<tr><td style='padding-right:10px; color:#555'>%1</td><td>%2</td></tr>").arg(name, value);
}

QString section(const QString& title) {
  return QStringLiteral("<tr><td colspan=2 style='padding-top:8px'><b>%1</b></td></tr>").arg(title);
}

std::optional<Shape> weightShapeOf(const LayerSpec& l) {
  if (l.kind == LayerKind::Conv2d) return Shape{l.outChannels, l.inChannels, l.kernelH, l.kernelW};
  if (l.kind == LayerKind::Linear) return Shape{l.outChannels, l.inChannels};
  return std::nullopt;
}

// The pieces of an InitDescription formula, one per line ("gain = ...; std = ...; bound = ...").
QString formulaHtml(const std::string& formula) {
  QStringList parts = QString::fromStdString(formula).split(QStringLiteral("; "));
  for (QString& p : parts) p = p.toHtmlEscaped();
  return QStringLiteral("<code>%1</code>").arg(parts.join(QStringLiteral("<br>")));
}

QString statsRow(const QString& name, const TensorStats& t) {
  QString v = QStringLiteral("mean %1, std %2").arg(num(t.mean), num(t.std));
  if (t.zeroFraction > 0.001) v += QStringLiteral(", %1% zeros").arg(num(100 * t.zeroFraction, 3));
  if (t.saturatedFraction > 0.001) v += QStringLiteral(", %1% saturated").arg(num(100 * t.saturatedFraction, 3));
  if (!t.allFinite())
    v += QStringLiteral(" <span style='color:#c81e1e'><b>%1 NaN, %2 Inf</b></span>")
             .arg(t.nanCount)
             .arg(t.posInfCount + t.negInfCount);
  return row(name, v);
}

}  // namespace

QString pytorchCall(const InitSpec& s) {
  switch (s.scheme) {
    case Scheme::PyTorchDefault: return QStringLiteral("nn.init.kaiming_uniform_(w, a=math.sqrt(5))  # Conv2d/Linear default");
    case Scheme::KaimingUniform:
    case Scheme::KaimingNormal:
      return QStringLiteral("nn.init.%1_(w, a=%2, mode='%3', nonlinearity='%4')")
          .arg(str(toString(s.scheme)), num(s.a, 5), str(toString(s.mode)), str(toString(s.nonlinearity)));
    case Scheme::XavierUniform:
    case Scheme::XavierNormal: return QStringLiteral("nn.init.%1_(w, gain=%2)").arg(str(toString(s.scheme)), num(s.gain, 5));
    case Scheme::Uniform: return QStringLiteral("nn.init.uniform_(w, a=%1, b=%2)").arg(num(s.low), num(s.high));
    case Scheme::Normal: return QStringLiteral("nn.init.normal_(w, mean=%1, std=%2)").arg(num(s.mean), num(s.std));
    case Scheme::TruncNormal:
      return QStringLiteral("nn.init.trunc_normal_(w, mean=%1, std=%2, a=%3, b=%4)")
          .arg(num(s.mean), num(s.std), num(s.truncLow), num(s.truncHigh));
    case Scheme::Constant: return QStringLiteral("nn.init.constant_(w, %1)").arg(num(s.value));
    case Scheme::Zeros: return QStringLiteral("nn.init.zeros_(w)");
    case Scheme::Ones: return QStringLiteral("nn.init.ones_(w)");
    case Scheme::Orthogonal: return QStringLiteral("nn.init.orthogonal_(w, gain=%1)").arg(num(s.gain, 5));
    case Scheme::LSUV: return QStringLiteral("nn.init.orthogonal_(w); then LSUV rescaling on a batch");
  }
  return {};
}

ExplainPanel::ExplainPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  view_ = new QTextBrowser;
  view_->setObjectName(QStringLiteral("explainText"));
  view_->setFrameShape(QFrame::NoFrame);
  view_->setOpenLinks(false);
  view_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // wrap to the panel's width
  view_->viewport()->setAutoFillBackground(false);
  view_->setStyleSheet(QStringLiteral("QTextBrowser { background: transparent; }"));
  layout->addWidget(view_);
}

QString ExplainPanel::text() const { return html_; }

void ExplainPanel::explain(const ExperimentConfig& config, int layer, const RunResult* last) {
  if (layer < 0 || layer >= static_cast<int>(config.layers.size())) {
    html_ = tr("<p>Select a layer in the stack to see how its weights are initialised.</p>");
    view_->setHtml(html_);
    return;
  }
  const LayerSpec& l = config.layers[static_cast<std::size_t>(layer)];
  QString html = QStringLiteral("<p style='font-size:large'><b>Layer %1</b>: %2</p><table>")
                     .arg(layer + 1)
                     .arg(QString::fromStdString(l.label()).toHtmlEscaped());
  const std::optional<Shape> ws = weightShapeOf(l);
  if (ws) {
    const InitSpec spec = l.init.value_or(config.init);
    html += row(tr("weight"), QString::fromStdString(ws->str()));
    html += row(tr("scheme"), QStringLiteral("%1 <i>(%2)</i>").arg(str(toString(spec.scheme)),
                                                                 l.init ? tr("this layer's override") : tr("network-wide")));
    try {
      const Fans f = calculateFans(*ws);
      const InitDescription d = describeInit(spec, *ws);
      html += row(QStringLiteral("fan_in"), QStringLiteral("%1 = %2 × %3 × %4").arg(num(f.fanIn, 8)).arg(ws->dims[1]).arg(
                                                l.kind == LayerKind::Conv2d ? l.kernelH : 1).arg(l.kind == LayerKind::Conv2d ? l.kernelW : 1));
      html += row(QStringLiteral("fan_out"), num(f.fanOut, 8));
      if (spec.scheme == Scheme::KaimingUniform || spec.scheme == Scheme::KaimingNormal) {
        QString g = QStringLiteral("calculate_gain('%1'%2) = <b>%3</b>")
                        .arg(str(toString(spec.nonlinearity)),
                             spec.nonlinearity == Nonlinearity::LeakyReLU ? QStringLiteral(", a=%1").arg(num(spec.a)) : QString(),
                             num(d.gain));
        html += row(tr("gain(a)"), g);
      } else if (d.gain != 1.0 || spec.scheme == Scheme::PyTorchDefault) {
        html += row(tr("gain"), QStringLiteral("<b>%1</b>").arg(num(d.gain)));
      }
      html += row(tr("distribution"), QString::fromStdString(d.distribution));
      html += row(tr("std"), QStringLiteral("<b>%1</b>").arg(num(d.std)));
      if (d.bound > 0) html += row(tr("bound"), QStringLiteral("<b>±%1</b>").arg(num(d.bound)));
      html += row(tr("formula"), formulaHtml(d.formula));
    } catch (const std::exception& e) {
      html += row(tr("init"), QStringLiteral("<span style='color:#c81e1e'>%1</span>").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    }
    html += row(QStringLiteral("PyTorch"), QStringLiteral("<code>%1</code>").arg(pytorchCall(spec).toHtmlEscaped()));
    if (l.bias) {
      const BiasSpec b = l.biasInit.value_or(config.bias);
      const double fanIn = ws->dims[1] * (l.kind == LayerKind::Conv2d ? l.kernelH * l.kernelW : 1);
      QString bias = str(toString(b.scheme));
      if (b.scheme == BiasScheme::PyTorchDefault)
        bias += QStringLiteral(": U(±1/sqrt(fan_in)) = U(±%1)").arg(num(1.0 / std::sqrt(fanIn)));
      else if (b.scheme == BiasScheme::Constant)
        bias += QStringLiteral(" %1").arg(num(b.value));
      html += row(tr("bias"), bias);
    }
  } else if (l.kind == LayerKind::BatchNorm2d) {
    html += row(tr("init"), tr("weight = 1, bias = 0 (PyTorch's default)"));
  } else {
    html += row(tr("init"), tr("no parameters"));
  }

  // What the last run measured, when it ran this very stack.
  const bool matches = last && last->config.layers == config.layers && layer < static_cast<int>(last->layers.size());
  if (matches) {
    const LayerResult& r = last->layers[static_cast<std::size_t>(layer)];
    const bool stale = !(last->config == config);
    html += section(stale ? tr("Measured (previous run)") : tr("Measured on this batch"));
    html += row(tr("output"), QString::fromStdString(r.outputShape.str()));
    html += statsRow(tr("activation"), r.activation);
    html += statsRow(tr("dL/d(act)"), r.gradient);
    if (r.weight) {
      html += statsRow(tr("weight"), r.weight->value);
      html += statsRow(tr("dL/dW"), r.weight->grad);
      html += row(tr("grad : data"), QStringLiteral("std(dW) / std(W) = %1").arg(num(r.gradDataRatio)));
    }
    if (r.lsuvIterations > 0) html += row(tr("LSUV"), tr("%1 iterations").arg(r.lsuvIterations));
  }
  html += QStringLiteral("</table>");
  const QFont f = QApplication::font();  // follows presentation mode
  if (html == html_ && view_->document()->defaultFont() == f) return;
  view_->document()->setDefaultFont(f);
  html_ = html;
  const int scroll = view_->verticalScrollBar()->value();
  view_->setHtml(html);
  view_->verticalScrollBar()->setValue(scroll);
}

}  // namespace initscope::ui
