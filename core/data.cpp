#include "data.h"

#include "rng.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <numeric>

// The embedded digits: core/embedded_mnist.S pulls the gzip'd IDX files in with .incbin.
extern "C" {
extern const std::uint8_t initscope_mnist_images_gz[];
extern const std::uint8_t initscope_mnist_images_gz_end[];
extern const std::uint8_t initscope_mnist_labels_gz[];
extern const std::uint8_t initscope_mnist_labels_gz_end[];
}

namespace initscope {
namespace {

std::uint32_t bigEndian32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

std::vector<std::uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw DataError(path + ": cannot open the file");
  f.seekg(0, std::ios::end);
  const auto size = f.tellg();
  if (size < 0) throw DataError(path + ": cannot read the file");
  if (static_cast<std::uint64_t>(size) > (std::uint64_t(1) << 31))
    throw DataError(path + ": the file is larger than 2 GiB");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!f) throw DataError(path + ": read error");
  return bytes;
}

}  // namespace

std::vector<std::uint8_t> gunzipIfNeeded(std::span<const std::uint8_t> in, const std::string& what,
                                         std::size_t maxBytes) {
  if (in.size() < 2 || in[0] != 0x1f || in[1] != 0x8b) return {in.begin(), in.end()};
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw DataError(what + ": cannot start gzip decoder");
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 0xffffffffu));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      throw DataError(what + ": the gzip data is " + (rc == Z_BUF_ERROR ? "truncated" : "corrupt"));
    }
    out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
    if (out.size() > maxBytes) {
      inflateEnd(&z);
      throw DataError(what + ": decompresses to more than " + std::to_string(maxBytes >> 20) + " MiB");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      throw DataError(what + ": the gzip data is truncated");
    }
  }
  inflateEnd(&z);
  return out;
}

Dataset parseIdx(std::span<const std::uint8_t> imagesRaw, std::span<const std::uint8_t> labelsRaw,
                 const std::string& imagesName, const std::string& labelsName) {
  const auto images = gunzipIfNeeded(imagesRaw, imagesName);
  const auto labels = gunzipIfNeeded(labelsRaw, labelsName);
  auto hex = [](std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return std::string(b);
  };
  // The magic number first: a file of the wrong kind says so even when it is short.
  if (images.size() >= 4 && bigEndian32(images.data()) != 0x00000803)
    throw DataError(imagesName + ": wrong magic number " + hex(bigEndian32(images.data())) +
                    ", expected 0x00000803 (IDX3 uint8 images)");
  if (labels.size() >= 4 && bigEndian32(labels.data()) != 0x00000801)
    throw DataError(labelsName + ": wrong magic number " + hex(bigEndian32(labels.data())) +
                    ", expected 0x00000801 (IDX1 uint8 labels)");
  if (images.size() < 16) throw DataError(imagesName + ": too short for an IDX3 header (16 bytes)");
  if (labels.size() < 8) throw DataError(labelsName + ": too short for an IDX1 header (8 bytes)");
  const std::uint32_t n = bigEndian32(images.data() + 4), rows = bigEndian32(images.data() + 8),
                      cols = bigEndian32(images.data() + 12), nl = bigEndian32(labels.data() + 4);
  if (n != nl)
    throw DataError("image and label counts differ: " + std::to_string(n) + " images in " + imagesName + ", " +
                    std::to_string(nl) + " labels in " + labelsName);
  if (n == 0 || rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || n > 100'000'000)
    throw DataError(imagesName + ": implausible dimensions " + std::to_string(n) + " x " + std::to_string(rows) +
                    " x " + std::to_string(cols));
  const std::uint64_t need = 16 + std::uint64_t(n) * rows * cols;
  if (images.size() < need)
    throw DataError(imagesName + ": truncated: " + std::to_string(images.size()) + " bytes, the header promises " +
                    std::to_string(need));
  if (labels.size() < 8 + std::uint64_t(n))
    throw DataError(labelsName + ": truncated: " + std::to_string(labels.size()) + " bytes, the header promises " +
                    std::to_string(8 + std::uint64_t(n)));
  Dataset d;
  d.name = imagesName;
  d.count = static_cast<int>(n);
  d.rows = static_cast<int>(rows);
  d.cols = static_cast<int>(cols);
  d.pixels.assign(images.begin() + 16, images.begin() + static_cast<std::ptrdiff_t>(need));
  d.labels.assign(labels.begin() + 8, labels.begin() + 8 + n);
  return d;
}

Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath) {
  return parseIdx(readFile(imagesPath), readFile(labelsPath), imagesPath, labelsPath);
}

