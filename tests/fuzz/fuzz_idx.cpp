// libFuzzer target: the IDX reader. The first byte says where the input splits into the images
// and labels files; each part may be plain or gzip'd. Anything that is not a valid pair must be
// refused with DataError, never crash or read out of bounds.
#include "core/data.h"

#include <cstdint>
#include <cstdlib>

using namespace initscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t split = 1 + (data[0] * (size - 1)) / 256;
  const std::span<const std::uint8_t> images(data + 1, split - 1), labels(data + split, size - split);
  try {
    const Dataset d = parseIdx(images, labels);
    if (d.pixels.size() != static_cast<std::size_t>(d.count) * d.rows * d.cols) std::abort();
    if (d.labels.size() != static_cast<std::size_t>(d.count)) std::abort();
    const Normalization n = datasetNormalization(d);
    if (d.count <= 64 && n.std > 0) makeBatch(d, d.count, Sampling::Random, 1, n);
  } catch (const DataError&) {
  }
  return 0;
}
