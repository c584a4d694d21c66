#pragma once
// torch.nn.init, with PyTorch's names, formulas and defaults. One small function per scheme.
#include "rng.h"
#include "tensor.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace initscope {

enum class Nonlinearity {
  Linear, Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  Sigmoid, Tanh, ReLU, LeakyReLU, SELU
};

enum class FanMode { FanIn, FanOut };

enum class Scheme {
  PyTorchDefault,  // kaiming_uniform_(a=sqrt 5): bound = 1/sqrt(fan_in)
  Uniform, Normal, TruncNormal, Constant, Zeros, Ones,
  XavierUniform, XavierNormal, KaimingUniform, KaimingNormal, Orthogonal,
  LSUV  // orthogonal, then rescaled on a data batch (done by the network: see lsuv.h)
};

enum class BiasScheme { PyTorchDefault, Zeros, Constant };

// torch.nn.init.calculate_gain(nonlinearity, param). For leaky_relu a missing param means 0.01.
double calculateGain(Nonlinearity nl, std::optional<double> param = std::nullopt);

struct Fans {
  double fanIn = 0;
  double fanOut = 0;
};
// torch.nn.init._calculate_fan_in_and_fan_out: needs rank >= 2; fan_in = size(1) * receptive field.
Fans calculateFans(const Shape& weightShape);

// Every parameter a scheme may take; each scheme reads only its own (PyTorch's defaults here).
struct InitSpec {
  Scheme scheme = Scheme::PyTorchDefault;
  double a = 0.0;                                        // kaiming negative slope
  FanMode mode = FanMode::FanIn;                         // kaiming
  Nonlinearity nonlinearity = Nonlinearity::LeakyReLU;   // kaiming
  double gain = 1.0;                                     // xavier, orthogonal
  double low = 0.0, high = 1.0;                          // uniform
  double mean = 0.0, std = 1.0;                          // normal, trunc_normal
  double truncLow = -2.0, truncHigh = 2.0;               // trunc_normal (absolute bounds, as torch)
  double value = 0.0;                                    // constant
  double lsuvTolerance = 0.01;                           // LSUV: |std - 1| allowed
  int lsuvMaxIterations = 10;                            // LSUV

  bool operator==(const InitSpec&) const = default;
};

struct BiasSpec {
  BiasScheme scheme = BiasScheme::PyTorchDefault;  // uniform(+-1/sqrt(fan_in))
  double value = 0.0;                              // constant
  bool operator==(const BiasSpec&) const = default;
};

// What a scheme does to a weight of this shape, for the explain panel and for tests.
struct InitDescription {
  std::string distribution;  // "uniform", "normal", "trunc_normal", "constant", "orthogonal"
  double gain = 1.0;         // the gain in the formula (kaiming/xavier/orthogonal/default)
  double fan = 0.0;          // the fan the formula divides by (0 where none)
  double mean = 0.0;
  double std = 0.0;          // the std of the distribution drawn from
  double bound = 0.0;        // uniform: values in [mean - bound, mean + bound]; 0 otherwise
  std::string formula;       // e.g. "std = gain / sqrt(fan_in) = 0.5774 / sqrt(25) = 0.1155"
};
InitDescription describeInit(const InitSpec& spec, const Shape& weightShape);

// Fills a weight tensor (rank >= 2 for fan-based schemes) with the scheme, drawing from rng.
template <class T>
void initWeight(TensorT<T>& w, const InitSpec& spec, const Rng& rng);

// Fills a bias; fanIn is the owning layer's weight fan_in.
template <class T>
void initBias(TensorT<T>& b, const BiasSpec& spec, double fanIn, const Rng& rng);

// The exact std of a normal(mean, std) truncated to [lo, hi].
double truncatedNormalStd(double mean, double std, double lo, double hi);

// Names as PyTorch spells them ("kaiming_uniform", "fan_in", "leaky_relu", ...).
std::string_view toString(Nonlinearity v);
std::string_view toString(FanMode v);
std::string_view toString(Scheme v);
std::string_view toString(BiasScheme v);
std::optional<Nonlinearity> parseNonlinearity(std::string_view s);
std::optional<FanMode> parseFanMode(std::string_view s);
std::optional<Scheme> parseScheme(std::string_view s);
std::optional<BiasScheme> parseBiasScheme(std::string_view s);
std::vector<Scheme> allSchemes();
std::vector<Nonlinearity> allNonlinearities();

}  // namespace initscope
