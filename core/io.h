#pragma once
// JSON and CSV for layer stacks, configs, results and dumps. Every document carries
// "schema" and "version"; readers name the offending field (e.g. "layers[2].kernel_size") and
// refuse versions newer than they know. Schemas are documented in README.md.
#include "experiment.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace initscope {

using Json = nlohmann::ordered_json;

// A document that is not what it should be: what() is "<field>: <reason>".
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kConfigVersion = 1;
inline constexpr int kResultVersion = 1;

Json toJson(const LayerSpec& s);
LayerSpec layerFromJson(const Json& j, const std::string& path = "layer");
Json stackToJson(const std::vector<LayerSpec>& layers);
std::vector<LayerSpec> stackFromJson(const Json& j, const std::string& path = "layers");

Json toJson(const InitSpec& s);
InitSpec initFromJson(const Json& j, const std::string& path = "init");
Json toJson(const BiasSpec& s);
BiasSpec biasFromJson(const Json& j, const std::string& path = "bias_init");

// {"schema": "initscope.config", "version": 1, ...}
Json toJson(const ExperimentConfig& c);
ExperimentConfig configFromJson(const Json& j);
// Reads a config from a JSON file: a config document, or a session whose "config" member is one.
ExperimentConfig loadConfigFile(const std::string& path);

Json toJson(const TensorStats& s, bool withHistogram = true);
// {"schema": "initscope.result", "version": 1, ...}
Json toJson(const RunResult& r, bool withHistograms = true);
// One row per layer (and one for the input): activation, gradient, weight and weight-gradient statistics.
std::string toCsv(const RunResult& r);
// {"schema": "initscope.dump", ...}: the result plus every tensor, flattened row-major.
Json toJson(const RunDump& d);

// Parses text as JSON, reporting the line and column of a syntax error.
Json parseJson(const std::string& text, const std::string& what);
std::string readTextFile(const std::string& path);
// Writes through a temporary file and a rename, so a failed write never leaves half a file.
void writeTextFileAtomic(const std::string& path, const std::string& text);

}  // namespace initscope
