#include "app/cli_common.h"

#include "core/io.h"
#include "core/presets.h"
#include "core/sweep.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace initscope::cli {
namespace {

const FlagSpec* findFlag(const std::vector<FlagSpec>& flags, const std::string& name) {
  for (const FlagSpec& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

template <class E, class P>
E parseEnum(const Args& a, const std::string& flag, P parse, const std::string& choices) {
  const std::string v = *a.get(flag);
  const auto e = parse(v);
  if (!e) throw UsageError("--" + flag + ": unknown value '" + v + "' (choose " + choices + ")");
  return *e;
}

bool isKaimingLike(Scheme s) {
  return s == Scheme::PyTorchDefault || s == Scheme::KaimingUniform || s == Scheme::KaimingNormal;
}

// PyTorch's default spelled out: kaiming_uniform(a = sqrt 5, fan_in, leaky_relu). The weights
// are bit-identical; the point is that a kaiming option can then change one part of it.
InitSpec explicitKaiming(InitSpec s) {
  if (s.scheme == Scheme::PyTorchDefault) {
    s.scheme = Scheme::KaimingUniform;
    s.a = std::sqrt(5.0);
    s.mode = FanMode::FanIn;
    s.nonlinearity = Nonlinearity::LeakyReLU;
  }
  return s;
}

// Applies f to the network-wide scheme and to every layer override of a kaiming-like scheme.
template <class F>
void forEachKaiming(ExperimentConfig& c, const std::string& flag, F&& f) {
  bool any = false;
  if (isKaimingLike(c.init.scheme)) {
    c.init = explicitKaiming(c.init);
    f(c.init);
    any = true;
  }
  for (LayerSpec& l : c.layers)
    if (l.init && isKaimingLike(l.init->scheme)) {
      l.init = explicitKaiming(*l.init);
      f(*l.init);
      any = true;
    }
  if (!any)
    throw UsageError("--" + flag + " applies to kaiming schemes (and PyTorch's default); the scheme is " +
                     std::string(toString(c.init.scheme)));
}

std::string schemeChoices() {
  std::string s;
  for (Scheme e : allSchemes()) {
    if (!s.empty()) s += '|';
    s += toString(e);
  }
  return s;
}

std::string nonlinearityChoices() {
  std::string s;
  for (Nonlinearity e : allNonlinearities()) {
    if (!s.empty()) s += '|';
    s += toString(e);
  }
  return s;
}

}  // namespace

bool Args::has(const std::string& flag) const {
  return values.count(flag) || std::find(switches.begin(), switches.end(), flag) != switches.end();
}

std::optional<std::string> Args::get(const std::string& flag) const {
  const auto it = values.find(flag);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Args parseArgs(int argc, char** argv, const std::vector<FlagSpec>& flags) {
  Args a;
  a.verb = argc > 1 ? argv[1] : "";
  bool flagsDone = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (flagsDone || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      a.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flagsDone = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      a.switches.push_back("help");
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError("unknown option '" + arg + "' (flags start with --; see --help)");
    std::string name = arg.substr(2), value;
    bool inlineValue = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const FlagSpec* f = findFlag(flags, name);
    if (!f) throw UsageError("unknown option '--" + name + "' for '" + a.verb + "' (see initscope " + a.verb + " --help)");
    if (f->valueName.empty()) {
      if (inlineValue) throw UsageError("--" + name + " takes no value");
      if (!a.has(name)) a.switches.push_back(name);
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= argc) throw UsageError("--" + name + " needs a value (" + f->valueName + ")");
      value = argv[++i];
    }
    if (a.values.count(name)) throw UsageError("--" + name + " is given twice");
    a.values[name] = value;
  }
  return a;
}

std::string helpText(const std::string& usage, const std::vector<FlagSpec>& flags) {
  std::ostringstream os;
  os << usage;
  if (!usage.empty() && usage.back() != '\n') os << '\n';
  if (!flags.empty()) os << "\nOptions:\n";
  for (const FlagSpec& f : flags) {
    std::string left = "  --" + f.name + (f.valueName.empty() ? "" : " " + f.valueName);
    if (left.size() < 30)
      left.resize(30, ' ');
    else
      left += "\n" + std::string(30, ' ');
    os << left << f.help << '\n';
  }
  os << "  -h, --help                  this help\n";
  return os.str();
}

double parseNumber(const std::string& text, const std::string& flag) {
  std::string t;
  for (char ch : text)
    if (ch != ' ') t += ch;
  if (t == "sqrt5" || t == "sqrt(5)") return std::sqrt(5.0);
  if (t == "1/sqrt3" || t == "1/sqrt(3)") return 1.0 / std::sqrt(3.0);
  if (const auto slash = t.find('/'); slash != std::string::npos && slash > 0) {  // a fraction: "5/3"
    const double numerator = parseNumber(t.substr(0, slash), flag), den = parseNumber(t.substr(slash + 1), flag);
    if (den == 0) throw UsageError("--" + flag + ": '" + text + "' divides by zero");
    return numerator / den;
  }
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v))
    throw UsageError("--" + flag + ": '" + text + "' is not a number");
  return v;
}

