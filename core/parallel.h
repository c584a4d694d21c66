#pragma once
// Fixed work partitions. Every reduction over the batch is split into kSlots contiguous ranges
// that do not depend on the thread count; each slot is summed by one thread in order and the
// slots are combined in slot order, so results are bit-identical with 1, 2 or 64 threads.
#include <algorithm>
#include <utility>

namespace initscope {

inline constexpr int kSlots = 16;

// Batch items the conv kernels compute side by side, one per SIMD lane (see layers/conv2d.h).
// The network cuts the batch into slots and chunks of whole groups of kLanes items.
inline constexpr int kLanes = 16;

// Range [begin, end) of slot s when n items, taken in units of `quantum` items (the last unit
// may be short), are split into kSlots nearly equal parts.
inline std::pair<int, int> slotRange(int n, int s, int quantum = 1) {
  const int units = (n + quantum - 1) / quantum;
  const int base = units / kSlots, rem = units % kSlots;
  const int begin = s * base + std::min(s, rem);
  const int end = begin + base + (s < rem ? 1 : 0);
  return {std::min(n, begin * quantum), std::min(n, end * quantum)};
}

// Calls f(slot, begin, end) for every non-empty slot, the slots dealt round-robin to OpenMP
// threads (a small batch fills only the first slots; round-robin keeps both cores busy).
template <class F>
void forEachSlot(int n, F&& f, int quantum = 1) {
#pragma omp parallel for schedule(static, 1)
  for (int s = 0; s < kSlots; ++s) {
    const auto [b, e] = slotRange(n, s, quantum);
    if (b < e) f(s, b, e);
  }
}

// Sets the engine's thread count (0 = OpenMP's default); returns the count in effect.
int setEngineThreads(int threads);
int engineThreads();
// The calling thread's index in the current parallel region (0 outside one); per-thread scratch
// is sized by engineThreads() before a region and indexed by this inside it.
int engineThreadIndex();

}  // namespace initscope