std::span<const std::uint8_t> embeddedMnistImagesGz() {
  return {initscope_mnist_images_gz, static_cast<std::size_t>(initscope_mnist_images_gz_end - initscope_mnist_images_gz)};
}
std::span<const std::uint8_t> embeddedMnistLabelsGz() {
  return {initscope_mnist_labels_gz, static_cast<std::size_t>(initscope_mnist_labels_gz_end - initscope_mnist_labels_gz)};
}

std::shared_ptr<const Dataset> embeddedMnist() {
  static std::once_flag once;
  static std::shared_ptr<const Dataset> data;
  std::call_once(once, [] {
    auto d = std::make_shared<Dataset>(parseIdx(embeddedMnistImagesGz(), embeddedMnistLabelsGz(), "embedded images",
                                                "embedded labels"));
    d->name = "mnist-10k (embedded)";
    data = std::move(d);
  });
  return data;
}

Normalization datasetNormalization(const Dataset& d) {
  std::array<std::uint64_t, 256> hist{};
  for (std::uint8_t p : d.pixels) ++hist[p];
  const double n = static_cast<double>(d.pixels.size());
  double sum = 0;
  for (int v = 0; v < 256; ++v) sum += hist[static_cast<std::size_t>(v)] * (v / 255.0);
  const double mean = sum / n;
  double ss = 0;
  for (int v = 0; v < 256; ++v) ss += hist[static_cast<std::size_t>(v)] * (v / 255.0 - mean) * (v / 255.0 - mean);
  return {mean, n > 1 ? std::sqrt(ss / (n - 1)) : 1.0};
}

Batch makeBatch(const Dataset& d, int n, Sampling sampling, std::uint64_t seed, const Normalization& norm) {
  if (n < 1) throw DataError("the batch size must be at least 1, got " + std::to_string(n));
  if (n > d.count)
    throw DataError("a batch of " + std::to_string(n) + " images asked of " + d.name + ", which has " +
                    std::to_string(d.count));
  if (!(norm.std > 0) || !std::isfinite(norm.mean)) throw DataError("the normalisation std must be positive");
  Batch b;
  b.indices.resize(static_cast<std::size_t>(d.count));
  std::iota(b.indices.begin(), b.indices.end(), 0);
  if (sampling == Sampling::Random) {
    Rng rng(seed, 0x5a4d504c45ULL);  // Fisher-Yates, first n positions only
    for (int i = 0; i < n; ++i) {
      const int j = i + static_cast<int>(rng.nextBits() % static_cast<std::uint64_t>(d.count - i));
      std::swap(b.indices[static_cast<std::size_t>(i)], b.indices[static_cast<std::size_t>(j)]);
    }
  }
  b.indices.resize(static_cast<std::size_t>(n));
  const std::size_t px = static_cast<std::size_t>(d.rows) * d.cols;
  b.x.resize(Shape{n, 1, d.rows, d.cols});
  std::array<float, 256> lut;
  for (int v = 0; v < 256; ++v) lut[static_cast<std::size_t>(v)] = static_cast<float>((v / 255.0 - norm.mean) / norm.std);
  for (int i = 0; i < n; ++i) {
    const auto idx = static_cast<std::size_t>(b.indices[static_cast<std::size_t>(i)]);
    const std::uint8_t* src = d.pixels.data() + idx * px;
    float* dst = b.x.item(i);
    for (std::size_t k = 0; k < px; ++k) dst[k] = lut[src[k]];
    b.targets.push_back(d.labels[idx]);
    b.classes.push_back(d.labels[idx]);
  }
  return b;
}

Batch syntheticBatch(const Shape& shape, std::uint64_t seed) {
  if (shape.rank < 2 || shape.numel() == 0) throw DataError("a synthetic input needs a shape with a batch dimension");
  Batch b;
  b.x.resize(shape);
  const Rng rng(seed, 0x53594e5448ULL);
  for (std::size_t i = 0; i < b.x.numel(); ++i) b.x.data[i] = static_cast<float>(rng.normal(i));
  const Rng labels(seed, 0x4c4142454cULL);
  for (int i = 0; i < shape[0]; ++i) {
    b.targets.push_back(labels.normal(static_cast<std::uint64_t>(i)));
    b.classes.push_back(static_cast<int>(labels.bits(1'000'000'000ULL + static_cast<std::uint64_t>(i)) % 10));
    b.indices.push_back(i);
  }
  return b;
}

}  // namespace initscope
