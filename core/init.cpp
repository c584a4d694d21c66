#include "init.h"

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace initscope {
namespace {

struct NameTable {
  template <class E, std::size_t N>
  static std::string_view find(const std::array<std::pair<E, std::string_view>, N>& t, E v) {
    for (const auto& [e, s] : t)
      if (e == v) return s;
    return "?";
  }
  template <class E, std::size_t N>
  static std::optional<E> parse(const std::array<std::pair<E, std::string_view>, N>& t, std::string_view s) {
    for (const auto& [e, n] : t)
      if (n == s) return e;
    return std::nullopt;
  }
};

constexpr std::array<std::pair<Nonlinearity, std::string_view>, 12> kNonlinearities{{
    {Nonlinearity::Linear, "linear"},
    {Nonlinearity::Conv1d, "conv1d"},
    {Nonlinearity::Conv2d, "conv2d"},
    {Nonlinearity::Conv3d, "conv3d"},
    {Nonlinearity::ConvTranspose1d, "conv_transpose1d"},
    {Nonlinearity::ConvTranspose2d, "conv_transpose2d"},
    {Nonlinearity::ConvTranspose3d, "conv_transpose3d"},
    {Nonlinearity::Sigmoid, "sigmoid"},
    {Nonlinearity::Tanh, "tanh"},
    {Nonlinearity::ReLU, "relu"},
    {Nonlinearity::LeakyReLU, "leaky_relu"},
    {Nonlinearity::SELU, "selu"},
}};
constexpr std::array<std::pair<FanMode, std::string_view>, 2> kFanModes{{
    {FanMode::FanIn, "fan_in"},
    {FanMode::FanOut, "fan_out"},
}};
constexpr std::array<std::pair<Scheme, std::string_view>, 13> kSchemes{{
    {Scheme::PyTorchDefault, "pytorch_default"},
    {Scheme::Uniform, "uniform"},
    {Scheme::Normal, "normal"},
    {Scheme::TruncNormal, "trunc_normal"},
    {Scheme::Constant, "constant"},
    {Scheme::Zeros, "zeros"},
    {Scheme::Ones, "ones"},
    {Scheme::XavierUniform, "xavier_uniform"},
    {Scheme::XavierNormal, "xavier_normal"},
    {Scheme::KaimingUniform, "kaiming_uniform"},
    {Scheme::KaimingNormal, "kaiming_normal"},
    {Scheme::Orthogonal, "orthogonal"},
    {Scheme::LSUV, "lsuv"},
}};
constexpr std::array<std::pair<BiasScheme, std::string_view>, 3> kBiasSchemes{{
    {BiasScheme::PyTorchDefault, "pytorch_default"},
    {BiasScheme::Zeros, "zeros"},
    {BiasScheme::Constant, "constant"},
}};

double normalCdf(double x) { return 0.5 * (1.0 + std::erf(x / std::numbers::sqrt2)); }

// Inverse error function: Giles' single-precision approximation refined by Newton steps on erf.
double erfinv(double y) {
  if (y <= -1.0) return -INFINITY;
  if (y >= 1.0) return INFINITY;
  double w = -std::log((1.0 - y) * (1.0 + y));
  double x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941})
      p = c + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                     0.00943887047, 1.00167406, 2.83297682})
      p = c + p * w;
    x = p * y;
  }
  const double k = 2.0 / std::sqrt(std::numbers::pi);
  for (int i = 0; i < 3; ++i) x -= (std::erf(x) - y) / (k * std::exp(-x * x));
  return x;
}

template <class T, class F>
void fillIndexed(TensorT<T>& w, F&& f) {
  const auto n = static_cast<std::int64_t>(w.numel());
  T* p = w.ptr();
#pragma omp parallel for schedule(static) if (n > 65536)
  for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(f(static_cast<std::uint64_t>(i)));
}

template <class T>
void fillUniform(TensorT<T>& w, const Rng& rng, double lo, double hi) {
  fillIndexed(w, [&](std::uint64_t i) { return lo + (hi - lo) * rng.uniform01(i); });
}

