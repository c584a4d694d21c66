#include "parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace initscope {

#ifdef _OPENMP
int setEngineThreads(int threads) {
  // OpenMP's default as it was before the first call (OMP_NUM_THREADS or the cores): 0 restores
  // it, so a run with threads = 0 after one with threads = 1 does not stay on one thread.
  static const int defaultThreads = omp_get_max_threads();
  omp_set_num_threads(threads > 0 ? threads : defaultThreads);
  return omp_get_max_threads();
}

int engineThreads() { return omp_get_max_threads(); }

int engineThreadIndex() { return omp_get_thread_num(); }
#else
int setEngineThreads(int) { return 1; }

int engineThreads() { return 1; }

int engineThreadIndex() { return 0; }
#endif

}  // namespace initscope