long long parseInteger(const std::string& text, const std::string& flag, long long lo, long long hi) {
  long long v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    throw UsageError("--" + flag + ": '" + text + "' is not an integer");
  if (v < lo || v > hi)
    throw UsageError("--" + flag + ": " + text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char ch : text) {
    if (ch == sep) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  v.push_back(cur);
  return v;
}

const std::vector<FlagSpec>& experimentFlags() {
  static const std::vector<FlagSpec> f{
      {"config", "FILE", "a config (or session) JSON file instead of a preset; the flags below override it"},
      {"layers", "FILE", "replace the layer stack with a JSON array of layers (the config's \"layers\")"},
      {"scheme", "NAME", "weight init: " + schemeChoices()},
      {"a", "A", "kaiming negative slope (a number, or sqrt5); PyTorch's default becomes kaiming_uniform(a)"},
      {"mode", "fan_in|fan_out", "kaiming fan mode"},
      {"dist", "uniform|normal", "kaiming/xavier distribution (the default becomes kaiming_*(a=sqrt5))"},
      {"nonlinearity", "NAME", "kaiming gain's nonlinearity: " + nonlinearityChoices()},
      {"gain", "G", "xavier / orthogonal gain"},
      {"mean", "M", "normal / trunc_normal mean"},
      {"std", "S", "normal / trunc_normal std"},
      {"low", "L", "uniform low bound"},
      {"high", "H", "uniform high bound"},
      {"value", "V", "constant init value"},
      {"trunc", "LO,HI", "trunc_normal bounds (default -2,2)"},
      {"lsuv-tolerance", "T", "lsuv: |std - 1| allowed (default 0.01)"},
      {"lsuv-iterations", "N", "lsuv: most rescaling steps per layer (default 10)"},
      {"bias-init", "SCHEME", "pytorch_default|zeros|constant, or constant:V"},
      {"seed", "N", "random seed of the weights (and of a random batch)"},
      {"batch", "N", "batch size (default 100)"},
      {"sample", "first|random", "the first N images, or N drawn with the seed"},
      {"loss", "mse|cross_entropy", "mse against the labels as floats, or cross_entropy"},
      {"data", "SOURCE", "mnist (the embedded 10k digits), synthetic, or IMAGES,LABELS (IDX files, plain or .gz)"},
      {"shape", "C,H,W", "synthetic: one example's shape (default 1,28,28)"},
      {"normalize", "MEAN,STD", "normalise pixels/255 by this mean and std (default: the loaded set's own)"},
      {"no-normalize", "", "use pixels/255 as they are"},
      {"bins", "N", "histogram bins (default 40)"},
      {"range", "LO,HI", "fixed histogram range (default: each tensor's min..max)"},
      {"threads", "N", "engine threads (default: OpenMP's)"},
  };
  return f;
}

ExperimentConfig buildConfig(const Args& a) {
  ExperimentConfig c;
  if (a.has("config")) {
    if (!a.positional.empty())
      throw UsageError("give a preset or --config FILE, not both ('" + a.positional.front() + "')");
    c = loadConfigFile(*a.get("config"));
  } else if (!a.positional.empty()) {
    if (a.positional.size() > 1) throw UsageError("one preset at a time ('" + a.positional[1] + "' is extra)");
    const Preset* p = findPreset(a.positional.front());
    if (!p) throw UsageError("no preset named '" + a.positional.front() + "' (see: initscope presets)");
    c = p->config;
  } else {
    throw UsageError("name a preset or give --config FILE (see: initscope presets)");
  }

  if (a.has("layers")) {
    const std::string path = *a.get("layers");
    const Json j = parseJson(readTextFile(path), path);
    try {
      c.layers = stackFromJson(j.is_object() && j.contains("layers") ? j.at("layers") : j, "layers");
    } catch (const FormatError& e) {
      throw FormatError(path + ": " + e.what());
    }
  }

  // Weights: the scheme first, then its parameters.
  if (a.has("scheme")) c.init.scheme = parseEnum<Scheme>(a, "scheme", parseScheme, schemeChoices());
  if (a.has("mode")) {
    const FanMode m = parseEnum<FanMode>(a, "mode", parseFanMode, "fan_in|fan_out");
    forEachKaiming(c, "mode", [&](InitSpec& s) { s.mode = m; });
  }
  if (a.has("nonlinearity")) {
    const Nonlinearity n = parseEnum<Nonlinearity>(a, "nonlinearity", parseNonlinearity, nonlinearityChoices());
    forEachKaiming(c, "nonlinearity", [&](InitSpec& s) { s.nonlinearity = n; });
  }
  if (a.has("dist")) {
    const std::string d = *a.get("dist");
    if (d != "uniform" && d != "normal") throw UsageError("--dist: unknown value '" + d + "' (choose uniform|normal)");
    const bool normal = d == "normal";
    // Returns false for a scheme without a uniform/normal pair.
    const auto flip = [&](InitSpec& s) {
      if (isKaimingLike(s.scheme)) {
        s = explicitKaiming(s);
        s.scheme = normal ? Scheme::KaimingNormal : Scheme::KaimingUniform;
      } else if (s.scheme == Scheme::XavierUniform || s.scheme == Scheme::XavierNormal) {
        s.scheme = normal ? Scheme::XavierNormal : Scheme::XavierUniform;
      } else {
        return false;
      }
      return true;
    };
    if (!flip(c.init))
      throw UsageError("--dist applies to kaiming and xavier schemes (and PyTorch's default); the scheme is " +
                       std::string(toString(c.init.scheme)));
    for (LayerSpec& l : c.layers)
      if (l.init) flip(*l.init);  // a layer with another kind of scheme keeps it
  }
  if (a.has("a")) {
    const double v = parseNumber(*a.get("a"), "a");
    try {
      c = withA(c, v);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--a: ") + e.what());
    }
  }
  if (a.has("gain")) c.init.gain = parseNumber(*a.get("gain"), "gain");
  if (a.has("mean")) c.init.mean = parseNumber(*a.get("mean"), "mean");
  if (a.has("std")) {
    c.init.std = parseNumber(*a.get("std"), "std");
    if (c.init.std < 0) throw UsageError("--std must not be negative");
  }
  if (a.has("low")) c.init.low = parseNumber(*a.get("low"), "low");
  if (a.has("high")) c.init.high = parseNumber(*a.get("high"), "high");
  if (c.init.low > c.init.high) throw UsageError("--low must not exceed --high");
  if (a.has("value")) c.init.value = parseNumber(*a.get("value"), "value");
  if (a.has("trunc")) {
    const std::vector<std::string> p = split(*a.get("trunc"), ',');
    if (p.size() != 2) throw UsageError("--trunc: expected LO,HI");
    c.init.truncLow = parseNumber(p[0], "trunc");
    c.init.truncHigh = parseNumber(p[1], "trunc");
    if (!(c.init.truncLow < c.init.truncHigh)) throw UsageError("--trunc: LO must be below HI");
  }
  if (a.has("lsuv-tolerance")) {
    c.init.lsuvTolerance = parseNumber(*a.get("lsuv-tolerance"), "lsuv-tolerance");
    if (!(c.init.lsuvTolerance > 0)) throw UsageError("--lsuv-tolerance must be positive");
  }
  if (a.has("lsuv-iterations"))
    c.init.lsuvMaxIterations = static_cast<int>(parseInteger(*a.get("lsuv-iterations"), "lsuv-iterations", 1, 1000));
  if (a.has("bias-init")) {
    const std::vector<std::string> parts = split(*a.get("bias-init"), ':');
    if (parts.size() > 2) throw UsageError("--bias-init: expected SCHEME or constant:V");
    const auto s = parseBiasScheme(parts[0]);
    if (!s) throw UsageError("--bias-init: unknown scheme '" + parts[0] + "' (choose pytorch_default|zeros|constant)");
    c.bias.scheme = *s;
    if (parts.size() == 2) {
      if (*s != BiasScheme::Constant) throw UsageError("--bias-init: only constant takes a value");
      c.bias.value = parseNumber(parts[1], "bias-init");
    }
  }

  // Data.
  if (a.has("data")) {
    const std::string d = *a.get("data");
    if (d == "mnist") {
      c.data.source = DataSource::Mnist;
    } else if (d == "synthetic") {
      c.data.source = DataSource::Synthetic;
    } else {
      const std::vector<std::string> paths = split(d, ',');
      if (paths.size() != 2 || paths[0].empty() || paths[1].empty())
        throw UsageError("--data: expected mnist, synthetic or IMAGES,LABELS (two IDX files), got '" + d + "'");
      c.data.source = DataSource::Idx;
      c.data.imagesPath = paths[0];
      c.data.labelsPath = paths[1];
    }
  }
  if (a.has("shape")) {
    std::vector<int> dims;
    for (const std::string& s : split(*a.get("shape"), ','))
      dims.push_back(static_cast<int>(parseInteger(s, "shape", 1, 65536)));
    if (dims.empty() || dims.size() > 3) throw UsageError("--shape: expected 1 to 3 dimensions, e.g. 1,28,28 or 784");
    c.data.syntheticShape = dims;
  }
  if (a.has("batch")) c.data.batch = static_cast<int>(parseInteger(*a.get("batch"), "batch", 1, Limits::kMaxBatch));
  if (a.has("sample")) {
    const std::string s = *a.get("sample");
    if (s != "first" && s != "random") throw UsageError("--sample: unknown value '" + s + "' (choose first|random)");
    c.data.sampling = s == "first" ? Sampling::First : Sampling::Random;
  }
  if (a.has("normalize") && a.has("no-normalize")) throw UsageError("--normalize and --no-normalize contradict");
  if (a.has("normalize")) {
    const std::vector<std::string> p = split(*a.get("normalize"), ',');
    if (p.size() != 2) throw UsageError("--normalize: expected MEAN,STD");
    const Normalization n{parseNumber(p[0], "normalize"), parseNumber(p[1], "normalize")};
    if (!(n.std > 0)) throw UsageError("--normalize: the std must be positive");
    c.data.normalize = true;
    c.data.normalization = n;
  }
  if (a.has("no-normalize")) c.data.normalize = false;

  // The rest.
  if (a.has("loss")) c.loss = parseEnum<LossKind>(a, "loss", parseLossKind, "mse|cross_entropy");
  if (a.has("seed"))
    c.seed = static_cast<std::uint64_t>(parseInteger(*a.get("seed"), "seed", 0, std::numeric_limits<long long>::max()));
  if (a.has("bins"))
    c.histogram.bins = static_cast<int>(parseInteger(*a.get("bins"), "bins", 1, Limits::kMaxHistogramBins));
  if (a.has("range")) {
    const std::vector<std::string> p = split(*a.get("range"), ',');
    if (p.size() != 2) throw UsageError("--range: expected LO,HI");
    c.histogram.autoRange = false;
    c.histogram.low = parseNumber(p[0], "range");
    c.histogram.high = parseNumber(p[1], "range");
    if (!(c.histogram.low < c.histogram.high)) throw UsageError("--range: LO must be below HI");
  }
  if (a.has("threads")) c.threads = static_cast<int>(parseInteger(*a.get("threads"), "threads", 0, 256));
  return c;
}

void writeOutput(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    if (!text.empty() && text.back() != '\n') std::cout << '\n';
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("could not write to stdout");
    return;
  }
  writeTextFileAtomic(path, text);
}

