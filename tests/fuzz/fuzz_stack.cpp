// libFuzzer target: layer stacks. The first four bytes choose an input shape (C, H, W, or a flat
// F); the rest is a JSON array of layers. Shape inference must either accept the stack or name
// the layer that cannot run; accepted stacks run forward and backward on a batch of 2.
#include "core/io.h"
#include "core/network.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace initscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::vector<int> shape;
  if (data[0] & 1)
    shape = {1 + data[1] % 64};
  else
    shape = {1 + data[1] % 4, 1 + data[2] % 32, 1 + data[3] % 32};
  const std::string text(reinterpret_cast<const char*>(data + 4), size - 4);
  ExperimentConfig c;
  try {
    c.layers = stackFromJson(parseJson(text, "fuzz"));
  } catch (const FormatError&) {
    return 0;
  }
  c.data.source = DataSource::Synthetic;
  c.data.syntheticShape = shape;
  c.data.batch = 2;
  c.threads = 1;
  c.loss = (data[0] & 2) ? LossKind::CrossEntropy : LossKind::MSE;
  try {
    std::vector<int> dims{2};
    dims.insert(dims.end(), shape.begin(), shape.end());
    const auto shapes = inferShapes(c.layers, Shape::fromVector(dims));
    if (shapes.size() != c.layers.size() + 1) std::abort();
    if (estimateMemory(c) > (16u << 20)) return 0;
    run(c);
  } catch (const SpecError& e) {
    if (e.layer() >= static_cast<int>(c.layers.size())) std::abort();
  } catch (const LimitError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
