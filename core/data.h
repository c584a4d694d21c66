#pragma once
// Images and labels: the IDX format (LeCun's MNIST files, plain or gzip'd), the 10,000 real
// MNIST digits compiled into the binary, batches normalised as the fast.ai lesson does, and
// synthetic standard-normal inputs.
#include "tensor.h"

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace initscope {

// A file or buffer that is not what it should be; the message names the file and the problem.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Dataset {
  std::string name;  // "mnist-10k (embedded)" or the image file's path
  int count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, row-major
  std::vector<std::uint8_t> labels;  // count
};

// Gunzips when the bytes start with the gzip magic; returns them unchanged otherwise.
// `what` names the source in error messages. Refuses to inflate past maxBytes.
std::vector<std::uint8_t> gunzipIfNeeded(std::span<const std::uint8_t> bytes, const std::string& what,
                                         std::size_t maxBytes = std::size_t(1) << 31);

// Parses an IDX3 (uint8 images, magic 0x00000803) and IDX1 (uint8 labels, 0x00000801) pair.
Dataset parseIdx(std::span<const std::uint8_t> images, std::span<const std::uint8_t> labels,
                 const std::string& imagesName = "images", const std::string& labelsName = "labels");
// Reads an IDX pair from disk, each file plain or gzip'd.
Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath);
// The 10,000 MNIST digits compiled into the binary (see resources/data/mnist-10k/README.md).
// Decoded once per process and shared.
std::shared_ptr<const Dataset> embeddedMnist();
// The embedded files' raw (gzip'd) bytes.
std::span<const std::uint8_t> embeddedMnistImagesGz();
std::span<const std::uint8_t> embeddedMnistLabelsGz();

struct Normalization {
  double mean = 0.0;  // of pixel / 255
  double std = 1.0;   // unbiased, as torch.std
  bool operator==(const Normalization&) const = default;
};
// Mean and std of pixel/255 over the whole set (the lesson's x_train.mean(), x_train.std()).
Normalization datasetNormalization(const Dataset& d);

enum class Sampling { First, Random };

struct Batch {
  Tensor x;                     // (N, 1, rows, cols): (pixel/255 - mean) / std
  std::vector<double> targets;  // labels as floats, for mse
  std::vector<int> classes;     // labels as classes, for cross_entropy
  std::vector<int> indices;     // which images of the set
};

// The first n images, or n distinct images drawn with a seeded shuffle.
Batch makeBatch(const Dataset& d, int n, Sampling sampling, std::uint64_t seed, const Normalization& norm);
// Standard-normal inputs of a shape (batch first), with standard-normal float targets (one per
// example) and classes drawn uniformly from 0..9.
Batch syntheticBatch(const Shape& shape, std::uint64_t seed);

}  // namespace initscope
