#include "io.h"

#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace initscope {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) { throw FormatError(path + ": " + why); }

// Reads the members of one JSON object, refusing unknown ones (a typo is an error, not a default).
class Reader {
 public:
  Reader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_, "expected an object");
  }
  ~Reader() = default;

  bool has(const char* k) const { return j_.contains(k) && !j_.at(k).is_null(); }
  std::string path(const char* k) const { return path_ + "." + k; }
  const Json& at(const char* k) {
    seen_.insert(k);
    return j_.at(k);
  }

  template <class T>
  T get(const char* k, T fallback) {
    seen_.insert(k);
    if (!has(k)) return fallback;
    return convert<T>(j_.at(k), path(k));
  }
  template <class T>
  T require(const char* k) {
    seen_.insert(k);
    if (!has(k)) fail(path(k), "missing");
    return convert<T>(j_.at(k), path(k));
  }
  template <class E, class P>
  E getEnum(const char* k, E fallback, P parse, const char* what) {
    seen_.insert(k);
    if (!has(k)) return fallback;
    const std::string s = convert<std::string>(j_.at(k), path(k));
    const auto v = parse(s);
    if (!v) fail(path(k), "unknown " + std::string(what) + " '" + s + "'");
    return *v;
  }
  void ignore(const char* k) { seen_.insert(k); }
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) fail(path_ + "." + it.key(), "unknown field");
  }

  template <class T>
  static T convert(const Json& v, const std::string& p) {
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) fail(p, "expected true or false");
      return v.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) fail(p, "expected a string");
      return v.get<std::string>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) fail(p, "expected an integer");
      const auto x = v.get<long long>();
      if (x < static_cast<long long>(std::numeric_limits<T>::min()) ||
          (x > 0 && static_cast<unsigned long long>(x) > static_cast<unsigned long long>(std::numeric_limits<T>::max())))
        fail(p, "integer " + std::to_string(x) + " out of range");
      return static_cast<T>(x);
    } else {
      if (!v.is_number()) fail(p, "expected a number");
      const double x = v.get<double>();
      if (!std::isfinite(x)) fail(p, "expected a finite number");
      return x;
    }
  }

 private:
  const Json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

// PyTorch's int-or-pair arguments: 3 or [3, 5].
std::pair<int, int> intPair(const Json& v, const std::string& p) {
  if (v.is_number_integer()) {
    const int x = Reader::convert<int>(v, p);
    return {x, x};
  }
  if (v.is_array() && v.size() == 2)
    return {Reader::convert<int>(v[0], p + "[0]"), Reader::convert<int>(v[1], p + "[1]")};
  fail(p, "expected an integer or a pair [h, w]");
}

Json pairJson(int a, int b) { return a == b ? Json(a) : Json::array({a, b}); }

void checkSchema(const Json& j, const char* schema, int maxVersion) {
  if (!j.is_object()) fail("(document)", "expected a JSON object");
  if (!j.contains("schema") || !j["schema"].is_string()) fail("schema", std::string("missing; expected \"") + schema + "\"");
  if (j["schema"] != schema)
    fail("schema", "is \"" + j["schema"].get<std::string>() + "\", expected \"" + schema + "\"");
  if (!j.contains("version") || !j["version"].is_number_integer()) fail("version", "missing or not an integer");
  const int v = j["version"].get<int>();
  if (v < 1) fail("version", "must be at least 1");
  if (v > maxVersion)
    fail("version", std::to_string(v) + " was written by a newer initscope; this build reads up to version " +
                        std::to_string(maxVersion));
}

Json shapeJson(const Shape& s) { return Json(s.toVector()); }

}  // namespace

// ---- layers -------------------------------------------------------------------------------------

