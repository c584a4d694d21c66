#include "initpanel.h"

#include "core/sweep.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <cmath>

namespace initscope::ui {
namespace {

QString name(std::string_view s) { return QString::fromLatin1(s.data(), static_cast<qsizetype>(s.size())); }

bool isKaiming(Scheme s) { return s == Scheme::KaimingUniform || s == Scheme::KaimingNormal; }
bool isXavier(Scheme s) { return s == Scheme::XavierUniform || s == Scheme::XavierNormal; }

QDoubleSpinBox* spin(double lo, double hi, int decimals, double step) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setDecimals(decimals);
  s->setSingleStep(step);
  s->setKeyboardTracking(false);
  return s;
}

QWidget* row(std::initializer_list<QWidget*> widgets) {
  auto* w = new QWidget;
  auto* l = new QHBoxLayout(w);
  l->setContentsMargins(0, 0, 0, 0);
  for (QWidget* x : widgets) l->addWidget(x);
  return w;
}

template <class E>
void selectData(QComboBox* c, E v) {
  const int i = c->findData(static_cast<int>(v));
  if (i >= 0 && i != c->currentIndex()) c->setCurrentIndex(i);
}

void setIfDifferent(QDoubleSpinBox* s, double v) {
  if (s->value() != v) s->setValue(v);
}

}  // namespace

