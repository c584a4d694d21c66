// initscope presets and initscope gains: the named experiments, and the gain arithmetic behind
// the lesson.
#include "app/cli_common.h"

#include "core/io.h"
#include "core/presets.h"
#include "core/rng.h"

#include <cmath>
#include <iostream>
#include <sstream>

namespace initscope::cli {

int presetsVerb(int argc, char** argv) {
  static const std::vector<FlagSpec> flags{
      {"json", "FILE", "write every preset (name, description, config) as JSON; - for stdout"},
  };
  const Args a = parseArgs(argc, argv, flags);
  if (a.has("help")) {
    std::cout << helpText("Usage: initscope presets [NAME] [--json FILE]\n\n"
                          "Lists the named experiments with a one-line description; the lesson's are marked *.\n"
                          "With a NAME, prints that preset's config as JSON (a starting point for --config).\n",
                          flags);
    return 0;
  }
  if (a.positional.size() > 1) throw UsageError("one preset at a time ('" + a.positional[1] + "' is extra)");
  if (a.positional.size() == 1) {
    const Preset* p = findPreset(a.positional.front());
    if (!p) throw UsageError("no preset named '" + a.positional.front() + "' (see: initscope presets)");
    const std::string text = toJson(p->config).dump(2) + "\n";
    if (a.has("json"))
      writeOutput(*a.get("json"), text);
    else
      std::cout << text;
    return 0;
  }
  if (a.has("json")) {
    Json all = Json::array();
    for (const Preset& p : presets())
      all.push_back({{"name", p.name}, {"description", p.description}, {"notebook", p.notebook},
                     {"config", toJson(p.config)}});
    writeOutput(*a.get("json"), all.dump(2) + "\n");
    if (*a.get("json") == "-") return 0;
  }
  std::size_t w = 0;
  for (const Preset& p : presets()) w = std::max(w, p.name.size());
  for (const Preset& p : presets())
    std::cout << (p.notebook ? "* " : "  ") << pad(p.name, w + 2) << p.description << "\n";
  std::cout << "\n* an experiment of the lesson (initscope run notebook runs them all)\n";
  return 0;
}

int gainsVerb(int argc, char** argv) {
  static const std::vector<FlagSpec> flags{
      {"a", "A1,A2,...", "the slopes of the gain(a) table (default 1,0,0.01,0.1,sqrt5: the lesson's)"},
      {"fan", "N", "the fan_in for the std and bound columns (default 25: Conv2d(1,32,5))"},
      {"samples", "N", "draws for the empirical std of U(-1, 1) (default 10000, as the lesson)"},
      {"seed", "N", "seed of those draws (default 0)"},
      {"json", "FILE", "write the tables as JSON; - for stdout"},
  };
  const Args a = parseArgs(argc, argv, flags);
  if (a.has("help")) {
    std::cout << helpText("Usage: initscope gains [options]\n\n"
                          "torch.nn.init.calculate_gain for every nonlinearity; the lesson's gain(a) =\n"
                          "sqrt(2 / (1 + a^2)) with the kaiming std gain/sqrt(fan_in) and uniform bound\n"
                          "sqrt(3) * std; and the std of U(-1, 1), 1/sqrt(3), analytic and drawn.\n",
                          flags);
    return 0;
  }
  if (!a.positional.empty()) throw UsageError("gains takes no arguments ('" + a.positional.front() + "')");
  std::vector<double> as{1.0, 0.0, 0.01, 0.1, std::sqrt(5.0)};
  if (a.has("a")) {
    as.clear();
    for (const std::string& s : split(*a.get("a"), ',')) as.push_back(parseNumber(s, "a"));
  }
  const double fan = a.has("fan") ? static_cast<double>(parseInteger(*a.get("fan"), "fan", 1, 1LL << 40)) : 25.0;
  const long long samples = a.has("samples") ? parseInteger(*a.get("samples"), "samples", 2, 100000000) : 10000;
  const std::uint64_t seed = a.has("seed") ? static_cast<std::uint64_t>(parseInteger(*a.get("seed"), "seed", 0, 1LL << 62)) : 0;

  Json doc;
  doc["schema"] = "initscope.gains";
  doc["version"] = 1;
  std::ostringstream os;
  os << "calculate_gain(nonlinearity, param), as torch.nn.init:\n";
  os << "  " << pad("nonlinearity", 20) << pad("param", 16) << "gain\n";
  Json g = Json::array();
  for (Nonlinearity n : allNonlinearities()) {
    const double v = calculateGain(n);
    os << "  " << pad(std::string(toString(n)), 20) << pad(n == Nonlinearity::LeakyReLU ? "0.01 (default)" : "-", 16)
       << num(v, 10) << (n == Nonlinearity::Tanh ? "  (5/3)" : n == Nonlinearity::SELU ? "  (3/4)" : "") << "\n";
    Json row{{"nonlinearity", toString(n)}, {"param", nullptr}, {"gain", v}};
    if (n == Nonlinearity::LeakyReLU) row["param"] = 0.01;
    g.push_back(row);
  }
  doc["calculate_gain"] = g;

  os << "\nthe lesson's gain(a) = sqrt(2 / (1 + a^2)) = calculate_gain('leaky_relu', a); kaiming for fan_in "
     << num(fan, 10) << ":\n";
  os << "  " << pad("a", 12) << pad("gain(a)", 20) << pad("sqrt(2/(1+a^2))", 20) << pad("std", 14) << "bound\n";
  Json t = Json::array();
  for (double av : as) {
    const double gain = calculateGain(Nonlinearity::LeakyReLU, av);
    const double formula = std::sqrt(2.0 / (1.0 + av * av));
    const double std = gain / std::sqrt(fan), bound = std::sqrt(3.0) * std;
    const std::string label = std::abs(av - std::sqrt(5.0)) < 1e-15 ? "sqrt5" : num(av, 10);
    os << "  " << pad(label, 12) << pad(num(gain, 16), 20) << pad(num(formula, 16), 20) << pad(num(std, 6), 14)
       << num(bound, 6) << "\n";
    t.push_back({{"a", av}, {"gain", gain}, {"formula", formula}, {"fan_in", fan}, {"std", std}, {"bound", bound}});
  }
  doc["gain_table"] = t;

  const Rng rng(seed, 0x554e49464f524dULL);
  double sum = 0, ss = 0;
  for (long long i = 0; i < samples; ++i) sum += 2.0 * rng.uniform01(static_cast<std::uint64_t>(i)) - 1.0;
  const double mean = sum / static_cast<double>(samples);
  for (long long i = 0; i < samples; ++i) {
    const double d = 2.0 * rng.uniform01(static_cast<std::uint64_t>(i)) - 1.0 - mean;
    ss += d * d;
  }
  const double empirical = std::sqrt(ss / static_cast<double>(samples - 1));
  os << "\nstd of U(-1, 1): 1/sqrt(3) = " << num(1.0 / std::sqrt(3.0), 10) << " analytic; " << num(empirical, 4)
     << " over " << samples << " draws (seed " << seed << ")\n"
     << "so PyTorch's default kaiming_uniform(a=sqrt5) has std gain(sqrt5)/sqrt(fan_in) = 1/sqrt(3 fan_in),\n"
     << "and its bound sqrt(3)*std = 1/sqrt(fan_in)\n";
  doc["uniform_pm1_std"] = {{"analytic", 1.0 / std::sqrt(3.0)}, {"empirical", empirical}, {"samples", samples}, {"seed", seed}};

  if (a.has("json")) writeOutput(*a.get("json"), doc.dump(2) + "\n");
  if (!writesStdout(a, {"json"})) std::cout << os.str();
  return 0;
}

}  // namespace initscope::cli