Json toJson(const LayerSpec& s) {
  Json j;
  j["type"] = std::string(toString(s.kind));
  switch (s.kind) {
    case LayerKind::Conv2d:
      j["in_channels"] = s.inChannels;
      j["out_channels"] = s.outChannels;
      j["kernel_size"] = pairJson(s.kernelH, s.kernelW);
      j["stride"] = pairJson(s.strideH, s.strideW);
      j["padding"] = pairJson(s.padH, s.padW);
      j["bias"] = s.bias;
      break;
    case LayerKind::Linear:
      j["in_features"] = s.inChannels;
      j["out_features"] = s.outChannels;
      j["bias"] = s.bias;
      break;
    case LayerKind::LeakyReLU: j["negative_slope"] = s.negativeSlope; break;
    case LayerKind::MaxPool2d:
    case LayerKind::AvgPool2d:
      j["kernel_size"] = pairJson(s.kernelH, s.kernelW);
      j["stride"] = pairJson(s.strideH, s.strideW);
      j["padding"] = pairJson(s.padH, s.padW);
      break;
    case LayerKind::AdaptiveAvgPool2d: j["output_size"] = pairJson(s.outH, s.outW); break;
    case LayerKind::BatchNorm2d:
      j["num_features"] = s.inChannels;
      j["eps"] = s.eps;
      break;
    default: break;
  }
  if (s.init) j["init"] = toJson(*s.init);
  if (s.biasInit) j["bias_init"] = toJson(*s.biasInit);
  return j;
}

LayerSpec layerFromJson(const Json& j, const std::string& path) {
  Reader r(j, path);
  LayerSpec s;
  s.kind = r.getEnum("type", LayerKind::ReLU, parseLayerKind, "layer type");
  if (!r.has("type")) fail(path + ".type", "missing");
  auto kernelish = [&](bool pool) {
    std::tie(s.kernelH, s.kernelW) = intPair(r.at("kernel_size"), r.path("kernel_size"));
    if (r.has("stride"))
      std::tie(s.strideH, s.strideW) = intPair(r.at("stride"), r.path("stride"));
    else if (pool)
      s.strideH = s.kernelH, s.strideW = s.kernelW;  // PyTorch: stride defaults to the kernel
    r.ignore("stride");
    if (r.has("padding")) std::tie(s.padH, s.padW) = intPair(r.at("padding"), r.path("padding"));
    r.ignore("padding");
  };
  switch (s.kind) {
    case LayerKind::Conv2d:
      s.inChannels = r.require<int>("in_channels");
      s.outChannels = r.require<int>("out_channels");
      if (!r.has("kernel_size")) fail(r.path("kernel_size"), "missing");
      kernelish(false);
      s.bias = r.get("bias", true);
      break;
    case LayerKind::Linear:
      s.inChannels = r.require<int>("in_features");
      s.outChannels = r.require<int>("out_features");
      s.bias = r.get("bias", true);
      break;
    case LayerKind::LeakyReLU: s.negativeSlope = r.get("negative_slope", 0.01); break;
    case LayerKind::MaxPool2d:
    case LayerKind::AvgPool2d:
      if (!r.has("kernel_size")) fail(r.path("kernel_size"), "missing");
      kernelish(true);
      break;
    case LayerKind::AdaptiveAvgPool2d:
      if (!r.has("output_size")) fail(r.path("output_size"), "missing");
      std::tie(s.outH, s.outW) = intPair(r.at("output_size"), r.path("output_size"));
      break;
    case LayerKind::BatchNorm2d:
      s.inChannels = r.require<int>("num_features");
      s.eps = r.get("eps", 1e-5);
      break;
    default: break;
  }
  if (r.has("init")) s.init = initFromJson(r.at("init"), r.path("init"));
  r.ignore("init");
  if (r.has("bias_init")) s.biasInit = biasFromJson(r.at("bias_init"), r.path("bias_init"));
  r.ignore("bias_init");
  r.finish();
  return s;
}

Json stackToJson(const std::vector<LayerSpec>& layers) {
  Json a = Json::array();
  for (const auto& l : layers) a.push_back(toJson(l));
  return a;
}

std::vector<LayerSpec> stackFromJson(const Json& j, const std::string& path) {
  if (!j.is_array()) fail(path, "expected an array of layers");
  if (j.size() > static_cast<std::size_t>(Limits::kMaxLayers))
    fail(path, std::to_string(j.size()) + " layers is more than the limit of " + std::to_string(Limits::kMaxLayers));
  std::vector<LayerSpec> v;
  for (std::size_t i = 0; i < j.size(); ++i) v.push_back(layerFromJson(j[i], path + "[" + std::to_string(i) + "]"));
  return v;
}