template <class T>
void fillNormal(TensorT<T>& w, const Rng& rng, double mean, double std) {
  fillIndexed(w, [&](std::uint64_t i) { return mean + std * rng.normal(i); });
}

// torch.nn.init.trunc_normal_: inverse-CDF sampling, then clamped to [lo, hi].
template <class T>
void fillTruncNormal(TensorT<T>& w, const Rng& rng, double mean, double std, double lo, double hi) {
  if (!(std > 0) || !(lo < hi)) throw std::invalid_argument("trunc_normal needs std > 0 and a < b");
  const double l = normalCdf((lo - mean) / std), u = normalCdf((hi - mean) / std);
  fillIndexed(w, [&](std::uint64_t i) {
    const double v = 2.0 * (l + (u - l) * rng.uniform01(i)) - 1.0;
    const double x = erfinv(v) * std * std::numbers::sqrt2 + mean;
    return std::clamp(x, lo, hi);
  });
}

template <class T>
void fillOrthogonal(TensorT<T>& w, const Rng& rng, double gain) {
  if (w.shape.rank < 2) throw std::invalid_argument("orthogonal init needs a tensor with 2 or more dimensions");
  const Eigen::Index rows = w.shape[0];
  const Eigen::Index cols = static_cast<Eigen::Index>(w.numel()) / rows;
  using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Mat flat(rows, cols);
  for (Eigen::Index i = 0; i < flat.size(); ++i) flat.data()[i] = rng.normal(static_cast<std::uint64_t>(i));
  const bool transposed = rows < cols;
  Eigen::MatrixXd a = transposed ? Eigen::MatrixXd(flat.transpose()) : Eigen::MatrixXd(flat);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(a.rows(), a.cols());
  const Eigen::VectorXd d = qr.matrixQR().diagonal();
  for (Eigen::Index j = 0; j < q.cols(); ++j)
    if (d(j) < 0) q.col(j) = -q.col(j);
  Mat out = transposed ? Mat(q.transpose()) : Mat(q);
  for (Eigen::Index i = 0; i < out.size(); ++i) w.data[static_cast<std::size_t>(i)] = static_cast<T>(gain * out.data()[i]);
}

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a, b, c, d);
  return buf;
}

}  // namespace

double calculateGain(Nonlinearity nl, std::optional<double> param) {
  switch (nl) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv1d:
    case Nonlinearity::Conv2d:
    case Nonlinearity::Conv3d:
    case Nonlinearity::ConvTranspose1d:
    case Nonlinearity::ConvTranspose2d:
    case Nonlinearity::ConvTranspose3d:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: {
      const double slope = param.value_or(0.01);
      if (!std::isfinite(slope)) throw std::invalid_argument("leaky_relu gain: negative slope is not finite");
      return std::sqrt(2.0 / (1.0 + slope * slope));
    }
    case Nonlinearity::SELU: return 3.0 / 4.0;
  }
  throw std::invalid_argument("unknown nonlinearity");
}

Fans calculateFans(const Shape& s) {
  if (s.rank < 2)
    throw std::invalid_argument("fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got " +
                                s.str());
  double receptive = 1.0;
  for (int i = 2; i < s.rank; ++i) receptive *= s[i];
  return {s[1] * receptive, s[0] * receptive};
}

double truncatedNormalStd(double mean, double std, double lo, double hi) {
  const double a = (lo - mean) / std, b = (hi - mean) / std;
  const double pdf = 1.0 / std::sqrt(2.0 * std::numbers::pi);
  const double phiA = pdf * std::exp(-0.5 * a * a), phiB = pdf * std::exp(-0.5 * b * b);
  const double z = normalCdf(b) - normalCdf(a);
  const double m = (phiA - phiB) / z;
  const double var = 1.0 + (a * phiA - b * phiB) / z - m * m;
  return std * std::sqrt(var);
}