bool writesStdout(const Args& a, const std::vector<std::string>& flags) {
  for (const std::string& f : flags)
    if (a.get(f) == "-") return true;
  return false;
}

std::string num(double v, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, v);
  return buf;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  std::size_t columns = 0;  // UTF-8: count the bytes that start a character
  for (unsigned char ch : s) columns += (ch & 0xC0) != 0x80 ? 1 : 0;
  if (columns >= width) return s + (right ? "" : " ");
  const std::string fill(width - columns, ' ');
  return right ? fill + s : s + fill;
}

std::string shapeText(const Shape& s) {
  std::string t = "(";
  for (int i = 0; i < s.rank; ++i) {
    if (i) t += ',';
    t += std::to_string(s[i]);
  }
  return t + ")";
}

std::string initText(const InitSpec& s) {
  std::ostringstream os;
  os << toString(s.scheme);
  switch (s.scheme) {
    case Scheme::KaimingUniform:
    case Scheme::KaimingNormal:
      os << "(a=" << num(s.a) << ", " << toString(s.mode) << ", " << toString(s.nonlinearity) << ")";
      break;
    case Scheme::XavierUniform:
    case Scheme::XavierNormal:
    case Scheme::Orthogonal: os << "(gain=" << num(s.gain) << ")"; break;
    case Scheme::Uniform: os << "(" << num(s.low) << ", " << num(s.high) << ")"; break;
    case Scheme::Normal: os << "(mean=" << num(s.mean) << ", std=" << num(s.std) << ")"; break;
    case Scheme::TruncNormal:
      os << "(mean=" << num(s.mean) << ", std=" << num(s.std) << ", [" << num(s.truncLow) << ", " << num(s.truncHigh)
         << "])";
      break;
    case Scheme::Constant: os << "(" << num(s.value) << ")"; break;
    default: break;
  }
  return os.str();
}

}  // namespace initscope::cli
