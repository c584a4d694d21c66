// JSON round trips for stacks, init specs and configs; rejections that name the field; results
// and CSV carry every layer; atomic writes.
#include "core/io.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace initscope {
namespace {

ExperimentConfig richConfig() {
  ExperimentConfig c;
  c.name = "round trip";
  c.data.batch = 37;
  c.data.sampling = Sampling::Random;
  c.data.normalization = Normalization{0.1, 0.3};
  LayerSpec conv = LayerSpec::conv2d(1, 4, 3, 2, 1);
  conv.kernelW = 5;
  conv.padW = 2;
  conv.init = InitSpec{.scheme = Scheme::KaimingNormal, .a = 0.5, .mode = FanMode::FanOut,
                       .nonlinearity = Nonlinearity::ReLU};
  conv.biasInit = BiasSpec{BiasScheme::Constant, 0.25};
  c.layers = {conv,
              LayerSpec::batchNorm2d(4, 1e-3),
              LayerSpec::leakyRelu(0.2),
              LayerSpec::maxPool2d(2),
              LayerSpec::avgPool2d(3, 1, 1),
              LayerSpec::adaptiveAvgPool2d(2, 3),
              LayerSpec::flatten(),
              LayerSpec::linear(24, 10, false),
              LayerSpec::gelu(),
              LayerSpec::tanh(),
              LayerSpec::sigmoid()};
  c.init = InitSpec{.scheme = Scheme::TruncNormal, .mean = 0.1, .std = 0.2, .truncLow = -0.5, .truncHigh = 0.6};
  c.bias = BiasSpec{BiasScheme::Zeros, 0};
  c.loss = LossKind::CrossEntropy;
  c.seed = 12345678901234ULL;
  c.histogram = HistogramOptions{.bins = 17, .autoRange = false, .low = -2, .high = 3};
  c.threads = 2;
  return c;
}

TEST(Io, ConfigRoundTrips) {
  const ExperimentConfig c = richConfig();
  const Json j = toJson(c);
  EXPECT_EQ(j["schema"], "initscope.config");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(configFromJson(j), c);
  EXPECT_EQ(configFromJson(parseJson(j.dump(2), "text")), c);  // through text too
}

TEST(Io, SyntheticAndIdxSourcesRoundTrip) {
  ExperimentConfig c;
  c.layers = {LayerSpec::flatten()};
  c.data.source = DataSource::Synthetic;
  c.data.syntheticShape = {3, 8, 8};
  EXPECT_EQ(configFromJson(toJson(c)), c);
  c.data.source = DataSource::Idx;
  c.data.imagesPath = "/data/train-images.gz";
  c.data.labelsPath = "/data/train-labels.gz";
  c.data.syntheticShape = {1, 28, 28};
  EXPECT_EQ(configFromJson(toJson(c)), c);
}

TEST(Io, PyTorchStyleDefaults) {
  const Json j = Json::parse(R"({"type": "max_pool2d", "kernel_size": 3})");
  const LayerSpec s = layerFromJson(j);
  EXPECT_EQ(s.strideH, 3);  // stride defaults to the kernel, as in nn.MaxPool2d
  EXPECT_EQ(layerFromJson(Json::parse(R"({"type":"conv2d","in_channels":1,"out_channels":2,"kernel_size":[3,5]})")).kernelW,
            5);
}

void expectFormatError(const std::string& text, const std::string& field) {
  try {
    configFromJson(parseJson(text, "test"));
    ADD_FAILURE() << "accepted: " << text;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << "message: " << e.what();
  }
}

TEST(Io, RejectionsNameTheField) {
  const std::string head = R"({"schema":"initscope.config","version":1,)";
  expectFormatError(R"({"version":1,"layers":[]})", "schema: missing");
  expectFormatError(R"({"schema":"initscope.result","version":1,"layers":[]})", "schema: is \"initscope.result\"");
  expectFormatError(R"({"schema":"initscope.config","version":7,"layers":[]})", "version: 7 was written by a newer");
  expectFormatError(head + R"("layers":[{"type":"conv2d","in_channels":1,"out_channels":8}]})",
                    "layers[0].kernel_size: missing");
  expectFormatError(head + R"("layers":[{"type":"relu"},{"type":"conv3d"}]})", "layers[1].type: unknown layer type 'conv3d'");
  expectFormatError(head + R"("layers":[{"type":"linear","in_features":"784","out_features":10}]})",
                    "layers[0].in_features: expected an integer");
  expectFormatError(head + R"("layers":[{"type":"relu","slope":1}]})", "layers[0].slope: unknown field");
  expectFormatError(head + R"("layers":[],"init":{"scheme":"kaiming"}})", "init.scheme: unknown init scheme 'kaiming'");
  expectFormatError(head + R"("layers":[],"data":{"batch":0}})", "data.batch: 0 is outside");
  expectFormatError(head + R"("layers":[],"histogram":{"range":[1,0]}})", "histogram.range: needs low < high");
  expectFormatError(head + R"("layers":[],"loss":"l1"})", "config.loss: unknown loss 'l1'");
  expectFormatError(head + R"("layers":[],"colour":"red"})", "config.colour: unknown field");
  // Found by fuzz_config: a field of another data source was kept in memory but not written back.
  expectFormatError(head + R"("layers":[],"data":{"labels":"x.gz"}})", "data.labels: only used with \"source\": \"idx\"");
  expectFormatError(head + R"("layers":[],"data":{"shape":[1,2,2]}})", "data.shape: only used with");
  expectFormatError(head + R"("layers":[{"type":"conv2d","in_channels":1,"out_channels":8,"kernel_size":[1,2,3]}]})",
                    "layers[0].kernel_size: expected an integer or a pair");
}

TEST(Io, SyntaxErrorsGiveLineAndColumn) {
  try {
    parseJson("{\n  \"a\": 1,\n  \"b\": }\n", "cfg.json");
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: not valid JSON at line 3"), std::string::npos) << e.what();
  }
}

// Found by fuzz_config: nlohmann reports a number overflow as out_of_range, not parse_error.
TEST(Io, NumberOverflowIsAFormatError) {
  EXPECT_THROW(parseJson(R"({"schema": 5555e555555555555})", "big.json"), FormatError);
  EXPECT_THROW(parseJson("[1e99999]", "big.json"), FormatError);
}

TEST(Io, FilesWriteAtomicallyAndReadBack) {
  const auto dir = std::filesystem::temp_directory_path() / "initscope_io_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "cfg.json").string();
  writeTextFileAtomic(path, toJson(richConfig()).dump(2));
  EXPECT_EQ(loadConfigFile(path), richConfig());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp~"));
  // A session wrapping a config is read by the same loader.
  Json session{{"schema", "initscope.session"}, {"version", 1}, {"config", toJson(richConfig())}, {"ui", Json::object()}};
  writeTextFileAtomic(path, session.dump());
  EXPECT_EQ(loadConfigFile(path), richConfig());
  EXPECT_THROW(writeTextFileAtomic((dir / "no/such/dir/x.json").string(), "x"), std::runtime_error);
  try {
    loadConfigFile((dir / "absent.json").string());
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.json: cannot read"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Io, ResultJsonAndCsvCoverEveryLayer) {
  ExperimentConfig c;
  c.layers = {LayerSpec::conv2d(1, 4, 5, 2, 2), LayerSpec::relu(), LayerSpec::conv2d(4, 1, 3, 2, 1),
              LayerSpec::adaptiveAvgPool2d(1, 1), LayerSpec::flatten()};
  c.data.batch = 8;
  const RunResult r = run(c);
  const Json j = toJson(r);
  EXPECT_EQ(j["schema"], "initscope.result");
  ASSERT_EQ(j["layers"].size(), 5u);
  EXPECT_EQ(j["layers"][0]["weight"]["shape"], Json::array({4, 1, 5, 5}));
  EXPECT_EQ(j["layers"][0]["activation"]["histogram"]["counts"].size(), 40u);
  EXPECT_DOUBLE_EQ(j["layers"][2]["activation"]["std"].get<double>(), r.layers[2].activation.std);
  EXPECT_EQ(configFromJson(j["config"]), c);
  const std::string csv = toCsv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);  // header, input, 5 layers
  EXPECT_NE(csv.find("\"conv2d 1->4 5x5 s2 p2\""), std::string::npos);
}

}  // namespace
}  // namespace initscope