// ---- init ---------------------------------------------------------------------------------------

Json toJson(const InitSpec& s) {
  Json j;
  j["scheme"] = std::string(toString(s.scheme));
  j["a"] = s.a;
  j["mode"] = std::string(toString(s.mode));
  j["nonlinearity"] = std::string(toString(s.nonlinearity));
  j["gain"] = s.gain;
  j["low"] = s.low;
  j["high"] = s.high;
  j["mean"] = s.mean;
  j["std"] = s.std;
  j["trunc_a"] = s.truncLow;
  j["trunc_b"] = s.truncHigh;
  j["value"] = s.value;
  j["lsuv_tolerance"] = s.lsuvTolerance;
  j["lsuv_max_iterations"] = s.lsuvMaxIterations;
  return j;
}

InitSpec initFromJson(const Json& j, const std::string& path) {
  Reader r(j, path);
  InitSpec s;
  s.scheme = r.getEnum("scheme", s.scheme, parseScheme, "init scheme");
  s.a = r.get("a", s.a);
  s.mode = r.getEnum("mode", s.mode, parseFanMode, "fan mode");
  s.nonlinearity = r.getEnum("nonlinearity", s.nonlinearity, parseNonlinearity, "nonlinearity");
  s.gain = r.get("gain", s.gain);
  s.low = r.get("low", s.low);
  s.high = r.get("high", s.high);
  s.mean = r.get("mean", s.mean);
  s.std = r.get("std", s.std);
  s.truncLow = r.get("trunc_a", s.truncLow);
  s.truncHigh = r.get("trunc_b", s.truncHigh);
  s.value = r.get("value", s.value);
  s.lsuvTolerance = r.get("lsuv_tolerance", s.lsuvTolerance);
  s.lsuvMaxIterations = r.get("lsuv_max_iterations", s.lsuvMaxIterations);
  r.finish();
  if (s.low > s.high) fail(path + ".low", "must not exceed high");
  if (s.std < 0) fail(path + ".std", "must not be negative");
  if (s.truncLow >= s.truncHigh) fail(path + ".trunc_a", "must be below trunc_b");
  if (!(s.lsuvTolerance > 0)) fail(path + ".lsuv_tolerance", "must be positive");
  if (s.lsuvMaxIterations < 1 || s.lsuvMaxIterations > 1000) fail(path + ".lsuv_max_iterations", "must be 1..1000");
  return s;
}

Json toJson(const BiasSpec& s) {
  Json j;
  j["scheme"] = std::string(toString(s.scheme));
  j["value"] = s.value;
  return j;
}

BiasSpec biasFromJson(const Json& j, const std::string& path) {
  Reader r(j, path);
  BiasSpec s;
  s.scheme = r.getEnum("scheme", s.scheme, parseBiasScheme, "bias scheme");
  s.value = r.get("value", s.value);
  r.finish();
  return s;
}

// ---- config -------------------------------------------------------------------------------------

Json toJson(const ExperimentConfig& c) {
  Json j;
  j["schema"] = "initscope.config";
  j["version"] = kConfigVersion;
  j["name"] = c.name;
  Json d;
  d["source"] = std::string(toString(c.data.source));
  if (c.data.source == DataSource::Idx) {
    d["images"] = c.data.imagesPath;
    d["labels"] = c.data.labelsPath;
  }
  d["batch"] = c.data.batch;
  d["sampling"] = c.data.sampling == Sampling::First ? "first" : "random";
  d["normalize"] = c.data.normalize;
  if (c.data.normalization) {
    d["mean"] = c.data.normalization->mean;
    d["std"] = c.data.normalization->std;
  }
  if (c.data.source == DataSource::Synthetic) d["shape"] = c.data.syntheticShape;
  j["data"] = d;
  j["layers"] = stackToJson(c.layers);
  j["init"] = toJson(c.init);
  j["bias_init"] = toJson(c.bias);
  j["loss"] = std::string(toString(c.loss));
  j["seed"] = c.seed;
  Json h;
  h["bins"] = c.histogram.bins;
  if (c.histogram.autoRange)
    h["range"] = "auto";
  else
    h["range"] = Json::array({c.histogram.low, c.histogram.high});
  j["histogram"] = h;
  j["threads"] = c.threads;
  return j;
}