InitPanel::InitPanel(QWidget* parent) : QWidget(parent) {
  form_ = new QFormLayout(this);
  form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  scheme_ = new QComboBox;
  scheme_->setObjectName(QStringLiteral("scheme"));
  for (Scheme s : allSchemes()) scheme_->addItem(name(toString(s)), static_cast<int>(s));
  scheme_->setToolTip(tr("torch.nn.init scheme for every weight (a layer may override it in the stack)"));
  form_->addRow(tr("Scheme"), scheme_);

  aSlider_ = new QSlider(Qt::Horizontal);
  aSlider_->setObjectName(QStringLiteral("aSlider"));
  aSlider_->setRange(0, kSliderSteps);
  aSlider_->setSingleStep(1);
  aSlider_->setPageStep(25);
  aSlider_->setToolTip(tr("kaiming's a: the negative slope of the leaky ReLU the gain is computed for.\n"
                          "Arrow keys step by 0.01, Page Up/Down by 0.25."));
  aSpin_ = spin(0.0, kMaxA, 4, 0.05);
  aSpin_->setObjectName(QStringLiteral("aSpin"));
  aSpin_->setToolTip(aSlider_->toolTip());
  form_->addRow(tr("a"), row({aSlider_, aSpin_}));
  a0_ = new QPushButton(tr("0"));
  a1_ = new QPushButton(tr("1"));
  aSqrt5_ = new QPushButton(QStringLiteral("√5"));
  a0_->setObjectName(QStringLiteral("aZero"));
  a1_->setObjectName(QStringLiteral("aOne"));
  aSqrt5_->setObjectName(QStringLiteral("aSqrt5"));
  a0_->setToolTip(tr("a = 0: the ReLU gain sqrt(2) (He et al. 2015)"));
  a1_->setToolTip(tr("a = 1: gain 1, a linear layer's gain"));
  aSqrt5_->setToolTip(tr("a = sqrt 5: what PyTorch's default init uses (gain 1/sqrt 3)"));
  aHint_ = new QLabel;
  aHint_->setWordWrap(true);
  aHint_->setStyleSheet(QStringLiteral("color: #8a5a00;"));
  form_->addRow(QString(), row({a0_, a1_, aSqrt5_}));
  form_->addRow(QString(), aHint_);

  fanIn_ = new QRadioButton(QStringLiteral("fan_in"));
  fanOut_ = new QRadioButton(QStringLiteral("fan_out"));
  fanIn_->setObjectName(QStringLiteral("fanIn"));
  fanOut_->setObjectName(QStringLiteral("fanOut"));
  auto* fanGroup = new QButtonGroup(this);
  fanGroup->addButton(fanIn_);
  fanGroup->addButton(fanOut_);
  form_->addRow(tr("Fan mode"), row({fanIn_, fanOut_}));
  uniform_ = new QRadioButton(tr("uniform"));
  normal_ = new QRadioButton(tr("normal"));
  uniform_->setObjectName(QStringLiteral("uniform"));
  normal_->setObjectName(QStringLiteral("normal"));
  auto* distGroup = new QButtonGroup(this);
  distGroup->addButton(uniform_);
  distGroup->addButton(normal_);
  form_->addRow(tr("Distribution"), row({uniform_, normal_}));

  nonlinearity_ = new QComboBox;
  nonlinearity_->setObjectName(QStringLiteral("nonlinearity"));
  for (Nonlinearity n : allNonlinearities()) nonlinearity_->addItem(name(toString(n)), static_cast<int>(n));
  nonlinearity_->setToolTip(tr("calculate_gain(nonlinearity, a): only leaky_relu uses a"));
  gainLabel_ = new QLabel;
  gainLabel_->setObjectName(QStringLiteral("gainLabel"));
  gainLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form_->addRow(tr("Gain for"), row({nonlinearity_, gainLabel_}));

  gain_ = spin(0.0, 100.0, 4, 0.1);
  low_ = spin(-100, 100, 4, 0.1);
  high_ = spin(-100, 100, 4, 0.1);
  mean_ = spin(-100, 100, 4, 0.1);
  std_ = spin(0.0, 100, 4, 0.01);
  value_ = spin(-100, 100, 4, 0.1);
  form_->addRow(tr("gain"), gain_);
  form_->addRow(tr("low / high"), row({low_, high_}));
  form_->addRow(tr("mean / std"), row({mean_, std_}));
  form_->addRow(tr("value"), value_);

  bias_ = new QComboBox;
  bias_->setObjectName(QStringLiteral("bias"));
  for (BiasScheme b : {BiasScheme::PyTorchDefault, BiasScheme::Zeros, BiasScheme::Constant})
    bias_->addItem(name(toString(b)), static_cast<int>(b));
  bias_->setToolTip(tr("pytorch_default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))"));
  biasValue_ = spin(-100, 100, 4, 0.1);
  form_->addRow(tr("Bias"), row({bias_, biasValue_}));

  seed_ = new QSpinBox;
  seed_->setObjectName(QStringLiteral("seed"));
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setKeyboardTracking(false);
  reroll_ = new QPushButton(tr("Re-roll"));
  reroll_->setObjectName(QStringLiteral("reroll"));
  reroll_->setToolTip(tr("A new random seed: new weights from the same distribution"));
  form_->addRow(tr("Seed"), row({seed_, reroll_}));

  // Wiring: every control edits a copy of the config and emits it.
  connect(scheme_, &QComboBox::activated, this, [this] {
    cfg_.init.scheme = static_cast<Scheme>(scheme_->currentData().toInt());
    emitEdit(tr("scheme %1").arg(scheme_->currentText()));
  });
  connect(aSlider_, &QSlider::sliderPressed, this, [this] { gesture_ = ++gestureCounter_; });
  connect(aSlider_, &QSlider::sliderReleased, this, [this] { gesture_ = 0; });
  connect(aSlider_, &QSlider::valueChanged, this, [this](int v) {
    setA(v * kMaxA / kSliderSteps, aSlider_->isSliderDown() ? gesture_ : 0);
  });
  connect(aSpin_, &QDoubleSpinBox::valueChanged, this, [this](double v) { setA(v, 0); });
  connect(a0_, &QPushButton::clicked, this, [this] { setA(0.0, 0); });
  connect(a1_, &QPushButton::clicked, this, [this] { setA(1.0, 0); });
  connect(aSqrt5_, &QPushButton::clicked, this, [this] { setA(std::sqrt(5.0), 0); });
  connect(fanIn_, &QRadioButton::clicked, this, [this] {
    cfg_.init.mode = FanMode::FanIn;
    emitEdit(tr("fan_in"));
  });
  connect(fanOut_, &QRadioButton::clicked, this, [this] {
    cfg_.init.mode = FanMode::FanOut;
    emitEdit(tr("fan_out"));
  });
  auto setDist = [this](bool uniform) {
    Scheme& s = cfg_.init.scheme;
    if (isKaiming(s) || s == Scheme::PyTorchDefault) s = uniform ? Scheme::KaimingUniform : Scheme::KaimingNormal;
    else if (isXavier(s)) s = uniform ? Scheme::XavierUniform : Scheme::XavierNormal;
    emitEdit(uniform ? tr("uniform") : tr("normal"));
  };
  connect(uniform_, &QRadioButton::clicked, this, [setDist] { setDist(true); });
  connect(normal_, &QRadioButton::clicked, this, [setDist] { setDist(false); });
  connect(nonlinearity_, &QComboBox::activated, this, [this] {
    cfg_.init.nonlinearity = static_cast<Nonlinearity>(nonlinearity_->currentData().toInt());
    emitEdit(tr("gain for %1").arg(nonlinearity_->currentText()));
  });
  auto param = [this](QDoubleSpinBox* s, double InitSpec::*field, const QString& what) {
    connect(s, &QDoubleSpinBox::valueChanged, this, [this, field, what](double v) {
      cfg_.init.*field = v;
      emitEdit(what);
    });
  };
  param(gain_, &InitSpec::gain, tr("init gain"));
  param(low_, &InitSpec::low, tr("uniform low"));
  param(high_, &InitSpec::high, tr("uniform high"));
  param(mean_, &InitSpec::mean, tr("init mean"));
  param(std_, &InitSpec::std, tr("init std"));
  param(value_, &InitSpec::value, tr("init value"));
  connect(bias_, &QComboBox::activated, this, [this] {
    cfg_.bias.scheme = static_cast<BiasScheme>(bias_->currentData().toInt());
    emitEdit(tr("bias %1").arg(bias_->currentText()));
  });
  connect(biasValue_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    cfg_.bias.value = v;
    emitEdit(tr("bias value"));
  });
  connect(seed_, &QSpinBox::valueChanged, this, [this](int v) {
    cfg_.seed = static_cast<std::uint64_t>(v);
    emitEdit(tr("seed %1").arg(v));
  });
  connect(reroll_, &QPushButton::clicked, this,
          [this] { seed_->setValue(static_cast<int>(QRandomGenerator::global()->bounded(1 << 30))); });
}