InitDescription describeInit(const InitSpec& s, const Shape& shape) {
  InitDescription d;
  auto fanBased = [&](double gain, double fan, const char* fanName, bool uniform) {
    if (!(fan > 0)) throw std::invalid_argument(std::string("cannot initialise a weight of shape ") + shape.str() + ": " + fanName + " is 0");
    d.gain = gain;
    d.fan = fan;
    d.std = gain / std::sqrt(fan);
    d.distribution = uniform ? "uniform" : "normal";
    d.formula = fmt("std = gain / sqrt(fan) = %.4g / sqrt(%g) = %.4g", gain, fan, d.std);
    d.formula.replace(d.formula.find("fan)"), 3, fanName);
    if (uniform) {
      d.bound = std::sqrt(3.0) * d.std;
      d.formula += fmt("; bound = sqrt(3) * std = %.4g", d.bound);
    }
  };
  switch (s.scheme) {
    case Scheme::PyTorchDefault: {
      const Fans f = calculateFans(shape);
      fanBased(calculateGain(Nonlinearity::LeakyReLU, std::sqrt(5.0)), f.fanIn, "fan_in", true);
      d.formula = "kaiming_uniform(a=sqrt 5): " + d.formula + " = 1/sqrt(fan_in)";
      break;
    }
    case Scheme::KaimingUniform:
    case Scheme::KaimingNormal: {
      const Fans f = calculateFans(shape);
      const bool in = s.mode == FanMode::FanIn;
      fanBased(calculateGain(s.nonlinearity, s.a), in ? f.fanIn : f.fanOut, in ? "fan_in" : "fan_out",
               s.scheme == Scheme::KaimingUniform);
      if (s.nonlinearity == Nonlinearity::LeakyReLU)
        d.formula = fmt("gain = sqrt(2 / (1 + a^2)) = %.4g; ", d.gain) + d.formula;
      break;
    }
    case Scheme::XavierUniform:
    case Scheme::XavierNormal: {
      const Fans f = calculateFans(shape);
      d.gain = s.gain;
      d.fan = f.fanIn + f.fanOut;
      if (!(d.fan > 0)) throw std::invalid_argument("cannot initialise a weight of shape " + shape.str() + ": fans are 0");
      d.std = s.gain * std::sqrt(2.0 / d.fan);
      d.distribution = s.scheme == Scheme::XavierUniform ? "uniform" : "normal";
      d.formula = fmt("std = gain * sqrt(2 / (fan_in + fan_out)) = %.4g * sqrt(2 / (%g + %g)) = %.4g", s.gain, f.fanIn,
                      f.fanOut, d.std);
      if (s.scheme == Scheme::XavierUniform) {
        d.bound = std::sqrt(3.0) * d.std;
        d.formula += fmt("; bound = sqrt(3) * std = %.4g", d.bound);
      }
      break;
    }
    case Scheme::Uniform:
      d.distribution = "uniform";
      d.mean = 0.5 * (s.low + s.high);
      d.bound = 0.5 * (s.high - s.low);
      d.std = (s.high - s.low) / std::sqrt(12.0);
      d.formula = fmt("U(%g, %g): std = (b - a) / sqrt(12) = %.4g", s.low, s.high, d.std);
      break;
    case Scheme::Normal:
      d.distribution = "normal";
      d.mean = s.mean;
      d.std = s.std;
      d.formula = fmt("N(%g, %g^2)", s.mean, s.std);
      break;
    case Scheme::TruncNormal:
      d.distribution = "trunc_normal";
      d.mean = s.mean;
      d.std = truncatedNormalStd(s.mean, s.std, s.truncLow, s.truncHigh);
      d.formula = fmt("N(%g, %g^2) truncated to [%g, %g]", s.mean, s.std, s.truncLow, s.truncHigh) +
                  fmt(": std = %.4g", d.std);
      break;
    case Scheme::Constant:
    case Scheme::Zeros:
    case Scheme::Ones:
      d.distribution = "constant";
      d.mean = s.scheme == Scheme::Constant ? s.value : (s.scheme == Scheme::Ones ? 1.0 : 0.0);
      d.formula = fmt("constant %g", d.mean);
      break;
    case Scheme::Orthogonal:
    case Scheme::LSUV: {
      const double gain = s.scheme == Scheme::Orthogonal ? s.gain : 1.0;
      const Fans f = calculateFans(shape);
      d.distribution = "orthogonal";
      d.gain = gain;
      d.std = gain / std::sqrt(std::max(f.fanIn, shape[0] * 1.0));
      d.formula = fmt("orthogonal rows, gain %g: std ~ gain / sqrt(max(rows, cols)) = %.4g", gain, d.std);
      if (s.scheme == Scheme::LSUV) d.formula = "LSUV: " + d.formula + ", then scaled until each output has std 1";
      break;
    }
  }
  return d;
}

