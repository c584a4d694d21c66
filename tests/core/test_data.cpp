// The IDX reader (plain, gzip'd, truncated, wrong magic, mismatched counts, not IDX at all) and
// the embedded MNIST digits against the facts in resources/data/mnist-10k/README.md.
#include "core/data.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace initscope {
namespace {

std::vector<std::uint8_t> idxImages(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
  std::vector<std::uint8_t> b{0, 0, 8, 3};
  for (std::uint32_t v : {n, rows, cols})
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  for (std::uint32_t i = 0; i < n * rows * cols; ++i) b.push_back(static_cast<std::uint8_t>(i % 256));
  return b;
}

std::vector<std::uint8_t> idxLabels(std::uint32_t n) {
  std::vector<std::uint8_t> b{0, 0, 8, 1};
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(n >> s));
  for (std::uint32_t i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
  return b;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&z, in.size()) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Idx, ParsesPlainAndGzipped) {
  const auto img = idxImages(3, 2, 4), lab = idxLabels(3);
  for (bool gz : {false, true}) {
    const Dataset d = gz ? parseIdx(gzip(img), gzip(lab)) : parseIdx(img, lab);
    EXPECT_EQ(d.count, 3);
    EXPECT_EQ(d.rows, 2);
    EXPECT_EQ(d.cols, 4);
    EXPECT_EQ(d.pixels[9], 9);
    EXPECT_EQ(d.labels[2], 2);
  }
}

void expectError(const std::vector<std::uint8_t>& img, const std::vector<std::uint8_t>& lab, const std::string& text) {
  try {
    parseIdx(img, lab, "img.idx", "lab.idx");
    ADD_FAILURE() << "accepted, expected an error containing '" << text << "'";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(Idx, RejectsTruncatedImages) {
  auto img = idxImages(3, 2, 4);
  img.resize(img.size() - 1);
  expectError(img, idxLabels(3), "img.idx: truncated");
}

TEST(Idx, RejectsTruncatedGzip) {
  auto gz = gzip(idxImages(50, 28, 28));
  gz.resize(gz.size() / 2);
  expectError(gz, idxLabels(50), "truncated");
}

TEST(Idx, RejectsWrongMagic) {
  expectError(idxLabels(3), idxLabels(3), "wrong magic number 0x00000801, expected 0x00000803");
  expectError(idxImages(3, 2, 2), idxImages(3, 2, 2), "lab.idx: wrong magic number");
}

TEST(Idx, RejectsMismatchedCounts) { expectError(idxImages(3, 2, 2), idxLabels(4), "counts differ"); }

TEST(Idx, RejectsNonIdx) {
  const std::string text = "{\"this\": \"is json\"}";
  expectError({text.begin(), text.end()}, idxLabels(1), "wrong magic");
  expectError({1, 2, 3}, idxLabels(1), "too short");
}

TEST(Idx, LoadsFilesAndNamesMissingOnes) {
  const auto dir = std::filesystem::temp_directory_path() / "initscope_idx_test";
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const std::vector<std::uint8_t>& b) {
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return (dir / name).string();
  };
  const std::string img = write("i.gz", gzip(idxImages(5, 3, 3))), lab = write("l", idxLabels(5));
  EXPECT_EQ(loadIdx(img, lab).count, 5);
  try {
    loadIdx((dir / "missing").string(), lab);
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("missing: cannot open"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Mnist, EmbeddedDigitsMatchTheirReadme) {
  const auto d = embeddedMnist();
  ASSERT_EQ(d->count, 10000);
  EXPECT_EQ(d->rows, 28);
  EXPECT_EQ(d->cols, 28);
  const int first20[] = {9, 0, 2, 5, 2, 8, 5, 6, 2, 3, 1, 1, 2, 6, 3, 3, 6, 3, 2, 7};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d->labels[static_cast<std::size_t>(i)], first20[i]);
  int perDigit[10] = {};
  for (auto l : d->labels) ++perDigit[l];
  const int expect[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  for (int k = 0; k < 10; ++k) EXPECT_EQ(perDigit[k], expect[k]);
  const Normalization n = datasetNormalization(*d);
  EXPECT_NEAR(n.mean, 0.131126, 5e-7);
  EXPECT_NEAR(n.std, 0.308699, 5e-7);
  std::size_t zeros = 0;
  for (auto p : d->pixels) zeros += p == 0;
  EXPECT_NEAR(static_cast<double>(zeros) / static_cast<double>(d->pixels.size()), 0.80839, 5e-6);
}

TEST(Mnist, FirstHundredNormalisedAsTheLesson) {
  const auto d = embeddedMnist();
  const Batch b = makeBatch(*d, 100, Sampling::First, 0, Normalization{0.0, 1.0});
  // With mean 0 and std 1 the batch is pixel/255: the README's first-100 facts.
  double sum = 0, ss = 0;
  for (float v : b.x.data) sum += v;
  const double mean = sum / static_cast<double>(b.x.numel());
  for (float v : b.x.data) ss += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 0.127515, 5e-7);
  EXPECT_NEAR(std::sqrt(ss / static_cast<double>(b.x.numel() - 1)), 0.303590, 5e-7);
  EXPECT_EQ(b.x.shape, (Shape{100, 1, 28, 28}));
  EXPECT_EQ(b.targets[0], 9.0);
  EXPECT_EQ(b.classes[1], 0);
}

TEST(Mnist, RandomSampleIsSeededAndDistinct) {
  const auto d = embeddedMnist();
  const Normalization n = datasetNormalization(*d);
  const Batch a = makeBatch(*d, 500, Sampling::Random, 3, n), b = makeBatch(*d, 500, Sampling::Random, 3, n),
              c = makeBatch(*d, 500, Sampling::Random, 4, n);
  EXPECT_EQ(a.indices, b.indices);
  EXPECT_NE(a.indices, c.indices);
  std::vector<int> sorted = a.indices;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST(Mnist, RefusesImpossibleBatches) {
  const auto d = embeddedMnist();
  EXPECT_THROW(makeBatch(*d, 0, Sampling::First, 0, {}), DataError);
  EXPECT_THROW(makeBatch(*d, 10001, Sampling::First, 0, {}), DataError);
}

TEST(Synthetic, StandardNormal) {
  const Batch b = syntheticBatch(Shape{64, 3, 16, 16}, 1);
  double sum = 0, ss = 0;
  for (float v : b.x.data) sum += v, ss += double(v) * v;
  const double n = static_cast<double>(b.x.numel());
  EXPECT_NEAR(sum / n, 0.0, 0.02);
  EXPECT_NEAR(std::sqrt(ss / n), 1.0, 0.02);
  EXPECT_EQ(b.classes.size(), 64u);
}

}  // namespace
}  // namespace initscope