ExperimentConfig configFromJson(const Json& j) {
  checkSchema(j, "initscope.config", kConfigVersion);
  Reader r(j, "config");
  r.ignore("schema");
  r.ignore("version");
  ExperimentConfig c;
  c.name = r.get<std::string>("name", "");
  if (r.has("data")) {
    Reader d(r.at("data"), "data");
    c.data.source = d.getEnum("source", c.data.source, parseDataSource, "data source");
    c.data.imagesPath = d.get<std::string>("images", "");
    c.data.labelsPath = d.get<std::string>("labels", "");
    if (c.data.source == DataSource::Idx && (c.data.imagesPath.empty() || c.data.labelsPath.empty()))
      fail("data.images", "an idx source needs both images and labels paths");
    // Fields of another source are refused rather than silently dropped (found by fuzz_config).
    if (c.data.source != DataSource::Idx && (d.has("images") || d.has("labels")))
      fail(d.has("images") ? "data.images" : "data.labels", "only used with \"source\": \"idx\"");
    if (c.data.source != DataSource::Synthetic && d.has("shape"))
      fail("data.shape", "only used with \"source\": \"synthetic\"");
    c.data.batch = d.get("batch", c.data.batch);
    if (c.data.batch < 1 || c.data.batch > Limits::kMaxBatch)
      fail("data.batch", std::to_string(c.data.batch) + " is outside 1.." + std::to_string(Limits::kMaxBatch));
    const std::string sampling = d.get<std::string>("sampling", "first");
    if (sampling != "first" && sampling != "random") fail("data.sampling", "expected \"first\" or \"random\"");
    c.data.sampling = sampling == "first" ? Sampling::First : Sampling::Random;
    c.data.normalize = d.get("normalize", true);
    if (d.has("mean") != d.has("std")) fail("data.mean", "give both mean and std, or neither");
    if (d.has("mean")) {
      c.data.normalization = Normalization{d.require<double>("mean"), d.require<double>("std")};
      if (!(c.data.normalization->std > 0)) fail("data.std", "must be positive");
    } else {
      d.ignore("mean");
      d.ignore("std");
    }
    if (d.has("shape")) {
      const Json& s = d.at("shape");
      if (!s.is_array() || s.empty() || s.size() > 3) fail("data.shape", "expected 1 to 3 positive integers");
      c.data.syntheticShape.clear();
      for (std::size_t i = 0; i < s.size(); ++i) {
        const int v = Reader::convert<int>(s[i], "data.shape[" + std::to_string(i) + "]");
        if (v < 1 || v > 65536) fail("data.shape[" + std::to_string(i) + "]", "must be 1..65536");
        c.data.syntheticShape.push_back(v);
      }
    }
    d.ignore("shape");
    d.finish();
  }
  if (!r.has("layers")) fail("layers", "missing");
  c.layers = stackFromJson(r.at("layers"), "layers");
  if (r.has("init")) c.init = initFromJson(r.at("init"), "init");
  r.ignore("init");
  if (r.has("bias_init")) c.bias = biasFromJson(r.at("bias_init"), "bias_init");
  r.ignore("bias_init");
  c.loss = r.getEnum("loss", c.loss, parseLossKind, "loss");
  c.seed = r.get<std::uint64_t>("seed", 0);
  if (r.has("histogram")) {
    Reader h(r.at("histogram"), "histogram");
    c.histogram.bins = h.get("bins", c.histogram.bins);
    if (c.histogram.bins < 1 || c.histogram.bins > Limits::kMaxHistogramBins)
      fail("histogram.bins", "must be 1.." + std::to_string(Limits::kMaxHistogramBins));
    if (h.has("range")) {
      const Json& rg = h.at("range");
      if (rg.is_string() && rg == "auto") {
        c.histogram.autoRange = true;
      } else if (rg.is_array() && rg.size() == 2) {
        c.histogram.autoRange = false;
        c.histogram.low = Reader::convert<double>(rg[0], "histogram.range[0]");
        c.histogram.high = Reader::convert<double>(rg[1], "histogram.range[1]");
        if (!(c.histogram.low < c.histogram.high)) fail("histogram.range", "needs low < high");
      } else {
        fail("histogram.range", "expected \"auto\" or [low, high]");
      }
    }
    h.ignore("range");
    h.finish();
  }
  r.ignore("histogram");
  c.threads = r.get("threads", 0);
  if (c.threads < 0 || c.threads > 256) fail("threads", "must be 0 (default) to 256");
  r.finish();
  return c;
}

