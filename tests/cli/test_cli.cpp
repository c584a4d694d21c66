// The command line as a user meets it: the built executable run in a shell, its stdout, stderr,
// exit code and files checked. Exit codes: 0 ok, 1 runtime error, 2 usage error; an error is one
// line "initscope: <what>" on stderr.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) {
    if (ch == '\'')
      q += "'\\''";
    else
      q += ch;
  }
  return q + "'";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("initscope_cli_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the executable with these arguments; env is prepended to the command (e.g. "env -u X").
  Result cli(const std::vector<std::string>& args, const std::string& env = "") {
    std::string cmd = env;
    if (!env.empty()) cmd += ' ';
    cmd += quote(INITSCOPE_EXE);
    for (const std::string& a : args) {
      cmd += ' ';
      cmd += quote(a);
    }
    cmd += " >";
    cmd += quote((dir_ / "stdout").string());
    cmd += " 2>";
    cmd += quote((dir_ / "stderr").string());
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir_ / "stdout");
    r.err = slurp(dir_ / "stderr");
    return r;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  fs::path dir_;
};

// A usage or runtime error: the code, nothing on stdout, one line on stderr naming the problem.
void expectError(const Result& r, int code, const std::string& mention) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.rfind("initscope: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(mention), std::string::npos) << "expected '" << mention << "' in: " << r.err;
}

