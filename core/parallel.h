#pragma once
// Fixed work partitions. Every reduction over the batch is split into kSlots contiguous ranges
// that do not depend on the thread count; each slot is summed by one thread in order and the
// slots are combined in slot order, so results are bit-identical with 1, 2 or 64 threads.
#include <algorithm>
#include <string>
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

// GCC's OpenMP keeps idle workers spinning (about 3 ms after every parallel region), which
// steals the GUI thread's core and, on a busy machine, slows every run many times over; a worker
// that sleeps at once, though, must be woken for each of a run's regions, which cost 0.1 ms of a
// 0.9 ms step here. So unless the user has chosen a policy, idle workers should spin for a short
// while (GOMP_SPINCOUNT 20000: about 0.2 ms by libgomp's estimate), enough to carry them from one
// region of a run to the next, then sleep. libgomp reads both variables when it is loaded, before
// main, so setting them from inside the program does nothing: this sets them and re-executes
// the program (/proc/self/exe with argv) once. Call it first thing in main. Returns only when
// nothing needs doing (OMP_WAIT_POLICY already set) or the re-exec failed (then nothing changes).
void restartWithQuietOpenMp(char** argv);
// "OpenMP: 2 threads, OMP_WAIT_POLICY=passive, GOMP_SPINCOUNT=20000" (a variable not set shows
// as "unset"): what `initscope --version` reports, for bug reports and timings.
std::string openMpSettings();

// Sets the engine's thread count (0 = OpenMP's default); returns the count in effect.
int setEngineThreads(int threads);
int engineThreads();
// The calling thread's index in the current parallel region (0 outside one); per-thread scratch
// is sized by engineThreads() before a region and indexed by this inside it.
int engineThreadIndex();

}  // namespace initscope
