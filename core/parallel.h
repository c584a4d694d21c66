#pragma once
// Fixed work partitions. Every reduction over the batch is split into kSlots contiguous ranges
// that do not depend on the thread count; each slot is summed by one thread in order and the
// slots are combined in slot order, so results are bit-identical with 1, 2 or 64 threads.
#include <algorithm>
#include <utility>

namespace initscope {

inline constexpr int kSlots = 16;

// Range [begin, end) of slot s when n items are split into kSlots nearly equal parts.
inline std::pair<int, int> slotRange(int n, int s) {
  const int base = n / kSlots, rem = n % kSlots;
  const int begin = s * base + std::min(s, rem);
  return {begin, begin + base + (s < rem ? 1 : 0)};
}

// Calls f(slot, begin, end) for every non-empty slot, the slots spread over OpenMP threads.
template <class F>
void forEachSlot(int n, F&& f) {
#pragma omp parallel for schedule(static)
  for (int s = 0; s < kSlots; ++s) {
    const auto [b, e] = slotRange(n, s);
    if (b < e) f(s, b, e);
  }
}

// Sets the engine's thread count (0 = OpenMP's default); returns the count in effect.
int setEngineThreads(int threads);
int engineThreads();

}  // namespace initscope