void InitPanel::setA(double a, quint64 gesture) {
  a = std::clamp(a, 0.0, kMaxA);
  // As the CLI's --a and the sweep do: a goes into every scheme that takes one, and PyTorch's
  // default (kaiming_uniform with a = sqrt 5) becomes kaiming_uniform(a).
  try {
    cfg_ = withA(cfg_, a);
  } catch (const std::invalid_argument&) {
    cfg_.init.a = a;  // no scheme takes a: stored, the hint says it has no effect
  }
  emitEdit(tr("a = %1").arg(a, 0, 'g', 4), 1, gesture);
}

void InitPanel::emitEdit(const QString& what, int id, quint64 gesture) {
  const ExperimentConfig next = cfg_;
  setConfig(next);  // keeps the other controls consistent (slider <-> spin box, enabled states)
  emit edited(next, what, id, gesture);
}

void InitPanel::setConfig(const ExperimentConfig& config) {
  cfg_ = config;
  const QSignalBlocker b1(scheme_), b2(aSlider_), b3(aSpin_), b4(nonlinearity_), b5(bias_), b6(biasValue_), b7(seed_),
      b8(gain_), b9(low_), b10(high_), b11(mean_), b12(std_), b13(value_);
  const InitSpec& s = config.init;
  selectData(scheme_, s.scheme);
  // PyTorch's default is kaiming_uniform with a = sqrt 5: show the a it uses.
  const double a = s.scheme == Scheme::PyTorchDefault ? std::sqrt(5.0) : s.a;
  setIfDifferent(aSpin_, a);
  const int pos = static_cast<int>(std::lround(a / kMaxA * kSliderSteps));
  if (!aSlider_->isSliderDown() && aSlider_->value() != pos) aSlider_->setValue(pos);
  fanIn_->setChecked(s.mode == FanMode::FanIn);
  fanOut_->setChecked(s.mode == FanMode::FanOut);
  const bool uniform = s.scheme == Scheme::KaimingUniform || s.scheme == Scheme::XavierUniform ||
                       s.scheme == Scheme::PyTorchDefault || s.scheme == Scheme::Uniform;
  uniform_->setChecked(uniform);
  normal_->setChecked(!uniform);
  selectData(nonlinearity_, s.nonlinearity);
  setIfDifferent(gain_, s.gain);
  setIfDifferent(low_, s.low);
  setIfDifferent(high_, s.high);
  setIfDifferent(mean_, s.mean);
  setIfDifferent(std_, s.std);
  setIfDifferent(value_, s.value);
  selectData(bias_, config.bias.scheme);
  setIfDifferent(biasValue_, config.bias.value);
  if (seed_->value() != static_cast<int>(config.seed)) seed_->setValue(static_cast<int>(config.seed));
  updateEnabled();
}

