// libFuzzer target: config JSON. Any text either parses into a config that survives a round trip
// through JSON unchanged, or is refused with FormatError; a config whose stack can run on a tiny
// batch is run, so odd shapes reach every kernel.
#include "core/io.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace initscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ExperimentConfig c;
  try {
    c = configFromJson(parseJson(text, "fuzz"));
  } catch (const FormatError&) {
    return 0;
  }
  // Round trip: what we write we read back identically.
  const ExperimentConfig back = configFromJson(toJson(c));
  if (!(back == c)) std::abort();
  // Run it small: no files, a batch of 2, a memory cap.
  if (c.data.source == DataSource::Idx) c.data.source = DataSource::Synthetic;
  c.data.batch = 2;
  c.threads = 1;
  try {
    if (estimateMemory(c) > (16u << 20)) return 0;
    run(c);
  } catch (const SpecError&) {
  } catch (const LimitError&) {
  } catch (const DataError&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