ExperimentConfig loadConfigFile(const std::string& path) {
  const Json j = parseJson(readTextFile(path), path);
  try {
    if (j.is_object() && j.contains("schema") && j["schema"] == "initscope.session") {
      checkSchema(j, "initscope.session", 1);
      if (!j.contains("config")) fail("config", "missing");
      return configFromJson(j["config"]);
    }
    return configFromJson(j);
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
}

// ---- results ------------------------------------------------------------------------------------

Json toJson(const TensorStats& s, bool withHistogram) {
  Json j;
  j["count"] = s.count;
  j["finite"] = s.finite;
  j["nan"] = s.nanCount;
  j["pos_inf"] = s.posInfCount;
  j["neg_inf"] = s.negInfCount;
  j["mean"] = s.mean;
  j["std"] = s.std;
  j["min"] = s.min;
  j["max"] = s.max;
  j["rms"] = s.rms;
  j["zero_fraction"] = s.zeroFraction;
  j["saturated_fraction"] = s.saturatedFraction;
  if (withHistogram) {
    Json h;
    h["low"] = s.histogram.low;
    h["high"] = s.histogram.high;
    h["underflow"] = s.histogram.underflow;
    h["overflow"] = s.histogram.overflow;
    h["counts"] = s.histogram.counts;
    j["histogram"] = h;
  }
  return j;
}

namespace {
Json paramJson(const ParamResult& p, bool hist) {
  Json j;
  j["shape"] = shapeJson(p.shape);
  j["value"] = toJson(p.value, hist);
  j["grad"] = toJson(p.grad, hist);
  return j;
}
}  // namespace

Json toJson(const RunResult& r, bool hist) {
  Json j;
  j["schema"] = "initscope.result";
  j["version"] = kResultVersion;
  j["config"] = toJson(r.config);
  j["dataset"] = r.datasetName;
  j["input_shape"] = shapeJson(r.inputShape);
  j["loss"] = r.loss;
  j["threads"] = r.threads;
  j["timings_ms"] = {{"data", r.timings.dataMs},         {"init", r.timings.initMs},
                     {"forward", r.timings.forwardMs},   {"backward", r.timings.backwardMs},
                     {"stats", r.timings.statsMs},       {"total", r.timings.totalMs}};
  j["input"] = toJson(r.input, hist);
  j["input_gradient"] = toJson(r.inputGradient, hist);
  Json layers = Json::array();
  for (const LayerResult& l : r.layers) {
    Json lj;
    lj["index"] = l.index;
    lj["label"] = l.label;
    lj["type"] = std::string(toString(l.kind));
    lj["output_shape"] = shapeJson(l.outputShape);
    lj["activation"] = toJson(l.activation, hist);
    lj["gradient"] = toJson(l.gradient, hist);
    if (l.weight) {
      lj["weight"] = paramJson(*l.weight, hist);
      lj["grad_data_ratio"] = l.gradDataRatio;
      lj["fan_in"] = l.fanIn;
      lj["fan_out"] = l.fanOut;
    }
    if (l.bias) lj["bias"] = paramJson(*l.bias, hist);
    if (l.init) lj["init"] = toJson(*l.init);
    if (l.initDescription) {
      const InitDescription& d = *l.initDescription;
      lj["init_formula"] = {{"distribution", d.distribution}, {"gain", d.gain}, {"fan", d.fan},  {"mean", d.mean},
                            {"std", d.std},                   {"bound", d.bound}, {"formula", d.formula}};
    }
    if (l.lsuvIterations) lj["lsuv_iterations"] = l.lsuvIterations;
    layers.push_back(lj);
  }
  j["layers"] = layers;
  return j;
}

std::string toCsv(const RunResult& r) {
  std::ostringstream os;
  os.precision(9);
  os << "layer,label,type,shape,act_mean,act_std,act_min,act_max,act_rms,act_zero_fraction,act_saturated_fraction,"
        "act_nonfinite,grad_mean,grad_std,grad_rms,grad_nonfinite,weight_mean,weight_std,weight_grad_mean,"
        "weight_grad_std,grad_data_ratio,fan_in,fan_out\n";
  auto shape = [](const Shape& s) {
    std::string out;
    for (int i = 0; i < s.rank; ++i) out += (i ? "x" : "") + std::to_string(s[i]);
    return out;
  };
  auto row = [&](const std::string& idx, const std::string& label, const std::string& type, const Shape& sh,
                 const TensorStats& a, const TensorStats& g, const LayerResult* l) {
    os << idx << ",\"" << label << "\"," << type << ',' << shape(sh) << ',' << a.mean << ',' << a.std << ',' << a.min
       << ',' << a.max << ',' << a.rms << ',' << a.zeroFraction << ',' << a.saturatedFraction << ',' << a.nonFinite()
       << ',' << g.mean << ',' << g.std << ',' << g.rms << ',' << g.nonFinite() << ',';
    if (l && l->weight)
      os << l->weight->value.mean << ',' << l->weight->value.std << ',' << l->weight->grad.mean << ','
         << l->weight->grad.std << ',' << l->gradDataRatio << ',' << l->fanIn << ',' << l->fanOut;
    else
      os << ",,,,,,";
    os << '\n';
  };
  row("input", "input", "input", r.inputShape, r.input, r.inputGradient, nullptr);
  for (const LayerResult& l : r.layers)
    row(std::to_string(l.index + 1), l.label, std::string(toString(l.kind)), l.outputShape, l.activation, l.gradient, &l);
  return os.str();
}

Json toJson(const RunDump& d) {
  auto tensor = [](const Tensor& t) {
    Json j;
    j["shape"] = shapeJson(t.shape);
    j["data"] = Json(std::vector<float>(t.data.begin(), t.data.end()));
    return j;
  };
  Json j;
  j["schema"] = "initscope.dump";
  j["version"] = kResultVersion;
  j["result"] = toJson(d.result, false);
  j["input"] = tensor(d.input);
  j["targets"] = d.targets;
  j["classes"] = d.classes;
  j["output"] = tensor(d.output);
  Json layers = Json::array();
  for (std::size_t i = 0; i < d.activations.size(); ++i) {
    Json l;
    l["index"] = i;
    l["spec"] = toJson(d.result.config.layers[i]);
    l["output"] = tensor(d.activations[i]);
    if (d.weights[i].numel()) {
      l["weight"] = tensor(d.weights[i]);
      l["weight_grad"] = tensor(d.weightGrads[i]);
    }
    if (d.biases[i].numel()) {
      l["bias"] = tensor(d.biases[i]);
      l["bias_grad"] = tensor(d.biasGrads[i]);
    }
    layers.push_back(l);
  }
  j["layers"] = layers;
  return j;
}

// ---- files --------------------------------------------------------------------------------------

Json parseJson(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // Turn the byte offset into a line and column.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < std::min(e.byte, text.size() + 1) - 1 && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw FormatError(what + ": not valid JSON at line " + std::to_string(line) + ", column " + std::to_string(col));
  } catch (const Json::exception& e) {  // e.g. a number too large for a double (found by fuzz_config)
    throw FormatError(what + ": not valid JSON: " + e.what());
  }
}

std::string readTextFile(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw FormatError(path + ": cannot read (" + ec.message() + ")");
  if (size > (64u << 20)) throw FormatError(path + ": larger than 64 MiB; not a config or session");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw FormatError(path + ": cannot open");
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void writeTextFileAtomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp~";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
    f << text;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error(path + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot replace (" + ec.message() + ")");
  }
}

}  // namespace initscope