TEST_F(Cli, HelpForEveryVerb) {
  for (const std::string verb : {"run", "sweep", "presets", "gains", "plot"}) {
    SCOPED_TRACE(verb);
    const Result r = cli({verb, "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("Usage: initscope " + verb, 0), 0u) << r.out;
    EXPECT_NE(r.out.find("--help"), std::string::npos);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(cli({verb, "-h"}).out, r.out);
    EXPECT_EQ(cli({"help", verb}).out, r.out);
  }
  const Result top = cli({"--help"});
  EXPECT_EQ(top.code, 0);
  for (const std::string verb : {"run", "sweep", "presets", "gains", "plot"})
    EXPECT_NE(top.out.find("  " + verb + " "), std::string::npos) << verb;
  const Result v = cli({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("initscope ", 0), 0u);
}

// libgomp reads its settings when it loads, so the executable sets them and starts again; the
// version line shows what the running process has. A user's own choice is kept.
TEST_F(Cli, IdleOpenMpWorkersSleepAfterAShortSpinUnlessTheUserChose) {
  const Result quiet = cli({"--version"}, "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT");
  ASSERT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_NE(quiet.out.find("OMP_WAIT_POLICY=passive, GOMP_SPINCOUNT=20000"), std::string::npos) << quiet.out;
  const Result active = cli({"--version"}, "env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=active");
  EXPECT_NE(active.out.find("OMP_WAIT_POLICY=active, GOMP_SPINCOUNT unset"), std::string::npos) << active.out;
  const Result spin = cli({"--version"}, "env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=5");
  EXPECT_NE(spin.out.find("OMP_WAIT_POLICY=passive, GOMP_SPINCOUNT=5"), std::string::npos) << spin.out;
  const Result threads = cli({"--version"}, "env OMP_NUM_THREADS=3");
  EXPECT_NE(threads.out.find("OpenMP: 3 threads"), std::string::npos) << threads.out;
}

TEST_F(Cli, RunJsonHasTheResultSchema) {
  const Result r = cli({"run", "fourconv_default", "--json", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j.at("schema"), "initscope.result");
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(j.at("config").at("schema"), "initscope.config");
  EXPECT_EQ(j.at("config").at("name"), "fourconv_default");
  EXPECT_EQ(j.at("input_shape"), Json::array({100, 1, 28, 28}));
  EXPECT_TRUE(std::isfinite(j.at("loss").get<double>()));
  const std::vector<std::string> types{"conv2d", "relu", "conv2d", "relu", "conv2d", "relu", "conv2d",
                                       "adaptive_avg_pool2d", "flatten"};
  ASSERT_EQ(j.at("layers").size(), types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    const Json& l = j.at("layers")[i];
    EXPECT_EQ(l.at("type"), types[i]);
    for (const char* k : {"mean", "std", "min", "max", "zero_fraction"}) {
      EXPECT_TRUE(l.at("activation").contains(k)) << k;
      EXPECT_TRUE(l.at("gradient").contains(k)) << k;
    }
    EXPECT_EQ(l.at("activation").at("histogram").at("counts").size(), 40u);
    EXPECT_EQ(l.contains("weight"), types[i] == "conv2d");
  }
  // The lesson's number: the default init leaves the output std near 0.01.
  EXPECT_LT(j.at("layers")[8].at("activation").at("std").get<double>(), 0.05);

  const Result nh = cli({"run", "fourconv_default", "--json", "-", "--no-histograms"});
  EXPECT_FALSE(Json::parse(nh.out).at("layers")[0].at("activation").contains("histogram"));
}

TEST_F(Cli, RunTableCsvAndDump) {
  const Result t = cli({"run", "fourconv_default"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("conv2d 1->8 5x5 s2 p2"), std::string::npos);
  EXPECT_NE(t.out.find("out_std"), std::string::npos);

  const Result c = cli({"run", "fourconv_default", "--csv", "-"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("layer,label,type,", 0), 0u);
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1 + 1 + 9);  // header, input, 9 layers

  const Result d = cli({"run", "fourconv_default", "--dump", path("dump.json"), "--json", path("r.json")});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.out.find("flatten"), std::string::npos);  // the table still goes to stdout
  const Json dump = Json::parse(slurp(path("dump.json")));
  EXPECT_EQ(dump.at("schema"), "initscope.dump");
  EXPECT_EQ(dump.at("result").at("loss"), Json::parse(slurp(path("r.json"))).at("loss"));
}

TEST_F(Cli, OverridesReachTheConfig) {
  const Result r = cli({"run", "fourconv_default", "--a", "0", "--bias-init", "zeros", "--json", "-", "--no-histograms"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j.at("config").at("init").at("scheme"), "kaiming_uniform");
  EXPECT_EQ(j.at("config").at("init").at("a"), 0.0);
  EXPECT_EQ(j.at("config").at("bias_init").at("scheme"), "zeros");
  // ... which is the lesson's second model, bit for bit.
  const Json k = Json::parse(cli({"run", "fourconv_kaiming_uniform", "--json", "-", "--no-histograms"}).out);
  EXPECT_EQ(j.at("loss"), k.at("loss"));

  const Json o = Json::parse(cli({"run", "single_conv_default", "--scheme", "kaiming_normal", "--mode", "fan_out",
                                  "--nonlinearity", "relu", "--seed", "3", "--batch", "10", "--sample", "random",
                                  "--bins", "7", "--range", "-1,1", "--threads", "1", "--json", "-"})
                             .out);
  const Json& c = o.at("config");
  EXPECT_EQ(c.at("init").at("scheme"), "kaiming_normal");
  EXPECT_EQ(c.at("init").at("mode"), "fan_out");
  EXPECT_EQ(c.at("init").at("nonlinearity"), "relu");
  EXPECT_EQ(c.at("seed"), 3);
  EXPECT_EQ(c.at("data").at("batch"), 10);
  EXPECT_EQ(c.at("data").at("sampling"), "random");
  EXPECT_EQ(c.at("histogram").at("bins"), 7);
  EXPECT_EQ(c.at("histogram").at("range"), Json::array({-1.0, 1.0}));
  EXPECT_EQ(o.at("layers")[0].at("activation").at("histogram").at("counts").size(), 7u);

  const Json t = Json::parse(cli({"run", "fourconv_default", "--scheme", "trunc_normal", "--std", "0.5", "--trunc",
                                  "-1,1", "--json", "-", "--no-histograms"})
                                 .out);
  EXPECT_EQ(t.at("config").at("init").at("scheme"), "trunc_normal");
  EXPECT_EQ(t.at("config").at("init").at("trunc_a"), -1.0);
  EXPECT_LE(t.at("layers")[0].at("weight").at("value").at("max").get<double>(), 1.0);

  const Json x = Json::parse(cli({"run", "mlp_tanh", "--scheme", "xavier_uniform", "--gain", "5/3", "--dist", "normal",
                                  "--json", "-", "--no-histograms"})
                                 .out);
  EXPECT_EQ(x.at("config").at("init").at("scheme"), "xavier_normal");
  EXPECT_DOUBLE_EQ(x.at("config").at("init").at("gain").get<double>(), 5.0 / 3.0);

  const Json s = Json::parse(cli({"run", "fourconv_default", "--data", "synthetic", "--shape", "1,16,16", "--json", "-",
                                  "--no-histograms"})
                                 .out);
  EXPECT_EQ(s.at("input_shape"), Json::array({100, 1, 16, 16}));
}

TEST_F(Cli, PresetConfigRoundTrip) {
  const Result list = cli({"presets"});
  ASSERT_EQ(list.code, 0);
  for (const char* name : {"single_conv_default", "kaiming_normal_a1", "kaiming_normal_a0_leaky0", "default_leaky0",
                           "kaiming2_a0", "kaiming2_a_sqrt5", "fourconv_default", "fourconv_kaiming_uniform",
                           "deep_mlp_relu"})
    EXPECT_NE(list.out.find(name), std::string::npos) << name;

  const Result p = cli({"presets", "fourconv_default"});
  ASSERT_EQ(p.code, 0) << p.err;
  write("config.json", p.out);
  const Json a = Json::parse(cli({"run", "--config", path("config.json"), "--json", "-", "--no-histograms"}).out);
  const Json b = Json::parse(cli({"run", "fourconv_default", "--json", "-", "--no-histograms"}).out);
  EXPECT_EQ(a.at("loss"), b.at("loss"));
  EXPECT_EQ(a.at("layers"), b.at("layers"));

  const Json all = Json::parse(cli({"presets", "--json", "-"}).out);
  ASSERT_TRUE(all.is_array());
  EXPECT_GE(all.size(), 11u);
  EXPECT_EQ(all[0].at("name"), "single_conv_default");
  EXPECT_EQ(all[0].at("notebook"), true);
}

TEST_F(Cli, UsageErrorsExitTwo) {
  expectError(cli({"run", "fourconv_default", "--bogus"}), 2, "--bogus");
  expectError(cli({"run", "fourconv_default", "--a", "abc"}), 2, "--a");
  expectError(cli({"run", "fourconv_default", "--mode", "sideways"}), 2, "sideways");
  expectError(cli({"run", "fourconv_default", "--batch"}), 2, "--batch needs a value");
  expectError(cli({"run", "fourconv_default", "--batch", "0"}), 2, "--batch");
  expectError(cli({"run", "no_such_preset"}), 2, "no_such_preset");
  expectError(cli({"run"}), 2, "preset");
  expectError(cli({"run", "fourconv_default", "--seed", "1", "--seed", "2"}), 2, "twice");
  expectError(cli({"run", "fourconv_default", "--scheme", "xavier_uniform", "--a", "1"}), 2, "--a");
  expectError(cli({"sweep", "fourconv_default", "--over", "b"}), 2, "--over");
  expectError(cli({"sweep", "fourconv_default", "--over", "depth", "--values", "1.5"}), 2, "whole numbers");
  expectError(cli({"gains", "extra"}), 2, "extra");
  expectError(cli({"presets", "nope"}), 2, "nope");
  expectError(cli({"plot", "fourconv_default"}), 2, "--out");
  expectError(cli({"plot", "fourconv_default", "--out", path("x.gif")}), 2, ".png");
  expectError(cli({"plot", "fourconv_default", "--out", path("x.png"), "--figure", "pie"}), 2, "pie");
}

TEST_F(Cli, BadConfigFilesNameTheField) {
  write("bad_field.json", R"({"schema": "initscope.config", "version": 1,
    "layers": [{"type": "conv2d", "in_channels": 1, "out_channels": 8, "kernel_size": "five"}]})");
  expectError(cli({"run", "--config", path("bad_field.json")}), 1, "layers[0].kernel_size");

  write("unknown.json", R"({"schema": "initscope.config", "version": 1, "layers": [{"type": "relu"}], "sed": 1})");
  expectError(cli({"run", "--config", path("unknown.json")}), 1, "sed");

  write("syntax.json", "{\"schema\": \"initscope.config\",\n  \"layers\": [,]}");
  const Result s = cli({"run", "--config", path("syntax.json")});
  EXPECT_EQ(s.code, 1);
  EXPECT_NE(s.err.find("syntax.json"), std::string::npos) << s.err;
  EXPECT_EQ(std::count(s.err.begin(), s.err.end(), '\n'), 1) << s.err;

  expectError(cli({"run", "--config", path("missing.json")}), 1, "missing.json");

  // A stack that cannot run is a runtime error naming the layer.
  write("stack.json", R"({"schema": "initscope.config", "version": 1,
    "layers": [{"type": "linear", "in_features": 10, "out_features": 1}]})");
  expectError(cli({"run", "--config", path("stack.json")}), 1, "layer 1");
}

TEST_F(Cli, RuntimeErrorsExitOne) {
  expectError(cli({"run", "fourconv_default", "--batch", "20000"}), 1, "20000");
  expectError(cli({"run", "fourconv_default", "--data", path("no-images") + "," + path("no-labels")}), 1, "cannot open");
  write("junk", "not an idx file at all");
  expectError(cli({"run", "fourconv_default", "--data", path("junk") + "," + path("junk")}), 1, "junk");
  expectError(cli({"run", "fourconv_default", "--json", path("no/such/dir/r.json")}), 1, "r.json");
}

TEST_F(Cli, Ensembles) {
  const Result r = cli({"run", "fourconv_default", "--seeds", "3", "--json", "-"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j.at("schema"), "initscope.ensemble");
  EXPECT_EQ(j.at("seeds"), Json::array({0, 1, 2}));
  EXPECT_EQ(j.at("notebook").at("out_std").at("values").size(), 3u);
  for (const char* k : {"mean", "std", "q05", "q95", "min", "max"})
    EXPECT_TRUE(j.at("layers")[0].at("stats").at("activation.std").contains(k)) << k;

  const Result t = cli({"run", "fourconv_default", "--seeds", "3"});
  EXPECT_NE(t.out.find("3 seeds"), std::string::npos);

  const Result nb = cli({"run", "notebook", "--seeds", "2", "--json", "-", "--reference",
                         INITSCOPE_FIXTURES "/notebook_reference.json"});
  ASSERT_EQ(nb.code, 0) << nb.err;
  const Json n = Json::parse(nb.out);
  EXPECT_EQ(n.at("schema"), "initscope.notebook");
  ASSERT_EQ(n.at("experiments").size(), 8u);
  const Json& fc = n.at("experiments")[6];
  EXPECT_EQ(fc.at("name"), "fourconv_default");
  EXPECT_EQ(fc.at("stats").at("out_std").at("lesson"), 0.0065);
  EXPECT_TRUE(fc.at("stats").at("out_std").contains("pytorch"));
}

TEST_F(Cli, Sweeps) {
  const Result a = cli({"sweep", "fourconv_default", "--over", "a", "--from", "0", "--to", "sqrt5", "--steps", "3",
                        "--json", "-"});
  ASSERT_EQ(a.code, 0) << a.err;
  const Json j = Json::parse(a.out);
  EXPECT_EQ(j.at("schema"), "initscope.sweep");
  EXPECT_EQ(j.at("over"), "a");
  ASSERT_EQ(j.at("points").size(), 3u);
  EXPECT_EQ(j.at("points")[2].at("value"), std::sqrt(5.0));
  EXPECT_EQ(j.at("points")[2].at("result").at("config").at("init").at("scheme"), "kaiming_uniform");
  // At a = sqrt 5 the sweep's point is PyTorch's default itself.
  const Json d = Json::parse(cli({"run", "fourconv_default", "--json", "-", "--no-histograms"}).out);
  EXPECT_EQ(j.at("points")[2].at("result").at("loss"), d.at("loss"));

  const Result c = cli({"sweep", "fourconv_default", "--values", "0,1", "--csv", "-"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("value,layer,", 0), 0u);

  const Result dp = cli({"sweep", "deep_mlp_relu", "--over", "depth", "--stack", "conv", "--width", "4", "--from", "1",
                         "--to", "3", "--batch", "10", "--parallel", "runs"});
  ASSERT_EQ(dp.code, 0) << dp.err;
  EXPECT_NE(dp.out.find("sweep over depth, 3 points"), std::string::npos) << dp.out;

  const Result s = cli({"sweep", "fourconv_default", "--over", "seed", "--steps", "4", "--json", "-"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(Json::parse(s.out).at("values"), Json::array({0.0, 1.0, 2.0, 3.0}));
}

TEST_F(Cli, Gains) {
  const Result t = cli({"gains"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("0.5773502691896257"), std::string::npos);  // gain(sqrt 5), as the lesson prints it
  EXPECT_NE(t.out.find("1.414142856997835"), std::string::npos);   // gain(0.01)
  const Json j = Json::parse(cli({"gains", "--json", "-"}).out);
  ASSERT_EQ(j.at("gain_table").size(), 5u);
  EXPECT_DOUBLE_EQ(j.at("gain_table")[4].at("gain").get<double>(), 1 / std::sqrt(3.0));
  EXPECT_DOUBLE_EQ(j.at("gain_table")[4].at("bound").get<double>(), 0.2);  // 1/sqrt(fan_in 25)
  EXPECT_NEAR(j.at("uniform_pm1_std").at("empirical").get<double>(), 1 / std::sqrt(3.0), 0.01);
}

// Width and height of a PNG from its IHDR chunk.
std::pair<int, int> pngSize(const std::string& png) {
  const auto be32 = [&](std::size_t o) {
    return (static_cast<unsigned char>(png[o]) << 24) | (static_cast<unsigned char>(png[o + 1]) << 16) |
           (static_cast<unsigned char>(png[o + 2]) << 8) | static_cast<unsigned char>(png[o + 3]);
  };
  return {be32(16), be32(20)};
}

TEST_F(Cli, PlotWritesImagesWithoutADisplay) {
  const std::string headless = "env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM";
  const Result p = cli({"plot", "fourconv_default", "--figure", "forward", "--out", path("f.png"), "--width", "400",
                        "--height", "300", "--scale", "2"},
                       headless);
  ASSERT_EQ(p.code, 0) << p.err;
  const std::string png = slurp(path("f.png"));
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(pngSize(png), (std::pair<int, int>{800, 600}));

  ASSERT_EQ(cli({"plot", "fourconv_default", "--figure", "hist-activations", "--out", path("h.svg")}, headless).code, 0);
  const std::string svg = slurp(path("h.svg"));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);

  ASSERT_EQ(cli({"plot", "fourconv_default", "--figure", "sweep-a", "--steps", "5", "--out", path("s.pdf")}, headless).code, 0);
  const std::string pdf = slurp(path("s.pdf"));
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf.find("%%EOF"), std::string::npos);

  const Result all = cli({"plot", "fourconv_default", "--figure", "all", "--out", path("all.png"), "--width", "300",
                          "--height", "200", "--steps", "3"},
                         headless);
  ASSERT_EQ(all.code, 0) << all.err;
  for (const char* key : {"forward", "backward", "hist-activations", "hist-gradients", "hist-weight-grads", "sweep-a"})
    EXPECT_TRUE(fs::exists(path(std::string("all-") + key + ".png"))) << key;
}

}  // namespace