template <class T>
void initWeight(TensorT<T>& w, const InitSpec& s, const Rng& rng) {
  if (w.numel() == 0) return;
  switch (s.scheme) {
    case Scheme::Uniform:
      if (!(s.low <= s.high)) throw std::invalid_argument("uniform init needs low <= high");
      fillUniform(w, rng, s.low, s.high);
      return;
    case Scheme::Normal:
      if (!(s.std >= 0)) throw std::invalid_argument("normal init needs std >= 0");
      fillNormal(w, rng, s.mean, s.std);
      return;
    case Scheme::TruncNormal: fillTruncNormal(w, rng, s.mean, s.std, s.truncLow, s.truncHigh); return;
    case Scheme::Constant:
    case Scheme::Zeros:
    case Scheme::Ones:
      std::fill(w.data.begin(), w.data.end(), static_cast<T>(describeInit(s, w.shape).mean));
      return;
    case Scheme::Orthogonal: fillOrthogonal(w, rng, s.gain); return;
    case Scheme::LSUV: fillOrthogonal(w, rng, 1.0); return;
    case Scheme::PyTorchDefault:
    case Scheme::KaimingUniform:
    case Scheme::KaimingNormal:
    case Scheme::XavierUniform:
    case Scheme::XavierNormal: {
      const InitDescription d = describeInit(s, w.shape);
      if (d.distribution == "uniform")
        fillUniform(w, rng, -d.bound, d.bound);
      else
        fillNormal(w, rng, 0.0, d.std);
      return;
    }
  }
}

template <class T>
void initBias(TensorT<T>& b, const BiasSpec& s, double fanIn, const Rng& rng) {
  switch (s.scheme) {
    case BiasScheme::Zeros: b.setZero(); return;
    case BiasScheme::Constant: std::fill(b.data.begin(), b.data.end(), static_cast<T>(s.value)); return;
    case BiasScheme::PyTorchDefault: {
      const double bound = fanIn > 0 ? 1.0 / std::sqrt(fanIn) : 0.0;
      fillUniform(b, rng, -bound, bound);
      return;
    }
  }
}

template void initWeight<float>(Tensor&, const InitSpec&, const Rng&);
template void initWeight<double>(TensorD&, const InitSpec&, const Rng&);
template void initBias<float>(Tensor&, const BiasSpec&, double, const Rng&);
template void initBias<double>(TensorD&, const BiasSpec&, double, const Rng&);

std::string_view toString(Nonlinearity v) { return NameTable::find(kNonlinearities, v); }
std::string_view toString(FanMode v) { return NameTable::find(kFanModes, v); }
std::string_view toString(Scheme v) { return NameTable::find(kSchemes, v); }
std::string_view toString(BiasScheme v) { return NameTable::find(kBiasSchemes, v); }
std::optional<Nonlinearity> parseNonlinearity(std::string_view s) { return NameTable::parse(kNonlinearities, s); }
std::optional<FanMode> parseFanMode(std::string_view s) { return NameTable::parse(kFanModes, s); }
std::optional<Scheme> parseScheme(std::string_view s) { return NameTable::parse(kSchemes, s); }
std::optional<BiasScheme> parseBiasScheme(std::string_view s) { return NameTable::parse(kBiasSchemes, s); }

std::vector<Scheme> allSchemes() {
  std::vector<Scheme> v;
  for (const auto& [e, s] : kSchemes) v.push_back(e);
  return v;
}
std::vector<Nonlinearity> allNonlinearities() {
  std::vector<Nonlinearity> v;
  for (const auto& [e, s] : kNonlinearities) v.push_back(e);
  return v;
}

}  // namespace initscope