void InitPanel::updateEnabled() {
  const InitSpec& s = cfg_.init;
  const bool kaiming = isKaiming(s.scheme);
  fanIn_->setEnabled(kaiming);
  fanOut_->setEnabled(kaiming);
  nonlinearity_->setEnabled(kaiming);
  const bool dist = kaiming || isXavier(s.scheme) || s.scheme == Scheme::PyTorchDefault;
  uniform_->setEnabled(dist);
  normal_->setEnabled(dist);

  double gain = 0;
  QString gainText;
  if (kaiming) {
    gain = calculateGain(s.nonlinearity, s.a);
    gainText = QStringLiteral("gain = %1").arg(gain, 0, 'g', 4);
  } else if (s.scheme == Scheme::PyTorchDefault) {
    gainText = QStringLiteral("gain = %1").arg(calculateGain(Nonlinearity::LeakyReLU, std::sqrt(5.0)), 0, 'g', 4);
  } else if (isXavier(s.scheme) || s.scheme == Scheme::Orthogonal) {
    gainText = QStringLiteral("gain = %1").arg(s.gain, 0, 'g', 4);
  }
  gainLabel_->setText(gainText);

  QString hint;
  if (s.scheme == Scheme::PyTorchDefault)
    hint = tr("pytorch_default is kaiming_uniform with a = √5; moving a switches to kaiming_uniform.");
  else if (!kaiming)
    hint = tr("a only affects kaiming_uniform and kaiming_normal.");
  else if (s.nonlinearity != Nonlinearity::LeakyReLU)
    hint = tr("a only changes the gain for leaky_relu.");
  aHint_->setText(hint);
  aHint_->setVisible(!hint.isEmpty());

  form_->setRowVisible(gain_, isXavier(s.scheme) || s.scheme == Scheme::Orthogonal);
  form_->setRowVisible(low_->parentWidget(), s.scheme == Scheme::Uniform);
  form_->setRowVisible(mean_->parentWidget(), s.scheme == Scheme::Normal || s.scheme == Scheme::TruncNormal);
  form_->setRowVisible(value_, s.scheme == Scheme::Constant);
  biasValue_->setVisible(cfg_.bias.scheme == BiasScheme::Constant);
}

}  // namespace initscope::ui
